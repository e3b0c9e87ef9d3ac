//! Bare `NaN`, `Infinity` and `-Infinity` in "JSON": Google Benchmark writes them for NaN or
//! infinite counters and Python's `json` (pytest-benchmark) for non-finite floats, and serde_json
//! refuses them. Outside strings they are rewritten, in one pass, into marker strings (a NUL
//! byte and a name no real value holds) that the formats' number types read back with
//! [`value_of`]; errors found in the rewritten text are moved back to their column in the
//! original ([`Quoted::unshift`]). The input is copied only when it has such a token.

use std::borrow::Cow;

use crate::{Location, ParseError};

const MARK: &str = "\0benchgate:";

/// The input with its bare non-finite tokens quoted, and where each replacement is.
pub(crate) struct Quoted<'a> {
    pub text: Cow<'a, [u8]>,
    rewrites: Vec<Rewrite>,
}

/// One token turned into a marker string.
#[derive(Debug, Clone, Copy)]
struct Rewrite {
    /// Where the replacement starts in the rewritten text.
    at: usize,
    new_len: usize,
    old_len: usize,
}

/// Quotes the bare `NaN`/`Infinity`/`-Infinity` tokens (any case, also `nan`, `inf`, `+inf`)
/// outside strings.
pub(crate) fn quote(bytes: &[u8]) -> Quoted<'_> {
    let mut out: Option<Vec<u8>> = None;
    let mut rewrites = Vec::new();
    let mut copied = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => i = string_end(bytes, i + 1),
            b'N' | b'n' | b'I' | b'i' | b'-' | b'+' => match token(bytes, i) {
                Some((old_len, replacement)) => {
                    let out = out.get_or_insert_with(|| Vec::with_capacity(bytes.len() + 64));
                    out.extend_from_slice(bytes.get(copied..i).unwrap_or_default());
                    rewrites.push(Rewrite {
                        at: out.len(),
                        new_len: replacement.len(),
                        old_len,
                    });
                    out.extend_from_slice(replacement);
                    i += old_len;
                    copied = i;
                }
                None => i += 1,
            },
            _ => i += 1,
        }
    }
    let text = match out {
        None => Cow::Borrowed(bytes),
        Some(mut out) => {
            out.extend_from_slice(bytes.get(copied..).unwrap_or_default());
            Cow::Owned(out)
        }
    };
    Quoted { text, rewrites }
}

