//! Projections, as benchstat has them (golang.org/x/perf/benchproc): `--filter` keeps the
//! benchmarks (and measures) a filter expression matches, then every benchmark of every input is
//! projected into a table, a row and a column by `--table`, `--row` and `--col` keys, and each
//! column of a table is paired with the table's first column, to be judged like two runs.
//! Defaults as benchstat's: tables by `.config` (Go's configuration lines: `goos`, `goarch`,
//! `pkg`, `cpu`, user keys), rows by `.fullname`, columns by `.file`. A key given to `--col`,
//! `--row` or `--ignore` is taken out of `.fullname` and `.config`, so `--col /size` puts
//! `Copy/size=1k` and `Copy/size=4k` in one row `Copy`. Pure: no I/O, no judging.

mod parse;

use std::collections::HashMap;

use benchgate_model::{Benchmark, Metric, Run, Source};

pub use parse::{
    Field, Filter, Key, Order, SyntaxError, ValueMatch, parse_filter, parse_keys, parse_projection,
};

/// Which flag an expression came from, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag} {text:?}: {error}")]
pub struct ProjectionError {
    pub flag: &'static str,
    pub text: String,
    #[source]
    pub error: SyntaxError,
}

/// The projection flags as written (`None`: not given).
#[derive(Debug, Clone, Default)]
pub struct ProjectionFlags<'a> {
    pub filter: Option<&'a str>,
    pub table: Option<&'a str>,
    pub row: Option<&'a str>,
    pub col: Option<&'a str>,
    pub ignore: Option<&'a str>,
}

impl ProjectionFlags<'_> {
    /// Whether any flag was given.
    pub fn any(&self) -> bool {
        self.filter.is_some()
            || self.table.is_some()
            || self.row.is_some()
            || self.col.is_some()
            || self.ignore.is_some()
    }
}

/// A parsed projection.
#[derive(Debug, Clone)]
pub struct Projection {
    pub filter: Option<Filter>,
    pub table: Vec<Field>,
    pub row: Vec<Field>,
    pub col: Vec<Field>,
    pub ignore: Vec<Key>,
}

