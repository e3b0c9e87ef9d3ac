//! Judges issue 11's B13 workload (see `benches/workload.rs`) once and prints every gated or
//! informational row as `benchmark measure p ci_lo ci_hi verdict`, tab-separated, with the
//! wall time of the judging on standard error: run it before and after a change to the
//! statistics and compare the two outputs row by row. `--go-text DIR` instead writes the two
//! sides' Go text (`baseline.txt`, `candidate.txt`) for `benchgate ingest`.
//!
//! `--seed N` sets the bootstrap's seed (to see how far intervals move by Monte Carlo error).
//!
//! `cargo run --release -p benchgate-gate --example judge_workload -- [BENCHMARKS] [--go-text DIR]
//! [--seed N]` (2 000 benchmarks, 6 000 comparisons, by default).

use std::time::Instant;

use benchgate_gate::{CompareOptions, compare_runs};

#[path = "../benches/workload.rs"]
mod workload;

/// User + system CPU time of this process so far (Linux `/proc/self/stat`, in clock ticks of
/// 1/100 s); NaN elsewhere. CPU time is what other load on a shared machine does not inflate.
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which ends with the last ')'): utime and stime are the
    // 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benchmarks = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000usize);
    let baseline_text = workload::go_text(benchmarks, workload::Side::Baseline, 11);
    let candidate_text = workload::go_text(benchmarks, workload::Side::Candidate, 11);
    if let Some(dir) = args
        .iter()
        .position(|a| a == "--go-text")
        .and_then(|i| args.get(i + 1))
    {
        std::fs::write(format!("{dir}/baseline.txt"), &baseline_text).expect("write baseline");
        std::fs::write(format!("{dir}/candidate.txt"), &candidate_text).expect("write candidate");
        return;
    }
    let (baseline, candidate) = (
        workload::run_of(&baseline_text),
        workload::run_of(&candidate_text),
    );
    drop((baseline_text, candidate_text));
    let mut options = CompareOptions::default();
    if let Some(seed) = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
    {
        options.seed = seed.parse().expect("--seed takes a number");
    }
    let (started, cpu_before) = (Instant::now(), process_cpu_seconds());
    let comparison = compare_runs(&baseline, "baseline", &candidate, "candidate", &options);
    eprintln!(
        "judged {} rows in {:.3} s wall, {:.2} s CPU (all threads)",
        comparison.verdicts.len(),
        started.elapsed().as_secs_f64(),
        process_cpu_seconds() - cpu_before
    );
    for v in &comparison.verdicts {
        let (lo, hi) = v
            .effect
            .and_then(|e| e.ci)
            .map_or((f64::NAN, f64::NAN), |ci| (ci.lo, ci.hi));
        println!(
            "{}\t{}\t{:?}\t{:?}\t{:?}\t{:?}",
            v.benchmark,
            v.measure.as_str(),
            v.p_value,
            lo,
            hi,
            v.kind
        );
    }
}
