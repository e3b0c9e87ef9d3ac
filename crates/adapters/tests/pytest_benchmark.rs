//! The pytest-benchmark adapter against real pytest-benchmark output (fixtures written by
//! tests/fixtures/pytest-benchmark/regenerate.sh; versions in VERSIONS there).

mod common;

use common::bench;

use benchgate_adapters::{Format, Location, Parsed, detect, merge, parse, pytest_benchmark};
use benchgate_model::{Benchmark, Direction, Measure, Metric, Status, Unit};
use serde_json::Value;

const FIXTURES: [&str; 9] = [
    "suite.json",
    "suite-saved.json",
    "duplicates.json",
    "cprofile.json",
    "v3.json",
    "dirty-saved-data.json",
    "nogit.json",
    "nocommit.json",
    "nonfinite.json",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/pytest-benchmark/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parsed(name: &str) -> Parsed {
    parse(Format::PytestBenchmark, &fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn wall(b: &Benchmark) -> &Metric {
    assert_eq!(b.metrics.len(), 1, "{}", b.name);
    let m = &b.metrics[0];
    assert_eq!(m.measure, Measure::WallTime);
    assert_eq!(m.unit, Unit::Nanoseconds);
    assert_eq!(m.direction, Direction::LowerIsBetter);
    assert!(!m.exact);
    m
}

fn label<'a>(b: &'a Benchmark, key: &str) -> &'a str {
    b.labels
        .get(key)
        .unwrap_or_else(|| panic!("{} has no label {key}: {:?}", b.name, b.labels))
}

fn error(input: &[u8]) -> String {
    match parse(Format::PytestBenchmark, input) {
        Ok(p) => panic!("parsed: {p:?}"),
        Err(e) => e.to_string(),
    }
}

const NO_DATA: &str = "not saved: the one sample is stats.mean, the average of rounds × \
                       iterations calls (--benchmark-json, or --benchmark-save with \
                       --benchmark-save-data, keeps every round)";

// ---------------------------------------------------------------------------------------------
// Detection

#[test]
fn every_fixture_is_detected_as_pytest_benchmark() {
    for name in FIXTURES {
        let bytes = fixture(name);
        assert_eq!(detect(&bytes), Some(Format::PytestBenchmark), "{name}");
        assert!(
            pytest_benchmark::sniff(&bytes[..bytes.len().min(65536)]),
            "{name}"
        );
    }
}

#[test]
fn sniff_needs_the_keys_even_in_a_cut_head() {
    let bytes = fixture("suite.json");
    // The head ends long before the benchmarks; "machine_info" and "benchmarks" are both in it
    // only because pytest-benchmark writes "benchmarks" after machine_info and commit_info.
    let head = &bytes[..bytes.iter().position(|&b| b == b'[').unwrap() + 1];
    assert!(!pytest_benchmark::sniff(head));
    let cut = String::from_utf8_lossy(&bytes)
        .find("\"benchmarks\"")
        .unwrap()
        + 20;
    assert!(pytest_benchmark::sniff(&bytes[..cut]));
    // Old files may put the benchmarks first.
    assert!(pytest_benchmark::sniff(
        br#"{"benchmarks": [{"stats": {"q1": 1.0, "stddev_outliers": 4"#
    ));
}

#[test]
fn sniff_leaves_other_formats_alone() {
    let others: [&[u8]; 8] = [
        br#"{"results": [{"command": "sleep 1", "times": [1.0]}]}"#,
        br#"{"context": {"date": "x"}, "benchmarks": [{"name": "BM_x", "real_time": 1}]}"#,
        br#"{"schema": "benchgate/run/v1", "benchmarks": [{"name": "x", "labels": {"machine_info": "1"}}], "environment": {"tags": {"machine_info.node": "vm"}}}"#,
        b"goos: linux\nBenchmarkX-8  100  12 ns/op\n",
        b"test x ... bench:  1,234 ns/iter (+/- 56)\n",
        b"[{\"machine_info\": {}, \"benchmarks\": []}]",
        br#"{"benchmarks": [{"name": "machine_info", "note": "commit_info"}]}"#,
        b"",
    ];
    for other in others {
        assert!(
            !pytest_benchmark::sniff(other),
            "{}",
            String::from_utf8_lossy(other)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// suite.json: the whole suite, --benchmark-json (raw data), in a clean git repository

#[test]
fn suite_names_are_node_ids_in_file_order_and_the_failing_test_is_absent() {
    let p = parsed("suite.json");
    let names: Vec<&str> = p.benchmarks.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "sub/test_nested.py::TestNested::test_method",
            "test_suite.py::test_plain",
            "test_suite.py::test_very_fast",
            "test_suite.py::test_sleep",
            "test_suite.py::test_params[list-small]",
            "test_suite.py::test_params[list-large]",
            "test_suite.py::test_params[tuple-small]",
            "test_suite.py::test_params[tuple-large]",
            "test_suite.py::test_param_types[none]",
            "test_suite.py::test_param_types[bool]",
            "test_suite.py::test_param_types[float]",
            "test_suite.py::test_param_types[bytes]",
            "test_suite.py::test_param_types[tuple]",
            "test_suite.py::test_param_types[dict]",
            "test_suite.py::test_fixture_param[mem]",
            "test_suite.py::test_fixture_param[disk]",
            "test_suite.py::test_group_attribute",
            "test_suite.py::test_group_marker",
            "test_suite.py::test_extra_info",
            "test_suite.py::test_pedantic",
            "test_suite.py::test_pedantic_setup",
        ]
    );
    // test_raises raised: pytest-benchmark writes nothing about it.
    assert!(p.benchmarks.iter().all(|b| !b.name.contains("raises")));
    assert!(p.benchmarks.iter().all(|b| b.status == Status::Ok));
    assert!(p.benchmarks.iter().all(|b| b.command.is_none()));
}

#[test]
fn suite_samples_are_per_round_times_in_ns_with_the_iterations_per_round() {
    let p = parsed("suite.json");

    let sleep = wall(bench(&p, "test_suite.py::test_sleep"));
    assert_eq!(
        sleep.samples,
        [
            0.0010663489999842568 * 1e9,
            0.0010642659999575699 * 1e9,
            0.0010645060001479578 * 1e9,
            0.0010626120001688832 * 1e9,
            0.001063313999793536 * 1e9,
        ]
    );
    assert_eq!(sleep.iterations.as_deref(), Some(&[1u64; 5][..]));
    assert_eq!(sleep.summary.n, 5);
    assert_eq!(sleep.summary.min, 0.0010626120001688832 * 1e9);

    // Pedantic: 4 rounds of 3 iterations; the warm-up round is not in the data.
    let pedantic = wall(bench(&p, "test_suite.py::test_pedantic"));
    assert_eq!(
        pedantic.samples,
        [
            2.3036333383667323e-05 * 1e9,
            2.299666660595297e-05 * 1e9,
            2.2989666679980775e-05 * 1e9,
            2.300666672757264e-05 * 1e9,
        ]
    );
    assert_eq!(pedantic.iterations.as_deref(), Some(&[3u64; 4][..]));

    // Calibration ran the very fast function 100 times per round.
    let fast = wall(bench(&p, "test_suite.py::test_very_fast"));
    assert_eq!(fast.samples.len(), 28);
    assert_eq!(fast.samples[0], 7.333999974434846e-08 * 1e9);
    assert_eq!(fast.samples[27], 7.353999990300509e-08 * 1e9);
    assert_eq!(fast.iterations.as_deref(), Some(&[100u64; 28][..]));

    let nested = wall(bench(&p, "sub/test_nested.py::TestNested::test_method"));
    assert_eq!(nested.samples.len(), 39);
    assert_eq!(nested.samples[0], 2.629999926284654e-07 * 1e9);
    assert_eq!(nested.iterations.as_deref(), Some(&[20u64; 39][..]));

    let setup = wall(bench(&p, "test_suite.py::test_pedantic_setup"));
    assert_eq!(setup.samples.len(), 5);
    assert_eq!(setup.samples[4], 1.4330000794871012e-06 * 1e9);
}

/// Every sample of every fixture against the file read independently: each `stats.data` value
/// × 1e9 (or `stats.mean` × 1e9 without data), in order, with the iterations per round.
#[test]
fn every_sample_matches_the_file() {
    for name in FIXTURES.into_iter().filter(|n| *n != "nonfinite.json") {
        let raw: Value = serde_json::from_slice(&fixture(name)).unwrap();
        let p = parsed(name);
        let mut want: Vec<(String, Vec<f64>, Vec<u64>)> = Vec::new();
        for b in raw["benchmarks"].as_array().unwrap() {
            let stats = &b["stats"];
            let iterations = stats["iterations"].as_u64().unwrap();
            let (samples, iters): (Vec<f64>, Vec<u64>) = match stats.get("data") {
                Some(data) => data
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| (v.as_f64().unwrap() * 1e9, iterations))
                    .unzip(),
                None => (
                    vec![stats["mean"].as_f64().unwrap() * 1e9],
                    vec![stats["rounds"].as_u64().unwrap() * iterations],
                ),
            };
            let full = b["fullname"].as_str().unwrap().to_string();
            match want.iter_mut().find(|(n, ..)| *n == full) {
                Some((_, s, i)) => {
                    s.extend(samples);
                    i.extend(iters);
                }
                None => want.push((full, samples, iters)),
            }
        }
        assert_eq!(p.benchmarks.len(), want.len(), "{name}");
        for (b, (full, samples, iters)) in p.benchmarks.iter().zip(&want) {
            assert_eq!(&b.name, full, "{name}");
            let m = wall(b);
            assert_eq!(&m.samples, samples, "{name} {full}");
            assert_eq!(m.iterations.as_ref(), Some(iters), "{name} {full}");
        }
    }
}

#[test]
fn suite_params_are_rendered_as_text() {
    let p = parsed("suite.json");
    let params = |name: &str| {
        bench(&p, name)
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        params("test_suite.py::test_params[list-small]"),
        [("kind", "list"), ("size", "10")]
    );
    assert_eq!(
        params("test_suite.py::test_params[tuple-large]"),
        [("kind", "tuple"), ("size", "1000")]
    );
    assert_eq!(
        params("test_suite.py::test_param_types[none]"),
        [("value", "null")]
    );
    assert_eq!(
        params("test_suite.py::test_param_types[bool]"),
        [("value", "true")]
    );
    assert_eq!(
        params("test_suite.py::test_param_types[float]"),
        [("value", "1.5")]
    );
    // json.dumps cannot write bytes; pytest-benchmark's encoder writes this instead.
    assert_eq!(
        params("test_suite.py::test_param_types[bytes]"),
        [("value", "UNSERIALIZABLE[b'raw']")]
    );
    assert_eq!(
        params("test_suite.py::test_param_types[tuple]"),
        [("value", "[1,\"a\"]")]
    );
    assert_eq!(
        params("test_suite.py::test_param_types[dict]"),
        [("value", "{\"k\":[1,2]}")]
    );
    assert_eq!(
        params("test_suite.py::test_fixture_param[disk]"),
        [("backend", "disk")]
    );
    assert!(params("test_suite.py::test_plain").is_empty());
    let b = bench(&p, "test_suite.py::test_params[list-small]");
    assert_eq!(label(b, "param"), "list-small");
    assert_eq!(label(b, "name"), "test_params[list-small]");
    assert!(
        !bench(&p, "test_suite.py::test_plain")
            .labels
            .contains_key("param")
    );
}

#[test]
fn suite_groups_options_and_extra_info_are_labels() {
    let p = parsed("suite.json");
    assert_eq!(
        label(bench(&p, "test_suite.py::test_group_attribute"), "group"),
        "attr-group"
    );
    let marker = bench(&p, "test_suite.py::test_group_marker");
    assert_eq!(label(marker, "group"), "marker-group");
    assert_eq!(label(marker, "options.timer"), "process_time");
    assert_eq!(label(marker, "options.min_rounds"), "7");
    // A group of null is no group.
    assert!(
        !bench(&p, "test_suite.py::test_plain")
            .labels
            .contains_key("group")
    );

    let b = bench(&p, "test_suite.py::test_extra_info");
    let labels: Vec<(&str, &str)> = b
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("extra_info.flag", "false"),
            ("extra_info.items", "100"),
            ("extra_info.label", "hello world"),
            ("extra_info.nested", "{\"a\":[1,2],\"b\":\"x\"}"),
            ("extra_info.nothing", "null"),
            ("extra_info.ratio", "0.25"),
            ("name", "test_extra_info"),
            ("options.confidence", "null"),
            ("options.disable_gc", "false"),
            ("options.max_time", "0.0002"),
            ("options.min_rounds", "5"),
            ("options.min_time", "5e-06"),
            ("options.precision", "null"),
            ("options.timer", "perf_counter"),
            ("options.warmup", "false"),
            ("stats.hd15iqr", "8.19599995338649e-07"),
            ("stats.iqr", "3.999980435764904e-09"),
            ("stats.iqr_outliers", "1"),
            ("stats.iterations", "10"),
            ("stats.ld15iqr", "8.105000006253249e-07"),
            ("stats.max", "8.30600015433447e-07"),
            ("stats.mean", "8.140249984004792e-07"),
            ("stats.median", "8.125000022118911e-07"),
            ("stats.min", "8.105000006253249e-07"),
            ("stats.ops", "1228463.5016921505"),
            ("stats.outliers", "2;1"),
            ("stats.q1", "8.115000127872917e-07"),
            ("stats.q3", "8.154999932230566e-07"),
            ("stats.rounds", "24"),
            ("stats.stddev", "4.226445794335616e-09"),
            ("stats.stddev_outliers", "2"),
            ("stats.total", "1.9536599961611503e-05"),
        ]
    );
    let m = wall(b);
    assert_eq!(m.samples.len(), 24);
    assert_eq!(m.samples[0], 8.30600015433447e-07 * 1e9);
    assert_eq!(m.summary.min, 8.105000006253249e-07 * 1e9);
}

