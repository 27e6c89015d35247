//! A new book, first built and then edited, against its Jupyter Book twin doing the same work
//! in Python.
//!
//! The book has nine chapters of three cells each, the kind of work a technical book's chapter
//! does: an 801-point line chart, a small two-layer network trained for 20 steps with ndarray,
//! and a softmax table, with numbers quoted in prose and math. Every chapter differs a little
//! (its number is in the code), so no two chapters compile to the same program. The twin is a
//! Jupyter Book 1.0.4 project of MyST notebooks with the same cells in NumPy and Matplotlib,
//! executed with Jupyter Book's cache (`execute_notebooks: cache`), which is what its authors use
//! to avoid re-running unchanged notebooks.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::{Bench, build_with_stats, median, ms, secs};

/// The chapters of the book.
const CHAPTERS: usize = 9;

/// One chapter of the mdbook-exec book. `seed` makes every book a new one (nothing of it is in
/// any cache), `step` is the number the cell-edit measurement changes.
fn exec_chapter(c: usize, seed: usize, step: usize) -> String {
    let k = c + 100 * seed;
    format!(
        r#"# Chapter {c}

A curve, drawn from 801 points:

```rust,exec
let xs: Vec<f64> = (0..801).map(|i| -4.0 + 8.0 * i as f64 / 800.0).collect();
let curve: Vec<(f64, f64)> = xs.iter().map(|&x| (x, (x * {k1} as f64 * 0.1).sin() / (1.0 + x * x))).collect();
exec::plot::Chart::new("x", "y").line("f", curve.clone()).show("fig-curve-{c}", "A curve.");
exec::value("peak", curve.iter().map(|p| p.1).fold(f64::MIN, f64::max));
```

Its highest point is `=peak`, so $\max_x f(x) = \val{{peak}}$.

A small network, trained for 20 steps:

```rust,exec
use ndarray::{{Array1, Array2, Axis}};
let mut rng = exec::Rng::new({k7});
let x = Array2::from_shape_fn((16, 4), |_| rng.uniform(-1.0, 1.0));
let t = Array1::from_shape_fn(16, |i| if x[[i, 0]] + x[[i, 1]] > 0.0 {{ 1.0 }} else {{ 0.0 }});
let mut w1 = Array2::from_shape_fn((4, 8), |_| 0.5 * rng.uniform(-1.0, 1.0));
let mut w2 = Array1::from_shape_fn(8, |_| 0.5 * rng.uniform(-1.0, 1.0));
let sigmoid = |v: f64| 1.0 / (1.0 + (-v).exp());
let mut loss = 0.0;
for _ in 0..{steps} {{
    let h = x.dot(&w1).mapv(f64::tanh);
    let y = h.dot(&w2).mapv(sigmoid);
    let e = &y - &t;
    loss = e.mapv(|v| v * v).sum() / 16.0;
    let dy = &e * &y.mapv(|v| v * (1.0 - v)) * (2.0 / 16.0);
    let gw2 = h.t().dot(&dy);
    let dh = dy.view().insert_axis(Axis(1)).dot(&w2.view().insert_axis(Axis(0))) * h.mapv(|v| 1.0 - v * v);
    let gw1 = x.t().dot(&dh);
    w1 = w1 - gw1 * 0.5;
    w2 = w2 - gw2 * 0.5;
}}
exec::value("loss", loss);
```

After training the loss is `=loss`.

```rust,exec
let z = [1.0_f64 + {c} as f64 * 0.1, 2.0, 0.5];
let m = z.iter().cloned().fold(f64::MIN, f64::max);
let s: f64 = z.iter().map(|v| (v - m).exp()).sum();
let p: Vec<f64> = z.iter().map(|v| (v - m).exp() / s).collect();
exec::Table::new(["class", "logit", "probability"])
    .formats(["", ".2", ".3"])
    .rows((0..3).map(|i| vec![exec::Value::from(i as i64), z[i].into(), p[i].into()]))
    .show("tab-softmax-{c}", "A softmax.");
```
"#,
        k1 = k + 1,
        k7 = k + 7,
        steps = 20 + step,
    )
}

