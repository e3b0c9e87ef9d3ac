//! The hyperfine adapter against real `--export-json` files of hyperfine 1.15, 1.20 and 2.0
//! (tests/fixtures/hyperfine, see regenerate.sh there), plus hand-written inputs for what those
//! versions cannot produce here (null exit codes, hardware counters, forks' extra fields) and
//! for broken inputs.

mod common;

use common::{bench, names};

use benchgate_adapters::{Format, Location, Parsed, detect, hyperfine, parse};
use benchgate_model::{Benchmark, Direction, Measure, Status, Unit};

const FIXTURES: &[(&str, &[u8])] = &[
    (
        "v1.15-commands.json",
        include_bytes!("fixtures/hyperfine/v1.15-commands.json"),
    ),
    (
        "v1.15-duplicate.json",
        include_bytes!("fixtures/hyperfine/v1.15-duplicate.json"),
    ),
    (
        "v1.15-ignore-failure.json",
        include_bytes!("fixtures/hyperfine/v1.15-ignore-failure.json"),
    ),
    (
        "v1.15-list.json",
        include_bytes!("fixtures/hyperfine/v1.15-list.json"),
    ),
    (
        "v1.15-names-bug.json",
        include_bytes!("fixtures/hyperfine/v1.15-names-bug.json"),
    ),
    (
        "v1.15-scan.json",
        include_bytes!("fixtures/hyperfine/v1.15-scan.json"),
    ),
    (
        "v1.15-shell-none.json",
        include_bytes!("fixtures/hyperfine/v1.15-shell-none.json"),
    ),
    (
        "v1.15-single-run.json",
        include_bytes!("fixtures/hyperfine/v1.15-single-run.json"),
    ),
    (
        "v1.15-unused-param.json",
        include_bytes!("fixtures/hyperfine/v1.15-unused-param.json"),
    ),
    (
        "v1.15-warmup.json",
        include_bytes!("fixtures/hyperfine/v1.15-warmup.json"),
    ),
    (
        "v1.20-ignore-codes.json",
        include_bytes!("fixtures/hyperfine/v1.20-ignore-codes.json"),
    ),
    (
        "v1.20-memory.json",
        include_bytes!("fixtures/hyperfine/v1.20-memory.json"),
    ),
    (
        "v2.0-env.json",
        include_bytes!("fixtures/hyperfine/v2.0-env.json"),
    ),
    (
        "v2.0-scan-named.json",
        include_bytes!("fixtures/hyperfine/v2.0-scan-named.json"),
    ),
    (
        "v2.0-time-metrics.json",
        include_bytes!("fixtures/hyperfine/v2.0-time-metrics.json"),
    ),
    (
        "v2.0-warmup-shell.json",
        include_bytes!("fixtures/hyperfine/v2.0-warmup-shell.json"),
    ),
];

fn fixture(name: &str) -> &'static [u8] {
    FIXTURES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

fn parsed(name: &str) -> Parsed {
    parse(Format::Hyperfine, fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn samples<'a>(b: &'a Benchmark, measure: &Measure) -> &'a [f64] {
    &b.metric(measure)
        .unwrap_or_else(|| panic!("{} has no {measure}", b.name))
        .samples
}

fn ns(seconds: &[f64]) -> Vec<f64> {
    seconds.iter().map(|s| s * 1e9).collect()
}

fn label<'a>(b: &'a Benchmark, key: &str) -> Option<&'a str> {
    b.labels.get(key).map(String::as_str)
}

fn err(input: &str) -> String {
    parse(Format::Hyperfine, input.as_bytes())
        .expect_err("expected an error")
        .to_string()
}

