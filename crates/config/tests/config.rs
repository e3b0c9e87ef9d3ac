//! `benchgate.toml` parsed into exact values, and every kind of bad input rejected with one line
//! naming file:line:column and the key.

use std::path::{Path, PathBuf};
use std::time::Duration;

use benchgate_config::{
    Budget, BuildConfig, Config, ConfigError, ConfirmMode, Requirements, RunnerSettings,
};
use benchgate_measure::{
    AuxCommands, Better, CommandTemplate, Expected, MetricDefinition, MetricUnit, OutputCheck,
    OutputSpec, Parameter, Selector,
};
use benchgate_model::{Measure, Mode, Thresholds};

const EXAMPLE: &str = r#"# benchgate configuration
[defaults]
warmup = 3
min_runs = 10
max_runs = 200
max_time = "20s"
precision = "1%"
timeout = "1.5m"
shell = "bash -e"

[gate]
alpha = 0.01
warn = "5%"
fail = "10%"
min_delta = "20us"
measures = ["wall_time", "max_rss"]
baseline = "main"

[[bench]]
name = "helios/commit"
command = "${HELIOS_CLI_PATH} commit --json"
prepare = "rm -rf $$TMPDIR/helios"
requires = { env = ["HELIOS_CLI_PATH"], commands = ["git"], files = ["${HOME}/.helios"] }
mode = "real"

[[bench]]
name = "sort"
command = "sort-bench --threads {threads} --size {size}"
setup = "make sort-bench"
cleanup = "make clean"
conclude = "sync"
input = "data/input.txt"
runs = 20
warmup = 0
timeout = "500ms"
shell = "sh"
mode = "simulated"
params = { threads = [1, 2, 4], size = { min = 10, max = 30, step = 10 } }

[[budget]]
bench = "helios/*"    # glob
measure = "wall_time"
max = "50ms"

[[budget]]
bench = "api/*"
measure = "latency_p99"
max = "250ms"

[[budget]]
measure = "error_rate"
max = "0.1%"

[[budget]]
bench = "api/*"
measure = "throughput"
target = "10k/s"      # warn below the target
min = "5000/s"        # fail below the minimum
fail = "20%"

[[budget]]
measure = "max_rss"
max = "64MiB"

[[budget]]
measure = "allocs"
max = 12
warn = "2.5%"
"#;

fn env(name: &str) -> Option<String> {
    match name {
        "HELIOS_CLI_PATH" => Some("/opt/helios/bin/helios".into()),
        "HOME" => Some("/home/ci".into()),
        _ => None,
    }
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse_with_env(text, "benchgate.toml", &env)
}

