//! Shared fixtures and backend-independent checks for the store tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};

use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Precision, Provenance, Run, Series,
    SeriesPoint, Source, Status, Unit,
};
use benchgate_store::{Store, StoreError};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// The env var that turns the `child_writer` test into a writer process.
pub const CHILD_ENV: &str = "BENCHGATE_STORE_TEST_CHILD";

pub fn environment(fingerprint_seed: &str) -> Environment {
    Environment {
        hostname: "ci-runner-7".into(),
        os: "linux".into(),
        kernel: "6.1.0-27-amd64".into(),
        arch: "x86_64".into(),
        cpu_model: format!("AMD EPYC 7B13 {fingerprint_seed}"),
        logical_cores: 2,
        memory_bytes: 8_589_934_592,
        fingerprint: String::new(),
    }
    .with_fingerprint()
}

fn metric(measure: Measure, unit: Unit, direction: Direction, samples: Vec<f64>) -> Metric {
    Metric::from_samples(measure, unit, direction, samples).expect("finite samples")
}

/// A run with everything the model can hold: several benchmarks, params, failed and skipped
/// statuses, custom measures and units, iterations, exact metrics, tags,
/// a non-UTC offset and nanosecond timestamps.
pub fn rich_run() -> Run {
    let started = datetime!(2026-03-14 15:09:26.535897932 +05:30);
    let mut run = Run::new(
        Source::Ingest("criterion".into()),
        started,
        Provenance {
            mode: Mode::Simulated,
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            branch: Some("feature/ünïcode-branch".into()),
            dirty: Some(true),
            merge_base: Some("fedcba9876543210fedcba9876543210fedcba98".into()),
            tags: BTreeMap::from([
                ("pr".into(), "1234".into()),
                ("runner".into(), "gha \"quoted\" 'x'".into()),
            ]),
        },
        environment("rich"),
    );
    run.ended_at = started + Duration::nanoseconds(61_000_000_007);
    let mut wall = metric(
        Measure::WallTime,
        Unit::Nanoseconds,
        Direction::LowerIsBetter,
        vec![
            0.1,
            0.2,
            0.30000000000000004,
            1e-300,
            5e-324,
            123_456.789_012_345_67,
            -0.0,
            1.234_567_890_123_456_7e150,
        ],
    );
    wall.iterations = Some(vec![1, 2, 3, 4, 5, 6, 7, u64::MAX]);
    wall.precision = Some(Precision {
        target: 0.01,
        reached: Some(0.009_312_345_678_901_234),
    });
    let instructions = metric(
        Measure::Instructions,
        Unit::Count,
        Direction::LowerIsBetter,
        vec![1_234_567.0; 3],
    )
    .exact(true);
    let mut custom = metric(
        Measure::Custom("backend_calls".into()),
        Unit::Custom("calls/op".into()),
        Direction::HigherIsBetter,
        vec![3.0, 4.0, 5.5],
    );
    // Sampling stopped before the samples gave any interval.
    custom.precision = Some(Precision {
        target: 0.05,
        reached: None,
    });
    run.benchmarks = vec![
        Benchmark {
            // A real benchmark in a simulated run (SPEC §4.7: a suite may mix both).
            mode: Some(Mode::Real),
            name: "parse/json/size=1k".into(),
            params: BTreeMap::from([("size".into(), "1k".into()), ("mode".into(), "fast".into())]),
            labels: BTreeMap::from([
                ("pkg".into(), "example.com/parse".into()),
                ("label".into(), "ünïcode \"quoted\"".into()),
            ]),
            command: Some("./bench --size 1k 'a b'".into()),
            status: Status::Ok,
            metrics: vec![wall, instructions, custom],
            series: Vec::new(),
        },
        Benchmark {
            mode: Some(Mode::Simulated),
            name: "parse/json/size=1m".into(),
            params: BTreeMap::from([("size".into(), "1m".into())]),
            labels: BTreeMap::new(),
            command: None,
            status: Status::Failed {
                message: "exit status 101: thread 'main' panicked".into(),
            },
            metrics: Vec::new(),
            series: Vec::new(),
        },
        Benchmark {
            mode: None,
            name: "net/roundtrip".into(),
            params: BTreeMap::new(),
            labels: BTreeMap::new(),
            command: None,
            status: Status::Skipped {
                reason: "needs network".into(),
            },
            metrics: Vec::new(),
            series: Vec::new(),
        },
        Benchmark {
            mode: None,
            name: "alloc/vec".into(),
            params: BTreeMap::new(),
            labels: BTreeMap::new(),
            command: Some("true".into()),
            status: Status::Ok,
            metrics: vec![
                metric(
                    Measure::MaxRss,
                    Unit::Bytes,
                    Direction::LowerIsBetter,
                    vec![1024.0, 2048.0],
                ),
                metric(
                    Measure::Throughput,
                    Unit::PerSecond,
                    Direction::HigherIsBetter,
                    vec![1e9, 1.1e9],
                ),
                metric(
                    Measure::ErrorRate,
                    Unit::Ratio,
                    Direction::LowerIsBetter,
                    vec![0.0, 0.001],
                ),
            ],
            series: Vec::new(),
        },
    ];
    run.validate().expect("the fixture is valid");
    run
}

/// A deterministic run of 100 000 samples (10 benchmarks × 2 metrics × 5 000), id from `seed`.
pub fn big_run(seed: u64) -> Run {
    let mut run = Run::new(
        Source::Command,
        datetime!(2026-01-01 00:00:00 UTC) + Duration::seconds(seed as i64),
        Provenance::default(),
        environment("big"),
    );
    run.id = Uuid::from_u128(0xb16_0000_0000_0000_0000_0000 + u128::from(seed));
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    for b in 0..10 {
        let wall: Vec<f64> = (0..5000).map(|_| 1000.0 + 100.0 * next()).collect();
        let rss: Vec<f64> = (0..5000).map(|_| (1u64 << 20) as f64 * next()).collect();
        let mut wall = metric(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            wall,
        );
        wall.iterations = Some((0..5000).map(|i| i as u64 + 1).collect());
        run.benchmarks.push(Benchmark {
            mode: None,
            name: format!("big/{b}"),
            params: BTreeMap::new(),
            labels: BTreeMap::new(),
            command: None,
            status: Status::Ok,
            metrics: vec![
                wall,
                metric(Measure::MaxRss, Unit::Bytes, Direction::LowerIsBetter, rss),
            ],
            series: Vec::new(),
        });
    }
    run
}

/// A small run of one benchmark whose wall-time median is `median`.
pub fn small_run(
    started_at: OffsetDateTime,
    commit: &str,
    fingerprint_seed: &str,
    median: f64,
) -> Run {
    let mut run = Run::new(
        Source::Command,
        started_at,
        Provenance {
            commit: Some(commit.into()),
            branch: Some("main".into()),
            ..Provenance::default()
        },
        environment(fingerprint_seed),
    );
    run.benchmarks.push(Benchmark {
        mode: None,
        name: "a".into(),
        params: BTreeMap::new(),
        labels: BTreeMap::new(),
        command: Some("true".into()),
        status: Status::Ok,
        metrics: vec![metric(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            vec![median - 1.0, median, median + 1.0],
        )],
        series: Vec::new(),
    });
    run
}

/// Every sample of every metric, as bits (so `-0.0` and `0.0` differ).
pub fn sample_bits(run: &Run) -> Vec<u64> {
    run.benchmarks
        .iter()
        .flat_map(|b| &b.metrics)
        .flat_map(|m| &m.samples)
        .map(|s| s.to_bits())
        .collect()
}

/// A run whose benchmarks carry time series (RSS and PSS over time), one benchmark without.
pub fn run_with_series() -> Run {
    let mut run = rich_run();
    let rss: Vec<SeriesPoint> = (0..2_000)
        .map(|i| SeriesPoint::new(i as f64 * 0.05, 4_096_000.0 + (i * i) as f64 + 0.125))
        .collect();
    run.benchmarks[0].series = vec![
        Series {
            name: "rss".into(),
            unit: Unit::Bytes,
            points: rss,
        },
        Series {
            name: "pss".into(),
            unit: Unit::Custom("KiB".into()),
            // -0.0, the smallest subnormal and the largest finite value survive bit for bit.
            points: vec![
                SeriesPoint::new(0.0, -0.0),
                SeriesPoint::new(0.0, 5e-324),
                SeriesPoint::new(0.1, f64::MAX),
            ],
        },
    ];
    run.benchmarks[2].series = vec![Series {
        name: "rss".into(),
        unit: Unit::Bytes,
        points: Vec::new(),
    }];
    run.validate().expect("the fixture is valid");
    run
}

/// A series as (name, unit, bits of each point's time and value).
type SeriesBits = (String, String, Vec<(u64, u64)>);

fn series_bits(run: &Run) -> Vec<SeriesBits> {
    run.benchmarks
        .iter()
        .flat_map(|b| &b.series)
        .map(|s| {
            let points = s
                .points
                .iter()
                .map(|p| (p.t.to_bits(), p.value.to_bits()))
                .collect();
            (s.name.clone(), s.unit.to_string(), points)
        })
        .collect()
}

