//! Rendering explorations: the figure whose frames a reader switches between with controls.
//!
//! An exploration becomes one numbered figure: native controls (a slider for numbers, a
//! drop-down list for text), the frames' items, a caption, and a line that only print shows.
//! Each position in the frames (first item, second item, ...) becomes a group of alternatives
//! (see [`Variants`]): identical content is stored once, with the list of frames it shows for;
//! the default frame's content is in the page, so a reader without JavaScript, a printer and the
//! search index see an ordinary figure. This module plans fragments; it never runs anything and
//! never decides where they go in the chapter.

use crate::base::diag::Diagnostic;
use crate::base::format::{Spec, html_escape, parse_spec, plain, prose};
use crate::base::results::{CellOutput, Item, ParamSpec, Value};
use crate::base::slug::slug;
use crate::input::doc::Doc;
use crate::page::refs::{Index, explore_key};
use crate::page::splice::frag::{Frag, variants};
use crate::page::splice::item::render_item;
use crate::page::splice::prose::inline_markdown;

/// A control's name in words, for screen readers: the label without its math markup
/// (`$\\eta$ (rate)` reads `eta (rate)`).
fn spoken(label: &str) -> String {
    let words: String = label.chars().filter(|c| !matches!(c, '$' | '{' | '}' | '\\' | '^' | '_')).collect();
    words.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How a parameter's value reads next to its control, as fragments (text values may hold math).
fn shown_value(doc: &Doc, index: &Index, p: &ParamSpec, v: &Value, offset: usize) -> Result<Vec<Frag>, Diagnostic> {
    match v {
        Value::Text(t) => inline_markdown(doc, index, t, offset),
        Value::Tex(t) => inline_markdown(doc, index, &format!("${t}$"), offset),
        v => {
            let spec = parse_spec(&p.format).map_err(|e| {
                Diagnostic::at(&doc.display, &doc.source, offset, format!("parameter `{}`: {e}", p.name))
            })?;
            Ok(vec![Frag::Text(prose(v, spec))])
        }
    }
}

/// The same, as plain text for `aria-valuetext`, option labels and the print note.
fn plain_value(p: &ParamSpec, v: &Value) -> String {
    plain(v, parse_spec(&p.format).unwrap_or(Spec::Default))
}

/// Renders an exploration as the fragments of one figure.
#[allow(clippy::too_many_arguments)]
pub fn render(
    doc: &Doc,
    index: &Index,
    label: &str,
    caption: &str,
    params: &[ParamSpec],
    frames: &[CellOutput],
    number: &str,
    offset: usize,
) -> Result<Vec<Frag>, Diagnostic> {
    let key = explore_key(doc, label);
    let key_attr = html_escape(&key);
    let default = ParamSpec::default_frame(params).min(frames.len().saturating_sub(1));
    let t = |s: String| Frag::Text(s);
    let shape: Vec<String> = params.iter().map(|p| p.values.len().to_string()).collect();
    let id = if label.is_empty() { String::new() } else { format!(" id=\"{}\"", html_escape(label)) };
    // The caption names every drawing of every frame.
    let caption_id = format!("exec-{}-caption", slug(&key));

    let mut out = vec![t(format!(
        "<figure class=\"exec-figure exec-explore\"{id} data-exec-explore=\"{key_attr}\" data-exec-shape=\"{}\">\n<div class=\"exec-controls\" hidden>",
        shape.join(" ")
    ))];
    for (p, param) in params.iter().enumerate() {
        let control = format!("exec-{}-{p}", slug(&key));
        out.push(t(format!("<div class=\"exec-control\"><label for=\"{control}\">")));
        out.extend(inline_markdown(doc, index, &param.label, offset)?);
        out.push(t("</label>".to_owned()));
        let texts: Vec<String> = param.values.iter().map(|v| plain_value(param, v)).collect();
        if param.text {
            out.push(t(format!(
                "<select id=\"{control}\" data-exec-param=\"{p}\" aria-label=\"{}\">",
                html_escape(&spoken(&param.label))
            )));
            for (i, text) in texts.iter().enumerate() {
                let selected = if i == param.default { " selected" } else { "" };
                out.push(t(format!("<option value=\"{i}\"{selected}>{}</option>", html_escape(text))));
            }
            out.push(t("</select>".to_owned()));
        } else {
            let json = serde_json::to_string(&texts).expect("strings serialise");
            out.push(t(format!(
                "<input type=\"range\" id=\"{control}\" min=\"0\" max=\"{}\" step=\"1\" value=\"{}\" data-exec-param=\"{p}\" aria-label=\"{}\" aria-valuetext=\"{}\" data-exec-texts=\"{}\">",
                param.values.len() - 1,
                param.default,
                html_escape(&spoken(&param.label)),
                html_escape(&texts[param.default]),
                html_escape(&json)
            )));
            let shown: Vec<Vec<Frag>> =
                param.values.iter().map(|v| shown_value(doc, index, param, v, offset)).collect::<Result<_, _>>()?;
            out.extend(variants(
                "output",
                format!("for=\"{control}\" class=\"exec-variants exec-param-value\" data-exec-explore=\"{key_attr}\" data-exec-by=\"p{p}\""),
                shown,
                param.default,
            ));
        }
        out.push(t("</div>".to_owned()));
    }
    out.push(t("</div>\n".to_owned()));

    // One group per position in the frames; a frame with fewer items shows nothing there.
    let slots = frames.iter().map(|f| f.items.len()).max().unwrap_or(0);
    for slot in 0..slots {
        let mut per_frame = Vec::with_capacity(frames.len());
        let mut rendered: Vec<(Option<&Item>, Vec<Frag>)> = Vec::new();
        for frame in frames {
            let item = frame.items.get(slot);
            // Rendering is the costly part; equal items are rendered once.
            let frags = match rendered.iter().find(|(i, _)| *i == item) {
                Some((_, f)) => f.clone(),
                None => {
                    let f = match item {
                        Some(item) => render_item(doc, index, item, "", offset, Some(&caption_id))?,
                        None => Vec::new(),
                    };
                    rendered.push((item, f.clone()));
                    f
                }
            };
            per_frame.push(frags);
        }
        out.extend(variants(
            "div",
            format!("class=\"exec-variants\" data-exec-explore=\"{key_attr}\""),
            per_frame,
            default,
        ));
        out.push(t("\n".to_owned()));
    }

    out.push(t(format!("<figcaption id=\"{caption_id}\"><span class=\"exec-number\">Figure {number}:</span> ")));
    out.extend(inline_markdown(doc, index, caption, offset)?);
    out.push(t("</figcaption>\n<p class=\"exec-print-note\">Online, this figure varies with ".to_owned()));
    for (p, param) in params.iter().enumerate() {
        if p > 0 {
            out.push(t(" and ".to_owned()));
        }
        out.extend(inline_markdown(doc, index, &param.label, offset)?);
        let values = &param.values;
        let range = if param.text || values.len() <= 4 {
            values.iter().map(|v| plain_value(param, v)).collect::<Vec<_>>().join(", ")
        } else {
            format!(
                "{} values from {} to {}",
                values.len(),
                plain_value(param, &values[0]),
                plain_value(param, &values[values.len() - 1])
            )
        };
        out.push(t(format!(" ({})", html_escape(&range))));
    }
    out.push(t("; printed here: ".to_owned()));
    for (p, param) in params.iter().enumerate() {
        if p > 0 {
            out.push(t(", ".to_owned()));
        }
        out.extend(inline_markdown(doc, index, &param.label, offset)?);
        out.push(t(format!(" = {}", html_escape(&plain_value(param, &param.values[param.default])))));
    }
    out.push(t(".</p>\n</figure>".to_owned()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spoken_labels() {
        assert_eq!(spoken("$\\eta$ (rate)"), "eta (rate)");
        assert_eq!(spoken("sampling"), "sampling");
    }
}
