//! Human units on the command line: durations (`20s`, `500ms`, `20us`, `1.5m`) and percentages
//! (`5%`). Negative or non-finite values are refused with the accepted forms.

use std::fmt;
use std::str::FromStr;

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
    fn from_str(text: &str) -> Result<Self, String> {
        let s = text.trim();
        let split = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e'))
            .unwrap_or(s.len());
        let (number, unit) = s.split_at(split);
        let scale = match unit.trim() {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" | "" => 1e9,
            "m" | "min" => 60e9,
            "h" => 3600e9,
            other => {
                return Err(format!(
                    "unknown duration unit {other:?} in {text:?} (use ns, us, ms, s, m or h, e.g. 20s)"
                ));
            }
        };
        let value: f64 = number
            .parse()
            .map_err(|_| format!("{text:?} is not a duration (e.g. 500ms, 20s, 20us)"))?;
        if !value.is_finite() || value < 0.0 {
            return Err(format!("{text:?}: a duration must be zero or positive"));
        }
        Ok(Duration {
            nanos: value * scale,
        })
    }
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
    fn from_str(text: &str) -> Result<Self, String> {
        let number = text.trim().trim_end_matches('%').trim();
        let value: f64 = number
            .parse()
            .map_err(|_| format!("{text:?} is not a percentage (e.g. 5%)"))?;
        if !value.is_finite() || value < 0.0 {
            return Err(format!("{text:?}: a percentage must be zero or positive"));
        }
        Ok(Percent {
            fraction: value / 100.0,
        })
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
        assert_eq!("0.25".parse::<Duration>().unwrap().nanos, 0.25e9);
        assert!(
            "-1s"
                .parse::<Duration>()
                .unwrap_err()
                .contains("zero or positive")
        );
        assert!(
            "5 parsecs"
                .parse::<Duration>()
                .unwrap_err()
                .contains("unknown duration unit")
        );
        assert!("fast".parse::<Duration>().is_err());
    }

    #[test]
    fn parses_percentages() {
        assert_eq!("5%".parse::<Percent>().unwrap().fraction, 0.05);
        assert_eq!("12.5".parse::<Percent>().unwrap().fraction, 0.125);
        assert!("-5%".parse::<Percent>().is_err());
        assert!("lots".parse::<Percent>().is_err());
    }
}
