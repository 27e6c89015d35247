//! Turning results into markdown and splicing it into the chapter.
//!
//! [`plan`] decides what replaces each place the scan found: a cell gets its output after it
//! (or instead of it, with `hide-code`), a `` `=value` `` becomes the formatted value, a
//! `` `@label` `` a link (also inside captions), and math gets its values put in (a labelled
//! display equation also its number and anchor) and is left as an [`Equation`] to render.
//! Pieces are fragments of text and equations, so every equation of the book can be rendered
//! in one parallel batch before [`apply`] writes the text. Replacements are applied from the
//! end backwards; every byte outside them stays as it was.

pub mod explore;
pub mod figure;
pub mod frag;
pub mod item;
pub mod prose;

use crate::base::diag::Diagnostic;
use crate::base::format::html_escape;
use crate::base::markdown::without_markdown_entities;
use crate::base::results::{CellOutput, Item};
use crate::input::doc::Doc;
use crate::input::scan::{Cell, Fold, RefKind};
use crate::page::math::{Equation, MathRenderer};
use crate::page::refs::{Index, equation_numbers, numbers};
pub use crate::page::splice::frag::{CellNotes, Frag, Piece};
use crate::page::splice::item::id_attr;
use crate::page::splice::prose::{label_link, math_frags, value_in_prose};

/// Plans every replacement in one chapter. `cells` holds the outputs of the cells that ran (all
/// of them, unless the chapter failed); `notes` adds blocks after cells; cells longer than
/// `fold_lines` (0: none) have their code folded unless they say otherwise.
pub fn plan(
    doc: &Doc,
    cells: &[CellOutput],
    index: &Index,
    notes: &CellNotes,
    fold_lines: usize,
) -> (Vec<Piece>, Vec<Diagnostic>) {
    let mut pieces = Vec::new();
    let mut diags = Vec::new();
    let src = &doc.source;

    let numbering = numbers(doc, cells);
    for (ci, cell) in doc.scan.cells.iter().enumerate() {
        let mut block = Vec::new();
        if let Some(out) = cells.get(ci).filter(|_| !cell.options.hide_output) {
            let nums: Vec<_> = numbering.iter().filter(|n| n.0 == ci).collect();
            let offset = cell.range.start;
            for (ii, item) in out.items.iter().enumerate() {
                let number = nums.iter().find(|n| n.1 == ii).map(|n| n.3.as_str()).unwrap_or("");
                match render(doc, index, item, number, offset) {
                    Ok(frags) => {
                        if !frags.is_empty() {
                            block.push(frags);
                        }
                    }
                    Err(d) => diags.push(d),
                }
            }
        }
        block.extend(notes.get(&ci).into_iter().flatten().cloned());
        pieces.extend(cell_pieces(src, ci, cell, block, fold_lines));
    }

    for r in &doc.scan.refs {
        let result = match r.kind {
            RefKind::Value => value_in_prose(doc, index, &r.target, r.range.start),
            RefKind::Label => label_link(doc, index, &r.target)
                // A markdown link, so that mdBook turns `other.md` into `other.html`, inside a
                // span that exec.css styles (readable in every theme) and tests can find.
                .map(|link| {
                    link.map(|(text, href)| {
                        vec![Frag::Text(format!("<span class=\"exec-ref\">[{text}]({href})</span>"))]
                    })
                }),
        };
        match result {
            Ok(Some(frags)) => pieces.push((r.range.clone(), frags)),
            Ok(None) => {}
            Err(msg) => diags.push(Diagnostic::at(&doc.display, src, r.range.start, msg)),
        }
    }

    let numbers = equation_numbers(doc);
    for (i, m) in doc.scan.math.iter().enumerate() {
        let label = m.label.as_ref().zip(numbers.iter().find(|n| n.0 == i).map(|n| n.1.as_str()));
        match math_frags(doc, index, &m.tex, m.display, label.map(|l| l.1), m.range.clone()) {
            Ok(Some(mut frags)) => {
                if let Some((label, _)) = label {
                    frags.insert(0, Frag::Text(format!("<span class=\"exec-equation\"{}>", id_attr(&label.name))));
                    frags.push(Frag::Text("</span>".to_owned()));
                }
                pieces.push((m.range.clone(), frags));
            }
            Ok(None) => {}
            Err(d) => diags.push(d),
        }
    }
    (pieces, diags)
}

/// Renders one thing a cell showed: an exploration as its figure, anything else as itself.
fn render(doc: &Doc, index: &Index, item: &Item, number: &str, offset: usize) -> Result<Vec<Frag>, Diagnostic> {
    match item {
        Item::Explore { label, caption, params, frames } => {
            explore::render(doc, index, label, caption, params, frames, number, offset)
        }
        item => item::render_item(doc, index, item, number, offset, None),
    }
}

/// Every equation in a set of pieces.
pub fn equations<'a>(pieces: impl IntoIterator<Item = &'a Piece>) -> Vec<Equation> {
    let mut found = Vec::new();
    for (_, frags) in pieces {
        Frag::equations(frags, &mut found);
    }
    found.into_iter().map(|(eq, _)| eq.clone()).collect()
}

/// Writes the chapter with every piece in place. Equations must have been rendered.
pub fn apply(source: &str, pieces: Vec<Piece>, math: &MathRenderer) -> String {
    apply_with(source, pieces, |eq| math.html(eq).expect("every equation was rendered").to_owned())
}

