//! Downloads: every chapter with cells, as a small Cargo project that reprints its page.
//!
//! The archive holds `Cargo.toml` (the book's crates at the versions its lock pins),
//! `Cargo.lock`, `src/main.rs` (the chapter's cells in order, each under a comment with the
//! heading it stood under), the runtime the cells call, and a README. `cargo run` then prints
//! what the page shows (the runtime's standalone mode speaks to a person when no preprocessor
//! is listening). Archives are byte-for-byte the same on every build (fixed order and timestamps) and are
//! rebuilt only when what they are made of changes. They are written into the assets folder
//! (`src/mdbook-exec/downloads/`), which mdBook copies into the site. This module never runs
//! the programs it packs.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mdbook_markdown::pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::base::assets::{self, DOWNLOADS as DIR};
use crate::base::fingerprint::Fingerprint;
use crate::base::format::html_escape;
use crate::base::fs::{write_atomic, write_if_changed};
use crate::base::markdown::{parser_options, relative_link};
use crate::base::runtime::{FILES as RUNTIME_FILES, GENERATED};
use crate::base::slug::slug;
use crate::exec::program::Program;
use crate::exec::workspace::{Workspace, crate_files};
use crate::input::config::Config;
use crate::input::doc::Doc;
use crate::page::splice::{Frag, Piece};

/// One chapter's archive, as the page links it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The archive's path relative to the book's `src` folder.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
}

/// A package name for a chapter: its key in lowercase letters, digits and dashes.
pub fn package_name(doc: &Doc) -> String {
    let mut name = slug(&doc.key);
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "chapter-");
    }
    name
}

/// The heading each cell stood under (the nearest one before it).
fn headings(doc: &Doc) -> Vec<String> {
    let found = all_headings(doc);
    doc.scan
        .cells
        .iter()
        .map(|cell| {
            found
                .iter()
                .rev()
                .find(|(at, _)| *at < cell.range.start)
                .map_or_else(|| "(before the first heading)".to_owned(), |(_, h)| h.clone())
        })
        .collect()
}

