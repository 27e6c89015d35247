//! One copy of each formula's text in the page, so that mdBook's search shows a formula once.
//!
//! KaTeX writes a formula three times: as MathML for screen readers (`<math>`, whose text is
//! `w = 1`), as its TeX source inside that MathML (`<annotation>`), and as the glyphs that are
//! shown (`.katex-html`, hidden from screen readers). mdBook's search index collects every text
//! node of a page, whatever CSS hides, so a result read "w = 1 w = 1 w = 1". [`one_text_copy`]
//! drops the annotation and moves the text of each glyph into a `data-g` attribute, which the
//! stylesheet (`exec.css`) shows with `::before { content: attr(data-g) }`: the same characters
//! in the same box and font, but no longer a text node. The MathML stays as KaTeX wrote it; its
//! text is what screen readers read and what the index keeps. This module works on KaTeX's own
//! output only (tags and escaped text, one formula at a time); it never parses the page.

/// Rewrites one formula's HTML: no TeX annotation, and, when `move_glyphs` is set (the
/// MathML is there to keep the text), the glyphs' text in attributes.
pub fn one_text_copy(html: &str, move_glyphs: bool) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    // Open elements, and how many were open inside `.katex-html` began.
    let mut depth = 0usize;
    let mut glyphs_from: Option<usize> = None;
    // The last start tag inside `.katex-html`, held back until its first child is known.
    let mut held: Option<&str> = None;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            let tag = &rest[..end];
            rest = &rest[end..];
            out.push_str(held.take().unwrap_or(""));
            if tag.starts_with("<annotation") {
                rest = rest.find("</annotation>").map_or("", |i| &rest[i + "</annotation>".len()..]);
                continue;
            }
            if tag.starts_with("</") {
                depth = depth.saturating_sub(1);
                if glyphs_from.is_some_and(|d| depth < d) {
                    glyphs_from = None;
                }
                out.push_str(tag);
                continue;
            }
            if is_void(tag) {
                out.push_str(tag);
                continue;
            }
            depth += 1;
            if glyphs_from.is_none() && class_of(tag).is_some_and(|c| c.split(' ').any(|c| c == "katex-html")) {
                glyphs_from = Some(depth);
            }
            if glyphs_from.is_some() && move_glyphs {
                held = Some(tag);
            } else {
                out.push_str(tag);
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            rest = &rest[end..];
            // Spaces stay text; KaTeX's zero-width spaces (which keep some boxes from collapsing)
            // move with the glyphs, or a result would show them between words.
            let visible = text.chars().any(|c| !c.is_whitespace());
            if glyphs_from.is_some() && move_glyphs && visible {
                // The text is KaTeX's, escaped, so it holds no `"`.
                match held.take() {
                    // The first child of its element: the element shows it before any other.
                    Some(tag) => {
                        let open = tag.strip_suffix('>').unwrap_or(tag);
                        out.push_str(&format!("{open} data-g=\"{text}\">"));
                    }
                    None => out.push_str(&format!("<span data-g=\"{text}\"></span>")),
                }
            } else {
                out.push_str(held.take().unwrap_or(""));
                out.push_str(text);
            }
        }
    }
    out.push_str(held.unwrap_or(""));
    out
}

/// Whether a start tag opens no element that a closing tag ends.
fn is_void(tag: &str) -> bool {
    let name = tag[1..].split([' ', '>', '/']).next().unwrap_or("");
    tag.ends_with("/>") || matches!(name, "img" | "br" | "hr" | "wbr")
}

/// The `class` attribute of a start tag.
fn class_of(tag: &str) -> Option<&str> {
    let at = tag.find(" class=\"")? + " class=\"".len();
    tag[at..].split('"').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(html: &str, move_glyphs: bool, expected: &str) {
        assert_eq!(one_text_copy(html, move_glyphs), expected, "{html}");
    }

    #[test]
    fn one_copy_of_the_text() {
        let mathml = r#"<span class="katex-mathml"><math><semantics><mrow><mi>w</mi><mo>=</mo><mn>1</mn></mrow><annotation encoding="application/x-tex">w = 1</annotation></semantics></math></span>"#;
        let kept = r#"<span class="katex-mathml"><math><semantics><mrow><mi>w</mi><mo>=</mo><mn>1</mn></mrow></semantics></math></span>"#;
        check(
            &format!(
                r#"<span class="katex">{mathml}<span class="katex-html" aria-hidden="true"><span class="base"><span class="strut" style="height:0.6em;"></span><span class="mord mathnormal">w</span><span class="mrel">=</span><span class="mord">1</span></span></span></span>"#
            ),
            true,
            &format!(
                r#"<span class="katex">{kept}<span class="katex-html" aria-hidden="true"><span class="base"><span class="strut" style="height:0.6em;"></span><span class="mord mathnormal" data-g="w"></span><span class="mrel" data-g="="></span><span class="mord" data-g="1"></span></span></span></span>"#
            ),
        );
        // With no MathML the glyphs are the only copy, so they stay text.
        check(
            r#"<span class="katex"><span class="katex-html" aria-hidden="true"><span class="mord">1</span></span></span>"#,
            false,
            r#"<span class="katex"><span class="katex-html" aria-hidden="true"><span class="mord">1</span></span></span>"#,
        );
    }

    #[test]
    fn mixed_content_spaces_and_svg() {
        // `\log` is "lo" then a kerned "g"; text after an element gets a span of its own.
        check(
            r#"<span class="katex-html"><span class="mop">lo<span style="margin-right:0.01em;">g</span></span><span class="x"><b></b>&#45;</span></span>"#,
            true,
            r#"<span class="katex-html"><span class="mop" data-g="lo"><span style="margin-right:0.01em;" data-g="g"></span></span><span class="x"><b></b><span data-g="&#45;"></span></span></span>"#,
        );
        check(
            "<span class=\"katex-html\"><span class=\"vlist-s\">\u{200b}</span><span class=\"mspace\">\u{a0}</span><svg><path d='M0 0'/></svg><span>x</span></span>",
            true,
            "<span class=\"katex-html\"><span class=\"vlist-s\" data-g=\"\u{200b}\"></span><span class=\"mspace\">\u{a0}</span><svg><path d='M0 0'/></svg><span data-g=\"x\"></span></span>",
        );
        // Outside `.katex-html` (the include-src wrapper, the MathML) nothing moves.
        check(
            r#"<data class="katex-src" value="x"><span class="katex"><span class="katex-mathml"><math><mi>x</mi></math></span></span></data>after"#,
            true,
            r#"<data class="katex-src" value="x"><span class="katex"><span class="katex-mathml"><math><mi>x</mi></math></span></span></data>after"#,
        );
    }
}
