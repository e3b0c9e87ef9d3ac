//! The store at scale (a benchmark, not a test): insert N runs × 100 benchmarks (10 000 runs =
//! 1 M metrics), then time baseline resolution (`last` as the newest run, and per benchmark for
//! the newest run's 100 benchmarks: the query alone, and with the runs loaded and pruned), a
//! 100-point history query and a full comparison of the newest run against `window:30`, on SQLite
//! and — when `BENCHGATE_TEST_POSTGRES_URL` or `--postgres URL` is given — PostgreSQL.
//!
//! `cargo bench -p benchgate-store --bench scale -- [--runs N] [--postgres URL]`

mod common;

use common::{BENCHMARKS, Prng, SAMPLES, environment, make_run};

use std::time::{Duration, Instant};

use benchgate_gate::{CompareOptions, compare_runs, pool_runs};
use benchgate_model::Measure;
use benchgate_store::{Scope, Selector, Store, resolve, resolve_in_scope};

/// Median wall time of `repeat` calls of `f`.
fn time_it<T>(repeat: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat {
        let start = Instant::now();
        last = Some(f());
        times.push(start.elapsed());
    }
    times.sort();
    (times[times.len() / 2], last.expect("repeat > 0"))
}

struct Figures {
    backend: &'static str,
    insert: Duration,
    last: Duration,
    per_bench_query: Duration,
    per_bench: Duration,
    named: Duration,
    series: Duration,
    window_load: Duration,
    window_judge: Duration,
}

fn measure(store: &dyn Store, runs: usize) -> Figures {
    let env = environment();
    let mut rng = Prng(7);
    let start = Instant::now();
    let mut newest = None;
    for i in 0..runs {
        let run = make_run(i, &mut rng, &env);
        store.put_run(&run).expect("put_run");
        if (i + 1) % 1000 == 0 {
            eprintln!(
                "  {}: {} runs stored ({:.1?})",
                store.backend(),
                i + 1,
                start.elapsed()
            );
        }
        newest = Some(run.id);
    }
    let insert = start.elapsed();
    let newest = newest.expect("at least one run");
    let fp = &env.fingerprint;

    let (last, _) = time_it(9, || {
        resolve(store, &Selector::Last, fp, None).expect("last")
    });
    // `last` per benchmark for the newest run: 100 lookups in one query, then the run(s) found.
    let current = store.get_run(newest).expect("get").expect("stored");
    let wanted = Scope::benchmarks_of(&current);
    let scope = Scope::of_run(&current, &wanted);
    let (per_bench_query, found) = time_it(9, || {
        store
            .latest_measurements(scope.source, scope.fingerprint, &wanted, scope.exclude)
            .expect("latest measurements")
    });
    assert_eq!(found.len(), BENCHMARKS.min(runs - 1));
    let (per_bench, resolved) = time_it(9, || {
        resolve_in_scope(store, &Selector::Last, &scope).expect("last per benchmark")
    });
    if runs > 1 {
        let resolved = resolved.expect("a previous run");
        assert_eq!(resolved.runs.len(), 1);
        assert_eq!(resolved.runs[0].benchmarks.len(), BENCHMARKS);
    }
    store.save_baseline("main", newest).expect("save baseline");
    let (named, _) = time_it(9, || {
        resolve(store, &Selector::Name("main".into()), fp, None).expect("name")
    });
    let (series, points) = time_it(9, || {
        store
            .series("suite/bench-042", &Measure::WallTime, 100)
            .expect("series")
    });
    assert_eq!(points.len(), 100.min(runs));

    let (window_load, pooled) = time_it(3, || {
        let resolved = resolve(store, &Selector::Window(30), fp, Some(newest))
            .expect("window")
            .expect("runs");
        pool_runs(&resolved.runs).expect("pooled")
    });
    let options = CompareOptions::default();
    let (window_judge, comparison) = time_it(3, || {
        compare_runs(&pooled, "window:30", &current, "newest", &options)
    });
    assert_eq!(comparison.verdicts.len(), BENCHMARKS);
    Figures {
        backend: store.backend(),
        insert,
        last,
        per_bench_query,
        per_bench,
        named,
        series,
        window_load,
        window_judge,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut runs = 10_000usize;
    let mut postgres = std::env::var("BENCHGATE_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--postgres" => postgres = args.next(),
            _ => {} // `cargo bench` passes --bench
        }
    }
    println!(
        "# {runs} runs × {BENCHMARKS} benchmarks = {} metrics, {SAMPLES} samples each",
        runs * BENCHMARKS
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("history.db");
    let sqlite = benchgate_store::open(&format!("sqlite://{}", path.display())).expect("sqlite");
    let mut all = vec![measure(sqlite.as_ref(), runs)];
    let db_size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(path.with_extension("db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    match &postgres {
        Some(url) => {
            let store = benchgate_store::open(url).expect("postgres");
            all.push(measure(store.as_ref(), runs));
        }
        None => println!("# PostgreSQL: skipped (no BENCHGATE_TEST_POSTGRES_URL / --postgres)"),
    }
    println!(
        "{:<9} {:>10} {:>9} {:>9} {:>13} {:>13} {:>11} {:>11} {:>13} {:>12}",
        "backend",
        "insert",
        "runs/s",
        "last",
        "last/bench q",
        "last/bench",
        "name",
        "series 100",
        "window:30 load",
        "judge 100"
    );
    for f in &all {
        println!(
            "{:<9} {:>9.1}s {:>9.0} {:>9.2?} {:>13.2?} {:>13.2?} {:>11.2?} {:>11.2?} {:>14.2?} {:>12.2?}",
            f.backend,
            f.insert.as_secs_f64(),
            runs as f64 / f.insert.as_secs_f64(),
            f.last,
            f.per_bench_query,
            f.per_bench,
            f.named,
            f.series,
            f.window_load,
            f.window_judge
        );
    }
    println!(
        "# SQLite file: {:.1} MiB, {:.1} B per metric (goal ≤ 150 B)",
        db_size as f64 / (1 << 20) as f64,
        db_size as f64 / (runs * BENCHMARKS) as f64
    );
    let sqlite = &all[0];
    let comparison = sqlite.window_load + sqlite.window_judge;
    println!(
        "goal (SQLite): history query < 50 ms: {} ({:.2?}); comparison against window:30 < 500 ms: {} ({:.2?})",
        if sqlite.series < Duration::from_millis(50) {
            "met"
        } else {
            "NOT met"
        },
        sqlite.series,
        if comparison < Duration::from_millis(500) {
            "met"
        } else {
            "NOT met"
        },
        comparison
    );
}
