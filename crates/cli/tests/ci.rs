//! `.ci/run` runs exactly the test command the README's quick start gives, with every test binary
//! run (`--no-fail-fast`) so one failure does not hide the others.

use std::path::Path;

fn repo_file(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(path)).unwrap()
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = repo_file("README.md");
    let quick_start = readme
        .lines()
        .find(|l| l.starts_with("cargo test ") && l.contains("# all tests"))
        .unwrap_or_else(|| panic!("no `cargo test … # all tests` line in the README"));
    let readme_command = quick_start.split('#').next().unwrap().trim();
    let ci = repo_file(".ci/run");
    let ci_command = ci
        .lines()
        .rfind(|l| l.starts_with("cargo test"))
        .expect(".ci/run runs cargo test")
        .trim();
    assert_eq!(ci_command, readme_command);
    assert_eq!(ci_command, "cargo test --workspace --locked --no-fail-fast");
}
