//! Writing a real technical book: a memoised slow first cell survives edits of the last one,
//! and editing a data file re-runs only the chapter that reads it (`--only authoring`).
//!
//! The book has four chapters: one whose first cell memoises a computation that takes five
//! seconds (it sleeps, then sums a series, so the time does not depend on the machine's load),
//! two that each read a CSV file of the book with `exec::data`, and one that reads nothing. The
//! crates are the default ones (`ndarray`, `plotters`), compiled in the bench's dependency cache.

use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;

use anyhow::{Result, bail};

use super::{Bench, build_with_stats, median, ms, secs};

/// The memoised chapter; `last` is what its last cell prints.
fn slow_chapter(last: usize) -> String {
    format!(
        "# Slow\n\n```rust,exec\nlet series: Vec<f64> = exec::memo(\"series\", || {{\n    \
         std::thread::sleep(std::time::Duration::from_secs(5));\n    \
         (1..=20).map(|n| (1..=n * 1000).map(|k| 1.0 / (k * k) as f64).sum()).collect()\n}});\n\
         println!(\"{{:.6}}\", series[19]);\n```\n\nProse between the cells.\n\n\
         ```rust,exec\nprintln!(\"last cell, version {last}: {{:.3}}\", series[0] * {last} as f64);\n```\n"
    )
}

fn data_chapter(name: &str) -> String {
    format!(
        "# Reads {name}\n\n```rust,exec\nlet text = std::fs::read_to_string(exec::data(\"data/{name}.csv\")).unwrap();\n\
         let sum: f64 = text.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse::<f64>().unwrap()).sum();\n\
         println!(\"{name}: {{sum}}\");\n```\n"
    )
}

/// Writes the book into `dir` (from nothing: no cache of its own).
fn write_book(dir: &Path, root: &Path, deps: &Path, last: usize) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src/data"))?;
    std::fs::write(
        dir.join("src/SUMMARY.md"),
        "# Summary\n\n- [Slow](slow.md)\n- [A](a.md)\n- [B](b.md)\n- [Plain](plain.md)\n",
    )?;
    std::fs::write(dir.join("src/slow.md"), slow_chapter(last))?;
    std::fs::write(dir.join("src/a.md"), data_chapter("a"))?;
    std::fs::write(dir.join("src/b.md"), data_chapter("b"))?;
    std::fs::write(dir.join("src/plain.md"), "# Plain\n\n```rust,exec\nprintln!(\"{}\", 6 * 7);\n```\n")?;
    std::fs::write(dir.join("src/data/a.csv"), "k,v\nx,1\ny,2\n")?;
    std::fs::write(dir.join("src/data/b.csv"), "k,v\nz,3\n")?;
    let toml = format!(
        "[book]\ntitle = \"authoring\"\n\n[preprocessor.exec]\nlockfile = {:?}\ndependency-cache = {:?}\n",
        root.join("Cargo.lock").display().to_string(),
        deps.display().to_string()
    );
    std::fs::write(dir.join("book.toml"), toml)?;
    mdbook_exec::install::install(dir)?;
    Ok(())
}

fn page(dir: &Path, chapter: &str) -> Result<String> {
    Ok(std::fs::read_to_string(dir.join("book").join(chapter))?)
}

impl Bench {
    pub(super) fn authoring(&mut self) -> Result<()> {
        let dir = self.work.join("authoring");
        let fresh = self.work.join("authoring-fresh");
        write_book(&dir, &self.root, &self.deps, 1)?;
        let (first, _) = build_with_stats(&dir)?;

        // Edits of the last cell: the chapter runs again and reads the memo from disk.
        let reps = if self.quick { 3 } else { 5 };
        let mut edits = Vec::new();
        for i in 0..reps {
            let last = 2 + i;
            std::fs::write(dir.join("src/slow.md"), slow_chapter(last))?;
            let (time, stats) = build_with_stats(&dir)?;
            if (stats.programs_run.load(Relaxed), stats.memos_reused.load(Relaxed)) != (1, 1) {
                bail!("editing the last cell should run one chapter and reuse its memo: {stats:?}");
            }
            edits.push(time);
        }
        // The same page as a build from nothing of the edited book.
        write_book(&fresh, &self.root, &self.deps, 1 + reps)?;
        let (from_nothing, _) = build_with_stats(&fresh)?;
        let same = page(&dir, "slow.html")? == page(&fresh, "slow.html")?;

        // Edits of a data file: only the chapter that reads it runs.
        let mut data = Vec::new();
        let mut only_one = true;
        for i in 0..reps {
            std::fs::write(dir.join("src/data/a.csv"), format!("k,v\nx,1\ny,{}\n", 3 + i))?;
            let (time, stats) = build_with_stats(&dir)?;
            only_one &= stats.programs_run.load(Relaxed) == 1 && stats.data_changed.load(Relaxed) == 1;
            data.push(time);
        }
        let a_shows = page(&dir, "a.html")?.contains(&format!("a: {}", 3 + reps));

        let yes = |b: bool| if b { "yes" } else { "NO" };
        let rows = [
            ("first build (the memo computed)".to_owned(), secs(first), ""),
            (
                format!("the slow chapter's last cell edited (chapter runs, memo read from disk), median of {reps}"),
                ms(median(edits)),
                "< 1 s",
            ),
            (
                "the same edited book built from nothing".to_owned(),
                format!("{} (page byte-identical: {})", secs(from_nothing), yes(same)),
                "identical",
            ),
            (
                format!("a data file edited, median of {reps}"),
                format!(
                    "{} (only the chapter that reads it ran: {}; its page follows: {})",
                    ms(median(data)),
                    yes(only_one),
                    yes(a_shows)
                ),
                "only its reader",
            ),
        ];
        self.line("");
        self.line(
            "Writing a real technical book: a chapter whose first cell memoises a 5-second computation \
             (`exec::memo`), two chapters reading a data file each (`exec::data`), one reading none.",
        );
        self.line("");
        for (what, time, goal) in [("what", "time".to_owned(), "goal"), ("---", "---".to_owned(), "---")]
            .into_iter()
            .map(|(a, b, c)| (a.to_owned(), b, c))
            .chain(rows)
        {
            self.line(&format!("| {what} | {time} | {goal} |"));
        }
        Ok(())
    }
}