fn error(text: &str) -> String {
    match parse(text) {
        Ok(config) => panic!("expected an error, got {config:#?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn full_example() {
    let config = parse(EXAMPLE).unwrap();
    assert_eq!(
        config.defaults,
        RunnerSettings {
            warmup: Some(3),
            runs: None,
            min_runs: Some(10),
            max_runs: Some(200),
            max_time: Some(Duration::from_secs(20)),
            precision: Some(0.01),
            timeout: Some(Duration::from_secs(90)),
            shell: Some("bash -e".into()),
            measure: None,
        }
    );
    assert_eq!(config.gate.alpha, Some(0.01));
    assert_eq!(config.gate.warn, Some(0.05));
    assert_eq!(config.gate.fail, Some(0.10));
    assert_eq!(config.gate.min_delta_ns, Some(20_000.0));
    assert_eq!(
        config.gate.measures,
        Some(vec![Measure::WallTime, Measure::MaxRss])
    );
    assert_eq!(config.gate.baseline.as_deref(), Some("main"));
    assert_eq!(
        config.thresholds(),
        Thresholds {
            warn: 0.05,
            fail: 0.10,
            alpha: 0.01,
            min_delta_ns: 20_000.0,
            confidence: 0.95,
        }
    );

    assert_eq!(config.benches.len(), 2);
    let helios = &config.benches[0];
    assert_eq!(helios.name, "helios/commit");
    assert_eq!(helios.command, "/opt/helios/bin/helios commit --json");
    assert_eq!(helios.prepare.as_deref(), Some("rm -rf $TMPDIR/helios"));
    assert_eq!(helios.mode, Mode::Real);
    assert_eq!(
        helios.requires,
        Requirements {
            env: vec!["HELIOS_CLI_PATH".into()],
            commands: vec!["git".into()],
            files: vec![PathBuf::from("/home/ci/.helios")],
            ..Default::default()
        }
    );
    assert_eq!(helios.skip, None);
    assert!(helios.params.is_empty());
    // Inherits every default.
    let options = helios.runner_options(&config.defaults);
    assert_eq!(options.warmup, 3);
    assert_eq!(options.runs, None);
    assert_eq!(options.min_runs, 10);
    assert_eq!(options.max_runs, Some(200));
    assert_eq!(options.max_time, Duration::from_secs(20));
    assert_eq!(options.precision, 0.01);
    assert_eq!(options.timeout, Some(Duration::from_secs(90)));
    assert_eq!(options.stdin, None);
    assert_eq!(helios.shell(&config.defaults), Some("bash -e"));

    let sort = &config.benches[1];
    assert_eq!(sort.mode, Mode::Simulated);
    assert_eq!(
        sort.template(),
        CommandTemplate {
            name: Some("sort".into()),
            tokens: vec!["sort-bench --threads {threads} --size {size}".into()],
        }
    );
    assert_eq!(
        sort.aux(),
        AuxCommands {
            prepare: None,
            conclude: Some("sync".into()),
            setup: Some("make sort-bench".into()),
            cleanup: Some("make clean".into()),
        }
    );
    assert_eq!(
        sort.params,
        vec![
            Parameter {
                name: "threads".into(),
                values: vec!["1".into(), "2".into(), "4".into()],
            },
            Parameter {
                name: "size".into(),
                values: vec!["10".into(), "20".into(), "30".into()],
            },
        ]
    );
    let options = sort.runner_options(&config.defaults);
    assert_eq!(options.warmup, 0);
    assert_eq!(options.runs, Some(20));
    assert_eq!(options.timeout, Some(Duration::from_millis(500)));
    assert_eq!(options.stdin, Some(PathBuf::from("data/input.txt")));
    assert_eq!(sort.shell(&config.defaults), Some("sh"));

    assert_eq!(
        config.budgets,
        vec![
            Budget {
                bench: Some("helios/*".into()),
                max: Some(50e6),
                ..Budget::new(Measure::WallTime)
            },
            Budget {
                bench: Some("api/*".into()),
                max: Some(250e6),
                ..Budget::new(Measure::LatencyP99)
            },
            Budget {
                max: Some(0.001),
                ..Budget::new(Measure::ErrorRate)
            },
            Budget {
                bench: Some("api/*".into()),
                target: Some(10_000.0),
                min: Some(5_000.0),
                fail: Some(0.2),
                ..Budget::new(Measure::Throughput)
            },
            Budget {
                max: Some(67_108_864.0),
                ..Budget::new(Measure::MaxRss)
            },
            Budget {
                max: Some(12.0),
                warn: Some(0.025),
                ..Budget::new(Measure::Allocs)
            },
        ]
    );
    assert_eq!(config.budgets[0].label(), "wall_time ≤ 50ms on helios/*");
}

#[test]
fn empty_file_is_all_defaults() {
    let config = parse("").unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.thresholds(), Thresholds::default());
}

#[test]
fn sizes_and_rates() {
    let config = parse(
        r#"
[[budget]]
measure = "alloc_bytes"
max = "1GB"
min = "512B"
target = "1KiB"
[[budget]]
measure = "throughput"
min = "2.5M/s"
target = 3000000
[[budget]]
measure = "max_rss"
max = 1048576
[[budget]]
measure = "backend_calls"
max = "12"
"#,
    )
    .unwrap();
    let b = &config.budgets;
    assert_eq!(
        (b[0].max, b[0].min, b[0].target),
        (Some(1e9), Some(512.0), Some(1024.0))
    );
    assert_eq!((b[1].min, b[1].target), (Some(2.5e6), Some(3e6)));
    assert_eq!(b[2].max, Some(1_048_576.0));
    assert_eq!(b[3].measure, Measure::Custom("backend_calls".into()));
    assert_eq!(b[3].max, Some(12.0));
}

#[test]
fn unknown_keys() {
    assert_eq!(
        error(
            "[[bench]]\nname = \"a\"\ncommand = \"x\"\n\n[[bench]]\nname = \"b\"\ncomand = \"y\"\n"
        ),
        "benchgate.toml:7:1: [[bench]] #2 `comand`: unknown key (expected one of name, command, http, prepare, conclude, setup, cleanup, input, mode, requires, params, metrics, check, output_file, concurrency, rate, arrivals, seed, ramp, burst, max_in_flight, duration, operations, window, memory, watch, warmup, runs, min_runs, max_runs, max_time, precision, timeout, shell, measure)"
    );
    assert_eq!(
        error("[defaults]\nwarmup = 3\nmax_tme = \"2s\"\n"),
        "benchgate.toml:3:1: [defaults] `max_tme`: unknown key (expected one of warmup, runs, min_runs, max_runs, max_time, precision, timeout, shell, measure)"
    );
    assert_eq!(
        error("[gates]\nalpha = 0.1\n"),
        "benchgate.toml:1:2: `gates`: unknown key (expected one of defaults, gate, bench, budget, check, env, build, budget_files)"
    );
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"x\"\nrequires = { envs = [\"X\"] }\n"),
        "benchgate.toml:4:14: [[bench]] #1 `requires.envs`: unknown key (expected one of env, commands, files)"
    );
    assert_eq!(
        error("[[budget]]\nmeasure = \"wall_time\"\nmax = \"5ms\"\nmaximum = \"6ms\"\n"),
        "benchgate.toml:4:1: [[budget]] #1 `maximum`: unknown key (expected one of bench, measure, max, min, target, warn, fail)"
    );
}

#[test]
fn malformed_toml() {
    assert_eq!(
        error("[defaults\nwarmup = 3\n"),
        "benchgate.toml:1:10: invalid TOML: unclosed table, expected `]`"
    );
    assert_eq!(
        error("[defaults]\nwarmup = 3\nwarmup = 4\n"),
        "benchgate.toml:3:1: invalid TOML: duplicate key"
    );
}

#[test]
fn missing_and_wrong_types() {
    assert_eq!(
        error("[[bench]]\nname = \"a\"\n"),
        "benchgate.toml:1:1: [[bench]] #1: missing required key `command`"
    );
    assert_eq!(
        error("[[budget]]\nmax = \"5ms\"\n"),
        "benchgate.toml:1:1: [[budget]] #1: missing required key `measure`"
    );
    assert_eq!(
        error("[[budget]]\nmeasure = \"wall_time\"\n"),
        "benchgate.toml:1:1: [[budget]] #1: no bound (set at least one of max, min, target, warn, fail)"
    );
    assert_eq!(
        error("[defaults]\nwarmup = \"3\"\n"),
        "benchgate.toml:2:10: [defaults] `warmup`: expected an integer, found string"
    );
    assert_eq!(
        error("[defaults]\nruns = 0\n"),
        "benchgate.toml:2:8: [defaults] `runs`: must be at least 1, got 0"
    );
    assert_eq!(
        error("[bench]\nname = \"a\"\n"),
        "benchgate.toml:1:1: `bench`: expected an array of tables [[bench]], found table"
    );
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"x\"\nmode = \"mock\"\n"),
        "benchgate.toml:4:8: [[bench]] #1 `mode`: unknown mode \"mock\" (expected \"real\" or \"simulated\")"
    );
    assert_eq!(
        error(
            "[[bench]]\nname = \"a\"\ncommand = \"x\"\n[[bench]]\nname = \"a\"\ncommand = \"y\"\n"
        ),
        "benchgate.toml:5:8: [[bench]] #2 `name`: duplicate bench name \"a\""
    );
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"  \"\n"),
        "benchgate.toml:3:11: [[bench]] #1 `command`: must not be empty"
    );
    assert_eq!(
        error("[defaults]\nmin_runs = 20\nmax_runs = 10\n"),
        "benchgate.toml:2:12: [defaults] `min_runs`: min_runs (20) is greater than max_runs (10)"
    );
}

