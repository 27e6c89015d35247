//! `mdbook-exec`: an mdBook preprocessor that compiles and runs the Rust cells of each chapter
//! and puts what they produce into the book: text output, values in prose and inside math,
//! figures, tables, and every equation rendered by KaTeX at build time.
//!
//! [`process`] is the whole pipeline, one module per stage, in three folders that import only
//! downward: `input` reads the book (config, chapters, scan); `exec`, the execution half,
//! compiles and runs the chapter programs (program, cache, workspace, depcache, run, protocol);
//! `page`, the page half, turns results into markdown (refs, splice with its explorations and
//! figures, math, download, panel). What they all share (the results model, diagnostics, the
//! hasher, file helpers, the embedded runtime and assets, slugs) is the ground floor, `base`,
//! which imports none of them. `ARCHITECTURE.md` walks through it.

// A `Diagnostic` is large, but it travels only on the path that ends a build with an error.
#![allow(clippy::result_large_err)]

mod base;
mod exec;
#[doc(hidden)]
pub mod fuzzing;
mod input;
pub mod install;
mod page;

/// The checkout of this repository the library was compiled in (its `.cargo/config.toml` sets
/// the variable), `None` elsewhere. Reading it is what matters: cargo then rebuilds the library
/// when a target folder shared by two checkouts last built it for the other one.
#[doc(hidden)]
pub const CHECKOUT: Option<&str> = option_env!("MDBOOK_EXEC_CHECKOUT");

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;
use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::results::{CellOutput, Failure};
pub use crate::exec::Stats;
pub use crate::exec::depcache::Cleaned;
use crate::exec::depcache::DepCache;
use crate::input::config::{self, Config};
pub use crate::input::config::{ON_ERROR_VAR, OnError};
use crate::input::doc;
use crate::page::math::MathRenderer;
use crate::page::refs::Index;
use crate::page::{download, panel, splice};

/// The KaTeX version whose stylesheet and fonts pages need (the `katex` crate's).
pub const KATEX_VERSION: &str = page::math::KATEX_VERSION;

/// The files this binary embeds and a published package must carry: the runtime's source
/// (paths under `runtime/`) and the page assets (paths under `assets/`).
pub fn embedded_files() -> Vec<String> {
    let runtime = base::runtime::FILES.iter().map(|(p, _)| format!("runtime/{p}"));
    runtime.chain(base::assets::FILES.iter().map(|(p, _)| format!("assets/{p}"))).collect()
}

/// Empties the machine-wide cache of compiled cell dependencies (a book's `dependency-cache`
/// setting names a folder of its own, which its author removes by hand). Returns the folder and
/// what was removed; an error when the system names no cache folder or a build is using it.
pub fn clean() -> Result<(std::path::PathBuf, Cleaned)> {
    let Some(root) = config::default_dependency_cache() else {
        anyhow::bail!("this system names no cache folder, so there is no machine-wide cache to clean");
    };
    let cleaned = DepCache::new(&root).clean()?;
    Ok((root, cleaned))
}

/// The preprocessor, registered under the name `exec`.
#[derive(Debug, Default, Clone)]
pub struct ExecPreprocessor {
    stats: Arc<Stats>,
    on_error: Option<OnError>,
}

impl ExecPreprocessor {
    /// A preprocessor with fresh counters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decides what an author's mistake does, whatever `MDBOOK_EXEC_ON_ERROR` says: `build`
    /// commands force [`OnError::Fail`], so that the page mode of `serve` never leaks into them.
    pub fn on_error(mut self, on_error: OnError) -> Self {
        self.on_error = Some(on_error);
        self
    }

    /// The counters of the work done by every build this preprocessor ran.
    pub fn stats(&self) -> Arc<Stats> {
        Arc::clone(&self.stats)
    }
}

impl Preprocessor for ExecPreprocessor {
    fn name(&self) -> &str {
        "exec"
    }

    fn run(&self, ctx: &PreprocessorContext, book: Book) -> Result<Book> {
        process(ctx, book, &self.stats, self.on_error)
    }
}

