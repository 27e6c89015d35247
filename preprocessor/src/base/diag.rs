//! Diagnostics: user mistakes reported at their place in the markdown.
//!
//! Every error that a book's author can fix is a [`Diagnostic`] that names the chapter file,
//! line and column (`error: src/ch.md:12:5: ...`), carries the underlying message (rustc's,
//! KaTeX's, the program's) and one line of help. This module owns that format and the mapping
//! from byte offsets to lines and columns; it never decides what is an error.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

/// One error at a place in a chapter (or in `book.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the author knows it, for example `src/intro.md`.
    pub file: PathBuf,
    /// 1-based line, or 0 when the error is about the whole file.
    pub line: usize,
    /// 1-based column in characters.
    pub col: usize,
    /// What went wrong, one line, lowercase start.
    pub message: String,
    /// The underlying message (rustc's rendered snippet, a panic message, ...), if any.
    pub detail: Option<String>,
    /// One line saying how to fix it.
    pub help: Option<String>,
    /// A warning rather than an error (fatal only with `deny-warnings`).
    pub warning: bool,
    /// The byte offset in the chapter, where the error can be shown in the page.
    pub offset: Option<usize>,
}

impl Diagnostic {
    /// An error at byte `offset` of `source`, the text of `file`.
    pub fn at(file: impl Into<PathBuf>, source: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, col) = line_col(source, offset);
        Diagnostic {
            file: file.into(),
            line,
            col,
            message: message.into(),
            detail: None,
            help: None,
            warning: false,
            offset: Some(offset),
        }
    }

    /// An error about a whole file (no position).
    pub fn in_file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: 0,
            col: 0,
            message: message.into(),
            detail: None,
            help: None,
            warning: false,
            offset: None,
        }
    }

    /// Adds the underlying message.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        let d = detail.into();
        self.detail = (!d.trim().is_empty()).then_some(d);
        self
    }

    /// Marks this as a warning.
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    /// Adds the hint line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        let kind = if self.warning { "warning" } else { "error" };
        if self.line == 0 {
            write!(f, "{kind}: {file}: {}", self.message)?;
        } else {
            write!(f, "{kind}: {file}:{}:{}: {}", self.line, self.col, self.message)?;
        }
        if let Some(d) = &self.detail {
            for l in d.trim_end().lines() {
                write!(f, "\n    {l}")?;
            }
        }
        if let Some(h) = &self.help {
            write!(f, "\nhelp: {h}")?;
        }
        Ok(())
    }
}

/// All the errors of one build, reported together so one run shows every mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// The 1-based line and character column of byte `offset` in `source`.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Text drawn as rustc draws a span: after a gutter, on one line (line breaks and tabs shown
/// as spaces, so a formula written over several lines reads as one), with carets under the
/// bytes `at` (one caret for an empty range, such as the end of the text). A long line is cut
/// around the place, with `…` where it was cut.
pub fn caret_snippet(text: &str, at: Option<Range<usize>>) -> String {
    const CONTEXT: usize = 40;
    let line: Vec<char> = text.chars().map(|c| if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c }).collect();
    let (start, width) = match &at {
        Some(at) => (text[..at.start].chars().count(), text[at.clone()].chars().count().max(1)),
        None => (0, 0),
    };
    let from = if line.len() > 2 * CONTEXT + 20 { start.saturating_sub(CONTEXT) } else { 0 };
    let to = if line.len() > 2 * CONTEXT + 20 { (start + width + CONTEXT).min(line.len()) } else { line.len() };
    let cut_left = if from > 0 { "…" } else { "" };
    let cut_right = if to < line.len() { "…" } else { "" };
    let shown: String = line[from..to].iter().collect();
    let mut out = format!("  |\n  | {cut_left}{}{cut_right}", shown.trim_end());
    if at.is_some() {
        let pad = start - from + cut_left.chars().count();
        out += &format!("\n  | {}{}", " ".repeat(pad), "^".repeat(width));
    }
    out
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(source: &str, offset: usize, expected: (usize, usize)) {
        assert_eq!(line_col(source, offset), expected);
    }

    #[test]
    fn positions() {
        check("abc", 0, (1, 1));
        check("abc\ndef", 4, (2, 1));
        check("abc\ndef", 6, (2, 3));
        check("é\nxé", 4, (2, 2));
        check("é\nxé", 6, (2, 3));
        check("abc\r\ndef", 5, (2, 1));
        check("abc", 99, (1, 4));
    }

    #[test]
    fn carets_under_a_place() {
        let tex = "\\text{right_shift}(f)\n= x";
        assert_eq!(caret_snippet(tex, Some(11..12)), "  |\n  | \\text{right_shift}(f) = x\n  |            ^");
        assert_eq!(caret_snippet("é \\foo", Some(3..7)), "  |\n  | é \\foo\n  |   ^^^^");
        assert_eq!(caret_snippet("\\frac{1}{", Some(9..9)), "  |\n  | \\frac{1}{\n  |          ^");
        assert_eq!(caret_snippet("x ", None), "  |\n  | x");
        let long = format!("{}\\bad{}", "a".repeat(100), "b".repeat(100));
        let snippet = caret_snippet(&long, Some(100..104));
        let lines: Vec<&str> = snippet.lines().collect();
        assert_eq!(lines[1], format!("  | …{}\\bad{}…", "a".repeat(40), "b".repeat(40)));
        assert_eq!(lines[2], format!("  | {}^^^^", " ".repeat(41)));
    }

    #[test]
    fn display() {
        let d = Diagnostic::at("src/a.md", "x\ny", 2, "cell panicked").detail("boom\nagain").help("fix it");
        assert_eq!(d.to_string(), "error: src/a.md:2:1: cell panicked\n    boom\n    again\nhelp: fix it");
        assert_eq!(Diagnostic::in_file("book.toml", "bad key").to_string(), "error: book.toml: bad key");
    }
}