#[test]
fn bad_units() {
    assert_eq!(
        error("[[budget]]\nmeasure = \"max_rss\"\nmax = \"50ms\"\n"),
        "benchgate.toml:3:7: [[budget]] #1 `max`: \"50ms\" is a duration, but max_rss is measured as bytes (expected a size such as \"512B\", \"64MiB\" or \"1GB\")"
    );
    assert_eq!(
        error("[[budget]]\nmeasure = \"wall_time\"\nmax = 50\n"),
        "benchgate.toml:3:7: [[budget]] #1 `max`: expected a duration such as \"500ms\", \"20s\" or \"20us\", found 50, a plain number without a unit"
    );
    assert_eq!(
        error("[[budget]]\nmeasure = \"error_rate\"\nmax = \"0.001\"\n"),
        "benchgate.toml:3:7: [[budget]] #1 `max`: \"0.001\" is a plain number, but error_rate is measured as a percentage (expected a percentage such as \"5%\")"
    );
    assert_eq!(
        error("[[budget]]\nmeasure = \"wall_time\"\nmax = \"-5ms\"\n"),
        "benchgate.toml:3:7: [[budget]] #1 `max`: \"-5ms\" is negative"
    );
    assert_eq!(
        error("[[budget]]\nmeasure = \"wall_time\"\nmax = \"0ms\"\n"),
        "benchgate.toml:3:7: [[budget]] #1 `max`: must be greater than zero (headroom is measured relative to it)"
    );
    assert_eq!(
        error("[[budget]]\nmeasure = \"allocs\"\nmax = nan\n"),
        "benchgate.toml:3:7: [[budget]] #1 `max`: nan is not a finite number"
    );
    assert_eq!(
        error("[defaults]\nmax_time = \"0s\"\n"),
        "benchgate.toml:2:12: [defaults] `max_time`: must be longer than zero"
    );
    assert_eq!(
        error("[defaults]\ntimeout = \"5 fortnights\"\n"),
        "benchgate.toml:2:11: [defaults] `timeout`: \"5 fortnights\" has an unknown unit `fortnights` (durations: ns, us, ms, s, m, h; sizes: B, kB, MB, GB, KiB, MiB, GiB; rates: /s, k/s, M/s; percentages: %)"
    );
    assert_eq!(
        error("[gate]\nwarn = 0.05\n"),
        "benchgate.toml:2:8: [gate] `warn`: expected a percentage such as \"5%\", found 0.05, a plain number without a unit"
    );
    assert_eq!(
        error("[gate]\nwarn = \"20%\"\nfail = \"10%\"\n"),
        "benchgate.toml:2:8: [gate] `warn`: must not be greater than `fail`"
    );
    assert_eq!(
        error("[gate]\nalpha = 1.5\n"),
        "benchgate.toml:2:9: [gate] `alpha`: must be between 0 and 1 (exclusive)"
    );
    assert_eq!(
        error("[[budget]]\nmeasure = \"throughput\"\nmin = \"9k/s\"\nmax = \"5k/s\"\n"),
        "benchgate.toml:3:7: [[budget]] #1 `min`: must not be greater than `max`"
    );
}

#[test]
fn params_errors() {
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"x\"\nparams = { n = [] }\n"),
        "benchgate.toml:4:16: [[bench]] #1 `params.n`: no values"
    );
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"x\"\nparams = { n = { min = 5, max = 1 } }\n"),
        "benchgate.toml:4:16: [[bench]] #1 `params.n`: minimum 5 is greater than maximum 1"
    );
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"x\"\nparams = { n = { min = 1, top = 4 } }\n"),
        "benchgate.toml:4:27: [[bench]] #1 `params.n.top`: unknown key (expected one of min, max, step)"
    );
    let config = parse(
        "[[bench]]\nname = \"a\"\ncommand = \"x\"\nparams = { r = { min = 0, max = 0.3, step = 0.1 }, mode = [\"fast\", true, 1.5] }\n",
    )
    .unwrap();
    assert_eq!(
        config.benches[0].params,
        vec![
            Parameter {
                name: "r".into(),
                values: vec!["0.0".into(), "0.1".into(), "0.2".into(), "0.3".into()],
            },
            Parameter {
                name: "mode".into(),
                values: vec!["fast".into(), "true".into(), "1.5".into()],
            },
        ]
    );
}

/// Too many combinations are refused when the file loads, at the `params` table, before anything
/// multiplies out (two scans of 100 000 once took 9 GB).
#[test]
fn too_many_parameter_combinations_are_refused_with_their_line() {
    assert_eq!(
        error(
            "[[bench]]\nname = \"a\"\ncommand = \"x {i} {j}\"\n\
             params = { i = { min = 1, max = 100000 }, j = { min = 1, max = 100000 } }\n"
        ),
        "benchgate.toml:4:10: [[bench]] #1 `params`: the parameters' values multiply out to \
         10000000000 benchmarks; the limit is 100000 (use fewer values)"
    );
    // Within the limit per bench, but not in all.
    assert_eq!(
        error(
            "[[bench]]\nname = \"a\"\ncommand = \"x {i}\"\nparams = { i = { min = 1, max = 60000 } }\n\
             [[bench]]\nname = \"b\"\ncommand = \"x {i}\"\nparams = { i = { min = 1, max = 60000 } }\n"
        ),
        "benchgate.toml:8:10: [[bench]] #2 `params`: the benches expand to more than 100000 \
         benchmarks in all"
    );
}

