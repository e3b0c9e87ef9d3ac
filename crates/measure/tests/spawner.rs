//! The runner through the spawner: this binary's `main` starts the spawner first thing, as
//! benchgate's does, so every `run` here starts its processes from the spawner (`harness = false`:
//! libtest would have started threads before any test ran, and the spawner refuses to fork then).
//! The in-process path is what tests/run.rs exercises.
//!
//! Run with `cargo test -p benchgate-measure --test spawner [-- FILTER]`.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use benchgate_measure::{
    CommandSpec, CommandTemplate, MeasureError, Outcome, OutputSpec, Phase, RunnerOptions,
    Selector, expand, run, start_spawner,
};
use common::{KillLingering, assert_served_then_gone, lingering, served_by_setups};

/// Set for a copy of this binary that plays a main process to be killed (see `child`).
const CHILD: &str = "BENCHGATE_SPAWNER_TEST_CHILD";
/// Set before the spawner starts and removed afterwards: children must not see it.
const GONE: &str = "BENCHGATE_SPAWNER_TEST_GONE";

const TESTS: &[(&str, fn())] = &[
    (
        "commands_start_from_the_spawner",
        commands_start_from_the_spawner,
    ),
    (
        "outcomes_failures_and_stderr_tails",
        outcomes_failures_and_stderr_tails,
    ),
    (
        "timeout_kills_the_whole_process_group",
        timeout_kills_the_whole_process_group,
    ),
    (
        "leftovers_are_killed_counted_and_setsid_cannot_escape_a_timeout",
        leftovers_are_killed_counted_and_setsid_cannot_escape_a_timeout,
    ),
    (
        "commands_start_with_no_signal_blocked_and_leftovers_get_sigterm_first",
        commands_start_with_no_signal_blocked_and_leftovers_get_sigterm_first,
    ),
    (
        "what_a_setup_starts_lives_until_its_benchmark_is_over_then_is_killed",
        what_a_setup_starts_lives_until_its_benchmark_is_over_then_is_killed,
    ),
    (
        "stdin_cwd_and_environment_reach_the_child",
        stdin_cwd_and_environment_reach_the_child,
    ),
    (
        "output_metrics_are_read_through_the_spawner",
        output_metrics_are_read_through_the_spawner,
    ),
    (
        "output_files_are_read_through_the_spawner",
        output_files_are_read_through_the_spawner,
    ),
    ("shown_output_is_read_too", shown_output_is_read_too),
    (
        "memory_is_sampled_through_the_spawner",
        memory_is_sampled_through_the_spawner,
    ),
    (
        "spawner_memory_and_the_max_rss_floor_stay_flat",
        spawner_memory_and_the_max_rss_floor_stay_flat,
    ),
    (
        "oversized_command_is_refused_and_the_spawner_goes_on",
        oversized_command_is_refused_and_the_spawner_goes_on,
    ),
    (
        "main_process_killed_leaves_nothing_behind",
        main_process_killed_leaves_nothing_behind,
    ),
    (
        "main_process_terminated_leaves_nothing_behind",
        main_process_terminated_leaves_nothing_behind,
    ),
    (
        "idle_spawner_exits_with_its_main_process",
        idle_spawner_exits_with_its_main_process,
    ),
];

