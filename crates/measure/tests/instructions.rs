//! `count_instructions` with the real valgrind (3.19 here). Each run costs ~0.3 s of valgrind
//! start-up, so the workloads are tiny.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::lingering;

mod common;

use benchgate_measure::{
    AuxCommands, CommandSpec, CommandTemplate, InstructionCount, InstructionOptions, MeasureError,
    Outcome, Phase, count_instructions, expand,
};

fn direct(tokens: &[&str]) -> CommandSpec {
    let template = CommandTemplate {
        name: None,
        tokens: tokens.iter().map(|s| s.to_string()).collect(),
    };
    expand(&[template], &[], &[], None).unwrap().remove(0)
}

/// `sh -c SCRIPT` through the spec's shell invocation (as `--shell` gives).
fn shell(script: &str) -> CommandSpec {
    let template = CommandTemplate {
        name: None,
        tokens: vec![script.to_owned()],
    };
    expand(&[template], &[], &[], Some("sh")).unwrap().remove(0)
}

fn count(spec: &CommandSpec) -> InstructionCount {
    count_instructions(spec, &InstructionOptions::default()).unwrap()
}

/// A fixed, mildly compressible text of about `lines` × 20 bytes.
fn text_file(dir: &Path, name: &str, lines: usize) -> PathBuf {
    let path = dir.join(name);
    let text: String = (0..lines)
        .map(|i| format!("line {i:6} {:5}\n", (i * i) % 977))
        .collect();
    fs::write(&path, text).unwrap();
    path
}

fn gzip(file: &Path) -> CommandSpec {
    direct(&["gzip", "-c", file.to_str().unwrap()])
}

#[test]
fn gzip_count_is_positive_and_identical_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = text_file(dir.path(), "input.txt", 200);
    let first = count(&gzip(&file));
    let second = count(&gzip(&file));
    assert!(first.instructions > 0);
    assert_eq!(first.instructions, second.instructions);
    assert_eq!(first.outcome, Outcome::Exited(0));
    // One process, and the total is its count.
    assert_eq!(first.processes.len(), 1);
    assert_eq!(first.processes[0].instructions, first.instructions);
    assert!(
        first.processes[0]
            .command
            .ends_with(&format!("gzip -c {}", file.display())),
        "{:?}",
        first.processes[0].command
    );
}

#[test]
fn larger_input_gives_larger_count() {
    let dir = tempfile::tempdir().unwrap();
    let small = count(&gzip(&text_file(dir.path(), "small.txt", 200)));
    let large = count(&gzip(&text_file(dir.path(), "large.txt", 5000)));
    assert!(
        large.instructions > small.instructions,
        "{} vs {}",
        large.instructions,
        small.instructions
    );
}

#[test]
fn exec_children_are_counted() {
    // `/bin/true`, not the builtin, so each `true` is a child process.
    let one = count(&shell("/bin/true"));
    let two = count(&shell("/bin/true; /bin/true"));
    assert_eq!(one.processes.len(), 2);
    assert_eq!(two.processes.len(), 3);
    assert!(two.instructions > one.instructions);
    // The two children run the same program in the same environment: equal counts, and the
    // total is exactly the sum over processes.
    assert_eq!(two.processes[1].instructions, two.processes[2].instructions);
    assert_eq!(
        two.instructions,
        two.processes.iter().map(|p| p.instructions).sum::<u64>()
    );
    // The child's count alone is less than the difference it makes (the shell also has a bit
    // more script to read), so the child is really in the total.
    assert!(two.instructions - one.instructions >= two.processes[2].instructions);
}

