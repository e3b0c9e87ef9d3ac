//! Colour only where a person reads it: on a terminal, unless `NO_COLOR` or `--no-color`
//! declines it; never into a pipe or a file. The terminal is a real pseudo-terminal from
//! util-linux's `script`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ESCAPE: &str = "\x1b[";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../adapters/tests/fixtures/go/benchstat")
}

/// `benchgate compare old.txt new.txt` (a failing comparison, so the report paints) with
/// `extra` arguments, on a pseudo-terminal when `tty`, else into a pipe.
fn compare(tty: bool, extra: &str, no_color_env: Option<&str>) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = fixtures();
    let line = format!(
        "{} {extra} compare {} {}",
        env!("CARGO_BIN_EXE_benchgate"),
        fixtures.join("old.txt").display(),
        fixtures.join("new.txt").display()
    );
    let mut command = if tty {
        let mut c = Command::new("script");
        // -q quiet, -e the command's exit status, -c the command; the typescript is discarded.
        c.args(["-qec", &line, "/dev/null"]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", &line]);
        c
    };
    command
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("BENCHGATE_DB")
        .stdin(Stdio::null());
    if let Some(value) = no_color_env {
        command.env("NO_COLOR", value);
    }
    command.output().expect("script and sh run")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colour_on_a_terminal_only_unless_declined() {
    let painted = compare(true, "", None);
    assert_eq!(painted.status.code(), Some(1), "{}", text(&painted));
    let shown = text(&painted);
    assert!(shown.contains("FAILED: "), "{shown}");
    assert!(shown.contains(ESCAPE), "a terminal gets colour: {shown:?}");

    // An empty NO_COLOR does not decline (no-color.org).
    assert!(text(&compare(true, "", Some(""))).contains(ESCAPE));

    for (tty, extra, env) in [
        (true, "", Some("1")),
        (true, "--no-color", None),
        (false, "", None),
    ] {
        let out = compare(tty, extra, env);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let shown = text(&out);
        assert!(shown.contains("FAILED: "), "{shown}");
        assert!(
            !shown.contains(ESCAPE),
            "tty {tty}, {extra:?}, NO_COLOR {env:?}: {shown:?}"
        );
    }
}
