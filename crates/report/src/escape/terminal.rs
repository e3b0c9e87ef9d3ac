//! Text for a terminal or a CI log: control characters shown (`\x1b`, `\n`), and never a line
//! that starts with `::` (GitHub Actions reads such a line, after leading white space, as a
//! workflow command).

use std::borrow::Cow;

use super::visible;

/// One line: every control character shown visibly (a newline too), and a leading `::` (after
/// white space) written `\x3a:` so the text cannot start a workflow command where it starts a
/// line.
pub fn line(text: &str) -> Cow<'_, str> {
    if !needs_escape(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(escape_line(text))
}

/// Several lines (an error's standard error, say): each is escaped as by [`line`], the line
/// breaks between them kept.
pub fn lines(text: &str) -> Cow<'_, str> {
    if !text.split('\n').any(needs_escape) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split('\n')
            .map(escape_line)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

fn forges_command(text: &str) -> bool {
    text.trim_start().starts_with("::")
}

fn needs_escape(text: &str) -> bool {
    forges_command(text) || text.chars().any(|c| visible(c).is_some())
}

fn escape_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut guard = forges_command(text);
    for c in text.chars() {
        if guard && c == ':' {
            out.push_str("\\x3a");
            guard = false;
            continue;
        }
        match visible(c) {
            Some(shown) => out.push_str(&shown),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_and_no_line_starts_a_workflow_command() {
        let hostile =
            "a\n::error file=x::forged\x1b]8;;http://evil\x07`<img src=x>`|\r\u{9b}2J\u{202e}";
        assert_eq!(
            line(hostile),
            "a\\n::error file=x::forged\\x1b]8;;http://evil\\x07`<img src=x>`|\\r\\u{9b}2J\\u{202e}"
        );
        assert_eq!(line("  ::warning::x"), "  \\x3a:warning::x");
        assert_eq!(
            lines("ok\n ::error::x\n\tend"),
            "ok\n \\x3a:error::x\n\\tend"
        );
        // Ordinary text is left alone (and not copied).
        assert!(matches!(line("parse/small µs ± 1%"), Cow::Borrowed(_)));
        assert_eq!(line("a: b::c"), "a: b::c");
    }
}