/// Series are kept with their run, exactly; a run without series reads back without.
pub fn check_series_round_trip(store: &dyn Store) {
    let run = run_with_series();
    store.put_run(&run).unwrap();
    let back = store.get_run(run.id).unwrap().expect("stored run");
    assert_eq!(back, run);
    assert_eq!(series_bits(&back), series_bits(&run));
    assert_eq!(back.benchmarks[0].series[0].points.len(), 2_000);
    assert!(back.benchmarks[1].series.is_empty());
    assert_eq!(back.to_json_pretty(), run.to_json_pretty());

    let plain = rich_run();
    store.put_run(&plain).unwrap();
    let back = store.get_run(plain.id).unwrap().expect("stored run");
    assert!(back.benchmarks.iter().all(|b| b.series.is_empty()));
    assert_eq!(back, plain);
}

/// Store, read back, compare; duplicates and invalid runs are refused without panicking.
pub fn check_round_trip(store: &dyn Store) {
    let run = rich_run();
    store.put_run(&run).unwrap();
    let back = store.get_run(run.id).unwrap().expect("stored run");
    assert_eq!(back, run);
    assert_eq!(sample_bits(&back), sample_bits(&run));
    assert_eq!(back.started_at.offset(), run.started_at.offset());
    assert_eq!(back.to_json_pretty(), run.to_json_pretty());

    let dup = store.put_run(&run).unwrap_err();
    assert!(
        matches!(dup, StoreError::DuplicateRun { id } if id == run.id),
        "{dup}"
    );
    assert_eq!(dup.to_string(), format!("run {} is already stored", run.id));

    let mut bad = rich_run();
    bad.benchmarks[0].metrics[0].samples[0] = f64::NAN;
    let err = store.put_run(&bad).unwrap_err();
    assert!(matches!(err, StoreError::InvalidRun { .. }), "{err}");
    assert!(store.get_run(bad.id).unwrap().is_none());

    assert!(store.get_run(Uuid::now_v7()).unwrap().is_none());
    let listed = store.list_runs(10).unwrap();
    assert_eq!(listed.len(), 1);
    let s = &listed[0];
    assert_eq!(s.id, run.id);
    assert_eq!(s.started_at, run.started_at);
    assert_eq!(s.source, run.source);
    assert_eq!(s.mode, Mode::Simulated);
    assert_eq!(s.commit, run.provenance.commit);
    assert_eq!(s.branch, run.provenance.branch);
    assert_eq!(s.fingerprint, run.environment.fingerprint);
    assert_eq!(s.benchmarks, 4);

    let big = big_run(7);
    store.put_run(&big).unwrap();
    let back = store.get_run(big.id).unwrap().unwrap();
    assert_eq!(sample_bits(&back).len(), 100_000);
    assert_eq!(back, big);
}

/// latest, commit prefix, fingerprint window, series.
pub fn check_selectors(store: &dyn Store) {
    assert!(store.latest_run().unwrap().is_none());
    assert!(
        store
            .series("a", &Measure::WallTime, 10)
            .unwrap()
            .is_empty()
    );
    let t0 = datetime!(2026-02-01 12:00:00 UTC);
    let mut runs = Vec::new();
    for i in 0..6 {
        let fp = if i % 2 == 0 { "even" } else { "odd" };
        let commit = format!("{i}{i}{i}abcdef0123456789");
        let run = small_run(t0 + Duration::minutes(i), &commit, fp, 100.0 + i as f64);
        runs.push(run);
    }
    // Insert out of order: ordering must come from started_at, not insertion.
    for i in [3, 0, 5, 1, 4, 2] {
        store.put_run(&runs[i]).unwrap();
    }
    let latest = store.latest_run().unwrap().unwrap();
    assert_eq!(latest.id, runs[5].id);
    let listed: Vec<Uuid> = store.list_runs(3).unwrap().iter().map(|r| r.id).collect();
    assert_eq!(listed, vec![runs[5].id, runs[4].id, runs[3].id]);
    assert_eq!(store.list_runs(0).unwrap().len(), 0);
    assert_eq!(store.list_runs(usize::MAX).unwrap().len(), 6);

    let at = store.runs_at_commit("333abc").unwrap();
    assert_eq!(at.len(), 1);
    assert_eq!(at[0].id, runs[3].id);
    assert_eq!(
        store
            .runs_at_commit(&runs[2].provenance.commit.clone().unwrap())
            .unwrap()[0]
            .id,
        runs[2].id
    );
    assert!(store.runs_at_commit("999").unwrap().is_empty());
    assert!(store.runs_at_commit("%").unwrap().is_empty());
    assert!(matches!(
        store.runs_at_commit("  "),
        Err(StoreError::InvalidArgument(_))
    ));

    let even_fp = runs[0].environment.fingerprint.clone();
    let window: Vec<Uuid> = store
        .latest_runs_with_fingerprint(&even_fp, 2)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(window, vec![runs[4].id, runs[2].id]);
    assert!(
        store
            .latest_runs_with_fingerprint("nope", 5)
            .unwrap()
            .is_empty()
    );

    let series = store.series("a", &Measure::WallTime, 3).unwrap();
    let medians: Vec<f64> = series.iter().map(|p| p.median).collect();
    assert_eq!(medians, vec![103.0, 104.0, 105.0]);
    assert_eq!(series[0].run_id, runs[3].id);
    assert_eq!(series[2].commit, runs[5].provenance.commit);
    assert_eq!(series[2].started_at, runs[5].started_at);
    assert!(store.series("a", &Measure::MaxRss, 3).unwrap().is_empty());
    assert!(store.series("b", &Measure::WallTime, 3).unwrap().is_empty());
}

pub fn check_baselines(store: &dyn Store) {
    let a = small_run(datetime!(2026-02-01 12:00:00 UTC), "aaaa", "x", 10.0);
    let b = small_run(datetime!(2026-02-01 13:00:00 UTC), "bbbb", "x", 11.0);
    store.put_run(&a).unwrap();
    store.put_run(&b).unwrap();

    assert!(store.list_baselines().unwrap().is_empty());
    assert_eq!(store.baseline("main").unwrap(), None);
    store.save_baseline("main", a.id).unwrap();
    store.save_baseline("release-1.0", b.id).unwrap();
    assert_eq!(store.baseline("main").unwrap(), Some(a.id));
    // Saving again moves the pointer.
    store.save_baseline("main", b.id).unwrap();
    assert_eq!(store.baseline("main").unwrap(), Some(b.id));
    let listed = store.list_baselines().unwrap();
    let names: Vec<(&str, Uuid)> = listed.iter().map(|b| (b.name.as_str(), b.run_id)).collect();
    assert_eq!(names, vec![("main", b.id), ("release-1.0", b.id)]);

    let missing = Uuid::now_v7();
    let err = store.save_baseline("ghost", missing).unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownRun { id } if id == missing),
        "{err}"
    );
    assert!(matches!(
        store.save_baseline("", a.id),
        Err(StoreError::BadBaselineName { .. })
    ));

    store.delete_baseline("release-1.0").unwrap();
    assert_eq!(store.baseline("release-1.0").unwrap(), None);
    let err = store.delete_baseline("release-1.0").unwrap_err();
    assert_eq!(err.to_string(), "no baseline named \"release-1.0\"");
    assert_eq!(store.list_baselines().unwrap().len(), 1);
}

/// What a `child_writer` process should do, from its environment.
pub enum ChildTask {
    /// Write `big_run(seed)` to the URL. Just before `put_run` the child creates `marker`; after it,
    /// it writes how long `put_run` took (µs) to `marker.took`.
    Big {
        url: String,
        seed: u64,
        marker: std::path::PathBuf,
    },
    /// Write `count` small runs tagged `writer=<writer>`.
    Many {
        url: String,
        writer: u32,
        count: u32,
    },
}

pub fn spawn_child(task: &ChildTask) -> Child {
    let exe = std::env::current_exe().expect("test binary path");
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    match task {
        ChildTask::Big { url, seed, marker } => {
            cmd.env(CHILD_ENV, format!("big|{url}|{seed}|{}", marker.display()))
        }
        ChildTask::Many { url, writer, count } => {
            cmd.env(CHILD_ENV, format!("many|{url}|{writer}|{count}"))
        }
    };
    cmd.spawn().expect("spawn the child writer")
}

/// The body of the `child_writer` test: a no-op unless [`CHILD_ENV`] is set.
pub fn child_writer() {
    let Ok(task) = std::env::var(CHILD_ENV) else {
        return;
    };
    let parts: Vec<&str> = task.split('|').collect();
    match parts.as_slice() {
        ["big", url, seed, marker] => {
            let store = benchgate_store::open(url).unwrap();
            let run = big_run(seed.parse().unwrap());
            std::fs::write(marker, b"").unwrap();
            let started = std::time::Instant::now();
            store.put_run(&run).unwrap();
            let took = started.elapsed().as_micros().to_string();
            std::fs::write(format!("{marker}.took"), took).unwrap();
        }
        ["many", url, writer, count] => {
            let store = benchgate_store::open(url).unwrap();
            let count: u32 = count.parse().unwrap();
            for i in 0..count {
                let mut run = small_run(
                    OffsetDateTime::now_utc(),
                    &format!("{writer}-{i}"),
                    "many",
                    10.0 + f64::from(i),
                );
                run.provenance
                    .tags
                    .insert("writer".into(), (*writer).into());
                store.put_run(&run).unwrap();
            }
        }
        _ => panic!("bad {CHILD_ENV}: {task}"),
    }
}

