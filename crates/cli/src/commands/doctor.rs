//! `benchgate doctor`: what on this machine makes measurements noisy, and — for configured
//! benchmarks — an A/A calibration that learns each one's noise floor (SPEC §7.4) and stores it
//! for this machine's fingerprint, where the gate reads it.

use benchgate_model::display::plural;
use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{Context, bail};
use benchgate_config::{Bench, Config};
use benchgate_gate::floor_from_changes;
use benchgate_measure::{CommandSpec, RunnerOptions, expand, preflight};
use benchgate_model::display::{format_value, percent};
use benchgate_model::{Measure, Outcome, Unit};
use benchgate_pipeline::plan::{matches_filter, selected_specs};
use benchgate_pipeline::store::open_store;
use benchgate_provenance::{MachineState, machine_state};
use benchgate_store::NoiseFloor;
use time::OffsetDateTime;

use super::measuring::measure;
use crate::cli::{DoctorArgs, GlobalArgs};
use crate::output::print;

/// How long CPU times are sampled for the busy and steal shares.
const SAMPLE_WINDOW: Duration = Duration::from_secs(1);

pub fn execute(args: &DoctorArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let state = machine_state(SAMPLE_WINDOW);
    let mut out = machine_report(&state);
    let Some(filter) = &args.bench else {
        out.push_str("\nA/A calibration: `benchgate doctor BENCH` measures the noise floor of configured benchmarks.\n");
        print(&out)?;
        return Ok(Outcome::Passed);
    };
    if !args.config.exists() {
        bail!(
            "{}: no such file (doctor BENCH calibrates configured benchmarks)",
            args.config.display()
        );
    }
    let config = Config::load(&args.config)?;
    // Benches whose name or expanded names (`wc/flag=l`) the filter matches.
    let benches: Vec<&Bench> = config
        .benches
        .iter()
        .filter(|b| {
            matches_filter(filter, &b.name)
                || expand(&[b.template()], &[b.aux()], &b.params, None)
                    .is_ok_and(|specs| specs.iter().any(|s| matches_filter(filter, &s.name)))
        })
        .collect();
    if benches.is_empty() {
        bail!("{}: no [[bench]] matches {filter:?}", args.config.display());
    }
    benchgate_measure::install_interrupt_handlers()?;
    let environment = benchgate_provenance::detect_environment();
    let mut floors = Vec::new();
    let _ = writeln!(
        out,
        "\nA/A calibration, {} of two separately sampled runs each:",
        plural(args.rounds as usize, "round")
    );
    let _ = writeln!(
        out,
        "{:<28} {:>12} {:>14} {:>12}",
        "benchmark", "median", "A/A changes", "noise floor"
    );
    for bench in benches {
        if let Some(reason) = bench.skip_reason() {
            let _ = writeln!(out, "{} skipped: {reason}", name_column(&bench.name));
            continue;
        }
        let options = bench.runner_options(&config.defaults);
        options
            .validate()
            .with_context(|| format!("[[bench]] {}", bench.name))?;
        let specs = expand(
            &[bench.template()],
            &[bench.aux()],
            &bench.params,
            bench.shell(&config.defaults),
        )
        .with_context(|| format!("[[bench]] {}", bench.name))?;
        let specs = selected_specs(Some(filter), &bench.name, specs);
        preflight(&specs).with_context(|| format!("[[bench]] {}", bench.name))?;
        for spec in &specs {
            let (median, changes) = calibrate(spec, &options, args.rounds, global)?;
            // How far two separate samplings of the same code drift apart, robustly (one
            // disturbed round does not make the floor): a verdict against a stored baseline
            // must see more than this before calling it a change.
            let shown: Vec<String> = changes.iter().map(|c| percent(c * 100.0)).collect();
            let floor = floor_from_changes(&changes);
            let _ = writeln!(
                out,
                "{} {:>12} {:>14} {:>12}",
                name_column(&spec.name),
                format_value(median, &Unit::Nanoseconds),
                shown.join(" "),
                match &floor {
                    Ok(f) => percent(f.relative * 100.0)
                        .trim_start_matches('+')
                        .to_string(),
                    Err(why) => format!("none: {why}"),
                }
            );
            if let Ok(f) = floor {
                floors.push(NoiseFloor {
                    fingerprint: environment.fingerprint.clone(),
                    benchmark: spec.name.clone(),
                    measure: Measure::WallTime,
                    relative: f.relative,
                    samples: changes.len(),
                    method: "aa".into(),
                    learned_at: OffsetDateTime::now_utc(),
                });
            }
        }
    }
    if args.no_save {
        out.push_str("\nnot stored (--no-save)\n");
    } else if !floors.is_empty() {
        let store = open_store(&global.store())?;
        for floor in &floors {
            store
                .save_noise_floor(floor)
                .context("cannot store a noise floor")?;
        }
        let _ = writeln!(
            out,
            "\nstored {} noise floor{} for machine {} in {}",
            floors.len(),
            if floors.len() == 1 { "" } else { "s" },
            environment.fingerprint,
            global.db
        );
    }
    // Bench names and skip reasons come from the config file.
    print(&benchgate_report::escape::terminal::lines(&out))?;
    Ok(Outcome::Passed)
}

