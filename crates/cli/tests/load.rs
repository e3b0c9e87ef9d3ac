//! Load, output metrics and memory through the whole program (SPEC §4.3, §4.4, issue 13): a
//! configured or ad-hoc command run N at a time or on a schedule, values read from its output,
//! the memory of a watched server, budgets on all of it, bad values refused before anything
//! runs. Real child processes and a real SQLite file in a temporary directory; every level is
//! short and bounded by operations or a duration, and no assertion depends on timing beyond
//! wide margins.

mod common;

use common::{
    benchgate, benchgate_process, benchmark, metric, read_json, samples, stderr, stdout, write,
};
use serde_json::Value;

#[test]
fn concurrency_levels_are_benchmarks_with_the_in_flight_maximum_they_reached() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "run",
            "--concurrency",
            "1,4",
            "--operations",
            "24",
            "--export-json",
            "run.json",
            "--name",
            "nap",
            "--",
            "sleep 0.05",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    let one = benchmark(&run, "nap/concurrency=1");
    let four = benchmark(&run, "nap/concurrency=4");
    assert_eq!(one["params"]["concurrency"], "1");
    assert_eq!(four["params"]["concurrency"], "4");
    assert_eq!(samples(metric(one, "max_concurrency")), [1.0]);
    // Four 50 ms sleeps started together are in flight together, however busy the machine.
    assert_eq!(samples(metric(four, "max_concurrency")), [4.0]);
    assert_eq!(one["labels"]["ops"], "24");
    assert_eq!(four["labels"]["ops"], "24");
    assert_eq!(four["labels"]["errors"], "0");
    for bench in [one, four] {
        let p95 = samples(metric(bench, "latency_p95"));
        assert!(!p95.is_empty());
        // At least the 50 ms the command sleeps.
        assert!(p95.iter().all(|&ns| ns >= 50e6), "{p95:?}");
        assert!(
            samples(metric(bench, "error_rate"))
                .iter()
                .all(|&r| r == 0.0)
        );
    }
    let efficiency = samples(metric(four, "scaling_efficiency"));
    assert!(!efficiency.is_empty());
    assert_eq!(four["labels"]["scaling_reference"], "1");
}

