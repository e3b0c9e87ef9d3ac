//! What benchgate reads from one file and captures from one command is capped (1 GiB by
//! default, `BENCHGATE_MAX_INPUT` to change it): an endless input ends in a clear error, exit 2,
//! and nothing stored, instead of memory growing without end.

mod common;

use common::{benchgate_with_env, stderr, stored_runs};

const LIMIT: (&str, &str) = ("BENCHGATE_MAX_INPUT", "1MiB");

fn last_line(out: &std::process::Output) -> String {
    stderr(out).lines().last().unwrap_or_default().to_string()
}

#[test]
fn ingest_refuses_an_endless_or_oversized_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate_with_env(&["ingest", "/dev/zero"], dir.path(), &[LIMIT]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "error: /dev/zero is larger than the input limit of 1 MiB (set BENCHGATE_MAX_INPUT, e.g. \
         to 4GiB, to read more)\n"
    );
    // A regular file is refused by its size, a line without a newline included.
    let mut big = "BenchmarkA 1 5 ns/op\n".to_string();
    big.push_str(&"x".repeat(2 << 20));
    std::fs::write(dir.path().join("big.txt"), &big).unwrap();
    let out = benchgate_with_env(&["ingest", "big.txt"], dir.path(), &[LIMIT]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: big.txt is larger than the input limit of 1 MiB"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join(".benchgate").exists());

    let out = benchgate_with_env(
        &["ingest", "big.txt"],
        dir.path(),
        &[("BENCHGATE_MAX_INPUT", "a lot")],
    );
    assert_eq!(
        stderr(&out),
        "error: BENCHGATE_MAX_INPUT=\"a lot\": expected a size such as \"256MiB\" or \"4GiB\"\n"
    );

    // Below the limit, nothing changes.
    std::fs::write(dir.path().join("small.txt"), "BenchmarkA 1 5 ns/op\n").unwrap();
    let out = benchgate_with_env(&["-q", "ingest", "small.txt"], dir.path(), &[LIMIT]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stored_runs(dir.path()).len(), 1);
}

#[test]
fn exec_stops_a_command_whose_output_passes_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    // Endless: stopped once the limit is passed (this once grew past 3 GB).
    let out = benchgate_with_env(&["-q", "exec", "--", "yes"], dir.path(), &[LIMIT]);
    assert_eq!(out.status.code(), Some(2), "{}", last_line(&out));
    assert_eq!(
        last_line(&out),
        "error: `yes`: its standard output passed the input limit of 1 MiB, so it was stopped \
         (set BENCHGATE_MAX_INPUT, e.g. to 4GiB, to capture more)"
    );
    // Finite but over the limit, on standard output or standard error.
    let out = benchgate_with_env(
        &["-q", "exec", "--", "sh", "-c", "yes | head -c 3000000"],
        dir.path(),
        &[LIMIT],
    );
    assert_eq!(out.status.code(), Some(2), "{}", last_line(&out));
    assert!(
        last_line(&out).contains("its standard output passed the input limit of 1 MiB"),
        "{}",
        last_line(&out)
    );
    let out = benchgate_with_env(
        &[
            "-q",
            "exec",
            "--",
            "sh",
            "-c",
            "head -c 3000000 /dev/zero | tr '\\0' e >&2; echo 'BenchmarkA 1 5 ns/op'",
        ],
        dir.path(),
        &[LIMIT],
    );
    assert_eq!(out.status.code(), Some(2), "{}", last_line(&out));
    assert!(
        last_line(&out).ends_with(
            "its standard error passed the input limit of 1 MiB (set BENCHGATE_MAX_INPUT, e.g. \
             to 4GiB, to capture more)"
        ),
        "{}",
        last_line(&out)
    );
    assert!(!dir.path().join(".benchgate").exists());
}
