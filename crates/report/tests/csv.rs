//! CSV of fixed runs, comparisons and series, pinned as exact text: RFC 4180 quoting, the
//! formula-injection guard on text from outside (not on numbers benchgate writes), and order.

use std::collections::BTreeMap;

use benchgate_model::{
    Benchmark, Caveat, Comparison, Direction, Effect, Environment, Interval, Measure, Metric, Mode,
    Outcome, Provenance, Run, RunRef, Severity, Source, Status, Summary, Thresholds, Unit, Verdict,
    VerdictKind,
};
use benchgate_report::{Csv, Format, SeriesRow, series_csv, series_jsonl};
use time::macros::datetime;
use uuid::Uuid;

fn summary(n: usize, median: f64, ci: Option<(f64, f64)>) -> Summary {
    Summary {
        n,
        mean: median + 1.0,
        median,
        min: median - 2.0,
        max: median + 4.0,
        stddev: 1.5,
        mad: 1.0,
        p95: median + 3.0,
        p99: median + 4.0,
        median_ci: ci.map(|(lo, hi)| Interval {
            lo,
            hi,
            confidence: 0.95,
        }),
    }
}

fn metric(measure: Measure, unit: Unit, s: Summary) -> Metric {
    Metric {
        measure,
        unit,
        direction: Direction::LowerIsBetter,
        exact: false,
        samples: vec![s.median; s.n],
        iterations: None,
        summary: s,
        precision: None,
    }
}

fn bench(name: &str, metrics: Vec<Metric>) -> Benchmark {
    Benchmark {
        mode: None,
        name: name.into(),
        params: BTreeMap::new(),
        labels: BTreeMap::new(),
        command: None,
        status: Status::Ok,
        metrics,
        series: Vec::new(),
    }
}

fn fixed_run() -> Run {
    let mut run = Run::new(
        Source::Command,
        datetime!(2026-11-24 10:00 UTC),
        Provenance {
            mode: Mode::Real,
            ..Default::default()
        },
        Environment::default().with_fingerprint(),
    );
    run.id = Uuid::from_u128(7);
    let mut level = bench(
        "api/concurrency=8",
        vec![metric(
            Measure::Throughput,
            Unit::PerSecond,
            summary(5, 1250.5, None),
        )],
    );
    level.params.insert("concurrency".into(), "8".into());
    level.labels.insert("errors".into(), "3".into());
    level.labels.insert(
        "error_example.exit:1".into(),
        "boom, \"bad\"\nline 2".into(),
    );
    let mut failed = bench("=HYPERLINK(\"http://x\")", Vec::new());
    failed.status = Status::Failed {
        message: "-exit 1".into(),
    };
    run.benchmarks = vec![
        bench(
            "parse,json",
            vec![
                metric(
                    Measure::WallTime,
                    Unit::Nanoseconds,
                    summary(10, 1718.0, Some((1700.0, 1735.5))),
                ),
                metric(Measure::MaxRss, Unit::Bytes, summary(10, 3145728.0, None)),
            ],
        ),
        level,
        failed,
    ];
    run
}

#[test]
fn a_run_is_one_table_with_quoted_and_guarded_fields() {
    let text = Csv.run(&fixed_run(), &[]);
    let expected = "\
benchmark,measure,unit,median,ci_low,ci_high,confidence,n,mean,stddev,min,max,status,message,mode,param.concurrency,label.error_example.exit:1,label.errors
\"parse,json\",wall_time,ns,1718,1700,1735.5,0.95,10,1719,1.5,1716,1722,ok,,real,,,
\"parse,json\",max_rss,B,3145728,,,,10,3145729,1.5,3145726,3145732,ok,,real,,,
api/concurrency=8,throughput,1/s,1250.5,,,,5,1251.5,1.5,1248.5,1254.5,ok,,real,8,\"boom, \"\"bad\"\"
line 2\",3
\"'=HYPERLINK(\"\"http://x\"\")\",,,,,,,,,,,,failed,'-exit 1,real,,,
";
    assert_eq!(text, expected);
}

fn verdict(benchmark: &str, kind: VerdictKind) -> Verdict {
    Verdict {
        benchmark: benchmark.into(),
        measure: Measure::WallTime,
        unit: Unit::Nanoseconds,
        direction: Direction::LowerIsBetter,
        exact: false,
        kind,
        severity: None,
        gating: true,
        baseline: None,
        current: None,
        effect: None,
        p_value: None,
        q_value: None,
        reason: String::new(),
        caveats: Vec::<Caveat>::new(),
    }
}

