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

/// Collects the worst relative error per statistic and every failure, so one run reports all.
#[derive(Default)]
pub struct Agreement {
    worst: BTreeMap<&'static str, f64>,
    failures: Vec<String>,
    checks: usize,
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
        self.checks += 1;
        let worst = self.worst.entry(stat).or_insert(0.0);
        *worst = worst.max(err);
        if err.is_nan() || err > tol {
            self.failures.push(format!(
                "{stat} [{case}]: got {actual:e}, expected {expected:e} (error {err:e} > {tol:e})"
            ));
        }
    }

    pub fn require(&mut self, what: &str, ok: bool) {
        self.checks += 1;
        if !ok {
            self.failures.push(what.to_owned());
        }
    }

    pub fn finish(self, section: &str) {
        let mut report = format!("max error — {section} ({} checks):\n", self.checks);
        for (stat, err) in &self.worst {
            writeln!(report, "  {stat:<40} {err:.3e}").unwrap();
        }
        eprint!("{report}");
        assert!(self.failures.is_empty(), "{}", self.failures.join("\n"));
    }
}
