//! What the store's benches share: the machine their generated runs claim.

use benchgate_model::Environment;

/// A fixed machine, so every generated run has the same fingerprint.
pub fn environment() -> Environment {
    Environment {
        hostname: "bench".into(),
        os: "linux".into(),
        kernel: "6.1".into(),
        arch: "x86_64".into(),
        cpu_model: "bench cpu".into(),
        logical_cores: 2,
        memory_bytes: 24 << 30,
        fingerprint: String::new(),
    }
    .with_fingerprint()
}
