//! Agreement of the paired A/B statistics (Wilcoxon signed-rank test, Hodges–Lehmann estimate and
//! interval) with the committed fixture `tests/fixtures/paired.json` (regenerate with
//! `tests/fixtures/make_paired_fixtures.py`). Run with `--nocapture` to see the maximum relative
//! error per statistic.
//!
//! Tolerances: 1e-9 relative for p-values and coverages, against SciPy and against the exact
//! big-integer reference, with one exception: SciPy computes an exact upper tail as `1 − cdf`,
//! which is off by a few ulps of 1 (it reports 0 for p = 2⁻⁹⁹, and 8.9e-16 for 7.5e-16), so below
//! p = 1e-6 the exact p-value is held to SciPy's only within 1e-15 absolute, and to 1e-9 relative
//! against the big-integer reference as everywhere. Walsh-average order statistics (estimate,
//! interval ends) are the same floating-point values computed the same way, so they must match
//! exactly.

mod common;

use benchgate_stats::wilcoxon::EXACT_MAX_N;
use benchgate_stats::{
    Method, hodges_lehmann, wilcoxon_min_attainable_p, wilcoxon_signed_rank,
    wilcoxon_signed_rank_with,
};
use common::{Agreement, fixture, floats, num};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;
/// SciPy's exact upper tails (`1 − cdf`) are within this absolute error, see the module docs…
const SCIPY_EXACT_ABSOLUTE: f64 = 1e-15;
/// …which is within [`TOLERANCE`] relative above this p-value; below it, only absolute.
const SCIPY_EXACT_RELATIVE_ABOVE: f64 = 1e-6;

#[test]
fn fixture_records_versions() {
    let f = fixture("paired.json");
    eprintln!(
        "fixture from numpy {} / scipy {}",
        f["numpy_version"].as_str().unwrap(),
        f["scipy_version"].as_str().unwrap()
    );
}

#[test]
fn wilcoxon_agrees_with_scipy_and_exact_reference() {
    let f = fixture("paired.json");
    let mut agreement = Agreement::default();
    let cases = f["wilcoxon"].as_array().unwrap();
    assert!(cases.len() > 50);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let d = floats(&case["d"]);
        if case.get("none").is_some() {
            agreement.require(
                &format!("None [{name}]"),
                wilcoxon_signed_rank(&d).is_none()
                    && wilcoxon_signed_rank_with(&d, Method::Exact).is_none()
                    && wilcoxon_signed_rank_with(&d, Method::Asymptotic).is_none(),
            );
            continue;
        }
        let n = case["n"].as_u64().unwrap() as usize;

        let asymptotic = wilcoxon_signed_rank_with(&d, Method::Asymptotic).unwrap();
        agreement.require(&format!("n [{name}]"), asymptotic.n == n);
        let statistic = num(&case["statistic"]);
        agreement.check("statistic", name, asymptotic.statistic, statistic, 0.0);
        agreement.check("w_plus", name, asymptotic.w_plus, num(&case["w_plus"]), 0.0);
        agreement.check(
            "p asymptotic (scipy)",
            name,
            asymptotic.p_value,
            num(&case["p_asymptotic"]),
            TOLERANCE,
        );

        // Automatic choice: exact exactly when tie-free, zero-free and small enough. (An exact
        // automatic result is checked as the exact one rather than computed twice: at n = 1000
        // that costs seconds unoptimised.)
        let auto = wilcoxon_signed_rank(&d).unwrap();
        let tie_or_zero = case["ties"].as_bool().unwrap() || case["zeros"].as_bool().unwrap();
        let expect_exact = !tie_or_zero && n <= EXACT_MAX_N;
        let exact = if expect_exact {
            agreement.require(
                &format!("auto [{name}]: {auto:?}"),
                auto.method == Method::Exact,
            );
            Some(auto)
        } else {
            agreement.require(
                &format!("auto [{name}]: {auto:?} vs {asymptotic:?}"),
                auto == asymptotic,
            );
            wilcoxon_signed_rank_with(&d, Method::Exact)
        };
        match (&exact, case.get("p_exact_scipy")) {
            (Some(exact), Some(p_scipy)) => {
                agreement.check("statistic", name, exact.statistic, statistic, 0.0);
                agreement.require(&format!("exact n [{name}]"), exact.n == n);
                let p_bigint = num(&case["p_exact_bigint"]);
                let label = "p exact (big-integer ref)";
                agreement.check(label, name, exact.p_value, p_bigint, TOLERANCE);
                let p_scipy = num(p_scipy);
                if p_bigint >= SCIPY_EXACT_RELATIVE_ABOVE {
                    agreement.check("p exact (scipy)", name, exact.p_value, p_scipy, TOLERANCE);
                } else {
                    agreement.check_absolute(
                        "p exact (scipy, deep tail; absolute)",
                        name,
                        exact.p_value,
                        p_scipy,
                        SCIPY_EXACT_ABSOLUTE,
                    );
                }
            }
            // Beyond EXACT_MAX_N neither side computes the exact test.
            (None, None) => agreement.require(&format!("n > limit [{name}]"), n > EXACT_MAX_N),
            (ours, _) => {
                agreement.require(&format!("exact availability [{name}]: {ours:?}"), false)
            }
        }
    }
    for entry in f["min_attainable_p"].as_array().unwrap() {
        let n = entry[0].as_u64().unwrap() as usize;
        let ours = wilcoxon_min_attainable_p(n);
        agreement.check(
            "min_attainable_p",
            &n.to_string(),
            ours,
            num(&entry[1]),
            0.0,
        );
    }
    agreement.finish("wilcoxon signed-rank");
}

#[test]
fn hodges_lehmann_agrees_with_brute_force() {
    let f = fixture("paired.json");
    let mut agreement = Agreement::default();
    let cases = f["hodges_lehmann"].as_array().unwrap();
    assert!(cases.len() > 30);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let d = floats(&case["d"]);
        for entry in case["intervals"].as_array().unwrap() {
            let confidence = num(&entry["confidence"]);
            let label = format!("{name} @ {confidence}");
            let hl = hodges_lehmann(&d, confidence).unwrap();
            agreement.require(&format!("n [{label}]"), hl.n == d.len());
            agreement.check("estimate", &label, hl.estimate, num(&case["estimate"]), 0.0);
            let method = match entry["method"].as_str().unwrap() {
                "exact" => Method::Exact,
                _ => Method::Asymptotic,
            };
            agreement.require(
                &format!("method [{label}]: {:?}", hl.interval_method),
                hl.interval_method == method,
            );
            match (&hl.interval, &entry["interval"]) {
                (None, Value::Null) => {}
                (Some(ci), expected @ Value::Object(_)) => {
                    agreement.check("interval.lo", &label, ci.lo, num(&expected["lo"]), 0.0);
                    agreement.check("interval.hi", &label, ci.hi, num(&expected["hi"]), 0.0);
                    let coverage = num(&expected["confidence"]);
                    let stat = match method {
                        Method::Exact => "interval.confidence (exact integers)",
                        Method::Asymptotic => "interval.confidence (normal, ndtr)",
                    };
                    agreement.check(stat, &label, ci.confidence, coverage, TOLERANCE);
                }
                (ours, theirs) => {
                    agreement.require(&format!("interval [{label}]: {ours:?} vs {theirs}"), false)
                }
            }
        }
    }
    agreement.finish("hodges-lehmann");
}
