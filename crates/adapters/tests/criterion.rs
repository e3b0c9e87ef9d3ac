//! The criterion adapter against a real `target/criterion` tree (criterion 0.8.2, see
//! fixtures/criterion/VERSIONS and regenerate.sh): four runs leave the baselines `new`, `base`,
//! `before` (fast) and `after` (slowed by SLOW=1), and `change/` from comparing the last run with
//! the first.

mod common;

use common::bench;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use benchgate_adapters::criterion::{self, Tree};
use benchgate_adapters::{Format, Location, ParseError, Parsed, detect};
use benchgate_model::{Benchmark, Direction, Measure, Metric, Status, Unit};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion")
}

fn tree() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| criterion::read_tree(&fixture_dir().join("target-criterion")).unwrap())
}

fn parsed(baseline: &str) -> Parsed {
    criterion::parse(tree(), baseline).unwrap()
}

fn metric(b: &Benchmark, measure: Measure) -> &Metric {
    b.metric(&measure)
        .unwrap_or_else(|| panic!("{} has no {measure}", b.name))
}

fn measures(b: &Benchmark) -> Vec<String> {
    b.metrics.iter().map(|m| m.measure.to_string()).collect()
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// ns per iteration, as criterion computes it: total time / iterations.
fn per_iter(iters: &[f64], times: &[f64]) -> Vec<f64> {
    iters.iter().zip(times).map(|(n, t)| t / n).collect()
}

fn file(path: &str) -> &'static [u8] {
    &tree()
        .files
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("no file {path}"))
        .1
}

/// A tree of the fixture's files under `dir` (relative to the tree root, `/`-separated), with
/// paths kept as they are.
fn subtree(dir: &str) -> Tree {
    Tree {
        files: tree()
            .files
            .iter()
            .filter(|(p, _)| p.starts_with(&format!("{dir}/")))
            .cloned()
            .collect(),
    }
}

fn replace(mut t: Tree, path: &str, bytes: &[u8]) -> Tree {
    match t.files.iter_mut().find(|(p, _)| p == path) {
        Some(f) => f.1 = bytes.to_vec(),
        None => t.files.push((path.to_string(), bytes.to_vec())),
    }
    t
}

fn remove(mut t: Tree, path: &str) -> Tree {
    t.files.retain(|(p, _)| p != path);
    t
}

fn err(t: &Tree, baseline: &str) -> ParseError {
    criterion::parse(t, baseline).unwrap_err()
}

const NAMES_NEW: [&str; 17] = [
    "checksum",
    "count/sum/n=100",
    "dup/x/y [dup/x_y]",
    "dup/x/y [dup_x/y]",
    "flat/spin",
    "hash/4096",
    "hash/fnv/1024",
    "hash/fnv/size=1k",
    "long/üüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüü",
    "only_fast",
    "only_slow",
    "rates/bits",
    "rates/decimal",
    "rates/rows",
    "sanitise: ünï?/a/b",
    "sanitise: ünï?/a?b",
    "sanitise: ünï?/with space/slash é✓",
];

// ---------------------------------------------------------------------------------------------
// The tree

#[test]
fn read_tree_gives_sorted_relative_json_paths_without_the_report() {
    let t = tree();
    assert_eq!(t.files.len(), 279);
    let paths: Vec<&str> = t.files.iter().map(|(p, _)| p.as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths[0], "checksum/after/benchmark.json");
    assert!(paths.contains(&"sanitise_ ünï_/with space_slash é✓/new/sample.json"));
    assert!(paths.contains(&"checksum/change/estimates.json"));
    assert!(
        paths
            .iter()
            .all(|p| p.ends_with(".json") && !p.contains('\\') && !p.starts_with('/'))
    );
    assert_eq!(
        file("hash/fnv/1024/new/benchmark.json"),
        br#"{"group_id":"hash","function_id":"fnv","value_str":"1024","throughput":{"Bytes":1024},"full_id":"hash/fnv/1024","directory_name":"hash/fnv/1024","title":"hash/fnv/1024"}"#
    );
}

#[test]
fn read_tree_reads_only_criterions_files_and_names_a_missing_directory() {
    let tmp = std::env::temp_dir().join(format!("benchgate-criterion-{}", std::process::id()));
    let bench = tmp.join("report/new");
    std::fs::create_dir_all(&bench).unwrap();
    std::fs::create_dir_all(tmp.join("report/report")).unwrap();
    std::fs::write(bench.join("benchmark.json"), b"{}").unwrap();
    std::fs::write(bench.join("raw.csv"), b"x").unwrap();
    std::fs::write(tmp.join("report/report/index.html"), b"<html>").unwrap();
    std::fs::write(tmp.join("other.json"), b"[]").unwrap();
    let t = criterion::read_tree(&tmp).unwrap();
    // A benchmark called `report` lives in a directory named like criterion's report.
    assert_eq!(
        t.files,
        vec![("report/new/benchmark.json".to_string(), b"{}".to_vec())]
    );
    assert!(criterion::looks_like(&tmp));
    std::fs::remove_dir_all(&tmp).unwrap();

    let missing = tmp.join("nowhere");
    let e = criterion::read_tree(&missing).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{}: ", missing.display())),
        "{e}"
    );
}

#[test]
fn looks_like_finds_benchmark_json_in_a_sub_directory() {
    let dir = fixture_dir();
    assert!(criterion::looks_like(&dir.join("target-criterion")));
    // From further up (a project root holding target/criterion) too.
    assert!(criterion::looks_like(&dir));
    // One benchmark's directory holds `<baseline>/benchmark.json`.
    assert!(criterion::looks_like(
        &dir.join("target-criterion/checksum")
    ));
    // A baseline directory itself holds benchmark.json, not `*/benchmark.json`.
    assert!(!criterion::looks_like(
        &dir.join("target-criterion/checksum/new")
    ));
    assert!(!criterion::looks_like(&dir.join("bench-crate/benches")));
    assert!(!criterion::looks_like(&dir.join("no such directory")));
}

#[test]
fn baselines_are_every_directory_holding_benchmark_json() {
    let b: Vec<String> = criterion::baselines(tree()).into_iter().collect();
    assert_eq!(b, ["after", "base", "before", "new"]);
    assert!(criterion::baselines(&Tree::default()).is_empty());
}

