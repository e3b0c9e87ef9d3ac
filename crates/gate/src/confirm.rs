//! Paired confirmation of suspects (SPEC §7.2): which benchmarks of an unpaired comparison
//! against a stored baseline are worth judging again paired against the baseline's commit, and
//! what the paired verdict then makes of the unpaired one.

use benchgate_model::{Caveat, Comparison, Confirmation, Direction, Measure, Verdict, VerdictKind};

/// The suspects of an unpaired comparison: every benchmark with a gating, non-exact wall-time
/// verdict (what pairs compare) whose interval of the change does not lie wholly within ± warn — not only the regressed ones, so a
/// real +5 % that drift half hid (an interval from +1 % to +9 % at warn 5 %) is still one, and so
/// is an improvement drift made up. A verdict without an interval (new, missing, failed, too few
/// samples) has nothing a paired comparison could settle. In the comparison's order.
pub fn suspects(comparison: &Comparison) -> Vec<String> {
    let warn = comparison.thresholds.warn;
    let mut out: Vec<String> = Vec::new();
    for v in &comparison.verdicts {
        if !v.gating || v.exact || v.measure != Measure::WallTime {
            continue;
        }
        if !matches!(
            v.kind,
            VerdictKind::Regressed | VerdictKind::Improved | VerdictKind::Unchanged
        ) {
            continue;
        }
        let Some(ci) = v.effect.and_then(|e| e.ci) else {
            continue;
        };
        let within = ci.lo >= 1.0 - warn && ci.hi <= 1.0 + warn;
        if !within {
            out.push(v.benchmark.clone());
        }
    }
    out
}

/// The final verdict of a suspect: `paired` (judged paired against the baseline's `commit` in
/// `pairs` pairs) replaces `unpaired`, with a caveat saying whether it confirmed the change the
/// unpaired verdict suspected (the same way, beyond ± warn) or refuted it. A paired comparison
/// that could not decide keeps the unpaired verdict, with a caveat saying so.
pub fn confirmed_verdict(
    unpaired: &Verdict,
    paired: Verdict,
    commit: &str,
    pairs: usize,
) -> Verdict {
    let unpaired_ratio = unpaired.effect.map(|e| e.ratio);
    let result = match paired.kind {
        VerdictKind::Inconclusive | VerdictKind::InsufficientData => Confirmation::Inconclusive,
        kind if kind == suspected(unpaired) => Confirmation::Confirmed,
        _ => Confirmation::Refuted,
    };
    let caveat = Caveat::PairedConfirmation {
        result,
        unpaired: unpaired.kind,
        unpaired_ratio,
        commit: commit.to_string(),
        pairs,
    };
    let mut verdict = match result {
        Confirmation::Inconclusive => unpaired.clone(),
        Confirmation::Confirmed | Confirmation::Refuted => paired,
    };
    verdict.caveats.push(caveat);
    verdict
}

/// The change an unpaired verdict suspects: its own kind when it flagged one, else the way its
/// estimate leans (a suspect judged unchanged has an interval reaching beyond ± warn).
fn suspected(unpaired: &Verdict) -> VerdictKind {
    match unpaired.kind {
        VerdictKind::Regressed | VerdictKind::Improved => unpaired.kind,
        _ => {
            let ratio = unpaired.effect.map_or(1.0, |e| e.ratio);
            let worse = match unpaired.direction {
                Direction::LowerIsBetter => ratio > 1.0,
                Direction::HigherIsBetter => ratio < 1.0,
            };
            if worse {
                VerdictKind::Regressed
            } else {
                VerdictKind::Improved
            }
        }
    }
}
