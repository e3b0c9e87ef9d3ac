//! Profiles of real processes: callgrind (valgrind is on every CI machine of this project) and
//! perf with a flame graph (perf may be refused on a machine; then the reason is checked), and
//! what a missing profiler or a hung one gives.

use std::time::Duration;

use std::collections::BTreeMap;

use benchgate_measure::{CommandSpec, Invocation};
use benchgate_profile::{Capture, CaptureOptions, Profiler, capture, file_stem};

fn spec(argv: &[&str]) -> CommandSpec {
    CommandSpec {
        name: "bench".into(),
        display: argv.join(" "),
        command: Invocation::Direct {
            argv: argv.iter().map(|a| a.to_string()).collect(),
        },
        params: BTreeMap::new(),
        prepare: None,
        conclude: None,
        setup: None,
        cleanup: None,
        cwd: None,
    }
}

fn shell(script: &str) -> Invocation {
    Invocation::Shell {
        shell: "sh".into(),
        script: script.into(),
    }
}

/// A shell loop: work of its own, in a program every machine has.
fn busy() -> CommandSpec {
    spec(&[
        "sh",
        "-c",
        "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done",
    ])
}

fn have(tool: &str) -> bool {
    std::process::Command::new(tool)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn callgrind_keeps_an_instruction_profile_named_after_the_benchmark() {
    if !have("valgrind") {
        assert!(std::env::var_os("CI").is_none(), "CI must have valgrind");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let options = CaptureOptions::new(dir.path().join("profiles"), "loop/n=30000");
    let got = capture(Profiler::Callgrind, &busy(), &options).unwrap();
    let file = dir.path().join("profiles/loop_n_30000.callgrind.out");
    assert_eq!(
        got,
        Capture::Captured {
            files: vec![file.clone()]
        }
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("events: Ir"),
        "{}",
        &text[..text.len().min(400)]
    );
    // Nothing half-written is left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path().join("profiles"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["loop_n_30000.callgrind.out"]);
}

/// perf needs the kernel's permission (perf_event_paranoid): where it has it, the flame graph is
/// an SVG with the profiled program's frames; where not, the reason names perf.
#[test]
fn a_flame_graph_is_an_svg_of_perfs_stacks_or_the_reason_there_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let options = CaptureOptions::new(dir.path(), "parse json");
    match capture(Profiler::Flamegraph, &busy(), &options).unwrap() {
        Capture::Captured { files } => {
            assert_eq!(
                files,
                [
                    dir.path().join("parse_json.svg"),
                    dir.path().join("parse_json.perf.data")
                ]
            );
            let svg = std::fs::read_to_string(&files[0]).unwrap();
            assert!(svg.starts_with("<?xml"), "{}", &svg[..200]);
            assert!(svg.contains("parse json (perf, cpu-clock)"));
            assert!(svg.contains("sh"), "the shell's frames are drawn");
        }
        Capture::Unavailable { reason } => {
            assert!(reason.contains("perf"), "{reason}");
        }
    }
}

#[test]
fn a_missing_profiler_is_said_with_its_package_not_failed_over() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = CaptureOptions::new(dir.path(), "x");
    options.perf = "/nonexistent/perf".into();
    options.valgrind = "/nonexistent/valgrind".into();
    for (profiler, reason) in [
        (
            Profiler::Perf,
            "perf is not installed (on Debian: apt-get install linux-perf)",
        ),
        (
            Profiler::Flamegraph,
            "perf is not installed (on Debian: apt-get install linux-perf)",
        ),
        (
            Profiler::Callgrind,
            "valgrind is not installed (on Debian: apt-get install valgrind)",
        ),
    ] {
        assert_eq!(
            capture(profiler, &busy(), &options).unwrap(),
            Capture::Unavailable {
                reason: reason.to_string()
            }
        );
    }
    // Nothing left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_profiled_run_that_hangs_is_killed_at_the_timeout() {
    if !have("valgrind") {
        assert!(std::env::var_os("CI").is_none(), "CI must have valgrind");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut options = CaptureOptions::new(dir.path(), "hang");
    options.timeout = Duration::from_millis(500);
    let hang = spec(&["sleep", "60"]);
    let started = std::time::Instant::now();
    let got = capture(Profiler::Callgrind, &hang, &options).unwrap();
    assert_eq!(
        got,
        Capture::Unavailable {
            reason: "valgrind did not finish within 500ms: killed".to_string()
        }
    );
    // Killed, not waited out: far under the 60 s it would sleep.
    assert!(started.elapsed() < Duration::from_secs(50));
}

/// The profiled run is the benchmark's run: its setup and prepare before it, in its directory,
/// with its standard input, and its cleanup after it.
#[test]
fn the_profiled_run_has_the_benchmarks_setup_prepare_stdin_and_cleanup() {
    if !have("valgrind") {
        assert!(std::env::var_os("CI").is_none(), "CI must have valgrind");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let input = dir.path().join("input.txt");
    std::fs::write(&input, "from stdin\n").unwrap();
    let mut bench = spec(&[
        "sh",
        "-c",
        "test -f prepared && read line && test \"$line\" = 'from stdin' && touch ran",
    ]);
    bench.cwd = Some(work.clone());
    bench.setup = Some(shell("echo set > set-up"));
    bench.prepare = Some(shell("test -f set-up && touch prepared"));
    bench.cleanup = Some(shell("test -f ran && touch cleaned"));
    let mut options = CaptureOptions::new(dir.path().join("profiles"), "bench");
    options.stdin = Some(input);
    let got = capture(Profiler::Callgrind, &bench, &options).unwrap();
    assert_eq!(
        got,
        Capture::Captured {
            files: vec![dir.path().join("profiles/bench.callgrind.out")]
        }
    );
    for file in ["set-up", "prepared", "ran", "cleaned"] {
        assert!(work.join(file).is_file(), "{file}");
    }

    // A setup that fails is the reason, and the cleanup still runs.
    std::fs::remove_file(work.join("cleaned")).unwrap();
    bench.setup = Some(shell("echo no database >&2; exit 3"));
    bench.cleanup = Some(shell("touch cleaned"));
    let got = capture(Profiler::Callgrind, &bench, &options).unwrap();
    let Capture::Unavailable { reason } = got else {
        panic!("{got:?}")
    };
    assert!(
        reason.starts_with("cannot run the benchmark under valgrind: ") && reason.contains("setup"),
        "{reason}"
    );
    assert!(work.join("cleaned").is_file());
}

#[test]
fn stems_are_safe_file_names_and_profilers_parse_by_name() {
    assert_eq!(file_stem("group/fn/size=4KiB"), "group_fn_size_4KiB");
    assert_eq!(file_stem("../etc"), "_.._etc");
    assert_eq!(file_stem(""), "_");
    assert_eq!(file_stem(&"x".repeat(300)).len(), 120);
    assert_eq!(Profiler::parse("callgrind"), Ok(Profiler::Callgrind));
    assert_eq!(
        Profiler::parse("dtrace"),
        Err("unknown profiler \"dtrace\": expected perf, callgrind or flamegraph".to_string())
    );
    for p in [Profiler::Perf, Profiler::Callgrind, Profiler::Flamegraph] {
        assert_eq!(Profiler::parse(p.as_str()), Ok(p));
    }
}
