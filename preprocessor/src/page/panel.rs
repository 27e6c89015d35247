//! Failures shown in the page, for an author watching `serve` (`MDBOOK_EXEC_ON_ERROR=page`).
//!
//! When a chapter has errors and the build runs in page mode, each error is shown where it
//! happened, with the same text as in the terminal: a panel after the cell that failed to
//! compile or panicked (cells after it say they did not run), a marker in place of a formula
//! that does not render or a reference that does not resolve, and a banner at the top of the
//! chapter that links to each of them. This module decides where each error goes and writes
//! the HTML; it never decides what is an error, and the build commands never use it.

use std::ops::Range;

use crate::base::diag::Diagnostic;
use crate::base::format::html_escape;
use crate::base::markdown::markdown_safe;
use crate::base::results::Failure;
use crate::base::slug::slug;
use crate::input::doc::Doc;
use crate::page::math::Equation;
use crate::page::splice::{CellNotes, Frag, Piece};

/// Where an error is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// After cell `i` (the error is in its code, or about what it showed).
    Cell(usize),
    /// Instead of a reference or a formula (the byte range of the scan's span).
    Span { start: usize, end: usize, display: bool },
    /// Before the line that starts at this offset.
    Line(usize),
}

fn place(doc: &Doc, offset: usize) -> Place {
    let inside = |r: &Range<usize>| r.start <= offset && (offset < r.end || offset == r.start);
    if let Some(i) = doc.scan.cells.iter().position(|c| inside(&c.range)) {
        return Place::Cell(i);
    }
    if let Some(r) = doc.scan.refs.iter().find(|r| inside(&r.range)) {
        return Place::Span { start: r.range.start, end: r.range.end, display: false };
    }
    if let Some(m) = doc.scan.math.iter().find(|m| inside(&m.range)) {
        return Place::Span { start: m.range.start, end: m.range.end, display: m.display };
    }
    Place::Line(doc.source[..offset.min(doc.source.len())].rfind('\n').map_or(0, |i| i + 1))
}

/// The anchor of the `n`-th error of a chapter; unique in `print.html` too.
fn anchor(doc: &Doc, n: usize) -> String {
    format!("exec-error-{}-{n}", slug(&doc.key))
}

/// The terminal's text of an error, for inside an element: one line, line breaks as entities
/// (a blank line would end the HTML block the panel is in).
fn text(d: &Diagnostic) -> String {
    html_escape(&d.to_string()).replace('\n', "&#10;")
}

/// A panel between blocks.
fn panel(id: &str, d: &Diagnostic) -> String {
    format!(
        "<div class=\"exec-error\" id=\"{id}\" role=\"alert\"><p class=\"exec-error-title\">This failed when the page was built:</p><pre>{}</pre></div>",
        text(d)
    )
}

/// A marker inside a paragraph, in place of the formula or reference that failed.
fn marker(id: &str, d: &Diagnostic, display: bool) -> String {
    let class = if display { "exec-error exec-error-display" } else { "exec-error exec-error-inline" };
    // Inside a paragraph markdown would still act on backticks and underscores.
    format!("<span class=\"{class}\" id=\"{id}\" role=\"alert\">{}</span>", markdown_safe(&text(d)))
}

/// A note after a cell that did not run.
fn not_run(why: &str) -> Vec<Frag> {
    vec![Frag::Text(format!("<p class=\"exec-not-run\">This cell did not run: {why}.</p>"))]
}

/// Shows a chapter's errors in its page. `diags` are this chapter's, in order; `failure` is set
/// when its program failed. Returns the blocks to add after cells (pass them to
/// [`splice::plan`](crate::page::splice::plan)) and, for the rest, how to change the planned pieces
/// (with [`Shown::mark`]).
pub fn show(doc: &Doc, failure: Option<&Failure>, diags: &[Diagnostic]) -> Shown {
    let mut notes = CellNotes::new();
    let mut spans = Vec::new();
    let mut lines = Vec::new();
    let mut anchors = Vec::new();
    let mut with_panel = std::collections::BTreeSet::new();
    for (n, d) in diags.iter().enumerate() {
        let id = anchor(doc, n + 1);
        anchors.push((id.clone(), format!("{}:{}:{}", d.file.display(), d.line, d.col)));
        match place(doc, d.offset.unwrap_or(0)) {
            Place::Cell(i) => {
                notes.entry(i).or_default().push(vec![Frag::Text(panel(&id, d))]);
                with_panel.insert(i);
            }
            Place::Span { start, end, display } => spans.push((start..end, marker(&id, d, display))),
            Place::Line(at) => lines.push((at, panel(&id, d))),
        }
    }
    if let Some(f) = failure {
        for i in 0..doc.scan.cells.len() {
            let why = match f.cell {
                None if !with_panel.contains(&i) => {
                    "the chapter does not compile (see the error in this chapter)".to_owned()
                }
                Some(k) if i > k => format!("cell {} failed, and a chapter runs its cells in order", k + 1),
                _ => continue,
            };
            notes.entry(i).or_default().push(not_run(&why));
        }
    }
    Shown { notes, spans, lines, anchors }
}

/// How a chapter's page shows its errors; see [`show`].
#[derive(Debug, Default)]
pub struct Shown {
    /// Blocks after cells.
    pub notes: CellNotes,
    spans: Vec<(Range<usize>, String)>,
    lines: Vec<(usize, String)>,
    anchors: Vec<(String, String)>,
}

impl Shown {
    /// Puts the markers in place of the spans that failed, the panels before the lines that
    /// failed, and a banner at the top of the chapter.
    pub fn mark(&self, pieces: &mut Vec<Piece>) {
        for (range, html) in &self.spans {
            pieces.retain(|(r, _)| r != range);
            pieces.push((range.clone(), vec![Frag::Text(html.clone())]));
        }
        for (at, html) in &self.lines {
            pieces.push((*at..*at, vec![Frag::Text(format!("{html}\n\n"))]));
        }
        let links: Vec<String> =
            self.anchors.iter().map(|(id, place)| format!("<a href=\"#{id}\">{}</a>", html_escape(place))).collect();
        let banner = format!(
            "<div class=\"exec-error-banner\" role=\"alert\"><strong>⚠ This chapter has {} error{} from its last build:</strong> {}</div>\n\n",
            links.len(),
            if links.len() == 1 { "" } else { "s" },
            links.join(", ")
        );
        pieces.push((0..0, vec![Frag::Text(banner)]));
    }
}

/// Replaces every equation that KaTeX could not render (in a caption, a table, or a formula
/// whose marker is placed elsewhere) by a short marker, so the rest of the piece can be written.
pub fn mark_math(pieces: &mut [Piece], failed: &dyn Fn(&Equation) -> bool) {
    fn replace(frags: &mut [Frag], failed: &dyn Fn(&Equation) -> bool) {
        for f in frags.iter_mut() {
            match f {
                Frag::Math { eq, .. } if failed(eq) => {
                    *f = Frag::Text(
                        "<span class=\"exec-error exec-error-inline\">⚠ formula that does not render</span>".to_owned(),
                    );
                }
                Frag::Variants(v) => {
                    for (_, frags) in v.variants.iter_mut() {
                        replace(frags, failed);
                    }
                }
                _ => {}
            }
        }
    }
    for (_, frags) in pieces.iter_mut() {
        replace(frags, failed);
    }
}
