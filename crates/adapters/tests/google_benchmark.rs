//! The Google Benchmark adapter against real outputs of Google Benchmark 1.7.1 (see
//! tests/fixtures/google-benchmark/regenerate.sh): exact names, params, labels, units, samples.

mod common;

use common::{bench, metric, names};

use benchgate_adapters::{Format, Location, Parsed, detect, google_benchmark, parse};
use benchgate_model::{Benchmark, Direction, Measure, Source, Status, Unit};
use time::macros::datetime;

const REPETITIONS: &[u8] = include_bytes!("fixtures/google-benchmark/repetitions.json");
const AGGREGATES_ONLY: &[u8] = include_bytes!("fixtures/google-benchmark/aggregates_only.json");
const SINGLE: &[u8] = include_bytes!("fixtures/google-benchmark/single.json");
const MEMORY: &[u8] = include_bytes!("fixtures/google-benchmark/memory.json");
const HYPERFINE: &[u8] = include_bytes!("fixtures/google-benchmark/foreign/hyperfine.json");
const PYTEST: &[u8] = include_bytes!("fixtures/google-benchmark/foreign/pytest-benchmark.json");

const FIXTURES: [(&str, &[u8]); 4] = [
    ("repetitions.json", REPETITIONS),
    ("aggregates_only.json", AGGREGATES_ONLY),
    ("single.json", SINGLE),
    ("memory.json", MEMORY),
];

fn parsed(bytes: &[u8]) -> Parsed {
    parse(Format::GoogleBenchmark, bytes).expect("fixture parses")
}

fn measures(b: &Benchmark) -> Vec<String> {
    b.metrics.iter().map(|m| m.measure.to_string()).collect()
}

fn params(b: &Benchmark) -> Vec<(&str, &str)> {
    b.params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn label<'a>(b: &'a Benchmark, key: &str) -> &'a str {
    b.labels
        .get(key)
        .unwrap_or_else(|| panic!("{} has no label {key}: {:?}", b.name, b.labels))
}

fn error(bytes: &[u8]) -> String {
    google_benchmark::parse(bytes)
        .expect_err("input is refused")
        .to_string()
}

const NAMES: [&str; 26] = [
    "BM_Positional/8",
    "BM_Positional/16",
    "BM_Positional/64",
    "BM_TwoArgs/8/64",
    "BM_Named/size:8/n:64",
    "BM_HalfNamed/size:4/2",
    "BM_Threads/threads:1",
    "BM_Threads/threads:2",
    "BM_Sleep/50/real_time",
    "BM_SleepMs/1000/iterations:3",
    "BM_SleepS/2000/iterations:2",
    "BM_Combined/4/min_time:0.020/real_time/threads:2",
    "BM_Copy/4096",
    "BM_Counters",
    "BM_Error",
    "BM_Complexity/16",
    "BM_Complexity/64",
    "BM_Complexity/256",
    "BM_Complexity_BigO",
    "BM_Complexity_RMS",
    "BM_UserStat/2",
    "BM_Template<int>",
    "BM_Capture/short_string",
    "BM_Process/1/process_time",
    "BM_Manual/manual_time",
    "BM_Repeats/3/repeats:2",
];

// --- detection --------------------------------------------------------------------------------

#[test]
fn every_fixture_is_detected_as_google_benchmark() {
    for (file, bytes) in FIXTURES {
        assert_eq!(detect(bytes), Some(Format::GoogleBenchmark), "{file}");
        // The first 200 bytes are enough (sniffing sees at most 64 KiB, maybe cut anywhere).
        assert!(google_benchmark::sniff(&bytes[..200]), "{file}");
    }
}

#[test]
fn other_formats_are_not_claimed() {
    for other in [
        HYPERFINE,
        PYTEST,
        b"goos: linux\nBenchmarkX-8  100  12 ns/op\n".as_slice(),
        br#"{"schema": "benchgate/run/v1", "context": {}, "benchmarks": []}"#,
        br#"{"context": "x", "benchmarks": []}"#,
        b"[]",
        b"",
    ] {
        assert!(!google_benchmark::sniff(other));
        assert_ne!(detect(other), Some(Format::GoogleBenchmark));
    }
    // Keys must be keys, not words inside a value.
    assert!(!google_benchmark::sniff(
        br#"{"note": "context host_name", "benchmarks": []}"#
    ));
    assert!(google_benchmark::sniff(
        b"\n {\"context\" :{\"num_cpus\": 4"
    ));
}

// --- repetitions ------------------------------------------------------------------------------

