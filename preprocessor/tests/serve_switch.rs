//! `MDBOOK_EXEC_ON_ERROR=page` takes effect only under `mdbook serve` (which sets a live-reload
//! endpoint before it builds), so an exported variable cannot turn a failing `mdbook build` into
//! a site with errors in its pages. One test in this binary: it sets a process environment
//! variable, which no other test may see.

mod common;

use common::TestBook;
use mdbook_driver::MDBook;
use mdbook_exec::ExecPreprocessor;

const CHAPTER: &str =
    "# Broken\n\nBefore.\n\n```rust,exec\nlet v: Vec<u32> = Vec::new();\nprintln!(\"{}\", v[3]);\n```\n";

fn build(book: &TestBook, serving: bool) -> Result<(), String> {
    let mut md = MDBook::load(book.root()).map_err(|e| format!("{e:#}"))?;
    if serving {
        // What `mdbook serve` sets before every build.
        md.config.set("output.html.live-reload-endpoint", "__livereload").unwrap();
    }
    md.with_preprocessor(ExecPreprocessor::new());
    md.build().map_err(|e| format!("{e:#}"))
}

#[test]
fn the_page_switch_applies_only_while_serving() {
    // SAFETY: the only test of this binary, and it starts no thread before this line.
    unsafe { std::env::set_var(mdbook_exec::ON_ERROR_VAR, "page") };
    let book = TestBook::new(&[("broken.md", CHAPTER)]);

    let err = build(&book, false).expect_err("a build that is not `serve` fails although the switch is set");
    assert!(err.contains("error: src/broken.md:7:17: cell 1 panicked") && err.contains("index out of bounds"), "{err}");
    assert!(!book.root().join("book/broken.html").exists(), "no site with errors in it was written");

    build(&book, true).expect("under serve the page shows the failure and the build goes on");
    let html = book.html("broken.md");
    assert!(html.contains("class=\"exec-error\"") && html.contains("index out of bounds"), "{html}");
    assert!(html.contains("<title>⚠ "), "the title is marked");
}
