//! Turning results into markdown and splicing it into the chapter.
//!
//! [`plan`] decides what replaces each place the scan found: a cell gets its output after it
//! (or instead of it, with `hide-code`), a `` `=value` `` becomes the formatted value, a
//! `` `@label` `` a link (also inside captions), and math gets its values put in (a labelled
//! display equation also its number and anchor) and is left as an [`Equation`] to render.
//! Pieces are fragments of text and equations, so every equation of the book can be rendered
//! in one parallel batch before [`apply`] writes the text. Replacements are applied from the
//! end backwards; every byte outside them stays as it was.

use std::ops::Range;

use mdbook_markdown::pulldown_cmark::{Event, Parser, Tag, TagEnd, html};

use crate::diag::Diagnostic;
use crate::doc::Doc;
use crate::exec::protocol::{CellOutput, Item, Value};
use crate::figure::prepare_svg;
use crate::format::{html_escape, parse_spec, prose, tex};
use crate::math::{Equation, MathRenderer, markdown_safe, without_markdown_entities};
use crate::refs::{Explored, Index, LabelKind, equation_numbers, numbers, relative_link};
use crate::scan::{Cell, Fold, RefKind, parser_options};

/// A piece of replacement text.
#[derive(Debug, Clone, PartialEq)]
pub enum Frag {
    /// Markdown or HTML, as is.
    Text(String),
    /// An equation to be rendered; `offset` is where it is in the chapter, for errors.
    Math { eq: Equation, offset: usize },
    /// Alternatives that the page switches between (an exploration's frames).
    Variants(Box<Variants>),
}

/// A group of alternatives: the first is written into the page, the others wait, as HTML, in
/// the group's `data-exec-variants` attribute until the page script unpacks them.
#[derive(Debug, Clone, PartialEq)]
pub struct Variants {
    /// The group's element: `span` or `output` inside a paragraph, `div` between blocks.
    pub tag: &'static str,
    /// The group's attributes (class, `data-exec-explore`, ...), written as they are.
    pub attrs: String,
    /// For each alternative, the frames (or values) it shows for (`0-3 7`) and its content.
    pub variants: Vec<(String, Vec<Frag>)>,
}

impl Frag {
    /// Every equation in `frags`, nested alternatives included, with its place in the chapter.
    pub fn equations<'a>(frags: &'a [Frag], out: &mut Vec<(&'a Equation, usize)>) {
        for f in frags {
            match f {
                Frag::Text(_) => {}
                Frag::Math { eq, offset } => out.push((eq, *offset)),
                Frag::Variants(v) => {
                    for (_, frags) in &v.variants {
                        Frag::equations(frags, out);
                    }
                }
            }
        }
    }
}

/// A replacement of a byte range by fragments.
pub type Piece = (Range<usize>, Vec<Frag>);

