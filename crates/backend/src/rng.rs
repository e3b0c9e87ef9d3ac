//! A tiny seeded generator (SplitMix64) and the per-call streams derived from it: the one
//! generator of the mock backend, the in-process simulator and the retry policies' jitter.
//!
//! SplitMix64 passes BigCrush for the few draws a call needs, has a 64-bit state (so a stream
//! is cheap to derive for every call) and is fully specified here, so a seed reproduces the same
//! decisions on every platform and every version of every dependency.

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser: a bijective 64-bit mix.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Which independent stream of a call a draw comes from, so that changing the latency
/// distribution never changes which calls fail (and vice versa).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Failure = 1,
    Latency = 2,
}

/// The SplitMix64 generator (Steele, Lea and Flood, 2014). Explicit state everywhere (no global
/// or thread-local RNG), so whatever draws from it replays exactly from its seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The generator for one stream of call `call_index` (0-based, in arrival order) under
    /// `seed`: a pure function of the three, independent of every other call.
    pub fn for_call(seed: u64, call_index: u64, stream: Stream) -> Self {
        let state =
            mix64(mix64(seed ^ mix64(call_index.wrapping_add(GOLDEN_GAMMA))) ^ stream as u64);
        Self { state }
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
        mix64(self.state)
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

    /// Uniform in (0, 1]: safe under `ln`.
    pub fn next_f64_nonzero(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal deviate (Box-Muller; the second deviate is discarded so every sample
    /// costs the same two draws).
    pub fn next_standard_normal(&mut self) -> f64 {
        let u1 = self.next_f64_nonzero();
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // Reference values of SplitMix64 seeded with 1234567 (Vigna's splitmix64.c).
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(rng.next_u64(), 9_817_491_932_198_370_423);
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

    #[test]
    fn call_streams_are_pure_and_distinct() {
        let a = SplitMix64::for_call(7, 42, Stream::Failure).next_u64();
        assert_eq!(a, SplitMix64::for_call(7, 42, Stream::Failure).next_u64());
        assert_ne!(a, SplitMix64::for_call(7, 43, Stream::Failure).next_u64());
        assert_ne!(a, SplitMix64::for_call(8, 42, Stream::Failure).next_u64());
        assert_ne!(a, SplitMix64::for_call(7, 42, Stream::Latency).next_u64());
    }

    #[test]
    fn standard_normal_has_mean_zero_and_unit_variance() {
        let mut rng = SplitMix64::new(3);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| rng.next_standard_normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!((var - 1.0).abs() < 0.03, "variance {var}");
    }
}