/// Every heading of the chapter, as (byte offset, `#`s and text), from the markdown parser.
fn all_headings(doc: &Doc) -> Vec<(usize, String)> {
    let mut found: Vec<(usize, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(&doc.source, parser_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => current = Some((range.start, "#".repeat(level as usize) + " ")),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => {
                if let Some((_, h)) = &mut current {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => found.extend(current.take()),
            _ => {}
        }
    }
    found
}

/// Writes the archives of `docs` (those that ran; `None` elsewhere) that are missing or out of
/// date, and returns where each is.
pub fn write_all(config: &Config, book_title: &str, docs: &[(&Doc, &[String])]) -> Result<Vec<Download>> {
    let ws = Workspace::new(config)?;
    // The build folder's lock, which cargo keeps to exactly the crates the chapters use.
    let lock = std::fs::read_to_string(ws.dir.join("Cargo.lock"))
        .or_else(|_| std::fs::read_to_string(config.lockfile.path()))
        .unwrap_or_default();
    let folder = assets::folder(&config.root, &config.src).join(DIR);
    let stamps = config.cache_dir.join(DIR);
    let mut out = Vec::new();
    let src = config.root.join(&config.src);
    for (doc, data) in docs {
        let name = package_name(doc);
        let mut files = project(doc, &name, book_title, &ws, &lock)?;
        files.extend(data_files(config, doc, &src, data, &ws)?);
        if !data.is_empty()
            && let Some((_, readme)) = files.iter_mut().find(|(p, _)| p == "README.md")
        {
            readme.extend_from_slice(
                b"\n`book/` holds the book's data files the cells read, where they were in the book's `src/`\n\
                  folder; `.cargo/config.toml` tells `exec::data` to look there.\n",
            );
        }
        let key = archive_key(env!("CARGO_PKG_VERSION"), &files);
        let archive = folder.join(format!("{name}.zip"));
        let stamp = stamps.join(format!("{name}.key"));
        let fresh = std::fs::read_to_string(&stamp).is_ok_and(|k| k == key);
        let bytes = match std::fs::metadata(&archive) {
            Ok(m) if fresh => m.len() as usize,
            _ => {
                let zip = zip(&name, &files)?;
                // The temporary file is made outside `src/`, so a build rendering the site at the
                // same moment never sees a half-written or temporary file.
                write_atomic(&archive, &zip, Some(&stamps))?;
                write_if_changed(&stamp, &key)?;
                zip.len()
            }
        };
        let path = Path::new(assets::DIR).join(DIR).join(format!("{name}.zip"));
        out.push(Download { path, bytes });
    }
    // Chapters that are gone (or failed) leave no archive behind to be published.
    let keep: Vec<String> = docs.iter().map(|(d, _)| package_name(d)).collect();
    // Only archives and their stamps: a temporary file is another build's write in progress.
    for (dir, ext) in [(&folder, "zip"), (&stamps, "key")] {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = e.path();
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            if path.extension().is_some_and(|x| x == ext) && !keep.iter().any(|k| k == stem) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    Ok(out)
}

/// What an archive is made of, hashed: rebuilt when this changes.
fn archive_key(version: &str, files: &[(String, Vec<u8>)]) -> String {
    let mut f = Fingerprint::new();
    f.raw(version.as_bytes());
    for (path, bytes) in files {
        f.field(path, bytes);
    }
    f.hex()
}

/// The files a chapter's project carries besides its code: the book's data files it read
/// (under `book/`, where they were under `src/`, with a `.cargo/config.toml` that tells
/// `exec::data` so) and the author's own crates it depends on (under `crates/`).
fn data_files(
    config: &Config,
    doc: &Doc,
    src: &Path,
    data: &[String],
    ws: &Workspace,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    if !data.is_empty() {
        let in_src = doc.display.strip_prefix(&config.src).unwrap_or(&doc.display);
        let dir = in_src.parent().map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
        let cargo_config = format!(
            "# Where `exec::data` finds the book's data files: `book/` holds them as the book's `src/` did.\n\
             [env]\nMDBOOK_EXEC_SRC = {{ value = \"book\", relative = true }}\nMDBOOK_EXEC_CHAPTER_DIR = {:?}\n",
            dir
        );
        files.push((".cargo/config.toml".to_owned(), cargo_config.into_bytes()));
        for rel in data {
            let path = src.join(rel);
            let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            files.push((format!("book/{rel}"), bytes));
        }
    }
    for (name, dir) in ws.path_crates_list() {
        for (rel, path) in crate_files(&dir)? {
            let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            files.push((format!("crates/{name}/{rel}"), bytes));
        }
    }
    Ok(files)
}

/// The files of one chapter's project, as (path in the project, content), in archive order.
fn project(doc: &Doc, name: &str, book_title: &str, ws: &Workspace, lock: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let chapter = doc.number.as_deref().map_or_else(String::new, |n| format!("chapter {n} of "));
    // The first level-1 heading (not a `# ` line inside code).
    let title = all_headings(doc).into_iter().find_map(|(_, h)| h.strip_prefix("# ").map(str::to_owned));
    let title = title.as_deref().unwrap_or(&doc.key).trim();
    let header = format!(
        "//! {title}\n//!\n//! The executed cells of {chapter}\"{book_title}\" ({}), in order, as one program.\n\
         //! `cargo run` prints what the page shows: each cell's output after a `-- cell N --` line,\n\
         //! values as `name = value`, one line per passed check (a failed check stops the program\n\
         //! with an error), tables as text; figures are written as SVG files into `figures/`.\n\
         //! Generated by mdbook-exec {}.",
        doc.display.display(),
        env!("CARGO_PKG_VERSION")
    );
    let notes: Vec<String> =
        headings(doc).into_iter().enumerate().map(|(i, h)| format!("{h}\n(cell {} of the chapter)", i + 1)).collect();
    let main = Program::standalone(&header, &doc.scan.cells, &notes);

    let mut manifest: toml::Table = ws.manifest.parse().context("the chapters manifest")?;
    // In the build the runtime lives in the dependency cache; here it sits beside the chapter.
    manifest["dependencies"]["mdbook-exec-runtime"]
        .as_table_mut()
        .expect("the runtime is a table")
        .insert("path".into(), "runtime".into());
    manifest.insert("workspace".into(), toml::toml! { members = ["runtime"] }.into());
    let mut runtime_manifest: toml::Table = ws.runtime_manifest.parse().context("the runtime manifest")?;
    runtime_manifest.remove("workspace");
    let package = manifest.get_mut("package").and_then(toml::Value::as_table_mut).expect("a [package] table");
    package.insert("name".into(), name.into());
    package.insert("version".into(), "0.1.0".into());
    package.insert("description".into(), format!("The executed cells of {title}").into());
    let pinned = pinned_versions(lock);
    if let Some(deps) = manifest.get_mut("dependencies").and_then(toml::Value::as_table_mut) {
        for (dep, spec) in deps.iter_mut() {
            let Some(version) = pinned.get(dep.as_str()) else { continue };
            if let Some(t) = spec.as_table_mut()
                && t.contains_key("path")
                && dep != "mdbook-exec-runtime"
            {
                // The author's own crate travels with the project (see `data_files`).
                t.insert("path".into(), format!("crates/{dep}").into());
            }
            match spec {
                toml::Value::String(v) => *v = version.clone(),
                toml::Value::Table(t) if t.contains_key("version") => {
                    t.insert("version".into(), version.clone().into());
                }
                _ => {}
            }
        }
    }
    let manifest = format!(
        "# The crates the chapter's cells use, at the versions the book was built with (see Cargo.lock).\n{}",
        toml::to_string(&manifest)?.replace(GENERATED, "")
    );
    let lock = lock.replace(
        "name = \"mdbook-exec-chapters\"\nversion = \"0.0.0\"",
        &format!("name = \"{name}\"\nversion = \"0.1.0\""),
    );

    let readme = format!(
        "# {title}\n\nThe executed cells of {chapter}*{book_title}*, as a Cargo project: `src/main.rs` holds the\n\
         chapter's cells in order, each under a comment naming the heading it stood under, and\n\
         `runtime/` is the small library the cells call as `exec`.\n\n\
         ```sh\ncargo run\n```\n\n\
         prints what the page shows, cell by cell (a `-- cell N --` line starts each): the text the\n\
         cells print, each exported value as `name = value`, one line per check that held (a check\n\
         that fails stops the program with an error), tables as aligned text. Figures are written\n\
         as SVG files into `figures/`. An exploration (a figure with a slider on the page) runs the\n\
         frame the page shows first; choose another with `cargo run -- name=value`.\n\n\
         `Cargo.lock` pins the crates the book was built with; `cargo run --offline` works once\n\
         they are downloaded. Change a cell and run again to see what changes.\n"
    );
    let mut files = vec![
        ("Cargo.toml".to_owned(), manifest),
        ("Cargo.lock".to_owned(), lock),
        ("README.md".to_owned(), readme),
        ("src/main.rs".to_owned(), main),
        ("runtime/Cargo.toml".to_owned(), toml::to_string(&runtime_manifest)?),
    ];
    files.extend(RUNTIME_FILES.iter().map(|(p, t)| (format!("runtime/src/{p}"), (*t).to_owned())));
    Ok(files.into_iter().map(|(p, t)| (p, t.into_bytes())).collect())
}

/// The version the lock pins for each crate it holds once.
fn pinned_versions(lock: &str) -> std::collections::HashMap<String, String> {
    let mut seen: std::collections::HashMap<String, Option<String>> = std::collections::HashMap::new();
    let parsed: toml::Table = lock.parse().unwrap_or_default();
    for p in parsed.get("package").and_then(toml::Value::as_array).into_iter().flatten() {
        let (Some(name), Some(version)) =
            (p.get("name").and_then(toml::Value::as_str), p.get("version").and_then(toml::Value::as_str))
        else {
            continue;
        };
        seen.entry(name.to_owned()).and_modify(|v| *v = None).or_insert_with(|| Some(version.to_owned()));
    }
    seen.into_iter().filter_map(|(k, v)| Some((k, v?))).collect()
}

/// A zip archive of `files` under the folder `name`, the same bytes for the same files.
fn zip(name: &str, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::DEFAULT)
        .unix_permissions(0o644);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, text) in files {
        w.start_file(format!("{name}/{path}"), options)?;
        w.write_all(text)?;
    }
    Ok(w.finish()?.into_inner())
}

/// The link at the end of a chapter to its archive. In print the address is written out,
/// absolute when the book's `site-url` is.
pub fn link(doc: &Doc, download: &Download, site_url: Option<&str>) -> Piece {
    let href = relative_link(&doc.path, &download.path);
    let path = download.path.to_string_lossy().replace('\\', "/");
    let shown = match site_url {
        Some(site) if site.starts_with("http://") || site.starts_with("https://") => {
            format!("{}/{path}", site.trim_end_matches('/'))
        }
        _ => path,
    };
    let kb = download.bytes.div_ceil(1024);
    let html = format!(
        "\n\n<div class=\"exec-download\"><a href=\"{}\" download>Run this chapter yourself</a>: a Cargo project ({kb} KB) whose <code>cargo run</code> prints what this page shows, checks included.<span class=\"exec-print-url\"> Download: {}</span></div>\n",
        html_escape(&href),
        html_escape(&shown)
    );
    let end = doc.source.len();
    (end..end, vec![Frag::Text(html)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_what_the_lock_holds_once() {
        let lock = "version = 4\n[[package]]\nname = \"a\"\nversion = \"1.2.3\"\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n";
        let pinned = pinned_versions(lock);
        assert_eq!(pinned.get("a").map(String::as_str), Some("1.2.3"));
        assert!(!pinned.contains_key("b"), "two versions: nothing to pin");
    }

    #[test]
    fn keys_are_pinned() {
        let files = [
            ("Cargo.toml".to_owned(), b"[package]\n".to_vec()),
            ("src/main.rs".to_owned(), b"fn main() {}\n".to_vec()),
        ];
        assert_eq!(archive_key("0.1.0", &files), "1535b234cf57a8dac0682a534e9c0f8dc82da834968d80cbdec70b5fd5b87776");
    }

    #[test]
    fn archives_are_deterministic() {
        let files = vec![("a.txt".to_owned(), b"one".to_vec()), ("src/b.rs".to_owned(), b"fn main() {}".to_vec())];
        let a = zip("p", &files).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(a, zip("p", &files).unwrap(), "no timestamps of the moment");
        let mut back = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
        assert_eq!(back.by_index(1).unwrap().name().unwrap(), "p/src/b.rs");
    }
}
