//! The store from the command line: `import` of a batch, `runs delete`, `runs prune`, and a
//! stored run that can no longer be read.

mod common;

use common::{benchgate, record, stderr, stdout, stored_runs};

/// A run file recorded in a directory of its own.
fn recorded(name: &str) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), "a.json", name, "true", 3);
    let text = std::fs::read_to_string(dir.path().join("a.json")).unwrap();
    let id = serde_json::from_str::<serde_json::Value>(&text).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    (dir, text, id)
}

/// `import a.json a-copy.json`, the same run twice, stores nothing and names both files; a
/// batch with one run already stored stores nothing either.
#[test]
fn import_checks_the_whole_batch_before_storing_any() {
    let (_src, text, id) = recorded("a");
    let (_src2, other, other_id) = recorded("b");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.json"), &text).unwrap();
    std::fs::write(d.join("a-copy.json"), &text).unwrap();
    std::fs::write(d.join("b.json"), &other).unwrap();

    let out = benchgate(&["import", "b.json", "a.json", "a-copy.json"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!("error: a-copy.json: run {id} is also in a.json; nothing was imported\n")
    );
    assert!(stored_runs(d).is_empty());

    let out = benchgate(&["import", "a.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("imported run {id} (1 benchmark) from a.json\n")
    );
    let out = benchgate(&["import", "b.json", "a-copy.json"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!("error: a-copy.json: run {id} is already stored; nothing was imported\n")
    );
    let ids: Vec<String> = stored_runs(d)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, vec![id.clone()], "b ({other_id}) was not stored");
}

/// `runs delete` removes runs in one go; one a baseline points at is refused (nothing is
/// deleted) unless --force, which deletes the baseline with it.
#[test]
fn runs_delete_refuses_a_baselined_run_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    record(d, "one.json", "a", "true", 3);
    record(d, "two.json", "a", "true", 3);
    let out = benchgate(&["import", "one.json", "two.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let runs = stored_runs(d);
    let (newest, oldest) = (
        runs[0]["id"].as_str().unwrap().to_string(),
        runs[1]["id"].as_str().unwrap().to_string(),
    );
    let out = benchgate(&["baseline", "save", "main", &format!("run:{newest}")], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = benchgate(&["runs", "delete", &oldest, &format!("run:{newest}")], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: run {newest} is the run of baseline main (--force deletes it and them); nothing was deleted\n"
        )
    );
    assert_eq!(stored_runs(d).len(), 2);

    let out = benchgate(&["runs", "delete", &format!("run:{oldest}")], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "deleted 1 run\n");
    let out = benchgate(&["runs", "delete", "--force", "main"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("deleted 1 run\ndeleted baseline main (run {newest})\n")
    );
    assert!(stored_runs(d).is_empty());
    let out = benchgate(&["baseline", "list"], d);
    assert!(
        stdout(&out).starts_with("no baselines saved"),
        "{}",
        stdout(&out)
    );

    let out = benchgate(&["runs", "delete", &oldest], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!("error: nothing was deleted: no stored run has id {oldest}\n")
    );
}

/// `runs prune --older-than AGE` deletes the old runs; a baselined one is refused, kept with
/// --keep-baselines (and said so) or deleted with --force.
#[test]
fn runs_prune_deletes_old_runs_and_says_what_it_kept() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    record(d, "one.json", "a", "true", 3);
    record(d, "two.json", "a", "true", 3);
    let out = benchgate(&["import", "one.json", "two.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let runs = stored_runs(d);
    let pinned = runs[1]["id"].as_str().unwrap().to_string();
    let out = benchgate(&["baseline", "save", "main", &format!("run:{pinned}")], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Nothing is 30 days old.
    let out = benchgate(&["runs", "prune", "--older-than", "30d"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "deleted 0 runs\n");
    assert_eq!(stored_runs(d).len(), 2);

    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = benchgate(&["runs", "prune", "--older-than", "1s"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(&format!("error: run {pinned} is the run of baseline main; --keep-baselines keeps such runs, --force deletes them")),
        "{}",
        stderr(&out)
    );
    assert_eq!(stored_runs(d).len(), 2);

    let out = benchgate(
        &["runs", "prune", "--older-than", "1s", "--keep-baselines"],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("deleted 1 run\nkept run {pinned} (baseline main)\n")
    );
    let left = stored_runs(d);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], pinned.as_str());

    let out = benchgate(&["runs", "prune", "--older-than", "0d"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("\"0d\" is not an age"),
        "{}",
        stderr(&out)
    );
}

/// A stored run that no longer reads does not leave `last` stuck without a way out: the error
/// names the run and says how to delete it, and `runs delete` removes it without reading it.
#[test]
fn an_unreadable_run_says_how_to_delete_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    record(d, "one.json", "a", "true", 3);
    let out = benchgate(&["import", "one.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = stored_runs(d)[0]["id"].as_str().unwrap().to_string();
    rusqlite::Connection::open(d.join(".benchgate/history.db"))
        .unwrap()
        .execute("UPDATE run_bodies SET body = x'03'", [])
        .unwrap();
    let out = benchgate(&["report", "last"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: stored run {id} cannot be read: stored data is corrupt: the benchmarks are \
             packed in format 3, which this benchgate does not know (`benchgate runs delete \
             run:{id}` deletes it)\n"
        )
    );
    let out = benchgate(&["runs", "delete", &format!("run:{id}")], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stored_runs(d).is_empty());
}

/// The same when the unreadable run is the one a new run's baseline would come from: finding the
/// baseline (in the pipeline) passes the store's error on so that it is still recognised.
#[test]
fn an_unreadable_baseline_run_says_how_to_delete_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let go =
        "goos: linux\nBenchmarkA-8   1000   1200 ns/op\nBenchmarkA-8   1000   1210 ns/op\nPASS\n";
    std::fs::write(d.join("a.txt"), go).unwrap();
    let out = benchgate(&["ingest", "a.txt"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = stored_runs(d)[0]["id"].as_str().unwrap().to_string();
    rusqlite::Connection::open(d.join(".benchgate/history.db"))
        .unwrap()
        .execute("UPDATE run_bodies SET body = x'03'", [])
        .unwrap();
    let out = benchgate(&["ingest", "a.txt"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: stored run {id} cannot be read: stored data is corrupt: the benchmarks are \
             packed in format 3, which this benchgate does not know (`benchgate runs delete \
             run:{id}` deletes it)\n"
        )
    );
}

/// Another program's SQLite file named as the store is refused, not given benchgate's tables.
#[test]
fn a_foreign_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    rusqlite::Connection::open(d.join("app.db"))
        .unwrap()
        .execute_batch("CREATE TABLE users (id INTEGER);")
        .unwrap();
    record(d, "one.json", "a", "true", 3);
    let out = benchgate(&["--db", "sqlite://app.db", "import", "one.json"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: cannot open the history store: app.db is not a benchgate store: it holds other \
         tables (users) and no benchgate schema; name another store (--db)\n"
    );
}

/// A count of one takes the singular in progress lines and messages.
#[test]
fn counts_of_one_are_singular() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = benchgate(&["run", "--runs", "1", "--warmup", "0", "--", "true"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("true: 1 run, median "),
        "{}",
        stderr(&out)
    );
    let out = benchgate(
        &[
            "run",
            "--prepare",
            "true",
            "--prepare",
            "true",
            "--",
            "true",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --prepare was given 2 times for 1 command: give it once or once per command\n"
    );
    let out = benchgate(&["run", "-n", "a", "-n", "b", "--", "true"], d);
    assert_eq!(stderr(&out), "error: 2 --name given for 1 command\n");
}

/// `baseline list` lines its names up in display columns: a name of wide characters
/// (`日本語/ベンチ`, 13 columns in 7 characters) and a combining accent (`cafe\u{301}`, 4 columns in
/// 5 characters) pad to the same column as an ASCII one.
#[test]
fn baseline_list_aligns_wide_and_combining_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    record(d, "one.json", "a", "true", 3);
    let out = benchgate(&["import", "one.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = stored_runs(d)[0]["id"].as_str().unwrap().to_string();
    for name in ["日本語/ベンチ", "cafe\u{301}", "ascii-name"] {
        let out = benchgate(&["baseline", "save", name, &format!("run:{id}")], d);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = benchgate(&["baseline", "list"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        vec![
            format!("ascii-name     run:{id}"),
            format!("cafe\u{301}           run:{id}"),
            format!("日本語/ベンチ  run:{id}"),
        ]
    );
}
