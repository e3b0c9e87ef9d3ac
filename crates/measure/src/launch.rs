//! Where the runner's processes start: through the spawner when this process has one (see
//! [`crate::start_spawner`]), else in this process. Both give the same [`Ran`] for a program.

use std::ffi::OsString;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use crate::process::{self, CapturedStdout, Exec, Io};
use crate::spawner::wire::{self, FailKind, Reply, RunSpec};
use crate::spawner::{self, Client};
use crate::{MeasureError, RunnerOptions};

/// One finished process and, if wanted, the tail of its stderr.
pub(crate) struct Ran {
    pub exec: Exec,
    /// Filled only when the run failed and the program was added with `tail_on_failure`.
    pub stderr_tail: String,
    /// What a main program wrote to stdout, when the runner reads its output.
    pub stdout: Option<CapturedStdout>,
}

/// Told the pid of a run's process while it runs.
pub(crate) type OnSpawn<'a> = Option<&'a mut dyn FnMut(libc::pid_t)>;

/// Starts the programs of one runner.
pub(crate) struct Launcher {
    timeout: Option<Duration>,
    ignore_failure: bool,
    kind: Kind,
    fixed: Option<FixedSamples>,
}

enum Kind {
    Local(Local),
    Remote(Remote),
    /// Made-up measurements, for tests of the schedule.
    #[cfg(test)]
    Fake {
        programs: usize,
        exec: Box<dyn FnMut(usize) -> Exec>,
    },
}

/// Descriptors kept open by persistent commands (3 each); beyond this, commands get their
/// descriptors attached per run so big parameter scans stay under RLIMIT_NOFILE.
const FD_BUDGET: usize = 600;

struct Local {
    io: Io,
    /// The main programs' stdout, when their output is read (see [`process::take_stdout`]).
    stdout: Option<File>,
    show_output: bool,
    progs: Vec<LocalProg>,
    budget: usize,
}

/// A reusable process description.
struct LocalProg {
    cmd: Command,
    display: String,
    main: bool,
    /// Holds its descriptors between runs (true for as many commands as the fd budget allows).
    persistent: bool,
    /// A `setup` command's key: what it leaves running is kept until [`Launcher::release`].
    keep: Option<u64>,
}

struct Remote {
    client: &'static Mutex<Client>,
    context: spawner::Context,
    stdin: Option<PathBuf>,
    show_output: bool,
    /// The main programs' stdout, when their output is read, and the name the spawner opens it by.
    stdout: Option<(File, Vec<u8>)>,
    /// Main programs announce their pid (memory sampling).
    report_pid: bool,
    progs: Vec<RemoteProg>,
}

struct RemoteProg {
    /// The complete request, sent as is for every run.
    frame: Vec<u8>,
    main: bool,
    display: String,
    keep: Option<u64>,
}

impl Launcher {
    /// Opens what the runs share (stdin file, stderr capture), in this process or in the spawner.
    pub(crate) fn new(options: &RunnerOptions) -> Result<Self, MeasureError> {
        let kind = match spawner::client() {
            Some(client) => Kind::Remote(Remote::new(client, options)?),
            None => {
                crate::sys::release_free_memory();
                Kind::Local(Local {
                    io: Io::new(options.stdin.as_deref(), options.show_output)?,
                    stdout: reads_output(options)
                        .then(process::stdout_capture_file)
                        .transpose()?,
                    show_output: options.show_output,
                    progs: Vec::new(),
                    budget: FD_BUDGET,
                })
            }
        };
        Ok(Launcher {
            timeout: options.timeout,
            ignore_failure: options.ignore_failure,
            kind,
            fixed: FixedSamples::from_env()?,
        })
    }

    #[cfg(test)]
    pub(crate) fn fake(options: &RunnerOptions, exec: impl FnMut(usize) -> Exec + 'static) -> Self {
        Launcher {
            timeout: options.timeout,
            ignore_failure: options.ignore_failure,
            kind: Kind::Fake {
                programs: 0,
                exec: Box::new(exec),
            },
            fixed: None,
        }
    }

