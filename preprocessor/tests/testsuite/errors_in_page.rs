//! Page mode (`MDBOOK_EXEC_ON_ERROR=page`, what `serve` uses): a failure is shown in its chapter,
//! where it happened, and the build goes on; the same book fails normally otherwise.

use crate::common::TestBook;

const COMPILE: &str = "# Compile\n\n```rust,exec\nprintln!(\"first cell\");\n```\n\nBetween.\n\n```rust,exec\nlet n: u32 = \"text\";\n```\n\nAfter.\n\n```rust,exec\nprintln!(\"third cell\");\n```\n";
const PANIC: &str = "# Panic\n\n```rust,exec\nprintln!(\"first ok\");\nexec::value(\"v\", 2.5);\n```\n\nThe value is `=v`.\n\n```rust,exec\nlet xs: Vec<i32> = Vec::new();\nlet _ = xs[7];\n```\n\n```rust,exec\nprintln!(\"never\");\n```\n";
const LATEX: &str = "# Latex\n\nGood $a^2$ and bad $\\fracc{1}{2}$ and more.\n\n$$\n\\left( x\n$$\n";
const UNKNOWN: &str = "# Unknown\n\n```rust,exec\nexec::value(\"x\", 1.5);\n```\n\nKnown `=x`, unknown `=nope`, and a link `@fig-nowhere`.\n";
const FINE: &str = "# Fine\n\nStill fine: the panic chapter's value is `=panic.v`, and $b = \\val{panic.v}$.\n\n```rust,exec\nprintln!(\"fine output\");\n```\n";

fn chapters() -> Vec<(&'static str, &'static str)> {
    vec![("compile.md", COMPILE), ("panic.md", PANIC), ("latex.md", LATEX), ("unknown.md", UNKNOWN), ("fine.md", FINE)]
}

/// The position of `needle` in `hay`, for checking order.
#[track_caller]
fn at(hay: &str, needle: &str) -> usize {
    hay.find(needle).unwrap_or_else(|| panic!("{needle:?} is not in the page:\n{hay}"))
}

#[test]
fn failures_are_shown_where_they_happened_and_fail_the_normal_build() {
    let book = TestBook::new(&chapters());
    let normal = book.build().expect_err("the normal build fails");
    book.build_showing_errors().expect("page mode builds");

    // The terminal's messages, each shown in its page (HTML-escaped).
    let messages: Vec<&str> = normal.lines().filter(|l| l.starts_with("error: src/")).collect();
    assert!(messages.len() >= 5, "{normal}");
    let all: String = ["compile.md", "panic.md", "latex.md", "unknown.md"].iter().map(|c| book.html(c)).collect();
    for m in &messages {
        let escaped = m.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(all.contains(&escaped), "{m:?} is not shown in any page");
    }

    // Compile error: a panel after the failing cell, rustc's snippet on the markdown lines, the
    // other cells say they did not run, a banner links to the panel, the title is marked.
    let c = book.html("compile.md");
    assert!(at(&c, "let n: u32") < at(&c, "class=\"exec-error\" id=\"exec-error-compile-1\""));
    assert!(at(&c, "exec-error-compile-1") < at(&c, "After."));
    assert!(c.contains("error: src/compile.md:10:14: cell does not compile: mismatched types [E0308]"), "{c}");
    assert!(
        c.contains("10 | let n: u32 = &quot;text&quot;;") || c.contains("10 | let n: u32 = \"text\";"),
        "the snippet is drawn on the markdown lines"
    );
    assert_eq!(c.matches("This cell did not run: the chapter does not compile").count(), 2);
    assert!(c.contains("<a href=\"#exec-error-compile-1\">src/compile.md:10:14</a>"));
    assert!(c.contains("<title>⚠ Chapter 1"), "a background tab shows the marker");

    // Panic: what ran before is shown, then the panel, then the cell that never ran.
    let p = book.html("panic.md");
    assert!(at(&p, "first ok") < at(&p, "cell 2 panicked"));
    assert!(p.contains("index out of bounds: the len is 0 but the index is 7"));
    assert!(at(&p, "cell 2 panicked") < at(&p, "This cell did not run: cell 2 failed"));
    // Its value is not available: prose elsewhere shows a marked placeholder, not stale text.
    let f = book.html("fine.md");
    assert!(f.contains("fine output") && f.contains("class=\"katex\""));
    assert!(!f.contains("exec-error") && !f.contains("<title>⚠"), "another chapter is untouched");
    assert!(f.contains("#d32f2f"), "the missing value is a marked placeholder");

    // Bad LaTeX: the formula is replaced by KaTeX's message, the good one is typeset.
    let l = book.html("latex.md");
    assert!(l.contains("class=\"exec-error exec-error-inline\"") && l.contains("KaTeX parse error"));
    assert!(l.contains("class=\"exec-error exec-error-display\""), "the display formula's error is a block");
    assert!(at(&l, "Good") < at(&l, "class=\"katex\""));

    // Unknown value and label: markers in the sentence, the known value still shown.
    let u = book.html("unknown.md");
    assert!(u.contains("data-exec-name=\"x\">1.5</span>"));
    assert!(u.contains("no cell defines the value `nope`; known values: `x`"));
    assert!(u.contains("no figure, table or equation has the label `fig-nowhere`"));
    assert!(at(&u, "Known") < at(&u, "exec-error-inline"));
}

#[test]
fn a_failure_is_never_cached_and_the_fix_shows_the_normal_page() {
    let book = TestBook::new(&[("compile.md", COMPILE)]);
    book.build_showing_errors().unwrap();
    assert!(book.html("compile.md").contains("exec-error"));
    book.write("compile.md", &COMPILE.replace("let n: u32 = \"text\";", "let n: u32 = 3;"));
    book.build_showing_errors().unwrap();
    let fixed = book.html("compile.md");
    assert!(!fixed.contains("exec-error") && fixed.contains("third cell"), "{fixed}");
    book.build().expect("the normal build passes too");
}