#[test]
fn every_fixture_is_detected_and_parses() {
    for (name, bytes) in FIXTURES {
        assert!(hyperfine::sniff(bytes), "{name}");
        assert_eq!(detect(bytes), Some(Format::Hyperfine), "{name}");
        let p = parse(Format::Hyperfine, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!p.benchmarks.is_empty(), "{name}");
        for b in &p.benchmarks {
            assert_eq!(b.status, Status::Ok, "{name}: {}", b.name);
            let wall = b.metric(&Measure::WallTime).expect("wall_time");
            assert_eq!(wall.unit, Unit::Nanoseconds);
            assert_eq!(wall.direction, Direction::LowerIsBetter);
            assert_eq!(wall.iterations, None);
            for m in &b.metrics {
                assert_eq!(
                    m.direction,
                    Direction::LowerIsBetter,
                    "{name}: {}",
                    m.measure
                );
            }
        }
    }
}

#[test]
fn v1_several_commands_with_a_name() {
    let p = parsed("v1.15-commands.json");
    assert_eq!(names(&p), ["quick", "sleep 0.002", "true"]);
    let quick = bench(&p, "quick");
    // 1.x writes the -n name in "command" and not the command line: nothing to keep there.
    assert_eq!(quick.command, None);
    assert!(quick.params.is_empty());
    assert_eq!(
        samples(quick, &Measure::WallTime),
        ns(&[
            0.0008451165399999991,
            0.0008822665399999992,
            0.0032861835399999994
        ])
    );
    assert_eq!(samples(quick, &Measure::WallTime)[0], 845116.5399999991);
    // user and system are means over the 3 runs: one sample each, standing for 3 runs.
    let user = quick.metric(&Measure::UserTime).unwrap();
    assert_eq!(user.samples, [0.0006779333333333335 * 1e9]);
    assert_eq!(user.iterations.as_deref(), Some(&[3][..]));
    assert_eq!(user.unit, Unit::Nanoseconds);
    let sys = quick.metric(&Measure::SysTime).unwrap();
    assert_eq!(sys.samples, [0.00024078666666666664 * 1e9]);
    assert_eq!(sys.iterations.as_deref(), Some(&[3][..]));
    assert_eq!(quick.metric(&Measure::MaxRss), None);
    assert_eq!(quick.metrics.len(), 3);
    assert_eq!(
        quick.labels,
        [("exit_codes".to_string(), "0×3".to_string())].into()
    );
    // hyperfine clamps a run faster than the shell's spawn time to zero.
    assert_eq!(
        samples(bench(&p, "true"), &Measure::WallTime),
        [0.0, 0.0, 0.0]
    );
    assert_eq!(p.context, Default::default());
}

#[test]
fn v1_parameter_scan_and_lists() {
    let p = parsed("v1.15-scan.json");
    assert_eq!(names(&p), ["sleep 0.001", "sleep 0.002", "sleep 0.003"]);
    for (b, n) in p.benchmarks.iter().zip(["1", "2", "3"]) {
        assert_eq!(b.params, [("n".to_string(), n.to_string())].into());
        assert_eq!(samples(b, &Measure::WallTime).len(), 3);
    }

    let p = parsed("v1.15-list.json");
    assert_eq!(names(&p), ["echo x1", "echo y1", "echo x2", "echo y2"]);
    let y2 = bench(&p, "echo y2");
    assert_eq!(
        y2.params,
        [
            ("a".to_string(), "y".to_string()),
            ("b".to_string(), "2".to_string())
        ]
        .into()
    );
    assert_eq!(samples(y2, &Measure::WallTime).len(), 2);
    assert_eq!(label(y2, "exit_codes"), Some("0×2"));
}

#[test]
fn a_parameter_the_command_does_not_use_tells_the_results_apart() {
    // `hyperfine -P n 1 2 true`: both results are "true"; hyperfine itself shows "true (n = 1)".
    let p = parsed("v1.15-unused-param.json");
    assert_eq!(names(&p), ["true (n = 1)", "true (n = 2)"]);
    assert_eq!(
        bench(&p, "true (n = 2)").params,
        [("n".to_string(), "2".to_string())].into()
    );
}