impl Projection {
    /// Parses the flags; what is not given is benchstat's default (`--table .config --row
    /// .fullname --col .file`).
    pub fn parse(flags: &ProjectionFlags<'_>) -> Result<Projection, ProjectionError> {
        fn wrap(flag: &'static str, text: &str) -> impl FnOnce(SyntaxError) -> ProjectionError {
            let text = text.to_string();
            move |error| ProjectionError { flag, text, error }
        }
        let fields = |flag: &'static str, text: Option<&str>, default: Key| match text {
            Some(text) => parse_projection(text).map_err(wrap(flag, text)),
            None => Ok(vec![Field {
                key: default,
                order: Order::FirstSeen,
            }]),
        };
        Ok(Projection {
            filter: flags
                .filter
                .map(|text| parse_filter(text).map_err(wrap("--filter", text)))
                .transpose()?,
            table: fields("--table", flags.table, Key::Config)?,
            row: fields("--row", flags.row, Key::FullName)?,
            col: fields("--col", flags.col, Key::File)?,
            ignore: flags
                .ignore
                .map(|text| parse_keys(text).map_err(wrap("--ignore", text)))
                .transpose()?
                .unwrap_or_default(),
        })
    }

    /// Projects `inputs` (each a run with its label, the `.file` key) into tables of columns.
    pub fn project(&self, inputs: &[(&str, &Run)]) -> Projected {
        let mut filtered_out = 0;
        let considered = inputs.iter().map(|(_, run)| run.benchmarks.len()).sum();
        let mut kept = Vec::new();
        // The same input twice (`compare a.json a.json`) is two columns, not one.
        let files: Vec<String> = inputs
            .iter()
            .enumerate()
            .map(|(k, (file, _))| {
                let earlier = inputs[..k].iter().filter(|(f, _)| f == file).count();
                if earlier == 0 {
                    file.to_string()
                } else {
                    format!("{file}#{}", earlier + 1)
                }
            })
            .collect();
        for (file, (_, run)) in files.iter().zip(inputs) {
            let file = file.as_str();
            for bench in &run.benchmarks {
                let item = Item { file, bench };
                match self.filtered(&item) {
                    Some(bench) => kept.push(OwnedItem {
                        file: file.to_string(),
                        source: run.source.clone(),
                        run: envelope(run),
                        bench,
                    }),
                    None => filtered_out += 1,
                }
            }
        }
        let mut projected = self.group(kept, filtered_out);
        projected.considered = considered;
        projected
    }

    /// `item`'s benchmark with only the metrics the filter keeps; `None` when it keeps none.
    fn filtered(&self, item: &Item<'_>) -> Option<Benchmark> {
        let Some(filter) = &self.filter else {
            return Some(item.bench.clone());
        };
        if item.bench.metrics.is_empty() {
            return eval(filter, item, None).then(|| item.bench.clone());
        }
        let metrics: Vec<Metric> = item
            .bench
            .metrics
            .iter()
            .filter(|m| eval(filter, item, Some(m)))
            .cloned()
            .collect();
        (!metrics.is_empty()).then(|| Benchmark {
            metrics,
            ..item.bench.clone()
        })
    }

    /// Keys other fields take out of `.fullname` and `.config`.
    fn taken(&self) -> Vec<&Key> {
        self.table
            .iter()
            .chain(&self.row)
            .chain(&self.col)
            .map(|f| &f.key)
            .chain(&self.ignore)
            .collect()
    }

    fn value(&self, key: &Key, item: &OwnedItem) -> KeyValue {
        let taken = self.taken();
        match key {
            Key::FullName => {
                let removed: Vec<&str> = taken
                    .iter()
                    .filter_map(|k| match k {
                        Key::Param(p) => Some(p.as_str()),
                        _ => None,
                    })
                    .collect();
                KeyValue::Plain(strip_params(&item.bench, &removed))
            }
            Key::Config => {
                let pairs = config_labels(&item.source, &item.bench)
                    .into_iter()
                    .filter(|(k, _)| !taken.contains(&&Key::Label(k.clone())))
                    .collect();
                KeyValue::Pairs(pairs)
            }
            other => KeyValue::Plain(field_value(other, &item.file, &item.bench, None)),
        }
    }

    fn group(&self, kept: Vec<OwnedItem>, filtered_out: usize) -> Projected {
        let mut warnings = Vec::new();
        // (table, row, column) of each kept benchmark, each a list of (field, value).
        let mut placed = Vec::new();
        let mut dropped = 0;
        for item in kept {
            let project = |fields: &[Field]| -> Option<Vec<(String, KeyValue)>> {
                fields
                    .iter()
                    .map(|f| {
                        let value = self.value(&f.key, &item);
                        match (&f.order, &value) {
                            (Order::Fixed(allowed), KeyValue::Plain(v)) if !allowed.contains(v) => {
                                None
                            }
                            _ => Some((f.key.spelling(), value)),
                        }
                    })
                    .collect()
            };
            match (project(&self.table), project(&self.row), project(&self.col)) {
                (Some(t), Some(r), Some(c)) => placed.push((t, r, c, item)),
                _ => dropped += 1,
            }
        }
        let mut tables: Vec<TableBuilder> = Vec::new();
        for (table_key, row_key, col_key, item) in placed {
            let table_key: Vec<(String, String)> = flatten(table_key);
            let at = match tables.iter().position(|t| t.key == table_key) {
                Some(at) => at,
                None => {
                    tables.push(TableBuilder {
                        key: table_key,
                        ..TableBuilder::default()
                    });
                    tables.len() - 1
                }
            };
            let table = &mut tables[at];
            let row = label(&row_key, true);
            let col = label(&col_key, false);
            let col_order = col_key.iter().map(|(_, v)| v.text()).collect::<Vec<_>>();
            if !table.columns.iter().any(|(c, _)| *c == col) {
                table.columns.push((col.clone(), col_order));
            }
            if !table.rows.contains(&row) {
                table.rows.push(row.clone());
            }
            table.cells.entry((col, row)).or_default().push(item);
        }
        let col_fields = &self.col;
        let mut out = Vec::new();
        for mut table in tables {
            sort_columns(&mut table.columns, col_fields);
            let columns: Vec<String> = table.columns.iter().map(|(c, _)| c.clone()).collect();
            let runs: Vec<Run> = columns
                .iter()
                .filter_map(|col| column_run(&table, col, &mut warnings))
                .collect();
            let mut pairs = Vec::new();
            for (k, current) in runs.iter().enumerate().skip(1) {
                pairs.push(Pair {
                    baseline_column: columns[0].clone(),
                    column: columns[k].clone(),
                    baseline: runs[0].clone(),
                    current: current.clone(),
                });
            }
            out.push(Table {
                key: table.key,
                columns,
                pairs,
                first: runs.into_iter().next(),
            });
        }
        if dropped > 0 {
            warnings.push(format!(
                "{dropped} benchmark(s) left out: a value not in a @( … ) list"
            ));
        }
        Projected {
            considered: 0,
            filtered_out,
            tables: out,
            warnings,
        }
    }
}

