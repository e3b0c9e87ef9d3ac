//! benchgate's own run JSON (`"schema": "benchgate/run/v1"`, docs/schema/run.v1.schema.json), as
//! written by `benchgate run --export-json`, `benchgate export` and the in-process harness. It
//! maps onto the model one to one: the benchmarks as they are, and the run's provenance,
//! environment, source and times as the [`Context`], so an ingested run keeps them.

use benchgate_model::{ModelError, RUN_SCHEMA, Run};

use crate::{Context, ParseError, Parsed};

/// Whether `head` is a benchgate run: it carries the schema tag (any version: a file of another
/// version is then refused with a plain message naming it), or — when the tag comes later than
/// the bytes looked at, as in JSON written with sorted keys — benchgate's own metric shape.
pub fn sniff(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    if !text.trim_start().starts_with('{') {
        return false;
    }
    let family = RUN_SCHEMA.trim_end_matches(|c: char| c != '/');
    let tagged = text.contains("\"schema\"") && text.contains(&format!("\"{family}"));
    let shaped = [
        "\"metrics\"",
        "\"measure\"",
        "\"direction\"",
        "\"summary\"",
        "\"samples\"",
    ]
    .iter()
    .all(|key| text.contains(key));
    tagged || shaped
}

/// Parses a whole run file.
pub fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let run = Run::from_json(bytes).map_err(|e| match e {
        ModelError::Json {
            path,
            message,
            line,
            column,
        } => ParseError::json(path, line, column, message),
        ModelError::Invalid { path, message } => ParseError::json(path, 0, 0, message),
        schema @ ModelError::Schema { .. } => {
            ParseError::json("$.schema", 0, 0, schema.to_string())
        }
    })?;
    Ok(from_run(run))
}

/// The benchmarks of `run` and everything it says about itself.
pub fn from_run(run: Run) -> Parsed {
    let env = run.environment;
    let p = run.provenance;
    let non_empty = |s: String| (!s.is_empty()).then_some(s);
    Parsed {
        benchmarks: run.benchmarks,
        context: Context {
            hostname: non_empty(env.hostname),
            os: non_empty(env.os),
            kernel: non_empty(env.kernel),
            arch: non_empty(env.arch),
            cpu_model: non_empty(env.cpu_model),
            logical_cores: (env.logical_cores > 0).then_some(env.logical_cores),
            memory_bytes: (env.memory_bytes > 0).then_some(env.memory_bytes),
            commit: p.commit,
            branch: p.branch,
            dirty: p.dirty,
            merge_base: p.merge_base,
            mode: Some(p.mode),
            started_at: Some(run.started_at),
            ended_at: Some(run.ended_at),
            source: Some(run.source),
            tags: p.tags,
        },
    }
}