#[test]
fn hyperfine_1_15_naming_bug_gives_three_quicks_kept_apart() {
    // -n quick -n 'two {n}' -P n 1 2 'sleep 0.00{n}' true: 1.15 names three results "quick".
    let p = parsed("v1.15-names-bug.json");
    assert_eq!(
        names(&p),
        [
            "quick (n = 1)",
            "two 1",
            "quick (n = 2)",
            "quick (n = 2) #2"
        ]
    );
    // "two 1" is unique: it keeps its name although it has a parameter.
    assert_eq!(
        bench(&p, "two 1").params,
        [("n".to_string(), "1".to_string())].into()
    );
    // File order is kept, so #2 is the fourth result (`true` with n = 2, all zero times).
    assert_eq!(
        samples(bench(&p, "quick (n = 2) #2"), &Measure::WallTime),
        [0.0, 0.0]
    );
}

#[test]
fn duplicated_commands_are_two_benchmarks() {
    let p = parsed("v1.15-duplicate.json");
    assert_eq!(names(&p), ["sleep 0.001", "sleep 0.001 #2"]);
    assert_eq!(
        samples(&p.benchmarks[0], &Measure::WallTime),
        ns(&[
            0.0026790005000000006,
            0.0012443805000000002,
            0.0021294105000000006
        ])
    );
    assert_eq!(
        samples(&p.benchmarks[1], &Measure::WallTime),
        ns(&[0.0012358955000000003, 0.0025329665, 0.0022228355])
    );
    assert_eq!(p.benchmarks[1].command, None);
}

#[test]
fn ignore_failure_keeps_the_runs_and_says_so() {
    let p = parsed("v1.15-ignore-failure.json");
    let flip = &p.benchmarks[0];
    assert_eq!(
        flip.name,
        "sh -c 'if [ -e flip ]; then rm flip; exit 1; fi; touch flip'"
    );
    assert_eq!(flip.status, Status::Ok);
    assert_eq!(samples(flip, &Measure::WallTime).len(), 4);
    assert_eq!(label(flip, "exit_codes"), Some("0×1, 1×1, 0×1, 1×1"));
    assert_eq!(
        label(flip, "failed_runs"),
        Some(
            "2 of 4 runs failed (non-zero exit code or signal); hyperfine measured them because \
             it ran with --ignore-failure"
        )
    );
    let exit3 = bench(&p, "exit 3");
    assert_eq!(label(exit3, "exit_codes"), Some("3×4"));
    assert!(
        label(exit3, "failed_runs")
            .unwrap()
            .starts_with("4 of 4 runs failed")
    );
}

#[test]
fn shell_none_warmup_and_single_run() {
    let p = parsed("v1.15-shell-none.json");
    assert_eq!(names(&p), ["sleep 0.001", "true"]);
    assert_eq!(samples(&p.benchmarks[1], &Measure::WallTime).len(), 5);

    // --warmup 3 --min-runs 5 --max-runs 8: warm-up runs are not in the file.
    let p = parsed("v1.15-warmup.json");
    let b = &p.benchmarks[0];
    assert_eq!(samples(b, &Measure::WallTime).len(), 8);
    assert_eq!(samples(b, &Measure::WallTime)[7], 0.0013875434 * 1e9);
    assert_eq!(
        b.metric(&Measure::UserTime).unwrap().iterations.as_deref(),
        Some(&[8][..])
    );
    assert_eq!(label(b, "exit_codes"), Some("0×8"));

    // One run: stddev is null, nothing else changes.
    let p = parsed("v1.15-single-run.json");
    let b = &p.benchmarks[0];
    assert_eq!(
        samples(b, &Measure::WallTime),
        [0.0014607097600000001 * 1e9]
    );
    assert_eq!(
        b.metric(&Measure::SysTime).unwrap().iterations.as_deref(),
        Some(&[1][..])
    );
    assert!(!b.labels.keys().any(|k| k.starts_with("reported.")));
}

