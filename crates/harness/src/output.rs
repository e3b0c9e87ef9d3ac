//! What the suite prints and writes: a table for people on stdout, and the canonical run JSON
//! (to `<target>/benchgate/<bench>.json`, or stdout with `--format json`).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use benchgate_model::display::format_value;
use benchgate_model::{Benchmark, Measure, Metric, Mode, Run, Status, Unit};

/// The table of a run: timed benchmarks, then concurrency sweeps, then leak checks, each with the
/// columns its measures have; failed and skipped benchmarks say why.
/// Simulated benchmarks are named first (SPEC §4.7); `reported` metrics (the benchmarks' own
/// figures) are shown as given rather than per operation.
pub(crate) fn table(run: &Run, reported: &BTreeSet<String>) -> String {
    let mut out = String::new();
    let simulated: Vec<&str> = run
        .benchmarks
        .iter()
        .filter(|b| b.mode == Some(Mode::Simulated))
        .map(|b| b.name.as_str())
        .collect();
    if !simulated.is_empty() {
        let _ = writeln!(
            out,
            "SIMULATED (measured against a stand-in, not the real system): {}",
            simulated.join(", ")
        );
    }
    let timed: Vec<&Benchmark> = run
        .benchmarks
        .iter()
        .filter(|b| b.metric(&Measure::WallTime).is_some())
        .collect();
    let swept: Vec<&Benchmark> = run
        .benchmarks
        .iter()
        .filter(|b| {
            b.metric(&Measure::WallTime).is_none() && b.metric(&Measure::Throughput).is_some()
        })
        .collect();
    let leaks: Vec<&Benchmark> = run
        .benchmarks
        .iter()
        .filter(|b| {
            b.metric(&Measure::Custom("live_heap_growth".into()))
                .is_some()
        })
        .collect();

    if !timed.is_empty() {
        let mut extra: Vec<Measure> = Vec::new();
        for b in &timed {
            for m in &b.metrics {
                if m.measure != Measure::WallTime && !extra.contains(&m.measure) {
                    extra.push(m.measure.clone());
                }
            }
        }
        let mut header = vec!["benchmark".to_string(), "time/op".into(), "samples".into()];
        header.extend(extra.iter().map(|m| column_name(m, reported)));
        let mut rows = Vec::new();
        for b in &timed {
            let mut row = vec![b.name.clone()];
            if let Some(wall) = b.metric(&Measure::WallTime) {
                row.push(format!(
                    "{} ± {}",
                    format_value(wall.summary.median, &wall.unit),
                    spread(wall)
                ));
                let iters = wall
                    .iterations
                    .as_ref()
                    .and_then(|i| i.first())
                    .copied()
                    .unwrap_or(1);
                row.push(format!("{} × {}", wall.summary.n, iters));
            }
            for measure in &extra {
                row.push(match b.metric(measure) {
                    Some(m) => format_value(m.summary.median, &m.unit),
                    None => "-".into(),
                });
            }
            rows.push(row);
        }
        render(&mut out, &header, &rows);
        for b in &timed {
            if let Some(o) = b.labels.get("outliers") {
                let _ = writeln!(out, "  {}: outliers (kept): {o}", b.name);
            }
        }
    }

    if !swept.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        let header: Vec<String> = [
            "benchmark",
            "throughput",
            "p50",
            "p99",
            "p99.9",
            "max concurrency",
            "efficiency",
            "errors",
        ]
        .map(String::from)
        .to_vec();
        let median = |b: &Benchmark, m: Measure| match b.metric(&m) {
            Some(m) => format_value(m.summary.median, &m.unit),
            None => "-".into(),
        };
        let rows = swept
            .iter()
            .map(|b| {
                vec![
                    b.name.clone(),
                    median(b, Measure::Throughput),
                    median(b, Measure::LatencyP50),
                    median(b, Measure::LatencyP99),
                    median(b, Measure::LatencyP999),
                    b.metric(&Measure::Custom("max_concurrency".into()))
                        .map_or("-".into(), |m| format!("{}", m.summary.max)),
                    median(b, Measure::Custom("scaling_efficiency".into())),
                    median(b, Measure::ErrorRate),
                ]
            })
            .collect::<Vec<_>>();
        render(&mut out, &header, &rows);
    }

    if !leaks.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        let header: Vec<String> = [
            "benchmark",
            "rounds",
            "growth",
            "per round",
            "budget",
            "verdict",
        ]
        .map(String::from)
        .to_vec();
        let rows = leaks
            .iter()
            .map(|b| {
                let label = |k: &str| b.labels.get(k).cloned().unwrap_or_else(|| "-".into());
                let growth = b
                    .metric(&Measure::Custom("live_heap_growth".into()))
                    .map_or("-".into(), |m| format_value(m.summary.median, &Unit::Ratio));
                let per_round = b
                    .metric(&Measure::Custom("leak_bytes_per_round".into()))
                    .map_or("-".into(), |m| format_value(m.summary.mean, &m.unit));
                vec![
                    b.name.clone(),
                    label("rounds"),
                    growth,
                    per_round,
                    format!("{}%", label("budget_percent")),
                    match &b.status {
                        Status::Ok => "ok".into(),
                        _ => "LEAK".into(),
                    },
                ]
            })
            .collect::<Vec<_>>();
        render(&mut out, &header, &rows);
    }

    for b in &run.benchmarks {
        match &b.status {
            Status::Failed { message } => {
                let _ = writeln!(out, "{}: FAILED: {message}", b.name);
            }
            Status::Skipped { reason } => {
                let _ = writeln!(out, "{}: skipped: {reason}", b.name);
            }
            Status::Ok => {}
        }
    }
    out
}

