//! The check language: exact values of each form, and errors with their columns.

use std::collections::BTreeMap;

use benchgate_check::{
    Cmp, Data, EvalError, ExprKind, Func, Measured, ParseError, Quantity, Selected, Unavailable,
    evaluate, parse,
};
use benchgate_model::Unit;

/// Benchmarks with their values by measure; a name mapped to `Err` was skipped or failed.
#[derive(Default)]
struct Values {
    order: Vec<String>,
    values: BTreeMap<(String, String), Measured>,
    unavailable: BTreeMap<String, Unavailable>,
}

impl Values {
    fn with(mut self, name: &str, measure: &str, value: f64, unit: Unit) -> Values {
        if !self.order.iter().any(|n| n == name) {
            self.order.push(name.to_string());
        }
        let higher_is_better = matches!(unit, Unit::PerSecond);
        self.values.insert(
            (name.to_string(), measure.to_string()),
            Measured {
                value,
                unit,
                higher_is_better,
            },
        );
        self
    }

    fn time(self, name: &str, ns: f64) -> Values {
        self.with(name, "wall_time", ns, Unit::Nanoseconds)
    }

    fn skipped(mut self, name: &str) -> Values {
        self.order.push(name.to_string());
        self.unavailable
            .insert(name.to_string(), Unavailable::Skipped("no HELIOS".into()));
        self
    }
}

impl Data for Values {
    fn names(&self) -> Vec<String> {
        self.order.clone()
    }

    fn value(&self, name: &str, measure: &str) -> Result<Measured, Unavailable> {
        if let Some(why) = self.unavailable.get(name) {
            return Err(why.clone());
        }
        if !self.order.iter().any(|n| n == name) {
            return Err(Unavailable::NoBenchmark);
        }
        self.values
            .get(&(name.to_string(), measure.to_string()))
            .cloned()
            .ok_or_else(|| Unavailable::NoMeasure {
                available: self
                    .values
                    .keys()
                    .filter(|(n, _)| n == name)
                    .map(|(_, m)| m.clone())
                    .collect(),
            })
    }

    /// A stand-in for the filter language (benchgate-gate evaluates the real one): a selection
    /// is a name prefix, `by: /k` reads the `k=value` part of the name, and a selection
    /// starting with `!` is one the data cannot evaluate.
    fn select(&self, selection: &str, by: Option<&str>) -> Result<Vec<Selected>, String> {
        if let Some(why) = selection.strip_prefix('!') {
            return Err(why.to_string());
        }
        Ok(self
            .order
            .iter()
            .filter(|name| name.starts_with(selection))
            .map(|name| Selected {
                name: name.clone(),
                key: by.and_then(|key| {
                    let key = key.strip_prefix('/')?;
                    name.split('/')
                        .find_map(|part| part.strip_prefix(key)?.strip_prefix('='))
                        .map(str::to_string)
                }),
            })
            .collect())
    }
}

fn parse_error(text: &str) -> ParseError {
    parse(text).expect_err(text)
}