/// Starts 8 writer processes of 50 runs each on `url` and checks all 400 arrive.
pub fn check_concurrent_writers(url: &str) {
    // The writers also race to create the schema.
    let started = std::time::Instant::now();
    let children: Vec<Child> = (0..8)
        .map(|writer| {
            spawn_child(&ChildTask::Many {
                url: url.to_string(),
                writer,
                count: 50,
            })
        })
        .collect();
    for mut child in children {
        let status = child.wait().unwrap();
        assert!(status.success(), "a writer failed: {status}");
    }
    let store = benchgate_store::open(url).unwrap();
    eprintln!(
        "{}: 8 writers × 50 runs in {:.2?}",
        store.backend(),
        started.elapsed()
    );
    let runs = store.list_runs(10_000).unwrap();
    assert_eq!(runs.len(), 400);
    let mut per_writer = BTreeMap::<String, usize>::new();
    for summary in &runs {
        let run = store.get_run(summary.id).unwrap().unwrap();
        *per_writer
            .entry(run.provenance.tags["writer"].clone())
            .or_default() += 1;
    }
    assert_eq!(per_writer.len(), 8);
    assert!(per_writer.values().all(|&n| n == 50), "{per_writer:?}");
}

/// Baseline selectors resolve to the runs they name, on any backend.
pub fn check_resolve(store: &dyn Store) {
    use benchgate_store::{Selector, resolve};
    use time::macros::datetime;
    let fp = environment("here").fingerprint;
    // Nothing stored yet: `last` and `window:N` find nothing, names are errors.
    assert_eq!(resolve(store, &Selector::Last, &fp, None).unwrap(), None);
    assert_eq!(
        resolve(store, &Selector::Window(3), &fp, None).unwrap(),
        None
    );
    let err = resolve(store, &Selector::Name("main".into()), &fp, None).unwrap_err();
    assert_eq!(err.to_string(), "no baseline named \"main\"");

    let r1 = small_run(datetime!(2026-11-20 10:00 UTC), "aaaa1111", "here", 100.0);
    let r2 = small_run(
        datetime!(2026-11-21 10:00 UTC),
        "bbbb2222",
        "elsewhere",
        200.0,
    );
    let r3 = small_run(datetime!(2026-11-22 10:00 UTC), "cccc3333", "here", 300.0);
    for run in [&r1, &r2, &r3] {
        store.put_run(run).unwrap();
    }
    let ids = |r: Option<benchgate_store::Resolved>| -> Vec<uuid::Uuid> {
        r.unwrap().runs.iter().map(|run| run.id).collect()
    };
    assert_eq!(
        ids(resolve(store, &Selector::Last, &fp, None).unwrap()),
        [r3.id]
    );
    // The run being judged is never its own baseline.
    assert_eq!(
        ids(resolve(store, &Selector::Last, &fp, Some(r3.id)).unwrap()),
        [r2.id]
    );
    assert_eq!(
        ids(resolve(store, &Selector::Run(r1.id), &fp, None).unwrap()),
        [r1.id]
    );
    assert_eq!(
        ids(resolve(store, &Selector::Commit("bbbb".into()), &fp, None).unwrap()),
        [r2.id]
    );
    // window:N pools runs of this machine only, newest first.
    let window = resolve(store, &Selector::Window(5), &fp, None)
        .unwrap()
        .unwrap();
    assert_eq!(
        window.runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        [r3.id, r1.id]
    );
    assert_eq!(window.label, "window:5 (2 runs)");
    assert_eq!(
        ids(resolve(store, &Selector::Window(5), &fp, Some(r3.id)).unwrap()),
        [r1.id]
    );
    store.save_baseline("main", r1.id).unwrap();
    assert_eq!(
        ids(resolve(store, &Selector::Name("main".into()), &fp, None).unwrap()),
        [r1.id]
    );
    let err = resolve(store, &Selector::Commit("dddd".into()), &fp, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: no stored run at commit dddd"
    );
    let unknown = uuid::Uuid::from_u128(1);
    let err = resolve(store, &Selector::Run(unknown), &fp, None).unwrap_err();
    assert_eq!(err.to_string(), format!("no stored run has id {unknown}"));

    // Scoped to a source, `last` and `window:N` skip runs another source produced.
    use benchgate_store::resolve_for_source;
    let mut go = small_run(datetime!(2026-11-23 10:00 UTC), "eeee5555", "here", 400.0);
    go.source = Source::Ingest("go".into());
    store.put_run(&go).unwrap();
    let command = r3.source.clone();
    assert_eq!(
        ids(resolve(store, &Selector::Last, &fp, None).unwrap()),
        [go.id]
    );
    assert_eq!(
        ids(resolve_for_source(store, &Selector::Last, &fp, None, &command).unwrap()),
        [r3.id]
    );
    assert_eq!(
        resolve_for_source(store, &Selector::Last, &fp, Some(go.id), &go.source).unwrap(),
        None
    );
    assert_eq!(
        ids(resolve_for_source(store, &Selector::Window(5), &fp, None, &command).unwrap()),
        [r3.id, r1.id]
    );
    assert_eq!(
        ids(resolve_for_source(store, &Selector::Window(5), &fp, None, &go.source).unwrap()),
        [go.id]
    );
    // Explicit selectors are not scoped.
    assert_eq!(
        ids(
            resolve_for_source(store, &Selector::Name("main".into()), &fp, None, &go.source)
                .unwrap()
        ),
        [r1.id]
    );
}

/// Noise floors are kept per fingerprint, benchmark and measure, replaced on save.
pub fn check_noise_floors(store: &dyn Store) {
    use benchgate_store::NoiseFloor;
    let floor = |fp: &str, bench: &str, rel: f64, method: &str| NoiseFloor {
        fingerprint: fp.into(),
        benchmark: bench.into(),
        measure: Measure::WallTime,
        relative: rel,
        samples: 30,
        method: method.into(),
        learned_at: datetime!(2026-11-30 12:00:00.123456789 UTC),
    };
    assert!(store.noise_floors("here").unwrap().is_empty());
    store
        .save_noise_floor(&floor("here", "b", 0.02, "aa"))
        .unwrap();
    store
        .save_noise_floor(&floor("here", "a", 0.015, "history"))
        .unwrap();
    store
        .save_noise_floor(&floor("there", "a", 0.5, "aa"))
        .unwrap();
    let mut custom = floor("here", "a", 0.1, "aa");
    custom.measure = Measure::Custom("backend_calls".into());
    store.save_noise_floor(&custom).unwrap();
    let here = store.noise_floors("here").unwrap();
    assert_eq!(here.len(), 3);
    assert_eq!(here[0], custom);
    assert_eq!(here[1], floor("here", "a", 0.015, "history"));
    assert_eq!(here[2].benchmark, "b");
    // A second calibration replaces the first.
    store
        .save_noise_floor(&floor("here", "b", 0.03, "aa"))
        .unwrap();
    let here = store.noise_floors("here").unwrap();
    assert_eq!(here.len(), 3);
    assert_eq!(here[2].relative, 0.03);
    for bad in [-0.1, f64::NAN, f64::INFINITY] {
        let err = store
            .save_noise_floor(&floor("here", "b", bad, "aa"))
            .unwrap_err();
        assert!(
            err.to_string().contains("must be a non-negative number"),
            "{err}"
        );
    }
    assert_eq!(store.noise_floors("there").unwrap().len(), 1);
}

/// Stores a run, reads it back and checks the fields schema version 5 added: each benchmark's own
/// mode and each metric's precision come back exactly, `None` staying `None`; a precision that
/// is not finite is refused.
pub fn check_mode_and_precision_round_trip(store: &dyn Store) {
    let run = rich_run();
    assert_eq!(run.benchmarks[0].mode, Some(Mode::Real));
    assert_eq!(run.benchmarks[1].mode, Some(Mode::Simulated));
    assert_eq!(run.benchmarks[3].mode, None);
    store.put_run(&run).unwrap();
    let back = store.get_run(run.id).unwrap().unwrap();
    let modes: Vec<Option<Mode>> = back.benchmarks.iter().map(|b| b.mode).collect();
    assert_eq!(modes, [Some(Mode::Real), Some(Mode::Simulated), None, None]);
    let precisions: Vec<Option<Precision>> = back
        .benchmarks
        .iter()
        .flat_map(|b| &b.metrics)
        .map(|m| m.precision)
        .collect();
    assert_eq!(
        precisions,
        [
            Some(Precision {
                target: 0.01,
                reached: Some(0.009_312_345_678_901_234)
            }),
            None,
            Some(Precision {
                target: 0.05,
                reached: None
            }),
            None,
            None,
            None,
        ]
    );
    let bits = |p: Option<Precision>| p.map(|p| (p.target.to_bits(), p.reached.map(f64::to_bits)));
    assert_eq!(
        bits(back.benchmarks[0].metrics[0].precision),
        bits(run.benchmarks[0].metrics[0].precision)
    );
    assert_eq!(back, run);

    for bad in [
        Precision {
            target: f64::NAN,
            reached: None,
        },
        Precision {
            target: 0.01,
            reached: Some(f64::INFINITY),
        },
    ] {
        let mut run = rich_run();
        run.id = Uuid::now_v7();
        run.benchmarks[0].metrics[0].precision = Some(bad);
        let err = store.put_run(&run).unwrap_err();
        assert!(matches!(err, StoreError::Unstorable { .. }), "{err}");
        assert!(err.to_string().contains("precision"), "{err}");
        assert!(store.get_run(run.id).unwrap().is_none());
    }
}

