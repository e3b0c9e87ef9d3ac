//! Every `--help` is pinned by a snapshot: a change to the command line shows up in review.

mod common;

use common::{benchgate, benchgate_process, stdout};

/// A help page, from an in-process run.
fn help(args: &[&str]) -> String {
    let dir = std::env::temp_dir();
    let output = benchgate(args, &dir);
    assert!(output.status.success(), "{args:?}: {:?}", output.status);
    stdout(&output)
}

/// A help page as the real binary prints it: the snapshots pin what users see.
fn binary_help(args: &[&str]) -> String {
    let dir = std::env::temp_dir();
    let output = benchgate_process(args, &dir);
    assert!(output.status.success(), "{args:?}: {:?}", output.status);
    stdout(&output)
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!(binary_help(&["--help"]));
}

#[test]
fn run_help() {
    insta::assert_snapshot!(binary_help(&["run", "--help"]));
}

#[test]
fn compare_help() {
    insta::assert_snapshot!(binary_help(&["compare", "--help"]));
}

#[test]
fn ingest_help() {
    insta::assert_snapshot!(binary_help(&["ingest", "--help"]));
}

#[test]
fn exec_help() {
    insta::assert_snapshot!(binary_help(&["exec", "--help"]));
}

#[test]
fn load_help() {
    insta::assert_snapshot!(binary_help(&["load", "--help"]));
}

#[test]
fn mock_backend_help() {
    insta::assert_snapshot!(binary_help(&["mock-backend", "--help"]));
}

#[test]
fn serve_help() {
    insta::assert_snapshot!(binary_help(&["serve", "--help"]));
}

#[test]
fn token_help() {
    insta::assert_snapshot!(binary_help(&["token", "create", "--help"]));
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
        insta::assert_snapshot!(format!("{name}_help"), binary_help(args));
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
    insta::assert_snapshot!(binary_help(&["ab", "--help"]));
}

#[test]
fn doctor_help() {
    insta::assert_snapshot!(binary_help(&["doctor", "--help"]));
}

#[test]
fn history_help() {
    insta::assert_snapshot!(binary_help(&["history", "--help"]));
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

/// Every command's --help page (subcommands of subcommands included), with its command.
fn every_help_page() -> Vec<(String, String)> {
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
    pages
}

/// Every argument and option of every command says what it is (`baseline delete NAME` did
/// not).
#[test]
fn every_argument_is_described() {
    for (command, page) in every_help_page() {
        let lines: Vec<&str> = page.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let entry = line.trim_start();
            let indent = line.len() - entry.len();
            if !(2..=6).contains(&indent) || !(entry.starts_with('<') || entry.starts_with('-')) {
                continue;
            }
            // Described on the same line (after two spaces) or on the next, indented further.
            let same_line = entry
                .split_once("  ")
                .is_some_and(|(_, text)| !text.trim().is_empty());
            let next_line = lines.get(i + 1).is_some_and(|next| {
                next.len() - next.trim_start().len() > indent && !next.trim().is_empty()
            });
            assert!(
                same_line || next_line,
                "{command} --help: {line:?} has no description"
            );
        }
        // Every --baseline names every selector, merge-base included.
        if let Some(at) = page.find("--baseline <SELECTOR>") {
            let block: String = page[at..]
                .lines()
                .skip(1)
                .take_while(|l| !l.trim().is_empty())
                .collect();
            assert!(
                block.contains("merge-base[:BRANCH]"),
                "{command} --help: {block}"
            );
        }
    }
}

/// No option's help says its default twice (once in the doc text, once as clap's
/// `[default: …]`), in any command's --help.
#[test]
fn no_help_states_a_default_twice() {
    let pages = every_help_page();
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

/// `benchgate man --dir DIR` writes every page the manual refers to: benchgate.1 and one page
/// per subcommand, each `benchgate-…(1)` reference a file beside it.
#[test]
fn man_writes_every_page_it_refers_to() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(&["man", "--dir", "pages"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let pages = dir.path().join("pages");
    let mut names: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for expected in [
        "benchgate.1",
        "benchgate-run.1",
        "benchgate-runs.1",
        "benchgate-runs-prune.1",
        "benchgate-baseline-delete.1",
        "benchgate-man.1",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let mut references = 0;
    for name in &names {
        let page = std::fs::read_to_string(pages.join(name)).unwrap();
        assert!(
            page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.contains(".TH "),
            "{name}"
        );
        for (at, _) in page.match_indices("(1)") {
            let start = page[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
            let referred = page[start..at].replace("\\-", "-");
            if referred.starts_with("benchgate") {
                references += 1;
                assert!(
                    names.contains(&format!("{referred}.1")),
                    "{name} refers to {referred}(1), which was not written"
                );
            }
        }
    }
    assert!(references >= names.len() - 1, "{references}");
    // Without --dir, the main page on standard output, as before.
    let out = benchgate(&["man"], dir.path());
    assert!(stdout(&out).contains("benchgate\\-runs(1)"));
}

#[test]
fn gen_help() {
    insta::assert_snapshot!(binary_help(&["gen", "--help"]));
}

#[test]
fn gen_image_help() {
    insta::assert_snapshot!(binary_help(&["gen", "image", "--help"]));
}
