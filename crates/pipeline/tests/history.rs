//! `history`: a benchmark's stored series on a real SQLite store, filtered by machine, cut at a
//! run and to the newest points, with the planted shift of level found.

use benchgate_model::{Benchmark, Direction, Measure, Metric, Run, Source, Status, Unit};
use benchgate_pipeline::history::{HistoryQuery, history};
use benchgate_store::Store;
use time::{Duration, OffsetDateTime};

/// A command run of benchmark `a`, started `minute` minutes into the day, on the machine
/// `fingerprint`, with wall times around `ms` milliseconds.
fn run(minute: i64, fingerprint: &str, ms: f64) -> Run {
    let mut environment = benchgate_provenance::detect_environment();
    environment.fingerprint = fingerprint.into();
    let mut run = Run::new(
        Source::Command,
        OffsetDateTime::UNIX_EPOCH + Duration::minutes(minute),
        Default::default(),
        environment,
    );
    let samples = (0..5).map(|i| (ms + f64::from(i) * 0.01) * 1e6).collect();
    run.benchmarks.push(Benchmark {
        mode: None,
        name: "a".into(),
        params: Default::default(),
        labels: Default::default(),
        command: Some("true".into()),
        status: Status::Ok,
        metrics: Metric::from_samples(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            samples,
        )
        .into_iter()
        .collect(),
        series: Vec::new(),
    });
    run
}

#[test]
fn a_machines_history_is_cut_at_a_run_and_to_the_newest_and_its_shift_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let store: Box<dyn Store> =
        benchgate_store::open(&format!("sqlite://{}", dir.path().join("h.db").display())).unwrap();
    // Machine "m": four runs at 10 ms, then four at 20 ms; machine "other" in between, slower.
    let mut mine = Vec::new();
    for i in 0..8 {
        let ms = if i < 4 { 10.0 } else { 20.0 };
        let r = run(2 * i, "m", ms);
        store.put_run(&r).unwrap();
        mine.push(r.id);
        store.put_run(&run(2 * i + 1, "other", 50.0)).unwrap();
    }
    let query = HistoryQuery {
        benchmark: "a",
        measure: &Measure::WallTime,
        fingerprint: Some("m"),
        through_run: None,
        limit: 100,
        min_segment: 3,
    };
    let h = history(store.as_ref(), &query).unwrap();
    let ids: Vec<_> = h.points.iter().map(|p| p.run_id).collect();
    assert_eq!(ids, mine);
    assert_eq!(h.points[0].median, 10.02e6);
    assert_eq!(h.change_points.len(), 1, "{:?}", h.change_points);
    let shift = &h.change_points[0];
    assert_eq!(shift.index, 4);
    assert_eq!(
        (shift.before_median, shift.after_median),
        (10.02e6, 20.02e6)
    );

    // Every machine's runs.
    let all = history(
        store.as_ref(),
        &HistoryQuery {
            fingerprint: None,
            ..query
        },
    )
    .unwrap();
    assert_eq!(all.points.len(), 16);
    let newest = history(
        store.as_ref(),
        &HistoryQuery {
            fingerprint: None,
            limit: 3,
            ..query
        },
    )
    .unwrap();
    let ids: Vec<_> = newest.points.iter().map(|p| p.run_id).collect();
    assert_eq!(ids[1], mine[7], "the newest three of both machines");
    assert_eq!(newest.points.len(), 3);

    // Up to the sixth run of "m", then its newest three of those.
    let through = history(
        store.as_ref(),
        &HistoryQuery {
            through_run: Some(mine[5]),
            limit: 3,
            ..query
        },
    )
    .unwrap();
    let ids: Vec<_> = through.points.iter().map(|p| p.run_id).collect();
    assert_eq!(ids, mine[3..6]);
    assert_eq!(
        through.change_points,
        Vec::new(),
        "too few runs for two levels"
    );

    // No such benchmark: an empty history, no error.
    let none = history(
        store.as_ref(),
        &HistoryQuery {
            benchmark: "b",
            ..query
        },
    )
    .unwrap();
    assert!(none.points.is_empty() && none.change_points.is_empty());
}

/// `project_history` reads one project's points only, with its filters and shifts, while
/// `history` reads every project's.
#[test]
fn a_projects_history_holds_its_own_runs_only() {
    use benchgate_pipeline::history::project_history;
    let dir = tempfile::tempdir().unwrap();
    let store: Box<dyn Store> =
        benchgate_store::open(&format!("sqlite://{}", dir.path().join("h.db").display())).unwrap();
    let mut web = Vec::new();
    for i in 0..8 {
        let ms = if i < 4 { 10.0 } else { 20.0 };
        let r = run(2 * i, "m", ms);
        store.put_run_in("web", &r).unwrap();
        web.push(r.id);
        store.put_run_in("api", &run(2 * i + 1, "m", 50.0)).unwrap();
    }
    let query = HistoryQuery {
        benchmark: "a",
        measure: &Measure::WallTime,
        fingerprint: Some("m"),
        through_run: None,
        limit: 100,
        min_segment: 3,
    };
    let found = project_history(store.as_ref(), "web", &query).unwrap();
    assert_eq!(
        found.points.iter().map(|p| p.run_id).collect::<Vec<_>>(),
        web
    );
    assert_eq!(
        found
            .change_points
            .iter()
            .map(|c| c.index)
            .collect::<Vec<_>>(),
        [4]
    );
    let limited = HistoryQuery { limit: 3, ..query };
    let found = project_history(store.as_ref(), "web", &limited).unwrap();
    assert_eq!(
        found.points.iter().map(|p| p.run_id).collect::<Vec<_>>(),
        web[5..]
    );
    assert!(
        project_history(store.as_ref(), "default", &query)
            .unwrap()
            .points
            .is_empty()
    );
    assert_eq!(history(store.as_ref(), &query).unwrap().points.len(), 16);
}
