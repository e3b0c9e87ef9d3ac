//! Agreement with NumPy/SciPy on the committed fixture `tests/fixtures/scipy.json`
//! (regenerate with `tests/fixtures/make_fixtures.py`). Run with `--nocapture` to see the maximum
//! relative error per statistic.
//!
//! Where benchgate deliberately follows benchstat (go-moremath) rather than SciPy — the median's
//! interval and the exact Mann–Whitney test on tied data — the reference is go-moremath, in
//! `tests/gomoremath_agreement.rs`; here those are only cross-checked where the rules coincide.
//!
//! Tolerances: 1e-9 relative for everything computed from the same formula or an exact reference;
//! the bootstrap against `scipy.stats.bootstrap` uses different random draws, so its endpoints
//! only have to agree within Monte-Carlo error, [`BOOTSTRAP_VS_SCIPY_TOLERANCE`].

mod common;

use benchgate_stats::{
    Method, Rng, Summary, benjamini_hochberg, geometric_mean, mann_whitney, mann_whitney_u,
    mann_whitney_u_with, median_ranks, min_attainable_p, ratio_of_medians_ci,
};
use common::{Agreement, cases, fixture, floats, num};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;
/// 10 000 resamples put each 2.5 %/97.5 % endpoint's Monte-Carlo error around 0.05 % relative on
/// these data; 0.5 % leaves a wide margin while still catching a wrong resampling scheme.
const BOOTSTRAP_VS_SCIPY_TOLERANCE: f64 = 5e-3;

// The cases in each section of scipy.json, as make_fixtures.py writes them.
const SUMMARIES: usize = 24;
const MANN_WHITNEY: usize = 62;
const MIN_ATTAINABLE_P: usize = 12;
const BH: usize = 7;
const GMEAN: usize = 5;
const RNG: usize = 5;
const BOOTSTRAP: usize = 6;

#[test]
fn fixture_records_versions() {
    let f = fixture("scipy.json");
    // The versions scipy.json was generated with: rerunning make_fixtures.py under others may
    // change the reference values, so a regenerated fixture has to update these on purpose.
    assert_eq!(f["generator"], "make_fixtures.py");
    assert_eq!(f["numpy_version"], "2.4.6");
    assert_eq!(f["scipy_version"], "1.17.1");
    // Every section the tests below read, with the number of cases they expect.
    for (section, expected) in [
        ("summaries", SUMMARIES),
        ("mann_whitney", MANN_WHITNEY),
        ("min_attainable_p", MIN_ATTAINABLE_P),
        ("bh", BH),
        ("gmean", GMEAN),
        ("rng", RNG),
        ("bootstrap", BOOTSTRAP),
    ] {
        cases(&f, section, expected);
    }
}

#[test]
fn summaries_agree_with_numpy_and_scipy() {
    let f = fixture("scipy.json");
    let mut agreement = Agreement::default();
    for case in cases(&f, "summaries", SUMMARIES) {
        let name = case["name"].as_str().unwrap();
        let s = Summary::of(&floats(&case["data"])).unwrap();
        agreement.require(
            "summary.n",
            &format!("n [{name}]"),
            s.n == case["data"].as_array().unwrap().len(),
        );
        for (stat, actual) in [
            ("summary.mean", s.mean),
            ("summary.median", s.median),
            ("summary.min", s.min),
            ("summary.max", s.max),
            ("summary.stddev", s.stddev),
            ("summary.mad", s.mad),
            ("summary.p95", s.p95),
            ("summary.p99", s.p99),
        ] {
            let key = stat.trim_start_matches("summary.");
            agreement.check(stat, name, actual, num(&case[key]), TOLERANCE);
        }
        // The median's interval follows benchstat (go-moremath's QuantileCI), not SciPy's
        // symmetric `quantile_test` interval recorded in the fixture: it is checked against
        // go-moremath on these same samples in tests/gomoremath_agreement.rs. SciPy's remains a
        // cross-check where the two rules must agree: up to n = 30 (exact binomial in both),
        // whenever go-moremath's orders are symmetric.
        let n = s.n;
        let ranks = median_ranks(n, 0.95).unwrap();
        if n <= 30 && ranks.is_finite(n) && ranks.lo_order + ranks.hi_order == n + 1 {
            let (Some(ci), expected @ Value::Object(_)) = (&s.median_ci, &case["median_ci"]) else {
                let what = format!("median_ci [{name}]: {:?}", s.median_ci);
                agreement.require("median_ci present", &what, false);
                continue;
            };
            agreement.check("median_ci.lo", name, ci.lo, num(&expected["lo"]), TOLERANCE);
            agreement.check("median_ci.hi", name, ci.hi, num(&expected["hi"]), TOLERANCE);
            let coverage = num(&expected["confidence"]);
            agreement.check(
                "median_ci.confidence",
                name,
                ci.confidence,
                coverage,
                TOLERANCE,
            );
        }
        if !ranks.is_finite(n) {
            // Too few samples (n ≤ 5 at 95 %): no interval by either rule.
            agreement.require(
                "no median_ci (n <= 5)",
                &format!("no median_ci [{name}]: {:?}", s.median_ci),
                s.median_ci.is_none() && case["median_ci"].is_null(),
            );
        }
    }
    // Of the 24 samples, 6 (n ≤ 5) have no interval by either rule, and 10 have go-moremath
    // orders that are symmetric with n ≤ 30, where SciPy's interval is the same (n = 8 is the one
    // asymmetric case in 6..=30 here).
    let all = SUMMARIES;
    agreement.finish(
        "summaries",
        &[
            ("summary.n", all),
            ("summary.mean", all),
            ("summary.median", all),
            ("summary.min", all),
            ("summary.max", all),
            ("summary.stddev", all),
            ("summary.mad", all),
            ("summary.p95", all),
            ("summary.p99", all),
            ("median_ci.lo", 10),
            ("median_ci.hi", 10),
            ("median_ci.confidence", 10),
            ("no median_ci (n <= 5)", 6),
        ],
    );
}

