//! The load and memory flags of `benchgate run -- CMD` (`--concurrency 1,10`, `--rate 200/s`,
//! `--memory-every 50ms`, …) read into the same [`LoadSettings`] and [`MemorySettings`] a
//! `[[bench]]` gives, with the same ranges, so a command line and a file cannot disagree on what
//! is valid. Errors name the flag and what it expects.

use std::num::{NonZeroU32, NonZeroUsize};
use std::time::Duration;

use crate::units::{Kind, parse_quantity, parse_rate};
use crate::{
    Arrivals, BurstSettings, DEFAULT_LOAD_DURATION, DEFAULT_MAX_IN_FLIGHT, LoadModel, LoadSettings,
    MAX_BURST_SIZE, MAX_CONCURRENCY, MAX_LEVELS, MAX_LOAD_DURATION, MAX_RATE_PER_S, MemorySettings,
};

/// The flags as given, unparsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadFlags {
    pub concurrency: Option<String>,
    pub rate: Option<String>,
    pub arrivals: Option<String>,
    pub seed: Option<u64>,
    pub ramp: Option<String>,
    pub max_in_flight: Option<String>,
    pub duration: Option<String>,
    pub operations: Option<String>,
    pub memory_every: Option<String>,
    /// `--burst 500`: this many extra starts at once every `--burst-every` (open model).
    pub burst: Option<String>,
    pub burst_every: Option<String>,
}

/// Reads `flags`: the load (`None` without `--concurrency` and `--rate`) and the memory sampling
/// (`None` without `--memory-every`). `Err` is one line naming the flag.
pub fn load_from_flags(
    flags: &LoadFlags,
) -> Result<(Option<LoadSettings>, Option<MemorySettings>), String> {
    let memory = flags
        .memory_every
        .as_deref()
        .map(|text| {
            let every = duration("--memory-every", text)?;
            if !(Duration::from_millis(1)..=Duration::from_secs(60)).contains(&every) {
                return Err(format!("--memory-every {text:?}: must be from 1ms to 60s"));
            }
            Ok(MemorySettings {
                every,
                ..MemorySettings::default()
            })
        })
        .transpose()?;
    let model = match (&flags.concurrency, &flags.rate) {
        (Some(_), Some(_)) => {
            return Err(
                "give --concurrency (closed model) or --rate (open model), not both".into(),
            );
        }
        (None, None) => {
            for (flag, given) in [
                ("--duration", flags.duration.is_some()),
                ("--operations", flags.operations.is_some()),
                ("--arrivals", flags.arrivals.is_some()),
                ("--seed", flags.seed.is_some()),
                ("--ramp", flags.ramp.is_some()),
                ("--max-in-flight", flags.max_in_flight.is_some()),
                ("--burst", flags.burst.is_some()),
                ("--burst-every", flags.burst_every.is_some()),
            ] {
                if given {
                    return Err(format!("{flag} needs --concurrency or --rate"));
                }
            }
            return Ok((None, memory));
        }
        (Some(levels), None) => {
            for (flag, given) in [
                ("--arrivals", flags.arrivals.is_some()),
                ("--seed", flags.seed.is_some()),
                ("--ramp", flags.ramp.is_some()),
                ("--max-in-flight", flags.max_in_flight.is_some()),
                ("--burst", flags.burst.is_some()),
                ("--burst-every", flags.burst_every.is_some()),
            ] {
                if given {
                    return Err(format!("{flag} needs --rate (the open model)"));
                }
            }
            LoadModel::Closed {
                levels: concurrency_levels(levels)?,
            }
        }
        (None, Some(rate)) => open_model(flags, rate)?,
    };
    let duration = flags
        .duration
        .as_deref()
        .map(|text| {
            let d = duration("--duration", text)?;
            if d.is_zero() || d > MAX_LOAD_DURATION {
                return Err(format!(
                    "--duration {text:?}: must be above 0 and at most 24h"
                ));
            }
            Ok(d)
        })
        .transpose()?;
    let operations = flags
        .operations
        .as_deref()
        .map(|text| {
            text.trim()
                .replace('_', "")
                .parse::<u64>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| {
                    format!("--operations {text:?}: expected a whole number, at least 1")
                })
        })
        .transpose()?;
    let settings = LoadSettings {
        model,
        duration,
        operations,
        window: None,
    };
    if let LoadModel::Open {
        ramp: Some(ramp), ..
    } = &settings.model
    {
        let run = settings
            .effective_duration()
            .unwrap_or(DEFAULT_LOAD_DURATION);
        if *ramp > run {
            return Err(format!(
                "--ramp {ramp:?} must not be longer than the run ({run:?})"
            ));
        }
    }
    Ok((Some(settings), memory))
}

