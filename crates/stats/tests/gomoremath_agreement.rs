//! Agreement with go-moremath (github.com/aclements/go-moremath/stats, what benchstat computes
//! with) on the committed fixture `tests/fixtures/gomoremath.json`, written by
//! `tests/fixtures/make_gomoremath_fixtures.go` from go-moremath's own code (see that file for the
//! commit and how to rerun it).
//!
//! - `QuantileCI(n, 0.5, confidence)`: the orders must be identical and the attained confidence
//!   equal (bit for bit up to n = 20, where both sum exact dyadic numbers; to 1e-12 above, where
//!   the terms come from lgamma — bit-identical in Go and `libm` — and exp, whose last bits
//!   differ). Up to n = 30 the fixture also holds every confidence the search can attain and the
//!   next float up, so every comparison the search makes is checked on both sides; for
//!   21 ≤ n ≤ 30 those exact-equality cases are decided by exp's last bits (go-moremath's own
//!   amd64 assembly and pure-Go Exp disagree there), so the orders may then differ, but only as
//!   ours would for a confidence within 2e-15.
//! - `MannWhitneyUTest(a, b, LocationDiffers)`: p equal to 1e-9 relative (exact branches: the
//!   same counts, go-moremath's `Choose` is within ~1e-14) or 1e-9 relative plus 1e-15 absolute
//!   (normal approximation: go-moremath computes the upper tail as 1 − Φ(z)), the same U, and
//!   the same choice of method. Where go-moremath's p is below [`min_attainable_p`] (its tied
//!   lower-tail quirk, see `benchgate_stats::mann_whitney`), benchgate reports that minimum.

mod common;

use benchgate_stats::{
    Method, Summary, mann_whitney_u, mann_whitney_u_with, median_ranks, min_attainable_p,
};
use common::{Agreement, cases, fixture, floats, num};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

// The cases in each section of gomoremath.json, as make_gomoremath_fixtures.go writes them (the
// summaries and mann_whitney sections follow scipy.json's, case by case).
const QUANTILE_CI: usize = 2906;
const SUMMARIES: usize = 24;
const MANN_WHITNEY: usize = 62;
const MANN_WHITNEY_SYNTHETIC: usize = 212;

#[test]
fn fixture_records_versions() {
    let f = fixture("gomoremath.json");
    // What gomoremath.json was generated with: another go-moremath or Go may change the
    // reference values, so a regenerated fixture updates these on purpose.
    assert_eq!(f["generator"], "make_gomoremath_fixtures.go");
    assert_eq!(
        f["go_moremath"],
        "github.com/aclements/go-moremath c8bbc672ef669fb2c0422233931daa48ac1db2c0"
    );
    assert_eq!(f["go_version"], "go1.19.8 amd64");
    // Every section the tests below read, with the number of cases they expect.
    cases(&f, "quantile_ci", QUANTILE_CI);
    cases(&f, "summaries", SUMMARIES);
    cases(&f, "mann_whitney", MANN_WHITNEY);
    cases(&f, "mann_whitney_synthetic", MANN_WHITNEY_SYNTHETIC);
    let scipy = fixture("scipy.json");
    cases(&scipy, "summaries", SUMMARIES);
    cases(&scipy, "mann_whitney", MANN_WHITNEY);
}

