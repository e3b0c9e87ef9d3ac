//! Helpers shared by the CLI tests: run benchgate (in-process, or the real binary as its own
//! process), read and validate its JSON.

#![allow(dead_code)]

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// Runs benchgate in this process (see [`benchgate_with_env`]).
pub fn benchgate(args: &[&str], dir: &Path) -> Output {
    benchgate_with_env(args, dir, &[])
}

/// Runs benchgate in this process with `args`, in `dir`, with extra environment variables
/// (which reach the commands it runs), capturing what it prints: the output the real binary
/// would give, but for what needs a process of its own (signals, a closed pipe, the spawner,
/// standard input, a file that is its standard output, terminals): [`benchgate_process`].
pub fn benchgate_with_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let stdout = Buffer::default();
    let stderr = Buffer::default();
    let console = benchgate::Console::new(stdout.clone(), stderr.clone());
    let code = in_process(args, dir, env, &console);
    Output {
        status: ExitStatus::from_raw(i32::from(code) << 8),
        stdout: stdout.contents(),
        stderr: stderr.contents(),
    }
}

/// Runs `benchgate::run` with `args` in `dir`, with the environment of [`benchgate_with_env`],
/// printing to `console`; returns its exit status.
///
/// Tests run on parallel threads. Each thread has a current directory of its own (see
/// [`own_current_directory`]), and runs that want the same environment variables run side by
/// side (see [`EnvironmentInUse`]).
pub fn in_process(
    args: &[&str],
    dir: &Path,
    env: &[(&str, &str)],
    console: &benchgate::Console,
) -> u8 {
    let _env = EnvironmentInUse::acquire(env);
    own_current_directory();
    let _cwd = InDirectory::enter(dir);
    benchgate::run(
        std::iter::once("benchgate").chain(args.iter().copied()),
        console,
    )
}

/// Runs the benchgate binary as a child process (see [`benchgate_process_with_env`]).
pub fn benchgate_process(args: &[&str], dir: &Path) -> Output {
    benchgate_process_with_env(args, dir, &[])
}

/// Runs the real benchgate binary as a child process, with the same environment as
/// [`benchgate_with_env`] and standard input from /dev/null.
pub fn benchgate_process_with_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = benchgate_command(dir, env);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    spawn(&mut command)
        .wait_with_output()
        .expect("the benchgate binary runs")
}