#[test]
fn criterion_is_a_directory_format_no_file_sniffer_claims_its_files() {
    assert!(Format::Criterion.is_directory());
    for (path, bytes) in &tree().files {
        assert_eq!(detect(bytes), None, "{path}");
    }
    let stdout = std::fs::read(fixture_dir().join("stdout.txt")).unwrap();
    assert_eq!(detect(&stdout), None);
    let e =
        benchgate_adapters::parse(Format::Criterion, file("checksum/new/sample.json")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "criterion results are a directory (target/criterion), not a file"
    );
}

// ---------------------------------------------------------------------------------------------
// The `new` baseline

#[test]
fn new_holds_every_benchmark_sorted_by_full_id() {
    let p = parsed("new");
    let names: Vec<&str> = p.benchmarks.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, NAMES_NEW);
    assert!(p.benchmarks.iter().all(|b| b.status == Status::Ok));
    assert!(p.benchmarks.iter().all(|b| b.command.is_none()));
    assert_eq!(
        p.context.tags,
        params(&[("criterion_baseline", "new")]),
        "run-level facts"
    );
    assert_eq!(p.context.hostname, None);
    assert_eq!(p.context.started_at, None);
}

#[test]
fn a_plain_bench_function_keeps_every_sample_and_label() {
    let p = parsed("new");
    let b = bench(&p, "checksum");
    assert!(b.params.is_empty());
    assert_eq!(measures(b), ["wall_time"]);
    let m = metric(b, Measure::WallTime);
    assert_eq!(m.unit, Unit::Nanoseconds);
    assert_eq!(m.direction, Direction::LowerIsBetter);
    assert!(!m.exact);
    let iters = [
        3456.0, 6912.0, 10368.0, 13824.0, 17280.0, 20736.0, 24192.0, 27648.0, 31104.0, 34560.0,
    ];
    let times = [
        3232180.0, 6478378.0, 9674020.0, 13055311.0, 16145094.0, 19389869.0, 22635244.0,
        38356724.0, 41128992.0, 45862097.0,
    ];
    assert_eq!(m.samples, per_iter(&iters, &times));
    assert_eq!(m.samples[0], 935.2372685185185);
    assert_eq!(
        m.iterations.as_deref(),
        Some(
            &[
                3456, 6912, 10368, 13824, 17280, 20736, 24192, 27648, 31104, 34560
            ][..]
        )
    );
    assert_eq!(m.summary.n, 10);
    let expected = params(&[
        ("group_id", "checksum"),
        ("directory_name", "checksum"),
        ("title", "checksum"),
        ("sampling_mode", "Linear"),
        (
            "estimate.mean",
            "1059.1674827077823 ns (95% CI 937.7282717289462 to 1182.3908101851853 ns, SE 59.55044343548699 ns)",
        ),
        (
            "estimate.median",
            "936.4576512896825 ns (95% CI 934.7799189814814 to 1322.3055555555557 ns, SE 97.7774953303315 ns)",
        ),
        (
            "estimate.median_abs_dev",
            "4.097559782577858 ns (95% CI 0.5355161073906569 to 291.91270898852054 ns, SE 87.39293445642689 ns)",
        ),
        (
            "estimate.slope",
            "1193.9178406084657 ns (95% CI 937.229688265113 to 1302.1171377651895 ns, SE 79.95846516421285 ns)",
        ),
        (
            "estimate.std_dev",
            "198.3853919193846 ns (95% CI 4.511476747221258 to 225.67876636710474 ns, SE 41.73455149148449 ns)",
        ),
        (
            "tukey_fences",
            "low severe 57.00106698495392 ns, low mild 496.0610984519677 ns, high mild 1666.887849030671 ns, high severe 2105.947880497685 ns",
        ),
        (
            "change.mean",
            "+2.5583992012701584 (+255.84%; 95% CI +2.1487734405611274 to +2.998542107961559, SE 0.20551726297652728)",
        ),
        (
            "change.median",
            "+2.1514020484243264 (+215.14%; 95% CI +2.1439663258430426 to +3.4549108229669416, SE 0.3441218576550061)",
        ),
    ]);
    assert_eq!(b.labels, expected);
}

#[test]
fn a_numeric_parameter_becomes_value_and_bytes_give_bytes_per_second() {
    let p = parsed("new");
    let b = bench(&p, "hash/fnv/1024");
    assert_eq!(b.params, params(&[("value", "1024")]));
    assert_eq!(b.labels["group_id"], "hash");
    assert_eq!(b.labels["function_id"], "fnv");
    assert_eq!(b.labels["value_str"], "1024");
    assert_eq!(b.labels["throughput"], "Bytes=1024");
    assert_eq!(measures(b), ["wall_time", "bytes_per_second"]);
    let iters = [
        688.0, 1376.0, 2064.0, 2752.0, 3440.0, 4128.0, 4816.0, 5504.0, 6192.0, 6880.0,
    ];
    let times = [
        2638888.0, 5240576.0, 8042130.0, 10510077.0, 13147804.0, 15753129.0, 18456489.0,
        20999226.0, 23662811.0, 26581094.0,
    ];
    let wall = metric(b, Measure::WallTime);
    assert_eq!(wall.samples, per_iter(&iters, &times));
    let rate = metric(b, Measure::BytesPerSecond);
    assert_eq!(rate.unit, Unit::BytesPerSecond);
    assert_eq!(rate.direction, Direction::HigherIsBetter);
    let expected: Vec<f64> = per_iter(&iters, &times)
        .iter()
        .map(|ns| 1024.0 * 1e9 / ns)
        .collect();
    assert_eq!(rate.samples, expected);
    // 1024 B in 3835.59 ns: 267 MB/s.
    assert!((rate.samples[0] - 266_973_058.348_819_6).abs() < 1e-3);
    assert_eq!(rate.iterations, wall.iterations);
    assert_eq!(rate.iterations.as_ref().unwrap()[9], 6880);
}

#[test]
fn a_key_value_parameter_is_a_param_and_not_a_value() {
    let p = parsed("new");
    let b = bench(&p, "hash/fnv/size=1k");
    assert_eq!(b.params, params(&[("size", "1k")]));
    assert_eq!(b.labels["value_str"], "size=1k");
    assert_eq!(b.labels["throughput"], "Bytes=1024");

    let b = bench(&p, "count/sum/n=100");
    assert_eq!(b.params, params(&[("n", "100")]));
    assert_eq!(b.labels["throughput"], "Elements=100");
    assert_eq!(measures(b), ["wall_time", "throughput"]);
    let t = metric(b, Measure::Throughput);
    assert_eq!(t.unit, Unit::PerSecond);
    assert_eq!(t.direction, Direction::HigherIsBetter);
    assert_eq!(t.samples[0], 100.0 * 1e9 / (3237561.0 / 1937240.0));
    assert_eq!(t.iterations.as_ref().unwrap()[0], 1937240);
    assert_eq!(
        b.labels["change.mean"],
        "-0.0009842035347137346 (-0.10%; 95% CI -0.003909872001388048 to +0.002422168826941284, SE 0.001635632763943463)"
    );
}

