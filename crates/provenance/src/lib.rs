//! Reads a run's context from the outside world: the git state of a working directory
//! ([`git_provenance`], [`merge_base`]), the machine's description ([`detect_environment`]) and
//! its state as it affects measurements ([`machine_state`]). Everything here is
//! best effort: a field that cannot be read is left empty rather than failing a benchmark.

mod machine;

pub use machine::{MachineState, cpu_times, governors, load_average, machine_state, shares};

use std::path::Path;
use std::process::{Command, Stdio};

use benchgate_model::{Environment, Mode, Provenance};

/// Provenance for `dir`: commit, branch and dirtiness when `dir` is inside a git checkout (and git
/// is installed); just the mode otherwise.
pub fn git_provenance(dir: &Path, mode: Mode) -> Provenance {
    let mut provenance = Provenance {
        mode,
        ..Provenance::default()
    };
    let Some(commit) = git(dir, &["rev-parse", "--verify", "-q", "HEAD"]) else {
        return provenance;
    };
    provenance.commit = Some(commit);
    provenance.branch = git(dir, &["symbolic-ref", "-q", "--short", "HEAD"]);
    // Untracked files count as dirty: they can change what is built and measured.
    provenance.dirty = git_output(dir, &["status", "--porcelain"]).map(|s| !s.trim().is_empty());
    provenance
}

/// The merge base of HEAD and `branch` in the checkout at `dir` (`git merge-base HEAD branch`):
/// the commit a branch forked from, whose stored run is the fair baseline of a pull request.
/// The error says what git said.
pub fn merge_base(dir: &Path, branch: &str) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        // A branch is never an option, whatever it looks like (`--all`, `-h`).
        .args(["merge-base", "--end-of-options", "HEAD", branch])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let sha = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if output.status.success() && !sha.is_empty() {
        return Ok(sha);
    }
    let err = String::from_utf8_lossy(&output.stderr);
    let why = err.lines().next().unwrap_or("").trim();
    Err(if why.is_empty() {
        format!("HEAD and {branch} have no merge base")
    } else {
        format!("git merge-base HEAD {branch}: {why}")
    })
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    git_output(dir, args)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn git_output(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Describes this machine, with its fingerprint set.
pub fn detect_environment() -> Environment {
    let uname = uname();
    Environment {
        hostname: uname.nodename,
        os: std::env::consts::OS.to_string(),
        kernel: uname.release,
        arch: std::env::consts::ARCH.to_string(),
        cpu_model: cpu_model().unwrap_or_default(),
        logical_cores: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
        memory_bytes: memory_bytes().unwrap_or(0),
        fingerprint: String::new(),
    }
    .with_fingerprint()
}

struct Uname {
    nodename: String,
    release: String,
}

fn uname() -> Uname {
    // SAFETY: `utsname` is plain old data; zeroed is a valid value and uname fills it in.
    let mut buf: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `buf` is a valid, writable utsname.
    if unsafe { libc::uname(&mut buf) } != 0 {
        return Uname {
            nodename: String::new(),
            release: String::new(),
        };
    }
    Uname {
        nodename: c_field(&buf.nodename),
        release: c_field(&buf.release),
    }
}

fn c_field(field: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = field
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn cpu_model() -> Option<String> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    cpuinfo_model(&cpuinfo)
}

fn cpuinfo_model(cpuinfo: &str) -> Option<String> {
    // x86 says "model name", many ARM kernels only "Hardware" or "CPU part".
    ["model name", "Hardware", "cpu model", "CPU part"]
        .iter()
        .find_map(|key| {
            cpuinfo.lines().find_map(|line| {
                let (k, v) = line.split_once(':')?;
                (k.trim() == *key).then(|| v.trim().to_string())
            })
        })
}

fn memory_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    meminfo_total(&meminfo)
}

fn meminfo_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_files() {
        assert_eq!(
            cpuinfo_model("processor\t: 0\nmodel name\t: AMD EPYC 7B13\n").as_deref(),
            Some("AMD EPYC 7B13")
        );
        assert_eq!(
            meminfo_total("MemTotal:       24594296 kB\nMemFree: 1 kB\n"),
            Some(24594296 * 1024)
        );
        assert_eq!(meminfo_total("nothing"), None);
    }

    #[test]
    fn detects_this_machine() {
        let env = detect_environment();
        assert!(env.logical_cores >= 1);
        assert!(!env.kernel.is_empty());
        assert!(env.memory_bytes > 0);
        assert_eq!(env.fingerprint, env.compute_fingerprint());
    }

    fn sh(dir: &Path, script: &str) {
        let status = Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(dir)
            .status()
            .unwrap();
        assert!(status.success(), "{script}");
    }

    #[test]
    fn reads_git_state() {
        let dir = tempfile::tempdir().unwrap();
        let none = git_provenance(dir.path(), Mode::Simulated);
        assert_eq!(
            none,
            Provenance {
                mode: Mode::Simulated,
                ..Provenance::default()
            }
        );

        sh(
            dir.path(),
            "git init -q -b trunk && git -c user.name=t -c user.email=t@t commit -q --allow-empty -m x",
        );
        let clean = git_provenance(dir.path(), Mode::Real);
        assert_eq!(clean.branch.as_deref(), Some("trunk"));
        assert_eq!(clean.dirty, Some(false));
        let commit = clean.commit.unwrap();
        assert_eq!(commit.len(), 40);

        std::fs::write(dir.path().join("new.txt"), "x").unwrap();
        assert_eq!(git_provenance(dir.path(), Mode::Real).dirty, Some(true));
    }

    #[test]
    fn a_branch_that_looks_like_an_option_reaches_git_as_a_name() {
        let dir = tempfile::tempdir().unwrap();
        sh(
            dir.path(),
            "git init -q -b trunk && git -c user.name=t -c user.email=t@t commit -q --allow-empty -m x",
        );
        let head = git_provenance(dir.path(), Mode::Real).commit.unwrap();
        assert_eq!(merge_base(dir.path(), "trunk"), Ok(head));
        for option in ["--all", "--octopus", "-h"] {
            assert_eq!(
                merge_base(dir.path(), option),
                Err(format!(
                    "git merge-base HEAD {option}: fatal: Not a valid object name {option}"
                ))
            );
        }
    }
}
