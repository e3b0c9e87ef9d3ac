use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The machine a run was measured on. `fingerprint` hashes only the fields that affect speed, so runs
/// from identical CI runners share it while a different CPU or kernel does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub hostname: String,
    pub os: String,
    pub kernel: String,
    pub arch: String,
    pub cpu_model: String,
    pub logical_cores: u32,
    pub memory_bytes: u64,
    pub fingerprint: String,
}

impl Environment {
    /// The fingerprint of the speed-relevant fields: OS, kernel, architecture, CPU model, core count
    /// and memory rounded to whole GiB (the exact total wobbles with kernel reservations).
    pub fn compute_fingerprint(&self) -> String {
        let memory_gib = (self.memory_bytes + (1 << 29)) >> 30;
        let mut hasher = Sha256::new();
        for part in [
            self.os.as_str(),
            self.kernel.as_str(),
            self.arch.as_str(),
            self.cpu_model.as_str(),
            &self.logical_cores.to_string(),
            &memory_gib.to_string(),
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0u8]);
        }
        let digest = hasher.finalize();
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Sets `fingerprint` from the other fields.
    pub fn with_fingerprint(mut self) -> Self {
        self.fingerprint = self.compute_fingerprint();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Environment {
        Environment {
            hostname: "a".into(),
            os: "linux".into(),
            kernel: "6.1.0".into(),
            arch: "x86_64".into(),
            cpu_model: "AMD EPYC".into(),
            logical_cores: 2,
            memory_bytes: 24 << 30,
            fingerprint: String::new(),
        }
        .with_fingerprint()
    }

    #[test]
    fn fingerprint_ignores_hostname_and_small_memory_wobble() {
        let a = sample();
        let mut b = sample();
        b.hostname = "b".into();
        b.memory_bytes -= 100 << 20;
        assert_eq!(a.fingerprint, b.with_fingerprint().fingerprint);
        assert_eq!(a.fingerprint.len(), 16);
    }

    #[test]
    fn fingerprint_changes_with_cpu() {
        let a = sample();
        let mut b = sample();
        b.cpu_model = "Intel Xeon".into();
        assert_ne!(a.fingerprint, b.with_fingerprint().fingerprint);
    }
}
