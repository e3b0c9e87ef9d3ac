//! `benchgate load URL…`: an HTTP load test as a suite of one bench. The flags become the HTTP
//! `[[bench]]` benchgate.toml would declare (`http = { ... }` with `concurrency` or `rate`), judged
//! with the `[gate]` and `[[budget]]`s of `--config` when given; the pipeline's [`Suite`] runs,
//! stores and judges it exactly as `run` does a configured suite.

use std::path::PathBuf;

use anyhow::{Context, bail};
use benchgate_config::{
    Bench, Config, ConfirmMode, HttpSettings, LoadFlags, RunnerSettings, load_from_flags,
};
use benchgate_model::{Mode, Outcome};
use benchgate_pipeline::plan::SuiteOptions;
use benchgate_pipeline::suite::{Suite, SuiteOutcome, SuiteRequest};

use crate::cli::{GlobalArgs, HttpLoadArgs, ModeArg};
use crate::exports::Exports;
use crate::progress::Reporter;
use crate::render::{Rendering, render_judgement};

/// Connections when neither `--concurrency`, `--sweep` nor `--rate` is given (as wrk).
const DEFAULT_CONNECTIONS: &str = "10";

pub fn execute(args: &HttpLoadArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let mut config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    config.benches = vec![bench(args)?];
    benchgate_measure::install_interrupt_handlers()?;
    let request = SuiteRequest {
        // Messages name the file the gate came from, or the command.
        path: args
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from("benchgate load")),
        options: SuiteOptions {
            watch_pid: args.watch_pid,
            ..SuiteOptions::default()
        },
        flags: args.judge.flags(args.deny_warnings),
        baseline: args.baseline.clone(),
        allow_mode_mismatch: args.allow_mode_mismatch,
        // A load level is judged as measured: re-measuring it would double the load test.
        confirm: Some(ConfirmMode::Off),
        store: global.store(),
        profile: None,
    };
    let suite = Suite::prepare(&config, request)?;
    let exports = Exports::new(args.export_json.as_deref(), args.export_markdown.as_deref());
    exports.check()?;
    let SuiteOutcome { run, judgement } = suite.run(&mut Reporter::new(global))?;
    let rendering = Rendering {
        format: args.format,
        exports: &exports,
    };
    render_judgement(&run, &judgement, &rendering, global)
}

/// The HTTP bench the flags describe.
fn bench(args: &HttpLoadArgs) -> anyhow::Result<Bench> {
    let http = HttpSettings {
        urls: args.urls.clone(),
        urls_file: args.urls_file.clone(),
        method: args.method.trim().to_ascii_uppercase(),
        headers: args
            .header
            .iter()
            .map(|h| header(h))
            .collect::<anyhow::Result<_>>()?,
        body: args.body.clone(),
        body_file: args.body_file.clone(),
        http2: args.http2,
        threads: args
            .threads
            .and_then(|n| std::num::NonZeroUsize::new(usize::from(n))),
    };
    // A bad URL, header or body file is the command line's mistake: said as such, up front.
    benchgate_pipeline::http_load::http_targets(&http)?;
    let (load, memory) = load_from_flags(&load_flags(args)).map_err(|message| {
        // The flags are read as `run`'s; `load` names two of them its own way.
        let message = message.replace("--operations", "--requests");
        match &args.sweep {
            Some(_) => anyhow::anyhow!(message.replace("--concurrency", "--sweep")),
            None => anyhow::anyhow!(message),
        }
    })?;
    let Some(load) = load else {
        bail!("give --concurrency, --sweep or --rate");
    };
    let name = match &args.name {
        Some(name) if name.trim().is_empty() => bail!("--name must not be empty"),
        Some(name) => name.clone(),
        None => default_name(&http),
    };
    Ok(Bench {
        name,
        command: String::new(),
        command_as_written: http.describe(),
        prepare: None,
        conclude: None,
        setup: None,
        cleanup: None,
        input: None,
        runner: RunnerSettings {
            timeout: args.timeout.map(|t| t.to_std()),
            ..RunnerSettings::default()
        },
        mode: match args.mode {
            ModeArg::Real => Mode::Real,
            ModeArg::Simulated => Mode::Simulated,
        },
        requires: Default::default(),
        params: Vec::new(),
        output: Default::default(),
        skip: None,
        load: Some(load),
        memory,
        watch: None,
        http: Some(http),
    })
}

fn load_flags(args: &HttpLoadArgs) -> LoadFlags {
    let closed = args.concurrency.clone().or_else(|| args.sweep.clone());
    LoadFlags {
        concurrency: match (&closed, &args.rate) {
            (None, None) => Some(DEFAULT_CONNECTIONS.to_string()),
            _ => closed,
        },
        rate: args.rate.clone(),
        arrivals: args.arrivals.clone(),
        seed: args.seed,
        ramp: args.ramp.clone(),
        max_in_flight: args.max_in_flight.clone(),
        duration: args.duration.clone(),
        operations: args.requests.clone(),
        memory_every: args.memory_every.clone(),
        burst: args.burst.clone(),
        burst_every: args.burst_every.clone(),
    }
}

/// `NAME: VALUE`.
fn header(text: &str) -> anyhow::Result<(String, String)> {
    let (name, value) = text
        .split_once(':')
        .with_context(|| format!("--header {text:?}: expected NAME: VALUE"))?;
    if name.trim().is_empty() {
        bail!("--header {text:?}: the header's name is empty");
    }
    Ok((name.trim().to_string(), value.trim().to_string()))
}

/// The first URL without its scheme (`127.0.0.1:8080/api`), after the method unless it is GET;
/// or the URL list's file name.
fn default_name(http: &HttpSettings) -> String {
    let target = match (http.urls.first(), &http.urls_file) {
        (Some(url), _) => url
            .strip_prefix("http://")
            .unwrap_or(url)
            .trim_end_matches('/')
            .to_string(),
        (None, Some(file)) => file.display().to_string(),
        (None, None) => "load".to_string(),
    };
    match http.method.as_str() {
        "GET" => target,
        method => format!("{method} {target}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_a_name_and_a_value_around_the_first_colon() {
        assert_eq!(
            header("content-type: application/json").unwrap(),
            ("content-type".to_string(), "application/json".to_string())
        );
        assert_eq!(
            header("x-when: 12:30").unwrap(),
            ("x-when".to_string(), "12:30".to_string())
        );
        assert_eq!(
            header("nocolon").unwrap_err().to_string(),
            "--header \"nocolon\": expected NAME: VALUE"
        );
        assert_eq!(
            header(": v").unwrap_err().to_string(),
            "--header \": v\": the header's name is empty"
        );
    }

    #[test]
    fn the_default_name_is_the_url_without_its_scheme() {
        let mut http = HttpSettings {
            urls: vec!["http://127.0.0.1:8080/".to_string()],
            method: "GET".to_string(),
            ..HttpSettings::default()
        };
        assert_eq!(default_name(&http), "127.0.0.1:8080");
        http.urls = vec!["http://h/api/jobs".to_string()];
        http.method = "POST".to_string();
        assert_eq!(default_name(&http), "POST h/api/jobs");
    }
}