/// The result of a projection: tables, each with its columns paired against its first.
#[derive(Debug, Clone)]
pub struct Projected {
    /// How many benchmarks the inputs hold in all.
    pub considered: usize,
    /// How many benchmarks (of all inputs) the filter removed.
    pub filtered_out: usize,
    pub tables: Vec<Table>,
    /// Cells that pool benchmarks of different names, values left out by a fixed order.
    pub warnings: Vec<String>,
}

/// One table: the benchmarks whose table keys agree.
#[derive(Debug, Clone)]
pub struct Table {
    /// The table keys and their values (`goos` = `linux`), empty when there are none.
    pub key: Vec<(String, String)>,
    /// Column labels, the first one the base of every comparison.
    pub columns: Vec<String>,
    /// Each later column against the first.
    pub pairs: Vec<Pair>,
    /// The first column's benchmarks as a run (what a table with one column shows).
    pub first: Option<Run>,
}

/// A later column of a table against its first: two runs whose benchmarks are named by row.
#[derive(Debug, Clone)]
pub struct Pair {
    pub baseline_column: String,
    pub column: String,
    pub baseline: Run,
    pub current: Run,
}

#[derive(Clone, Copy)]
struct Item<'a> {
    file: &'a str,
    bench: &'a Benchmark,
}

/// `run` without its benchmarks: what a column's run keeps of the input it came from.
fn envelope(run: &Run) -> Run {
    Run {
        schema: run.schema.clone(),
        id: run.id,
        started_at: run.started_at,
        ended_at: run.ended_at,
        source: run.source.clone(),
        provenance: run.provenance.clone(),
        environment: run.environment.clone(),
        benchmarks: Vec::new(),
    }
}

struct OwnedItem {
    file: String,
    source: Source,
    run: Run,
    bench: Benchmark,
}