/// A run of `source` measured on `machine` at `minute` minutes past a fixed time, in `mode`, with
/// the benchmarks `(name, own mode, ok?)`: an ok benchmark has one wall-time metric whose samples
/// say which run and benchmark they are (`1000 × minute + index of the benchmark`), a failed one
/// has none.
pub fn scoped_run(
    minute: i64,
    source: Source,
    machine: &str,
    mode: Mode,
    benches: &[(&str, Option<Mode>, bool)],
) -> Run {
    let started = datetime!(2026-12-01 09:00 UTC) + Duration::minutes(minute);
    let mut run = Run::new(
        source,
        started,
        Provenance {
            mode,
            ..Provenance::default()
        },
        environment(machine),
    );
    // Ids ordered like the start times, so ties and ordering are easy to reason about.
    run.id = Uuid::from_u128(0x5c0e_0000_0000_7000_8000_0000_0000_0000 + minute as u128);
    for (i, (name, own_mode, ok)) in benches.iter().enumerate() {
        let marker = 1000.0 * minute as f64 + i as f64;
        run.benchmarks.push(Benchmark {
            mode: *own_mode,
            name: (*name).into(),
            params: BTreeMap::new(),
            labels: BTreeMap::new(),
            command: None,
            status: if *ok {
                Status::Ok
            } else if i % 2 == 0 {
                Status::Failed {
                    message: "exit status 1".into(),
                }
            } else {
                Status::Skipped {
                    reason: "not on this machine".into(),
                }
            },
            metrics: if *ok {
                vec![metric(
                    Measure::WallTime,
                    Unit::Nanoseconds,
                    Direction::LowerIsBetter,
                    vec![marker, marker + 0.25, marker + 0.5],
                )]
            } else {
                Vec::new()
            },
            series: Vec::new(),
        });
    }
    run
}

fn wanted(names: &[&str], mode: Mode) -> Vec<(String, Mode)> {
    names.iter().map(|n| ((*n).to_string(), mode)).collect()
}

/// The names of a resolved run's benchmarks.
fn names(run: &Run) -> Vec<&str> {
    run.benchmarks.iter().map(|b| b.name.as_str()).collect()
}

/// `last` is each benchmark's latest measurement of the same source, machine and mode
/// (SPEC §7.3), whichever runs hold them: filtered runs, modes per benchmark, other machines and
/// sources, failed and skipped measurements, the run being judged.
pub fn check_last_per_benchmark(store: &dyn Store) {
    use benchgate_gate::pool_runs;
    use benchgate_store::{LatestMeasurement, Scope, Selector, resolve_in_scope};
    const OK: bool = true;
    const BAD: bool = false;
    let fp = environment("here").fingerprint;
    let command = Source::Command;
    let scope = |benchmarks, exclude| Scope {
        source: &command,
        fingerprint: &fp,
        exclude,
        benchmarks,
    };
    let last = |scope: &Scope<'_>| resolve_in_scope(store, &Selector::Last, scope).unwrap();
    let ids = |runs: &[Run]| runs.iter().map(|r| r.id).collect::<Vec<_>>();
    let abc = wanted(&["a", "b", "c"], Mode::Real);

    // A first run: nothing to compare with.
    assert_eq!(last(&scope(&abc, None)), None);
    assert!(
        store
            .latest_measurements(&command, &fp, &abc, None)
            .unwrap()
            .is_empty()
    );

    // A full run, then filtered ones: `run 'a'`, `run 'b'`.
    let full = |m| {
        scoped_run(
            m,
            Source::Command,
            "here",
            Mode::Real,
            &[("a", None, OK), ("b", None, OK), ("c", None, OK)],
        )
    };
    let run_a = full(0);
    let run_b = scoped_run(1, Source::Command, "here", Mode::Real, &[("a", None, OK)]);
    let run_c = scoped_run(2, Source::Command, "here", Mode::Real, &[("b", None, OK)]);
    for run in [&run_c, &run_a, &run_b] {
        store.put_run(run).unwrap();
    }

    // The store's query: in the order asked, each pair once, unknown benchmarks left out.
    let ask: Vec<(String, Mode)> = wanted(&["c", "a", "zz", "b", "a"], Mode::Real);
    let found = store
        .latest_measurements(&command, &fp, &ask, None)
        .unwrap();
    let at = |benchmark: &str, run: &Run| LatestMeasurement {
        benchmark: benchmark.into(),
        mode: Mode::Real,
        run_id: run.id,
    };
    assert_eq!(found, [at("c", &run_a), at("a", &run_b), at("b", &run_c)]);

    let resolved = last(&scope(&abc, None)).unwrap();
    assert_eq!(resolved.label, "last (per benchmark: 3 runs)");
    assert_eq!(ids(&resolved.runs), [run_c.id, run_b.id, run_a.id]);
    assert_eq!(names(&resolved.runs[0]), ["b"]);
    assert_eq!(names(&resolved.runs[1]), ["a"]);
    assert_eq!(names(&resolved.runs[2]), ["c"]);
    // Pooled, they hold exactly one measurement per benchmark: B's a, C's b, A's c.
    let pooled = pool_runs(&resolved.runs).unwrap();
    let samples = |run: &Run, name: &str| run.benchmark(name).unwrap().metrics[0].samples.clone();
    assert_eq!(pooled.benchmarks.len(), 3);
    assert_eq!(samples(&pooled, "a"), samples(&run_b, "a"));
    assert_eq!(samples(&pooled, "b"), samples(&run_c, "b"));
    assert_eq!(samples(&pooled, "c"), samples(&run_a, "c"));

    // The run being judged is never its own baseline.
    let resolved = last(&scope(&abc, Some(run_c.id))).unwrap();
    assert_eq!(ids(&resolved.runs), [run_b.id, run_a.id]);
    assert_eq!(names(&resolved.runs[1]), ["b", "c"]);
    // A filtered run judged: only its own benchmarks are looked up.
    let judged = Scope::benchmarks_of(&run_c);
    let resolved = last(&Scope::of_run(&run_c, &judged)).unwrap();
    assert_eq!(resolved.label, format!("last (run {})", run_a.id));
    assert_eq!(ids(&resolved.runs), [run_a.id]);
    assert_eq!(names(&resolved.runs[0]), ["b"]);
    // Nothing to look up, nothing found.
    assert_eq!(last(&scope(&[], None)), None);

    // A full run covers everything: one run, as stored.
    let run_d = full(3);
    store.put_run(&run_d).unwrap();
    let resolved = last(&scope(&abc, None)).unwrap();
    assert_eq!(resolved.label, format!("last (run {})", run_d.id));
    assert_eq!(resolved.runs, std::slice::from_ref(&run_d));

    // Newer runs on another machine or of another source are not this run's `last`.
    let elsewhere = scoped_run(
        4,
        Source::Command,
        "there",
        Mode::Real,
        &[("a", None, OK), ("b", None, OK), ("c", None, OK)],
    );
    let go = scoped_run(
        5,
        Source::Ingest("go".into()),
        "here",
        Mode::Real,
        &[("a", None, OK), ("b", None, OK), ("c", None, OK)],
    );
    store.put_run(&elsewhere).unwrap();
    store.put_run(&go).unwrap();
    assert_eq!(ids(&last(&scope(&abc, None)).unwrap().runs), [run_d.id]);
    let go_found = store
        .latest_measurements(&go.source, &fp, &abc, None)
        .unwrap();
    assert!(go_found.iter().all(|m| m.run_id == go.id) && go_found.len() == 3);
    let there = environment("there").fingerprint;
    let there_found = store
        .latest_measurements(&command, &there, &abc, None)
        .unwrap();
    assert!(there_found.iter().all(|m| m.run_id == elsewhere.id) && there_found.len() == 3);

    // Failed and skipped measurements are skipped over.
    let run_g = scoped_run(
        6,
        Source::Command,
        "here",
        Mode::Real,
        &[("a", None, BAD), ("b", None, BAD), ("c", None, OK)],
    );
    assert!(matches!(run_g.benchmarks[1].status, Status::Skipped { .. }));
    store.put_run(&run_g).unwrap();
    let resolved = last(&scope(&abc, None)).unwrap();
    assert_eq!(ids(&resolved.runs), [run_g.id, run_d.id]);
    assert_eq!(names(&resolved.runs[0]), ["c"]);
    assert_eq!(names(&resolved.runs[1]), ["a", "b"]);

    // Modes: a simulated measurement is never the `last` of a real benchmark, nor the reverse,
    // whether the mode is the benchmark's own or its run's.
    let run_h = scoped_run(
        7,
        Source::Command,
        "here",
        Mode::Real,
        &[("a", Some(Mode::Simulated), OK), ("b", None, OK)],
    );
    let run_i = scoped_run(
        8,
        Source::Command,
        "here",
        Mode::Simulated,
        &[("c", None, OK), ("b", Some(Mode::Real), OK)],
    );
    store.put_run(&run_h).unwrap();
    store.put_run(&run_i).unwrap();
    let resolved = last(&scope(&abc, None)).unwrap();
    assert_eq!(ids(&resolved.runs), [run_i.id, run_g.id, run_d.id]);
    assert_eq!(names(&resolved.runs[0]), ["b"]);
    assert_eq!(names(&resolved.runs[1]), ["c"]);
    assert_eq!(names(&resolved.runs[2]), ["a"]);
    let sim = wanted(&["a", "b", "c"], Mode::Simulated);
    let resolved = last(&scope(&sim, None)).unwrap();
    assert_eq!(ids(&resolved.runs), [run_i.id, run_h.id]);
    assert_eq!(names(&resolved.runs[0]), ["c"]);
    assert_eq!(names(&resolved.runs[1]), ["a"]);
    // Pooled under the newest run's header (simulated), a benchmark that took its older run's
    // mode (real) keeps it, written out.
    let mixed = vec![
        ("c".to_string(), Mode::Simulated),
        ("a".to_string(), Mode::Real),
        ("b".to_string(), Mode::Real),
    ];
    let resolved = last(&scope(&mixed, Some(run_i.id))).unwrap();
    assert_eq!(ids(&resolved.runs), [run_h.id, run_d.id]);
    let resolved = last(&scope(&mixed, None)).unwrap();
    assert_eq!(ids(&resolved.runs), [run_i.id, run_d.id]);
    assert_eq!(names(&resolved.runs[0]), ["c", "b"]);
    assert_eq!(resolved.runs[0].benchmarks[0].mode, None);
    assert_eq!(names(&resolved.runs[1]), ["a"]);
    assert_eq!(resolved.runs[1].benchmarks[0].mode, Some(Mode::Real));
    let pooled = pool_runs(&resolved.runs).unwrap();
    assert_eq!(pooled.provenance.mode, Mode::Simulated);
    let mode_of = |name: &str| {
        pooled
            .benchmark(name)
            .unwrap()
            .mode_or(pooled.provenance.mode)
    };
    assert_eq!(
        [mode_of("a"), mode_of("b"), mode_of("c")],
        [Mode::Real, Mode::Real, Mode::Simulated]
    );

    // window:N pools whole runs of the source on this machine; explicit selectors are as ever.
    let window = resolve_in_scope(store, &Selector::Window(2), &scope(&abc, Some(run_i.id)))
        .unwrap()
        .unwrap();
    assert_eq!(ids(&window.runs), [run_h.id, run_g.id]);
    assert_eq!(window.label, "window:2 (2 runs)");
    store.save_baseline("main", run_a.id).unwrap();
    for selector in [Selector::Name("main".into()), Selector::Run(run_a.id)] {
        let resolved = resolve_in_scope(store, &selector, &scope(&abc, None))
            .unwrap()
            .unwrap();
        assert_eq!(resolved.runs, std::slice::from_ref(&run_a));
    }
}

