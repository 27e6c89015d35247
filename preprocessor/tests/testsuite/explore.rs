//! Explorations end to end: fixture books built through mdBook, checked in the HTML.

use crate::common;
use crate::common::TestBook;

const CHAPTER: &str = r#"# Explore

```rust,exec
fn loss(eta: f64, act: &str) -> f64 {
    if act == "tanh" { eta * 3.0 } else { eta * 2.0 }
}
exec::explore("fig-lr", "Loss for the learning rate $\\eta$.")
    .param(exec::Param::range("eta", 0.1, 0.5, 0.1).label("$\\eta$").default(0.3).format(".1"))
    .param(exec::Param::values("act", ["sigmoid", "tanh"]).label("activation"))
    .run(|f| {
        let eta = f.f64("eta");
        println!("eta = {eta:.1}, act = {}", f.text("act"));
        println!("this line is the same in every frame");
        exec::value("loss", loss(eta, f.text("act")));
        exec::check(eta > 0.0, "the rate is positive");
        exec::plot::Chart::new("x", "y")
            .line("curve", (0..50).map(|i| (i as f64, (i as f64 * eta).sin())))
            .show("", "");
        exec::Table::new(["step", "$\\eta k$"]).rows((1..=2).map(|k| vec![exec::Value::Int(k), (eta * k as f64).into()])).show("", "");
    });
```

The final loss is `=loss:.2`, and in math $L = \val{loss:.2}$. See `@fig-lr`.

```rust,exec
exec::show_checks();
```
"#;

#[test]
fn exploration_renders_controls_default_frame_and_variants() {
    let book = TestBook::new(&[("e.md", CHAPTER)]);
    book.build().unwrap();
    let html = book.html("e.md");

    // One numbered figure with its anchor, shape (5 values of eta, 2 of act) and caption.
    assert!(html.contains("<figure class=\"exec-figure exec-explore\" id=\"fig-lr\" data-exec-explore=\"e/fig-lr\" data-exec-shape=\"5 2\">"), "{html}");
    assert!(html.contains("<span class=\"exec-number\">Figure 1.1:</span> Loss for the learning rate"));
    assert!(
        html.contains("href=\"#fig-lr\">Figure\u{a0}1.1</a>") || html.contains("href=\"#fig-lr\">Figure&nbsp;1.1</a>"),
        "link to the exploration"
    );

    // Controls: hidden until the script runs; a slider for numbers with the default selected and
    // its text for screen readers; a list for text values.
    assert!(html.contains("<div class=\"exec-controls\" hidden=\"\">"));
    assert!(html.contains("type=\"range\" id=\"exec-e-fig-lr-0\" min=\"0\" max=\"4\" step=\"1\" value=\"2\" data-exec-param=\"0\" aria-label=\"eta\" aria-valuetext=\"0.3\""), "{html}");
    assert!(html.contains("<label for=\"exec-e-fig-lr-0\"><span class=\"katex\">"), "the label's math is typeset");
    assert!(html.contains("<select id=\"exec-e-fig-lr-1\" data-exec-param=\"1\" aria-label=\"activation\"><option value=\"0\" selected=\"\">sigmoid</option><option value=\"1\">tanh</option></select>"));

    // The default frame is in the page; every other frame waits in attributes, each stored once.
    assert!(html.contains("eta = 0.3, act = sigmoid"));
    assert!(html.contains("eta = 0.1, act = tanh"), "another frame's output is on the page (in an attribute)");
    assert_eq!(
        html.matches("this line is the same in every frame").count(),
        1 + 10,
        "the cell, and one text block per frame"
    );
    assert!(
        html.contains("data-exec-frames=\"4\" data-exec-default=\"\">"),
        "default frame index: eta 0.3 (2) × 2 + sigmoid (0)"
    );

    // Values in prose and in math follow the exploration: default shown, others in the group.
    assert!(
        html.contains(
            "<span class=\"exec-value exec-variants\" data-exec-name=\"loss\" data-exec-explore=\"e/fig-lr\""
        ),
        "{html}"
    );
    assert!(html.contains("data-exec-default=\"\">0.60</span>"), "the prose shows the default frame's value");
    assert!(html.contains("1.50"), "the largest loss, eta 0.5 with tanh, is among the variants");
    assert!(html.contains("<span class=\"exec-variants\" data-exec-explore=\"e/fig-lr\""), "the formula follows too");

    // Checks passed in every frame are listed once; print shows a note of what varies online.
    assert_eq!(html.matches("<li>the rate is positive</li>").count(), 1, "listed once, not once per frame");
    assert!(html.contains("<p class=\"exec-print-note\">Online, this figure varies with"));
    // A table inside the frames: unnumbered (the exploration is the figure), math typeset.
    assert!(
        html.contains("<figure class=\"exec-table\">\n<figcaption></figcaption>")
            || html.contains("<figure class=\"exec-table\"><figcaption></figcaption>"),
        "{html}"
    );
    assert!(!html.contains("Table 1.1"));

    // Deterministic: the same page from a build that recomputes every frame.
    std::fs::remove_dir_all(book.root().join("cache")).unwrap();
    book.build().unwrap();
    assert_eq!(book.html("e.md"), html, "frames are written in frame order, whatever order they finish in");
    assert!(html.contains("(5 values from 0.1 to 0.5) and activation (sigmoid, tanh); printed here:"), "{html}");
}

