//! `history`: a benchmark's stored series on a real SQLite store, filtered by machine, cut at a
//! run and to the newest points, with the planted shift of level found.

use benchgate_model::{Benchmark, Direction, Measure, Metric, Run, Source, Status, Unit};
use benchgate_pipeline::history::{
    HistoryQuery, MachineFilter, RangeBound, RangeError, RangeQuery, history, history_range,
};
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

/// `run` on the machine named `hostname` (its fingerprint `fp-HOSTNAME`).
fn run_on(minute: i64, hostname: &str, ms: f64) -> Run {
    let mut r = run(minute, &format!("fp-{hostname}"), ms);
    r.environment.hostname = hostname.into();
    r
}

/// A range of a history: the newest run's machine by default, another by fingerprint or
/// hostname, or all; cut by run ids or RFC 3339 dates and a limit, the shifts found among the
/// points kept; bad bounds and machines name their parameter.
#[test]
fn a_range_of_a_history_is_one_machines_runs_between_two_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let store: Box<dyn Store> =
        benchgate_store::open(&format!("sqlite://{}", dir.path().join("h.db").display())).unwrap();
    // "ci" measures at minutes 0, 2, …, 22 (six at 10 ms, six at 20 ms); "laptop" at 1, 3, …,
    // 9; two machines call themselves "twin". The newest point (minute 23) is "ci"'s.
    let mut ci = Vec::new();
    for i in 0..12 {
        let r = run_on(2 * i, "ci", if i < 6 { 10.0 } else { 20.0 });
        store.put_run(&r).unwrap();
        ci.push(r.id);
    }
    let mut laptop = Vec::new();
    for i in 0..5 {
        let r = run_on(2 * i + 1, "laptop", 50.0);
        store.put_run(&r).unwrap();
        laptop.push(r.id);
    }
    let mut twin = run(13, "fp-twin-1", 30.0);
    twin.environment.hostname = "twin".into();
    store.put_run(&twin).unwrap();
    let mut twin = run(15, "fp-twin-2", 30.0);
    twin.environment.hostname = "twin".into();
    store.put_run(&twin).unwrap();
    let mut newest = run_on(23, "ci", 20.0);
    newest.environment.fingerprint = "fp-ci".into();
    store.put_run(&newest).unwrap();
    ci.push(newest.id);

    let query = RangeQuery {
        project: None,
        benchmark: "a",
        measure: &Measure::WallTime,
        machine: MachineFilter::Newest,
        from: None,
        to: None,
        limit: usize::MAX,
        min_segment: 3,
    };
    let ids = |h: &benchgate_pipeline::history::RangedHistory| -> Vec<uuid::Uuid> {
        h.history.points.iter().map(|p| p.run_id).collect()
    };
    let whole = history_range(store.as_ref(), &query).unwrap();
    assert_eq!(whole.machine.as_deref(), Some("fp-ci"));
    assert_eq!(ids(&whole), ci);
    assert_eq!((whole.series_len, whole.in_range, whole.first), (13, 13, 0));
    let machines: Vec<(&str, &str, usize)> = whole
        .machines
        .iter()
        .map(|m| (m.hostname.as_str(), m.fingerprint.as_str(), m.points))
        .collect();
    assert_eq!(
        machines,
        [
            ("ci", "fp-ci", 13),
            ("twin", "fp-twin-2", 1),
            ("twin", "fp-twin-1", 1),
            ("laptop", "fp-laptop", 5)
        ]
    );
    assert_eq!(whole.history.change_points.len(), 1);
    assert_eq!(whole.history.change_points[0].index, 6);

    // Runs 3 through 9 of "ci" by id: the shift is found among them, at their own index 3.
    let between = history_range(
        store.as_ref(),
        &RangeQuery {
            from: Some(RangeBound::Run(ci[3])),
            to: Some(RangeBound::Run(ci[9])),
            ..query
        },
    )
    .unwrap();
    assert_eq!(ids(&between), ci[3..10]);
    assert_eq!((between.in_range, between.first), (7, 3));
    assert_eq!(between.history.change_points.len(), 1);
    assert_eq!(between.history.change_points[0].index, 3);
    // The newest three of them; then runs 0..=5 alone have one level, no shift.
    let limited = history_range(
        store.as_ref(),
        &RangeQuery {
            limit: 3,
            ..between_query(&query, ci[3], ci[9])
        },
    )
    .unwrap();
    assert_eq!(ids(&limited), ci[7..10]);
    assert_eq!((limited.in_range, limited.first), (7, 7));
    let flat = history_range(
        store.as_ref(),
        &RangeQuery {
            to: Some(RangeBound::Run(ci[5])),
            ..query
        },
    )
    .unwrap();
    assert_eq!(ids(&flat), ci[..6]);
    assert!(flat.history.change_points.is_empty());

    // By time: the runs started from minute 4 through minute 10 (RFC 3339, both inclusive).
    let parse = |parameter, text: &str| RangeBound::parse(parameter, text).unwrap();
    let timed = history_range(
        store.as_ref(),
        &RangeQuery {
            from: Some(parse("from", "1970-01-01T00:04:00Z")),
            to: Some(parse("to", "1970-01-01T00:10:00+00:00")),
            ..query
        },
    )
    .unwrap();
    assert_eq!(ids(&timed), ci[2..6]);
    // A day: all of the day; the day before: nothing, and no error.
    let day = history_range(
        store.as_ref(),
        &RangeQuery {
            from: Some(parse("from", "1970-01-01")),
            to: Some(parse("to", "1970-01-01")),
            ..query
        },
    )
    .unwrap();
    assert_eq!(ids(&day), ci);
    let before = history_range(
        store.as_ref(),
        &RangeQuery {
            to: Some(parse("to", "1969-12-31")),
            ..query
        },
    )
    .unwrap();
    assert!(before.history.points.is_empty());
    assert_eq!(before.series_len, 13);

    // Another machine, by hostname or fingerprint; every machine.
    for name in ["laptop", "fp-laptop", " laptop "] {
        let other = history_range(
            store.as_ref(),
            &RangeQuery {
                machine: MachineFilter::Named(name),
                ..query
            },
        )
        .unwrap();
        assert_eq!(ids(&other), laptop, "{name}");
    }
    let all = history_range(
        store.as_ref(),
        &RangeQuery {
            machine: MachineFilter::All,
            ..query
        },
    )
    .unwrap();
    assert_eq!((all.machine.clone(), all.history.points.len()), (None, 20));

    // Mistakes name their parameter.
    let error = |q: RangeQuery<'_>| history_range(store.as_ref(), &q).unwrap_err();
    let e = error(RangeQuery {
        machine: MachineFilter::Named("nowhere"),
        ..query
    });
    assert_eq!(e.parameter(), Some("machine"));
    assert_eq!(
        e.to_string(),
        "machine: no point of this series was measured on a machine with the fingerprint or \
         hostname \"nowhere\" (its machines: ci (fp-ci), twin (fp-twin-2), twin (fp-twin-1), \
         laptop (fp-laptop))"
    );
    let e = error(RangeQuery {
        machine: MachineFilter::Named("twin"),
        ..query
    });
    assert_eq!(
        e.to_string(),
        "machine: \"twin\" is the hostname of several machines: name one by its fingerprint \
         (fp-twin-2, fp-twin-1)"
    );
    let e = error(RangeQuery {
        from: Some(RangeBound::Run(laptop[0])),
        ..query
    });
    assert_eq!(e.parameter(), Some("from"));
    assert_eq!(
        e.to_string(),
        format!(
            "from: run {} is not a point of this series on machine fp-ci",
            laptop[0]
        )
    );
    for reversed in [
        between_query(&query, ci[9], ci[4]),
        RangeQuery {
            from: Some(parse("from", "1970-01-02")),
            to: Some(parse("to", "1970-01-01")),
            ..query
        },
    ] {
        let e = error(reversed);
        assert!(matches!(e, RangeError::Reversed), "{e}");
        assert_eq!(e.parameter(), Some("to"));
    }
    let e = RangeBound::parse("to", "yesterday").unwrap_err();
    assert_eq!(
        e.to_string(),
        "to: expected an RFC 3339 date (2026-09-21) or date-time (2026-09-21T10:00:00Z), or a \
         run id, got \"yesterday\""
    );
    assert_eq!(
        RangeBound::parse("from", "2026-02-30")
            .unwrap_err()
            .parameter(),
        Some("from")
    );
}

fn between_query<'a>(query: &RangeQuery<'a>, from: uuid::Uuid, to: uuid::Uuid) -> RangeQuery<'a> {
    RangeQuery {
        from: Some(RangeBound::Run(from)),
        to: Some(RangeBound::Run(to)),
        ..*query
    }
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