#[derive(Default)]
struct TableBuilder {
    key: Vec<(String, String)>,
    /// Column labels with their values per field (for ordering).
    columns: Vec<(String, Vec<String>)>,
    rows: Vec<String>,
    cells: HashMap<(String, String), Vec<OwnedItem>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyValue {
    Plain(String),
    Pairs(Vec<(String, String)>),
}

impl KeyValue {
    fn text(&self) -> String {
        match self {
            KeyValue::Plain(v) => v.clone(),
            KeyValue::Pairs(pairs) => pairs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// Table keys as (key, value) pairs: `.config` spread into its labels.
fn flatten(fields: Vec<(String, KeyValue)>) -> Vec<(String, String)> {
    fields
        .into_iter()
        .flat_map(|(k, v)| match v {
            KeyValue::Plain(v) => vec![(k, v)],
            KeyValue::Pairs(pairs) => pairs,
        })
        .collect()
}

/// A row or column label: a name key's value as it is, a parameter as `key=value`, a label as
/// `key=value` (rows) or the values alone (columns), parts joined by `/` (rows) or `,`.
fn label(fields: &[(String, KeyValue)], row: bool) -> String {
    let parts: Vec<String> = fields
        .iter()
        .filter_map(|(k, v)| {
            let text = v.text();
            if text.is_empty() && matches!(v, KeyValue::Pairs(_)) {
                return None;
            }
            Some(match k.as_str() {
                ".name" | ".fullname" | ".file" => text,
                _ if !row => text,
                _ => format!("{}={text}", k.trim_start_matches('/')),
            })
        })
        .collect();
    parts.join(if row { "/" } else { "," })
}

/// Orders columns by the orders of the `--col` fields: first seen, alphabetically, numerically
/// or as listed (a stable sort, field by field from the last).
fn sort_columns(columns: &mut [(String, Vec<String>)], fields: &[Field]) {
    for (k, field) in fields.iter().enumerate().rev() {
        let value = |c: &(String, Vec<String>)| c.1.get(k).cloned().unwrap_or_default();
        match &field.order {
            Order::FirstSeen => {}
            Order::Alpha => columns.sort_by_key(value),
            Order::Num => columns.sort_by(|a, b| {
                let (a, b) = (value(a), value(b));
                match (number(&a), number(&b)) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => a.cmp(&b),
                }
            }),
            Order::Fixed(list) => columns.sort_by_key(|c| {
                let v = value(c);
                list.iter().position(|l| *l == v).unwrap_or(list.len())
            }),
        }
    }
}

/// `2k` → 2000, `1Mi` → 1048576, `1.5` → 1.5: benchproc's `@num`.
pub fn number(text: &str) -> Option<f64> {
    const PREFIXES: [(&str, f64); 10] = [
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("k", 1e3),
        ("K", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("", 1.0),
    ];
    PREFIXES.iter().find_map(|(prefix, scale)| {
        let digits = text.strip_suffix(prefix)?;
        digits.parse::<f64>().ok().map(|n| n * scale)
    })
}

/// The run of one column: each row's benchmarks, named by the row (several benchmarks in one
/// cell of one column are pooled: their samples of each measure together, with a warning).
fn column_run(table: &TableBuilder, col: &str, warnings: &mut Vec<String>) -> Option<Run> {
    let mut run: Option<Run> = None;
    for row in &table.rows {
        let Some(items) = table.cells.get(&(col.to_string(), row.clone())) else {
            continue;
        };
        let Some(first) = items.first() else {
            continue;
        };
        let mut bench = first.bench.clone();
        if items.len() > 1 {
            let names: Vec<&str> = items.iter().map(|i| i.bench.name.as_str()).collect();
            warnings.push(format!(
                "row {row}, column {col} pools {} benchmarks that vary in .fullname: {}",
                items.len(),
                names.join(", ")
            ));
            bench = pool(items.iter().map(|i| &i.bench));
        }
        bench.name = row.clone();
        run.get_or_insert_with(|| envelope(&first.run))
            .benchmarks
            .push(bench);
    }
    run
}

/// Benchmarks pooled into one: each measure's samples of all of them, in order.
fn pool<'a>(benches: impl Iterator<Item = &'a Benchmark>) -> Benchmark {
    let benches: Vec<&Benchmark> = benches.collect();
    let mut pooled = benches[0].clone();
    pooled.metrics = Vec::new();
    let mut order: Vec<(benchgate_model::Measure, Metric)> = Vec::new();
    for bench in &benches {
        for metric in &bench.metrics {
            match order.iter_mut().find(|(m, _)| *m == metric.measure) {
                Some((_, into)) => into.samples.extend(&metric.samples),
                None => order.push((metric.measure.clone(), metric.clone())),
            }
        }
    }
    for (_, metric) in order {
        let exact = metric.exact;
        if let Some(m) = Metric::from_samples(
            metric.measure,
            metric.unit,
            metric.direction,
            metric.samples,
        ) {
            pooled.metrics.push(m.exact(exact));
        }
    }
    pooled
}

/// The configuration labels of a benchmark: for Go input (`ingest:go`, `ingest:go-json`) every
/// label but the `nan.<unit>` counts, which are Go's `key: value` lines; other sources' labels
/// describe one result (ops, errors), not a configuration, and are none.
fn config_labels(source: &Source, bench: &Benchmark) -> Vec<(String, String)> {
    match source {
        Source::Ingest(format) if format == "go" || format == "go-json" => bench
            .labels
            .iter()
            .filter(|(k, _)| !k.starts_with("nan."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

/// The name without the `key=value` parts of `removed` parameters (a `-N` GOMAXPROCS suffix is
/// the `procs` parameter); empty `removed` keeps the name.
fn strip_params(bench: &Benchmark, removed: &[&str]) -> String {
    if removed.is_empty() {
        return bench.name.clone();
    }
    // Go's `-N` suffix ends the last part (`Encode/size=1k-8`): off while the parts are
    // matched, back on unless `procs` itself is removed.
    let mut name = bench.name.as_str();
    let mut suffix = String::new();
    for procs in ["gomaxprocs", "procs"] {
        if let Some(n) = bench.params.get(procs)
            && let Some(stripped) = name.strip_suffix(&format!("-{n}"))
        {
            name = stripped;
            if !removed.contains(&procs) {
                suffix = format!("-{n}");
            }
            break;
        }
    }
    let kept: Vec<&str> = name
        .split('/')
        .enumerate()
        .filter(|(k, part)| {
            *k == 0
                || !part.split_once('=').is_some_and(|(key, value)| {
                    removed.contains(&key) && bench.params.get(key).is_some_and(|v| v == value)
                })
        })
        .map(|(_, part)| part)
        .collect();
    kept.join("/") + &suffix
}

/// Whether `filter` keeps `bench`, as `--filter` does (with at least one of its metrics, or
/// itself when it has none): a `[[check]]`'s selections. There is no input file: `.file` is
/// empty.
pub fn selects(filter: &Filter, bench: &Benchmark) -> bool {
    let item = Item { file: "", bench };
    if bench.metrics.is_empty() {
        return eval(filter, &item, None);
    }
    bench.metrics.iter().any(|m| eval(filter, &item, Some(m)))
}

/// The value of a filter key for `bench` (and one of its metrics, for `.unit`/`.measure`).
fn field_value(key: &Key, file: &str, bench: &Benchmark, metric: Option<&Metric>) -> String {
    match key {
        Key::Name => {
            let params: Vec<&str> = bench.params.keys().map(String::as_str).collect();
            strip_params(bench, &params)
        }
        Key::FullName => bench.name.clone(),
        Key::File => file.to_string(),
        Key::Unit => metric
            .map(|m| m.unit.as_str().to_string())
            .unwrap_or_default(),
        Key::Measure => metric.map(|m| m.measure.to_string()).unwrap_or_default(),
        Key::Config => String::new(),
        Key::Param(p) => bench.params.get(p).cloned().unwrap_or_default(),
        Key::Label(l) => bench.labels.get(l).cloned().unwrap_or_default(),
    }
}

fn eval(filter: &Filter, item: &Item<'_>, metric: Option<&Metric>) -> bool {
    match filter {
        Filter::All => true,
        Filter::Not(inner) => !eval(inner, item, metric),
        Filter::And(terms) => terms.iter().all(|t| eval(t, item, metric)),
        Filter::Or(terms) => terms.iter().any(|t| eval(t, item, metric)),
        Filter::Match { key, values } => {
            let value = field_value(key, item.file, item.bench, metric);
            // `.unit` names a metric by its unit or its measure (`ns` or `wall_time`).
            let also = match (key, metric) {
                (Key::Unit, Some(m)) => Some(m.measure.to_string()),
                _ => None,
            };
            values
                .iter()
                .any(|v| v.matches(&value) || also.as_deref().is_some_and(|a| v.matches(a)))
        }
    }
}
