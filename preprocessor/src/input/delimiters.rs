//! Math between configured delimiters: mdbook-katex's custom `inline-delimiter` and
//! `block-delimiter`, and mdBook's MathJax (`\(..\)`, `\[..\]`, `$$..$$`).
//!
//! The scan hands over a run of text: the parser's consecutive text events inside one block
//! (emphasis may come between them; code, HTML, links and block boundaries end a run). This
//! module finds the formulas in it, either in the chapter's text as written (mdbook-katex's
//! way, the TeX as written) or in the text after markdown, as MathJax reads the page (the TeX
//! as the reader's page holds it). It never sees code, and never reads the chapter outside
//! the run.

use std::ops::Range;

use crate::input::math_config::Delimiter;

/// One text event of a run: its text after markdown and its bytes in the chapter.
pub type Piece = (String, Range<usize>);

/// A formula found in a run: its bytes in the chapter (delimiters included), its TeX and
/// whether it is display math.
pub type Found = (Range<usize>, String, bool);

/// Finds the formulas in a run, left to right. `after_markdown` reads the text as MathJax does
/// (an escaped `\\(` in the chapter is `\(`); otherwise the chapter's text as written is read,
/// as mdbook-katex reads it, where a backslash escapes the next character. With
/// `environments`, `\begin{name}..\end{name}` outside other math is display math, as in
/// MathJax.
pub fn find(
    source: &str,
    run: &[Piece],
    delimiters: &[Delimiter],
    after_markdown: bool,
    environments: bool,
) -> Vec<Found> {
    let (Some(first), Some(last)) = (run.first(), run.last()) else { return Vec::new() };
    if after_markdown {
        let mut text = String::new();
        let mut map = Vec::new();
        for (t, range) in run {
            let exact = source.get(range.clone()) == Some(t.as_str());
            for (i, _) in t.bytes().enumerate() {
                map.push(if exact { range.start + i } else { range.start });
            }
            text.push_str(t);
        }
        map.push(last.1.end);
        let starts: Vec<usize> = run.iter().map(|(_, r)| r.start).collect();
        return search(&text, delimiters, false, environments)
            .into_iter()
            .map(|(outer, inner, display)| {
                let mut start = map[outer.start];
                // `\\(` in the chapter: the escaping backslash is in no event.
                if starts.contains(&start) && start > 0 && source.as_bytes()[start - 1] == b'\\' {
                    start -= 1;
                }
                (start..map[outer.end - 1] + 1, text[inner].to_owned(), display)
            })
            .collect();
    }
    // A run that starts with an escaped character starts at its backslash, in no event.
    let base = first.1.start - usize::from(source[..first.1.start].ends_with('\\'));
    let text = &source[base..last.1.end];
    search(text, delimiters, true, environments)
        .into_iter()
        .map(|(outer, inner, display)| (base + outer.start..base + outer.end, text[inner].to_owned(), display))
        .collect()
}

/// The formulas of `text`: their outer and inner byte ranges and display flag. At each place
/// the delimiters are tried in order; with `escapes`, a backslash that starts no delimiter
/// skips the next character, and a closing delimiter after an odd run of backslashes does not
/// close (mdbook-katex's rules).
fn search(
    text: &str,
    delimiters: &[Delimiter],
    escapes: bool,
    environments: bool,
) -> Vec<(Range<usize>, Range<usize>, bool)> {
    let mut found = Vec::new();
    let mut i = 0;
    'outer: while i < text.len() {
        if environments && let Some(end) = environment_end(&text[i..]) {
            found.push((i..i + end, i..i + end, true));
            i += end;
            continue;
        }
        for d in delimiters {
            if !text[i..].starts_with(&d.left) {
                continue;
            }
            let from = i + d.left.len();
            let mut at = from;
            while let Some(o) = text[at..].find(&d.right) {
                let close = at + o;
                let backslashes = text[..close].bytes().rev().take_while(|&b| b == b'\\').count();
                if escapes && backslashes % 2 == 1 && !d.right.starts_with('\\') {
                    at = close + d.right.len();
                    continue;
                }
                if close > from {
                    found.push((i..close + d.right.len(), from..close, d.display));
                    i = close + d.right.len();
                    continue 'outer;
                }
                break;
            }
        }
        let step = if escapes && text[i..].starts_with('\\') { 2 } else { 1 };
        i += step;
        while i < text.len() && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    found
}

