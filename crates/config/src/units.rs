//! Human units: durations, sizes, rates, percentages and plain numbers, as written in
//! `benchgate.toml`, turned into canonical values (ns, bytes, per second, ratio, count).

use std::fmt;

use benchgate_model::human_units::{
    DURATION_SUFFIXES as DURATIONS, MULTIPLIERS as RATE_PREFIXES, SIZE_SUFFIXES as SIZES,
};

/// The family a written quantity belongs to, judged by its suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `500ms`, `20s`, `20us`, `1.5m`: value in nanoseconds.
    Duration,
    /// `512B`, `1KiB`, `1GB`: value in bytes.
    Size,
    /// `10000/s`, `10k/s`: value per second.
    Rate,
    /// `5%`: value as a ratio (0.05).
    Percent,
    /// No unit: the number itself.
    Plain,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Duration => "a duration",
            Kind::Size => "a size",
            Kind::Rate => "a rate",
            Kind::Percent => "a percentage",
            Kind::Plain => "a plain number",
        }
    }

    /// What a user should write instead, for error messages.
    pub fn example(self) -> &'static str {
        match self {
            Kind::Duration => "a duration such as \"500ms\", \"20s\" or \"20us\"",
            Kind::Size => "a size such as \"512B\", \"64MiB\" or \"1GB\"",
            Kind::Rate => "a rate such as \"10000/s\" or \"2.5M/s\"",
            Kind::Percent => "a percentage such as \"5%\"",
            Kind::Plain => "a plain number such as 12",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Parses `text` into its canonical value and kind. Rejects anything that is not a finite,
/// non-negative number with a known unit. The error is a phrase to follow the key's name.
pub fn parse_quantity(text: &str) -> Result<(f64, Kind), String> {
    let t = text.trim();
    let split = t
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || c == '.'
                || c == '_'
                || ((c == '+' || c == '-') && (i == 0 || t[..i].ends_with(['e', 'E'])))
                || ((c == 'e' || c == 'E')
                    && i > 0
                    && t[i + 1..]
                        .starts_with(|n: char| n.is_ascii_digit() || n == '-' || n == '+')))
        })
        .map_or(t.len(), |(i, _)| i);
    let (number, unit) = t.split_at(split);
    let unit = unit.trim();
    let number: f64 = match number.replace('_', "").parse::<f64>() {
        Ok(n) if number.chars().any(|c| c.is_ascii_digit()) => n,
        _ => return Err(format!("{text:?} is not a number with a unit")),
    };
    if !number.is_finite() {
        return Err(format!("{text:?} is not a finite number"));
    }
    if number < 0.0 {
        return Err(format!("{text:?} is negative"));
    }
    let (scale, kind) = if unit.is_empty() {
        (1.0, Kind::Plain)
    } else if unit == "%" {
        // Divide rather than multiply by 0.01 so "0.1%" is exactly the double nearest 0.001.
        return Ok((number / 100.0, Kind::Percent));
    } else if let Some(prefix) = unit.strip_suffix("/s") {
        match RATE_PREFIXES.iter().find(|(p, _)| *p == prefix.trim()) {
            Some((_, s)) => (*s, Kind::Rate),
            None => return Err(unknown_unit(text, unit)),
        }
    } else if let Some((_, s)) = DURATIONS.iter().find(|(u, _)| *u == unit) {
        (*s, Kind::Duration)
    } else if let Some((_, s)) = SIZES.iter().find(|(u, _)| *u == unit) {
        (*s, Kind::Size)
    } else {
        return Err(unknown_unit(text, unit));
    };
    let value = number * scale;
    if !value.is_finite() {
        return Err(format!("{text:?} is too large"));
    }
    Ok((value, kind))
}

/// Seconds per unit of time a rate may be written per.
const RATE_PERIODS: [(&str, f64); 5] = [
    ("s", 1.0),
    ("sec", 1.0),
    ("m", 60.0),
    ("min", 60.0),
    ("h", 3600.0),
];

