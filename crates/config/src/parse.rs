//! Walks the spanned TOML tree, checking every key and value and converting human units, so each
//! error can name the file, line, column and key.

mod http;
mod load;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use benchgate_gate::{Budget, Check, MAX_CHECKS, NameGlob, canonical_unit};
use benchgate_measure::{
    Better, DefinitionError, Expected, MAX_COMBINATIONS, MAX_PARAMETER_VALUES, MeasureError,
    MetricDefinition, MetricUnit, OutputCheck, OutputSpec, Parameter, Selector, check_combinations,
};
use benchgate_model::{Measure, Mode, Severity, Source, Unit};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::line_col;
use crate::units::{Kind, parse_quantity};
use crate::{
    Bench, Config, ConfigError, ConfirmMode, GateConfig, Measurement, Requirements, RunnerSettings,
};

type Val<'i> = Spanned<DeValue<'i>>;

const TOP_KEYS: [&str; 8] = [
    "defaults",
    "gate",
    "bench",
    "budget",
    "check",
    "env",
    "build",
    "budget_files",
];
const BUILD_KEYS: [&str; 1] = ["command"];
const ENV_KEYS: [&str; 1] = ["record"];
const GATE_KEYS: [&str; 9] = [
    "alpha",
    "warn",
    "fail",
    "min_delta",
    "measures",
    "baseline",
    "confirm",
    "confirm_max_time",
    "sources",
];
/// A `[[bench]]`'s own keys; it takes the [`RUNNER_SETTINGS`] and [`load::LOAD_KEYS`] too.
const BENCH_KEYS: [&str; 14] = [
    "name",
    "command",
    "http",
    "prepare",
    "conclude",
    "setup",
    "cleanup",
    "input",
    "mode",
    "requires",
    "params",
    "metrics",
    "check",
    "output_file",
];
/// One entry of a bench's `metrics`.
const METRIC_KEYS: [&str; 5] = ["name", "json", "regex", "unit", "better"];
/// A bench's `check`.
const CHECK_KEYS: [&str; 2] = ["json", "equals"];
/// Longest unit name a metric may have.
const MAX_UNIT_CHARS: usize = 32;

/// Reads one runner setting (`key`) of a section into the settings.
type ReadSetting =
    fn(&Ctx, &Section, &str, &[String], &mut RunnerSettings) -> Result<(), ConfigError>;

/// Every runner setting, once: its key and how it is read. `[defaults]` takes exactly these keys,
/// a `[[bench]]` these and its own; they are read in this order.
const RUNNER_SETTINGS: [(&str, ReadSetting); 9] = [
    ("warmup", |ctx, s, key, _, r| {
        r.warmup = s.integer(ctx, key, 0)?;
        Ok(())
    }),
    ("runs", |ctx, s, key, _, r| {
        r.runs = s.integer(ctx, key, 1)?;
        Ok(())
    }),
    ("min_runs", |ctx, s, key, _, r| {
        r.min_runs = s.integer(ctx, key, 1)?;
        Ok(())
    }),
    ("max_runs", |ctx, s, key, _, r| {
        r.max_runs = s.integer(ctx, key, 1)?;
        Ok(())
    }),
    ("max_time", |ctx, s, key, _, r| {
        r.max_time = s.duration(ctx, key, false)?;
        Ok(())
    }),
    ("precision", |ctx, s, key, _, r| {
        r.precision = s.percent(ctx, key)?;
        Ok(())
    }),
    ("timeout", |ctx, s, key, _, r| {
        r.timeout = s.duration(ctx, key, false)?;
        Ok(())
    }),
    ("shell", |ctx, s, key, allowed_unset, r| {
        r.shell = match s.string(ctx, key)? {
            Some((text, value)) => Some(expand(ctx, s, key, text, value, allowed_unset)?.0),
            None => None,
        };
        Ok(())
    }),
    ("measure", |ctx, s, key, _, r| {
        r.measure = measurements(ctx, s, key)?;
        Ok(())
    }),
];

