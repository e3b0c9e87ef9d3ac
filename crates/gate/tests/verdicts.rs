//! Exact verdicts on synthetic runs with known effects.

mod common;

use common::bench;

use benchgate_gate::{CompareOptions, compare_runs, compare_within_run, judge_without_baseline};
use benchgate_model::{
    Benchmark, Caveat, Direction, Environment, Measure, Metric, Mode, Outcome, Provenance, Run,
    Severity, Source, Status, Unit, Verdict, VerdictKind,
};
use time::macros::datetime;

/// 20 distinct samples around `center` with ±2 % spread, in a fixed order.
fn samples(center: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| center * (0.98 + 0.04 * ((i * 7) % n) as f64 / n as f64))
        .collect()
}

fn metric(measure: Measure, values: Vec<f64>) -> Metric {
    Metric::from_samples(measure, Unit::Nanoseconds, Direction::LowerIsBetter, values).unwrap()
}

fn run(benchmarks: Vec<Benchmark>) -> Run {
    let environment = Environment {
        os: "linux".into(),
        cpu_model: "test".into(),
        ..Default::default()
    }
    .with_fingerprint();
    let mut run = Run::new(
        Source::Command,
        datetime!(2026-11-24 10:00 UTC),
        Provenance {
            mode: Mode::Real,
            ..Default::default()
        },
        environment,
    );
    run.benchmarks = benchmarks;
    run
}

fn wall(name: &str, center: f64, n: usize) -> Benchmark {
    bench(name, vec![metric(Measure::WallTime, samples(center, n))])
}

fn only(verdicts: &[Verdict], name: &str) -> Verdict {
    let found: Vec<&Verdict> = verdicts.iter().filter(|v| v.benchmark == name).collect();
    assert_eq!(found.len(), 1, "{name}: {found:#?}");
    found[0].clone()
}

#[test]
fn identical_runs_are_unchanged_and_pass() {
    let base = run(vec![wall("a", 1e6, 20), wall("b", 2e3, 20)]);
    let c = compare_runs(&base, "base", &base, "base", &CompareOptions::default());
    assert_eq!(c.outcome, Outcome::Passed);
    for v in &c.verdicts {
        assert_eq!(v.kind, VerdictKind::Unchanged, "{v:#?}");
        assert_eq!(v.p_value, Some(1.0));
        assert_eq!(v.effect.unwrap().ratio, 1.0);
    }
    assert_eq!(c.geomean.len(), 1);
    assert_eq!(c.geomean[0].ratio, Some(1.0));
    assert!(c.warnings.is_empty());
}

