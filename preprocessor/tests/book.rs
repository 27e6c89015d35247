//! Builds the real book of this repository through mdBook's library and checks the HTML.

mod common;

use mdbook_driver::MDBook;
use mdbook_exec::ExecPreprocessor;

/// Builds the book at the workspace root into a temporary folder and returns that folder.
fn build_real_book() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let mut book = MDBook::load(common::workspace()).unwrap();
    book.config.build.build_dir = out.path().to_owned();
    book.with_preprocessor(ExecPreprocessor::new());
    if let Err(e) = book.build() {
        panic!("the book does not build:\n{e:#}");
    }
    out
}

fn read(dir: &std::path::Path, page: &str) -> String {
    std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

#[test]
fn real_book_builds_with_executed_output_and_offline_math() {
    let out = build_real_book();
    let dir = out.path();

    let intro = read(dir, "introduction.html");
    assert!(intro.contains("<div class=\"exec-output\">"), "the introduction shows executed output");
    assert!(intro.contains("the sigmoid&#x27;s derivative at 0 is 0.25") || intro.contains("the sigmoid's derivative at 0 is 0.25"));
    assert!(intro.contains("<span class=\"exec-value\">0.25</span>"));
    assert!(intro.contains("class=\"katex\""));
    assert!(intro.contains("katex/katex.min.css"), "KaTeX's stylesheet is linked from the book itself");

    // The stylesheet and fonts ship with the site, at the crate's KaTeX version.
    let css = read(dir, "katex/katex.min.css");
    assert_eq!(read(dir, "katex/VERSION").trim(), mdbook_exec::math::KATEX_VERSION.trim());
    for font in css.split("url(").skip(1).filter_map(|s| s.split(')').next()).filter(|u| u.ends_with(".woff2")) {
        assert!(dir.join("katex").join(font).is_file(), "missing {font}");
    }

    // No page refers to a CDN: the site works offline.
    for entry in walk(dir) {
        if entry.extension().is_some_and(|x| x == "html" || x == "css" || x == "js") {
            let text = std::fs::read_to_string(&entry).unwrap();
            for cdn in ["cdn.jsdelivr", "cdnjs", "unpkg.com", "googleapis", "katex.org/"] {
                assert!(!text.contains(cdn), "{} refers to {cdn}", entry.display());
            }
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}