#[test]
fn mann_whitney_agrees_with_scipy() {
    let f = fixture("scipy.json");
    let mut agreement = Agreement::default();
    for case in cases(&f, "mann_whitney", MANN_WHITNEY) {
        let name = case["name"].as_str().unwrap();
        let (a, b) = (floats(&case["a"]), floats(&case["b"]));
        let u = num(&case["u"]);

        let asymptotic = mann_whitney_u_with(&a, &b, Method::Asymptotic).unwrap();
        agreement.check("mwu.u", name, asymptotic.u, u, 0.0);
        let p_asymptotic = num(&case["p_asymptotic"]);
        agreement.check(
            "mwu.p asymptotic",
            name,
            asymptotic.p_value,
            p_asymptotic,
            TOLERANCE,
        );

        // Forced exact: on tie-free data SciPy's `method='exact'` (and an exact big-integer
        // reference). On tied data SciPy's exact method ignores the ties (the tie-free
        // distribution at U rounded down) while benchgate's is go-moremath's tie-aware
        // distribution, so those are compared with go-moremath (tests/gomoremath_agreement.rs)
        // and only their availability is checked here.
        let ties = case["ties"].as_bool().unwrap();
        let exact = mann_whitney_u_with(&a, &b, Method::Exact);
        match (&exact, case.get("p_exact_scipy")) {
            (Some(exact), Some(p_scipy)) => {
                agreement.check("mwu.u", name, exact.u, u, 0.0);
                if !ties {
                    agreement.check(
                        "mwu.p exact (scipy)",
                        name,
                        exact.p_value,
                        num(p_scipy),
                        TOLERANCE,
                    );
                    let p_bigint = num(&case["p_exact_bigint"]);
                    let label = "mwu.p exact (big-integer ref)";
                    agreement.check(label, name, exact.p_value, p_bigint, TOLERANCE);
                }
            }
            // Beyond EXACT_MAX_PAIRS neither side computes the exact test.
            (None, None) => agreement.require(
                "mwu exact unavailable beyond EXACT_MAX_PAIRS",
                &format!("{name}: {} x {}", a.len(), b.len()),
                a.len() * b.len() > mann_whitney::EXACT_MAX_PAIRS,
            ),
            (ours, _) => agreement.require(
                "mwu exact availability",
                &format!("{name}: {ours:?}"),
                false,
            ),
        }

        // Automatic choice: go-moremath's limits (each sample ≤ 50 without ties, ≤ 25 with),
        // and then identical to the forced method.
        let auto = mann_whitney_u(&a, &b).unwrap();
        let limit = if ties {
            mann_whitney::EXACT_TIES_MAX_N
        } else {
            mann_whitney::EXACT_MAX_N
        };
        let expected = if a.len() <= limit && b.len() <= limit {
            exact.unwrap()
        } else {
            asymptotic
        };
        agreement.require(
            "mwu auto method",
            &format!("auto [{name}]: {auto:?} vs {expected:?}"),
            auto == expected,
        );
    }
    for entry in cases(&f, "min_attainable_p", MIN_ATTAINABLE_P) {
        let (n1, n2) = (entry[0].as_u64().unwrap(), entry[1].as_u64().unwrap());
        let ours = min_attainable_p(n1 as usize, n2 as usize);
        agreement.check(
            "min_attainable_p",
            &format!("{n1}x{n2}"),
            ours,
            num(&entry[2]),
            TOLERANCE,
        );
    }
    // 62 cases, 9 of them tied; 58 within EXACT_MAX_PAIRS have SciPy's exact p (51 tie-free,
    // compared here), the other 4 none on either side. U is checked once per method computed.
    agreement.finish(
        "mann-whitney",
        &[
            ("mwu.u", MANN_WHITNEY + 58),
            ("mwu.p asymptotic", MANN_WHITNEY),
            ("mwu.p exact (scipy)", 51),
            ("mwu.p exact (big-integer ref)", 51),
            ("mwu exact unavailable beyond EXACT_MAX_PAIRS", 4),
            ("mwu auto method", MANN_WHITNEY),
            ("min_attainable_p", MIN_ATTAINABLE_P),
        ],
    );
}