#[test]
fn suite_context_holds_machine_and_commit() {
    let c = parsed("suite.json").context;
    assert_eq!(c.hostname.as_deref(), Some("vm"));
    assert_eq!(c.os.as_deref(), Some("Linux"));
    assert_eq!(c.kernel.as_deref(), Some("6.18.44-fc-v1045"));
    assert_eq!(c.arch.as_deref(), Some("x86_64"));
    assert_eq!(c.cpu_model.as_deref(), Some("AMD EPYC"));
    assert_eq!(c.logical_cores, Some(2));
    assert_eq!(c.memory_bytes, None);
    assert_eq!(
        c.commit.as_deref(),
        Some("04c9af40113b0369031b8eeb75cab2c337f01a0f")
    );
    assert_eq!(c.branch.as_deref(), Some("main"));
    assert_eq!(c.dirty, Some(false));
    // "datetime" is written when the session ends.
    assert_eq!(c.started_at, None);
    assert_eq!(
        c.ended_at,
        Some(time::macros::datetime!(2026-12-01 07:20:26.473008 UTC))
    );
    assert_eq!(c.source, None);
    let tag = |k: &str| c.tags.get(k).map(String::as_str);
    assert_eq!(tag("pytest_benchmark.version"), Some("5.3.1"));
    assert_eq!(tag("machine_info.python_version"), Some("3.11.7"));
    assert_eq!(tag("machine_info.python_implementation"), Some("CPython"));
    assert_eq!(tag("machine_info.python_compiler"), Some("GCC 12.2.0"));
    assert_eq!(
        tag("machine_info.python_build"),
        Some("[\"main\",\"May  9 2026 07:35:25\"]")
    );
    assert_eq!(tag("machine_info.processor"), Some(""));
    assert_eq!(tag("machine_info.cpu.vendor_id_raw"), Some("AuthenticAMD"));
    assert_eq!(tag("machine_info.cpu.hz_actual"), Some("[2445406000,0]"));
    assert_eq!(tag("machine_info.cpu.cpuinfo_version"), Some("[10,1,1]"));
    assert_eq!(tag("commit_info.project"), Some("benchsuite"));
    assert_eq!(tag("commit_info.time"), Some("2024-05-06T08:09:10+02:00"));
    assert_eq!(
        tag("commit_info.author_time"),
        Some("2024-05-06T07:08:09+02:00")
    );
    // Mapped facts are not repeated as tags.
    for k in [
        "machine_info.node",
        "machine_info.system",
        "machine_info.cpu.brand_raw",
        "machine_info.cpu.count",
        "commit_info.id",
        "commit_info.branch",
        "commit_info.dirty",
        "datetime",
    ] {
        assert_eq!(tag(k), None, "{k}");
    }
    assert!(
        tag("machine_info.cpu.flags")
            .unwrap()
            .starts_with("[\"3dnowext\",")
    );
}