#[test]
fn v1_20_memory_and_names_repeated_with_the_same_parameters() {
    let p = parsed("v1.20-memory.json");
    assert_eq!(
        names(&p),
        ["nm (n = 1)", "nm (n = 1) #2", "nm (n = 2)", "nm (n = 2) #2"]
    );
    let first = &p.benchmarks[0];
    let rss = first.metric(&Measure::MaxRss).unwrap();
    assert_eq!(rss.unit, Unit::Bytes);
    assert_eq!(rss.samples, [2969600.0, 2969600.0, 2969600.0]);
    assert_eq!(rss.iterations, None);
    assert_eq!(
        samples(first, &Measure::WallTime),
        ns(&[0.002057698, 0.0019083580000000002, 0.0019347980000000002])
    );
    assert_eq!(
        samples(&p.benchmarks[1], &Measure::WallTime),
        ns(&[0.000628959, 0.006609694, 0.000590888])
    );
    assert_eq!(
        samples(&p.benchmarks[1], &Measure::MaxRss),
        [3100672.0, 3100672.0, 3100672.0]
    );

    let p = parsed("v1.20-ignore-codes.json");
    let b = &p.benchmarks[0];
    assert_eq!(
        samples(b, &Measure::MaxRss),
        [2957312.0, 2957312.0, 3088384.0, 3088384.0]
    );
    assert_eq!(
        samples(b, &Measure::WallTime),
        [0.0, 0.0, 0.005518767779999999 * 1e9, 0.0]
    );
    assert_eq!(label(b, "exit_codes"), Some("0×1, 1×1, 0×1, 1×1"));
}

#[test]
fn v2_named_parameter_scan() {
    let p = parsed("v2.0-scan-named.json");
    assert_eq!(names(&p), ["nap 1", "nap 2"]);
    let b = &p.benchmarks[0];
    // 2.x has the command line next to the name.
    assert_eq!(b.command.as_deref(), Some("sleep 0.001"));
    assert_eq!(b.params, [("n".to_string(), "1".to_string())].into());
    let measures: Vec<&str> = b.metrics.iter().map(|m| m.measure.as_str()).collect();
    assert_eq!(
        measures,
        ["wall_time", "cpu_time", "user_time", "sys_time", "max_rss"]
    );
    assert_eq!(
        samples(b, &Measure::WallTime),
        ns(&[0.0019157420000000002, 0.00196749, 0.0018768500000000002])
    );
    let cpu = b.metric(&Measure::Custom("cpu_time".into())).unwrap();
    assert_eq!(cpu.unit, Unit::Nanoseconds);
    assert_eq!(
        cpu.samples,
        ns(&[0.0007369999999999999, 0.000828, 0.0007329999999999999])
    );
    // Per-run CPU times in 2.x: one sample per run, no iterations.
    let user = b.metric(&Measure::UserTime).unwrap();
    assert_eq!(
        user.samples,
        ns(&[0.0007369999999999999, 0.000828, 0.0007329999999999999])
    );
    assert_eq!(user.iterations, None);
    assert_eq!(samples(b, &Measure::SysTime), [0.0, 0.0, 0.0]);
    assert_eq!(
        samples(b, &Measure::MaxRss),
        [3129344.0, 3129344.0, 3129344.0]
    );
    assert_eq!(label(b, "exit_codes"), Some("0×3"));
    // The summary agrees with the runs: not kept.
    assert_eq!(b.labels.len(), 1);

    let cx = &p.context;
    assert_eq!(
        cx.started_at,
        Some(time::macros::datetime!(2026-12-01 07:18:50 UTC))
    );
    assert_eq!(cx.os.as_deref(), Some("Linux"));
    assert_eq!(cx.arch.as_deref(), Some("x86_64"));
    assert_eq!(
        cx.tags,
        [
            ("hyperfine_version".to_string(), "2.0.0".to_string()),
            ("primary_metric".to_string(), "time_wall_clock".to_string()),
            ("schema_version".to_string(), "2".to_string()),
        ]
        .into()
    );
}

#[test]
fn v2_environment_overrides() {
    let p = parsed("v2.0-env.json");
    assert_eq!(names(&p), ["FOO=1 true", "FOO=2 true"]);
    let b = &p.benchmarks[1];
    assert_eq!(b.command.as_deref(), Some("true"));
    assert_eq!(b.params, [("n".to_string(), "2".to_string())].into());
    assert_eq!(label(b, "env.FOO"), Some("2"));
    assert_eq!(
        samples(b, &Measure::WallTime),
        ns(&[0.00154086, 0.0005452020000000001])
    );
}

