//! The bench binary's command line, on the `libtest_like` example built by `cargo test`: what
//! `cargo bench -- …` users type must behave as with libtest.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Once;

static BUILD: Once = Once::new();

fn example() -> PathBuf {
    // target/debug/deps/binary-<hash> → target/debug/examples/libtest_like
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let path = dir.join(format!("libtest_like{}", std::env::consts::EXE_SUFFIX));
    // `cargo test` builds examples, `cargo test --test binary` alone does not: build it (a
    // no-op when it is fresh), so the test never runs a stale one.
    BUILD.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "-q",
                "-p",
                "benchgate-harness",
                "--example",
                "libtest_like",
            ])
            .status()
            .unwrap();
        assert!(status.success());
    });
    assert!(path.exists(), "{} was not built", path.display());
    path
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(example());
    cmd.args(args).env_remove("BENCHGATE_HARNESS_OUTPUT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn list_prints_names_like_libtest_and_runs_nothing() {
    let o = run(&["--bench", "--list"], &[]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "parse/small: bench\nparse/large: bench\nalloc/len=16: bench\nalloc/len=1024: bench\nsum: bench\n\n0 tests, 5 benchmarks\n"
    );
    let o = run(&["--list", "parse", "--skip", "large"], &[]);
    assert_eq!(stdout(&o), "parse/small: bench\n\n0 tests, 1 benchmarks\n");
}

#[test]
fn json_on_stdout_has_the_filtered_benchmarks_with_exact_allocations() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = run(
        &[
            "--bench",
            "--quick",
            "--format",
            "json",
            "alloc",
            "--output-dir",
            out,
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(run["schema"], "benchgate/run/v1");
    assert_eq!(run["source"], "harness");
    let benches = run["benchmarks"].as_array().unwrap();
    let names: Vec<&str> = benches
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alloc/len=16", "alloc/len=1024"]);
    let bytes = benches[1]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "alloc_bytes")
        .unwrap();
    assert_eq!(bytes["summary"]["median"], 1024.0);
    assert_eq!(bytes["exact"], true);
    // --format json prints instead of writing the file; progress goes to stderr.
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    assert!(
        stderr(&o).contains("bench alloc/len=16 ... ok"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_table_goes_to_stdout_and_the_json_to_the_output_dir() {
    let dir = tempfile::tempdir().unwrap();
    let extra = tempfile::tempdir().unwrap();
    let o = run(
        &[
            "--bench",
            "--quick",
            "sum",
            "--output-dir",
            dir.path().to_str().unwrap(),
        ],
        &[("BENCHGATE_HARNESS_OUTPUT", extra.path().to_str().unwrap())],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    let header = table.lines().find(|l| l.starts_with("benchmark")).unwrap();
    assert!(
        header.contains("time/op") && header.contains("backend_calls/op"),
        "{table}"
    );
    assert!(
        table.contains("time/op includes the timed loop's own "),
        "{table}"
    );
    let row = table.lines().find(|l| l.starts_with("sum ")).unwrap();
    // --quick asks for 20 samples; a machine that slows down after the warm-up stops sampling
    // at 1.5 × the measurement time once it has 10 (and the run's labels say so), which a busy
    // CI machine does.
    let samples: usize = row
        .split(" × ")
        .next()
        .and_then(|before| before.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no sample count in {row:?}"));
    assert!((10..=20).contains(&samples), "{row}");
    for d in [dir.path(), extra.path()] {
        let text = std::fs::read_to_string(d.join("libtest_like.json")).unwrap();
        let run: serde_json::Value = serde_json::from_str(&text).unwrap();
        let calls = run["benchmarks"][0]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["measure"] == "backend_calls")
            .unwrap();
        assert_eq!(calls["summary"]["median"], 2.0);
        let cut_short = &run["benchmarks"][0]["labels"]["cut_short"];
        assert_eq!(cut_short.is_string(), samples < 20, "{cut_short}");
    }
}

#[test]
fn without_bench_each_benchmark_runs_once_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["--output-dir", dir.path().to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("test parse/small ... ok"));
    assert!(stdout(&o).contains("smoke run: 5 benchmarks ran once, 0 failed"));
    assert!(!dir.path().join("libtest_like.json").exists());
}

#[test]
fn a_panicking_benchmark_fails_the_process_after_the_others_ran() {
    let o = run(
        &["--bench", "--quick", "--no-save", "--format", "json"],
        &[("LIBTEST_LIKE_PANIC", "1")],
    );
    assert_eq!(o.status.code(), Some(101), "{}", stderr(&o));
    let run: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let boom = run["benchmarks"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(boom["name"], "boom");
    assert_eq!(boom["status"]["kind"], "failed");
    assert_eq!(boom["status"]["message"], "panicked: deliberate");
    assert_eq!(run["benchmarks"].as_array().unwrap().len(), 6);
}

#[test]
fn bad_flags_are_an_error_with_the_usage() {
    let o = run(&["--bench", "--sample-count", "x"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with(
        "error: --sample-count \"x\": expected a whole number of at least 2\n\nusage:"
    ));
    let o = run(&["--help"], &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--format table|json"));
}
