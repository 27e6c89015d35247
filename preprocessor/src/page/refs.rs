//! The book-wide index of what chapters define: named values and numbered figures and tables
//! (from their cells), and numbered equations (from their `$$ ... $$ {#label}`).
//!
//! Values and labels belong to the chapter that made them and are found from any chapter by a
//! chapter-qualified name (`chapter.name`, where `chapter` is the file's path without `.md`).
//! Figures, tables and labelled equations are numbered per chapter in order (`Figure 3.1`,
//! `Table 3.1`, `Eq. (3.1)`). This module resolves names and reports unknown or duplicate ones
//! with what is valid; it never formats output or edits text.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use crate::base::diag::Diagnostic;
use crate::base::results::ChapterResult;
use crate::base::results::{CellOutput, Item, Named, ParamSpec};
use crate::input::doc::Doc;

/// Whether a label names a figure, a table or an equation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    Figure,
    Table,
    Equation,
}

impl LabelKind {
    /// The word used in captions and links.
    pub fn word(self) -> &'static str {
        match self {
            LabelKind::Figure => "Figure",
            LabelKind::Table => "Table",
            LabelKind::Equation => "Eq.",
        }
    }
}

/// A numbered figure, table or equation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub kind: LabelKind,
    /// `3.1`, or `1` in an unnumbered chapter.
    pub number: String,
    /// The chapter's path, for links from other chapters.
    pub chapter_path: PathBuf,
}

impl Label {
    /// How a reference reads, as HTML: `Figure&nbsp;3.1`, `Eq.&nbsp;(3.1)`.
    pub fn reference(&self) -> String {
        match self.kind {
            LabelKind::Equation => format!("{}&nbsp;({})", self.kind.word(), self.number),
            kind => format!("{}&nbsp;{}", kind.word(), self.number),
        }
    }
}

/// A value exported inside an exploration: one per frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Explored {
    /// The exploration's key on the page (see [`explore_key`]).
    pub key: String,
    /// The value in every frame, in frame order.
    pub frames: Vec<Named>,
    /// The frame shown by default.
    pub default: usize,
}

/// The name under which a page's controls and the places that follow them find one
/// exploration; unique in `print.html`, where every chapter is on one page.
pub fn explore_key(doc: &Doc, label: &str) -> String {
    format!("{}/{label}", doc.key)
}

/// Every value and label of the book.
#[derive(Debug, Default)]
pub struct Index {
    values: BTreeMap<String, BTreeMap<String, Named>>,
    explored: BTreeMap<String, BTreeMap<String, Explored>>,
    labels: BTreeMap<String, BTreeMap<String, Label>>,
    /// Chapters whose cells failed: references into them are not reported again.
    failed: HashSet<String>,
    /// What a value of a failed chapter reads as when the page shows errors (`None`: such
    /// references are left alone, as the build fails anyway).
    placeholder: Option<Named>,
    /// Values some reference used, as (chapter, name).
    used: RefCell<HashSet<(String, String)>>,
}

/// The number of each figure and table of a chapter, in the order the cells made them.
pub fn numbers(doc: &Doc, cells: &[CellOutput]) -> Vec<(usize, usize, LabelKind, String)> {
    let (mut figures, mut tables) = (0, 0);
    let mut out = Vec::new();
    for (ci, cell) in cells.iter().enumerate() {
        for (ii, item) in cell.items.iter().enumerate() {
            let (kind, n) = match item {
                Item::Figure { .. } => {
                    figures += 1;
                    (LabelKind::Figure, figures)
                }
                Item::Table { .. } => {
                    tables += 1;
                    (LabelKind::Table, tables)
                }
                Item::Explore { .. } => {
                    figures += 1;
                    (LabelKind::Figure, figures)
                }
                _ => continue,
            };
            out.push((ci, ii, kind, in_chapter(doc, n)));
        }
    }
    out
}

/// The number of each labelled display equation of a chapter, with its index in the scan's
/// math, in order.
pub fn equation_numbers(doc: &Doc) -> Vec<(usize, String)> {
    let labelled = doc.scan.math.iter().enumerate().filter(|(_, m)| m.label.is_some());
    labelled.enumerate().map(|(n, (i, _))| (i, in_chapter(doc, n + 1))).collect()
}

/// The `n`th of something in a chapter: `3.n`, or `n` in an unnumbered chapter.
fn in_chapter(doc: &Doc, n: usize) -> String {
    match &doc.number {
        Some(ch) => format!("{ch}.{n}"),
        None => n.to_string(),
    }
}

fn valid_name(name: &str) -> bool {
    let mut c = name.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic() || f == '_') && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

