//! File contents of a chosen compressibility.
//!
//! The content is a stream of 4 KiB blocks. In each block the first ⌊(1 − c)·4096⌉ bytes are
//! random (xoshiro256++ output, incompressible) and the rest is filler: one seeded 16-byte
//! pattern repeated, which any LZ compressor reduces to almost nothing. So a compressor shrinks
//! the content to about (1 − c) of its size (`--compressibility 0.5` halves it; 0 is
//! incompressible; 1 is all filler, still never all zeros, so no tool mistakes it for a hole).
//! Every block differs (its random part), so block-level deduplication finds nothing to share
//! unless c = 1. A file of n bytes is the first n bytes of its seed's stream.

use std::io::{self, Write};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::rng::Rng;

/// The unit of compressibility: each block has its own random part and filler.
pub const BLOCK: usize = 4096;

/// What fraction of the content a compressor can remove, 0 to 1 (in steps of 1/4096).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Compressibility(f64);

impl Compressibility {
    pub const INCOMPRESSIBLE: Compressibility = Compressibility(0.0);

    /// `fraction` if it is within 0 to 1.
    pub fn new(fraction: f64) -> Option<Compressibility> {
        (0.0..=1.0)
            .contains(&fraction)
            .then_some(Compressibility(fraction))
    }

    /// Parses a fraction (`0.5`) or a percentage (`50%`).
    pub fn parse(text: &str) -> Result<Compressibility, crate::size::ParseError> {
        let trimmed = text.trim();
        let value = match trimmed.strip_suffix('%') {
            Some(percent) => percent.trim().parse::<f64>().map(|p| p / 100.0),
            None => trimmed.parse::<f64>(),
        };
        value
            .ok()
            .and_then(Compressibility::new)
            .ok_or_else(|| crate::size::ParseError {
                text: text.to_owned(),
                expected: "expected a fraction from 0 to 1 (e.g. 0.5) or a percentage (50%)"
                    .to_owned(),
            })
    }

    pub fn fraction(self) -> f64 {
        self.0
    }

    /// The random bytes at the start of each block.
    fn random_len(self) -> usize {
        ((1.0 - self.0) * BLOCK as f64).round() as usize
    }
}

/// The content of one seed and compressibility, block by block.
pub struct ContentStream {
    rng: Rng,
    random_len: usize,
    filler: [u8; BLOCK],
}

impl ContentStream {
    pub fn new(seed: u64, compressibility: Compressibility) -> ContentStream {
        let mut rng = Rng::new(seed);
        let mut pattern = [0u8; 16];
        rng.fill(&mut pattern);
        let mut filler = [0u8; BLOCK];
        for (byte, &p) in filler.iter_mut().zip(pattern.iter().cycle()) {
            *byte = p;
        }
        ContentStream {
            rng,
            random_len: compressibility.random_len(),
            filler,
        }
    }

    /// Fills `buffer` (a whole number of blocks) with the next blocks of the stream.
    fn next_blocks(&mut self, buffer: &mut [u8]) {
        for block in buffer.chunks_mut(BLOCK) {
            let (random, filler) = block.split_at_mut(self.random_len.min(block.len()));
            self.rng.fill(random);
            filler.copy_from_slice(&self.filler[..filler.len()]);
        }
    }

    /// Writes the first `len` bytes of the stream to `out`, returning their SHA-256.
    pub fn write_to(mut self, out: &mut impl Write, len: u64) -> io::Result<[u8; 32]> {
        // Up to 256 blocks: few system calls, and it stays in the cache while it is hashed;
        // no more blocks than the content needs (small files are most of a tree).
        let blocks = len.div_ceil(BLOCK as u64).clamp(1, 256) as usize;
        let mut buffer = vec![0u8; blocks * BLOCK];
        let mut hasher = Sha256::new();
        let mut remaining = len;
        while remaining > 0 {
            self.next_blocks(&mut buffer);
            let take = remaining.min(buffer.len() as u64) as usize;
            hasher.update(&buffer[..take]);
            out.write_all(&buffer[..take])?;
            remaining -= take as u64;
        }
        Ok(hasher.finalize().into())
    }
}

/// The first `len` bytes of the content of `seed` at `compressibility`, in memory: a fixture
/// for benchmarks that want bytes rather than a file.
pub fn content(seed: u64, compressibility: Compressibility, len: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(len);
    // Writing to a Vec cannot fail.
    let _ = ContentStream::new(seed, compressibility).write_to(&mut bytes, len as u64);
    bytes
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shorter_content_is_a_prefix_of_a_longer_one() {
        let long = content(7, Compressibility(0.3), 3 * BLOCK + 100);
        let short = content(7, Compressibility(0.3), BLOCK + 5);
        assert_eq!(&long[..short.len()], &short[..]);
        assert_ne!(content(8, Compressibility(0.3), 100), long[..100]);
    }

    #[test]
    fn each_block_is_random_then_filler() {
        let bytes = content(1, Compressibility(0.25), 2 * BLOCK);
        // 3072 random bytes, then 1024 bytes of the 16-byte pattern.
        let block = &bytes[..BLOCK];
        let filler = &block[3072..];
        assert!(filler.chunks(16).all(|c| c == &filler[..16]));
        assert_ne!(&block[3056..3072], &filler[..16]);
        assert_eq!(&bytes[BLOCK + 3072..], filler);
        assert_ne!(&bytes[..3072], &bytes[BLOCK..BLOCK + 3072]);
    }

    #[test]
    fn compressibility_parses_fractions_and_percentages() {
        assert_eq!(Compressibility::parse("0.5").unwrap().fraction(), 0.5);
        assert_eq!(Compressibility::parse("25%").unwrap().fraction(), 0.25);
        assert!(Compressibility::parse("1.5").is_err());
        assert!(Compressibility::parse("-0.1").is_err());
        assert!(Compressibility::parse("half").is_err());
    }
}