/// benchstat's `±`: the farther end of the median's interval, relative to the median.
fn spread(m: &Metric) -> String {
    match &m.summary.median_ci {
        Some(ci) if m.summary.median != 0.0 => {
            let far = (ci.hi - m.summary.median)
                .abs()
                .max((m.summary.median - ci.lo).abs());
            format!("{:.1}%", 100.0 * far / m.summary.median.abs())
        }
        _ => "∞".into(),
    }
}

fn column_name(measure: &Measure, reported: &BTreeSet<String>) -> String {
    match measure {
        Measure::Custom(name) if reported.contains(name) => name.clone(),
        Measure::Allocs => "allocs/op".into(),
        Measure::AllocBytes => "bytes/op".into(),
        Measure::BytesPerSecond => "bytes/s".into(),
        Measure::Throughput => "elements/s".into(),
        Measure::Custom(name) if name == "peak_live_bytes" => "peak live".into(),
        other => format!("{other}/op"),
    }
}

/// Left-aligned first column, right-aligned others, two spaces apart.
fn render(out: &mut String, header: &[String], rows: &[Vec<String>]) {
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate().take(cols) {
            let pad = widths[i] - cell.chars().count();
            if i == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// Writes `run` as `<dir>/<bench>.json`, through a temporary file and a rename, so a reader never
/// sees half a file.
pub(crate) fn write_json(dir: &Path, bench: &str, run: &Run) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let path = dir.join(format!("{bench}.json"));
    let tmp = dir.join(format!(".{bench}.json.tmp{}", std::process::id()));
    fs::write(&tmp, run.to_json_pretty())?;
    fs::rename(&tmp, &path)?;
    Ok(path)
}

/// The bench's name from the executable: cargo's `deps/<name>-<16 hex digits>` loses its hash.
pub(crate) fn bench_name(exe: &Path) -> String {
    let stem = exe
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bench".into());
    match stem.rsplit_once('-') {
        Some((name, hash))
            if !name.is_empty()
                && hash.len() == 16
                && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            name.to_string()
        }
        _ => stem,
    }
}

/// `<target>/benchgate`: the target directory is the executable's `…/<profile>/deps/`'s
/// grandparent; `$CARGO_TARGET_DIR` or `./target` otherwise.
pub(crate) fn default_output_dir(exe: &Path) -> PathBuf {
    let from_exe = exe
        .parent()
        .filter(|deps| deps.file_name().is_some_and(|n| n == "deps"))
        .and_then(Path::parent)
        .and_then(Path::parent);
    let target = match from_exe {
        Some(t) => t.to_path_buf(),
        None => std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("target")),
    };
    target.join("benchgate")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_hashes_are_dropped_from_bench_names() {
        assert_eq!(
            bench_name(Path::new("/t/release/deps/parse-0123456789abcdef")),
            "parse"
        );
        assert_eq!(
            bench_name(Path::new("/t/release/deps/my-bench-0123456789abcdef")),
            "my-bench"
        );
        assert_eq!(
            bench_name(Path::new("/t/release/deps/my-bench")),
            "my-bench"
        );
        assert_eq!(bench_name(Path::new("/x/plain")), "plain");
    }

    #[test]
    fn output_goes_to_the_target_dir_of_the_executable() {
        assert_eq!(
            default_output_dir(Path::new("/w/target/release/deps/parse-0123456789abcdef")),
            PathBuf::from("/w/target/benchgate")
        );
    }

    #[test]
    fn tables_align() {
        let mut out = String::new();
        render(
            &mut out,
            &["benchmark".into(), "time".into()],
            &[
                vec!["a".into(), "1.000ns".into()],
                vec!["long/name".into(), "10ns".into()],
            ],
        );
        assert_eq!(
            out,
            "benchmark     time\na          1.000ns\nlong/name     10ns\n"
        );
    }
}
