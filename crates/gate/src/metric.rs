//! The verdict on one metric: baseline samples against current samples.

use benchgate_model::display::{format_percent, percent, probability};
use benchgate_model::{
    Direction, Effect, Interval, Metric, Severity, Thresholds, Unit, VerdictKind,
};
use benchgate_stats::{benjamini_hochberg, mann_whitney_u, min_attainable_p, ratio_of_medians_ci};

/// The statistics of one comparison before false-discovery-rate control; [`MetricJudgement::classify`]
/// turns it into a verdict once the run's adjusted p-value (q) is known.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricJudgement {
    pub direction: Direction,
    pub unit: Unit,
    pub exact: bool,
    pub effect: Option<Effect>,
    pub p_value: Option<f64>,
    /// Set when the samples cannot reach significance at all.
    pub insufficient: Option<String>,
}

/// Computes effect, interval and p-value of `current` against `baseline`.
pub fn judge_metric(
    baseline: &Metric,
    current: &Metric,
    thresholds: &Thresholds,
    resamples: usize,
    seed: u64,
) -> MetricJudgement {
    let exact = baseline.exact || current.exact;
    let base_center = baseline.summary.median;
    let cur_center = current.summary.median;
    let mut judgement = MetricJudgement {
        direction: current.direction,
        unit: current.unit.clone(),
        exact,
        effect: None,
        p_value: None,
        insufficient: None,
    };
    let ratio = match (base_center, cur_center) {
        (b, c) if b != 0.0 => c / b,
        (_, 0.0) => 1.0,
        _ => {
            judgement.insufficient =
                Some("the baseline's median is 0, so a relative change is undefined".into());
            return judgement;
        }
    };
    judgement.effect = Some(Effect {
        ratio,
        delta: cur_center - base_center,
        ci: None,
    });
    if exact {
        return judgement;
    }
    let (nb, nc) = (baseline.samples.len(), current.samples.len());
    let min_p = min_attainable_p(nb, nc);
    if nb == 0 || nc == 0 || min_p > thresholds.alpha {
        judgement.insufficient = Some(format!(
            "{nb} vs {nc} samples cannot reach significance at α={} (smallest possible {}); \
             run more",
            thresholds.alpha,
            probability("p", min_p)
        ));
        return judgement;
    }
    judgement.p_value = mann_whitney_u(&baseline.samples, &current.samples).map(|mw| mw.p_value);
    if let Some(effect) = judgement.effect.as_mut() {
        effect.ci = ratio_of_medians_ci(
            &baseline.samples,
            &current.samples,
            thresholds.confidence,
            resamples,
            seed,
        )
        .map(Interval::from);
    }
    judgement
}

/// A verdict's kind, severity and reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub kind: VerdictKind,
    pub severity: Option<Severity>,
    pub reason: String,
}

impl MetricJudgement {
    /// Decides the verdict given the adjusted p-value `q` (`None` for exact measures) and the
    /// metric's learned noise `floor` (a fraction), which raises the warn and fail thresholds to
    /// at least itself: a change noise alone reaches on this machine is not called a change.
    /// Exact measures have no noise and ignore it.
    pub fn classify(
        &self,
        q: Option<f64>,
        thresholds: &Thresholds,
        floor: Option<f64>,
    ) -> Classification {
        let raised = floor.filter(|f| !self.exact && f.is_finite() && *f > thresholds.warn);
        let floored;
        let thresholds = match raised {
            Some(f) => {
                floored = Thresholds {
                    warn: f,
                    fail: thresholds.fail.max(f),
                    ..*thresholds
                };
                &floored
            }
            None => thresholds,
        };
        let mut c = self.classify_with(q, thresholds);
        if let Some(f) = raised {
            c.reason.push_str(&format!(
                " (thresholds raised to this benchmark's {} noise floor)",
                pct(f)
            ));
        }
        c
    }

