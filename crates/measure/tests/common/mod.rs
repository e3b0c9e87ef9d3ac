//! What the runner's and the instruction counter's tests share.

use std::fs;

/// The processes still alive whose command line contains one of `markers` (pid: command line),
/// to check that a timeout killed everything a command started.
pub fn lingering(markers: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        if let Ok(raw) = fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&raw).replace('\0', " ");
            if markers.iter().any(|m| cmdline.contains(m)) {
                found.push(format!(
                    "{}: {cmdline}",
                    entry.file_name().to_string_lossy()
                ));
            }
        }
    }
    found
}
