//! `benchgate init`: the starter benchgate.toml fits what the directory holds and parses with
//! the real loader; existing files are never replaced without --force.

mod common;

use std::path::Path;

use benchgate_config::Config;
use common::{benchgate, stderr};

fn init(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["init", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    benchgate(&all, dir)
}

fn written_config(dir: &Path) -> (String, Config) {
    let path = dir.join("benchgate.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let config = Config::load(&path).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (text, config)
}

#[test]
fn a_cargo_project_with_benches_gets_exec_cargo_bench_and_a_gate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"x\"\n\n[[bench]]\nname = \"parse\"\nharness = false\n",
    )
    .unwrap();
    let out = init(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (text, config) = written_config(dir.path());
    assert!(text.contains("benchgate exec -- cargo bench"), "{text}");
    assert!(!text.contains("No benchmarks were found"), "{text}");
    assert!(config.benches.is_empty());
    assert_eq!(config.gate.baseline.as_deref(), Some("main"));
    assert!(stderr(&out).contains("a cargo project with benchmarks"));
}

#[test]
fn a_go_module_gets_go_test_bench() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module example.com/x\n").unwrap();
    let out = init(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (text, config) = written_config(dir.path());
    assert!(
        text.contains("benchgate exec -- go test -run '^$' -bench ."),
        "{text}"
    );
    assert!(config.benches.is_empty());
}

#[test]
fn a_pytest_benchmark_project_gets_ingest_of_its_json() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n[project.optional-dependencies]\ntest = [\"pytest-benchmark>=4\"]\n",
    )
    .unwrap();
    let out = init(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (text, _) = written_config(dir.path());
    assert!(
        text.contains("--benchmark-json=benchmark.json && benchgate ingest benchmark.json"),
        "{text}"
    );
}

#[test]
fn a_plain_directory_gets_a_command_bench_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = init(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, config) = written_config(dir.path());
    assert_eq!(config.benches.len(), 1);
    assert_eq!(config.benches[0].name, "example/sleep");
    assert_eq!(
        config.gate.confirm,
        Some(benchgate_config::ConfirmMode::Paired)
    );
    assert_eq!(config.build.command.as_deref(), Some("true"));
    // The example really runs under `benchgate run`.
    let db = format!("sqlite://{}/h.db", dir.path().display());
    let run = benchgate(
        &["--db", &db, "run", "--runs", "2", "--warmup", "0"],
        dir.path(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
}

#[test]
fn an_existing_file_is_not_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("benchgate.toml"), "# mine\n").unwrap();
    let out = init(dir.path(), &["--ci", "github"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("benchgate.toml already exists: not replaced (--force replaces it)"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("benchgate.toml")).unwrap(),
        "# mine\n"
    );
    // Nothing else written either.
    assert!(!dir.path().join(".github").exists());

    let out = init(dir.path(), &["--ci", "github", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    written_config(dir.path());
    assert!(dir.path().join(".github/workflows/benchgate.yml").is_file());
}

#[test]
fn ci_github_and_gitlab_write_their_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let out = init(dir.path(), &["--ci", "github"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let workflow =
        std::fs::read_to_string(dir.path().join(".github/workflows/benchgate.yml")).unwrap();
    assert!(workflow.contains("benchgate run --baseline \"merge-base:$BASE_BRANCH\" --confirm paired --format markdown"), "{workflow}");
    assert!(
        workflow.contains("benchgate comment --github benchgate-report.md"),
        "{workflow}"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = init(dir.path(), &["--ci", "gitlab"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let job = std::fs::read_to_string(dir.path().join(".gitlab-ci.yml")).unwrap();
    assert!(job.contains("merge_request_event"), "{job}");
}

#[test]
fn a_missing_directory_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let out = benchgate(&["init", missing.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nope: not a directory"),
        "{}",
        stderr(&out)
    );
}
