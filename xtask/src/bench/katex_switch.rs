//! The mdbook-katex comparison of `cargo xtask bench`: a math-heavy book written for
//! mdbook-katex (thousands of formulas, a macros file of macros with arguments, display formulas
//! across blank lines and `+`/`-` lines), built by mdbook-katex 0.10 and, after the switch (the
//! table renamed, `mdbook-exec install`), by mdbook-exec, cold and warm. Both sites are checked:
//! every formula rendered, no `$` left. A comparison of broken output would measure nothing.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};

use super::{Bench, build_cli, interleave, ms};

/// Macros with arguments, in mdbook-katex's `\name:expansion` format.
const MACROS: &str = "% macros of the benchmark book\n\
\\R:{\\mathbb{R}}\n\
\\norm:{\\left\\lVert #1 \\right\\rVert}\n\
\\inner:{\\left\\langle #1, #2 \\right\\rangle}\n\
\\pd:{\\frac{\\partial #1}{\\partial #2}}\n\
\\E:{\\mathbb{E}\\left[#1\\right]}\n\
\\softmax:{\\operatorname{softmax}\\left(#1\\right)}\n";

/// What `[preprocessor.katex]` holds in the book, apart from the command.
const SETTINGS: &str = "after = [\"links\"]\nmacros = \"macros.txt\"\noutput = \"htmlAndMathml\"\n";

/// Writes the chapters, `SUMMARY.md` and the macros file of a book with `per_chapter`
/// formulas in each of `chapters` chapters; returns the number of formulas.
fn write_math_book(dir: &Path, chapters: usize, per_chapter: usize) -> Result<usize> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("macros.txt"), MACROS)?;
    let mut summary = String::from("# Summary\n\n");
    for c in 0..chapters {
        let mut text = format!("# Chapter {c}\n\n");
        for i in 0..per_chapter {
            // Every formula differs, so no renderer can answer one from another.
            let k = c * 1000 + i;
            let _ = match i % 6 {
                0 => write!(text, "A norm $\\norm{{x_{{{k}}}}} \\le \\inner{{u}}{{v_{{{k}}}}}$ in a sentence.\n\n"),
                1 => write!(
                    text,
                    "A gradient $\\pd{{L}}{{w_{{{k}}}}} = \\E{{g_{{{k}}}}}$, then $x \\in \\R^{{{k}}}$.\n\n"
                ),
                2 => write!(text, "Scores $\\softmax{{z}}_{{{k}}}$ and $\\sigma(s) = 1/(1 + e^{{-{k} s}})$.\n\n"),
                3 => write!(text, "$$\n\\E{{X_{{{k}}}}} = \\sum_{{i=1}}^{{{k}}} p_i x_i\n$$\n\n"),
                4 => write!(
                    text,
                    "Where $\\inner{{a}}{{b}} = {k}$:\n\n$$ \\pd{{f}}{{x}}(x_{{{k}}}) = \\norm{{\\nabla f}} $$\n\n"
                ),
                // Blank lines and lines that markdown reads as list items, inside one formula.
                _ => write!(
                    text,
                    "$$\n\\begin{{aligned}}\n\\pd{{L}}{{w_{{{k}}}}} &= \\inner{{\\nabla L}}{{e_{{{k}}}}} \\\\\n\n\
                     + \\norm{{w}}^{{2}} &\\le {k} \\\\\n- \\lambda \\E{{w}} &\\ge 0\n\\end{{aligned}}\n$$\n\n"
                ),
            };
        }
        std::fs::write(dir.join(format!("src/ch{c}.md")), text)?;
        let _ = writeln!(summary, "- [Chapter {c}](ch{c}.md)");
    }
    std::fs::write(dir.join("src/SUMMARY.md"), summary)?;
    // Per six formulas: inline 1 + 2 + 2 + 1, display 1 + 1 + 1.
    let per_six = [1, 2, 2, 1, 2, 1];
    Ok(chapters * (0..per_chapter).map(|i| per_six[i % 6]).sum::<usize>())
}