fn valid_label(label: &str) -> bool {
    !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Index {
    /// Builds the index from every chapter's results.
    pub fn build(docs: &[Doc], results: &[ChapterResult]) -> (Index, Vec<Diagnostic>) {
        let mut index = Index::default();
        let mut diags = Vec::new();
        for (doc, result) in docs.iter().zip(results) {
            // Equations are labelled in the markdown, so they are known even when cells failed.
            let labels = index.labels.entry(doc.key.clone()).or_default();
            for (i, number) in equation_numbers(doc) {
                let label = doc.scan.math[i].label.as_ref().expect("only labelled equations are numbered");
                let at = |msg: String| Diagnostic::at(&doc.display, &doc.source, label.offset, msg);
                let entry = Label { kind: LabelKind::Equation, number, chapter_path: doc.path.clone() };
                if let Err(d) = insert_label(labels, &label.name, entry, at) {
                    diags.push(d);
                }
            }
            let Ok(cells) = result else {
                index.failed.insert(doc.key.clone());
                continue;
            };
            let at =
                |ci: usize, msg: String| Diagnostic::at(&doc.display, &doc.source, doc.scan.cells[ci].range.start, msg);
            // A value's name and format, whether a cell or an exploration exported it; true when
            // the name is usable.
            let well_formed = |ci: usize, v: &Named, diags: &mut Vec<Diagnostic>| {
                if let Err(e) = crate::base::format::parse_spec(&v.fmt) {
                    diags.push(at(ci, format!("value `{}`: {e}", v.name)));
                }
                let valid = valid_name(&v.name);
                if !valid {
                    diags.push(
                        at(ci, format!("`{}` is not a valid value name", v.name))
                            .help("value names are identifiers: a letter or `_`, then letters, digits and `_`"),
                    );
                }
                valid
            };
            let values = index.values.entry(doc.key.clone()).or_default();
            for (ci, cell) in cells.iter().enumerate() {
                for v in &cell.values {
                    if well_formed(ci, v, &mut diags) && values.insert(v.name.clone(), v.clone()).is_some() {
                        diags.push(
                            at(ci, format!("the value `{}` is defined twice in this chapter", v.name))
                                .help("give each exported value its own name"),
                        );
                    }
                }
                for item in &cell.items {
                    let Item::Explore { label, params, frames, .. } = item else { continue };
                    let Some(first) = frames.first() else { continue };
                    let default = ParamSpec::default_frame(params).min(frames.len() - 1);
                    for v in &first.values {
                        if !well_formed(ci, v, &mut diags) {
                            continue;
                        }
                        let per_frame: Option<Vec<Named>> =
                            frames.iter().map(|f| f.values.iter().find(|x| x.name == v.name).cloned()).collect();
                        let Some(per_frame) = per_frame else {
                            diags.push(
                                at(ci, format!("the value `{}` is exported by some frames of exploration `{label}` but not by all", v.name))
                                    .help("export the value in every frame, or outside the exploration"),
                            );
                            continue;
                        };
                        if values.insert(v.name.clone(), per_frame[default].clone()).is_some() {
                            diags.push(
                                at(ci, format!("the value `{}` is defined twice in this chapter", v.name))
                                    .help("give each exported value its own name"),
                            );
                        }
                        let explored = Explored { key: explore_key(doc, label), frames: per_frame, default };
                        index.explored.entry(doc.key.clone()).or_default().insert(v.name.clone(), explored);
                    }
                }
            }
            let labels = index.labels.get_mut(&doc.key).expect("made above");
            for (ci, ii, kind, number) in numbers(doc, cells) {
                let label = match &cells[ci].items[ii] {
                    Item::Figure { label, .. } | Item::Table { label, .. } | Item::Explore { label, .. } => label,
                    _ => unreachable!("numbers lists figures, tables and explorations only"),
                };
                if label.is_empty() {
                    continue;
                }
                let entry = Label { kind, number, chapter_path: doc.path.clone() };
                if let Err(d) = insert_label(labels, label, entry, |msg| at(ci, msg)) {
                    diags.push(d);
                }
            }
        }
        (index, diags)
    }

    /// Splits `chapter.name` (or `name`, meaning `current`'s own) into chapter key and name.
    fn split<'a>(current: &'a str, target: &'a str) -> (&'a str, &'a str) {
        match target.rsplit_once('.') {
            Some((chapter, name)) => (chapter, name),
            None => (current, target),
        }
    }

    /// Finds `target` (`name` or `chapter.name`) in one of the tables; `Ok(None)` when it is
    /// in a chapter that failed (already reported).
    fn find<'a, T>(
        &self,
        table: &'a BTreeMap<String, BTreeMap<String, T>>,
        current: &str,
        target: &str,
        what: &str,
        missing: impl FnOnce(&str, &str) -> String,
    ) -> Result<Option<&'a T>, String> {
        let (chapter, name) = Self::split(current, target);
        if self.failed.contains(chapter) {
            return Ok(None);
        }
        let Some(entries) = table.get(chapter) else {
            return Err(unknown_chapter(chapter, table.keys()));
        };
        entries.get(name).map(Some).ok_or_else(|| missing(chapter, name) + &known(what, entries.keys()))
    }

    /// Makes values of failed chapters read as a marked question mark, for a page that shows
    /// its errors: the prose around them stays readable and the gap is visible.
    pub fn with_placeholders(mut self) -> Index {
        let value = crate::base::results::Value::Tex("\\textcolor{#d32f2f}{\\boldsymbol{?}}".to_owned());
        self.placeholder = Some(Named { name: String::new(), value, fmt: String::new() });
        self
    }

    /// Finds a value, and remembers that it was used.
    pub fn value(&self, current: &str, target: &str) -> Result<Option<&Named>, String> {
        let (chapter, _) = Self::split(current, target);
        if self.failed.contains(chapter) {
            return Ok(self.placeholder.as_ref());
        }
        let found = self.find(&self.values, current, target, "values", |chapter, name| {
            let place = if chapter == current { String::new() } else { format!(" in chapter `{chapter}`") };
            format!("no cell defines the value `{name}`{place}")
        })?;
        if let Some(v) = found {
            let (chapter, _) = Self::split(current, target);
            self.used.borrow_mut().insert((chapter.to_owned(), v.name.clone()));
        }
        Ok(found)
    }

    /// The per-frame values of `target` when an exploration exported it.
    pub fn explored(&self, current: &str, target: &str) -> Option<&Explored> {
        let (chapter, name) = Self::split(current, target);
        self.explored.get(chapter)?.get(name)
    }

    /// Warnings for exported values that no reference used; call after every reference was
    /// resolved.
    pub fn unused(&self, docs: &[Doc], results: &[ChapterResult]) -> Vec<Diagnostic> {
        let used = self.used.borrow();
        let mut out = Vec::new();
        for (doc, result) in docs.iter().zip(results) {
            let Ok(cells) = result else { continue };
            for (ci, cell) in cells.iter().enumerate() {
                let in_explorations = cell.items.iter().filter_map(|item| match item {
                    Item::Explore { frames, .. } => frames.first(),
                    _ => None,
                });
                for v in cell.values.iter().chain(in_explorations.flat_map(|f| &f.values)) {
                    if !used.contains(&(doc.key.clone(), v.name.clone())) {
                        out.push(
                            Diagnostic::at(
                                &doc.display,
                                &doc.source,
                                doc.scan.cells[ci].range.start,
                                format!("the value `{}` is exported but never used", v.name),
                            )
                            .help(format!(
                                "use it as `` `={}` `` or `\\val{{{}}}`, or stop exporting it",
                                v.name, v.name
                            ))
                            .warning(),
                        );
                    }
                }
            }
        }
        out
    }

    /// Finds a figure's, table's or equation's label.
    pub fn label(&self, current: &str, target: &str) -> Result<Option<&Label>, String> {
        self.find(&self.labels, current, target, "labels", |_, name| {
            format!("no figure, table or equation has the label `{name}`")
        })
    }
}