#[test]
fn effects_are_graded_by_the_interval_bound() {
    let base = run(vec![
        wall("double", 1e6, 20),
        wall("plus7", 1e6, 20),
        wall("plus2", 1e6, 20),
        wall("faster", 1e6, 20),
    ]);
    let current = run(vec![
        wall("double", 2e6, 20),
        wall("plus7", 1.07e6, 20),
        wall("plus2", 1.02e6, 20),
        wall("faster", 0.8e6, 20),
    ]);
    let c = compare_runs(&base, "a", &current, "b", &CompareOptions::default());
    let double = only(&c.verdicts, "double");
    assert_eq!(
        (double.kind, double.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    assert!((double.effect.unwrap().ratio - 2.0).abs() < 1e-12);
    assert!(double.effect.unwrap().ci.unwrap().lo > 1.9);
    assert!(
        double.reason.contains("reaches the 10% fail threshold"),
        "{}",
        double.reason
    );

    let plus7 = only(&c.verdicts, "plus7");
    assert_eq!(
        (plus7.kind, plus7.severity),
        (VerdictKind::Regressed, Some(Severity::Warn))
    );

    // Significant, but its interval does not surely clear 5 %: not flagged.
    let plus2 = only(&c.verdicts, "plus2");
    assert_eq!(plus2.kind, VerdictKind::Unchanged);
    assert!(plus2.p_value.unwrap() < 0.05);
    assert!(
        plus2.reason.starts_with("significant +2.0%"),
        "{}",
        plus2.reason
    );

    let faster = only(&c.verdicts, "faster");
    assert_eq!(faster.kind, VerdictKind::Improved);
    assert_eq!(c.outcome, Outcome::Failed);
    let g = &c.geomean[0];
    let expected = (2.0f64 * 1.07 * 1.02 * 0.8).powf(0.25);
    let ratio = g.ratio.unwrap();
    assert!((ratio - expected).abs() < 1e-9, "{ratio} vs {expected}");
}

#[test]
fn warn_level_only_warns() {
    let base = run(vec![wall("plus7", 1e6, 20)]);
    let current = run(vec![wall("plus7", 1.07e6, 20)]);
    let c = compare_runs(&base, "a", &current, "b", &CompareOptions::default());
    assert_eq!(c.outcome, Outcome::Warned);
}

#[test]
fn min_delta_silences_small_absolute_changes() {
    let base = run(vec![wall("tiny", 100.0, 20)]);
    let current = run(vec![wall("tiny", 200.0, 20)]);
    let mut options = CompareOptions::default();
    options.thresholds.min_delta_ns = 1_000.0;
    let c = compare_runs(&base, "a", &current, "b", &options);
    let v = only(&c.verdicts, "tiny");
    assert_eq!(v.kind, VerdictKind::Unchanged);
    assert!(v.reason.contains("below min_delta"), "{}", v.reason);
    assert_eq!(c.outcome, Outcome::Passed);
}

#[test]
fn too_few_samples_are_insufficient_data() {
    let base = run(vec![wall("few", 1e6, 3)]);
    let current = run(vec![wall("few", 3e6, 3)]);
    let c = compare_runs(&base, "a", &current, "b", &CompareOptions::default());
    let v = only(&c.verdicts, "few");
    assert_eq!(v.kind, VerdictKind::InsufficientData);
    assert_eq!(v.p_value, None);
    assert!(
        v.reason.contains("smallest possible p=0.100"),
        "{}",
        v.reason
    );
    // Never a pass in disguise.
    assert_eq!(c.outcome, Outcome::Warned);
}

#[test]
fn exact_measures_compare_deterministically() {
    let exact = |name: &str, value: f64| {
        bench(
            name,
            vec![
                Metric::from_samples(
                    Measure::Instructions,
                    Unit::Count,
                    Direction::LowerIsBetter,
                    vec![value],
                )
                .unwrap()
                .exact(true),
            ],
        )
    };
    let base = run(vec![
        exact("same", 1e9),
        exact("plus3", 1e9),
        exact("plus6", 1e9),
        exact("plus12", 1e9),
    ]);
    let current = run(vec![
        exact("same", 1e9),
        exact("plus3", 1.03e9),
        exact("plus6", 1.06e9),
        exact("plus12", 1.12e9),
    ]);
    let c = compare_runs(&base, "a", &current, "b", &CompareOptions::default());
    assert_eq!(only(&c.verdicts, "same").kind, VerdictKind::Unchanged);
    assert_eq!(only(&c.verdicts, "plus3").kind, VerdictKind::Unchanged);
    let plus6 = only(&c.verdicts, "plus6");
    assert_eq!(
        (plus6.kind, plus6.severity),
        (VerdictKind::Regressed, Some(Severity::Warn))
    );
    let plus12 = only(&c.verdicts, "plus12");
    assert_eq!(
        (plus12.kind, plus12.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    // Exact measures gate even though only wall_time is configured.
    assert!(plus12.gating);
    assert_eq!(c.outcome, Outcome::Failed);
}

#[test]
fn higher_is_better_flips_the_direction() {
    let throughput = |center: f64| {
        bench(
            "rate",
            vec![
                Metric::from_samples(
                    Measure::Throughput,
                    Unit::PerSecond,
                    Direction::HigherIsBetter,
                    samples(center, 20),
                )
                .unwrap(),
            ],
        )
    };
    let options = CompareOptions {
        gated_measures: vec![Measure::Throughput],
        ..CompareOptions::default()
    };
    let c = compare_runs(
        &run(vec![throughput(1e4)]),
        "a",
        &run(vec![throughput(5e3)]),
        "b",
        &options,
    );
    let v = only(&c.verdicts, "rate");
    assert_eq!(
        (v.kind, v.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    let c = compare_runs(
        &run(vec![throughput(5e3)]),
        "a",
        &run(vec![throughput(1e4)]),
        "b",
        &options,
    );
    assert_eq!(only(&c.verdicts, "rate").kind, VerdictKind::Improved);
}

#[test]
fn new_missing_skipped_and_failed_benchmarks() {
    let base = run(vec![
        wall("kept", 1e6, 20),
        wall("gone", 1e6, 20),
        wall("skip", 1e6, 20),
        wall("broke", 1e6, 20),
    ]);
    let mut skip = bench("skip", Vec::new());
    skip.status = Status::Skipped {
        reason: "HELIOS_CLI_PATH is not set".into(),
    };
    let mut broke = bench("broke", Vec::new());
    broke.status = Status::Failed {
        message: "run: exited with status 1".into(),
    };
    let current = run(vec![
        wall("kept", 1e6, 20),
        wall("fresh", 1e6, 20),
        skip,
        broke,
    ]);
    let c = compare_runs(&base, "a", &current, "b", &CompareOptions::default());
    assert_eq!(only(&c.verdicts, "kept").kind, VerdictKind::Unchanged);
    assert_eq!(only(&c.verdicts, "fresh").kind, VerdictKind::New);
    assert_eq!(only(&c.verdicts, "gone").kind, VerdictKind::Missing);
    let skipped = only(&c.verdicts, "skip");
    assert_eq!(skipped.kind, VerdictKind::Skipped);
    assert_eq!(skipped.reason, "HELIOS_CLI_PATH is not set");
    let failed = only(&c.verdicts, "broke");
    assert_eq!(
        (failed.kind, failed.severity),
        (VerdictKind::Failed, Some(Severity::Fail))
    );
    assert_eq!(c.outcome, Outcome::Failed);
}

#[test]
fn benjamini_hochberg_tempers_many_comparisons() {
    // One change among 30 unchanged benchmarks with few samples: its raw p passes α=0.05 while
    // the adjusted q does not. No 6 vs 6 comparison can reach q < 0.05 among 31, so every
    // row that is not flagged says so (a warning), with the number of samples that could: never
    // a silent `~ ok`. A change whose family-wise interval lies wholly beyond `fail` still fails.
    let runs = |shift: f64| {
        let mut base = Vec::new();
        let mut current = Vec::new();
        for i in 0..30 {
            base.push(wall(&format!("b{i}"), 1e6, 6));
            current.push(wall(&format!("b{i}"), 1e6, 6));
        }
        base.push(wall("shift", 1e6, 6));
        current.push(bench(
            "shift",
            vec![metric(Measure::WallTime, samples(shift, 6))],
        ));
        (run(base), run(current))
    };
    let underpowered = Caveat::Underpowered {
        n_baseline: 6,
        n_current: 6,
        comparisons: 31,
        alpha: 0.05,
        // min p(7, 7) = 2/3432; × 31 = 0.018 ≤ 0.05, while 2/924 × 31 = 0.067 is not.
        needed: Some(7),
    };
    // +7 %: beyond warn, not beyond fail: insufficient data, like the rest.
    let (base, current) = runs(1.07e6);
    let c = compare_runs(&base, "a", &current, "b", &CompareOptions::default());
    let shift = only(&c.verdicts, "shift");
    let (p, q) = (shift.p_value.unwrap(), shift.q_value.unwrap());
    // 6 vs 6 samples fully separated: exact two-sided p = 2/924 ≈ 0.0022.
    assert!((p - 2.0 / 924.0).abs() < 1e-12, "{p}");
    // The other 30 have p = 1, so q = p · 31 / 1.
    assert!((q - p * 31.0).abs() < 1e-12, "{q}");
    assert_eq!(
        shift.kind,
        VerdictKind::InsufficientData,
        "q={q} is above 0.05"
    );
    assert_eq!(shift.caveats, vec![underpowered.clone()]);
    assert!(
        shift.reason.starts_with(
            "insufficient data: n=6 cannot reach α=0.05 across 31 comparisons; n≥7 can; "
        ),
        "{}",
        shift.reason
    );
    assert!(
        shift.reason.contains("adjusted q=0.067"),
        "{}",
        shift.reason
    );
    for i in 0..30 {
        let row = only(&c.verdicts, &format!("b{i}"));
        assert_eq!(row.kind, VerdictKind::InsufficientData);
        assert_eq!(row.caveats, vec![underpowered.clone()]);
    }
    assert_eq!(c.outcome, Outcome::Warned);
    assert_eq!(
        c.warnings,
        vec![
            "31 of the gated comparisons cannot detect any change: insufficient data: n=6 cannot \
             reach α=0.05 across 31 comparisons; n≥7 can"
                .to_string()
        ]
    );

    // +30 % in every sample: its interval at 1 − 0.05/31 confidence lies wholly beyond 10 %.
    let (base, current) = runs(1.3e6);
    let c = compare_runs(&base, "a", &current, "b", &CompareOptions::default());
    let shift = only(&c.verdicts, "shift");
    assert_eq!(
        (shift.kind, shift.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    assert!(shift.caveats.is_empty(), "{shift:#?}");
    assert!(
        shift
            .reason
            .contains("not significant after Benjamini–Hochberg across 31")
            && shift.reason.contains(
                "family-wise over 31 comparisons, lies wholly beyond the 10% fail threshold"
            ),
        "{}",
        shift.reason
    );
    assert_eq!(c.outcome, Outcome::Failed);
    let mut strict = CompareOptions::default();
    strict.thresholds.alpha = 0.01;
    let c = compare_runs(
        &run(vec![wall("shift", 1e6, 6)]),
        "a",
        &run(vec![bench(
            "shift",
            vec![metric(Measure::WallTime, samples(1.3e6, 6))],
        )]),
        "b",
        &strict,
    );
    let shift = only(&c.verdicts, "shift");
    assert_eq!(shift.kind, VerdictKind::Regressed, "alone, p=0.0022 < 0.01");
    assert!(shift.caveats.is_empty());
}

#[test]
fn different_machines_and_modes_are_warned_about() {
    let base = run(vec![wall("a", 1e6, 20)]);
    let mut current = base.clone();
    current.environment.cpu_model = "other".into();
    current.environment = current.environment.with_fingerprint();
    current.provenance.mode = Mode::Simulated;
    let c = compare_runs(&base, "a", &current, "b", &CompareOptions::default());
    assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
    assert!(c.warnings[0].contains("different machines"));
    assert!(c.warnings[1].contains("simulated"));
}

#[test]
fn within_run_compares_with_the_first_benchmark() {
    let r = run(vec![
        wall("a", 1e6, 20),
        wall("b", 2e6, 20),
        wall("c", 1e6, 20),
    ]);
    let verdicts = compare_within_run(&r, &[Measure::WallTime], &CompareOptions::default());
    assert_eq!(verdicts.len(), 2);
    assert_eq!(verdicts[0].benchmark, "b");
    assert_eq!(verdicts[0].kind, VerdictKind::Regressed);
    assert_eq!(verdicts[1].kind, VerdictKind::Unchanged);
}

#[test]
fn comparisons_are_reproducible() {
    let base = run(vec![wall("a", 1e6, 20)]);
    let current = run(vec![wall("a", 1.2e6, 20)]);
    let one = compare_runs(&base, "a", &current, "b", &CompareOptions::default());
    let two = compare_runs(&base, "a", &current, "b", &CompareOptions::default());
    assert_eq!(one.verdicts, two.verdicts);
    let v = only(&one.verdicts, "a");
    assert_eq!(
        (v.kind, v.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    // The bootstrap is seeded: another seed gives another interval (the same verdict), so the
    // equality above is the seed's doing, not a constant.
    let reseeded = CompareOptions {
        seed: CompareOptions::default().seed ^ 1,
        ..CompareOptions::default()
    };
    let three = compare_runs(&base, "a", &current, "b", &reseeded);
    let w = only(&three.verdicts, "a");
    assert_eq!((w.kind, w.severity), (v.kind, v.severity));
    assert_ne!(w.effect.unwrap().ci, v.effect.unwrap().ci);
}

#[test]
fn a_first_run_is_all_new_and_passes() {
    let mut skip = bench("skip", Vec::new());
    skip.status = Status::Skipped {
        reason: "no firecracker".into(),
    };
    let current = run(vec![wall("a", 1e6, 20), skip]);
    let c = judge_without_baseline(&current, "now", &CompareOptions::default());
    assert_eq!(c.baseline, None);
    assert_eq!(c.outcome, Outcome::Passed);
    assert_eq!(only(&c.verdicts, "a").kind, VerdictKind::New);
    assert_eq!(only(&c.verdicts, "a").reason, "no baseline yet");
    assert_eq!(only(&c.verdicts, "skip").kind, VerdictKind::Skipped);
    assert!(c.warnings.is_empty());
}

/// A learned noise floor raises the thresholds of its benchmark only: an 8 % slowdown is a
/// warning at warn 5 %, but not on a benchmark whose noise alone reaches 12 %.
#[test]
fn noise_floors_raise_the_thresholds_of_their_benchmark() {
    let base = run(vec![wall("steady", 1e6, 20), wall("noisy", 1e6, 20)]);
    let cur = run(vec![wall("steady", 1.08e6, 20), wall("noisy", 1.08e6, 20)]);
    let mut options = CompareOptions::default();
    let c = compare_runs(&base, "a", &cur, "b", &options);
    for name in ["steady", "noisy"] {
        let v = only(&c.verdicts, name);
        assert_eq!(
            (v.kind, v.severity),
            (VerdictKind::Regressed, Some(Severity::Warn)),
            "{v:#?}"
        );
    }
    options
        .noise_floors
        .insert(("noisy".into(), Measure::WallTime), 0.12);
    let c = compare_runs(&base, "a", &cur, "b", &options);
    let steady = only(&c.verdicts, "steady");
    assert_eq!(
        (steady.kind, steady.severity),
        (VerdictKind::Regressed, Some(Severity::Warn))
    );
    let noisy = only(&c.verdicts, "noisy");
    assert_eq!(
        (noisy.kind, noisy.severity),
        (VerdictKind::Unchanged, None),
        "{noisy:#?}"
    );
    assert!(
        noisy
            .reason
            .ends_with("is within this benchmark's 12% noise floor on this machine"),
        "{}",
        noisy.reason
    );
    assert_eq!(
        noisy.caveats,
        vec![Caveat::NoiseFloor {
            floor: 0.12,
            swallowed: true
        }]
    );
    assert!(steady.caveats.is_empty());
    // A floor below the warn threshold changes nothing.
    options
        .noise_floors
        .insert(("noisy".into(), Measure::WallTime), 0.01);
    let c = compare_runs(&base, "a", &cur, "b", &options);
    assert_eq!(only(&c.verdicts, "noisy").severity, Some(Severity::Warn));
}