// ---------------------------------------------------------------------------------------------
// suite-saved.json: the same run stored by --benchmark-save without --benchmark-save-data

#[test]
fn without_raw_data_the_mean_is_one_sample_of_rounds_times_iterations() {
    let saved = parsed("suite-saved.json");
    let json = parsed("suite.json");
    assert_eq!(saved.benchmarks.len(), 21);
    for (s, j) in saved.benchmarks.iter().zip(&json.benchmarks) {
        assert_eq!(s.name, j.name);
        assert_eq!(s.params, j.params);
        assert_eq!(label(s, "stats.data"), NO_DATA);
        assert!(!j.labels.contains_key("stats.data"));
        // The same run: pytest-benchmark's mean of the raw data is the saved sample.
        assert_eq!(label(s, "stats.mean"), label(j, "stats.mean"));
        let m = wall(s);
        assert_eq!(m.samples.len(), 1);
        let rounds = wall(j).samples.len() as u64;
        let per_round = wall(j).iterations.as_ref().unwrap()[0];
        assert_eq!(m.iterations.as_deref(), Some(&[rounds * per_round][..]));
        let mean_of_data = wall(j).summary.mean;
        assert!((m.samples[0] - mean_of_data).abs() <= 1e-9 * mean_of_data);
    }
    let plain = wall(bench(&saved, "test_suite.py::test_plain"));
    assert_eq!(plain.samples, [8.925666684768254e-06 * 1e9]);
    assert_eq!(plain.iterations.as_deref(), Some(&[18u64][..]));
    let nested = wall(bench(&saved, "sub/test_nested.py::TestNested::test_method"));
    assert_eq!(nested.samples, [2.4368717929927444e-07 * 1e9]);
    assert_eq!(nested.iterations.as_deref(), Some(&[39u64 * 20][..]));
    assert_eq!(saved.context.commit, json.context.commit);
}