/// The length of the environment `text` starts with (`\begin{name}` to its `\end{name}`,
/// the same environment nested inside counted), if it is one.
fn environment_end(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("\\begin{")?;
    let name = &rest[..rest.find('}')?];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic() || c == '*') {
        return None;
    }
    let (open, close) = (format!("\\begin{{{name}}}"), format!("\\end{{{name}}}"));
    let mut depth = 0;
    let mut at = 0;
    loop {
        let next_open = text[at..].find(&open).map(|o| at + o);
        let next_close = text[at..].find(&close).map(|o| at + o)?;
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                at = o + open.len();
            }
            _ => {
                depth -= 1;
                at = next_close + close.len();
                if depth == 0 {
                    return Some(at);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn katex_custom() -> Vec<Delimiter> {
        let d = |l: &str, r: &str, display| Delimiter { left: l.into(), right: r.into(), display };
        vec![d("\\[", "\\]", true), d("\\(", "\\)", false)]
    }

    /// Runs `find` on a one-piece run holding all of `source`.
    #[track_caller]
    fn check(source: &str, after_markdown: bool, expected: &[(&str, &str, bool)]) {
        let decoded = if after_markdown { source.replace("\\\\", "\\") } else { source.to_owned() };
        // After markdown the text differs from the chapter's, so each escape is its own piece,
        // as the parser gives it; here the whole is one inexact piece, located at its start.
        let run = vec![(decoded, 0..source.len())];
        let got: Vec<(String, String, bool)> = find(source, &run, &katex_custom(), after_markdown, false)
            .into_iter()
            .map(|(r, tex, d)| (source[r].to_owned(), tex, d))
            .collect();
        let want: Vec<(String, String, bool)> =
            expected.iter().map(|(o, t, d)| ((*o).to_owned(), (*t).to_owned(), *d)).collect();
        if !after_markdown {
            assert_eq!(got, want, "{source}");
        } else {
            assert_eq!(
                got.iter().map(|g| (&g.1, g.2)).collect::<Vec<_>>(),
                want.iter().map(|w| (&w.1, w.2)).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn as_written() {
        check(
            "a \\(x^2\\) and \\[\\frac12\\] b",
            false,
            &[("\\(x^2\\)", "x^2", false), ("\\[\\frac12\\]", "\\frac12", true)],
        );
        check("\\[\na \\\\\nb\n\\]", false, &[("\\[\na \\\\\nb\n\\]", "\na \\\\\nb\n", true)]);
        // An escaped backslash starts no delimiter; an unclosed one is text.
        check("\\\\(x\\) and \\(y", false, &[]);
        check("\\(\\)", false, &[]);
    }

    #[test]
    fn environments_as_mathjax_reads_them() {
        let run = |t: &str| vec![(t.to_owned(), 0..t.len())];
        let text = "so \\begin{align}a &= b \\begin{align}c\\end{align}\\end{align} and \\begin{x} \\(y\\)";
        let got: Vec<String> = find(text, &run(text), &katex_custom(), true, true).into_iter().map(|f| f.1).collect();
        assert_eq!(got, ["\\begin{align}a &= b \\begin{align}c\\end{align}\\end{align}", "y"]);
        assert!(find(text, &run(text), &katex_custom(), true, false).iter().all(|f| !f.1.contains("begin")));
    }

    #[test]
    fn after_markdown() {
        check("see \\\\(a_1\\\\) and \\\\[b\\\\]", true, &[("", "a_1", false), ("", "b", true)]);
    }
}
