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
so is `==>`. Decorators and annotations such as `@property`, `@app.route` and `@Override` are
code as well.

The shell expands `$HOME` and `$PATH`; `echo $USER` prints a name; `$$` is the process id.
Written in prose, $HOME and $PATH, ${HOME} and $USER_NAME are variables too, and programs go
into *$HOME/.local/bin*, a folder that must be in your `$PATH`.

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

    // In a MathJax book too, at the place in the chapter.
    crate::common::fails_with(
        "# M\n\nSee \\\\(x^{2\\\\) here.\n",
        "math.syntax = \"mathjax\"\n",
        &["error: src/ch.md:3:12: this math does not render\n    KaTeX parse error: Expected '}'"],
    );
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

/// Builds one chapter with mdbook-exec and returns its `<main>`, checking that it holds
/// `formulas` rendered formulas and no math left as TeX (`raw` lists what must not remain).
#[track_caller]
fn renders(chapter: &str, exec_config: &str, formulas: usize, raw: &[&str]) -> (TestBook, String) {
    let book = TestBook::with_config(&[("ch.md", chapter)], exec_config);
    book.build().unwrap_or_else(|e| panic!("{e}"));
    let main = book.main("ch.md");
    assert_eq!(main.matches("<span class=\"katex\">").count(), formulas, "{main}");
    for r in raw {
        assert!(!main.contains(r), "{r:?} is left in:\n{main}");
    }
    (book, main)
}

/// Math as real mdbook-katex books write it, in words of our own: every formula is rendered.
#[test]
fn every_formula_mdbook_katex_renders_is_rendered() {
    for (chapter, formulas, raw) in [
        // Display math between single dollars on lines of their own.
        (
            "# Systems\n\nThe system\n$\n\\begin{array}{rcl}\nx_1 + x_2 &=& 3 \\\\\nx_1 - x_2 &=& 1\n\\end{array}\n$\nhas one solution.\n",
            1,
            &["\\begin", "$"][..],
        ),
        // Spaces inside the dollars, as mdbook-katex's own README writes it.
        ("# P\n\nHere $ \\pi(\\theta) $ and $\\theta$.\n", 2, &["\\pi", "$"][..]),
        // A collapsible hint: math in `<summary>` and in the block HTML of `<details>`.
        (
            "# Hints\n\n<details>\n<summary>Hint: what $\\mathbf{t}$ expands to</summary>\n<div>\n  $$\n  \\mathbf{t} = (t_1, t_2)\n  $$\n</div>\n</details>\n\nAfter, $y$.\n",
            3,
            &["$", "\\mathbf"][..],
        ),
        // A table written in HTML.
        (
            "# Table\n\n<table>\n<tr><th>map</th><th>rule</th></tr>\n<tr><td>$f$</td><td>$f(x) = x^2$</td></tr>\n</table>\n",
            2,
            &["$"][..],
        ),
        // Only one dollar apart from its formula: the opening one hugs it, the closing one
        // stands on a line of its own or after a space.
        (
            "# Cases\n\n$\\hspace{1em}\n\\begin{array}{rl}\na &= \\mathsf{f}(x) \\\\[0.4ex]\nb &= 0\n\\end{array}\n$\n\nThen $w = $\n$$\n\\sum_i w_i\n$$\n",
            3,
            &["\\begin", "\\sum", "$"][..],
        ),
        (
            "# Cells\n\n<table><tr><td>$\\texttt{spread}(a_0) $</td><td>$b$</td></tr></table>\n",
            2,
            &["\\texttt", "$"][..],
        ),
        // Markdown inside `<details>` after a blank line is markdown, with math as usual.
        ("# D\n\n<details>\n\n**Proof.** Since $a > 0$,\n\n$$\na^2 > 0\n$$\n\n</details>\n", 2, &["$"][..]),
    ] {
        renders(chapter, "", formulas, raw);
    }
}

#[test]
fn mdbook_katex_custom_delimiters_work_as_in_mdbook_katex() {
    let config = "inline-delimiter = { left = \"\\\\(\", right = \"\\\\)\" }\nblock-delimiter = { left = \"\\\\[\", right = \"\\\\]\" }\n";
    let chapter = "# Means\n\nThe mean \\(\\bar{x}_n\\) of \\(n\\) values is\n\n\\[\n\\bar{x}_n = \\frac{1}{n} \\sum_{i=1}^{n} x_i\n\\]\n\n> and in a quote: \\(a_1 * b_1\\).\n\nA price of $5, $x$ and `\\(code\\)` are not math here.\n";
    let (_, main) = renders(chapter, config, 4, &["\\bar", "\\frac"]);
    assert!(main.contains("$x$") && main.contains("<code>\\(code\\)</code>"), "{main}");
    assert_eq!(main.matches("katex-display").count(), 1, "{main}");
}

#[test]
fn a_mathjax_book_switches_with_install() {
    // As written for mdBook's MathJax support: markdown turns `\\(` into the `\(` MathJax
    // reads, and `\_` into `_`; between the tags of an HTML block MathJax reads `\(` as written;
    // an environment is display math by itself.
    let chapter = r#"# Slopes

The slope \\( m = \frac{\Delta y}{\Delta x} \\) of a line, and a price of $5; `$x$` and $x$
are not math for MathJax.

\\[
\sum_{i=1}^{n} x\_i = n \bar{x}
\\]

$$ a \\\\ b $$

\begin{aligned}
p &= q \\\\
r &= s
\end{aligned}

<div class="aside">The square \(y^2\) again.</div>

`\\(code\\)` stays code.
"#;
    let (book, main) = renders(chapter, "[output.html]\nmathjax-support = true\n", 5, &["\\frac", "\\sum", "aligned"]);
    assert!(main.contains("$x$") && main.contains("<code>\\\\(code\\\\)</code>"), "{main}");
    let prose = main.replace("<code>\\\\(code\\\\)</code>", "");
    assert!(!prose.contains("\\(") && !prose.contains("\\[") && !prose.contains("$$"), "{prose}");
    assert_eq!(main.matches("katex-display").count(), 3, "{main}");
    // `install` turned MathJax off, so the page loads none.
    let toml = std::fs::read_to_string(book.root().join("book.toml")).unwrap();
    assert!(toml.contains("mathjax-support = false") && toml.contains("math.syntax = \"mathjax\""), "{toml}");
    assert!(!book.html("ch.md").contains("MathJax.js"), "the page loads MathJax");

    // With MathJax still on, the build says how to switch.
    std::fs::write(book.root().join("book.toml"), toml.replace("mathjax-support = false", "mathjax-support = true"))
        .unwrap();
    let err = book.build().unwrap_err();
    assert!(err.contains("`output.html.mathjax-support` is on") && err.contains("mdbook-exec install"), "{err}");
}
