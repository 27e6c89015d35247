//! `cargo xtask bench [--quick]`: measures what authors wait for, side by side with the
//! alternative, in one run. Runs of the two sides are interleaved (A B A B ...) and medians are
//! compared, because the machine is noisy. Results go to stdout and to `docs/benchmarks.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use mdbook_driver::MDBook;
use mdbook_exec::ExecPreprocessor;

mod authoring;
mod katex_switch;
mod new_book;
mod weight;

struct Bench {
    root: PathBuf,
    work: PathBuf,
    /// The dependency cache every book here uses, warmed once by [`Bench::warm_dependencies`], so
    /// that the numbers do not depend on the state of the machine-wide one.
    deps: PathBuf,
    quick: bool,
    report: String,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Copies a book's `src/` and `theme/` into `dest` and writes `book.toml` there.
fn copy_book(from: &Path, dest: &Path, toml: &str) -> Result<()> {
    let _ = std::fs::remove_dir_all(dest);
    for dir in ["src", "theme"] {
        if from.join(dir).is_dir() {
            copy_dir(&from.join(dir), &dest.join(dir))?;
        }
    }
    std::fs::write(dest.join("book.toml"), toml)?;
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), target)?;
        }
    }
    Ok(())
}

/// Builds a book in-process, with mdbook-exec registered when `exec` is set.
fn build_in_process(root: &Path, exec: bool) -> Result<Duration> {
    let start = Instant::now();
    let mut book = MDBook::load(root)?;
    if exec {
        book.with_preprocessor(ExecPreprocessor::new());
    }
    book.build()?;
    Ok(start.elapsed())
}

/// Builds a book in-process with mdbook-exec; the time and what the preprocessor counted.
fn build_with_stats(root: &Path) -> Result<(Duration, std::sync::Arc<mdbook_exec::Stats>)> {
    let pre = ExecPreprocessor::new();
    let stats = pre.stats();
    let start = Instant::now();
    let mut book = MDBook::load(root)?;
    book.with_preprocessor(pre);
    book.build()?;
    Ok((start.elapsed(), stats))
}

/// Writes `dest`: the book at `exec_dir` with every chapter already preprocessed by mdbook-exec
/// and no preprocessor configured. Building it plainly is the floor for any build-time
/// renderer: mdBook has to process the markup the preprocessor produces.
fn floor_book(exec_dir: &Path, plain_toml: &str, dest: &Path) -> Result<()> {
    copy_book(exec_dir, dest, plain_toml)?;
    let mut book = MDBook::load(exec_dir)?;
    book.with_preprocessor(ExecPreprocessor::new());
    let (processed, _) = book.preprocess_book(&AsHtml)?;
    for ch in processed.chapters() {
        if let Some(path) = &ch.source_path {
            std::fs::write(dest.join("src").join(path), &ch.content)?;
        }
    }
    Ok(())
}

/// Stands in for the HTML renderer, so that preprocessors limited to `html` run.
struct AsHtml;

impl mdbook_renderer::Renderer for AsHtml {
    fn name(&self) -> &str {
        "html"
    }

    fn render(&self, _: &mdbook_renderer::RenderContext) -> mdbook_driver::errors::Result<()> {
        Ok(())
    }
}

/// Builds a book with the `mdbook` CLI.
fn build_cli(mdbook: &Path, root: &Path) -> Result<Duration> {
    let start = Instant::now();
    let out = Command::new(mdbook).arg("build").current_dir(root).output()?;
    if !out.status.success() {
        bail!("`mdbook build` in {} failed:\n{}", root.display(), String::from_utf8_lossy(&out.stderr));
    }
    Ok(start.elapsed())
}

/// Runs `a` and `b` alternately `n` times each and returns their medians.
fn interleave(
    n: usize,
    mut a: impl FnMut(usize) -> Result<Duration>,
    mut b: impl FnMut(usize) -> Result<Duration>,
) -> Result<(Duration, Duration)> {
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for i in 0..n {
        ta.push(a(i)?);
        tb.push(b(i)?);
    }
    Ok((median(ta), median(tb)))
}

impl Bench {
    fn line(&mut self, s: &str) {
        println!("{s}");
        self.report.push_str(s);
        self.report.push('\n');
    }