/// The real benchgate binary, to run in `dir`, with `NO_COLOR` set, `GITHUB_STEP_SUMMARY`,
/// `BENCHGATE_DB` and `CARGO_TARGET_DIR` unset, and then `env`. Start it with [`spawn`].
pub fn benchgate_command(dir: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_benchgate"));
    command.current_dir(dir);
    for (name, value) in environment(env) {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command
}

/// Starts `command`, not while an in-process run has changed this process's environment
/// (which a child inherits).
pub fn spawn(command: &mut Command) -> Child {
    let _env = EnvironmentInUse::acquire(&[]);
    command.spawn().expect("the command starts")
}

/// The environment of a benchgate under test: `NO_COLOR` set, `GITHUB_STEP_SUMMARY`,
/// `BENCHGATE_DB` and `CARGO_TARGET_DIR` (where `exec` looks for criterion's results) unset,
/// then `env` (last, so a test can set what is removed).
fn environment(env: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
    let mut all: Vec<(String, Option<String>)> = vec![
        ("NO_COLOR".into(), Some("1".into())),
        ("GITHUB_STEP_SUMMARY".into(), None),
        ("BENCHGATE_DB".into(), None),
        ("CARGO_TARGET_DIR".into(), None),
    ];
    all.extend(env.iter().map(|&(k, v)| (k.to_owned(), Some(v.to_owned()))));
    all
}

/// The variables set beyond [`environment`]'s defaults, and how many in-process runs and child
/// starts rely on them.
struct Extra {
    vars: Vec<(String, String)>,
    /// What they were before: restored before other variables are set.
    saved: Vec<(String, Option<OsString>)>,
    users: usize,
}

static EXTRA: Mutex<Extra> = Mutex::new(Extra {
    vars: Vec::new(),
    saved: Vec::new(),
    users: 0,
});
static EXTRA_RELEASED: Condvar = Condvar::new();

/// The process's environment is [`environment`]`(env)` while this lives. The environment is
/// the process's: runs that want the same variables share it, one that wants others waits
/// until no run or child start relies on the current ones.
struct EnvironmentInUse;

impl EnvironmentInUse {
    fn acquire(env: &[(&str, &str)]) -> EnvironmentInUse {
        set_default_environment();
        let wanted: Vec<(String, String)> = env
            .iter()
            .map(|&(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        // A test that panicked holding the lock left `Extra` consistent: it is only changed
        // whole, below.
        let mut extra = EXTRA.lock().unwrap_or_else(PoisonError::into_inner);
        while extra.vars != wanted && extra.users > 0 {
            extra = EXTRA_RELEASED
                .wait(extra)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if extra.vars != wanted {
            // In reverse, so a variable set twice gets its first value back.
            for (name, value) in std::mem::take(&mut extra.saved).into_iter().rev() {
                set_env(&name, value);
            }
            for (name, value) in &wanted {
                extra.saved.push((name.clone(), std::env::var_os(name)));
                set_env(name, Some(OsString::from(value)));
            }
            extra.vars = wanted;
        }
        extra.users += 1;
        EnvironmentInUse
    }
}

impl Drop for EnvironmentInUse {
    fn drop(&mut self) {
        let mut extra = EXTRA.lock().unwrap_or_else(PoisonError::into_inner);
        extra.users -= 1;
        if extra.users == 0 {
            EXTRA_RELEASED.notify_all();
        }
    }
}

/// Sets the environment every benchgate under test gets ([`environment`] with nothing extra),
/// once for the whole test binary.
fn set_default_environment() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        for (name, value) in environment(&[]) {
            set_env(&name, value.map(OsString::from));
        }
    });
}

/// Gives this thread a current directory of its own (Linux's `unshare(CLONE_FS)`; the threads
/// and processes it starts inherit it), so a test's `set_current_dir` moves no other test.
/// libtest runs each test on a new thread.
fn own_current_directory() {
    thread_local! {
        static OWN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if !OWN.get() {
        // SAFETY: unshare takes a flag by value; CLONE_FS only detaches this thread's root,
        // current directory and umask from the other threads'.
        let unshared = unsafe { libc::unshare(libc::CLONE_FS) };
        assert_eq!(
            unshared,
            0,
            "unshare(CLONE_FS): {}",
            std::io::Error::last_os_error()
        );
        OWN.set(true);
    }
}

/// This thread's current directory while an in-process run is in `dir`, restored when dropped.
struct InDirectory {
    cwd: PathBuf,
}

impl InDirectory {
    /// Enters `dir`. The caller has [`own_current_directory`].
    fn enter(dir: &Path) -> InDirectory {
        let cwd = std::env::current_dir().expect("the current directory");
        std::env::set_current_dir(dir).expect("the test's directory");
        InDirectory { cwd }
    }
}

impl Drop for InDirectory {
    fn drop(&mut self) {
        let _ = std::env::set_current_dir(&self.cwd);
    }
}

fn set_env(name: &str, value: Option<OsString>) {
    // SAFETY: a test thread changes the environment once at the start (set_default_environment,
    // which every other helper waits for) or holding EXTRA while no in-process run or child
    // start relies on it; std's own readers (env::var, Command) take std's lock, and the tests
    // call no C code that reads the environment meanwhile.
    unsafe {
        match value {
            Some(value) => std::env::set_var(name, value),
            None => std::env::remove_var(name),
        }
    }
}

/// A writer whose bytes a test reads after the run (its clones share them).
#[derive(Clone, Default)]
pub struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    pub fn contents(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.contents()).into_owned()
    }
}

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Benchmarks `command` as `name` with `runs` runs (one warm-up) into `file`.
pub fn record(dir: &std::path::Path, file: &str, name: &str, command: &str, runs: u32) {
    record_with_env(dir, file, name, command, runs, &[]);
}

