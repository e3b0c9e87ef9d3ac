//! What the agreement tests share: reading a committed fixture, JSON numbers, relative error,
//! and the [`Agreement`] collector that reports the worst error per statistic.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

/// `tests/fixtures/<name>`, parsed.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

pub fn num(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

pub fn relative_error(actual: f64, expected: f64) -> f64 {
    if actual == expected {
        0.0
    } else {
        (actual - expected).abs() / expected.abs().max(f64::MIN_POSITIVE)
    }
}

/// Collects the worst error and the number of checks per statistic, and every failure, so one
/// run reports all.
///
/// [`Self::finish`] takes the exact number of checks expected per statistic (requirements count
/// under their own label): a fixture that is empty, mis-keyed, or no longer reaches a branch
/// changes a count and fails, instead of passing with nothing compared.
#[derive(Default)]
pub struct Agreement {
    /// Per statistic: the worst error and the number of checks.
    worst: BTreeMap<&'static str, (f64, usize)>,
    failures: Vec<String>,
}

impl Agreement {
    pub fn check(&mut self, stat: &'static str, case: &str, actual: f64, expected: f64, tol: f64) {
        self.record(
            stat,
            case,
            actual,
            expected,
            relative_error(actual, expected),
            tol,
        );
    }

    /// Like [`Self::check`] on the absolute difference.
    pub fn check_absolute(
        &mut self,
        stat: &'static str,
        case: &str,
        actual: f64,
        expected: f64,
        tol: f64,
    ) {
        self.record(stat, case, actual, expected, (actual - expected).abs(), tol);
    }

    fn record(
        &mut self,
        stat: &'static str,
        case: &str,
        actual: f64,
        expected: f64,
        err: f64,
        tol: f64,
    ) {
        let (worst, count) = self.worst.entry(stat).or_insert((0.0, 0));
        *worst = worst.max(err);
        *count += 1;
        if err.is_nan() || err > tol {
            self.failures.push(format!(
                "{stat} [{case}]: got {actual:e}, expected {expected:e} (error {err:e} > {tol:e})"
            ));
        }
    }

    /// A condition that must hold, counted under `stat`; `what` describes the failure.
    pub fn require(&mut self, stat: &'static str, what: &str, ok: bool) {
        self.worst.entry(stat).or_insert((0.0, 0)).1 += 1;
        if !ok {
            self.failures.push(format!("{stat}: {what}"));
        }
    }

    /// Counts a case under `stat` where both sides agree there is nothing to compare (no
    /// interval on either side, say): it is not a check, but the count still says the case was
    /// reached.
    pub fn tally(&mut self, stat: &'static str) {
        self.worst.entry(stat).or_insert((0.0, 0)).1 += 1;
    }

    /// Prints the worst error per statistic and asserts that nothing failed and that exactly the
    /// `expected` statistics were checked, each exactly as many times as given (every count
    /// positive: a statistic with nothing to check has no place here).
    pub fn finish(self, section: &str, expected: &[(&str, usize)]) {
        let total: usize = self.worst.values().map(|&(_, count)| count).sum();
        let mut report = format!("max error — {section} ({total} checks):\n");
        for (stat, (err, count)) in &self.worst {
            writeln!(report, "  {stat:<44} {err:.3e} ({count} checks)").unwrap();
        }
        eprint!("{report}");
        assert!(self.failures.is_empty(), "{}", self.failures.join("\n"));
        assert!(
            !expected.is_empty() && expected.iter().all(|&(_, count)| count > 0),
            "{section}: expected counts must name every statistic, each checked at least once"
        );
        let actual: BTreeMap<&str, usize> = self
            .worst
            .iter()
            .map(|(&stat, &(_, count))| (stat, count))
            .collect();
        let wanted: BTreeMap<&str, usize> = expected.iter().copied().collect();
        assert_eq!(
            wanted.len(),
            expected.len(),
            "{section}: a statistic is listed twice"
        );
        assert_eq!(actual, wanted, "{section}: checks per statistic");
    }
}

/// The cases of the array `section` of a fixture, asserted to number exactly `expected` (> 0).
pub fn cases<'a>(fixture: &'a Value, section: &str, expected: usize) -> &'a [Value] {
    assert!(expected > 0, "{section}: an empty section checks nothing");
    let cases = fixture[section]
        .as_array()
        .unwrap_or_else(|| panic!("the fixture has no array {section:?}"));
    assert_eq!(cases.len(), expected, "cases in {section:?}");
    cases
}
