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

use benchgate_stats::wilcoxon::{EXACT_MAX_N, EXACT_WORK_MAX};
use benchgate_stats::{
    Method, hodges_lehmann, wilcoxon_min_attainable_p, wilcoxon_signed_rank,
    wilcoxon_signed_rank_with,
};
use common::{Agreement, cases, fixture, floats, num};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;
/// The saddlepoint's relative error from n = 300 (see `saddlepoint_is_close_to_exact_from_n_300`
/// in `src/wilcoxon.rs`).
const SADDLEPOINT_TOLERANCE: f64 = 4e-4;
/// SciPy's exact upper tails (`1 − cdf`) are within this absolute error, see the module docs…
const SCIPY_EXACT_ABSOLUTE: f64 = 1e-15;
/// …which is within [`TOLERANCE`] relative above this p-value; below it, only absolute.
const SCIPY_EXACT_RELATIVE_ABOVE: f64 = 1e-6;

// The cases in each section of paired.json, as make_paired_fixtures.py writes them.
const WILCOXON: usize = 86;
const MIN_ATTAINABLE_P: usize = 15;
const HODGES_LEHMANN: usize = 44;
/// Confidences per Hodges–Lehmann case.
const CONFIDENCES: usize = 4;

#[test]
fn fixture_records_versions() {
    let f = fixture("paired.json");
    // The versions paired.json was generated with: rerunning make_paired_fixtures.py under
    // others may change the reference values, so a regenerated fixture updates these on purpose.
    assert_eq!(f["generator"], "make_paired_fixtures.py");
    assert_eq!(f["numpy_version"], "2.4.6");
    assert_eq!(f["scipy_version"], "1.17.1");
    // Every section the tests below read, with the number of cases they expect.
    cases(&f, "wilcoxon", WILCOXON);
    cases(&f, "min_attainable_p", MIN_ATTAINABLE_P);
    for case in cases(&f, "hodges_lehmann", HODGES_LEHMANN) {
        assert_eq!(
            case["intervals"].as_array().map(Vec::len),
            Some(CONFIDENCES),
            "{}",
            case["name"]
        );
    }
}

