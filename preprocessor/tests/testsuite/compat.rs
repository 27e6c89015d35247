//! Real books that were not written for mdbook-exec: installed into a book that does not use
//! it, nothing changes (every `<main>` byte-identical to plain mdBook's); an mdbook-katex book
//! or a MathJax book switches with every formula rendered. The fixture chapters reproduce, in
//! words of their own, the patterns found in public mdbook-katex and MathJax books.

use std::path::Path;

use mdbook_driver::MDBook;

use crate::common::TestBook;

/// Builds `chapters` with plain mdBook, no preprocessor of ours (the same `book.toml` lines
/// outside `[preprocessor.exec]`), and returns each chapter's `<main>`.
fn plain_mains(chapters: &[(&str, &str)], book_toml: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    crate::common::write_chapters(root, chapters);
    std::fs::write(root.join("book.toml"), format!("[book]\ntitle = \"fixture\"\n{book_toml}")).unwrap();
    MDBook::load(root).unwrap().build().unwrap();
    chapters.iter().map(|(file, _)| main_of(&root.join("book"), file)).collect()
}

fn main_of(book_dir: &Path, chapter: &str) -> String {
    let html = std::fs::read_to_string(book_dir.join(Path::new(chapter).with_extension("html"))).unwrap();
    html[html.find("<main>").unwrap()..html.find("</main>").unwrap()].to_owned()
}

/// A chapter of a book about a programming language, with no cells, values or math: code
/// spans that start like references, dollars in code and prices in prose.
const NO_MATH: &str = r#"# Operators and prices

Compare with `==` and `!=`; a match arm is written `=>`, an assignment `=` or `= 5`, and
`x == y` is a comparison. `=1.0`, `=Vec::new()`, `=>`, `@` and `x @ 1..=5` are code too, and
so is `==>`.

The shell expands `$HOME` and `$PATH`; `echo $USER` prints a name; `$$` is the process id.

A ticket costs $5, a better one $10, and a season pass $25 or $30. Prices range from $5 to $10,
or US$5-$10 at the door, and \$7 with a discount.

```rust
let total = price == 5; // costs $5 and $10
match x { _ => {} }
```

```sh
echo "$HOME/$USER"
```

| item | price |
|------|-------|
| tea | $5 |
| cake | $10 |

<div class="note">Only $5 in cash, or $10 by card.</div>

- the first costs $5
- the second `=>` $10

> A quote about `==` and $5.
"#;

#[test]
fn a_book_without_cells_values_or_math_is_unchanged() {
    let chapters = [("ops.md", NO_MATH), ("more.md", "# More\n\nSee `==` and `=>` again, for $5.\n")];
    let plain = plain_mains(&chapters, "");
    let book = TestBook::new(&chapters);
    book.build().unwrap();
    for ((file, _), plain) in chapters.iter().zip(&plain) {
        assert_eq!(&book.main(file), plain, "{file} differs from plain mdBook's");
    }
}

#[test]
fn a_name_shaped_reference_to_an_unknown_value_is_still_an_error() {
    crate::common::fails_with(
        "# T\n\nThe loss is `=loss` and `==` is code.\n",
        "",
        &["error: src/ch.md:3:13: ", "`loss`"],
    );
}

#[test]
fn a_macros_file_is_read_as_mdbook_katex_reads_it() {
    // Real macros files repeat a line, the same definition twice; mdbook-katex accepts that.
    let chapter = "# Vectors\n\nThe map $\\lin{\\vect{u}}$ is linear.\n";
    let book = TestBook::with_config(&[("ch.md", chapter)], "macros = \"macros.txt\"\n");
    let macros = "\\vect:\\mathbf{#1}\n\\lin:\\mathcal{L}(#1)\n% the same again, further down\n\\vect:\\mathbf{#1}\n";
    std::fs::write(book.root().join("macros.txt"), macros).unwrap();
    book.build().unwrap();
    let bold = "<mi mathvariant=\"bold\">u</mi>";
    assert!(book.main("ch.md").contains(bold), "{}", book.main("ch.md"));

    // Another expansion is a warning naming both lines (the later one is used), and an error
    // with `deny-warnings`.
    std::fs::write(book.root().join("macros.txt"), format!("{macros}\\vect:\\vec{{#1}}\n")).unwrap();
    book.build().unwrap();
    assert!(!book.main("ch.md").contains(bold), "the later definition is used: {}", book.main("ch.md"));
    let strict = TestBook::with_config(&[("ch.md", chapter)], "macros = \"macros.txt\"\ndeny-warnings = true\n");
    std::fs::write(strict.root().join("macros.txt"), format!("{macros}\\vect:\\vec{{#1}}\n")).unwrap();
    let err = strict.build().unwrap_err();
    assert!(
        err.contains("error: macros.txt:5:1: the macro `\\vect` is defined again with another expansion: line 4 has `\\mathbf{#1}`, line 5 has `\\vec{#1}`"),
        "{err}"
    );
}

#[test]
fn katex_errors_show_the_formula_with_a_caret_at_its_line() {
    let err = crate::common::fails_with(
        "# Shifts\n\nThe map $\\text{right_shift}(f) = x^{2}$ moves.\n",
        "",
        &[
            // The place KaTeX names, in the chapter: `_` is column 21 of line 3.
            "error: src/ch.md:3:21: this math does not render\n    KaTeX parse error: Expected 'EOF', got '_'\n      |\n      | \\text{right_shift}(f) = x^{2}\n      |            ^\nhelp: fix the TeX",
        ],
    );
    assert!(!err.contains("\\\\text") && !err.contains("\\u{332}") && !err.contains("String("), "{err}");
}

#[test]
fn commands_katex_does_not_trust_are_errors_unless_the_book_trusts_them() {
    for (tex, command) in [
        ("\\href{https://example.org}{x}", "\\href"),
        ("\\url{https://example.org}", "\\url"),
        ("\\includegraphics{a.png}", "\\includegraphics"),
        ("\\htmlClass{note}{x}", "\\htmlClass"),
        ("\\htmlStyle{color: red}{x}", "\\htmlStyle"),
    ] {
        crate::common::fails_with(
            &format!("# T\n\nSee ${tex}$.\n"),
            "",
            &[
                &format!("error: src/ch.md:3:6: this math does not render\n    `{command}` is not trusted"),
                "math.trust = true",
            ],
        );
        let trusted = TestBook::with_config(&[("ch.md", &format!("# T\n\nSee ${tex}$.\n"))], "math.trust = true\n");
        trusted.build().unwrap_or_else(|e| panic!("{tex} with `math.trust`: {e}"));
    }
    // A link that runs a script is refused, trusted or not; mdbook-katex's `trust` is the same
    // setting.
    for config in ["math.trust = true\n", "trust = true\n", ""] {
        crate::common::fails_with(
            "# T\n\nSee $\\href{javascript:alert(1)}{x}$.\n",
            config,
            &["error: src/ch.md:3:6: this math does not render"],
        );
    }
}