fn fixed_comparison() -> Comparison {
    let mut slower = verdict("compress", VerdictKind::Regressed);
    slower.severity = Some(Severity::Fail);
    slower.baseline = Some(summary(10, 20_000_000.0, None));
    slower.current = Some(summary(12, 24_000_000.0, None));
    slower.effect = Some(Effect {
        ratio: 1.2,
        delta: 4_000_000.0,
        ci: Some(Interval {
            lo: 1.15,
            hi: 1.25,
            confidence: 0.95,
        }),
    });
    slower.p_value = Some(0.0001);
    slower.q_value = Some(0.0002);
    // A reason is text (it can quote names from outside): guarded like them.
    slower.reason = "+20% slower, beyond fail 10%".into();
    let mut faster = verdict("@sum", VerdictKind::Improved);
    faster.gating = false;
    faster.measure = Measure::Custom("+ops".into());
    faster.unit = Unit::Custom("op,s".into());
    faster.baseline = Some(summary(10, 1718.0, None));
    faster.current = Some(summary(10, 1423.0, None));
    faster.effect = Some(Effect {
        ratio: 1423.0 / 1718.0,
        delta: -295.0,
        ci: None,
    });
    faster.p_value = Some(0.5);
    faster.reason = "faster, said \"sum\"".into();
    let new = verdict("fresh", VerdictKind::New);
    let run_ref = |id: u128| RunRef {
        id: Uuid::from_u128(id),
        label: "x".into(),
        source: Source::Command,
        mode: Mode::Real,
        commit: None,
        started_at: datetime!(2026-11-24 10:00 UTC),
        fingerprint: "f".into(),
    };
    Comparison {
        schema: benchgate_model::COMPARISON_SCHEMA.into(),
        baseline: Some(run_ref(1)),
        current: run_ref(2),
        thresholds: Thresholds::default(),
        verdicts: vec![slower, faster, new],
        geomean: Vec::new(),
        outcome: Outcome::Failed,
        deny_warnings: false,
        command_failures: Vec::new(),
        budgets: Vec::new(),
        checks: Vec::new(),
        warnings: Vec::new(),
        profiles: Vec::new(),
    }
}

const COMPARISON_HEADER: &str = "benchmark,measure,unit,baseline,current,baseline_n,current_n,change_percent,ci_low_percent,ci_high_percent,p_value,q_value,verdict,severity,gating,reason\n";

#[test]
fn a_comparison_is_one_row_per_verdict_in_order() {
    let text = Csv.comparison(&fixed_comparison());
    let expected = format!(
        "{COMPARISON_HEADER}\
compress,wall_time,ns,20000000,24000000,10,12,20,15,25,0.0001,0.0002,regressed,fail,true,\"'+20% slower, beyond fail 10%\"
'@sum,'+ops,\"op,s\",1718,1423,10,10,-17.171129,,,0.5,,improved,,false,\"faster, said \"\"sum\"\"\"
fresh,wall_time,ns,,,,,,,,,,new,,true,
"
    );
    assert_eq!(text, expected);
}

#[test]
fn a_run_with_ad_hoc_comparisons_is_the_comparison_table() {
    let comparison = fixed_comparison();
    let text = Csv.run(&fixed_run(), &comparison.verdicts[2..]);
    assert_eq!(
        text,
        format!("{COMPARISON_HEADER}fresh,wall_time,ns,,,,,,,,,,new,,true,\n")
    );
}

fn points() -> Vec<SeriesRow<'static>> {
    vec![
        SeriesRow {
            run_id: Uuid::from_u128(1),
            started_at: datetime!(2026-11-24 10:00:00 UTC),
            commit: Some("0123abc"),
            fingerprint: "fp1",
            value: 1000.5,
        },
        SeriesRow {
            run_id: Uuid::from_u128(2),
            started_at: datetime!(2026-11-25 08:30:15 UTC),
            commit: None,
            fingerprint: "=fp",
            value: 1.5e-7,
        },
    ]
}

#[test]
fn a_series_is_csv_oldest_first_with_guarded_names() {
    let text = series_csv(
        "-neg,bench",
        &Measure::WallTime,
        &Unit::Nanoseconds,
        &points(),
    );
    assert_eq!(
        text,
        "benchmark,measure,run_id,started_at,commit,fingerprint,value,unit
\"'-neg,bench\",wall_time,00000000-0000-0000-0000-000000000001,2026-11-24T10:00:00Z,0123abc,fp1,1000.5,ns
\"'-neg,bench\",wall_time,00000000-0000-0000-0000-000000000002,2026-11-25T08:30:15Z,,'=fp,0.00000015,ns
"
    );
}

#[test]
fn a_series_is_json_lines_with_text_as_it_is() {
    let text = series_jsonl(
        "-neg,bench",
        &Measure::WallTime,
        &Unit::Nanoseconds,
        &points(),
    );
    assert_eq!(
        text,
        r#"{"benchmark":"-neg,bench","commit":"0123abc","fingerprint":"fp1","measure":"wall_time","run_id":"00000000-0000-0000-0000-000000000001","started_at":"2026-11-24T10:00:00Z","unit":"ns","value":1000.5}
{"benchmark":"-neg,bench","commit":null,"fingerprint":"=fp","measure":"wall_time","run_id":"00000000-0000-0000-0000-000000000002","started_at":"2026-11-25T08:30:15Z","unit":"ns","value":1.5e-7}
"#
    );
}
