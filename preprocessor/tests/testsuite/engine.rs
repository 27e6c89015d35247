//! End-to-end tests of the engine: fixture books built through mdBook itself.

use crate::common;
use common::{TestBook, count};

const STATE: &str = r#"# State

```rust,exec
let xs = vec![1.0_f64, 2.0, 3.0];
fn mean(v: &[f64]) -> f64 { v.iter().sum::<f64>() / v.len() as f64 }
println!("n = {}", xs.len());
```

Some prose between cells.

```rust,exec
struct Pair(f64, f64);
let p = Pair(mean(&xs), 0.5);
println!("mean = {}", p.0);
println!("<script>alert(1)</script>");
exec::value("mean", p.0);
exec::value_fmt("tiny", 1.5e-7, ".2e");
```

The mean is `=mean:.2`, and tiny is `=tiny`. In math: $\bar x = \val{mean:.1}$.

```rust,exec,hide-code
use plotters::prelude::*;
let mut svg = String::new();
{
    let root = SVGBackend::with_string(&mut svg, (300, 200)).into_drawing_area();
    let mut chart = ChartBuilder::on(&root).caption("squares", ("sans-serif", 14)).build_cartesian_2d(0f64..3f64, 0f64..9f64).unwrap();
    chart.draw_series(LineSeries::new((0..=30).map(|i| { let x = i as f64 / 10.0; (x, x * x) }), &BLUE)).unwrap();
    root.present().unwrap();
}
exec::figure("fig-squares", "Squares of $x$", &svg);
```

See `@fig-squares`.
"#;

const OTHER: &str = r#"# Other

The first chapter's mean was `=state.mean`.

```rust,exec,should-panic
let v: Vec<i32> = Vec::new();
let _ = v[3];
```

```rust,exec,hide-output
println!("not shown");
```

```rust
// plain rust blocks are left alone
fn main() {}
```
"#;

#[test]
fn cells_share_state_values_figures_and_caching() {
    let book = TestBook::new(&[("state.md", STATE), ("other.md", OTHER)]);
    let stats = book.build().unwrap();
    let (builds, runs) = count(&stats);
    assert!(builds <= 1 && runs == 2, "first build: {builds} cargo builds, {runs} runs");

    let html = book.html("state.md");
    assert!(html.contains("n = 3"), "{html}");
    assert!(html.contains("mean = 2"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "printed HTML is escaped");
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("<span class=\"exec-value\" data-exec-name=\"mean\">2.00</span>"), "value in prose");
    assert!(
        html.contains("1.50 × 10<sup>−7</sup>")
            || html.contains("1.50&#8239;×&#8239;10<sup>−7</sup>")
            || html.contains("1.50\u{202f}×\u{202f}10<sup>−7</sup>"),
        "scientific in prose: {}",
        &html[html.find("tiny is").unwrap()..][..120]
    );
    assert!(html.contains("class=\"katex\""), "math rendered");
    assert!(html.contains("<mn>2.0</mn>"), "value inside math: {}", &html[html.find("katex").unwrap()..][..2000]);
    assert!(html.contains("<figure class=\"exec-figure\" id=\"fig-squares\">"));
    assert!(html.contains("<svg"));
    assert!(html.contains("Figure 1.1:"));
    assert!(html.contains("href=\"#fig-squares\""), "cross-reference");
    assert!(!html.contains("SVGBackend"), "hide-code hides the code");
    assert!(!html.contains("`=mean"));

    let other = book.html("other.md");
    assert!(
        other.contains("<span class=\"exec-value\" data-exec-name=\"state.mean\">2</span>"),
        "chapter-qualified value"
    );
    assert!(other.contains("index out of bounds"), "expected panic shown");
    assert_eq!(other.matches("not shown").count(), 1, "hide-output shows the code only");
    assert!(other.contains("plain rust blocks are left alone"));

    // Nothing changed: no cargo and no program.
    let stats = book.build().unwrap();
    assert_eq!(count(&stats), (0, 0), "warm rebuild");
    assert_eq!(stats.cache_hits.load(std::sync::atomic::Ordering::Relaxed), 2, "both chapters from the cache");

    // Prose edit: still nothing compiled or run.
    book.write("other.md", &OTHER.replace("was", "is"));
    let stats = book.build().unwrap();
    assert_eq!(count(&stats), (0, 0), "prose edit");

    // A cell edit in one chapter re-runs that chapter only.
    book.write("state.md", &STATE.replace("0.5", "0.25"));
    let stats = book.build().unwrap();
    assert_eq!(count(&stats), (1, 1), "cell edit");
}