#[test]
fn quantile_ci_orders_and_confidence_agree() {
    let f = fixture("gomoremath.json");
    let mut agreement = Agreement::default();
    let (mut grid, mut boundary, mut rounding) = (0, 0, 0);
    for case in cases(&f, "quantile_ci", QUANTILE_CI) {
        let n = case["n"].as_u64().unwrap() as usize;
        let confidence = num(&case["confidence"]);
        let name = format!("n={n} c={confidence:e}");
        let orders = |r: benchgate_stats::MedianRanks| (r.lo_order as u64, r.hi_order as u64);
        let want = (
            case["lo_order"].as_u64().unwrap(),
            case["hi_order"].as_u64().unwrap(),
        );
        let ranks = median_ranks(n, confidence).unwrap();
        let is_boundary = case["boundary"].as_bool().unwrap_or(false);
        if is_boundary {
            boundary += 1;
        } else {
            grid += 1;
        }
        if orders(ranks) != want && is_boundary && (21..=30).contains(&n) {
            // The confidence asked is a sum the search attains (or the next float): the last
            // bits of go-moremath's exp decide, which differ between its amd64 assembly and its
            // pure-Go code too. Go's orders must then be ours for a confidence within rounding.
            rounding += 1;
            let near = [confidence - 2e-15, confidence + 2e-15]
                .map(|c| orders(median_ranks(n, c).unwrap()));
            agreement.require(
                "orders (decided by rounding)",
                &format!("{name}: got {ranks:?}, go-moremath {want:?}, near {near:?}"),
                near.contains(&want),
            );
            continue;
        }
        agreement.require(
            "orders",
            &format!("{name}: got {ranks:?}, go-moremath {want:?}"),
            orders(ranks) == want,
        );
        // Up to n = 20 both sum exact dyadic numbers: bit for bit.
        let tolerance = if n <= 20 { 0.0 } else { 1e-12 };
        agreement.check_absolute(
            "quantile_ci.confidence",
            &name,
            ranks.confidence,
            num(&case["attained"]),
            tolerance,
        );
    }
    eprintln!("{grid} grid cases, {boundary} boundary cases ({rounding} decided by rounding)");
    // The fixture's grid and boundary cases. In 34 boundary cases (21 ≤ n ≤ 30) our orders
    // differ from go-moremath's, decided by the last bits of exp (libm's, the same on every
    // platform), and are go-moremath's for a confidence within 2e-15.
    assert_eq!((grid, boundary), (1760, 1146));
    assert_eq!(grid + boundary, QUANTILE_CI);
    assert_eq!(rounding, 34, "{rounding} of {boundary}");
    agreement.finish(
        "quantile ci",
        &[
            ("orders", QUANTILE_CI - rounding),
            ("quantile_ci.confidence", QUANTILE_CI - rounding),
            ("orders (decided by rounding)", rounding),
        ],
    );
}

#[test]
fn median_intervals_of_the_scipy_samples_agree() {
    let f = fixture("gomoremath.json");
    let data = fixture("scipy.json");
    let samples = cases(&data, "summaries", SUMMARIES);
    let expected = cases(&f, "summaries", SUMMARIES);
    let mut agreement = Agreement::default();
    let mut finite = 0;
    for (sample, want) in samples.iter().zip(expected) {
        let name = want["name"].as_str().unwrap();
        assert_eq!(sample["name"].as_str().unwrap(), name);
        let s = Summary::of(&floats(&sample["data"])).unwrap();
        match (s.median_ci, &want["lo"]) {
            (None, Value::Null) => agreement.tally("no median_ci on either side"),
            (Some(ci), lo @ Value::Number(_)) => {
                finite += 1;
                agreement.check("median_ci.lo", name, ci.lo, num(lo), 0.0);
                agreement.check("median_ci.hi", name, ci.hi, num(&want["hi"]), 0.0);
                agreement.check_absolute(
                    "median_ci.confidence",
                    name,
                    ci.confidence,
                    num(&want["confidence"]),
                    1e-12,
                );
            }
            (ours, theirs) => agreement.require(
                "median_ci availability",
                &format!("{name}: {ours:?} vs {theirs}"),
                false,
            ),
        }
    }
    // 18 of the 24 samples have a finite interval, the 6 with n ≤ 5 none.
    assert_eq!(finite, 18);
    agreement.finish(
        "median ci",
        &[
            ("median_ci.lo", 18),
            ("median_ci.hi", 18),
            ("median_ci.confidence", 18),
            ("no median_ci on either side", 6),
        ],
    );
}

/// How a go-moremath p-value is expected to differ from benchgate's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Departure {
    /// None: the same p.
    None,
    /// go-moremath's p is above 1 (U1's lower tail at min(U1, U2) with uneven ties): capped.
    AboveOne,
    /// go-moremath's p is below the attainable minimum (its tied lower tail read at U2 < U1):
    /// benchgate reports the minimum.
    BelowMinimum,
    /// Two distinct values, U2 below the least U1 can be, yet go-moremath counts C(t0, n1)
    /// splits: its `makeUmemo` base case truncates a negative bound toward zero. The true count
    /// is 0, so benchgate reports the minimum.
    TruncatedBound,
}

