//! How runs are judged: the configuration judging commands read, and the one rule that decides
//! whether its `[gate]` and budgets judge a run of a given source.

use std::path::{Path, PathBuf};

use benchgate_config::Config;
use benchgate_gate::{Budget, CompareOptions};
use benchgate_model::display::format_percent;
use benchgate_model::{Measure, Source, Thresholds};

use crate::PipelineError;

/// A configuration as a long-lived caller (the server) holds it: what was loaded and from where.
/// The default is no file: runs are judged with the defaults and no budget applies.
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    pub config: Config,
    pub path: Option<PathBuf>,
}

impl LoadedConfig {
    /// `--config FILE`, else benchgate.toml when there is one, else the defaults (see
    /// [`load_config`]).
    pub fn from_flag(flag: Option<&Path>) -> Result<LoadedConfig, PipelineError> {
        let (config, path) = load_config(flag)?;
        Ok(LoadedConfig { config, path })
    }

    /// Loads `path` (which must exist), as `--config FILE` does.
    pub fn load(path: &Path) -> Result<LoadedConfig, PipelineError> {
        Ok(LoadedConfig {
            config: Config::load(path)?,
            path: Some(path.to_path_buf()),
        })
    }

    /// The budgets of the file (its `[[budget]]`s and its benches' memory budgets): what a
    /// history chart draws across the runs of any source. None without a file.
    pub fn budgets(&self) -> Vec<Budget> {
        if self.path.is_none() {
            return Vec::new();
        }
        self.config
            .budgets
            .iter()
            .cloned()
            .chain(leak_budgets(&self.config))
            .collect()
    }
}

/// The configuration judging commands read: `flag` (`--config FILE`, which must exist), else
/// benchgate.toml in the current directory when there is one, else none (the defaults).
pub fn load_config(flag: Option<&Path>) -> Result<(Config, Option<PathBuf>), PipelineError> {
    match flag {
        Some(path) => Ok((Config::load(path)?, Some(path.to_path_buf()))),
        None => {
            let default = PathBuf::from(benchgate_config::DEFAULT_FILE);
            if default.exists() {
                Ok((Config::load(&default)?, Some(default)))
            } else {
                Ok((Config::default(), None))
            }
        }
    }
}

/// The thresholds given as flags (`--warn`, `--fail`, `--alpha`, `--min-delta`), each replacing
/// the configured one when given, and whether warnings fail.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ThresholdFlags {
    /// Fractions: 0.05 is 5 %.
    pub warn: Option<f64>,
    pub fail: Option<f64>,
    pub alpha: Option<f64>,
    pub min_delta_ns: Option<f64>,
    pub deny_warnings: bool,
}

impl ThresholdFlags {
    /// The judging options: `base` (defaults, or a configuration's `[gate]`) with these flags on
    /// top, gating `gated`. An alpha outside (0, 1) or a warn threshold above the fail one is
    /// refused.
    pub fn options(
        &self,
        base: Thresholds,
        gated: Vec<Measure>,
    ) -> Result<CompareOptions, PipelineError> {
        let thresholds = Thresholds {
            warn: self.warn.unwrap_or(base.warn),
            fail: self.fail.unwrap_or(base.fail),
            alpha: self.alpha.unwrap_or(base.alpha),
            min_delta_ns: self.min_delta_ns.unwrap_or(base.min_delta_ns),
            ..base
        };
        if !(thresholds.alpha > 0.0 && thresholds.alpha < 1.0) {
            return Err(PipelineError::AlphaOutOfRange {
                alpha: thresholds.alpha,
            });
        }
        if thresholds.warn > thresholds.fail {
            return Err(PipelineError::WarnAboveFail {
                warn: format_percent(thresholds.warn * 100.0),
                fail: format_percent(thresholds.fail * 100.0),
            });
        }
        Ok(CompareOptions {
            thresholds,
            gated_measures: gated,
            deny_warnings: self.deny_warnings,
            ..CompareOptions::default()
        })
    }
}

/// How runs of one source are judged: thresholds, gated measures, budgets, and a note when the
/// configuration was left out.
#[derive(Debug, Clone)]
pub struct Judging {
    pub options: CompareOptions,
    pub budgets: Vec<Budget>,
    pub note: Option<String>,
}

