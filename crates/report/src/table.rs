//! A plain aligned text table: columns padded by terminal display width (a CJK character takes two
//! columns, a combining accent none), numbers right-aligned. Colour is applied after padding so
//! escape codes never disturb the alignment.

use unicode_width::UnicodeWidthStr;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A cell: its text and an optional ANSI style applied after padding.
pub struct Cell {
    pub text: String,
    pub style: Option<&'static str>,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell { text, style: None }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell {
            text: text.to_string(),
            style: None,
        }
    }
}

pub struct Table {
    align: Vec<Align>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(align: Vec<Align>) -> Table {
        Table {
            align,
            rows: Vec::new(),
        }
    }

    /// Adds a row. Every cell is one line of text shown as by [`crate::escape::terminal::line`]
    /// (names and values from outside cannot carry control sequences into the table), measured
    /// after escaping so columns stay aligned.
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|cell| Cell {
                    text: crate::escape::terminal::line(&cell.text).into_owned(),
                    style: cell.style,
                })
                .collect(),
        );
    }

    /// Renders with two spaces between columns; `color` enables the cells' styles.
    pub fn render(&self, color: bool) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0usize; columns];
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.text.width());
            }
        }
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = widths[i] - cell.text.width();
                let last = i + 1 == row.len();
                let align = self.align.get(i).copied().unwrap_or(Align::Left);
                if align == Align::Right {
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                match (color, cell.style) {
                    (true, Some(style)) => {
                        line.push_str(style);
                        line.push_str(&cell.text);
                        line.push_str(RESET);
                    }
                    _ => line.push_str(&cell.text),
                }
                if align == Align::Left && !last {
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

pub const RESET: &str = "\x1b[0m";
pub const RED: &str = "\x1b[1;31m";
pub const YELLOW: &str = "\x1b[33m";
pub const GREEN: &str = "\x1b[32m";
pub const DIM: &str = "\x1b[2m";
pub const BOLD: &str = "\x1b[1m";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_by_display_width() {
        let mut t = Table::new(vec![Align::Left, Align::Right]);
        t.row(vec!["name".into(), "time".into()]);
        t.row(vec!["a".into(), "1.718µs".into()]);
        assert_eq!(t.render(false), "name     time\na     1.718µs\n");
    }

    #[test]
    fn colour_does_not_change_alignment() {
        let mut t = Table::new(vec![Align::Left, Align::Left]);
        t.row(vec![
            Cell {
                text: "x".into(),
                style: Some(RED),
            },
            "y".into(),
        ]);
        t.row(vec!["long".into(), "z".into()]);
        assert_eq!(t.render(true), format!("{RED}x{RESET}     y\nlong  z\n"));
    }

    /// The display column at which each row's second column begins.
    fn second_column_starts(rendered: &str) -> Vec<usize> {
        rendered
            .lines()
            .map(|line| {
                let (first, _) = line.split_once("  ").expect("two columns");
                let rest = &line[first.len()..];
                let spaces = rest.len() - rest.trim_start().len();
                first.width() + spaces
            })
            .collect()
    }

    #[test]
    fn aligns_wide_characters_by_display_columns() {
        let mut t = Table::new(vec![Align::Left, Align::Right]);
        t.row(vec!["日本語/ベンチ".into(), "1.0ns".into()]);
        t.row(vec!["ascii/name".into(), "2.0ns".into()]);
        let rendered = t.render(false);
        // 日本語/ベンチ is 6 wide characters and a slash: 13 display columns.
        assert_eq!(rendered, "日本語/ベンチ  1.0ns\nascii/name     2.0ns\n");
        assert_eq!(second_column_starts(&rendered), vec![15, 15]);
    }

    #[test]
    fn aligns_combining_accents_by_display_columns() {
        let mut t = Table::new(vec![Align::Left, Align::Left]);
        t.row(vec!["cafe\u{301}".into(), "x".into()]);
        t.row(vec!["abcd".into(), "y".into()]);
        assert_eq!(t.render(false), "cafe\u{301}  x\nabcd  y\n");
    }

    #[test]
    fn measures_escaped_text() {
        let mut t = Table::new(vec![Align::Left, Align::Left]);
        t.row(vec!["a\x1bb".into(), "x".into()]);
        t.row(vec!["a".into(), "y".into()]);
        assert_eq!(t.render(false), "a\\x1bb  x\na       y\n");
    }
}