// ---------------------------------------------------------------------------------------------
// Other runs

#[test]
fn duplicated_node_ids_are_repeats_pooled_into_one_benchmark() {
    let p = parsed("duplicates.json");
    let names: Vec<&str> = p.benchmarks.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "test_suite.py::test_plain",
            "test_suite.py::test_params[list-small]",
            "test_suite.py::test_params[tuple-small]",
        ]
    );
    let plain = bench(&p, "test_suite.py::test_plain");
    let m = wall(plain);
    assert_eq!(m.samples.len(), 19 + 21);
    assert_eq!(m.samples[0], 9.346999831905123e-06 * 1e9);
    assert_eq!(m.samples[19], 8.916000069802976e-06 * 1e9);
    assert_eq!(m.iterations.as_deref(), Some(&[1u64; 40][..]));
    assert_eq!(label(plain, "repeats"), "2");
    assert_eq!(label(plain, "stats.rounds"), "19");
    assert_eq!(label(plain, "stats.rounds#2"), "21");
    assert_eq!(label(plain, "stats.mean"), "8.745210523461297e-06");
    assert_eq!(label(plain, "stats.mean#2"), "9.285047640549324e-06");
    // Labels both runs share are not repeated.
    assert!(!plain.labels.contains_key("options.timer#2"));
    assert!(!plain.labels.contains_key("name#2"));
    let list = bench(&p, "test_suite.py::test_params[list-small]");
    assert_eq!(wall(list).samples.len(), 22);
    assert_eq!(wall(list).iterations.as_deref(), Some(&[100u64; 22][..]));
    assert_eq!(list.params["kind"], "list");
}

#[test]
fn cprofile_results_are_kept_as_a_label() {
    let p = parsed("cprofile.json");
    let plain = bench(&p, "test_suite.py::test_plain");
    let cprofile: Value = serde_json::from_str(label(plain, "cprofile")).unwrap();
    let rows = cprofile.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["function_name"], "benchsuite/test_suite.py:11(fib)");
    assert_eq!(rows[0]["ncalls"], 177);
    assert_eq!(rows[0]["ncalls_recursion"], "177/1");
    assert!(
        label(plain, "cprofile").contains("\"tottime\":5.1326e-05"),
        "{}",
        label(plain, "cprofile")
    );
    assert_eq!(wall(plain).samples[0], 9.217000069838832e-06 * 1e9);
    assert!(
        bench(&p, "test_suite.py::test_sleep")
            .labels
            .contains_key("cprofile")
    );
}

