//! Executing chapters: cache lookup, one cargo build for every stale chapter, parallel runs,
//! and turning every failure into a diagnostic at its markdown position.
//!
//! This module decides what counts as a failed cell (a compile error, an uncaught panic, an
//! exit before the end, a time-out, a `should-panic` cell that returned) and stores only
//! successful results, so the cache never holds a failure and never loses the last good
//! result of a chapter. It never edits chapter text.

pub mod cache;
pub mod depcache;
pub mod program;
pub mod progress;
pub mod protocol;
pub mod run;
pub mod workspace;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use annotate_snippets::{AnnotationKind, Group, Level, Patch, Renderer, Snippet};
use anyhow::{Context, Result, bail};

use crate::base::diag::Diagnostic;
use crate::base::fingerprint::hash_hex;
use crate::base::results::{ChapterResult, Failure};
use crate::base::slug::slug;
use crate::exec::cache::{Cache, KeyBase, Lookup, data_fresh, data_hashes, memo_keys};
use crate::exec::depcache::DepCache;
use crate::exec::program::Program;
use crate::exec::progress::Progress;
use crate::exec::run::{RunOutcome, RunSpec, run_all};
use crate::exec::workspace::{CompilerMessage, CompilerSpan, Workspace};
use crate::input::config::Config;
use crate::input::doc::Doc;

/// Counters of the expensive work a build did, for tests and progress messages.
#[derive(Debug, Default)]
pub struct Stats {
    /// `cargo build` invocations.
    pub cargo_builds: AtomicUsize,
    /// Chapter programs started.
    pub programs_run: AtomicUsize,
    /// Chapters answered from the cache.
    pub cache_hits: AtomicUsize,
    /// Cache entries found damaged and recomputed.
    pub cache_corrupt: AtomicUsize,
    /// Units other than chapter programs (crates, build scripts, the runtime) that cargo
    /// compiled because the dependency cache did not have them.
    pub dependencies_compiled: AtomicUsize,
    /// Wall-clock milliseconds spent in `cargo build` of chapter programs.
    pub compile_ms: AtomicUsize,
    /// Chapters run again because a data file they read changed.
    pub data_changed: AtomicUsize,
    /// Memos read from disk, and memos computed, by the chapters that ran.
    pub memos_reused: AtomicUsize,
    pub memos_computed: AtomicUsize,
}

/// What [`execute`] learned, by chapter (in the order of the docs).
#[derive(Debug)]
pub struct Executed {
    /// Each chapter's result.
    pub results: Vec<ChapterResult>,
    /// The book's data files each chapter read (`exec::data`), relative to `src/`.
    pub data: Vec<Vec<String>>,
}

struct Job<'a> {
    doc: &'a Doc,
    program: Program,
    key: String,
    bin: String,
}

