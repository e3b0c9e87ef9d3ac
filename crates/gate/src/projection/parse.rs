//! The filter and projection languages of benchstat's benchproc
//! (golang.org/x/perf/benchproc/syntax), the subset benchgate's model has: a parser for each,
//! whose errors say at which character of the expression they stopped.

use regex::Regex;

/// What a filter or a projection reads of a benchmark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// `.name`: the name without its `key=value` parts (and Go's `-N` GOMAXPROCS suffix).
    Name,
    /// `.fullname`: the whole name.
    FullName,
    /// `.file`: the label of the input (the operand as written).
    File,
    /// `.unit` (filters only): a metric's unit or measure name.
    Unit,
    /// `.measure` (filters only): a metric's measure name.
    Measure,
    /// `.config` (projections only): every configuration label (Go's `key: value` lines).
    Config,
    /// `/key`: a parameter (a `key=value` part of the name).
    Param(String),
    /// `key`: a label (for Go input, a configuration value such as `goos` or a user key).
    Label(String),
}

impl Key {
    /// How the key is written.
    pub fn spelling(&self) -> String {
        match self {
            Key::Name => ".name".into(),
            Key::FullName => ".fullname".into(),
            Key::File => ".file".into(),
            Key::Unit => ".unit".into(),
            Key::Measure => ".measure".into(),
            Key::Config => ".config".into(),
            Key::Param(k) => format!("/{k}"),
            Key::Label(k) => k.clone(),
        }
    }
}

/// How a projected field orders its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    /// In the order values are first seen (files in order, benchmarks in order).
    FirstSeen,
    /// `@alpha`.
    Alpha,
    /// `@num`: numerically, with metric (`k`, `M`, `G`) and IEC (`Ki`, `Mi`, `Gi`) prefixes.
    Num,
    /// `@(a b c)`: exactly these values, in this order; any other value is filtered out.
    Fixed(Vec<String>),
}

/// One field of a projection: a key and its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: Key,
    pub order: Order,
}

/// A value a filter term accepts.
#[derive(Debug, Clone)]
pub enum ValueMatch {
    Exact(String),
    Regex(Regex),
}

impl ValueMatch {
    pub fn matches(&self, value: &str) -> bool {
        match self {
            ValueMatch::Exact(v) => v == value,
            ValueMatch::Regex(re) => re.is_match(value),
        }
    }
}

/// A filter expression.
#[derive(Debug, Clone)]
pub enum Filter {
    /// `*`.
    All,
    /// `key:value` or `key:(a OR b)`.
    Match {
        key: Key,
        values: Vec<ValueMatch>,
    },
    Not(Box<Filter>),
    And(Vec<Filter>),
    Or(Vec<Filter>),
}

/// A filter or projection that does not parse: where (the 1-based character of the
/// expression) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {position}: {message}")]
pub struct SyntaxError {
    pub position: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    /// `/re/` (only where a filter value may be).
    Regex(String),
    Punct(char),
    End,
}