    fn classify_with(&self, q: Option<f64>, thresholds: &Thresholds) -> Classification {
        if let Some(why) = &self.insufficient {
            return Classification {
                kind: VerdictKind::InsufficientData,
                severity: None,
                reason: why.clone(),
            };
        }
        let Some(effect) = self.effect else {
            return Classification {
                kind: VerdictKind::InsufficientData,
                severity: None,
                reason: "no central value to compare".into(),
            };
        };
        // `worse` > 0 means the change goes the bad way, as a fraction of the baseline.
        let worse = |ratio: f64| match self.direction {
            Direction::LowerIsBetter => ratio - 1.0,
            Direction::HigherIsBetter => 1.0 - ratio,
        };
        let change = percent(effect.percent());
        let below_min_delta = self.unit == Unit::Nanoseconds
            && effect.delta.abs() < thresholds.min_delta_ns
            && thresholds.min_delta_ns > 0.0;
        if self.exact {
            let w = worse(effect.ratio);
            return if effect.ratio == 1.0 {
                classified(
                    VerdictKind::Unchanged,
                    None,
                    "identical (exact measure)".into(),
                )
            } else if w >= thresholds.fail {
                classified(
                    VerdictKind::Regressed,
                    Some(Severity::Fail),
                    format!(
                        "{change} (exact measure) passes the {} fail threshold",
                        pct(thresholds.fail)
                    ),
                )
            } else if w >= thresholds.warn {
                classified(
                    VerdictKind::Regressed,
                    Some(Severity::Warn),
                    format!(
                        "{change} (exact measure) passes the {} warn threshold",
                        pct(thresholds.warn)
                    ),
                )
            } else if -w >= thresholds.warn {
                classified(
                    VerdictKind::Improved,
                    None,
                    format!("{change} (exact measure)"),
                )
            } else {
                classified(
                    VerdictKind::Unchanged,
                    None,
                    format!("{change} (exact measure), within ±{}", pct(thresholds.warn)),
                )
            };
        }
        let p = q.or(self.p_value);
        let p_text = match (self.p_value, q) {
            (Some(raw), Some(q)) if q != raw => {
                format!(
                    "{}, adjusted {}",
                    probability("p", raw),
                    probability("q", q)
                )
            }
            (Some(raw), _) => probability("p", raw),
            (None, _) => "p=n/a".to_string(),
        };
        // The conservative ends of the interval: how bad (or good) the change is at least.
        let (worse_at_least, better_at_least) = match effect.ci {
            Some(ci) => {
                let (a, b) = (worse(ci.lo), worse(ci.hi));
                (a.min(b), -a.max(b))
            }
            None => (worse(effect.ratio), -worse(effect.ratio)),
        };
        let ci_text = effect.ci.map_or_else(String::new, |ci| {
            format!(
                ", {:.0}% interval [{}, {}]",
                ci.confidence * 100.0,
                percent((ci.lo - 1.0) * 100.0),
                percent((ci.hi - 1.0) * 100.0)
            )
        });
        let significant = p.is_some_and(|p| p < thresholds.alpha);
        if !significant {
            return classified(
                VerdictKind::Unchanged,
                None,
                format!("no significant change ({p_text}{ci_text})"),
            );
        }
        if worse(effect.ratio) > 0.0 {
            if below_min_delta {
                return classified(
                    VerdictKind::Unchanged,
                    None,
                    format!(
                        "{change} ({p_text}) is below min_delta ({} ns absolute)",
                        thresholds.min_delta_ns
                    ),
                );
            }
            if worse_at_least >= thresholds.fail {
                return classified(
                    VerdictKind::Regressed,
                    Some(Severity::Fail),
                    format!(
                        "{change} ({p_text}{ci_text}) passes the {} fail threshold",
                        pct(thresholds.fail)
                    ),
                );
            }
            if worse_at_least >= thresholds.warn {
                return classified(
                    VerdictKind::Regressed,
                    Some(Severity::Warn),
                    format!(
                        "{change} ({p_text}{ci_text}) passes the {} warn threshold",
                        pct(thresholds.warn)
                    ),
                );
            }
            return classified(
                VerdictKind::Unchanged,
                None,
                format!(
                    "significant {change} ({p_text}{ci_text}) but not surely beyond the {} warn threshold",
                    pct(thresholds.warn)
                ),
            );
        }
        if better_at_least >= thresholds.warn {
            return classified(
                VerdictKind::Improved,
                None,
                format!("{change} ({p_text}{ci_text})"),
            );
        }
        classified(
            VerdictKind::Unchanged,
            None,
            format!(
                "significant {change} ({p_text}{ci_text}) but not surely beyond ±{}",
                pct(thresholds.warn)
            ),
        )
    }
}

fn classified(kind: VerdictKind, severity: Option<Severity>, reason: String) -> Classification {
    Classification {
        kind,
        severity,
        reason,
    }
}

/// Benjamini–Hochberg over the tested judgements; `None` stays `None`.
pub(crate) fn adjust(p_values: &[Option<f64>]) -> Vec<Option<f64>> {
    let tested: Vec<f64> = p_values.iter().flatten().copied().collect();
    let mut adjusted = benjamini_hochberg(&tested).into_iter();
    p_values
        .iter()
        .map(|p| p.and_then(|_| adjusted.next()))
        .collect()
}

fn pct(fraction: f64) -> String {
    format_percent(fraction * 100.0)
}