/// The keys of [`RUNNER_SETTINGS`], after `own` (a section's own keys), as errors list them.
fn keys_with_runner_settings(own: &[&'static str]) -> Vec<&'static str> {
    own.iter()
        .copied()
        .chain(RUNNER_SETTINGS.iter().map(|(key, _)| *key))
        .collect()
}
const REQUIRES_KEYS: [&str; 3] = ["env", "commands", "files"];
const SCAN_KEYS: [&str; 3] = ["min", "max", "step"];
const BUDGET_KEYS: [&str; 7] = ["bench", "measure", "max", "min", "target", "warn", "fail"];
/// A `[[check]]`'s keys (not a bench's `check`, see [`CHECK_KEYS`]).
const CHECK_ENTRY_KEYS: [&str; 5] = ["name", "expr", "measure", "severity", "filter"];

struct Ctx<'t> {
    text: &'t str,
    origin: &'t str,
    env: &'t dyn Fn(&str) -> Option<String>,
    /// `[env] record`: the variables whose values may be stored.
    record: Vec<String>,
    /// The other variables expanded so far, with their values (for [`Config::redact`]).
    unrecorded: std::cell::RefCell<Vec<(String, String)>>,
}

impl Ctx<'_> {
    fn err(&self, span: &Range<usize>, message: impl Into<String>) -> ConfigError {
        let (line, column) = line_col(self.text, span.start);
        ConfigError::Invalid {
            origin: self.origin.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// A table being read: where it is and how to name its keys in messages.
struct Section<'a, 'i> {
    table: &'a DeTable<'i>,
    span: Range<usize>,
    /// `[defaults]`, `[[bench]] #2`, or empty at the top level.
    name: String,
    /// Dotted path of the table inside the section (`requires.`), or empty.
    prefix: String,
}

impl<'a, 'i> Section<'a, 'i> {
    fn key(&self, key: &str) -> String {
        if self.name.is_empty() {
            format!("`{}{key}`", self.prefix)
        } else {
            format!("{} `{}{key}`", self.name, self.prefix)
        }
    }

    /// The section itself, for errors about the whole table.
    fn whole(&self) -> String {
        match (self.name.is_empty(), self.prefix.is_empty()) {
            (true, true) => "the document".to_string(),
            (false, true) => self.name.clone(),
            (true, false) => format!("`{}`", self.prefix.trim_end_matches('.')),
            (false, false) => format!("{} `{}`", self.name, self.prefix.trim_end_matches('.')),
        }
    }

    fn check_keys(&self, ctx: &Ctx, allowed: &[&str]) -> Result<(), ConfigError> {
        for (key, _) in self.table.iter() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                return Err(ctx.err(
                    &key.span(),
                    format!(
                        "{}: unknown key (expected one of {})",
                        self.key(key.get_ref()),
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Option<&'a Val<'i>> {
        self.table.get(key)
    }

    fn bad(&self, ctx: &Ctx, key: &str, value: &Val, message: impl AsRef<str>) -> ConfigError {
        ctx.err(
            &value.span(),
            format!("{}: {}", self.key(key), message.as_ref()),
        )
    }

    fn wrong_type(&self, ctx: &Ctx, key: &str, value: &Val, expected: &str) -> ConfigError {
        self.bad(
            ctx,
            key,
            value,
            format!("expected {expected}, found {}", value.get_ref().type_str()),
        )
    }

    fn missing(&self, ctx: &Ctx, key: &str) -> ConfigError {
        ctx.err(
            &self.span,
            format!("{}: missing required key `{key}`", self.whole()),
        )
    }

    fn string(&self, ctx: &Ctx, key: &str) -> Result<Option<(&'a str, &'a Val<'i>)>, ConfigError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::String(s) => {
                if s.trim().is_empty() {
                    Err(self.bad(ctx, key, value, "must not be empty"))
                } else {
                    Ok(Some((s.as_ref(), value)))
                }
            }
            _ => Err(self.wrong_type(ctx, key, value, "a string")),
        }
    }

    fn table(&self, ctx: &Ctx, key: &str) -> Result<Option<Section<'a, 'i>>, ConfigError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::Table(table) => Ok(Some(Section {
                table,
                span: value.span(),
                name: self.name.clone(),
                prefix: format!("{}{key}.", self.prefix),
            })),
            _ => Err(self.wrong_type(ctx, key, value, "a table")),
        }
    }

    fn string_list(
        &self,
        ctx: &Ctx,
        key: &str,
    ) -> Result<Vec<(&'a str, &'a Val<'i>)>, ConfigError> {
        let Some(value) = self.get(key) else {
            return Ok(Vec::new());
        };
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.wrong_type(ctx, key, value, "an array of strings"));
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => out.push((s.as_ref(), item)),
                DeValue::String(_) => {
                    return Err(self.bad(ctx, key, item, "entries must not be empty"));
                }
                _ => return Err(self.wrong_type(ctx, key, item, "a string")),
            }
        }
        Ok(out)
    }

    fn integer(&self, ctx: &Ctx, key: &str, min: u32) -> Result<Option<u32>, ConfigError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let DeValue::Integer(i) = value.get_ref() else {
            return Err(self.wrong_type(ctx, key, value, "an integer"));
        };
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if n < i64::from(min) => {
                Err(self.bad(ctx, key, value, format!("must be at least {min}, got {n}")))
            }
            Ok(n) => u32::try_from(n)
                .map(Some)
                .map_err(|_| self.bad(ctx, key, value, format!("{n} is too large"))),
            Err(_) => Err(self.bad(ctx, key, value, "integer out of range")),
        }
    }

    /// A quantity of the expected kind. Plain TOML numbers are accepted where `plain_ok`.
    fn quantity(
        &self,
        ctx: &Ctx,
        key: &str,
        expected: Kind,
        plain_ok: bool,
    ) -> Result<Option<(f64, &'a Val<'i>)>, ConfigError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let (number, kind) = match value.get_ref() {
            DeValue::String(s) => parse_quantity(s).map_err(|m| self.bad(ctx, key, value, m))?,
            DeValue::Integer(i) => {
                let n = i64::from_str_radix(i.as_str(), i.radix())
                    .map_err(|_| self.bad(ctx, key, value, "integer out of range"))?;
                if n < 0 {
                    return Err(self.bad(ctx, key, value, format!("{n} is negative")));
                }
                (n as f64, Kind::Plain)
            }
            DeValue::Float(f) => {
                let n: f64 = f.as_str().replace('_', "").parse().unwrap_or(f64::NAN);
                if !n.is_finite() {
                    return Err(self.bad(
                        ctx,
                        key,
                        value,
                        format!("{} is not a finite number", f.as_str()),
                    ));
                }
                if n < 0.0 {
                    return Err(self.bad(ctx, key, value, format!("{} is negative", f.as_str())));
                }
                (n, Kind::Plain)
            }
            _ => {
                return Err(self.wrong_type(ctx, key, value, expected.example()));
            }
        };
        if kind == expected || (kind == Kind::Plain && plain_ok) {
            Ok(Some((number, value)))
        } else {
            Err(self.bad(
                ctx,
                key,
                value,
                format!(
                    "expected {}, found {}",
                    expected.example(),
                    shown(value, kind)
                ),
            ))
        }
    }

    fn duration(
        &self,
        ctx: &Ctx,
        key: &str,
        zero_ok: bool,
    ) -> Result<Option<Duration>, ConfigError> {
        let Some((ns, value)) = self.quantity(ctx, key, Kind::Duration, false)? else {
            return Ok(None);
        };
        // A duration that rounds to 0 ns is zero to everything that uses it.
        if ns.round() < 1.0 && !zero_ok {
            let why = if ns == 0.0 {
                "must be longer than zero"
            } else {
                "is shorter than 1ns, the smallest duration"
            };
            return Err(self.bad(ctx, key, value, why));
        }
        if ns >= u64::MAX as f64 {
            return Err(self.bad(ctx, key, value, "is too long"));
        }
        Ok(Some(Duration::from_nanos(ns.round() as u64)))
    }

    /// The relative `warn` and `fail` thresholds of `[gate]` or a `[[budget]]`; warn ≤ fail.
    fn warn_fail(&self, ctx: &Ctx) -> Result<(Option<f64>, Option<f64>), ConfigError> {
        let warn = self.percent(ctx, "warn")?;
        let fail = self.percent(ctx, "fail")?;
        if let (Some(w), Some(f)) = (warn, fail)
            && w > f
            && let Some(value) = self.get("warn")
        {
            return Err(self.bad(ctx, "warn", value, "must not be greater than `fail`"));
        }
        Ok((warn, fail))
    }

    fn percent(&self, ctx: &Ctx, key: &str) -> Result<Option<f64>, ConfigError> {
        let Some((ratio, value)) = self.quantity(ctx, key, Kind::Percent, false)? else {
            return Ok(None);
        };
        if ratio == 0.0 {
            return Err(self.bad(ctx, key, value, "must be greater than 0%"));
        }
        Ok(Some(ratio))
    }
}

/// How a value of a known kind is shown in a mismatch message.
fn shown(value: &Val, kind: Kind) -> String {
    match value.get_ref() {
        DeValue::String(s) => format!("{s:?}, {}", kind.describe()),
        DeValue::Integer(i) => format!("{}, {} without a unit", i.as_str(), kind.describe()),
        DeValue::Float(f) => format!("{}, {} without a unit", f.as_str(), kind.describe()),
        other => other.type_str().to_string(),
    }
}

