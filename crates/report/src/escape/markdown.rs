//! Text for Markdown (pull-request comments, `$GITHUB_STEP_SUMMARY`): code spans that the text
//! cannot close, and plain text in which nothing is markup: no HTML, no links, no emphasis, no
//! table cell broken by a `|`.

use super::visible;

/// `text` as a code span, for running text (not a table cell): fenced by more backticks than
/// its longest run of them; control characters shown (`\n`, `\x1b`) so the span stays on one
/// line. Inside a code span `<`, `&` and `[` are literal.
pub fn code(text: &str) -> String {
    fenced(&shown(text))
}

/// [`code`] for a table cell: a `|` is written `\|` (a GFM table splits cells on it even inside a
/// code span, and removes the backslash).
pub fn code_cell(text: &str) -> String {
    fenced(&shown(text).replace('|', "\\|"))
}

/// Plain text in which nothing is markup: Markdown punctuation that could open markup is
/// backslash-escaped (`` ` ``, `*`, `[`, `|`, `\`, `_` and `~` where they could open emphasis or
/// strike-through, `#` in front), `<`, `>` and `&` become entities, autolinks (`http://`, `www.`,
/// `a@b`) are broken, control characters shown; safe in a table cell too. Ordinary words stay
/// readable in the source (`wall_time`, `~ (p=0.432)`).
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous: Option<char> = None;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        let next = after.chars().next();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '[' | ']' | '|' | '@' => {
                out.push('\\');
                out.push(c);
            }
            // Inside a word `_` is no emphasis (GFM); at its edges it could be.
            '_' if !(word(previous) && word(next)) => out.push_str("\\_"),
            // `~` strikes through only when text follows it.
            '~' if next.is_some_and(|n| !n.is_whitespace()) => out.push_str("\\~"),
            '#' if previous.is_none() => out.push_str("\\#"),
            // `http://…` is linked by GFM without brackets; `\:` breaks it.
            ':' if after.starts_with("//") => out.push_str("\\:"),
            // `www.…` likewise.
            '.' if out
                .as_bytes()
                .get(out.len().saturating_sub(3)..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(b"www")) =>
            {
                out.push_str("\\.")
            }
            _ => match visible(c) {
                Some(shown) => out.push_str(&shown),
                None => out.push(c),
            },
        }
        previous = Some(c);
        rest = after;
    }
    out
}

fn shown(text: &str) -> String {
    text.chars()
        .map(|c| visible(c).unwrap_or_else(|| c.to_string()))
        .collect()
}

fn fenced(content: &str) -> String {
    let longest = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick or a space is padded: CommonMark strips one
    // space from each end.
    let pad = content.starts_with(['`', ' ']) || content.ends_with(['`', ' ']);
    if pad {
        format!("{fence} {content} {fence}")
    } else {
        format!("{fence}{content}{fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a\n::error file=x::forged\x1b]8;;http://evil\x07`<img src=x>`|";

    #[test]
    fn code_spans_cannot_be_closed_from_inside() {
        assert_eq!(
            code(HOSTILE),
            "``a\\n::error file=x::forged\\x1b]8;;http://evil\\x07`<img src=x>`|``"
        );
        assert_eq!(
            code_cell(HOSTILE),
            "``a\\n::error file=x::forged\\x1b]8;;http://evil\\x07`<img src=x>`\\|``"
        );
        assert_eq!(code("``x"), "``` ``x ```");
        assert_eq!(code("parse/small"), "`parse/small`");
    }

    #[test]
    fn plain_text_holds_no_markup() {
        assert_eq!(
            text(HOSTILE),
            "a\\n::error file=x::forged\\x1b\\]8;;http\\://evil\\x07\\`&lt;img src=x&gt;\\`\\|"
        );
        assert_eq!(
            text("[x](https://e.vil) **b** www.e.vil a@b.c & <br>"),
            "\\[x\\](https\\://e.vil) \\*\\*b\\*\\* www\\.e.vil a\\@b.c &amp; &lt;br&gt;"
        );
        assert_eq!(
            text("# _a_ wall_time ~ (p=1) ~~x~~"),
            "\\# \\_a\\_ wall_time ~ (p=1) \\~\\~x\\~~"
        );
        assert_eq!(text("exited with status 1"), "exited with status 1");
    }
}
