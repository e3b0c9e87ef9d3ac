//! Canonical values written for people: ns → ns/µs/ms/s, bytes → B/KiB/MiB/GiB, rates per
//! second, ratios as percentages. [`format_value`] keeps four significant digits for measured
//! values (like benchstat); [`format_plain`] writes limits the way a person types them (`50ms`).
//! Every crate that shows a value uses these, so a number reads the same everywhere.

use crate::Unit;

/// A count with its noun, singular or plural as the count asks: `1 benchmark`, `2 benchmarks`,
/// `0 runs`. For nouns whose plural adds `s`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// A value in its unit, scaled and with four significant digits (`1.718µs`, `3.25MiB`).
pub fn format_value(value: f64, unit: &Unit) -> String {
    if !value.is_finite() {
        return format!("{value}");
    }
    match unit {
        Unit::Nanoseconds => scaled(value, &[(1e9, "s"), (1e6, "ms"), (1e3, "µs"), (1.0, "ns")]),
        Unit::Bytes => scaled(
            value,
            &[
                (1_073_741_824.0, "GiB"),
                (1_048_576.0, "MiB"),
                (1024.0, "KiB"),
                (1.0, "B"),
            ],
        ),
        Unit::PerSecond => scaled(
            value,
            &[(1e9, "G/s"), (1e6, "M/s"), (1e3, "k/s"), (1.0, "/s")],
        ),
        Unit::BytesPerSecond => scaled(
            value,
            &[(1e9, "GB/s"), (1e6, "MB/s"), (1e3, "kB/s"), (1.0, "B/s")],
        ),
        Unit::Count => scaled(value, &[(1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, "")]),
        Unit::Ratio => format!("{}%", significant(value * 100.0)),
        Unit::Custom(name) => custom(value, name),
    }
}

/// A value in a unit benchgate does not know (`bit/s`, `allocs/op`): from 1000 on, with an SI
/// prefix (`6.382 Gbit/s`), or an exponent when the unit already starts with a letter that
/// reads as one (`1.500e3 ms`, never `1.500 kms`).
fn custom(value: f64, name: &str) -> String {
    const PREFIXES: [(f64, &str); 6] = [
        (1e18, "E"),
        (1e15, "P"),
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
    ];
    let magnitude = value.abs();
    let Some(&(factor, prefix)) = PREFIXES.iter().find(|(factor, _)| magnitude >= *factor) else {
        return format!("{} {name}", significant(value));
    };
    let prefixed_already = name.starts_with([
        'k', 'K', 'M', 'G', 'T', 'P', 'E', 'm', 'µ', 'μ', 'u', 'n', 'p',
    ]);
    if prefixed_already {
        let exponent = magnitude.log10().floor() as i32;
        format!(
            "{}e{exponent} {name}",
            significant(value / 10f64.powi(exponent))
        )
    } else {
        format!("{} {prefix}{name}", significant(value / factor))
    }
}

fn scaled(value: f64, scales: &[(f64, &str)]) -> String {
    let magnitude = value.abs();
    let (factor, suffix) = scales
        .iter()
        .find(|(factor, _)| magnitude >= *factor)
        .or(scales.last())
        .copied()
        .unwrap_or((1.0, ""));
    format!("{}{suffix}", significant(value / factor))
}

/// Four significant digits without scientific notation for the usual magnitudes.
pub fn significant(x: f64) -> String {
    let magnitude = x.abs();
    let decimals = if magnitude == 0.0 || magnitude >= 1000.0 {
        0
    } else if magnitude >= 100.0 {
        1
    } else if magnitude >= 10.0 {
        2
    } else if magnitude >= 1.0 {
        3
    } else {
        // Keep four significant digits of small fractions (0.01234).
        (3 - magnitude.log10().floor() as i32).clamp(3, 12) as usize
    };
    format!("{x:.decimals$}")
}

/// The first ten characters of a commit id, as reports show it. Ids read from other tools' files
/// need not be hexadecimal, so this cuts at a character, never inside one.
pub fn short_commit(commit: &str) -> &str {
    match commit.char_indices().nth(10) {
        Some((end, _)) => &commit[..end],
        None => commit,
    }
}

/// A signed percentage with one decimal (`+12.3%`).
pub fn percent(change: f64) -> String {
    if change.is_infinite() {
        return if change > 0.0 {
            "+inf%".into()
        } else {
            "-inf%".into()
        };
    }
    format!("{change:+.1}%")
}

/// `p=0.432`, or `p<0.001` rather than a misleading `p=0.000`.
pub fn p_value(p: f64) -> String {
    probability("p", p)
}

/// A probability under another name (`q=0.067`, `q<0.001`).
pub fn probability(name: &str, p: f64) -> String {
    if p < 0.001 {
        format!("{name}<0.001")
    } else {
        format!("{name}={p:.3}")
    }
}

