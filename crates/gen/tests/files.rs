//! Files and trees: exact sizes, the same bytes for the same seed, compressibility as a real
//! compressor sees it, batches and their manifest, and nothing left behind on bad parameters.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use benchgate_gen::{
    Compressibility, FileSpec, GenError, Request, SizeDist, Spec, TreeSpec, content, generate,
    manifest_path,
};

fn compressibility(fraction: f64) -> Compressibility {
    Compressibility::new(fraction).unwrap()
}

fn file(size: u64, fraction: f64) -> Spec {
    Spec::File(FileSpec {
        size,
        compressibility: compressibility(fraction),
    })
}

fn tree(files: u64, sizes: &str) -> Spec {
    Spec::Tree(TreeSpec {
        files,
        sizes: SizeDist::parse(sizes).unwrap(),
        compressibility: compressibility(0.0),
    })
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The length of `bytes` compressed by `gzip -6`.
fn gzipped_len(bytes: &[u8]) -> usize {
    let mut child = Command::new("gzip")
        .args(["-6", "-c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    output.stdout.len()
}

#[test]
fn gzip_removes_about_the_fraction_asked_for() {
    let len = 4 << 20;
    for fraction in [0.0, 0.25, 0.5, 0.75, 0.9] {
        let bytes = content(1, compressibility(fraction), len);
        let ratio = gzipped_len(&bytes) as f64 / len as f64;
        let expected = 1.0 - fraction;
        assert!(
            (ratio - expected).abs() < 0.03,
            "compressibility {fraction}: gzip keeps {ratio:.3} of it, expected {expected:.3}"
        );
    }
}

#[test]
fn a_file_has_the_exact_size_and_the_same_bytes_for_the_same_seed() {
    let dir = tempfile::tempdir().unwrap();
    for size in [1, 4095, 4096, 1_000_003] {
        let a = dir.path().join(format!("a-{size}"));
        let b = dir.path().join(format!("b-{size}"));
        let ma = generate(&Request::new(file(size, 0.5), 9), &a).unwrap();
        let mb = generate(&Request::new(file(size, 0.5), 9), &b).unwrap();
        assert_eq!(std::fs::metadata(&a).unwrap().len(), size);
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert_eq!(ma.outputs[0].sha256, mb.outputs[0].sha256);
        assert_eq!(
            std::fs::read(&a).unwrap(),
            content(9, compressibility(0.5), size as usize)
        );
    }
    let other = dir.path().join("other");
    let m = generate(&Request::new(file(4096, 0.5), 10), &other).unwrap();
    assert_ne!(
        std::fs::read(&other).unwrap(),
        content(9, compressibility(0.5), 4096)
    );
    assert_eq!(m.seed, 10);
}

#[test]
fn the_manifest_records_seed_parameters_sizes_checksums_and_speed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("blob.bin");
    generate(&Request::new(file(100_000, 0.25), 3), &target).unwrap();
    assert_eq!(entries(dir.path()), ["blob.bin", "blob.bin.manifest.json"]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(manifest_path(&target)).unwrap()).unwrap();
    assert_eq!(manifest["format"], "benchgate/gen-manifest/v1");
    assert_eq!(manifest["seed"], 3);
    assert_eq!(manifest["parameters"]["kind"], "file");
    assert_eq!(manifest["parameters"]["size"], 100_000);
    assert_eq!(manifest["parameters"]["compressibility"], 0.25);
    let output = &manifest["outputs"][0];
    assert_eq!(output["path"], "blob.bin");
    assert_eq!(output["size"], 100_000);
    let sha = Command::new("sha256sum").arg(&target).output().unwrap();
    let sha = String::from_utf8_lossy(&sha.stdout);
    assert_eq!(output["sha256"], sha.split_whitespace().next().unwrap());
    assert_eq!(manifest["total_bytes"], 100_000);
    assert!(manifest["mb_per_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_tree_has_the_files_and_sizes_its_distribution_draws() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tree");
    let manifest = generate(&Request::new(tree(2500, "uniform(1KiB, 8KiB)"), 4), &target).unwrap();
    assert_eq!(entries(&target), ["d0000", "d0001", "d0002"]);
    assert_eq!(entries(&target.join("d0002")).len(), 500);
    let files = &manifest.outputs[0].files;
    assert_eq!(files.len(), 2500);
    let mut total = 0;
    for entry in files {
        let len = std::fs::metadata(target.join(&entry.path)).unwrap().len();
        assert_eq!(len, entry.size, "{}", entry.path);
        assert!((1024..=8192).contains(&len));
        total += len;
    }
    assert_eq!(manifest.outputs[0].size, total);
    // Spread over the range, not one size.
    let distinct: std::collections::BTreeSet<u64> = files.iter().map(|f| f.size).collect();
    assert!(distinct.len() > 1000, "{} distinct sizes", distinct.len());

    let again = dir.path().join("again");
    let second = generate(&Request::new(tree(2500, "uniform(1KiB, 8KiB)"), 4), &again).unwrap();
    let sums = |m: &benchgate_gen::Manifest| -> Vec<String> {
        m.outputs[0]
            .files
            .iter()
            .map(|f| f.sha256.clone())
            .collect()
    };
    assert_eq!(sums(&manifest), sums(&second));
    assert_eq!(
        std::fs::read(target.join("d0001/f001234.bin")).unwrap(),
        std::fs::read(again.join("d0001/f001234.bin")).unwrap()
    );
}

#[test]
fn a_lognormal_tree_is_skewed_and_a_fixed_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let lognormal = generate(
        &Request::new(tree(400, "lognormal(median=4KiB, sigma=1.5)"), 1),
        &dir.path().join("l"),
    )
    .unwrap();
    let mut sizes: Vec<u64> = lognormal.outputs[0].files.iter().map(|f| f.size).collect();
    sizes.sort_unstable();
    let median = sizes[200];
    assert!((2048..=8192).contains(&median), "median {median}");
    assert!(
        sizes[399] > 10 * median,
        "largest {} vs median {median}",
        sizes[399]
    );
    let fixed = generate(
        &Request::new(tree(10, "fixed(3000)"), 1),
        &dir.path().join("f"),
    )
    .unwrap();
    assert!(fixed.outputs[0].files.iter().all(|f| f.size == 3000));
}

#[test]
fn a_batch_is_a_directory_of_items_with_one_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("set");
    let mut request = Request::new(file(10_000, 0.5), 8);
    request.batch = Some(3);
    let manifest = generate(&request, &target).unwrap();
    assert_eq!(
        entries(&target),
        [
            "file-0001.bin",
            "file-0002.bin",
            "file-0003.bin",
            "manifest.json"
        ]
    );
    // Same parameters, each its own seed.
    let seeds: Vec<u64> = manifest.outputs.iter().map(|o| o.seed).collect();
    assert_eq!(
        seeds
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        3
    );
    assert!(manifest.outputs.iter().all(|o| o.size == 10_000));
    assert_ne!(
        std::fs::read(target.join("file-0001.bin")).unwrap(),
        std::fs::read(target.join("file-0002.bin")).unwrap()
    );

    // Varied: sizes and compressibility differ per item, within ½× to 2×, reproducibly.
    request.varied = true;
    request.batch = Some(20);
    let varied = generate(&request, &dir.path().join("varied")).unwrap();
    let again = generate(&request, &dir.path().join("varied-again")).unwrap();
    let params = |m: &benchgate_gen::Manifest| -> Vec<(u64, Option<String>)> {
        m.outputs
            .iter()
            .map(|o| (o.size, o.sha256.clone()))
            .collect()
    };
    assert_eq!(params(&varied), params(&again));
    let sizes: Vec<u64> = varied.outputs.iter().map(|o| o.size).collect();
    assert!(
        sizes.iter().all(|s| (5_000..=20_000).contains(s)),
        "{sizes:?}"
    );
    assert!(
        sizes
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            > 10,
        "{sizes:?}"
    );
    let fractions: BTreeMap<String, ()> = varied
        .outputs
        .iter()
        .map(|o| match &o.parameters {
            Spec::File(f) => (f.compressibility.fraction().to_string(), ()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(fractions.len() > 5, "{fractions:?}");
}

#[test]
fn bad_parameters_are_errors_that_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(Request, &str)> = vec![
        (Request::new(file(0, 0.5), 1), "--size 0"),
        (Request::new(file(65 << 30, 0.5), 1), "limited to 64 GiB"),
        (Request::new(tree(0, "fixed(1KiB)"), 1), "--files 0"),
        (
            Request::new(tree(2_000_000, "fixed(1KiB)"), 1),
            "1 to 1000000 files",
        ),
        (
            Request::new(tree(100_000, "fixed(1GiB)"), 1),
            "limited to 64 GiB",
        ),
        (
            {
                let mut r = Request::new(file(100, 0.5), 1);
                r.batch = Some(0);
                r
            },
            "--batch 0",
        ),
        (
            {
                let mut r = Request::new(file(1 << 30, 0.5), 1);
                r.batch = Some(100);
                r
            },
            "limited to 64 GiB",
        ),
    ];
    for (request, expected) in cases {
        let error = generate(&request, &dir.path().join("out")).unwrap_err();
        assert!(matches!(error, GenError::Parameter(_)), "{error:?}");
        assert!(
            error.to_string().contains(expected),
            "{error} (expected {expected:?})"
        );
    }
    // A lognormal tree whose draws add up past the limit is refused once drawn, before
    // anything is written.
    let request = Request::new(tree(1_000_000, "lognormal(median=1GiB, sigma=1)"), 1);
    let error = generate(&request, &dir.path().join("out")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the items drawn add up to more than 64 GiB"),
        "{error}"
    );
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[test]
fn an_unwritable_or_missing_directory_and_an_existing_target_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let error = generate(
        &Request::new(file(10, 0.0), 1),
        &dir.path().join("no/such/dir/f"),
    )
    .unwrap_err();
    assert!(matches!(error, GenError::Unwritable { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "cannot write in {}: No such file or directory (os error 2)",
            dir.path().join("no/such/dir").display()
        )
    );

    let target = dir.path().join("f");
    std::fs::write(&target, b"keep me").unwrap();
    let error = generate(&Request::new(file(10, 0.0), 1), &target).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{} exists (pass --force to replace it)", target.display())
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"keep me");
    let mut replace = Request::new(file(10, 0.0), 1);
    replace.replace = true;
    generate(&replace, &target).unwrap();
    assert_eq!(std::fs::metadata(&target).unwrap().len(), 10);
    assert_eq!(entries(dir.path()), ["f", "f.manifest.json"]);
}

/// A parent that is a file cannot hold the temporary directory: an error, nothing written.
#[test]
fn a_parent_that_is_a_file_is_unwritable() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain");
    std::fs::write(&file, b"x").unwrap();
    let error = generate(&Request::new(file_spec(), 1), &file.join("f")).unwrap_err();
    assert!(matches!(error, GenError::Unwritable { .. }), "{error:?}");
    assert_eq!(entries(dir.path()), ["plain"]);
}

fn file_spec() -> Spec {
    file(10, 0.0)
}

/// A generation killed by a signal leaves its hidden work directory; the next one for the same
/// target removes it (its process is gone), and leaves a live process's alone.
#[test]
fn a_killed_generations_work_directory_is_removed_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    // No process has this id (pid_max is at most 2^22).
    let abandoned = dir.path().join(".f.gen-999999999-0");
    std::fs::create_dir_all(abandoned.join("out")).unwrap();
    std::fs::write(abandoned.join("out/partial"), b"half").unwrap();
    let live = dir.path().join(format!(".f.gen-{}-7", std::process::id()));
    let other_target = dir.path().join(".g.gen-999999999-0");
    std::fs::create_dir(&live).unwrap();
    std::fs::create_dir(&other_target).unwrap();
    generate(&Request::new(file(10, 0.0), 1), &dir.path().join("f")).unwrap();
    assert_eq!(
        entries(dir.path()),
        [
            format!(".f.gen-{}-7", std::process::id()),
            ".g.gen-999999999-0".to_owned(),
            "f".to_owned(),
            "f.manifest.json".to_owned()
        ]
    );
}

/// --force replaces gen's own outputs, never a directory gen did not make.
#[test]
fn force_replaces_only_what_gen_made() {
    let dir = tempfile::tempdir().unwrap();
    let precious = dir.path().join("precious");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("thesis.tex"), b"years of work").unwrap();
    let mut request = Request::new(tree(3, "fixed(10)"), 1);
    request.replace = true;
    let error = generate(&request, &precious).unwrap_err();
    assert!(
        error.to_string().ends_with("is a directory that benchgate gen did not make (it has no manifest): --force replaces only gen's own outputs; remove it yourself if it should go"),
        "{error}"
    );
    assert_eq!(
        std::fs::read(precious.join("thesis.tex")).unwrap(),
        b"years of work"
    );
    request.batch = Some(2);
    assert!(generate(&request, &precious).is_err());
    assert_eq!(entries(&precious), ["thesis.tex"]);

    // A tree gen made (its manifest beside it) and a batch directory are replaced.
    let tree_dir = dir.path().join("tree");
    let mut single = Request::new(tree(3, "fixed(10)"), 1);
    generate(&single, &tree_dir).unwrap();
    single.replace = true;
    single.spec = tree(2, "fixed(10)");
    generate(&single, &tree_dir).unwrap();
    assert_eq!(
        entries(&tree_dir.join("d0000")),
        ["f000000.bin", "f000001.bin"]
    );
    let set = dir.path().join("set");
    let mut batch = Request::new(file(10, 0.0), 1);
    batch.batch = Some(3);
    generate(&batch, &set).unwrap();
    batch.batch = Some(1);
    batch.replace = true;
    generate(&batch, &set).unwrap();
    assert_eq!(entries(&set), ["file-0001.bin", "manifest.json"]);
}

