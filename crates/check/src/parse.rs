//! The grammar of a check (docs/checks.md):
//!
//! ```text
//! check   = sum cmp sum                      cmp = ">=" | "<=" | ">" | "<"
//! sum     = product (("+" | "-") product)*
//! product = unary (("*" | "/") unary)*
//! unary   = "-" unary | primary
//! primary = number unit? | "name" ("." measure)? | selection ("." measure)?
//!         | func "(" target ("," measure)? ("," "by" ":" key)? ")" | "(" sum ")"
//! target  = "pattern" | selection
//! selection = "{" filter "}"                 (benchstat's filter language, kept as text)
//! key     = "/param" | label                 (what a family over a selection orders by)
//! measure = identifier | "quoted measure"
//! func    = value | slope | intercept | r2 | residual | efficiency
//! ```
//!
//! A selection's filter and a `by:` key are not parsed here: this crate keeps their text (and
//! where it is) and asks its [`crate::Data`] for the benchmarks they select, so the one
//! implementation of the filter language stays with the data ([`Check::selections`] lists them
//! for whoever validates them when a check is loaded).
//!
//! Errors name the column (in characters, from 1) where the expression went wrong.

use thiserror::Error;

use crate::quantity::{Quantity, number_len, with_unit};

/// Longest expression accepted, in characters: a check is one line a human reads.
pub const MAX_EXPR_CHARS: usize = 1000;
/// Deepest nesting of parentheses and unary minus accepted, so no expression can exhaust the
/// stack.
pub const MAX_DEPTH: usize = 32;

/// A byte range of the expression's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Why an expression does not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("at column {column}: {message}")]
pub struct ParseError {
    /// 1-based, in characters.
    pub column: usize,
    /// Byte offset of the same place, for mapping into the file the expression came from.
    pub offset: usize,
    pub message: String,
}

/// A comparison between two values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Ge,
    Le,
    Gt,
    Lt,
}

impl Cmp {
    pub fn as_str(self) -> &'static str {
        match self {
            Cmp::Ge => ">=",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Lt => "<",
        }
    }

    /// Whether `lhs cmp rhs` holds.
    pub fn holds(self, lhs: f64, rhs: f64) -> bool {
        match self {
            Cmp::Ge => lhs >= rhs,
            Cmp::Le => lhs <= rhs,
            Cmp::Gt => lhs > rhs,
            Cmp::Lt => lhs < rhs,
        }
    }

    /// Whether the value must stay above its bound (`>=`, `>`) rather than below it.
    pub fn is_lower_bound(self) -> bool {
        matches!(self, Cmp::Ge | Cmp::Gt)
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A function over a family of benchmarks (one parameter varies between them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// Least-squares slope of the value against the parameter.
    Slope,
    /// Least-squares intercept (the value at parameter 0).
    Intercept,
    /// Coefficient of determination of the least-squares line: 1 is perfectly linear.
    R2,
    /// The largest distance of a value from the least-squares line, relative to the value.
    Residual,
    /// Scaling efficiency: speed-up over the smallest parameter divided by the parameter's
    /// ratio, the lowest over the family.
    Efficiency,
}

impl Func {
    pub fn as_str(self) -> &'static str {
        match self {
            Func::Slope => "slope",
            Func::Intercept => "intercept",
            Func::R2 => "r2",
            Func::Residual => "residual",
            Func::Efficiency => "efficiency",
        }
    }
}

const FUNCTIONS: &str = "value, slope, intercept, r2, residual, efficiency";

/// A `{filter}` selecting benchmarks: the filter's text and where it is in the expression
/// (between the braces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub text: String,
    pub span: Span,
}