/// The same chapter as a MyST notebook for Jupyter Book.
fn jb_chapter(c: usize, seed: usize, step: usize) -> String {
    let k = c + 100 * seed;
    format!(
        r#"---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Chapter {c}

A curve, drawn from 801 points:

```{{code-cell}} ipython3
import numpy as np
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
xs = np.linspace(-4.0, 4.0, 801)
ys = np.sin(xs * {k1} * 0.1) / (1.0 + xs * xs)
fig, ax = plt.subplots()
ax.plot(xs, ys, label="f")
ax.set_xlabel("x"); ax.set_ylabel("y"); ax.legend()
plt.show()
peak = ys.max()
print(f"peak = {{peak}}")
```

A small network, trained for 20 steps:

```{{code-cell}} ipython3
rng = np.random.default_rng({k7})
x = rng.uniform(-1.0, 1.0, (16, 4))
t = (x[:, 0] + x[:, 1] > 0).astype(float)
w1 = 0.5 * rng.uniform(-1.0, 1.0, (4, 8))
w2 = 0.5 * rng.uniform(-1.0, 1.0, 8)
sigmoid = lambda v: 1.0 / (1.0 + np.exp(-v))
for _ in range({steps}):
    h = np.tanh(x @ w1)
    y = sigmoid(h @ w2)
    e = y - t
    loss = (e * e).sum() / 16.0
    dy = e * y * (1.0 - y) * (2.0 / 16.0)
    gw2 = h.T @ dy
    dh = np.outer(dy, w2) * (1.0 - h * h)
    gw1 = x.T @ dh
    w1 = w1 - gw1 * 0.5
    w2 = w2 - gw2 * 0.5
print(f"loss = {{loss}}")
```

```{{code-cell}} ipython3
z = np.array([1.0 + {c} * 0.1, 2.0, 0.5])
p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
print("class  logit  probability")
for i in range(3):
    print(f"{{i:5d}}  {{z[i]:5.2f}}  {{p[i]:11.3f}}")
```
"#,
        k1 = k + 1,
        k7 = k + 7,
        steps = 20 + step,
    )
}

/// Writes the mdbook-exec book into `dir` (its `dependency-cache` setting is `deps`).
fn write_exec_book(dir: &Path, seed: usize, deps: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src"))?;
    let mut summary = String::from("# Summary\n\n");
    for c in 0..CHAPTERS {
        std::fs::write(dir.join(format!("src/ch{c}.md")), exec_chapter(c, seed, 0))?;
        summary += &format!("- [Chapter {c}](ch{c}.md)\n");
    }
    std::fs::write(dir.join("src/SUMMARY.md"), summary)?;
    std::fs::write(
        dir.join("book.toml"),
        format!(
            "[book]\ntitle = \"new\"\n\n[preprocessor.exec]\ndependency-cache = {:?}\n",
            deps.display().to_string()
        ),
    )?;
    mdbook_exec::install::install(dir)?;
    Ok(())
}

/// Writes the Jupyter Book twin into `dir`.
fn write_jb_book(dir: &Path, seed: usize) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("_config.yml"),
        "title: new\nexecute:\n  execute_notebooks: cache\n  timeout: 300\nsphinx:\n  config:\n    html_show_copyright: false\n",
    )?;
    let mut toc = String::from("format: jb-book\nroot: intro\nchapters:\n");
    std::fs::write(dir.join("intro.md"), "# New\n\nNine chapters.\n")?;
    for c in 0..CHAPTERS {
        std::fs::write(dir.join(format!("ch{c}.md")), jb_chapter(c, seed, 0))?;
        toc += &format!("- file: ch{c}\n");
    }
    std::fs::write(dir.join("_toc.yml"), toc)?;
    Ok(())
}

/// What one build of the mdbook-exec book took, and the work it did.
struct ExecBuild {
    time: Duration,
    compile: Duration,
    dependencies: usize,
}