#[test]
fn repetitions_are_samples_of_one_metric() {
    let p = parsed(REPETITIONS);
    let mut expected = NAMES.to_vec();
    expected.extend(["BM_Dup/5", "BM_Dup/5#2"]);
    assert_eq!(names(&p), expected);

    let b = bench(&p, "BM_Positional/8");
    assert_eq!(b.status, Status::Ok);
    assert_eq!(params(b), [("arg0", "8"), ("threads", "1")]);
    assert_eq!(measures(b), ["wall_time", "cpu_time"]);
    let wall = metric(b, "wall_time");
    assert_eq!(wall.unit, Unit::Nanoseconds);
    assert_eq!(wall.direction, Direction::LowerIsBetter);
    assert_eq!(
        wall.samples,
        [4.062397428014329, 3.4904938370975884, 3.4888769059182723]
    );
    assert_eq!(
        wall.iterations.as_deref(),
        Some(&[3922245, 3922245, 3922245][..])
    );
    let cpu = metric(b, "cpu_time");
    assert_eq!(cpu.measure, Measure::Custom("cpu_time".into()));
    assert_eq!(cpu.unit, Unit::Nanoseconds);
    assert_eq!(
        cpu.samples,
        [3.503709992619023, 3.490473440593334, 3.488889398800942]
    );
    assert_eq!(wall.summary.n, 3);

    // The aggregates the library derived are labels, verbatim in the source's unit.
    assert_eq!(
        label(b, "aggregate.mean.real_time"),
        "3.6805893903433966 ns"
    );
    assert_eq!(label(b, "aggregate.mean.iterations"), "3");
    assert_eq!(
        label(b, "aggregate.median.cpu_time"),
        "3.4904734405933344 ns"
    );
    assert_eq!(label(b, "aggregate.cv.real_time"), "0.08983790727192598");
    assert_eq!(label(b, "aggregate.cv.unit"), "percentage");
    assert_eq!(label(b, "family"), "BM_Positional");
    assert_eq!(label(b, "family_index"), "0");
    assert_eq!(label(b, "per_family_instance_index"), "0");
    assert_eq!(label(b, "repetitions"), "3");
    assert_eq!(label(b, "time_unit"), "ns");
    assert_eq!(b.labels.len(), 18, "{:?}", b.labels);
    assert_eq!(
        bench(&p, "BM_Positional/64").labels["per_family_instance_index"],
        "2"
    );
}

#[test]
fn names_give_positional_named_and_option_params() {
    let p = parsed(REPETITIONS);
    let cases: [(&str, &[(&str, &str)]); 12] = [
        (
            "BM_TwoArgs/8/64",
            &[("arg0", "8"), ("arg1", "64"), ("threads", "1")],
        ),
        (
            "BM_Named/size:8/n:64",
            &[("n", "64"), ("size", "8"), ("threads", "1")],
        ),
        (
            "BM_HalfNamed/size:4/2",
            &[("arg1", "2"), ("size", "4"), ("threads", "1")],
        ),
        ("BM_Threads/threads:2", &[("threads", "2")]),
        (
            "BM_Sleep/50/real_time",
            &[("arg0", "50"), ("real_time", "true"), ("threads", "1")],
        ),
        (
            "BM_SleepMs/1000/iterations:3",
            &[("arg0", "1000"), ("iterations", "3"), ("threads", "1")],
        ),
        (
            "BM_Combined/4/min_time:0.020/real_time/threads:2",
            &[
                ("arg0", "4"),
                ("min_time", "0.020"),
                ("real_time", "true"),
                ("threads", "2"),
            ],
        ),
        (
            "BM_Process/1/process_time",
            &[("arg0", "1"), ("process_time", "true"), ("threads", "1")],
        ),
        (
            "BM_Manual/manual_time",
            &[("manual_time", "true"), ("threads", "1")],
        ),
        (
            "BM_Repeats/3/repeats:2",
            &[("arg0", "3"), ("repeats", "2"), ("threads", "1")],
        ),
        ("BM_Template<int>", &[("threads", "1")]),
        ("BM_Capture/short_string", &[("threads", "1")]),
    ];
    for (name, expected) in cases {
        assert_eq!(params(bench(&p, name)), expected, "{name}");
    }
    assert_eq!(
        label(bench(&p, "BM_Capture/short_string"), "family"),
        "BM_Capture/short_string"
    );
    assert_eq!(
        label(
            bench(&p, "BM_Combined/4/min_time:0.020/real_time/threads:2"),
            "family"
        ),
        "BM_Combined"
    );
    // Per-benchmark repetitions: two samples where the others have three.
    let repeats = bench(&p, "BM_Repeats/3/repeats:2");
    assert_eq!(metric(repeats, "wall_time").samples.len(), 2);
    assert_eq!(label(repeats, "repetitions"), "2");
    assert_eq!(label(repeats, "aggregate.mean.iterations"), "2");
}

