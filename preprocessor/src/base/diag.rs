//! Diagnostics: user mistakes reported at their place in the markdown.
//!
//! Every error that a book's author can fix is a [`Diagnostic`] that names the chapter file,
//! line and column (`error: src/ch.md:12:5: ...`), carries the underlying message (rustc's,
//! KaTeX's, the program's) and one line of help. This module owns that format and the mapping
//! from byte offsets to lines and columns; it never decides what is an error.

use std::fmt;
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
    fn display() {
        let d = Diagnostic::at("src/a.md", "x\ny", 2, "cell panicked").detail("boom\nagain").help("fix it");
        assert_eq!(d.to_string(), "error: src/a.md:2:1: cell panicked\n    boom\n    again\nhelp: fix it");
        assert_eq!(Diagnostic::in_file("book.toml", "bad key").to_string(), "error: book.toml: bad key");
    }
}