pub(crate) fn parse(
    text: &str,
    origin: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let mut ctx = Ctx {
        text,
        origin,
        env,
        record: Vec::new(),
        unrecorded: Default::default(),
    };
    let document = DeTable::parse(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().replace('\n', "; ");
        ctx.err(&span, format!("invalid TOML: {message}"))
    })?;
    let top = Section {
        table: document.get_ref(),
        span: document.span(),
        name: String::new(),
        prefix: String::new(),
    };
    top.check_keys(&ctx, &TOP_KEYS)?;
    let mut config = Config::default();
    // First: a bench's name may use only the variables listed here.
    if let Some(value) = top.get("env") {
        let section = top_table(&ctx, &top, "env", value, "[env]")?;
        section.check_keys(&ctx, &ENV_KEYS)?;
        for (name, item) in section.string_list(&ctx, "record")? {
            let name = name.trim();
            if !valid_variable(name) {
                return Err(section.bad(
                    &ctx,
                    "record",
                    item,
                    format!("invalid variable name {name:?}"),
                ));
            }
            if !config.env.record.iter().any(|r| r == name) {
                config.env.record.push(name.to_string());
            }
        }
        config.env.recorded = config
            .env
            .record
            .iter()
            .filter_map(|name| env(name).map(|value| (name.clone(), value)))
            .collect();
        ctx.record = config.env.record.clone();
    }
    if let Some(value) = top.get("defaults") {
        let section = top_table(&ctx, &top, "defaults", value, "[defaults]")?;
        section.check_keys(&ctx, &keys_with_runner_settings(&[]))?;
        config.defaults = runner_settings(&ctx, &section, &[])?;
    }
    if let Some(value) = top.get("gate") {
        let section = top_table(&ctx, &top, "gate", value, "[gate]")?;
        config.gate = gate(&ctx, &section)?;
    }
    if let Some(value) = top.get("build") {
        let section = top_table(&ctx, &top, "build", value, "[build]")?;
        section.check_keys(&ctx, &BUILD_KEYS)?;
        if let Some((command, value)) = section.string(&ctx, "command")? {
            if command.trim().is_empty() {
                return Err(section.bad(&ctx, "command", value, "must not be empty"));
            }
            config.build.command = Some(command.to_string());
        }
    }
    if let Some(value) = top.get("bench") {
        let mut names = BTreeSet::new();
        let mut expanded = ExpandedNames::default();
        for (i, item) in tables(&ctx, &top, "bench", value)?.into_iter().enumerate() {
            let section = Section {
                table: item.0,
                span: item.1,
                name: format!("[[bench]] #{}", i + 1),
                prefix: String::new(),
            };
            let bench = bench(&ctx, &section)?;
            if !names.insert(bench.name.clone())
                && let Some(value) = section.get("name")
            {
                return Err(section.bad(
                    &ctx,
                    "name",
                    value,
                    format!("duplicate bench name {:?}", bench.name),
                ));
            }
            expanded.add(&ctx, &section, &bench)?;
            config.benches.push(bench);
        }
    }
    if let Some(value) = top.get("budget") {
        let metric_units = metric_units(&config.benches);
        for (i, item) in tables(&ctx, &top, "budget", value)?.into_iter().enumerate() {
            let section = Section {
                table: item.0,
                span: item.1,
                name: format!("[[budget]] #{}", i + 1),
                prefix: String::new(),
            };
            config.budgets.push(budget(&ctx, &section, &metric_units)?);
        }
    }
    for (file, item) in top.string_list(&ctx, "budget_files")? {
        if file.trim().is_empty() {
            return Err(top.bad(&ctx, "budget_files", item, "a file name is empty"));
        }
        config
            .budget_files
            .push(std::path::PathBuf::from(file.trim()));
    }
    if let Some(value) = top.get("check") {
        let items = tables(&ctx, &top, "check", value)?;
        if items.len() > MAX_CHECKS {
            return Err(top.bad(
                &ctx,
                "check",
                value,
                format!("{} checks; at most {MAX_CHECKS}", items.len()),
            ));
        }
        let mut names = BTreeSet::new();
        for (i, item) in items.into_iter().enumerate() {
            let section = Section {
                table: item.0,
                span: item.1,
                name: format!("[[check]] #{}", i + 1),
                prefix: String::new(),
            };
            let check = check_entry(&ctx, &section)?;
            if !names.insert(check.name.clone())
                && let Some(value) = section.get("name")
            {
                return Err(section.bad(
                    &ctx,
                    "name",
                    value,
                    format!("duplicate check name {:?}", check.name),
                ));
            }
            config.checks.push(check);
        }
    }
    config.env.unrecorded = ctx.unrecorded.take();
    // Longest first, so a value that contains another is replaced whole.
    config
        .env
        .unrecorded
        .sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    config.env.unrecorded.dedup();
    Ok(config)
}

/// The names of every benchmark the file's benches expand to, so a name given twice (by two
/// benches, or by a repeated parameter value) is refused when the file loads, not after the
/// whole suite ran.
#[derive(Default)]
struct ExpandedNames {
    /// Each name and the bench (`[[bench]] #N`) and span it came from.
    seen: HashMap<String, (String, Range<usize>)>,
}

impl ExpandedNames {
    fn add(&mut self, ctx: &Ctx, s: &Section, bench: &Bench) -> Result<(), ConfigError> {
        // Where the names come from: the parameters when there are any, else the name.
        let span = s
            .get("params")
            .filter(|_| !bench.params.is_empty())
            .or_else(|| s.get("name"))
            .map_or_else(|| s.span.clone(), |v| v.span());
        let key = if bench.params.is_empty() {
            "name"
        } else {
            "params"
        };
        // Each bench was checked against the limit; the file as a whole is held to it too.
        let count = check_combinations(&bench.params, bench.level_count())
            .map_err(|e| ctx.err(&span, format!("{}: {e}", s.key(key))))?;
        if self.seen.len() as u64 + count > MAX_COMBINATIONS as u64 {
            return Err(ctx.err(
                &span,
                format!(
                    "{}: the benches expand to more than {MAX_COMBINATIONS} benchmarks in all",
                    s.key(key)
                ),
            ));
        }
        for name in bench.benchmark_names() {
            match self.seen.get(&name) {
                Some((other, other_span)) => {
                    let (line, _) = line_col(ctx.text, other_span.start);
                    let message = if *other == s.name {
                        format!(
                            "{}: expands to {name:?} twice (a value is repeated)",
                            s.key(key)
                        )
                    } else {
                        format!(
                            "{}: expands to {name:?}, which {other} (line {line}) already names",
                            s.key(key)
                        )
                    };
                    return Err(ctx.err(&span, message));
                }
                None => {
                    self.seen.insert(name, (s.name.clone(), span.clone()));
                }
            }
        }
        Ok(())
    }
}

fn top_table<'a, 'i>(
    ctx: &Ctx,
    top: &Section<'a, 'i>,
    key: &str,
    value: &'a Val<'i>,
    name: &str,
) -> Result<Section<'a, 'i>, ConfigError> {
    match value.get_ref() {
        DeValue::Table(table) => Ok(Section {
            table,
            span: value.span(),
            name: name.to_string(),
            prefix: String::new(),
        }),
        _ => Err(top.wrong_type(ctx, key, value, &format!("a table {name}"))),
    }
}