/// A value in its canonical unit, the way a person writes it: `50ms`, `64MiB`, `10000/s`, `0.1%`.
pub fn format_plain(value: f64, unit: &Unit) -> String {
    if !value.is_finite() {
        return format!("{value}");
    }
    let scaled = |steps: &[(f64, &str)], suffix: &str| {
        let a = value.abs();
        let (div, name) = steps
            .iter()
            .rev()
            .find(|(d, _)| a >= *d)
            .copied()
            .unwrap_or(steps[0]);
        format!("{}{name}{suffix}", trim(value / div))
    };
    match unit {
        Unit::Nanoseconds => scaled(&[(1.0, "ns"), (1e3, "µs"), (1e6, "ms"), (1e9, "s")], ""),
        Unit::Bytes => scaled(
            &[
                (1.0, "B"),
                (1024.0, "KiB"),
                (1024.0 * 1024.0, "MiB"),
                (1024.0 * 1024.0 * 1024.0, "GiB"),
                (1024.0 * 1024.0 * 1024.0 * 1024.0, "TiB"),
            ],
            "",
        ),
        Unit::PerSecond => scaled(&[(1.0, ""), (1e6, "M"), (1e9, "G")], "/s"),
        Unit::BytesPerSecond => scaled(&[(1.0, "B"), (1e3, "kB"), (1e6, "MB"), (1e9, "GB")], "/s"),
        Unit::Ratio => format_percent(value * 100.0),
        Unit::Count => trim(value),
        Unit::Custom(u) => format!("{} {u}", trim(value)),
    }
}

pub fn format_percent(percent: f64) -> String {
    format!("{}%", trim(percent))
}

/// At most three decimals, without trailing zeros.
pub fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_agree_with_their_count() {
        assert_eq!(plural(1, "benchmark"), "1 benchmark");
        assert_eq!(plural(0, "run"), "0 runs");
        assert_eq!(plural(2, "command"), "2 commands");
    }

    #[test]
    fn large_values_of_other_units_are_humanised() {
        let unit = |name: &str| Unit::Custom(name.into());
        assert_eq!(
            format_value(6_381_647_674.0, &unit("bit/s")),
            "6.382 Gbit/s"
        );
        assert_eq!(
            format_value(12_345.0, &unit("allocs/op")),
            "12.35 kallocs/op"
        );
        assert_eq!(format_value(999.0, &unit("bit/s")), "999.0 bit/s");
        assert_eq!(format_value(-2.5e6, &unit("req")), "-2.500 Mreq");
        assert_eq!(format_value(1500.0, &unit("ms")), "1.500e3 ms");
        assert_eq!(format_value(6.4e9, &unit("Mbit/s")), "6.400e9 Mbit/s");
    }

    #[test]
    fn scales_time() {
        assert_eq!(format_value(1718.0, &Unit::Nanoseconds), "1.718µs");
        assert_eq!(format_value(999.0, &Unit::Nanoseconds), "999.0ns");
        assert_eq!(format_value(20_150_000.0, &Unit::Nanoseconds), "20.15ms");
        assert_eq!(format_value(2.5e9, &Unit::Nanoseconds), "2.500s");
        assert_eq!(format_value(0.5, &Unit::Nanoseconds), "0.5000ns");
        assert_eq!(format_value(0.0, &Unit::Nanoseconds), "0ns");
        assert_eq!(format_value(123_456e9, &Unit::Nanoseconds), "123456s");
    }

    #[test]
    fn scales_bytes_and_rates() {
        assert_eq!(format_value(3_407_872.0, &Unit::Bytes), "3.250MiB");
        assert_eq!(format_value(512.0, &Unit::Bytes), "512.0B");
        assert_eq!(format_value(2048.0, &Unit::Bytes), "2.000KiB");
        assert_eq!(format_value(12_340.0, &Unit::PerSecond), "12.34k/s");
        assert_eq!(format_value(812.5e6, &Unit::BytesPerSecond), "812.5MB/s");
        assert_eq!(format_value(0.001, &Unit::Ratio), "0.1000%");
        assert_eq!(
            format_value(7.0, &Unit::Custom("widgets/op".into())),
            "7.000 widgets/op"
        );
        assert_eq!(format_value(f64::NAN, &Unit::Bytes), "NaN");
    }

    #[test]
    fn plain_values_for_limits() {
        assert_eq!(format_plain(50e6, &Unit::Nanoseconds), "50ms");
        assert_eq!(format_plain(1.5e9, &Unit::Nanoseconds), "1.5s");
        assert_eq!(format_plain(20e3, &Unit::Nanoseconds), "20µs");
        assert_eq!(format_plain(64.0 * 1024.0 * 1024.0, &Unit::Bytes), "64MiB");
        assert_eq!(format_plain(10000.0, &Unit::PerSecond), "10000/s");
        assert_eq!(format_plain(2.5e6, &Unit::PerSecond), "2.5M/s");
        assert_eq!(format_plain(200e6, &Unit::BytesPerSecond), "200MB/s");
        assert_eq!(format_plain(0.001, &Unit::Ratio), "0.1%");
        assert_eq!(format_plain(12.0, &Unit::Count), "12");
    }

    #[test]
    fn commits_are_cut_at_characters() {
        assert_eq!(short_commit("4d1ed3d385f0a1"), "4d1ed3d385");
        assert_eq!(short_commit("abc"), "abc");
        assert_eq!(short_commit("ééééééééééééé"), "éééééééééé");
    }

    #[test]
    fn formats_percent_and_p() {
        assert_eq!(probability("q", 0.0671), "q=0.067");
        assert_eq!(percent(-17.2), "-17.2%");
        assert_eq!(percent(99.06), "+99.1%");
        assert_eq!(p_value(0.0004), "p<0.001");
        assert_eq!(p_value(0.4321), "p=0.432");
    }
}
