//! SplitMix64: a tiny, seeded, reproducible generator. Explicit state everywhere (no global or
//! thread-local RNG), so a schedule or a simulated backend replays exactly from its seed.

/// The SplitMix64 generator (Steele, Lea and Flood, 2014), as used to seed xoshiro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// A generator for item `index` of a stream seeded with `seed`: the same pair always gives
    /// the same numbers, whatever order items are drawn in (concurrent calls, per-op jitter).
    pub fn for_index(seed: u64, index: u64) -> Self {
        let mut mixer = Self::new(seed ^ index.wrapping_mul(GOLDEN_GAMMA).rotate_left(17));
        // One extra round decorrelates neighbouring indices.
        Self::new(mixer.next_u64() ^ index)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits of precision.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, max] inclusive (multiply-shift; the bias is below 2⁻⁶⁴ · max).
    pub fn up_to(&mut self, max: u64) -> u64 {
        ((u128::from(self.next_u64()) * (u128::from(max) + 1)) >> 64) as u64
    }

    /// True with probability `p` (p ≤ 0 never, p ≥ 1 always).
    pub fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_sequence() {
        // Reference outputs of splitmix64.c for seed 1234567.
        let mut rng = SplitMix64::new(1_234_567);
        let got: Vec<u64> = (0..5).map(|_| rng.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
    }

    #[test]
    fn up_to_stays_within_bounds_and_reaches_both_ends() {
        let mut rng = SplitMix64::new(7);
        let draws: Vec<u64> = (0..10_000).map(|_| rng.up_to(3)).collect();
        assert!(draws.iter().all(|&d| d <= 3));
        for value in 0..=3 {
            let count = draws.iter().filter(|&&d| d == value).count();
            // Expected 2500 each; ±400 is > 8 standard deviations.
            assert!((2100..=2900).contains(&count), "{value}: {count}");
        }
        assert_eq!(SplitMix64::new(1).up_to(0), 0);
        assert!(SplitMix64::new(1).up_to(u64::MAX) > 0);
    }

    #[test]
    fn for_index_is_a_pure_function_of_seed_and_index() {
        let a = SplitMix64::for_index(42, 9).next_u64();
        assert_eq!(a, SplitMix64::for_index(42, 9).next_u64());
        assert_ne!(a, SplitMix64::for_index(42, 10).next_u64());
        assert_ne!(a, SplitMix64::for_index(43, 9).next_u64());
    }

    #[test]
    fn chance_follows_the_probability() {
        let mut rng = SplitMix64::new(3);
        let hits = (0..10_000).filter(|_| rng.chance(0.4)).count();
        // Binomial(10000, 0.4): sd ≈ 49; ±300 is > 6 sd.
        assert!((3700..=4300).contains(&hits), "{hits}");
        assert!(!SplitMix64::new(3).chance(0.0));
        assert!(SplitMix64::new(3).chance(1.0));
    }
}
