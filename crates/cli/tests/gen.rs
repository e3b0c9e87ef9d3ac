//! `benchgate gen`: what it writes (exact sizes, the same bytes for the same seed, a manifest,
//! valid ext4 images), the speed it reports, and bad parameters: exit 2, a clear message and
//! nothing left behind.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_valid, benchgate, benchgate_process_with_env, read_json, stderr, stdout};

/// The manifest's JSON Schema, under docs/schema.
const SCHEMA: &str = "gen-manifest.v1.schema.json";

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sha256(path: &Path) -> String {
    let output = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn sbin(name: &str) -> PathBuf {
    ["/usr/sbin", "/sbin", "/usr/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("{name} is installed (e2fsprogs, qemu-utils)"))
}

#[test]
fn gen_file_writes_the_exact_size_a_manifest_and_its_speed() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "gen",
            "file",
            "--size",
            "3MiB",
            "--compressibility",
            "25%",
            "--seed",
            "5",
            "-o",
            "blob.bin",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::metadata(dir.path().join("blob.bin"))
            .unwrap()
            .len(),
        3 << 20
    );
    let err = stderr(&out);
    assert!(err.starts_with("generated file (3 MiB) in "), "{err}");
    assert!(
        err.contains(" MB/s → blob.bin (manifest blob.bin.manifest.json)"),
        "{err}"
    );
    let manifest = read_json(&dir.path().join("blob.bin.manifest.json"));
    assert_valid(SCHEMA, &manifest);
    assert_eq!(manifest["seed"], 5);
    assert_eq!(manifest["parameters"]["compressibility"], 0.25);
    assert_eq!(
        manifest["outputs"][0]["sha256"],
        sha256(&dir.path().join("blob.bin"))
    );
    assert!(manifest["mb_per_s"].as_f64().unwrap() > 0.0);

    // Again, elsewhere: the same bytes; --json prints the manifest.
    std::fs::create_dir(dir.path().join("again")).unwrap();
    let again = benchgate(
        &[
            "gen",
            "file",
            "--size",
            "3MiB",
            "--compressibility",
            "0.25",
            "--seed",
            "5",
            "-o",
            "again/blob.bin",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        sha256(&dir.path().join("blob.bin")),
        sha256(&dir.path().join("again/blob.bin"))
    );
    let printed: serde_json::Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(
        printed["outputs"][0]["sha256"],
        manifest["outputs"][0]["sha256"]
    );
}

#[test]
fn gen_tree_and_a_varied_batch() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "gen",
            "tree",
            "--files",
            "30",
            "--sizes",
            "fixed(2KiB)",
            "-o",
            "tree",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(entries(&dir.path().join("tree/d0000")).len(), 30);
    let manifest = read_json(&dir.path().join("tree.manifest.json"));
    assert_valid(SCHEMA, &manifest);
    assert_eq!(
        manifest["outputs"][0]["files"].as_array().unwrap().len(),
        30
    );
    assert_eq!(manifest["outputs"][0]["size"], 30 * 2048);

    let out = benchgate(
        &[
            "gen", "file", "--size", "8KiB", "--batch", "4", "--varied", "--seed", "2", "-o", "set",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("generated 4 files ("),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        entries(&dir.path().join("set")),
        [
            "file-0001.bin",
            "file-0002.bin",
            "file-0003.bin",
            "file-0004.bin",
            "manifest.json"
        ]
    );
    let manifest = read_json(&dir.path().join("set/manifest.json"));
    assert_valid(SCHEMA, &manifest);
    assert_eq!(manifest["batch"], 4);
    assert_eq!(manifest["varied"], true);
    for output in manifest["outputs"].as_array().unwrap() {
        let path = dir
            .path()
            .join("set")
            .join(output["path"].as_str().unwrap());
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            output["size"].as_u64().unwrap()
        );
        assert_eq!(output["sha256"], sha256(&path));
    }
}

#[test]
fn gen_image_makes_a_valid_ext4_image_twice_the_same() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.raw", "b.raw"] {
        let out = benchgate(
            &[
                "gen",
                "image",
                "--preset",
                "minimal",
                "--distro",
                "ubuntu",
                "--packages",
                "25",
                "--seed",
                "9",
                "-o",
                name,
            ],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let a = dir.path().join("a.raw");
    assert_eq!(std::fs::metadata(&a).unwrap().len(), 1 << 20);
    let manifest = read_json(&dir.path().join("a.raw.manifest.json"));
    assert_valid(SCHEMA, &manifest);
    assert_eq!(manifest["outputs"][0]["sha256"], sha256(&a));
    assert_eq!(manifest["outputs"][0]["virtual_size"], 1 << 20);
    assert_eq!(sha256(&a), sha256(&dir.path().join("b.raw")));
    let fsck = Command::new(sbin("e2fsck"))
        .arg("-fn")
        .arg(&a)
        .output()
        .unwrap();
    assert!(
        fsck.status.success(),
        "{}",
        String::from_utf8_lossy(&fsck.stdout)
    );
    let status = Command::new(sbin("debugfs"))
        .args(["-R", "cat /var/lib/dpkg/status"])
        .arg(&a)
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    assert_eq!(status.matches("Package: ").count(), 25, "{status}");
    assert!(status.contains("ubuntu"), "Ubuntu versions and maintainers");
}

