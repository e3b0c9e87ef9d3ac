//! The pipeline's store-and-judge tail on a real SQLite store: what is stored, the outcome, the
//! notes handed back, and the baseline found for the next run.

use benchgate_gate::CompareOptions;
use benchgate_model::{
    Benchmark, Direction, Measure, Metric, Mode, Outcome, Run, Source, Status, Unit, VerdictKind,
};
use benchgate_pipeline::baseline::{
    BaselineChoice, Judged, accept_baseline, find_baseline, pooled_baseline, resolve_baseline,
    select_run,
};
use benchgate_pipeline::judge::{Findings, store_and_judge};
use benchgate_store::{Selector, Store};

fn store(dir: &tempfile::TempDir) -> Box<dyn Store> {
    benchgate_store::open(&format!("sqlite://{}", dir.path().join("h.db").display()))
        .expect("a new SQLite store")
}

/// A command run of one benchmark `a` with wall times around `ms` milliseconds.
fn run(ms: f64) -> Run {
    let mut run = Run::new(
        Source::Command,
        time::OffsetDateTime::now_utc(),
        Default::default(),
        benchgate_provenance::detect_environment(),
    );
    let samples = (0..10).map(|i| (ms + f64::from(i) * 0.01) * 1e6).collect();
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
fn the_first_run_is_stored_judged_new_and_its_notes_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let first = run(10.0);
    let judgement = store_and_judge(
        store.as_ref(),
        &first,
        None,
        &CompareOptions::default(),
        &[],
        Findings {
            notes: vec!["this run is the first".into()],
            command_failures: Vec::new(),
            ..Findings::default()
        },
    )
    .unwrap();
    assert_eq!(judgement.outcome, Outcome::Passed);
    assert_eq!(judgement.comparison.outcome, Outcome::Passed);
    assert_eq!(judgement.notes, ["this run is the first"]);
    let kinds: Vec<(&str, VerdictKind)> = judgement
        .comparison
        .verdicts
        .iter()
        .map(|v| (v.benchmark.as_str(), v.kind))
        .collect();
    assert_eq!(kinds, [("a", VerdictKind::New)]);
    let stored = store.get_run(first.id).unwrap().expect("the run is stored");
    assert_eq!(stored.benchmarks[0].name, "a");
}

#[test]
fn a_failed_command_is_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let judgement = store_and_judge(
        store.as_ref(),
        &run(10.0),
        None,
        &CompareOptions::default(),
        &[],
        Findings {
            notes: Vec::new(),
            command_failures: vec!["`cargo bench` failed (exit status: 101)".into()],
            ..Findings::default()
        },
    )
    .unwrap();
    assert_eq!(judgement.outcome, Outcome::CommandFailed);
    assert_eq!(
        judgement.comparison.command_failures,
        ["`cargo bench` failed (exit status: 101)"]
    );
}

#[test]
fn the_next_run_finds_the_stored_one_as_its_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let first = run(10.0);
    let second = run(10.0);
    assert!(
        resolve_baseline(store.as_ref(), &Selector::Last, &second)
            .unwrap()
            .is_none()
    );
    store_and_judge(
        store.as_ref(),
        &first,
        None,
        &CompareOptions::default(),
        &[],
        Findings::default(),
    )
    .unwrap();

    let (pooled, label) = resolve_baseline(store.as_ref(), &Selector::Last, &second)
        .unwrap()
        .expect("the first run is the baseline");
    assert_eq!(label, format!("last (run {})", first.id));
    assert_eq!(pooled.benchmarks.len(), 1);
    assert_eq!(
        pooled.benchmarks[0].metric(&Measure::WallTime),
        first.benchmarks[0].metric(&Measure::WallTime)
    );

    // The same through the gate's own lookup, which then judges the second run against it.
    let benchmarks = vec![("a".to_string(), Mode::Real)];
    let judged = Judged {
        source: &Source::Command,
        fingerprint: &second.environment.fingerprint,
        benchmarks: &benchmarks,
        filtered: false,
    };
    let mut notes = Vec::new();
    let found = find_baseline(
        Some(store.as_ref()),
        &BaselineChoice::new(None, None, None),
        &judged,
        false,
        &mut notes,
    )
    .unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    let baseline = pooled_baseline(found, &second, false);
    let judgement = store_and_judge(
        store.as_ref(),
        &second,
        baseline,
        &CompareOptions::default(),
        &[],
        Findings::default(),
    )
    .unwrap();
    let kinds: Vec<VerdictKind> = judgement
        .comparison
        .verdicts
        .iter()
        .map(|v| v.kind)
        .collect();
    assert_eq!(kinds, [VerdictKind::Unchanged]);
    assert_eq!(judgement.outcome, Outcome::Passed);
}

#[test]
fn a_baseline_measured_in_the_other_mode_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let first = run(10.0);
    store.put_run(&first).unwrap();
    let benchmarks = vec![("a".to_string(), Mode::Simulated)];
    let judged = Judged {
        source: &Source::Command,
        fingerprint: &first.environment.fingerprint,
        benchmarks: &benchmarks,
        filtered: false,
    };
    // `last` looks for real measurements of a real benchmark only; a named run is what it is.
    let selector = format!("run:{}", first.id);
    let choice = BaselineChoice::new(Some(&selector), None, None);
    let mut notes = Vec::new();
    let error =
        find_baseline(Some(store.as_ref()), &choice, &judged, false, &mut notes).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "baseline run:{id} (run {id}): a is real there but simulated here: they measure \
             different things; pass --allow-mode-mismatch to compare them anyway",
            id = first.id
        )
    );
    let allowed = find_baseline(Some(store.as_ref()), &choice, &judged, true, &mut notes)
        .unwrap()
        .expect("the stored run, when allowed");
    assert_eq!(allowed.runs.len(), 1);
    assert_eq!(allowed.runs[0].id, first.id);
}

#[test]
fn a_stored_run_is_accepted_as_a_named_baseline_and_the_name_moves_with_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    assert_eq!(
        select_run(store.as_ref(), "last").unwrap_err().to_string(),
        "last: the store holds no runs yet"
    );
    let (first, second) = (run(10.0), run(10.0));
    store.put_run(&first).unwrap();
    store.put_run(&second).unwrap();

    let label = accept_baseline(store.as_ref(), "main", &format!("run:{}", first.id)).unwrap();
    assert_eq!(label, format!("run:{id} (run {id})", id = first.id));
    let named: Vec<(String, uuid::Uuid)> = store
        .list_baselines()
        .unwrap()
        .into_iter()
        .map(|b| (b.name, b.run_id))
        .collect();
    assert_eq!(named, [("main".to_string(), first.id)]);

    accept_baseline(store.as_ref(), "main", &format!("run:{}", second.id)).unwrap();
    let (selected, _) = select_run(store.as_ref(), "main").unwrap();
    assert_eq!(selected.id, second.id);

    assert_eq!(
        select_run(store.as_ref(), "window:3")
            .unwrap_err()
            .to_string(),
        "window:3: window:N names several runs; use it as a baseline, not as a run"
    );
}