#[test]
fn times_are_converted_to_nanoseconds() {
    let p = parsed(REPETITIONS);
    let sleep = bench(&p, "BM_Sleep/50/real_time");
    assert_eq!(label(sleep, "time_unit"), "us");
    assert_eq!(
        metric(sleep, "wall_time").samples,
        [
            110.61014516056481 * 1e3,
            109.60625000081798 * 1e3,
            110.18815322652318 * 1e3
        ]
    );
    assert_eq!(metric(sleep, "wall_time").samples[0], 110610.14516056482);
    assert_eq!(
        metric(sleep, "cpu_time").samples[0],
        9.389000000000328 * 1e3
    );
    assert_eq!(
        metric(sleep, "wall_time").iterations.as_deref(),
        Some(&[124, 124, 124][..])
    );
    // Labels keep the source's unit.
    assert_eq!(
        label(sleep, "aggregate.mean.real_time"),
        "110.1348494626353 us"
    );

    let ms = bench(&p, "BM_SleepMs/1000/iterations:3");
    assert_eq!(label(ms, "time_unit"), "ms");
    assert_eq!(metric(ms, "wall_time").samples[0], 1.063270333285497 * 1e6);
    assert_eq!(metric(ms, "cpu_time").samples[0], 0.01166433333334623 * 1e6);
    assert_eq!(
        metric(ms, "wall_time").iterations.as_deref(),
        Some(&[3, 3, 3][..])
    );

    let s = bench(&p, "BM_SleepS/2000/iterations:2");
    assert_eq!(label(s, "time_unit"), "s");
    assert_eq!(
        metric(s, "wall_time").samples[0],
        0.0020664049999368217 * 1e9
    );
    assert_eq!(
        metric(s, "cpu_time").samples[0],
        1.3215000000010857e-05 * 1e9
    );
    assert_eq!(
        label(s, "aggregate.stddev.cpu_time"),
        "6.760473972540603e-7 s"
    );

    let manual = bench(&p, "BM_Manual/manual_time");
    assert_eq!(metric(manual, "wall_time").samples, [125000.0000000001; 3]);
}

