//! Evaluating a check against the values of a run's benchmarks.

use benchgate_model::Unit;
use thiserror::Error;

use crate::fit::{LinearFit, linear_fit, scaling_efficiency};
use crate::parse::{ByKey, Check, Expr, ExprKind, Func, Op, Selection};
use crate::quantity::{Quantity, parse_literal};

/// One benchmark's value of one measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub value: f64,
    pub unit: Unit,
    pub higher_is_better: bool,
}

/// Why a benchmark has no value of a measure.
#[derive(Debug, Clone, PartialEq)]
pub enum Unavailable {
    /// No benchmark has that name.
    NoBenchmark,
    /// It was skipped (its `requires` were not met…): the check is skipped too.
    Skipped(String),
    /// It failed.
    Failed(String),
    /// It ran but has no such measure; `available` lists the ones it has.
    NoMeasure { available: Vec<String> },
    /// It exists, but the check's `filter` leaves it out.
    Excluded,
}

/// A benchmark a selection matched, with the value of the key a family orders by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub name: String,
    /// The `by:` key's value, verbatim; `None` when the benchmark has no such key (or none was
    /// asked for).
    pub key: Option<String>,
}

/// The values a check reads: a run's benchmarks.
pub trait Data {
    /// Every benchmark's name, in the run's order.
    fn names(&self) -> Vec<String>;
    /// The value of `measure` of the benchmark called `name` (its median).
    fn value(&self, name: &str, measure: &str) -> Result<Measured, Unavailable>;
    /// The benchmarks `selection` (the text of a `{…}`: a filter in benchstat's language, which
    /// this crate does not parse) matches, in the run's order, each with its value of the key
    /// `by` when one is given. `Err` says why the selection or the key cannot be evaluated.
    fn select(&self, selection: &str, by: Option<&str>) -> Result<Vec<Selected>, String>;
}

/// A part of the expression that read measured values, with what it read: shown in the
/// verdict's reason so a reader sees what the check saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The source text (`"restore/cold"`, `r2("steps/n=*")`).
    pub text: String,
    pub value: Quantity,
    /// What a family function saw.
    pub detail: Option<Detail>,
}

/// What a family function saw: how many benchmarks over which range of the parameter, and
/// the fit or the efficiency's worst level.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    Fit {
        points: usize,
        first: f64,
        last: f64,
        fit: LinearFit,
        /// The unit of the values (the slope's per unit of the parameter).
        unit: Unit,
    },
    Efficiency {
        points: usize,
        first: f64,
        last: f64,
        /// The parameter where the efficiency is lowest.
        at: f64,
        higher_is_better: bool,
    },
}

impl Detail {
    /// One phrase, with values in their unit shown by `show`: `4 benchmarks, parameter 1…8;
    /// slope 1ms, intercept 2ms, r² 1, largest residual 0%`.
    pub fn describe(&self, show: &dyn Fn(f64, &Unit) -> String) -> String {
        match self {
            Detail::Fit {
                points,
                first,
                last,
                fit,
                unit,
            } => format!(
                "{points} benchmarks, parameter {}…{}; slope {} per unit, intercept {}, r² {}, \
                 largest residual {}%",
                trim(*first),
                trim(*last),
                show(fit.slope, unit),
                show(fit.intercept, unit),
                trim(fit.r2),
                trim(fit.max_relative_residual * 100.0)
            ),
            Detail::Efficiency {
                points,
                first,
                last,
                at,
                higher_is_better,
            } => format!(
                "{points} benchmarks, parameter {}…{}; lowest at {} against {} ({} is better)",
                trim(*first),
                trim(*last),
                trim(*at),
                trim(*first),
                if *higher_is_better { "higher" } else { "lower" }
            ),
        }
    }
}

/// A check's result: the value (its left side), the bound (its right side), whether it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub value: Quantity,
    pub bound: Quantity,
    pub holds: bool,
    pub terms: Vec<Term>,
}

