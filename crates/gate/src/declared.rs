//! Judging against a declared baseline (SPEC §7.3): one value per measure that a team already
//! knew, without samples. There is no distribution to test, so no significance test and no
//! p-value: the current central value is held to the warn/fail thresholds (the entry's own, else
//! the gate's) around the declared value, and a change within the declared spread is none.

use benchgate_model::display::{format_percent, format_plain, percent};
use benchgate_model::{
    DeclaredBounds, Direction, Effect, Metric, Severity, Thresholds, VerdictKind,
};

use crate::metric::Classification;

/// Said by every verdict against a declared baseline.
pub const DECLARED_NOTE: &str =
    "declared baseline: judged by thresholds on its value, no significance test";

/// The verdict of `current` against the `declared` value (its median) with `bounds`, and the
/// effect (current / declared).
pub fn judge_declared(
    declared: &Metric,
    current: &Metric,
    bounds: &DeclaredBounds,
    thresholds: &Thresholds,
) -> (Classification, Option<Effect>) {
    let value = declared.summary.median;
    let center = current.summary.median;
    let shown = format_plain(value, &declared.unit);
    let classified = |kind, severity, text: String| Classification {
        kind,
        severity,
        reason: format!("{text} ({DECLARED_NOTE})"),
        caveats: Vec::new(),
    };
    if value == 0.0 || !value.is_finite() || !center.is_finite() {
        return (
            classified(
                VerdictKind::InsufficientData,
                None,
                format!("the declared value is {shown}, so a relative change is undefined"),
            ),
            None,
        );
    }
    let ratio = center / value;
    let effect = Effect {
        ratio,
        delta: center - value,
        ci: None,
    };
    let change = format!("{} against the declared {shown}", percent(effect.percent()));
    let worse = match current.direction {
        Direction::LowerIsBetter => ratio - 1.0,
        Direction::HigherIsBetter => 1.0 - ratio,
    };
    let warn = bounds.warn.unwrap_or(thresholds.warn);
    let fail = bounds.fail.unwrap_or(thresholds.fail);
    let pct = |f: f64| format_percent(f * 100.0);
    // A threshold is reached at equality, as written: 400 against 500 is -20 %, not -19.99… %.
    let reaches = |change: f64, threshold: f64| change >= threshold - 1e-12;
    let classification = match bounds.spread {
        Some(spread) if worse.abs() <= spread + 1e-12 => classified(
            VerdictKind::Unchanged,
            None,
            format!("{change} is within its declared ±{} spread", pct(spread)),
        ),
        _ if reaches(worse, fail) => classified(
            VerdictKind::Regressed,
            Some(Severity::Fail),
            format!("{change} reaches the {} fail threshold", pct(fail)),
        ),
        _ if reaches(worse, warn) => classified(
            VerdictKind::Regressed,
            Some(Severity::Warn),
            format!("{change} reaches the {} warn threshold", pct(warn)),
        ),
        _ if reaches(-worse, warn) => classified(VerdictKind::Improved, None, change),
        _ => classified(
            VerdictKind::Unchanged,
            None,
            format!("{change}, within ±{}", pct(warn)),
        ),
    };
    (classification, Some(effect))
}
