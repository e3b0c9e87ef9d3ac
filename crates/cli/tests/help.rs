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