#[test]
fn v2_failures_signals_and_duplicates() {
    let p = parsed("v2.0-time-metrics.json");
    assert_eq!(
        names(&p),
        [
            "sh -c 'if [ -e flip ]; then rm flip; exit 1; fi; touch flip'",
            "sh -c 'kill -9 $$'",
            "sleep 0.001",
            "sleep 0.001 #2"
        ]
    );
    assert_eq!(label(&p.benchmarks[0], "exit_codes"), Some("0×1, 1×1, 0×1"));
    let killed = &p.benchmarks[1];
    // hyperfine reports a signal as 128 + the signal number on Unix.
    assert_eq!(label(killed, "exit_codes"), Some("137×3"));
    assert_eq!(killed.status, Status::Ok);
    assert_eq!(
        samples(killed, &Measure::WallTime),
        ns(&[0.000662171, 0.000639509, 0.002185968])
    );
    // The renamed duplicate keeps its command line; the first one's name is its command line.
    assert_eq!(p.benchmarks[2].command, None);
    assert_eq!(p.benchmarks[3].command.as_deref(), Some("sleep 0.001"));
    assert_eq!(
        samples(&p.benchmarks[3], &Measure::WallTime),
        ns(&[0.010899197000000001, 0.005067152, 0.003966708])
    );

    let p = parsed("v2.0-warmup-shell.json");
    assert_eq!(names(&p), ["sleep 0.001 && true"]);
    assert_eq!(
        samples(&p.benchmarks[0], &Measure::WallTime),
        ns(&[
            0.0031089130999999996,
            0.0014258980999999997,
            0.0015133220999999997
        ])
    );
}

// --- hand-written inputs: shapes the installed hyperfine versions do not produce here --------

#[test]
fn v2_hardware_counters_null_exit_codes_and_unknown_fields() {
    let input = r#"{"schema_version": 2, "metadata": {"hyperfine_version": "2.0.0",
      "start_time": "not a date", "platform": {"os": "Linux", "kernel": "6.1"}, "host": "ci-7"},
      "results": [{"command": "./app", "measurements": [
        {"time_wall_clock": {"value": 0.5, "unit": "second"}, "instructions": {"value": 1200},
         "cpu_cycles": {"value": 900}, "energy": {"value": 2.5, "unit": "joule"},
         "note": "warm", "exit_code": null},
        {"time_wall_clock": {"value": 250, "unit": "millisecond"}, "instructions": {"value": 1201},
         "cpu_cycles": {"value": 950}, "energy": {"value": 2.0, "unit": "joule"},
         "note": "hot", "exit_code": 0}],
      "summary": {"time_wall_clock": {"mean": 0.375, "min": 0.25, "max": 0.5, "median": 0.375}},
      "first_run": {"time": 1.5}}],
      "extra": [1, 2]}"#;
    let p = parse(Format::Hyperfine, input.as_bytes()).unwrap();
    let b = &p.benchmarks[0];
    assert_eq!(b.name, "./app");
    assert_eq!(b.command, None);
    assert_eq!(samples(b, &Measure::WallTime), [0.5e9, 250.0 * 1e6]);
    let instructions = b.metric(&Measure::Instructions).unwrap();
    assert_eq!(instructions.unit, Unit::Count);
    assert_eq!(instructions.samples, [1200.0, 1201.0]);
    let cycles = b.metric(&Measure::Custom("cpu_cycles".into())).unwrap();
    assert_eq!(cycles.unit, Unit::Count);
    assert_eq!(cycles.samples, [900.0, 950.0]);
    let energy = b.metric(&Measure::Custom("energy".into())).unwrap();
    assert_eq!(energy.unit, Unit::Custom("joule".into()));
    assert_eq!(energy.samples, [2.5, 2.0]);
    assert_eq!(label(b, "measurements.note"), Some(r#"["warm","hot"]"#));
    assert_eq!(label(b, "first_run"), Some(r#"{"time":1.5}"#));
    assert_eq!(label(b, "exit_codes"), Some("signal×1, 0×1"));
    assert!(
        label(b, "failed_runs")
            .unwrap()
            .starts_with("1 of 2 runs failed")
    );
    assert!(!b.labels.keys().any(|k| k.starts_with("reported.")));
    let cx = &p.context;
    assert_eq!(cx.started_at, None);
    assert_eq!(cx.os.as_deref(), Some("Linux"));
    assert_eq!(cx.tags["start_time"], "not a date");
    assert_eq!(cx.tags["platform.kernel"], "6.1");
    assert_eq!(cx.tags["metadata.host"], "ci-7");
    assert_eq!(cx.tags["extra"], "[1,2]");
}

#[test]
fn v1_without_times_keeps_the_mean_as_one_sample_of_n_runs() {
    let input = r#"{"results": [{"command": "x", "mean": 0.25, "stddev": 0.01, "median": 0.24,
        "user": 0.1, "system": 0.02, "min": 0.2, "max": 0.3, "exit_codes": [0, 0, 0, 0]}]}"#;
    let p = parse(Format::Hyperfine, input.as_bytes()).unwrap();
    let b = &p.benchmarks[0];
    let wall = b.metric(&Measure::WallTime).unwrap();
    assert_eq!(wall.samples, [0.25e9]);
    assert_eq!(wall.iterations.as_deref(), Some(&[4][..]));
    assert_eq!(
        b.metric(&Measure::UserTime).unwrap().iterations.as_deref(),
        Some(&[4][..])
    );
    assert_eq!(label(b, "reported.mean"), Some("0.25 s"));
    assert_eq!(label(b, "reported.stddev"), Some("0.01 s"));
    assert_eq!(label(b, "reported.median"), Some("0.24 s"));
    assert_eq!(label(b, "reported.min"), Some("0.2 s"));
    assert_eq!(label(b, "reported.max"), Some("0.3 s"));
}