#[test]
fn a_dirty_tree_on_another_branch_with_saved_data() {
    let p = parsed("dirty-saved-data.json");
    assert_eq!(
        p.context.commit.as_deref(),
        Some("04c9af40113b0369031b8eeb75cab2c337f01a0f")
    );
    assert_eq!(p.context.branch.as_deref(), Some("feature/dirty"));
    assert_eq!(p.context.dirty, Some(true));
    let plain = bench(&p, "test_suite.py::test_plain");
    assert_eq!(wall(plain).samples.len(), 18);
    assert_eq!(wall(plain).samples[0], 9.288000001106411e-06 * 1e9);
    assert!(!plain.labels.contains_key("stats.data"));
    let pedantic = wall(bench(&p, "test_suite.py::test_pedantic"));
    assert_eq!(pedantic.samples[0], 2.2238333334219835e-05 * 1e9);
    assert_eq!(pedantic.iterations.as_deref(), Some(&[3u64; 4][..]));
}

#[test]
fn outside_git_the_placeholders_are_tags_not_commit_facts() {
    let c = parsed("nogit.json").context;
    assert_eq!(c.commit, None);
    assert_eq!(c.branch, None);
    assert_eq!(c.dirty, None);
    assert_eq!(c.tags["commit_info.id"], "unversioned");
    assert_eq!(c.tags["commit_info.branch"], "(unknown)");
    assert_eq!(c.tags["commit_info.dirty"], "false");
    assert_eq!(c.tags["commit_info.project"], "benchsuite");
    // time and author_time are null: nothing to keep.
    assert!(!c.tags.contains_key("commit_info.time"));
    assert_eq!(c.hostname.as_deref(), Some("vm"));
}

#[test]
fn a_repository_without_commits_keeps_the_error() {
    let p = parsed("nocommit.json");
    let c = &p.context;
    assert_eq!(c.commit, None);
    assert_eq!(c.branch, None);
    assert_eq!(c.tags["commit_info.id"], "unknown");
    assert_eq!(
        c.tags["commit_info.error"],
        "CalledProcessError(128, \"fatal: bad revision 'HEAD'\\n\")"
    );
    let plain = wall(bench(&p, "test_suite.py::test_plain"));
    assert_eq!(plain.samples.len(), 18);
    assert_eq!(plain.samples[0], 8.946999969339231e-06 * 1e9);
}

#[test]
fn pytest_benchmark_3_writes_a_naive_utc_datetime() {
    let p = parsed("v3.json");
    let c = &p.context;
    assert_eq!(
        c.ended_at,
        Some(time::macros::datetime!(2026-12-01 07:20:35.697487 UTC))
    );
    assert_eq!(c.tags["datetime"], "2026-12-01T07:20:35.697487");
    assert_eq!(c.tags["pytest_benchmark.version"], "3.4.1");
    assert_eq!(c.tags["machine_info.cpu.cpuinfo_version_string"], "9.0.0");
    assert_eq!(c.cpu_model.as_deref(), Some("AMD EPYC"));
    assert_eq!(c.logical_cores, Some(2));
    assert_eq!(
        c.commit.as_deref(),
        Some("04c9af40113b0369031b8eeb75cab2c337f01a0f")
    );
    let names: Vec<&str> = p.benchmarks.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "test_suite.py::test_plain",
            "test_suite.py::test_params[list-small]",
            "test_suite.py::test_params[tuple-small]",
            "test_suite.py::test_extra_info",
            "test_suite.py::test_pedantic",
            "test_suite.py::test_pedantic_setup",
        ]
    );
    let extra = bench(&p, "test_suite.py::test_extra_info");
    assert_eq!(label(extra, "extra_info.label"), "hello world");
    // 3.x has no precision/confidence options.
    assert!(!extra.labels.contains_key("options.precision"));
    assert_eq!(wall(extra).samples[0], 2.7232000002186395e-05 * 1e9);
    let pedantic = wall(bench(&p, "test_suite.py::test_pedantic"));
    assert_eq!(pedantic.samples[0], 2.285933336073261e-05 * 1e9);
    assert_eq!(pedantic.iterations.as_deref(), Some(&[3u64; 4][..]));
}

#[test]
fn bare_nan_and_infinity_are_read_and_non_finite_times_left_out() {
    let p = parsed("nonfinite.json");
    let info = bench(&p, "test_nonfinite.py::test_nonfinite_info[nan]");
    assert_eq!(info.params["x"], "NaN");
    assert_eq!(label(info, "param"), "nan");
    assert_eq!(label(info, "extra_info.nan"), "NaN");
    assert_eq!(label(info, "extra_info.inf"), "Infinity");
    assert_eq!(label(info, "extra_info.minus_inf"), "-Infinity");
    assert_eq!(
        label(info, "extra_info.text"),
        "NaN and Infinity inside a string stay text"
    );
    let m = wall(info);
    assert_eq!(m.samples.len(), 30);
    assert_eq!(m.samples[0], 6.68299981043674e-08 * 1e9);
    assert_eq!(info.status, Status::Ok);

    // One round timed as NaN: no sample, so no metric, and the benchmark says why.
    let nan = bench(&p, "test_nonfinite.py::test_nan_time");
    assert!(nan.metrics.is_empty());
    assert_eq!(
        nan.status,
        Status::Failed {
            message: "pytest-benchmark reported no finite time: 1 of 1 values were NaN or \
                      infinite and are left out"
                .into()
        }
    );
    assert_eq!(
        label(nan, "nan.wall_time"),
        "1 of 1 values were NaN or infinite and are left out"
    );
    assert_eq!(label(nan, "stats.mean"), "NaN");
    assert_eq!(label(nan, "stats.stddev"), "0");
    assert_eq!(label(nan, "options.timer"), "<lambda>");

    let inf = bench(&p, "test_nonfinite.py::test_infinite_time");
    assert!(inf.metrics.is_empty());
    assert!(matches!(inf.status, Status::Failed { .. }));
    assert_eq!(label(inf, "stats.mean"), "Infinity");
    assert_eq!(label(inf, "stats.iqr"), "NaN");
    assert_eq!(label(inf, "stats.ops"), "0.0");
}