#[test]
fn forked_subshell_does_not_count_its_parent_twice() {
    // A subshell is a fork without exec: it starts with a copy of the parent's counters, so
    // without the dump before fork the loop would be counted twice (≈ 2× `looped`).
    let looping = "i=0; while [ $i -lt 200 ]; do i=$((i+1)); done";
    // The control differs only in the builtin `:` for the subshell `(:)`. Dash's count for the
    // same loop still moves by up to ~15 % with the environment and the script's length (seen:
    // 2.48 M against 2.87 M with `CI=true` set), so the bounds are ratios, not an ordering.
    let looped = count(&shell(&format!("{looping}; :")));
    let with_subshell = count(&shell(&format!("{looping}; (:)")));
    let empty_shell = count(&shell(":"));
    assert_eq!(with_subshell.processes.len(), 2);
    // The subshell's own count is a few thousand instructions, less than even an empty shell's
    // start-up: it does not start from a copy of the parent's loop.
    let child = with_subshell
        .processes
        .iter()
        .map(|p| p.instructions)
        .min()
        .unwrap_or(0);
    assert!(
        child > 0 && child < empty_shell.instructions,
        "{with_subshell:?} vs an empty shell's {}",
        empty_shell.instructions
    );
    // And the total is the loop once, not twice.
    let ratio = with_subshell.instructions as f64 / looped.instructions as f64;
    assert!(
        (0.7..1.3).contains(&ratio),
        "{with_subshell:?} vs {looped:?}: ratio {ratio}"
    );
}

