//! The property the fuzz target (`preprocessor/fuzz`) and its unit test check: for any chapter
//! text, finding cells, references and math and splicing results in never panics, pieces never
//! overlap, and every byte outside the replaced ranges is kept.

use std::path::PathBuf;

use crate::base::results::ChapterResult;
use crate::base::results::{CellOutput, Item, Named, Value};
use crate::input::doc::Doc;
use crate::input::scan::scan;
use crate::page::refs::Index;
use crate::page::splice::{Frag, apply_with, plan};

/// Runs the whole text path (scan, plan, splice) on `text` with made-up cell results.
pub fn check(text: &str) {
    let doc = Doc {
        display: PathBuf::from("src/fuzz.md"),
        path: PathBuf::from("fuzz.md"),
        key: "fuzz".to_owned(),
        number: Some("1".to_owned()),
        scan: scan(text),
        source: text.to_owned(),
    };
    // Every cell prints something awkward and defines a value `v<i>`.
    let cells: Vec<CellOutput> = (0..doc.scan.cells.len())
        .map(|i| CellOutput {
            items: vec![Item::Text { text: format!("out {i}\n```\n\n> x\n") }],
            values: vec![Named { name: format!("v{i}"), value: Value::Float(i as f64 * 0.5), fmt: String::new() }],
        })
        .collect();
    let results: Vec<ChapterResult> = vec![Ok(cells.clone())];
    let docs = vec![doc];
    let (index, _) = Index::build(&docs, &results);
    let doc = &docs[0];
    let (pieces, _) = plan(doc, &cells, &index, &crate::page::splice::CellNotes::new(), 3);

    let mut ranges: Vec<_> = pieces.iter().map(|(r, _)| r.clone()).collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    for w in ranges.windows(2) {
        assert!(w[0].end <= w[1].start, "pieces overlap: {:?} and {:?}", w[0], w[1]);
    }
    for r in &ranges {
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end), "range {r:?} splits a character");
    }

    // Rebuild the expected output by hand: the gaps between ranges, verbatim, and each
    // piece's text in order. `apply_with` must produce exactly that.
    let marker = |eq: &crate::page::math::Equation| format!("[math:{}]", eq.tex.len());
    let out = apply_with(text, pieces.clone(), marker);
    let mut sorted = pieces;
    sorted.sort_by_key(|(r, _)| (r.start, r.end));
    let mut expected = String::new();
    let mut at = 0;
    for (r, frags) in sorted {
        expected.push_str(&text[at..r.start]);
        for f in frags {
            match f {
                Frag::Text(t) => expected.push_str(&t),
                Frag::Math { eq, .. } => expected.push_str(&marker(&eq)),
                Frag::Variants(_) => unreachable!("explorations need cell output, which this property has none of"),
            }
        }
        at = r.end;
    }
    expected.push_str(&text[at..]);
    assert_eq!(out, expected);
    if ranges.is_empty() {
        assert_eq!(out, text, "a chapter with nothing to replace comes back byte-identical");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tricky_inputs() {
        for text in [
            "",
            "plain\r\ntext",
            "```rust,exec\nlet x = 1;\n```",
            "```rust,exec\nunclosed",
            "> ```rust,exec,hide-code\n> 1;\n> ```\n> after `=v0`",
            "- ```rust,exec\n  x\n  ```\n- $a$ `@none` `=v0:.2` `=v9` `=v0:bad`",
            "$$\n\\val{v0}\n$$ and $\\val{v0:.1e} + \\val{nope}$ and $\\val{unclosed$",
            "| a | `=v0` |\n|---|---|\n| $x$ | ```rust,exec``` |",
            "é```rust,exec\n😀\n```\n`=v0`é",
            "````rust,exec\n```\n````\n~~~rust,exec\n~~~",
            "$$\na\n\n+ \\val{v0}\n$$ `=v0` $$\n> $$\n> b\n\n$$",
            "- $$\n  a\n\n  ```rust,exec\n  1;\n  ```\n$$ $x$ $$",
            "| $$ | $$ |\n|---|---|\n$$é\n\n😀$$",
        ] {
            super::check(text);
        }
    }
}
