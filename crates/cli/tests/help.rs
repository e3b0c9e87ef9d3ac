//! Every `--help` is pinned by a snapshot: a change to the command line shows up in review.

mod common;

use common::{benchgate, stdout};

fn help(args: &[&str]) -> String {
    let dir = std::env::temp_dir();
    let output = benchgate(args, &dir);
    assert!(output.status.success(), "{args:?}: {:?}", output.status);
    stdout(&output)
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!(help(&["--help"]));
}

#[test]
fn run_help() {
    insta::assert_snapshot!(help(&["run", "--help"]));
}

#[test]
fn compare_help() {
    insta::assert_snapshot!(help(&["compare", "--help"]));
}

#[test]
fn ingest_help() {
    insta::assert_snapshot!(help(&["ingest", "--help"]));
}

#[test]
fn exec_help() {
    insta::assert_snapshot!(help(&["exec", "--help"]));
}

#[test]
fn help_subcommand_matches_flag() {
    assert_eq!(help(&["help", "run"]), help(&["run", "--help"]));
}

#[test]
fn store_command_helps() {
    for args in [
        &["runs", "--help"][..],
        &["runs", "list", "--help"],
        &["export", "--help"],
        &["import", "--help"],
        &["baseline", "--help"],
        &["baseline", "save", "--help"],
        &["baseline", "list", "--help"],
        &["baseline", "delete", "--help"],
        &["report", "--help"],
    ] {
        let name = args[..args.len() - 1].join("_");
        insta::assert_snapshot!(format!("{name}_help"), help(args));
    }
}

#[test]
fn completions_and_man_page_cover_every_command() {
    let dir = std::env::temp_dir();
    for shell in ["bash", "zsh", "fish"] {
        let out = benchgate(&["completions", shell], &dir);
        assert!(out.status.success(), "{shell}");
        let script = stdout(&out);
        for command in [
            "run", "ingest", "exec", "compare", "baseline", "report", "import", "export",
        ] {
            assert!(
                script.contains(command),
                "{shell} completion lacks {command}"
            );
        }
    }
    let out = benchgate(&["man"], &dir);
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(page.contains(".TH benchgate 1"), "{page}");
    assert!(
        page.contains("Exit codes"),
        "the man page carries the exit codes"
    );
}

#[test]
fn ab_help() {
    insta::assert_snapshot!(help(&["ab", "--help"]));
}

#[test]
fn doctor_help() {
    insta::assert_snapshot!(help(&["doctor", "--help"]));
}

#[test]
fn history_help() {
    insta::assert_snapshot!(help(&["history", "--help"]));
}
