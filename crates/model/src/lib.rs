//! benchgate's canonical model (SPEC §2): every source (command runner, harness, load generator,
//! adapters) produces a [`Run`]; the store keeps it, the gate judges it into [`Verdict`]s and the
//! report crate renders both. The interchange format is JSON with `"schema": "benchgate/run/v1"`
//! (see `docs/schema/run.v1.schema.json`). This crate is data and validation only: no I/O.

mod benchmark;
mod budget;
mod check;
mod declared;
pub mod display;
mod environment;
mod error;
pub mod human_units;
mod leak;
mod metric;
mod profile;
mod provenance;
mod run;
mod series;
mod verdict;

pub use benchmark::{Benchmark, Status};
pub use budget::{BudgetCheck, BudgetStatus};
pub use check::{CHECK_MEASURE, CheckResult, CheckStatus};
pub use declared::DeclaredBounds;
pub use environment::Environment;
pub use error::ModelError;
pub use leak::{LeakBudget, LeakGrowth};
pub use metric::{
    Direction, ENGINE_MEASURES, Interval, Measure, Metric, Precision, Summary, Unit, edit_distance,
    impossible_value,
};
pub use profile::{MAX_PROFILES, ProfileLink};
pub use provenance::{Mode, Provenance};
pub use run::{RUN_SCHEMA, Run, Source};
pub use series::{MAX_SERIES_PER_BENCHMARK, MAX_SERIES_POINTS, Series, SeriesPoint};
pub use verdict::{
    COMPARISON_SCHEMA, Caveat, Comparison, Confirmation, Effect, GeomeanRow, Outcome, RunRef,
    Severity, Side, Thresholds, Verdict, VerdictKind,
};
