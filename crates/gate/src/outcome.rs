//! The gate's one outcome, computed in one place from a comparison's verdicts, whether warnings
//! are denied, and the commands that failed: every output and the exit code render it.

use benchgate_model::{Comparison, Outcome, Verdict, VerdictKind};

/// Records that a command or harness failed while measuring the current run (`what`, one line)
/// and decides the outcome again: it is then `command_failed`.
pub fn record_command_failure(comparison: &mut Comparison, what: String) {
    comparison.command_failures.push(what);
    settle(comparison);
}

/// Sets whether warnings fail the gate and decides the outcome again.
pub fn deny_warnings(comparison: &mut Comparison, deny: bool) {
    comparison.deny_warnings = deny;
    settle(comparison);
}

/// Decides `comparison.outcome` from its verdicts, `deny_warnings` and command failures: the one
/// place the outcome is computed, so every output and the exit code agree.
pub fn settle(comparison: &mut Comparison) {
    comparison.outcome = decide(
        &comparison.verdicts,
        comparison.deny_warnings,
        !comparison.command_failures.is_empty(),
    );
}

/// The gate's outcome. A failed command outranks everything; then a failing gated verdict fails
/// the gate; an undecided paired comparison is inconclusive; any other warning of a gated
/// verdict warns, or fails under `deny_warnings`. Verdicts that cannot gate never change it.
pub fn decide(verdicts: &[Verdict], deny_warnings: bool, command_failed: bool) -> Outcome {
    if command_failed {
        return Outcome::CommandFailed;
    }
    verdicts
        .iter()
        .filter(|v| v.gating)
        .map(|v| {
            if v.is_failure() {
                Outcome::Failed
            } else if v.kind == VerdictKind::Inconclusive {
                Outcome::Inconclusive
            } else if v.is_warning() {
                if deny_warnings {
                    Outcome::Failed
                } else {
                    Outcome::Warned
                }
            } else {
                Outcome::Passed
            }
        })
        .max()
        .unwrap_or(Outcome::Passed)
}