#[test]
fn benjamini_hochberg_agrees_with_scipy() {
    let f = fixture("scipy.json");
    let mut agreement = Agreement::default();
    for (i, case) in cases(&f, "bh", BH).iter().enumerate() {
        let ours = benjamini_hochberg(&floats(&case["p"]));
        let theirs = floats(&case["adjusted"]);
        agreement.require(
            "bh length",
            &format!("[{i}]: {} vs {}", ours.len(), theirs.len()),
            ours.len() == theirs.len(),
        );
        for (o, t) in ours.iter().zip(&theirs) {
            agreement.check("bh.adjusted", &i.to_string(), *o, *t, TOLERANCE);
        }
    }
    // Families of 1, 4, 4, 5, 20, 100 and 50 p-values.
    agreement.finish(
        "benjamini-hochberg",
        &[("bh length", BH), ("bh.adjusted", 184)],
    );
}

#[test]
fn geometric_mean_agrees_with_scipy() {
    let f = fixture("scipy.json");
    let mut agreement = Agreement::default();
    for (i, case) in cases(&f, "gmean", GMEAN).iter().enumerate() {
        let ours = geometric_mean(&floats(&case["values"])).unwrap();
        agreement.check(
            "gmean",
            &i.to_string(),
            ours,
            num(&case["gmean"]),
            TOLERANCE,
        );
    }
    agreement.finish("geometric mean", &[("gmean", GMEAN)]);
}

#[test]
fn rng_streams_match_python_replay() {
    let f = fixture("scipy.json");
    let (mut outputs, mut bounded) = (0, 0);
    for case in cases(&f, "rng", RNG) {
        let parse = |v: &Value| v.as_str().unwrap().parse::<u64>().unwrap();
        let seed = parse(&case["seed"]);
        let mut rng = Rng::seed_from_u64(seed);
        for expected in case["next_u64"].as_array().unwrap() {
            assert_eq!(rng.next_u64(), parse(expected), "seed {seed}");
            outputs += 1;
        }
        for pair in case["below"].as_array().unwrap() {
            let bound = parse(&pair[0]);
            assert_eq!(
                rng.below(bound),
                parse(&pair[1]),
                "seed {seed}, bound {bound}"
            );
            bounded += 1;
        }
    }
    // make_fixtures.py replays 16 raw outputs and then 36 bounded draws per seed.
    assert_eq!((outputs, bounded), (RNG * 16, RNG * 36));
}

#[test]
fn bootstrap_replays_python_exactly_and_matches_scipy_bootstrap() {
    let f = fixture("scipy.json");
    let mut agreement = Agreement::default();
    for case in cases(&f, "bootstrap", BOOTSTRAP) {
        let name = case["name"].as_str().unwrap();
        let ci = ratio_of_medians_ci(
            &floats(&case["baseline"]),
            &floats(&case["current"]),
            num(&case["confidence"]),
            case["resamples"].as_u64().unwrap() as usize,
            case["seed"].as_u64().unwrap(),
        )
        .unwrap();
        agreement.check(
            "bootstrap.lo (python replay)",
            name,
            ci.lo,
            num(&case["lo"]),
            TOLERANCE,
        );
        agreement.check(
            "bootstrap.hi (python replay)",
            name,
            ci.hi,
            num(&case["hi"]),
            TOLERANCE,
        );
        if let (Some(lo), Some(hi)) = (case.get("scipy_lo"), case.get("scipy_hi")) {
            let tol = BOOTSTRAP_VS_SCIPY_TOLERANCE;
            agreement.check(
                "bootstrap.lo (scipy.stats.bootstrap)",
                name,
                ci.lo,
                num(lo),
                tol,
            );
            agreement.check(
                "bootstrap.hi (scipy.stats.bootstrap)",
                name,
                ci.hi,
                num(hi),
                tol,
            );
        }
    }
    // All 6 replayed; the 4 larger ones also have scipy.stats.bootstrap's interval.
    agreement.finish(
        "bootstrap",
        &[
            ("bootstrap.lo (python replay)", BOOTSTRAP),
            ("bootstrap.hi (python replay)", BOOTSTRAP),
            ("bootstrap.lo (scipy.stats.bootstrap)", 4),
            ("bootstrap.hi (scipy.stats.bootstrap)", 4),
        ],
    );
}