#[test]
fn failed_operations_are_errors_by_kind_and_budgets_on_the_error_rate_fail_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    // Every third operation (a counter under a lock) exits 3: an error rate of exactly 1/3.
    write(
        dir.path(),
        "op.sh",
        "exec 9>>lock; flock 9; n=$(( $(cat count 2>/dev/null || echo 0) + 1 )); echo $n > count; \
         flock -u 9; [ $((n % 3)) -ne 0 ] || exit 3\n",
    );
    write(
        dir.path(),
        "benchgate.toml",
        r#"
[[bench]]
name = "flaky"
command = "sh op.sh"
concurrency = [2]
operations = 30

[[budget]]
bench = "flaky/concurrency=*"
measure = "error_rate"
max = "0.1%"

[[budget]]
bench = "flaky/concurrency=2"
measure = "latency_p99"
max = "10s"
"#,
    );
    let out = benchgate(
        &["run", "--format", "json", "--export-json", "run.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    let bench = benchmark(&run, "flaky/concurrency=2");
    assert_eq!(bench["status"]["kind"], "ok");
    assert_eq!(bench["labels"]["ops"], "30");
    assert_eq!(bench["labels"]["errors"], "10");
    assert_eq!(bench["labels"]["errors.exit:3"], "10");
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let text = report.to_string();
    assert!(text.contains("error_rate"), "{text}");
    let budgets = report["budgets"].as_array().unwrap();
    let status = |measure: &str| {
        budgets
            .iter()
            .find(|b| b["measure"] == measure)
            .unwrap_or_else(|| panic!("no budget on {measure}: {report:#}"))["status"]
            .clone()
    };
    assert_eq!(status("error_rate"), "fail");
    assert_eq!(status("latency_p99"), "ok");
}

#[test]
fn values_read_from_each_run_s_output_are_samples_and_budgets_judge_them() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "benchgate.toml",
        r#"
[defaults]
runs = 3
warmup = 0

[[bench]]
name = "commit"
command = "echo '{\"tps\": 1234.5, \"log\": \"commit took 12.5 ms\"}'"
shell = "sh"
metrics = [
  { name = "tps", json = "$.tps", unit = "tx/s", better = "higher" },
  { name = "commit_time", regex = 'commit took ([0-9.]+) ms', unit = "ms" },
]

[[budget]]
measure = "commit_time"
max = "10ms"
"#,
    );
    let out = benchgate(&["run", "--export-json", "run.json"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    let bench = benchmark(&run, "commit");
    let tps = metric(bench, "tps");
    assert_eq!(samples(tps), [1234.5, 1234.5, 1234.5]);
    assert_eq!(tps["unit"], "tx/s");
    assert_eq!(tps["direction"], "higher_is_better");
    let commit = metric(bench, "commit_time");
    assert_eq!(samples(commit), [12.5e6, 12.5e6, 12.5e6]);
    assert_eq!(commit["unit"], "ns");
    assert!(stdout(&out).contains("commit_time"), "{}", stdout(&out));
}

#[test]
fn a_missing_output_value_fails_the_bench_naming_the_metric_and_the_run() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "benchgate.toml",
        r#"
[defaults]
runs = 2
warmup = 0

[[bench]]
name = "commit"
command = "echo '{\"ok\": true}'"
shell = "sh"
metrics = [{ name = "tps", json = "$.tps" }]
"#,
    );
    let out = benchgate(&["run", "--export-json", "run.json"], dir.path());
    // A command that failed: exit 3 (SPEC §3).
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("commit: run 1: metric \"tps\": $.tps is missing from the output"),
        "{}",
        stderr(&out)
    );
    let run = read_json(&dir.path().join("run.json"));
    let message = benchmark(&run, "commit")["status"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("run 1"), "{message}");
    assert!(message.contains("tps"), "{message}");
    assert!(message.contains("$.tps"), "{message}");
}

#[test]
fn an_output_check_failing_under_load_is_an_output_check_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "benchgate.toml",
        r#"
[[bench]]
name = "start"
command = "echo '{\"ok\": false, \"boot_ms\": 3}'"
shell = "sh"
concurrency = [1]
operations = 4
check = { json = "$.ok", equals = true }
metrics = [{ name = "boot", json = "$.boot_ms", unit = "ms" }]
"#,
    );
    let out = benchgate(&["run", "--export-json", "run.json"], dir.path());
    // Every operation failed: the level failed, exit 3 (SPEC §3).
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    let bench = benchmark(&run, "start/concurrency=1");
    assert_eq!(bench["labels"]["errors.output-check"], "4");
    assert!(
        bench["status"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("output-check"),
        "{bench:#}"
    );
}