    /// The book's `book.toml` with mdbook-exec sharing the repository's build folder (so its
    /// caches are warm), or with no preprocessor at all.
    fn book_toml(&self, exec: bool) -> Result<String> {
        let text = std::fs::read_to_string(self.root.join("book.toml"))?;
        let mut doc: toml::Table = text.parse()?;
        let pre =
            doc.get_mut("preprocessor").and_then(|p| p.as_table_mut()).context("book.toml has no preprocessor")?;
        if exec {
            let t = pre.get_mut("exec").and_then(|p| p.as_table_mut()).context("no [preprocessor.exec]")?;
            t.remove("renderers");
            t.insert("build-dir".into(), self.root.join("target/mdbook-exec").display().to_string().into());
            // A cache of its own (seeded from the book's): pruning here must not touch the book's.
            t.insert("cache-dir".into(), self.work.join("real-cache").display().to_string().into());
            t.insert("lockfile".into(), self.root.join("Cargo.lock").display().to_string().into());
            t.insert("dependency-cache".into(), self.deps.display().to_string().into());
        } else {
            pre.remove("exec");
        }
        doc.remove("build");
        Ok(toml::to_string(&doc)?)
    }

    fn real_book(&mut self) -> Result<()> {
        let n = if self.quick { 5 } else { 11 };
        let exec_dir = self.work.join("real-exec");
        let plain_dir = self.work.join("real-plain");
        let floor_dir = self.work.join("real-floor");
        let _ = std::fs::remove_dir_all(self.work.join("real-cache"));
        copy_dir(&self.root.join("target/mdbook-exec/cache"), &self.work.join("real-cache"))?;
        copy_book(&self.root, &exec_dir, &self.book_toml(true)?)?;
        copy_book(&self.root, &plain_dir, &self.book_toml(false)?)?;
        build_in_process(&exec_dir, true)?; // warm the caches for this copy
        floor_book(&exec_dir, &self.book_toml(false)?, &floor_dir)?;

        self.line("| measurement | mdbook-exec | baseline | ratio | goal |");
        self.line("|---|---|---|---|---|");
        let (a, b) = interleave(n, |_| build_in_process(&exec_dir, true), |_| build_in_process(&plain_dir, false))?;
        self.row(
            "warm rebuild of the real book (nothing changed)",
            a,
            b,
            "plain `mdbook build` of the same markdown",
            "≤ 1.3",
        );
        let (a, f) = interleave(n, |_| build_in_process(&exec_dir, true), |_| build_in_process(&floor_dir, false))?;
        self.row(
            "warm rebuild of the real book (nothing changed)",
            a,
            f,
            "plain `mdbook build` of the already-processed markdown",
            "",
        );

        // A prose edit: one paragraph of one chapter changes each time.
        let chapter = exec_dir.join("src/convolution.md");
        let plain_chapter = plain_dir.join("src/convolution.md");
        let original = std::fs::read_to_string(&chapter)?;
        let edit = |i: usize| original.replacen("True or false:", &format!("True or false ({i}):"), 1);
        let (a, b) = interleave(
            n,
            |i| {
                std::fs::write(&chapter, edit(i))?;
                build_in_process(&exec_dir, true)
            },
            |i| {
                std::fs::write(&plain_chapter, edit(i))?;
                build_in_process(&plain_dir, false)
            },
        )?;
        self.row("prose edit in one chapter, rebuild", a, b, "plain `mdbook build`", "≤ 1.3");
        std::fs::write(&chapter, &original)?;

        // A cell edit: one number in one cell changes each time (a new program every build).
        let intro = exec_dir.join("src/introduction.md");
        let original = std::fs::read_to_string(&intro)?;
        let mut times = Vec::new();
        for i in 0..n {
            std::fs::write(
                &intro,
                original.replacen(
                    "sigmoid(0.0) * (1.0",
                    &format!("sigmoid(0.0 * {}.0) * (1.0", i + 1000 * std::process::id() as usize),
                    1,
                ),
            )?;
            times.push(build_in_process(&exec_dir, true)?);
        }
        std::fs::write(&intro, &original)?;
        let t = median(times);
        self.line(&format!(
            "| edit one number in one cell, rebuild (compile + run that chapter) | {} | | | < 1 s |",
            ms(t)
        ));
        Ok(())
    }