fn main() -> ExitCode {
    // SAFETY: no other thread exists yet.
    unsafe { std::env::set_var(GONE, "1") };
    // First thing, as in benchgate's `main` (in the spawner, which is this program executed
    // afresh, this call serves and never returns).
    start_spawner().expect("the spawner starts in a single-threaded process");
    // SAFETY: still the only thread (the spawner is a process).
    unsafe { std::env::remove_var(GONE) };
    if let Ok(what) = std::env::var(CHILD) {
        return child(&what);
    }

    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in TESTS {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let exact = args.iter().any(|a| a == "--exact");
    let filter = args.iter().find(|a| !a.starts_with('-'));
    let selected: Vec<_> = TESTS
        .iter()
        .filter(|(name, _)| match filter {
            Some(f) if exact => name == f,
            Some(f) => name.contains(f.as_str()),
            None => true,
        })
        .collect();
    println!("\nrunning {} tests", selected.len());
    let mut failed = Vec::new();
    for (name, test) in &selected {
        let ok = std::panic::catch_unwind(test).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        if !ok {
            failed.push(*name);
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        selected.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("failures: {failed:?}");
        ExitCode::FAILURE
    }
}

fn specs(tokens: &[&str]) -> Vec<CommandSpec> {
    let template = CommandTemplate {
        name: None,
        tokens: tokens.iter().map(|s| s.to_string()).collect(),
    };
    expand(&[template], &[], &[], None).unwrap()
}

fn fixed(warmup: u32, runs: u32) -> RunnerOptions {
    RunnerOptions {
        warmup,
        runs: Some(runs),
        ..Default::default()
    }
}

/// Runs `sh -c script` once and returns its result.
fn sh(script: &str) -> benchgate_measure::CommandResult {
    run(&specs(&["sh", "-c", script]), &fixed(0, 1), &mut ())
        .unwrap()
        .remove(0)
}

/// The pids of `parent`'s children named `benchgate-spawn`.
fn spawners_of(parent: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid …
        let Some((head, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let comm = head.split_once(" (").map(|(_, c)| c);
        let ppid = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok());
        if comm == Some("benchgate-spawn") && ppid == Some(parent) {
            found.extend(
                entry
                    .file_name()
                    .to_str()
                    .and_then(|p| p.parse::<u32>().ok()),
            );
        }
    }
    found
}

fn our_spawner() -> u32 {
    // It names itself once it runs.
    wait_until("the spawner to name itself", || {
        !spawners_of(std::process::id()).is_empty()
    });
    let found = spawners_of(std::process::id());
    assert_eq!(found.len(), 1, "exactly one spawner: {found:?}");
    found[0]
}

/// `VmRSS` of `pid` in bytes, or `None` once it is gone or a zombie.
fn rss(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Waits (up to 10 s, for a busy machine) for `done`.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn commands_start_from_the_spawner() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("parent");
    let r = sh(&format!(
        "cat /proc/$PPID/comm > '{0}'; echo $PPID >> '{0}'",
        out.display()
    ));
    assert!(r.failure.is_none(), "{:?}", r.failure);
    let text = fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("benchgate-spawn"));
    let parent: u32 = lines.next().unwrap().parse().unwrap();
    assert_eq!(parent, our_spawner());
    assert_ne!(parent, std::process::id());
}

fn outcomes_failures_and_stderr_tails() {
    let results = run(&specs(&["true"]), &fixed(2, 5), &mut ()).unwrap();
    let r = &results[0];
    assert_eq!((r.samples.len(), r.warmup_runs), (5, 2));
    assert!(
        r.samples
            .iter()
            .all(|s| s.outcome == Outcome::Exited(0) && s.max_rss_bytes > 0 && s.wall_ns > 0)
    );

    let r = sh("echo quiet; echo one >&2; echo two >&2; exit 3");
    let failure = r.failure.expect("exit 3 fails");
    assert_eq!(failure.phase, Phase::Run);
    assert_eq!(failure.outcome, Outcome::Exited(3));
    assert_eq!(failure.message, "exited with status 3");
    assert_eq!(failure.stderr_tail, "one\ntwo");

    let r = sh("kill -SEGV $$");
    assert_eq!(r.failure.unwrap().outcome, Outcome::Signaled(libc::SIGSEGV));

    // Failures recorded as samples: no tail kept, and none leaks into a later failure.
    let options = RunnerOptions {
        ignore_failure: true,
        ..fixed(0, 3)
    };
    let r = run(
        &specs(&["sh", "-c", "echo noise >&2; exit 1"]),
        &options,
        &mut (),
    )
    .unwrap()
    .remove(0);
    assert_eq!(r.samples.len(), 3);
    assert!(r.failure.is_none());
    let r = sh("exit 4");
    assert_eq!(r.failure.unwrap().stderr_tail, "");

    // A failing prepare command fails its phase; cleanup still runs.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let mut s = specs(&["true"]);
    s[0].prepare = Some(benchgate_measure::Invocation::Direct {
        argv: vec![
            "sh".into(),
            "-c".into(),
            "echo bad prepare >&2; exit 1".into(),
        ],
    });
    s[0].cleanup = Some(benchgate_measure::Invocation::Direct {
        argv: vec![
            "sh".into(),
            "-c".into(),
            format!("echo cleaned > '{}'", log.display()),
        ],
    });
    let r = run(&s, &fixed(1, 3), &mut ()).unwrap().remove(0);
    let failure = r.failure.unwrap();
    assert_eq!(failure.phase, Phase::Prepare);
    assert_eq!(failure.stderr_tail, "bad prepare");
    assert_eq!(fs::read_to_string(&log).unwrap(), "cleaned\n");

    // A program that cannot be executed is an error naming it, as in process.
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("no-interpreter");
    fs::write(&script, "#!/nonexistent/interpreter\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let err = run(&specs(&[script.to_str().unwrap()]), &fixed(0, 1), &mut ()).unwrap_err();
    match err {
        MeasureError::Spawn { command, source } => {
            assert!(command.contains("no-interpreter"), "{command}");
            assert_eq!(source.raw_os_error(), Some(libc::ENOENT), "{source}");
        }
        other => panic!("{other:?}"),
    }
}

fn timeout_kills_the_whole_process_group() {
    let markers = ["100.5151", "100.5152"];
    let options = RunnerOptions {
        timeout: Some(Duration::from_millis(300)),
        ..fixed(0, 1)
    };
    let script = format!("sleep {} & sleep {}", markers[0], markers[1]);
    let r = run(&specs(&["sh", "-c", &script]), &options, &mut ())
        .unwrap()
        .remove(0);
    let failure = r.failure.expect("a timed-out run is a failure");
    assert_eq!(failure.outcome, Outcome::TimedOut);
    assert_eq!(failure.message, "timed out after 300ms");
    wait_until("the timed-out group to die", || {
        lingering(&markers).is_empty()
    });
}

fn leftovers_are_killed_counted_and_setsid_cannot_escape_a_timeout() {
    const MARKERS: &[&str] = &["300.7171", "300.7172", "300.7173"];
    let _cleanup = KillLingering(MARKERS);
    let r = run(
        &specs(&[
            "sh",
            "-c",
            "sleep 300.7171 & setsid sleep 300.7172 & exit 0",
        ]),
        &fixed(1, 1),
        &mut (),
    )
    .unwrap()
    .remove(0);
    assert!(r.failure.is_none(), "{:?}", r.failure);
    assert_eq!(lingering(MARKERS), Vec::<String>::new());
    assert_eq!(r.leftover_processes, 4);

    let options = RunnerOptions {
        timeout: Some(Duration::from_millis(300)),
        ..fixed(0, 1)
    };
    let r = run(
        &specs(&["sh", "-c", "setsid sleep 300.7173 & wait"]),
        &options,
        &mut (),
    )
    .unwrap()
    .remove(0);
    assert_eq!(r.failure.map(|f| f.outcome), Some(Outcome::TimedOut));
    assert_eq!(lingering(MARKERS), Vec::<String>::new());
    assert_eq!(r.leftover_processes, 0);
}

fn commands_start_with_no_signal_blocked_and_leftovers_get_sigterm_first() {
    const MARKERS: &[&str] = &["300.7174"];
    let _cleanup = KillLingering(MARKERS);
    let dir = tempfile::tempdir().unwrap();
    let mask = dir.path().join("mask");
    // Directly, not through a shell (which clears its mask when it starts).
    let r = run(
        &specs(&["cp", "/proc/self/status", &mask.display().to_string()]),
        &fixed(0, 1),
        &mut (),
    )
    .unwrap()
    .remove(0);
    assert!(r.failure.is_none(), "{:?}", r.failure);
    let status = fs::read_to_string(&mask).unwrap();
    assert!(status.contains("\nSigBlk:\t0000000000000000\n"), "{status}");
    // A leftover that says when SIGTERM reaches it, then exits; the command exits once the
    // leftover's trap is set and its sleep started.
    let termed = dir.path().join("termed");
    let r = sh(&format!(
        "sh -c 'trap \"echo TERM > {0}; exit 0\" TERM; sleep 300.7174 & touch {1}; wait' & \
         while [ ! -e {1} ]; do sleep 0.01; done; exit 0",
        termed.display(),
        dir.path().join("trapped").display()
    ));
    assert!(r.failure.is_none(), "{:?}", r.failure);
    assert_eq!(fs::read_to_string(&termed).unwrap(), "TERM\n");
    assert_eq!(lingering(MARKERS), Vec::<String>::new());
    assert_eq!(r.leftover_processes, 2);
}

fn what_a_setup_starts_lives_until_its_benchmark_is_over_then_is_killed() {
    const MARKERS: &[&str; 3] = &["300.7175", "300.7176", "300.7177"];
    let _cleanup = KillLingering(MARKERS);
    let dir = tempfile::tempdir().unwrap();
    let s = served_by_setups(dir.path(), MARKERS);
    let results = run(&s, &fixed(1, 3), &mut ()).unwrap();
    assert_served_then_gone(dir.path(), MARKERS, &results);
    // The spawner goes on serving, and kills later commands' leftovers as before.
    let r = sh("sleep 300.7175 & exit 0");
    assert!(r.failure.is_none(), "{:?}", r.failure);
    assert_eq!(r.leftover_processes, 1);
    assert_eq!(lingering(MARKERS), Vec::<String>::new());
}

fn output_metrics_are_read_through_the_spawner() {
    use benchgate_measure::{Better, Expected, MetricDefinition, MetricUnit, OutputCheck};
    let output = OutputSpec {
        metrics: vec![
            MetricDefinition::new(
                "tps",
                Selector::Json("$.tps".into()),
                MetricUnit::as_printed("tx/s"),
                Better::Higher,
            )
            .unwrap(),
        ],
        check: Some(OutputCheck::new("$.ok", Expected::Bool(true)).unwrap()),
        file: None,
    };
    let options = RunnerOptions {
        output: Some(output),
        ..fixed(1, 3)
    };
    let mut s = specs(&["sh", "-c", r#"printf '{"tps": 1234.5, "ok": true}'"#]);
    // What an auxiliary command prints is not the command's output.
    s[0].prepare = Some(benchgate_measure::Invocation::Direct {
        argv: vec!["sh".into(), "-c".into(), "echo not json".into()],
    });
    for _ in 0..2 {
        // Twice: a new runner has a new capture file, which the spawner opens afresh.
        let r = run(&s, &options, &mut ()).unwrap().remove(0);
        assert!(r.failure.is_none(), "{:?}", r.failure);
        assert_eq!(r.samples.len(), 3);
        assert!(r.samples.iter().all(|s| s.values == [1234.5]));
    }
    let r = run(
        &specs(&["sh", "-c", r#"printf '{"tps": 1}'; echo '{"ok": false}'"#]),
        &options,
        &mut (),
    )
    .unwrap()
    .remove(0);
    // Two documents: not JSON.
    let failure = r.failure.unwrap();
    assert!(
        failure
            .message
            .starts_with("warm-up run 1: output check failed: the output is not JSON ("),
        "{failure:?}"
    );
    // A process that fails still has its stderr tail kept.
    let r = run(
        &specs(&[
            "sh",
            "-c",
            r#"printf '{"tps": 1, "ok": true}'; echo oops >&2; exit 3"#,
        ]),
        &options,
        &mut (),
    )
    .unwrap()
    .remove(0);
    let failure = r.failure.unwrap();
    assert_eq!(
        (failure.message.as_str(), failure.stderr_tail.as_str()),
        ("exited with status 3", "oops")
    );
    assert_eq!(failure.kind(), "exit:3");
    // And a run without output metrics still sends stdout to /dev/null.
    let r = run(&specs(&["sh", "-c", "echo hidden"]), &fixed(0, 1), &mut ())
        .unwrap()
        .remove(0);
    assert!(r.failure.is_none());
    assert!(r.samples[0].values.is_empty());
}

/// The spawner runs the command in its working directory; the file is read from there, removed
/// before each run, and the run's stdout is left alone.
fn output_files_are_read_through_the_spawner() {
    use benchgate_measure::{Better, MetricDefinition, MetricUnit};
    let dir = tempfile::tempdir().unwrap();
    let output = OutputSpec {
        metrics: vec![
            MetricDefinition::new(
                "tps",
                Selector::Json("$.tps".into()),
                MetricUnit::as_printed("tx/s"),
                Better::Higher,
            )
            .unwrap(),
        ],
        check: None,
        file: Some("result.json".into()),
    };
    let options = RunnerOptions {
        output: Some(output),
        ..fixed(1, 3)
    };
    let mut s = specs(&[
        "sh",
        "-c",
        r#"echo not json; echo '{"tps": 5}' > result.json"#,
    ]);
    s[0].cwd = Some(dir.path().to_path_buf());
    let r = run(&s, &options, &mut ()).unwrap().remove(0);
    assert!(r.failure.is_none(), "{:?}", r.failure);
    assert!(r.samples.iter().all(|s| s.values == [5.0]));
    assert_eq!(r.samples.len(), 3);
    // The file the last run wrote is there; a run that writes nothing does not read it.
    let mut s = specs(&["sh", "-c", "echo not json"]);
    s[0].cwd = Some(dir.path().to_path_buf());
    let r = run(&s, &options, &mut ()).unwrap().remove(0);
    assert_eq!(
        r.failure.unwrap().message,
        "warm-up run 1: result.json was not written"
    );
}

fn memory_is_sampled_through_the_spawner() {
    use benchgate_measure::MemoryOptions;
    // Two children holding ~30 MiB each while their shell waits: the tree's peak counts both.
    let child = "b = bytearray(30 << 20); import time; time.sleep(0.6)";
    let py = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    let py = String::from_utf8(py.stdout).unwrap().trim().to_owned();
    let script = format!("'{py}' -c '{child}' & '{py}' -c '{child}' & wait");
    let options = RunnerOptions {
        memory: Some(MemoryOptions {
            every: Duration::from_millis(20),
            ..MemoryOptions::default()
        }),
        ..fixed(1, 2)
    };
    let r = run(&specs(&["sh", "-c", &script]), &options, &mut ())
        .unwrap()
        .remove(0);
    assert!(r.failure.is_none(), "{:?}", r.failure);
    let series = r.memory_series.unwrap();
    let most = series.samples.iter().map(|s| s.memory.processes).max();
    assert_eq!(most, Some(3), "{series:?}");
    assert!(series.peak_rss_bytes >= 60 << 20, "{series:?}");
    for sample in &r.samples {
        let peak = sample.tree_rss_peak_bytes.unwrap();
        assert!(peak > sample.max_rss_bytes + (20 << 20), "{sample:?}");
    }
    // The same spawner then runs commands unsampled.
    let r = run(&specs(&["true"]), &fixed(0, 2), &mut ())
        .unwrap()
        .remove(0);
    assert!(r.failure.is_none() && r.memory_series.is_none());
    // A program that cannot start still gets its error (after a pid frame saying so), and the
    // connection stays in step.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not-a-program");
    fs::write(&bad, [0u8, 1, 2, 3]).unwrap();
    fs::set_permissions(&bad, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let err = run(&specs(&[bad.to_str().unwrap()]), &options, &mut ()).unwrap_err();
    assert!(matches!(err, MeasureError::Spawn { .. }), "{err}");
    let r = run(&specs(&["true"]), &options, &mut ()).unwrap().remove(0);
    assert!(r.failure.is_none() && r.memory_series.is_some());
}

fn shown_output_is_read_too() {
    let out = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, "shown")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success());
    // A warm-up and two runs shown, then what was read from them.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"tps\": 7}\n".repeat(3) + "values [[7.0], [7.0]]\n"
    );
}

fn stdin_cwd_and_environment_reach_the_child() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    fs::write(&input, "abc").unwrap();
    let log = dir.path().join("log");
    let prepared = dir.path().join("prepared");
    let mut s = specs(&["sh", "-c", &format!("cat >> '{}'", log.display())]);
    // Auxiliary commands read /dev/null, not the stdin file.
    s[0].prepare = Some(benchgate_measure::Invocation::Direct {
        argv: vec![
            "sh".into(),
            "-c".into(),
            format!("cat >> '{}'", prepared.display()),
        ],
    });
    let options = RunnerOptions {
        stdin: Some(input.clone()),
        ..fixed(1, 3)
    };
    let r = run(&s, &options, &mut ()).unwrap().remove(0);
    assert!(r.failure.is_none(), "{:?}", r.failure);
    assert_eq!(fs::read_to_string(&log).unwrap(), "abc".repeat(4));
    assert_eq!(fs::read_to_string(&prepared).unwrap(), "");

    // A new runner re-opens the stdin file (it may have been replaced).
    fs::remove_file(&input).unwrap();
    fs::write(&input, "xyz").unwrap();
    fs::remove_file(&log).unwrap();
    run(&s, &options, &mut ()).unwrap();
    assert_eq!(fs::read_to_string(&log).unwrap(), "xyz".repeat(4));

    // A missing stdin file is refused before anything runs.
    let options = RunnerOptions {
        stdin: Some(dir.path().join("missing")),
        ..fixed(0, 1)
    };
    let err = run(&specs(&["true"]), &options, &mut ()).unwrap_err();
    assert!(matches!(err, MeasureError::Stdin { .. }), "{err:?}");

    // Without a stdin file, stdin is empty.
    assert!(sh("test -z \"$(cat)\"").failure.is_none());

    // The spec's working directory, and ours when we changed it after the spawner started.
    let out = dir.path().join("pwd");
    let mut s = specs(&["sh", "-c", &format!("pwd > '{}'", out.display())]);
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    s[0].cwd = Some(sub.clone());
    run(&s, &fixed(0, 1), &mut ()).unwrap();
    let canonical = |p: &Path| fs::canonicalize(p).unwrap();
    let pwd = fs::read_to_string(&out).unwrap();
    assert_eq!(canonical(Path::new(pwd.trim())), canonical(&sub));
    let before = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir.path()).unwrap();
    s[0].cwd = None;
    let moved = run(&s, &fixed(0, 1), &mut ());
    std::env::set_current_dir(before).unwrap();
    moved.unwrap();
    let pwd = fs::read_to_string(&out).unwrap();
    assert_eq!(canonical(Path::new(pwd.trim())), canonical(dir.path()));

    // Environment changes made after the spawner started reach the children.
    // SAFETY: this test binary has a single thread.
    unsafe { std::env::set_var("BENCHGATE_SPAWNER_TEST_SET", "a b") };
    let env_out = dir.path().join("env");
    let r = sh(&format!(
        "printf '%s|%s' \"$BENCHGATE_SPAWNER_TEST_SET\" \"${{{GONE}-unset}}\" > '{}'",
        env_out.display()
    ));
    // SAFETY: as above.
    unsafe { std::env::remove_var("BENCHGATE_SPAWNER_TEST_SET") };
    assert!(r.failure.is_none(), "{:?}", r.failure);
    assert_eq!(fs::read_to_string(&env_out).unwrap(), "a b|unset");
}

fn spawner_memory_and_the_max_rss_floor_stay_flat() {
    let spawner = our_spawner();
    let floor = |runs: u32| -> Vec<u64> {
        let r = run(&specs(&["true"]), &fixed(0, runs), &mut ())
            .unwrap()
            .remove(0);
        r.samples.iter().map(|s| s.max_rss_bytes).collect()
    };
    let first = floor(50);
    let before = rss(spawner).unwrap();

    // Many requests of every kind: successes, failures with stderr tails, timeouts, a long
    // command line (a large message), several programs per runner.
    // A large message (256 KiB of arguments, each under Linux's 128 KiB limit per argument).
    let big = "x".repeat(64 << 10);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    fs::write(&input, "data").unwrap();
    for round in 0..4 {
        let mut s = specs(&["sh", "-c", "cat > /dev/null; echo some stderr >&2"]);
        s[0].prepare = Some(benchgate_measure::Invocation::Direct {
            argv: vec!["true".into()],
        });
        let options = RunnerOptions {
            stdin: Some(input.clone()),
            ..fixed(5, 200)
        };
        run(&s, &options, &mut ()).unwrap();
        for _ in 0..20 {
            sh("echo a failure >&2; exit 1");
        }
        run(
            &specs(&["true", &big, &big, &big, &big]),
            &fixed(0, 3),
            &mut (),
        )
        .unwrap();
        let timeout = RunnerOptions {
            timeout: Some(Duration::from_millis(1)),
            ignore_failure: true,
            ..fixed(0, 2)
        };
        run(&specs(&["sleep", "1"]), &timeout, &mut ()).unwrap();
        eprintln!(
            "spawner VmRSS after round {round}: {} KiB",
            rss(spawner).unwrap() / 1024
        );
    }
    let last = floor(50);
    let after = rss(spawner).unwrap();
    eprintln!(
        "spawner VmRSS {} KiB before, {} KiB after ~1000 requests; max_rss of `true`: {:?} KiB then {:?} KiB",
        before / 1024,
        after / 1024,
        median(&first) / 1024,
        median(&last) / 1024
    );
    // No growth per request: ~1000 requests leaking even 64 bytes each would show. (The first
    // requests of each kind touch a few more pages of code once.)
    assert!(
        after <= before + (64 << 10),
        "spawner grew from {before} to {after} bytes"
    );
    // The floor of max_rss did not move either, but for the steps in which the kernel's per-CPU
    // RSS counters are folded (32 pages per CPU; two allowed).
    assert!(
        median(&last).abs_diff(median(&first)) <= 256 << 10,
        "{first:?} then {last:?}"
    );
}

fn median(v: &[u64]) -> u64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    v[v.len() / 2]
}

fn oversized_command_is_refused_and_the_spawner_goes_on() {
    let huge = "y".repeat(2 << 20);
    let err = run(&specs(&["true", &huge]), &fixed(0, 1), &mut ()).unwrap_err();
    match &err {
        MeasureError::MessageTooLarge { size, limit, .. } => assert!(size > limit),
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("too large"), "{text}");
    assert!(sh("exit 0").failure.is_none());
}

/// A copy of this binary as a main process with a spawner, which runs `sh -c SCRIPT` (or
/// nothing, for `idle`) and prints its spawner's pid first.
fn child(what: &str) -> ExitCode {
    if what == "shown" {
        // Output metrics with show_output: the runs' stdout is read and shown.
        let options = RunnerOptions {
            show_output: true,
            output: Some(OutputSpec {
                metrics: vec![
                    benchgate_measure::MetricDefinition::new(
                        "tps",
                        Selector::Json("$.tps".into()),
                        benchgate_measure::MetricUnit::as_printed("tx/s"),
                        benchgate_measure::Better::Higher,
                    )
                    .unwrap(),
                ],
                check: None,
                file: None,
            }),
            ..fixed(1, 2)
        };
        let s = specs(&["sh", "-c", r#"printf '{"tps": 7}\n'"#]);
        let r = run(&s, &options, &mut ()).unwrap().remove(0);
        let values: Vec<&[f64]> = r.samples.iter().map(|s| s.values.as_slice()).collect();
        println!("values {values:?}");
        return ExitCode::SUCCESS;
    }
    if what.starts_with("handlers:") {
        benchgate_measure::install_interrupt_handlers().unwrap();
    }
    println!("{}", our_spawner());
    let script = what.split_once(':').map_or("", |(_, s)| s);
    // `SETUP|COMMAND`: a bench with a setup (shell scripts both).
    let specs = match script.split_once('|') {
        Some((setup, command)) => expand(
            &[CommandTemplate {
                name: None,
                tokens: vec![command.to_owned()],
            }],
            &[benchgate_measure::AuxCommands {
                setup: Some(setup.to_owned()),
                ..Default::default()
            }],
            &[],
            Some("sh"),
        )
        .unwrap(),
        None => specs(&["sh", "-c", script]),
    };
    if !script.is_empty()
        && let Err(e) = run(&specs, &fixed(0, 1), &mut ())
    {
        eprintln!("child: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Starts a child main process; returns it and its spawner's pid.
fn start_child(what: &str) -> (std::process::Child, u32) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, what)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let spawner = line.trim().parse().unwrap();
    (child, spawner)
}

/// How many live `sleep MARKER` processes there are (not counting the shell that started them).
fn sleeps(markers: &[&str]) -> usize {
    let mut n = 0;
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = fs::read(entry.path().join("cmdline")) {
            let argv: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
            if argv.len() >= 2
                && argv[0].ends_with(b"sleep")
                && markers.iter().any(|m| argv[1] == m.as_bytes())
            {
                n += 1;
            }
        }
    }
    n
}

/// Whether `pid` is gone (or a zombie nobody reaped yet).
fn gone(pid: u32) -> bool {
    rss(pid).is_none()
}

/// A first marker ending in `|` runs its `sleep` in the background from a setup, the second in
/// the bench's command.
fn killed_main_leaves_nothing_behind(signal: libc::c_int, mode: &str, markers: [&str; 2]) {
    let script = match markers[0].strip_suffix('|') {
        Some(setup) => format!("sleep {setup} & echo started|sleep {}", markers[1]),
        None => format!("sleep {} & sleep {}", markers[0], markers[1]),
    };
    let markers = markers.map(|m| m.trim_end_matches('|'));
    let (mut child, spawner) = start_child(&format!("{mode}:{script}"));
    wait_until("both sleeps to start", || sleeps(&markers) == 2);
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(signal), "{status:?}");
    wait_until("the sleeps to die", || lingering(&markers).is_empty());
    wait_until("the spawner to exit", || gone(spawner));
}

fn main_process_killed_leaves_nothing_behind() {
    killed_main_leaves_nothing_behind(libc::SIGKILL, "plain", ["97.5353", "97.5354"]);
    // What a setup left running (no cleanup runs then) goes as well.
    killed_main_leaves_nothing_behind(libc::SIGKILL, "plain", ["97.5355|", "97.5356"]);
}

fn main_process_terminated_leaves_nothing_behind() {
    killed_main_leaves_nothing_behind(libc::SIGTERM, "handlers", ["97.6363", "97.6364"]);
    killed_main_leaves_nothing_behind(libc::SIGTERM, "handlers", ["97.6365|", "97.6366"]);
}

fn idle_spawner_exits_with_its_main_process() {
    let (mut child, spawner) = start_child("idle:true");
    assert!(child.wait().unwrap().success());
    wait_until("the spawner to exit", || gone(spawner));
}