#[test]
fn a_watched_server_that_leaks_breaks_its_memory_budget_and_a_steady_one_keeps_it() {
    for (leak, code) in [(true, 1), (false, 0)] {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "server.py",
            "import os, sys, time\n\
             open('server.pid', 'w').write(str(os.getpid()))\n\
             held = [bytearray(8 << 20)]\n\
             for i in range(0, len(held[0]), 4096): held[0][i] = 1\n\
             while True:\n\
             \x20   if os.environ.get('LEAK') == '1':\n\
             \x20       b = bytearray(512 << 10)\n\
             \x20       for i in range(0, len(b), 4096): b[i] = 1\n\
             \x20       held.append(b)\n\
             \x20   time.sleep(0.05)\n",
        );
        write(
            dir.path(),
            "benchgate.toml",
            &format!(
                r#"
[[bench]]
name = "api"
command = "true"
rate = "20/s"
duration = "2s"
# Waits (bounded) for the server to write its pid: python may start slowly on a busy machine.
setup = "sh -c 'LEAK={} python3 server.py > /dev/null 2>&1 & for i in $(seq 600); do [ -s server.pid ] && exit 0; sleep 0.1; done; exit 1'"
cleanup = "sh -c 'kill $(cat server.pid)'"
watch = {{ pid_file = "server.pid" }}
memory = {{ every = "50ms", max_growth = "10%" }}
"#,
                u8::from(leak)
            ),
        );
        let out = benchgate_process(&["run", "--export-json", "run.json"], dir.path());
        let run = read_json(&dir.path().join("run.json"));
        assert_eq!(
            out.status.code(),
            Some(code),
            "leak {leak}: {}\n{run:#}",
            stderr(&out)
        );
        let bench = benchmark(&run, "api");
        let growth = samples(metric(bench, "rss_growth"))[0];
        if leak {
            // 10 MB/s on top of ~20 MB for 2 s.
            assert!(growth > 0.3, "{growth}");
        } else {
            assert!(growth.abs() < 0.05, "{growth}");
        }
        let rss = bench["series"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "rss")
            .unwrap();
        assert!(rss["points"].as_array().unwrap().len() >= 10, "{rss:#}");
        assert!(samples(metric(bench, "rss_peak"))[0] >= 8.0 * 1024.0 * 1024.0);
    }
}

#[test]
fn bad_load_values_exit_2_before_anything_runs() {
    let cases: [(&[&str], &str, &str); 9] = [
        (
            &[
                "run",
                "--concurrency",
                "2",
                "--runs",
                "5",
                "--",
                "touch ran",
            ],
            "",
            "--runs sizes runs one at a time",
        ),
        (
            &["run"],
            "[[bench]]\nname = \"x\"\ncommand = \"touch ran\"\nconcurrency = [2]\nruns = 5\n",
            "cannot have `runs`",
        ),
        (
            &["run"],
            "[[bench]]\nname = \"x\"\ncommand = \"touch ran\"\nprepare = \"true\"\nrate = \"5/s\"\n",
            "cannot have `prepare`",
        ),
        (
            &["run", "--concurrency", "0", "--", "touch ran"],
            "",
            "--concurrency \"0\"",
        ),
        (
            &["run", "--rate=-1/s", "--", "touch ran"],
            "",
            "--rate \"-1/s\"",
        ),
        (
            &["run"],
            "[[bench]]\nname = \"x\"\ncommand = \"touch ran\"\nconcurrency = [0]\n",
            "benchgate.toml:4:",
        ),
        (
            &["run"],
            "[[bench]]\nname = \"x\"\ncommand = \"touch ran\"\nmetrics = [{ name = \"t\", regex = '(' }]\n",
            "benchgate.toml:4:",
        ),
        (
            &["run"],
            "[[bench]]\nname = \"x\"\ncommand = \"touch ran\"\nmetrics = [{ name = \"t\", json = \"$..t\" }]\n",
            "benchgate.toml:4:",
        ),
        (
            &["run"],
            "[[bench]]\nname = \"x\"\ncommand = \"touch ran\"\nrate = \"-1/s\"\n",
            "benchgate.toml:4:",
        ),
    ];
    for (args, config, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        if !config.is_empty() {
            write(dir.path(), "benchgate.toml", config);
        }
        let out = benchgate(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!dir.path().join("ran").exists(), "{args:?} ran the command");
        assert!(
            !dir.path().join(".benchgate").exists(),
            "{args:?} wrote a store"
        );
    }
}