#[test]
fn bytes_items_and_the_user_label() {
    let p = parsed(REPETITIONS);
    let b = bench(&p, "BM_Copy/4096");
    assert_eq!(
        measures(b),
        ["wall_time", "cpu_time", "bytes_per_second", "throughput"]
    );
    let bytes = metric(b, "bytes_per_second");
    assert_eq!(bytes.unit, Unit::BytesPerSecond);
    assert_eq!(bytes.direction, Direction::HigherIsBetter);
    assert_eq!(
        bytes.samples,
        [61556705348.2375, 61744980019.62267, 2975425765.7739863]
    );
    assert_eq!(bytes.iterations.as_deref(), Some(&[210797; 3][..]));
    let items = metric(b, "throughput");
    assert_eq!(items.unit, Unit::PerSecond);
    assert_eq!(items.direction, Direction::HigherIsBetter);
    assert_eq!(items.samples[0], 15028492.516659547);
    assert_eq!(items.samples[2], 726422.3060971646);
    assert_eq!(label(b, "label"), r#"memcpy "quoted" \ label"#);
    assert_eq!(
        label(b, "aggregate.cv.bytes_per_second"),
        "0.8048109014835594"
    );
}

#[test]
fn counters_and_values_that_are_not_finite() {
    let p = parsed(REPETITIONS);
    let b = bench(&p, "BM_Counters");
    assert_eq!(b.status, Status::Ok);
    // NaN, Infinity and -Infinity counters have no metric, only a label saying so.
    assert_eq!(
        measures(b),
        [
            "wall_time",
            "cpu_time",
            "avg_iter",
            "inverted",
            "kib_rate",
            "plain",
            "rate"
        ]
    );
    assert_eq!(label(b, "nan.nan"), "3 of 3 values were NaN");
    assert_eq!(label(b, "inf.inf"), "3 of 3 values were Infinity");
    assert_eq!(label(b, "inf.neg_inf"), "3 of 3 values were -Infinity");
    assert!(!b.labels.contains_key("nan.plain"));
    let plain = metric(b, "plain");
    assert_eq!(plain.measure, Measure::Custom("plain".into()));
    assert_eq!(plain.unit, Unit::Count);
    assert_eq!(plain.direction, Direction::LowerIsBetter);
    assert_eq!(plain.samples, [42.0; 3]);
    assert_eq!(plain.iterations, None);
    assert_eq!(
        metric(b, "rate").samples,
        [71441.13486243121, 71449.1743083342, 71288.22528105743]
    );
    assert_eq!(metric(b, "kib_rate").samples[0], 73155.72209912956);
    assert_eq!(metric(b, "inverted").samples, [0.25; 3]);
    assert_eq!(metric(b, "avg_iter").samples, [1.0; 3]);
    assert_eq!(label(b, "aggregate.mean.nan"), "NaN");
    assert_eq!(label(b, "aggregate.mean.inf"), "Infinity");
    assert_eq!(label(b, "aggregate.mean.neg_inf"), "-Infinity");
    assert_eq!(label(b, "aggregate.cv.inf"), "NaN");
    assert_eq!(label(b, "aggregate.mean.plain"), "42");

    let threads = bench(&p, "BM_Threads/threads:2");
    assert_eq!(metric(threads, "summed").samples, [20.0; 3]);
    assert_eq!(metric(threads, "per_thread").samples, [10.0; 3]);
    assert_eq!(
        metric(threads, "wall_time").samples,
        [0.2624195034955082, 0.24554872251649001, 0.44527188405784535]
    );
}

#[test]
fn errors_complexity_user_statistics_and_duplicates() {
    let p = parsed(REPETITIONS);
    let failed = bench(&p, "BM_Error");
    assert_eq!(
        failed.status,
        Status::Failed {
            message: r#"could not open "input.txt""#.into()
        }
    );
    assert!(failed.metrics.is_empty());
    assert_eq!(label(failed, "repetitions"), "3");

    let big_o = bench(&p, "BM_Complexity_BigO");
    assert_eq!(big_o.status, Status::Ok);
    assert_eq!(measures(big_o), ["cpu_coefficient", "real_coefficient"]);
    assert_eq!(metric(big_o, "cpu_coefficient").unit, Unit::Nanoseconds);
    assert_eq!(
        metric(big_o, "cpu_coefficient").samples,
        [0.36781769329529396]
    );
    assert_eq!(
        metric(big_o, "real_coefficient").samples,
        [0.5106894822906903]
    );
    assert_eq!(metric(big_o, "real_coefficient").iterations, None);
    assert_eq!(label(big_o, "big_o"), "N");
    assert_eq!(label(big_o, "aggregate"), "BigO");
    assert_eq!(label(big_o, "family"), "BM_Complexity");
    assert_eq!(params(big_o), [("threads", "1")]);
    let rms = bench(&p, "BM_Complexity_RMS");
    assert_eq!(measures(rms), ["rms"]);
    assert_eq!(metric(rms, "rms").unit, Unit::Ratio);
    assert_eq!(metric(rms, "rms").direction, Direction::LowerIsBetter);
    assert_eq!(metric(rms, "rms").samples, [0.020111999521954905]);
    assert_eq!(label(rms, "aggregate_unit"), "percentage");

    let stat = bench(&p, "BM_UserStat/2");
    assert_eq!(
        label(stat, "aggregate.max.real_time"),
        "4.141793882192675 ns"
    );
    assert_eq!(metric(stat, "wall_time").samples.len(), 3);

    // The same name registered twice: two benchmarks, each with its own three repetitions.
    let first = bench(&p, "BM_Dup/5");
    let second = bench(&p, "BM_Dup/5#2");
    assert_eq!(
        metric(first, "wall_time").samples,
        [3.9935282650001707, 4.019747734695759, 4.397276201281006]
    );
    assert_eq!(
        metric(second, "wall_time").samples,
        [3.478129531385677, 3.573354120722609, 3.5355868023874777]
    );
    assert_eq!(label(first, "family_index"), "19");
    assert_eq!(label(second, "family_index"), "20");
    assert!(!first.labels.contains_key("duplicate"));
    assert_eq!(
        label(second, "duplicate"),
        "the 2nd benchmark named BM_Dup/5 in this file"
    );
    assert_eq!(params(second), [("arg0", "5"), ("threads", "1")]);
}

#[test]
fn the_context_maps_onto_the_run() {
    let p = parsed(REPETITIONS);
    let c = &p.context;
    assert_eq!(c.hostname.as_deref(), Some("vm"));
    assert_eq!(c.logical_cores, Some(2));
    assert_eq!(c.started_at, Some(datetime!(2026-12-01 07:16:05 UTC)));
    assert_eq!(c.source, Some(Source::Ingest("google-benchmark".into())));
    assert_eq!(c.commit, None);
    let tags: Vec<(&str, &str)> = c
        .tags
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        tags,
        [
            (
                "caches",
                "L1 Data 32768 B shared by 1, L1 Instruction 32768 B shared by 1, \
                 L2 Unified 524288 B shared by 1, L3 Unified 33554432 B shared by 2"
            ),
            ("cpu_scaling_enabled", "false"),
            ("executable", "./build/bench"),
            ("library_build_type", "debug"),
            ("load_avg", "1.55322, 1.50537, 0.927734"),
            ("mhz_per_cpu", "2445"),
        ]
    );
}

// --- aggregates only --------------------------------------------------------------------------

