//! Numbers with human units inside an expression (`50ms`, `64MiB`, `10k/s`, `5%`, `1.5k`), and
//! the units values carry through arithmetic. The suffixes are benchgate.toml's: one table in
//! benchgate-model (`human_units`) for both.

use benchgate_model::Unit;
use benchgate_model::human_units::{
    DURATION_SUFFIXES as DURATIONS, MULTIPLIERS as PREFIXES, SIZE_SUFFIXES as SIZES,
};

/// A value and its unit; `unit: None` is a plain number (a literal without a unit, a ratio of
/// two values in different units, a count of benchmarks).
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub unit: Option<Unit>,
}

impl Quantity {
    pub fn plain(value: f64) -> Quantity {
        Quantity { value, unit: None }
    }
}

/// The value of `number` (already a valid decimal) with the unit suffix `unit` (`""`, `ms`,
/// `KiB`, `%`, `k/s`…), in canonical units (ns, bytes, ratio, per second). The error says which
/// units exist.
pub(crate) fn with_unit(number: f64, unit: &str) -> Result<Quantity, String> {
    if unit == "%" {
        // Divide rather than multiply by 0.01 so "0.1%" is exactly the double nearest 0.001.
        return Ok(Quantity {
            value: number / 100.0,
            unit: Some(Unit::Ratio),
        });
    }
    if let Some(prefix) = unit.strip_suffix("/s")
        && let Some((_, scale)) = PREFIXES.iter().find(|(p, _)| *p == prefix)
    {
        return Ok(Quantity {
            value: number * scale,
            unit: Some(Unit::PerSecond),
        });
    }
    if let Some((_, scale)) = DURATIONS.iter().find(|(u, _)| *u == unit) {
        return Ok(Quantity {
            value: number * scale,
            unit: Some(Unit::Nanoseconds),
        });
    }
    if let Some((_, scale)) = SIZES.iter().find(|(u, _)| *u == unit) {
        return Ok(Quantity {
            value: number * scale,
            unit: Some(Unit::Bytes),
        });
    }
    if let Some((_, scale)) = PREFIXES.iter().find(|(p, _)| *p == unit) {
        return Ok(Quantity::plain(number * scale));
    }
    Err(format!(
        "unknown unit {unit:?} (durations ns, us, ms, s, m, h; sizes B, KB, MB, GB, KiB, MiB, \
         GiB; rates such as 10k/s; 5%; plain multipliers k, M, G)"
    ))
}

/// The length in bytes of the decimal number at the start of `text` (`12`, `1.5`, `2e-3`),
/// 0 when it does not start with one.
pub(crate) fn number_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut end = digits(0);
    if end < bytes.len() && bytes[end] == b'.' {
        end = digits(end + 1);
    }
    if !text[..end].bytes().any(|b| b.is_ascii_digit()) {
        return 0;
    }
    // An exponent only when digits follow it: `2e` is 2 with a unit `e` (an error later).
    if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut i = end + 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        let after = digits(i);
        if after > i {
            end = after;
        }
    }
    end
}

/// A whole string as a number with an optional unit (`16`, `1k`, `64KiB`, `500ms`): how a
/// parameter captured from a benchmark name (`n=1k`) becomes a number. `None` when it is not
/// one.
pub fn parse_literal(text: &str) -> Option<Quantity> {
    let len = number_len(text);
    if len == 0 {
        return None;
    }
    let number: f64 = text[..len].parse().ok()?;
    with_unit(number, &text[len..]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_take_human_units() {
        assert_eq!(parse_literal("16"), Some(Quantity::plain(16.0)));
        assert_eq!(parse_literal("1.5k"), Some(Quantity::plain(1500.0)));
        assert_eq!(
            parse_literal("50ms"),
            Some(Quantity {
                value: 50e6,
                unit: Some(Unit::Nanoseconds)
            })
        );
        assert_eq!(
            parse_literal("64KiB"),
            Some(Quantity {
                value: 65536.0,
                unit: Some(Unit::Bytes)
            })
        );
        assert_eq!(
            parse_literal("10k/s"),
            Some(Quantity {
                value: 1e4,
                unit: Some(Unit::PerSecond)
            })
        );
        assert_eq!(
            parse_literal("0.1%"),
            Some(Quantity {
                value: 0.001,
                unit: Some(Unit::Ratio)
            })
        );
        assert_eq!(parse_literal("2e3"), Some(Quantity::plain(2000.0)));
        assert_eq!(parse_literal("4-2"), None);
        assert_eq!(parse_literal("x"), None);
        assert_eq!(parse_literal(""), None);
        assert_eq!(parse_literal("."), None);
    }
}