#[test]
fn a_parameter_without_a_function_name() {
    let p = parsed("new");
    let b = bench(&p, "hash/4096");
    assert_eq!(b.params, params(&[("value", "4096")]));
    assert!(!b.labels.contains_key("function_id"));
    assert_eq!(b.labels["value_str"], "4096");
    assert_eq!(b.labels["throughput"], "Bytes=4096");
    assert_eq!(b.labels["directory_name"], "hash/4096");
}

#[test]
fn every_throughput_kind() {
    let p = parsed("new");
    let b = bench(&p, "rates/decimal");
    assert_eq!(b.labels["throughput"], "BytesDecimal=1000");
    assert_eq!(measures(b), ["wall_time", "bytes_per_second"]);
    assert_eq!(
        metric(b, Measure::BytesPerSecond).samples[0],
        1000.0 * 1e9 / (3473313.0 / 2834.0)
    );

    let b = bench(&p, "rates/bits");
    assert_eq!(b.labels["throughput"], "Bits=8192");
    assert_eq!(measures(b), ["wall_time", "bits_per_second"]);
    let bits = metric(b, Measure::Custom("bits_per_second".into()));
    assert_eq!(bits.unit, Unit::Custom("bit/s".into()));
    assert_eq!(bits.direction, Direction::HigherIsBetter);
    assert_eq!(bits.samples[4], 8192.0 * 1e9 / (20954903.0 / 9940.0));

    let b = bench(&p, "rates/rows");
    assert_eq!(
        b.labels["throughput"],
        "ElementsAndBytes=16 elements, 512 bytes"
    );
    assert_eq!(measures(b), ["wall_time", "throughput", "bytes_per_second"]);
    let ns = 2791915.0 / 4509.0;
    assert_eq!(metric(b, Measure::Throughput).samples[0], 16.0 * 1e9 / ns);
    assert_eq!(
        metric(b, Measure::BytesPerSecond).samples[0],
        512.0 * 1e9 / ns
    );
    assert_eq!(metric(b, Measure::Throughput).samples.len(), 10);
    assert_eq!(
        b.labels["estimate.slope"],
        "670.565949774333 ns (95% CI 625.7039226571627 to 700.1976013356442 ns, SE 19.19002898139829 ns)"
    );
}

#[test]
fn flat_sampling_has_equal_iterations_and_no_slope() {
    let p = parsed("new");
    let b = bench(&p, "flat/spin");
    assert_eq!(b.labels["sampling_mode"], "Flat");
    assert!(!b.labels.contains_key("estimate.slope"));
    assert!(b.labels.contains_key("estimate.mean"));
    let m = metric(b, Measure::WallTime);
    assert_eq!(m.iterations.as_deref(), Some(&[804; 10][..]));
    assert_eq!(m.samples[0], 17308746.0 / 804.0);
    assert_eq!(m.samples[5], 22072969.0 / 804.0);
}

#[test]
fn sanitised_directory_names_do_not_change_the_name() {
    let p = parsed("new");
    let b = bench(&p, "sanitise: ünï?/with space/slash é✓");
    assert_eq!(b.labels["group_id"], "sanitise: ünï?");
    assert_eq!(b.labels["function_id"], "with space/slash é✓");
    assert_eq!(
        b.labels["directory_name"],
        "sanitise_ ünï_/with space_slash é✓"
    );
    assert!(!b.labels.contains_key("directory"));
    assert!(b.params.is_empty());
    // `a/b` and `a?b` both sanitise to `a_b`; criterion named the second directory `a_b_2`.
    assert_eq!(
        bench(&p, "sanitise: ünï?/a/b").labels["directory_name"],
        "sanitise_ ünï_/a_b"
    );
    assert_eq!(
        bench(&p, "sanitise: ünï?/a?b").labels["directory_name"],
        "sanitise_ ünï_/a_b_2"
    );
}

#[test]
fn long_names_keep_the_full_id_not_the_cut_title_or_directory() {
    let p = parsed("new");
    let long = "ü".repeat(60);
    let b = bench(&p, &format!("long/{long}"));
    assert_eq!(b.labels["function_id"], long);
    assert_eq!(
        b.labels["directory_name"],
        format!("long/{}", "ü".repeat(32))
    );
    assert_eq!(b.labels["title"], format!("long/{}...", "ü".repeat(47)));
    assert_eq!(
        metric(b, Measure::WallTime).samples[0],
        3337307.0 / 1083552.0
    );
}

#[test]
fn two_directories_with_one_full_id_are_both_kept_and_named_by_directory() {
    let p = parsed("new");
    let a = bench(&p, "dup/x/y [dup/x_y]");
    let b = bench(&p, "dup/x/y [dup_x/y]");
    let note = "2 benchmark directories have the full id dup/x/y: dup/x_y, dup_x/y";
    for (bench, group, function, title) in [
        (a, "dup", "x/y", "dup/x/y"),
        (b, "dup/x", "y", "dup/x/y #2"),
    ] {
        assert_eq!(bench.labels["full_id"], "dup/x/y");
        assert_eq!(bench.labels["duplicate_full_id"], note);
        assert_eq!(bench.labels["group_id"], group);
        assert_eq!(bench.labels["function_id"], function);
        assert_eq!(bench.labels["title"], title);
        assert!(bench.params.is_empty());
    }
    assert_eq!(
        metric(b, Measure::WallTime).samples[9],
        32871569.0 / 2450550.0
    );
    assert_ne!(
        metric(a, Measure::WallTime).samples,
        metric(b, Measure::WallTime).samples
    );
    assert!(!bench(&p, "checksum").labels.contains_key("full_id"));
}