/// A benchmark name given twice by expansion is found when the file loads, with both places,
/// not after the whole suite ran.
#[test]
fn duplicate_expanded_names_are_refused_with_their_lines() {
    assert_eq!(
        error(
            "[[bench]]\nname = \"a\"\ncommand = \"x {x}\"\nparams = { x = [1, 2] }\n\n\
             [[bench]]\nname = \"a/x=1\"\ncommand = \"true\"\n"
        ),
        "benchgate.toml:7:8: [[bench]] #2 `name`: expands to \"a/x=1\", which [[bench]] #1 \
         (line 4) already names"
    );
    assert_eq!(
        error(
            "[[bench]]\nname = \"a/x=2\"\ncommand = \"true\"\n\n\
             [[bench]]\nname = \"a\"\ncommand = \"x {x}\"\nparams = { x = [1, 2] }\n"
        ),
        "benchgate.toml:8:10: [[bench]] #2 `params`: expands to \"a/x=2\", which [[bench]] #1 \
         (line 2) already names"
    );
    // `1` and `"1"` are one value.
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"x {x}\"\nparams = { x = [1, \"1\"] }\n"),
        "benchgate.toml:4:10: [[bench]] #1 `params`: expands to \"a/x=1\" twice (a value is \
         repeated)"
    );
}

#[test]
fn env_expansion() {
    let config = parse(
        "[[bench]]\nname = \"a\"\ncommand = \"${HELIOS_CLI_PATH}/x $HOME $$ $${HOME} ${HOME}\"\n",
    )
    .unwrap();
    assert_eq!(
        config.benches[0].command,
        "/opt/helios/bin/helios/x $HOME $ ${HOME} /home/ci"
    );
    // Unset and not required: an error pointing at the `${`.
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"run ${NOPE} now\"\n"),
        "benchgate.toml:3:16: [[bench]] #1 `command`: environment variable NOPE is not set (list it in `requires.env` to skip the bench instead)"
    );
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"run ${NOPE\"\n"),
        "benchgate.toml:3:16: [[bench]] #1 `command`: unterminated `${` (write `$$` for a literal `$`)"
    );
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"run ${1X}\"\n"),
        "benchgate.toml:3:16: [[bench]] #1 `command`: invalid variable name `${1X}`"
    );
    assert_eq!(
        error("[defaults]\nshell = \"${SHELL_PATH}\"\n"),
        "benchgate.toml:2:10: [defaults] `shell`: environment variable SHELL_PATH is not set (list it in `requires.env` to skip the bench instead)"
    );
}

#[test]
fn unset_required_variable_skips_the_bench() {
    let text = r#"
[[bench]]
name = "firecracker/boot"
command = "${FC_BIN} --config ${FC_CONFIG}"
prepare = "${FC_BIN} --version"
requires = { env = ["FC_BIN", "FC_CONFIG"] }
[[bench]]
name = "other"
command = "true"
"#;
    let config = Config::parse_with_env(text, "benchgate.toml", &|_| None).unwrap();
    let fc = &config.benches[0];
    assert_eq!(fc.command, "${FC_BIN} --config ${FC_CONFIG}");
    assert_eq!(
        fc.skip.as_deref(),
        Some("requires: environment variables FC_BIN, FC_CONFIG are not set")
    );
    assert_eq!(fc.skip_reason(), fc.skip);
    assert_eq!(config.benches[1].skip, None);
}

#[test]
fn requirements_with_injected_lookups() {
    let requires = Requirements {
        env: vec!["SET".into(), "EMPTY".into(), "UNSET".into()],
        commands: vec!["git".into(), "firecracker".into()],
        files: vec![PathBuf::from("/present"), PathBuf::from("/absent")],
        ..Default::default()
    };
    let env = |name: &str| match name {
        "SET" => Some("1".to_string()),
        "EMPTY" => Some(String::new()),
        _ => None,
    };
    let reason = requires.check_with(&env, &|c| c == "git", &|f: &Path| {
        f == Path::new("/present")
    });
    assert_eq!(
        reason.as_deref(),
        Some(
            "requires: environment variables EMPTY, UNSET are not set; command `firecracker` not found on PATH; file /absent does not exist"
        )
    );
    let one = Requirements {
        env: vec!["UNSET".into()],
        ..Default::default()
    };
    assert_eq!(
        one.check_with(&env, &|_| true, &|_| true).as_deref(),
        Some("requires: environment variable UNSET is not set")
    );
    assert_eq!(Requirements::default().check(), None);
}

#[test]
fn requirements_on_the_real_system() {
    let dir = tempfile::tempdir().unwrap();
    let present = dir.path().join("present");
    std::fs::write(&present, "x").unwrap();
    let ok = Requirements {
        env: vec!["PATH".into()],
        commands: vec!["sh".into()],
        files: vec![present],
        ..Default::default()
    };
    assert_eq!(ok.check(), None);
    let missing = Requirements {
        commands: vec!["benchgate-no-such-command-xyz".into()],
        files: vec![dir.path().join("absent")],
        ..Default::default()
    };
    assert_eq!(
        missing.check(),
        Some(format!(
            "requires: command `benchgate-no-such-command-xyz` not found on PATH; file {} does not exist",
            dir.path().join("absent").display()
        ))
    );
}

#[test]
fn load_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("benchgate.toml");
    std::fs::write(&path, "[defaults]\nwarmup = -1\n").unwrap();
    assert_eq!(
        Config::load(&path).unwrap_err().to_string(),
        format!(
            "{}:2:10: [defaults] `warmup`: must be at least 0, got -1",
            path.display()
        )
    );
    std::fs::write(&path, EXAMPLE).unwrap();
    // ${HELIOS_CLI_PATH} is required by its bench, so the real environment never makes this fail.
    let config = Config::load(&path);
    assert!(config.is_ok() || config.unwrap_err().to_string().contains("HOME"));
    let err = Config::load(&dir.path().join("missing.toml")).unwrap_err();
    assert!(err.to_string().starts_with("cannot read "), "{err}");
}