#[test]
fn fixtures_pool_across_files() {
    let merged = merge(vec![
        ("suite.json".into(), parsed("suite.json")),
        ("dirty.json".into(), parsed("dirty-saved-data.json")),
    ])
    .unwrap();
    let plain = wall(bench(&merged, "test_suite.py::test_plain"));
    assert_eq!(plain.samples.len(), 18 + 18);
    assert_eq!(plain.samples[18], 9.288000001106411e-06 * 1e9);
    assert_eq!(plain.iterations.as_deref(), Some(&[1u64; 36][..]));
}

// ---------------------------------------------------------------------------------------------
// Hand-written edge cases: shapes real files of other versions have

/// The shape pytest-benchmark 2.5 stored: "benchmarks" first, no params/param/extra_info, no ops
/// or total, no cpu in machine_info, a naive datetime, commit_info with only id and dirty.
#[test]
fn the_oldest_shape_parses() {
    let input = br#"{
    "benchmarks": [
        {
            "name": "test_xfast_parametrized[0]",
            "group": null,
            "stats": {"rounds": 9710, "iterations": 431, "mean": 2.61205074138546e-07,
                      "outliers": "160;1726", "min": 2.1795109087242604e-07},
            "options": {"min_time": 2.5e-05, "timer": "time"},
            "fullname": "tests/test_normal.py::test_xfast_parametrized[0]"
        }
    ],
    "datetime": "2015-08-15T00:04:18.687119",
    "machine_info": {"processor": "x86_64", "system": "Linux", "release": "3.13.0-55-generic",
                     "node": "minibox", "machine": "x86_64", "python_version": "2.7.3"},
    "commit_info": {"id": "5b78858eb718649a31fb93d8dc96ca2cee41a4cd", "dirty": true},
    "version": "2.5.0"
}"#;
    assert_eq!(detect(input), Some(Format::PytestBenchmark));
    let p = parse(Format::PytestBenchmark, input).unwrap();
    let b = &p.benchmarks[0];
    assert_eq!(b.name, "tests/test_normal.py::test_xfast_parametrized[0]");
    assert!(b.params.is_empty());
    let m = wall(b);
    assert_eq!(m.samples, [2.61205074138546e-07 * 1e9]);
    assert_eq!(m.iterations.as_deref(), Some(&[9710u64 * 431][..]));
    assert_eq!(label(b, "stats.data"), NO_DATA);
    assert_eq!(label(b, "stats.min"), "2.1795109087242604e-07");
    assert_eq!(label(b, "options.min_time"), "2.5e-05");
    assert!(!b.labels.contains_key("group"));
    let c = &p.context;
    assert_eq!(
        c.ended_at,
        Some(time::macros::datetime!(2015-08-15 00:04:18.687119 UTC))
    );
    assert_eq!(c.dirty, Some(true));
    assert_eq!(c.branch, None);
    assert_eq!(c.hostname.as_deref(), Some("minibox"));
    // "processor" is only the architecture here: no CPU model.
    assert_eq!(c.cpu_model, None);
    assert_eq!(c.tags["machine_info.processor"], "x86_64");
    assert_eq!(c.tags["pytest_benchmark.version"], "2.5.0");
}

#[test]
fn param_without_params_becomes_the_param_parameter() {
    let input = br#"{"machine_info": {"machine": "AMD64", "processor": "Intel64 Family 6 Model 158 Stepping 10, GenuineIntel"},
        "benchmarks": [{"fullname": "t.py::test_x[a-1]", "name": "test_x[a-1]", "params": null,
                        "param": "a-1", "stats": {"data": [1e-06, 2e-06], "iterations": 2}}],
        "custom": {"set by": "a pytest_benchmark_update_json hook"}}"#;
    let p = parse(Format::PytestBenchmark, input).unwrap();
    let b = &p.benchmarks[0];
    assert_eq!(b.params.len(), 1);
    assert_eq!(b.params["param"], "a-1");
    assert_eq!(wall(b).samples, [1000.0, 2000.0]);
    assert_eq!(wall(b).iterations.as_deref(), Some(&[2u64, 2][..]));
    // Windows spellings: the architecture in uname's spelling, the processor as CPU model.
    assert_eq!(p.context.arch.as_deref(), Some("x86_64"));
    assert_eq!(p.context.tags["machine_info.machine"], "AMD64");
    assert_eq!(
        p.context.cpu_model.as_deref(),
        Some("Intel64 Family 6 Model 158 Stepping 10, GenuineIntel")
    );
    assert_eq!(
        p.context.tags["custom"],
        "{\"set by\":\"a pytest_benchmark_update_json hook\"}"
    );
}

