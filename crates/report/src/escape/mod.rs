//! Escaping of text that came from outside (benchmark names, parameter values, labels, units,
//! commands, reasons, error texts of child processes) for each human output, so such text can
//! neither drive the reader's terminal nor forge a CI workflow command (`::error …` at the start
//! of a line), nor put HTML or links into a pull-request comment. One module per output; every
//! renderer and every line benchgate prints goes through them. (JSON and JUnit XML escape by their
//! own serialisers.)

pub mod html;
pub mod markdown;
pub mod terminal;

/// How a control character (C0, DEL, C1) or an invisible format character that reorders or
/// hides text (bidirectional overrides and isolates) is shown: `\n`, `\r`, `\t`, `\x1b`,
/// `\u{202e}`. `None` for a character that is shown as it is.
fn visible(c: char) -> Option<String> {
    match c {
        '\n' => Some("\\n".into()),
        '\r' => Some("\\r".into()),
        '\t' => Some("\\t".into()),
        '\u{0}'..='\u{1f}' | '\u{7f}' => Some(format!("\\x{:02x}", u32::from(c))),
        '\u{80}'..='\u{9f}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => Some(format!("\\u{{{:x}}}", u32::from(c))),
        _ => None,
    }
}