#[test]
fn commands_are_kept_as_written_and_only_listed_variables_are_recorded() {
    let text = r#"
[env]
record = ["BUILD_MODE", "UNSET_MODE", "BUILD_MODE"]

[[bench]]
name = "tool/${BUILD_MODE}"
command = "tool --token ${SECRET} --mode ${BUILD_MODE} {n}"
params = { n = [1, 2] }
"#;
    let env = |name: &str| match name {
        "SECRET" => Some("hunter2".to_string()),
        "BUILD_MODE" => Some("release".to_string()),
        _ => None,
    };
    let config = Config::parse_with_env(text, "benchgate.toml", &env).unwrap();
    assert_eq!(config.env.record, ["BUILD_MODE", "UNSET_MODE"]);
    assert_eq!(
        config.env.tags().collect::<Vec<_>>(),
        [("env.BUILD_MODE".to_string(), "release".to_string())]
    );
    let bench = &config.benches[0];
    assert_eq!(bench.name, "tool/release");
    assert_eq!(bench.command, "tool --token hunter2 --mode release {n}");
    assert_eq!(
        bench.command_as_written,
        "tool --token ${SECRET} --mode ${BUILD_MODE} {n}"
    );
    // Executed expanded, shown (and so recorded) as written, parameters substituted.
    let specs = bench.specs(None).unwrap();
    assert_eq!(
        specs.iter().map(|s| s.display.as_str()).collect::<Vec<_>>(),
        [
            "tool --token ${SECRET} --mode ${BUILD_MODE} 1",
            "tool --token ${SECRET} --mode ${BUILD_MODE} 2"
        ]
    );
    assert_eq!(
        specs[0].command,
        benchgate_measure::Invocation::Direct {
            argv: ["tool", "--token", "hunter2", "--mode", "release", "1"]
                .map(String::from)
                .to_vec()
        }
    );

    // Errors and standard error show unrecorded values as their variable; recorded ones (and
    // values too short to hide anything) stay.
    assert_eq!(
        config.redact("token hunter2 in release mode"),
        "token ${SECRET} in release mode"
    );
    let error = |text: &str| {
        Config::parse_with_env(text, "benchgate.toml", &env)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        error("[[bench]]\nname = \"t/${SECRET}\"\ncommand = \"true\"\n"),
        "benchgate.toml:2:11: [[bench]] #1 `name`: SECRET would be recorded in every run under this name; list it in `[env] record` if its value may be stored"
    );
    assert_eq!(
        error("[env]\nrecord = [\"1X\"]\n"),
        "benchgate.toml:2:11: [env] `record`: invalid variable name \"1X\""
    );
    assert_eq!(
        error("[env]\nrecords = []\n"),
        "benchgate.toml:2:1: [env] `records`: unknown key (expected one of record)"
    );
}

/// An endless file is refused once past the limit, not read into memory without end.
#[test]
fn an_endless_file_is_refused() {
    assert_eq!(
        Config::load(Path::new("/dev/zero"))
            .unwrap_err()
            .to_string(),
        "/dev/zero: larger than 16777216 bytes; a configuration file is far smaller"
    );
}

/// `requires.env` can demand a value (`USE_REAL = "true"`), not only a non-empty one; a bench
/// whose variable has another value is skipped, and the reason does not repeat what it holds.
#[test]
fn required_environment_values() {
    let text = r#"
[[bench]]
name = "real"
command = "tool --real ${USE_REAL}"
requires = { env = { USE_REAL = "true" } }
"#;
    let config = Config::parse_with_env(text, "benchgate.toml", &|_| None).unwrap();
    let bench = &config.benches[0];
    assert_eq!(bench.requires.env, ["USE_REAL"]);
    assert_eq!(
        bench.requires.env_values,
        [("USE_REAL".to_string(), "true".to_string())].into()
    );
    // Unset: skipped like any required variable.
    assert_eq!(
        bench.skip.as_deref(),
        Some("requires: environment variable USE_REAL is not set")
    );
    let check = |value: Option<&str>| {
        bench
            .requires
            .check_with(&|_| value.map(str::to_string), &|_| true, &|_| true)
    };
    assert_eq!(
        check(Some("false")).as_deref(),
        Some("requires: environment variable USE_REAL is not \"true\"")
    );
    assert_eq!(check(Some("true")), None);
    assert_eq!(
        check(None).as_deref(),
        Some("requires: environment variable USE_REAL is not set")
    );
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"x\"\nrequires = { env = { USE_REAL = 1 } }\n"),
        "benchgate.toml:4:33: [[bench]] #1 `requires.env.USE_REAL`: expected a non-empty string (the \
         value the variable must have), found integer"
    );
    assert_eq!(
        error("[[bench]]\nname = \"a\"\ncommand = \"x\"\nrequires = { env = \"USE_REAL\" }\n"),
        "benchgate.toml:4:20: [[bench]] #1 `requires.env`: expected an array of variable names or a \
         table of names and values, found string"
    );
}

/// A custom measure takes its bounds in the unit they are written in, as a known measure would:
/// a duration (ns), a percentage (ratio), a size, a rate or a plain number; all of one kind.
#[test]
fn custom_measure_budgets_take_units() {
    let budget = |bounds: &str| {
        let text = format!("[[budget]]\nmeasure = \"commit_time\"\n{bounds}\n");
        let config = parse(&text).unwrap();
        let b = &config.budgets[0];
        (b.max, b.min, b.target)
    };
    assert_eq!(budget("max = \"100ms\""), (Some(1e8), None, None));
    assert_eq!(
        budget("max = \"100ms\"\ntarget = \"50ms\""),
        (Some(1e8), None, Some(5e7))
    );
    assert_eq!(
        budget("max = \"5%\"\nmin = \"1%\""),
        (Some(0.05), Some(0.01), None)
    );
    assert_eq!(
        budget("max = \"64MiB\""),
        (Some(64.0 * 1024.0 * 1024.0), None, None)
    );
    assert_eq!(budget("min = \"10/s\""), (None, Some(10.0), None));
    assert_eq!(budget("max = 12"), (Some(12.0), None, None));
    assert_eq!(
        error("[[budget]]\nmeasure = \"commit_time\"\nmax = \"100ms\"\nmin = \"5%\"\n"),
        "benchgate.toml:4:7: [[budget]] #1 `min`: \"5%\" is a percentage, but commit_time is \
         measured as a duration (by its first bound) (expected a duration such as \"500ms\", \
         \"20s\" or \"20us\")"
    );
    assert_eq!(
        error("[[budget]]\nmeasure = \"commit_time\"\nmax = \"100ms\"\nmin = 5\n"),
        "benchgate.toml:4:7: [[budget]] #1 `min`: expected a duration such as \"500ms\", \"20s\" \
         or \"20us\", found 5, a plain number without a unit"
    );
}