    /// Builds a one-chapter book with the crates of the real book, pinned by the repository's
    /// lock, so that the bench's dependency cache holds them compiled (a no-op once it does).
    fn warm_dependencies(&mut self) -> Result<()> {
        let pre = format!(
            "[preprocessor.exec]\nlockfile = \"{}\"\ndependency-cache = \"{}\"\n",
            self.root.join("Cargo.lock").display(),
            self.deps.display()
        );
        let dir = self.synthetic("warm-dependencies", 1, 0, 1, &pre)?;
        eprintln!("warming the dependency cache in {}", self.deps.display());
        build_in_process(&dir, true)?;
        Ok(())
    }

    fn row(&mut self, what: &str, a: Duration, b: Duration, baseline: &str, goal: &str) {
        let ratio = a.as_secs_f64() / b.as_secs_f64();
        self.line(&format!("| {what} | {} | {} ({baseline}) | {ratio:.2} | {goal} |", ms(a), ms(b)));
    }

    /// A synthetic book of `chapters` chapters with `equations` equations and `cells` cells each.
    fn synthetic(&self, name: &str, chapters: usize, equations: usize, cells: usize, pre: &str) -> Result<PathBuf> {
        let dir = self.work.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src"))?;
        let mut summary = String::from("# Summary\n\n");
        let forms = [
            "\\frac{a_{N}}{b + N} = \\sum_{i=1}^{N} x_i^2",
            "\\int_0^{N} e^{-t^2}\\,\\mathrm{d}t \\approx \\sqrt{\\pi}/2",
            "\\begin{pmatrix} N & 1 \\\\ 0 & N \\end{pmatrix} \\begin{pmatrix} x \\\\ y \\end{pmatrix}",
            "\\sigma(s) = \\frac{1}{1 + e^{-N s}}, \\quad \\sigma' = \\sigma(1-\\sigma)",
        ];
        for c in 0..chapters {
            let mut text = format!("# Chapter {c}\n\n");
            for e in 0..equations {
                let tex = forms[e % forms.len()].replace('N', &format!("{}", c * 1000 + e));
                if e % 4 == 3 {
                    let _ = write!(text, "Display:\n\n$$\n{tex}\n$$\n\n");
                } else {
                    let _ = write!(text, "Inline math ${tex}$ in a sentence.\n\n");
                }
            }
            for k in 0..cells {
                let _ = write!(
                    text,
                    "```rust,exec\nlet v{k} = ({c} * 31 + {k}) as f64;\nprintln!(\"{{}}\", v{k} * 2.0);\n```\n\n"
                );
            }
            std::fs::write(dir.join(format!("src/ch{c}.md")), text)?;
            let _ = writeln!(summary, "- [Chapter {c}](ch{c}.md)");
        }
        std::fs::write(dir.join("src/SUMMARY.md"), summary)?;
        std::fs::write(dir.join("book.toml"), format!("[book]\ntitle = \"{name}\"\n\n{pre}"))?;
        if pre.contains("[preprocessor.exec]") {
            // The page assets every mdbook-exec book needs; the other books stay without them.
            mdbook_exec::install::install(&dir)?;
        }
        Ok(dir)
    }

