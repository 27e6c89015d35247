//! Markdown and HTML helpers that several stages need: the parser options mdBook uses, HTML
//! made safe to sit in markdown text, and links between chapters.

use std::path::Path;

use mdbook_markdown::pulldown_cmark::Options;

/// mdBook's markdown extensions (as `mdbook_markdown::new_cmark_parser` sets them) plus math.
pub fn parser_options() -> Options {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    opts.insert(Options::ENABLE_SMART_PUNCTUATION);
    opts.insert(Options::ENABLE_DEFINITION_LIST);
    opts.insert(Options::ENABLE_GFM);
    opts.insert(Options::ENABLE_MATH);
    opts
}

/// Makes HTML safe to splice into markdown text: one line, and the characters that markdown
/// (with smart punctuation and tables) would act on in text outside tags written as numeric
/// entities. Tags themselves are kept verbatim.
pub fn markdown_safe(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '<' => {
                in_tag = true;
                out.push(c);
            }
            '>' if in_tag => {
                in_tag = false;
                out.push(c);
            }
            c if !in_tag && MARKDOWN_ACTIVE.contains(&c) => {
                out.push_str(&format!("&#{};", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// The characters [`markdown_safe`] writes as entities.
const MARKDOWN_ACTIVE: &[char] = &['*', '_', '\\', '[', ']', '`', '~', '$', '|', '\'', '"', '-', '.', '!'];

/// Undoes [`markdown_safe`]'s entities, for HTML that goes where markdown never looks (an
/// attribute); a third of KaTeX's output would otherwise be entities.
/// One pass over the text: frames of an exploration hold megabytes of it.
pub fn without_markdown_entities(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("&#") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let active = after[digits..]
            .starts_with(';')
            .then(|| after[..digits].parse::<u32>().ok().and_then(char::from_u32))
            .flatten()
            .filter(|c| MARKDOWN_ACTIVE.contains(c));
        match active {
            Some(c) => {
                out.push(c);
                rest = &after[digits + 1..];
            }
            None => {
                out.push_str("&#");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The link from chapter `from` to chapter `to` (paths relative to `src`), with `.md` kept so
/// that mdBook rewrites it like any other chapter link.
pub fn relative_link(from: &Path, to: &Path) -> String {
    let from_dir: Vec<_> = from.parent().map(|p| p.components().collect()).unwrap_or_default();
    let to_parts: Vec<_> = to.components().collect();
    let common = from_dir.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from_dir.len() - common];
    parts.extend(to_parts[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_for_markdown() {
        assert_eq!(
            markdown_safe("<span class=\"a-b\">x_1*y</span>\n<b>--'</b>"),
            "<span class=\"a-b\">x&#95;1&#42;y</span> <b>&#45;&#45;&#39;</b>"
        );
    }

    #[test]
    fn entities_can_be_undone() {
        let html = "<span class=\"a-b\">x_1*y 3.5 &amp;#46;</span>";
        assert_eq!(without_markdown_entities(&markdown_safe(html)), html);
        // Only the entities `markdown_safe` writes are undone; others, and stray `&#`, stay.
        assert_eq!(without_markdown_entities("&#60;a&#95;&#x5f;&#95&#;&#"), "&#60;a_&#x5f;&#95&#;&#");
    }

    #[test]
    fn links_between_chapters() {
        assert_eq!(relative_link(Path::new("a.md"), Path::new("b.md")), "b.md");
        assert_eq!(relative_link(Path::new("p/a.md"), Path::new("b.md")), "../b.md");
        assert_eq!(relative_link(Path::new("p/a.md"), Path::new("p/q/b.md")), "q/b.md");
    }
}
