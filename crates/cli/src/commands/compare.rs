//! `benchgate compare A B`: judge run B against run A and print a benchstat-style report.

use std::path::Path;

use anyhow::Context;
use benchgate_gate::compare_runs;
use benchgate_model::{Measure, Outcome, Run};
use benchgate_report::{Format, Json, Markdown};

use super::{Conclusion, formatter};
use crate::cli::{CompareArgs, GlobalArgs};
use crate::output::{append_step_summary, print, write_file};

pub fn execute(args: &CompareArgs, global: &GlobalArgs) -> anyhow::Result<Conclusion> {
    let gated: Vec<Measure> = if args.measure.is_empty() {
        vec![Measure::WallTime]
    } else {
        args.measure.iter().map(|m| Measure::parse(m)).collect()
    };
    let options = args.judge.options(gated)?;
    let baseline = read_run(&args.baseline)?;
    let current = read_run(&args.current)?;
    let comparison = compare_runs(
        &baseline,
        &args.baseline.display().to_string(),
        &current,
        &args.current.display().to_string(),
        &options,
    );
    if let Some(path) = &args.export_json {
        write_file(path, &Json.comparison(&comparison))?;
    }
    let markdown = Markdown.comparison(&comparison);
    if let Some(path) = &args.export_markdown {
        write_file(path, &markdown)?;
    }
    append_step_summary(&markdown)?;
    print(&formatter(args.format, global).comparison(&comparison))?;
    Ok(match comparison.outcome {
        Outcome::Failed => Conclusion::GateFailed,
        Outcome::Warned if args.deny_warnings => Conclusion::GateFailed,
        Outcome::Passed | Outcome::Warned => Conclusion::Passed,
    })
}

/// Reads a benchgate run file; errors name the file and the JSON path or line.
pub fn read_run(path: &Path) -> anyhow::Result<Run> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Run::from_json(&bytes).with_context(|| path.display().to_string())
}