/// The one rule every judging command uses (`run`, `ingest`, `exec`, `compare`, `report`):
/// `config`'s `[gate]`, budgets and checks judge runs of `source` only when [`Config::judges`] says so —
/// settings tuned for one suite must not silently judge another — otherwise the defaults do, with
/// a note saying why; the flags go on top either way. `measures` are the gated measures asked for
/// (`--measure`); none: the configured ones, else wall time.
pub fn judging_for(
    config: &Config,
    config_path: Option<&Path>,
    source: &Source,
    flags: &ThresholdFlags,
    measures: &[Measure],
) -> Result<Judging, PipelineError> {
    let applies = config_path.is_some() && config.judges(source);
    let note = (config_path.is_some() && !applies).then(|| {
        let path = config_path.map_or_else(String::new, |p| p.display().to_string());
        let judged = match &config.gate.sources {
            Some(sources) => sources
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            None => "command (its own [[bench]] suite)".to_string(),
        };
        format!(
            "{path}'s [gate], budgets and checks judge {judged} runs; this {source} run is judged with \
             the defaults and the flags (list {source} in [gate] sources to judge it with them)"
        )
    });
    let (thresholds, configured, budgets) = if applies {
        (
            config.thresholds(),
            config.gate.measures.clone(),
            config
                .budgets
                .iter()
                .cloned()
                .chain(leak_budgets(config))
                .collect(),
        )
    } else {
        (Thresholds::default(), None, Vec::new())
    };
    let gated = if measures.is_empty() {
        configured.unwrap_or_else(|| default_gated(applies.then_some(config)))
    } else {
        measures.to_vec()
    };
    let mut options = flags.options(thresholds, gated)?;
    if applies {
        options.checks = config.checks.clone();
    }
    Ok(Judging {
        options,
        budgets,
        note,
    })
}

/// What a load level is gated on against its baseline when `[gate] measures` does not say: a
/// load level has no wall time, so gating only `wall_time` would pass any regression of it.
pub const LOAD_GATED_MEASURES: [Measure; 3] =
    [Measure::Throughput, Measure::LatencyP99, Measure::ErrorRate];

/// The gated measures without `[gate] measures`: `wall_time`, and the load measures when the
/// suite has a load bench (`concurrency`, `rate`, or `http`).
fn default_gated(config: Option<&Config>) -> Vec<Measure> {
    let mut gated = vec![Measure::WallTime];
    if config.is_some_and(|c| c.benches.iter().any(|b| b.load.is_some())) {
        gated.extend(LOAD_GATED_MEASURES);
    }
    gated
}

/// The budgets a bench's `memory = { max_growth, max_growth_per_op }` sets: `rss_growth` and
/// `rss_growth_per_op` of each benchmark it expands to (each level of a load bench), so a leak
/// is judged, shown with its headroom and fails the gate like any broken budget.
pub fn leak_budgets(config: &Config) -> Vec<Budget> {
    let mut budgets = Vec::new();
    for bench in &config.benches {
        let Some(memory) = &bench.memory else {
            continue;
        };
        let limits = [
            ("rss_growth", memory.max_growth),
            (
                "rss_growth_per_op",
                memory.max_growth_per_op.map(|bytes| bytes as f64),
            ),
        ];
        for (measure, limit) in limits {
            let Some(limit) = limit else { continue };
            for name in bench.benchmark_names() {
                budgets.push(Budget {
                    bench: Some(name),
                    max: Some(limit),
                    ..Budget::new(Measure::Custom(measure.to_string()))
                });
            }
        }
    }
    budgets
}

