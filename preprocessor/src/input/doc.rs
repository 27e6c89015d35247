//! The chapters of a book as the pipeline sees them.
//!
//! A [`Doc`] is a chapter's text with its scan, its name for diagnostics (`src/ch.md`), its key
//! for chapter-qualified references (`ch`, or `part/ch`) and its number. This module reads the
//! book; it never changes it.

use std::path::{Path, PathBuf};

use mdbook_preprocessor::book::{Book, BookItem};

use crate::input::math_config::MathSyntax;
use crate::input::scan::{RefKind, Scan, scan_with};

/// One chapter.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The file as the author knows it: `src/ch.md`.
    pub display: PathBuf,
    /// The chapter's path relative to the `src` folder as rendered (`README.md` is `index.md`),
    /// for links between chapters.
    pub path: PathBuf,
    /// The name other chapters use to refer to this one: the path without `.md`.
    pub key: String,
    /// The section number without its trailing dot (`"3"`, `"2.1"`), if numbered.
    pub number: Option<String>,
    /// The chapter's markdown.
    pub source: String,
    /// What the preprocessor acts on in it.
    pub scan: Scan,
}

/// Collects every chapter that has a source file, in book order; `syntax` says how math is
/// written.
pub fn collect(book: &Book, src: &Path, syntax: &MathSyntax) -> Vec<Doc> {
    let mut docs: Vec<Doc> = book
        .iter()
        .filter_map(|item| match item {
            BookItem::Chapter(ch) => {
                let source_path = ch.source_path.clone()?;
                let key = source_path.with_extension("").to_string_lossy().replace('\\', "/");
                let number = ch.number.as_ref().map(|n| n.to_string().trim_end_matches('.').to_owned());
                Some(Doc {
                    display: src.join(&source_path),
                    key,
                    number,
                    scan: scan_with(&ch.content, syntax),
                    source: ch.content.clone(),
                    path: ch.path.clone().unwrap_or(source_path),
                })
            }
            _ => None,
        })
        .collect();
    // Labels come from cells and labelled equations; in a book with neither, `` `@name` `` is
    // code of the book's own (a decorator, an annotation), as it is without mdbook-exec.
    if docs.iter().all(|d| d.scan.cells.is_empty() && d.scan.math.iter().all(|m| m.label.is_none())) {
        for d in &mut docs {
            d.scan.refs.retain(|r| r.kind != RefKind::Label);
        }
    }
    docs
}
