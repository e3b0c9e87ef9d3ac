//! Sizes as people write them (`4096`, `4KiB`, `10MB`, `1GiB`) and seeded size distributions.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::rng::Rng;

pub const KIB: u64 = 1024;
pub const MIB: u64 = 1024 * KIB;
pub const GIB: u64 = 1024 * MIB;

/// The largest file, tree or image one generation writes in all (and so any one of them).
pub const MAX_TOTAL_BYTES: u64 = 64 * GIB;

/// A size that does not parse, or a distribution that does not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?}: {expected}")]
pub struct ParseError {
    pub text: String,
    pub expected: String,
}

fn parse_error(text: &str, expected: impl Into<String>) -> ParseError {
    ParseError {
        text: text.to_owned(),
        expected: expected.into(),
    }
}

/// Parses a byte count: a whole number with an optional unit, B, KiB, MiB, GiB, TiB (powers of
/// 1024; K, M, G, T are the same) or kB, MB, GB, TB (powers of 1000). `1.5GiB` is allowed when
/// it comes to whole bytes.
pub fn parse_size(text: &str) -> Result<u64, ParseError> {
    const EXPECTED: &str = "expected a size such as 4096, 64KiB, 10MiB, 1GiB or 100MB";
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let multiplier: u64 = match unit.trim() {
        "" | "B" | "b" => 1,
        "K" | "k" | "KiB" | "Ki" => KIB,
        "M" | "MiB" | "Mi" => MIB,
        "G" | "GiB" | "Gi" => GIB,
        "T" | "TiB" | "Ti" => 1024 * GIB,
        "kB" | "KB" => 1000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        _ => return Err(parse_error(text, EXPECTED)),
    };
    if number.is_empty() {
        return Err(parse_error(text, EXPECTED));
    }
    if let Ok(whole) = number.parse::<u64>() {
        return whole
            .checked_mul(multiplier)
            .ok_or_else(|| parse_error(text, "too large"));
    }
    let value: f64 = number.parse().map_err(|_| parse_error(text, EXPECTED))?;
    let bytes = value * multiplier as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(parse_error(text, "too large"));
    }
    if bytes.fract() != 0.0 {
        return Err(parse_error(text, "not a whole number of bytes"));
    }
    Ok(bytes as u64)
}

/// A byte count as people read it: `1 MiB`, `1.5 GiB`, `300 B`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1024 * GIB, "TiB"),
        (GIB, "GiB"),
        (MIB, "MiB"),
        (KIB, "KiB"),
    ];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let value = bytes as f64 / unit as f64;
            return if bytes.is_multiple_of(unit) {
                format!("{} {name}", bytes / unit)
            } else {
                format!("{value:.1} {name}")
            };
        }
    }
    format!("{bytes} B")
}

/// How the sizes of a tree's files are drawn (each file's size from the tree's seed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SizeDist {
    /// Every file this size.
    Fixed(u64),
    /// Uniform between the two, inclusive.
    Uniform { low: u64, high: u64 },
    /// Log-normal: `median · e^(sigma·z)`, z standard normal; at least 1 byte.
    LogNormal { median: u64, sigma: f64 },
}

impl SizeDist {
    /// Parses `fixed(SIZE)`, `uniform(SIZE, SIZE)` or `lognormal(median=SIZE, sigma=F)`.
    pub fn parse(text: &str) -> Result<SizeDist, ParseError> {
        const EXPECTED: &str = "expected fixed(SIZE), uniform(SIZE, SIZE) or \
                                lognormal(median=SIZE, sigma=F), e.g. lognormal(median=64KiB, sigma=1)";
        let trimmed = text.trim();
        let (name, rest) = trimmed
            .split_once('(')
            .ok_or_else(|| parse_error(text, EXPECTED))?;
        let inner = rest
            .strip_suffix(')')
            .ok_or_else(|| parse_error(text, EXPECTED))?;
        let args: Vec<&str> = inner.split(',').map(str::trim).collect();
        let size = |arg: &str| -> Result<u64, ParseError> {
            let bytes = parse_size(arg).map_err(|e| parse_error(text, e.to_string()))?;
            if bytes == 0 {
                return Err(parse_error(text, "sizes must be at least 1 byte"));
            }
            Ok(bytes)
        };
        let dist = match (name.trim(), args.as_slice()) {
            ("fixed", [one]) => SizeDist::Fixed(size(one)?),
            ("uniform", [low, high]) => {
                let (low, high) = (size(low)?, size(high)?);
                if low > high {
                    return Err(parse_error(text, "uniform(LOW, HIGH) needs LOW ≤ HIGH"));
                }
                SizeDist::Uniform { low, high }
            }
            ("lognormal", [median, sigma]) => {
                let median = median
                    .strip_prefix("median=")
                    .ok_or_else(|| parse_error(text, EXPECTED))?;
                let sigma = sigma
                    .strip_prefix("sigma=")
                    .ok_or_else(|| parse_error(text, EXPECTED))?;
                let sigma: f64 = sigma
                    .trim()
                    .parse()
                    .map_err(|_| parse_error(text, "sigma must be a number"))?;
                if !(0.0..=4.0).contains(&sigma) {
                    return Err(parse_error(text, "sigma must be between 0 and 4"));
                }
                SizeDist::LogNormal {
                    median: size(median.trim())?,
                    sigma,
                }
            }
            ("fixed" | "uniform" | "lognormal", _) => {
                return Err(parse_error(text, EXPECTED));
            }
            (other, _) => {
                return Err(parse_error(
                    text,
                    format!("unknown distribution {other:?}; {EXPECTED}"),
                ));
            }
        };
        if dist.largest_bound() > MAX_TOTAL_BYTES {
            return Err(parse_error(
                text,
                format!("sizes are limited to {}", format_size(MAX_TOTAL_BYTES)),
            ));
        }
        Ok(dist)
    }