/// More wanted benchmarks than SQLite binds parameters (32 766) still take one query.
pub fn check_many_wanted_benchmarks(store: &dyn Store) {
    use benchgate_store::{Scope, Selector, resolve_in_scope};
    const STORED: usize = 33_000;
    let mut run = scoped_run(0, Source::Command, "many", Mode::Real, &[("x", None, true)]);
    let template = run.benchmarks.pop().unwrap();
    run.benchmarks = (0..STORED)
        .map(|i| Benchmark {
            name: format!("n/{i:05}"),
            ..template.clone()
        })
        .collect();
    store.put_run(&run).unwrap();
    let mut ask = Scope::benchmarks_of(&run);
    ask.extend((STORED..40_000).map(|i| (format!("n/{i:05}"), Mode::Real)));
    ask.reverse();
    let found = store
        .latest_measurements(&run.source, &run.environment.fingerprint, &ask, None)
        .unwrap();
    assert_eq!(found.len(), STORED);
    assert!(found.iter().all(|m| m.run_id == run.id));
    assert_eq!(found[0].benchmark, format!("n/{:05}", STORED - 1));
    assert_eq!(found[STORED - 1].benchmark, "n/00000");
    let scope = Scope {
        source: &run.source,
        fingerprint: &run.environment.fingerprint,
        exclude: None,
        benchmarks: &ask,
    };
    let resolved = resolve_in_scope(store, &Selector::Last, &scope)
        .unwrap()
        .unwrap();
    assert_eq!(resolved.label, format!("last (run {})", run.id));
    assert_eq!(resolved.runs, [run]);
}

/// Names that would never select their baseline are refused, saving nothing.
pub fn check_bad_baseline_names(store: &dyn Store) {
    use benchgate_store::Selector;
    let run = small_run(datetime!(2026-12-02 10:00 UTC), "abcd", "x", 10.0);
    store.put_run(&run).unwrap();
    let id = run.id;
    for bad in [
        "",
        "   ",
        "last",
        "merge-base",
        "merge-base:main",
        "merge-base:--all",
        &format!("run:{id}"),
        "run:abc",
        "window:3",
        "commit:abcdef",
        "tag:v1",
        "a\nb",
        "tab\there",
        "bell\u{7}",
        "-x",
        "--all",
        " padded",
        "padded ",
    ] {
        let err = store.save_baseline(bad, id).unwrap_err();
        assert!(
            matches!(&err, StoreError::BadBaselineName { name, .. } if name == bad),
            "{bad:?}: {err}"
        );
    }
    assert!(store.list_baselines().unwrap().is_empty());
    let err = store.save_baseline("last", id).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot name a baseline \"last\": it reads as the selector `last`, so it could never be selected by name"
    );
    let err = store.save_baseline("window:3", id).unwrap_err();
    assert!(
        err.to_string().contains("reads as the selector `window:3`"),
        "{err}"
    );
    let err = store.save_baseline("tag:v1", id).unwrap_err();
    assert!(err.to_string().contains("contains `:`"), "{err}");
    let err = store.save_baseline("a\nb", id).unwrap_err();
    assert!(err.to_string().contains("control character"), "{err}");
    let err = store.save_baseline("-x", id).unwrap_err();
    assert!(err.to_string().contains("starts with `-`"), "{err}");

    for good in [
        "main",
        "release-1.0",
        "feature/ünïcode",
        "v1.2 rc",
        "last-good",
        "a-",
    ] {
        store.save_baseline(good, id).unwrap();
        assert_eq!(
            Selector::parse(good).unwrap(),
            Selector::Name(good.to_string())
        );
        assert_eq!(store.baseline(good).unwrap(), Some(id));
    }
    assert_eq!(store.list_baselines().unwrap().len(), 6);
}

/// The runs stored before a downgrade to schema version 4 (mode and precision are v5 fields, so
/// these runs have none).
pub fn v4_runs() -> Vec<Run> {
    vec![
        scoped_run(
            0,
            Source::Command,
            "here",
            Mode::Real,
            &[("a", None, true), ("b", None, true), ("c", None, true)],
        ),
        scoped_run(
            1,
            Source::Command,
            "here",
            Mode::Real,
            &[("a", None, true), ("c", None, false)],
        ),
        scoped_run(
            2,
            Source::Command,
            "here",
            Mode::Simulated,
            &[("b", None, true)],
        ),
    ]
}

/// Turns a current database back into a version 4 one: what the version 5 migration added, gone.
pub const DOWNGRADE_TO_V4: &str = "
DROP TABLE measurements;
ALTER TABLE benchmarks DROP COLUMN mode;
ALTER TABLE metrics DROP COLUMN precision;
DELETE FROM schema_migrations WHERE version = 5;
";

/// After the version 5 upgrade of a database holding [`v4_runs`] (see [`DOWNGRADE_TO_V4`]): the
/// runs read back unchanged, and `last` finds their measurements (the migration indexed them).
pub fn check_upgraded_from_v4(store: &dyn Store) {
    use benchgate_store::{Scope, Selector, resolve_in_scope};
    let runs = v4_runs();
    for run in &runs {
        assert_eq!(store.get_run(run.id).unwrap().as_ref(), Some(run));
    }
    let fp = environment("here").fingerprint;
    let abc = wanted(&["a", "b", "c"], Mode::Real);
    let found: Vec<(String, Uuid)> = store
        .latest_measurements(&Source::Command, &fp, &abc, None)
        .unwrap()
        .into_iter()
        .map(|m| (m.benchmark, m.run_id))
        .collect();
    assert_eq!(
        found,
        [
            ("a".to_string(), runs[1].id),
            ("b".to_string(), runs[0].id),
            ("c".to_string(), runs[0].id)
        ]
    );
    let sim = wanted(&["b"], Mode::Simulated);
    let found = store
        .latest_measurements(&Source::Command, &fp, &sim, None)
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].run_id, runs[2].id);
    // New runs are indexed as they are stored.
    let newer = scoped_run(3, Source::Command, "here", Mode::Real, &[("b", None, true)]);
    store.put_run(&newer).unwrap();
    let scope = Scope {
        source: &Source::Command,
        fingerprint: &fp,
        exclude: None,
        benchmarks: &abc,
    };
    let resolved = resolve_in_scope(store, &Selector::Last, &scope)
        .unwrap()
        .unwrap();
    assert_eq!(
        resolved.runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        [newer.id, runs[1].id, runs[0].id]
    );
    check_mode_and_precision_round_trip(store);
}