/// Runs the whole pipeline on a book. On any user error the book is left unchanged and the
/// error lists every diagnostic, each at its chapter, line and column; in [`OnError::Page`]
/// mode the errors are printed and the chapters they are in show them where they happened.
pub fn process(ctx: &PreprocessorContext, mut book: Book, stats: &Stats, on_error: Option<OnError>) -> Result<Book> {
    let timer = Timer::new();
    let config = Config::from_context(ctx, "exec", on_error).map_err(|d| Diagnostics(vec![d]))?;
    let docs = doc::collect(&book, &config.src, &config.math.syntax);
    check_assets(ctx, &config, &docs)?;

    let mut diags: Vec<Diagnostic> = Vec::new();
    for d in &docs {
        for (offset, msg, help) in &d.scan.errors {
            diags.push(Diagnostic::at(&d.display, &d.source, *offset, msg.clone()).help(*help));
        }
    }

    timer.lap("scan");
    let mut warnings: Vec<Diagnostic> = config.warnings.clone();
    warnings.extend(docs.iter().flat_map(|d| {
        d.scan.warnings.iter().map(|(o, m)| Diagnostic::at(&d.display, &d.source, *o, m.clone()).warning())
    }));
    let exec::Executed { results, data } = exec::execute(&config, &docs, stats)?;
    timer.lap("execute");
    for r in &results {
        if let Err(failure) = r {
            diags.extend(failure.diags.iter().cloned());
        }
    }
    let page_mode = config.on_error == OnError::Page;
    let (index, index_diags) = Index::build(&docs, &results);
    // In page mode a value of a failed chapter reads as a marked `?`, so the prose still renders.
    let index = if page_mode { index.with_placeholders() } else { index };
    diags.extend(index_diags);

    // What each chapter shows: all its cells' outputs, or what ran before a failure (shown only
    // in page mode; otherwise the build fails anyway).
    let shown: Vec<Option<(&[CellOutput], Option<&Failure>)>> = results
        .iter()
        .map(|r| match r {
            Ok(cells) => Some((cells.as_slice(), None)),
            Err(f) if page_mode => Some((f.ran.as_slice(), Some(f))),
            Err(_) => None,
        })
        .collect();
    let no_notes = splice::CellNotes::new();
    let mut plans = Vec::new();
    for (d, s) in docs.iter().zip(&shown) {
        if let Some((cells, _)) = s {
            let (pieces, plan_diags) = splice::plan(d, cells, &index, &no_notes, config.fold_lines);
            diags.extend(plan_diags);
            plans.push((d, pieces));
        }
    }

    warnings.extend(index.unused(&docs, &results));
    for w in warnings {
        if config.deny_warnings {
            diags.push(
                Diagnostic { warning: false, ..w }
                    .help("`deny-warnings` is set in `[preprocessor.exec]`, so warnings fail the build"),
            );
        } else {
            eprintln!("{w}");
        }
    }

    timer.lap("plan");
    let mut math = MathRenderer::new(&config.cache_dir, config.math.clone());
    let equations = splice::equations(plans.iter().flat_map(|(_, p)| p));
    let failures = math.render_all(&equations);
    for (d, pieces) in &plans {
        let mut found = Vec::new();
        for (_, frags) in pieces {
            splice::Frag::equations(frags, &mut found);
        }
        for (eq, offset) in found {
            if let Some(e) = failures.get(eq) {
                let at = e.place_in(&d.source, offset, &eq.tex);
                diags.push(
                    Diagnostic::at(&d.display, &d.source, at, "this math does not render")
                        .detail(e.detail(&eq.tex))
                        .help(e.help),
                );
            }
        }
    }
    math.save(&equations, diags.is_empty())?;
    timer.lap("math");

    let mut failed_chapters = std::collections::HashSet::new();
    if !diags.is_empty() {
        diags.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        diags.dedup();
        // Errors that belong to no chapter (book.toml, the environment) always fail the build.
        if !page_mode || diags.iter().any(|d| d.offset.is_none()) {
            return Err(Diagnostics(diags).into());
        }
        eprintln!("{}", Diagnostics(diags.clone()));
        eprintln!("mdbook-exec: the pages show these errors where they happened (`{}=page`)", config::ON_ERROR_VAR);
        for ((d, pieces), s) in plans.iter_mut().zip(shown.iter().flatten()) {
            let mine: Vec<Diagnostic> = diags.iter().filter(|x| x.file == d.display).cloned().collect();
            if mine.is_empty() {
                continue;
            }
            let errors = panel::show(d, s.1, &mine);
            *pieces = splice::plan(d, s.0, &index, &errors.notes, config.fold_lines).0;
            errors.mark(pieces);
            panel::mark_math(pieces, &|eq| failures.contains_key(eq));
            failed_chapters.insert(d.display.clone());
        }
    }

    if config.downloads {
        // Every chapter whose cells all ran gets a download of its code, linked at its end.
        let ran: Vec<usize> = (0..plans.len())
            .filter(|&i| !plans[i].0.scan.cells.is_empty() && !failed_chapters.contains(&plans[i].0.display))
            .collect();
        let by_file: HashMap<_, _> = docs.iter().zip(&data).map(|(d, read)| (&d.display, read.as_slice())).collect();
        let docs_ran: Vec<(&doc::Doc, &[String])> =
            ran.iter().map(|&i| (plans[i].0, by_file.get(&plans[i].0.display).copied().unwrap_or_default())).collect();
        let downloads = download::write_all(&config, &ctx.config.book.title.clone().unwrap_or_default(), &docs_ran)?;
        let site_url = ctx.config.get::<String>("output.html.site-url").ok().flatten();
        for (i, dl) in ran.into_iter().zip(&downloads) {
            let (d, pieces) = &mut plans[i];
            pieces.push(download::link(d, dl, site_url.as_deref()));
        }
        timer.lap("downloads");
    }

    let mut contents: HashMap<_, _> =
        plans.into_iter().map(|(d, pieces)| (d.display.clone(), splice::apply(&d.source, pieces, &math))).collect();
    book.for_each_mut(|item| {
        if let BookItem::Chapter(ch) = item
            && let Some(path) = &ch.source_path
        {
            let display = config.src.join(path);
            if let Some(content) = contents.remove(&display) {
                ch.content = content;
            }
            if failed_chapters.contains(&display) {
                // The marker reaches the page's title, so a background tab shows it too.
                ch.name = format!("⚠ {}", ch.name);
            }
        }
    });
    timer.lap("splice");
    Ok(book)
}