    /// Describes a program (resolved `path`, `argv` with argv\[0\], working directory); returns
    /// its id for [`Launcher::run`]. `main`: the benchmarked command (gets the stdin file; its
    /// stderr tail is kept on failure unless failures are ignored), else an auxiliary command.
    /// `keep` (a `setup` command): what it leaves running is kept, not killed, until
    /// [`Launcher::release`].
    pub(crate) fn add(
        &mut self,
        path: &Path,
        argv: &[String],
        cwd: Option<&Path>,
        main: bool,
        keep: bool,
        display: String,
    ) -> Result<usize, MeasureError> {
        let tail_on_failure = !main || !self.ignore_failure;
        let fixed = self.fixed.as_mut().and_then(|f| f.next_for(&display));
        let keep = keep.then(crate::leftovers::new_key);
        let id = match &mut self.kind {
            Kind::Local(local) => local.add(path, argv, cwd, main, keep, display),
            Kind::Remote(remote) => remote.add(
                path,
                argv,
                cwd,
                (main, keep),
                display,
                tail_on_failure,
                self.timeout,
            ),
            #[cfg(test)]
            Kind::Fake { programs, .. } => {
                *programs += 1;
                Ok(*programs - 1)
            }
        }?;
        if let (Some(all), Some(samples)) = (&mut self.fixed, fixed) {
            all.set(id, samples);
        }
        Ok(id)
    }

    /// Runs program `id` once and reaps it.
    pub(crate) fn run(&mut self, id: usize) -> Result<Ran, MeasureError> {
        self.run_watched(id, None)
    }

    /// [`Launcher::run`], telling `on_spawn` the pid of the process while it runs (a main
    /// program; through the spawner only if the runner samples memory).
    pub(crate) fn run_watched(
        &mut self,
        id: usize,
        on_spawn: OnSpawn,
    ) -> Result<Ran, MeasureError> {
        let mut ran = match &mut self.kind {
            Kind::Local(local) => local.run(id, self.timeout, self.ignore_failure, on_spawn),
            Kind::Remote(remote) => remote.run(id, on_spawn),
            #[cfg(test)]
            Kind::Fake { exec, .. } => Ok(Ran {
                exec: exec(id),
                stderr_tail: String::new(),
                stdout: None,
            }),
        }?;
        if let Some(fixed) = &mut self.fixed {
            fixed.apply(id, &mut ran.exec);
        }
        Ok(ran)
    }

    /// Kills, reaps and counts what program `id` (added with `keep`) left running that is still
    /// alive; 0 for other programs.
    pub(crate) fn release(&mut self, id: usize) -> Result<u32, MeasureError> {
        match &mut self.kind {
            Kind::Local(local) => {
                let prog = local.progs.get(id).ok_or_else(|| unknown(id))?;
                Ok(prog.keep.map_or(0, crate::leftovers::release))
            }
            Kind::Remote(remote) => remote.release(id),
            #[cfg(test)]
            Kind::Fake { .. } => Ok(0),
        }
    }
}

/// For tests of verdicts on real processes: the environment variable [`FIXED_SAMPLES_ENV`] names a
/// file of made-up measurements that replace what the runs of the commands it names measured, so
/// the verdicts do not depend on how busy the machine is. The processes still run (their exit
/// status counts); only their wall, user and system time and peak RSS are replaced.
///
/// One line per program: the command as displayed, a tab, then samples separated by spaces, each
/// `wall_ns:user_ns:sys_ns:max_rss_bytes`. Every run of the program takes the next sample, from the
/// first again after the last. Release builds ignore the variable. Two programs with the same
/// display (an A/A of one command) take that display's lines in the order they were added, counted
/// over the whole process (so a benchmark measured again, by a new runner, takes the next line: a
/// suspect's second measurement); a program with no line of its own is measured for real.
pub(crate) const FIXED_SAMPLES_ENV: &str = "BENCHGATE_TEST_FIXED_SAMPLES";

struct FixedSamples {
    /// Per display, its lines in file order.
    lines: Vec<(String, Vec<Vec<Sample>>)>,
    /// Per program id: its samples (if any) and how many it has used.
    programs: Vec<Option<(Vec<Sample>, usize)>>,
}

#[derive(Clone, Copy)]
struct Sample {
    wall_ns: u64,
    user_ns: u64,
    sys_ns: u64,
    max_rss_bytes: u64,
}