#[test]
fn budgets_on_every_load_measure_pass_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::from(
        "[[bench]]\nname = \"op\"\ncommand = \"sleep 0.02\"\nconcurrency = [1, 2]\noperations = 12\n",
    );
    // (measure, bound that holds, bound that breaks), on level 2.
    let bounds = [
        ("throughput", "min = \"1/s\"", "min = \"100000/s\""),
        ("latency_p95", "max = \"10s\"", "max = \"1us\""),
        ("latency_p99", "max = \"10s\"", "max = \"1us\""),
        ("error_rate", "max = \"1%\"", "min = \"50%\""),
        ("scaling_efficiency", "min = \"10%\"", "min = \"1000%\""),
        ("max_concurrency", "min = 2", "min = 3"),
    ];
    for (measure, holds, breaks) in bounds {
        for bound in [holds, breaks] {
            config.push_str(&format!(
                "\n[[budget]]\nbench = \"op/concurrency=2\"\nmeasure = \"{measure}\"\n{bound}\n"
            ));
        }
    }
    write(dir.path(), "benchgate.toml", &config);
    let out = benchgate(&["--json", "run"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let checks = report["budgets"].as_array().unwrap();
    assert_eq!(checks.len(), 2 * bounds.len(), "{report:#}");
    for (i, (measure, _, _)) in bounds.iter().enumerate() {
        for (k, expected) in [(2 * i, "ok"), (2 * i + 1, "fail")] {
            let check = &checks[k];
            assert_eq!(check["measure"], *measure, "{check:#}");
            assert_eq!(check["status"], expected, "{check:#}");
        }
    }
}

#[test]
fn ad_hoc_commands_under_load_compare_level_by_level_with_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "--concurrency",
        "1,2",
        "--duration",
        "1s",
        "-n",
        "fast",
        "-n",
        "slow",
        "--",
        "sleep 0.01",
        "--",
        "sleep 0.05",
    ];
    let out = benchgate(&args, dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("compared with fast, level by level:"),
        "{text}"
    );
    // Five times the sleep: fewer operations per second, each one slower.
    let throughput = text
        .lines()
        .find(|l| l.starts_with("slow/concurrency=2") && l.contains("throughput"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(throughput.contains("× lower"), "{throughput}");
    assert!(throughput.ends_with("regressed"), "{throughput}");
    let latency = text
        .lines()
        .find(|l| l.starts_with("slow/concurrency=1") && l.contains("latency_p50"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(latency.contains("× slower"), "{latency}");

    let compared = &text[text.find("compared with").unwrap()..];
    let mut judged: Vec<(String, String)> = compared
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect();
    judged.sort();
    let mut expected = Vec::new();
    for level in ["slow/concurrency=1", "slow/concurrency=2"] {
        for measure in ["error_rate", "latency_p50", "latency_p99", "throughput"] {
            expected.push((level.to_string(), measure.to_string()));
        }
    }
    assert_eq!(judged, expected);
}

#[test]
fn metrics_are_read_from_the_output_file_each_run_writes() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "benchgate.toml",
        r#"
[[bench]]
name = "report"
command = "echo not json; echo '{\"tps\": 5}' > result.json"
shell = "sh"
runs = 3
warmup = 1
metrics = [{ name = "tps", json = "$.tps", unit = "tx/s", better = "higher" }]
output_file = "result.json"
"#,
    );
    let out = benchgate(&["run", "--export-json", "run.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    let tps = metric(benchmark(&run, "report"), "tps");
    assert_eq!(samples(tps), [5.0, 5.0, 5.0]);
    assert_eq!(tps["unit"], "tx/s");
}

#[test]
fn a_server_that_cannot_be_watched_is_said_and_its_memory_budget_is_not_passed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "benchgate.toml",
        r#"
[[bench]]
name = "api"
command = "true"
rate = "10/s"
duration = "1s"
watch = { pid_file = "gone.pid" }
memory = { max_growth = "10%" }
"#,
    );
    let out = benchgate(&["run"], dir.path());
    let text = stdout(&out);
    assert!(
        text.contains("api: memory not sampled: cannot read the pid file gone.pid"),
        "{text}"
    );
    // The leak budget is written in its unit and reported unmeasured: it fails, never a pass.
    assert!(text.contains("rss_growth ≤ 10% on api"), "{text}");
    assert!(text.contains("unmeasured"), "{text}");
    assert!(
        text.contains("api · rss_growth: ERROR — budget #1 rss_growth ≤ 10% on api: api not checked: no benchmark it applies to has rss_growth measured"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1), "{text}\n{}", stderr(&out));
}