#[test]
fn some_non_finite_times_are_left_out_and_counted() {
    let input = br#"{"benchmarks": [{"fullname": "t.py::test_x", "machine_info": 1,
        "stats": {"data": [1e-06, NaN, 3e-06, Infinity], "iterations": 1}}],
        "commit_info": {"id": "abc"}}"#;
    let p = parse(Format::PytestBenchmark, input).unwrap();
    let b = &p.benchmarks[0];
    assert_eq!(b.status, Status::Ok);
    assert_eq!(wall(b).samples, [1000.0, 3000.0]);
    assert_eq!(
        label(b, "nan.wall_time"),
        "2 of 4 values were NaN or infinite and are left out"
    );
    // An unknown key of a benchmark is a label.
    assert_eq!(label(b, "machine_info"), "1");
}

#[test]
fn the_same_node_id_with_other_params_is_an_error() {
    let input = br#"{"machine_info": {}, "benchmarks": [
        {"fullname": "t.py::test_x", "params": {"n": 1}, "stats": {"mean": 1.0}},
        {"fullname": "t.py::test_y", "stats": {"mean": 1.0}},
        {"fullname": "t.py::test_x", "params": {"n": 2}, "stats": {"mean": 1.0}}]}"#;
    assert_eq!(
        error(input),
        "$.benchmarks[2]: a second benchmark named \"t.py::test_x\" (the first is \
         $.benchmarks[0]) has other params or another group; expected each pytest node id \
         once, or repeats of the same test"
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input

const EXPECTED: &str =
    "pytest-benchmark JSON: {\"machine_info\": …, \"benchmarks\": [{\"stats\": …}]}";

#[test]
fn empty_and_whitespace_inputs_are_errors() {
    for input in [&b""[..], b"   \n\t  \n"] {
        assert_eq!(
            error(input),
            format!("the input is empty; expected {EXPECTED}")
        );
        assert_eq!(
            pytest_benchmark::parse(input).unwrap_err().to_string(),
            format!("the input is empty; expected {EXPECTED}")
        );
    }
}

#[test]
fn non_json_inputs_say_what_they_start_with() {
    assert_eq!(
        error(b"\x00\x9f\x92\x96\xff garbage"),
        format!(
            "expected {EXPECTED}, found \"\\0\u{fffd}\u{fffd}\u{fffd}\u{fffd} garbage\" at the start"
        )
    );
    // (The caller adds which format the input looks like, once the go adapter recognises it.)
    assert!(
        error(b"goos: linux\nBenchmarkX-8  100  12 ns/op\n").starts_with(&format!(
            "expected {EXPECTED}, found \"goos: linux\" at the start"
        ))
    );
    assert_eq!(
        error(b"[1, 2]"),
        format!("expected {EXPECTED}, found \"[1, 2]\" at the start")
    );
}

#[test]
fn other_json_formats_are_refused_with_the_expected_shape() {
    assert_eq!(
        error(br#"{"results": [{"command": "sleep 0.1", "times": [0.1, 0.2]}]}"#),
        format!(
            "$: no \"benchmarks\" array; expected {EXPECTED} (line 1, column 60); the input looks \
             like hyperfine output (try --adapter hyperfine or --adapter auto)"
        )
    );
    let gbench = br#"{
  "context": {"date": "2024-01-01T00:00:00+00:00", "num_cpus": 2},
  "benchmarks": [
    {"name": "BM_x", "run_name": "BM_x", "iterations": 10, "real_time": 1.5, "time_unit": "ns"}
  ]
}"#;
    let err = parse(Format::PytestBenchmark, gbench).unwrap_err();
    assert_eq!(
        err.location,
        Location::Json {
            path: "$.benchmarks[0]".into(),
            line: 4,
            column: 95
        }
    );
    assert!(
        err.message
            .starts_with("expected a \"stats\" object in each benchmark"),
        "{}",
        err.message
    );
}

#[test]
fn wrong_types_name_the_json_path() {
    let cases: [(&[u8], &str); 9] = [
        (
            br#"{"benchmarks": [{"fullname": "x", "stats": {"data": [1e-6, "x"]}}]}"#,
            "$.benchmarks[0].stats.data[1]: invalid type: string \"x\", expected a number of \
             seconds (line 1, column 62)",
        ),
        (
            br#"{"benchmarks": [{"fullname": "x", "stats": {"data": [1e-6], "iterations": 0}}]}"#,
            "$.benchmarks[0].stats.iterations: invalid value: integer `0`, expected a positive \
             number of iterations per round (line 1, column 76)",
        ),
        (
            br#"{"benchmarks": [{"fullname": "x", "stats": {"mean": 1e-6, "iterations": 2.5}}]}"#,
            "$.benchmarks[0].stats.iterations: invalid type: floating point `2.5`, expected u64 \
             (line 1, column 75)",
        ),
        (
            br#"{"benchmarks": [{"fullname": 7, "stats": {"mean": 1.0}}]}"#,
            "$.benchmarks[0].fullname: invalid type: integer `7`, expected a string (line 1, \
             column 30)",
        ),
        (
            br#"{"benchmarks": [{"fullname": "x"}]}"#,
            "$.benchmarks[0]: expected a \"stats\" object in each benchmark (line 1, column 33)",
        ),
        (
            br#"{"benchmarks": [{"fullname": "x", "stats": {"rounds": 3}}]}"#,
            "$.benchmarks[0].stats: expected \"data\" (the per-round times) or \"mean\" in \
             \"stats\" (line 1, column 56)",
        ),
        (
            br#"{"benchmarks": {"fullname": "x"}}"#,
            "$.benchmarks: invalid type: map, expected a sequence (line 1, column 15)",
        ),
        (
            br#"{"machine_info": {}, "benchmarks": []}"#,
            "$: \"benchmarks\" is empty: the file holds no results (pytest-benchmark leaves out \
             benchmarks whose function raised); expected at least one benchmark (line 1, \
             column 38)",
        ),
        (
            br#"{"machine_info": [], "benchmarks": []}"#,
            "$.machine_info: invalid type: sequence, expected a map (line 1, column 17)",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(error(input), want, "{}", String::from_utf8_lossy(input));
    }
}

#[test]
fn truncated_fixtures_give_json_errors() {
    let bytes = fixture("suite.json");
    let text = String::from_utf8_lossy(&bytes);
    // Mid-number inside the first benchmark's data.
    let at = text.find("\"data\": [").unwrap() + "\"data\": [\n                    2.6".len();
    let err = parse(Format::PytestBenchmark, &bytes[..at]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "$.benchmarks[0].stats.data: EOF while parsing a list (line {}, column 23)",
            text[..at].lines().count()
        )
    );
    // Mid-key: the object the key belongs to is named.
    let at = text.find("\"commit_info\"").unwrap() + 5;
    let err = parse(Format::PytestBenchmark, &bytes[..at]).unwrap_err();
    assert!(
        err.to_string().starts_with("$: EOF while parsing a string"),
        "{err}"
    );
    // Just the closing brace missing.
    let end = bytes.iter().rposition(|&b| b == b'}').unwrap();
    let err = parse(Format::PytestBenchmark, &bytes[..end]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("$: EOF while parsing an object"),
        "{err}"
    );
    // Trailing garbage after the document.
    let mut extra = bytes.clone();
    extra.extend_from_slice(b"\n{}");
    assert!(
        error(&extra).starts_with("$: trailing characters"),
        "{}",
        error(&extra)
    );
}

#[test]
fn errors_after_a_bare_nan_keep_their_original_column() {
    // The NaN is rewritten to a longer marker before the second read; the column must not move.
    let input = br#"{"benchmarks": [{"fullname": "x", "extra_info": {"a": NaN}, "stats": {"data": [1e-6, "x"]}}]}"#;
    let col = input.iter().rposition(|&b| b == b'x').unwrap() + 2;
    assert_eq!(
        error(input),
        format!(
            "$.benchmarks[0].stats.data[1]: invalid type: string \"x\", expected a number of \
             seconds (line 1, column {col})"
        )
    );
    // A NaN that is not a value at all is still a syntax error.
    assert!(error(br#"{"benchmarks": NaNa}"#).starts_with("$.benchmarks: "));
}

#[test]
fn no_truncation_of_any_fixture_panics() {
    for name in FIXTURES {
        let bytes = fixture(name);
        // Every offset of the first and last 200 bytes, and 600 spread over the rest.
        let step = (bytes.len() / 600).max(1);
        let dense = (0..200).chain(bytes.len().saturating_sub(200)..bytes.len());
        for end in (0..bytes.len()).step_by(step).chain(dense) {
            let _ = parse(Format::PytestBenchmark, &bytes[..end]);
            let _ = pytest_benchmark::sniff(&bytes[..end]);
        }
    }
}

#[test]
fn mangled_inputs_do_not_panic() {
    let bytes = fixture("nonfinite.json");
    // Flip bytes all over the file (deterministically) and parse each mangled copy.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..300 {
        let mut copy = bytes.clone();
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let i = (seed % copy.len() as u64) as usize;
            copy[i] = (seed >> 32) as u8;
        }
        let _ = parse(Format::PytestBenchmark, &copy);
    }
    // Deep nesting stays within serde_json's recursion limit.
    let mut deep = b"{\"benchmarks\": [{\"fullname\": \"x\", \"stats\": {\"mean\": 1}, \"extra_info\": {\"a\": "
        .to_vec();
    deep.extend(std::iter::repeat_n(b'[', 100_000));
    assert!(
        error(&deep).contains("recursion limit exceeded"),
        "{}",
        error(&deep)
    );
}

#[test]
fn a_large_file_parses() {
    // 2,000 benchmarks of 500 rounds each (about 20 MB), in the layout pytest-benchmark writes.
    let mut s = String::from("{\"machine_info\": {\"node\": \"n\"}, \"benchmarks\": [");
    for i in 0..2000 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"group\": null, \"name\": \"test_{i}\", \"fullname\": \"t.py::test_{i}\", \
             \"params\": {{\"i\": {i}}}, \"param\": \"{i}\", \"extra_info\": {{}}, \
             \"options\": {{\"timer\": \"perf_counter\"}}, \"stats\": {{\"mean\": 1e-06, \
             \"rounds\": 500, \"iterations\": 10, \"data\": ["
        ));
        for r in 0..500 {
            if r > 0 {
                s.push_str(",\n");
            }
            s.push_str(&format!("{}e-07", 10000 + r));
        }
        s.push_str("]}}");
    }
    s.push_str("]}");
    let p = parse(Format::PytestBenchmark, s.as_bytes()).unwrap();
    assert_eq!(p.benchmarks.len(), 2000);
    assert_eq!(p.benchmarks[1999].name, "t.py::test_1999");
    assert_eq!(p.benchmarks[1999].params["i"], "1999");
    let m = wall(&p.benchmarks[1999]);
    assert_eq!(m.samples.len(), 500);
    assert_eq!(m.samples[499], 10499e-07 * 1e9);
}
