//! Text for HTML: `&`, `<`, `>`, `"` and `'` as entities (safe in element content and in quoted
//! attribute values alike), control characters shown visibly as in the other outputs.

use super::visible;

/// `text` as HTML text.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => match visible(c) {
                Some(shown) => out.push_str(&shown),
                None => out.push(c),
            },
        }
    }
    out
}