#[test]
fn wilcoxon_agrees_with_scipy_and_exact_reference() {
    let f = fixture("paired.json");
    let mut agreement = Agreement::default();
    for case in cases(&f, "wilcoxon", WILCOXON) {
        let name = case["name"].as_str().unwrap();
        let d = floats(&case["d"]);
        if case.get("none").is_some() {
            agreement.require(
                "None (no non-zero difference, or non-finite)",
                name,
                wilcoxon_signed_rank(&d).is_none()
                    && wilcoxon_signed_rank_with(&d, Method::Exact).is_none()
                    && wilcoxon_signed_rank_with(&d, Method::Asymptotic).is_none(),
            );
            continue;
        }
        let n = case["n"].as_u64().unwrap() as usize;

        let asymptotic = wilcoxon_signed_rank_with(&d, Method::Asymptotic).unwrap();
        agreement.require("n", name, asymptotic.n == n);
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

        // Automatic choice: exact exactly when tie-free, zero-free and small enough, in size and
        // in the work of the tail (n·(min(W+, W−) + 1)); the saddlepoint when tie-free and
        // zero-free beyond. (An exact automatic result is checked as the exact one rather than
        // computed twice: at n = 1000 that costs seconds unoptimised.)
        let auto = wilcoxon_signed_rank(&d).unwrap();
        let tie_or_zero = case["ties"].as_bool().unwrap() || case["zeros"].as_bool().unwrap();
        let exact_work = n * (statistic as usize + 1);
        let expect_exact = !tie_or_zero && n <= EXACT_MAX_N && exact_work <= EXACT_WORK_MAX;
        let exact = if expect_exact {
            agreement.require(
                "auto: exact",
                &format!("{name}: {auto:?}"),
                auto.method == Method::Exact,
            );
            Some(auto)
        } else if !tie_or_zero {
            agreement.require(
                "auto: saddlepoint",
                &format!("{name}: {auto:?}"),
                auto.method == Method::Saddlepoint,
            );
            if let Some(p_bigint) = case.get("p_exact_bigint") {
                agreement.check(
                    "p saddlepoint (big-integer ref)",
                    name,
                    auto.p_value,
                    num(p_bigint),
                    SADDLEPOINT_TOLERANCE,
                );
            }
            wilcoxon_signed_rank_with(&d, Method::Exact)
        } else {
            agreement.require(
                "auto: asymptotic",
                &format!("{name}: {auto:?} vs {asymptotic:?}"),
                auto == asymptotic,
            );
            wilcoxon_signed_rank_with(&d, Method::Exact)
        };
        match (&exact, case.get("p_exact_scipy")) {
            (Some(exact), Some(p_scipy)) => {
                agreement.check("statistic", name, exact.statistic, statistic, 0.0);
                agreement.require("exact n", name, exact.n == n);
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
            (None, None) => {
                agreement.require("exact unavailable: n > limit", name, n > EXACT_MAX_N)
            }
            (ours, _) => {
                agreement.require("exact availability", &format!("{name}: {ours:?}"), false)
            }
        }
    }
    for entry in cases(&f, "min_attainable_p", MIN_ATTAINABLE_P) {
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
    // 86 cases: 2 without a test, 84 with; 11 of those have ties or zeros (asymptotic); of the
    // 73 tie-free ones 67 are exact automatically and 6 take the saddlepoint (4 with
    // 300 < n ≤ 1000 near the null, checked against the big-integer p, and 2 of the 3 with
    // n > 1000); 81 (all but the 3 largest) have an exact p, 12 of them below 1e-6.
    agreement.finish(
        "wilcoxon signed-rank",
        &[
            ("None (no non-zero difference, or non-finite)", 2),
            ("n", 84),
            ("statistic", 84 + 81),
            ("w_plus", 84),
            ("p asymptotic (scipy)", 84),
            ("auto: exact", 67),
            ("auto: saddlepoint", 6),
            ("p saddlepoint (big-integer ref)", 4),
            ("auto: asymptotic", 84 - 67 - 6),
            ("exact n", 81),
            ("p exact (big-integer ref)", 81),
            ("p exact (scipy)", 81 - 12),
            ("p exact (scipy, deep tail; absolute)", 12),
            ("exact unavailable: n > limit", 3),
            ("min_attainable_p", MIN_ATTAINABLE_P),
        ],
    );
}

#[test]
fn hodges_lehmann_agrees_with_brute_force() {
    let f = fixture("paired.json");
    let mut agreement = Agreement::default();
    for case in cases(&f, "hodges_lehmann", HODGES_LEHMANN) {
        let name = case["name"].as_str().unwrap();
        let d = floats(&case["d"]);
        for entry in case["intervals"].as_array().unwrap() {
            let confidence = num(&entry["confidence"]);
            let label = format!("{name} @ {confidence}");
            let hl = hodges_lehmann(&d, confidence).unwrap();
            agreement.require("n", &label, hl.n == d.len());
            agreement.check("estimate", &label, hl.estimate, num(&case["estimate"]), 0.0);
            let method = match entry["method"].as_str().unwrap() {
                "exact" => Method::Exact,
                _ => Method::Asymptotic,
            };
            agreement.require(
                "interval method",
                &format!("{label}: {:?}", hl.interval_method),
                hl.interval_method == method,
            );
            match (&hl.interval, &entry["interval"]) {
                (None, Value::Null) => agreement.tally("no interval on either side"),
                (Some(ci), expected @ Value::Object(_)) => {
                    agreement.check("interval.lo", &label, ci.lo, num(&expected["lo"]), 0.0);
                    agreement.check("interval.hi", &label, ci.hi, num(&expected["hi"]), 0.0);
                    let coverage = num(&expected["confidence"]);
                    let stat = match method {
                        Method::Exact => "interval.confidence (exact integers)",
                        // Hodges–Lehmann intervals use no saddlepoint.
                        Method::Asymptotic | Method::Saddlepoint => {
                            "interval.confidence (normal, ndtr)"
                        }
                    };
                    agreement.check(stat, &label, ci.confidence, coverage, TOLERANCE);
                }
                (ours, theirs) => agreement.require(
                    "interval availability",
                    &format!("{label}: {ours:?} vs {theirs}"),
                    false,
                ),
            }
        }
    }
    // 44 samples at 4 confidences: 142 intervals (114 from exact ranks, 28 normal), and 34
    // where neither side has one.
    let all = HODGES_LEHMANN * CONFIDENCES;
    agreement.finish(
        "hodges-lehmann",
        &[
            ("n", all),
            ("estimate", all),
            ("interval method", all),
            ("interval.lo", 142),
            ("interval.hi", 142),
            ("interval.confidence (exact integers)", 114),
            ("interval.confidence (normal, ndtr)", 28),
            ("no interval on either side", 34),
        ],
    );
}
