//! Verdicts on a paired, interleaved A/B comparison (SPEC §7.2): both builds ran alternately on
//! one machine, pair by pair, so the effect is estimated from per-pair log-ratios
//! `ln(head_i / base_i)`, which cancels the drift between pairs. The estimate is the
//! Hodges–Lehmann estimate of the log-ratios with its distribution-free interval (Wilcoxon
//! signed-rank), turned back into a ratio; significance is the signed-rank test.
//!
//! Two ways to judge:
//! - [`judge_pairs`] on a fixed number of pairs, like a comparison of two runs: significant
//!   (p < α) and the interval's conservative end beyond the warn/fail threshold → regressed;
//!   beyond the warn threshold the good way → improved; otherwise unchanged.
//! - [`Sequential`] for adaptive stopping: after each look it says whether the interval already
//!   lies wholly inside the no-change band (± warn) → unchanged, wholly beyond it → regressed or
//!   improved, or neither → keep sampling; when time runs out, [`Sequential::conclude`] says
//!   inconclusive unless the last look decided. Looking again and again would make some look
//!   wrong by chance sooner or later, so look k uses the level α·6/(π²k²): the levels sum to α,
//!   so the chance that *any* look's interval misses the true effect stays ≤ α (Bonferroni over
//!   looks), whenever the caller stops.

use std::f64::consts::PI;

use benchgate_model::display::{format_percent, percent, probability};
use benchgate_model::{
    Direction, Effect, Interval, Measure, Metric, Severity, Thresholds, Verdict, VerdictKind,
};
use benchgate_stats::hodges_lehmann::hodges_lehmann;
use benchgate_stats::median;
use benchgate_stats::wilcoxon::{min_attainable_p, wilcoxon_signed_rank};

/// What one paired comparison concluded.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedJudgement {
    /// Complete pairs judged.
    pub pairs: usize,
    /// head / base: the back-transformed Hodges–Lehmann estimate of the log-ratios, its
    /// interval, and the difference of the medians (in the samples' unit).
    pub effect: Option<Effect>,
    /// Two-sided signed-rank p-value of the log-ratios.
    pub p_value: Option<f64>,
    /// The p-value adjusted across the benchmarks judged together (fixed pairs only).
    pub q_value: Option<f64>,
    pub kind: VerdictKind,
    pub severity: Option<Severity>,
    pub reason: String,
}

impl PairedJudgement {
    /// The verdict on `measure` of `benchmark` (gating), with the two sides' summaries.
    pub fn into_verdict(
        self,
        benchmark: &str,
        measure: Measure,
        base: Option<&Metric>,
        head: Option<&Metric>,
    ) -> Verdict {
        let side = head.or(base);
        Verdict {
            benchmark: benchmark.to_string(),
            measure,
            unit: side.map_or(benchgate_model::Unit::Nanoseconds, |m| m.unit.clone()),
            direction: side.map_or(Direction::LowerIsBetter, |m| m.direction),
            exact: false,
            kind: self.kind,
            severity: self.severity,
            gating: true,
            baseline: base.map(|m| m.summary.clone()),
            current: head.map(|m| m.summary.clone()),
            effect: self.effect,
            p_value: self.p_value,
            q_value: self.q_value,
            reason: format!("{} (paired)", self.reason),
            caveats: Vec::new(),
        }
    }
}

/// Per-pair log-ratios `ln(head_i / base_i)`; `None` when the lengths differ or a value is not
/// positive and finite (a ratio of times needs both).
pub fn log_ratios(base: &[f64], head: &[f64]) -> Option<Vec<f64>> {
    if base.len() != head.len() {
        return None;
    }
    base.iter()
        .zip(head)
        .map(|(&b, &h)| {
            (b > 0.0 && h > 0.0 && b.is_finite() && h.is_finite()).then(|| (h / b).ln())
        })
        .collect()
}

/// The estimate and its interval at `confidence`, as an [`Effect`] (ratio head/base).
fn estimate(base: &[f64], head: &[f64], confidence: f64) -> Option<(Effect, Option<f64>)> {
    let d = log_ratios(base, head)?;
    let hl = hodges_lehmann(&d, confidence)?;
    let p = wilcoxon_signed_rank(&d).map(|w| w.p_value);
    let delta = median(head)? - median(base)?;
    let effect = Effect {
        ratio: hl.estimate.exp(),
        delta,
        ci: hl.interval.map(|i| Interval {
            lo: i.lo.exp(),
            hi: i.hi.exp(),
            confidence: i.confidence,
        }),
    };
    Some((effect, p))
}

/// How bad a ratio is: > 0 when it goes the bad way, as a fraction of the baseline.
fn worse(direction: Direction, ratio: f64) -> f64 {
    match direction {
        Direction::LowerIsBetter => ratio - 1.0,
        Direction::HigherIsBetter => 1.0 - ratio,
    }
}

