//! Real processes through `run_paired`: the balanced A B, B A order, the stopping rule, failures.

use std::fs;
use std::path::Path;
use std::time::Duration;

use benchgate_measure::{CommandSpec, CommandTemplate, RunnerOptions, Sample, expand, run_paired};

fn spec(tokens: &[&str]) -> CommandSpec {
    let template = CommandTemplate {
        name: None,
        tokens: tokens.iter().map(|s| s.to_string()).collect(),
    };
    expand(&[template], &[], &[], None).unwrap().remove(0)
}

/// `sh -c 'printf X >> LOG'`.
fn append(letter: &str, log: &Path) -> CommandSpec {
    spec(&[
        "sh",
        "-c",
        &format!("printf {letter} >> '{}'", log.display()),
    ])
}

#[test]
fn pairs_alternate_which_command_runs_first() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let options = RunnerOptions {
        warmup: 2,
        runs: Some(5),
        ..Default::default()
    };
    let mut never = |_: &[Sample], _: &[Sample]| -> bool { panic!("fixed runs ask no stop rule") };
    let result = run_paired(
        &append("A", &log),
        &append("B", &log),
        &options,
        &mut never,
        &mut (),
    )
    .unwrap();
    // Warm-ups alternate, then pairs A B, B A, A B, B A, A B.
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        "ABAB".to_string() + "ABBAABBAAB"
    );
    assert_eq!(result.base.samples.len(), 5);
    assert_eq!(result.head.samples.len(), 5);
    assert_eq!(result.base_first, [true, false, true, false, true]);
    assert_eq!((result.base.warmup_runs, result.head.warmup_runs), (2, 2));
    assert!(result.base.failure.is_none() && result.head.failure.is_none());
}

#[test]
fn the_stop_rule_sees_complete_pairs_after_min_runs() {
    let options = RunnerOptions {
        warmup: 0,
        min_runs: 3,
        max_time: Duration::from_secs(60),
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut stop = |a: &[Sample], b: &[Sample]| {
        seen.push((a.len(), b.len()));
        a.len() == 6
    };
    let result = run_paired(
        &spec(&["true"]),
        &spec(&["true"]),
        &options,
        &mut stop,
        &mut (),
    )
    .unwrap();
    assert_eq!(seen, [(3, 3), (4, 4), (5, 5), (6, 6)]);
    assert_eq!(result.base.samples.len(), 6);
    assert!(result.base.samples.iter().all(|s| s.wall_ns > 0));
}

#[test]
fn max_runs_ends_it_whatever_the_rule_says() {
    let options = RunnerOptions {
        warmup: 0,
        min_runs: 2,
        max_runs: Some(4),
        ..Default::default()
    };
    let mut never = |_: &[Sample], _: &[Sample]| false;
    let result = run_paired(
        &spec(&["true"]),
        &spec(&["true"]),
        &options,
        &mut never,
        &mut (),
    )
    .unwrap();
    assert_eq!(result.head.samples.len(), 4);
}

#[test]
fn a_failure_drops_the_incomplete_pair() {
    let dir = tempfile::tempdir().unwrap();
    let count = dir.path().join("count");
    // Head fails on its third measured run (no warm-up).
    let head = spec(&[
        "sh",
        "-c",
        &format!(
            "echo x >> '{0}'; test $(wc -l < '{0}') -lt 3",
            count.display()
        ),
    ]);
    let options = RunnerOptions {
        warmup: 0,
        runs: Some(10),
        ..Default::default()
    };
    let mut never = |_: &[Sample], _: &[Sample]| false;
    let result = run_paired(&spec(&["true"]), &head, &options, &mut never, &mut ()).unwrap();
    // Pairs 1 and 2 complete; in pair 3 base ran first, then head failed: that pair is dropped.
    assert_eq!(result.base.samples.len(), 2);
    assert_eq!(result.head.samples.len(), 2);
    assert_eq!(result.base_first, [true, false]);
    let failure = result.head.failure.expect("head failed");
    assert_eq!(failure.message, "exited with status 1");
    assert!(result.base.failure.is_none());
}

/// Two checkouts of one program: the same command line, each run in its own directory, a
/// relative program path found from there.
#[test]
fn each_side_runs_in_its_own_directory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    for (side, letter) in [("base", "A"), ("head", "B")] {
        let d = dir.path().join(side);
        fs::create_dir(&d).unwrap();
        let script = d.join("bench.sh");
        fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf {letter}$(basename \"$PWD\") >> '{}'\n",
                log.display()
            ),
        )
        .unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut base = spec(&["./bench.sh"]);
    base.cwd = Some(dir.path().join("base"));
    let mut head = spec(&["./bench.sh"]);
    head.cwd = Some(dir.path().join("head"));
    let options = RunnerOptions {
        warmup: 0,
        runs: Some(2),
        ..Default::default()
    };
    let mut never = |_: &[Sample], _: &[Sample]| false;
    run_paired(&base, &head, &options, &mut never, &mut ()).unwrap();
    assert_eq!(fs::read_to_string(&log).unwrap(), "AbaseBheadBheadAbase");
    // A directory that does not exist is refused before anything runs.
    head.cwd = Some(dir.path().join("missing"));
    let err = run_paired(&base, &head, &options, &mut never, &mut ()).unwrap_err();
    assert!(err.to_string().contains("the working directory"), "{err}");
    assert!(err.to_string().contains("missing does not exist"), "{err}");
}