impl FixedSamples {
    fn from_env() -> Result<Option<FixedSamples>, MeasureError> {
        // Only debug builds (the test suite's) obey the hook: a release build, what `cargo install`
        // gives users, always measures for real, whatever its environment holds.
        if !cfg!(debug_assertions) {
            return Ok(None);
        }
        let Some(path) = std::env::var_os(FIXED_SAMPLES_ENV) else {
            return Ok(None);
        };
        let context = || format!("{FIXED_SAMPLES_ENV}={}", Path::new(&path).display());
        let text =
            std::fs::read_to_string(&path).map_err(|source| MeasureError::io(context(), source))?;
        let mut lines: Vec<(String, Vec<Vec<Sample>>)> = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let bad = |what: &str| {
                let message = format!("line {}: {what}", number + 1);
                MeasureError::io(context(), std::io::Error::other(message))
            };
            let Some((display, samples)) = line.split_once('\t') else {
                return Err(bad("expected `command<TAB>samples`"));
            };
            let samples = samples
                .split_whitespace()
                .map(|sample| {
                    let fields: Vec<u64> = sample
                        .split(':')
                        .map(str::parse)
                        .collect::<Result<_, _>>()
                        .map_err(|_| bad(&format!("`{sample}` is not four whole numbers")))?;
                    match fields[..] {
                        [wall_ns, user_ns, sys_ns, max_rss_bytes] => Ok(Sample {
                            wall_ns,
                            user_ns,
                            sys_ns,
                            max_rss_bytes,
                        }),
                        _ => Err(bad(&format!(
                            "`{sample}` is not wall_ns:user_ns:sys_ns:max_rss_bytes"
                        ))),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            if samples.is_empty() {
                return Err(bad("no samples"));
            }
            match lines.iter_mut().find(|(d, _)| d == display) {
                Some((_, of_display)) => of_display.push(samples),
                None => lines.push((display.to_owned(), vec![samples])),
            }
        }
        Ok(Some(FixedSamples {
            lines,
            programs: Vec::new(),
        }))
    }

    /// The samples of the next program added with `display`, if the file has a line for it.
    fn next_for(&mut self, display: &str) -> Option<Vec<Sample>> {
        let at = self.lines.iter().position(|(d, _)| d == display)?;
        let of_display = &self.lines[at].1;
        // Per display: how many programs with it this process added.
        static ADDED: Mutex<Vec<(String, usize)>> = Mutex::new(Vec::new());
        let mut added = ADDED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = match added.iter_mut().find(|(d, _)| d == display) {
            Some((_, count)) => count,
            None => {
                added.push((display.to_owned(), 0));
                &mut added.last_mut()?.1
            }
        };
        let nth = *count % of_display.len();
        *count += 1;
        Some(of_display[nth].clone())
    }

    fn set(&mut self, id: usize, samples: Vec<Sample>) {
        if self.programs.len() <= id {
            self.programs.resize(id + 1, None);
        }
        self.programs[id] = Some((samples, 0));
    }

    fn apply(&mut self, id: usize, exec: &mut Exec) {
        let Some(Some((samples, used))) = self.programs.get_mut(id) else {
            return;
        };
        let sample = samples[*used % samples.len()];
        *used += 1;
        exec.wall_ns = sample.wall_ns;
        exec.user_ns = sample.user_ns;
        exec.sys_ns = sample.sys_ns;
        exec.max_rss_bytes = sample.max_rss_bytes;
    }
}

impl Local {
    fn add(
        &mut self,
        path: &Path,
        argv: &[String],
        cwd: Option<&Path>,
        main: bool,
        keep: Option<u64>,
        display: String,
    ) -> Result<usize, MeasureError> {
        let mut cmd = process::build_command(path, argv);
        if let Some(dir) = cwd {
            cmd.current_dir(dir);
        }
        let persistent = self.budget >= 3;
        if persistent {
            self.budget -= 3;
            self.io.attach(&mut cmd, main)?;
            if main {
                attach_stdout(self.stdout.as_ref(), &mut cmd)?;
            }
        }
        self.progs.push(LocalProg {
            cmd,
            display,
            main,
            persistent,
            keep,
        });
        Ok(self.progs.len() - 1)
    }

    fn run(
        &mut self,
        id: usize,
        timeout: Option<Duration>,
        ignore_failure: bool,
        on_spawn: OnSpawn,
    ) -> Result<Ran, MeasureError> {
        let prog = self.progs.get_mut(id).ok_or_else(|| unknown(id))?;
        if prog.main {
            self.io.prepare_input(&mut prog.cmd)?;
        }
        if !prog.persistent {
            self.io.attach(&mut prog.cmd, prog.main)?;
            if prog.main {
                attach_stdout(self.stdout.as_ref(), &mut prog.cmd)?;
            }
        }
        self.io.reset_peak_rss();
        let on_spawn = if prog.main { on_spawn } else { None };
        let result = process::execute(&mut prog.cmd, &prog.display, timeout, prog.keep, on_spawn);
        if !prog.persistent {
            Io::detach(&mut prog.cmd);
        }
        let exec = result?;
        let tail_on_failure = !prog.main || !ignore_failure;
        let main = prog.main;
        let stderr_tail = self
            .io
            .take_stderr(tail_on_failure && !exec.outcome.success())?;
        let stdout = match &self.stdout {
            Some(f) if main => Some(process::take_stdout(f, self.show_output)?),
            _ => None,
        };
        Ok(Ran {
            exec,
            stderr_tail,
            stdout,
        })
    }
}

/// Main programs write their stdout to the capture file, if there is one.
fn attach_stdout(capture: Option<&File>, cmd: &mut Command) -> Result<(), MeasureError> {
    if let Some(f) = capture {
        let dup = f
            .try_clone()
            .map_err(|e| MeasureError::io("cannot duplicate the stdout capture", e))?;
        cmd.stdout(dup);
    }
    Ok(())
}

/// Whether the runner reads the main programs' stdout (it has output metrics or a check, and
/// they are not read from a file).
fn reads_output(options: &RunnerOptions) -> bool {
    options
        .output
        .as_ref()
        .is_some_and(|o| !o.is_empty() && o.file.is_none())
}

fn unknown(id: usize) -> MeasureError {
    MeasureError::InvalidOptions(format!("no program {id} in this runner"))
}

impl Remote {
    fn new(client: &'static Mutex<Client>, options: &RunnerOptions) -> Result<Self, MeasureError> {
        // Refuse an unreadable stdin file before anything runs, as in process (the spawner
        // opens it itself for the runs); relative paths mean this process's directory.
        let stdin = match &options.stdin {
            Some(path) => {
                File::open(path).map_err(|source| MeasureError::Stdin {
                    path: path.clone(),
                    source,
                })?;
                Some(
                    std::path::absolute(path).map_err(|source| MeasureError::Stdin {
                        path: path.clone(),
                        source,
                    })?,
                )
            }
            None => None,
        };
        let context = lock(client)?.context();
        let stdout = if reads_output(options) {
            use std::os::fd::AsRawFd;
            let file = process::stdout_capture_file()?;
            // The spawner opens it by name: a new open file description of the same file.
            let name = format!("/proc/{}/fd/{}", std::process::id(), file.as_raw_fd());
            Some((file, name.into_bytes()))
        } else {
            None
        };
        Ok(Remote {
            client,
            context,
            stdin,
            show_output: options.show_output,
            stdout,
            report_pid: options.memory.is_some(),
            progs: Vec::new(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        path: &Path,
        argv: &[String],
        cwd: Option<&Path>,
        (main, keep): (bool, Option<u64>),
        display: String,
        tail_on_failure: bool,
        timeout: Option<Duration>,
    ) -> Result<usize, MeasureError> {
        let cwd: Option<PathBuf> = match cwd {
            // The spawner's working directory is not ours if we changed it since the fork.
            Some(dir) => Some(std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned())),
            None => self.context.cwd.clone(),
        };
        let args: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
        let env: Vec<(&[u8], Option<&[u8]>)> = self
            .context
            .env
            .iter()
            .map(|(k, v)| (k.as_bytes(), v.as_ref().map(|v: &OsString| v.as_bytes())))
            .collect();
        let spec = RunSpec {
            generation: self.context.generation,
            timeout_ns: timeout.map_or(0, |t| u64::try_from(t.as_nanos()).unwrap_or(u64::MAX)),
            keep: keep.unwrap_or(0),
            tail_on_failure,
            show_output: self.show_output,
            path: path.as_os_str().as_bytes(),
            argv: &args,
            cwd: cwd.as_ref().map(|c| c.as_os_str().as_bytes()),
            stdin: self
                .stdin
                .as_ref()
                .filter(|_| main)
                .map(|p| p.as_os_str().as_bytes()),
            stdout: self
                .stdout
                .as_ref()
                .filter(|_| main)
                .map(|(_, name)| name.as_slice()),
            report_pid: main && self.report_pid,
            env: &env,
        };
        let mut frame = Vec::new();
        wire::encode_run(&mut frame, &spec).map_err(|size| MeasureError::MessageTooLarge {
            what: format!("the command `{display}`"),
            size,
            limit: wire::MAX_REQUEST,
        })?;
        frame.shrink_to_fit();
        self.progs.push(RemoteProg {
            frame,
            main,
            display,
            keep,
        });
        Ok(self.progs.len() - 1)
    }

    fn run(&mut self, id: usize, on_spawn: OnSpawn) -> Result<Ran, MeasureError> {
        let prog = self.progs.get(id).ok_or_else(|| unknown(id))?;
        let mut client = lock(self.client)?;
        let body = if prog.main && self.report_pid {
            let mut ignore = |_| {};
            client.exchange_reporting(&prog.frame, Some(on_spawn.unwrap_or(&mut ignore)))?
        } else {
            client.exchange(&prog.frame)?
        };
        match Reply::decode(body) {
            Ok(Reply::Ran {
                outcome,
                wall_ns,
                user_ns,
                sys_ns,
                max_rss_bytes,
                leftovers,
                stderr_tail,
            }) => Ok(Ran {
                exec: Exec {
                    wall_ns,
                    user_ns,
                    sys_ns,
                    max_rss_bytes,
                    outcome,
                    leftovers,
                },
                stderr_tail: String::from_utf8_lossy(stderr_tail).into_owned(),
                stdout: match &self.stdout {
                    Some((file, _)) if prog.main => {
                        Some(process::take_stdout(file, self.show_output)?)
                    }
                    _ => None,
                },
            }),
            Ok(Reply::Failed {
                kind,
                errno,
                message,
            }) => {
                let message = String::from_utf8_lossy(message).into_owned();
                let source = if errno != 0 {
                    std::io::Error::from_raw_os_error(errno)
                } else {
                    std::io::Error::other(message.clone())
                };
                Err(match kind {
                    FailKind::Spawn => MeasureError::Spawn {
                        command: prog.display.clone(),
                        source,
                    },
                    FailKind::Stdin => MeasureError::Stdin {
                        path: self.stdin.clone().unwrap_or_default(),
                        source,
                    },
                    FailKind::Io => MeasureError::Io {
                        context: format!("spawner: {message} (`{}`)", prog.display),
                        source,
                    },
                    FailKind::Protocol => client.break_down(&message, None),
                })
            }
            Ok(Reply::Released { .. }) => {
                Err(client.break_down("a release's reply to a run request", None))
            }
            Err(wire::Malformed) => Err(client.break_down("malformed reply", None)),
        }
    }
}

impl Remote {
    fn release(&mut self, id: usize) -> Result<u32, MeasureError> {
        let prog = self.progs.get(id).ok_or_else(|| unknown(id))?;
        let Some(key) = prog.keep else {
            return Ok(0);
        };
        let mut frame = Vec::new();
        wire::encode_release(&mut frame, key);
        let mut client = lock(self.client)?;
        let body = client.exchange(&frame)?;
        match Reply::decode(body) {
            Ok(Reply::Released { leftovers }) => Ok(leftovers),
            _ => Err(client.break_down("malformed reply to a release", None)),
        }
    }
}

fn lock(client: &Mutex<Client>) -> Result<std::sync::MutexGuard<'_, Client>, MeasureError> {
    // A panic in the middle of an exchange may have left a reply unread.
    client
        .lock()
        .map_err(|_| MeasureError::spawner("connection unusable after a panic", None))
}
