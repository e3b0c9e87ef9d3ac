//! The expression language of `[[check]]` (SPEC §6, §7.3): one comparison over measured values,
//! such as `"restore/cold" / "restore/warm" >= 50`, `r2("steps/n=*") >= 0.98` or
//! `efficiency("Encode", throughput) >= 0.7`, with benchmarks named by a quoted name or pattern
//! or selected by a `{filter}` in benchstat's filter language (`r2({.name:steps}, by: /n)`).
//! This crate parses a check (errors carry the column in the expression) and evaluates it
//! against any [`Data`] (the values of a run's benchmarks, which also evaluates selections),
//! without I/O and without knowing what a verdict is: turning an [`Evaluation`] into a verdict is
//! benchgate-gate's job. The language is documented in docs/checks.md.

mod eval;
mod fit;
mod parse;
mod quantity;

pub use eval::{
    Data, Detail, EvalError, Evaluation, Measured, Selected, Term, Unavailable, evaluate,
};
pub use fit::{LinearFit, linear_fit, scaling_efficiency};
pub use parse::{
    ByKey, Check, Cmp, Expr, ExprKind, Func, MAX_DEPTH, MAX_EXPR_CHARS, Op, ParseError, Selection,
    Span, parse,
};
pub use quantity::{Quantity, parse_literal};
