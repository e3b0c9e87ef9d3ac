//! Which benchmarks of an unpaired comparison are suspects, and what a paired verdict makes of
//! them (paired confirmation, SPEC §7.2), on fixed comparisons.

use benchgate_gate::{confirmed_verdict, suspects};
use benchgate_model::{
    COMPARISON_SCHEMA, Caveat, Comparison, Confirmation, Direction, Effect, Interval, Measure,
    Mode, Outcome, RunRef, Severity, Source, Thresholds, Unit, Verdict, VerdictKind,
};

fn verdict(name: &str, kind: VerdictKind, ratio: f64, ci: Option<(f64, f64)>) -> Verdict {
    Verdict {
        benchmark: name.to_string(),
        measure: Measure::WallTime,
        unit: Unit::Nanoseconds,
        direction: Direction::LowerIsBetter,
        exact: false,
        kind,
        severity: (kind == VerdictKind::Regressed).then_some(Severity::Warn),
        gating: true,
        baseline: None,
        current: None,
        effect: Some(Effect {
            ratio,
            delta: 0.0,
            ci: ci.map(|(lo, hi)| Interval {
                lo,
                hi,
                confidence: 0.95,
            }),
        }),
        p_value: Some(0.01),
        q_value: Some(0.01),
        reason: format!("{kind} (unpaired)"),
        caveats: Vec::new(),
    }
}

fn comparison(verdicts: Vec<Verdict>) -> Comparison {
    let run = RunRef {
        id: uuid::Uuid::nil(),
        label: "run".into(),
        source: Source::Command,
        mode: Mode::Real,
        commit: None,
        started_at: time::OffsetDateTime::UNIX_EPOCH,
        fingerprint: "f".into(),
    };
    Comparison {
        schema: COMPARISON_SCHEMA.into(),
        baseline: Some(run.clone()),
        current: run,
        thresholds: Thresholds {
            warn: 0.05,
            ..Thresholds::default()
        },
        verdicts,
        geomean: Vec::new(),
        outcome: Outcome::Passed,
        deny_warnings: false,
        command_failures: Vec::new(),
        budgets: Vec::new(),
        checks: Vec::new(),
        warnings: Vec::new(),
        profiles: Vec::new(),
    }
}

#[test]
fn a_suspect_is_every_interval_not_wholly_within_warn() {
    let mut exact = verdict("exact", VerdictKind::Regressed, 1.2, Some((1.2, 1.2)));
    exact.exact = true;
    let mut reported = verdict("reported", VerdictKind::Regressed, 1.3, Some((1.2, 1.4)));
    reported.gating = false;
    let mut new = verdict("new", VerdictKind::New, 1.0, None);
    new.effect = None;
    let c = comparison(vec![
        // Clearly unchanged: no suspect, no paired confirmation.
        verdict("quiet", VerdictKind::Unchanged, 1.0, Some((0.97, 1.03))),
        // A real +5 % that drift half hid: judged unchanged, but its interval reaches +9 %.
        verdict(
            "half-hidden",
            VerdictKind::Unchanged,
            1.05,
            Some((1.01, 1.09)),
        ),
        verdict("slower", VerdictKind::Regressed, 1.2, Some((1.1, 1.3))),
        // Drift can make up an improvement too.
        verdict("faster", VerdictKind::Improved, 0.9, Some((0.85, 0.94))),
        // Touching the band's edge is within it.
        verdict("edge", VerdictKind::Unchanged, 1.0, Some((0.95, 1.05))),
        verdict("no-interval", VerdictKind::Unchanged, 1.2, None),
        exact,
        reported,
        new,
        // Pairs compare wall times: another measure is judged unpaired.
        Verdict {
            measure: Measure::UserTime,
            ..verdict("user", VerdictKind::Regressed, 1.2, Some((1.1, 1.3)))
        },
    ]);
    assert_eq!(suspects(&c), ["half-hidden", "slower", "faster"]);
    assert!(suspects(&comparison(Vec::new())).is_empty());
}

#[test]
fn a_paired_regression_confirms_an_unpaired_one() {
    let unpaired = verdict("b", VerdictKind::Regressed, 1.2, Some((1.1, 1.3)));
    let paired = verdict("b", VerdictKind::Regressed, 1.19, Some((1.18, 1.2)));
    let v = confirmed_verdict(&unpaired, paired, "abc123", 14);
    assert_eq!(v.kind, VerdictKind::Regressed);
    assert_eq!(v.effect.unwrap().ratio, 1.19);
    assert_eq!(
        v.caveats,
        [Caveat::PairedConfirmation {
            result: Confirmation::Confirmed,
            unpaired: VerdictKind::Regressed,
            unpaired_ratio: Some(1.2),
            commit: "abc123".into(),
            pairs: 14,
        }]
    );
    assert!(!v.caveats[0].is_warning());
}

#[test]
fn a_paired_regression_confirms_a_half_hidden_one() {
    let unpaired = verdict("b", VerdictKind::Unchanged, 1.05, Some((1.01, 1.09)));
    let paired = verdict("b", VerdictKind::Regressed, 1.05, Some((1.04, 1.06)));
    let v = confirmed_verdict(&unpaired, paired, "c", 30);
    assert_eq!(v.kind, VerdictKind::Regressed);
    assert!(matches!(
        v.caveats[..],
        [Caveat::PairedConfirmation {
            result: Confirmation::Confirmed,
            unpaired: VerdictKind::Unchanged,
            ..
        }]
    ));
}

#[test]
fn a_paired_no_change_refutes_and_replaces_the_unpaired_verdict() {
    let unpaired = verdict("b", VerdictKind::Regressed, 1.2, Some((1.1, 1.3)));
    let mut paired = verdict("b", VerdictKind::Unchanged, 1.0, Some((0.99, 1.01)));
    paired.severity = None;
    let v = confirmed_verdict(&unpaired, paired, "c", 10);
    assert_eq!(v.kind, VerdictKind::Unchanged);
    assert_eq!(v.severity, None);
    assert_eq!(v.reason, "unchanged (unpaired)");
    assert!(matches!(
        v.caveats[..],
        [Caveat::PairedConfirmation {
            result: Confirmation::Refuted,
            unpaired: VerdictKind::Regressed,
            ..
        }]
    ));
    // The opposite change refutes too.
    let faster = verdict("b", VerdictKind::Improved, 0.8, Some((0.79, 0.81)));
    let v = confirmed_verdict(&unpaired, faster, "c", 10);
    assert_eq!(v.kind, VerdictKind::Improved);
    assert!(matches!(
        v.caveats[..],
        [Caveat::PairedConfirmation {
            result: Confirmation::Refuted,
            ..
        }]
    ));
}

#[test]
fn an_undecided_pairing_keeps_the_unpaired_verdict_with_a_warning() {
    let unpaired = verdict("b", VerdictKind::Unchanged, 1.04, Some((0.98, 1.1)));
    let paired = verdict("b", VerdictKind::Inconclusive, 1.05, Some((1.0, 1.1)));
    let v = confirmed_verdict(&unpaired, paired, "c", 200);
    assert_eq!(v.kind, VerdictKind::Unchanged);
    assert_eq!(v.effect, unpaired.effect);
    assert!(matches!(
        v.caveats[..],
        [Caveat::PairedConfirmation {
            result: Confirmation::Inconclusive,
            pairs: 200,
            ..
        }]
    ));
    assert!(v.is_warning());
}