fn build_exec(dir: &Path) -> Result<ExecBuild> {
    let (time, stats) = build_with_stats(dir)?;
    Ok(ExecBuild {
        time,
        compile: Duration::from_millis(stats.compile_ms.load(Ordering::Relaxed) as u64),
        dependencies: stats.dependencies_compiled.load(Ordering::Relaxed),
    })
}

/// The `jupyter-book` command: `$JUPYTER_BOOK`, or the one in `target/tools/jupyter-book`.
fn jupyter_book(root: &Path) -> Option<PathBuf> {
    let path = std::env::var_os("JUPYTER_BOOK")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/tools/jupyter-book/bin/jupyter-book"));
    path.is_file().then_some(path)
}

fn build_jb(jb: &Path, dir: &Path) -> Result<Duration> {
    let start = Instant::now();
    let out = Command::new(jb).args(["build", "--quiet"]).arg(dir).output().context("running jupyter-book")?;
    let time = start.elapsed();
    let log = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || log.contains("Traceback") || !dir.join("_build/html/ch8.html").is_file() {
        bail!("`jupyter-book build` of {} failed:\n{log}", dir.display());
    }
    Ok(time)
}

impl Bench {
    /// A new book's first build and its edits, against Jupyter Book; then the first book on a
    /// machine (an empty dependency cache) and this repository's own book.
    pub(super) fn new_book(&mut self) -> Result<()> {
        let n = if self.quick { 1 } else { 3 };
        let jb = jupyter_book(&self.root);
        let exec_dir = self.work.join("new-exec");
        let jb_dir = self.work.join("new-jb");
        let seed0 = std::process::id() as usize;

        // First builds, each of a book no cache has seen, interleaved with the twin's.
        let (mut first, mut jb_first, mut compile) = (Vec::new(), Vec::new(), Vec::new());
        let mut dependencies = 0;
        for i in 0..n {
            write_exec_book(&exec_dir, seed0 + i, &self.deps)?;
            let b = build_exec(&exec_dir)?;
            first.push(b.time);
            compile.push(b.compile);
            dependencies += b.dependencies;
            if let Some(jb) = &jb {
                write_jb_book(&jb_dir, seed0 + i)?;
                jb_first.push(build_jb(jb, &jb_dir)?);
            }
        }
        // Rebuilds of the last pair: nothing changed, a prose edit, a number in a cell edited.
        let mut rows: Vec<(&str, Vec<Duration>, Vec<Duration>)> = Vec::new();
        let (mut same, mut jb_same) = (Vec::new(), Vec::new());
        let (mut prose, mut jb_prose) = (Vec::new(), Vec::new());
        let (mut cell, mut jb_cell) = (Vec::new(), Vec::new());
        let mut cell_compile = Vec::new();
        let reps = if self.quick { 3 } else { 7 };
        for i in 0..reps {
            same.push(build_exec(&exec_dir)?.time);
            let chapter = exec_dir.join("src/ch4.md");
            let text = exec_chapter(4, seed0 + n - 1, i);
            std::fs::write(&chapter, text.replace("A curve, drawn", &format!("A curve ({i}), drawn")))?;
            prose.push(build_exec(&exec_dir)?.time);
            std::fs::write(&chapter, exec_chapter(4, seed0 + n - 1, i + 1))?;
            let b = build_exec(&exec_dir)?;
            cell.push(b.time);
            cell_compile.push(b.compile);
            if let Some(jb) = &jb {
                jb_same.push(build_jb(jb, &jb_dir)?);
                let chapter = jb_dir.join("ch4.md");
                let text = jb_chapter(4, seed0 + n - 1, i);
                std::fs::write(&chapter, text.replace("A curve, drawn", &format!("A curve ({i}), drawn")))?;
                jb_prose.push(build_jb(jb, &jb_dir)?);
                std::fs::write(&chapter, jb_chapter(4, seed0 + n - 1, i + 1))?;
                jb_cell.push(build_jb(jb, &jb_dir)?);
            }
        }
        // Of a cell edit's compile, what cargo costs with nothing to compile (it still reads the
        // lock file and checks every unit's fingerprint); the rest is rustc's.
        let mut noop = Vec::new();
        for _ in 0..reps {
            noop.push(cargo_noop(&exec_dir, &self.deps)?);
        }
        rows.push(("a new book, first build (libraries installed / dependency cache warm)", first, jb_first));
        rows.push(("nothing changed", same, jb_same));
        rows.push(("one prose sentence edited", prose, jb_prose));
        rows.push(("one number in one cell edited", cell.clone(), jb_cell));

        // The first book on a machine: the same kind of book with an empty dependency cache.
        let empty = self.work.join("empty-dependency-cache");
        let mut first_machine = Vec::new();
        let mut first_machine_units = 0;
        for i in 0..(if self.quick { 1 } else { 2 }) {
            let _ = std::fs::remove_dir_all(&empty);
            write_exec_book(&exec_dir, seed0 + 50 + i, &empty)?;
            let b = build_exec(&exec_dir)?;
            first_machine.push(b.time);
            first_machine_units = b.dependencies;
        }
        let _ = std::fs::remove_dir_all(&empty);
        let _ = std::fs::remove_dir_all(&exec_dir);
        let _ = std::fs::remove_dir_all(&jb_dir);

        self.line("");
        self.line(&format!(
            "New book: {CHAPTERS} chapters of three cells each (an 801-point line chart, a two-layer network trained \
             for 20 steps with ndarray, a softmax table), never built before, built in-process from a new folder; \
             against it its Jupyter Book 1.0.4 twin, the same cells in NumPy and Matplotlib in MyST notebooks, \
             executed with its cache (`execute_notebooks: cache`), built with `jupyter-book build`. First builds: \
             medians of {n}, interleaved; rebuilds: medians of {reps}."
        ));
        self.line("");
        self.line("| | Jupyter Book | mdbook-exec | ratio | goal |");
        self.line("|---|---|---|---|---|");
        let goals = ["≤ 3 s (≤ 0.15)", "", "", "≤ 300 ms"];
        for ((what, ours, theirs), goal) in rows.into_iter().zip(goals) {
            let ours = median(ours);
            let (theirs_text, ratio) = if theirs.is_empty() {
                ("not installed".to_owned(), String::new())
            } else {
                let t = median(theirs);
                (fmt_time(t), format!("{:.2}", ours.as_secs_f64() / t.as_secs_f64()))
            };
            self.line(&format!("| {what} | {theirs_text} | {} | {ratio} | {goal} |", fmt_time(ours)));
        }
        self.line(&format!(
            "| the first book on a machine (empty dependency cache; {first_machine_units} crates compiled) | – | {} | | ≤ 15 s |",
            fmt_time(median(first_machine))
        ));
        let compile = median(compile);
        self.line(&format!(
            "| compiling the new book's chapters (one `cargo build`), per chapter | | {} ({} for {CHAPTERS}) | | < 0.3 s |",
            ms(compile / CHAPTERS as u32),
            secs(compile)
        ));
        let (cell, cell_compile, noop) = (median(cell), median(cell_compile), median(noop));
        self.line(&format!(
            "| one cell edited: compiling it (one `cargo build`, incremental) | | {} | | |",
            ms(cell_compile)
        ));
        self.line(&format!(
            "| of that, cargo with nothing to compile (reading the lock file, checking fingerprints) | | {} | | |",
            ms(noop)
        ));
        self.line(&format!(
            "| of that, rustc (the edited chapter's module, then linking the book's binary) | | {} | | |",
            ms(cell_compile.saturating_sub(noop))
        ));
        self.line(&format!(
            "| one cell edited: the rest (running the chapter, splicing, mdBook's render) | | {} | | |",
            ms(cell.saturating_sub(cell_compile))
        ));
        self.line("");
        self.line(
            "How these were taken: every build runs in this process through `mdbook-driver` (as `mdbook build` \
             does, without the CLI's start-up), timed from loading the book to the last page written. The compile \
             figures are the wall time of the preprocessor's `cargo build` of the chapters, as the preprocessor \
             itself records it; cargo's share is a `cargo build` of the same package, with the same target folder, \
             right after a build, when nothing is left to compile. Jupyter Book is run as its CLI, which is how \
             its authors build.",
        );
        self.line("");
        self.line(&format!("Crates compiled for the new books besides their chapters: {}.", dependencies / n));
        if jb.is_none() {
            self.line(
                "Jupyter Book was not installed; `python3 -m venv target/tools/jupyter-book && \
                 target/tools/jupyter-book/bin/pip install jupyter-book==1.0.4 numpy matplotlib ipykernel` \
                 installs it for this benchmark.",
            );
        }
        self.own_book_compile()
    }

