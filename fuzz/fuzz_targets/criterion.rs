#![no_main]
//! Any bytes, cut into a small criterion tree (the bytes say where each file ends and which of
//! a benchmark's JSON files it is): `criterion::parse` returns; it never panics or hangs.

use benchgate_adapters::criterion::{self, Tree};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 6] = [
    "new/benchmark.json",
    "new/sample.json",
    "new/estimates.json",
    "new/tukey.json",
    "change/estimates.json",
    "base/benchmark.json",
];

fuzz_target!(|data: &[u8]| {
    let mut files = Vec::new();
    for (i, part) in data.split(|&b| b == 0xff).enumerate().take(16) {
        let (selector, body) = part.split_first().unwrap_or((&0, &[]));
        let name = NAMES[usize::from(*selector) % NAMES.len()];
        let bench = if i % 2 == 0 { "group/a" } else { "group/b" };
        files.push((format!("{bench}/{name}"), body.to_vec()));
    }
    let tree = Tree { files };
    let _ = criterion::baselines(&tree);
    let _ = criterion::parse(&tree, "new");
});
