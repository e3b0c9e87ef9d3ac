//! The configured suite end to end through the pipeline (real commands, a real SQLite store):
//! the first run is stored without a baseline, the next is judged against it, and what can be
//! refused is refused before anything is measured or stored.

use benchgate_config::{Config, ConfirmMode};
use benchgate_pipeline::PipelineError;
use benchgate_pipeline::measure::Silent;
use benchgate_pipeline::plan::SuiteOptions;
use benchgate_pipeline::store::StoreLocation;
use benchgate_pipeline::suite::{Suite, SuiteRequest};

const SUITE: &str =
    "[defaults]\nruns = 3\nwarmup = 0\n\n[[bench]]\nname = \"t\"\ncommand = \"true\"\n";

fn request(dir: &std::path::Path, store: &str) -> SuiteRequest {
    SuiteRequest {
        path: dir.join("benchgate.toml"),
        options: SuiteOptions::default(),
        flags: Default::default(),
        baseline: None,
        allow_mode_mismatch: false,
        // Verdicts on `true` depend on the machine: only what is stored and compared is checked.
        confirm: Some(ConfirmMode::Off),
        store: StoreLocation::new(store),
        profile: None,
    }
}

#[test]
fn the_first_run_is_stored_alone_and_the_next_is_judged_against_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    let config = Config::parse(SUITE, "benchgate.toml").unwrap();

    let first = Suite::prepare(&config, request(dir.path(), &url))
        .unwrap()
        .run(&mut Silent)
        .unwrap();
    assert_eq!(first.run.benchmarks.len(), 1);
    assert_eq!(first.run.benchmarks[0].name, "t");
    assert!(first.judgement.comparison.baseline.is_none());
    assert!(
        first
            .judgement
            .notes
            .iter()
            .any(|n| n == "no stored run matches baseline last yet: this run is the first"),
        "{:?}",
        first.judgement.notes
    );

    let second = Suite::prepare(&config, request(dir.path(), &url))
        .unwrap()
        .run(&mut Silent)
        .unwrap();
    let baseline = second.judgement.comparison.baseline.clone().unwrap();
    assert_eq!(baseline.id, first.run.id);
    let store = benchgate_store::open(&url).unwrap();
    let stored: Vec<_> = store.list_runs(10).unwrap().iter().map(|r| r.id).collect();
    assert_eq!(stored.len(), 2);
    assert!(stored.contains(&first.run.id) && stored.contains(&second.run.id));
}

#[test]
fn a_store_that_cannot_be_written_is_refused_before_anything_is_measured() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the store's file should be.
    std::fs::create_dir(dir.path().join("h.db")).unwrap();
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    let config = Config::parse(SUITE, "benchgate.toml").unwrap();
    let error = Suite::prepare(&config, request(dir.path(), &url))
        .unwrap()
        .run(&mut Silent)
        .err()
        .unwrap();
    assert!(
        matches!(error, PipelineError::StoreNotWritable { .. }),
        "{error}"
    );
}

#[test]
fn contradicting_flags_are_refused_when_prepared() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::parse(
        "[gate]\nwarn = \"20%\"\nfail = \"30%\"\n\n[[bench]]\nname = \"t\"\ncommand = \"true\"\n",
        "benchgate.toml",
    )
    .unwrap();
    let mut request = request(dir.path(), "sqlite:///nonexistent/h.db");
    request.flags.fail = Some(0.1);
    let error = Suite::prepare(&config, request).err().unwrap();
    assert_eq!(
        error.to_string(),
        "--warn (20%) is larger than --fail (10%)"
    );
}
