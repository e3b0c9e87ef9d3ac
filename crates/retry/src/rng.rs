//! SplitMix64: a tiny, seeded, reproducible generator. Explicit state everywhere (no global or
//! thread-local RNG), so a schedule or a simulated backend replays exactly from its seed. It is
//! benchgate-backend's, so jitter, the simulator and the HTTP mock draw from one generator.

pub use benchgate_backend::rng::SplitMix64;

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
    fn for_index_keeps_the_stream_jitter_seeds_were_drawn_from() {
        // Pinned (values of retry's own SplitMix64 before it became backend's), so per-operation
        // jitter seeds (`for_index(seed, op)`) and so every jittered schedule stay what they were.
        assert_eq!(
            SplitMix64::for_index(42, 9).next_u64(),
            1_769_378_750_177_502_979
        );
        assert_eq!(
            SplitMix64::for_index(7, 0).next_u64(),
            13_309_476_754_707_697_221
        );
    }
}