/// Extra blocks to show after cells, by cell index (error panels, "did not run" notes).
pub type CellNotes = std::collections::BTreeMap<usize, Vec<Vec<Frag>>>;

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
                match render_item(doc, index, item, number, offset, None) {
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
                .map(|link| link.map(|(text, href)| vec![Frag::Text(format!("[{text}]({href})"))])),
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

/// Renders one thing a cell showed. Inside an exploration's frame (`in_frame` names the id of
/// the exploration's caption) everything is HTML on one line, since it may travel in an
/// attribute, and figures and tables carry no number or anchor of their own (the exploration
/// is the numbered figure, and its caption names their drawings).
pub(crate) fn render_item(
    doc: &Doc,
    index: &Index,
    item: &Item,
    number: &str,
    offset: usize,
    in_frame: Option<&str>,
) -> Result<Vec<Frag>, Diagnostic> {
    let t = |s: String| Frag::Text(s);
    Ok(match item {
        Item::Text { text } => {
            let text = text.strip_suffix('\n').unwrap_or(text);
            if text.trim().is_empty() {
                return Ok(Vec::new());
            }
            if in_frame.is_some() {
                // As mdBook renders a `text` block, with line breaks that cannot end an HTML block.
                let body = html_escape(text).replace('\n', "&#10;");
                return Ok(vec![t(format!("<pre><code class=\"language-text hljs\">{body}</code></pre>"))]);
            }
            vec![t(fenced("text", text))]
        }
        Item::Explore { label, caption, params, frames } => {
            crate::explore::render(doc, index, label, caption, params, frames, number, offset)?
        }
        Item::Notice { text } => vec![t(format!("<p class=\"exec-notice\">{}</p>", html_escape(text)))],
        Item::Panic { msg } => vec![
            t("<p class=\"exec-panic\">The cell panicked, as intended:</p>\n\n".to_owned()),
            t(fenced("text", msg)),
        ],
        Item::Checks { items } => {
            let mut frags = vec![t("<ul class=\"exec-checks\">\n".to_owned())];
            for item in items {
                frags.push(t("<li>".to_owned()));
                frags.extend(inline_markdown(doc, index, item, offset)?);
                frags.push(t("</li>\n".to_owned()));
            }
            frags.push(t("</ul>".to_owned()));
            frags
        }
        Item::Figure { label, caption, svg } => {
            // The caption names the image; an unlabelled figure's caption is found by number, and
            // a frame's drawing is named by its exploration's caption.
            let caption_id = match in_frame {
                Some(explore_caption) => explore_caption.to_owned(),
                None if label.is_empty() => format!("exec-figure-{number}-caption"),
                None => format!("{label}-caption"),
            };
            let svg = prepare_svg(svg, &caption_id).map_err(|e| {
                Diagnostic::at(&doc.display, &doc.source, offset, format!("figure `{label}`: {e}")).help(
                    "pass `exec::figure` a whole SVG document, such as plotters' `SVGBackend::with_string` output",
                )
            })?;
            if in_frame.is_some() {
                return Ok(vec![t(format!("<div class=\"exec-frame-figure\">\n{svg}\n</div>"))]);
            }
            let mut frags = vec![t(format!(
                "<figure class=\"exec-figure\"{}>\n{svg}\n<figcaption{}>",
                id_attr(label),
                id_attr(&caption_id)
            ))];
            frags.push(t(format!("<span class=\"exec-number\">{} {number}:</span> ", LabelKind::Figure.word())));
            frags.extend(inline_markdown(doc, index, caption, offset)?);
            frags.push(t("</figcaption>\n</figure>".to_owned()));
            frags
        }
        Item::Table { label, caption, header, rows, formats } => {
            let id = if in_frame.is_some() { String::new() } else { id_attr(label) };
            let mut frags = vec![t(format!("<figure class=\"exec-table\"{id}>\n<figcaption>"))];
            if in_frame.is_none() {
                frags.push(t(format!("<span class=\"exec-number\">{} {number}:</span> ", LabelKind::Table.word())));
            }
            frags.extend(inline_markdown(doc, index, caption, offset)?);
            frags.push(t("</figcaption>\n<table>\n<thead><tr>".to_owned()));
            for h in header {
                frags.push(t("<th>".to_owned()));
                frags.extend(inline_markdown(doc, index, h, offset)?);
                frags.push(t("</th>".to_owned()));
            }
            frags.push(t("</tr></thead>\n<tbody>\n".to_owned()));
            for row in rows {
                frags.push(t("<tr>".to_owned()));
                for (c, v) in row.iter().enumerate() {
                    let fmt = formats.get(c).map(String::as_str).unwrap_or("");
                    let spec = parse_spec(fmt).map_err(|e| {
                        Diagnostic::at(
                            &doc.display,
                            &doc.source,
                            offset,
                            format!("table `{label}`, column {}: {e}", c + 1),
                        )
                    })?;
                    let class = if matches!(v, Value::Float(_) | Value::Int(_)) { " class=\"num\"" } else { "" };
                    frags.push(t(format!("<td{class}>")));
                    match v {
                        Value::Tex(s) => {
                            frags.push(Frag::Math { eq: Equation { tex: s.clone(), display: false }, offset })
                        }
                        v => frags.push(t(prose(v, spec))),
                    }
                    frags.push(t("</td>".to_owned()));
                }
                frags.push(t("</tr>\n".to_owned()));
            }
            frags.push(t("</tbody>\n</table>\n</figure>".to_owned()));
            frags
        }
    })
}

fn id_attr(label: &str) -> String {
    if label.is_empty() { String::new() } else { format!(" id=\"{}\"", html_escape(label)) }
}

/// A fenced code block long enough to hold `text`.
fn fenced(info: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{info}\n{text}\n{fence}")
}

/// Renders a caption or header (inline markdown with math) to HTML fragments.
pub(crate) fn inline_markdown(doc: &Doc, index: &Index, text: &str, offset: usize) -> Result<Vec<Frag>, Diagnostic> {
    let mut frags = Vec::new();
    let mut events = Vec::new();
    let flush = |events: &mut Vec<Event<'_>>, frags: &mut Vec<Frag>| {
        let mut s = String::new();
        html::push_html(&mut s, events.drain(..));
        if !s.is_empty() {
            frags.push(Frag::Text(s.replace('\n', " ")));
        }
    };
    let in_text = |msg: String| Diagnostic::at(&doc.display, &doc.source, offset, msg).detail(format!("in `{text}`"));
    for event in Parser::new_ext(text, parser_options()) {
        match event {
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
            // References work as in prose.
            Event::Code(code) if code.starts_with(['@', '=']) => {
                flush(&mut events, &mut frags);
                let target = code[1..].trim();
                if code.starts_with('@') {
                    if let Some((text, href)) = label_link(doc, index, target).map_err(in_text)? {
                        frags.push(Frag::Text(format!("<a href=\"{}\">{text}</a>", html_escape(&href))));
                    }
                } else {
                    frags.extend(value_in_prose(doc, index, target, offset).map_err(in_text)?.unwrap_or_default());
                }
            }
            Event::InlineMath(m) | Event::DisplayMath(m) => {
                flush(&mut events, &mut frags);
                if let Some(math) = math_frags(doc, index, &m, false, None, offset..offset)
                    .map_err(|d| d.detail(format!("in `{text}`")))?
                {
                    frags.extend(math);
                }
            }
            e => events.push(e),
        }
    }
    flush(&mut events, &mut frags);
    Ok(frags)
}

