//! Memory sampling of each measured run (RunnerOptions::memory), with real processes, in process
//! (tests/spawner.rs has the same through the spawner).

use std::time::Duration;

use benchgate_measure::{
    CommandResult, CommandSpec, CommandTemplate, MemoryOptions, RunnerOptions, expand, run,
};
use benchgate_stats::memory_growth;

fn specs(tokens: &[&str]) -> Vec<CommandSpec> {
    let template = CommandTemplate {
        name: None,
        tokens: tokens.iter().map(|s| s.to_string()).collect(),
    };
    expand(&[template], &[], &[], None).unwrap()
}

/// The Python interpreter itself (a `python3` on PATH may be a shim that starts several
/// processes and takes seconds).
fn python3() -> String {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Python allocating (and touching) `mb_per_step` MiB every 50 ms for 30 steps (~1.5 s).
fn python(mb_per_step: u32) -> String {
    format!(
        "import time\nheld = []\nfor _ in range(30):\n    held.append(bytearray({mb_per_step} << 19))\n    \
         time.sleep(0.05)\n"
    )
}

fn sampled(script: &str, runs: u32) -> CommandResult {
    let options = RunnerOptions {
        warmup: 0,
        runs: Some(runs),
        memory: Some(MemoryOptions {
            every: Duration::from_millis(20),
            ..MemoryOptions::default()
        }),
        ..Default::default()
    };
    run(&specs(&[&python3(), "-c", script]), &options, &mut ())
        .unwrap()
        .remove(0)
}

#[test]
fn a_growing_process_has_a_growing_series_and_a_flat_one_does_not() {
    // 0.5 MiB per 50 ms: ~10 MiB/s.
    let growing = sampled(&python(1), 2);
    assert!(growing.failure.is_none(), "{:?}", growing.failure);
    let series = growing.memory_series.as_ref().unwrap();
    // ~1.5 s at 20 ms: dozens of readings even on a busy machine.
    assert!(series.samples.len() >= 10, "{series:?}");
    let start = series.samples[0].memory.rss_bytes;
    assert!(
        series.peak_rss_bytes >= start + 10_000_000,
        "peak {} from {start}",
        series.peak_rss_bytes
    );
    let growth = memory_growth(&series.rss_points(), 0.1).unwrap();
    assert!(
        growth.bytes_per_second > 4_000_000.0,
        "{} B/s",
        growth.bytes_per_second
    );
    assert!(growth.growth_fraction > 0.5, "{growth:?}");
    // Each measured run has its tree's peak, at least wait4's.
    for s in &growing.samples {
        let peak = s.tree_rss_peak_bytes.unwrap();
        assert!(peak >= s.max_rss_bytes && peak >= 20_000_000, "{s:?}");
    }

    let flat = sampled(&python(0), 1);
    let series = flat.memory_series.as_ref().unwrap();
    let growth = memory_growth(&series.rss_points(), 0.1).unwrap();
    assert!(
        growth.bytes_per_second.abs() < 1_000_000.0,
        "{} B/s",
        growth.bytes_per_second
    );
    assert!(growth.growth_fraction.abs() < 0.1, "{growth:?}");
}

#[test]
fn the_tree_is_sampled_and_without_memory_options_nothing_is() {
    // Two children holding ~30 MiB each while their shell waits: the tree's peak counts them.
    let child = "import time; b = bytearray(30 << 20); time.sleep(0.6)";
    let py = python3();
    let script = format!("'{py}' -c '{child}' & '{py}' -c '{child}' & wait");
    let options = RunnerOptions {
        warmup: 0,
        runs: Some(1),
        memory: Some(MemoryOptions {
            every: Duration::from_millis(20),
            ..MemoryOptions::default()
        }),
        ..Default::default()
    };
    let r = run(&specs(&["sh", "-c", &script]), &options, &mut ())
        .unwrap()
        .remove(0);
    let series = r.memory_series.unwrap();
    let most = series
        .samples
        .iter()
        .map(|s| s.memory.processes)
        .max()
        .unwrap();
    assert_eq!(most, 3, "{series:?}");
    assert!(series.peak_rss_bytes >= 60 << 20, "{series:?}");
    // wait4 sees one process at a time; the tree both at once.
    let sample = &r.samples[0];
    assert!(sample.tree_rss_peak_bytes.unwrap() > sample.max_rss_bytes + (20 << 20));

    let plain = run(
        &specs(&["true"]),
        &RunnerOptions {
            warmup: 0,
            runs: Some(1),
            ..Default::default()
        },
        &mut (),
    )
    .unwrap()
    .remove(0);
    assert_eq!(plain.memory_series, None);
    assert_eq!(plain.samples[0].tree_rss_peak_bytes, None);
}

#[test]
fn bad_memory_options_are_refused_before_anything_runs() {
    let options = RunnerOptions {
        memory: Some(MemoryOptions {
            every: Duration::ZERO,
            ..MemoryOptions::default()
        }),
        ..Default::default()
    };
    let err = run(&specs(&["true"]), &options, &mut ()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid options: memory sampling interval must be at least 1ms (got 0ns)"
    );
}