/// Every runner setting is a key of `[defaults]` and of `[[bench]]`, read into its field; the
/// levels layer outermost first (the runner's defaults ← `[defaults]` ← the bench ← the flags).
#[test]
fn every_runner_setting_is_read_and_layered() {
    let settings = "warmup = 1\nruns = 2\nmin_runs = 3\nmax_runs = 4\nmax_time = \"5s\"\n\
                    precision = \"6%\"\ntimeout = \"7s\"\nshell = \"sh -e\"\nmeasure = \"instructions\"\n";
    let config = parse(&format!(
        "[defaults]\n{settings}\n[[bench]]\nname = \"b\"\ncommand = \"true\"\n{settings}"
    ))
    .unwrap();
    let all = RunnerSettings {
        warmup: Some(1),
        runs: Some(2),
        min_runs: Some(3),
        max_runs: Some(4),
        max_time: Some(Duration::from_secs(5)),
        precision: Some(0.06),
        timeout: Some(Duration::from_secs(7)),
        shell: Some("sh -e".into()),
        measure: Some(vec![benchgate_config::Measurement::Instructions]),
    };
    assert_eq!(config.defaults, all);
    assert_eq!(config.benches[0].runner, all);

    let defaults = RunnerSettings {
        warmup: Some(5),
        max_time: Some(Duration::from_secs(9)),
        ..RunnerSettings::default()
    };
    let bench = RunnerSettings {
        warmup: Some(1),
        runs: Some(4),
        ..RunnerSettings::default()
    };
    let flags = RunnerSettings {
        runs: Some(8),
        timeout: Some(Duration::from_secs(2)),
        ..RunnerSettings::default()
    };
    let options = RunnerSettings::layered(&[&defaults, &bench, &flags]).runner_options();
    assert_eq!(options.warmup, 1);
    assert_eq!(options.runs, Some(8));
    assert_eq!(options.max_time, Duration::from_secs(9));
    assert_eq!(options.timeout, Some(Duration::from_secs(2)));
    // Unset everywhere: the runner's own default.
    assert_eq!(options.min_runs, 10);
    assert_eq!(options.precision, 0.01);
    assert_eq!(
        RunnerSettings::layered(&[]).runner_options(),
        Default::default()
    );
}

#[test]
fn confirmation_and_build_settings() {
    let config = parse(
        "[gate]\nconfirm = \"paired\"\nconfirm_max_time = \"90s\"\n\n[build]\ncommand = \"cargo build --release\"\n",
    )
    .unwrap();
    assert_eq!(config.gate.confirm, Some(ConfirmMode::Paired));
    assert_eq!(config.gate.confirm_max_time, Some(Duration::from_secs(90)));
    assert_eq!(
        config.build.command.as_deref(),
        Some("cargo build --release")
    );
    // Unset: no mode chosen (the default, remeasure, is the caller's), nothing to build.
    let config = parse("").unwrap();
    assert_eq!(config.gate.confirm, None);
    assert_eq!(config.build, BuildConfig::default());
    assert_eq!(ConfirmMode::default(), ConfirmMode::Remeasure);
    for (text, mode) in [
        ("\"remeasure\"", ConfirmMode::Remeasure),
        ("\"off\"", ConfirmMode::Off),
        // What the key took before: measuring again, or not.
        ("true", ConfirmMode::Remeasure),
        ("false", ConfirmMode::Off),
    ] {
        let config = parse(&format!("[gate]\nconfirm = {text}\n")).unwrap();
        assert_eq!(config.gate.confirm, Some(mode), "{text}");
    }
    assert_eq!(
        error("[gate]\nconfirm = \"pairs\"\n"),
        "benchgate.toml:2:11: [gate] `confirm`: unknown confirmation \"pairs\" (expected \"paired\", \"remeasure\" or \"off\")"
    );
    assert_eq!(
        error("[gate]\nconfirm = 1\n"),
        "benchgate.toml:2:11: [gate] `confirm`: expected \"paired\", \"remeasure\" or \"off\", found integer"
    );
    assert_eq!(
        error("[gate]\nconfirm_max_time = \"0s\"\n"),
        "benchgate.toml:2:20: [gate] `confirm_max_time`: must be longer than zero"
    );
    assert_eq!(
        error("[build]\ncommand = \" \"\n"),
        "benchgate.toml:2:11: [build] `command`: must not be empty"
    );
    assert_eq!(
        error("[build]\ncmd = \"make\"\n"),
        "benchgate.toml:2:1: [build] `cmd`: unknown key (expected one of command)"
    );
    assert_eq!(
        error("[build]\ncommand = [\"make\"]\n"),
        "benchgate.toml:2:11: [build] `command`: expected a string, found array"
    );
}

/// A bench whose fourth line on is `rest`.
fn bench_with(rest: &str) -> String {
    format!("[[bench]]\nname = \"pool/start\"\ncommand = \"./start-vm --json\"\n{rest}")
}