fn duration(flag: &str, text: &str) -> Result<Duration, String> {
    match parse_quantity(text) {
        Ok((ns, Kind::Duration)) if ns >= 0.0 && ns.is_finite() => {
            Ok(Duration::from_nanos(ns.round().min(u64::MAX as f64) as u64))
        }
        _ => Err(format!(
            "{flag} {text:?}: expected {}",
            Kind::Duration.example()
        )),
    }
}

fn concurrency_levels(text: &str) -> Result<Vec<NonZeroUsize>, String> {
    let mut levels: Vec<NonZeroUsize> = Vec::new();
    for part in text.split(',') {
        let level = part
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_CONCURRENCY).contains(n))
            .and_then(NonZeroUsize::new)
            .ok_or_else(|| {
                format!(
                    "--concurrency {text:?}: each level must be a whole number from 1 to {MAX_CONCURRENCY}, found {:?}",
                    part.trim()
                )
            })?;
        if levels.contains(&level) {
            return Err(format!(
                "--concurrency {text:?}: level {level} is given twice"
            ));
        }
        levels.push(level);
    }
    if levels.len() > MAX_LEVELS {
        return Err(format!(
            "--concurrency {text:?}: at most {MAX_LEVELS} levels, found {}",
            levels.len()
        ));
    }
    Ok(levels)
}

fn open_model(flags: &LoadFlags, rate: &str) -> Result<LoadModel, String> {
    let rate_per_s = match parse_rate(rate) {
        Some(r) if r > 0.0 && r <= MAX_RATE_PER_S => r,
        Some(_) => {
            return Err(format!(
                "--rate {rate:?}: must be above 0/s and at most {MAX_RATE_PER_S}/s"
            ));
        }
        None => {
            return Err(format!(
                "--rate {rate:?}: expected a rate such as \"200/s\", \"1000/min\" or \"2.5/h\""
            ));
        }
    };
    let arrivals = match flags.arrivals.as_deref() {
        None => Arrivals::Constant,
        Some(text) => Arrivals::parse(text.trim())
            .ok_or_else(|| format!("--arrivals {text:?}: expected constant or poisson"))?,
    };
    if flags.seed.is_some() && arrivals != Arrivals::Poisson {
        return Err("--seed needs --arrivals poisson".into());
    }
    let ramp = flags
        .ramp
        .as_deref()
        .map(|text| duration("--ramp", text))
        .transpose()?;
    let max_in_flight = match flags.max_in_flight.as_deref() {
        None => NonZeroUsize::new(DEFAULT_MAX_IN_FLIGHT).unwrap_or(NonZeroUsize::MIN),
        Some(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_CONCURRENCY).contains(n))
            .and_then(NonZeroUsize::new)
            .ok_or_else(|| {
                format!(
                    "--max-in-flight {text:?}: expected a whole number from 1 to {MAX_CONCURRENCY}"
                )
            })?,
    };
    Ok(LoadModel::Open {
        rate_per_s,
        rate_as_written: rate.trim().to_string(),
        arrivals,
        seed: flags.seed,
        ramp,
        burst: burst(flags)?,
        max_in_flight,
    })
}