/// [`record`] on fixed samples of `wall_ms` ± 3 % (seeded by `seed`, see [`fixed_samples_line`])
/// instead of the real runs' timings: a verdict between two such files does not depend on how
/// busy the machine was.
pub fn record_fixed(
    dir: &Path,
    file: &str,
    name: &str,
    command: &str,
    runs: u32,
    wall_ms: f64,
    seed: u64,
) {
    let path = dir.join(format!("{file}.samples"));
    let line = fixed_samples_line(command, wall_ms, 0.03, seed, runs as usize + 1);
    std::fs::write(&path, line).unwrap();
    let path = path.to_str().unwrap();
    record_with_env(
        dir,
        file,
        name,
        command,
        runs,
        &[("BENCHGATE_TEST_FIXED_SAMPLES", path)],
    );
}

fn record_with_env(
    dir: &Path,
    file: &str,
    name: &str,
    command: &str,
    runs: u32,
    env: &[(&str, &str)],
) {
    let runs = runs.to_string();
    let out = benchgate_with_env(
        &[
            "run",
            "-q",
            "--runs",
            &runs,
            "--warmup",
            "1",
            "--name",
            name,
            "--export-json",
            file,
            "--",
            command,
        ],
        dir,
        env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn schema(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/schema")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Asserts that `document` validates against the named schema under docs/schema.
pub fn assert_valid(schema_name: &str, document: &serde_json::Value) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema(schema_name))
        .expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema_name}: {errors:#?}");
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The runs the store in `dir` holds, newest first, as `runs list --json` prints them.
pub fn stored_runs(dir: &Path) -> Vec<serde_json::Value> {
    let out = benchgate(&["--json", "runs", "list"], dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The names of a run document's benchmarks, in order.
pub fn benchmark_names(run: &serde_json::Value) -> Vec<&str> {
    run["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect()
}

/// Made-up measurements for `command`'s runs, so a verdict on real processes does not depend on
/// how busy the machine is: `n` samples of `wall_ms` milliseconds ± `spread` (a fraction), drawn
/// from a generator seeded with `seed` (user time half the wall time, system time a tenth, peak
/// RSS 4 MiB ± the same spread). One line of the file `BENCHGATE_TEST_FIXED_SAMPLES` reads.
pub fn fixed_samples_line(command: &str, wall_ms: f64, spread: f64, seed: u64, n: usize) -> String {
    let mut state = seed;
    let mut unit = move || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let samples: Vec<String> = (0..n)
        .map(|_| {
            let wall = wall_ms * 1e6 * (1.0 + spread * (2.0 * unit() - 1.0));
            let rss = 4.0 * 1024.0 * 1024.0 * (1.0 + spread * (2.0 * unit() - 1.0));
            format!(
                "{}:{}:{}:{}",
                wall as u64,
                (wall / 2.0) as u64,
                (wall / 10.0) as u64,
                rss as u64
            )
        })
        .collect();
    format!("{command}\t{}\n", samples.join(" "))
}

/// Writes `lines` (of [`fixed_samples_line`]) to `dir/fixed-samples` and returns the environment
/// that makes benchgate, run in `dir`, use them. The path is relative: the same value in every
/// test, so their in-process runs share the environment and go side by side.
pub fn fixed_samples_env(dir: &Path, lines: &[String]) -> [(&'static str, String); 1] {
    std::fs::write(dir.join("fixed-samples"), lines.concat()).unwrap();
    [("BENCHGATE_TEST_FIXED_SAMPLES", "fixed-samples".to_owned())]
}

/// The benchmark `name` of a run document.
pub fn benchmark<'r>(run: &'r serde_json::Value, name: &str) -> &'r serde_json::Value {
    run["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("no benchmark {name} in {run:#}"))
}

/// The metric `measure` of a benchmark document.
pub fn metric<'b>(bench: &'b serde_json::Value, measure: &str) -> &'b serde_json::Value {
    bench["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == measure)
        .unwrap_or_else(|| panic!("no {measure} in {bench:#}"))
}

/// A metric document's samples.
pub fn samples(metric: &serde_json::Value) -> Vec<f64> {
    metric["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// Writes `text` to `dir/name`.
pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}