    /// The size of the largest parameter (what the limit is checked on).
    fn largest_bound(&self) -> u64 {
        match *self {
            SizeDist::Fixed(size) => size,
            SizeDist::Uniform { high, .. } => high,
            SizeDist::LogNormal { median, .. } => median,
        }
    }

    /// One draw, in [1, MAX_TOTAL_BYTES].
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        match *self {
            SizeDist::Fixed(size) => size,
            SizeDist::Uniform { low, high } => rng.between(low, high),
            SizeDist::LogNormal { median, sigma } => {
                let size = (median as f64 * (sigma * rng.normal()).exp()).round();
                // `as` saturates: a huge draw becomes u64::MAX, then the cap.
                (size as u64).clamp(1, MAX_TOTAL_BYTES)
            }
        }
    }

    /// The same distribution with every size scaled by `factor` (for `--varied`).
    pub fn scaled(&self, factor: f64) -> SizeDist {
        let scale = |size: u64| ((size as f64 * factor).round() as u64).clamp(1, MAX_TOTAL_BYTES);
        match *self {
            SizeDist::Fixed(size) => SizeDist::Fixed(scale(size)),
            SizeDist::Uniform { low, high } => SizeDist::Uniform {
                low: scale(low),
                high: scale(high),
            },
            SizeDist::LogNormal { median, sigma } => SizeDist::LogNormal {
                median: scale(median),
                sigma,
            },
        }
    }
}

impl fmt::Display for SizeDist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeDist::Fixed(size) => write!(f, "fixed({size})"),
            SizeDist::Uniform { low, high } => write!(f, "uniform({low}, {high})"),
            SizeDist::LogNormal { median, sigma } => {
                write!(f, "lognormal(median={median}, sigma={sigma})")
            }
        }
    }
}

impl Serialize for SizeDist {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_both_systems() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("4KiB"), Ok(4096));
        assert_eq!(parse_size("10MiB"), Ok(10 * MIB));
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("1.5GiB"), Ok(GIB + GIB / 2));
        assert_eq!(parse_size(" 2 G "), Ok(2 * GIB));
        assert!(parse_size("1.5").is_err());
        assert!(parse_size("ten").is_err());
        assert!(parse_size("10 parsecs").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn distributions_parse_and_round_trip() {
        assert_eq!(SizeDist::parse("fixed(4KiB)"), Ok(SizeDist::Fixed(4096)));
        assert_eq!(
            SizeDist::parse("uniform(1KiB, 1MiB)"),
            Ok(SizeDist::Uniform {
                low: 1024,
                high: MIB
            })
        );
        let lognormal = SizeDist::parse("lognormal(median=64KiB, sigma=1.5)").unwrap();
        assert_eq!(
            lognormal,
            SizeDist::LogNormal {
                median: 65536,
                sigma: 1.5
            }
        );
        assert_eq!(SizeDist::parse(&lognormal.to_string()), Ok(lognormal));
    }

    #[test]
    fn bad_distributions_say_what_was_expected() {
        let unknown = SizeDist::parse("pareto(1KiB)").unwrap_err();
        assert!(
            unknown
                .to_string()
                .contains("unknown distribution \"pareto\""),
            "{unknown}"
        );
        assert!(
            SizeDist::parse("fixed(0)")
                .unwrap_err()
                .to_string()
                .contains("at least 1 byte")
        );
        assert!(SizeDist::parse("uniform(2KiB, 1KiB)").is_err());
        assert!(SizeDist::parse("lognormal(64KiB, 1)").is_err());
        assert!(
            SizeDist::parse("fixed(65GiB)")
                .unwrap_err()
                .to_string()
                .contains("limited")
        );
    }

    #[test]
    fn lognormal_draws_centre_on_the_median() {
        let dist = SizeDist::LogNormal {
            median: 10_000,
            sigma: 1.0,
        };
        let mut rng = Rng::new(3);
        let mut draws: Vec<u64> = (0..20_001).map(|_| dist.sample(&mut rng)).collect();
        draws.sort_unstable();
        let median = draws[10_000];
        assert!((9_000..=11_000).contains(&median), "median {median}");
        // e^1 ≈ 2.72: the 84th percentile sits about one sigma up.
        let p84 = draws[16_800];
        assert!((24_000..=30_000).contains(&p84), "p84 {p84}");
    }
}
