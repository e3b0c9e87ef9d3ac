//! `benchgate run -- CMD [-- CMD2 …]`: benchmark commands, print the table and, with several
//! commands, how each compares with the first. Without commands, `run` is the configured suite
//! (`suite.rs`); the measuring pieces both share are in `measuring.rs`.

use anyhow::bail;
use benchgate_config::{LoadFlags, load_from_flags};
use benchgate_measure::{AuxCommands, CommandTemplate, Parameter, expand, preflight};
use benchgate_model::display::plural;
use benchgate_model::{Measure, Outcome, Thresholds};
use benchgate_pipeline::judge::judge_commands;
use benchgate_pipeline::load::{LoadEntry, NotUnderLoad, Watch, not_under_load};
use benchgate_pipeline::measure::{measure_commands, measure_commands_under_load, new_run};
use benchgate_pipeline::plan::measurements;
use benchgate_pipeline::profiles::{ProfileTarget, capture_profiles};
use benchgate_report::escape::terminal::lines;

use super::measuring::{io_flags, mode_of, sampling_flags};
use crate::cli::{GlobalArgs, LoadArgs, RunArgs};
use crate::exports::{Exported, Exports};
use crate::output::print;
use crate::progress::Reporter;
use crate::render::formatter;

pub fn execute(args: &RunArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    if args.commands.is_empty() {
        return super::suite::execute(args, global);
    }
    if let Some(filter) = &args.filter {
        bail!(
            "{filter:?}: a FILTER selects configured benchmarks; it cannot be combined with commands after `--`"
        );
    }
    benchgate_measure::install_interrupt_handlers()?;
    let templates = templates(args)?;
    let aux = aux_commands(args, templates.len())?;
    let params = parameters(args)?;
    let specs = expand(&templates, &aux, &params, args.shell.as_deref())?;
    preflight(&specs)?;
    let mut options = sampling_flags(args).runner_options();
    io_flags(args, &mut options)?;
    options.validate()?;
    let compare = args
        .judge
        .options(Thresholds::default(), vec![Measure::WallTime], false)?;
    let exports = Exports::new(args.export_json.as_deref(), args.export_markdown.as_deref());
    exports.check()?;
    let upload = args
        .upload
        .as_deref()
        .map(crate::upload::Upload::new)
        .transpose()?;

    let (load, memory) = load_from_flags(&load_flags(&args.load)).map_err(anyhow::Error::msg)?;
    let (time, instructions) = measurements(&sampling_flags(args));

    let mut run = new_run(
        mode_of(args.mode),
        benchgate_provenance::detect_environment(),
    )?;
    match load {
        Some(settings) => {
            match not_under_load(&specs, &sampling_flags(args), instructions) {
                None => {}
                Some(NotUnderLoad::Instructions) => bail!(
                    "--measure instructions counts one run under valgrind; it cannot be combined with --concurrency or --rate"
                ),
                Some(NotUnderLoad::Prepare) => bail!(
                    "--prepare runs before each run; under --concurrency or --rate use --setup, run once before the load"
                ),
                Some(NotUnderLoad::Conclude) => bail!(
                    "--conclude runs after each run; under --concurrency or --rate use --cleanup, run once after the load"
                ),
                Some(NotUnderLoad::Sizing(key)) => bail!(
                    "--{} sizes runs one at a time; under --concurrency or --rate a level lasts --duration or --operations",
                    key.replace('_', "-")
                ),
            }
            let entry = LoadEntry {
                settings,
                memory,
                watch: args.load.watch_pid.map(Watch::Pid),
            };
            measure_commands_under_load(
                &mut run,
                &specs,
                &options,
                &entry,
                &mut Reporter::new(global),
            )?;
        }
        None => {
            if args.load.watch_pid.is_some() {
                bail!(
                    "--watch-pid samples a server while load drives it: give --concurrency or --rate"
                );
            }
            options.memory = memory.as_ref().map(|m| benchgate_measure::MemoryOptions {
                every: m.every,
                ..benchgate_measure::MemoryOptions::default()
            });
            measure_commands(
                &mut run,
                &specs,
                &options,
                (time, instructions),
                memory.as_ref(),
                &mut Reporter::new(global),
            )?;
        }
    }

    let (comparisons, outcome) = judge_commands(&run, &compare);
    let profiles = match args.profile.request()? {
        Some(request) => {
            let targets = ProfileTarget::of_commands(&specs, options.stdin.as_deref());
            let profiled = capture_profiles(
                &request,
                run.id,
                &comparisons,
                &targets,
                &mut Reporter::new(global),
            )?;
            if let Some(note) = profiled.note {
                crate::output::eprint_line(&format!("note: {}", lines(&note)));
            }
            profiled.links
        }
        None => Vec::new(),
    };
    // The report first, then the files: a file that cannot be written never hides the results.
    let format = formatter(args.format, global);
    let mut report = format.run(&run, &comparisons);
    if let Some(links) = format.profiles(&profiles) {
        report.push('\n');
        report.push_str(&links);
    }
    print(&report)?;
    let measured = Exported::Run {
        run: &run,
        comparisons: &comparisons,
    };
    let outcome = exports.write(&measured, outcome)?;
    crate::upload::send(upload.as_ref(), &run, global)?;
    Ok(outcome)
}