fn tables<'a, 'i>(
    ctx: &Ctx,
    top: &Section<'a, 'i>,
    key: &str,
    value: &'a Val<'i>,
) -> Result<Vec<(&'a DeTable<'i>, Range<usize>)>, ConfigError> {
    let expected = format!("an array of tables [[{key}]]");
    let DeValue::Array(items) = value.get_ref() else {
        return Err(top.wrong_type(ctx, key, value, &expected));
    };
    items
        .iter()
        .map(|item| match item.get_ref() {
            DeValue::Table(t) => Ok((t, item.span())),
            _ => Err(top.wrong_type(ctx, key, item, &expected)),
        })
        .collect()
}

/// The runner settings shared by `[defaults]` and `[[bench]]`.
fn runner_settings(
    ctx: &Ctx,
    s: &Section,
    allowed_unset: &[String],
) -> Result<RunnerSettings, ConfigError> {
    let mut settings = RunnerSettings::default();
    for (key, read) in RUNNER_SETTINGS {
        read(ctx, s, key, allowed_unset, &mut settings)?;
    }
    if let (Some(min), Some(max)) = (settings.min_runs, settings.max_runs)
        && min > max
        && let Some(value) = s.get("min_runs")
    {
        return Err(s.bad(
            ctx,
            "min_runs",
            value,
            format!("min_runs ({min}) is greater than max_runs ({max})"),
        ));
    }
    Ok(settings)
}

/// `measure = "time"`, `"instructions"` or a list of both.
fn measurements(
    ctx: &Ctx,
    s: &Section,
    key: &str,
) -> Result<Option<Vec<Measurement>>, ConfigError> {
    let Some(value) = s.get(key) else {
        return Ok(None);
    };
    let names: Vec<(&str, &Val)> = match value.get_ref() {
        DeValue::String(one) => vec![(one.as_ref(), value)],
        DeValue::Array(_) => s.string_list(ctx, key)?,
        _ => {
            return Err(s.wrong_type(
                ctx,
                key,
                value,
                "\"time\", \"instructions\" or a list of them",
            ));
        }
    };
    let mut out = Vec::new();
    for (name, item) in names {
        let m = match name.trim() {
            "time" => Measurement::Time,
            "instructions" => Measurement::Instructions,
            other => {
                return Err(s.bad(
                    ctx,
                    key,
                    item,
                    format!(
                        "unknown measurement {other:?} (expected \"time\" or \"instructions\")"
                    ),
                ));
            }
        };
        if !out.contains(&m) {
            out.push(m);
        }
    }
    if out.is_empty() {
        return Err(s.bad(ctx, key, value, "must name at least one measurement"));
    }
    Ok(Some(out))
}

fn gate(ctx: &Ctx, s: &Section) -> Result<GateConfig, ConfigError> {
    s.check_keys(ctx, &GATE_KEYS)?;
    let alpha = match s.get("alpha") {
        None => None,
        Some(value) => {
            let (a, _) = match value.get_ref() {
                DeValue::String(_) => s
                    .quantity(ctx, "alpha", Kind::Percent, true)?
                    .unwrap_or((f64::NAN, value)),
                _ => s
                    .quantity(ctx, "alpha", Kind::Plain, true)?
                    .unwrap_or((f64::NAN, value)),
            };
            if !(a > 0.0 && a < 1.0) {
                return Err(s.bad(ctx, "alpha", value, "must be between 0 and 1 (exclusive)"));
            }
            Some(a)
        }
    };
    let (warn, fail) = s.warn_fail(ctx)?;
    let min_delta_ns = s
        .duration(ctx, "min_delta", true)?
        .map(|d| d.as_nanos() as f64);
    let measures = match s.get("measures") {
        None => None,
        Some(_) => {
            let mut out = Vec::new();
            for (m, item) in s.string_list(ctx, "measures")? {
                let name = m.trim();
                // A misspelt measure would gate nothing and pass every regression.
                if let Some(known) = Measure::closest_known(name) {
                    return Err(s.bad(
                        ctx,
                        "measures",
                        item,
                        format!("unknown measure {name:?} (did you mean {known:?}?)"),
                    ));
                }
                out.push(Measure::parse(name));
            }
            Some(out)
        }
    };
    let sources = match s.get("sources") {
        None => None,
        Some(_) => {
            let mut out = Vec::new();
            for (text, item) in s.string_list(ctx, "sources")? {
                match Source::try_from(text.trim().to_string()) {
                    Ok(source) => out.push(source),
                    Err(why) => return Err(s.bad(ctx, "sources", item, &why)),
                }
            }
            Some(out)
        }
    };
    let baseline = s
        .string(ctx, "baseline")?
        .map(|(b, _)| b.trim().to_string());
    // `true`/`false` are what the key took before paired confirmation: measuring again, or not.
    let confirm = match s.get("confirm") {
        None => None,
        Some(value) => match value.get_ref() {
            DeValue::Boolean(true) => Some(ConfirmMode::Remeasure),
            DeValue::Boolean(false) => Some(ConfirmMode::Off),
            DeValue::String(text) => match ConfirmMode::parse(text.trim()) {
                Some(mode) => Some(mode),
                None => {
                    return Err(s.bad(
                        ctx,
                        "confirm",
                        value,
                        format!(
                            "unknown confirmation {:?} (expected \"paired\", \"remeasure\" or \"off\")",
                            text.trim()
                        ),
                    ));
                }
            },
            _ => {
                return Err(s.wrong_type(
                    ctx,
                    "confirm",
                    value,
                    "\"paired\", \"remeasure\" or \"off\"",
                ));
            }
        },
    };
    let confirm_max_time = s.duration(ctx, "confirm_max_time", false)?;
    Ok(GateConfig {
        alpha,
        warn,
        fail,
        min_delta_ns,
        measures,
        baseline,
        confirm,
        confirm_max_time,
        sources,
    })
}

