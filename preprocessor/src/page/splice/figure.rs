//! Making a cell's SVG fit the page: every theme, print, any width, screen readers.
//!
//! Plots are drawn by `plotters` with black ink on no background. Here the ink (and black at
//! any opacity) becomes `currentColor`, so axes, ticks, labels and frames take the page's text
//! colour in all mdBook themes and in print; the runtime's grid grey becomes a faint
//! `currentColor`; a white background rectangle is dropped so the page shows through. The SVG
//! becomes an image named by the figure's caption (`aria-labelledby`, so screen readers read
//! the caption's math as MathML, not as TeX); a `<desc>` the drawing carries (charts list
//! their series there) is its description. This module works on one SVG string; it never sees
//! markdown.

use crate::base::format::html_escape;

/// Rewrites an SVG document for inline use in a page, named by the element `caption_id`.
pub fn prepare_svg(svg: &str, caption_id: &str) -> Result<String, String> {
    let start = svg.find("<svg").ok_or("the figure is not an SVG document (no `<svg` tag)")?;
    let end = svg.rfind("</svg>").ok_or("the SVG document has no closing `</svg>` tag")? + "</svg>".len();
    let body = &svg[start..end];

    let mut out = String::with_capacity(body.len());
    for line in body.lines() {
        let line = line.trim_end();
        // A blank line would end the HTML block the figure sits in.
        if line.trim().is_empty() || is_background(line) {
            continue;
        }
        push_recolored(line, &mut out);
        out.push('\n');
    }
    let out = out.trim_end().to_owned();

    let open_end = out.find('>').ok_or("the `<svg` tag is not closed")?;
    let (open, rest) = out.split_at(open_end);
    let id = html_escape(caption_id);
    Ok(format!("{open} role=\"img\" aria-labelledby=\"{id}\">{}", &rest[1..]))
}

/// A full-size white rectangle that plotters draws when the root area is filled white.
fn is_background(line: &str) -> bool {
    let l = line.trim_start();
    l.starts_with("<rect x=\"0\" y=\"0\"") && (l.contains("fill=\"#FFFFFF\"") || l.contains("fill=\"#ffffff\""))
}

/// Plotters' black text and axes follow the theme's text colour; its light grey grid becomes a
/// faint version of it.
const RECOLOR: [(&str, &str); 10] = [
    ("fill=\"#000000\"", "fill=\"currentColor\""),
    ("fill=\"#000\"", "fill=\"currentColor\""),
    ("fill=\"black\"", "fill=\"currentColor\""),
    ("fill=\"#DDDDDD\"", "fill=\"currentColor\" fill-opacity=\"0.15\""),
    ("fill=\"#dddddd\"", "fill=\"currentColor\" fill-opacity=\"0.15\""),
    ("stroke=\"#000000\"", "stroke=\"currentColor\""),
    ("stroke=\"#000\"", "stroke=\"currentColor\""),
    ("stroke=\"black\"", "stroke=\"currentColor\""),
    ("stroke=\"#DDDDDD\"", "stroke=\"currentColor\" stroke-opacity=\"0.15\""),
    ("stroke=\"#dddddd\"", "stroke=\"currentColor\" stroke-opacity=\"0.15\""),
];

/// Pushes `line` with [`RECOLOR`] applied. Most lines of a chart (its data) have none of these
/// colours and are copied as they are: this runs over every frame of every figure on each build.
fn push_recolored(line: &str, out: &mut String) {
    if !RECOLOR.iter().any(|(from, _)| line.contains(from)) {
        out.push_str(line);
        return;
    }
    let mut s = line.to_owned();
    for (from, to) in RECOLOR {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    out.push_str(&s);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_and_names_the_svg() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"5\" viewBox=\"0 0 10 5\" xmlns=\"http://www.w3.org/2000/svg\">\n\
                   <rect x=\"0\" y=\"0\" width=\"10\" height=\"5\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\"/>\n\n\
                   <text x=\"1\" fill=\"#000000\">a &lt; b</text>\n<line stroke=\"#DDDDDD\"/>\n<polyline stroke=\"#3B82D6\"/>\n</svg>\n";
        let out = prepare_svg(svg, "fig-a-caption").unwrap();
        assert_eq!(
            out,
            "<svg width=\"10\" height=\"5\" viewBox=\"0 0 10 5\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"fig-a-caption\">\n\
             <text x=\"1\" fill=\"currentColor\">a &lt; b</text>\n\
             <line stroke=\"currentColor\" stroke-opacity=\"0.15\"/>\n<polyline stroke=\"#3B82D6\"/>\n</svg>"
        );
    }

    #[test]
    fn rejects_non_svg() {
        assert!(prepare_svg("<png>", "x").is_err());
    }
}