#[test]
fn bad_parameters_exit_2_with_a_clear_message_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["gen", "file", "--size", "0", "-o", "f"],
            "error: gen file: --size 0: a file must have at least 1 byte",
        ),
        (
            &["gen", "file", "--size", "100GiB", "-o", "f"],
            "files are limited to 64 GiB",
        ),
        (
            &["gen", "file", "--size", "ten", "-o", "f"],
            "expected a size such as 4096",
        ),
        (
            &[
                "gen",
                "file",
                "--size",
                "1KiB",
                "--compressibility",
                "2",
                "-o",
                "f",
            ],
            "expected a fraction from 0 to 1",
        ),
        (
            &[
                "gen",
                "tree",
                "--files",
                "3",
                "--sizes",
                "pareto(1KiB)",
                "-o",
                "t",
            ],
            "unknown distribution \"pareto\"",
        ),
        (
            &["gen", "tree", "--files", "0", "-o", "t"],
            "--files 0: a tree has 1 to 1000000 files",
        ),
        (
            &["gen", "file", "--size", "1KiB", "-o", "no/such/dir/f"],
            "error: gen file: cannot write in no/such/dir: No such file or directory",
        ),
        (
            &["gen", "image", "--size", "100KiB", "-o", "i.raw"],
            "image size 100 KiB is out of range: 1 MiB to 64 GiB",
        ),
        (
            &[
                "gen", "image", "--preset", "minimal", "--files", "5000", "-o", "i.raw",
            ],
            "5000 user files do not fit an image of 1 MiB",
        ),
        (
            &[
                "gen", "image", "--preset", "minimal", "--distro", "gentoo", "-o", "i.raw",
            ],
            "invalid value 'gentoo' for '--distro <DISTRO>'",
        ),
        (&["gen", "image", "-o", "i.raw"], "--preset <PRESET>"),
        (
            &["gen", "file", "--size", "1KiB", "--varied", "-o", "f"],
            "--batch <N>",
        ),
        (
            &["gen", "file", "--size", "1KiB", "--batch", "0", "-o", "f"],
            "--batch 0: a batch has 1 to 10000 items",
        ),
    ];
    for (args, expected) in cases {
        let out = benchgate(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(
            entries(dir.path()).is_empty(),
            "{args:?} left {:?}",
            entries(dir.path())
        );
    }
    // An existing output is kept unless --force.
    std::fs::write(dir.path().join("f"), "mine").unwrap();
    let out = benchgate(&["gen", "file", "--size", "1KiB", "-o", "f"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("f exists (pass --force to replace it)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("f")).unwrap(),
        "mine"
    );
    let out = benchgate(
        &["gen", "file", "--size", "1KiB", "-o", "f", "--force"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::metadata(dir.path().join("f")).unwrap().len(), 1024);
}

/// Without qemu-img a qcow2 image is refused up front, naming the package; raw still works.
#[test]
fn a_missing_qemu_img_is_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let work = dir.path().join("work");
    std::fs::create_dir(&bin).unwrap();
    std::fs::create_dir(&work).unwrap();
    // Only e2fsprogs on PATH (and /usr/sbin, /sbin, which hold no qemu-img).
    for tool in ["mkfs.ext4", "debugfs"] {
        std::os::unix::fs::symlink(sbin(tool), bin.join(tool)).unwrap();
    }
    assert!(!Path::new("/usr/sbin/qemu-img").exists() && !Path::new("/sbin/qemu-img").exists());
    let path = bin.to_str().unwrap();
    let out = benchgate_process_with_env(
        &[
            "gen", "image", "--preset", "minimal", "--format", "qcow2", "-o", "i.qcow2",
        ],
        &work,
        &[("PATH", path)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "error: gen image: qemu-img not found on PATH or in /usr/sbin, /sbin (it is in the qemu-utils package)\n"
    );
    assert!(entries(&work).is_empty());
    let out = benchgate_process_with_env(
        &["gen", "image", "--preset", "minimal", "-o", "i.raw"],
        &work,
        &[("PATH", path)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