    /// This repository's book: a build from an empty build folder with the crates compiled, and
    /// an edit of one number in a cell of its largest chapter.
    fn own_book_compile(&mut self) -> Result<()> {
        let dir = self.work.join("own-cold");
        let toml = self.book_toml(true)?;
        let mut doc: toml::Table = toml.parse()?;
        let exec = doc["preprocessor"]["exec"].as_table_mut().context("[preprocessor.exec]")?;
        exec.insert("build-dir".into(), dir.join("build").display().to_string().into());
        exec.insert("cache-dir".into(), dir.join("cache").display().to_string().into());
        let reps = if self.quick { 1 } else { 3 };
        let mut cold = Vec::new();
        for _ in 0..reps {
            super::copy_book(&self.root, &dir, &toml::to_string(&doc)?)?;
            cold.push(build_exec(&dir)?.time);
        }
        // The largest chapter: one number of its first cell changes each time.
        let largest = std::fs::read_dir(dir.join("src"))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .context("a chapter")?;
        let original = std::fs::read_to_string(&largest)?;
        let cell = original.find("```rust,exec").context("the largest chapter has a cell")?;
        let line_end = cell + original[cell..].find('\n').context("a fence line")?;
        let mut edits = Vec::new();
        for i in 0..(if self.quick { 3 } else { 7 }) {
            let mut text = original.clone();
            text.insert_str(line_end + 1, &format!("let _bench_edit = {i};\n"));
            std::fs::write(&largest, text)?;
            edits.push(build_exec(&dir)?);
        }
        let _ = std::fs::remove_dir_all(&dir);
        let name = largest.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let edit_time = median(edits.iter().map(|b| b.time).collect());
        let edit_compile = median(edits.iter().map(|b| b.compile).collect());
        self.line("");
        self.line("This book (11 chapters with cells), with the crates in the dependency cache:");
        self.line("");
        self.line("| build | time |");
        self.line("|---|---|");
        self.line(&format!(
            "| from an empty build folder and result cache (compile and run every chapter) | {} |",
            fmt_time(median(cold))
        ));
        self.line(&format!(
            "| one line added to a cell of its largest chapter, `{name}` (compile {}, then run that chapter) | {} |",
            ms(edit_compile),
            fmt_time(edit_time)
        ));
        Ok(())
    }
}

/// How long `cargo build` of the book's chapters package takes when nothing needs compiling.
fn cargo_noop(book: &Path, deps: &Path) -> Result<Duration> {
    let package = book.join("target/mdbook-exec");
    let only = |dir: &Path, keep: &dyn Fn(&str) -> bool| -> Result<PathBuf> {
        let mut found = std::fs::read_dir(dir)?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| keep(&n.to_string_lossy())));
        match (found.next(), found.next()) {
            (Some(p), None) => Ok(p),
            _ => bail!("expected exactly one match in {}", dir.display()),
        }
    };
    let target = only(deps, &|n| n.starts_with("deps-"))?;
    let bin = only(&package.join("src/bin"), &|n| n.ends_with(".rs"))?;
    let bin = bin.file_stem().unwrap_or_default().to_string_lossy().into_owned();
    let start = Instant::now();
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--quiet", "--bin", &bin, "--manifest-path"])
        .arg(package.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .context("running cargo")?;
    let time = start.elapsed();
    if !out.status.success() {
        bail!("`cargo build` of the chapters failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(time)
}

fn fmt_time(d: Duration) -> String {
    if d < Duration::from_secs(2) { ms(d) } else { secs(d) }
}
