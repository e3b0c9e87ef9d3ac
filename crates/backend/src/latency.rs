//! Latency distributions, parsed from text and sampled from a seeded generator.
//!
//! Grammar (whitespace is free between tokens; durations are a decimal number with one of the
//! units `ns`, `us`, `µs`, `ms`, `s`):
//!
//! ```text
//! dist      := fixed(D) | uniform(D, D) | normal(mean=D, sd=D)
//!            | lognormal(median=D, sigma=F) | mix(F: dist, F: dist, ...)
//! ```
//!
//! `normal` is clamped at 0; `lognormal` is `median · exp(sigma · Z)`; the weights of a `mix`
//! must be positive and sum to 1 (±0.001), and a mix may nest.

use std::fmt;
use std::time::Duration;

use crate::rng::SplitMix64;

/// A latency distribution. Durations are held in nanoseconds.
#[derive(Debug, Clone, PartialEq)]
pub enum LatencyDist {
    Fixed(Duration),
    Uniform { low: Duration, high: Duration },
    Normal { mean: Duration, sd: Duration },
    LogNormal { median: Duration, sigma: f64 },
    Mix(Vec<(f64, LatencyDist)>),
}

/// Text that is not a latency distribution: where (1-based character column) and what was
/// expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid latency distribution \"{input}\": at column {column}: expected {expected}, found {found}"
)]
pub struct LatencyParseError {
    pub input: String,
    pub column: usize,
    pub expected: String,
    pub found: String,
}

impl LatencyDist {
    /// Parses the text form (see the module documentation).
    pub fn parse(text: &str) -> Result<Self, LatencyParseError> {
        let mut parser = Parser { text, pos: 0 };
        let dist = parser.dist()?;
        parser.skip_ws();
        if parser.pos < text.len() {
            return Err(parser.error("end of input"));
        }
        Ok(dist)
    }

    /// One latency drawn from `rng`.
    pub fn sample(&self, rng: &mut SplitMix64) -> Duration {
        match self {
            LatencyDist::Fixed(d) => *d,
            LatencyDist::Uniform { low, high } => {
                let (lo, hi) = (nanos(*low), nanos(*high));
                from_nanos(lo + (hi - lo) * rng.next_f64())
            }
            LatencyDist::Normal { mean, sd } => {
                from_nanos(nanos(*mean) + nanos(*sd) * rng.next_standard_normal())
            }
            LatencyDist::LogNormal { median, sigma } => {
                from_nanos(nanos(*median) * (sigma * rng.next_standard_normal()).exp())
            }
            LatencyDist::Mix(parts) => {
                let total: f64 = parts.iter().map(|(w, _)| w).sum();
                let mut pick = rng.next_f64() * total;
                for (weight, dist) in parts {
                    if pick < *weight {
                        return dist.sample(rng);
                    }
                    pick -= weight;
                }
                // Rounding left `pick` at the very top: the last part owns it.
                parts.last().map_or(Duration::ZERO, |(_, d)| d.sample(rng))
            }
        }
    }
}

impl fmt::Display for LatencyDist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LatencyDist::Fixed(d) => write!(f, "fixed({d:?})"),
            LatencyDist::Uniform { low, high } => write!(f, "uniform({low:?}, {high:?})"),
            LatencyDist::Normal { mean, sd } => write!(f, "normal(mean={mean:?}, sd={sd:?})"),
            LatencyDist::LogNormal { median, sigma } => {
                write!(f, "lognormal(median={median:?}, sigma={sigma})")
            }
            LatencyDist::Mix(parts) => {
                f.write_str("mix(")?;
                for (i, (w, d)) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{w}: {d}")?;
                }
                f.write_str(")")
            }
        }
    }
}