/// `rounds` A/A rounds of `spec`: two separate samplings each (as a baseline and a later run);
/// the median wall time of the first sampling and each round's relative change.
fn calibrate(
    spec: &CommandSpec,
    options: &RunnerOptions,
    rounds: u32,
    global: &GlobalArgs,
) -> anyhow::Result<(f64, Vec<f64>)> {
    let quiet = GlobalArgs {
        quiet: global.quiet || !crate::output::console().stderr_is_terminal(),
        no_color: global.no_color,
        json: global.json,
        db: global.db.clone(),
    };
    let mut first_median = None;
    let mut changes = Vec::new();
    for _ in 0..rounds {
        let mut medians = [0.0; 2];
        for m in &mut medians {
            let results = measure(std::slice::from_ref(spec), options, &quiet)?;
            let Some(result) = results.first() else {
                bail!("{}: nothing was measured", spec.name);
            };
            if let Some(failure) = &result.failure {
                bail!("{}: {}: {}", spec.name, failure.phase, failure.message);
            }
            let walls: Vec<f64> = result.samples.iter().map(|s| s.wall_ns as f64).collect();
            *m = benchgate_stats::median(&walls).unwrap_or(0.0);
        }
        first_median.get_or_insert(medians[0]);
        if medians[0] > 0.0 {
            changes.push(medians[1] / medians[0] - 1.0);
        }
    }
    Ok((first_median.unwrap_or(0.0), changes))
}

/// The machine's state with what each part means for measuring.
fn machine_report(s: &MachineState) -> String {
    let mut out = String::from("machine\n");
    let mut line = |what: &str, value: String, advice: Option<String>| {
        let _ = write!(out, "  {what:<18} {value}");
        if let Some(a) = advice {
            let _ = write!(out, "  — {a}");
        }
        out.push('\n');
    };
    line("logical cores", s.logical_cores.to_string(), None);
    if s.governors.is_empty() {
        line(
            "cpu governor",
            "not exposed (virtual machine or container)".into(),
            None,
        );
    } else {
        let text: Vec<String> = s
            .governors
            .iter()
            .map(|(g, n)| format!("{g} ×{n}"))
            .collect();
        let steady = s.governors.keys().all(|g| g == "performance");
        line(
            "cpu governor",
            text.join(", "),
            (!steady)
                .then(|| "frequency scaling moves times; set the governor to performance".into()),
        );
    }
    if let Some(boost) = s.boost {
        line(
            "turbo boost",
            if boost { "on" } else { "off" }.into(),
            boost.then(|| {
                "turbo makes times depend on temperature; turn it off for steadier numbers".into()
            }),
        );
    }
    if let Some([one, five, fifteen]) = s.load_average {
        let busy = one > 0.5 * s.logical_cores as f64;
        line(
            "load average",
            format!("{one:.2} {five:.2} {fifteen:.2}"),
            busy.then(|| "other work competes for the CPUs; expect noise".into()),
        );
    }
    if let Some(busy) = s.busy_percent {
        line(
            "cpu busy (1 s)",
            format!("{busy:.1}%"),
            (busy > 10.0).then(|| "something else is running".into()),
        );
    }
    if let Some(steal) = s.steal_percent {
        line(
            "steal (1 s)",
            format!("{steal:.1}%"),
            (steal > 1.0).then(|| "the hypervisor takes CPU time: a shared machine, prefer paired `benchgate ab` and instruction counts".into()),
        );
    }
    if let Some(res) = s.clock_resolution_ns {
        line("clock resolution", format!("{res:.0} ns"), None);
    }
    line(
        "timer granularity",
        format!("{:.0} ns", s.timer_granularity_ns),
        (s.timer_granularity_ns > 1000.0)
            .then(|| "a coarse timer: benchmark runs shorter than 1 ms read poorly".into()),
    );
    out
}

/// A benchmark name as the calibration table's first column shows it: escaped for the terminal
/// and padded to 28 display columns (a wide character takes two).
fn name_column(name: &str) -> String {
    benchgate_report::pad_to_width(&benchgate_report::escape::terminal::line(name), 28)
}
