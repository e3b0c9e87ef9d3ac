//! Progress while commands run: a bar with ETA on a terminal (indicatif), plain lines otherwise
//! (CI logs), nothing with --quiet.

use benchgate_model::display::plural;
use std::time::Duration;

use crate::output::Console;
use benchgate_measure::{Event, Observer, Sample};
use benchgate_report::escape::terminal::line;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub enum Progress {
    Bar {
        bar: ProgressBar,
        names: Vec<String>,
    },
    Lines {
        names: Vec<String>,
        medians: Vec<Vec<u64>>,
        console: Console,
    },
    Quiet,
}

impl Progress {
    pub fn new(names: Vec<String>, quiet: bool, terminal: bool) -> Progress {
        // Names come from the user's commands and files: shown escaped, on a terminal and in a
        // CI log alike.
        let names: Vec<String> = names.iter().map(|n| line(n).into_owned()).collect();
        if quiet {
            return Progress::Quiet;
        }
        if !terminal {
            let medians = vec![Vec::new(); names.len()];
            return Progress::Lines {
                names,
                medians,
                console: crate::output::console(),
            };
        }
        let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr_with_hz(10));
        let style = ProgressStyle::with_template(
            "{spinner} {prefix:.bold} [{bar:30}] {pos}/{len} runs · {elapsed} · ETA {eta}",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress::Bar { bar, names }
    }

    pub fn finish(&self) {
        if let Progress::Bar { bar, .. } = self {
            bar.finish_and_clear();
        }
    }
}

fn median_ms(samples: &mut [u64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    Some(samples[samples.len() / 2] as f64 / 1e6)
}

impl Observer for Progress {
    fn event(&mut self, event: &Event<'_>) {
        match self {
            Progress::Quiet => {}
            Progress::Bar { bar, names } => match *event {
                Event::Warmup { command, .. } | Event::Setup { command } => {
                    bar.set_prefix(names.get(command).cloned().unwrap_or_default());
                }
                Event::Sample { command, .. } => {
                    bar.set_prefix(names.get(command).cloned().unwrap_or_default());
                }
                Event::Progress {
                    done,
                    expected_total,
                } => {
                    bar.set_length(expected_total.max(done));
                    bar.set_position(done);
                }
                Event::Failed { command, failure } => bar.println(format!(
                    "{}: {}",
                    names.get(command).map_or("", String::as_str),
                    line(&describe(failure))
                )),
                Event::Finished { .. } => {}
            },
            Progress::Lines {
                names,
                medians,
                console,
            } => match *event {
                Event::Setup { command } => {
                    console.eprint_line(&format!(
                        "{}: setup",
                        names.get(command).map_or("", String::as_str)
                    ));
                }
                Event::Warmup {
                    command,
                    run: 1,
                    of,
                } => console.eprint_line(&format!(
                    "{}: {of} warm-up run{}",
                    names.get(command).map_or("", String::as_str),
                    if of == 1 { "" } else { "s" }
                )),
                Event::Sample {
                    command,
                    sample: &Sample { wall_ns, .. },
                    ..
                } => {
                    if let Some(m) = medians.get_mut(command) {
                        m.push(wall_ns);
                    }
                }
                Event::Failed { command, failure } => console.eprint_line(&format!(
                    "{}: {}",
                    names.get(command).map_or("", String::as_str),
                    line(&describe(failure))
                )),
                Event::Finished { command } => {
                    let name = names.get(command).map_or("", String::as_str);
                    let samples = medians
                        .get_mut(command)
                        .map(std::mem::take)
                        .unwrap_or_default();
                    let n = samples.len();
                    let mut samples = samples;
                    match median_ms(&mut samples) {
                        Some(ms) => console.eprint_line(&format!(
                            "{name}: {}, median {ms:.3} ms",
                            plural(n, "run")
                        )),
                        None => console.eprint_line(&format!("{name}: no runs recorded")),
                    }
                }
                _ => {}
            },
        }
    }
}

/// The pipeline's progress on this terminal: a [`Progress`] display for each group of commands
/// measured together, status lines and notes on standard error; only notes with --quiet.
pub struct Reporter {
    quiet: bool,
    terminal: bool,
    current: Option<Progress>,
    /// The line a load level redraws while it runs (terminal only).
    live: Option<ProgressBar>,
}

impl Reporter {
    pub fn new(global: &crate::cli::GlobalArgs) -> Reporter {
        Reporter {
            quiet: global.quiet,
            terminal: crate::output::console().stderr_is_terminal(),
            current: None,
            live: None,
        }
    }
}

impl Observer for Reporter {
    fn event(&mut self, event: &Event<'_>) {
        if let Some(progress) = &mut self.current {
            progress.event(event);
        }
    }
}

impl benchgate_pipeline::measure::Progress for Reporter {
    fn start(&mut self, names: &[String]) {
        self.current = Some(Progress::new(names.to_vec(), self.quiet, self.terminal));
    }

    fn finish(&mut self) {
        if let Some(progress) = self.current.take() {
            progress.finish();
        }
        self.end_live();
    }

    fn status(&mut self, text: &str) {
        if !self.quiet {
            self.eprint_line(&line(text));
        }
    }

    fn note(&mut self, text: &str) {
        self.eprint_line(&format!("note: {}", line(text)));
    }

    fn live(&mut self) -> Option<benchgate_pipeline::measure::LiveLine> {
        if self.quiet || !self.terminal {
            return None;
        }
        let bar = self.live.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        let bar = bar.clone();
        Some(std::sync::Arc::new(move |text: &str| {
            bar.set_message(line(text).into_owned());
        }))
    }
}

impl Reporter {
    /// A line on standard error, above the live line when there is one.
    fn eprint_line(&self, text: &str) {
        match &self.live {
            Some(bar) => bar.println(text),
            None => crate::output::eprint_line(text),
        }
    }

    fn end_live(&mut self) {
        if let Some(bar) = self.live.take() {
            bar.finish_and_clear();
        }
    }
}

/// A failure as a line: `run exited with code 1`; one its output caused names the run itself
/// (`run 3: metric "tps": …`).
fn describe(failure: &benchgate_measure::Failure) -> String {
    if failure.output.is_some() {
        failure.message.clone()
    } else {
        format!("{} {}", failure.phase, failure.message)
    }
}
