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
        &["runs", "delete", "--help"],
        &["runs", "prune", "--help"],
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

/// The subcommands a help page lists under "Commands:" (without `help`).
fn subcommands(page: &str) -> Vec<String> {
    page.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A description wrapped onto more lines is indented further.
        .filter(|l| !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// No option's help says its default twice (once in the doc text, once as clap's
/// `[default: …]`), in any command's --help.
#[test]
fn no_help_states_a_default_twice() {
    let mut pages = Vec::new();
    for command in subcommands(&help(&["--help"])) {
        let page = help(&[&command, "--help"]);
        for sub in subcommands(&page) {
            pages.push((
                format!("{command} {sub}"),
                help(&[&command, &sub, "--help"]),
            ));
        }
        pages.push((command, page));
    }
    assert!(pages.len() > 15, "{}", pages.len());
    for (command, page) in &pages {
        // One block per option: from a line starting with `-` to the next.
        let mut block = String::new();
        for line in page.lines().chain(std::iter::once("  -end")) {
            if line.trim_start().starts_with('-') {
                assert!(
                    block.matches("[default:").count() <= 1,
                    "{command} --help states a default twice:\n{block}"
                );
                block.clear();
            }
            block.push_str(line);
            block.push('\n');
        }
    }
}