fn bench(ctx: &Ctx, s: &Section) -> Result<Bench, ConfigError> {
    let mut keys = BENCH_KEYS.to_vec();
    keys.extend(load::LOAD_KEYS);
    s.check_keys(ctx, &keys_with_runner_settings(&keys))?;
    let requires = match s.table(ctx, "requires")? {
        None => Requirements::default(),
        Some(r) => {
            r.check_keys(ctx, &REQUIRES_KEYS)?;
            let (env, env_values) = required_env(ctx, &r)?;
            let commands = r
                .string_list(ctx, "commands")?
                .into_iter()
                .map(|(v, _)| v.trim().to_string())
                .collect();
            let mut files = Vec::new();
            for (f, value) in r.string_list(ctx, "files")? {
                let (f, _) = expand(ctx, &r, "files", f, value, &env)?;
                files.push(PathBuf::from(f));
            }
            Requirements {
                env,
                env_values,
                commands,
                files,
            }
        }
    };
    let allowed = &requires.env;
    let mut skipped: Vec<String> = Vec::new();
    let http = match http::http_settings(ctx, s, allowed)? {
        None => None,
        Some((http, missing)) => {
            for m in missing {
                if !skipped.contains(&m) {
                    skipped.push(m);
                }
            }
            Some(http)
        }
    };
    let mut text = |key: &str| -> Result<Option<String>, ConfigError> {
        match s.string(ctx, key)? {
            None => Ok(None),
            Some((t, value)) => {
                let (expanded, missing) = expand(ctx, s, key, t, value, allowed)?;
                for m in missing {
                    if !skipped.contains(&m) {
                        skipped.push(m);
                    }
                }
                Ok(Some(expanded))
            }
        }
    };
    if let Some((name, value)) = s.string(ctx, "name")? {
        only_recorded_variables(ctx, s, "name", name, value)?;
    }
    let name = text("name")?.ok_or_else(|| s.missing(ctx, "name"))?;
    let command_as_written = match s.table(ctx, "http")? {
        Some(h) => {
            let method = h
                .string(ctx, "method")?
                .map_or_else(|| "GET".to_string(), |(m, _)| m.to_ascii_uppercase());
            let url = h.string(ctx, "url")?.or(h.string(ctx, "urls_file")?);
            format!("{method} {}", url.map_or("", |(u, _)| u))
        }
        None => s
            .string(ctx, "command")?
            .map_or_else(String::new, |(t, _)| t.to_string()),
    };
    let command = match &http {
        // What a skipped HTTP bench's record and the reports show for it.
        Some(_) => String::new(),
        None => text("command")?.ok_or_else(|| s.missing(ctx, "command"))?,
    };
    let prepare = text("prepare")?;
    let conclude = text("conclude")?;
    let setup = text("setup")?;
    let cleanup = text("cleanup")?;
    let input = text("input")?.map(PathBuf::from);
    let output_file = text("output_file")?.map(PathBuf::from);
    let mut runner = runner_settings(ctx, s, allowed)?;
    if let Some(value) = s.get("shell")
        && let DeValue::String(t) = value.get_ref()
    {
        let (shell, missing) = expand(ctx, s, "shell", t, value, allowed)?;
        runner.shell = Some(shell);
        for m in missing {
            if !skipped.contains(&m) {
                skipped.push(m);
            }
        }
    }
    let mode = match s.string(ctx, "mode")? {
        None => Mode::Real,
        Some(("real", _)) => Mode::Real,
        Some(("simulated", _)) => Mode::Simulated,
        Some((other, value)) => {
            return Err(s.bad(
                ctx,
                "mode",
                value,
                format!("unknown mode {other:?} (expected \"real\" or \"simulated\")"),
            ));
        }
    };
    let params = match s.table(ctx, "params")? {
        None => Vec::new(),
        Some(p) => params(ctx, &p)?,
    };
    let mut output = output_spec(ctx, s)?;
    if let Some(file) = output_file {
        output_file_allowed(ctx, s, &output)?;
        output.file = Some(file);
    }
    let load = load::load_settings(ctx, s)?;
    if let Some(load) = &load {
        load::check_level_parameter(ctx, s, load)?;
    }
    let memory = load::memory_settings(ctx, s)?;
    let watch = match load::watch_settings(ctx, s, allowed)? {
        None => None,
        Some((watch, missing)) => {
            for m in missing {
                if !skipped.contains(&m) {
                    skipped.push(m);
                }
            }
            Some(watch)
        }
    };
    let skip = match skipped.as_slice() {
        [] => None,
        [one] => Some(format!("requires: environment variable {one} is not set")),
        many => Some(format!(
            "requires: environment variables {} are not set",
            many.join(", ")
        )),
    };
    Ok(Bench {
        name,
        command,
        command_as_written,
        prepare,
        conclude,
        setup,
        cleanup,
        input,
        runner,
        mode,
        requires,
        params,
        output,
        skip,
        load,
        memory,
        watch,
        http,
    })
}

/// A bench's `metrics` and `check`, compiled: an invalid JSON path, regex, unit or `better` is
/// refused here, at its line, before anything runs. Paths and patterns are taken as written
/// (`${VAR}` is not expanded: `$` starts every JSON path).
fn output_spec(ctx: &Ctx, s: &Section) -> Result<OutputSpec, ConfigError> {
    let mut spec = OutputSpec::default();
    if let Some(value) = s.get("metrics") {
        let expected = "an array of metrics such as [{ name = \"tps\", json = \"$.tps\" }]";
        let DeValue::Array(items) = value.get_ref() else {
            return Err(s.wrong_type(ctx, "metrics", value, expected));
        };
        for (i, item) in items.iter().enumerate() {
            let key = format!("metrics[{i}]");
            let DeValue::Table(table) = item.get_ref() else {
                return Err(s.wrong_type(
                    ctx,
                    &key,
                    item,
                    "a table { name, json or regex, unit, better }",
                ));
            };
            let m = Section {
                table,
                span: item.span(),
                name: s.name.clone(),
                prefix: format!("{}{key}.", s.prefix),
            };
            let metric = metric_definition(ctx, &m)?;
            if spec
                .metrics
                .iter()
                .any(|other| other.name() == metric.name())
                && let Some(value) = m.get("name")
            {
                return Err(m.bad(
                    ctx,
                    "name",
                    value,
                    format!("duplicate metric name {:?}", metric.name()),
                ));
            }
            spec.metrics.push(metric);
        }
    }
    if let Some(c) = s.table(ctx, "check")? {
        c.check_keys(ctx, &CHECK_KEYS)?;
        let (path, path_value) = c
            .string(ctx, "json")?
            .ok_or_else(|| c.missing(ctx, "json"))?;
        let equals_value = c.get("equals").ok_or_else(|| c.missing(ctx, "equals"))?;
        let equals = match equals_value.get_ref() {
            DeValue::Boolean(b) => Expected::Bool(*b),
            DeValue::String(text) => Expected::String(text.to_string()),
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Expected::Number(n as f64),
                Err(_) => return Err(c.bad(ctx, "equals", equals_value, "integer out of range")),
            },
            DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
                Ok(n) if n.is_finite() => Expected::Number(n),
                _ => {
                    return Err(c.bad(
                        ctx,
                        "equals",
                        equals_value,
                        format!("{} is not a finite number", f.as_str()),
                    ));
                }
            },
            _ => {
                return Err(c.wrong_type(
                    ctx,
                    "equals",
                    equals_value,
                    "a string, number or boolean",
                ));
            }
        };
        let check = OutputCheck::new(path, equals)
            .map_err(|e| c.bad(ctx, "json", path_value, e.to_string()))?;
        spec.check = Some(check);
    }
    Ok(spec)
}

/// `output_file`: only where there is something to read from it, and only for runs one at a time
/// (operations running at once would each write the one file over the others').
fn output_file_allowed(ctx: &Ctx, s: &Section, output: &OutputSpec) -> Result<(), ConfigError> {
    let Some(value) = s.get("output_file") else {
        return Ok(());
    };
    let refuse = |message: String| Err(s.bad(ctx, "output_file", value, message));
    if output.is_empty() {
        return refuse(
            "needs `metrics` or `check` (the values read from the file each run writes)".into(),
        );
    }
    if let Some(key) = ["concurrency", "rate"]
        .into_iter()
        .find(|k| s.get(k).is_some())
    {
        return refuse(format!(
            "cannot be used with `{key}`: concurrent operations would overwrite one file (let \
             each operation print its figures to stdout instead)"
        ));
    }
    Ok(())
}