    fn math(&mut self) -> Result<()> {
        let tools = self.root.join("target/tools/bin");
        let mdbook = tools.join("mdbook");
        let katex = tools.join("mdbook-katex");
        if !mdbook.is_file() || !katex.is_file() {
            self.line("\n(math comparison skipped: run `cargo install mdbook --version 0.5.4` and `mdbook-katex --version 0.10.0` with `--root target/tools`)");
            return Ok(());
        }
        let ours_bin = self.root.join("target/debug/mdbook-exec");
        let (chapters, eqs) = (10, 40);
        let total = (chapters * eqs) as f64;
        let ours = self.synthetic(
            "math-exec",
            chapters,
            eqs,
            0,
            &format!("[preprocessor.exec]\ncommand = \"{}\"\nrenderers = [\"html\"]\n", ours_bin.display()),
        )?;
        let theirs = self.synthetic(
            "math-katex",
            chapters,
            eqs,
            0,
            &format!("[preprocessor.katex]\ncommand = \"{}\"\nrenderers = [\"html\"]\n", katex.display()),
        )?;
        let plain = self.synthetic("math-plain", chapters, eqs, 0, "")?;
        let n = if self.quick { 3 } else { 7 };
        let cache = ours.join("target/mdbook-exec/cache");
        let (cold, katex_t) = interleave(
            n,
            |_| {
                let _ = std::fs::remove_dir_all(&cache);
                build_cli(&mdbook, &ours)
            },
            |_| build_cli(&mdbook, &theirs),
        )?;
        let (warm, plain_t) = interleave(n, |_| build_cli(&mdbook, &ours), |_| build_cli(&mdbook, &plain))?;
        let floor = self.work.join("math-floor");
        floor_book(&ours, "[book]\ntitle = \"math-floor\"\n", &floor)?;
        let (warm2, floor_t) = interleave(n, |_| build_cli(&mdbook, &ours), |_| build_cli(&mdbook, &floor))?;
        let per = |t: Duration, base: Duration| (t.as_secs_f64() - base.as_secs_f64()).max(1e-6) / total * 1e3;
        self.line("");
        self.line(&format!("Math: a synthetic book of {chapters} chapters and {} equations, built with the `mdbook` 0.5.4 CLI. \
            *Plain* builds the markdown with no preprocessor; the *floor* builds the markdown with every equation already \
            rendered (what any build-time renderer must hand to mdBook), so time above the floor is the preprocessor's own.", chapters * eqs));
        self.line("");
        self.line("| build | wall time | per equation above plain | per equation above the floor |");
        self.line("|---|---|---|---|");
        self.line(&format!("| plain `mdbook build` (math left as text) | {} | | |", ms(plain_t)));
        self.line(&format!("| the floor: plain build of pre-rendered markdown | {} | | |", ms(floor_t)));
        for (name, t) in [
            ("mdbook-katex 0.10.0", katex_t),
            ("mdbook-exec, cold (empty math cache)", cold),
            ("mdbook-exec, warm (nothing changed)", warm),
        ] {
            self.line(&format!("| {name} | {} | {:.3} ms | {:.3} ms |", ms(t), per(t, plain_t), per(t, floor_t)));
        }
        self.line("");
        // A warm build at (or, by noise, under) the floor leaves no time of its own to divide by.
        let own = warm.as_secs_f64() - floor_t.as_secs_f64();
        let katex_own = katex_t.as_secs_f64() - floor_t.as_secs_f64();
        let warm_ratio = if own > 0.01 * katex_own {
            format!("mdbook-katex takes {:.1}x as long as mdbook-exec", katex_own / own)
        } else {
            format!(
                "mdbook-exec's own time is within noise of zero ({} against the floor's {}) while mdbook-katex's is {:.1} ms",
                ms(warm),
                ms(floor_t),
                katex_own * 1e3
            )
        };
        self.line(&format!(
            "Cold, per equation above plain: {:.2}x mdbook-katex (goal ≤ 0.5). Warm, above the floor: {warm_ratio} (goal ≥ 20x); whole builds: {:.1}x.",
            per(cold, plain_t) / per(katex_t, plain_t),
            katex_t.as_secs_f64() / warm.as_secs_f64(),
        ));
        self.line(&format!(
            "Warm against the floor, measured as an interleaved pair: {:.2}x ({} against {}).",
            warm2.as_secs_f64() / floor_t.as_secs_f64(),
            ms(warm2),
            ms(floor_t)
        ));
        Ok(())
    }