#[test]
fn output_is_deterministic() {
    let book = TestBook::new(&[("state.md", STATE)]);
    book.build().unwrap();
    let first = book.html("state.md");
    std::fs::remove_dir_all(book.root().join("book")).unwrap();
    book.build().unwrap();
    assert_eq!(first, book.html("state.md"));
}

const FIGURES: &str = r#"# Figures

```rust,exec,hide-code
use exec::plot::Chart;
Chart::new("x", "y").line("a", (0..10).map(|i| (i as f64, (i * i) as f64))).show("fig-a", "First, with $x^2$");
exec::Table::new(["n", "half"]).formats(["", ".2"]).row([exec::Value::Int(1), 0.5.into()]).show("tab-a", "A table");
Chart::new("x", "y").line("b", (0..10).map(|i| (i as f64, -(i as f64)))).show("fig-b", "Second");
```

See `@fig-b`, `@fig-a` and `@tab-a`.
"#;

const REFS: &str = "# Refs\n\nOver there: `@figures.fig-b`.\n";

#[test]
fn figures_and_tables_are_numbered_linked_themed_and_stable() {
    let book = TestBook::new(&[("intro.md", "# Intro\n"), ("figures.md", FIGURES), ("refs.md", REFS)]);
    book.build().unwrap();
    let html = book.html("figures.md");
    let pos = |s: &str| html.find(s).unwrap_or_else(|| panic!("missing {s}"));
    assert!(
        pos("Figure 2.1:") < pos("Table 2.1:") && pos("Table 2.1:") < pos("Figure 2.2:"),
        "numbered in order, per kind"
    );
    assert!(html.contains("<figure class=\"exec-figure\" id=\"fig-a\">"));
    assert!(html.contains("<figure class=\"exec-table\" id=\"tab-a\">"));
    assert!(html.contains("<a href=\"#fig-b\">Figure\u{a0}2.2</a>"), "cross-reference link");
    assert!(html.contains("<a href=\"#tab-a\">Table\u{a0}2.1</a>"));
    assert!(html.contains("<td class=\"num\">0.50</td>"), "table number formatting");
    assert!(html.contains("class=\"katex\""), "math in a caption is typeset");
    // The image is named by its caption and described by the chart's axes and series.
    assert!(html.contains("aria-labelledby=\"fig-a-caption\"") && html.contains("<figcaption id=\"fig-a-caption\">"));
    assert!(html.contains("<desc>y against x; series: a</desc>"), "a chart lists its series");
    let refs = book.html("refs.md");
    assert!(refs.contains("href=\"figures.html#fig-b\""), "a link to another chapter's figure: {refs}");

    // The SVG carries no fixed black or white: ink follows the theme.
    let svgs: Vec<&str> =
        html.split("<figure class=\"exec-figure\"").skip(1).map(|s| s.split("</svg>").next().unwrap()).collect();
    assert_eq!(svgs.len(), 2);
    for svg in &svgs {
        for fixed in ["#000000", "#FFFFFF", "#ffffff", "\"black\"", "\"white\""] {
            assert!(!svg.contains(fixed), "fixed colour {fixed} left in the SVG");
        }
        assert!(svg.contains("currentColor"));
        assert!(!svg.contains("\n\n"), "no blank lines inside injected HTML");
    }

    // Run the program again from scratch: byte-identical SVG.
    std::fs::remove_dir_all(book.root().join("cache")).unwrap();
    let stats = book.build().unwrap();
    assert_eq!(common::count(&stats).1, 1, "the chapter ran again");
    assert_eq!(html, book.html("figures.md"));
}

