//! One run of a spec with its command started under a tool (valgrind counting instructions, a
//! profiler recording it): `setup`, `prepare`, the wrapped command, `conclude`, then `cleanup`,
//! each once, wired as the timing runner wires them — each in its own process group, killed with
//! it at the timeout; the command's stdin is [`OnceOptions::stdin`] or `/dev/null`, the
//! auxiliary commands' `/dev/null`; stdout to `/dev/null`; stderr captured for error reports.
//! `cleanup` runs whenever the run started, also after a failure, and what `setup` left running
//! lives until the cleanup has run. The environment and working directory are inherited.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::process::{self, Exec, Io, Resolver};
use crate::runner::fmt_duration;
use crate::{CommandSpec, Invocation, MeasureError, Outcome, Phase};

/// Settings of one wrapped run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnceOptions {
    /// Kill any process of the run (the wrapped command or an auxiliary one) that takes longer
    /// than this, with its whole process group.
    pub timeout: Option<Duration>,
    /// Stdin of the command; `/dev/null` when `None`.
    pub stdin: Option<PathBuf>,
    /// Accept a run that exits non-zero or dies of a signal instead of returning
    /// [`MeasureError::CommandFailed`]. A timeout is always an error.
    pub ignore_failure: bool,
    /// Let all processes inherit stdout/stderr (no stderr capture then).
    pub show_output: bool,
}

/// How the wrapped command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnceRun {
    pub outcome: Outcome,
    /// Wall time of the wrapped command (spawn to reap).
    pub wall_ns: u64,
}

/// The command of a wrapped run: the tool around the resolved `program` and its `argv` (whose
/// first word is the program as written).
pub type Wrap<'a> = dyn Fn(&Path, &[String]) -> Command + 'a;

/// Runs `spec` once (see the module docs) with its command started as `wrap` builds it. Nothing
/// runs unless every program of the spec is found. `tool_messages` is called when the wrapped
/// command fails, for what the tool itself said (kept apart from the command's stderr).
pub fn run_once_wrapped(
    spec: &CommandSpec,
    wrap: &Wrap<'_>,
    options: &OnceOptions,
    tool_messages: &dyn Fn() -> String,
) -> Result<OnceRun, MeasureError> {
    if options.timeout == Some(Duration::ZERO) {
        return Err(MeasureError::InvalidOptions(
            "timeout must be positive".to_owned(),
        ));
    }
    let mut resolver = Resolver::default();
    crate::runner::check_cwd(spec)?;
    let cwd = spec.cwd.as_deref();
    let (program, argv) = resolver.program_in(&spec.command, cwd)?;
    let mut aux = |inv: &Option<Invocation>, keep: bool| -> Result<Option<Aux>, MeasureError> {
        let Some(inv) = inv else { return Ok(None) };
        let (path, argv) = resolver.program_in(inv, cwd)?;
        let mut cmd = process::build_command(&path, &argv);
        if let Some(dir) = cwd {
            cmd.current_dir(dir);
        }
        Ok(Some(Aux {
            cmd,
            display: inv.to_string(),
            keep: keep.then(crate::leftovers::new_key),
        }))
    };
    // What the setup leaves running (a server) lives until the cleanup has run.
    let mut setup = aux(&spec.setup, true)?;
    let mut prepare = aux(&spec.prepare, false)?;
    let mut conclude = aux(&spec.conclude, false)?;
    let mut cleanup = aux(&spec.cleanup, false)?;

    let mut cmd = wrap(&program, &argv);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    // Its own group, as in the runner, so a timeout kills the tool and everything under it.
    cmd.process_group(0);

    crate::sys::release_free_memory();
    let mut io = Io::new(options.stdin.as_deref(), options.show_output)?;
    let display = spec.command.to_string();
    let mut ctx = Ctx {
        io: &mut io,
        timeout: options.timeout,
    };
    let measured = (|| {
        for (phase, prog) in [(Phase::Setup, &mut setup), (Phase::Prepare, &mut prepare)] {
            if let Some(prog) = prog {
                ctx.aux(phase, prog)?;
            }
        }
        let exec = ctx.main(&mut cmd, &display, options.ignore_failure, tool_messages)?;
        if let Some(prog) = &mut conclude {
            ctx.aux(Phase::Conclude, prog)?;
        }
        Ok(exec)
    })();
    let cleaned = match &mut cleanup {
        Some(prog) => ctx.aux(Phase::Cleanup, prog),
        None => Ok(()),
    };
    if let Some(key) = setup.as_ref().and_then(|s| s.keep) {
        crate::leftovers::release(key);
    }
    let exec = measured?;
    cleaned?;
    Ok(OnceRun {
        outcome: exec.outcome,
        wall_ns: exec.wall_ns,
    })
}

struct Aux {
    cmd: Command,
    display: String,
    /// A setup's key: what it leaves running is kept until released after the cleanup.
    keep: Option<u64>,
}

struct Ctx<'a> {
    io: &'a mut Io,
    timeout: Option<Duration>,
}

impl Ctx<'_> {
    fn aux(&mut self, phase: Phase, prog: &mut Aux) -> Result<(), MeasureError> {
        self.io.attach(&mut prog.cmd, false)?;
        let exec = process::execute(&mut prog.cmd, &prog.display, self.timeout, prog.keep, None);
        Io::detach(&mut prog.cmd);
        let exec = exec?;
        if exec.outcome.success() {
            self.io.take_stderr(false)?;
            return Ok(());
        }
        Err(self.failed(phase, &prog.display, exec.outcome, String::new()))
    }

    fn main(
        &mut self,
        cmd: &mut Command,
        display: &str,
        ignore_failure: bool,
        tool_messages: &dyn Fn() -> String,
    ) -> Result<Exec, MeasureError> {
        self.io.attach(cmd, true)?;
        let exec = process::execute(cmd, display, self.timeout, None, None);
        Io::detach(cmd);
        let exec = exec?;
        let accepted =
            exec.outcome.success() || (ignore_failure && exec.outcome != Outcome::TimedOut);
        if accepted {
            self.io.take_stderr(false)?;
            return Ok(exec);
        }
        Err(self.failed(Phase::Run, display, exec.outcome, tool_messages()))
    }

    fn failed(
        &mut self,
        phase: Phase,
        command: &str,
        outcome: Outcome,
        valgrind_messages: String,
    ) -> MeasureError {
        let message = match (outcome, self.timeout) {
            (Outcome::TimedOut, Some(t)) => format!("timed out after {}", fmt_duration(t)),
            _ => outcome.to_string(),
        };
        // A failure to read the capture must not hide the failure itself.
        let stderr_tail = self.io.take_stderr(true).unwrap_or_default();
        MeasureError::CommandFailed {
            phase,
            command: command.to_owned(),
            outcome,
            message,
            stderr_tail,
            valgrind_messages,
        }
    }
}
