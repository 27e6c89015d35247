//! The fragments that replacements are made of: text, equations to render, and groups of
//! alternatives that a page switches between (an exploration's frames). Plain data and the
//! grouping of equal alternatives; this module renders nothing.

use std::ops::Range;

use crate::page::math::Equation;

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

/// Writes a set of indices compactly, as the page script reads it: `0-3 7 9-10`.
pub fn index_set(indices: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let start = indices[i];
        let mut end = start;
        while i + 1 < indices.len() && indices[i + 1] == end + 1 {
            i += 1;
            end += 1;
        }
        parts.push(if start == end { start.to_string() } else { format!("{start}-{end}") });
        i += 1;
    }
    parts.join(" ")
}

/// A group of alternatives, one per frame (or value), each stored once: equal alternatives
/// share an entry, and the one for `default` comes first. A group whose frames all agree is
/// written as its element with that content.
pub fn variants(tag: &'static str, attrs: String, per_frame: Vec<Vec<Frag>>, default: usize) -> Vec<Frag> {
    let mut distinct: Vec<(Vec<usize>, Vec<Frag>)> = Vec::new();
    for (i, frags) in per_frame.into_iter().enumerate() {
        match distinct.iter_mut().find(|(_, f)| *f == frags) {
            Some((frames, _)) => frames.push(i),
            None => distinct.push((vec![i], frags)),
        }
    }
    if distinct.len() <= 1 {
        let mut out = vec![Frag::Text(format!("<{tag} {attrs}>"))];
        out.extend(distinct.pop().map(|(_, f)| f).unwrap_or_default());
        out.push(Frag::Text(format!("</{tag}>")));
        return out;
    }
    if let Some(at) = distinct.iter().position(|(frames, _)| frames.contains(&default)) {
        distinct.swap(0, at);
        distinct[1..].sort_by_key(|(frames, _)| frames[0]);
    }
    let variants = distinct.into_iter().map(|(frames, frags)| (index_set(&frames), frags)).collect();
    vec![Frag::Variants(Box::new(Variants { tag, attrs, variants }))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_sets() {
        assert_eq!(index_set(&[0, 1, 2, 3, 7, 9, 10]), "0-3 7 9-10");
        assert_eq!(index_set(&[5]), "5");
        assert_eq!(index_set(&[]), "");
    }

    #[test]
    fn equal_alternatives_are_stored_once_default_first() {
        let f = |s: &str| vec![Frag::Text(s.to_owned())];
        let group = variants("span", String::new(), vec![f("a"), f("b"), f("a"), f("c"), f("b")], 3);
        let [Frag::Variants(v)] = &group[..] else { panic!("a group: {group:?}") };
        let sets: Vec<&str> = v.variants.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(sets, ["3", "0 2", "1 4"]);
        assert_eq!(v.variants[0].1, f("c"));
        let same = variants("span", "class=\"x\"".into(), vec![f("a"), f("a")], 0);
        assert_eq!(same, [f("<span class=\"x\">"), f("a"), f("</span>")].concat());
    }
}