    /// A fresh clone of the committed tree, with crates already downloaded, built to the
    /// finished site; the time is split into its parts.
    fn cold(&mut self) -> Result<()> {
        let clone = self.work.join("cold-clone");
        let _ = std::fs::remove_dir_all(&clone);
        let ok = Command::new("git").args(["clone", "--quiet"]).arg(&self.root).arg(&clone).status()?;
        if !ok.success() {
            bail!("git clone failed");
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let run = |args: &[&str], envs: &[(&str, &str)]| -> Result<(Duration, String)> {
            let start = Instant::now();
            let out = Command::new(&cargo).args(args).envs(envs.iter().cloned()).current_dir(&clone).output()?;
            if !out.status.success() {
                bail!("`cargo {}` failed:\n{}", args.join(" "), String::from_utf8_lossy(&out.stderr));
            }
            Ok((start.elapsed(), String::from_utf8_lossy(&out.stderr).into_owned()))
        };
        let (tools, _) = run(&["build", "--quiet", "-p", "xtask"], &[])?;
        // Compiling only the preprocessor and xtask again, from nothing, gives their share; the
        // rest is dependencies.
        run(&["clean", "--quiet", "-p", "mdbook-exec", "-p", "xtask"], &[])?;
        let (own, _) = run(&["build", "--quiet", "-p", "xtask"], &[])?;
        // An empty dependency cache, as on a machine that never built a book.
        let empty = clone.join("target/empty-dependency-cache");
        let empty = empty.to_str().context("a UTF-8 path")?;
        let (site, log) = run(&["xtask", "build"], &[("MDBOOK_EXEC_TIMINGS", "1"), ("MDBOOK_EXEC_CACHE_DIR", empty)])?;
        let stage = |name: &str| -> Duration {
            log.lines()
                .find_map(|l| l.strip_prefix(&format!("mdbook-exec: {name}: ")).and_then(|v| v.strip_suffix(" ms")))
                .and_then(|v| v.parse::<f64>().ok())
                .map_or(Duration::ZERO, |ms| Duration::from_secs_f64(ms / 1e3))
        };
        let cells = stage("execute");
        let math = stage("math");
        self.line("");
        self.line(
            "Cold build: a fresh clone with the crates already downloaded and an empty dependency cache, `cargo xtask build` to the finished site.",
        );
        self.line("");
        self.line("| part | time |");
        self.line("|---|---|");
        self.line(&format!(
            "| compiling dependencies (mdBook, KaTeX's QuickJS, ...) | {} |",
            secs(tools.saturating_sub(own))
        ));
        self.line(&format!("| compiling the preprocessor and xtask | {} |", secs(own)));
        self.line(&format!(
            "| cells: compiling their crates and the chapter programs, running them | {} |",
            secs(cells)
        ));
        self.line(&format!("| rendering every equation (cold) | {} |", secs(math)));
        self.line(&format!(
            "| the rest (loading, splicing, mdBook's HTML renderer) | {} |",
            secs(site.saturating_sub(cells + math))
        ));
        self.line(&format!("| **total** | **{}** |", secs(tools + site)));
        let _ = std::fs::remove_dir_all(&clone);
        Ok(())
    }

    fn scale(&mut self) -> Result<()> {
        let sizes: &[usize] = if self.quick { &[10] } else { &[10, 50, 200] };
        self.line("");
        self.line("Scale: synthetic books with 5 cells and 20 equations per chapter, built in a child process (`cargo xtask build-at`).");
        self.line("");
        self.line("| chapters | cold build | warm rebuild | peak memory (cold) | cold per chapter |");
        self.line("|---|---|---|---|---|");
        let me = std::env::current_exe()?;
        let mut rows = Vec::new();
        for &n in sizes {
            let build_dir = self.work.join(format!("scale-{n}-build"));
            let _ = std::fs::remove_dir_all(&build_dir);
            let pre = format!(
                "[preprocessor.exec]\nbuild-dir = \"{}\"\nlockfile = \"{}\"\ndependency-cache = \"{}\"\n",
                build_dir.display(),
                self.root.join("Cargo.lock").display(),
                self.deps.display()
            );
            let dir = self.synthetic(&format!("scale-{n}"), n, 20, 5, &pre)?;
            let (cold, rss) = child_build(&me, &dir)?;
            let (warm, _) = child_build(&me, &dir)?;
            self.line(&format!(
                "| {n} | {} | {} | {} MiB | {} |",
                secs(cold),
                ms(warm),
                rss / 1024,
                ms(cold / n as u32)
            ));
            rows.push((n, cold, warm));
        }
        self.line("");
        self.line(
            "Cold builds start from an empty build folder, with the crates cells use already in the dependency cache.",
        );
        if let [(n0, c0, w0), .., (n1, c1, w1)] = rows[..] {
            // Growth per added chapter between the smallest and largest book, against the
            // average per chapter of the largest: a ratio well above 1 means worse than linear.
            let dn = (n1 - n0) as f64;
            let warm_marginal = (w1.as_secs_f64() - w0.as_secs_f64()) / dn;
            let cold_marginal = (c1.as_secs_f64() - c0.as_secs_f64()) / dn;
            let warm_avg = w1.as_secs_f64() / n1 as f64;
            self.line(&format!(
                "From {n0} to {n1} chapters each added chapter costs {:.1} ms warm (the {n1}-chapter average is {:.1} ms) and {:.0} ms cold. \
                 {}",
                warm_marginal * 1e3,
                warm_avg * 1e3,
                cold_marginal * 1e3,
                if warm_marginal > 1.2 * warm_avg {
                    "Warm rebuilds grow faster than linearly: mdBook renders `print.html`, which holds every chapter, and rebuilds the search index over all of them on every build."
                } else {
                    "Nothing measured here grows worse than linearly: the per-chapter cost stays flat. `print.html` (every chapter on one page) and the search index are rebuilt whole on each build, which is linear in the book's size, and mdbook-exec's own work (hashing, cache reads, splicing) is per chapter."
                }
            ));
        }
        Ok(())
    }
}

/// Builds the book at `dir` in a child process; returns its wall time and peak RSS in KiB.
fn child_build(me: &Path, dir: &Path) -> Result<(Duration, u64)> {
    let start = Instant::now();
    let child = Command::new(me).arg("build-at").arg(dir).stderr(std::process::Stdio::null()).spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, and both pointers are valid for the call.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    std::mem::forget(child);
    if r != pid || status != 0 {
        bail!("building {} failed", dir.display());
    }
    Ok((elapsed, usage.ru_maxrss as u64))
}

/// The hidden `build-at <dir>` subcommand used by the scale benchmark.
pub fn build_at(dir: &Path) -> Result<()> {
    build_in_process(dir, true).map(drop)
}

pub fn run(root: &Path, quick: bool) -> Result<()> {
    let work = root.join("target/bench");
    std::fs::create_dir_all(&work)?;
    // The CLI side of the math comparison calls the preprocessor binary directly.
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--quiet", "-p", "mdbook-exec"])
        .current_dir(root)
        .status()?;
    if !status.success() {
        bail!("building mdbook-exec failed");
    }
    let deps = work.join("dependencies");
    let mut b = Bench { root: root.to_owned(), work, deps, quick, report: String::new() };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let date = Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    b.line(&format!(
        "Measured {date} on {cores} cores with `cargo xtask bench{}`; medians of interleaved runs.",
        if quick { " --quick" } else { "" }
    ));
    b.line("");
    b.warm_dependencies()?;
    // `--only <section>` runs one section (and does not write docs/benchmarks.md).
    let only = std::env::args().skip_while(|a| a != "--only").nth(1);
    let run = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if run("real-book") {
        b.real_book()?;
    }
    if run("new-book") {
        b.new_book()?;
    }
    if run("math") {
        b.math()?;
        b.katex_switch()?;
    }
    if !quick && run("cold") {
        b.cold()?;
    }
    if run("scale") {
        b.scale()?;
    }
    if run("weight") {
        b.page_weight()?;
    }
    if run("authoring") {
        b.authoring()?;
    }
    let doc = format!(
        "# Benchmarks\n\nWhat authors wait for, measured side by side in one run. Reproduce with \
         `cargo xtask bench` (about ten minutes; `--quick` takes under two). The math comparison \
         needs `mdbook` 0.5.4 and `mdbook-katex` 0.10.0 installed under `target/tools` \
         (`cargo install --locked --root target/tools mdbook@0.5.4 mdbook-katex@0.10.0`).\n\n{}",
        b.report
    );
    if !quick && only.is_none() {
        std::fs::create_dir_all(root.join("docs"))?;
        std::fs::write(root.join("docs/benchmarks.md"), doc)?;
        println!("\nwrote docs/benchmarks.md");
    }
    Ok(())
}
