//! `benchgate exec -- CMD…`: run a foreign harness (`cargo bench`, `go test -bench .`, a Google
//! Benchmark binary), stream what it prints, then read its results with the adapters — from its
//! standard output, or from the criterion files it wrote during the run — and store and gate them
//! like `ingest`.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, bail};
use benchgate_adapters::Format;
use benchgate_model::Outcome;
use benchgate_pipeline::harness_results::{
    HARNESS_OUTPUT_ENV, HarnessOutput, ModificationTimes, default_criterion_dir,
    modification_times, read_harness_runs, read_results,
};
use benchgate_pipeline::input_limit::{MAX_INPUT_ENV, max_input, shown};
use benchgate_pipeline::sources::{Git, build_run, combine};
use benchgate_report::escape::terminal::line;
use time::OffsetDateTime;

use super::ingest::{judge_and_render, load_gate};
use super::measuring::mode_of;
use crate::cli::{Adapter, ExecArgs, GlobalArgs};

pub fn execute(args: &ExecArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let (gate, upload) = load_gate(&args.gate)?;
    let Some((program, rest)) = args.command.split_first() else {
        bail!("no command to run: give it after `--`, e.g. benchgate exec -- cargo bench");
    };
    let display = shell_words::join(&args.command);
    let limit = max_input()?;
    let criterion_dir = args
        .criterion_dir
        .clone()
        .unwrap_or_else(default_criterion_dir);
    // Criterion results are files that outlive the run: what the run wrote is what changed.
    let before = match args.adapter {
        Adapter::Auto | Adapter::Format(Format::Criterion) => modification_times(&criterion_dir),
        Adapter::Format(_) => ModificationTimes::new(),
    };
    // benchgate-harness bench targets write their runs here too (one file per target), so a
    // `cargo bench` of several targets is read whole whatever their tables print.
    let harness_dir = tempfile::Builder::new()
        .prefix("benchgate-harness-")
        .tempdir()
        .map_err(benchgate_pipeline::temp_files::without_temp_path)
        .context("cannot create a directory for the harness's results")?;
    let started = OffsetDateTime::now_utc();
    let mut child = Command::new(program)
        .args(rest)
        .env(HARNESS_OUTPUT_ENV, harness_dir.path())
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {program}"))?;
    let merged = Arc::new(Mutex::new(Vec::new()));
    // The harness's standard error is shown as it comes, even with --quiet (it carries its
    // errors); its lines also go into the merged capture, in arrival order.
    let stderr_thread = child.stderr.take().map(|from| {
        let merged = Arc::clone(&merged);
        let console = crate::output::console();
        std::thread::spawn(move || {
            crate::output::with_console(&console, || stream(from, true, false, limit, &merged))
        })
    });
    let captured = match child.stdout.take() {
        Some(from) => stream(from, !global.quiet, true, limit, &merged),
        None => Ok(Capture {
            bytes: Vec::new(),
            over_limit: false,
        }),
    };
    if captured.as_ref().is_ok_and(|c| c.over_limit) {
        // An endless output (`yes`) is stopped here rather than captured without end. The
        // standard error thread is left to end with the process.
        let _ = child.kill();
        let _ = child.wait();
        bail!(
            "`{display}`: its standard output passed the input limit of {}, so it was stopped \
             (set {}, e.g. to 4GiB, to capture more)",
            shown(limit),
            MAX_INPUT_ENV
        );
    }
    let stderr_over_limit = match stderr_thread.map(std::thread::JoinHandle::join) {
        // A read error there loses nothing but lines of `merged`.
        Some(Ok(Ok(capture))) => capture.over_limit,
        _ => false,
    };
    let status = child
        .wait()
        .with_context(|| format!("cannot wait for {program}"))?;
    let captured = captured
        .with_context(|| format!("cannot read the output of {program}"))?
        .bytes;
    if stderr_over_limit {
        bail!(
            "`{display}`: its standard error passed the input limit of {} (set {}, e.g. to 4GiB, \
             to capture more)",
            shown(limit),
            MAX_INPUT_ENV
        );
    }
    let ended = OffsetDateTime::now_utc();
    let merged = std::mem::take(&mut *merged.lock().unwrap_or_else(PoisonError::into_inner));

    let output = HarnessOutput {
        command: &args.command,
        stdout: &captured,
        merged: &merged,
    };
    let input = match read_harness_runs(args.adapter.format(), harness_dir.path()) {
        Some(inputs) => inputs,
        None => {
            read_results(args.adapter.format(), output, &criterion_dir, &before).map(|i| vec![i])
        }
    };
    // As an error chain, for `{e:#}` below.
    let input = input.map_err(anyhow::Error::from);
    let input = match (input, status.success()) {
        (Ok(input), _) => input,
        (Err(e), true) => return Err(e),
        // The harness failed and left nothing readable: that is the failure to report.
        (Err(e), false) => {
            crate::output::eprint_line(&format!(
                "error: {}",
                line(&format!(
                    "`{display}` failed ({status}) and left no results: {e:#}"
                ))
            ));
            return Ok(Outcome::CommandFailed);
        }
    };
    let (format, parsed) = combine(input)?;
    let mut run = build_run(
        format,
        parsed,
        mode_of(args.gate.mode),
        (started, ended),
        Git::FromDirectory,
    )?;
    run.provenance.tags.insert("exec".into(), display.clone());
    // A failing harness is part of the one outcome every output renders (exit code 3).
    let failures = if status.success() {
        Vec::new()
    } else {
        vec![format!(
            "`{display}` failed ({status}); the results it printed were stored and judged"
        )]
    };
    judge_and_render(gate, upload, &run, &args.gate, failures, global)
}