/// A value in prose; one that an exploration exported follows its controls.
fn value_in_prose(doc: &Doc, index: &Index, target: &str, offset: usize) -> Result<Option<Vec<Frag>>, String> {
    let (name, fmt) = target.split_once(':').unwrap_or((target, ""));
    let Some(named) = index.value(&doc.key, name)? else { return Ok(None) };
    let spec = parse_spec(if fmt.is_empty() { &named.fmt } else { fmt })?;
    let shown = |value: &Value| match value {
        Value::Tex(s) => vec![Frag::Math { eq: Equation { tex: s.clone(), display: false }, offset }],
        v => vec![Frag::Text(markdown_safe(&prose(v, spec)))],
    };
    let name_attr = format!("data-exec-name=\"{}\"", html_escape(name));
    let Some(explored) = index.explored(&doc.key, name) else {
        let mut frags = vec![Frag::Text(format!("<span class=\"exec-value\" {name_attr}>"))];
        frags.extend(shown(&named.value));
        frags.push(Frag::Text("</span>".to_owned()));
        return Ok(Some(frags));
    };
    let per_frame: Vec<Vec<Frag>> = explored.frames.iter().map(|n| shown(&n.value)).collect();
    Ok(Some(crate::explore::variants(
        "span",
        format!("class=\"exec-value exec-variants\" {name_attr} data-exec-explore=\"{}\"", html_escape(&explored.key)),
        per_frame,
        explored.default,
    )))
}

/// A link to a figure, table or equation: its text (`Figure&nbsp;3.1`) and address.
fn label_link(doc: &Doc, index: &Index, target: &str) -> Result<Option<(String, String)>, String> {
    let Some(label) = index.label(&doc.key, target)? else { return Ok(None) };
    let name = target.rsplit_once('.').map_or(target, |(_, n)| n);
    let href = if label.chapter_path == doc.path {
        format!("#{name}")
    } else {
        format!("{}#{name}", relative_link(&doc.path, &label.chapter_path))
    };
    Ok(Some((label.reference(), href)))
}