/// go-moremath's exact-ties base case with two groups, when it applies wrongly: the sizes of the
/// two groups of equal values when the pooled data have exactly two distinct values and
/// 0 < n1·(t0 − n1) − 2·min(U1, U2) < n1 + n2.
fn truncated_bound(a: &[f64], b: &[f64], u1: f64) -> Option<(usize, usize)> {
    let mut distinct: Vec<f64> = a.iter().chain(b).copied().collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let [low, _] = distinct[..] else {
        return None;
    };
    let t0 = a.iter().chain(b).filter(|&&x| x == low).count();
    let (n1, n) = (a.len(), a.len() + b.len());
    let two_u_small = (2.0 * u1.min((a.len() * b.len()) as f64 - u1)) as i64;
    let gap = (n1 * t0.saturating_sub(n1)) as i64 - two_u_small;
    (n1 < t0 && 0 < gap && gap < n as i64).then_some((t0, n - t0))
}

/// C(n, k) exactly, for the small sizes here.
fn choose(n: usize, k: usize) -> f64 {
    (1..=k).fold(1.0, |c, i| c * (n + 1 - i) as f64 / i as f64)
}

/// One go-moremath result against ours.
fn check_u_test(
    agreement: &mut Agreement,
    name: &str,
    a: &[f64],
    b: &[f64],
    go: &Value,
) -> Departure {
    let ours = mann_whitney_u(a, b).unwrap();
    let (n1, n2) = (a.len(), b.len());
    let ties = go["ties"].as_bool().unwrap();
    let limit = if ties { 25 } else { 50 };
    let expect_exact = n1 <= limit && n2 <= limit;
    agreement.require(
        "mwu method",
        &format!("{name}: {:?}", ours.method),
        (ours.method == Method::Exact) == expect_exact,
    );
    agreement.check("mwu.u", name, ours.u, num(&go["u"]), 0.0);
    let p_go = num(&go["p"]);
    let floor = min_attainable_p(n1, n2);
    let tied_exact = ties && expect_exact;
    let departure = match truncated_bound(a, b, ours.u) {
        _ if !tied_exact => Departure::None,
        Some((t0, _)) if tied_exact => {
            // Document go-moremath's value, then expect the true count (0), floored.
            let buggy = 2.0 * choose(t0, n1) / choose(n1 + n2, n1);
            agreement.check("go-moremath truncated bound", name, p_go, buggy, 1e-12);
            Departure::TruncatedBound
        }
        _ if p_go < floor => Departure::BelowMinimum,
        _ if p_go > 1.0 => Departure::AboveOne,
        _ => Departure::None,
    };
    if departure != Departure::None {
        // Only go-moremath's tied exact branch departs, and then only at U2 < U1 or with uneven
        // ties around the centre.
        agreement.require(
            "departure only in the tied exact branch",
            &format!("{departure:?} [{name}]"),
            tied_exact,
        );
    }
    let expected = match departure {
        Departure::None => p_go,
        Departure::AboveOne => 1.0,
        Departure::BelowMinimum | Departure::TruncatedBound => floor,
    };
    match ours.method {
        Method::Exact => agreement.check("mwu.p exact", name, ours.p_value, expected, TOLERANCE),
        Method::Asymptotic => agreement.check_absolute(
            "mwu.p asymptotic (absolute, 1e-15 + 1e-9 relative)",
            name,
            ours.p_value,
            expected,
            1e-15 + TOLERANCE * expected,
        ),
        // Mann–Whitney never takes the signed-rank test's saddlepoint.
        Method::Saddlepoint => agreement.require("mwu.method", name, false),
    }
    if let Some(p_forced) = go.get("p_exact_ties").and_then(Value::as_f64) {
        let forced = mann_whitney_u_with(a, b, Method::Exact).unwrap();
        let expected = match departure {
            Departure::TruncatedBound => floor,
            _ => p_forced.max(floor).min(1.0),
        };
        agreement.check(
            "mwu.p forced exact, ties",
            name,
            forced.p_value,
            expected,
            TOLERANCE,
        );
    }
    departure
}