impl std::str::FromStr for LatencyDist {
    type Err = LatencyParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn nanos(d: Duration) -> f64 {
    d.as_nanos() as f64
}

/// Negative values clamp to 0; `as` saturates huge ones.
fn from_nanos(ns: f64) -> Duration {
    Duration::from_nanos(ns.max(0.0).round() as u64)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn column_at(&self, pos: usize) -> usize {
        self.text[..pos].chars().count() + 1
    }

    /// What stands at the current position: the next token, or "end of input".
    fn found(&self) -> String {
        let rest = self.rest();
        if rest.is_empty() {
            return "end of input".to_owned();
        }
        let token: String = match rest.chars().next() {
            Some(c) if c.is_alphanumeric() || c == '.' || c == '-' || c == '+' => rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '+' | 'µ'))
                .collect(),
            Some(c) => c.to_string(),
            None => String::new(),
        };
        format!("\"{token}\"")
    }

    fn error(&self, expected: &str) -> LatencyParseError {
        self.error_at(self.pos, expected, self.found())
    }

    fn error_at(&self, pos: usize, expected: &str, found: String) -> LatencyParseError {
        LatencyParseError {
            input: self.text.to_owned(),
            column: self.column_at(pos),
            expected: expected.to_owned(),
            found,
        }
    }

    fn eat(&mut self, token: &str, expected: &str) -> Result<(), LatencyParseError> {
        self.skip_ws();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn dist(&mut self) -> Result<LatencyDist, LatencyParseError> {
        const KINDS: &str = "a distribution (fixed, uniform, normal, lognormal or mix)";
        self.skip_ws();
        let start = self.pos;
        let name: String = self
            .rest()
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let kind = name.as_str();
        if !matches!(kind, "fixed" | "uniform" | "normal" | "lognormal" | "mix") {
            return Err(self.error(KINDS));
        }
        self.pos += name.len();
        self.eat("(", &format!("\"(\" after \"{kind}\""))?;
        let dist = match kind {
            "fixed" => LatencyDist::Fixed(self.duration()?),
            "uniform" => {
                let low_pos = self.pos;
                let low = self.duration()?;
                self.eat(",", "\",\"")?;
                let high = self.duration()?;
                if high < low {
                    return Err(self.error_at(
                        low_pos,
                        "a lower bound no greater than the upper bound",
                        format!("{low:?} > {high:?}"),
                    ));
                }
                LatencyDist::Uniform { low, high }
            }
            "normal" => {
                self.name("mean")?;
                let mean = self.duration()?;
                self.eat(",", "\",\"")?;
                self.name("sd")?;
                let sd = self.duration()?;
                LatencyDist::Normal { mean, sd }
            }
            "lognormal" => {
                self.name("median")?;
                let median_pos = self.pos;
                let median = self.duration()?;
                if median.is_zero() {
                    return Err(self.error_at(
                        median_pos,
                        "a median greater than 0",
                        "0".to_owned(),
                    ));
                }
                self.eat(",", "\",\"")?;
                self.name("sigma")?;
                let sigma = self.number("a non-negative number (sigma)")?;
                LatencyDist::LogNormal { median, sigma }
            }
            _ => self.mix(start)?,
        };
        self.eat(")", "\")\"")?;
        Ok(dist)
    }

    fn mix(&mut self, start: usize) -> Result<LatencyDist, LatencyParseError> {
        let mut parts = Vec::new();
        loop {
            self.skip_ws();
            let weight_pos = self.pos;
            let weight = self.number("a weight (a number greater than 0)")?;
            if weight <= 0.0 {
                return Err(self.error_at(
                    weight_pos,
                    "a weight greater than 0",
                    format!("{weight}"),
                ));
            }
            self.eat(":", "\":\" after the weight")?;
            parts.push((weight, self.dist()?));
            self.skip_ws();
            if self.rest().starts_with(',') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let total: f64 = parts.iter().map(|(w, _)| w).sum();
        if (total - 1.0).abs() > 0.001 {
            return Err(self.error_at(
                start,
                "mix weights that sum to 1",
                format!("a sum of {total}"),
            ));
        }
        Ok(LatencyDist::Mix(parts))
    }

    /// `name=`
    fn name(&mut self, name: &str) -> Result<(), LatencyParseError> {
        self.eat(name, &format!("\"{name}=\""))?;
        self.eat("=", &format!("\"=\" after \"{name}\""))
    }

    /// A non-negative decimal number; the error names what it was for.
    fn number(&mut self, expected: &str) -> Result<f64, LatencyParseError> {
        self.skip_ws();
        let len = self
            .rest()
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
            .map_or(self.rest().len(), |(i, _)| i);
        let value = self.rest()[..len]
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite());
        match value {
            Some(v) => {
                self.pos += len;
                Ok(v)
            }
            None => Err(self.error(expected)),
        }
    }

    fn duration(&mut self) -> Result<Duration, LatencyParseError> {
        const EXPECTED: &str = "a duration such as \"10ms\" (units ns, us, ms, s)";
        self.skip_ws();
        let start = self.pos;
        let value = self.number(EXPECTED)?;
        let rest = self.rest();
        let (unit_ns, unit_len) = [
            ("ns", 1.0),
            ("us", 1e3),
            ("µs", 1e3),
            ("ms", 1e6),
            ("s", 1e9),
        ]
        .iter()
        .find(|(unit, _)| rest.starts_with(unit))
        .map(|(unit, ns)| (*ns, unit.len()))
        .ok_or_else(|| {
            Parser {
                text: self.text,
                pos: start,
            }
            .error(EXPECTED)
        })?;
        self.pos += unit_len;
        Ok(from_nanos(value * unit_ns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    fn err(text: &str) -> String {
        LatencyDist::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(
            LatencyDist::parse("fixed(10ms)").unwrap(),
            LatencyDist::Fixed(ms(10))
        );
        assert_eq!(
            LatencyDist::parse(" uniform( 5ms ,15ms ) ").unwrap(),
            LatencyDist::Uniform {
                low: ms(5),
                high: ms(15)
            }
        );
        assert_eq!(
            LatencyDist::parse("normal(mean=10ms, sd=2ms)").unwrap(),
            LatencyDist::Normal {
                mean: ms(10),
                sd: ms(2)
            }
        );
        assert_eq!(
            LatencyDist::parse("lognormal(median=10ms, sigma=0.5)").unwrap(),
            LatencyDist::LogNormal {
                median: ms(10),
                sigma: 0.5
            }
        );
        assert_eq!(
            LatencyDist::parse("mix(0.9: fixed(1ms), 0.1: fixed(100ms))").unwrap(),
            LatencyDist::Mix(vec![
                (0.9, LatencyDist::Fixed(ms(1))),
                (0.1, LatencyDist::Fixed(ms(100)))
            ])
        );
        assert_eq!(
            LatencyDist::parse("fixed(1.5us)").unwrap(),
            LatencyDist::Fixed(Duration::from_nanos(1500))
        );
        assert_eq!(
            LatencyDist::parse("fixed(0s)").unwrap(),
            LatencyDist::Fixed(Duration::ZERO)
        );
        assert_eq!(
            LatencyDist::parse("fixed(2µs)").unwrap(),
            LatencyDist::Fixed(Duration::from_micros(2))
        );
    }

    #[test]
    fn bad_text_says_where_and_what_was_expected() {
        assert_eq!(
            err("fixd(10ms)"),
            "invalid latency distribution \"fixd(10ms)\": at column 1: expected a distribution \
             (fixed, uniform, normal, lognormal or mix), found \"fixd\""
        );
        assert_eq!(
            err("fixed(10)"),
            "invalid latency distribution \"fixed(10)\": at column 7: expected a duration such as \
             \"10ms\" (units ns, us, ms, s), found \"10\""
        );
        assert_eq!(
            err("uniform(5ms 15ms)"),
            "invalid latency distribution \"uniform(5ms 15ms)\": at column 13: expected \",\", found \"15ms\""
        );
        assert_eq!(
            err("normal(mean=10ms, sigma=2ms)"),
            "invalid latency distribution \"normal(mean=10ms, sigma=2ms)\": at column 19: expected \"sd=\", found \"sigma\""
        );
        assert_eq!(
            err("fixed(10ms"),
            "invalid latency distribution \"fixed(10ms\": at column 11: expected \")\", found end of input"
        );
        assert_eq!(
            err("fixed(10ms) x"),
            "invalid latency distribution \"fixed(10ms) x\": at column 13: expected end of input, found \"x\""
        );
        assert_eq!(
            err("uniform(15ms, 5ms)"),
            "invalid latency distribution \"uniform(15ms, 5ms)\": at column 9: expected a lower bound \
             no greater than the upper bound, found 15ms > 5ms"
        );
        assert_eq!(
            err("mix(0.9: fixed(1ms), 0.2: fixed(100ms))"),
            "invalid latency distribution \"mix(0.9: fixed(1ms), 0.2: fixed(100ms))\": at column 1: \
             expected mix weights that sum to 1, found a sum of 1.1"
        );
        assert_eq!(
            err("lognormal(median=10ms, sigma=-1)"),
            "invalid latency distribution \"lognormal(median=10ms, sigma=-1)\": at column 30: \
             expected a non-negative number (sigma), found \"-1\""
        );
        assert_eq!(
            err("mix(1: fixed(1ms), 0: fixed(2ms))"),
            "invalid latency distribution \"mix(1: fixed(1ms), 0: fixed(2ms))\": at column 20: \
             expected a weight greater than 0, found 0"
        );
        assert_eq!(
            err(""),
            "invalid latency distribution \"\": at column 1: expected a distribution (fixed, uniform, \
             normal, lognormal or mix), found end of input"
        );
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "fixed(10ms)",
            "uniform(5ms, 15ms)",
            "normal(mean=10ms, sd=2ms)",
            "lognormal(median=10ms, sigma=0.5)",
            "mix(0.9: fixed(1ms), 0.1: mix(0.5: fixed(100ms), 0.5: fixed(1s)))",
        ] {
            let dist = LatencyDist::parse(text).unwrap();
            assert_eq!(
                LatencyDist::parse(&dist.to_string()).unwrap(),
                dist,
                "{text}"
            );
        }
    }

    fn samples(text: &str, n: usize) -> Vec<f64> {
        let dist = LatencyDist::parse(text).unwrap();
        let mut rng = SplitMix64::new(11);
        (0..n)
            .map(|_| dist.sample(&mut rng).as_secs_f64() * 1e3)
            .collect()
    }

    fn median(mut xs: Vec<f64>) -> f64 {
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    }

    #[test]
    fn samples_follow_their_distribution() {
        assert!(samples("fixed(10ms)", 100).iter().all(|&x| x == 10.0));

        let uniform = samples("uniform(5ms, 15ms)", 20_000);
        assert!(uniform.iter().all(|&x| (5.0..=15.0).contains(&x)));
        let mean = uniform.iter().sum::<f64>() / uniform.len() as f64;
        assert!((mean - 10.0).abs() < 0.1, "uniform mean {mean}");

        let normal = samples("normal(mean=10ms, sd=2ms)", 20_000);
        let mean = normal.iter().sum::<f64>() / normal.len() as f64;
        assert!((mean - 10.0).abs() < 0.1, "normal mean {mean}");

        // Clamped at 0: a mean of 0 puts about half the samples exactly at 0, none below.
        let clamped = samples("normal(mean=0ms, sd=2ms)", 10_000);
        assert!(clamped.iter().all(|&x| x >= 0.0));
        let zeros = clamped.iter().filter(|&&x| x == 0.0).count();
        assert!((4_500..5_500).contains(&zeros), "{zeros} zeros");

        let lognormal = samples("lognormal(median=10ms, sigma=0.5)", 20_000);
        let m = median(lognormal);
        assert!((m - 10.0).abs() < 0.3, "lognormal median {m}");

        let mix = samples("mix(0.9: fixed(1ms), 0.1: fixed(100ms))", 20_000);
        let slow = mix.iter().filter(|&&x| x == 100.0).count();
        assert_eq!(mix.iter().filter(|&&x| x == 1.0).count() + slow, 20_000);
        assert!((1_700..2_300).contains(&slow), "{slow} slow");
    }

    #[test]
    fn sampling_is_reproducible_from_a_seed() {
        assert_eq!(
            samples("lognormal(median=10ms, sigma=0.5)", 50),
            samples("lognormal(median=10ms, sigma=0.5)", 50)
        );
    }
}
