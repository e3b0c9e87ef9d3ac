//! A `[[bench]]`'s load keys (`concurrency` or `rate` and what goes with them, SPEC §4.3),
//! `memory` and `watch` (SPEC §4.4): checked when the file loads, so a bad value stops the run
//! before anything is measured.

use std::collections::BTreeSet;
use std::num::{NonZeroU32, NonZeroUsize};
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use toml::de::DeValue;

use super::{Ctx, Section, Val, expand};
use crate::units::{Kind, parse_rate};
use crate::{
    Arrivals, BurstSettings, ConfigError, DEFAULT_LOAD_DURATION, DEFAULT_MAX_IN_FLIGHT, LoadModel,
    LoadSettings, MAX_BURST_SIZE, MAX_CONCURRENCY, MAX_LEVELS, MAX_LOAD_DURATION, MAX_RATE_PER_S,
    MAX_WINDOWS, MIN_WINDOW, MemorySettings, WatchSettings,
};

/// The bench keys this module reads.
pub(super) const LOAD_KEYS: [&str; 12] = [
    "concurrency",
    "rate",
    "arrivals",
    "seed",
    "ramp",
    "burst",
    "max_in_flight",
    "duration",
    "operations",
    "window",
    "memory",
    "watch",
];
/// Keys of the open model only.
const OPEN_KEYS: [&str; 5] = ["arrivals", "seed", "ramp", "burst", "max_in_flight"];
/// Keys of either model.
const RUN_KEYS: [&str; 3] = ["duration", "operations", "window"];
const BURST_KEYS: [&str; 2] = ["size", "every"];
const MEMORY_KEYS: [&str; 4] = ["every", "warmup", "max_growth", "max_growth_per_op"];
const WATCH_KEYS: [&str; 1] = ["pid_file"];
const RATE_EXAMPLE: &str = "a rate such as \"200/s\", \"1000/min\" or \"2.5/h\"";
/// The range of `memory.every`.
const SAMPLING_PERIODS: RangeInclusive<Duration> =
    Duration::from_millis(1)..=Duration::from_secs(60);
/// `memory.warmup` must be below this fraction: the growth fit needs the rest of the run.
const MAX_MEMORY_WARMUP: f64 = 0.9;

/// The value as the file writes it (`"0ms"`, `0`), for messages.
fn written<'t>(ctx: &Ctx<'t>, value: &Val) -> &'t str {
    ctx.text.get(value.span()).unwrap_or("")
}

/// An integer in `range`, with the value it came from.
fn integer_in<'a, 'i>(
    ctx: &Ctx,
    s: &Section<'a, 'i>,
    key: &str,
    range: RangeInclusive<i64>,
) -> Result<Option<(i64, &'a Val<'i>)>, ConfigError> {
    let Some(value) = s.get(key) else {
        return Ok(None);
    };
    let DeValue::Integer(i) = value.get_ref() else {
        return Err(s.wrong_type(ctx, key, value, "an integer"));
    };
    let n = i64::from_str_radix(i.as_str(), i.radix())
        .map_err(|_| s.bad(ctx, key, value, "integer out of range"))?;
    if range.contains(&n) {
        return Ok(Some((n, value)));
    }
    let expected = if *range.end() == i64::MAX {
        format!("must be at least {}", range.start())
    } else {
        format!("must be from {} to {}", range.start(), range.end())
    };
    Err(s.bad(ctx, key, value, format!("{expected}, found {n}")))
}

