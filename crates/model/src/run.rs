use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Benchmark, Environment, MAX_SERIES_PER_BENCHMARK, ModelError, Provenance, Summary};

/// The schema tag of the run interchange format.
pub const RUN_SCHEMA: &str = "benchgate/run/v1";

/// How a run was produced: `command`, `harness`, `load` or `ingest:<format>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Source {
    Command,
    Harness,
    Load,
    Ingest(String),
    /// Values a team declared (`benchgate baseline declare`): one value per measure, no samples;
    /// judged by thresholds only (SPEC §7.3).
    Declared,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Command => f.write_str("command"),
            Source::Harness => f.write_str("harness"),
            Source::Load => f.write_str("load"),
            Source::Declared => f.write_str("declared"),
            Source::Ingest(format) => write!(f, "ingest:{format}"),
        }
    }
}

impl TryFrom<String> for Source {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "command" => Ok(Source::Command),
            "harness" => Ok(Source::Harness),
            "load" => Ok(Source::Load),
            "declared" => Ok(Source::Declared),
            other => match other.strip_prefix("ingest:") {
                Some(format) if !format.is_empty() => Ok(Source::Ingest(format.to_string())),
                _ => Err(format!(
                    "unknown source {other:?}, expected command, harness, load, declared or ingest:<format>"
                )),
            },
        }
    }
}

impl From<Source> for String {
    fn from(s: Source) -> String {
        s.to_string()
    }
}

/// One execution of a suite, with everything needed to judge it later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Run {
    pub schema: String,
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ended_at: OffsetDateTime,
    pub source: Source,
    pub provenance: Provenance,
    pub environment: Environment,
    pub benchmarks: Vec<Benchmark>,
}

impl Run {
    /// A new, empty run with a time-ordered (v7) id.
    pub fn new(
        source: Source,
        started_at: OffsetDateTime,
        provenance: Provenance,
        environment: Environment,
    ) -> Run {
        Run {
            schema: RUN_SCHEMA.to_string(),
            id: Uuid::now_v7(),
            started_at,
            ended_at: started_at,
            source,
            provenance,
            environment,
            benchmarks: Vec::new(),
        }
    }

    /// A copy of everything but the benchmarks (cheap even for runs with millions of samples).
    pub fn clone_header(&self) -> Run {
        Run {
            schema: self.schema.clone(),
            id: self.id,
            started_at: self.started_at,
            ended_at: self.ended_at,
            source: self.source.clone(),
            provenance: self.provenance.clone(),
            environment: self.environment.clone(),
            benchmarks: Vec::new(),
        }
    }

    /// Whether any benchmark of this run failed: the run's command failed (exit code 3).
    pub fn any_failed(&self) -> bool {
        self.benchmarks.iter().any(Benchmark::failed)
    }

    pub fn benchmark(&self, name: &str) -> Option<&Benchmark> {
        self.benchmarks.iter().find(|b| b.name == name)
    }

    /// Reads a run from JSON, checking the schema tag first so a foreign file gets a plain answer,
    /// then the shape (errors carry the JSON path) and finally the content.
    pub fn from_json(bytes: &[u8]) -> Result<Run, ModelError> {
        #[derive(Deserialize)]
        struct Tag {
            schema: Option<serde_json::Value>,
        }
        let tag: Tag = parse(bytes)?;
        match tag.schema {
            Some(serde_json::Value::String(s)) if s == RUN_SCHEMA => {}
            Some(other) => {
                return Err(ModelError::Schema {
                    found: other.to_string(),
                    expected: RUN_SCHEMA,
                });
            }
            None => {
                return Err(ModelError::Schema {
                    found: "missing".into(),
                    expected: RUN_SCHEMA,
                });
            }
        }
        let mut run: Run = parse(bytes)?;
        run.validate()?;
        run.refresh_summaries();
        Ok(run)
    }

