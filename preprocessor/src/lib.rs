//! `mdbook-exec`: an mdBook preprocessor that compiles and runs the Rust cells of each chapter
//! and puts what they produce into the book: text output, values in prose and inside math,
//! figures, tables, and every equation rendered by KaTeX at build time.
//!
//! [`process`] is the whole pipeline, one module per stage:
//! [`config`] (with [`katex_compat`]) → [`doc`] + [`scan`] → [`exec`] ([`program`], [`workspace`], [`run`],
//! [`protocol`], [`cache`]) → [`refs`] → [`splice`] (with [`format`] and [`figure`]) →
//! [`math`] → [`splice::apply`]. `ARCHITECTURE.md` walks through it.

pub mod assets;
pub mod cache;
pub mod config;
pub mod diag;
pub mod doc;
pub mod exec;
pub mod figure;
pub mod format;
#[doc(hidden)]
pub mod fuzzing;
pub mod install;
pub mod katex_compat;
pub mod math;
pub mod program;
pub mod protocol;
pub mod refs;
pub mod run;
pub mod scan;
pub mod splice;
pub mod workspace;

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;
use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
pub use crate::exec::Stats;
use crate::math::MathRenderer;
use crate::refs::Index;

/// The preprocessor, registered under the name `exec`.
#[derive(Debug, Default, Clone)]
pub struct ExecPreprocessor {
    stats: Arc<Stats>,
}

impl ExecPreprocessor {
    /// A preprocessor with fresh counters.
    pub fn new() -> Self {
        Self::default()
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
        process(ctx, book, &self.stats)
    }
}

/// Runs the whole pipeline on a book. On any user error the book is left unchanged and the
/// error lists every diagnostic, each at its chapter, line and column.
pub fn process(ctx: &PreprocessorContext, mut book: Book, stats: &Stats) -> Result<Book> {
    let timer = Timer::new();
    let config = Config::from_context(ctx, "exec").map_err(|d| Diagnostics(vec![d]))?;
    let docs = doc::collect(&book, &config.src);
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
    let results = exec::execute(&config, &docs, stats)?;
    timer.lap("execute");
    for r in &results {
        if let Err(e) = r {
            diags.extend(e.iter().cloned());
        }
    }
    let (index, index_diags) = Index::build(&docs, &results);
    diags.extend(index_diags);

    let mut plans = Vec::new();
    for (d, r) in docs.iter().zip(&results) {
        if let Ok(cells) = r {
            let (pieces, plan_diags) = splice::plan(d, cells, &index);
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
        for frag in pieces.iter().flat_map(|(_, f)| f) {
            if let splice::Frag::Math { eq, offset } = frag
                && let Some(msg) = failures.get(eq)
            {
                diags.push(
                    Diagnostic::at(&d.display, &d.source, *offset, "this math does not render")
                        .detail(msg.clone())
                        .help("fix the TeX; KaTeX's supported functions are listed at katex.org/docs/supported"),
                );
            }
        }
    }
    math.save(&equations)?;
    timer.lap("math");

    if !diags.is_empty() {
        diags.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        diags.dedup();
        return Err(Diagnostics(diags).into());
    }

    let mut contents: HashMap<_, _> =
        plans.into_iter().map(|(d, pieces)| (d.display.clone(), splice::apply(&d.source, pieces, &math))).collect();
    book.for_each_mut(|item| {
        if let BookItem::Chapter(ch) = item
            && let Some(path) = &ch.source_path
            && let Some(content) = contents.remove(&config.src.join(path))
        {
            ch.content = content;
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
    assets::check(&config.root, &config.src, &css, &js).map_err(|d| Diagnostics(vec![d]).into())
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
