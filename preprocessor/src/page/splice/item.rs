//! Rendering one thing a cell (or a frame of an exploration) showed: text, notices, expected
//! panics, the list of checks, figures and tables. Explorations themselves are rendered by
//! [`explore`](super::explore), which calls this module for what each frame shows.

use crate::base::diag::Diagnostic;
use crate::base::format::{html_escape, parse_spec, prose};
use crate::base::results::{Item, Value};
use crate::input::doc::Doc;
use crate::page::math::Equation;
use crate::page::refs::{Index, LabelKind};
use crate::page::splice::figure::prepare_svg;
use crate::page::splice::frag::Frag;
use crate::page::splice::prose::inline_markdown;

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
        // The runtime refuses an exploration inside a frame, and the plan renders explorations
        // itself ([`super::explore`]).
        Item::Explore { label, .. } => {
            return Err(Diagnostic::at(
                &doc.display,
                &doc.source,
                offset,
                format!("exploration `{label}` inside another exploration's frame"),
            ));
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

/// An `id` attribute, or nothing for an empty label.
pub(crate) fn id_attr(label: &str) -> String {
    if label.is_empty() { String::new() } else { format!(" id=\"{}\"", html_escape(label)) }
}

/// A fenced code block long enough to hold `text`.
fn fenced(info: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{info}\n{text}\n{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(fenced("text", "a"), "```text\na\n```");
        assert_eq!(fenced("text", "x ```` y"), "`````text\nx ```` y\n`````");
    }
}
