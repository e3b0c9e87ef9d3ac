//! The bench binary's command line, shaped like libtest's so `cargo bench -- FILTER` and the
//! flags cargo passes keep working: `FILTER…` (substring, or whole name with `--exact`),
//! `--skip FILTER`, `--list`, `--bench` (cargo's; without it, as under `cargo test`, every
//! benchmark runs once as a smoke test). Our own: `--quick`, `--format table|json`,
//! `--sample-count N`, `--warm-up-time SECS`, `--measurement-time SECS`, `--output-dir DIR`,
//! `--no-save`. libtest flags that mean nothing to a benchmark (`--nocapture`, `--test-threads`,
//! `--color`, …) are accepted and ignored.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A readable table (libtest's `pretty` and `terse` map here).
    #[default]
    Table,
    /// The canonical run JSON (`benchgate/run/v1`) on stdout instead of the file.
    Json,
}

/// Parsed flags. `Default` is what a bare `cargo bench` passes (`--bench`).
#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    pub filters: Vec<String>,
    pub skip: Vec<String>,
    pub exact: bool,
    pub list: bool,
    /// Measure (cargo bench passes `--bench`); otherwise each benchmark runs once.
    pub bench: bool,
    pub quick: bool,
    pub format: Format,
    pub sample_count: Option<usize>,
    pub warm_up_time: Option<Duration>,
    pub measurement_time: Option<Duration>,
    /// Where the JSON file goes (default `<target>/benchgate`).
    pub output_dir: Option<PathBuf>,
    /// Write no JSON file.
    pub no_save: bool,
    pub help: bool,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            filters: Vec::new(),
            skip: Vec::new(),
            exact: false,
            list: false,
            bench: true,
            quick: false,
            format: Format::Table,
            sample_count: None,
            warm_up_time: None,
            measurement_time: None,
            output_dir: None,
            no_save: false,
            help: false,
        }
    }
}

/// A flag that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgsError(pub String);

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArgsError {}

/// libtest flags without a value that we accept and ignore.
const IGNORED_SWITCHES: [&str; 9] = [
    "nocapture",
    "show-output",
    "ignored",
    "include-ignored",
    "force-run-in-process",
    "quiet",
    "report-time",
    "ensure-time",
    "test",
];
/// libtest flags with a value that we accept and ignore.
const IGNORED_OPTIONS: [&str; 4] = ["color", "test-threads", "logfile", "shuffle-seed"];

pub const USAGE: &str = "\
usage: BENCH [OPTIONS] [FILTER...]

  FILTER                   run benchmarks whose name contains FILTER (any of them)
  --exact                  filters match whole names
  --skip FILTER            leave out benchmarks whose name contains FILTER
  --list                   list the benchmarks and exit
  --bench                  measure (cargo bench passes it; without it each benchmark runs once)
  --quick                  short warm-up and measurement, fewer samples
  --format table|json      the table (default) or the run's JSON on stdout
  --sample-count N         samples per benchmark (default 100)
  --warm-up-time SECS      warm-up per benchmark (default 0.5)
  --measurement-time SECS  measurement per benchmark (default 2)
  --output-dir DIR         where <bench>.json goes (default target/benchgate)
  --no-save                write no JSON file
";

impl Args {
    /// Reads the process's arguments (the first is the program).
    pub fn from_env() -> Result<Args, ArgsError> {
        Args::parse(std::env::args_os().skip(1))
    }