/// Why a check could not be evaluated, said plainly.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EvalError {
    #[error("no benchmark named \"{name}\"{}", hint.as_ref().map_or_else(String::new, |h| format!(" (did you mean \"{h}\"?)")))]
    NoBenchmark { name: String, hint: Option<String> },
    /// A family function's benchmarks are none; `family` is how the function is shown
    /// (`r2("steps/n=*")`, `r2({.name:steps}, by: /n)`).
    #[error("{family} matches no benchmark{}", hint.as_ref().map_or_else(String::new, |h| format!(" ({h})")))]
    NoMatch {
        family: String,
        hint: Option<String>,
    },
    /// A selection that stands for one benchmark matches none.
    #[error("{{{selection}}} matches no benchmark")]
    NoneSelected { selection: String },
    /// A selection that stands for one benchmark matches several: the first few of them.
    #[error(
        "{{{selection}}} must match exactly one benchmark, matches {count}: {}{}",
        matched.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", "),
        if *count > matched.len() { ", …" } else { "" }
    )]
    NotOne {
        selection: String,
        count: usize,
        matched: Vec<String>,
    },
    /// The data cannot evaluate a selection or its key.
    #[error("{{{selection}}}: {message}")]
    Selection { selection: String, message: String },
    /// A benchmark of a selected family has no value of the key it is ordered by.
    #[error("{family}: \"{name}\" has no {key} to order by")]
    NoKey {
        family: String,
        name: String,
        key: String,
    },
    /// A benchmark of a selected family has a key value that is not a number.
    #[error("{family}: \"{name}\" has {key} = {text:?}, not a number")]
    KeyNotNumber {
        family: String,
        name: String,
        key: String,
        text: String,
    },
    /// A benchmark the check reads was skipped: the check is skipped, not failed.
    #[error("\"{name}\" was skipped ({reason})")]
    Skipped { name: String, reason: String },
    #[error("\"{name}\" failed ({message})")]
    Failed { name: String, message: String },
    #[error("\"{name}\" is left out by the check's filter")]
    Excluded { name: String },
    #[error("\"{name}\" has no {measure} (it has: {})", if available.is_empty() { "nothing".to_string() } else { available.join(", ") })]
    NoMeasure {
        name: String,
        measure: String,
        available: Vec<String>,
    },
    #[error("division by zero: {divisor} is 0")]
    DivisionByZero { divisor: String },
    #[error("{text} is {value}, not a number a check can compare")]
    NotFinite { text: String, value: f64 },
    #[error("{family} needs at least {needed} benchmarks, found {found}")]
    TooFewPoints {
        family: String,
        needed: usize,
        found: usize,
    },
    #[error("\"{name}\": the parameter {text:?} where {pattern:?} has its * is not a number")]
    ParameterNotNumber {
        name: String,
        pattern: String,
        text: String,
    },
    #[error("{family}: {why}")]
    Undefined { family: String, why: String },
    #[error(
        "efficiency(\"{name}\") is ambiguous: both {} match (write the pattern with its *)",
        patterns.join(" and ")
    )]
    Ambiguous { name: String, patterns: Vec<String> },
}

/// Evaluates `check`, reading benchmarks' values of `measure` unless the expression names
/// another.
pub fn evaluate(check: &Check, measure: &str, data: &dyn Data) -> Result<Evaluation, EvalError> {
    let mut eval = Evaluator {
        check,
        measure,
        data,
        terms: Vec::new(),
    };
    let value = eval.expr(&check.lhs)?;
    let bound = eval.expr(&check.rhs)?;
    Ok(Evaluation {
        holds: check.cmp.holds(value.value, bound.value),
        value,
        bound,
        terms: eval.terms,
    })
}

/// A benchmark of a family: its parameter, its value and its name.
type Point = (f64, Measured, String);

struct Evaluator<'a> {
    check: &'a Check,
    measure: &'a str,
    data: &'a dyn Data,
    terms: Vec<Term>,
}