/// The key after `by:` (`/n`, `procs`): its text and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByKey {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Number(Quantity),
    /// The value of one benchmark: `"name"`, `"name".measure` or `value("name", measure)`;
    /// `measure: None` is the check's measure.
    Value {
        bench: String,
        measure: Option<String>,
    },
    /// A function over the benchmarks `pattern` matches.
    Family {
        func: Func,
        pattern: String,
        measure: Option<String>,
    },
    /// The value of the one benchmark a selection matches: `{…}`, `{…}.measure` or
    /// `value({…}, measure)`.
    Selected {
        selection: Selection,
        measure: Option<String>,
    },
    /// A function over the benchmarks a selection matches, ordered by the numeric value of
    /// `by`: `r2({.name:steps}, by: /n)`.
    SelectedFamily {
        func: Func,
        selection: Selection,
        by: ByKey,
        measure: Option<String>,
    },
    Neg(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// A parsed check: `lhs cmp rhs`. The value of the check is `lhs`, its bound `rhs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub text: String,
    pub lhs: Expr,
    pub cmp: Cmp,
    pub rhs: Expr,
}

impl Check {
    /// The source text of `span`.
    pub fn source(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// Every selection of the expression, in order, with the `by:` key of its family function
    /// (`None` for a single benchmark's selection).
    pub fn selections(&self) -> Vec<(&Selection, Option<&ByKey>)> {
        fn walk<'c>(expr: &'c Expr, out: &mut Vec<(&'c Selection, Option<&'c ByKey>)>) {
            match &expr.kind {
                ExprKind::Selected { selection, .. } => out.push((selection, None)),
                ExprKind::SelectedFamily { selection, by, .. } => out.push((selection, Some(by))),
                ExprKind::Neg(inner) => walk(inner, out),
                ExprKind::Binary(_, lhs, rhs) => {
                    walk(lhs, out);
                    walk(rhs, out);
                }
                ExprKind::Number(_) | ExprKind::Value { .. } | ExprKind::Family { .. } => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.lhs, &mut out);
        walk(&self.rhs, &mut out);
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Number(Quantity),
    Str(String),
    Ident(String),
    /// `{filter}`: the text between the braces.
    Selection(String),
    /// `:` (only after `by`), always followed by its key.
    Colon,
    /// The key after `:`, verbatim.
    Key(String),
    LParen,
    RParen,
    Comma,
    Dot,
    Op(Op),
    Cmp(Cmp),
    /// `=`, `==` or `!=`: refused with a reason.
    Equality,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    span: Span,
}

fn error_at(text: &str, offset: usize, message: impl Into<String>) -> ParseError {
    let offset = offset.min(text.len());
    ParseError {
        column: text[..offset].chars().count() + 1,
        offset,
        message: message.into(),
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn lex(text: &str) -> Result<Vec<Token>, ParseError> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let (tok, len) = match c {
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            ',' => (Tok::Comma, 1),
            '+' => (Tok::Op(Op::Add), 1),
            '-' => (Tok::Op(Op::Sub), 1),
            '*' => (Tok::Op(Op::Mul), 1),
            '/' => (Tok::Op(Op::Div), 1),
            '>' | '<' => {
                let or_equal = rest[1..].starts_with('=');
                let cmp = match (c, or_equal) {
                    ('>', true) => Cmp::Ge,
                    ('>', false) => Cmp::Gt,
                    ('<', true) => Cmp::Le,
                    _ => Cmp::Lt,
                };
                (Tok::Cmp(cmp), if or_equal { 2 } else { 1 })
            }
            '=' => (Tok::Equality, if rest.starts_with("==") { 2 } else { 1 }),
            '!' if rest.starts_with("!=") => (Tok::Equality, 2),
            '"' => {
                let body = &rest[1..];
                let Some(close) = body.find('"') else {
                    return Err(error_at(text, start, "unterminated name: no closing \""));
                };
                let name = &body[..close];
                if name.trim().is_empty() {
                    return Err(error_at(text, start, "empty benchmark name \"\""));
                }
                (Tok::Str(name.to_string()), close + 2)
            }
            '{' => {
                let Some(close) = selection_end(rest) else {
                    return Err(error_at(
                        text,
                        start,
                        "unterminated selection: no closing } (braces inside a selection must \
                         pair up, or be quoted)",
                    ));
                };
                let filter = &rest[1..close];
                if filter.trim().is_empty() {
                    return Err(error_at(
                        text,
                        start,
                        "empty selection {}: write a filter such as {.name:steps}, or {*} for \
                         every benchmark",
                    ));
                }
                (Tok::Selection(filter.to_string()), close + 1)
            }
            ':' => {
                tokens.push(Token {
                    tok: Tok::Colon,
                    span: Span {
                        start,
                        end: start + 1,
                    },
                });
                let after = &rest[1..];
                let skip = after.len() - after.trim_start().len();
                let key_start = start + 1 + skip;
                let key_text = &text[key_start..];
                let len = key_text
                    .find(|c: char| c.is_whitespace() || c == ',' || c == ')')
                    .unwrap_or(key_text.len());
                if len == 0 {
                    return Err(error_at(
                        text,
                        key_start,
                        "expected a key after by: (a parameter such as /n, or a label)",
                    ));
                }
                tokens.push(Token {
                    tok: Tok::Key(key_text[..len].to_string()),
                    span: Span {
                        start: key_start,
                        end: key_start + len,
                    },
                });
                i = key_start + len;
                continue;
            }
            '.' if !rest[1..].starts_with(|d: char| d.is_ascii_digit()) => (Tok::Dot, 1),
            c if c.is_ascii_digit() || c == '.' => {
                let len = number_len(rest);
                if len == 0 {
                    return Err(error_at(text, start, "expected a number"));
                }
                let number: f64 = rest[..len]
                    .parse()
                    .map_err(|_| error_at(text, start, "expected a number"))?;
                // The unit follows the number directly: letters, `µ`, `%`, and a rate's `/s`.
                let unit_len = rest[len..]
                    .char_indices()
                    .find(|&(_, u)| !(u.is_alphabetic() || u == '%'))
                    .map_or(rest.len() - len, |(k, _)| k);
                let mut end = len + unit_len;
                let after = &rest[end..];
                if after.starts_with("/s") && !after[2..].starts_with(is_ident_char) {
                    end += 2;
                }
                let unit = &rest[len..end];
                let quantity =
                    with_unit(number, unit).map_err(|e| error_at(text, start + len, e))?;
                (Tok::Number(quantity), end)
            }
            c if is_ident_start(c) => {
                // Dots join the parts of a label such as `errors.timeout`.
                let mut len = rest
                    .find(|c: char| !(is_ident_char(c) || c == '.'))
                    .unwrap_or(rest.len());
                while rest[..len].ends_with('.') {
                    len -= 1;
                }
                (Tok::Ident(rest[..len].to_string()), len)
            }
            other => {
                return Err(error_at(
                    text,
                    start,
                    format!("unexpected character {other:?}"),
                ));
            }
        };
        tokens.push(Token {
            tok,
            span: Span {
                start,
                end: start + len,
            },
        });
        i += len;
    }
    tokens.push(Token {
        tok: Tok::End,
        span: Span {
            start: text.len(),
            end: text.len(),
        },
    });
    Ok(tokens)
}

/// The byte offset of the `}` that closes the `{` `rest` starts with: braces pair up, and a
/// quoted string (`"…"`, with `\` escapes) may hold any.
fn selection_end(rest: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (k, c) in rest.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.at + ahead).min(self.tokens.len() - 1)].tok
    }

    fn next(&mut self) -> Token {
        let token = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        token
    }

    fn err(&self, span: Span, message: impl Into<String>) -> ParseError {
        error_at(self.text, span.start, message)
    }

    fn describe(tok: &Tok) -> String {
        match tok {
            Tok::Number(_) => "a number".into(),
            Tok::Str(name) => format!("\"{name}\""),
            Tok::Ident(name) => name.clone(),
            Tok::Selection(filter) => format!("{{{filter}}}"),
            Tok::Colon => ":".into(),
            Tok::Key(key) => key.clone(),
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::Comma => ",".into(),
            Tok::Dot => ".".into(),
            Tok::Op(Op::Add) => "+".into(),
            Tok::Op(Op::Sub) => "-".into(),
            Tok::Op(Op::Mul) => "*".into(),
            Tok::Op(Op::Div) => "/".into(),
            Tok::Cmp(c) => c.as_str().into(),
            Tok::Equality => "=".into(),
            Tok::End => "the end".into(),
        }
    }

    fn check(&mut self) -> Result<Check, ParseError> {
        let lhs = self.sum()?;
        let token = self.next();
        let cmp = match token.tok {
            Tok::Cmp(cmp) => cmp,
            Tok::Equality => {
                return Err(self.err(
                    token.span,
                    "use >=, <=, > or <: measured values are never exactly equal",
                ));
            }
            Tok::End => {
                return Err(self.err(
                    token.span,
                    "expected a comparison (>=, <=, > or <) and a bound: a check says what must hold",
                ));
            }
            other => {
                return Err(self.err(
                    token.span,
                    format!(
                        "expected an operator or a comparison, found {}",
                        Self::describe(&other)
                    ),
                ));
            }
        };
        let rhs = self.sum()?;
        let token = self.next();
        match token.tok {
            Tok::End => Ok(Check {
                text: self.text.to_string(),
                lhs,
                cmp,
                rhs,
            }),
            Tok::Cmp(_) | Tok::Equality => Err(self.err(
                token.span,
                "only one comparison per check (write two checks for two bounds)",
            )),
            other => Err(self.err(
                token.span,
                format!(
                    "expected the end of the check, found {}",
                    Self::describe(&other)
                ),
            )),
        }
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.product()?;
        while let Tok::Op(op @ (Op::Add | Op::Sub)) = self.peek().tok {
            self.next();
            let rhs = self.product()?;
            lhs = binary(op, lhs, rhs);
        }
        Ok(lhs)
    }

    fn product(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.unary()?;
        while let Tok::Op(op @ (Op::Mul | Op::Div)) = self.peek().tok {
            self.next();
            let rhs = self.unary()?;
            lhs = binary(op, lhs, rhs);
        }
        Ok(lhs)
    }

    fn deeper(&mut self, span: Span) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(span, format!("nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if let Tok::Op(Op::Sub) = self.peek().tok {
            let minus = self.next();
            self.deeper(minus.span)?;
            let inner = self.unary()?;
            self.depth -= 1;
            let span = Span {
                start: minus.span.start,
                end: inner.span.end,
            };
            return Ok(Expr {
                kind: ExprKind::Neg(Box::new(inner)),
                span,
            });
        }
        self.primary()
    }

    /// A measure after `.` or `,`: an identifier, or a quoted name for units such as `B/op`.
    /// `.measure` after a benchmark, if there is one, and where the value ends (`end` without).
    fn dotted_measure(&mut self, end: usize) -> Result<(Option<String>, usize), ParseError> {
        if self.peek().tok != Tok::Dot {
            return Ok((None, end));
        }
        self.next();
        let (measure, span) = self.measure()?;
        Ok((Some(measure), span.end))
    }

    fn measure(&mut self) -> Result<(String, Span), ParseError> {
        let token = self.next();
        match token.tok {
            Tok::Ident(name) => Ok((name, token.span)),
            Tok::Str(name) => Ok((name, token.span)),
            other => Err(self.err(
                token.span,
                format!(
                    "expected a measure (wall_time, throughput, \"B/op\"…), found {}",
                    Self::describe(&other)
                ),
            )),
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let token = self.next();
        match token.tok {
            Tok::Number(q) => Ok(Expr {
                kind: ExprKind::Number(q),
                span: token.span,
            }),
            Tok::Str(bench) => {
                let (measure, end) = self.dotted_measure(token.span.end)?;
                Ok(Expr {
                    kind: ExprKind::Value { bench, measure },
                    span: Span {
                        start: token.span.start,
                        end,
                    },
                })
            }
            Tok::Selection(text) => {
                let selection = Selection {
                    text,
                    span: Span {
                        start: token.span.start + 1,
                        end: token.span.end - 1,
                    },
                };
                let (measure, end) = self.dotted_measure(token.span.end)?;
                Ok(Expr {
                    kind: ExprKind::Selected { selection, measure },
                    span: Span {
                        start: token.span.start,
                        end,
                    },
                })
            }
            Tok::LParen => {
                self.deeper(token.span)?;
                let inner = self.sum()?;
                self.depth -= 1;
                let close = self.next();
                if close.tok != Tok::RParen {
                    return Err(self.err(
                        close.span,
                        format!("expected ), found {}", Self::describe(&close.tok)),
                    ));
                }
                Ok(Expr {
                    kind: inner.kind,
                    span: Span {
                        start: token.span.start,
                        end: close.span.end,
                    },
                })
            }
            Tok::Ident(name) => {
                if self.peek().tok != Tok::LParen {
                    return Err(self.err(
                        token.span,
                        format!(
                            "unexpected name {name}: a benchmark's name goes in double quotes \
                             (\"{name}\"), a function is called with parentheses ({FUNCTIONS})"
                        ),
                    ));
                }
                self.call(name, token.span)
            }
            other => Err(self.err(
                token.span,
                format!(
                    "expected a number, a \"benchmark\" or a function, found {}",
                    Self::describe(&other)
                ),
            )),
        }
    }

    fn call(&mut self, name: String, name_span: Span) -> Result<Expr, ParseError> {
        let func = match name.as_str() {
            "value" => None,
            "slope" => Some(Func::Slope),
            "intercept" => Some(Func::Intercept),
            "r2" => Some(Func::R2),
            "residual" => Some(Func::Residual),
            "efficiency" => Some(Func::Efficiency),
            _ => {
                return Err(self.err(
                    name_span,
                    format!("unknown function {name} (functions: {FUNCTIONS})"),
                ));
            }
        };
        self.next(); // (
        let arg = self.next();
        let target = match arg.tok {
            Tok::Str(pattern) => {
                check_pattern(self.text, func, &pattern, arg.span)?;
                Target::Pattern(pattern)
            }
            Tok::Selection(text) => Target::Selection(Selection {
                text,
                span: Span {
                    start: arg.span.start + 1,
                    end: arg.span.end - 1,
                },
            }),
            other => {
                return Err(self.err(
                    arg.span,
                    format!(
                        "{name} takes a benchmark name in double quotes or a {{selection}} \
                         first, found {}",
                        Self::describe(&other)
                    ),
                ));
            }
        };
        let mut measure = None;
        let mut by: Option<ByKey> = None;
        let close = loop {
            let token = self.next();
            match token.tok {
                Tok::RParen => break token,
                Tok::Comma
                    if matches!(self.peek_at(0), Tok::Ident(w) if w == "by")
                        && *self.peek_at(1) == Tok::Colon =>
                {
                    let by_word = self.next();
                    self.next(); // :
                    let key = self.next();
                    let Tok::Key(text) = key.tok else {
                        return Err(self.err(key.span, "expected a key after by:"));
                    };
                    if by.is_some() {
                        return Err(self.err(by_word.span, format!("{name} takes one by: key")));
                    }
                    by = Some(ByKey {
                        text,
                        span: key.span,
                    });
                }
                Tok::Comma if measure.is_some() => {
                    return Err(self.err(
                        token.span,
                        format!(
                            "{name} takes at most two arguments, a name and a measure (and \
                             by: KEY after a {{selection}})"
                        ),
                    ));
                }
                Tok::Comma => measure = Some(self.measure()?.0),
                other => {
                    return Err(self.err(
                        token.span,
                        format!("expected , or ), found {}", Self::describe(&other)),
                    ));
                }
            }
        };
        let span = Span {
            start: name_span.start,
            end: close.span.end,
        };
        let kind = match (func, target, by) {
            (None, _, Some(by)) => {
                return Err(self.err(
                    by.span,
                    "value reads one benchmark: by: orders the benchmarks of slope, intercept, \
                     r2, residual and efficiency",
                ));
            }
            (_, Target::Pattern(_), Some(by)) => {
                return Err(self.err(
                    by.span,
                    "by: orders the benchmarks of a {selection}; a pattern's * already marks \
                     the parameter",
                ));
            }
            (None, Target::Pattern(bench), None) => ExprKind::Value { bench, measure },
            (None, Target::Selection(selection), None) => ExprKind::Selected { selection, measure },
            (Some(func), Target::Pattern(pattern), None) => ExprKind::Family {
                func,
                pattern,
                measure,
            },
            (Some(_), Target::Selection(_), None) => {
                return Err(self.err(
                    close.span,
                    format!(
                        "{name} over a {{selection}} needs by: KEY, the parameter it orders the \
                         benchmarks by (e.g. {name}({{.name:steps}}, by: /n))"
                    ),
                ));
            }
            (Some(func), Target::Selection(selection), Some(by)) => ExprKind::SelectedFamily {
                func,
                selection,
                by,
                measure,
            },
        };
        Ok(Expr { kind, span })
    }
}