#[test]
fn with_aggregates_only_the_mean_is_one_sample() {
    let p = parsed(AGGREGATES_ONLY);
    let mut expected = NAMES.to_vec();
    expected.extend(["BM_Dup/5", "BM_Dup/5#2"]);
    assert_eq!(names(&p), expected);

    let b = bench(&p, "BM_Positional/8");
    let wall = metric(b, "wall_time");
    assert_eq!(wall.samples, [4.383402841798219]);
    assert_eq!(wall.iterations.as_deref(), Some(&[3][..]));
    assert_eq!(metric(b, "cpu_time").samples, [3.5114550536603635]);
    assert_eq!(
        label(b, "aggregates_only"),
        "only aggregates were reported: the samples are the mean of 3 repetitions"
    );
    assert_eq!(
        label(b, "aggregate.median.real_time"),
        "3.5462198513633143 ns"
    );
    assert!(b.labels.keys().all(|k| !k.starts_with("aggregate.mean.")));

    let copy = bench(&p, "BM_Copy/4096");
    assert_eq!(metric(copy, "wall_time").samples, [526.4237149171341]);
    assert_eq!(
        metric(copy, "bytes_per_second").samples,
        [42095216802.30454]
    );
    assert_eq!(metric(copy, "throughput").samples, [10277152.539625132]);
    assert_eq!(label(copy, "label"), r#"memcpy "quoted" \ label"#);

    let counters = bench(&p, "BM_Counters");
    assert_eq!(metric(counters, "wall_time").samples, [0.6299104736504283]);
    assert_eq!(metric(counters, "kib_rate").samples, [72901.05476322214]);
    // The mean of a counter is an average of the repetitions too.
    assert_eq!(
        metric(counters, "plain").iterations.as_deref(),
        Some(&[3][..])
    );
    assert_eq!(label(counters, "nan.nan"), "1 of 1 values were NaN");
    assert_eq!(
        label(counters, "inf.neg_inf"),
        "1 of 1 values were -Infinity"
    );

    // Errors still come as iteration rows, and the complexity rows are there.
    assert_eq!(
        bench(&p, "BM_Error").status,
        Status::Failed {
            message: r#"could not open "input.txt""#.into()
        }
    );
    assert_eq!(
        metric(bench(&p, "BM_Complexity_BigO"), "cpu_coefficient")
            .samples
            .len(),
        1
    );
    assert_eq!(label(bench(&p, "BM_Dup/5#2"), "family_index"), "20");
}

// --- a single run on stdout -------------------------------------------------------------------

#[test]
fn a_single_run_with_another_default_unit_and_context_keys() {
    let p = parsed(SINGLE);
    let mut expected = NAMES.to_vec();
    expected.extend(["BM_Dup/5", "BM_Dup/5#2"]);
    assert_eq!(names(&p), expected);

    let b = bench(&p, "BM_Positional/8");
    assert_eq!(label(b, "time_unit"), "us");
    assert_eq!(label(b, "repetitions"), "1");
    assert_eq!(metric(b, "wall_time").samples, [0.003506803122777664 * 1e3]);
    assert_eq!(metric(b, "wall_time").samples, [3.506803122777664]);
    assert_eq!(
        metric(b, "wall_time").iterations.as_deref(),
        Some(&[3911880][..])
    );
    assert!(b.labels.keys().all(|k| !k.starts_with("aggregate")));

    // Units set on the benchmark win over --benchmark_time_unit.
    let s = bench(&p, "BM_SleepS/2000/iterations:2");
    assert_eq!(
        metric(s, "wall_time").samples,
        [0.0020664594999288965 * 1e9]
    );

    let big_o = bench(&p, "BM_Complexity_BigO");
    assert_eq!(label(big_o, "time_unit"), "us");
    assert_eq!(
        metric(big_o, "cpu_coefficient").samples,
        [0.00036697550577406647 * 1e3]
    );

    // Repetitions(2) on the benchmark itself: iteration rows and aggregates even here.
    let repeats = bench(&p, "BM_Repeats/3/repeats:2");
    assert_eq!(
        metric(repeats, "wall_time").samples,
        [0.0023581606236765403 * 1e3, 0.002415140679627925 * 1e3]
    );
    assert_eq!(label(repeats, "aggregate.mean.iterations"), "2");

    let c = &p.context;
    assert_eq!(c.started_at, Some(datetime!(2026-12-01 07:16:09 UTC)));
    assert_eq!(c.tags["commit"], "0123abc");
    assert_eq!(c.tags["runner"], "fixture-script");
    // A context key is a tag, not a guess at the run's commit.
    assert_eq!(c.commit, None);
}

// --- the memory manager -----------------------------------------------------------------------

#[test]
fn memory_manager_results() {
    let p = parsed(MEMORY);
    assert_eq!(
        names(&p),
        ["BM_Positional/8", "BM_Copy/4096", "BM_Counters"]
    );
    let b = bench(&p, "BM_Positional/8");
    assert_eq!(
        measures(b),
        [
            "wall_time",
            "cpu_time",
            "allocs",
            "max_bytes_used",
            "total_allocated_bytes",
            "net_heap_growth"
        ]
    );
    assert_eq!(
        metric(b, "wall_time").samples,
        [3.503107601729779, 5.389868120978418]
    );
    let allocs = metric(b, "allocs");
    assert_eq!(allocs.unit, Unit::Count);
    assert_eq!(allocs.samples, [0.1875, 0.1875]);
    assert_eq!(allocs.iterations, None);
    // Google Benchmark 1.7.1 reports garbage for the first repetition; it is what the file says.
    let max = metric(b, "max_bytes_used");
    assert_eq!(max.unit, Unit::Bytes);
    assert_eq!(max.direction, Direction::LowerIsBetter);
    assert_eq!(max.samples, [-190306307222471005_i64 as f64, 440.0]);
    assert_eq!(
        metric(b, "total_allocated_bytes").samples,
        [3545521690223522872_u64 as f64, 440.0]
    );
    // Only the first row has net_heap_growth.
    assert_eq!(
        metric(b, "net_heap_growth").samples,
        [3126961811274150454_u64 as f64]
    );
}

// --- inputs written by hand: fields 1.7.1 does not produce ------------------------------------

fn one(rows: &str) -> Parsed {
    let text = format!(r#"{{"context": {{"host_name": "h"}}, "benchmarks": [{rows}]}}"#);
    google_benchmark::parse(text.as_bytes()).expect("parses")
}

#[test]
fn skipped_benchmarks_and_benchmarks_without_finite_values() {
    let p = one(
        r#"{"name": "BM_Gpu", "run_name": "BM_Gpu", "run_type": "iteration", "repetitions": 1,
            "repetition_index": 0, "threads": 1, "skipped": true, "skip_message": "no GPU",
            "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": "ns"},
           {"name": "BM_Nan", "run_type": "iteration", "iterations": 1, "real_time": nan,
            "cpu_time": -inf, "time_unit": "ms"}"#,
    );
    let skipped = bench(&p, "BM_Gpu");
    assert_eq!(
        skipped.status,
        Status::Skipped {
            reason: "no GPU".into()
        }
    );
    assert!(skipped.metrics.is_empty());
    let nan = bench(&p, "BM_Nan");
    assert_eq!(
        nan.status,
        Status::Skipped {
            reason: "every value Google Benchmark reported was NaN or infinite".into()
        }
    );
    assert_eq!(label(nan, "nan.wall_time"), "1 of 1 values were NaN");
    assert_eq!(label(nan, "inf.cpu_time"), "1 of 1 values were -Infinity");
}

#[test]
fn rows_of_older_libraries_and_unknown_keys() {
    // No family_index, run_name or run_type (before 1.5): a repeated repetition_index is
    // another benchmark of the same name; aggregates find their benchmark by name.
    let p = one(
        r#"{"name": "BM_A", "repetition_index": 0, "iterations": 10, "real_time": 5,
            "cpu_time": 4, "time_unit": "ns", "note": "kept", "flag": true},
           {"name": "BM_A", "repetition_index": 1, "iterations": 10, "real_time": 7,
            "cpu_time": 6, "time_unit": "ns"},
           {"name": "BM_A_mean", "aggregate_name": "mean", "iterations": 2, "real_time": 6,
            "cpu_time": 5, "time_unit": "ns"},
           {"name": "BM_A", "repetition_index": 0, "iterations": 3, "real_time": 9,
            "cpu_time": 8, "time_unit": "ns"},
           {"name": "BM_A#2", "iterations": 1, "real_time": 1, "cpu_time": 1,
            "time_unit": "ns"},
           {"name": "BM_B", "iterations": 1, "real_time": 1, "time_unit": "ns",
            "wall_time": 3, "cpu_time": 2}"#,
    );
    assert_eq!(names(&p), ["BM_A", "BM_A#2", "BM_A#2#2", "BM_B"]);
    let a = bench(&p, "BM_A");
    assert_eq!(metric(a, "wall_time").samples, [5.0, 7.0]);
    assert_eq!(label(a, "aggregate.mean.real_time"), "6 ns");
    assert_eq!(label(a, "note"), "kept");
    assert_eq!(label(a, "flag"), "true");
    assert_eq!(metric(bench(&p, "BM_A#2"), "wall_time").samples, [9.0]);
    assert_eq!(
        label(bench(&p, "BM_A#2"), "duplicate"),
        "the 2nd benchmark named BM_A in this file"
    );
    // A benchmark literally called BM_A#2 keeps its data apart.
    assert_eq!(metric(bench(&p, "BM_A#2#2"), "wall_time").samples, [1.0]);
    // A counter named like one of benchgate's measures is prefixed.
    let b = bench(&p, "BM_B");
    assert_eq!(measures(b), ["wall_time", "cpu_time", "counter.wall_time"]);
    assert_eq!(metric(b, "counter.wall_time").samples, [3.0]);
    assert_eq!(p.context.hostname.as_deref(), Some("h"));
    assert_eq!(p.context.started_at, None);
}

