//! Human units on the command line: durations (`20s`, `500ms`, `20us`, `1.5m`) and percentages
//! (`5%`), read by the same parser as `benchgate.toml` so that a value means the same in both.
//! Negative, non-finite or unit-less values are refused with the accepted forms.

use std::fmt;
use std::str::FromStr;

use benchgate_config::{Kind, parse_quantity};
use benchgate_model::display::trim;

/// A non-negative duration, kept in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Duration {
    pub nanos: f64,
}

impl Duration {
    pub fn to_std(self) -> std::time::Duration {
        std::time::Duration::from_nanos(self.nanos.round() as u64)
    }
}

impl FromStr for Duration {
    type Err = String;
    /// Read as `benchgate.toml` reads a duration (one parser): a number with its unit.
    fn from_str(text: &str) -> Result<Self, String> {
        let expected = |why: String| format!("{why}; expected {}", Kind::Duration.example());
        match parse_quantity(text).map_err(expected)? {
            (nanos, Kind::Duration) => Ok(Duration { nanos }),
            (_, kind) => Err(format!(
                "{text:?} is {kind}; expected {}",
                Kind::Duration.example()
            )),
        }
    }
}

/// A duration longer than zero (`--max-time`, `--timeout`): 0 would end every run at once.
pub fn positive_duration(text: &str) -> Result<Duration, String> {
    let duration: Duration = text.parse()?;
    if duration.nanos.round() < 1.0 {
        return Err(format!("{text:?}: the duration must be longer than zero"));
    }
    Ok(duration)
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ns", self.nanos)
    }
}

/// How long ago, for `runs prune --older-than`: a positive number of seconds, minutes, hours,
/// days or weeks (`30d`, `12h`, `2w`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Age {
    pub seconds: f64,
}

impl FromStr for Age {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let s = text.trim();
        let split = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let (number, unit) = s.split_at(split);
        let scale = match unit.trim() {
            "s" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            "w" => 604_800.0,
            _ => return Err(format!("{text:?} is not an age (e.g. 30d, 12h, 2w)")),
        };
        match number.parse::<f64>() {
            Ok(value) if value.is_finite() && value > 0.0 => Ok(Age {
                seconds: value * scale,
            }),
            _ => Err(format!("{text:?} is not an age (e.g. 30d, 12h, 2w)")),
        }
    }
}

/// A percentage, kept as a fraction (5% → 0.05).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percent {
    pub fraction: f64,
}

impl FromStr for Percent {
    type Err = String;
    /// Read as `benchgate.toml` reads a percentage (one parser): `5%`. A bare number is refused:
    /// `0.05` could mean 5 % or 0.05 %.
    fn from_str(text: &str) -> Result<Self, String> {
        let expected = |why: String| format!("{why}; expected {}", Kind::Percent.example());
        match parse_quantity(text).map_err(expected)? {
            (fraction, Kind::Percent) => Ok(Percent { fraction }),
            (value, Kind::Plain) => Err(format!(
                "{text:?} has no unit; write a percentage such as \"5%\" ({} could mean {} % or {} %)",
                text.trim(),
                trim(value),
                trim(value * 100.0)
            )),
            (_, kind) => Err(format!(
                "{text:?} is {kind}; expected {}",
                Kind::Percent.example()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!("20s".parse::<Duration>().unwrap().nanos, 20e9);
        assert_eq!("500ms".parse::<Duration>().unwrap().nanos, 500e6);
        assert_eq!("20us".parse::<Duration>().unwrap().nanos, 20e3);
        assert_eq!("20µs".parse::<Duration>().unwrap().nanos, 20e3);
        assert_eq!("1.5m".parse::<Duration>().unwrap().nanos, 90e9);
        assert_eq!(
            "0.25".parse::<Duration>().unwrap_err(),
            "\"0.25\" is a plain number; expected a duration such as \"500ms\", \"20s\" or \"20us\""
        );
        assert_eq!(
            "-1s".parse::<Duration>().unwrap_err(),
            "\"-1s\" is negative; expected a duration such as \"500ms\", \"20s\" or \"20us\""
        );
        assert!(
            "5 parsecs"
                .parse::<Duration>()
                .unwrap_err()
                .contains("unknown unit `parsecs`")
        );
        assert_eq!("0s".parse::<Duration>().unwrap().nanos, 0.0);
        assert!(
            positive_duration("0s")
                .unwrap_err()
                .contains("longer than zero")
        );
        assert!(
            positive_duration("1e-300s")
                .unwrap_err()
                .contains("longer than zero")
        );
        assert_eq!(positive_duration("1ns").unwrap().nanos, 1.0);
        assert!("fast".parse::<Duration>().is_err());
    }

    #[test]
    fn parses_percentages() {
        assert_eq!("5%".parse::<Percent>().unwrap().fraction, 0.05);
        assert_eq!("12.5%".parse::<Percent>().unwrap().fraction, 0.125);
        assert_eq!(
            "0.05".parse::<Percent>().unwrap_err(),
            "\"0.05\" has no unit; write a percentage such as \"5%\" (0.05 could mean 0.05 % or 5 %)"
        );
        assert!(
            "5ms"
                .parse::<Percent>()
                .unwrap_err()
                .contains("is a duration")
        );
        assert!("-5%".parse::<Percent>().is_err());
        assert!("lots".parse::<Percent>().is_err());
    }
}