/// Adds a label to a chapter's, or says why it cannot be added (`at` places the message).
fn insert_label(
    labels: &mut BTreeMap<String, Label>,
    name: &str,
    entry: Label,
    at: impl Fn(String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    if !valid_label(name) {
        return Err(at(format!("`{name}` is not a valid label")).help("labels use letters, digits, `-` and `_`"));
    }
    if labels.contains_key(name) {
        return Err(at(format!("the label `{name}` is used twice in this chapter"))
            .help("give each figure, table and equation its own label"));
    }
    labels.insert(name.to_owned(), entry);
    Ok(())
}

fn unknown_chapter<'a>(chapter: &str, keys: impl Iterator<Item = &'a String>) -> String {
    format!("no chapter `{chapter}` has executed cells{}", known("chapters", keys))
}

fn known<'a>(what: &str, names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        format!("; there are no {what} here")
    } else {
        format!("; known {what}: {}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(valid_name("loss_1") && valid_name("_x"));
        assert!(!valid_name("1x") && !valid_name("a-b") && !valid_name(""));
        assert!(valid_label("fig-loss") && !valid_label("fig loss"));
        assert_eq!(Index::split("ch", "x"), ("ch", "x"));
        assert_eq!(Index::split("ch", "part/other.x"), ("part/other", "x"));
    }
}
