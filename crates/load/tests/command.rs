//! What an operation's command gets (stdin file, environment) and what is read back from it
//! (stdout for output metrics, stderr's tail for error messages), against real child processes.

use std::fs;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use benchgate_load::{ClosedLoad, CommandSpec, ErrorKind, LevelResult, Stop, run_closed};

fn sh(script: &str) -> CommandSpec {
    CommandSpec::new("sh").arg("-c").arg(script).arg("op")
}

fn run(command: CommandSpec, operations: u64) -> LevelResult {
    let slots = NonZeroUsize::new(2).unwrap();
    run_closed(
        &ClosedLoad::new(command, slots, Stop::after_operations(operations))
            .with_timeout(Duration::from_secs(30)),
    )
    .unwrap()
}

/// Parses stdout as whitespace-separated numbers.
fn numbers() -> benchgate_load::OutputInspector {
    Arc::new(|stdout: &[u8]| {
        let text = std::str::from_utf8(stdout).map_err(|e| e.to_string())?;
        text.split_whitespace()
            .map(|word| {
                word.parse::<f64>()
                    .map_err(|_| format!("not a number: {word}"))
            })
            .collect()
    })
}

#[test]
fn each_operation_reads_the_stdin_file_afresh_and_sees_the_env() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    fs::write(&input, "line one\nline two\n").unwrap();
    let log = dir.path().join("log");
    let command = sh(r#"echo "$(wc -l) $BENCHGATE_TEST_VAR" >> "$1""#)
        .arg(&log)
        .stdin_file(&input)
        .env("BENCHGATE_TEST_VAR", "seven");
    let level = run(command, 4);
    assert_eq!(level.errors.total(), 0, "{:?}", level.errors);
    let lines: Vec<String> = fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines, vec!["2 seven".to_string(); 4]);
}

#[test]
fn a_missing_stdin_file_is_a_spawn_error_naming_it() {
    let level = run(
        CommandSpec::new("true").stdin_file("/nonexistent/benchgate-in"),
        2,
    );
    assert_eq!(level.errors.count(ErrorKind::Spawn), 2);
    let example = level.errors.example(ErrorKind::Spawn).unwrap();
    assert!(
        example.starts_with("spawn: cannot open stdin /nonexistent/benchgate-in: "),
        "{example}"
    );
}

#[test]
fn inspected_stdout_gives_values_per_window_and_a_refusal_is_an_output_check_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("next"), "0\n").unwrap();
    // Operation i prints "i 10"; the 3rd prints a word the inspector refuses.
    let command = sh(r#"
        i=$(flock "$1/lock" sh -c 'i=$(( $(cat "$1/next") + 1 )); echo $i > "$1/next"; echo $i' _ "$1")
        if [ "$i" = 3 ]; then echo oops; else echo "$i 10"; fi"#)
    .arg(dir.path())
    .inspect_output(numbers());
    let level = run(command, 5);
    assert_eq!(level.operations, 5);
    assert_eq!(level.errors.count(ErrorKind::OutputCheck), 1);
    assert_eq!(
        level.errors.example(ErrorKind::OutputCheck),
        Some("output-check: not a number: oops")
    );
    assert_eq!(level.successes(), 4);
    // One-second windows: a level this short is one window; means over operations 1, 2, 4, 5.
    let means: Vec<Option<f64>> = level
        .windows
        .iter()
        .flat_map(|w| w.output_means.clone())
        .collect();
    if level.windows.len() == 1 {
        assert_eq!(means, [Some(3.0), Some(10.0)]);
    }
    let total: f64 = level
        .windows
        .iter()
        .map(|w| w.output_means[0].unwrap_or(0.0) * w.successes as f64)
        .sum();
    assert_eq!(total, 12.0);
}

#[test]
fn stdout_over_one_mebibyte_is_an_output_check_error_and_does_not_block() {
    let command = sh("head -c 2000000 /dev/zero").inspect_output(numbers());
    let level = run(command, 2);
    assert_eq!(level.errors.count(ErrorKind::OutputCheck), 2);
    assert_eq!(
        level.errors.example(ErrorKind::OutputCheck),
        Some("output-check: output larger than 1 MiB")
    );
}

#[test]
fn a_failure_message_names_the_kind_and_ends_with_the_stderr_tail() {
    // 10 KiB of noise on stderr, then the line that explains the failure.
    let command =
        sh("head -c 10000 /dev/zero | tr '\\0' x >&2; echo >&2; echo 'disk full' >&2; exit 4");
    let level = run(command, 3);
    assert_eq!(level.errors.count(ErrorKind::Exit(4)), 3);
    let example = level.errors.example(ErrorKind::Exit(4)).unwrap();
    assert!(example.starts_with("exit:4: …xxx"), "{example}");
    assert!(example.ends_with("xxx disk full"), "{example}");
    assert_eq!(example.chars().count(), 200);
    let signalled = run(sh("echo dying >&2; kill -KILL $$"), 1);
    assert_eq!(
        signalled.errors.example(ErrorKind::Signal(9)),
        Some("signal:9: dying")
    );
}

#[test]
fn a_background_process_holding_the_pipes_does_not_hold_up_the_operation() {
    // The command exits at once but leaves a sleep that inherited its stdout and stderr.
    let command = sh("sleep 3 & echo 1").inspect_output(numbers());
    let started = std::time::Instant::now();
    let level = run(command, 2);
    assert_eq!(level.errors.total(), 0, "{:?}", level.errors);
    assert_eq!(level.successes(), 2);
    // Waiting for the pipes' end would take 3 s per operation (6 s at 2 slots... at least 3 s).
    assert!(level.percentiles().unwrap().max < Duration::from_millis(2500));
    assert!(started.elapsed() < Duration::from_secs(60));
}
