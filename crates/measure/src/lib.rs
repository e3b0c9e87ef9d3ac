//! benchgate-measure: runs benchmark commands many times and returns raw per-run measurements
//! (wall time, CPU time, peak RSS, outcome). No statistics beyond the stopping rule, no output
//! drawing: progress goes to an [`Observer`].
//!
//! [`expand`] turns command-line templates and parameters into [`CommandSpec`]s; [`run`] executes
//! them (setup, warm-up, interleaved measured runs, cleanup) and returns [`CommandResult`]s.
//! [`count_instructions`] runs one spec under callgrind for its exact instruction count.
//! [`OutputSpec`] reads metrics (by JSON path or regex) and an output check from a run's stdout.
//! [`start_spawner`], called first thing in `main`, has a small separate process start every
//! measured process, so their peak RSS does not include this process's own.

mod error;
mod expand;
mod instructions;
mod launch;
mod leftovers;
mod memory;
mod output_metrics;
mod process;
mod runner;
mod spawner;
mod sys;
mod wrapped;

pub use error::MeasureError;

/// Makes SIGINT, SIGTERM and SIGHUP kill the run in flight (its whole process group) before the
/// process dies of the signal. Each run has its own process group, so without this a Ctrl-C
/// would end benchgate and leave the benchmarked command running.
pub fn install_interrupt_handlers() -> Result<(), MeasureError> {
    sys::install_interrupt_handlers().map_err(|e| MeasureError::Io {
        context: "cannot install signal handlers".into(),
        source: e,
    })
}
pub use expand::{
    AuxCommands, CommandSpec, CommandTemplate, Invocation, MAX_COMBINATIONS, MAX_PARAMETER_VALUES,
    Parameter, check_combinations, combination_count, expand, expanded_names,
};
pub use instructions::{
    InstructionCount, InstructionOptions, ProcessInstructions, count_instructions,
};
pub use memory::{
    MemoryOptions, MemorySample, MemorySampler, MemorySeries, SamplingEnd, TreeMemory, tree_memory,
};
pub use output_metrics::{
    Better, DefinitionError, Expected, JsonPath, MAX_OUTPUT_BYTES, MAX_REGEX_BYTES,
    MetricDefinition, MetricUnit, OutputCheck, OutputError, OutputSpec, Problem, Selector,
};
pub use runner::{
    CommandResult, Event, Failure, Observer, Outcome, PairedResult, Phase, PrecisionReached,
    RunnerOptions, Sample, preflight, run, run_paired,
};
pub use spawner::start_spawner;
pub use sys::{InterruptKillsGroup, InterruptsHeld, hold_interrupts, kill_group_on_interrupt};
pub use wrapped::{OnceOptions, OnceRun, Wrap, run_once_wrapped};