/// `concurrency` or `rate` and the keys that go with them; `None` when the bench has neither
/// (then none of those keys may be given).
pub(super) fn load_settings(ctx: &Ctx, s: &Section) -> Result<Option<LoadSettings>, ConfigError> {
    let given = |keys: &[&'static str]| {
        keys.iter()
            .find_map(|key| s.get(key).map(|value| (*key, value)))
    };
    let model = match (s.get("concurrency"), s.get("rate")) {
        (Some(_), Some(rate)) => {
            return Err(s.bad(
                ctx,
                "rate",
                rate,
                "give `concurrency` (closed model) or `rate` (open model), not both",
            ));
        }
        (None, None) => {
            if let Some((key, value)) = given(&OPEN_KEYS) {
                return Err(s.bad(ctx, key, value, "needs `rate` (the open model)"));
            }
            if let Some((key, value)) = given(&RUN_KEYS) {
                return Err(s.bad(
                    ctx,
                    key,
                    value,
                    "needs `concurrency` or `rate` (without them the command runs one at a time, for `runs`)",
                ));
            }
            return Ok(None);
        }
        (Some(levels), None) => {
            if let Some((key, value)) = given(&OPEN_KEYS) {
                return Err(s.bad(
                    ctx,
                    key,
                    value,
                    "needs `rate` (the open model); with `concurrency` each operation starts when another ends",
                ));
            }
            LoadModel::Closed {
                levels: concurrency_levels(ctx, s, levels)?,
            }
        }
        (None, Some(rate)) => open_model(ctx, s, rate)?,
    };
    let duration = s.duration(ctx, "duration", false)?;
    if let (Some(d), Some(value)) = (duration, s.get("duration"))
        && d > MAX_LOAD_DURATION
    {
        return Err(s.bad(
            ctx,
            "duration",
            value,
            format!("must be at most 24h, found {}", written(ctx, value)),
        ));
    }
    let operations = integer_in(ctx, s, "operations", 1..=i64::MAX)?.map(|(n, _)| n as u64);
    let settings = LoadSettings {
        model,
        duration,
        operations,
        window: s.duration(ctx, "window", false)?,
    };
    if let (Some(window), Some(value)) = (settings.window, s.get("window")) {
        let bounded = settings.effective_duration();
        if window < MIN_WINDOW {
            return Err(s.bad(
                ctx,
                "window",
                value,
                format!("must be at least 1ms, found {}", written(ctx, value)),
            ));
        }
        if let Some(d) = bounded
            && window >= d
        {
            let whose = if settings.duration.is_some() {
                format!("`duration` ({d:?})")
            } else {
                format!("the default duration ({DEFAULT_LOAD_DURATION:?})")
            };
            return Err(s.bad(
                ctx,
                "window",
                value,
                format!("must be shorter than {whose}"),
            ));
        }
        if let Some(d) = bounded
            && d.as_nanos() / window.as_nanos() > MAX_WINDOWS
        {
            return Err(s.bad(
                ctx,
                "window",
                value,
                format!("cuts {d:?} into more than {MAX_WINDOWS} windows; make it longer"),
            ));
        }
    }
    if let LoadModel::Open {
        ramp: Some(ramp), ..
    } = &settings.model
        && let Some(d) = settings.effective_duration()
        && *ramp > d
        && let Some(value) = s.get("ramp")
    {
        return Err(s.bad(
            ctx,
            "ramp",
            value,
            format!("must not be longer than the run ({d:?})"),
        ));
    }
    Ok(Some(settings))
}

/// Refuses a parameter named like the load level's own (`concurrency`, `rate`): a level's
/// benchmark carries it as a parameter.
pub(super) fn check_level_parameter(
    ctx: &Ctx,
    s: &Section,
    load: &LoadSettings,
) -> Result<(), ConfigError> {
    let name = match load.model {
        LoadModel::Closed { .. } => "concurrency",
        LoadModel::Open { .. } => "rate",
    };
    if let Some(params) = s.table(ctx, "params")?
        && let Some(value) = params.get(name)
    {
        return Err(params.bad(
            ctx,
            name,
            value,
            format!("is the parameter `{name}` gives each level; rename this one"),
        ));
    }
    Ok(())
}