#[test]
fn failing_command_is_an_error_naming_it_with_its_stderr() {
    let spec = direct(&["sh", "-c", "echo first >&2; echo oops >&2; exit 3"]);
    let err = count_instructions(&spec, &InstructionOptions::default()).unwrap_err();
    let MeasureError::CommandFailed {
        phase,
        command,
        outcome,
        message,
        stderr_tail,
        valgrind_messages,
    } = &err
    else {
        panic!("expected CommandFailed, got {err:?}");
    };
    assert_eq!(*phase, Phase::Run);
    assert_eq!(command, &spec.command.to_string());
    assert_eq!(*outcome, Outcome::Exited(3));
    assert_eq!(message, "exited with status 3");
    // Only the command's own stderr: valgrind's banner went to its log and is filtered.
    assert_eq!(stderr_tail, "first\noops");
    assert_eq!(valgrind_messages, "");
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` exited with status 3 under valgrind\nstderr:\n  first\n  oops",
            spec.command
        )
    );
}

#[test]
fn a_signal_is_an_error_with_valgrinds_report_kept_apart() {
    let spec = shell("echo dying >&2; kill -SEGV $$");
    let err = count_instructions(&spec, &InstructionOptions::default()).unwrap_err();
    let MeasureError::CommandFailed {
        outcome,
        message,
        stderr_tail,
        valgrind_messages,
        ..
    } = &err
    else {
        panic!("expected CommandFailed, got {err:?}");
    };
    assert_eq!(*outcome, Outcome::Signaled(11));
    assert_eq!(message, "killed by signal 11 (SIGSEGV)");
    assert_eq!(stderr_tail, "dying");
    assert!(
        valgrind_messages.contains("Process terminating with default action of signal 11"),
        "{valgrind_messages}"
    );
}

#[test]
fn ignore_failure_counts_a_failing_run() {
    let options = InstructionOptions {
        ignore_failure: true,
        ..Default::default()
    };
    let c = count_instructions(&shell("exit 3"), &options).unwrap();
    assert_eq!(c.outcome, Outcome::Exited(3));
    assert!(c.instructions > 0);
}

#[test]
fn missing_valgrind_is_the_clear_error_and_nothing_runs() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("setup-ran");
    let template = CommandTemplate {
        name: None,
        tokens: vec!["true".into()],
    };
    let aux = AuxCommands {
        setup: Some(format!("touch '{}'", marker.display())),
        ..Default::default()
    };
    let spec = expand(&[template], &[aux], &[], None).unwrap().remove(0);
    let options = InstructionOptions {
        valgrind: PathBuf::from("/nonexistent/valgrind"),
        ..Default::default()
    };
    let err = count_instructions(&spec, &options).unwrap_err();
    assert!(
        matches!(err, MeasureError::ValgrindNotFound { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "instruction counts need valgrind (apt-get install valgrind): \
         `/nonexistent/valgrind` not found (no such executable file)"
    );
    assert!(!marker.exists());

    let options = InstructionOptions {
        valgrind: PathBuf::from("no-such-valgrind-4711"),
        ..Default::default()
    };
    let err = count_instructions(&spec, &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "instruction counts need valgrind (apt-get install valgrind): \
         `no-such-valgrind-4711` not found (searched PATH)"
    );
}

#[test]
fn missing_program_is_command_not_found() {
    let err = count_instructions(
        &direct(&["no-such-program-4711"]),
        &InstructionOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, MeasureError::CommandNotFound { command } if command == "no-such-program-4711"),
        "{err:?}"
    );
}

#[test]
fn timeout_kills_valgrind_and_its_children() {
    let options = InstructionOptions {
        timeout: Some(Duration::from_secs(2)),
        // A timeout is an error even when failures are ignored: the count would be partial.
        ignore_failure: true,
        ..Default::default()
    };
    let err = count_instructions(&shell("sleep 100.5151 & sleep 100.5152"), &options).unwrap_err();
    let MeasureError::CommandFailed {
        phase,
        outcome,
        message,
        ..
    } = &err
    else {
        panic!("expected CommandFailed, got {err:?}");
    };
    assert_eq!(*phase, Phase::Run);
    assert_eq!(*outcome, Outcome::TimedOut);
    assert_eq!(message, "timed out after 2s");

    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = lingering(&["100.5151", "100.5152"]);
        if left.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "processes left behind: {left:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn with_aux(command: &str, log: &Path, prepare: &str) -> CommandSpec {
    let append = |what: &str| format!("sh -c \"echo {what} >> '{}'\"", log.display());
    let template = CommandTemplate {
        name: None,
        tokens: vec![command.to_owned()],
    };
    let aux = AuxCommands {
        setup: Some(append("setup")),
        prepare: Some(prepare.to_owned()),
        conclude: Some(append("conclude")),
        cleanup: Some(append("cleanup")),
    };
    expand(&[template], &[aux], &[], None).unwrap().remove(0)
}

#[test]
fn auxiliary_commands_run_once_in_order_and_are_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let prepare = format!("sh -c \"echo prepare >> '{}'\"", log.display());
    let command = format!("sh -c \"echo run >> '{}'\"", log.display());
    let c = count(&with_aux(&command, &log, &prepare));
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        "setup\nprepare\nrun\nconclude\ncleanup\n"
    );
    // Only the command ran under valgrind.
    assert_eq!(c.processes.len(), 1);
    assert!(c.processes[0].command.contains("echo run"));
}

#[test]
fn a_failing_prepare_is_an_error_and_cleanup_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let spec = with_aux("true", &log, "sh -c 'echo no-prep >&2; exit 4'");
    let err = count_instructions(&spec, &InstructionOptions::default()).unwrap_err();
    let MeasureError::CommandFailed {
        phase,
        outcome,
        stderr_tail,
        ..
    } = &err
    else {
        panic!("expected CommandFailed, got {err:?}");
    };
    assert_eq!(*phase, Phase::Prepare);
    assert_eq!(*outcome, Outcome::Exited(4));
    assert_eq!(stderr_tail, "no-prep");
    assert_eq!(
        err.to_string(),
        "prepare command `sh -c 'echo no-prep >&2; exit 4'` exited with status 4\n\
         stderr:\n  no-prep"
    );
    assert_eq!(fs::read_to_string(&log).unwrap(), "setup\ncleanup\n");
}

#[test]
fn stdin_comes_from_the_given_file_and_is_null_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let file = text_file(dir.path(), "input.txt", 50);
    // `cmp -s - FILE` succeeds only if stdin has the file's bytes.
    let spec = direct(&["cmp", "-s", "-", file.to_str().unwrap()]);
    let options = InstructionOptions {
        stdin: Some(file.clone()),
        ..Default::default()
    };
    assert!(count_instructions(&spec, &options).is_ok());
    let err = count_instructions(&spec, &InstructionOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            MeasureError::CommandFailed {
                outcome: Outcome::Exited(1),
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn bad_valgrind_arguments_are_reported_from_valgrinds_stderr() {
    let options = InstructionOptions {
        valgrind_args: vec!["--no-such-option".into()],
        ..Default::default()
    };
    let err = count_instructions(&direct(&["true"]), &options).unwrap_err();
    let MeasureError::CommandFailed { stderr_tail, .. } = &err else {
        panic!("expected CommandFailed, got {err:?}");
    };
    assert!(
        stderr_tail.contains("Unknown option: --no-such-option"),
        "{stderr_tail}"
    );
}