fn metric(
    name: &str,
    selector: Selector,
    unit: &str,
    scale: f64,
    better: Better,
) -> MetricDefinition {
    let unit = MetricUnit {
        unit: unit.into(),
        scale,
    };
    match MetricDefinition::new(name, selector, unit, better) {
        Ok(m) => m,
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn output_metrics_and_check_are_compiled_with_their_units() {
    let text = bench_with(
        r#"metrics = [
  { name = "tps", json = "$.tps", unit = "tx/s", better = "higher" },
  { name = "commit", regex = 'commit took ([0-9.]+) ms', unit = "ms" },
  { name = "boot", json = "$.vms[0].boot_ms", unit = "ms", better = "lower" },
  { name = "pages", json = '$["page count"]' },
  { name = "hit_rate", json = "$.hits", unit = "%", better = "higher" },
  { name = "heap", json = "$.heap", unit = "MiB" },
  { name = "ops", json = "$.ops", unit = "k/s" },
]
check = { json = "$.ok", equals = true }
"#,
    );
    let config = parse(&text).unwrap();
    let output = &config.benches[0].output;
    let json = |p: &str| Selector::Json(p.into());
    let expected = OutputSpec {
        metrics: vec![
            metric("tps", json("$.tps"), "tx/s", 1.0, Better::Higher),
            metric(
                "commit",
                Selector::Regex("commit took ([0-9.]+) ms".into()),
                "ns",
                1e6,
                Better::Lower,
            ),
            metric("boot", json("$.vms[0].boot_ms"), "ns", 1e6, Better::Lower),
            metric(
                "pages",
                json("$[\"page count\"]"),
                "count",
                1.0,
                Better::Lower,
            ),
            metric("hit_rate", json("$.hits"), "ratio", 0.01, Better::Higher),
            metric("heap", json("$.heap"), "B", 1024.0 * 1024.0, Better::Lower),
            metric("ops", json("$.ops"), "1/s", 1e3, Better::Lower),
        ],
        check: Some(OutputCheck::new("$.ok", Expected::Bool(true)).unwrap()),
        file: None,
    };
    assert_eq!(output, &expected);
    // What a run of it prints, read in the kept units.
    let stdout = r#"{"ok": true, "tps": 10234.5, "log": "commit took 12.5 ms", "vms": [{"boot_ms": 1800}],
        "page count": 12, "hits": 50, "heap": 1.5, "ops": 2.5}"#;
    assert_eq!(
        output.read(stdout),
        Ok(vec![
            10234.5,
            12_500_000.0,
            1_800_000_000.0,
            12.0,
            0.5,
            1_572_864.0,
            2500.0
        ])
    );
    // The check's value may be a string or a number; `[[bench.metrics]]` tables work too.
    let text = bench_with(
        "check = { json = \"$.status\", equals = \"ok\" }\n[[bench.metrics]]\nname = \"tps\"\njson = \"$.tps\"\n",
    );
    let output = &parse(&text).unwrap().benches[0].output;
    assert_eq!(output.metrics.len(), 1);
    assert_eq!(
        output.check,
        Some(OutputCheck::new("$.status", Expected::String("ok".into())).unwrap())
    );
    let text = bench_with("check = { json = \"$.code\", equals = 0 }\n");
    assert_eq!(
        parse(&text).unwrap().benches[0].output.check,
        Some(OutputCheck::new("$.code", Expected::Number(0.0)).unwrap())
    );
    // A bench without them has none.
    assert!(parse(&bench_with("")).unwrap().benches[0].output.is_empty());
}

