//! The generator behind every byte and every draw: xoshiro256++ (Blackman & Vigna), its state
//! four splitmix64 outputs from the seed. It is owned here, not borrowed, so that what a seed
//! generates never changes when another crate changes its generator.

/// xoshiro256++: fast (one u64 per ~1 ns), 2^256 − 1 period, good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng {
    state: [u64; 4],
}

impl Rng {
    /// The generator whose state is four consecutive splitmix64 outputs from `seed`.
    pub fn new(seed: u64) -> Rng {
        let mut splitmix_state = seed;
        let mut state = [0u64; 4];
        for word in &mut state {
            *word = splitmix64(&mut splitmix_state);
        }
        Rng { state }
    }

    /// A generator with this exact state (for reference vectors).
    pub fn from_state(state: [u64; 4]) -> Rng {
        Rng { state }
    }

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

    /// Uniform in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n) (n > 0; 0 gives 0), by the multiply-high method: a bias below 2^-64·n,
    /// irrelevant for test data, and one draw per value so streams stay aligned.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [lo, hi] (inclusive; lo ≤ hi).
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.below(span),
            None => self.next_u64(),
        }
    }

    /// A standard normal draw (Box–Muller, one of the pair).
    pub fn normal(&mut self) -> f64 {
        // 1 − [0, 1) is in (0, 1]: ln never sees 0.
        let u1 = 1.0 - self.next_f64();
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Fills `bytes` with random bytes (little-endian words).
    pub fn fill(&mut self, bytes: &mut [u8]) {
        let mut chunks = bytes.chunks_exact_mut(8);
        for chunk in &mut chunks {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let word = self.next_u64().to_le_bytes();
            rest.copy_from_slice(&word[..rest.len()]);
        }
    }
}

/// The seed of a part of a generation: `seed` mixed with a domain tag (what it is for) and an
/// index, so items, files and fields draw from independent streams and a change to one does
/// not shift the others.
pub fn derive(seed: u64, tag: &str, index: u64) -> u64 {
    // FNV-1a of the tag: stable, no dependency.
    let tag_hash = tag.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut state = seed ^ tag_hash.rotate_left(17);
    let first = splitmix64(&mut state);
    let mut state = first ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    splitmix64(&mut state)
}

/// One step of splitmix64 (Steele, Lea & Flood, 2014).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro256_plus_plus_reference_vector() {
        // From state {1, 2, 3, 4}: rotl(1 + 4, 23) + 1, then the next step of the reference C.
        let mut rng = Rng::from_state([1, 2, 3, 4]);
        assert_eq!(rng.next_u64(), 41_943_041);
        assert_eq!(rng.next_u64(), 58_720_359);
    }

    #[test]
    fn splitmix64_reference_vector() {
        // First output of splitmix64 from seed 0 (Vigna's splitmix64.c).
        let mut state = 0;
        assert_eq!(splitmix64(&mut state), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn derived_seeds_differ_by_tag_and_index() {
        assert_ne!(derive(1, "item", 0), derive(1, "item", 1));
        assert_ne!(derive(1, "item", 0), derive(1, "file", 0));
        assert_ne!(derive(1, "item", 0), derive(2, "item", 0));
        assert_eq!(derive(1, "item", 5), derive(1, "item", 5));
    }

    #[test]
    fn between_stays_in_bounds() {
        let mut rng = Rng::new(9);
        for _ in 0..10_000 {
            let v = rng.between(10, 12);
            assert!((10..=12).contains(&v));
        }
        assert_eq!(Rng::new(1).between(7, 7), 7);
    }
}