/// The float a marker string stands for; `None` for any other string.
pub(crate) fn value_of(s: &str) -> Option<f64> {
    match s.strip_prefix(MARK)? {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// The index just past the closing quote of the string whose contents start at `from` (escapes
/// skipped), or the input's length when it is not closed.
fn string_end(bytes: &[u8], mut from: usize) -> usize {
    while let Some(rest) = bytes.get(from..) {
        match memchr::memchr2(b'"', b'\\', rest) {
            Some(k) if rest.get(k) == Some(&b'\\') => from += k + 2,
            Some(k) => return from + k + 1,
            None => break,
        }
    }
    bytes.len()
}

/// A non-finite number token at `i`: its length and its marker string.
fn token(bytes: &[u8], i: usize) -> Option<(usize, &'static [u8])> {
    let is_word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.';
    if i > 0 && bytes.get(i - 1).is_some_and(is_word) {
        return None;
    }
    let (negative, start) = match bytes.get(i) {
        Some(b'-') => (true, i + 1),
        Some(b'+') => (false, i + 1),
        _ => (false, i),
    };
    let rest = bytes.get(start..)?;
    let word_len = [&b"infinity"[..], b"inf", b"nan"]
        .into_iter()
        .find(|w| {
            rest.get(..w.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(w))
        })
        .map(<[u8]>::len)?;
    if rest.get(word_len).is_some_and(is_word) {
        return None;
    }
    let marker: &'static [u8] = match (rest.first().map(u8::to_ascii_lowercase), negative) {
        (Some(b'n'), _) => b"\"\\u0000benchgate:NaN\"",
        (_, true) => b"\"\\u0000benchgate:-Infinity\"",
        _ => b"\"\\u0000benchgate:Infinity\"",
    };
    Some((start - i + word_len, marker))
}

impl Quoted<'_> {
    /// Moves the column of an error found in the rewritten text back to where it is in the
    /// original input.
    pub(crate) fn unshift(&self, mut error: ParseError) -> ParseError {
        if self.rewrites.is_empty() {
            return error;
        }
        if let Location::Json { line, column, .. } = &mut error.location
            && *line > 0
        {
            let line_start = if *line == 1 {
                0
            } else {
                match memchr::memchr_iter(b'\n', &self.text).nth(*line - 2) {
                    Some(newline) => newline + 1,
                    None => return error,
                }
            };
            let at = line_start + column.saturating_sub(1);
            let first = self.rewrites.partition_point(|r| r.at < line_start);
            let shift: usize = self
                .rewrites
                .get(first..)
                .unwrap_or_default()
                .iter()
                .take_while(|r| r.at < at)
                .map(|r| {
                    let inside = at - r.at;
                    if inside >= r.new_len {
                        r.new_len - r.old_len
                    } else if inside + 1 == r.new_len {
                        // The closing quote: the token's last byte.
                        inside - (r.old_len - 1)
                    } else {
                        inside - inside.min(r.old_len - 1)
                    }
                })
                .sum();
            *column = column.saturating_sub(shift);
        }
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_tokens_outside_strings_become_markers() {
        let q = quote(br#"{"a": NaN, "b": "NaN -Infinity", "c": [-Infinity, +inf, nan]}"#);
        let v: serde_json::Value = serde_json::from_slice(&q.text).unwrap();
        assert!(value_of(v["a"].as_str().unwrap()).unwrap().is_nan());
        assert_eq!(v["b"], "NaN -Infinity");
        assert_eq!(
            value_of(v["c"][0].as_str().unwrap()),
            Some(f64::NEG_INFINITY)
        );
        assert_eq!(value_of(v["c"][1].as_str().unwrap()), Some(f64::INFINITY));
        assert!(value_of(v["c"][2].as_str().unwrap()).unwrap().is_nan());
        assert!(matches!(quote(br#"{"a": "NaN"}"#).text, Cow::Borrowed(_)));
        assert_eq!(value_of("NaN"), None);
    }

    fn rewritten(input: &str) -> String {
        String::from_utf8(quote(input.as_bytes()).text.into_owned()).unwrap()
    }

    #[test]
    fn every_spelling_is_quoted_and_words_are_left_alone() {
        assert_eq!(
            rewritten(r#"{"a": NaN, "b": -Infinity, "c": inf, "d": -nan, "e": +INF}"#),
            r#"{"a": "\u0000benchgate:NaN", "b": "\u0000benchgate:-Infinity", "c": "\u0000benchgate:Infinity", "d": "\u0000benchgate:NaN", "e": "\u0000benchgate:Infinity"}"#
        );
        let untouched = r#"{"NaN": "x NaN \" Infinity", "n": null, "v": -1.5e-3}"#;
        assert_eq!(rewritten(untouched), untouched);
        // Words that merely start like a token are left for the JSON parser to refuse.
        assert_eq!(
            rewritten("[nanny, Infinite, xnan]"),
            "[nanny, Infinite, xnan]"
        );
    }

    #[test]
    fn error_columns_are_those_of_the_original() {
        let input = b"{\"a\": NaN, \"b\": x}";
        let q = quote(input);
        let err = crate::json::from_slice::<serde_json::Value>(&q.text).unwrap_err();
        let err = q.unshift(err);
        // The `x` is at column 17 of the original.
        assert_eq!(err.to_string(), "$.b: expected value (line 1, column 17)");
    }
}
