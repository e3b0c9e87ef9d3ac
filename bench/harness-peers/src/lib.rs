//! The workloads every bench target of this directory times, compiled once here so the three
//! tools run the very same machine code (`work` is never inlined into a tool's loop).

/// A chain of splitmix64 rounds: each round depends on the one before (multiplies and shifts),
/// so the time grows linearly with `rounds` and nothing can be vectorised or folded away.
#[inline(never)]
pub fn work(seed: u64, rounds: u32) -> u64 {
    let mut x = seed;
    for _ in 0..rounds {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x = z ^ (z >> 31);
    }
    x
}

/// The input every benchmark passes through `black_box`.
pub const SEED: u64 = 0x1234_5678_9ABC_DEF0;

/// Rounds of [`work`] for the "20 ns" workload (calibrated on the 2-vCPU EPYC VM).
pub const ROUNDS_20NS: u32 = 10;
/// Rounds of [`work`] for the "2 µs" workload.
pub const ROUNDS_2US: u32 = 470;

/// The 10-benchmark suite: `suite/r{n}` runs `work` with n rounds (about 4 ns to 2 µs).
pub const SUITE_ROUNDS: [u32; 10] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