/// Refuses, for the configured suite at `path`, a gated measure commands cannot report: it would
/// gate nothing.
pub fn check_command_measures(path: &Path, options: &CompareOptions) -> Result<(), PipelineError> {
    match options.gated_measures.iter().find(|m| !m.is_known()) {
        Some(unknown) => Err(PipelineError::UnknownCommandMeasure {
            path: path.to_path_buf(),
            measure: unknown.as_str().to_string(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUITE: &str = "[gate]\nwarn = \"2%\"\nfail = \"4%\"\nmeasures = [\"max_rss\"]\n\n\
                         [[bench]]\nname = \"a\"\ncommand = \"true\"\n\n\
                         [[budget]]\nbench = \"a\"\nmeasure = \"wall_time\"\nmax = \"50ms\"\n";

    fn config(text: &str) -> Config {
        Config::parse_with_env(text, "benchgate.toml", &|_| None).expect("a valid configuration")
    }

    #[test]
    fn a_suites_gate_judges_its_own_command_runs() {
        let config = config(SUITE);
        let path = Path::new("benchgate.toml");
        let judging = judging_for(
            &config,
            Some(path),
            &Source::Command,
            &ThresholdFlags::default(),
            &[],
        )
        .unwrap();
        assert_eq!(judging.note, None);
        assert_eq!(judging.options.thresholds.warn, 0.02);
        assert_eq!(judging.options.thresholds.fail, 0.04);
        assert_eq!(judging.options.gated_measures, vec![Measure::MaxRss]);
        assert_eq!(judging.budgets.len(), 1);
    }

    #[test]
    fn another_source_is_judged_with_the_defaults_and_a_note_says_why() {
        let config = config(SUITE);
        let judging = judging_for(
            &config,
            Some(Path::new("ci/benchgate.toml")),
            &Source::Ingest("go".into()),
            &ThresholdFlags::default(),
            &[],
        )
        .unwrap();
        assert_eq!(
            judging.note.as_deref(),
            Some(
                "ci/benchgate.toml's [gate], budgets and checks judge command (its own [[bench]] suite) \
                 runs; this ingest:go run is judged with the defaults and the flags (list \
                 ingest:go in [gate] sources to judge it with them)"
            )
        );
        assert_eq!(judging.options.thresholds, Thresholds::default());
        assert_eq!(judging.options.gated_measures, vec![Measure::WallTime]);
        assert!(judging.budgets.is_empty());
    }

    #[test]
    fn without_a_file_there_is_no_note_and_the_flags_go_on_top() {
        let flags = ThresholdFlags {
            warn: Some(0.01),
            min_delta_ns: Some(1000.0),
            deny_warnings: true,
            ..ThresholdFlags::default()
        };
        let judging = judging_for(
            &Config::default(),
            None,
            &Source::Ingest("go".into()),
            &flags,
            &[Measure::Instructions],
        )
        .unwrap();
        assert_eq!(judging.note, None);
        assert_eq!(judging.options.thresholds.warn, 0.01);
        assert_eq!(judging.options.thresholds.fail, 0.10);
        assert_eq!(judging.options.thresholds.min_delta_ns, 1000.0);
        assert!(judging.options.deny_warnings);
        assert_eq!(judging.options.gated_measures, vec![Measure::Instructions]);
    }

    #[test]
    fn flags_that_contradict_the_thresholds_are_refused() {
        let alpha = ThresholdFlags {
            alpha: Some(1.0),
            ..ThresholdFlags::default()
        };
        assert_eq!(
            alpha
                .options(Thresholds::default(), Vec::new())
                .unwrap_err()
                .to_string(),
            "--alpha must be between 0 and 1 (exclusive), got 1"
        );
        // The flag's warn against the configured fail: checked after they are layered.
        let warn = ThresholdFlags {
            warn: Some(0.07),
            ..ThresholdFlags::default()
        };
        let base = Thresholds {
            fail: 0.05,
            ..Thresholds::default()
        };
        assert_eq!(
            warn.options(base, Vec::new()).unwrap_err().to_string(),
            "--warn (7%) is larger than --fail (5%)"
        );
    }

    #[test]
    fn a_suite_gating_a_measure_commands_lack_is_refused() {
        let options = CompareOptions {
            gated_measures: vec![Measure::WallTime, Measure::parse("frobs")],
            ..CompareOptions::default()
        };
        assert_eq!(
            check_command_measures(Path::new("b.toml"), &options)
                .unwrap_err()
                .to_string(),
            "b.toml: [gate] measures: unknown measure \"frobs\": commands report \
             wall_time, user_time, sys_time, max_rss and instructions"
        );
        let known = CompareOptions {
            gated_measures: vec![Measure::Instructions],
            ..CompareOptions::default()
        };
        assert!(check_command_measures(Path::new("b.toml"), &known).is_ok());
    }
}