struct Lexer<'a> {
    chars: Vec<(usize, char)>,
    at: usize,
    text: &'a str,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            chars: text.char_indices().collect(),
            at: 0,
            text,
        }
    }

    /// The 1-based character position of the next token.
    fn position(&mut self) -> usize {
        self.skip_space();
        self.at + 1
    }

    fn skip_space(&mut self) {
        while self
            .chars
            .get(self.at)
            .is_some_and(|(_, c)| c.is_whitespace())
        {
            self.at += 1;
        }
    }

    fn error<T>(&self, position: usize, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            position,
            message: message.into(),
        })
    }

    fn peek(&mut self, punct: &str, regex_ok: bool) -> Result<(usize, Tok), SyntaxError> {
        let saved = self.at;
        let tok = self.next(punct, regex_ok);
        self.at = saved;
        tok
    }

    /// The next token; `punct` is the set of characters that are tokens of their own here.
    fn next(&mut self, punct: &str, regex_ok: bool) -> Result<(usize, Tok), SyntaxError> {
        let position = self.position();
        let Some(&(_, c)) = self.chars.get(self.at) else {
            return Ok((position, Tok::End));
        };
        if punct.contains(c) {
            self.at += 1;
            return Ok((position, Tok::Punct(c)));
        }
        if c == '"' {
            return self.quoted(position).map(|w| (position, Tok::Word(w)));
        }
        if regex_ok && c == '/' {
            let mut re = String::new();
            self.at += 1;
            loop {
                match self.chars.get(self.at) {
                    None => return self.error(position, "a regular expression /…/ is not closed"),
                    Some(&(_, '/')) => {
                        self.at += 1;
                        return Ok((position, Tok::Regex(re)));
                    }
                    Some(&(_, '\\')) if self.chars.get(self.at + 1).is_some_and(|p| p.1 == '/') => {
                        re.push('/');
                        self.at += 2;
                    }
                    Some(&(_, ch)) => {
                        re.push(ch);
                        self.at += 1;
                    }
                }
            }
        }
        // A bare word: anything up to a space or a punctuation character; `-` and `*` only
        // cannot start one (as in benchproc).
        let start = self.chars[self.at].0;
        while let Some(&(_, ch)) = self.chars.get(self.at) {
            if ch.is_whitespace() || "():@,\"".contains(ch) {
                break;
            }
            self.at += 1;
        }
        let end = self.chars.get(self.at).map_or(self.text.len(), |c| c.0);
        Ok((position, Tok::Word(self.text[start..end].to_string())))
    }

    fn quoted(&mut self, position: usize) -> Result<String, SyntaxError> {
        let mut word = String::new();
        self.at += 1;
        loop {
            match self.chars.get(self.at) {
                None => return self.error(position, "a quoted string is not closed"),
                Some(&(_, '"')) => {
                    self.at += 1;
                    return Ok(word);
                }
                Some(&(_, '\\')) => {
                    let Some(&(_, escaped)) = self.chars.get(self.at + 1) else {
                        return self.error(position, "a quoted string is not closed");
                    };
                    word.push(match escaped {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                    self.at += 2;
                }
                Some(&(_, ch)) => {
                    word.push(ch);
                    self.at += 1;
                }
            }
        }
    }
}

fn key_of(word: &str, position: usize, in_filter: bool) -> Result<Key, SyntaxError> {
    let fail = |message: String| Err(SyntaxError { position, message });
    let key = match word {
        ".name" => Key::Name,
        ".fullname" => Key::FullName,
        ".file" => Key::File,
        ".unit" if in_filter => Key::Unit,
        ".measure" if in_filter => Key::Measure,
        ".config" if !in_filter => Key::Config,
        ".unit" | ".measure" => {
            return fail(format!("{word} is a filter key, not a projection key"));
        }
        ".config" => return fail(".config is a projection key, not a filter key".into()),
        _ if word.starts_with('.') => {
            return fail(format!(
                "unknown key {word:?}: expected .name, .fullname, .file, .config, .unit, .measure, /PARAM or a label"
            ));
        }
        _ => match word.strip_prefix('/') {
            Some("") => return fail("expected a parameter name after /".into()),
            Some(param) => Key::Param(param.to_string()),
            None if word.is_empty() => return fail("expected a key".into()),
            None => Key::Label(word.to_string()),
        },
    };
    Ok(key)
}

/// Parses a filter (`--filter`): `key:value`, `key:"quoted"`, `key:/regexp/`,
/// `key:(a OR b)`, `*`, `-x`, `x y` / `x AND y`, `x OR y`, `( … )`.
pub fn parse_filter(text: &str) -> Result<Filter, SyntaxError> {
    let mut lexer = Lexer::new(text);
    if let (_, Tok::End) = lexer.peek(FILTER_PUNCT, false)? {
        return lexer.error(
            1,
            "the filter is empty: expected key:value, or * for everything",
        );
    }
    let filter = or_expr(&mut lexer)?;
    match lexer.next(FILTER_PUNCT, false)? {
        (_, Tok::End) => Ok(filter),
        (position, Tok::Punct(')')) => lexer.error(position, "a ) that closes nothing"),
        (position, _) => lexer.error(position, "expected AND, OR or the end of the filter"),
    }
}

const FILTER_PUNCT: &str = "()-*:";

fn or_expr(lexer: &mut Lexer<'_>) -> Result<Filter, SyntaxError> {
    let mut terms = vec![and_expr(lexer)?];
    while let (_, Tok::Word(w)) = lexer.peek(FILTER_PUNCT, false)?
        && w == "OR"
    {
        lexer.next(FILTER_PUNCT, false)?;
        terms.push(and_expr(lexer)?);
    }
    Ok(if terms.len() == 1 {
        terms.remove(0)
    } else {
        Filter::Or(terms)
    })
}

fn and_expr(lexer: &mut Lexer<'_>) -> Result<Filter, SyntaxError> {
    let mut terms = vec![match_expr(lexer)?];
    loop {
        match lexer.peek(FILTER_PUNCT, false)? {
            (_, Tok::End) | (_, Tok::Punct(')')) => break,
            (_, Tok::Word(w)) if w == "OR" => break,
            (_, Tok::Word(w)) if w == "AND" => {
                lexer.next(FILTER_PUNCT, false)?;
                terms.push(match_expr(lexer)?);
            }
            _ => terms.push(match_expr(lexer)?),
        }
    }
    Ok(if terms.len() == 1 {
        terms.remove(0)
    } else {
        Filter::And(terms)
    })
}

fn match_expr(lexer: &mut Lexer<'_>) -> Result<Filter, SyntaxError> {
    match lexer.next(FILTER_PUNCT, false)? {
        (_, Tok::Punct('(')) => {
            let inner = or_expr(lexer)?;
            match lexer.next(FILTER_PUNCT, false)? {
                (_, Tok::Punct(')')) => Ok(inner),
                (position, _) => lexer.error(position, "expected ) to close the ( before it"),
            }
        }
        (_, Tok::Punct('-')) => Ok(Filter::Not(Box::new(match_expr(lexer)?))),
        (_, Tok::Punct('*')) => Ok(Filter::All),
        (position, Tok::Word(word)) if word != "AND" && word != "OR" => {
            let key = key_of(&word, position, true)?;
            match lexer.next(FILTER_PUNCT, false)? {
                (_, Tok::Punct(':')) => {}
                (position, _) => {
                    return lexer.error(position, format!("expected : after the key {word}"));
                }
            }
            let values = match lexer.peek(FILTER_PUNCT, true)? {
                (_, Tok::Punct('(')) => {
                    lexer.next(FILTER_PUNCT, true)?;
                    let mut values = vec![value(lexer)?];
                    loop {
                        match lexer.next(FILTER_PUNCT, false)? {
                            (_, Tok::Punct(')')) => break,
                            (_, Tok::Word(w)) if w == "OR" => values.push(value(lexer)?),
                            (position, _) => {
                                return lexer.error(position, "expected OR or ) in a value list");
                            }
                        }
                    }
                    values
                }
                _ => vec![value(lexer)?],
            };
            Ok(Filter::Match { key, values })
        }
        (position, Tok::End) => {
            lexer.error(position, "the filter ends where a key:value was expected")
        }
        (position, _) => lexer.error(position, "expected key:value, *, - or ("),
    }
}

fn value(lexer: &mut Lexer<'_>) -> Result<ValueMatch, SyntaxError> {
    // Inside a value `-` and `*` are characters of the word (`Encode-8`, `x*`).
    match lexer.next("():", true)? {
        (_, Tok::Word(w)) => Ok(ValueMatch::Exact(w)),
        (position, Tok::Regex(re)) => Regex::new(&re).map(ValueMatch::Regex).or_else(|e| {
            lexer.error(
                position,
                format!(
                    "bad regular expression /{re}/: {}",
                    last_line(&e.to_string())
                ),
            )
        }),
        (position, _) => lexer.error(
            position,
            "expected a value (a word, \"quoted\" or /regexp/)",
        ),
    }
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or(text).trim()
}

/// Parses a projection (`--row`, `--col`, `--table`): keys separated by commas or spaces, each
/// optionally `@alpha`, `@num` or `@(v1 v2 …)`.
pub fn parse_projection(text: &str) -> Result<Vec<Field>, SyntaxError> {
    const PUNCT: &str = "(),@";
    let mut lexer = Lexer::new(text);
    let mut fields = Vec::new();
    loop {
        let (position, tok) = lexer.next(PUNCT, false)?;
        let word = match tok {
            Tok::End if fields.is_empty() => return lexer.error(position, "expected a key"),
            Tok::End => return Ok(fields),
            Tok::Punct(',') if !fields.is_empty() => continue,
            Tok::Word(word) => word,
            _ => return lexer.error(position, "expected a key"),
        };
        let key = key_of(&word, position, false)?;
        let mut order = Order::FirstSeen;
        if let (_, Tok::Punct('@')) = lexer.peek(PUNCT, false)? {
            lexer.next(PUNCT, false)?;
            order = match lexer.next(PUNCT, false)? {
                (_, Tok::Word(w)) if w == "alpha" => Order::Alpha,
                (_, Tok::Word(w)) if w == "num" => Order::Num,
                (_, Tok::Punct('(')) => {
                    let mut values = Vec::new();
                    loop {
                        match lexer.next(PUNCT, false)? {
                            (_, Tok::Punct(')')) if !values.is_empty() => break,
                            (_, Tok::Word(w)) => values.push(w),
                            (position, _) => {
                                return lexer.error(position, "expected a value or ) in @( … )");
                            }
                        }
                    }
                    Order::Fixed(values)
                }
                (position, _) => {
                    return lexer.error(position, "expected alpha, num or ( after @");
                }
            };
        }
        fields.push(Field { key, order });
    }
}

/// Parses `--ignore`: keys separated by commas or spaces.
pub fn parse_keys(text: &str) -> Result<Vec<Key>, SyntaxError> {
    let fields = parse_projection(text)?;
    Ok(fields.into_iter().map(|f| f.key).collect())
}
