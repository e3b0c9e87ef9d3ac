//! Helpers shared by the CLI tests: run the real binary, read and validate its JSON.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

pub fn benchgate(args: &[&str], dir: &Path) -> Output {
    benchgate_with_env(args, dir, &[])
}

/// [`benchgate`] with extra environment variables (which reach the commands it runs).
pub fn benchgate_with_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_benchgate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("BENCHGATE_DB")
        // `exec` looks for criterion's results under $CARGO_TARGET_DIR.
        .env_remove("CARGO_TARGET_DIR")
        // Last, so a test can set what is removed above.
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("the benchgate binary runs")
}

/// Benchmarks `command` as `name` with `runs` runs (one warm-up) into `file`.
pub fn record(dir: &std::path::Path, file: &str, name: &str, command: &str, runs: u32) {
    record_with_env(dir, file, name, command, runs, &[]);
}

/// [`record`] on fixed samples of `wall_ms` ± 3 % (seeded by `seed`, see [`fixed_samples_line`])
/// instead of the real runs' timings: a verdict between two such files does not depend on how
/// busy the machine was.
pub fn record_fixed(
    dir: &Path,
    file: &str,
    name: &str,
    command: &str,
    runs: u32,
    wall_ms: f64,
    seed: u64,
) {
    let path = dir.join(format!("{file}.samples"));
    let line = fixed_samples_line(command, wall_ms, 0.03, seed, runs as usize + 1);
    std::fs::write(&path, line).unwrap();
    let path = path.to_str().unwrap();
    record_with_env(
        dir,
        file,
        name,
        command,
        runs,
        &[("BENCHGATE_TEST_FIXED_SAMPLES", path)],
    );
}

fn record_with_env(
    dir: &Path,
    file: &str,
    name: &str,
    command: &str,
    runs: u32,
    env: &[(&str, &str)],
) {
    let runs = runs.to_string();
    let out = benchgate_with_env(
        &[
            "run",
            "-q",
            "--runs",
            &runs,
            "--warmup",
            "1",
            "--name",
            name,
            "--export-json",
            file,
            "--",
            command,
        ],
        dir,
        env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn schema(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/schema")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Asserts that `document` validates against the named schema under docs/schema.
pub fn assert_valid(schema_name: &str, document: &serde_json::Value) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema(schema_name))
        .expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema_name}: {errors:#?}");
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The runs the store in `dir` holds, newest first, as `runs list --json` prints them.
pub fn stored_runs(dir: &Path) -> Vec<serde_json::Value> {
    let out = benchgate(&["--json", "runs", "list"], dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The names of a run document's benchmarks, in order.
pub fn benchmark_names(run: &serde_json::Value) -> Vec<&str> {
    run["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect()
}

/// Made-up measurements for `command`'s runs, so a verdict on real processes does not depend on
/// how busy the machine is: `n` samples of `wall_ms` milliseconds ± `spread` (a fraction), drawn
/// from a generator seeded with `seed` (user time half the wall time, system time a tenth, peak
/// RSS 4 MiB ± the same spread). One line of the file `BENCHGATE_TEST_FIXED_SAMPLES` reads.
pub fn fixed_samples_line(command: &str, wall_ms: f64, spread: f64, seed: u64, n: usize) -> String {
    let mut state = seed;
    let mut unit = move || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let samples: Vec<String> = (0..n)
        .map(|_| {
            let wall = wall_ms * 1e6 * (1.0 + spread * (2.0 * unit() - 1.0));
            let rss = 4.0 * 1024.0 * 1024.0 * (1.0 + spread * (2.0 * unit() - 1.0));
            format!(
                "{}:{}:{}:{}",
                wall as u64,
                (wall / 2.0) as u64,
                (wall / 10.0) as u64,
                rss as u64
            )
        })
        .collect();
    format!("{command}\t{}\n", samples.join(" "))
}

/// Writes `lines` (of [`fixed_samples_line`]) to `dir/fixed-samples` and returns the environment
/// that makes benchgate use them.
pub fn fixed_samples_env(dir: &Path, lines: &[String]) -> [(&'static str, String); 1] {
    let path = dir.join("fixed-samples");
    std::fs::write(&path, lines.concat()).unwrap();
    [(
        "BENCHGATE_TEST_FIXED_SAMPLES",
        path.to_str().unwrap().to_owned(),
    )]
}
