//! The leak verdict on a memory series (SPEC §4.4): the growth that `benchgate_stats` fits (pure
//! math) judged against a [`LeakBudget`] by the rule in `benchgate_model::LeakBudget::is_leak`
//! (shared with the harness's leak check), with a reason a human can read:
//! `grows 9.800MB/s (+412.0% over the run, 10% allowed): leak`.

use benchgate_model::display::{format_percent, format_value, percent};
use benchgate_model::{LeakBudget, LeakGrowth, Series, Unit};
use benchgate_stats::{MemoryGrowth, MemoryPoint, memory_growth};

/// What [`leak_check`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeakVerdict {
    /// Growth over every bound of the budget.
    Leak,
    /// Growth within at least one bound, or no growth at all.
    WithinBudget,
    /// The series or the budget cannot tell (too few points, no bound, …).
    CannotTell,
}

/// A [`LeakVerdict`] with its one-line reason.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakCheck {
    pub verdict: LeakVerdict,
    /// `grows 9.800MB/s (+412.0% over the run, 10% allowed): leak`, or why it cannot tell.
    pub reason: String,
}

impl LeakCheck {
    fn cannot_tell(reason: String) -> LeakCheck {
        LeakCheck {
            verdict: LeakVerdict::CannotTell,
            reason,
        }
    }
}

/// Judges a fitted growth against `budget`. Fewer fitted points than
/// [`benchgate_stats::memory_growth::MIN_POINTS`] cannot tell.
pub fn leak_check(growth: &MemoryGrowth, budget: &LeakBudget) -> LeakCheck {
    use benchgate_stats::memory_growth::MIN_POINTS;
    if growth.points < MIN_POINTS {
        return LeakCheck::cannot_tell(format!(
            "{} memory reading(s) after warm-up; at least {MIN_POINTS} are needed to tell growth",
            growth.points
        ));
    }
    let figures = LeakGrowth {
        growth_bytes: growth.growth_bytes,
        growth_percent: growth.growth_fraction * 100.0,
        bytes_per_op: growth.bytes_per_op,
    };
    let leak = match budget.is_leak(&figures) {
        Ok(leak) => leak,
        Err(reason) => return LeakCheck::cannot_tell(reason),
    };
    let (verdict, word) = if leak {
        (LeakVerdict::Leak, "leak")
    } else {
        (LeakVerdict::WithinBudget, "within budget")
    };
    LeakCheck {
        verdict,
        reason: format!("{}: {word}", describe(growth, &figures, budget)),
    }
}

/// Fits the growth of `points` after the first `warmup_fraction` of their time span and judges
/// it (see [`leak_check`]); a series that cannot be fitted cannot tell, with the reason.
pub fn leak_check_points(
    points: &[MemoryPoint],
    warmup_fraction: f64,
    budget: &LeakBudget,
) -> LeakCheck {
    match memory_growth(points, warmup_fraction) {
        Ok(growth) => leak_check(&growth, budget),
        Err(reason) => LeakCheck::cannot_tell(reason),
    }
}

/// Judges a series kept with a run (`Benchmark.series`, values in bytes, `t` in seconds) as
/// [`leak_check_points`] does; operations are not known, so a per-operation bound cannot tell.
pub fn leak_check_series(series: &Series, warmup_fraction: f64, budget: &LeakBudget) -> LeakCheck {
    let points: Vec<MemoryPoint> = series
        .points
        .iter()
        .map(|p| MemoryPoint::new(p.t, p.value))
        .collect();
    leak_check_points(&points, warmup_fraction, budget)
}

/// `grows 9.800MB/s (+412.0% over the run, 10% allowed; +41.20MiB, 1MiB allowed; 120.0 B/op,
/// 64 B/op allowed)`: the rate, then each figure a bound is set on (the percentage always).
fn describe(growth: &MemoryGrowth, figures: &LeakGrowth, budget: &LeakBudget) -> String {
    let rate = growth.bytes_per_second;
    let trend = if rate > 0.0 {
        format!("grows {}", format_value(rate, &Unit::BytesPerSecond))
    } else if rate < 0.0 {
        format!("shrinks {}", format_value(-rate, &Unit::BytesPerSecond))
    } else {
        "stays flat".to_string()
    };
    let mut parts = vec![match budget.max_growth_percent {
        Some(bound) => format!(
            "{} over the run, {} allowed",
            percent(figures.growth_percent),
            format_percent(bound)
        ),
        None => format!("{} over the run", percent(figures.growth_percent)),
    }];
    if let Some(bound) = budget.max_growth_bytes {
        parts.push(format!(
            "{}{}, {} allowed",
            if figures.growth_bytes >= 0.0 { "+" } else { "" },
            format_value(figures.growth_bytes, &Unit::Bytes),
            format_value(bound, &Unit::Bytes)
        ));
    }
    if let (Some(bound), Some(per_op)) = (budget.max_bytes_per_op, figures.bytes_per_op) {
        let per_op_unit = Unit::Custom("B/op".into());
        parts.push(format!(
            "{}, {} allowed",
            format_value(per_op, &per_op_unit),
            format_value(bound, &per_op_unit)
        ));
    }
    format!("{trend} ({})", parts.join("; "))
}
