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

/// Kills (SIGKILL, by pid) the processes still alive with one of `markers` in their command line
/// when dropped: a test that finds processes left behind fails without leaving them running.
#[allow(dead_code)] // not every test binary that shares this module uses it
pub struct KillLingering(pub &'static [&'static str]);

impl Drop for KillLingering {
    fn drop(&mut self) {
        for entry in lingering(self.0) {
            if let Some(pid) = entry.split(':').next().and_then(|p| p.parse::<i32>().ok()) {
                // SAFETY: kill has no memory-safety preconditions; the pid is one of this test's.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }
}