/// `concurrency = [1, 10, 50]`: distinct levels, in the order given.
fn concurrency_levels(
    ctx: &Ctx,
    s: &Section,
    value: &Val,
) -> Result<Vec<NonZeroUsize>, ConfigError> {
    let key = "concurrency";
    let DeValue::Array(items) = value.get_ref() else {
        return Err(s.wrong_type(ctx, key, value, "an array of levels such as [1, 10, 50]"));
    };
    if items.is_empty() {
        return Err(s.bad(
            ctx,
            key,
            value,
            "needs at least one level (such as [1, 10, 50])",
        ));
    }
    if items.len() > MAX_LEVELS {
        return Err(s.bad(
            ctx,
            key,
            value,
            format!("has {} levels; at most {MAX_LEVELS}", items.len()),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut levels = Vec::with_capacity(items.len());
    for item in items.iter() {
        let DeValue::Integer(i) = item.get_ref() else {
            return Err(s.wrong_type(ctx, key, item, "an integer"));
        };
        let level = i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| (1..=MAX_CONCURRENCY).contains(n))
            .and_then(NonZeroUsize::new)
            .ok_or_else(|| {
                s.bad(
                    ctx,
                    key,
                    item,
                    format!(
                        "each level must be from 1 to {MAX_CONCURRENCY}, found {}",
                        i.as_str()
                    ),
                )
            })?;
        if !seen.insert(level) {
            return Err(s.bad(ctx, key, item, format!("level {level} is given twice")));
        }
        levels.push(level);
    }
    Ok(levels)
}

/// `rate` and the open model's own keys.
fn open_model(ctx: &Ctx, s: &Section, rate: &Val) -> Result<LoadModel, ConfigError> {
    let DeValue::String(text) = rate.get_ref() else {
        return Err(s.wrong_type(ctx, "rate", rate, RATE_EXAMPLE));
    };
    let rate_as_written = text.trim().to_string();
    let rate_per_s = match parse_rate(text) {
        None => {
            return Err(s.bad(
                ctx,
                "rate",
                rate,
                format!("expected {RATE_EXAMPLE}, found {text:?}"),
            ));
        }
        Some(r) if r <= 0.0 => {
            return Err(s.bad(
                ctx,
                "rate",
                rate,
                format!("must be greater than 0/s, found {text:?}"),
            ));
        }
        Some(r) if r > MAX_RATE_PER_S => {
            return Err(s.bad(
                ctx,
                "rate",
                rate,
                format!("must be at most {MAX_RATE_PER_S}/s, found {text:?}"),
            ));
        }
        Some(r) => r,
    };
    let arrivals = match s.get("arrivals") {
        None => Arrivals::default(),
        Some(value) => match value.get_ref() {
            DeValue::String(name) => Arrivals::parse(name.trim()).ok_or_else(|| {
                s.bad(
                    ctx,
                    "arrivals",
                    value,
                    format!(
                        "unknown arrivals {:?} (expected \"constant\" or \"poisson\")",
                        name.trim()
                    ),
                )
            })?,
            _ => {
                return Err(s.wrong_type(ctx, "arrivals", value, "\"constant\" or \"poisson\""));
            }
        },
    };
    let seed = match integer_in(ctx, s, "seed", 0..=i64::MAX)? {
        Some((_, value)) if arrivals == Arrivals::Constant => {
            return Err(s.bad(
                ctx,
                "seed",
                value,
                "only applies with arrivals = \"poisson\" (constant arrivals are not random)",
            ));
        }
        seed => seed.map(|(n, _)| n as u64),
    };
    let ramp = s.duration(ctx, "ramp", false)?;
    let burst = match s.table(ctx, "burst")? {
        None => None,
        Some(b) => {
            b.check_keys(ctx, &BURST_KEYS)?;
            let size = integer_in(ctx, &b, "size", 1..=i64::from(MAX_BURST_SIZE))?
                .and_then(|(n, _)| NonZeroU32::new(n as u32))
                .ok_or_else(|| b.missing(ctx, "size"))?;
            let every = b
                .duration(ctx, "every", false)?
                .ok_or_else(|| b.missing(ctx, "every"))?;
            Some(BurstSettings { size, every })
        }
    };
    let max_in_flight = integer_in(ctx, s, "max_in_flight", 1..=MAX_CONCURRENCY as i64)?
        .map_or(DEFAULT_MAX_IN_FLIGHT, |(n, _)| n as usize);
    Ok(LoadModel::Open {
        rate_per_s,
        rate_as_written,
        arrivals,
        seed,
        ramp,
        burst,
        max_in_flight: NonZeroUsize::new(max_in_flight).unwrap_or(NonZeroUsize::MIN),
    })
}

/// `memory = { every, warmup, max_growth, max_growth_per_op }`.
pub(super) fn memory_settings(
    ctx: &Ctx,
    s: &Section,
) -> Result<Option<MemorySettings>, ConfigError> {
    let Some(m) = s.table(ctx, "memory")? else {
        return Ok(None);
    };
    m.check_keys(ctx, &MEMORY_KEYS)?;
    let mut settings = MemorySettings::default();
    if let Some(every) = m.duration(ctx, "every", true)?
        && let Some(value) = m.get("every")
    {
        if !SAMPLING_PERIODS.contains(&every) {
            return Err(m.bad(
                ctx,
                "every",
                value,
                format!("must be from 1ms to 60s, found {}", written(ctx, value)),
            ));
        }
        settings.every = every;
    }
    if let Some((fraction, value)) = m.quantity(ctx, "warmup", Kind::Percent, false)? {
        if fraction >= MAX_MEMORY_WARMUP {
            return Err(m.bad(
                ctx,
                "warmup",
                value,
                format!(
                    "must be below 90% (the growth is fitted over the rest of the run), found {}",
                    written(ctx, value)
                ),
            ));
        }
        settings.warmup_fraction = fraction;
    }
    settings.max_growth = m.percent(ctx, "max_growth")?;
    if let Some((bytes, value)) = m.quantity(ctx, "max_growth_per_op", Kind::Size, true)? {
        if bytes.round() < 1.0 {
            return Err(m.bad(
                ctx,
                "max_growth_per_op",
                value,
                format!("must be at least 1B, found {}", written(ctx, value)),
            ));
        }
        if bytes >= u64::MAX as f64 {
            return Err(m.bad(ctx, "max_growth_per_op", value, "is too large"));
        }
        settings.max_growth_per_op = Some(bytes.round() as u64);
    }
    Ok(Some(settings))
}

/// `watch = { pid_file }`, `${VAR}` expanded (variables in `allowed_unset` may be unset: they
/// are returned, for the bench to be skipped). Only with load or `memory`: what would sample it
/// otherwise.
pub(super) fn watch_settings(
    ctx: &Ctx,
    s: &Section,
    allowed_unset: &[String],
) -> Result<Option<(WatchSettings, Vec<String>)>, ConfigError> {
    let Some(w) = s.table(ctx, "watch")? else {
        return Ok(None);
    };
    w.check_keys(ctx, &WATCH_KEYS)?;
    let (text, value) = w
        .string(ctx, "pid_file")?
        .ok_or_else(|| w.missing(ctx, "pid_file"))?;
    if ["concurrency", "rate", "memory"]
        .iter()
        .all(|key| s.get(key).is_none())
        && let Some(watch) = s.get("watch")
    {
        return Err(s.bad(
            ctx,
            "watch",
            watch,
            "needs `concurrency`, `rate` or `memory` (a watched process is sampled while the bench drives it)",
        ));
    }
    let (pid_file, missing) = expand(ctx, &w, "pid_file", text, value, allowed_unset)?;
    Ok(Some((
        WatchSettings {
            pid_file: PathBuf::from(pid_file),
        },
        missing,
    )))
}