/// One entry of `metrics`: `{ name, json | regex, unit, better }`.
fn metric_definition(ctx: &Ctx, m: &Section) -> Result<MetricDefinition, ConfigError> {
    m.check_keys(ctx, &METRIC_KEYS)?;
    let (name, name_value) = m
        .string(ctx, "name")?
        .ok_or_else(|| m.missing(ctx, "name"))?;
    // Its samples would be mixed with (or hide) the ones benchgate measures itself.
    if Measure::parse(name).is_known() || engine_unit(name).is_some() {
        return Err(m.bad(
            ctx,
            "name",
            name_value,
            format!("{name:?} is a measure benchgate takes itself; give the metric another name"),
        ));
    }
    let (selector, where_value, where_key) = match (m.string(ctx, "json")?, m.string(ctx, "regex")?)
    {
        (Some((path, value)), None) => (Selector::Json(path.to_string()), value, "json"),
        (None, Some((pattern, value))) => (Selector::Regex(pattern.to_string()), value, "regex"),
        (Some(_), Some((_, value))) => {
            return Err(m.bad(ctx, "regex", value, "give `json` or `regex`, not both"));
        }
        (None, None) => {
            return Err(ctx.err(
                &m.span,
                format!(
                    "{}: needs `json` (a JSON path such as \"$.tps\") or `regex` (with a capture group for the value)",
                    m.whole()
                ),
            ));
        }
    };
    let unit = match m.string(ctx, "unit")? {
        None => MetricUnit::as_printed(Unit::Count.as_str()),
        Some((text, value)) => metric_unit(text).map_err(|why| m.bad(ctx, "unit", value, why))?,
    };
    let better = match m.get("better") {
        None => Better::default(),
        Some(value) => match value.get_ref() {
            DeValue::String(text) => Better::parse(text.trim()).ok_or_else(|| {
                m.bad(
                    ctx,
                    "better",
                    value,
                    format!(
                        "unknown direction {:?} (expected \"higher\" or \"lower\")",
                        text.trim()
                    ),
                )
            })?,
            _ => return Err(m.wrong_type(ctx, "better", value, "\"higher\" or \"lower\"")),
        },
    };
    MetricDefinition::new(name, selector, unit, better).map_err(|e| {
        let (key, value) = match e {
            DefinitionError::EmptyName | DefinitionError::InvalidName(_) => ("name", name_value),
            _ => (where_key, where_value),
        };
        m.bad(ctx, key, value, e.to_string())
    })
}

/// The unit a metric is printed in, as kept: durations in ns, sizes in bytes, rates per second,
/// percentages as ratios (so budgets written `"100ms"` or `"5%"` compare with them), any other
/// name (`"tx/s"`, `"pages"`) verbatim. The error is a phrase to follow the key's name.
fn metric_unit(text: &str) -> Result<MetricUnit, String> {
    let unit = text.trim();
    let canonical = [
        Unit::Nanoseconds,
        Unit::Bytes,
        Unit::Count,
        Unit::PerSecond,
        Unit::BytesPerSecond,
        Unit::Ratio,
    ];
    if canonical.iter().any(|c| c.as_str() == unit) {
        return Ok(MetricUnit::as_printed(unit));
    }
    let not_a_unit = || {
        format!(
            "{unit:?} is not a unit (expected a unit without a number, such as \"ms\", \"KiB\", \"%\" or \"tx/s\")"
        )
    };
    if unit.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '.' | '+' | '-'))
        || unit.chars().any(char::is_control)
    {
        return Err(not_a_unit());
    }
    if unit.chars().count() > MAX_UNIT_CHARS {
        return Err(format!("is longer than {MAX_UNIT_CHARS} characters"));
    }
    let (canonical, scale) = match parse_quantity(&format!("1{unit}")) {
        Ok((scale, Kind::Duration)) => (Unit::Nanoseconds, scale),
        Ok((scale, Kind::Size)) => (Unit::Bytes, scale),
        Ok((scale, Kind::Rate)) => (Unit::PerSecond, scale),
        Ok((scale, Kind::Percent)) => (Unit::Ratio, scale),
        // `e5`: "1e5" is a number.
        Ok((_, Kind::Plain)) => return Err(not_a_unit()),
        Err(_) => return Ok(MetricUnit::as_printed(unit)),
    };
    Ok(MetricUnit {
        unit: canonical.as_str().to_string(),
        scale,
    })
}

/// `requires.env`: an array of names that must be set and non-empty, or a table of names and
/// the value each must have (`{ USE_REAL = "true" }`). Returns every name, and the demanded
/// values.
fn required_env(
    ctx: &Ctx,
    r: &Section,
) -> Result<(Vec<String>, BTreeMap<String, String>), ConfigError> {
    let Some(value) = r.get("env") else {
        return Ok(Default::default());
    };
    let DeValue::Table(table) = value.get_ref() else {
        let names = r
            .string_list(ctx, "env")
            .map_err(|_| {
                r.wrong_type(
                    ctx,
                    "env",
                    value,
                    "an array of variable names or a table of names and values",
                )
            })?
            .into_iter()
            .map(|(v, _)| v.trim().to_string())
            .collect();
        return Ok((names, BTreeMap::new()));
    };
    let mut names = Vec::new();
    let mut values = BTreeMap::new();
    for (name, demanded) in table.iter() {
        let name = name.get_ref().trim().to_string();
        match demanded.get_ref() {
            DeValue::String(v) if !v.is_empty() => {
                values.insert(name.clone(), v.to_string());
                names.push(name);
            }
            _ => {
                return Err(r.wrong_type(
                    ctx,
                    &format!("env.{name}"),
                    demanded,
                    "a non-empty string (the value the variable must have)",
                ));
            }
        }
    }
    Ok((names, values))
}