#[test]
fn new_keeps_the_last_results_of_a_benchmark_that_was_not_rerun() {
    // only_fast ran in runs 1 and 2 only: `new` still holds run 2, which is also `before`.
    let new = parsed("new");
    let before = parsed("before");
    let stale = bench(&new, "only_fast");
    assert_eq!(
        metric(stale, Measure::WallTime).samples,
        metric(bench(&before, "only_fast"), Measure::WallTime).samples
    );
    assert_eq!(
        metric(stale, Measure::WallTime).samples[0],
        3637250.0 / 64437.0
    );
    // Never compared (run 1 had no base, run 2 no `before`): no change labels.
    assert!(!stale.labels.keys().any(|k| k.starts_with("change.")));
    // only_slow ran in runs 3 and 4; run 4 had no base for it to compare with.
    let fresh = bench(&new, "only_slow");
    assert!(!fresh.labels.keys().any(|k| k.starts_with("change.")));
    let with_change = new
        .benchmarks
        .iter()
        .filter(|b| b.labels.contains_key("change.mean"))
        .count();
    assert_eq!(with_change, 15);
}

// ---------------------------------------------------------------------------------------------
// Named baselines

#[test]
fn named_baselines_hold_their_own_runs() {
    let before = parsed("before");
    let after = parsed("after");
    let base = parsed("base");
    let names =
        |p: &Parsed| -> Vec<String> { p.benchmarks.iter().map(|b| b.name.clone()).collect() };
    let without = |skip: &str| -> Vec<String> {
        NAMES_NEW
            .iter()
            .filter(|n| **n != skip)
            .map(|n| n.to_string())
            .collect()
    };
    assert_eq!(names(&before), without("only_slow"));
    assert_eq!(names(&after), without("only_fast"));
    assert_eq!(names(&base), NAMES_NEW);
    assert_eq!(after.context.tags["criterion_baseline"], "after");
    // change/ compares `new`: it is not a label of the other baselines.
    for p in [&before, &after, &base] {
        assert!(
            p.benchmarks
                .iter()
                .all(|b| !b.labels.keys().any(|k| k.starts_with("change.")))
        );
    }

    let fast = metric(bench(&before, "checksum"), Measure::WallTime);
    assert_eq!(fast.samples[0], 3639575.0 / 12236.0);
    assert_eq!(fast.iterations.as_ref().unwrap()[0], 12236);
    let slow = metric(bench(&after, "checksum"), Measure::WallTime);
    assert_eq!(slow.samples[0], 3246628.0 / 3465.0);
    // SLOW=1 triples the work per iteration.
    assert!(slow.summary.median > 2.5 * fast.summary.median);

    // Run 4 was a plain run: `base` is a copy of its `new`.
    let new = parsed("new");
    assert_eq!(
        metric(bench(&base, "checksum"), Measure::WallTime).samples,
        metric(bench(&new, "checksum"), Measure::WallTime).samples
    );
    // ...but `base` of only_fast is run 1's, older than `new` (run 2).
    assert_ne!(
        metric(bench(&base, "only_fast"), Measure::WallTime).samples,
        metric(bench(&new, "only_fast"), Measure::WallTime).samples
    );
}

#[test]
fn one_benchmarks_directory_is_a_tree_too() {
    let t = criterion::read_tree(&fixture_dir().join("target-criterion/hash/fnv/1024")).unwrap();
    assert_eq!(t.files.len(), 17);
    let p = criterion::parse(&t, "new").unwrap();
    assert_eq!(p.benchmarks.len(), 1);
    let b = &p.benchmarks[0];
    assert_eq!(b.name, "hash/fnv/1024");
    assert_eq!(b.labels["directory"], ".");
    assert_eq!(b.labels["directory_name"], "hash/fnv/1024");
    assert_eq!(
        b.metrics,
        bench(&parsed("new"), "hash/fnv/1024").metrics,
        "same metrics as in the whole tree"
    );
}

// ---------------------------------------------------------------------------------------------
// Trees that are not quite right

#[test]
fn a_missing_baseline_names_the_ones_there_are() {
    let e = err(tree(), "main");
    assert_eq!(e.file, None);
    assert_eq!(e.location, Location::Input);
    assert_eq!(
        e.to_string(),
        "the criterion directory has no baseline `main`; it has `after`, `base`, `before`, `new`"
    );
    // `change` holds estimates.json only: not a baseline.
    assert_eq!(
        err(tree(), "change").to_string(),
        "the criterion directory has no baseline `change`; it has `after`, `base`, `before`, `new`"
    );
}

#[test]
fn a_tree_without_benchmarks_says_what_was_expected() {
    let expected = "no criterion benchmarks found; expected a criterion directory (target/criterion) holding */new/benchmark.json";
    assert_eq!(err(&Tree::default(), "new").to_string(), expected);
    let only_samples = Tree {
        files: vec![(
            "x/new/sample.json".into(),
            file("checksum/new/sample.json").to_vec(),
        )],
    };
    assert_eq!(err(&only_samples, "new").to_string(), expected);
    let top_level = Tree {
        files: vec![(
            "benchmark.json".into(),
            file("checksum/new/benchmark.json").to_vec(),
        )],
    };
    assert_eq!(err(&top_level, "new").to_string(), expected);
}

#[test]
fn an_interrupted_run_is_reported_in_the_context() {
    // criterion writes benchmark.json last: checksum/after without it is an interrupted run.
    let mut t = remove(subtree("checksum"), "checksum/after/benchmark.json");
    t.files.extend(subtree("flat").files);
    let p = criterion::parse(&t, "after").unwrap();
    let names: Vec<&str> = p.benchmarks.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["flat/spin"]);
    assert_eq!(
        p.context.tags["criterion_incomplete"],
        "no benchmark.json (an interrupted run?) in checksum/after"
    );
    assert!(
        !criterion::parse(&t, "new")
            .unwrap()
            .context
            .tags
            .contains_key("criterion_incomplete")
    );
}

#[test]
fn a_missing_sample_file_is_named() {
    let t = remove(subtree("checksum"), "checksum/new/sample.json");
    let e = err(&t, "new");
    assert_eq!(e.file.as_deref(), Some("checksum/new/sample.json"));
    assert_eq!(
        e.to_string(),
        "checksum/new/sample.json: missing: criterion writes sample.json beside checksum/new/benchmark.json"
    );
    // estimates.json and tukey.json are criterion's derived figures: without them, no labels.
    let t = remove(
        remove(subtree("checksum"), "checksum/new/estimates.json"),
        "checksum/new/tukey.json",
    );
    let p = criterion::parse(&t, "new").unwrap();
    let b = &p.benchmarks[0];
    assert!(!b.labels.keys().any(|k| k.starts_with("estimate.")));
    assert!(!b.labels.contains_key("tukey_fences"));
    assert!(b.labels.contains_key("change.mean"));
    assert_eq!(metric(b, Measure::WallTime).samples.len(), 10);
}