/// A batch of runs is stored whole or not at all: an id twice in the batch, or one already
/// stored, stores none of them.
pub fn check_batch_is_all_or_nothing(store: &dyn Store) {
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let a = small_run(t0, "aaaa", "m", 100.0);
    let b = small_run(t0 + Duration::hours(1), "bbbb", "m", 110.0);
    let err = store
        .put_runs(&[a.clone(), b.clone(), a.clone()])
        .unwrap_err();
    assert!(
        matches!(err, StoreError::DuplicateRun { id } if id == a.id),
        "{err}"
    );
    assert!(store.list_runs(10).unwrap().is_empty());

    store.put_run(&b).unwrap();
    let c = small_run(t0 + Duration::hours(2), "cccc", "m", 120.0);
    let err = store
        .put_runs(&[a.clone(), c.clone(), b.clone()])
        .unwrap_err();
    assert!(
        matches!(err, StoreError::DuplicateRun { id } if id == b.id),
        "{err}"
    );
    let ids: Vec<Uuid> = store.list_runs(10).unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![b.id], "a and c were not stored");

    store.put_runs(&[a.clone(), c.clone()]).unwrap();
    assert_eq!(store.list_runs(10).unwrap().len(), 3);
    assert_eq!(store.get_run(c.id).unwrap().as_ref(), Some(&c));
}

/// Deleting runs removes them with everything that points at them, in one transaction; a run
/// a named baseline points at is refused, kept or deleted with its baselines as asked.
pub fn check_delete_and_prune(store: &dyn Store) {
    use benchgate_store::BaselinedRuns;
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let old = small_run(t0, "aaaa", "m", 100.0);
    let pinned = small_run(t0 + Duration::days(1), "bbbb", "m", 100.0);
    let new = small_run(t0 + Duration::days(40), "cccc", "m", 100.0);
    store
        .put_runs(&[old.clone(), pinned.clone(), new.clone()])
        .unwrap();
    store.save_baseline("release", pinned.id).unwrap();

    let cutoff = t0 + Duration::days(10);
    assert_eq!(
        store.runs_started_before(cutoff).unwrap(),
        vec![old.id, pinned.id]
    );
    // Refused as a whole: not even `old` goes.
    let err = store
        .delete_runs(&[old.id, pinned.id], BaselinedRuns::Refuse)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::RunHasBaselines { id, names } if *id == pinned.id && names == &["release".to_string()]),
        "{err}"
    );
    assert_eq!(store.list_runs(10).unwrap().len(), 3);
    let ghost = Uuid::now_v7();
    assert!(matches!(
        store.delete_runs(&[old.id, ghost], BaselinedRuns::Refuse),
        Err(StoreError::UnknownRun { id }) if id == ghost
    ));
    assert_eq!(store.list_runs(10).unwrap().len(), 3);

    let done = store
        .delete_runs(&[old.id, pinned.id], BaselinedRuns::Keep)
        .unwrap();
    assert_eq!(done.runs, vec![old.id]);
    assert_eq!(done.kept.len(), 1);
    assert_eq!(done.kept[0].name, "release");
    assert!(done.baselines.is_empty());
    assert_eq!(store.get_run(old.id).unwrap(), None);
    assert!(store.get_run(pinned.id).unwrap().is_some());
    // The `last` index forgets the deleted run.
    let latest = store
        .latest_measurements(
            &Source::Command,
            &old.environment.fingerprint,
            &[("a".to_string(), Mode::Real)],
            Some(new.id),
        )
        .unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].run_id, pinned.id);

    let done = store
        .delete_runs(&[pinned.id], BaselinedRuns::Delete)
        .unwrap();
    assert_eq!(done.runs, vec![pinned.id]);
    assert_eq!(done.baselines.len(), 1);
    assert_eq!(store.baseline("release").unwrap(), None);
    let left: Vec<Uuid> = store.list_runs(10).unwrap().iter().map(|r| r.id).collect();
    assert_eq!(left, vec![new.id]);
    assert!(
        store
            .latest_measurements(
                &Source::Command,
                &old.environment.fingerprint,
                &[("a".to_string(), Mode::Real)],
                Some(new.id),
            )
            .unwrap()
            .is_empty()
    );
}

/// The scale bench's run shape: 100 benchmarks of one wall-time metric of 10 samples each
/// (SplitMix64 data around 100 µs · (b + 1)), the `i`-th run a minute after the previous one.
pub fn scale_run(i: u64) -> Run {
    let started = datetime!(2026-01-01 00:00:00 UTC) + Duration::minutes(i as i64);
    let mut run = Run::new(
        Source::Command,
        started,
        Provenance {
            commit: Some(format!("{:040x}", u128::from(i) * 0x9e37_79b9)),
            branch: Some("main".into()),
            dirty: Some(false),
            ..Provenance::default()
        },
        environment("scale"),
    );
    run.ended_at = started + Duration::seconds(30);
    let mut state = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    for b in 0..100 {
        let center = 1e5 * (1.0 + f64::from(b));
        let samples = (0..10).map(|_| center * (0.97 + 0.06 * next())).collect();
        run.benchmarks.push(Benchmark {
            mode: None,
            name: format!("suite/bench-{b:03}"),
            params: BTreeMap::new(),
            labels: BTreeMap::new(),
            command: None,
            status: Status::Ok,
            metrics: vec![metric(
                Measure::WallTime,
                Unit::Nanoseconds,
                Direction::LowerIsBetter,
                samples,
            )],
            series: Vec::new(),
        });
    }
    run
}

/// A column value as schema version 5 stored it (typed, so PostgreSQL gets typed NULLs).
#[derive(Debug, Clone)]
pub enum V5Value {
    Text(Option<String>),
    Int(i64),
    Real(Option<f64>),
    Blob(Option<Vec<u8>>),
    Bool(Option<bool>),
}

/// The statements (with `?N` placeholders) that wrote a run in schema version 5 — the old
/// store's own SQL, kept here to build real old-format stores.
pub const V5_INSERT_RUN: &str = "INSERT INTO runs (id, schema_tag, started_at, started_ns, \
     ended_at, source, mode, git_commit, git_branch, dirty, merge_base, tags, environment, \
     fingerprint, benchmark_count) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
pub const V5_INSERT_BENCHMARK: &str = "INSERT INTO benchmarks (run_id, ordinal, name, params, \
     command, status_kind, status_text, labels, mode) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
pub const V5_INSERT_METRIC: &str = "INSERT INTO metrics (run_id, bench_ordinal, ordinal, \
     bench_name, measure, unit, direction, exact, summary, median, samples, iterations, \
     precision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
pub const V5_INSERT_MEASUREMENT: &str = "INSERT INTO measurements (name, source, fingerprint, \
     mode, started_ns, run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