fn scalar(value: &Val) -> Option<String> {
    match value.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|n| n.to_string()),
        DeValue::Float(f) => Some(f.as_str().replace('_', "")),
        DeValue::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn params(ctx: &Ctx, p: &Section) -> Result<Vec<Parameter>, ConfigError> {
    let mut out = Vec::new();
    for (key, value) in p.table.iter() {
        let name = key.get_ref().as_ref();
        let invalid = |e: MeasureError| {
            let message = match e {
                MeasureError::InvalidParameter { message, .. } => message,
                other => other.to_string(),
            };
            p.bad(ctx, name, value, message)
        };
        if name.contains(['{', '}']) {
            return Err(ctx.err(
                &key.span(),
                format!(
                    "{}: a parameter name must not contain `{{` or `}}`",
                    p.key(name)
                ),
            ));
        }
        match value.get_ref() {
            DeValue::Array(items) => {
                if items.is_empty() {
                    return Err(p.bad(ctx, name, value, "no values"));
                }
                if items.len() > MAX_PARAMETER_VALUES {
                    return Err(p.bad(
                        ctx,
                        name,
                        value,
                        format!("too many values (limit {MAX_PARAMETER_VALUES})"),
                    ));
                }
                let mut values = Vec::new();
                for item in items.iter() {
                    match scalar(item) {
                        Some(v) => values.push(v),
                        None => {
                            return Err(p.wrong_type(
                                ctx,
                                name,
                                item,
                                "a string, number or boolean",
                            ));
                        }
                    }
                }
                out.push(Parameter {
                    name: name.to_string(),
                    values,
                });
            }
            DeValue::Table(table) => {
                let scan = Section {
                    table,
                    span: value.span(),
                    name: p.name.clone(),
                    prefix: format!("{}{name}.", p.prefix),
                };
                scan.check_keys(ctx, &SCAN_KEYS)?;
                let bound = |k: &str| -> Result<Option<String>, ConfigError> {
                    match scan.get(k) {
                        None => Ok(None),
                        Some(v) => match v.get_ref() {
                            DeValue::Integer(_) | DeValue::Float(_) | DeValue::String(_) => {
                                Ok(scalar(v))
                            }
                            _ => Err(scan.wrong_type(ctx, k, v, "a number")),
                        },
                    }
                };
                let min = bound("min")?.ok_or_else(|| scan.missing(ctx, "min"))?;
                let max = bound("max")?.ok_or_else(|| scan.missing(ctx, "max"))?;
                let step = bound("step")?;
                out.push(Parameter::scan(name, &min, &max, step.as_deref()).map_err(invalid)?);
            }
            _ => {
                return Err(p.wrong_type(
                    ctx,
                    name,
                    value,
                    "a list of values or a scan { min, max, step }",
                ));
            }
        }
    }
    // Refused before anything multiplies out (checked multiplication, nothing expanded).
    check_combinations(&out, 1).map_err(|e| ctx.err(&p.span, format!("{}: {e}", p.whole())))?;
    Ok(out)
}

fn engine_unit(name: &str) -> Option<Unit> {
    Measure::Custom(name.to_string()).engine_unit()
}

/// The unit of each output metric the benches define, by name; `None` for a name two benches
/// give different units.
pub(crate) fn metric_units(benches: &[Bench]) -> BTreeMap<String, Unit> {
    let mut units: BTreeMap<String, Option<Unit>> = BTreeMap::new();
    for metric in benches.iter().flat_map(|b| &b.output.metrics) {
        let unit = Unit::from(metric.unit().unit.clone());
        units
            .entry(metric.name().to_string())
            .and_modify(|known| {
                if known.as_ref() != Some(&unit) {
                    *known = None;
                }
            })
            .or_insert(Some(unit));
    }
    units
        .into_iter()
        .filter_map(|(name, unit)| Some((name, unit?)))
        .collect()
}

/// Where byte `offset` of the string `text` (the value `value`) is in the file: exactly when
/// the TOML string holds it verbatim (a literal or escape-free string, whose content starts
/// one character in), else the string's start.
fn inside_string(ctx: &Ctx, text: &str, value: &Val, offset: usize) -> usize {
    let span = value.span();
    let raw = ctx.text.get(span.clone()).unwrap_or("");
    let verbatim = raw.len() == text.len() + 2 && raw.get(1..raw.len() - 1) == Some(text);
    if verbatim {
        span.start + 1 + offset
    } else {
        span.start
    }
}

/// A `[[check]]`: its expression parsed now, so a malformed one is refused at the character
/// where it goes wrong (when the TOML string holds it verbatim, else at the string).
fn check_entry(ctx: &Ctx, s: &Section) -> Result<Check, ConfigError> {
    s.check_keys(ctx, &CHECK_ENTRY_KEYS)?;
    let (name, _) = s
        .string(ctx, "name")?
        .ok_or_else(|| s.missing(ctx, "name"))?;
    let (expr, expr_value) = s
        .string(ctx, "expr")?
        .ok_or_else(|| s.missing(ctx, "expr"))?;
    let mut check = Check::new(name.trim(), expr).map_err(|e| {
        let at = inside_string(ctx, expr, expr_value, e.offset);
        ctx.err(&(at..at), format!("{}: {e}", s.key("expr")))
    })?;
    if let Some((filter, filter_value)) = s.string(ctx, "filter")? {
        check = check.with_filter(filter).map_err(|e| {
            let offset = filter
                .char_indices()
                .nth(e.position.saturating_sub(1))
                .map_or(filter.len(), |(k, _)| k);
            let at = inside_string(ctx, filter, filter_value, offset);
            ctx.err(&(at..at), format!("{}: {e}", s.key("filter")))
        })?;
    }
    if let Some((measure_name, measure_value)) = s.string(ctx, "measure")? {
        if let Some(known) = Measure::closest_known(measure_name.trim()) {
            return Err(s.bad(
                ctx,
                "measure",
                measure_value,
                format!(
                    "unknown measure {:?} (did you mean {known:?}?)",
                    measure_name.trim()
                ),
            ));
        }
        check.measure = Measure::parse(measure_name.trim());
    }
    if let Some((severity, value)) = s.string(ctx, "severity")? {
        check.severity = match severity.trim() {
            "fail" => Severity::Fail,
            "warn" => Severity::Warn,
            other => {
                return Err(s.bad(
                    ctx,
                    "severity",
                    value,
                    format!("unknown severity {other:?} (expected \"fail\" or \"warn\")"),
                ));
            }
        };
    }
    Ok(check)
}