    /// Parses flags (without the program name). Unlike a bare `Default`, a parse without
    /// `--bench` is a smoke run, as libtest's `cargo test` of a bench target is.
    pub fn parse<I, S>(args: I) -> Result<Args, ArgsError>
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        use lexopt::prelude::*;
        let mut out = Args {
            bench: false,
            ..Args::default()
        };
        let mut parser = lexopt::Parser::from_args(args);
        let err = |e: lexopt::Error| ArgsError(e.to_string());
        while let Some(arg) = parser.next().map_err(err)? {
            match arg {
                Value(v) => out.filters.push(string(v)?),
                Long("exact") => out.exact = true,
                Long("skip") => out.skip.push(string(parser.value().map_err(err)?)?),
                Long("list") => out.list = true,
                Long("bench") => out.bench = true,
                Long("quick") => out.quick = true,
                Long("no-save") => out.no_save = true,
                Short('h') | Long("help") => out.help = true,
                Short('q') => {}
                Long("format") => {
                    let v = string(parser.value().map_err(err)?)?;
                    out.format = match v.as_str() {
                        "table" | "pretty" | "terse" => Format::Table,
                        "json" => Format::Json,
                        other => {
                            return Err(ArgsError(format!(
                                "--format {other:?}: expected table or json"
                            )));
                        }
                    }
                }
                Long("sample-count") => {
                    let v = string(parser.value().map_err(err)?)?;
                    match v.parse::<usize>() {
                        Ok(n) if n >= 2 => out.sample_count = Some(n),
                        _ => {
                            return Err(ArgsError(format!(
                                "--sample-count {v:?}: expected a whole number of at least 2"
                            )));
                        }
                    }
                }
                Long("warm-up-time") => {
                    out.warm_up_time =
                        Some(seconds("--warm-up-time", parser.value().map_err(err)?)?)
                }
                Long("measurement-time") => {
                    let d = seconds("--measurement-time", parser.value().map_err(err)?)?;
                    if d.is_zero() {
                        return Err(ArgsError("--measurement-time must be above 0".into()));
                    }
                    out.measurement_time = Some(d)
                }
                Long("output-dir") => {
                    out.output_dir = Some(PathBuf::from(parser.value().map_err(err)?))
                }
                Short('Z') => {
                    parser.value().map_err(err)?;
                }
                Long(flag) if IGNORED_SWITCHES.contains(&flag) => {}
                Long(flag) if IGNORED_OPTIONS.contains(&flag) => {
                    parser.value().map_err(err)?;
                }
                other => return Err(ArgsError(other.unexpected().to_string())),
            }
        }
        Ok(out)
    }

    /// Whether `name` is selected by the filters, `--exact` and `--skip`.
    pub fn selects(&self, name: &str) -> bool {
        let matches = |f: &String| {
            if self.exact {
                name == f
            } else {
                name.contains(f.as_str())
            }
        };
        (self.filters.is_empty() || self.filters.iter().any(matches))
            && !self.skip.iter().any(|s| name.contains(s.as_str()))
    }
}

fn string(v: OsString) -> Result<String, ArgsError> {
    v.into_string()
        .map_err(|v| ArgsError(format!("{v:?} is not valid UTF-8")))
}

fn seconds(flag: &str, v: OsString) -> Result<Duration, ArgsError> {
    let s = string(v)?;
    s.parse::<f64>()
        .ok()
        .and_then(|x| Duration::try_from_secs_f64(x).ok())
        .ok_or_else(|| ArgsError(format!("{flag} {s:?}: expected seconds, such as 0.5")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, ArgsError> {
        Args::parse(args.iter().copied())
    }

    #[test]
    fn cargo_bench_flags_and_filters() {
        let a = parse(&["--bench", "parse", "--exact", "--skip", "slow"]).unwrap();
        assert!(a.bench && a.exact);
        assert_eq!(a.filters, ["parse"]);
        assert_eq!(a.skip, ["slow"]);
        assert!(a.selects("parse"));
        assert!(!a.selects("parse/small"));
    }

    #[test]
    fn without_bench_it_is_a_smoke_run() {
        assert!(!parse(&[]).unwrap().bench);
        assert!(parse(&["--bench"]).unwrap().bench);
    }

    #[test]
    fn substring_filters_any_of_them_and_skip() {
        let a = parse(&["--bench", "small", "large", "--skip", "json"]).unwrap();
        assert!(a.selects("parse/small"));
        assert!(a.selects("sort/large"));
        assert!(!a.selects("parse/medium"));
        assert!(!a.selects("json/small"));
    }

    #[test]
    fn libtest_flags_are_tolerated() {
        let a = parse(&[
            "--bench",
            "--nocapture",
            "--test-threads",
            "1",
            "--color=never",
            "-q",
            "-Z",
            "unstable-options",
        ])
        .unwrap();
        assert_eq!(a.filters, Vec::<String>::new());
    }

    #[test]
    fn our_options() {
        let a = parse(&[
            "--format=json",
            "--sample-count",
            "30",
            "--warm-up-time",
            "0.25",
            "--measurement-time",
            "1",
            "--output-dir",
            "out",
            "--quick",
            "--no-save",
        ])
        .unwrap();
        assert_eq!(a.format, Format::Json);
        assert_eq!(a.sample_count, Some(30));
        assert_eq!(a.warm_up_time, Some(Duration::from_millis(250)));
        assert_eq!(a.measurement_time, Some(Duration::from_secs(1)));
        assert_eq!(a.output_dir, Some(PathBuf::from("out")));
        assert!(a.quick && a.no_save);
    }

    #[test]
    fn bad_flags_say_what_was_expected() {
        assert_eq!(
            parse(&["--format", "xml"]).unwrap_err().0,
            "--format \"xml\": expected table or json"
        );
        assert_eq!(
            parse(&["--sample-count", "1"]).unwrap_err().0,
            "--sample-count \"1\": expected a whole number of at least 2"
        );
        assert_eq!(
            parse(&["--warm-up-time", "soon"]).unwrap_err().0,
            "--warm-up-time \"soon\": expected seconds, such as 0.5"
        );
        assert_eq!(
            parse(&["--frobnicate"]).unwrap_err().0,
            "invalid option '--frobnicate'"
        );
        assert!(parse(&["--measurement-time", "0"]).is_err());
    }
}