/// Pages that show math or cell output need the installed stylesheet, fonts and script; a
/// renderer other than HTML needs none of them.
fn check_assets(ctx: &PreprocessorContext, config: &Config, docs: &[doc::Doc]) -> Result<()> {
    let shows_something = docs.iter().any(|d| !d.scan.cells.is_empty() || !d.scan.math.is_empty());
    if ctx.renderer != "html" || !shows_something {
        return Ok(());
    }
    let list = |key: &str| ctx.config.get::<Vec<std::path::PathBuf>>(key).ok().flatten().unwrap_or_default();
    let (css, js) = (list("output.html.additional-css"), list("output.html.additional-js"));
    base::assets::check(&config.root, &config.src, &css, &js).map_err(|d| Diagnostics(vec![d]).into())
}

/// Prints how long each stage took when `MDBOOK_EXEC_TIMINGS` is set.
struct Timer(Option<std::cell::Cell<std::time::Instant>>);

impl Timer {
    fn new() -> Timer {
        Timer(std::env::var_os("MDBOOK_EXEC_TIMINGS").map(|_| std::cell::Cell::new(std::time::Instant::now())))
    }

    fn lap(&self, stage: &str) {
        if let Some(start) = &self.0 {
            let now = std::time::Instant::now();
            eprintln!("mdbook-exec: {stage}: {:.1} ms", (now - start.get()).as_secs_f64() * 1e3);
            start.set(now);
        }
    }
}