/// `--burst SIZE` with `--burst-every` (default 1 s).
fn burst(flags: &LoadFlags) -> Result<Option<BurstSettings>, String> {
    let Some(text) = flags.burst.as_deref() else {
        if flags.burst_every.is_some() {
            return Err("--burst-every needs --burst".into());
        }
        return Ok(None);
    };
    let size = text
        .trim()
        .replace('_', "")
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_BURST_SIZE).contains(n))
        .and_then(NonZeroU32::new)
        .ok_or_else(|| {
            format!("--burst {text:?}: expected a whole number from 1 to {MAX_BURST_SIZE}")
        })?;
    let every = match flags.burst_every.as_deref() {
        None => Duration::from_secs(1),
        Some(text) => {
            let every = duration("--burst-every", text)?;
            if every < Duration::from_millis(1) {
                return Err(format!("--burst-every {text:?}: must be at least 1ms"));
            }
            every
        }
    };
    Ok(Some(BurstSettings { size, every }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags() -> LoadFlags {
        LoadFlags::default()
    }

    #[test]
    fn a_burst_rides_on_the_open_model_every_second_unless_told() {
        let (load, _) = load_from_flags(&LoadFlags {
            rate: Some("10/s".into()),
            burst: Some("500".into()),
            ..flags()
        })
        .unwrap();
        let burst = match load.unwrap().model {
            LoadModel::Open { burst, .. } => burst,
            other => panic!("open model expected, got {other:?}"),
        };
        assert_eq!(
            burst,
            Some(BurstSettings {
                size: NonZeroU32::new(500).unwrap(),
                every: Duration::from_secs(1),
            })
        );
        let every = |text: &str| {
            load_from_flags(&LoadFlags {
                rate: Some("10/s".into()),
                burst: Some("5".into()),
                burst_every: Some(text.into()),
                ..flags()
            })
        };
        assert!(matches!(
            every("250ms").unwrap().0.unwrap().model,
            LoadModel::Open { burst: Some(BurstSettings { every, .. }), .. } if every == Duration::from_millis(250)
        ));
        assert_eq!(
            every("0ms").unwrap_err(),
            "--burst-every \"0ms\": must be at least 1ms"
        );
        let closed = load_from_flags(&LoadFlags {
            concurrency: Some("4".into()),
            burst: Some("5".into()),
            ..flags()
        });
        assert_eq!(closed.unwrap_err(), "--burst needs --rate (the open model)");
        let zero = load_from_flags(&LoadFlags {
            rate: Some("10/s".into()),
            burst: Some("0".into()),
            ..flags()
        });
        assert_eq!(
            zero.unwrap_err(),
            "--burst \"0\": expected a whole number from 1 to 100000"
        );
    }

    #[test]
    fn levels_and_a_duration_make_a_closed_load() {
        let (load, memory) = load_from_flags(&LoadFlags {
            concurrency: Some("1, 10,50".into()),
            duration: Some("2s".into()),
            memory_every: Some("20ms".into()),
            ..flags()
        })
        .unwrap();
        let load = load.unwrap();
        let levels: Vec<usize> = match &load.model {
            LoadModel::Closed { levels } => levels.iter().map(|n| n.get()).collect(),
            other => panic!("closed model expected, got {other:?}"),
        };
        assert_eq!(levels, [1, 10, 50]);
        assert_eq!(load.duration, Some(Duration::from_secs(2)));
        assert_eq!(load.effective_window(), Duration::from_millis(200));
        assert_eq!(memory.unwrap().every, Duration::from_millis(20));
    }

    #[test]
    fn a_rate_makes_an_open_load_with_defaults() {
        let (load, memory) = load_from_flags(&LoadFlags {
            rate: Some("12/min".into()),
            arrivals: Some("poisson".into()),
            seed: Some(7),
            ..flags()
        })
        .unwrap();
        assert_eq!(memory, None);
        match load.unwrap().model {
            LoadModel::Open {
                rate_per_s,
                rate_as_written,
                arrivals,
                seed,
                max_in_flight,
                ..
            } => {
                assert_eq!(rate_per_s, 0.2);
                assert_eq!(rate_as_written, "12/min");
                assert_eq!(arrivals, Arrivals::Poisson);
                assert_eq!(seed, Some(7));
                assert_eq!(max_in_flight.get(), DEFAULT_MAX_IN_FLIGHT);
            }
            other => panic!("open model expected, got {other:?}"),
        }
    }

    #[test]
    fn bad_flags_name_the_flag_and_what_it_expects() {
        let cases: [(LoadFlags, &str); 9] = [
            (
                LoadFlags {
                    concurrency: Some("0".into()),
                    ..flags()
                },
                "--concurrency \"0\": each level must be a whole number from 1 to 10000, found \"0\"",
            ),
            (
                LoadFlags {
                    concurrency: Some("1,1".into()),
                    ..flags()
                },
                "--concurrency \"1,1\": level 1 is given twice",
            ),
            (
                LoadFlags {
                    rate: Some("-1/s".into()),
                    ..flags()
                },
                "--rate \"-1/s\": must be above 0/s and at most 1000000/s",
            ),
            (
                LoadFlags {
                    rate: Some("fast".into()),
                    ..flags()
                },
                "--rate \"fast\": expected a rate such as \"200/s\", \"1000/min\" or \"2.5/h\"",
            ),
            (
                LoadFlags {
                    rate: Some("5/s".into()),
                    arrivals: Some("bursty".into()),
                    ..flags()
                },
                "--arrivals \"bursty\": expected constant or poisson",
            ),
            (
                LoadFlags {
                    duration: Some("1s".into()),
                    ..flags()
                },
                "--duration needs --concurrency or --rate",
            ),
            (
                LoadFlags {
                    concurrency: Some("2".into()),
                    ramp: Some("1s".into()),
                    ..flags()
                },
                "--ramp needs --rate (the open model)",
            ),
            (
                LoadFlags {
                    concurrency: Some("2".into()),
                    operations: Some("0".into()),
                    ..flags()
                },
                "--operations \"0\": expected a whole number, at least 1",
            ),
            (
                LoadFlags {
                    memory_every: Some("0ms".into()),
                    ..flags()
                },
                "--memory-every \"0ms\": must be from 1ms to 60s",
            ),
        ];
        for (flags, message) in cases {
            assert_eq!(load_from_flags(&flags).unwrap_err(), message, "{flags:?}");
        }
    }
}