/// The conservative ends of an interval of ratios: how bad it is at least, and how good at
/// least (both negative when the interval straddles no change).
fn bounds(direction: Direction, ci: Interval) -> (f64, f64) {
    let (a, b) = (worse(direction, ci.lo), worse(direction, ci.hi));
    (a.min(b), -a.max(b))
}

fn pct(fraction: f64) -> String {
    format_percent(fraction * 100.0)
}

fn interval_text(ci: Interval) -> String {
    format!(
        "{:.1}% interval [{}, {}]",
        ci.confidence * 100.0,
        percent((ci.lo - 1.0) * 100.0),
        percent((ci.hi - 1.0) * 100.0)
    )
}

fn judgement(
    pairs: usize,
    effect: Option<Effect>,
    p_value: Option<f64>,
    kind: VerdictKind,
    severity: Option<Severity>,
    reason: String,
) -> PairedJudgement {
    PairedJudgement {
        pairs,
        effect,
        p_value,
        q_value: None,
        kind,
        severity,
        reason,
    }
}

/// The verdict on a fixed number of pairs (`base[i]` and `head[i]` ran together).
pub fn judge_pairs(
    base: &[f64],
    head: &[f64],
    direction: Direction,
    thresholds: &Thresholds,
) -> PairedJudgement {
    judge_pair_sets(&[(base, head)], direction, thresholds)
        .pop()
        .unwrap_or_else(|| {
            judgement(
                0,
                None,
                None,
                VerdictKind::InsufficientData,
                None,
                "no pairs".into(),
            )
        })
}

/// Verdicts on several benchmarks' pairs at once: the p-values are adjusted across them
/// (Benjamini–Hochberg), so a suite of many benchmarks does not raise false alarms by its size.
pub fn judge_pair_sets(
    sets: &[(&[f64], &[f64])],
    direction: Direction,
    thresholds: &Thresholds,
) -> Vec<PairedJudgement> {
    let estimates: Vec<_> = sets
        .iter()
        .map(|(base, head)| {
            let n = base.len().min(head.len());
            (n, estimate(base, head, thresholds.confidence))
        })
        .collect();
    // Only comparisons that can reach significance take part in the adjustment.
    let testable = |n: usize, e: &Option<(Effect, Option<f64>)>| -> Option<f64> {
        match e {
            Some((effect, Some(p)))
                if effect.ci.is_some() && min_attainable_p(n) <= thresholds.alpha =>
            {
                Some(*p)
            }
            _ => None,
        }
    };
    let raw: Vec<Option<f64>> = estimates.iter().map(|(n, e)| testable(*n, e)).collect();
    let adjusted = crate::metric::adjust(&raw);
    estimates
        .into_iter()
        .zip(adjusted)
        .map(|((n, e), q)| classify_fixed(n, e, q, direction, thresholds))
        .collect()
}

fn classify_fixed(
    n: usize,
    estimated: Option<(Effect, Option<f64>)>,
    q: Option<f64>,
    direction: Direction,
    thresholds: &Thresholds,
) -> PairedJudgement {
    let Some((effect, p)) = estimated else {
        return judgement(
            n,
            None,
            None,
            VerdictKind::InsufficientData,
            None,
            format!("{n} pairs: no estimate (a time that is not positive, or no pairs)"),
        );
    };
    let change = percent(effect.percent());
    let (Some(p), Some(ci)) = (p, effect.ci) else {
        return judgement(
            n,
            Some(effect),
            p,
            VerdictKind::InsufficientData,
            None,
            format!("{change} from {n} pairs, too few for an interval or a test; run more pairs"),
        );
    };
    let Some(q) = q else {
        let min_p = min_attainable_p(n);
        return judgement(
            n,
            Some(effect),
            Some(p),
            VerdictKind::InsufficientData,
            None,
            format!(
                "{n} pairs cannot reach significance at α={} (smallest possible {}); run more",
                thresholds.alpha,
                probability("p", min_p)
            ),
        );
    };
    let p_text = if q == p {
        probability("p", p)
    } else {
        format!("{}, adjusted {}", probability("p", p), probability("q", q))
    };
    let text = format!("{change} ({p_text}, {})", interval_text(ci));
    let (worse_at_least, better_at_least) = bounds(direction, ci);
    let significant = q < thresholds.alpha;
    let (kind, severity, reason) = if significant && worse_at_least >= thresholds.fail {
        (
            VerdictKind::Regressed,
            Some(Severity::Fail),
            format!("{text} reaches the {} fail threshold", pct(thresholds.fail)),
        )
    } else if significant && worse_at_least >= thresholds.warn {
        (
            VerdictKind::Regressed,
            Some(Severity::Warn),
            format!("{text} reaches the {} warn threshold", pct(thresholds.warn)),
        )
    } else if significant && better_at_least >= thresholds.warn {
        (VerdictKind::Improved, None, text)
    } else if significant {
        (
            VerdictKind::Unchanged,
            None,
            format!(
                "significant {text} but not surely beyond ±{}",
                pct(thresholds.warn)
            ),
        )
    } else {
        (
            VerdictKind::Unchanged,
            None,
            format!("no significant change: {text}"),
        )
    };
    let mut j = judgement(n, Some(effect), Some(p), kind, severity, reason);
    j.q_value = Some(q);
    j
}