#[test]
fn identical_frames_are_stored_once() {
    let chapter = r#"# Same

```rust,exec
exec::explore("fig-same", "Frames that do not depend on the parameter.")
    .param(exec::Param::values("k", [1, 2, 3, 4]).label("k"))
    .run(|_| {
        exec::plot::Chart::new("x", "y").line("flat", (0..100).map(|i| (i as f64, 1.0))).show("", "");
    });
```
"#;
    let book = TestBook::new(&[("same.md", chapter)]);
    book.build().unwrap();
    let html = book.html("same.md");
    assert_eq!(html.matches("role=\"img\"").count(), 1, "four equal frames store their chart once");
    assert_eq!(
        html.matches("data-exec-variants").count(),
        1,
        "only the value next to the control switches: the frames are one"
    );
}

use common::fails_with as fails;

#[test]
fn bad_explorations_fail_at_the_cell() {
    let cell = |param: &str, body: &str| {
        format!(
            "# X\n\ntext\n\n```rust,exec\nexec::explore(\"fig\", \"c\")\n    .param({param})\n    .run(|f| {{ {body} }});\n```\n"
        )
    };
    fails(
        &cell("exec::Param::values(\"k\", Vec::<i32>::new())", ""),
        "",
        &["error: src/ch.md:8:6: cell 1 panicked", "exploration `fig`: parameter `k` has no values"],
    );
    fails(
        &cell("exec::Param::range(\"eta\", 0.1, 1.0, 0.1).default(0.25)", ""),
        "",
        &["src/ch.md:8:6:", "the default 0.25 of parameter `eta` is not one of its values (0.1, 0.2, 0.3"],
    );
    fails(
        &cell("exec::Param::range(\"eta\", 0.0, 9.0, 1.0)", ""),
        "max-frames = 4",
        &["src/ch.md:8:6:", "10 frames (10 values of `eta`) is more than the 4 allowed", "`max-frames`"],
    );
    fails(
        &cell("exec::Param::values(\"k\", [1, 2, 3])", "if f.int(\"k\") == 2 { panic!(\"no good\") }"),
        "",
        &["error: src/ch.md:8:37: cell 1 panicked", "exploration `fig` failed for k = 2: no good"],
    );
    // A value exported inside the frames is held to the same rules as a cell's.
    fails(
        &cell(
            "exec::Param::values(\"k\", [1, 2])",
            "exec::value_fmt(\"ok\", f.int(\"k\"), \"3q\"); exec::value(\"bad name\", 1)",
        ),
        "",
        &["error: src/ch.md:5:1: value `ok`: ", "error: src/ch.md:5:1: `bad name` is not a valid value name"],
    );
    fails("# X\n\n```rust,exec\nexec::value(\"a\", 1);\n```\n", "max-frames = 0", &["`max-frames` must be at least 1"]);
}
