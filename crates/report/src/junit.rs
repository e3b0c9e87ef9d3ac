//! JUnit XML for CI test-report views: one test case per judged (benchmark, measure), failures
//! with their reasons; skipped benchmarks as skipped cases. The XML itself is quick-junit's.

use std::collections::HashMap;

use benchgate_model::{Comparison, ProfileLink, Run, Status, Verdict, VerdictKind};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::Format;

#[derive(Debug, Clone, Copy, Default)]
pub struct Junit;

/// `text` with the control characters XML 1.0 forbids (even escaped) shown as U+FFFD: quick-junit
/// would drop them silently, and a name must not lose characters without a trace.
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// How one case ended.
enum Ending {
    Passed,
    Failed(String),
    Skipped(String),
}

struct Case {
    class: String,
    name: String,
    ending: Ending,
    /// What a passing case has to say (its verdict).
    output: Option<String>,
}

fn render(suite: &str, cases: Vec<Case>) -> String {
    let mut report = Report::new("benchgate");
    report.add_test_suite(test_suite(suite, cases));
    // Serializing into a String cannot fail: the writer is memory, the names valid UTF-8.
    report.to_string().unwrap_or_default()
}

fn test_suite(suite: &str, cases: Vec<Case>) -> TestSuite {
    let mut test_suite = TestSuite::new(shown(suite));
    test_suite.add_test_cases(cases.into_iter().map(|case| {
        let status = match case.ending {
            Ending::Passed => TestCaseStatus::success(),
            Ending::Failed(message) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(shown(&message))
                    .set_description(shown(&message));
                status
            }
            Ending::Skipped(reason) => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(shown(&reason));
                status
            }
        };
        let mut test_case = TestCase::new(shown(&case.name), status);
        test_case.set_classname(shown(&case.class));
        if let Some(text) = case.output {
            test_case.set_system_out(shown(&text));
        }
        test_case
    }));
    test_suite
}

/// Several comparisons in one report, a test suite each (a projection's tables and columns).
pub(crate) fn suites<'c>(comparisons: impl Iterator<Item = (String, &'c Comparison)>) -> String {
    let mut report = Report::new("benchgate");
    for (name, comparison) in comparisons {
        report.add_test_suite(test_suite(&name, comparison_cases(comparison)));
    }
    report.to_string().unwrap_or_default()
}

/// One case per verdict. `deny_warnings`: a gating warning is a failure, as the gate says.
fn case_of(v: &Verdict, deny_warnings: bool) -> Case {
    let warning = v.is_warning();
    let failing = v.gating && (v.is_failure() || (deny_warnings && warning));
    let ending = if failing {
        Ending::Failed(if v.is_failure() {
            format!("{}: {}", v.kind, v.reason)
        } else {
            format!("{} (warning, denied): {}", v.kind, v.reason)
        })
    } else if v.kind == VerdictKind::Skipped {
        Ending::Skipped(v.reason.clone())
    } else {
        Ending::Passed
    };
    Case {
        class: v.benchmark.clone(),
        name: v.measure.to_string(),
        // Warnings pass the gate; they are reported, not failed.
        output: matches!(ending, Ending::Passed).then(|| {
            format!(
                "{}{}: {}",
                v.kind,
                if warning { " (warning)" } else { "" },
                v.reason
            )
        }),
        ending,
    }
}

/// The profiles of `benchmark` in the case's output: a line each, and each file as an attachment
/// in the `[[ATTACHMENT|path]]` form GitLab and Jenkins show next to the case.
fn attach_profiles(case: &mut Case, links: &[ProfileLink], benchmark: &str) {
    let mut lines = Vec::new();
    for link in links.iter().filter(|l| l.benchmark == benchmark) {
        match crate::profiles::not_taken(link) {
            Some(reason) => lines.push(format!("{} ({}): {reason}", link.label(), link.profiler)),
            None => {
                for file in &link.files {
                    lines.push(format!("profile ({}): {file}", link.profiler));
                    lines.push(format!("[[ATTACHMENT|{file}]]"));
                }
            }
        }
    }
    if lines.is_empty() {
        return;
    }
    let text = lines.join("\n");
    case.output = Some(match case.output.take() {
        Some(output) => format!("{output}\n{text}"),
        None => text,
    });
}

/// The cases of a comparison: its failed commands, then one per verdict.
fn comparison_cases(comparison: &Comparison) -> Vec<Case> {
    let mut cases: Vec<Case> = comparison
        .command_failures
        .iter()
        .map(|message| Case {
            class: "benchgate".into(),
            name: "measuring".into(),
            ending: Ending::Failed(message.clone()),
            output: None,
        })
        .collect();
    // A benchmark's profiles go with one of its cases: its first regression, else its first.
    let mut holders: HashMap<&str, (usize, bool)> = HashMap::new();
    if !comparison.profiles.is_empty() {
        for (i, v) in comparison.verdicts.iter().enumerate() {
            let regressed = matches!(v.kind, VerdictKind::Regressed | VerdictKind::BudgetExceeded);
            let holder = holders.entry(&v.benchmark).or_insert((i, regressed));
            if regressed && !holder.1 {
                *holder = (i, true);
            }
        }
    }
    cases.extend(comparison.verdicts.iter().enumerate().map(|(i, v)| {
        let mut case = case_of(v, comparison.deny_warnings);
        if holders
            .get(v.benchmark.as_str())
            .is_some_and(|&(j, _)| j == i)
        {
            attach_profiles(&mut case, &comparison.profiles, &v.benchmark);
        }
        case
    }));
    cases
}

impl Format for Junit {
    fn projected(&self, report: &crate::ProjectedReport<'_>) -> Option<String> {
        Some(crate::projected::junit(report))
    }

    /// One case per benchmark: failed benchmarks fail, skipped ones are skipped.
    fn run(&self, run: &Run, comparisons: &[Verdict]) -> String {
        let mut cases: Vec<Case> = run
            .benchmarks
            .iter()
            .map(|b| Case {
                class: b.name.clone(),
                name: "run".into(),
                ending: match &b.status {
                    Status::Failed { message } => Ending::Failed(message.clone()),
                    Status::Skipped { reason } => Ending::Skipped(reason.clone()),
                    Status::Ok => Ending::Passed,
                },
                output: None,
            })
            .collect();
        cases.extend(comparisons.iter().map(|v| case_of(v, false)));
        render(&format!("run {}", run.id), cases)
    }

    fn comparison(&self, comparison: &Comparison) -> String {
        let cases = comparison_cases(comparison);
        render(
            &format!(
                "{} vs {}",
                comparison.current.label,
                comparison
                    .baseline
                    .as_ref()
                    .map_or("no baseline", |b| b.label.as_str())
            ),
            cases,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_as_replacement_characters() {
        assert_eq!(shown("a\u{1}b\u{1b}[1m\tc\n"), "a\u{fffd}b\u{fffd}[1m\tc\n");
    }
}