/// Executes every chapter that has cells; chapters without cells get an empty result.
///
/// The build folder is locked for the whole stage, so two builds of one book (`serve` beside
/// `build`) take turns instead of writing the same files at once.
pub fn execute(config: &Config, docs: &[Doc], stats: &Stats) -> Result<Executed> {
    let mut data: Vec<Vec<String>> = docs.iter().map(|_| Vec::new()).collect();
    if docs.iter().all(|d| d.scan.cells.is_empty()) {
        return Ok(Executed { results: docs.iter().map(|_| Ok(Vec::new())).collect(), data });
    }
    let src = config.root.join(&config.src);
    let _lock = lock(&config.build_dir)?;
    let deps = DepCache::new(&config.dependency_cache);
    let _using_deps = deps.lock_shared()?;
    let mut results: Vec<Option<ChapterResult>> = docs.iter().map(|_| None).collect();
    let ws = Workspace::new(config)?;
    let resolved = ws.resolve(&config.lockfile, &deps)?;
    let path_crates = ws.path_crates()?;
    let base = KeyBase::new(&ws.manifest, &resolved, config.output_limit, config.max_frames)
        .with_path_crates(path_crates.as_deref());
    let cache = Cache::new(&config.cache_dir);
    let tag = book_tag(config);

    let mut keys = HashSet::new();
    let mut bins = HashSet::new();
    let mut stale = Vec::new();
    let mut target = None;
    let mut programs: Vec<Option<Program>> = Vec::with_capacity(docs.len());
    for (i, doc) in docs.iter().enumerate() {
        if doc.scan.cells.is_empty() {
            results[i] = Some(Ok(Vec::new()));
            programs.push(None);
            continue;
        }
        let program = Program::generate(&doc.display.display().to_string(), &doc.scan.cells);
        let key = base.key(&program.source);
        let bin = bin_name(&tag, &doc.key);
        keys.insert(key.clone());
        bins.insert(bin.clone());
        programs.push(Some(program.clone()));
        match cache.load(&key) {
            // The data files are read and hashed once: a hit holds only while they are unchanged.
            Lookup::Hit(cells, read) => {
                if !data_fresh(&src, &read) {
                    stats.data_changed.fetch_add(1, Ordering::Relaxed);
                } else if cells.len() == doc.scan.cells.len() {
                    stats.cache_hits.fetch_add(1, Ordering::Relaxed);
                    results[i] = Some(Ok(cells));
                    data[i] = read.into_iter().map(|(p, _)| p).collect();
                    continue;
                }
            }
            Lookup::Corrupt => {
                eprintln!("mdbook-exec: the cached result of {} was damaged; recomputing it", doc.display.display());
                stats.cache_corrupt.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
        stale.push((i, Job { doc, program, key, bin }));
    }

    if !stale.is_empty() {
        let progress = Progress::start();
        let report = progress.reporter();
        let entry = deps.entry(&ws.manifest, &resolved)?;
        ws.prepare(&deps.runtime(&ws.runtime_manifest)?)?;
        // Every chapter with cells is a module of the book's binary, so that an edit recompiles
        // one module of a crate whose other modules rustc's incremental cache still holds.
        let mut modules: Vec<String> = Vec::new();
        for (doc, program) in docs.iter().zip(&programs) {
            if let Some(program) = program {
                let bin = bin_name(&tag, &doc.key);
                ws.write_chapter(&bin, &program.source)?;
                modules.push(bin);
            }
        }
        report.compiling(stale.len());
        let mut to_run = Vec::new();
        let mut pending = stale;
        // A chapter that does not compile is left out and the others compiled again, so that
        // they still run; rustc may report some errors only once others are gone.
        loop {
            stats.cargo_builds.fetch_add(1, Ordering::Relaxed);
            let started = std::time::Instant::now();
            let built = ws.build(&entry.target, &tag, &modules, &report)?;
            stats.compile_ms.fetch_add(started.elapsed().as_millis() as usize, Ordering::Relaxed);
            stats.dependencies_compiled.fetch_add(built.dependencies_compiled, Ordering::Relaxed);
            let mut errors = built.errors;
            if errors.is_empty() {
                to_run.append(&mut pending);
                break;
            }
            modules.retain(|m| !errors.contains_key(m));
            for (i, job) in std::mem::take(&mut pending) {
                match errors.remove(&job.bin) {
                    Some(messages) => results[i] = Some(Err(Failure::compile(compile_diagnostics(&job, &messages)))),
                    None => pending.push((i, job)),
                }
            }
            if !errors.is_empty() {
                // A chapter answered from the cache failed to compile: its toolchain or crates
                // are the same, so this is not expected; say which.
                bail!("chapters whose results are cached failed to compile: {:?}", errors.keys().collect::<Vec<_>>());
            }
            if pending.is_empty() {
                break;
            }
        }
        report.running(to_run.len());
        let exe = Workspace::executable(&entry.target, &tag);
        let specs = to_run
            .iter()
            .map(|(_, job)| {
                let cells = job.doc.scan.cells.len();
                let memo_keys =
                    memo_keys(&entry.toolchain, &ws.manifest, &resolved, path_crates.as_deref(), &job.program, cells);
                RunSpec {
                    exe: exe.clone(),
                    chapter: job.bin.clone(),
                    display: job.doc.display.display().to_string(),
                    scratch: ws.scratch(&job.bin),
                    nonce: job.key[..16].to_owned(),
                    cells,
                    output_limit: config.output_limit,
                    timeout: config.timeout,
                    max_frames: config.max_frames,
                    env: vec![
                        ("MDBOOK_EXEC_SRC".to_owned(), src.to_string_lossy().into_owned()),
                        ("MDBOOK_EXEC_CHAPTER_DIR".to_owned(), chapter_dir(config, job.doc)),
                        ("MDBOOK_EXEC_MEMO_DIR".to_owned(), memo_dir(config, &job.bin).to_string_lossy().into_owned()),
                        ("MDBOOK_EXEC_MEMO_KEYS".to_owned(), memo_keys),
                    ],
                }
            })
            .collect();
        stats.programs_run.fetch_add(to_run.len(), Ordering::Relaxed);
        for ((i, job), outcome) in to_run.into_iter().zip(run_all(specs, &report)) {
            let mut outcome = outcome?;
            stats.memos_reused.fetch_add(outcome.parsed.memos_reused, Ordering::Relaxed);
            stats.memos_computed.fetch_add(outcome.parsed.memos_computed, Ordering::Relaxed);
            let read = outcome.parsed.data.clone();
            let memo_files = std::mem::take(&mut outcome.parsed.memo_files);
            let result = judge(config, &job, outcome);
            if let Ok(cells) = &result {
                cache.store(&job.key, cells, &data_hashes(&src, &read))?;
                // Memos the chapter no longer calls would otherwise stay forever.
                prune_chapter_memos(&memo_dir(config, &job.bin), &memo_files);
            }
            data[i] = read;
            results[i] = Some(result);
        }
        target = Some(entry.target);
    }

    let results: Vec<ChapterResult> = results.into_iter().map(|r| r.expect("every chapter has a result")).collect();
    if let Some(target) = target
        && results.iter().all(Result::is_ok)
    {
        // Results and programs of cells that are gone are dropped, so nothing stale can show.
        // Only after a build that compiled something: cells can only disappear by an edit, which
        // makes their chapter stale, and a warm rebuild should not list folders.
        cache.prune(&keys);
        ws.prune_programs(&tag, &bins, &target);
        prune_memos(config, &tag, &bins);
    }
    Ok(Executed { results, data })
}

/// The chapter's folder in `src/` (`""` for a chapter at the top), with `/` between parts.
fn chapter_dir(config: &Config, doc: &Doc) -> String {
    let in_src = doc.display.strip_prefix(&config.src).unwrap_or(&doc.display);
    in_src.parent().map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default()
}

/// The folder of a chapter's memos.
fn memo_dir(config: &Config, bin: &str) -> std::path::PathBuf {
    config.cache_dir.join("memo").join(bin)
}

/// Removes the memo files in `dir` (a chapter's) that its last successful run did not use.
fn prune_chapter_memos(dir: &std::path::Path, used: &[String]) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".memo") && !used.contains(&name) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Removes the memos of this book's chapters that are gone.
fn prune_memos(config: &Config, tag: &str, keep: &HashSet<String>) {
    let suffix = format!("_{tag}");
    for e in std::fs::read_dir(config.cache_dir.join("memo")).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(&suffix) && !keep.contains(&name) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Holds an exclusive lock on the build folder until dropped.
fn lock(build_dir: &std::path::Path) -> Result<std::fs::File> {
    let path = build_dir.join(".lock");
    let file = crate::base::fs::lock_file(&path)?;
    if file.try_lock().is_err() {
        eprintln!("mdbook-exec: waiting for another build of this book to finish");
        file.lock().with_context(|| format!("locking {}", path.display()))?;
    }
    Ok(file)
}

/// A short tag for the book, so that books sharing a build folder keep apart.
fn book_tag(config: &Config) -> String {
    hash_hex(config.root.to_string_lossy().as_bytes())[..8].to_owned()
}

/// A stable, readable binary name per chapter, ending in the book's tag. No `-` in it: the
/// pruning of old programs reads what follows a `-` as cargo's hash.
fn bin_name(tag: &str, chapter_key: &str) -> String {
    let stem = slug(chapter_key).replace('-', "_");
    format!("ch_{stem}_{}_{tag}", &hash_hex(chapter_key.as_bytes())[..4])
}

/// Decides whether a run succeeded; a failure becomes a diagnostic at the cell responsible.
fn judge(config: &Config, job: &Job<'_>, outcome: RunOutcome) -> ChapterResult {
    let doc = job.doc;
    let cells = &doc.scan.cells;
    let parsed = outcome.parsed;
    let current = parsed.current.unwrap_or(0).min(cells.len() - 1);
    let at_cell = |i: usize, msg: String| Diagnostic::at(&doc.display, &doc.source, cells[i].range.start, msg);
    let stderr_tail = tail(&outcome.stderr, 40);
    // What ran before the failure stays, so that a page showing the error can show it too.
    let failed =
        |cell: usize, diag: Diagnostic| Err(Failure { diags: vec![diag], ran: parsed.cells.clone(), cell: Some(cell) });

    let Some(status) = outcome.status else {
        let msg = format!(
            "cell {} was still running after {} s; the chapter was stopped",
            current + 1,
            config.timeout.as_secs()
        );
        return failed(
            current,
            at_cell(current, msg)
                .detail(stderr_tail)
                .help("make the cell finish sooner, or raise `timeout` (seconds) in `[preprocessor.exec]`"),
        );
    };
    if let Some(p) = &parsed.panic {
        let file_is_ours = p.file.ends_with(&format!("{}.rs", job.bin));
        let origin = file_is_ours.then(|| job.program.origin_of_char_col(cells, p.line, p.col)).flatten();
        let (cell, d) = match origin {
            Some(o) => {
                (o.cell, Diagnostic::at(&doc.display, &doc.source, o.offset, format!("cell {} panicked", o.cell + 1)))
            }
            None => {
                let c = p.cell.min(cells.len() - 1);
                (c, at_cell(c, format!("cell {} panicked", p.cell + 1)))
            }
        };
        return failed(
            cell,
            d.detail(p.msg.clone()).help("fix the cell, or mark it `should-panic` if the panic is what it shows"),
        );
    }
    if let Some(i) = parsed.no_panic {
        return failed(
            i,
            at_cell(i, format!("cell {} is marked `should-panic` but did not panic", i + 1))
                .help("remove `should-panic` from the cell's info string, or make it panic"),
        );
    }
    if !status.success() || !parsed.done {
        let how = match status.code() {
            Some(code) => format!("exited with code {code}"),
            None => "was killed by a signal".to_owned(),
        };
        return failed(
            current,
            at_cell(current, format!("the chapter program {how} during cell {}", current + 1))
                .detail(stderr_tail)
                .help(
                    "cells must run to the end of the chapter: return normally instead of calling `std::process::exit`",
                ),
        );
    }
    if let Some(bad) = parsed.bad_records.first() {
        return failed(
            current,
            at_cell(current, "a cell wrote output that looks like an mdbook-exec record but is not one".to_owned())
                .detail(bad.clone())
                .help("do not print the mdbook-exec marker yourself"),
        );
    }
    Ok(parsed.cells)
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Maps rustc's messages for one chapter onto the markdown and renders them there.
fn compile_diagnostics(job: &Job<'_>, messages: &[CompilerMessage]) -> Vec<Diagnostic> {
    let doc = job.doc;
    let cells = &doc.scan.cells;
    // The book's binary names its modules `src/bin/../chapters/<bin>.rs`.
    let ours = format!("chapters/{}.rs", job.bin);
    let path = doc.display.display().to_string();
    let map = |s: &CompilerSpan| -> Option<std::ops::Range<usize>> {
        if !s.file_name.ends_with(&ours) {
            return None;
        }
        let start = job.program.origin_of_offset(cells, s.byte_start)?.offset;
        let end = job.program.origin_of_offset(cells, s.byte_end).map_or(start, |o| o.offset).max(start);
        Some(start..end)
    };

    let mut diags = Vec::new();
    for m in messages {
        let primary = m.spans.iter().find(|s| s.is_primary).and_then(map);
        let Some(primary) = primary else {
            // Nothing maps into a cell (an error in generated glue): say so with rustc's text.
            let d = Diagnostic::at(&doc.display, &doc.source, cells[0].range.start, format!("chapter does not compile: {}", m.message))
                .detail(m.rendered.clone().unwrap_or_default())
                .help("the message points into code mdbook-exec generated around the cells; check the cells' braces and items");
            diags.push(d);
            continue;
        };

        let mut snippet = Snippet::source(doc.source.as_str())
            .path(path.as_str())
            .annotation(AnnotationKind::Primary.span(primary.clone()).label(primary_label(m)));
        for s in m.spans.iter().filter(|s| !s.is_primary) {
            if let Some(r) = map(s) {
                snippet = snippet.annotation(AnnotationKind::Context.span(r).label(s.label.clone()));
            }
        }
        let mut title = Level::ERROR.primary_title(m.message.as_str());
        if let Some(code) = &m.code {
            title = title.id(code.code.as_str());
        }
        let mut groups = vec![title.element(snippet)];
        let mut first_help = None;
        for child in &m.children {
            let level = if child.level == "help" { Level::HELP } else { Level::NOTE };
            let patches: Vec<Patch<'_>> = child
                .spans
                .iter()
                .filter_map(|s| Some(Patch::new(map(s)?, s.suggested_replacement.clone()?)))
                .collect();
            if child.level == "help" && first_help.is_none() {
                first_help = Some(child.message.clone());
            }
            if patches.is_empty() {
                groups.push(Group::with_title(level.secondary_title(child.message.as_str())));
            } else {
                groups.push(
                    level
                        .secondary_title(child.message.as_str())
                        .element(Snippet::source(doc.source.as_str()).path(path.as_str()).patches(patches)),
                );
            }
        }
        let rendered = Renderer::plain().render(&groups);
        let code = m.code.as_ref().map(|c| format!(" [{}]", c.code)).unwrap_or_default();
        diags.push(
            Diagnostic::at(
                &doc.display,
                &doc.source,
                primary.start,
                format!("cell does not compile: {}{code}", m.message),
            )
            .detail(rendered)
            .help(first_help.unwrap_or_else(|| "fix the cell; the lines above are the chapter's markdown".to_owned())),
        );
    }
    diags
}

fn primary_label(m: &CompilerMessage) -> String {
    m.spans.iter().find(|s| s.is_primary).and_then(|s| s.label.clone()).unwrap_or_default()
}
