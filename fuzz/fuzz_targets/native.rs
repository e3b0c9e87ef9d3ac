#![no_main]
//! Any bytes: `native::parse` (through the top-level `parse`, which adds the empty-input check
//! and the "looks like another format" hint) and `detect` return; they never panic or hang.

use benchgate_adapters::{Format, detect, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    let _ = parse(Format::Benchgate, data);
});
