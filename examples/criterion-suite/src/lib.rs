//! What the criterion suite measures: three small pieces of work whose cost `CRITERION_SUITE_SLOWDOWN`
//! multiplies (the stand-in for a regression), so the gate can be seen catching one.

/// How many times each operation repeats its work: `CRITERION_SUITE_SLOWDOWN` (a whole number ≥ 1),
/// 1 when unset. Anything else is an error naming the variable.
pub fn slowdown() -> Result<u32, String> {
    match std::env::var("CRITERION_SUITE_SLOWDOWN") {
        Err(_) => Ok(1),
        Ok(text) => match text.trim().parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(format!(
                "CRITERION_SUITE_SLOWDOWN={text:?}: expected a whole number from 1 to 100"
            )),
        },
    }
}

/// Splits `text` into words and counts the ones longer than three bytes.
pub fn count_long_words(text: &str, repeat: u32) -> usize {
    let mut count = 0;
    for _ in 0..repeat {
        count = text.split_whitespace().filter(|w| w.len() > 3).count();
        count = std::hint::black_box(count);
    }
    count
}

/// A Fletcher checksum over the bytes of `data`: two running sums modulo 65535, packed in 32 bits.
pub fn checksum(data: &[u8], repeat: u32) -> u32 {
    let mut result = 0;
    for _ in 0..repeat {
        let (mut a, mut b) = (0u32, 0u32);
        for &byte in data {
            a = (a + u32::from(byte)) % 65_535;
            b = (b + a) % 65_535;
        }
        result = std::hint::black_box((b << 16) | a);
    }
    result
}

/// Sorts a copy of `values`.
pub fn sorted(values: &[u64], repeat: u32) -> Vec<u64> {
    let mut out = Vec::new();
    for _ in 0..repeat {
        out = values.to_vec();
        out.sort_unstable();
        out = std::hint::black_box(out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operations_compute_what_they_say() {
        assert_eq!(count_long_words("a long word list of five", 2), 4);
        assert_eq!(checksum(b"abcde", 1), 0x05C3_01EF);
        assert_eq!(sorted(&[3, 1, 2], 3), vec![1, 2, 3]);
    }
}
