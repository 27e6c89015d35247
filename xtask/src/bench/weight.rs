//! Page weight: what readers download, and what an exploration adds to it.
//!
//! Sizes are counted, not timed, so one build of each book is enough. Compressed sizes use gzip
//! at its default level, as GitHub Pages serves HTML.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

use super::Bench;

/// A page's size and its gzip size.
fn weigh(page: &Path) -> Result<(usize, usize)> {
    let bytes = std::fs::read(page).with_context(|| format!("reading {}", page.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes)?;
    Ok((bytes.len(), gz.finish()?.len()))
}

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1024.0)
}

/// A one-chapter book whose cell is `cell`, built into `dir/book`; returns the chapter's page.
fn one_chapter(root: &Path, dir: &Path, cell: &str) -> Result<std::path::PathBuf> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("src/SUMMARY.md"), "# Summary\n\n- [Chapter](ch.md)\n")?;
    std::fs::write(
        dir.join("src/ch.md"),
        format!("# Chapter\n\n```rust,exec,hide-code\n{cell}\n```\n\nSee `@fig-w`.\n"),
    )?;
    let toml = format!(
        "[book]\ntitle = \"weight\"\n\n[preprocessor.exec]\nbuild-dir = {:?}\ncache-dir = \"cache\"\nlockfile = {:?}\ndownloads = false\n",
        root.join("target/mdbook-exec").display().to_string(),
        root.join("Cargo.lock").display().to_string()
    );
    std::fs::write(dir.join("book.toml"), toml)?;
    mdbook_exec::install::install(dir)?;
    super::build_in_process(dir, true)?;
    Ok(dir.join("book/ch.html"))
}

impl Bench {
    pub(super) fn page_weight(&mut self) -> Result<()> {
        self.line("");
        self.line("Page weight: bytes a reader downloads, raw and gzip-compressed (as GitHub Pages serves HTML).");
        self.line("");

        // Every page of the real book, as `cargo xtask build` makes it.
        let site = self.work.join("weight-site");
        crate::build(&site)?;
        let mut pages = Vec::new();
        for e in std::fs::read_dir(&site)?.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".html") && name != "print.html" && name != "toc.html" {
                pages.push((name, weigh(&e.path())?));
            }
        }
        pages.sort_by_key(|(_, (raw, _))| std::cmp::Reverse(*raw));
        let (print_raw, print_gz) = weigh(&site.join("print.html"))?;
        self.line("| page | size | gzip |");
        self.line("|---|---|---|");
        for (name, (raw, gz)) in pages.iter().take(3) {
            self.line(&format!("| {name} | {} | {} |", kb(*raw), kb(*gz)));
        }
        self.line(&format!("| print.html (every chapter) | {} | {} |", kb(print_raw), kb(print_gz)));
        self.line("");

        // The target case: a 21-frame exploration of a 600-point line chart, against the same
        // chart shown once.
        let chart = |k: &str| {
            format!(
                "exec::plot::Chart::new(\"x\", \"y\").line(\"curve\", (0..600).map(|i| {{ let x = i as f64 / 60.0; (x, (x * {k}).sin() * (-x / 5.0).exp()) }}))"
            )
        };
        let fixed = one_chapter(
            &self.root,
            &self.work.join("weight-fixed"),
            &format!("{}.show(\"fig-w\", \"One chart.\");", chart("1.0")),
        )?;
        let explored = one_chapter(
            &self.root,
            &self.work.join("weight-explore"),
            &format!(
                "exec::explore(\"fig-w\", \"One chart per frame.\")\n    .param(exec::Param::range(\"k\", 1.0, 3.0, 0.1).default(1.0))\n    .run(|f| {{ let k = f.f64(\"k\"); {}.show(\"\", \"\"); }});",
                chart("k")
            ),
        )?;
        let (fixed_raw, fixed_gz) = weigh(&fixed)?;
        let (explore_raw, explore_gz) = weigh(&explored)?;
        self.line(&format!(
            "A 21-frame exploration of a 600-point line chart adds {} ({} gzip) to its page over the same chart shown once ({} against {}, gzip {} against {}; target: under 400 KB gzip).",
            kb(explore_raw - fixed_raw),
            kb(explore_gz - fixed_gz),
            kb(explore_raw),
            kb(fixed_raw),
            kb(explore_gz),
            kb(fixed_gz)
        ));
        Ok(())
    }
}