    pub fn to_json_pretty(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks what the JSON shape cannot: at least one benchmark, an end not before the start,
    /// unique names, finite samples that the measure and unit allow (no negative time, size or
    /// rate), a unit a well-known measure can have, consistent lengths, bounded
    /// series with finite values in time order. Every source (runner,
    /// adapters, import) goes through here before a run is stored.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.benchmarks.is_empty() {
            return Err(invalid(
                "$.benchmarks".into(),
                "no benchmarks: a run holds at least one",
            ));
        }
        if self.ended_at < self.started_at {
            return Err(invalid(
                "$.ended_at".into(),
                &format!(
                    "the run ends ({}) before it starts ({})",
                    rfc3339(self.ended_at),
                    rfc3339(self.started_at)
                ),
            ));
        }
        let mut names = BTreeSet::new();
        for (i, bench) in self.benchmarks.iter().enumerate() {
            let at = |rest: &str| format!("$.benchmarks[{i}]{rest}");
            if bench.name.trim().is_empty() {
                return Err(invalid(at(".name"), "benchmark name is empty"));
            }
            if !names.insert(bench.name.as_str()) {
                return Err(invalid(
                    at(".name"),
                    &format!("duplicate benchmark name {:?}", bench.name),
                ));
            }
            if bench.series.len() > MAX_SERIES_PER_BENCHMARK {
                return Err(invalid(
                    at(".series"),
                    &format!(
                        "{} series: at most {MAX_SERIES_PER_BENCHMARK} are kept per benchmark",
                        bench.series.len()
                    ),
                ));
            }
            let mut series_names = BTreeSet::new();
            for (j, series) in bench.series.iter().enumerate() {
                if let Some((rest, message)) = series.problem() {
                    return Err(invalid(at(&format!(".series[{j}]{rest}")), &message));
                }
                if !series_names.insert(series.name.as_str()) {
                    return Err(invalid(
                        at(&format!(".series[{j}].name")),
                        &format!("duplicate series {:?}", series.name),
                    ));
                }
            }
            let mut measures = BTreeSet::new();
            for (j, metric) in bench.metrics.iter().enumerate() {
                let at = |rest: &str| at(&format!(".metrics[{j}]{rest}"));
                if !measures.insert(&metric.measure) {
                    return Err(invalid(
                        at(".measure"),
                        &format!("duplicate measure {:?}", metric.measure.as_str()),
                    ));
                }
                if let Some(k) = metric.samples.iter().position(|s| !s.is_finite()) {
                    return Err(invalid(
                        at(&format!(".samples[{k}]")),
                        "sample is not finite",
                    ));
                }
                if let Some(expected) = metric.measure.canonical_unit()
                    && metric.unit != expected
                {
                    return Err(invalid(
                        at(".unit"),
                        &format!(
                            "unit {:?} for {}: expected {:?}",
                            metric.unit.as_str(),
                            metric.measure,
                            expected.as_str()
                        ),
                    ));
                }
                if let Some((k, bad)) = metric.out_of_range() {
                    return Err(invalid(at(&format!(".samples[{k}]")), &bad));
                }
                if let Some(iterations) = &metric.iterations
                    && iterations.len() != metric.samples.len()
                {
                    return Err(invalid(
                        at(".iterations"),
                        &format!(
                            "{} iteration counts for {} samples",
                            iterations.len(),
                            metric.samples.len()
                        ),
                    ));
                }
                // The summary is derived from the samples; one without them describes nothing.
                if metric.samples.is_empty() {
                    return Err(invalid(
                        at(".samples"),
                        &format!(
                            "no samples (the summary says n={}; it is computed from the samples)",
                            metric.summary.n
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Recomputes every summary that has samples behind it (summaries are derived data).
    pub fn refresh_summaries(&mut self) {
        for metric in self
            .benchmarks
            .iter_mut()
            .flat_map(|b| b.metrics.iter_mut())
        {
            if let Some(summary) = Summary::of(&metric.samples) {
                metric.summary = summary;
            }
        }
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn invalid(path: String, message: &str) -> ModelError {
    ModelError::Invalid {
        path,
        message: message.to_string(),
    }
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ModelError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = result.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        ModelError::Json {
            path: if path == "." {
                "$".into()
            } else {
                format!("$.{}", path.trim_start_matches('.'))
            },
            message: strip_position(&inner.to_string()),
            line: inner.line(),
            column: inner.column(),
        }
    })?;
    de.end().map_err(|e| ModelError::Json {
        path: "$".into(),
        message: strip_position(&e.to_string()),
        line: e.line(),
        column: e.column(),
    })?;
    Ok(value)
}

/// serde_json appends " at line L column C"; we report the position ourselves, once.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