fn le_f64s(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The rows schema version 5 wrote for `run` (runs, benchmarks, metrics with JSON summaries and
/// sample blobs, measurements), as `(statement, values)`.
pub fn v5_rows(run: &Run) -> Vec<(&'static str, Vec<V5Value>)> {
    use V5Value::{Blob, Bool, Int, Real, Text};
    use time::format_description::well_known::Rfc3339;
    let t = |s: &str| Text(Some(s.to_string()));
    let json = |v: &dyn erased::Json| Text(Some(v.json()));
    let id = run.id.to_string();
    let p = &run.provenance;
    let started_ns = run.started_at.unix_timestamp_nanos() as i64;
    let mut rows = vec![(
        V5_INSERT_RUN,
        vec![
            t(&id),
            t(&run.schema),
            t(&run.started_at.format(&Rfc3339).unwrap()),
            Int(started_ns),
            t(&run.ended_at.format(&Rfc3339).unwrap()),
            t(&run.source.to_string()),
            t(p.mode.as_str()),
            Text(p.commit.clone()),
            Text(p.branch.clone()),
            Bool(p.dirty),
            Text(p.merge_base.clone()),
            json(&p.tags),
            json(&run.environment),
            t(&run.environment.fingerprint),
            Int(run.benchmarks.len() as i64),
        ],
    )];
    for (b, bench) in run.benchmarks.iter().enumerate() {
        let (kind, text) = match &bench.status {
            Status::Ok => ("ok", None),
            Status::Failed { message } => ("failed", Some(message.clone())),
            Status::Skipped { reason } => ("skipped", Some(reason.clone())),
        };
        rows.push((
            V5_INSERT_BENCHMARK,
            vec![
                t(&id),
                Int(b as i64),
                t(&bench.name),
                json(&bench.params),
                Text(bench.command.clone()),
                t(kind),
                Text(text),
                if bench.labels.is_empty() {
                    Text(None)
                } else {
                    json(&bench.labels)
                },
                Text(bench.mode.map(|m| m.as_str().to_string())),
            ],
        ));
        if bench.status == Status::Ok {
            rows.push((
                V5_INSERT_MEASUREMENT,
                vec![
                    t(&bench.name),
                    t(&run.source.to_string()),
                    t(&run.environment.fingerprint),
                    t(bench.mode_or(p.mode).as_str()),
                    Int(started_ns),
                    t(&id),
                ],
            ));
        }
        for (m, metric) in bench.metrics.iter().enumerate() {
            rows.push((
                V5_INSERT_METRIC,
                vec![
                    t(&id),
                    Int(b as i64),
                    Int(m as i64),
                    t(&bench.name),
                    t(metric.measure.as_str()),
                    t(metric.unit.as_str()),
                    t(match metric.direction {
                        Direction::LowerIsBetter => "lower_is_better",
                        Direction::HigherIsBetter => "higher_is_better",
                    }),
                    Bool(Some(metric.exact)),
                    json(&metric.summary),
                    Real(Some(metric.summary.median)),
                    Blob(Some(le_f64s(&metric.samples))),
                    Blob(
                        metric
                            .iterations
                            .as_ref()
                            .map(|i| i.iter().flat_map(|v| v.to_le_bytes()).collect()),
                    ),
                    match &metric.precision {
                        Some(p) => json(p),
                        None => Text(None),
                    },
                ],
            ));
        }
    }
    rows
}

mod erased {
    /// Anything serialisable, as JSON text (as schema version 5 stored its JSON columns).
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}

/// The runs of the version 5 → 6 conversion tests: every field the model has ([`rich_run`],
/// modes and precisions included), the `last` fixtures of [`v4_runs`], and a run whose summary
/// is not the one its samples give (an ingested summary, which must be kept as it is).
pub fn v5_runs() -> Vec<Run> {
    let mut runs = vec![rich_run()];
    runs.extend(v4_runs());
    let mut ingested = small_run(datetime!(2026-06-01 12:00 UTC), "feed", "here", 50.0);
    let summary = &mut ingested.benchmarks[0].metrics[0].summary;
    summary.mean = 49.123_456_789;
    summary.stddev = 0.75;
    summary.median_ci = None;
    runs.push(ingested);
    runs
}

/// After converting a version 5 store holding [`v5_runs`]: every run reads back exactly (sample
/// bits, summaries, modes, precisions), the series and `last` see them, and new runs are stored
/// beside them.
/// `runs` are the [`v5_runs`] written (their ids are fresh on each call).
pub fn check_packed_from_v5(store: &dyn Store, runs: &[Run]) {
    for run in runs {
        let back = store.get_run(run.id).unwrap().expect("converted run");
        assert_eq!(&back, run);
        assert_eq!(sample_bits(&back), sample_bits(run));
        assert_eq!(back.to_json_pretty(), run.to_json_pretty());
    }
    let ingested = &store.get_run(runs[4].id).unwrap().unwrap().benchmarks[0].metrics[0];
    assert_eq!(ingested.summary.mean, 49.123_456_789);
    assert_eq!(ingested.summary.median_ci, None);
    let series = store.series("a", &Measure::WallTime, 10).unwrap();
    let medians: Vec<(Uuid, f64)> = series.iter().map(|p| (p.run_id, p.median)).collect();
    assert_eq!(
        medians,
        [
            (runs[4].id, 50.0),
            (runs[1].id, 0.25),
            (runs[2].id, 1000.25)
        ]
    );
    assert_eq!(store.list_runs(10).unwrap().len(), runs.len());
    check_upgraded_from_v4(store);
}

/// `benchmark_names`: each benchmark with a point once, sorted; never a measure's or a source's
/// name (they share the `names` table); a quoted name taken literally.
pub fn check_benchmark_names(store: &dyn Store) {
    assert_eq!(store.benchmark_names().unwrap(), Vec::<String>::new());
    let at = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    store.put_run(&small_run(at, "c1", "m", 10.0)).unwrap();
    store
        .put_run(&small_run(at + time::Duration::SECOND, "c2", "m", 11.0))
        .unwrap();
    let mut quoted = small_run(at + time::Duration::SECOND * 2, "c3", "m", 12.0);
    quoted.benchmarks[0].name = "Z'); DROP TABLE names; --".into();
    store.put_run(&quoted).unwrap();
    assert_eq!(
        store.benchmark_names().unwrap(),
        ["Z'); DROP TABLE names; --", "a"]
    );
}

/// Tokens are stored by hash and found by it; the token itself is nowhere in the store.
pub fn check_tokens(store: &dyn Store) {
    use benchgate_store::{TokenScope, token_hash};
    assert!(store.list_tokens().unwrap().is_empty());
    let before = OffsetDateTime::now_utc() - Duration::seconds(1);
    let write = store
        .save_token(TokenScope::Write, &token_hash("secret-w"), None)
        .unwrap();
    let read = store
        .save_token(TokenScope::Read, &token_hash("secret-r"), Some("web"))
        .unwrap();
    assert_eq!(write.scope, TokenScope::Write);
    assert_eq!(read.project.as_deref(), Some("web"));
    assert!(write.created_at >= before);
    assert_ne!(write.id, read.id);

    assert_eq!(
        store.token_by_hash(&token_hash("secret-w")).unwrap(),
        Some(write.clone())
    );
    assert_eq!(
        store.token_by_hash(&token_hash("secret-r")).unwrap(),
        Some(read.clone())
    );
    assert_eq!(store.token_by_hash(&token_hash("secret-x")).unwrap(), None);
    assert_eq!(store.list_tokens().unwrap(), [write.clone(), read.clone()]);

    // The same token twice is refused (its hash is unique), and a non-hash is no hash.
    assert!(
        store
            .save_token(TokenScope::Read, &token_hash("secret-w"), None)
            .is_err()
    );
    let err = store
        .save_token(TokenScope::Read, "secret-w", None)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::InvalidArgument(m) if m.contains("64 lowercase hex digits")),
        "{err}"
    );
    assert_eq!(store.list_tokens().unwrap().len(), 2);

    // A revoked token opens nothing; revoking it again, or an id never given, says so.
    assert!(store.revoke_token(write.id).unwrap());
    assert_eq!(store.token_by_hash(&token_hash("secret-w")).unwrap(), None);
    assert!(!store.revoke_token(write.id).unwrap());
    assert!(!store.revoke_token(9_999).unwrap());
    assert_eq!(store.list_tokens().unwrap(), [read]);
}