#[test]
fn mann_whitney_agrees_on_the_scipy_samples() {
    let f = fixture("gomoremath.json");
    let data = fixture("scipy.json");
    let samples = cases(&data, "mann_whitney", MANN_WHITNEY);
    let expected = cases(&f, "mann_whitney", MANN_WHITNEY);
    let mut agreement = Agreement::default();
    for (sample, go) in samples.iter().zip(expected) {
        let name = go["name"].as_str().unwrap();
        assert_eq!(sample["name"].as_str().unwrap(), name);
        let (a, b) = (floats(&sample["a"]), floats(&sample["b"]));
        let departure = check_u_test(&mut agreement, name, &a, &b, go);
        agreement.require(
            "no departure on the scipy samples",
            &format!("{departure:?} [{name}]"),
            departure == Departure::None,
        );
    }
    // 62 cases: 49 within go-moremath's exact limits, 13 beyond; 6 tied ones small enough for
    // the forced exact test.
    agreement.finish(
        "mann-whitney (scipy samples)",
        &[
            ("mwu method", MANN_WHITNEY),
            ("mwu.u", MANN_WHITNEY),
            ("mwu.p exact", 49),
            ("mwu.p asymptotic (absolute, 1e-15 + 1e-9 relative)", 13),
            ("mwu.p forced exact, ties", 6),
            ("no departure on the scipy samples", MANN_WHITNEY),
        ],
    );
}

#[test]
fn mann_whitney_agrees_on_synthetic_ties_around_the_limits() {
    let f = fixture("gomoremath.json");
    let mut agreement = Agreement::default();
    let mut departures = std::collections::BTreeMap::new();
    let (mut tied_exact, mut tied_upper) = (0, 0);
    for go in cases(&f, "mann_whitney_synthetic", MANN_WHITNEY_SYNTHETIC) {
        let name = go["name"].as_str().unwrap();
        let (a, b) = (floats(&go["a"]), floats(&go["b"]));
        let departure = check_u_test(&mut agreement, name, &a, &b, go);
        *departures.entry(format!("{departure:?}")).or_insert(0) += 1;
        let ours = mann_whitney_u(&a, &b).unwrap();
        if go["ties"].as_bool().unwrap() && ours.method == Method::Exact {
            tied_exact += 1;
            tied_upper += usize::from(ours.u > (a.len() * b.len()) as f64 / 2.0);
        }
    }
    eprintln!("departures from go-moremath: {departures:?}");
    // The fixture exercises what it is for: many tied exact cases, on both sides of the centre
    // (118, 60 of them with U1 above it), go-moremath's p = 0 case ({1, 2, 3, 5} against
    // {1, 1, 1, 1, 1}) among those below the attainable minimum, its p above 1 and its
    // truncated bound.
    assert_eq!((tied_exact, tied_upper), (118, 60));
    let expected: std::collections::BTreeMap<String, usize> = [
        ("None", 203),
        ("AboveOne", 2),
        ("BelowMinimum", 4),
        ("TruncatedBound", 3),
    ]
    .map(|(k, v)| (k.to_owned(), v))
    .into();
    assert_eq!(departures, expected);
    // 212 cases: 158 within go-moremath's exact limits, 54 beyond; 162 tied ones small enough
    // for the forced exact test; 9 departures, 3 of them the truncated bound.
    agreement.finish(
        "mann-whitney (synthetic)",
        &[
            ("mwu method", MANN_WHITNEY_SYNTHETIC),
            ("mwu.u", MANN_WHITNEY_SYNTHETIC),
            ("mwu.p exact", 158),
            ("mwu.p asymptotic (absolute, 1e-15 + 1e-9 relative)", 54),
            ("mwu.p forced exact, ties", 162),
            ("departure only in the tied exact branch", 2 + 4 + 3),
            ("go-moremath truncated bound", 3),
        ],
    );
}