/// Counts the formulas KaTeX rendered in a built book's chapters, and the `$` left outside
/// them (KaTeX's TeX annotations aside, which hold no `$` in this book anyway).
fn rendered(book: &Path, chapters: usize) -> Result<(usize, usize)> {
    let (mut formulas, mut dollars) = (0, 0);
    for c in 0..chapters {
        let html = std::fs::read_to_string(book.join(format!("ch{c}.html")))?;
        let main = &html[html.find("<main>").unwrap_or(0)..html.find("</main>").unwrap_or(html.len())];
        formulas += main.matches("<span class=\"katex\">").count();
        dollars += main
            .split("<annotation")
            .map(|part| part.split_once("</annotation>").map_or(part, |(_, after)| after))
            .map(|part| part.matches('$').count())
            .sum::<usize>();
    }
    Ok((formulas, dollars))
}

impl Bench {
    pub(super) fn katex_switch(&mut self) -> Result<()> {
        let tools = self.root.join("target/tools/bin");
        let (mdbook, katex) = (tools.join("mdbook"), tools.join("mdbook-katex"));
        if !mdbook.is_file() || !katex.is_file() {
            self.line("\n(mdbook-katex comparison skipped: `cargo install --locked --root target/tools mdbook@0.5.4 mdbook-katex@0.10.0`)");
            return Ok(());
        }
        let (chapters, per_chapter) = if self.quick { (4, 150) } else { (20, 150) };
        let theirs = self.work.join("switch-katex");
        let ours = self.work.join("switch-exec");
        let total = write_math_book(&theirs, chapters, per_chapter)?;
        write_math_book(&ours, chapters, per_chapter)?;
        let toml = |table: &str, command: &Path| {
            format!("[book]\ntitle = \"switch\"\n\n[{table}]\ncommand = \"{}\"\n{SETTINGS}", command.display())
        };
        std::fs::write(theirs.join("book.toml"), toml("preprocessor.katex", &katex))?;
        // The switch: the same table under the new name (the command points at the binary, as
        // neither is on PATH here), then `mdbook-exec install`.
        std::fs::write(ours.join("book.toml"), toml("preprocessor.exec", &self.root.join("target/debug/mdbook-exec")))?;
        mdbook_exec::install::install(&ours)?;

        let n = if self.quick { 3 } else { 5 };
        let cache = ours.join("target/mdbook-exec/cache");
        let (cold, katex_cold) = interleave(
            n,
            |_| {
                let _ = std::fs::remove_dir_all(&cache);
                build_cli(&mdbook, &ours)
            },
            |_| build_cli(&mdbook, &theirs),
        )?;
        let (warm, katex_warm) = interleave(n, |_| build_cli(&mdbook, &ours), |_| build_cli(&mdbook, &theirs))?;
        for (name, dir) in [("mdbook-katex", &theirs), ("mdbook-exec", &ours)] {
            let (formulas, dollars) = rendered(&dir.join("book"), chapters)?;
            if formulas != total || dollars != 0 {
                bail!("{name} rendered {formulas} of {total} formulas and left {dollars} `$` in {}", dir.display());
            }
        }

        self.line("");
        self.line(&format!(
            "Switching from mdbook-katex: a book of {chapters} chapters and {total} formulas (a third of them display \
             formulas, one in six of those across a blank line and lines starting with `+` and `-`) using a macros \
             file of macros with arguments, built with the `mdbook` 0.5.4 CLI by mdbook-katex 0.10.0 and by \
             mdbook-exec after the switch: the same `[preprocessor.katex]` table renamed to `[preprocessor.exec]`, then \
             `mdbook-exec install`. Both render all {total} formulas and leave no `$` (checked after the runs)."
        ));
        self.line("");
        self.line("| build | mdbook-katex 0.10.0 | mdbook-exec | mdbook-exec / mdbook-katex |");
        self.line("|---|---|---|---|");
        let per = |t: Duration| t.as_secs_f64() * 1e3 / total as f64;
        for (what, k, e) in
            [("cold (mdbook-exec's math cache empty)", katex_cold, cold), ("warm (nothing changed)", katex_warm, warm)]
        {
            self.line(&format!(
                "| {what} | {} ({:.3} ms per formula) | {} ({:.3} ms per formula) | {:.2} |",
                ms(k),
                per(k),
                ms(e),
                per(e),
                e.as_secs_f64() / k.as_secs_f64()
            ));
        }
        Ok(())
    }
}
