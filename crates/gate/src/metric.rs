//! The verdict on one metric: baseline samples against current samples.
//!
//! A change is called a regression (or an improvement) only when it is significant after
//! false-discovery-rate control, the conservative end of its interval reaches the warn or fail
//! threshold (raised to the benchmark's noise floor when it has one), and its absolute size
//! reaches `min_delta`. Every rule that keeps a significant change from being flagged says so in
//! a [`Caveat`], so a regression never passes silently.

use benchgate_model::display::{format_percent, format_value, percent, probability};
use benchgate_model::{
    Caveat, Direction, Effect, Interval, Metric, Severity, Side, Thresholds, Unit, VerdictKind,
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
    /// Sample sizes of the baseline and the current side.
    pub sizes: (usize, usize),
    /// Caveats found in the data themselves (imprecise sampling, an exact measure that varies).
    pub caveats: Vec<Caveat>,
}

/// The central value of an exact measure's samples: the most frequent value (the smallest of
/// equally frequent ones), as benchstat's `assume=exact` takes it; and the range when they vary.
fn exact_center(metric: &Metric) -> (f64, Option<(f64, f64)>) {
    let mut sorted: Vec<f64> = metric
        .samples
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    if sorted.is_empty() {
        return (metric.summary.median, None);
    }
    sorted.sort_by(f64::total_cmp);
    let (mut mode, mut mode_count) = (sorted[0], 0usize);
    let mut i = 0;
    while i < sorted.len() {
        let value = sorted[i];
        let run = sorted[i..].iter().take_while(|&&x| x == value).count();
        if run > mode_count {
            (mode, mode_count) = (value, run);
        }
        i += run;
    }
    let (lo, hi) = (sorted[0], sorted[sorted.len() - 1]);
    (mode, (lo != hi).then_some((lo, hi)))
}