#[test]
fn a_summary_that_disagrees_with_the_runs_is_kept() {
    // E.g. a fork that drops outliers from the statistics but not from "times".
    let input = r#"{"results": [{"command": "x", "mean": 2.0, "stddev": null, "median": 2.0,
        "user": 0.5, "system": 0.0, "min": 1.0, "max": 3.0, "times": [1.0, 2.0, 30.0],
        "user_times": [0.4, 0.5, 0.6], "percentiles": {"p05": 1.1}, "exit_codes": [0, 0, 0],
        "parameters": {"threads": 8, "fast": true}}]}"#;
    let p = parse(Format::Hyperfine, input.as_bytes()).unwrap();
    let b = &p.benchmarks[0];
    assert_eq!(samples(b, &Measure::WallTime), [1e9, 2e9, 30e9]);
    // Per-run user times (forks write them) are samples; system has only its mean.
    let user = b.metric(&Measure::UserTime).unwrap();
    assert_eq!(user.samples, [0.4 * 1e9, 0.5 * 1e9, 0.6 * 1e9]);
    assert_eq!(user.iterations, None);
    assert_eq!(
        b.metric(&Measure::SysTime).unwrap().iterations.as_deref(),
        Some(&[3][..])
    );
    assert_eq!(label(b, "reported.mean"), Some("2 s"));
    assert_eq!(label(b, "reported.max"), Some("3 s"));
    assert_eq!(label(b, "reported.stddev"), None);
    assert_eq!(label(b, "percentiles"), Some(r#"{"p05":1.1}"#));
    assert_eq!(
        b.params,
        [
            ("fast".to_string(), "true".to_string()),
            ("threads".to_string(), "8".to_string())
        ]
        .into()
    );
}

#[test]
fn disambiguation_never_takes_another_benchmark_s_name() {
    let result = |c: &str| format!(r#"{{"command": "{c}", "times": [1.0]}}"#);
    let input = format!(
        r#"{{"results": [{}, {}, {}, {}]}}"#,
        result("a"),
        result("a #2"),
        result("a"),
        result("a")
    );
    let p = parse(Format::Hyperfine, input.as_bytes()).unwrap();
    assert_eq!(names(&p), ["a", "a #2", "a #3", "a #4"]);
}

// --- errors ----------------------------------------------------------------------------------

#[test]
fn empty_and_garbage_inputs() {
    assert_eq!(
        err(""),
        "the input is empty; expected hyperfine --export-json output: {\"results\": \
         [{\"command\": …, \"times\": […]}]}"
    );
    assert_eq!(err(" \n\t "), err(""));
    let garbage = [0u8, 159, 146, 150, 255, 1, 2];
    let e = parse(Format::Hyperfine, &garbage).unwrap_err();
    assert_eq!(e.to_string(), "$: expected value (line 1, column 1)");
    assert!(matches!(e.location, Location::Json { .. }));
    assert_eq!(
        err("[1, 2]"),
        "$: invalid type: sequence, expected a hyperfine export: an object with a \"results\" \
         array (line 1, column 0)"
    );
}

#[test]
fn truncated_files_name_where_they_end() {
    let bytes = fixture("v1.15-commands.json");
    let text = std::str::from_utf8(bytes).unwrap();
    let cut = |marker: &str| {
        let at = text.find(marker).unwrap();
        parse(Format::Hyperfine, &bytes[..at])
            .unwrap_err()
            .to_string()
    };
    // Mid-number, inside the times array of the first result.
    assert_eq!(
        cut("5399999991,\n        0.0008822"),
        "$.results[0].times: EOF while parsing a list (line 13, column 19)"
    );
    // Mid-key.
    assert_eq!(
        cut("an\": 0.00195"),
        "$.results[1]: EOF while parsing a string (line 27, column 11)"
    );
    // Between two results: the array never closes.
    assert_eq!(
        cut(",\n    {\n      \"command\": \"true\""),
        "$.results: EOF while parsing a list (line 42, column 5)"
    );
    // Only the last brace missing.
    assert_eq!(
        parse(
            Format::Hyperfine,
            bytes.trim_ascii_end().strip_suffix(b"}").unwrap()
        )
        .unwrap_err()
        .to_string(),
        "$: EOF while parsing an object (line 64, column 0)"
    );
}

#[test]
fn wrong_shapes_give_the_path_and_what_was_expected() {
    assert_eq!(
        err(r#"{"results": [{"command": "x", "times": [0.1, "slow"]}]}"#),
        "$.results[0].times[1]: invalid type: string \"slow\", expected f64 (line 1, column 51)"
    );
    assert_eq!(
        err(r#"{"results": [{"times": [0.1]}]}"#),
        "$.results[0]: missing field `command` (line 1, column 29)"
    );
    assert_eq!(
        err(r#"{"benchmarks": []}"#),
        "$: missing field `results` (line 1, column 18)"
    );
    assert_eq!(
        err(r#"{"results": []}"#),
        "$.results: the results array is empty; expected one result per benchmarked command"
    );
    assert_eq!(
        err(r#"{"results": [{"command": "x", "exit_codes": [0]}]}"#),
        "$.results[0]: has no run times; expected \"times\" (hyperfine 1.x) or \"measurements\" \
         (hyperfine 2.x)"
    );
    assert_eq!(
        err(r#"{"results": [{"command": "x", "times": [1], "command": "y"}]}"#),
        "$.results[0]: duplicate field `command` (line 1, column 59)"
    );
    assert_eq!(
        err(r#"{"results": [{"command": "x", "times": [1], "measurements": []}]}"#),
        "$.results[0]: has both \"times\"/\"exit_codes\" (hyperfine 1.x) and \"measurements\" \
         (hyperfine 2.x); expected one layout"
    );
    assert_eq!(
        err(r#"{"results": [{"command": "x", "measurements": []}]}"#),
        "$.results[0].measurements: is empty; expected one measurement per run"
    );
    assert_eq!(
        err(r#"{"results": [{"command": "x", "measurements": [{"exit_code": 0}]}]}"#),
        "$.results[0].measurements: no run has a \"time_wall_clock\"; expected {\"value\": \
         seconds, \"unit\": \"second\"}"
    );
    assert_eq!(
        err(
            r#"{"results": [{"command": "x", "measurements": [{"time_wall_clock": {"value": 1, "unit": "fortnight"}}]}]}"#
        ),
        "$.results[0].measurements[0].time_wall_clock: unknown unit \"fortnight\"; expected a \
         time unit such as \"second\""
    );
    assert_eq!(
        err(
            r#"{"results": [{"command": "x", "measurements": [{"time_wall_clock": {"value": 1, "unit": "byte"}}]}]}"#
        ),
        "$.results[0].measurements[0].time_wall_clock: time_wall_clock is given in B; expected a \
         time unit such as \"second\""
    );
    // Negative times cannot be measured: refused where they are, not stored.
    assert_eq!(
        err(r#"{"results": [{"command": "x", "times": [0.5, -0.1]}]}"#),
        "$.results[0].times[1]: -100000000 is negative: wall_time in ns cannot be"
    );
    assert_eq!(
        err(r#"{"results": [{"command": "x", "times": [0.5], "user": -0.001}]}"#),
        "$.results[0].user: -1000000 is negative: user_time in ns cannot be"
    );
    assert_eq!(
        err(
            r#"{"results": [{"command": "x", "measurements": [{"time_wall_clock": {"value": 1, "unit": "second"}, "memory_peak_resident": {"value": -5, "unit": "byte"}}]}]}"#
        ),
        "$.results[0].measurements[0].memory_peak_resident: -5 is negative: max_rss in B cannot be"
    );
    assert_eq!(
        err(r#"{"results": [{"command": "x", "times": [1e300]}]}"#),
        "$.results[0].times[0]: the value is out of range (inf ns after conversion)"
    );
    assert_eq!(
        err(r#"{"results": [{"command": "x", "times": [1], "parameters": {"n": [1]}}]}"#),
        "$.results[0].parameters.n: invalid type: sequence, expected a string or {\"value\": \
         string} (line 1, column 65)"
    );
}

#[test]
fn other_formats_are_refused_and_named() {
    let libtest = include_bytes!("fixtures/libtest/bench-stdout-only.txt");
    assert!(!hyperfine::sniff(libtest));
    assert_eq!(
        parse(Format::Hyperfine, libtest).unwrap_err().to_string(),
        "$: expected value (line 2, column 1); the input looks like libtest output (try \
         --adapter libtest or --adapter auto)"
    );
    // JSON of other harnesses is not claimed by the sniffer.
    assert!(!hyperfine::sniff(
        br#"{"context": {"date": "x"}, "benchmarks": [{"name": "BM_x"}]}"#
    ));
    assert!(!hyperfine::sniff(
        br#"{"machine_info": {}, "benchmarks": [{"stats": {}}]}"#
    ));
    assert!(!hyperfine::sniff(
        br#"{"schema": "benchgate/run/v1", "results": [{"command": "x"}]}"#
    ));
    assert!(!hyperfine::sniff(
        b"{\"Time\":\"2024\",\"Action\":\"run\"}\n"
    ));
    // A head cut right after the first key still sniffs.
    let v2 = fixture("v2.0-scan-named.json");
    let at = std::str::from_utf8(v2).unwrap().find("\"name\"").unwrap();
    assert!(hyperfine::sniff(&v2[..at]));
}

#[test]
fn no_input_makes_the_parser_panic() {
    for (_, bytes) in FIXTURES {
        // Every offset of the small files, 400 spread offsets of the bigger ones.
        let step = (bytes.len() / 400).max(1);
        for end in (0..bytes.len()).step_by(step) {
            let _ = parse(Format::Hyperfine, &bytes[..end]);
            let _ = hyperfine::sniff(&bytes[..end]);
        }
        let mut noisy = bytes.to_vec();
        for i in (0..noisy.len()).step_by((noisy.len() / 100).max(1)) {
            noisy[i] ^= 0x5a;
            let _ = hyperfine::parse(&noisy);
        }
    }
    let deep = "[".repeat(100_000);
    assert!(hyperfine::parse(format!("{{\"results\": {deep}").as_bytes()).is_err());
}