#[test]
fn dates_that_are_not_rfc3339_are_kept_as_a_tag() {
    let text = br#"{"context": {"date": "2019-05-09 11:54:30", "num_cpus": -1,
        "caches": [{"type": "Data"}]}, "benchmarks": [{"name": "BM_A", "iterations": 1,
        "real_time": 1, "cpu_time": 1, "time_unit": "ns"}]}"#;
    let p = google_benchmark::parse(text).unwrap();
    assert_eq!(p.context.started_at, None);
    assert_eq!(p.context.tags["date"], "2019-05-09 11:54:30");
    assert_eq!(p.context.logical_cores, None);
    assert_eq!(p.context.tags["num_cpus"], "-1");
    assert_eq!(p.context.tags["caches"], r#"{"type":"Data"}"#);
    let text = br#"{"context": {"date": "2026-12-01T07:12:34+0100"}, "benchmarks": [
        {"name": "BM_A", "iterations": 1, "real_time": 1, "cpu_time": 1, "time_unit": "ns"}]}"#;
    let p = google_benchmark::parse(text).unwrap();
    assert_eq!(
        p.context.started_at,
        Some(datetime!(2026-12-01 07:12:34 +1))
    );
}

// --- bad input --------------------------------------------------------------------------------

#[test]
fn empty_and_garbage_inputs() {
    let expected = "the input is empty; expected Google Benchmark JSON: {\"context\": {…}, \
                    \"benchmarks\": […]}";
    assert_eq!(
        parse(Format::GoogleBenchmark, b"").unwrap_err().to_string(),
        expected
    );
    assert_eq!(
        parse(Format::GoogleBenchmark, b" \n\t ")
            .unwrap_err()
            .to_string(),
        expected
    );
    assert_eq!(
        error(b"\x00\x9f\x92\x96\xff binary"),
        "$: expected value (line 1, column 1)"
    );
    assert_eq!(
        error(b"goos: linux\nBenchmarkX-8  100  12 ns/op\n"),
        "$: expected value (line 1, column 1)"
    );
    assert_eq!(
        error(br#"{"context": {}, "benchmarks": []}"#),
        "$.benchmarks: the list of benchmark results is empty; expected Google Benchmark JSON: \
         {\"context\": {…}, \"benchmarks\": […]}"
    );
    // Nesting deeper than serde_json's limit is refused, not a stack overflow.
    let deep = format!(
        r#"{{"context": {{}}, "benchmarks": [{{"name": "BM_A", "x": {}}}]}}"#,
        "[".repeat(100_000)
    );
    let deep = error(deep.as_bytes());
    assert!(deep.starts_with("$.benchmarks[0].x[0][0]"), "{deep}");
    assert!(
        deep.ends_with("[0]: recursion limit exceeded (line 1, column 178)"),
        "{deep}"
    );
    assert_eq!(
        error(br#"{"context": {}}"#),
        "$: missing field `benchmarks` (line 1, column 15)"
    );
}

#[test]
fn other_formats_given_to_this_adapter() {
    assert_eq!(
        error(HYPERFINE),
        "$: missing field `benchmarks` (line 24, column 1)"
    );
    assert!(
        parse(Format::GoogleBenchmark, HYPERFINE)
            .unwrap_err()
            .to_string()
            .starts_with("$: missing field `benchmarks`")
    );
    assert_eq!(
        error(PYTEST),
        "$.benchmarks[0]: expected \"real_time\" in a measured row (with \"cpu_time\" and \
         \"time_unit\"), found none"
    );
}

#[test]
fn truncated_fixtures_name_the_place() {
    let cut = |at: &str| {
        let i = std::str::from_utf8(REPETITIONS).unwrap().find(at).unwrap() + at.len();
        error(&REPETITIONS[..i])
    };
    assert_eq!(
        cut("\"library_build_type\": \"deb"),
        "$.context.library_build_type: EOF while parsing a string (line 36, column 30)"
    );
    assert_eq!(
        cut("\"iterations\": 392"),
        "$.benchmarks[0]: EOF while parsing an object (line 48, column 23)"
    );
    // In the middle of a bare NaN.
    assert_eq!(
        cut("\"nan\": Na"),
        "$.benchmarks[91].nan: expected value (line 1431, column 14)"
    );
    assert_eq!(
        cut("\"inf\": Infinity"),
        "$.benchmarks[91]: EOF while parsing an object (line 1428, column 21)"
    );
    let len = REPETITIONS.len();
    assert!(REPETITIONS.ends_with(b"    }\n  ]\n}\n"));
    assert_eq!(
        error(&REPETITIONS[..len - 3]),
        "$: EOF while parsing an object (line 2770, column 3)"
    );
    assert_eq!(
        error(&REPETITIONS[..len - 6]),
        "$.benchmarks: EOF while parsing a list (line 2770, column 0)"
    );
}

#[test]
fn wrong_types_and_values() {
    let row = |fields: &str| {
        format!(r#"{{"context": {{}}, "benchmarks": [{{"name": "BM_A", {fields}}}]}}"#)
    };
    let cases = [
        (
            row(r#""iterations": "many""#),
            "$.benchmarks[0].iterations: invalid type: string \"many\", expected u64 \
             (line 1, column 68)",
        ),
        (
            row(r#""real_time": "fast""#),
            "$.benchmarks[0].real_time: invalid value: string \"fast\", expected a number \
             (or NaN, Infinity, -Infinity) (line 1, column 67)",
        ),
        (
            row(r#""iterations": -1"#),
            "$.benchmarks[0].iterations: invalid value: integer `-1`, expected u64 \
             (line 1, column 64)",
        ),
        (
            row(r#""real_time": 1, "time_unit": "xs""#),
            "$.benchmarks[0].time_unit: expected \"ns\", \"us\", \"ms\" or \"s\", found \"xs\"",
        ),
        (
            row(r#""real_time": 1"#),
            "$.benchmarks[0]: expected \"time_unit\" (\"ns\", \"us\", \"ms\" or \"s\") next to \
             the times, found none",
        ),
        (
            row(r#""run_type": "warmup""#),
            "$.benchmarks[0].run_type: expected \"iteration\" or \"aggregate\", found \"warmup\"",
        ),
        (
            row(r#""run_type": "aggregate", "aggregate_name": "median", "real_time": 1"#),
            "$.benchmarks[0]: BM_A has aggregate rows only and none is a \"mean\"; expected \
             iteration rows (\"run_type\": \"iteration\") or a \"mean\" aggregate",
        ),
        (
            r#"{"context": {}, "benchmarks": [{"iterations": 1}]}"#.to_string(),
            "$.benchmarks[0]: expected a benchmark row with \"name\" or \"run_name\", found \
             neither",
        ),
        (
            r#"{"context": {}, "benchmarks": {"name": "BM_A"}}"#.to_string(),
            "$.benchmarks: invalid type: map, expected a sequence (line 1, column 30)",
        ),
        (
            r#"{"context": {"num_cpus": "two"}, "benchmarks": []}"#.to_string(),
            "$.context.num_cpus: invalid type: string \"two\", expected i64 (line 1, column 30)",
        ),
        (
            r#"{"context": {}, "benchmarks": [{"name": "BM_A", "x": NaN, "y": tru}]}"#.to_string(),
            "$.benchmarks[0].y: expected ident (line 1, column 67)",
        ),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter(|(input, expected)| error(input.as_bytes()) != *expected)
        .map(|(input, _)| format!("{input}\n  gives {}", error(input.as_bytes())))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_json_error_has_a_location() {
    let err = google_benchmark::parse(br#"{"context": {}, "benchmarks": [1]}"#).unwrap_err();
    assert!(
        matches!(err.location, Location::Json { line: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn no_truncation_or_corruption_panics() {
    for (file, bytes) in FIXTURES.into_iter().chain([
        ("hyperfine.json", HYPERFINE),
        ("pytest-benchmark.json", PYTEST),
    ]) {
        let step = (bytes.len() / 300).max(1);
        let mut offsets: Vec<usize> = (0..bytes.len()).step_by(step).collect();
        // Every offset around the non-finite tokens and in the context.
        let text = String::from_utf8_lossy(bytes);
        for token in ["NaN", "Infinity", "-Infinity"] {
            if let Some(at) = text.find(&format!(": {token}")) {
                offsets.extend(at.saturating_sub(4)..(at + 14).min(bytes.len()));
            }
        }
        offsets.extend(0..bytes.len().min(600));
        for at in offsets {
            let _ = parse(Format::GoogleBenchmark, &bytes[..at]);
            // And the same with a byte flipped just before the cut.
            let mut corrupted = bytes[..at].to_vec();
            if let Some(last) = corrupted.last_mut() {
                *last ^= 0x5a;
            }
            let _ = parse(Format::GoogleBenchmark, &corrupted);
        }
        let _ = file;
    }
}

#[test]
fn ten_thousand_benchmarks_parse() {
    // 10 000 benchmarks of 3 repetitions each, with a NaN counter (the rewriting path). Not
    // timed: a shared machine makes any time limit a flaky test.
    let mut text = String::from(r#"{"context": {"host_name": "h"}, "benchmarks": ["#);
    for i in 0..10_000 {
        for rep in 0..3 {
            if i + rep > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                r#"{{"name": "BM_{i}", "run_name": "BM_{i}", "run_type": "iteration",
                "family_index": {i}, "per_family_instance_index": 0, "repetition_index": {rep},
                "iterations": 100, "real_time": 1.5, "cpu_time": 1.25, "time_unit": "ns",
                "c": NaN, "d": 2}}"#
            ));
        }
    }
    text.push_str("]}");
    let p = google_benchmark::parse(text.as_bytes()).unwrap();
    assert_eq!(p.benchmarks.len(), 10_000);
    assert_eq!(p.benchmarks[9_999].metrics[0].samples, [1.5; 3]);
    assert_eq!(p.benchmarks[0].labels["nan.c"], "3 of 3 values were NaN");
}