const SPANNING: &str = r#"# Spanning

A formula with a blank line and lines that markdown reads as a list, a heading and a quote:

$$
\begin{aligned}
f(x) &= x^2 \\

+ g(x) &= -1
\end{aligned}
$$

and one in a quote:

> $$
> a
>
> - b
> $$

Then `$$` in code stays, and so does this: $5 and $6.
"#;

#[test]
fn display_math_across_markdown_blocks_renders() {
    let book = TestBook::new(&[("ch.md", SPANNING)]);
    book.build().unwrap();
    let main = book.main("ch.md");
    assert_eq!(main.matches("class=\"katex-display\"").count(), 2, "{main}");
    assert!(
        main.contains("<mtr><mtd><mstyle scriptlevel=\"0\" displaystyle=\"true\"><mrow><mo>+</mo><mi>g</mi>"),
        "{main}"
    );
    assert!(main.contains("<mrow><mi>a</mi><mo>−</mo><mi>b</mi></mrow>"), "the quote's markers are not math: {main}");
    assert!(!main.contains("<ul>") && !main.contains("<blockquote>\n<ul"), "no list made of a formula line: {main}");
    assert_eq!(main.matches("$$").count(), 1, "only the one in code is left: {main}");
    assert!(main.contains("<code>$$</code>") && main.contains("$5 and $6"));
}

const EQUATIONS: &str = r#"# Equations

The chain rule, numbered:

$$
\frac{\partial L}{\partial w} = \frac{\partial L}{\partial a}\,\frac{\partial a}{\partial w}
$$ {#eq-chain}

An unnumbered one: $$ e^{i\pi} + 1 = 0 $$

And one that markdown splits into blocks, numbered too:

$$
a

+ b = c
$$ {#eq-split}

By `@eq-chain` and `@eq-split`, and in a caption:

```rust,exec,hide-code
exec::plot::Chart::new("x", "y").line("a", [(0.0, 0.0), (1.0, 1.0)]).show("fig-line", "A line, as in `@eq-chain`");
```
"#;

const CITING: &str = "# Citing\n\nOver there: `@equations.eq-split`.\n\n$$ x $$ {#eq-here}\n\nHere: `@eq-here`.\n";

#[test]
fn equations_are_numbered_anchored_and_linked() {
    let book = TestBook::new(&[("intro.md", "# Intro\n"), ("equations.md", EQUATIONS), ("citing.md", CITING)]);
    book.build().unwrap();
    let main = book.main("equations.md");
    let pos = |s: &str| main.find(s).unwrap_or_else(|| panic!("missing {s} in {main}"));
    // Numbered per chapter, in order, by KaTeX's `\tag` (set at the right margin).
    assert!(
        pos("<span class=\"exec-equation\" id=\"eq-chain\">") < pos("<span class=\"exec-equation\" id=\"eq-split\">")
    );
    assert_eq!(main.matches("class=\"tag\"").count(), 2, "unlabelled equations have no number");
    assert!(pos("<mtext>(2.1)</mtext>") < pos("<mtext>(2.2)</mtext>"), "the number is in the MathML too");
    assert_eq!(main.matches("class=\"exec-equation\"").count(), 2);
    assert!(!main.contains("{#eq"), "labels do not show");
    // Links in prose and in a caption.
    assert!(
        main.contains(
            "<span class=\"exec-ref\"><a href=\"#eq-chain\">Eq.\u{a0}(2.1)</a></span> and \
             <span class=\"exec-ref\"><a href=\"#eq-split\">Eq.\u{a0}(2.2)</a></span>"
        ),
        "{main}"
    );
    let caption = &main[pos("<figcaption")..pos("</figcaption>")];
    assert!(caption.contains("<a href=\"#eq-chain\">Eq.") && caption.contains("(2.1)</a>"), "{caption}");

    // Across chapters, and a chapter's own numbering.
    let citing = book.html("citing.md");
    assert!(citing.contains("<a href=\"equations.html#eq-split\">Eq.\u{a0}(2.2)</a>"), "{citing}");
    assert!(citing.contains("<a href=\"#eq-here\">Eq.\u{a0}(3.1)</a>"), "{citing}");

    // On the print page every anchor is unique and every link points at one on the page.
    let print = std::fs::read_to_string(book.root().join("book/print.html")).unwrap();
    for id in ["eq-chain", "eq-split", "eq-here"] {
        assert_eq!(print.matches(&format!("id=\"{id}\"")).count(), 1, "{id}");
    }
    assert!(print.contains("<a href=\"#eq-split\">Eq.\u{a0}(2.2)</a>"), "the link across chapters stays on the page");
}

#[test]
fn mdbook_katex_settings_work_in_the_renamed_table() {
    // What an mdbook-katex book has under `[preprocessor.katex]`, moved to `[preprocessor.exec]`.
    let book = TestBook::with_config(
        &[("ch.md", "# Macros\n\n$$ \\grad f(x) \\in \\R{n}{p} $$ {#eq-grad}\n\nand $\\R{1}{2}$.\n")],
        "macros = \"macros.txt\"\nleqno = true\ninclude-src = true\noutput = \"htmlAndMathml\"\n[preprocessor.exec.math.macros]\n\"\\\\grad\" = \"\\\\nabla\"\n",
    );
    std::fs::write(book.root().join("macros.txt"), "% mdbook-katex's format\n\\R:{\\mathbb{R}^{#1 \\times #2}}\n")
        .unwrap();
    book.build().unwrap();
    let main = book.main("ch.md");
    assert_eq!(main.matches("<mo>×</mo>").count(), 2, "the macro with two arguments expands: {main}");
    assert!(
        main.contains("<mi mathvariant=\"double-struck\">R</mi>") && main.contains("<mi mathvariant=\"normal\">∇</mi>"),
        "{main}"
    );
    // mdBook writes the attribute's backslashes as `&#92;`.
    assert_eq!(main.matches("<data class=\"katex-src\" value=\"").count(), 2, "include-src: {main}");
    assert!(main.contains("value=\"&#92;R{1}{2}\"><span class=\"katex\">"), "include-src: {main}");
    assert!(main.contains("class=\"katex-display leqno\""), "leqno: {main}");

    // A mistake in the macros file is reported at its line.
    std::fs::write(book.root().join("macros.txt"), "\\R:{\\mathbb{R}}\n\\broken\n").unwrap();
    let err = book.build().unwrap_err();
    assert!(err.contains("error: macros.txt:2:1: `\\broken` has no `:`"), "{err}");
}

#[test]
fn search_shows_each_formula_once_and_the_page_keeps_mathml() {
    let book = TestBook::new(&[(
        "ch.md",
        "# Search\n\nWith $w = 1$ the iteration converges to $a^\\star = 0.659$, and\n\n$$\n\\frac{1}{2} + x_i\n$$\n\nends here.\n",
    )]);
    book.build().unwrap();
    let docs = common::search_index(&book.root().join("book"));
    let (_, body) = docs.iter().find(|(_, body)| body.contains("converges")).expect("the sentence is indexed");
    // What a result shows: the words around a match, the formula once, as its MathML reads.
    let shown = body.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(shown.contains("With w = 1 the iteration converges to a ⋆ = 0.659 , and 1 2 + x i ends here."), "{shown}");
    assert!(!shown.contains("star") && !shown.contains("frac"), "no TeX source: {shown}");

    // The page: MathML for screen readers, glyphs drawn from attributes by the stylesheet.
    let main = book.main("ch.md");
    assert!(main.contains("<mi>w</mi><mo>=</mo><mn>1</mn>"), "{main}");
    assert!(!main.contains("<annotation"), "{main}");
    assert!(
        main.contains("data-g=\"w\"></span>") && main.contains("<span class=\"mrel\" data-g=\"=\"></span>"),
        "{main}"
    );
    let css = std::fs::read_to_string(book.root().join("book/mdbook-exec/exec.css")).unwrap();
    assert!(
        css.contains(".katex-html [data-g]::before {\n    content: attr(data-g);"),
        "the stylesheet draws the glyphs"
    );
}
