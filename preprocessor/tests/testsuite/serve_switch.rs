//! `MDBOOK_EXEC_ON_ERROR=page` takes effect only under `mdbook serve` (which sets a live-reload
//! endpoint before it builds), so an exported variable cannot turn a failing `mdbook build` into
//! a site with errors in its pages. The preprocessor runs as mdBook runs it for an author: the
//! installed binary, as an external command, with the variable in its environment alone (so
//! no other test of this run sees it).

use mdbook_driver::MDBook;

use crate::common::TestBook;

const CHAPTER: &str =
    "# Broken\n\nBefore.\n\n```rust,exec\nlet v: Vec<u32> = Vec::new();\nprintln!(\"{}\", v[3]);\n```\n";

fn build(book: &TestBook, serving: bool) -> Result<(), String> {
    let mut md = MDBook::load(book.root()).map_err(|e| format!("{e:#}"))?;
    if serving {
        // What `mdbook serve` sets before every build.
        md.config.set("output.html.live-reload-endpoint", "__livereload").unwrap();
    }
    md.build().map_err(|e| format!("{e:#}"))
}

#[test]
fn the_page_switch_applies_only_while_serving() {
    // mdBook reads the command when it loads the book.
    let command = format!("env {}=page {}", mdbook_exec::ON_ERROR_VAR, env!("CARGO_BIN_EXE_mdbook-exec"));
    let book = TestBook::with_config(&[("broken.md", CHAPTER)], &format!("command = {command:?}"));

    let err = build(&book, false).expect_err("a build that is not `serve` fails although the switch is set");
    assert!(!book.root().join("book/broken.html").exists(), "no site with errors in it was written");
    // mdBook reports an external preprocessor's failure by its exit status (the message went to
    // standard error).
    assert!(err.contains("The \"exec\" preprocessor exited unsuccessfully"), "{err}");

    build(&book, true).expect("under serve the page shows the failure and the build goes on");
    let html = book.html("broken.md");
    assert!(html.contains("class=\"exec-error\"") && html.contains("index out of bounds"), "{html}");
    assert!(html.contains("<title>⚠ "), "the title is marked");
}
