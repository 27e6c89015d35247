//! The real book of this repository, as the Pages workflow builds it ([`common::real_book`]):
//! its HTML holds the executed output, the offline math and every chapter's figures and checks.

use crate::common;

fn read(dir: &std::path::Path, page: &str) -> String {
    std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

#[test]
fn real_book_builds_with_executed_output_and_offline_math() {
    let dir = common::real_book();

    let intro = read(dir, "introduction.html");
    assert!(intro.contains("<div class=\"exec-output\" data-exec-cell="), "the introduction shows executed output");
    assert!(
        intro.contains("the sigmoid&#x27;s derivative at 0 is 0.25")
            || intro.contains("the sigmoid's derivative at 0 is 0.25")
    );
    assert!(intro.contains("data-exec-name=\"sigmoid_peak\">0.25</span>"));
    assert!(intro.contains("class=\"katex\""));
    // mdbook-exec's stylesheet is linked (under a hashed name) and imports KaTeX's from the
    // site itself.
    let link = intro.split("href=\"").map(|s| s.split('"').next().unwrap()).find(|h| h.contains("mdbook-exec/exec"));
    let link = link.expect("mdbook-exec's stylesheet is linked");
    let exec_css = read(dir, link);
    assert!(exec_css.contains("@import url(\"../../mdbook-exec/katex/katex.min.css\")"), "{}", &exec_css[..400]);
    // Problem 8's summary writes the product of the per-unit conditionals, not of P(h_i = 1 | x).
    // (Formulas are read as their MathML reads, which is what the search index holds.)
    let summary: String = common::search_index(dir)
        .into_iter()
        .filter(|(url, _)| url.starts_with("introduction.html"))
        .map(|(_, body)| body.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(summary.contains("P ( h ∣ x ) = ∏ i P ( h i ∣ x )"), "the summary states the factorisation");
    assert!(!summary.contains("∏ i σ ("), "the summary does not equate P(h | x) with a product of sigmoids");

    // The stylesheet and fonts ship with the site, at the crate's KaTeX version.
    let css = read(dir, "mdbook-exec/katex/katex.min.css");
    assert!(read(dir, "mdbook-exec/VERSION").contains(&format!("KaTeX {}", mdbook_exec::KATEX_VERSION.trim())));
    for font in css.split("url(").skip(1).filter_map(|s| s.split(')').next()).filter(|u| u.ends_with(".woff2")) {
        assert!(dir.join("mdbook-exec/katex").join(font).is_file(), "missing {font}");
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

/// Each chapter: its page, the figures it must have, and computed numbers that must appear.
const CHAPTERS: &[(&str, &[&str], &[&str])] = &[
    (
        "threshold-units.html",
        &["fig-threshold-loss", "tab-xor-gradients", "fig-xor-slice", "eq-chain"],
        &[
            "threshold: L = 1, dL/dw = 0",
            "weights unchanged: true",
            "0.5344",
            "1000 random settings: 0 nonzero threshold partials",
        ],
    ),
    (
        "deep-training.html",
        &[
            "fig-chain-gradients",
            "tab-chain-gradients",
            "tab-init-scale",
            "fig-init-scale",
            "tab-deep-shallow",
            "tab-depth-loss",
            "fig-deep-shallow",
            "fig-chain-explore",
            "eq-chain-product",
        ],
        &[
            "a* = 0.659046068407",
            "3.875e-7",
            "gradient norms at gain 0.1 / at gain 0.05",
            "8 hidden: |dL/dW| by layer",
            // The chain's weight and activation are explored, 12 x 3 frames.
            "data-exec-explore=\"deep-training/fig-chain-explore\" data-exec-shape=\"12 3\"",
        ],
    ),
    (
        "autoencoder.html",
        &["fig-ae-training", "tab-ae-mc", "fig-ae-mc", "eq-ae-shrinkage"],
        &[
            "2 hidden units: loss 1.5000000000",
            "closed-form minimum 2.3000000000",
            "W* (the closed-form minimiser): derived 2.3000",
            "trained on sampled noise: DE =",
        ],
    ),
    (
        "convolution.html",
        &["tab-conv-sizes", "tab-conv-neurons", "fig-conv-neurons", "eq-out-size"],
        &["formula = counted in all: true", "4 without padding, 4 with P = 2", "parameters of a 64-filter layer: 4864"],
    ),
    (
        "cross-entropy.html",
        &[
            "tab-softmax",
            "tab-ce-grad",
            "fig-ce-underflow",
            "tab-ce-underflow",
            "fig-ce-scale",
            "tab-ce-scale",
            "eq-ce-nll",
        ],
        &[
            "CE = 1.676064272669, likelihood = 0.187108938548",
            "subnormal from N = 1269 and exactly 0 from N = 1335 (predicted from the reference: 1335)",
            "naive softmax gives CE = NaN",
            // The logit-scale figure is an exploration of tau in [0, 3].
            "data-exec-explore=\"cross-entropy/fig-ce-scale\" data-exec-shape=\"31\"",
        ],
    ),
    (
        "weight-updates.html",
        &["fig-grad-norms", "tab-iterations", "eq-input-grad"],
        &[
            "every gradient zero for 20 iterations: true",
            "hidden units identical at every iteration: true",
            "exactly 0 at iteration 1 in 1000, nonzero at iteration 2 in 1000",
            // The gradient-norm figure is an exploration of the learning rate.
            "data-exec-explore=\"weight-updates/fig-grad-norms\" data-exec-shape=\"25\"",
        ],
    ),
    (
        "tanh-initialisation.html",
        &[
            "fig-tanh-derivatives",
            "fig-tanh-scale",
            "tab-gain",
            "tab-tanh-points",
            "fig-tanh-training",
            "tab-tanh-training",
            "fig-tanh-depth",
            "tab-tanh-depth",
            "fig-tanh-explore",
            "eq-tanh-d3",
        ],
        &[
            "closed form: s = 0.658478948462409",
            "root of the cubic: s = 0.919021362346520",
            "data-exec-explore=\"tanh-initialisation/fig-tanh-explore\" data-exec-shape=\"10\"",
        ],
    ),
    (
        "rbm.html",
        &["fig-rbm", "tab-rbm", "tab-rbm-gibbs", "eq-rbm-hidden"],
        &["P(h_i = 1 | x) = [0.500000, 0.750000, 0.250000]", "P(h1 = 1, h2 = 1 | x) = 0.075103"],
    ),
    (
        "receptive-fields.html",
        &["fig-footprints", "tab-recurrence", "tab-footprint-row", "fig-rf-explore", "eq-rf-recurrence"],
        &[
            "-&gt; 8 x 8",
            "-&gt; 13 x 13",
            "conv 7x7/1, conv 7x7/2: measured 13 x 13, recurrence 13",
            "data-exec-explore=\"receptive-fields/fig-rf-explore\" data-exec-shape=\"9 3\"",
        ],
    ),
    (
        "how-this-book-is-built.html",
        &["fig-guide-sine", "tab-guide-squares"],
        &["10 primes below 30, the largest is 29"],
    ),
];

#[test]
fn every_chapter_has_its_figures_numbers_and_checks() {
    let out = common::real_book();
    for (page, figures, numbers) in CHAPTERS {
        let html = read(out, page);
        for f in *figures {
            assert!(html.contains(&format!("id=\"{f}\"")), "{page}: missing figure or table `{f}`");
            assert!(html.contains(&format!("href=\"#{f}\"")), "{page}: `{f}` is never referenced");
        }
        for n in *numbers {
            assert!(html.contains(n), "{page}: missing computed output {n:?}");
        }
        assert!(html.contains("class=\"katex"), "{page}: no typeset math");
        if page.starts_with("how-this") {
            continue;
        }
        assert!(html.contains("<ul class=\"exec-checks\">"), "{page}: no list of build-time checks");
        assert!(html.contains("Notes on the original solution"), "{page}: no notes on the original solution");
        assert!(html.contains("reconstructed"), "{page}: the statement is not marked as reconstructed");
        assert!(!html.contains("\\val{"), "{page}: an unsubstituted value");
    }
    // Search finds words in computed output.
    let index = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("searchindex"))
        .expect("a search index");
    let index = std::fs::read_to_string(index.path()).unwrap();
    assert!(index.contains("weights unchanged: true"), "the search index holds cell output");
    // Search results show each formula once, as its MathML reads, without its TeX source (the
    // appendix's second numbered equation is shown in no code block).
    let docs = common::search_index(out);
    let all: String = docs.iter().map(|(_, body)| body.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(all.matches("σ ′ ( s ) = σ ( s ) ( 1 − σ ( s ) ) (2)").count(), 1, "the formula once, with its number");
    assert!(!all.contains("\\bigl"), "no TeX source in the search index");
    // A useful 404 page.
    assert!(read(out, "404.html").contains("There is no page at this address"));

    // The introduction's summary takes its numbers from the chapters.
    let intro = read(out, "introduction.html");
    assert!(
        intro.contains("3.88×10<sup>−7</sup>") || intro.contains("3.88\u{202f}×\u{202f}10<sup>−7</sup>"),
        "the summary quotes chapter 2's gradient"
    );
    // ... and links to the chapters' numbered equations.
    assert!(intro.contains("href=\"cross-entropy.html#eq-ce-nll\""), "the summary links to chapter 5's key equation");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

/// The book's own theme (theme/): every page describes itself for link previews with a card
/// made from one of its figures, and links the book's stylesheet beside mdbook-exec's.
#[test]
fn pages_carry_the_books_own_theme() {
    let dir = common::real_book();
    let card = dir.join("images/social-card.png");
    let bytes = std::fs::read(&card).unwrap_or_else(|e| panic!("{}: {e}", card.display()));
    assert_eq!(&bytes[1..4], b"PNG", "the card is a PNG");
    for (page, to_root) in [("index.html", ""), ("rbm.html", ""), ("404.html", "")] {
        let html = read(dir, page);
        let head = &html[..html.find("</head>").unwrap()];
        assert!(head.contains("<meta property=\"og:description\" content=\"Solutions to a nine-problem"), "{page}");
        assert!(head.contains(&format!("content=\"{to_root}images/social-card.png\"")), "{page}");
        assert!(head.contains("theme/book") && head.contains(".css"), "{page} links theme/book.css");
    }
    // Only the title page is marked as one.
    assert!(read(dir, "index.html").contains("<meta name=\"book-page\" content=\"title\">"));
    assert!(!read(dir, "rbm.html").contains("name=\"book-page\""));
}
