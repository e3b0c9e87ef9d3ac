//! A tiny, fully specified PRNG so seeded results are reproducible forever, on every platform, and
//! can be replayed exactly in other languages (`tests/fixtures/make_fixtures.py` does so in Python).
//!
//! Generator: xoshiro256++ (Blackman & Vigna, 2019). Seeding: the four state words are four
//! consecutive outputs of splitmix64 started at the seed (as `rand_xoshiro`'s `seed_from_u64`).
//! Bounded integers: Lemire's multiply-and-reject method (2019), which is unbiased.

/// xoshiro256++ pseudo-random generator. Not cryptographic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    state: [u64; 4],
}

impl Rng {
    /// Generator whose state is four consecutive splitmix64 outputs from `seed`.
    pub fn seed_from_u64(seed: u64) -> Rng {
        let mut splitmix_state = seed;
        let mut state = [0u64; 4];
        for word in &mut state {
            *word = splitmix64(&mut splitmix_state);
        }
        // splitmix64 is a bijection of its counter, so four consecutive outputs are never all
        // zero — the one state xoshiro cannot leave.
        Rng { state }
    }

    /// Generator with the given raw state; `None` for the all-zero state, which only yields zeros.
    pub fn from_state(state: [u64; 4]) -> Option<Rng> {
        (state != [0; 4]).then_some(Rng { state })
    }

    /// Next 64 uniformly distributed bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform integer in `0..bound` by Lemire's method: the high word of `next_u64() · bound`,
    /// redrawing while the low word falls below `2⁶⁴ mod bound` (rare). Consumes one draw per
    /// attempt; returns 0 without drawing when `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        let mut product = u128::from(self.next_u64()) * u128::from(bound);
        if (product as u64) < bound {
            let threshold = bound.wrapping_neg() % bound;
            while (product as u64) < threshold {
                product = u128::from(self.next_u64()) * u128::from(bound);
            }
        }
        (product >> 64) as u64
    }

    /// Uniform index in `0..len` ([`Rng::below`] on `usize`); 0 when `len` is 0.
    pub fn index(&mut self, len: usize) -> usize {
        // usize is at most 64 bits on supported targets and the result is < len, so both casts
        // are lossless.
        self.below(len as u64) as usize
    }

    /// Uniform `f64` in [0, 1): the top 53 bits of one draw, times 2⁻⁵³.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// One step of splitmix64 (Steele, Lea & Flood, 2014).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro256plusplus_reference_vector() {
        // Reference outputs for state [1, 2, 3, 4], as in rand_xoshiro's test suite (from the C
        // reference implementation).
        let mut rng = Rng::from_state([1, 2, 3, 4]).unwrap();
        let expected: [u64; 10] = [
            41943041,
            58720359,
            3588806011781223,
            3591011842654386,
            9228616714210784205,
            9973669472204895162,
            14011001112246962877,
            12406186145184390807,
            15849039046786891736,
            10450023813501588000,
        ];
        for e in expected {
            assert_eq!(rng.next_u64(), e);
        }
    }

    #[test]
    fn splitmix64_reference_vector() {
        // First outputs of splitmix64 from seed 0 (Vigna's splitmix64.c).
        let mut state = 0u64;
        assert_eq!(splitmix64(&mut state), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(&mut state), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn all_zero_state_is_rejected() {
        assert_eq!(Rng::from_state([0; 4]), None);
    }

    #[test]
    fn below_is_in_range_and_handles_zero_and_max() {
        let mut rng = Rng::seed_from_u64(7);
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.below(1), 0);
        for bound in [2u64, 3, 7, 1000, u64::MAX / 3 * 2, u64::MAX] {
            for _ in 0..1000 {
                assert!(rng.below(bound) < bound);
            }
        }
        assert_eq!(rng.index(0), 0);
    }

    #[test]
    fn below_is_roughly_uniform() {
        let mut rng = Rng::seed_from_u64(42);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[rng.index(6)] += 1;
        }
        // Each count is Binomial(60000, 1/6): sd ≈ 91, so ±600 is a > 6σ margin.
        assert!(
            counts.iter().all(|&c| (9_400..=10_600).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn next_f64_is_in_unit_interval() {
        let mut rng = Rng::seed_from_u64(1);
        for _ in 0..10_000 {
            let x = rng.next_f64();
            assert!((0.0..1.0).contains(&x));
        }
    }

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::seed_from_u64(123);
        let mut b = Rng::seed_from_u64(123);
        let mut c = Rng::seed_from_u64(124);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..5).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }
}
