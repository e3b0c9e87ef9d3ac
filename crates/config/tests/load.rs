//! A bench's load (`concurrency` or `rate` and what goes with them), `memory` and `watch`, and
//! budgets on the measures they produce: parsed into exact values, every bad value refused with
//! file:line:column, the key and what was expected.

use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::time::Duration;

use benchgate_config::{
    Arrivals, Budget, BurstSettings, Config, ConfigError, DEFAULT_MAX_IN_FLIGHT, LoadModel,
    LoadSettings, MemorySettings, WatchSettings, default_window,
};
use benchgate_model::Measure;

fn env(name: &str) -> Option<String> {
    match name {
        "RUN_DIR" => Some("/tmp/pool".into()),
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

/// A bench whose fourth line on is `rest`.
fn bench_with(rest: &str) -> String {
    format!("[[bench]]\nname = \"pool/start\"\ncommand = \"./start-vm --json\"\n{rest}")
}

fn levels(levels: &[usize]) -> LoadModel {
    LoadModel::Closed {
        levels: levels
            .iter()
            .map(|&n| NonZeroUsize::new(n).unwrap())
            .collect(),
    }
}

/// The VM-pool case of issue 13: a closed sweep with memory watched, a rate-driven bench, and
/// budgets on every measure they produce.
const WORKED: &str = r#"
[[bench]]
name = "pool"
command = "./start-vm --json"
concurrency = [1, 10, 50, 100, 200]
duration = "30s"
window = "2s"
timeout = "5s"
metrics = [{ name = "boot", json = "$.boot_ms", unit = "ms" }]
memory = { every = "20ms", warmup = "20%", max_growth = "10%", max_growth_per_op = "4KB" }
watch = { pid_file = "${RUN_DIR}/pool.pid" }

[[bench]]
name = "api/commit"
command = "./cli commit --json"
rate = "12000/min"
arrivals = "poisson"
seed = 7
ramp = "5s"
burst = { size = 500, every = "5s" }
max_in_flight = 2000
operations = 1000000
memory = {}

[[bench]]
name = "api/constant"
command = "./cli commit --json"
rate = "2.5k/s"
duration = "1m"

[[bench]]
name = "once"
command = "true"

[[budget]]
bench = "pool/concurrency=100"
measure = "latency_p95"
max = "100ms"

[[budget]]
bench = "pool/concurrency=*"
measure = "latency_p99"
max = "250ms"

[[budget]]
measure = "throughput"
target = "10000/s"
min = "5000/s"

[[budget]]
measure = "error_rate"
max = "0.1%"

[[budget]]
measure = "scaling_efficiency"
min = "80%"

[[budget]]
measure = "rss_growth"
max = "10%"

[[budget]]
measure = "rss_peak"
max = "512MB"

[[budget]]
measure = "max_concurrency"
min = 100

[[budget]]
measure = "boot"
max = "2s"

[[budget]]
measure = "service_time_p99"
max = "50ms"
"#;

#[test]
fn worked_example_parses_into_exact_values() {
    let config = parse(WORKED).unwrap();
    let pool = &config.benches[0];
    assert_eq!(
        pool.load,
        Some(LoadSettings {
            model: levels(&[1, 10, 50, 100, 200]),
            duration: Some(Duration::from_secs(30)),
            operations: None,
            window: Some(Duration::from_secs(2)),
        })
    );
    let memory = MemorySettings {
        every: Duration::from_millis(20),
        warmup_fraction: 0.2,
        max_growth: Some(0.1),
        max_growth_per_op: Some(4000),
    };
    assert_eq!(pool.memory, Some(memory.clone()));
    assert_eq!(pool.memory_sampling(), Some(memory));
    assert_eq!(
        pool.watch,
        Some(WatchSettings {
            pid_file: PathBuf::from("/tmp/pool/pool.pid"),
        })
    );
    // The bench's timeout is each operation's.
    assert_eq!(
        pool.runner_options(&config.defaults).timeout,
        Some(Duration::from_secs(5))
    );
    let load = pool.load.as_ref().unwrap();
    assert_eq!(load.effective_duration(), Some(Duration::from_secs(30)));
    assert_eq!(load.effective_window(), Duration::from_secs(2));

    let api = &config.benches[1];
    let load = api.load.as_ref().unwrap();
    assert_eq!(
        load,
        &LoadSettings {
            model: LoadModel::Open {
                rate_per_s: 200.0,
                rate_as_written: "12000/min".into(),
                arrivals: Arrivals::Poisson,
                seed: Some(7),
                ramp: Some(Duration::from_secs(5)),
                burst: Some(BurstSettings {
                    size: NonZeroU32::new(500).unwrap(),
                    every: Duration::from_secs(5),
                }),
                max_in_flight: NonZeroUsize::new(2000).unwrap(),
            },
            duration: None,
            operations: Some(1_000_000),
            window: None,
        }
    );
    // Bounded by its operations only; windows as for the default duration.
    assert_eq!(load.effective_duration(), None);
    assert_eq!(load.effective_window(), Duration::from_secs(1));
    assert_eq!(api.memory, Some(MemorySettings::default()));
    assert_eq!(
        MemorySettings::default(),
        MemorySettings {
            every: Duration::from_millis(50),
            warmup_fraction: 0.1,
            max_growth: None,
            max_growth_per_op: None,
        }
    );
    assert_eq!(api.watch, None);

    let constant = config.benches[2].load.as_ref().unwrap();
    assert_eq!(
        constant.model,
        LoadModel::Open {
            rate_per_s: 2500.0,
            rate_as_written: "2.5k/s".into(),
            arrivals: Arrivals::Constant,
            seed: None,
            ramp: None,
            burst: None,
            max_in_flight: NonZeroUsize::new(DEFAULT_MAX_IN_FLIGHT).unwrap(),
        }
    );
    assert_eq!(constant.effective_window(), Duration::from_secs(6));

    let once = &config.benches[3];
    assert_eq!(
        (&once.load, &once.memory, &once.watch),
        (&None, &None, &None)
    );
    assert_eq!(once.memory_sampling(), None);

    let custom = |name: &str| Measure::Custom(name.into());
    assert_eq!(
        config.budgets,
        vec![
            Budget {
                bench: Some("pool/concurrency=100".into()),
                max: Some(100e6),
                ..Budget::new(Measure::LatencyP95)
            },
            Budget {
                bench: Some("pool/concurrency=*".into()),
                max: Some(250e6),
                ..Budget::new(Measure::LatencyP99)
            },
            Budget {
                target: Some(10_000.0),
                min: Some(5_000.0),
                ..Budget::new(Measure::Throughput)
            },
            Budget {
                max: Some(0.001),
                ..Budget::new(Measure::ErrorRate)
            },
            Budget {
                min: Some(0.8),
                ..Budget::new(custom("scaling_efficiency"))
            },
            Budget {
                max: Some(0.1),
                ..Budget::new(custom("rss_growth"))
            },
            Budget {
                max: Some(512e6),
                ..Budget::new(custom("rss_peak"))
            },
            Budget {
                min: Some(100.0),
                ..Budget::new(custom("max_concurrency"))
            },
            Budget {
                max: Some(2e9),
                ..Budget::new(custom("boot"))
            },
            Budget {
                max: Some(50e6),
                ..Budget::new(custom("service_time_p99"))
            },
        ]
    );
    // A level's name, `=` included, is matched literally.
    let level = &config.budgets[0];
    assert!(level.matches("pool/concurrency=100"));
    assert!(!level.matches("pool/concurrency=10"));
    assert!(!level.matches("pool/concurrency=1000"));
    let every_level = &config.budgets[1];
    assert!(every_level.matches("pool/concurrency=1"));
    assert!(every_level.matches("pool/concurrency=200"));
    assert!(!every_level.matches("api/commit"));
}

#[test]
fn default_window_is_a_tenth_of_the_duration_within_100ms_and_10s() {
    let ms = Duration::from_millis;
    assert_eq!(default_window(Duration::from_secs(10)), ms(1000));
    assert_eq!(default_window(Duration::from_secs(3)), ms(300));
    assert_eq!(default_window(ms(1000)), ms(100));
    assert_eq!(default_window(ms(500)), ms(100));
    assert_eq!(default_window(Duration::ZERO), ms(100));
    assert_eq!(default_window(Duration::from_secs(100)), ms(10_000));
    assert_eq!(default_window(Duration::from_secs(24 * 3600)), ms(10_000));
    // Neither duration nor operations: 10 s in windows of 1 s.
    let config = parse(&bench_with("concurrency = [4]\n")).unwrap();
    let load = config.benches[0].load.as_ref().unwrap();
    assert_eq!(
        (load.duration, load.operations, load.window),
        (None, None, None)
    );
    assert_eq!(load.effective_duration(), Some(Duration::from_secs(10)));
    assert_eq!(load.effective_window(), ms(1000));
}

#[test]
fn rates_are_written_per_second_minute_or_hour() {
    let rate = |text: &str| {
        let config = parse(&bench_with(&format!("rate = \"{text}\"\n"))).unwrap();
        match &config.benches[0].load.as_ref().unwrap().model {
            LoadModel::Open { rate_per_s, .. } => *rate_per_s,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(rate("200/s"), 200.0);
    assert_eq!(rate("0.5/s"), 0.5);
    assert_eq!(rate("90/min"), 1.5);
    assert_eq!(rate("36/h"), 0.01);
    assert_eq!(rate("1M/s"), 1e6);
}

#[test]
fn watch_alone_samples_with_memory_defaults() {
    let config = parse(&bench_with(
        "rate = \"10/s\"\nwatch = { pid_file = \"server.pid\" }\n",
    ))
    .unwrap();
    let bench = &config.benches[0];
    assert_eq!(bench.memory, None);
    assert_eq!(bench.memory_sampling(), Some(MemorySettings::default()));
    assert_eq!(
        bench.watch,
        Some(WatchSettings {
            pid_file: PathBuf::from("server.pid"),
        })
    );
    // Memory of each run's process tree, without load.
    let config = parse(&bench_with("memory = { max_growth_per_op = 4096 }\n")).unwrap();
    assert_eq!(
        config.benches[0].memory,
        Some(MemorySettings {
            max_growth_per_op: Some(4096),
            ..MemorySettings::default()
        })
    );
    assert_eq!(config.benches[0].load, None);
    // An unset variable listed in `requires.env` skips the bench, as in its other strings.
    let config = parse(&bench_with(
        "requires = { env = [\"PID_DIR\"] }\nconcurrency = [1]\nwatch = { pid_file = \"${PID_DIR}/s.pid\" }\n",
    ))
    .unwrap();
    assert_eq!(
        config.benches[0].skip.as_deref(),
        Some("requires: environment variable PID_DIR is not set")
    );
}

#[test]
fn bad_load_values_are_refused_at_their_line_and_column() {
    let too_many = (1..=65)
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let too_many = format!("concurrency = [{too_many}]\n");
    let cases = [
        (
            "concurrency = [0]\n",
            "benchgate.toml:4:16: [[bench]] #1 `concurrency`: each level must be from 1 to 10000, found 0",
        ),
        (
            "concurrency = [1, 10001]\n",
            "benchgate.toml:4:19: [[bench]] #1 `concurrency`: each level must be from 1 to 10000, found 10001",
        ),
        (
            "concurrency = [-5]\n",
            "benchgate.toml:4:16: [[bench]] #1 `concurrency`: each level must be from 1 to 10000, found -5",
        ),
        (
            "concurrency = []\n",
            "benchgate.toml:4:15: [[bench]] #1 `concurrency`: needs at least one level (such as [1, 10, 50])",
        ),
        (
            "concurrency = [1, 10, 1]\n",
            "benchgate.toml:4:23: [[bench]] #1 `concurrency`: level 1 is given twice",
        ),
        (
            "concurrency = [1.5]\n",
            "benchgate.toml:4:16: [[bench]] #1 `concurrency`: expected an integer, found float",
        ),
        (
            "concurrency = 10\n",
            "benchgate.toml:4:15: [[bench]] #1 `concurrency`: expected an array of levels such as [1, 10, 50], found integer",
        ),
        (
            &too_many,
            "benchgate.toml:4:15: [[bench]] #1 `concurrency`: has 65 levels; at most 64",
        ),
        (
            "rate = \"-1/s\"\n",
            "benchgate.toml:4:8: [[bench]] #1 `rate`: must be greater than 0/s, found \"-1/s\"",
        ),
        (
            "rate = \"0/s\"\n",
            "benchgate.toml:4:8: [[bench]] #1 `rate`: must be greater than 0/s, found \"0/s\"",
        ),
        (
            "rate = \"fast\"\n",
            "benchgate.toml:4:8: [[bench]] #1 `rate`: expected a rate such as \"200/s\", \"1000/min\" or \"2.5/h\", found \"fast\"",
        ),
        (
            "rate = \"abc\"\n",
            "benchgate.toml:4:8: [[bench]] #1 `rate`: expected a rate such as \"200/s\", \"1000/min\" or \"2.5/h\", found \"abc\"",
        ),
        (
            "rate = 200\n",
            "benchgate.toml:4:8: [[bench]] #1 `rate`: expected a rate such as \"200/s\", \"1000/min\" or \"2.5/h\", found integer",
        ),
        (
            "rate = \"2M/s\"\n",
            "benchgate.toml:4:8: [[bench]] #1 `rate`: must be at most 1000000/s, found \"2M/s\"",
        ),
        (
            "rate = \"200/s\"\narrivals = \"bursty\"\n",
            "benchgate.toml:5:12: [[bench]] #1 `arrivals`: unknown arrivals \"bursty\" (expected \"constant\" or \"poisson\")",
        ),
        (
            "rate = \"200/s\"\nseed = 7\n",
            "benchgate.toml:5:8: [[bench]] #1 `seed`: only applies with arrivals = \"poisson\" (constant arrivals are not random)",
        ),
        (
            "rate = \"200/s\"\narrivals = \"poisson\"\nseed = -1\n",
            "benchgate.toml:6:8: [[bench]] #1 `seed`: must be at least 0, found -1",
        ),
        (
            "rate = \"200/s\"\nburst = { size = 0, every = \"5s\" }\n",
            "benchgate.toml:5:18: [[bench]] #1 `burst.size`: must be from 1 to 100000, found 0",
        ),
        (
            "rate = \"200/s\"\nburst = { size = 100001, every = \"5s\" }\n",
            "benchgate.toml:5:18: [[bench]] #1 `burst.size`: must be from 1 to 100000, found 100001",
        ),
        (
            "rate = \"200/s\"\nburst = { size = 5 }\n",
            "benchgate.toml:5:9: [[bench]] #1 `burst`: missing required key `every`",
        ),
        (
            "rate = \"200/s\"\nburst = { size = 5, every = \"0s\" }\n",
            "benchgate.toml:5:29: [[bench]] #1 `burst.every`: must be longer than zero",
        ),
        (
            "rate = \"200/s\"\nburst = { size = 5, every = \"5s\", count = 2 }\n",
            "benchgate.toml:5:35: [[bench]] #1 `burst.count`: unknown key (expected one of size, every)",
        ),
        (
            "rate = \"200/s\"\nmax_in_flight = 0\n",
            "benchgate.toml:5:17: [[bench]] #1 `max_in_flight`: must be from 1 to 10000, found 0",
        ),
        (
            "ramp = \"10s\"\n",
            "benchgate.toml:4:8: [[bench]] #1 `ramp`: needs `rate` (the open model)",
        ),
        (
            "concurrency = [1]\nramp = \"10s\"\n",
            "benchgate.toml:5:8: [[bench]] #1 `ramp`: needs `rate` (the open model); with `concurrency` each operation starts when another ends",
        ),
        (
            "rate = \"10/s\"\nduration = \"10s\"\nramp = \"20s\"\n",
            "benchgate.toml:6:8: [[bench]] #1 `ramp`: must not be longer than the run (10s)",
        ),
        (
            "concurrency = [1, 2]\nrate = \"5/s\"\n",
            "benchgate.toml:5:8: [[bench]] #1 `rate`: give `concurrency` (closed model) or `rate` (open model), not both",
        ),
        (
            "duration = \"10s\"\n",
            "benchgate.toml:4:12: [[bench]] #1 `duration`: needs `concurrency` or `rate` (without them the command runs one at a time, for `runs`)",
        ),
        (
            "operations = 100\n",
            "benchgate.toml:4:14: [[bench]] #1 `operations`: needs `concurrency` or `rate` (without them the command runs one at a time, for `runs`)",
        ),
        (
            "concurrency = [1]\nduration = \"25h\"\n",
            "benchgate.toml:5:12: [[bench]] #1 `duration`: must be at most 24h, found \"25h\"",
        ),
        (
            "concurrency = [1]\nduration = \"0s\"\n",
            "benchgate.toml:5:12: [[bench]] #1 `duration`: must be longer than zero",
        ),
        (
            "concurrency = [1]\noperations = 0\n",
            "benchgate.toml:5:14: [[bench]] #1 `operations`: must be at least 1, found 0",
        ),
        (
            "concurrency = [1]\nduration = \"2s\"\nwindow = \"2s\"\n",
            "benchgate.toml:6:10: [[bench]] #1 `window`: must be shorter than `duration` (2s)",
        ),
        (
            "concurrency = [1]\nwindow = \"10s\"\n",
            "benchgate.toml:5:10: [[bench]] #1 `window`: must be shorter than the default duration (10s)",
        ),
        (
            "concurrency = [1]\nwindow = \"100us\"\n",
            "benchgate.toml:5:10: [[bench]] #1 `window`: must be at least 1ms, found \"100us\"",
        ),
        (
            "concurrency = [1]\nduration = \"24h\"\nwindow = \"100ms\"\n",
            "benchgate.toml:6:10: [[bench]] #1 `window`: cuts 86400s into more than 100000 windows; make it longer",
        ),
    ];
    for (rest, message) in cases {
        assert_eq!(error(&bench_with(rest)), message, "{rest}");
    }
}

#[test]
fn bad_memory_and_watch_values_are_refused_at_their_line_and_column() {
    let cases = [
        (
            "memory = { every = \"0ms\" }\n",
            "benchgate.toml:4:20: [[bench]] #1 `memory.every`: must be from 1ms to 60s, found \"0ms\"",
        ),
        (
            "memory = { every = \"2m\" }\n",
            "benchgate.toml:4:20: [[bench]] #1 `memory.every`: must be from 1ms to 60s, found \"2m\"",
        ),
        (
            "memory = { every = 50 }\n",
            "benchgate.toml:4:20: [[bench]] #1 `memory.every`: expected a duration such as \"500ms\", \"20s\" or \"20us\", found 50, a plain number without a unit",
        ),
        (
            "memory = { warmup = \"90%\" }\n",
            "benchgate.toml:4:21: [[bench]] #1 `memory.warmup`: must be below 90% (the growth is fitted over the rest of the run), found \"90%\"",
        ),
        (
            "memory = { warmup = 0.1 }\n",
            "benchgate.toml:4:21: [[bench]] #1 `memory.warmup`: expected a percentage such as \"5%\", found 0.1, a plain number without a unit",
        ),
        (
            "memory = { max_growth = \"0%\" }\n",
            "benchgate.toml:4:25: [[bench]] #1 `memory.max_growth`: must be greater than 0%",
        ),
        (
            "memory = { max_growth_per_op = \"0B\" }\n",
            "benchgate.toml:4:32: [[bench]] #1 `memory.max_growth_per_op`: must be at least 1B, found \"0B\"",
        ),
        (
            "memory = { max_growth_per_op = \"4ms\" }\n",
            "benchgate.toml:4:32: [[bench]] #1 `memory.max_growth_per_op`: expected a size such as \"512B\", \"64MiB\" or \"1GB\", found \"4ms\", a duration",
        ),
        (
            "memory = { evry = \"5ms\" }\n",
            "benchgate.toml:4:12: [[bench]] #1 `memory.evry`: unknown key (expected one of every, warmup, max_growth, max_growth_per_op)",
        ),
        (
            "memory = \"50ms\"\n",
            "benchgate.toml:4:10: [[bench]] #1 `memory`: expected a table, found string",
        ),
        (
            "concurrency = [1]\nwatch = { pid = \"server.pid\" }\n",
            "benchgate.toml:5:11: [[bench]] #1 `watch.pid`: unknown key (expected one of pid_file)",
        ),
        (
            "concurrency = [1]\nwatch = {}\n",
            "benchgate.toml:5:9: [[bench]] #1 `watch`: missing required key `pid_file`",
        ),
        (
            "watch = { pid_file = \"server.pid\" }\n",
            "benchgate.toml:4:9: [[bench]] #1 `watch`: needs `concurrency`, `rate` or `memory` (a watched process is sampled while the bench drives it)",
        ),
        (
            "concurrency = [1]\nwatch = { pid_file = \"${NOPE}/s.pid\" }\n",
            "benchgate.toml:5:23: [[bench]] #1 `watch.pid_file`: environment variable NOPE is not set (list it in `requires.env` to skip the bench instead)",
        ),
    ];
    for (rest, message) in cases {
        assert_eq!(error(&bench_with(rest)), message, "{rest}");
    }
}

#[test]
fn budgets_on_engine_and_output_measures_take_their_units() {
    let bad = |budget: &str| {
        error(&bench_with(&format!(
            "metrics = [{{ name = \"boot\", json = \"$.boot_ms\", unit = \"ms\" }}]\n\n[[budget]]\n{budget}\n"
        )))
    };
    assert_eq!(
        bad("measure = \"boot\"\nmax = 2000"),
        "benchgate.toml:8:7: [[budget]] #1 `max`: expected a duration such as \"500ms\", \"20s\" or \"20us\", found 2000, a plain number without a unit"
    );
    assert_eq!(
        bad("measure = \"rss_peak\"\nmax = \"10%\""),
        "benchgate.toml:8:7: [[budget]] #1 `max`: \"10%\" is a percentage, but rss_peak is measured as bytes (expected a size such as \"512B\", \"64MiB\" or \"1GB\")"
    );
    assert_eq!(
        bad("measure = \"boot\"\nmax = \"5%\""),
        "benchgate.toml:8:7: [[budget]] #1 `max`: \"5%\" is a percentage, but boot is measured as a duration (the unit of metric \"boot\") (expected a duration such as \"500ms\", \"20s\" or \"20us\")"
    );
    assert_eq!(
        bad("measure = \"scaling_efficiency\"\nmin = 0.8"),
        "benchgate.toml:8:7: [[budget]] #1 `min`: expected a percentage such as \"5%\", found 0.8, a plain number without a unit"
    );
    assert_eq!(
        bad("measure = \"service_time_p99\"\nmax = \"5MB\""),
        "benchgate.toml:8:7: [[budget]] #1 `max`: \"5MB\" is a size, but service_time_p99 is measured as a duration (expected a duration such as \"500ms\", \"20s\" or \"20us\")"
    );
    // A plain number of bytes is a size; a count is plain.
    let config = parse(
        "[[budget]]\nmeasure = \"rss_peak\"\nmax = 1048576\n[[budget]]\nmeasure = \"dropped\"\nmax = 0.5\n[[budget]]\nmeasure = \"rss_growth_per_op\"\nmax = \"4KiB\"\n",
    )
    .unwrap();
    assert_eq!(config.budgets[0].max, Some(1_048_576.0));
    assert_eq!(config.budgets[1].max, Some(0.5));
    assert_eq!(config.budgets[2].max, Some(4096.0));
    // A metric kept in a unit of its own (`tx/s`) takes the kind its bounds give.
    let config = parse(&bench_with(
        "metrics = [{ name = \"tps\", json = \"$.tps\", unit = \"tx/s\", better = \"higher\" }]\n\n[[budget]]\nmeasure = \"tps\"\nmin = 5000\n",
    ))
    .unwrap();
    assert_eq!(config.budgets[0].min, Some(5000.0));
    // benchgate's own measures are not output metric names.
    assert_eq!(
        error(&bench_with(
            "metrics = [{ name = \"rss_peak\", json = \"$.rss\" }]\n"
        )),
        "benchgate.toml:4:21: [[bench]] #1 `metrics[0].name`: \"rss_peak\" is a measure benchgate takes itself; give the metric another name"
    );
}

#[test]
fn each_level_is_a_benchmark_of_its_own_name() {
    let config = parse(&bench_with(
        "concurrency = [1, 10]\nparams = { size = [\"s\", \"m\"] }\n",
    ))
    .unwrap();
    assert_eq!(
        config.benches[0].benchmark_names(),
        [
            "pool/start/size=s/concurrency=1",
            "pool/start/size=s/concurrency=10",
            "pool/start/size=m/concurrency=1",
            "pool/start/size=m/concurrency=10",
        ]
    );
    assert_eq!(config.benches[0].level_count(), 2);
    // The open model runs one benchmark per combination, under the bench's own name.
    let config = parse(&bench_with("rate = \"5/s\"\n")).unwrap();
    assert_eq!(config.benches[0].benchmark_names(), ["pool/start"]);
    assert_eq!(config.benches[0].level_count(), 1);
    // A level named like another bench is refused when the file loads.
    assert_eq!(
        error(&format!(
            "{}\n[[bench]]\nname = \"pool/start/concurrency=10\"\ncommand = \"true\"\n",
            bench_with("concurrency = [1, 10]\n")
        )),
        "benchgate.toml:7:8: [[bench]] #2 `name`: expands to \"pool/start/concurrency=10\", which [[bench]] #1 (line 2) already names"
    );
    // The level's parameter is the model's own.
    assert_eq!(
        error(&bench_with(
            "concurrency = [1, 10]\nparams = { concurrency = [2] }\n"
        )),
        "benchgate.toml:5:26: [[bench]] #1 `params.concurrency`: is the parameter `concurrency` gives each level; rename this one"
    );
    assert_eq!(
        error(&bench_with("rate = \"5/s\"\nparams = { rate = [\"a\"] }\n")),
        "benchgate.toml:5:19: [[bench]] #1 `params.rate`: is the parameter `rate` gives each level; rename this one"
    );
    // Levels count towards the limit on benchmarks per file.
    assert_eq!(
        error(&bench_with(
            "concurrency = [1, 2, 3]\nparams = { n = { min = 1, max = 40000 } }\n"
        )),
        "benchgate.toml:5:10: [[bench]] #1 `params`: the parameters' values multiply out to 120000 benchmarks; the limit is 100000 (use fewer values)"
    );
}

/// The whole-file examples of docs/config.md (its ```toml blocks that start with a table) load.
#[test]
fn the_documented_examples_load() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/config.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let examples: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .filter(|block| block.starts_with('['))
        .collect();
    assert!(examples.len() >= 3, "{examples:?}");
    for example in &examples {
        if let Err(e) = parse(example) {
            panic!("{e}\n{example}");
        }
    }
    let load = examples
        .iter()
        .find(|e| e.contains("arrivals = \"poisson\""))
        .unwrap();
    let config = parse(load).unwrap();
    assert_eq!(config.benches[0].level_count(), 5);
    assert!(matches!(
        config.benches[1].load.as_ref().unwrap().model,
        LoadModel::Open {
            arrivals: Arrivals::Poisson,
            seed: Some(7),
            ..
        }
    ));
}

/// The worked VM-pool example (docs/load.md) loads into the sweep, output spec, watch and
/// budgets it documents.
#[test]
fn the_worked_vm_pool_example_loads() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples/vm-pool/benchgate.toml");
    let config = benchgate_config::Config::load(&path).unwrap();
    let bench = &config.benches[0];
    assert_eq!(
        bench.benchmark_names(),
        [1, 10, 50, 100, 200].map(|n| format!("pool/start/concurrency={n}"))
    );
    assert_eq!(bench.output.metrics.len(), 1);
    assert!(bench.output.check.is_some());
    assert_eq!(
        bench.watch.as_ref().unwrap().pid_file,
        std::path::Path::new("pool.pid")
    );
    assert_eq!(bench.memory.as_ref().unwrap().max_growth, Some(0.1));
    assert_eq!(config.budgets.len(), 7);
}