/// What a function reads: benchmarks by a quoted name or pattern, or by a selection.
enum Target {
    Pattern(String),
    Selection(Selection),
}

/// A family's pattern has exactly one `*` where the parameter's value goes (`efficiency` may
/// have none: it finds the parameter itself); a benchmark name has none.
fn check_pattern(
    text: &str,
    func: Option<Func>,
    pattern: &str,
    span: Span,
) -> Result<(), ParseError> {
    let stars = pattern.matches('*').count();
    let problem = match func {
        None if stars > 0 => Some(
            "value takes one benchmark's name, not a pattern (slope, intercept, r2, residual \
             and efficiency take patterns)"
                .to_string(),
        ),
        Some(Func::Efficiency) if stars > 1 => Some(format!(
            "efficiency's pattern may have one * where the parameter goes, found {stars}"
        )),
        Some(Func::Slope | Func::Intercept | Func::R2 | Func::Residual) if stars != 1 => {
            Some(format!(
                "{}'s pattern needs exactly one * where the parameter's value goes (e.g. \
             \"steps/n=*\"), found {stars}",
                func.map_or("", Func::as_str)
            ))
        }
        _ => None,
    };
    match problem {
        Some(message) => Err(error_at(text, span.start, message)),
        None => Ok(()),
    }
}