fn sample_error(sample: &str) -> String {
    let t = replace(
        subtree("checksum"),
        "checksum/new/sample.json",
        sample.as_bytes(),
    );
    err(&t, "new").to_string()
}

#[test]
fn bad_samples_are_errors_naming_the_file_and_json_path() {
    assert_eq!(
        sample_error(r#"{"sampling_mode":"Linear","iters":[1.0,2.0,1.5],"times":[1.0,2.0,3.0]}"#),
        "checksum/new/sample.json: $.iters[2]: expected a whole, positive iteration count, found 1.5"
    );
    assert_eq!(
        sample_error(r#"{"iters":[-4.0],"times":[1.0]}"#),
        "checksum/new/sample.json: $.iters[0]: expected a whole, positive iteration count, found -4"
    );
    assert_eq!(
        sample_error(r#"{"iters":[0],"times":[1.0]}"#),
        "checksum/new/sample.json: $.iters[0]: expected a whole, positive iteration count, found 0"
    );
    assert_eq!(
        sample_error(r#"{"iters":[1e30],"times":[1.0]}"#),
        "checksum/new/sample.json: $.iters[0]: expected a whole, positive iteration count, found 1000000000000000000000000000000"
    );
    assert_eq!(
        sample_error(r#"{"iters":[1.0,2.0],"times":[1.0]}"#),
        "checksum/new/sample.json: $.times: expected as many times as iteration counts (2), found 1"
    );
    assert_eq!(
        sample_error(r#"{"iters":[],"times":[]}"#),
        "checksum/new/sample.json: $.iters: expected at least one sample, found none"
    );
    assert_eq!(
        sample_error(r#"{"iters":[1.0],"times":[-5.0]}"#),
        "checksum/new/sample.json: $.times[0]: expected a total time in nanoseconds (not negative), found -5"
    );
    assert_eq!(
        sample_error("{\"iters\":[1.0],\n\"times\":[\"3\"]}"),
        "checksum/new/sample.json: $.times[0]: invalid type: string \"3\", expected f64 (line 2, column 12)"
    );
    assert_eq!(
        sample_error(r#"{"iters":[1.0]}"#),
        "checksum/new/sample.json: $: missing field `times` (line 1, column 15)"
    );
    assert_eq!(
        sample_error(r#"{"iters":null,"times":[]}"#),
        "checksum/new/sample.json: $.iters: invalid type: null, expected a sequence (line 1, column 13)"
    );
    assert_eq!(
        sample_error(r#"[[1.0, 2.5], [3.0, 4.0]]"#),
        "checksum/new/sample.json: $[0][1]: expected a whole, positive iteration count, found 2.5"
    );
    assert_eq!(
        sample_error(""),
        "checksum/new/sample.json: $: EOF while parsing a value (line 1, column 0)"
    );
    assert_eq!(
        sample_error("   \n"),
        "checksum/new/sample.json: $: EOF while parsing a value (line 2, column 0)"
    );
    assert_eq!(
        sample_error(r#"{"sampling_mode":"Linear","iters":[3456.0,69"#),
        "checksum/new/sample.json: $.iters: EOF while parsing a list (line 1, column 44)"
    );
    assert_eq!(
        sample_error(r#"{"sampling_mode":"Lin"#),
        "checksum/new/sample.json: $.sampling_mode: EOF while parsing a string (line 1, column 21)"
    );
    assert_eq!(
        sample_error("\u{0}\u{1}binary\u{ff}"),
        "checksum/new/sample.json: $: expected value (line 1, column 1)"
    );
}

#[test]
fn another_formats_file_in_place_of_a_criterion_file_is_an_error() {
    let hyperfine = br#"{"results": [{"command": "sleep 0.1", "mean": 0.1, "times": [0.1, 0.1]}]}"#;
    let t = replace(subtree("checksum"), "checksum/new/sample.json", hyperfine);
    assert_eq!(
        err(&t, "new").to_string(),
        "checksum/new/sample.json: $: missing field `iters` (line 1, column 73)"
    );
    let t = replace(
        subtree("checksum"),
        "checksum/new/benchmark.json",
        hyperfine,
    );
    assert_eq!(
        err(&t, "new").to_string(),
        "checksum/new/benchmark.json: $: missing field `group_id` (line 1, column 73)"
    );
    let go = b"BenchmarkParse-8   \t 1000000\t      1234 ns/op\n";
    let t = replace(subtree("checksum"), "checksum/new/benchmark.json", go);
    assert_eq!(
        err(&t, "new").to_string(),
        "checksum/new/benchmark.json: $: expected value (line 1, column 1)"
    );
}

#[test]
fn bad_benchmark_estimates_and_tukey_files_are_named() {
    let bad = |path: &str, bytes: &str| {
        let t = replace(subtree("hash/fnv/1024"), path, bytes.as_bytes());
        err(&t, "new").to_string()
    };
    assert_eq!(
        bad(
            "hash/fnv/1024/new/benchmark.json",
            r#"{"group_id":"hash","throughput":{"Bytes":-1}}"#
        ),
        "hash/fnv/1024/new/benchmark.json: $.throughput.Bytes: expected a whole number of bytes per iteration, found -1"
    );
    assert_eq!(
        bad(
            "hash/fnv/1024/new/benchmark.json",
            r#"{"group_id":"hash","throughput":{"ElementsAndBytes":{"elements":2}}}"#
        ),
        "hash/fnv/1024/new/benchmark.json: $.throughput.ElementsAndBytes: expected {\"elements\": …, \"bytes\": …}, found {\"elements\":2}"
    );
    assert_eq!(
        bad("hash/fnv/1024/new/benchmark.json", r#"{"group_id":7}"#),
        "hash/fnv/1024/new/benchmark.json: $.group_id: invalid type: integer `7`, expected a string (line 1, column 13)"
    );
    assert_eq!(
        bad(
            "hash/fnv/1024/new/benchmark.json",
            r#"{"group_id":"hash","full_id":"hash/fnv/1024","tit"#
        ),
        "hash/fnv/1024/new/benchmark.json: $: EOF while parsing a string (line 1, column 49)"
    );
    assert_eq!(
        bad(
            "hash/fnv/1024/new/estimates.json",
            r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1,"upper_bound":2},"point_estimate":"x"}}"#
        ),
        "hash/fnv/1024/new/estimates.json: $.mean.point_estimate: invalid type: string \"x\", expected f64 (line 1, column 109)"
    );
    assert_eq!(
        bad("hash/fnv/1024/new/estimates.json", r#"[1, 2]"#),
        "hash/fnv/1024/new/estimates.json: $: invalid type: sequence, expected a map (line 1, column 0)"
    );
    assert_eq!(
        bad("hash/fnv/1024/new/tukey.json", r#"[1.0, 2.0, 3.0]"#),
        "hash/fnv/1024/new/tukey.json: $: invalid length 3, expected an array of length 4 (line 1, column 15)"
    );
    assert_eq!(
        bad("hash/fnv/1024/change/estimates.json", r#"{"mean": 3}"#),
        "hash/fnv/1024/change/estimates.json: $.mean: invalid type: integer `3`, expected struct Estimate (line 1, column 10)"
    );
}

#[test]
fn the_first_bad_file_in_directory_order_is_reported() {
    let t = replace(tree().clone(), "rates/bits/new/sample.json", b"{");
    let t = replace(t, "hash/4096/new/sample.json", b"[");
    assert_eq!(
        err(&t, "new").file.as_deref(),
        Some("hash/4096/new/sample.json")
    );
    // Another baseline does not read those files.
    assert_eq!(criterion::parse(&t, "before").unwrap().benchmarks.len(), 16);
}

#[test]
fn unknown_fields_and_kinds_are_kept_as_labels() {
    let id = r#"{"group_id":"g","function_id":null,"value_str":"v=1","throughput":{"Pixels":64},"extra":{"a":[1,2]}}"#;
    let sample = r#"{"sampling_mode":"Linear","iters":[2.0,4.0],"times":[10.0,30.0],"measurement":"cycles"}"#;
    let estimates = r#"{"mean":{"confidence_interval":{"confidence_level":0.9,"lower_bound":null,"upper_bound":6.0},"point_estimate":5.5,"standard_error":null},"slope":null,"typical":{"confidence_interval":{"confidence_level":0.99,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.25}}"#;
    let t = Tree {
        files: vec![
            ("g/new/benchmark.json".into(), id.as_bytes().to_vec()),
            ("g/new/sample.json".into(), sample.as_bytes().to_vec()),
            ("g/new/estimates.json".into(), estimates.as_bytes().to_vec()),
            ("g/new/tukey.json".into(), b"[null, 1.5, 2.5, 3]".to_vec()),
        ],
    };
    let p = criterion::parse(&t, "new").unwrap();
    let b = &p.benchmarks[0];
    // No full_id: built the way criterion builds it.
    assert_eq!(b.name, "g/v=1");
    assert_eq!(b.params, params(&[("v", "1")]));
    assert_eq!(
        b.labels,
        params(&[
            ("group_id", "g"),
            ("value_str", "v=1"),
            ("directory", "g"),
            ("throughput", r#"{"Pixels":64}"#),
            ("benchmark.extra", r#"{"a":[1,2]}"#),
            ("sample.measurement", r#""cycles""#),
            ("sampling_mode", "Linear"),
            ("estimate.mean", "5.5 ns (90% CI null to 6 ns, SE null ns)"),
            ("estimate.typical", "1.5 ns (99% CI 1 to 2 ns, SE 0.25 ns)"),
            (
                "tukey_fences",
                "low severe null ns, low mild 1.5 ns, high mild 2.5 ns, high severe 3 ns"
            ),
        ])
    );
    // An unknown throughput kind gives no rate.
    assert_eq!(measures(b), ["wall_time"]);
    assert_eq!(metric(b, Measure::WallTime).samples, [5.0, 7.5]);
    assert_eq!(
        metric(b, Measure::WallTime).iterations.as_deref(),
        Some(&[2, 4][..])
    );
}

#[test]
fn old_criterion_sample_files_are_read() {
    let t = Tree {
        files: vec![
            (
                "old/new/benchmark.json".into(),
                br#"{"group_id":"old","function_id":null,"value_str":null,"throughput":{"Elements":3}}"#.to_vec(),
            ),
            (
                "old/new/sample.json".into(),
                b" [[10.0, 20.0, 30.0], [100.0, 180.0, 330.0]]".to_vec(),
            ),
        ],
    };
    let p = criterion::parse(&t, "new").unwrap();
    let b = &p.benchmarks[0];
    assert_eq!(b.name, "old");
    assert!(!b.labels.contains_key("sampling_mode"));
    assert_eq!(metric(b, Measure::WallTime).samples, [10.0, 9.0, 11.0]);
    assert_eq!(
        metric(b, Measure::Throughput).samples,
        [3e9 / 10.0, 3e9 / 9.0, 3e9 / 11.0]
    );
}

#[test]
fn a_zero_time_gives_no_rate_and_says_so() {
    let t = Tree {
        files: vec![
            (
                "z/new/benchmark.json".into(),
                br#"{"group_id":"z","throughput":{"Bytes":8}}"#.to_vec(),
            ),
            (
                "z/new/sample.json".into(),
                br#"{"iters":[1.0,2.0,4.0],"times":[0.0,4.0,0.0]}"#.to_vec(),
            ),
        ],
    };
    let p = criterion::parse(&t, "new").unwrap();
    let b = &p.benchmarks[0];
    assert_eq!(metric(b, Measure::WallTime).samples, [0.0, 2.0, 0.0]);
    let rate = metric(b, Measure::BytesPerSecond);
    assert_eq!(rate.samples, [4e9]);
    assert_eq!(rate.iterations.as_deref(), Some(&[2][..]));
    assert_eq!(
        b.labels["nan.bytes_per_second"],
        "2 of 3 values were not finite (a sample took no time)"
    );
}

#[test]
fn copied_trees_with_clashing_names_are_disambiguated_or_refused() {
    let id = |full: &str| format!(r#"{{"group_id":"g","full_id":"{full}"}}"#).into_bytes();
    let sample = br#"{"iters":[1.0],"times":[5.0]}"#.to_vec();
    let mut files = vec![];
    for (dir, full) in [("a", "x"), ("b", "x"), ("c/d", "x"), ("e", "y")] {
        files.push((format!("{dir}/new/benchmark.json"), id(full)));
        files.push((format!("{dir}/new/sample.json"), sample.clone()));
    }
    let p = criterion::parse(
        &Tree {
            files: files.clone(),
        },
        "new",
    )
    .unwrap();
    let names: Vec<&str> = p.benchmarks.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["x [a]", "x [b]", "x [c/d]", "y"]);
    assert_eq!(
        p.benchmarks[2].labels["duplicate_full_id"],
        "3 benchmark directories have the full id x: a, b, c/d"
    );
    // A full id that is literally a disambiguated name: refused, never merged.
    files.push(("f/new/benchmark.json".into(), id("x [a]")));
    files.push(("f/new/sample.json".into(), sample));
    let e = err(&Tree { files }, "new");
    assert_eq!(
        e.to_string(),
        "f/new/benchmark.json: two benchmarks of baseline `new` are both called \"x [a]\" (the second in f)"
    );
}

#[test]
fn truncating_any_file_at_any_byte_is_an_error_naming_it() {
    // Each file of the tree, cut at every byte (at 300 spread offsets for the longer ones), in
    // the smallest tree that reads it: its benchmark directory's files of that baseline (and
    // change/ for `new`).
    let mut cuts = 0;
    for (path, bytes) in &tree().files {
        let (dir, rest) = path.rsplit_once('/').unwrap().0.rsplit_once('/').unwrap();
        let baseline = if rest == "change" { "new" } else { rest };
        let small = Tree {
            files: tree()
                .files
                .iter()
                .filter(|(p, _)| {
                    p.starts_with(&format!("{dir}/{baseline}/"))
                        || (baseline == "new" && p.starts_with(&format!("{dir}/change/")))
                })
                .cloned()
                .collect(),
        };
        let offsets: Vec<usize> = if bytes.len() <= 300 {
            (0..bytes.len()).collect()
        } else {
            (0..300).map(|i| bytes.len() * i / 300).collect()
        };
        for cut in offsets {
            let t = replace(small.clone(), path, &bytes[..cut]);
            // A JSON object or array cut short is never valid JSON.
            let e = criterion::parse(&t, baseline).unwrap_err();
            assert_eq!(e.file.as_deref(), Some(path.as_str()));
            cuts += 1;
        }
    }
    assert!(cuts > 50_000, "{cuts}");
}

#[test]
fn garbage_trees_never_panic() {
    let junk: [&[u8]; 6] = [
        b"",
        b"\xff\xfe\x00garbage",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        br#"{"iters":[1e308],"times":[1e308]}"#,
        br#"{"group_id":"", "full_id": "/=/==/"}"#,
        br#"{"iters":[18446744073709551615.0],"times":[1.0]}"#,
    ];
    let names = [
        "a/new/benchmark.json",
        "a/new/sample.json",
        "a/new/estimates.json",
        "a/new/tukey.json",
        "a/change/estimates.json",
        "new/benchmark.json",
        "/new/benchmark.json",
        "//benchmark.json",
    ];
    for j in junk {
        for n in names {
            let mut t = subtree("checksum");
            t.files.push((n.to_string(), j.to_vec()));
            t = replace(t, &n.replace("a/", "checksum/"), j);
            let _ = criterion::parse(&t, "new");
            let _ = criterion::baselines(&t);
        }
    }
    // A huge but valid iteration count is kept exactly.
    let t = Tree {
        files: vec![
            (
                "h/new/benchmark.json".into(),
                br#"{"group_id":"h"}"#.to_vec(),
            ),
            (
                "h/new/sample.json".into(),
                br#"{"iters":[18446744073709549568.0],"times":[1e30]}"#.to_vec(),
            ),
        ],
    };
    let p = criterion::parse(&t, "new").unwrap();
    assert_eq!(
        metric(&p.benchmarks[0], Measure::WallTime)
            .iterations
            .as_deref(),
        Some(&[18_446_744_073_709_549_568][..])
    );
    // 2^64 does not fit.
    let t = replace(
        t,
        "h/new/sample.json",
        br#"{"iters":[18446744073709551616.0],"times":[1.0]}"#,
    );
    assert_eq!(
        err(&t, "new").to_string(),
        "h/new/sample.json: $.iters[0]: expected a whole, positive iteration count, found 18446744073709552000"
    );
}

#[test]
fn a_file_listed_twice_is_refused() {
    let t = subtree("checksum");
    let twice = replace(
        t.clone(),
        "/checksum/new/sample.json",
        file("checksum/new/sample.json"),
    );
    // `/checksum/new/sample.json` splits into directory `/checksum`: a benchmark of its own,
    // without benchmark.json, so an incomplete one.
    let p = criterion::parse(&twice, "new").unwrap();
    assert_eq!(p.benchmarks.len(), 1);
    assert_eq!(
        p.context.tags["criterion_incomplete"],
        "no benchmark.json (an interrupted run?) in /checksum/new"
    );
    let mut dup = t.clone();
    dup.files.push((
        "checksum/new/sample.json".into(),
        br#"{"iters":[1.0],"times":[1.0]}"#.to_vec(),
    ));
    let e = err(&dup, "new");
    assert_eq!(
        e.to_string(),
        "checksum/new/sample.json: the tree holds this file twice"
    );
    let one = Tree {
        files: vec![
            (
                "new/benchmark.json".into(),
                file("checksum/new/benchmark.json").to_vec(),
            ),
            (
                "/new/benchmark.json".into(),
                file("checksum/new/benchmark.json").to_vec(),
            ),
        ],
    };
    assert_eq!(
        err(&one, "new").to_string(),
        "/new/benchmark.json: the tree holds this file twice"
    );
}

/// A tree of `n` copies of hash/fnv/1024 (all files of `new`, a `base` sample and `change/`).
fn many(n: usize) -> Tree {
    let id = String::from_utf8_lossy(file("hash/fnv/1024/new/benchmark.json")).into_owned();
    let copy = |path: &str| file(&format!("hash/fnv/1024/{path}")).to_vec();
    let mut files = Vec::new();
    for i in 0..n {
        let dir = format!("g{}/f/{i}", i % 97);
        files.push((
            format!("{dir}/new/benchmark.json"),
            id.replace("hash/fnv/1024", &dir).into_bytes(),
        ));
        for f in ["sample", "estimates", "tukey"] {
            files.push((
                format!("{dir}/new/{f}.json"),
                copy(&format!("new/{f}.json")),
            ));
        }
        files.push((format!("{dir}/base/sample.json"), copy("base/sample.json")));
        files.push((
            format!("{dir}/change/estimates.json"),
            copy("change/estimates.json"),
        ));
    }
    Tree { files }
}

#[test]
fn ten_thousand_benchmarks_parse_quickly() {
    let timed = |t: &Tree| {
        let start = Instant::now();
        let p = criterion::parse(t, "new").unwrap();
        (p, start.elapsed().as_secs_f64())
    };
    let (small, t_small) = timed(&many(1_000));
    let (p, took) = timed(&many(10_000));
    assert_eq!(small.benchmarks.len(), 1_000);
    assert_eq!(p.benchmarks.len(), 10_000);
    assert_eq!(p.benchmarks[0].name, "g0/f/0");
    assert_eq!(p.benchmarks[1].name, "g0/f/1067");
    assert!(p.benchmarks.iter().all(|b| {
        b.metrics.len() == 2 && b.metrics[0].samples.len() == 10 && b.labels.len() == 15
    }));
    // About 0.6 s in a release build on this 2-core machine, 2 s unoptimised. Ten times the
    // benchmarks must take about ten times as long, not a hundred (generous: machines are noisy).
    let limit = if cfg!(debug_assertions) { 30.0 } else { 5.0 };
    assert!(took < limit, "took {took} s");
    assert!(
        took < 30.0 * t_small.max(0.001),
        "{took} s for 10 000, {t_small} s for 1 000"
    );
}

// ---------------------------------------------------------------------------------------------
// cargo bench's stdout and command line

#[test]
fn sniff_stdout_recognises_criterions_output() {
    let stdout = std::fs::read(fixture_dir().join("stdout.txt")).unwrap();
    assert!(criterion::sniff_stdout(&stdout));
    // The first line alone, and cut mid-line after the closing bracket.
    let first = stdout.split(|&c| c == b'\n').next().unwrap();
    assert_eq!(
        first,
        "checksum                time:   [937.23 ns 1.1939 µs 1.3021 µs]".as_bytes()
    );
    assert!(criterion::sniff_stdout(first));
    assert!(!criterion::sniff_stdout(&first[..first.len() - 1]));
    assert!(!criterion::sniff_stdout(&first[..40]));
    // A long name on its own line, the figures on the next.
    assert!(criterion::sniff_stdout(
        "sanitise: ünï?/with space/slash é✓\n                        time:   [20.265 ns 20.505 ns 20.824 ns]\n".as_bytes()
    ));
    // Coloured (criterion colours a terminal) and with CRLF line ends.
    assert!(criterion::sniff_stdout(
        b"\x1b[32mparse\x1b[0m                   time:   [\x1b[2m1.0 ms\x1b[0m \x1b[1m1.1 ms\x1b[0m \x1b[2m1.2 ms\x1b[0m]\r\n"
    ));
    // Whatever came first (libtest's lines of a lib target, a 64 KiB head cut anywhere).
    let mut mixed = b"\nrunning 0 tests\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n\n".to_vec();
    mixed.extend_from_slice(&stdout);
    assert!(criterion::sniff_stdout(&mixed));
    for cut in 0..stdout.len() {
        let _ = criterion::sniff_stdout(&stdout[..cut]);
    }
}

#[test]
fn sniff_stdout_refuses_other_output() {
    let others: [&[u8]; 12] = [
        b"",
        b"\n\n",
        b"\xff\xfe\x00\x01time:",
        // criterion's own change lines without the time line.
        "                        change: [+214.88% +255.84% +299.85%] (p = 0.00 < 0.05)\n                        time:   [+203.87% +204.98% +206.45%] (p = 0.00 < 0.05)\n".as_bytes(),
        // --output-format bencher: libtest's format, read by the libtest adapter.
        b"test checksum ... bench:         937 ns/iter (+/- 123)\n",
        b"test bench_parse ... bench:       1,234 ns/iter (+/- 56)\n",
        b"goos: linux\nBenchmarkParse-8   \t 1000000\t      1234 ns/op\nPASS\n",
        "Benchmark 1: sleep 0.1\n  Time (mean ± σ):     100.2 ms ±   0.1 ms    [User: 0.4 ms, System: 0.7 ms]\n".as_bytes(),
        br#"{"results": [{"command": "x", "times": [1.0]}]}"#,
        b"elapsed time: [1 2 3 4 5 6]\n",
        b"runtime:   [1.0 ns 2.0 ns 3.0 ns]\n",
        b"x time:   [1.0 ns 2.0 ns]\n",
    ];
    for o in others {
        assert!(
            !criterion::sniff_stdout(o),
            "{}",
            String::from_utf8_lossy(o)
        );
    }
}

fn args(line: &str) -> Vec<String> {
    line.split_whitespace().map(String::from).collect()
}

#[test]
fn saved_baseline_reads_criterions_flag() {
    let s = |line: &str| criterion::saved_baseline(&args(line));
    assert_eq!(
        s("cargo bench -- --save-baseline before"),
        Some("before".into())
    );
    assert_eq!(
        s("cargo bench --bench fixture -- --save-baseline=after --noplot"),
        Some("after".into())
    );
    assert_eq!(s("cargo bench -- -s main"), Some("main".into()));
    assert_eq!(s("cargo bench -- -smain"), Some("main".into()));
    assert_eq!(s("cargo bench -- -vs main"), Some("main".into()));
    assert_eq!(s("cargo bench -- -s=main"), Some("main".into()));
    assert_eq!(
        s("./target/release/deps/fixture-123 --bench --save-baseline x"),
        Some("x".into())
    );
    assert_eq!(s("cargo bench"), None);
    assert_eq!(s("cargo bench -- --baseline before"), None);
    assert_eq!(s("cargo bench -- -b before"), None);
    assert_eq!(s("cargo bench -- --save-baseline"), None);
    // A flag's value or a filter is not the flag.
    assert_eq!(s("cargo bench -- --baseline --save-baseline"), None);
    assert_eq!(s("cargo bench -- --color always hash"), None);
    assert_eq!(s("cargo bench -- -- --save-baseline x"), None);
    assert_eq!(s("cargo bench -- --save-baseline-x y"), None);
    assert_eq!(
        s("cargo bench -- --sample-size 10 -n -s b2"),
        Some("b2".into())
    );
}

#[test]
fn writes_results_is_false_for_runs_that_save_nothing() {
    let w = |line: &str| criterion::writes_results(&args(line));
    assert!(w("cargo bench"));
    assert!(w("cargo bench -- --save-baseline x"));
    assert!(w("cargo bench -- --baseline x"));
    assert!(!w("cargo bench -- --discard-baseline"));
    assert!(!w("cargo bench -- --baseline x --load-baseline y"));
    assert!(!w("cargo bench -- --profile-time=5"));
    assert!(!w("cargo bench -- --list"));
    assert!(!w("cargo test --benches -- --test"));
    assert!(!w("cargo bench -- --ignored"));
    // A filter after a second `--` is not a flag.
    assert!(w("cargo bench -- -- --list"));
}