/// The fragments of one formula (with its `number`, if labelled): one equation, or one per
/// frame when it shows values that an exploration exported (so it follows the exploration's
/// controls). `None` when a value is in a
/// chapter that failed (its error is already reported).
fn math_frags(
    doc: &Doc,
    index: &Index,
    tex_src: &str,
    display: bool,
    number: Option<&str>,
    range: Range<usize>,
) -> Result<Option<Vec<Frag>>, Diagnostic> {
    let offset = range.start;
    // KaTeX sets an equation's number at the right margin, as in print; the line break keeps
    // it out of a `%` comment on the formula's last line.
    let math = |tex: String| {
        let tex = match number {
            Some(n) => format!("{tex}\n\\tag{{{n}}}"),
            None => tex,
        };
        Frag::Math { eq: Equation { tex, display }, offset }
    };
    let Some((tex, explored)) = substitute(doc, index, tex_src, range.clone(), None)? else { return Ok(None) };
    let Some(explored) = explored else { return Ok(Some(vec![math(tex)])) };
    let mut per_frame = Vec::with_capacity(explored.frames.len());
    for frame in 0..explored.frames.len() {
        let Some((tex, _)) = substitute(doc, index, tex_src, range.clone(), Some(frame))? else { return Ok(None) };
        per_frame.push(vec![math(tex)]);
    }
    let attrs = format!("class=\"exec-variants\" data-exec-explore=\"{}\"", html_escape(&explored.key));
    Ok(Some(crate::explore::variants("span", attrs, per_frame, explored.default)))
}

/// Puts values into TeX at every `\val{name}` or `\val{name:fmt}`. A value an exploration
/// exported takes its value in `frame`, or in the default frame when `frame` is `None`; the
/// exploration is returned with the TeX, so the caller can make one equation per frame.
/// Returns `None` when a value is in a chapter that failed (its error is already reported).
fn substitute<'a>(
    doc: &Doc,
    index: &'a Index,
    tex_src: &str,
    range: Range<usize>,
    frame: Option<usize>,
) -> Result<Option<(String, Option<&'a Explored>)>, Diagnostic> {
    let mut followed: Option<&Explored> = None;
    const CMD: &str = "\\val{";
    let mut out = String::with_capacity(tex_src.len());
    let mut rest = tex_src;
    while let Some(at) = rest.find(CMD) {
        out.push_str(&rest[..at]);
        let after = &rest[at + CMD.len()..];
        // Where the `\val` stands in the chapter, when the math is there verbatim.
        let place = doc.source[range.clone()].find(&rest[at..]).map_or(range.start, |i| range.start + i);
        let err = |msg: String| Diagnostic::at(&doc.display, &doc.source, place, msg);
        let Some(close) = after.find('}') else {
            return Err(err("`\\val{` is not closed".to_owned()).help("write `\\val{name}` or `\\val{name:.3}`"));
        };
        let target = after[..close].trim();
        let (name, fmt) = target.split_once(':').unwrap_or((target, ""));
        let mut named = match index.value(&doc.key, name) {
            Ok(Some(n)) => n,
            Ok(None) => return Ok(None),
            Err(e) => return Err(err(e)),
        };
        if let Some(explored) = index.explored(&doc.key, name) {
            if followed.is_some_and(|f| f.key != explored.key) {
                return Err(err(format!(
                    "`\\val{{{name}}}` comes from another exploration than a value before it in this formula"
                ))
                .help("a formula can follow the controls of one exploration; split it in two"));
            }
            followed = Some(explored);
            if let Some(k) = frame {
                named = &explored.frames[k];
            }
        }
        let spec = parse_spec(if fmt.is_empty() { &named.fmt } else { fmt }).map_err(err)?;
        out.push('{');
        out.push_str(&tex(&named.value, spec));
        out.push('}');
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(Some((out, followed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(fenced("text", "a"), "```text\na\n```");
        assert_eq!(fenced("text", "x ```` y"), "`````text\nx ```` y\n`````");
    }

    #[test]
    fn indents_continuation_lines() {
        assert_eq!(indent("a\n\nb", "> "), "a\n>\n> b");
        assert_eq!(indent("a\nb", ""), "a\nb");
    }
}