fn binary(op: Op, lhs: Expr, rhs: Expr) -> Expr {
    let span = Span {
        start: lhs.span.start,
        end: rhs.span.end,
    };
    Expr {
        kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
        span,
    }
}

/// Parses one check. An empty, overlong or malformed expression is an error with the column
/// where it went wrong.
pub fn parse(text: &str) -> Result<Check, ParseError> {
    let chars = text.chars().count();
    if chars > MAX_EXPR_CHARS {
        return Err(error_at(
            text,
            text.char_indices()
                .nth(MAX_EXPR_CHARS)
                .map_or(text.len(), |(i, _)| i),
            format!("longer than {MAX_EXPR_CHARS} characters ({chars})"),
        ));
    }
    if text.trim().is_empty() {
        return Err(error_at(text, 0, "empty expression"));
    }
    let tokens = lex(text)?;
    Parser {
        text,
        tokens,
        at: 0,
        depth: 0,
    }
    .check()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_their_source() {
        let check = parse(r#""a/b".allocs / value("c", wall_time) >= 2"#).unwrap();
        let ExprKind::Binary(Op::Div, lhs, rhs) = &check.lhs.kind else {
            panic!("{:?}", check.lhs)
        };
        assert_eq!(check.source(lhs.span), r#""a/b".allocs"#);
        assert_eq!(check.source(rhs.span), r#"value("c", wall_time)"#);
        assert_eq!(check.source(check.rhs.span), "2");
    }
}
