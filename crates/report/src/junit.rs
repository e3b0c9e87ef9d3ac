//! JUnit XML for CI test-report views: one test case per judged (benchmark, measure), failures
//! with their reasons; skipped benchmarks as skipped cases.

use benchgate_model::{Comparison, Run, Status, Verdict, VerdictKind};

use crate::Format;

#[derive(Debug, Clone, Copy, Default)]
pub struct Junit;

/// Escapes text for XML attributes and content.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

struct Case {
    class: String,
    name: String,
    failure: Option<String>,
    skipped: Option<String>,
    output: Option<String>,
}

fn render(suite: &str, cases: &[Case]) -> String {
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let skipped = cases.iter().filter(|c| c.skipped.is_some()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"benchgate\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n",
        cases.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n",
        xml(suite),
        cases.len()
    ));
    for case in cases {
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\"",
            xml(&case.class),
            xml(&case.name)
        ));
        if case.failure.is_none() && case.skipped.is_none() && case.output.is_none() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        if let Some(message) = &case.failure {
            out.push_str(&format!(
                "      <failure message=\"{0}\">{0}</failure>\n",
                xml(message)
            ));
        }
        if let Some(reason) = &case.skipped {
            out.push_str(&format!("      <skipped message=\"{}\"/>\n", xml(reason)));
        }
        if let Some(text) = &case.output {
            out.push_str(&format!("      <system-out>{}</system-out>\n", xml(text)));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// One case per verdict. `deny_warnings`: a gating warning is a failure, as the gate says.
fn case_of(v: &Verdict, deny_warnings: bool) -> Case {
    let warning = v.is_warning();
    let failing = v.gating && (v.is_failure() || (deny_warnings && warning));
    Case {
        class: v.benchmark.clone(),
        name: v.measure.to_string(),
        failure: failing.then(|| {
            if v.is_failure() {
                format!("{}: {}", v.kind, v.reason)
            } else {
                format!("{} (warning, denied): {}", v.kind, v.reason)
            }
        }),
        skipped: (v.kind == VerdictKind::Skipped).then(|| v.reason.clone()),
        // Warnings pass the gate; they are reported, not failed.
        output: (!failing && v.kind != VerdictKind::Skipped).then(|| {
            format!(
                "{}{}: {}",
                v.kind,
                if warning { " (warning)" } else { "" },
                v.reason
            )
        }),
    }
}

impl Format for Junit {
    /// One case per benchmark: failed benchmarks fail, skipped ones are skipped.
    fn run(&self, run: &Run, comparisons: &[Verdict]) -> String {
        let mut cases: Vec<Case> = run
            .benchmarks
            .iter()
            .map(|b| Case {
                class: b.name.clone(),
                name: "run".into(),
                failure: match &b.status {
                    Status::Failed { message } => Some(message.clone()),
                    _ => None,
                },
                skipped: match &b.status {
                    Status::Skipped { reason } => Some(reason.clone()),
                    _ => None,
                },
                output: None,
            })
            .collect();
        cases.extend(comparisons.iter().map(|v| case_of(v, false)));
        render(&format!("run {}", run.id), &cases)
    }

    fn comparison(&self, comparison: &Comparison) -> String {
        let mut cases: Vec<Case> = comparison
            .command_failures
            .iter()
            .map(|message| Case {
                class: "benchgate".into(),
                name: "measuring".into(),
                failure: Some(message.clone()),
                skipped: None,
                output: None,
            })
            .collect();
        cases.extend(
            comparison
                .verdicts
                .iter()
                .map(|v| case_of(v, comparison.deny_warnings)),
        );
        render(
            &format!(
                "{} vs {}",
                comparison.current.label,
                comparison
                    .baseline
                    .as_ref()
                    .map_or("no baseline", |b| b.label.as_str())
            ),
            &cases,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            xml("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{fffd}"
        );
    }
}