/// Adaptive stopping on the comparison itself: call [`Sequential::look`] after each batch of
/// pairs; it returns the verdict once the evidence is decisive.
#[derive(Debug, Clone)]
pub struct Sequential {
    direction: Direction,
    thresholds: Thresholds,
    looks: u32,
    last: Option<PairedJudgement>,
}

impl Sequential {
    pub fn new(direction: Direction, thresholds: Thresholds) -> Sequential {
        Sequential {
            direction,
            thresholds,
            looks: 0,
            last: None,
        }
    }

    /// The error rate spent at look `k` (1-based): α·6/(π²k²), summing to α over all looks.
    pub fn alpha_at(alpha: f64, k: u32) -> f64 {
        let k = f64::from(k.max(1));
        alpha * 6.0 / (PI * PI * k * k)
    }

    /// How many looks have been taken.
    pub fn looks(&self) -> u32 {
        self.looks
    }

    /// Looks at the pairs so far. `Some` once decided: the interval (at this look's level) lies
    /// wholly inside ± warn (unchanged), or wholly beyond warn the bad way (regressed; fail when
    /// beyond fail too) or the good way (improved).
    pub fn look(&mut self, base: &[f64], head: &[f64]) -> Option<PairedJudgement> {
        self.looks += 1;
        let alpha_k = Self::alpha_at(self.thresholds.alpha, self.looks);
        let n = base.len().min(head.len());
        let (effect, p) = estimate(base, head, 1.0 - alpha_k)?;
        let ci = effect.ci?;
        let change = percent(effect.percent());
        let (worse_at_least, better_at_least) = bounds(self.direction, ci);
        let warn = self.thresholds.warn;
        let text = format!(
            "{change} after {n} pairs ({}, look {} at α={})",
            interval_text(ci),
            self.looks,
            significant_digits(alpha_k)
        );
        let decided = if worse_at_least >= self.thresholds.fail {
            Some((
                VerdictKind::Regressed,
                Some(Severity::Fail),
                format!(
                    "{text} reaches the {} fail threshold",
                    pct(self.thresholds.fail)
                ),
            ))
        } else if worse_at_least >= warn {
            Some((
                VerdictKind::Regressed,
                Some(Severity::Warn),
                format!("{text} reaches the {} warn threshold", pct(warn)),
            ))
        } else if better_at_least >= warn {
            Some((VerdictKind::Improved, None, text.clone()))
        } else if worse_at_least > -warn && better_at_least > -warn {
            // Both ends inside the band: no change larger than warn either way. A change can be
            // real (significant) and still too small to matter.
            let band = pct(warn);
            let reason = if p.is_some_and(|p| p < self.thresholds.alpha) {
                format!("significant {text} but lies within ±{band}")
            } else {
                format!("{text} lies within ±{band}")
            };
            Some((VerdictKind::Unchanged, None, reason))
        } else {
            None
        };
        let verdict = decided
            .map(|(kind, severity, reason)| judgement(n, Some(effect), p, kind, severity, reason));
        self.last = Some(verdict.clone().unwrap_or_else(|| {
            judgement(
                n,
                Some(effect),
                p,
                VerdictKind::Inconclusive,
                None,
                format!("{text} neither lies within nor beyond ±{}", pct(warn)),
            )
        }));
        verdict
    }

    /// The verdict when sampling had to stop (time or pairs spent): one last look at all the
    /// pairs, which is `inconclusive` unless it decides; `insufficient_data` when there are too
    /// few pairs for an interval.
    pub fn conclude(&mut self, base: &[f64], head: &[f64]) -> PairedJudgement {
        if let Some(decided) = self.look(base, head) {
            return decided;
        }
        let pairs = base.len().min(head.len());
        match self.last.take() {
            Some(mut j) if j.pairs == pairs => {
                j.reason.push_str("; stopped by the time or pair limit");
                j
            }
            // A time that is not positive has no log-ratio: no amount of pairs helps.
            _ if log_ratios(base, head).is_none() => judgement(
                pairs,
                None,
                None,
                VerdictKind::InsufficientData,
                None,
                "a time that is zero, negative or not finite has no ratio to judge".to_string(),
            ),
            _ => judgement(
                pairs,
                None,
                None,
                VerdictKind::InsufficientData,
                None,
                format!("{pairs} pairs are too few for an interval; run more"),
            ),
        }
    }
}

fn significant_digits(x: f64) -> String {
    if x >= 0.001 {
        format!("{x:.4}")
    } else {
        format!("{x:.2e}")
    }
}
