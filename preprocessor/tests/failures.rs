//! Bad input: every failure is reported at its markdown position, fails the build, and loses
//! nothing.

mod common;

use common::TestBook;

#[track_caller]
fn fails(chapter: &str, expected: &[&str]) -> String {
    let book = TestBook::new(&[("ch.md", chapter)]);
    let err = book.build().expect_err("the build must fail");
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
    err
}

#[test]
fn compile_error_points_at_the_markdown() {
    let err = fails(
        "# T\n\nSome text.\n\n- in a list:\n\n  ```rust,exec\n  let x: u32 = 1;\n  let y: u32 = \"two\";\n  ```\n",
        &["error: src/ch.md:9:16: cell does not compile: mismatched types [E0308]", "src/ch.md:9:16", "let y: u32 = \"two\";"],
    );
    assert!(!err.contains("src/bin/"), "no generated file in the message:\n{err}");
}

#[test]
fn missing_semicolon_keeps_rustc_suggestion() {
    fails("```rust,exec\nlet a = 1\nlet b = 2;\n```\n", &["error: src/ch.md:2:", "expected `;`"]);
}

#[test]
fn unknown_crate() {
    fails("```rust,exec\nuse no_such_crate::Thing;\n```\n", &["error: src/ch.md:2:5:", "no_such_crate"]);
}

#[test]
fn panic_is_located() {
    fails(
        "```rust,exec\nlet v = vec![1];\n```\n\n```rust,exec\nlet i = 5;\nlet x = v[i];\n```\n",
        &["error: src/ch.md:7:10: cell 2 panicked", "index out of bounds"],
    );
}

#[test]
fn exit_code_is_named() {
    fails("```rust,exec\nprintln!(\"bye\");\nstd::process::exit(3);\n```\n", &["error: src/ch.md:1:1:", "exited with code 3 during cell 1"]);
}

#[test]
fn should_panic_that_does_not_panic() {
    fails("```rust,exec,should-panic\nlet x = 1;\n```\n", &["error: src/ch.md:1:1: cell 1 is marked `should-panic` but did not panic"]);
}

#[test]
fn unknown_option_value_and_label() {
    fails("text\n\n```rust,exec,hide\n1;\n```\n", &["error: src/ch.md:3:1: unknown cell option `hide`", "`hide-code`"]);
    fails("```rust,exec\nexec::value(\"a\", 1);\n```\n\nSee `=b`.\n", &["error: src/ch.md:5:5: no cell defines the value `b`", "known values: `a`"]);
    fails("```rust,exec\n1;\n```\n\nSee `@fig-x`.\n", &["error: src/ch.md:5:5: no figure or table has the label `fig-x`"]);
    fails("```rust,exec\nexec::value(\"a\", 1);\nexec::value(\"a\", 2);\n```\n", &["the value `a` is defined twice"]);
}

#[test]
fn bad_math_is_located_with_katex_message() {
    fails("# M\n\nFine $x$ and broken $\\left( x$ here.\n", &["error: src/ch.md:3:21: this math does not render", "KaTeX parse error"]);
}

#[test]
fn unknown_config_key() {
    let book = TestBook::with_config(&[("ch.md", "# x\n")], "timout = 3\n");
    let err = book.build().unwrap_err();
    assert!(err.contains("error: book.toml: invalid `[preprocessor.exec]` table"), "{err}");
    assert!(err.contains("unknown field `timout`"), "{err}");
}

#[test]
fn failure_keeps_cache_and_next_build_after_fix_is_correct() {
    let good = "```rust,exec\nexec::value(\"n\", 41 + 1);\n```\n\nn is `=n`.\n";
    let book = TestBook::new(&[("ch.md", good)]);
    book.build().unwrap();
    let before = book.html("ch.md");
    book.write("ch.md", "```rust,exec\nexec::value(\"n\", 41 + );\n```\n\nn is `=n`.\n");
    assert!(book.build().is_err());
    assert_eq!(book.html("ch.md"), before, "the last good output stays");
    book.write("ch.md", good);
    let stats = book.build().unwrap();
    assert_eq!(common::count(&stats), (0, 0), "the good result is still cached");
    assert!(book.html("ch.md").contains("<span class=\"exec-value\">42</span>"));
}