/// A varied batch of lognormal trees is held to the limit by what its items draw.
#[test]
fn a_batch_is_held_to_the_limit_by_what_its_items_draw() {
    let dir = tempfile::tempdir().unwrap();
    // Each tree draws about 40 × 1 GiB (lognormal: unknown before drawing): the first fits,
    // the first two do not, and that is known before the first is written.
    let mut request = Request::new(tree(40, "lognormal(median=1GiB, sigma=0.1)"), 1);
    request.batch = Some(2);
    let error = generate(&request, &dir.path().join("set")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the items drawn add up to more than 64 GiB, the limit of one generation"
    );
    assert!(entries(dir.path()).is_empty());
}

/// More than the filesystem has free is refused before anything is written.
#[test]
fn more_than_the_free_space_is_refused_up_front() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let free = free_bytes(dir.path());
    let size = free + (1 << 30);
    if size > 64 << 30 {
        eprintln!("skipped: more than 63 GiB free, beyond what one generation may write");
        return;
    }
    let error = generate(&Request::new(file(size, 0.0), 1), &dir.path().join("big")).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "not enough space in {}: this needs up to ",
            dir.path().display()
        )),
        "{message}"
    );
    assert!(message.ends_with(" is free"), "{message}");
    assert!(entries(dir.path()).is_empty());
}

/// `df`'s view of the free bytes (as a non-root user sees them).
fn free_bytes(dir: &Path) -> u64 {
    let output = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .nth(1)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}