/// What [`stream`] kept of one of the child's streams.
struct Capture {
    /// Everything it wrote, when asked to keep it (standard output).
    bytes: Vec<u8>,
    /// It wrote more than the input limit: capturing stopped there (see
    /// [`benchgate_pipeline::input_limit`]).
    over_limit: bool,
}

/// Copies one of the child's streams to our standard error as it arrives (when `echo`), keeps
/// all of it (when `keep`), and adds each complete line to `merged` (both streams, in arrival
/// order: cargo prints which bench target runs on standard error, libtest its results on
/// standard output). Our own standard output carries only benchgate's report. At most `limit`
/// bytes are captured: past it, a stream that is `kept` returns at once (the caller stops the
/// command), another one is still drained and echoed so the command is not blocked.
fn stream(
    mut from: impl Read,
    echo: bool,
    keep: bool,
    limit: u64,
    merged: &Mutex<Vec<u8>>,
) -> std::io::Result<Capture> {
    let mut kept = Vec::new();
    // The line being written, not yet in `merged`; bounded by the limit like the rest.
    let mut partial = Vec::new();
    let mut total: u64 = 0;
    let mut over_limit = false;
    let mut buf = [0u8; 16 * 1024];
    let mut echo = echo;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        total = total.saturating_add(n as u64);
        if total > limit && !over_limit {
            over_limit = true;
            partial = Vec::new();
            if keep {
                return Ok(Capture {
                    bytes: kept,
                    over_limit,
                });
            }
        }
        if !over_limit {
            if keep {
                kept.extend_from_slice(chunk);
            }
            // Only the new bytes are searched: the output may be large.
            match chunk.iter().rposition(|&b| b == b'\n') {
                Some(i) => {
                    let mut merged = merged.lock().unwrap_or_else(PoisonError::into_inner);
                    merged.extend_from_slice(&partial);
                    merged.extend_from_slice(chunk.get(..=i).unwrap_or_default());
                    partial.clear();
                    partial.extend_from_slice(chunk.get(i + 1..).unwrap_or_default());
                }
                None => partial.extend_from_slice(chunk),
            }
        }
        if echo {
            // A closed standard error must not stop the harness or lose its results.
            echo = crate::output::console().write_stderr(chunk).is_ok();
        }
    }
    if !partial.is_empty() {
        let mut merged = merged.lock().unwrap_or_else(PoisonError::into_inner);
        merged.extend_from_slice(&partial);
        merged.push(b'\n');
    }
    Ok(Capture {
        bytes: kept,
        over_limit,
    })
}