impl Evaluator<'_> {
    fn text(&self, expr: &Expr) -> String {
        self.check.source(expr.span).trim().to_string()
    }

    fn expr(&mut self, expr: &Expr) -> Result<Quantity, EvalError> {
        let value = match &expr.kind {
            ExprKind::Number(q) => q.clone(),
            ExprKind::Neg(inner) => {
                let q = self.expr(inner)?;
                Quantity {
                    value: -q.value,
                    unit: q.unit,
                }
            }
            ExprKind::Binary(op, lhs, rhs) => {
                let a = self.expr(lhs)?;
                let b = self.expr(rhs)?;
                if *op == Op::Div && b.value == 0.0 {
                    return Err(EvalError::DivisionByZero {
                        divisor: self.text(rhs),
                    });
                }
                arithmetic(*op, a, b)
            }
            ExprKind::Value { bench, measure } => {
                let measure = measure.as_deref().unwrap_or(self.measure);
                self.value_term(expr, bench, measure)?
            }
            ExprKind::Family {
                func,
                pattern,
                measure,
            } => {
                let measure = measure.as_deref().unwrap_or(self.measure);
                let (q, detail) = self.family(*func, pattern, measure)?;
                self.terms.push(Term {
                    text: self.text(expr),
                    value: q.clone(),
                    detail: Some(detail),
                });
                q
            }
            ExprKind::Selected { selection, measure } => {
                let measure = measure.as_deref().unwrap_or(self.measure);
                let name = self.selected_one(selection)?;
                self.value_term(expr, &name, measure)?
            }
            ExprKind::SelectedFamily {
                func,
                selection,
                by,
                measure,
            } => {
                let measure = measure.as_deref().unwrap_or(self.measure);
                let family = format!("{}({{{}}}, by: {})", func.as_str(), selection.text, by.text);
                let points = self.selected_points(&family, selection, by, measure)?;
                let (q, detail) = summarize(*func, family, points, None)?;
                self.terms.push(Term {
                    text: self.text(expr),
                    value: q.clone(),
                    detail: Some(detail),
                });
                q
            }
        };
        if !value.value.is_finite() {
            return Err(EvalError::NotFinite {
                text: self.text(expr),
                value: value.value,
            });
        }
        Ok(value)
    }

    /// The value of `measure` of the benchmark `name`, kept as a term of `expr` for the reason.
    fn value_term(
        &mut self,
        expr: &Expr,
        name: &str,
        measure: &str,
    ) -> Result<Quantity, EvalError> {
        let m = self.lookup(name, measure)?;
        let q = Quantity {
            value: m.value,
            unit: Some(m.unit),
        };
        self.terms.push(Term {
            text: self.text(expr),
            value: q.clone(),
            detail: None,
        });
        Ok(q)
    }

    fn lookup(&self, name: &str, measure: &str) -> Result<Measured, EvalError> {
        self.data
            .value(name, measure)
            .map_err(|why| self.unavailable(name, measure, why))
    }

    fn unavailable(&self, name: &str, measure: &str, why: Unavailable) -> EvalError {
        match why {
            Unavailable::NoBenchmark => EvalError::NoBenchmark {
                name: name.to_string(),
                hint: closest(name, &self.data.names()),
            },
            Unavailable::Skipped(reason) => EvalError::Skipped {
                name: name.to_string(),
                reason,
            },
            Unavailable::Failed(message) => EvalError::Failed {
                name: name.to_string(),
                message,
            },
            Unavailable::NoMeasure { available } => EvalError::NoMeasure {
                name: name.to_string(),
                measure: measure.to_string(),
                available,
            },
            Unavailable::Excluded => EvalError::Excluded {
                name: name.to_string(),
            },
        }
    }

    /// The name of the one benchmark `selection` matches.
    fn selected_one(&self, selection: &Selection) -> Result<String, EvalError> {
        /// How many of several matches an error names.
        const SHOWN: usize = 5;
        let mut matched = self.select(selection, None)?;
        match matched.len() {
            0 => Err(EvalError::NoneSelected {
                selection: selection.text.clone(),
            }),
            1 => Ok(matched.remove(0).name),
            count => Err(EvalError::NotOne {
                selection: selection.text.clone(),
                count,
                matched: matched.into_iter().take(SHOWN).map(|s| s.name).collect(),
            }),
        }
    }

    fn select(
        &self,
        selection: &Selection,
        by: Option<&ByKey>,
    ) -> Result<Vec<Selected>, EvalError> {
        self.data
            .select(&selection.text, by.map(|b| b.text.as_str()))
            .map_err(|message| EvalError::Selection {
                selection: selection.text.clone(),
                message,
            })
    }

    /// The (parameter, value) points of the benchmarks `selection` matches, the parameter
    /// being each one's value of `by`, in parameter order. A selected benchmark without the key,
    /// or with one that is not a number, is an error: it was selected, so leaving it out would
    /// hide it.
    fn selected_points(
        &self,
        family: &str,
        selection: &Selection,
        by: &ByKey,
        measure: &str,
    ) -> Result<Vec<Point>, EvalError> {
        let mut points = Vec::new();
        for selected in self.select(selection, Some(by))? {
            let Some(text) = selected.key else {
                return Err(EvalError::NoKey {
                    family: family.to_string(),
                    name: selected.name,
                    key: by.text.clone(),
                });
            };
            let Some(parameter) = parse_literal(text.trim()) else {
                return Err(EvalError::KeyNotNumber {
                    family: family.to_string(),
                    name: selected.name,
                    key: by.text.clone(),
                    text,
                });
            };
            let m = self.lookup(&selected.name, measure)?;
            points.push((parameter.value, m, selected.name));
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(points)
    }

    /// The (parameter, value) points of the benchmarks `pattern` matches, in parameter order;
    /// `strict`: a match whose parameter is not a number is an error (else it is left out).
    fn points(&self, pattern: &str, measure: &str, strict: bool) -> Result<Vec<Point>, EvalError> {
        let (prefix, suffix) = pattern.split_once('*').unwrap_or((pattern, ""));
        let mut points = Vec::new();
        for name in self.data.names() {
            if name.len() < prefix.len() + suffix.len()
                || !name.starts_with(prefix)
                || !name.ends_with(suffix)
            {
                continue;
            }
            let text = &name[prefix.len()..name.len() - suffix.len()];
            let Some(parameter) = parse_literal(text) else {
                if strict {
                    return Err(EvalError::ParameterNotNumber {
                        name: name.clone(),
                        pattern: pattern.to_string(),
                        text: text.to_string(),
                    });
                }
                continue;
            };
            let m = self.lookup(&name, measure)?;
            points.push((parameter.value, m, name));
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(points)
    }

    fn family(
        &self,
        func: Func,
        pattern: &str,
        measure: &str,
    ) -> Result<(Quantity, Detail), EvalError> {
        let points = if func == Func::Efficiency && !pattern.contains('*') {
            self.scaling_family(pattern, measure)?
        } else {
            self.points(pattern, measure, true)?
        };
        let hint = if points.is_empty() {
            pattern_hint(pattern, &self.data.names())
        } else {
            None
        };
        summarize(
            func,
            format!("{}(\"{pattern}\")", func.as_str()),
            points,
            hint,
        )
    }

    /// The levels of `name` for `efficiency` without a `*`: Go's `-cpu` suffix (`name-N`, with
    /// `name` itself as N = 1, since Go leaves the suffix off at GOMAXPROCS 1), benchgate's load
    /// levels (`name/concurrency=N`) or a `concurrency-N` sub-benchmark. Exactly one of these
    /// spellings may match.
    fn scaling_family(&self, name: &str, measure: &str) -> Result<Vec<Point>, EvalError> {
        let candidates = [
            format!("{name}-*"),
            format!("{name}/concurrency=*"),
            format!("{name}/concurrency-*"),
            format!("{name}/threads=*"),
        ];
        let mut found: Vec<(String, Vec<Point>)> = Vec::new();
        for pattern in candidates {
            let points = self.points(&pattern, measure, false)?;
            if !points.is_empty() {
                found.push((pattern, points));
            }
        }
        if found.len() > 1 {
            return Err(EvalError::Ambiguous {
                name: name.to_string(),
                patterns: found.into_iter().map(|(p, _)| format!("\"{p}\"")).collect(),
            });
        }
        let Some((pattern, mut points)) = found.pop() else {
            return Ok(Vec::new());
        };
        if pattern.ends_with("-*")
            && !pattern.contains("/concurrency-")
            && self.data.names().iter().any(|n| n == name)
        {
            let m = self.lookup(name, measure)?;
            points.insert(0, (1.0, m, name.to_string()));
        }
        Ok(points)
    }
}

/// The value of `func` over a family's points (in parameter order), and what it saw; `family`
/// is how the function is shown in errors, `hint` what to say when there are no points.
fn summarize(
    func: Func,
    family: String,
    points: Vec<Point>,
    hint: Option<String>,
) -> Result<(Quantity, Detail), EvalError> {
    if points.is_empty() {
        return Err(EvalError::NoMatch { family, hint });
    }
    // Two points always lie on a line: judging linearity needs a third.
    let needed = if matches!(func, Func::R2 | Func::Residual) {
        3
    } else {
        2
    };
    if points.len() < needed {
        return Err(EvalError::TooFewPoints {
            family,
            needed,
            found: points.len(),
        });
    }
    let xy: Vec<(f64, f64)> = points.iter().map(|p| (p.0, p.1.value)).collect();
    let unit = points[0].1.unit.clone();
    let first = xy[0].0;
    let last = xy[xy.len() - 1].0;
    let undefined = |why: &str| EvalError::Undefined {
        family: family.clone(),
        why: why.to_string(),
    };
    match func {
        Func::Slope | Func::Intercept | Func::R2 | Func::Residual => {
            let fit = linear_fit(&xy)
                .ok_or_else(|| undefined("the parameter is the same in every benchmark"))?;
            let q = match func {
                Func::Slope => Quantity {
                    value: fit.slope,
                    unit: Some(unit.clone()),
                },
                Func::Intercept => Quantity {
                    value: fit.intercept,
                    unit: Some(unit.clone()),
                },
                Func::Residual => Quantity {
                    value: fit.max_relative_residual,
                    unit: Some(Unit::Ratio),
                },
                _ => Quantity::plain(fit.r2),
            };
            let detail = Detail::Fit {
                points: points.len(),
                first,
                last,
                fit,
                unit,
            };
            Ok((q, detail))
        }
        Func::Efficiency => {
            let higher = points[0].1.higher_is_better;
            let (efficiency, at) = scaling_efficiency(&xy, higher).ok_or_else(|| {
                undefined("needs parameters above 0 and values above 0 at two or more levels")
            })?;
            let detail = Detail::Efficiency {
                points: points.len(),
                first,
                last,
                at,
                higher_is_better: higher,
            };
            Ok((Quantity::plain(efficiency), detail))
        }
    }
}

fn arithmetic(op: Op, a: Quantity, b: Quantity) -> Quantity {
    let unit = match op {
        Op::Add | Op::Sub => a.unit.clone().or(b.unit.clone()),
        Op::Mul => match (&a.unit, &b.unit) {
            (Some(u), None) | (None, Some(u)) => Some(u.clone()),
            _ => None,
        },
        Op::Div => match (&a.unit, &b.unit) {
            (Some(u), None) => Some(u.clone()),
            _ => None,
        },
    };
    let value = match op {
        Op::Add => a.value + b.value,
        Op::Sub => a.value - b.value,
        Op::Mul => a.value * b.value,
        Op::Div => a.value / b.value,
    };
    Quantity { value, unit }
}

/// At most four significant decimals, without trailing zeros.
fn trim(x: f64) -> String {
    let text = format!("{x:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// The benchmark name closest to `name`, when one is close: Go benchmarks are stored without
/// their `Benchmark` prefix, and typos are one or two edits away.
fn closest(name: &str, names: &[String]) -> Option<String> {
    if let Some(stripped) = name.strip_prefix("Benchmark")
        && names.iter().any(|n| n == stripped)
    {
        return Some(stripped.to_string());
    }
    let limit = (name.chars().count() / 3).max(2);
    names
        .iter()
        .map(|n| (edit_distance(name, n), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.clone())
}

fn pattern_hint(pattern: &str, names: &[String]) -> Option<String> {
    if let Some(stripped) = pattern.strip_prefix("Benchmark") {
        let (prefix, _) = stripped.split_once('*').unwrap_or((stripped, ""));
        if names.iter().any(|n| n.starts_with(prefix)) {
            return Some(format!(
                "ingested Go benchmarks are named without \"Benchmark\": \"{stripped}\""
            ));
        }
    }
    if names.is_empty() {
        Some("the run has no benchmarks".into())
    } else {
        None
    }
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("restore/cold", "restore/cold"), 0);
        assert_eq!(edit_distance("restore/cold", "restore/clod"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn parameters_print_short() {
        assert_eq!(trim(4.0), "4");
        assert_eq!(trim(0.98765), "0.9877");
        assert_eq!(trim(-0.00001), "0");
    }
}