#[test]
fn a_ratio_of_two_benchmarks() {
    let data = Values::default()
        .time("restore/cold", 120e6)
        .time("restore/warm", 2e6);
    let check = parse(r#""restore/cold" / "restore/warm" >= 50"#).unwrap();
    assert_eq!(check.cmp, Cmp::Ge);
    let e = evaluate(&check, "wall_time", &data).unwrap();
    assert_eq!(e.value, Quantity::plain(60.0));
    assert_eq!(e.bound, Quantity::plain(50.0));
    assert!(e.holds);
    let texts: Vec<&str> = e.terms.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, [r#""restore/cold""#, r#""restore/warm""#]);
    // The same with a warm restore that is only 40× faster fails.
    let slow = Values::default()
        .time("restore/cold", 120e6)
        .time("restore/warm", 3e6);
    let e = evaluate(&check, "wall_time", &slow).unwrap();
    assert_eq!(e.value.value, 40.0);
    assert!(!e.holds);
}

#[test]
fn arithmetic_precedence_units_and_measures() {
    let data = Values::default().time("a", 10e6).time("b", 4e6).with(
        "a",
        "max_rss",
        3.0 * 1024.0 * 1024.0,
        Unit::Bytes,
    );
    let e = evaluate(
        &parse(r#""a" - 2 * "b" <= 2.5ms"#).unwrap(),
        "wall_time",
        &data,
    )
    .unwrap();
    assert_eq!(e.value.value, 2e6);
    assert_eq!(e.value.unit, Some(Unit::Nanoseconds));
    assert_eq!(e.bound.value, 2.5e6);
    assert!(e.holds);
    let e = evaluate(
        &parse(r#"-("a" - "b") / 1ms < -5.5"#).unwrap(),
        "wall_time",
        &data,
    )
    .unwrap();
    assert_eq!(e.value.value, -6.0);
    assert!(e.holds);
    // Another measure, two spellings.
    for text in [r#""a".max_rss < 4MiB"#, r#"value("a", max_rss) < 4MiB"#] {
        let e = evaluate(&parse(text).unwrap(), "wall_time", &data).unwrap();
        assert_eq!(e.value.value, 3.0 * 1024.0 * 1024.0, "{text}");
        assert_eq!(e.value.unit, Some(Unit::Bytes));
        assert!(e.holds);
    }
    // The check's own measure when the expression names none.
    let e = evaluate(&parse(r#""a" > 3MB"#).unwrap(), "max_rss", &data).unwrap();
    assert!(e.holds);
    // Percentages and rates are canonical values.
    let e = evaluate(
        &parse("5% + 10k/s * 0 > 0.049").unwrap(),
        "wall_time",
        &data,
    )
    .unwrap();
    assert_eq!(e.value.value, 0.05);
}

#[test]
fn totals_per_operation() {
    let data = Values::default()
        .with("cleanup", "backend_calls", 1500.0, Unit::Count)
        .with("cleanup", "ops", 500.0, Unit::Count);
    let check = parse(r#""cleanup".backend_calls / "cleanup".ops <= 3"#).unwrap();
    let e = evaluate(&check, "wall_time", &data).unwrap();
    assert_eq!(e.value.value, 3.0);
    assert!(e.holds);
    let strict = parse(r#""cleanup".backend_calls / "cleanup".ops < 2.5"#).unwrap();
    assert!(!evaluate(&strict, "wall_time", &data).unwrap().holds);
    // A measure with a slash in its name is quoted.
    let go = Values::default().with("Parse", "B/op", 48.0, Unit::Bytes);
    let e = evaluate(
        &parse(r#""Parse"."B/op" <= 64B"#).unwrap(),
        "wall_time",
        &go,
    )
    .unwrap();
    assert_eq!(e.value.value, 48.0);
}

fn steps(values: &[(u32, f64)]) -> Values {
    values.iter().fold(Values::default(), |data, (n, ns)| {
        data.time(&format!("steps/n={n}"), *ns)
    })
}

#[test]
fn linearity_over_a_parameter() {
    // 2 ms + 1 ms per step: exactly linear.
    let linear = steps(&[(1, 3e6), (2, 4e6), (4, 6e6), (8, 10e6)]);
    let r2 = parse(r#"r2("steps/n=*") >= 0.98"#).unwrap();
    let e = evaluate(&r2, "wall_time", &linear).unwrap();
    assert_eq!(e.value, Quantity::plain(1.0));
    assert!(e.holds);
    let plain = |x: f64, _: &Unit| x.to_string();
    assert_eq!(
        e.terms[0]
            .detail
            .as_ref()
            .map(|d| d.describe(&plain))
            .as_deref(),
        Some(
            "4 benchmarks, parameter 1…8; slope 1000000 per unit, intercept 2000000, r² 1, \
             largest residual 0%"
        )
    );
    let slope = parse(r#"slope("steps/n=*", wall_time) <= 1.2ms"#).unwrap();
    let e = evaluate(&slope, "wall_time", &linear).unwrap();
    assert_eq!(e.value.value, 1e6);
    assert_eq!(e.value.unit, Some(Unit::Nanoseconds));
    assert!(e.holds);
    let intercept = parse(r#"intercept("steps/n=*") < 1ms"#).unwrap();
    let e = evaluate(&intercept, "wall_time", &linear).unwrap();
    assert_eq!(e.value.value, 2e6);
    assert!(!e.holds);
    // Quadratic growth: 1, 4, 16, 64 ms. In ms: Sxx = 28.75, Sxy = 266.25, Syy = 2562.75, so
    // r² = Sxy² / (Sxx · Syy) = 0.9621… < 0.98.
    let quadratic = steps(&[(1, 1e6), (2, 4e6), (4, 16e6), (8, 64e6)]);
    let e = evaluate(&r2, "wall_time", &quadratic).unwrap();
    let expected = 266.25f64.powi(2) / (28.75 * 2562.75);
    assert!(
        (e.value.value - expected).abs() < 1e-12,
        "{}",
        e.value.value
    );
    assert!(!e.holds);
    // The largest residual: the line is 9.26 ms/step − 13.48 ms; at n = 1 it is −4.22 ms against
    // 1 ms measured, 522 % of the value off the line.
    let residual = parse(r#"residual("steps/n=*") <= 10%"#).unwrap();
    let e = evaluate(&residual, "wall_time", &quadratic).unwrap();
    assert_eq!(e.value.unit, Some(Unit::Ratio));
    let slope = 266.25 / 28.75;
    let at_one = 21.25 - slope * 3.75 + slope;
    assert!(
        (e.value.value - (1.0 - at_one)).abs() < 1e-9,
        "{}",
        e.value.value
    );
    assert!(!e.holds);
    let e = evaluate(&residual, "wall_time", &linear).unwrap();
    assert_eq!(e.value.value, 0.0);
    assert!(e.holds);
}

#[test]
fn parameters_with_units_and_in_any_order() {
    let data = Values::default()
        .time("copy/size=4KiB", 4.0 * 1024.0 * 2.0)
        .time("copy/size=1KiB", 1024.0 * 2.0)
        .time("copy/size=2KiB", 2.0 * 1024.0 * 2.0);
    let e = evaluate(
        &parse(r#"slope("copy/size=*") <= 2"#).unwrap(),
        "wall_time",
        &data,
    )
    .unwrap();
    assert_eq!(e.value.value, 2.0);
    assert!(e.holds);
}

fn go_cpu(throughputs: &[(u32, f64)]) -> Values {
    // `go test -cpu 1,2,4`: Go leaves the suffix off at GOMAXPROCS 1.
    throughputs
        .iter()
        .fold(Values::default(), |data, (procs, t)| {
            let name = if *procs == 1 {
                "Encode".to_string()
            } else {
                format!("Encode-{procs}")
            };
            data.with(&name, "throughput", *t, Unit::PerSecond).with(
                &name,
                "wall_time",
                1e9 / t,
                Unit::Nanoseconds,
            )
        })
}

#[test]
fn scaling_efficiency_of_go_cpu_levels() {
    let data = go_cpu(&[(1, 1000.0), (2, 1900.0), (4, 3200.0)]);
    let check = parse(r#"efficiency("Encode", throughput) >= 0.7"#).unwrap();
    let e = evaluate(&check, "wall_time", &data).unwrap();
    assert_eq!(e.value, Quantity::plain(0.8));
    assert!(e.holds);
    let plain = |x: f64, _: &Unit| x.to_string();
    assert_eq!(
        e.terms[0]
            .detail
            .as_ref()
            .map(|d| d.describe(&plain))
            .as_deref(),
        Some("3 benchmarks, parameter 1…4; lowest at 4 against 1 (higher is better)")
    );
    // Time per op scales the other way: the same efficiency.
    let time = parse(r#"efficiency("Encode") >= 0.7"#).unwrap();
    let e = evaluate(&time, "wall_time", &data).unwrap();
    assert!((e.value.value - 0.8).abs() < 1e-12);
    let poor = go_cpu(&[(1, 1000.0), (2, 1500.0), (4, 2000.0)]);
    let e = evaluate(&check, "wall_time", &poor).unwrap();
    assert_eq!(e.value.value, 0.5);
    assert!(!e.holds);
}

#[test]
fn scaling_efficiency_of_concurrency_levels() {
    let data = Values::default()
        .with("api/concurrency=1", "throughput", 100.0, Unit::PerSecond)
        .with("api/concurrency=10", "throughput", 900.0, Unit::PerSecond);
    let e = evaluate(
        &parse(r#"efficiency("api", throughput) >= 0.9"#).unwrap(),
        "wall_time",
        &data,
    )
    .unwrap();
    assert_eq!(e.value.value, 0.9);
    assert!(e.holds);
    // Go sub-benchmarks named concurrency-N, and an explicit pattern.
    let go = Values::default()
        .with("Serve/concurrency-1", "throughput", 100.0, Unit::PerSecond)
        .with("Serve/concurrency-8", "throughput", 400.0, Unit::PerSecond);
    for text in [
        r#"efficiency("Serve", throughput) < 0.6"#,
        r#"efficiency("Serve/concurrency-*", throughput) < 0.6"#,
    ] {
        let e = evaluate(&parse(text).unwrap(), "wall_time", &go).unwrap();
        assert_eq!(e.value.value, 0.5, "{text}");
    }
}

#[test]
fn parse_errors_name_the_column() {
    let cases: [(&str, usize, &str); 14] = [
        (r#""a" / "b""#, 10, "expected a comparison"),
        (r#""a" == 2"#, 5, "use >=, <=, > or <"),
        (r#""a" >= 2 >= 1"#, 10, "only one comparison per check"),
        (
            r#""a" / >= 2"#,
            7,
            "expected a number, a \"benchmark\" or a function, found >=",
        ),
        (
            r#"a >= 2"#,
            1,
            "unexpected name a: a benchmark's name goes in double quotes",
        ),
        (r#"median("a") >= 2"#, 1, "unknown function median"),
        (r#""a >= 2"#, 1, "unterminated name"),
        (
            r#""a" >= 2 parsecs"#,
            10,
            "expected the end of the check, found parsecs",
        ),
        (r#""a" >= 2qs"#, 9, "unknown unit \"qs\""),
        (r#"slope("steps") >= 2"#, 7, "needs exactly one *"),
        (r#"value("a*") >= 2"#, 7, "value takes one benchmark's name"),
        (
            r#"r2("a/n=*", wall_time, x) >= 1"#,
            22,
            "at most two arguments",
        ),
        (r#"("a" >= 2"#, 6, "expected ), found >="),
        (r#""a" >= 2 # x"#, 10, "unexpected character '#'"),
    ];
    for (text, column, message) in cases {
        let error = parse_error(text);
        assert_eq!(error.column, column, "{text}: {error}");
        assert!(error.message.contains(message), "{text}: {error}");
    }
    // Columns count characters, not bytes.
    let error = parse_error(r#""µ/é" >= 2 ?"#);
    assert_eq!(error.column, 12);
    assert_eq!(error.offset, 13);
    assert_eq!(parse_error("").to_string(), "at column 1: empty expression");
}

#[test]
fn limits_on_length_and_depth() {
    let long = format!("{} >= 1", "1 + ".repeat(300));
    let error = parse_error(&long);
    assert_eq!(error.column, 1001);
    assert!(
        error.message.starts_with("longer than 1000 characters"),
        "{error}"
    );
    let deep = format!("{}1{} >= 1", "(".repeat(40), ")".repeat(40));
    let error = parse_error(&deep);
    assert_eq!(error.column, 33);
    assert!(error.message.contains("nested deeper than 32"), "{error}");
    let minus = format!("{}1 >= 1", "-".repeat(200));
    assert!(parse_error(&minus).message.contains("nested deeper"));
}

#[test]
fn evaluation_errors_are_said_plainly() {
    let data = Values::default()
        .time("restore/cold", 120e6)
        .time("restore/warm", 0.0)
        .skipped("helios/commit");
    let eval = |text: &str| evaluate(&parse(text).unwrap(), "wall_time", &data);
    assert_eq!(
        eval(r#""restore/clod" / "restore/warm" >= 50"#)
            .unwrap_err()
            .to_string(),
        "no benchmark named \"restore/clod\" (did you mean \"restore/cold\"?)"
    );
    assert_eq!(
        eval(r#""restore/cold" / "restore/warm" >= 50"#)
            .unwrap_err()
            .to_string(),
        "division by zero: \"restore/warm\" is 0"
    );
    assert_eq!(
        eval(r#""restore/cold".allocs >= 1"#)
            .unwrap_err()
            .to_string(),
        "\"restore/cold\" has no allocs (it has: wall_time)"
    );
    assert_eq!(
        eval(r#"r2("steps/n=*") >= 0.9"#).unwrap_err().to_string(),
        "r2(\"steps/n=*\") matches no benchmark"
    );
    assert_eq!(
        eval(r#"efficiency("BenchmarkEncode") >= 0.9"#)
            .unwrap_err()
            .to_string(),
        "efficiency(\"BenchmarkEncode\") matches no benchmark"
    );
    assert_eq!(
        eval(r#""restore/cold" * 1e300 * 1e300 > 1"#)
            .unwrap_err()
            .to_string(),
        "\"restore/cold\" * 1e300 * 1e300 is inf, not a number a check can compare"
    );
    assert!(matches!(
        eval(r#""helios/commit" < 50ms"#).unwrap_err(),
        EvalError::Skipped { .. }
    ));
    let two = steps(&[(1, 1e6), (2, 2e6)]);
    assert_eq!(
        evaluate(
            &parse(r#"r2("steps/n=*") >= 0.9"#).unwrap(),
            "wall_time",
            &two
        )
        .unwrap_err()
        .to_string(),
        "r2(\"steps/n=*\") needs at least 3 benchmarks, found 2"
    );
    let words = Values::default()
        .time("steps/n=1", 1.0)
        .time("steps/n=many", 2.0);
    assert_eq!(
        evaluate(
            &parse(r#"slope("steps/n=*") >= 0"#).unwrap(),
            "wall_time",
            &words
        )
        .unwrap_err()
        .to_string(),
        "\"steps/n=many\": the parameter \"many\" where \"steps/n=*\" has its * is not a number"
    );
    let go = go_cpu(&[(1, 10.0), (2, 20.0)]);
    assert_eq!(
        evaluate(
            &parse(r#""BenchmarkEncode" > 0"#).unwrap(),
            "wall_time",
            &go
        )
        .unwrap_err()
        .to_string(),
        "no benchmark named \"BenchmarkEncode\" (did you mean \"Encode\"?)"
    );
    let both = go_cpu(&[(1, 10.0), (2, 20.0)]).with(
        "Encode/concurrency=4",
        "throughput",
        1.0,
        Unit::PerSecond,
    );
    assert_eq!(
        evaluate(
            &parse(r#"efficiency("Encode") > 0"#).unwrap(),
            "throughput",
            &both
        )
        .unwrap_err()
        .to_string(),
        "efficiency(\"Encode\") is ambiguous: both \"Encode-*\" and \"Encode/concurrency=*\" match (write the pattern with its *)"
    );
}

/// Whatever is written, parsing ends in a check or an error inside the text: never a panic.
#[test]
fn arbitrary_text_never_panics() {
    const PIECES: [&str; 31] = [
        "{",
        "}",
        "{.name:s}",
        ":",
        "by",
        ", by: /n",
        "\"{",
        "\"a\"",
        "\"µ/é\"",
        "(",
        ")",
        ",",
        ".",
        "+",
        "-",
        "*",
        "/",
        ">=",
        "<",
        "=",
        "1",
        "2.5e3",
        "ms",
        "/s",
        "%",
        "r2",
        "efficiency",
        "value",
        "\"s/n=*\"",
        " ",
        "é",
    ];
    let mut state: u64 = 0x5eed;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    for _ in 0..20_000 {
        let len = next() % 12;
        let text: String = (0..len).map(|_| PIECES[next() % PIECES.len()]).collect();
        if let Err(error) = parse(&text) {
            assert!(
                error.column <= text.chars().count() + 1 && text.is_char_boundary(error.offset),
                "{text:?}: {error}"
            );
        }
    }
}

#[test]
fn selections_parse_with_their_text_and_place() {
    let check = parse(r#"r2({.name:steps mode:fast}, wall_time, by: /n) >= 0.98"#).unwrap();
    let ExprKind::SelectedFamily {
        func,
        selection,
        by,
        measure,
    } = &check.lhs.kind
    else {
        panic!("{:?}", check.lhs)
    };
    assert_eq!(*func, Func::R2);
    assert_eq!(selection.text, ".name:steps mode:fast");
    assert_eq!(check.source(selection.span), ".name:steps mode:fast");
    assert_eq!(by.text, "/n");
    assert_eq!(check.source(by.span), "/n");
    assert_eq!(measure.as_deref(), Some("wall_time"));
    // `by:` may come before the measure.
    let check = parse(r#"slope({.name:steps}, by: /n, "B/op") <= 1"#).unwrap();
    let ExprKind::SelectedFamily { by, measure, .. } = &check.lhs.kind else {
        panic!("{:?}", check.lhs)
    };
    assert_eq!(by.text, "/n");
    assert_eq!(measure.as_deref(), Some("B/op"));
    // A single benchmark: `{…}`, `{…}.measure`, `value({…}, measure)`; braces and quotes inside.
    let check = parse(
        r#"{.fullname:"restore/{cold}"} / value({.name:/re{2}/}, max_rss) + {goos:linux}.allocs > 1"#,
    )
    .unwrap();
    let found: Vec<(&str, Option<&str>)> = check
        .selections()
        .into_iter()
        .map(|(s, by)| (s.text.as_str(), by.map(|b| b.text.as_str())))
        .collect();
    assert_eq!(
        found,
        [
            (r#".fullname:"restore/{cold}""#, None),
            (".name:/re{2}/", None),
            ("goos:linux", None),
        ]
    );
    let ExprKind::Binary(_, lhs, rhs) = &check.lhs.kind else {
        panic!("{:?}", check.lhs)
    };
    assert_eq!(check.source(rhs.span), "{goos:linux}.allocs");
    let ExprKind::Binary(_, _, value) = &lhs.kind else {
        panic!("{lhs:?}")
    };
    assert!(
        matches!(&value.kind, ExprKind::Selected { measure: Some(m), .. } if m == "max_rss"),
        "{value:?}"
    );
    // The quoted forms are as they were.
    assert!(
        parse(r#"r2("steps/n=*") >= 0.98"#)
            .unwrap()
            .selections()
            .is_empty()
    );
}

#[test]
fn selection_mistakes_name_their_column() {
    let cases: [(&str, usize, &str); 9] = [
        (
            r#"r2({.name:steps) >= 1"#,
            4,
            "unterminated selection: no closing }",
        ),
        (r#"{ } > 1"#, 1, "empty selection {}"),
        (
            r#"r2({.name:steps}) >= 1"#,
            17,
            "r2 over a {selection} needs by: KEY",
        ),
        (
            r#"r2("steps/n=*", by: /n) >= 1"#,
            21,
            "a pattern's * already marks the parameter",
        ),
        (
            r#"value({x}, by: /n) >= 1"#,
            16,
            "value reads one benchmark",
        ),
        (
            r#"slope({x}, by: /n, by: /m) >= 1"#,
            20,
            "slope takes one by: key",
        ),
        (r#"slope({x}, by: ) >= 1"#, 16, "expected a key after by:"),
        (
            r#"slope({x}, wall_time, x) >= 1"#,
            21,
            "at most two arguments",
        ),
        (
            r#"slope(1, by: /n) >= 1"#,
            7,
            "slope takes a benchmark name in double quotes or a {selection} first, found a number",
        ),
    ];
    for (text, column, message) in cases {
        let error = parse_error(text);
        assert_eq!(error.column, column, "{text}: {error}");
        assert!(error.message.contains(message), "{text}: {error}");
    }
}

/// `prefix/n=N` benchmarks with the given times.
fn family(prefix: &str, values: &[(&str, f64)]) -> Values {
    values.iter().fold(Values::default(), |data, (n, ns)| {
        data.time(&format!("{prefix}/n={n}"), *ns)
    })
}

#[test]
fn a_family_over_a_selection_is_ordered_by_its_key() {
    // Listed out of order: the key orders them. 2 ms + 1 ms per step.
    let data = family("steps", &[("4", 6e6), ("1", 3e6), ("8", 10e6), ("2", 4e6)]);
    let e = evaluate(
        &parse("slope({steps}, by: /n) <= 1.2ms").unwrap(),
        "wall_time",
        &data,
    )
    .unwrap();
    assert_eq!(e.value.value, 1e6);
    assert!(e.holds);
    let plain = |x: f64, _: &Unit| x.to_string();
    assert_eq!(
        e.terms[0].text, "slope({steps}, by: /n)",
        "the term is the source text"
    );
    assert_eq!(
        e.terms[0]
            .detail
            .as_ref()
            .map(|d| d.describe(&plain))
            .as_deref(),
        Some(
            "4 benchmarks, parameter 1…8; slope 1000000 per unit, intercept 2000000, r² 1, \
             largest residual 0%"
        )
    );
    // A key whose values carry units.
    let sized = Values::default()
        .time("copy/size=2KiB", 4096.0)
        .time("copy/size=1KiB", 2048.0);
    let e = evaluate(
        &parse("slope({copy}, by: /size) <= 2").unwrap(),
        "wall_time",
        &sized,
    )
    .unwrap();
    assert_eq!(e.value.value, 2.0);
    assert!(e.holds);
}

#[test]
fn selection_errors_are_said_plainly() {
    let data = family("steps", &[("1", 1e6), ("2", 2e6)])
        .time("steps/fast", 1e6)
        .time("restore", 5e6);
    let eval = |text: &str| {
        evaluate(&parse(text).unwrap(), "wall_time", &data)
            .map(|e| e.value.value)
            .map_err(|e| e.to_string())
    };
    assert_eq!(eval("{restore} < 10ms"), Ok(5e6));
    assert_eq!(
        eval("{nothing} < 10ms"),
        Err("{nothing} matches no benchmark".into())
    );
    assert_eq!(
        eval("{steps} < 10ms"),
        Err(
            "{steps} must match exactly one benchmark, matches 3: \"steps/n=1\", \"steps/n=2\", \
             \"steps/fast\""
                .into()
        )
    );
    assert_eq!(
        eval("slope({nothing}, by: /n) < 1"),
        Err("slope({nothing}, by: /n) matches no benchmark".into())
    );
    assert_eq!(
        eval("slope({steps}, by: /n) < 1"),
        Err("slope({steps}, by: /n): \"steps/fast\" has no /n to order by".into())
    );
    assert_eq!(
        eval("r2({steps/n}, by: /n) < 1"),
        Err("r2({steps/n}, by: /n) needs at least 3 benchmarks, found 2".into())
    );
    assert_eq!(
        eval("{!no such key} < 1"),
        Err("{!no such key}: no such key".into())
    );
    let words = family("steps", &[("1", 1.0), ("many", 2.0)]);
    assert_eq!(
        evaluate(
            &parse("slope({steps}, by: /n) >= 0").unwrap(),
            "wall_time",
            &words
        )
        .unwrap_err()
        .to_string(),
        "slope({steps}, by: /n): \"steps/n=many\" has /n = \"many\", not a number"
    );
    // Six matches: the error names five.
    let many = family(
        "s",
        &[
            ("1", 1.0),
            ("2", 1.0),
            ("3", 1.0),
            ("4", 1.0),
            ("5", 1.0),
            ("6", 1.0),
        ],
    );
    assert_eq!(
        evaluate(&parse("{s} > 0").unwrap(), "wall_time", &many)
            .unwrap_err()
            .to_string(),
        "{s} must match exactly one benchmark, matches 6: \"s/n=1\", \"s/n=2\", \"s/n=3\", \
         \"s/n=4\", \"s/n=5\", …"
    );
}