/// The precision caveat of one side, when its adaptive sampling missed its target.
pub(crate) fn precision_caveat(metric: &Metric, side: Side) -> Option<Caveat> {
    let precision = metric.precision?;
    (!precision.met()).then_some(Caveat::InsufficientPrecision {
        side,
        target: precision.target,
        reached: precision.reached,
    })
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
    let (nb, nc) = (baseline.samples.len(), current.samples.len());
    let mut judgement = MetricJudgement {
        direction: current.direction,
        unit: current.unit.clone(),
        exact,
        effect: None,
        p_value: None,
        insufficient: None,
        sizes: (nb, nc),
        caveats: [
            precision_caveat(baseline, Side::Baseline),
            precision_caveat(current, Side::Current),
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    let (base_center, cur_center) = if exact {
        let (b, b_range) = exact_center(baseline);
        let (c, c_range) = exact_center(current);
        for (side, range) in [(Side::Baseline, b_range), (Side::Current, c_range)] {
            if let Some((min, max)) = range {
                judgement
                    .caveats
                    .push(Caveat::ExactVaries { side, min, max });
            }
        }
        (b, c)
    } else {
        (baseline.summary.median, current.summary.median)
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

/// A verdict's kind, severity, reason and caveats.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub kind: VerdictKind,
    pub severity: Option<Severity>,
    pub reason: String,
    pub caveats: Vec<Caveat>,
}

/// How far a change goes the bad way (> 0) or the good way (< 0), as a fraction of the baseline.
fn worse(direction: Direction, ratio: f64) -> f64 {
    match direction {
        Direction::LowerIsBetter => ratio - 1.0,
        Direction::HigherIsBetter => 1.0 - ratio,
    }
}

impl MetricJudgement {
    /// Decides the verdict given the adjusted p-value `q` (`None` for exact measures) and the
    /// metric's learned noise `floor` (a fraction), which raises the warn and fail thresholds to
    /// at least itself: a change noise alone reaches on this machine is not called a change.
    /// Exact measures have no noise and ignore it. A threshold is *reached* at equality: a change
    /// of exactly `fail` fails.
    pub fn classify(
        &self,
        q: Option<f64>,
        thresholds: &Thresholds,
        floor: Option<f64>,
    ) -> Classification {
        let mut c = self.classify_inner(q, thresholds, floor);
        let mut caveats = self.caveats.clone();
        caveats.append(&mut c.caveats);
        c.caveats = caveats;
        c
    }

    fn classify_inner(
        &self,
        q: Option<f64>,
        thresholds: &Thresholds,
        floor: Option<f64>,
    ) -> Classification {
        if let Some(why) = &self.insufficient {
            return classified(VerdictKind::InsufficientData, None, why.clone());
        }
        let Some(effect) = self.effect else {
            return classified(
                VerdictKind::InsufficientData,
                None,
                "no central value to compare".into(),
            );
        };
        let change = percent(effect.percent());
        if self.exact {
            return self.classify_exact(effect, thresholds);
        }
        // The floor raises both thresholds; only a floor above `warn` changes anything.
        let floor = floor.filter(|f| f.is_finite() && *f > thresholds.warn);
        let (warn, fail) = match floor {
            Some(f) => (f, thresholds.fail.max(f)),
            None => (thresholds.warn, thresholds.fail),
        };
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
                let (a, b) = (worse(self.direction, ci.lo), worse(self.direction, ci.hi));
                (a.min(b), -a.max(b))
            }
            None => (
                worse(self.direction, effect.ratio),
                -worse(self.direction, effect.ratio),
            ),
        };
        let ci_text = effect.ci.map_or_else(String::new, |ci| {
            format!(
                ", {:.0}% interval [{}, {}]",
                ci.confidence * 100.0,
                percent((ci.lo - 1.0) * 100.0),
                percent((ci.hi - 1.0) * 100.0)
            )
        });
        let significant = q.or(self.p_value).is_some_and(|p| p < thresholds.alpha);
        if !significant {
            return classified(
                VerdictKind::Unchanged,
                None,
                format!("no significant change ({p_text}{ci_text})"),
            );
        }
        let stats = format!("{change} ({p_text}{ci_text})");
        let floor_caveat =
            |swallowed: bool| floor.map(|floor| Caveat::NoiseFloor { floor, swallowed });
        let floor_note = floor.map_or_else(String::new, |f| {
            format!(
                " (thresholds raised to this benchmark's {} noise floor)",
                pct(f)
            )
        });
        // min_delta judges both directions: a change too small to matter in absolute terms is
        // neither a regression nor an improvement.
        let below_min_delta = self.unit == Unit::Nanoseconds
            && thresholds.min_delta_ns > 0.0
            && effect.delta.abs() < thresholds.min_delta_ns;
        let goes_bad = worse(self.direction, effect.ratio) > 0.0;
        let (at_least, base_warn_reached) = if goes_bad {
            (worse_at_least, worse_at_least >= thresholds.warn)
        } else {
            (better_at_least, better_at_least >= thresholds.warn)
        };
        if below_min_delta && base_warn_reached {
            let mut c = classified(
                VerdictKind::Unchanged,
                None,
                format!(
                    "{stats} is below min_delta {} in absolute terms ({} change)",
                    format_value(thresholds.min_delta_ns, &Unit::Nanoseconds),
                    format_value(effect.delta.abs(), &Unit::Nanoseconds)
                ),
            );
            c.caveats.push(Caveat::BelowMinDelta {
                min_delta: thresholds.min_delta_ns,
            });
            return c;
        }
        if goes_bad && at_least >= fail {
            let mut c = classified(
                VerdictKind::Regressed,
                Some(Severity::Fail),
                format!(
                    "{stats} reaches the {} fail threshold{floor_note}",
                    pct(fail)
                ),
            );
            c.caveats.extend(floor_caveat(false));
            return c;
        }
        if at_least >= warn {
            let mut c = if goes_bad {
                classified(
                    VerdictKind::Regressed,
                    Some(Severity::Warn),
                    format!(
                        "{stats} reaches the {} warn threshold{floor_note}",
                        pct(warn)
                    ),
                )
            } else {
                classified(VerdictKind::Improved, None, format!("{stats}{floor_note}"))
            };
            c.caveats.extend(floor_caveat(false));
            return c;
        }
        if base_warn_reached && let Some(f) = floor {
            // Flagged without the floor; the floor says noise reaches this far here.
            let mut c = classified(
                VerdictKind::Unchanged,
                None,
                format!(
                    "{stats} is within this benchmark's {} noise floor on this machine",
                    pct(f)
                ),
            );
            c.caveats.extend(floor_caveat(true));
            return c;
        }
        let band = if goes_bad {
            format!("the {} warn threshold", pct(thresholds.warn))
        } else {
            format!("±{}", pct(thresholds.warn))
        };
        classified(
            VerdictKind::Unchanged,
            None,
            format!("significant {stats} but not surely beyond {band}"),
        )
    }

    /// The fail verdict of a comparison that false-discovery-rate control across `family` tests
    /// left unflagged (its q is not below α), when its interval at family-wise confidence
    /// 1 − α/family (a Bonferroni interval of the ratio of medians, bootstrapped with enough
    /// resamples for its tails) lies wholly beyond the fail threshold (raised to `floor`) and the
    /// change reaches min_delta. With few samples per benchmark and many benchmarks, no single
    /// change can be significant after the correction; this keeps the power to fail a sole large
    /// regression while the chance that noise alone does so stays within α across the family
    /// (`cargo run --release -p benchgate-gate --example fdr_power` compares the rules).
    pub fn family_wise_fail(
        &self,
        baseline: &Metric,
        current: &Metric,
        thresholds: &Thresholds,
        floor: Option<f64>,
        family: usize,
        seed: u64,
    ) -> Option<Classification> {
        if self.exact || self.insufficient.is_some() || family == 0 {
            return None;
        }
        let effect = self.effect?;
        let fail = floor
            .filter(|f| f.is_finite() && *f > thresholds.warn)
            .map_or(thresholds.fail, |f| thresholds.fail.max(f));
        if worse(self.direction, effect.ratio) < fail {
            return None;
        }
        if self.unit == Unit::Nanoseconds
            && thresholds.min_delta_ns > 0.0
            && effect.delta.abs() < thresholds.min_delta_ns
        {
            return None;
        }
        let tail = thresholds.alpha / family as f64 / 2.0;
        // At least 50 resamples in each tail, within reason.
        let resamples = ((50.0 / tail).ceil() as usize).clamp(5_000, 400_000);
        let ci = ratio_of_medians_ci(
            &baseline.samples,
            &current.samples,
            1.0 - thresholds.alpha / family as f64,
            resamples,
            seed,
        )?;
        let at_least = worse(self.direction, ci.lo).min(worse(self.direction, ci.hi));
        if at_least < fail {
            return None;
        }
        let q_text = self.p_value.map_or_else(String::new, |p| {
            format!(
                "{}; not significant after Benjamini–Hochberg across {family}, ",
                probability("p", p)
            )
        });
        let mut c = classified(
            VerdictKind::Regressed,
            Some(Severity::Fail),
            format!(
                "{} ({q_text}but its {:.2}% interval [{}, {}], family-wise over {family} \
                 comparisons, lies wholly beyond the {} fail threshold)",
                percent(effect.percent()),
                ci.confidence * 100.0,
                percent((ci.lo - 1.0) * 100.0),
                percent((ci.hi - 1.0) * 100.0),
                pct(fail)
            ),
        );
        if let Some(f) = floor.filter(|f| f.is_finite() && *f > thresholds.warn) {
            c.caveats.push(Caveat::NoiseFloor {
                floor: f,
                swallowed: false,
            });
        }
        let mut caveats = self.caveats.clone();
        caveats.append(&mut c.caveats);
        c.caveats = caveats;
        Some(c)
    }

    /// Exact measures: any change is real, so the thresholds alone decide (at equality too).
    fn classify_exact(&self, effect: Effect, thresholds: &Thresholds) -> Classification {
        let change = percent(effect.percent());
        let w = worse(self.direction, effect.ratio);
        if effect.ratio == 1.0 {
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
                    "{change} (exact measure) reaches the {} fail threshold",
                    pct(thresholds.fail)
                ),
            )
        } else if w >= thresholds.warn {
            classified(
                VerdictKind::Regressed,
                Some(Severity::Warn),
                format!(
                    "{change} (exact measure) reaches the {} warn threshold",
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
        }
    }
}

fn classified(kind: VerdictKind, severity: Option<Severity>, reason: String) -> Classification {
    Classification {
        kind,
        severity,
        reason,
        caveats: Vec::new(),
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