fn budget(
    ctx: &Ctx,
    s: &Section,
    metric_units: &BTreeMap<String, Unit>,
) -> Result<Budget, ConfigError> {
    s.check_keys(ctx, &BUDGET_KEYS)?;
    let (measure_name, measure_value) = s
        .string(ctx, "measure")?
        .ok_or_else(|| s.missing(ctx, "measure"))?;
    if let Some(known) = Measure::closest_known(measure_name.trim()) {
        return Err(s.bad(
            ctx,
            "measure",
            measure_value,
            format!(
                "unknown measure {:?} (did you mean {known:?}?)",
                measure_name.trim()
            ),
        ));
    }
    let measure = Measure::parse(measure_name.trim());
    let bench = match s.string(ctx, "bench")? {
        Some((glob, value)) => {
            let glob = glob.trim();
            // Rejected here, at its line, rather than matching nothing when judged.
            NameGlob::new(glob).map_err(|e| s.bad(ctx, "bench", value, e.to_string()))?;
            Some(glob.to_string())
        }
        None => None,
    };
    // A custom measure is in whatever unit its source gives (ns from a command's own output, a
    // ratio, a count): the unit of benchgate's own (`rss_peak`) or of the benches' metric of that
    // name, else what its bounds say, as a known measure's would (`"100ms"`, `"5%"`, `"64MiB"`,
    // `"10/s"` or a plain number), and must all say the same.
    let (unit, unit_source) = match &measure {
        Measure::Custom(name) => {
            match engine_unit(name).or_else(|| metric_units.get(name).cloned()) {
                Some(unit) if !matches!(unit, Unit::Custom(_)) => {
                    let source = if engine_unit(name).is_some() {
                        String::new()
                    } else {
                        format!(" (the unit of metric {name:?})")
                    };
                    (unit, source)
                }
                _ => (
                    match custom_kind(s) {
                        Kind::Duration => Unit::Nanoseconds,
                        Kind::Size => Unit::Bytes,
                        Kind::Rate => Unit::PerSecond,
                        Kind::Percent => Unit::Ratio,
                        Kind::Plain => Unit::Count,
                    },
                    " (by its first bound)".to_string(),
                ),
            }
        }
        known => (canonical_unit(known), String::new()),
    };
    let (kind, plain_ok, unit_name) = match unit {
        Unit::Nanoseconds => (Kind::Duration, false, "a duration"),
        Unit::Bytes => (Kind::Size, true, "bytes"),
        Unit::PerSecond => (Kind::Rate, true, "a rate per second"),
        Unit::BytesPerSecond => (Kind::Plain, true, "bytes per second"),
        Unit::Ratio => (Kind::Percent, false, "a percentage"),
        _ => (Kind::Plain, true, "a plain count"),
    };
    let unit_name = format!("{unit_name}{unit_source}");
    let bound = |key: &str| -> Result<Option<f64>, ConfigError> {
        let value = match s.quantity(ctx, key, kind, plain_ok) {
            Ok(v) => v,
            Err(e) => {
                // Name the measure when the unit is the problem.
                if let Some(value) = s.get(key)
                    && let DeValue::String(text) = value.get_ref()
                    && let Ok((_, found)) = parse_quantity(text)
                    && found != kind
                {
                    return Err(s.bad(
                        ctx,
                        key,
                        value,
                        format!(
                            "{text:?} is {}, but {measure} is measured as {unit_name} (expected {})",
                            found.describe(),
                            kind.example()
                        ),
                    ));
                }
                return Err(e);
            }
        };
        match value {
            None => Ok(None),
            Some((0.0, value)) => Err(s.bad(
                ctx,
                key,
                value,
                "must be greater than zero (headroom is measured relative to it)",
            )),
            Some((v, _)) => Ok(Some(v)),
        }
    };
    let max = bound("max")?;
    let min = bound("min")?;
    let target = bound("target")?;
    let (warn, fail) = s.warn_fail(ctx)?;
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
        && let Some(value) = s.get("min")
    {
        return Err(s.bad(ctx, "min", value, "must not be greater than `max`"));
    }
    if max.is_none() && min.is_none() && target.is_none() && warn.is_none() && fail.is_none() {
        return Err(ctx.err(
            &s.span,
            format!(
                "{}: no bound (set at least one of max, min, target, warn, fail)",
                s.whole()
            ),
        ));
    }
    Ok(Budget {
        bench,
        measure,
        max,
        min,
        target,
        warn,
        fail,
    })
}

fn valid_variable(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// Refuses a `${VAR}` in `text` whose variable `[env] record` does not list: the text is stored
/// in every run (a bench's name), so only values marked safe may go into it.
fn only_recorded_variables(
    ctx: &Ctx,
    s: &Section,
    key: &str,
    text: &str,
    value: &Val,
) -> Result<(), ConfigError> {
    let mut rest = text;
    let mut offset = 0;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            rest = tail;
            offset += i + 2;
            continue;
        }
        if let Some(body) = after.strip_prefix('{')
            && let Some(end) = body.find('}')
        {
            let name = &body[..end];
            if valid_variable(name) && !ctx.record.iter().any(|r| r == name) {
                return Err(ctx.err(
                    &position(ctx, value, text, offset + i),
                    format!(
                        "{}: {name} would be recorded in every run under this name; list it in `[env] record` if its value may be stored",
                        s.key(key)
                    ),
                ));
            }
        }
        rest = after;
        offset += i + 1;
    }
    Ok(())
}

/// The span of byte `i` of the string `text` that `value` holds: exact when the file writes it
/// without escapes, else the whole value.
fn position(ctx: &Ctx, value: &Val, text: &str, i: usize) -> Range<usize> {
    let span = value.span();
    let raw = ctx.text.get(span.clone()).unwrap_or("");
    if raw.len() == text.len() + 2 && raw.get(1..raw.len() - 1) == Some(text) {
        span.start + 1 + i..span.end
    } else {
        span
    }
}

/// The kind of the first absolute bound of a budget written with a unit (`max = "100ms"`), or
/// plain when none is.
fn custom_kind(s: &Section) -> Kind {
    ["max", "min", "target"]
        .iter()
        .filter_map(|key| match s.get(key)?.get_ref() {
            DeValue::String(text) => parse_quantity(text).ok().map(|(_, kind)| kind),
            _ => None,
        })
        .find(|kind| *kind != Kind::Plain)
        .unwrap_or(Kind::Plain)
}

/// Expands `${VAR}` in `text` (`$$` is a literal `$`; any other `$` is kept). Variables listed in
/// `allowed_unset` may be unset: they are kept verbatim and returned so the bench can be skipped.
fn expand(
    ctx: &Ctx,
    s: &Section,
    key: &str,
    text: &str,
    value: &Val,
    allowed_unset: &[String],
) -> Result<(String, Vec<String>), ConfigError> {
    // Byte offset of `text[i]` in the file when the string is written without escapes.
    let span = value.span();
    let raw = ctx.text.get(span.clone()).unwrap_or("");
    let verbatim = raw.len() == text.len() + 2 && raw.get(1..raw.len() - 1) == Some(text);
    let at = |i: usize| {
        if verbatim {
            span.start + 1 + i..span.end
        } else {
            span.clone()
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            offset += i + 2;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                return Err(ctx.err(
                    &at(offset + i),
                    format!(
                        "{}: unterminated `${{` (write `$$` for a literal `$`)",
                        s.key(key)
                    ),
                ));
            };
            let name = &body[..end];
            if !valid_variable(name) {
                return Err(ctx.err(
                    &at(offset + i),
                    format!("{}: invalid variable name `${{{name}}}`", s.key(key)),
                ));
            }
            match (ctx.env)(name) {
                Some(v) => {
                    out.push_str(&v);
                    if !ctx.record.iter().any(|r| r == name) {
                        ctx.unrecorded.borrow_mut().push((name.to_string(), v));
                    }
                }
                None if allowed_unset.iter().any(|a| a == name) => {
                    out.push_str(&rest[i..i + 3 + end]);
                    if !missing.iter().any(|m| m == name) {
                        missing.push(name.to_string());
                    }
                }
                None => {
                    return Err(ctx.err(
                        &at(offset + i),
                        format!(
                            "{}: environment variable {name} is not set (list it in `requires.env` to skip the bench instead)",
                            s.key(key)
                        ),
                    ));
                }
            }
            rest = &body[end + 1..];
            offset += i + 3 + end;
        } else {
            out.push('$');
            rest = after;
            offset += i + 1;
        }
    }
    out.push_str(rest);
    Ok((out, missing))
}
