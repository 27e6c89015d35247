//! Prose inside the page: captions and headers rendered as inline markdown, values in prose,
//! links to labels, and formulas with their values put in. A value or formula that follows an
//! exploration becomes a group of alternatives, one per frame.

use std::ops::Range;

use mdbook_markdown::pulldown_cmark::{Event, Parser, Tag, TagEnd, html};

use crate::base::diag::Diagnostic;
use crate::base::format::{html_escape, parse_spec, prose, tex};
use crate::base::markdown::{markdown_safe, parser_options, relative_link};
use crate::base::results::Value;
use crate::input::doc::Doc;
use crate::input::scan::{RefKind, reference};
use crate::page::math::Equation;
use crate::page::refs::{Explored, Index};
use crate::page::splice::frag::{Frag, variants};

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
            Event::Code(code) if reference(&code).is_some() => {
                flush(&mut events, &mut frags);
                let (kind, target) = reference(&code).expect("checked above");
                if kind == RefKind::Label {
                    if let Some((text, href)) = label_link(doc, index, target).map_err(in_text)? {
                        frags.push(Frag::Text(format!(
                            "<span class=\"exec-ref\"><a href=\"{}\">{text}</a></span>",
                            html_escape(&href)
                        )));
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
pub(crate) fn value_in_prose(
    doc: &Doc,
    index: &Index,
    target: &str,
    offset: usize,
) -> Result<Option<Vec<Frag>>, String> {
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
    Ok(Some(variants(
        "span",
        format!("class=\"exec-value exec-variants\" {name_attr} data-exec-explore=\"{}\"", html_escape(&explored.key)),
        per_frame,
        explored.default,
    )))
}

/// A link to a figure, table or equation: its text (`Figure&nbsp;3.1`) and address.
pub(crate) fn label_link(doc: &Doc, index: &Index, target: &str) -> Result<Option<(String, String)>, String> {
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
pub(crate) fn math_frags(
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
    Ok(Some(variants("span", attrs, per_frame, explored.default)))
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
