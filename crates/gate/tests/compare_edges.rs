//! A whole comparison pinned at its edges: empty runs, the per-row bootstrap seeds, the
//! family-wise fail of a sole large change, underpowered rows at q = α exactly and the note that
//! counts only gated ones, exact measures gating wherever they appear, the geomean rows, the
//! check of gated measures, and pooling a window of runs.

mod common;

use common::{bench, run};

use benchgate_gate::{
    CompareOptions, UnknownMeasure, check_gated_measures, compare_runs, pool_runs,
};
use benchgate_model::{
    Caveat, Direction, Measure, Metric, Outcome, Severity, Thresholds, Unit, VerdictKind,
};
use benchgate_stats::{Interval, ratio_of_medians_ci};

fn metric(measure: Measure, unit: Unit, samples: Vec<f64>) -> Metric {
    Metric::from_samples(measure, unit, Direction::LowerIsBetter, samples).unwrap()
}

fn wall(samples: Vec<f64>) -> Metric {
    metric(Measure::WallTime, Unit::Nanoseconds, samples)
}

/// `n` distinct samples around `center`, ±2 %, in a fixed order.
fn spread(center: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| center * (0.98 + 0.04 * ((i * 7) % n) as f64 / n as f64))
        .collect()
}

/// The per-row seed as the gate derives it (FNV-1a over the seed, the name and the measure), so
/// the intervals below can be recomputed.
fn seed_for(seed: u64, benchmark: &str, measure: &Measure) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for byte in benchmark.bytes().chain([0]).chain(measure.as_str().bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Mixed into the seeds of family-wise intervals ("family").
const FAMILY_WISE_SEED: u64 = 0x6661_6d69_6c79;

fn interval_text(ci: Interval) -> String {
    format!(
        "{:.2}% interval [{:+.1}%, {:+.1}%]",
        ci.confidence * 100.0,
        (ci.lo - 1.0) * 100.0,
        (ci.hi - 1.0) * 100.0
    )
}

/// Runs without benchmarks compare to nothing, and pass (no rows are split over threads).
#[test]
fn empty_runs_compare_to_nothing() {
    let c = compare_runs(
        &run(vec![]),
        "a",
        &run(vec![]),
        "b",
        &CompareOptions::default(),
    );
    assert!(c.verdicts.is_empty());
    assert!(c.geomean.is_empty());
    assert!(c.warnings.is_empty());
    assert_eq!(c.outcome, Outcome::Passed);
    let r = run(vec![bench("only", vec![wall(spread(1e6, 5))])]);
    assert!(
        benchgate_gate::compare_within_run(&r, &[Measure::WallTime], &CompareOptions::default())
            .is_empty()
    );
}

/// Each row's interval is bootstrapped with its own seed, derived from the options' seed, the
/// benchmark's name and the measure: the same figures on every machine and Rust version.
#[test]
fn each_row_is_bootstrapped_with_its_own_derived_seed() {
    // (name, baseline center, current center)
    let rows = [("a", 1e6, 1.2e6), ("b", 2e6, 2.1e6)];
    let side = |current: bool| {
        run(rows
            .iter()
            .map(|&(name, b, c)| bench(name, vec![wall(spread(if current { c } else { b }, 20))]))
            .collect())
    };
    let options = CompareOptions::default();
    let c = compare_runs(&side(false), "x", &side(true), "y", &options);
    assert_eq!(c.verdicts.len(), 2);
    for (v, &(name, b, cur)) in c.verdicts.iter().zip(&rows) {
        assert_eq!(v.benchmark, name);
        let expected = ratio_of_medians_ci(
            &spread(b, 20),
            &spread(cur, 20),
            0.95,
            options.resamples,
            seed_for(options.seed, name, &Measure::WallTime),
        )
        .unwrap();
        assert_eq!(
            v.effect.unwrap().ci,
            Some(benchgate_model::Interval::from(expected)),
            "{name}"
        );
    }
}

/// Bimodal samples: a tight core of 20 around 1 ms × `core` between 10 low and 10 high values
/// both sides share; the rank test sees mostly the shared values (p ≈ 0.055), while the ratio
/// of medians is known tightly.
fn bimodal(core: f64) -> Vec<f64> {
    let mut v = Vec::new();
    for i in 0..10 {
        v.push(1e6 * (0.2 + 0.04 * f64::from(i)));
    }
    for i in 0..20 {
        v.push(1e6 * core * (0.98 + 0.002 * f64::from((i * 7) % 20)));
    }
    for i in 0..10 {
        v.push(1e6 * (3.0 + 0.7 * f64::from(i)));
    }
    v
}

/// A sole 30 % regression among four gated comparisons that the false-discovery control leaves
/// unflagged fails by its family-wise interval (at 1 − α/4, with its own seed).
#[test]
fn a_sole_large_change_fails_by_its_family_wise_interval() {
    let unchanged = |name: &str| bench(name, vec![wall(spread(1e6, 20))]);
    let base = run(vec![
        bench("changed", vec![wall(bimodal(1.0))]),
        unchanged("u1"),
        unchanged("u2"),
        unchanged("u3"),
    ]);
    let mut cur = base.clone();
    cur.benchmarks[0] = bench("changed", vec![wall(bimodal(1.3))]);
    let options = CompareOptions::default();
    let c = compare_runs(&base, "x", &cur, "y", &options);
    let v = &c.verdicts[0];
    assert_eq!(v.benchmark, "changed");
    let (p, q) = (v.p_value.unwrap(), v.q_value.unwrap());
    assert!(p > 0.05 && p < 0.06, "{p}");
    assert!((q - p * 4.0).abs() < 1e-12, "{q}");
    assert_eq!(
        (v.kind, v.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    assert!(v.caveats.is_empty(), "{:?}", v.caveats);
    assert_eq!(c.outcome, Outcome::Failed);
    // 1 − 0.05/4 = 98.75 %, 50/(0.05/4/2) = 8000 resamples, the seed mixed with "family".
    let interval = |seed: u64| {
        let ci = ratio_of_medians_ci(
            &bimodal(1.0),
            &bimodal(1.3),
            0.9875,
            8_000,
            seed_for(seed, "changed", &Measure::WallTime),
        )
        .unwrap();
        interval_text(ci)
    };
    let expected = interval(options.seed ^ FAMILY_WISE_SEED);
    assert_eq!(
        v.reason,
        format!(
            "+30.0% (p=0.055; not significant after Benjamini–Hochberg across 4, but its \
             {expected}, family-wise over 4 comparisons, lies wholly beyond the 10% fail \
             threshold)"
        )
    );
    // Other seeds give other intervals: the seed shows in the reason.
    for other in [
        options.seed,
        options.seed | FAMILY_WISE_SEED,
        options.seed & FAMILY_WISE_SEED,
    ] {
        assert_ne!(interval(other), expected);
    }
    // Only gated comparisons fail this way: reported, the same change stays unflagged.
    let reported = CompareOptions {
        gated_measures: vec![Measure::Instructions],
        ..CompareOptions::default()
    };
    let c = compare_runs(&base, "x", &cur, "y", &reported);
    assert_eq!(
        c.verdicts[0].kind,
        VerdictKind::Unchanged,
        "{:?}",
        c.verdicts[0]
    );
    assert!(!c.verdicts[0].gating);
}

/// Significance is strict, so is its absence: a q of exactly α is not significant, and when no
/// change could have been (the smallest p times the family exceeds α) the row says so.
#[test]
fn a_row_at_q_equal_to_alpha_is_underpowered() {
    // 1 vs 7 samples, fully separated: p = 2/8 (the smallest possible), +4 %.
    let pair = |name: &str| {
        (
            bench(name, vec![wall(vec![1e6])]),
            bench(
                name,
                vec![wall((0..7).map(|i| 1.04e6 + f64::from(i)).collect())],
            ),
        )
    };
    let (a0, a1) = pair("a");
    let (b0, b1) = pair("b");
    let (base, cur) = (run(vec![a0, b0]), run(vec![a1, b1]));
    let p = benchgate_stats::mann_whitney_u(
        &base.benchmarks[0].metrics[0].samples,
        &cur.benchmarks[0].metrics[0].samples,
    )
    .unwrap()
    .p_value;
    assert!((p - 0.25).abs() < 1e-12, "{p}");
    // Both p equal: q = p. At α = q exactly:
    let options = CompareOptions {
        thresholds: Thresholds {
            alpha: p,
            ..Thresholds::default()
        },
        ..CompareOptions::default()
    };
    let c = compare_runs(&base, "x", &cur, "y", &options);
    for v in &c.verdicts {
        assert_eq!(v.q_value, Some(p));
        assert_eq!(v.kind, VerdictKind::InsufficientData, "{v:?}");
        assert_eq!(
            v.caveats,
            vec![Caveat::Underpowered {
                n_baseline: 1,
                n_current: 7,
                comparisons: 2,
                alpha: p,
                needed: Some(3),
            }]
        );
        assert!(
            v.reason.starts_with(&format!(
                "insufficient data: n=1+7 cannot reach α={p} across 2 comparisons; n≥3 can; no \
                 significant change (p=0.250"
            )),
            "{}",
            v.reason
        );
    }
}

/// The comparison-wide note counts the gated comparisons that cannot detect a change, never the
/// reported ones.
#[test]
fn the_underpowered_note_counts_gated_comparisons_only() {
    let side = |center: f64| {
        run(["a", "b"]
            .into_iter()
            .map(|name| {
                bench(
                    name,
                    vec![
                        wall(spread(center, 4)),
                        metric(
                            Measure::Custom("calls".into()),
                            Unit::Count,
                            spread(50.0, 4),
                        ),
                    ],
                )
            })
            .collect())
    };
    let c = compare_runs(&side(1e6), "x", &side(1e6), "y", &CompareOptions::default());
    let underpowered = |gating: bool| {
        c.verdicts
            .iter()
            .filter(|v| {
                v.gating == gating
                    && v.caveats
                        .iter()
                        .any(|c| matches!(c, Caveat::Underpowered { .. }))
            })
            .count()
    };
    assert_eq!((underpowered(true), underpowered(false)), (2, 2));
    assert_eq!(
        c.warnings,
        vec![
            "2 of the gated comparisons cannot detect any change: insufficient data: n=4 cannot \
             reach α=0.05 across 2 comparisons; n≥5 can"
                .to_string()
        ]
    );
    // Only reported ones underpowered: no note.
    let reported = CompareOptions {
        gated_measures: vec![Measure::MaxRss],
        ..CompareOptions::default()
    };
    let c = compare_runs(&side(1e6), "x", &side(1e6), "y", &reported);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

/// An exact measure can fail the gate wherever it appears: new, missing, or exact on one side.
#[test]
fn exact_measures_gate_even_when_not_judged() {
    let instructions =
        |v: f64, exact: bool| metric(Measure::Instructions, Unit::Count, vec![v; 3]).exact(exact);
    let base = run(vec![
        bench("new", vec![wall(spread(1e6, 6))]),
        bench(
            "lost",
            vec![wall(spread(1e6, 6)), instructions(100.0, true)],
        ),
        bench(
            "half",
            vec![wall(spread(1e6, 6)), instructions(100.0, true)],
        ),
    ]);
    let cur = run(vec![
        bench("new", vec![wall(spread(1e6, 6)), instructions(100.0, true)]),
        bench("lost", vec![wall(spread(1e6, 6))]),
        bench(
            "half",
            vec![wall(spread(1e6, 6)), instructions(120.0, false)],
        ),
    ]);
    let c = compare_runs(&base, "x", &cur, "y", &CompareOptions::default());
    let find = |name: &str| {
        c.verdicts
            .iter()
            .find(|v| v.benchmark == name && v.measure == Measure::Instructions)
            .unwrap()
    };
    let new = find("new");
    assert_eq!((new.kind, new.gating), (VerdictKind::New, true));
    let lost = find("lost");
    assert_eq!((lost.kind, lost.gating), (VerdictKind::Missing, true));
    // Exact in the baseline only: judged as exact, +20 % fails.
    let half = find("half");
    assert!(half.gating, "{half:?}");
    // The verdict says what it was judged as, whichever side declared it exact.
    assert!(half.exact, "{half:?}");
    assert_eq!(
        (half.kind, half.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    assert_eq!(c.outcome, Outcome::Failed);
}

// ---- geomean ---------------------------------------------------------------------------------

/// A measure no verdict has a value of (a lost benchmark that had no metrics) gets no geomean
/// row; one only the current run has gets one, without a baseline or a ratio.
#[test]
fn geomean_rows_only_for_measures_with_values() {
    let base = run(vec![bench("gone", vec![])]);
    let cur = run(vec![bench(
        "fresh",
        vec![metric(Measure::MaxRss, Unit::Bytes, vec![1024.0; 3])],
    )]);
    let c = compare_runs(&base, "x", &cur, "y", &CompareOptions::default());
    assert_eq!(c.verdicts.len(), 2);
    assert_eq!(c.verdicts[1].kind, VerdictKind::Missing);
    assert_eq!(c.verdicts[1].measure, Measure::WallTime);
    assert_eq!(c.geomean.len(), 1, "{:#?}", c.geomean);
    let row = &c.geomean[0];
    assert_eq!(row.measure, Measure::MaxRss);
    assert_eq!((row.benchmarks, row.baseline_benchmarks), (1, 0));
    assert_eq!(
        (row.baseline, row.current, row.ratio),
        (None, Some(1024.0), None)
    );
    assert!(row.sets_differ);
    // Only the baseline has it: a row too.
    let c = compare_runs(&cur, "x", &base, "y", &CompareOptions::default());
    let row = c
        .geomean
        .iter()
        .find(|g| g.measure == Measure::MaxRss)
        .unwrap();
    assert_eq!((row.benchmarks, row.baseline_benchmarks), (0, 1));
    assert_eq!(row.baseline, Some(1024.0));
}

/// The sets differ when either side has a benchmark the other has not, and the comparison
/// warns; the ratio is over the benchmarks both have.
#[test]
fn geomean_sets_differ_when_either_side_has_more() {
    let base = run(vec![bench("a", vec![wall(vec![1e6; 3])])]);
    let cur = run(vec![
        bench("a", vec![wall(vec![2e6; 3])]),
        bench("b", vec![wall(vec![8e6; 3])]),
    ]);
    for (c, (n_cur, n_base)) in [
        (
            compare_runs(&base, "x", &cur, "y", &CompareOptions::default()),
            (2, 1),
        ),
        (
            compare_runs(&cur, "x", &base, "y", &CompareOptions::default()),
            (1, 2),
        ),
    ] {
        let row = &c.geomean[0];
        assert!(row.sets_differ, "{row:?}");
        assert_eq!((row.benchmarks, row.baseline_benchmarks), (n_cur, n_base));
        assert_eq!(
            c.warnings,
            vec![format!(
                "wall_time: benchmark set differs from baseline ({n_base} vs {n_cur} benchmarks); \
                 geomeans may not be comparable (the change is the geomean of the ratios of the \
                 benchmarks in both)"
            )]
        );
    }
    let c = compare_runs(&base, "x", &cur, "y", &CompareOptions::default());
    assert!((c.geomean[0].ratio.unwrap() - 2.0).abs() < 1e-12);
    assert!((c.geomean[0].current.unwrap() - 4e6).abs() < 1e-6);
    // The same sets: no warning.
    let c = compare_runs(&cur, "x", &cur, "y", &CompareOptions::default());
    assert!(!c.geomean[0].sets_differ);
    assert!(c.warnings.is_empty());
}

/// 0 → 0 is no change in the geomean; x → from 0 has no ratio at all.
#[test]
fn geomean_ratios_of_zero_baselines() {
    let zeros = |name: &str| {
        bench(
            name,
            vec![metric(Measure::Allocs, Unit::Count, vec![0.0; 3])],
        )
    };
    let fours = |name: &str| {
        bench(
            name,
            vec![metric(Measure::Allocs, Unit::Count, vec![4.0; 3])],
        )
    };
    let base = run(vec![zeros("z"), fours("f")]);
    let mut cur = run(vec![
        zeros("z"),
        bench(
            "f",
            vec![metric(Measure::Allocs, Unit::Count, vec![16.0; 3])],
        ),
    ]);
    let c = compare_runs(&base, "x", &cur, "y", &CompareOptions::default());
    // (1 · 4)^(1/2) = 2.
    assert!((c.geomean[0].ratio.unwrap() - 2.0).abs() < 1e-12);
    cur.benchmarks[0] = fours("z");
    let c = compare_runs(&base, "x", &cur, "y", &CompareOptions::default());
    assert_eq!(c.geomean[0].ratio, None);
}

// ---- gated measures --------------------------------------------------------------------------

/// A gated measure some benchmark has is fine; a well-known one none has gives a warning; a
/// custom one none has is an error naming the likely intended measure and those available.
#[test]
fn gated_measures_are_checked_against_the_runs() {
    let r = run(vec![bench(
        "a",
        vec![
            wall(vec![1.0]),
            metric(
                Measure::Custom("backend_calls".into()),
                Unit::Count,
                vec![3.0],
            ),
        ],
    )]);
    let runs = [&r];
    assert_eq!(
        check_gated_measures(
            &[Measure::WallTime, Measure::Custom("backend_calls".into())],
            &runs
        ),
        Ok(vec![])
    );
    assert_eq!(
        check_gated_measures(&[Measure::Instructions, Measure::WallTime], &runs),
        Ok(vec![
            "gated measure instructions: no benchmark has it, so it gates nothing here".into()
        ])
    );
    let err = check_gated_measures(&[Measure::Custom("wall_tme".into())], &runs).unwrap_err();
    assert_eq!(
        err,
        UnknownMeasure {
            name: "wall_tme".into(),
            suggestion: Some("wall_time".into()),
            available: vec!["wall_time".into(), "backend_calls".into()],
        }
    );
    assert_eq!(
        err.to_string(),
        "unknown measure \"wall_tme\": no benchmark has it (did you mean \"wall_time\"?); \
         measures here: wall_time, backend_calls"
    );
    // A custom measure spelled in another case: the one present is suggested.
    let err = check_gated_measures(&[Measure::Custom("Backend_Calls".into())], &runs).unwrap_err();
    assert_eq!(err.suggestion.as_deref(), Some("backend_calls"));
    // Nothing like it, nothing measured.
    let empty = run(vec![]);
    let err = check_gated_measures(&[Measure::Custom("zzz".into())], &[&empty]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown measure \"zzz\": no benchmark has it"
    );
}

// ---- pooling ---------------------------------------------------------------------------------

/// Pooled iteration counts are kept only when every pooled metric has them; a pooled metric is
/// exact when any of its runs says so.
#[test]
fn pooling_keeps_iterations_only_when_all_have_them_and_exact_when_any_is() {
    let with = |samples: Vec<f64>, iterations: Option<Vec<u64>>, exact: bool| {
        let mut m = wall(samples).exact(exact);
        m.iterations = iterations;
        run(vec![bench("a", vec![m])])
    };
    let pooled = pool_runs(&[
        with(vec![1.0, 2.0], Some(vec![10, 20]), false),
        with(vec![3.0], Some(vec![30]), true),
    ])
    .unwrap();
    let m = &pooled.benchmarks[0].metrics[0];
    assert_eq!(m.samples, [1.0, 2.0, 3.0]);
    assert_eq!(m.iterations, Some(vec![10, 20, 30]));
    assert!(m.exact);
    for runs in [
        [
            with(vec![1.0], Some(vec![10]), true),
            with(vec![3.0], None, false),
        ],
        [
            with(vec![1.0], None, true),
            with(vec![3.0], Some(vec![30]), false),
        ],
    ] {
        let pooled = pool_runs(&runs).unwrap();
        let m = &pooled.benchmarks[0].metrics[0];
        assert_eq!(m.iterations, None);
        assert!(m.exact);
    }
    let pooled = pool_runs(&[with(vec![1.0], None, false), with(vec![3.0], None, false)]).unwrap();
    assert!(!pooled.benchmarks[0].metrics[0].exact);
}