#[test]
fn bad_output_metrics_are_refused_at_their_line_and_column() {
    let cases = [
        (
            "metrics = [{ name = \"tps\", json = \"$.tps[\" }]\n",
            "benchgate.toml:4:35: [[bench]] #1 `metrics[0].json`: '$.tps[' is not a JSON path: unclosed \"[\" at character 6",
        ),
        (
            "metrics = [{ name = \"tps\", json = \"tps\" }]\n",
            "benchgate.toml:4:35: [[bench]] #1 `metrics[0].json`: 'tps' is not a JSON path: it must start with \"$\" (as in \"$.tps\")",
        ),
        (
            "metrics = [\n  { name = \"a\", json = \"$.a\" },\n  { name = \"b\", json = \"$.b[*]\" },\n]\n",
            "benchgate.toml:6:24: [[bench]] #1 `metrics[1].json`: '$.b[*]' is not a JSON path: wildcards, \"..\", filters and slices at character 5 select several values; a metric is one value",
        ),
        (
            "metrics = [{ name = \"commit\", regex = 'took ([0-9.]+ ms' }]\n",
            "benchgate.toml:4:39: [[bench]] #1 `metrics[0].regex`: invalid regex 'took ([0-9.]+ ms': unclosed group",
        ),
        (
            "metrics = [{ name = \"commit\", regex = 'took [0-9.]+ ms' }]\n",
            "benchgate.toml:4:39: [[bench]] #1 `metrics[0].regex`: regex 'took [0-9.]+ ms' has no capture group for the value (put the number in parentheses, as in 'took ([0-9.]+) ms')",
        ),
        (
            "metrics = [{ name = \"commit\", regex = '(\\w{1000}){1000}' }]\n",
            "benchgate.toml:4:39: [[bench]] #1 `metrics[0].regex`: invalid regex '(\\w{1000}){1000}': it compiles to more than 1048576 bytes (the limit; simplify it)",
        ),
        (
            "metrics = [{ name = \"commit\", json = \"$.a\", unit = \"5ms\" }]\n",
            "benchgate.toml:4:52: [[bench]] #1 `metrics[0].unit`: \"5ms\" is not a unit (expected a unit without a number, such as \"ms\", \"KiB\", \"%\" or \"tx/s\")",
        ),
        (
            "metrics = [{ name = \"commit\", json = \"$.a\", unit = \"e5\" }]\n",
            "benchgate.toml:4:52: [[bench]] #1 `metrics[0].unit`: \"e5\" is not a unit (expected a unit without a number, such as \"ms\", \"KiB\", \"%\" or \"tx/s\")",
        ),
        (
            "metrics = [{ name = \"commit\", json = \"$.a\", unit = \"transactions per second per worker\" }]\n",
            "benchgate.toml:4:52: [[bench]] #1 `metrics[0].unit`: is longer than 32 characters",
        ),
        (
            "metrics = [{ name = \"tps\", json = \"$.tps\", better = \"up\" }]\n",
            "benchgate.toml:4:53: [[bench]] #1 `metrics[0].better`: unknown direction \"up\" (expected \"higher\" or \"lower\")",
        ),
        (
            "metrics = [{ name = \"tps\", json = \"$.tps\", better = true }]\n",
            "benchgate.toml:4:53: [[bench]] #1 `metrics[0].better`: expected \"higher\" or \"lower\", found boolean",
        ),
        (
            "metrics = [{ name = \"tps\", json = \"$.tps\", regex = 'tps=(\\d+)' }]\n",
            "benchgate.toml:4:52: [[bench]] #1 `metrics[0].regex`: give `json` or `regex`, not both",
        ),
        (
            "metrics = [{ name = \"tps\", unit = \"tx/s\" }]\n",
            "benchgate.toml:4:12: [[bench]] #1 `metrics[0]`: needs `json` (a JSON path such as \"$.tps\") or `regex` (with a capture group for the value)",
        ),
        (
            "metrics = [{ json = \"$.tps\" }]\n",
            "benchgate.toml:4:12: [[bench]] #1 `metrics[0]`: missing required key `name`",
        ),
        (
            "metrics = [{ name = \"tps\", jsonpath = \"$.tps\" }]\n",
            "benchgate.toml:4:28: [[bench]] #1 `metrics[0].jsonpath`: unknown key (expected one of name, json, regex, unit, better)",
        ),
        (
            "metrics = [{ name = \"commit time\", json = \"$.a\" }]\n",
            "benchgate.toml:4:21: [[bench]] #1 `metrics[0].name`: metric name \"commit time\" may only hold letters, digits, \"_\", \"-\" and \".\"",
        ),
        (
            "metrics = [{ name = \"wall_time\", json = \"$.a\" }]\n",
            "benchgate.toml:4:21: [[bench]] #1 `metrics[0].name`: \"wall_time\" is a measure benchgate takes itself; give the metric another name",
        ),
        (
            "metrics = [\n  { name = \"tps\", json = \"$.a\" },\n  { name = \"tps\", json = \"$.b\" },\n]\n",
            "benchgate.toml:6:12: [[bench]] #1 `metrics[1].name`: duplicate metric name \"tps\"",
        ),
        (
            "metrics = \"tps\"\n",
            "benchgate.toml:4:11: [[bench]] #1 `metrics`: expected an array of metrics such as [{ name = \"tps\", json = \"$.tps\" }], found string",
        ),
        (
            "metrics = [\"$.tps\"]\n",
            "benchgate.toml:4:12: [[bench]] #1 `metrics[0]`: expected a table { name, json or regex, unit, better }, found string",
        ),
        (
            "check = { json = \"$.ok\" }\n",
            "benchgate.toml:4:9: [[bench]] #1 `check`: missing required key `equals`",
        ),
        (
            "check = { json = \"$.ok[\", equals = true }\n",
            "benchgate.toml:4:18: [[bench]] #1 `check.json`: '$.ok[' is not a JSON path: unclosed \"[\" at character 5",
        ),
        (
            "check = { json = \"$.ok\", equals = [true] }\n",
            "benchgate.toml:4:35: [[bench]] #1 `check.equals`: expected a string, number or boolean, found array",
        ),
        (
            "check = { json = \"$.ok\", equals = true, regex = 'ok' }\n",
            "benchgate.toml:4:41: [[bench]] #1 `check.regex`: unknown key (expected one of json, equals)",
        ),
        (
            "check = { json = \"$.ok\", equals = nan }\n",
            "benchgate.toml:4:35: [[bench]] #1 `check.equals`: nan is not a finite number",
        ),
    ];
    for (rest, message) in cases {
        assert_eq!(error(&bench_with(rest)), message, "{rest}");
    }
}

#[test]
fn output_file_reads_the_metrics_from_a_file_each_run_writes() {
    let text = bench_with(
        "metrics = [{ name = \"tps\", json = \"$.tps\" }]\noutput_file = \"${HOME}/out/result.json\"\n",
    );
    let output = &parse(&text).unwrap().benches[0].output;
    assert_eq!(output.file, Some(PathBuf::from("/home/ci/out/result.json")));
    assert_eq!(output.metrics.len(), 1);
    // With a check alone too; relative paths are kept as written (the runner resolves them).
    let text =
        bench_with("check = { json = \"$.ok\", equals = true }\noutput_file = \"result.json\"\n");
    let output = &parse(&text).unwrap().benches[0].output;
    assert_eq!(output.file, Some(PathBuf::from("result.json")));
    // Without it, stdout.
    let text = bench_with("metrics = [{ name = \"tps\", json = \"$.tps\" }]\n");
    assert_eq!(parse(&text).unwrap().benches[0].output.file, None);
}

#[test]
fn bad_output_files_are_refused_at_their_line() {
    let cases = [
        (
            "output_file = \"result.json\"\n",
            "benchgate.toml:4:15: [[bench]] #1 `output_file`: needs `metrics` or `check` (the values read from the file each run writes)",
        ),
        (
            "metrics = [{ name = \"tps\", json = \"$.tps\" }]\noutput_file = \"\"\n",
            "benchgate.toml:5:15: [[bench]] #1 `output_file`: must not be empty",
        ),
        (
            "metrics = [{ name = \"tps\", json = \"$.tps\" }]\noutput_file = 1\n",
            "benchgate.toml:5:15: [[bench]] #1 `output_file`: expected a string, found integer",
        ),
        (
            "metrics = [{ name = \"tps\", json = \"$.tps\" }]\noutput_file = \"result.json\"\nconcurrency = [1, 10]\nduration = \"1s\"\n",
            "benchgate.toml:5:15: [[bench]] #1 `output_file`: cannot be used with `concurrency`: concurrent operations would overwrite one file (let each operation print its figures to stdout instead)",
        ),
        (
            "check = { json = \"$.ok\", equals = true }\noutput_file = \"result.json\"\nrate = \"10/s\"\nduration = \"1s\"\n",
            "benchgate.toml:5:15: [[bench]] #1 `output_file`: cannot be used with `rate`: concurrent operations would overwrite one file (let each operation print its figures to stdout instead)",
        ),
    ];
    for (rest, message) in cases {
        assert_eq!(error(&bench_with(rest)), message, "{rest}");
    }
}