/// Projects: runs stored into a project are counted, listed and read there only; the CLI's
/// runs are in `default`; branches group a project's runs; a quoted name is taken literally.
pub fn check_projects(store: &dyn Store) {
    use benchgate_store::{BranchSummary, DEFAULT_PROJECT, ProjectSummary, TokenScope, token_hash};
    let project = |name: &str, runs: usize, newest: Option<OffsetDateTime>| ProjectSummary {
        name: name.into(),
        runs,
        newest_run_at: newest,
    };
    assert_eq!(DEFAULT_PROJECT, "default");
    assert_eq!(store.projects().unwrap(), [project("default", 0, None)]);
    assert!(store.project_exists("default").unwrap());
    assert!(!store.project_exists("web").unwrap());

    let at = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    let s = time::Duration::SECOND;
    let local = small_run(at, "c1", "m", 10.0);
    store.put_run(&local).unwrap();
    let web1 = small_run(at + s, "c2", "m", 20.0);
    let mut web2 = small_run(at + s * 2, "c3", "m", 21.0);
    web2.provenance.branch = Some("feature/x".into());
    let mut web3 = small_run(at + s * 3, "c4", "m", 22.0);
    web3.provenance.branch = None;
    store
        .put_runs_in("web", &[web1.clone(), web2.clone(), web3.clone()])
        .unwrap();
    let odd = "x'); DROP TABLE runs; --";
    let mut odd_run = small_run(at + s * 4, "c5", "m", 30.0);
    odd_run.benchmarks[0].name = "only-odd".into();
    store.put_run_in(odd, &odd_run).unwrap();

    assert_eq!(
        store.projects().unwrap(),
        [
            project("default", 1, Some(at)),
            project("web", 3, Some(at + s * 3)),
            project(odd, 1, Some(at + s * 4)),
        ]
    );
    assert!(store.project_exists(odd).unwrap());
    let ids = |runs: Vec<benchgate_store::RunSummary>| {
        runs.iter()
            .map(|r| (r.id, r.project.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.list_runs_in("web", 10).unwrap()),
        [
            (web3.id, "web".to_string()),
            (web2.id, "web".to_string()),
            (web1.id, "web".to_string())
        ]
    );
    assert_eq!(
        ids(store.list_runs_in("web", 1).unwrap()),
        [(web3.id, "web".to_string())]
    );
    assert_eq!(
        ids(store.list_runs_in("default", 10).unwrap()),
        [(local.id, "default".to_string())]
    );
    assert_eq!(
        ids(store.list_runs_in(odd, 10).unwrap()),
        [(odd_run.id, odd.to_string())]
    );
    assert!(store.list_runs_in("nope", 10).unwrap().is_empty());
    assert_eq!(store.list_runs(10).unwrap().len(), 5);
    assert_eq!(
        store.run_summary(web2.id).unwrap().map(|r| r.project),
        Some("web".to_string())
    );
    assert_eq!(store.run_summary(Uuid::nil()).unwrap(), None);

    let branch = |name: Option<&str>, runs: usize, run: &Run| BranchSummary {
        name: name.map(str::to_string),
        runs,
        newest_run_id: run.id,
        newest_run_at: run.started_at,
        newest_commit: run.provenance.commit.clone(),
    };
    assert_eq!(
        store.branches("web").unwrap(),
        [
            branch(Some("feature/x"), 1, &web2),
            branch(Some("main"), 1, &web1),
            branch(None, 1, &web3),
        ]
    );
    let later_main = small_run(at + s * 5, "c6", "m", 10.5);
    store.put_run(&later_main).unwrap();
    assert_eq!(
        store.branches("default").unwrap(),
        [branch(Some("main"), 2, &later_main)]
    );
    assert!(store.branches("nope").unwrap().is_empty());

    assert_eq!(store.benchmark_names().unwrap(), ["a", "only-odd"]);
    assert_eq!(store.benchmark_names_in("web").unwrap(), ["a"]);
    assert_eq!(store.benchmark_names_in(odd).unwrap(), ["only-odd"]);
    assert!(store.benchmark_names_in("nope").unwrap().is_empty());
    let medians = |points: Vec<benchgate_store::SeriesPoint>| {
        points.iter().map(|p| p.median).collect::<Vec<_>>()
    };
    let wall = Measure::WallTime;
    assert_eq!(
        medians(store.series_in("web", "a", &wall, 10).unwrap()),
        [20.0, 21.0, 22.0]
    );
    assert_eq!(
        medians(store.series_in("web", "a", &wall, 2).unwrap()),
        [21.0, 22.0]
    );
    assert_eq!(
        medians(store.series_in("default", "a", &wall, 10).unwrap()),
        [10.0, 10.5]
    );
    assert!(store.series_in(odd, "a", &wall, 10).unwrap().is_empty());
    assert_eq!(
        medians(store.series("a", &wall, 10).unwrap()),
        [10.0, 20.0, 21.0, 22.0, 10.5]
    );

    // A bad project name stores nothing; a token's project is a project.
    for bad in ["", "a/b", "tab\there"] {
        let mut run = small_run(at + s * 9, "c9", "m", 1.0);
        run.benchmarks[0].name = "never".into();
        let err = store.put_run_in(bad, &run).unwrap_err();
        assert!(
            matches!(&err, StoreError::BadProjectName { name, .. } if name == bad),
            "{err}"
        );
        assert_eq!(store.get_run(run.id).unwrap(), None);
    }
    let err = store
        .save_token(TokenScope::Read, &token_hash("t-bad"), Some("a/b"))
        .unwrap_err();
    assert!(matches!(err, StoreError::BadProjectName { .. }), "{err}");
    store
        .save_token(TokenScope::Write, &token_hash("t-mobile"), Some("mobile"))
        .unwrap();
    assert_eq!(store.list_tokens().unwrap().len(), 1);
    assert_eq!(
        store
            .projects()
            .unwrap()
            .iter()
            .map(|p| (p.name.as_str(), p.runs))
            .collect::<Vec<_>>(),
        [("default", 2), ("mobile", 0), ("web", 3), (odd, 1)]
    );
}

/// `previous_run`: the newest earlier run of the same project, branch, machine, mode and source.
pub fn check_previous_run(store: &dyn Store) {
    let at = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    let s = time::Duration::SECOND;
    let first = small_run(at, "c1", "m", 10.0);
    let second = small_run(at + s, "c2", "m", 11.0);
    // Later than `second`, but each differs in one way from the judged run below.
    let other_project = small_run(at + s * 2, "c3", "m", 12.0);
    let mut other_branch = small_run(at + s * 3, "c4", "m", 13.0);
    other_branch.provenance.branch = Some("feature".into());
    let other_machine = small_run(at + s * 4, "c5", "other", 14.0);
    let mut other_mode = small_run(at + s * 5, "c6", "m", 15.0);
    other_mode.provenance.mode = Mode::Simulated;
    let mut other_source = small_run(at + s * 6, "c7", "m", 16.0);
    other_source.source = Source::Ingest("go".into());
    let judged = small_run(at + s * 7, "c8", "m", 17.0);
    let after = small_run(at + s * 8, "c9", "m", 18.0);
    store
        .put_runs_in(
            "web",
            &[
                first.clone(),
                second.clone(),
                other_branch.clone(),
                other_machine,
                other_mode,
                other_source,
                judged.clone(),
                after.clone(),
            ],
        )
        .unwrap();
    store.put_run_in("api", &other_project).unwrap();
    let previous = |run: &Run| store.previous_run(run.id).unwrap().map(|r| r.id);
    assert_eq!(previous(&judged), Some(second.id));
    assert_eq!(previous(&after), Some(judged.id));
    assert_eq!(previous(&second), Some(first.id));
    assert_eq!(previous(&first), None);
    assert_eq!(previous(&other_project), None);
    assert_eq!(previous(&other_branch), None);
    assert_eq!(store.previous_run(Uuid::nil()).unwrap(), None);

    // Runs without a branch follow runs without a branch; equal start times go by id.
    let mut a = small_run(at + s * 20, "d1", "m", 1.0);
    let mut b = small_run(at + s * 20, "d2", "m", 1.0);
    a.provenance.branch = None;
    b.provenance.branch = None;
    let (low, high) = if a.id < b.id { (a, b) } else { (b, a) };
    store
        .put_runs_in("web", &[high.clone(), low.clone()])
        .unwrap();
    assert_eq!(previous(&high), Some(low.id));
    assert_eq!(previous(&low), None);
}

/// Turns a version 8 database back into what version 7 wrote (the same SQL on both backends):
/// runs without a project, no `projects` table.
pub const DOWNGRADE_TO_V7: &str = "
DROP INDEX runs_project;
ALTER TABLE runs DROP COLUMN project;
DROP TABLE projects;
DELETE FROM schema_migrations WHERE version = 8;
";

/// The runs and token of a store to be downgraded to version 7 by [`DOWNGRADE_TO_V7`].
pub fn v7_contents(store: &dyn Store) -> Vec<Run> {
    use benchgate_store::{TokenScope, token_hash};
    let at = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    let runs = vec![
        rich_run(),
        small_run(at, "c1", "m", 10.0),
        small_run(at + time::Duration::SECOND, "c2", "m", 11.0),
    ];
    store.put_runs(&runs).unwrap();
    store
        .save_token(TokenScope::Write, &token_hash("legacy"), Some("legacy"))
        .unwrap();
    runs
}

/// A version 7 store, upgraded: its runs read back unchanged, all in `default`, and the
/// project its token names is a project.
pub fn check_upgraded_from_v7(store: &dyn Store, runs: &[Run]) {
    use benchgate_store::ProjectSummary;
    for run in runs {
        assert_eq!(store.get_run(run.id).unwrap().as_ref(), Some(run));
    }
    let listed = store.list_runs_in("default", 10).unwrap();
    assert_eq!(listed.len(), runs.len());
    assert!(listed.iter().all(|r| r.project == "default"), "{listed:?}");
    let newest = runs.iter().map(|r| r.started_at).max();
    assert_eq!(
        store.projects().unwrap(),
        [
            ProjectSummary {
                name: "default".into(),
                runs: runs.len(),
                newest_run_at: newest,
            },
            ProjectSummary {
                name: "legacy".into(),
                runs: 0,
                newest_run_at: None,
            },
        ]
    );
    assert_eq!(
        store
            .series_in("default", "a", &Measure::WallTime, 10)
            .unwrap()
            .iter()
            .map(|p| p.median)
            .collect::<Vec<_>>(),
        [10.0, 11.0]
    );
}

/// A declared baseline (SPEC §7.3) is a run of source `declared` with one value per measure and
/// its spread and thresholds in labels: stored and read back whole, found by its name, never the
/// newest run of a measured source.
pub fn check_declared_round_trip(store: &dyn Store) {
    let mut bench = Benchmark {
        name: "index".into(),
        params: BTreeMap::new(),
        labels: BTreeMap::from([("declared.file".into(), "known.toml".into())]),
        command: None,
        mode: None,
        status: Status::Ok,
        metrics: vec![metric(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            vec![500e6],
        )],
        series: Vec::new(),
    };
    benchgate_model::DeclaredBounds {
        spread: Some(0.05),
        warn: Some(0.1),
        fail: Some(0.2),
    }
    .write(&Measure::WallTime, &mut bench.labels);
    let mut run = Run::new(
        Source::Declared,
        datetime!(2026-12-06 23:00 UTC),
        Provenance::default(),
        Environment {
            fingerprint: "declared".into(),
            ..Environment::default()
        },
    );
    run.benchmarks.push(bench);
    store.put_run(&run).unwrap();
    store.save_baseline("known", run.id).unwrap();

    let back = store.get_run(run.id).unwrap().expect("stored run");
    assert_eq!(back, run);
    assert_eq!(back.source, Source::Declared);
    assert_eq!(
        benchgate_model::DeclaredBounds::of(&back.benchmarks[0], &Measure::WallTime).spread,
        Some(0.05)
    );
    assert_eq!(
        store.run_summary(run.id).unwrap().unwrap().source,
        Source::Declared
    );
    assert_eq!(store.baseline("known").unwrap(), Some(run.id));
    assert!(
        store
            .latest_runs_of_source(&Source::Command, None, 5)
            .unwrap()
            .is_empty()
    );
}