/// Writes the chapter with every piece in place, equations written by `html`: one pass from
/// the first piece to the last, copying the source between them (pieces do not overlap), so a
/// large page costs its length once rather than once per piece.
pub fn apply_with(source: &str, mut pieces: Vec<Piece>, html: impl Fn(&Equation) -> String) -> String {
    pieces.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(source.len());
    let mut copied = 0;
    for (range, frags) in pieces {
        assert!(range.start >= copied, "spliced pieces overlap at byte {}", range.start);
        out.push_str(&source[copied..range.start]);
        write_frags(&frags, &html, &mut out);
        copied = range.end;
    }
    out.push_str(&source[copied..]);
    out
}

fn write_frags(frags: &[Frag], html: &impl Fn(&Equation) -> String, out: &mut String) {
    for f in frags {
        match f {
            Frag::Text(t) => out.push_str(t),
            Frag::Math { eq, .. } => out.push_str(&html(eq)),
            Frag::Variants(v) => {
                let child = if v.tag == "div" { "div" } else { "span" };
                let (default_frames, default) = &v.variants[0];
                let mut others: Vec<(&str, String)> = Vec::new();
                for (frames, frags) in &v.variants[1..] {
                    let mut s = String::new();
                    write_frags(frags, html, &mut s);
                    others.push((frames, without_markdown_entities(&s)));
                }
                let json = serde_json::to_string(&others).expect("strings serialise");
                out.push_str(&format!(
                    "<{} {} data-exec-variants=\"{}\"><{child} class=\"exec-variant\" data-exec-frames=\"{default_frames}\" data-exec-default>",
                    v.tag,
                    v.attrs,
                    html_escape(&json)
                ));
                write_frags(default, html, out);
                out.push_str(&format!("</{child}></{}>", v.tag));
            }
        }
    }
}

/// How many lines of a cell's code a reader sees (mdBook hides lines starting with `# `).
pub fn visible_lines(cell: &Cell) -> usize {
    cell.code.lines().filter(|l| !crate::exec::program::is_hidden_line(l.trim_end_matches('\r'))).count()
}

/// Whether a cell's code is folded under a summary line.
fn folded(cell: &Cell, fold_lines: usize) -> bool {
    !cell.options.hide_code
        && match cell.options.fold {
            Fold::Always => true,
            Fold::Never => false,
            Fold::Auto => fold_lines > 0 && visible_lines(cell) > fold_lines,
        }
}

/// The pieces for one cell: its output block placed after it (or in its place with
/// `hide-code`), and, when its code is folded, a `<details>` around the code.
fn cell_pieces(src: &str, index: usize, cell: &Cell, block: Vec<Vec<Frag>>, fold_lines: usize) -> Vec<Piece> {
    let fold = folded(cell, fold_lines);
    if block.is_empty() && !cell.options.hide_code && !fold {
        return Vec::new();
    }
    let prefix = cell.prefix.as_str();
    let blank = format!("{}\n", prefix.trim_end());
    let mut frags = Vec::new();
    if !block.is_empty() {
        frags.push(Frag::Text(format!("<div class=\"exec-output\" data-exec-cell=\"{}\">\n", index + 1)));
        for item in block {
            frags.push(Frag::Text(format!("{blank}{prefix}")));
            for f in item {
                frags.push(match f {
                    Frag::Text(t) => Frag::Text(indent(&t, prefix)),
                    math => math,
                });
            }
            frags.push(Frag::Text("\n".to_owned()));
        }
        frags.push(Frag::Text(format!("{blank}{prefix}</div>\n{blank}")));
    }
    if cell.options.hide_code {
        // The first line of the range already follows the container prefix.
        return vec![(cell.range.clone(), frags)];
    }
    let mut lead = String::new();
    if !src[..cell.range.end].ends_with('\n') {
        lead.push('\n');
    }
    if !cell.closed {
        // Close the block so the output does not land inside it.
        let open = &src[cell.range.start..];
        let ch = open.chars().next().unwrap_or('`');
        let fence: String = open.chars().take_while(|&c| c == ch).collect();
        lead.push_str(&format!("{prefix}{fence}\n"));
    }
    let mut pieces = Vec::new();
    if fold {
        // The code stays a markdown code block (highlighted like any other), inside the fold.
        let lines = visible_lines(cell);
        let summary = format!(
            "<details class=\"exec-fold\"><summary>Code, {lines} line{}</summary>\n{blank}{prefix}",
            if lines == 1 { "" } else { "s" }
        );
        pieces.push((cell.range.start..cell.range.start, vec![Frag::Text(summary)]));
        lead.push_str(&format!("{blank}{prefix}</details>\n"));
    }
    lead.push_str(&blank);
    frags.insert(0, Frag::Text(format!("{lead}{prefix}")));
    pieces.push((cell.range.end..cell.range.end, frags));
    pieces
}

/// Puts `prefix` in front of every line after the first.
fn indent(text: &str, prefix: &str) -> String {
    if prefix.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(if line.is_empty() { prefix.trim_end() } else { prefix });
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_continuation_lines() {
        assert_eq!(indent("a\n\nb", "> "), "a\n>\n> b");
        assert_eq!(indent("a\nb", ""), "a\nb");
    }
}