/// A rate written per second, minute or hour (`"200/s"`, `"12k/min"`, `"2.5/h"`) as a number per
/// second; `None` when `text` is not one. The number may be negative or zero (the caller says
/// what range it takes).
pub fn parse_rate(text: &str) -> Option<f64> {
    let (count, period) = text.trim().rsplit_once('/')?;
    let (_, seconds) = RATE_PERIODS.iter().find(|(p, _)| *p == period.trim())?;
    let count = count.trim();
    let (number, scale) = match RATE_PREFIXES
        .iter()
        .find(|(p, _)| !p.is_empty() && count.ends_with(p))
    {
        Some((p, scale)) => (count[..count.len() - p.len()].trim_end(), *scale),
        None => (count, 1.0),
    };
    if !number.chars().any(|c| c.is_ascii_digit())
        || number
            .chars()
            .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
    {
        return None;
    }
    let value = number.replace('_', "").parse::<f64>().ok()? * scale / seconds;
    value.is_finite().then_some(value)
}

fn unknown_unit(text: &str, unit: &str) -> String {
    format!(
        "{text:?} has an unknown unit `{unit}` (durations: ns, us, ms, s, m, h; sizes: B, kB, MB, GB, KiB, MiB, GiB; rates: /s, k/s, M/s; percentages: %)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("500ms"), Ok((500e6, Kind::Duration)));
        assert_eq!(parse_quantity("20us"), Ok((20e3, Kind::Duration)));
        assert_eq!(parse_quantity("20µs"), Ok((20e3, Kind::Duration)));
        assert_eq!(parse_quantity("1.5m"), Ok((90e9, Kind::Duration)));
        assert_eq!(parse_quantity("20s"), Ok((20e9, Kind::Duration)));
        assert_eq!(parse_quantity("100 ns"), Ok((100.0, Kind::Duration)));
        assert_eq!(parse_quantity("512B"), Ok((512.0, Kind::Size)));
        assert_eq!(parse_quantity("1KiB"), Ok((1024.0, Kind::Size)));
        assert_eq!(parse_quantity("64MiB"), Ok((67_108_864.0, Kind::Size)));
        assert_eq!(parse_quantity("1GB"), Ok((1e9, Kind::Size)));
        assert_eq!(parse_quantity("10000/s"), Ok((10000.0, Kind::Rate)));
        assert_eq!(parse_quantity("10k/s"), Ok((10000.0, Kind::Rate)));
        assert_eq!(parse_quantity("2.5M/s"), Ok((2.5e6, Kind::Rate)));
        assert_eq!(parse_quantity("5%"), Ok((0.05, Kind::Percent)));
        assert_eq!(parse_quantity("0.1%"), Ok((0.001, Kind::Percent)));
        assert_eq!(parse_quantity("12"), Ok((12.0, Kind::Plain)));
        assert_eq!(parse_quantity("1e3"), Ok((1000.0, Kind::Plain)));
        assert_eq!(parse_quantity("1_000ns"), Ok((1000.0, Kind::Duration)));
        assert_eq!(
            parse_quantity("-5ms"),
            Err("\"-5ms\" is negative".to_string())
        );
        assert_eq!(
            parse_quantity("NaN"),
            Err("\"NaN\" is not a number with a unit".to_string())
        );
        assert_eq!(
            parse_quantity("ms"),
            Err("\"ms\" is not a number with a unit".to_string())
        );
        assert!(
            parse_quantity("5 parsecs")
                .unwrap_err()
                .contains("unknown unit `parsecs`")
        );
    }

    #[test]
    fn rates_per_second_minute_or_hour() {
        assert_eq!(parse_rate("200/s"), Some(200.0));
        assert_eq!(parse_rate(" 2.5 / s "), Some(2.5));
        assert_eq!(parse_rate("12000/min"), Some(200.0));
        assert_eq!(parse_rate("120/m"), Some(2.0));
        assert_eq!(parse_rate("7200/h"), Some(2.0));
        assert_eq!(parse_rate("10k/s"), Some(10_000.0));
        assert_eq!(parse_rate("1.5M/min"), Some(25_000.0));
        assert_eq!(parse_rate("1_000/s"), Some(1000.0));
        assert_eq!(parse_rate("1e3/s"), Some(1000.0));
        // Out of range, but a rate: the caller says what range it takes.
        assert_eq!(parse_rate("-1/s"), Some(-1.0));
        assert_eq!(parse_rate("0/s"), Some(0.0));
        for not_a_rate in [
            "abc", "fast", "200", "200/", "/s", "200/day", "inf/s", "nan/s", "k/s", "5ms", "1e/s",
            "200/s/s",
        ] {
            assert_eq!(parse_rate(not_a_rate), None, "{not_a_rate}");
        }
    }
}