/// The load flags as the configuration crate reads them.
pub fn load_flags(args: &LoadArgs) -> LoadFlags {
    LoadFlags {
        concurrency: args.concurrency.clone(),
        rate: args.rate.clone(),
        arrivals: args.arrivals.clone(),
        seed: args.seed,
        ramp: args.ramp.clone(),
        max_in_flight: args.max_in_flight.clone(),
        duration: args.duration.clone(),
        operations: args.operations.clone(),
        memory_every: args.memory_every.clone(),
        burst: None,
        burst_every: None,
    }
}

/// Splits the trailing arguments at each `--` into one template per command.
fn templates(args: &RunArgs) -> anyhow::Result<Vec<CommandTemplate>> {
    let groups: Vec<Vec<String>> = args
        .commands
        .split(|token| token == "--")
        .map(<[String]>::to_vec)
        .collect();
    if groups.iter().all(Vec::is_empty) {
        bail!("no command to benchmark: give one after `--`, e.g. benchgate run -- 'sleep 0.1'");
    }
    if let Some(i) = groups.iter().position(Vec::is_empty) {
        bail!("command {} is empty (two `--` in a row?)", i + 1);
    }
    if args.name.len() > groups.len() {
        bail!(
            "{} --name given for {}",
            args.name.len(),
            plural(groups.len(), "command")
        );
    }
    Ok(groups
        .into_iter()
        .enumerate()
        .map(|(i, tokens)| CommandTemplate {
            name: args.name.get(i).cloned(),
            tokens,
        })
        .collect())
}

/// `--prepare` etc. once for all commands or once per command.
fn aux_commands(args: &RunArgs, commands: usize) -> anyhow::Result<Vec<AuxCommands>> {
    let options = [
        ("--prepare", &args.prepare),
        ("--conclude", &args.conclude),
        ("--setup", &args.setup),
        ("--cleanup", &args.cleanup),
    ];
    for (flag, values) in options {
        if values.len() > 1 && values.len() != commands {
            bail!(
                "{flag} was given {} times for {}: give it once or once per command",
                values.len(),
                plural(commands, "command")
            );
        }
    }
    let pick = |values: &Vec<String>, i: usize| -> Option<String> {
        match values.len() {
            0 => None,
            1 => values.first().cloned(),
            _ => values.get(i).cloned(),
        }
    };
    let per_command = options.iter().any(|(_, v)| v.len() > 1);
    let count = if per_command { commands } else { 1 };
    if options.iter().all(|(_, v)| v.is_empty()) {
        return Ok(Vec::new());
    }
    Ok((0..count)
        .map(|i| AuxCommands {
            prepare: pick(&args.prepare, i),
            conclude: pick(&args.conclude, i),
            setup: pick(&args.setup, i),
            cleanup: pick(&args.cleanup, i),
        })
        .collect())
}

fn parameters(args: &RunArgs) -> anyhow::Result<Vec<Parameter>> {
    let mut params = Vec::new();
    for scan in args.parameter_scan.chunks(3) {
        if let [name, min, max] = scan {
            params.push(Parameter::scan(
                name,
                min,
                max,
                args.parameter_step_size.as_deref(),
            )?);
        }
    }
    for list in args.parameter_list.chunks(2) {
        if let [name, values] = list {
            params.push(Parameter::list(name, values)?);
        }
    }
    Ok(params)
}
