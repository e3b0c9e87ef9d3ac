//! The unit suffixes people write in benchgate.toml and in `[[check]]` expressions (`500ms`,
//! `64MiB`, `10k/s`), each with its factor to the canonical unit (ns, bytes, 1/s). One table for
//! both parsers, so a unit the configuration takes is one an expression takes.

/// Durations, to nanoseconds.
pub const DURATION_SUFFIXES: [(&str, f64); 10] = [
    ("ns", 1.0),
    ("us", 1e3),
    ("µs", 1e3),
    ("μs", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
    ("sec", 1e9),
    ("m", 60e9),
    ("min", 60e9),
    ("h", 3600e9),
];

const KIB: f64 = 1024.0;

/// Sizes, to bytes: decimal (kB, MB…) and binary (KiB, MiB…) prefixes.
pub const SIZE_SUFFIXES: [(&str, f64); 11] = [
    ("B", 1.0),
    ("kB", 1e3),
    ("KB", 1e3),
    ("MB", 1e6),
    ("GB", 1e9),
    ("TB", 1e12),
    ("KiB", KIB),
    ("MiB", KIB * KIB),
    ("GiB", KIB * KIB * KIB),
    ("TiB", KIB * KIB * KIB * KIB),
    ("PiB", KIB * KIB * KIB * KIB * KIB),
];

/// Multipliers of plain numbers and rates (`1.5k`, `2M/s`).
pub const MULTIPLIERS: [(&str, f64); 5] =
    [("", 1.0), ("k", 1e3), ("K", 1e3), ("M", 1e6), ("G", 1e9)];
