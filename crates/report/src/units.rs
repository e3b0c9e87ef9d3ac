//! Human scaling of canonical values: ns → ns/µs/ms/s, bytes → B/KiB/MiB/GiB, rates → k/M per
//! second. Four significant digits, like benchstat.

use benchgate_model::Unit;

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
        Unit::Count => scaled(value, &[(1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, "")]),
        Unit::Ratio => format!("{}%", significant(value * 100.0)),
        Unit::Custom(name) => format!("{} {name}", significant(value)),
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
    if p < 0.001 {
        "p<0.001".into()
    } else {
        format!("p={p:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(format_value(0.001, &Unit::Ratio), "0.1000%");
        assert_eq!(
            format_value(7.0, &Unit::Custom("widgets/op".into())),
            "7.000 widgets/op"
        );
        assert_eq!(format_value(f64::NAN, &Unit::Bytes), "NaN");
    }

    #[test]
    fn formats_percent_and_p() {
        assert_eq!(percent(-17.2), "-17.2%");
        assert_eq!(percent(99.06), "+99.1%");
        assert_eq!(p_value(0.0004), "p<0.001");
        assert_eq!(p_value(0.4321), "p=0.432");
    }
}
