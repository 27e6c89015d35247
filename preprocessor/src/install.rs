//! `mdbook-exec install [BOOK_DIR]`: sets a book up to use mdbook-exec.
//!
//! It writes the embedded [`assets`](mod@crate::base::assets) into the book's `src/mdbook-exec/` and adds
//! what `book.toml` needs (`[preprocessor.exec]`, and the stylesheet and script under
//! `[output.html]`), editing the file with `toml_edit` so that the author's formatting and
//! comments stay as they were. Running it twice changes nothing; a newer binary replaces the
//! assets with its own. This module never builds the book.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use toml_edit::{Array, DocumentMut, Item, Table, Value};

use crate::base::assets;
use crate::base::fs::{write_atomic, write_if_changed};

/// What an installation changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The assets folder.
    pub folder: PathBuf,
    /// Asset files written (new or different), relative to the folder.
    pub written: Vec<String>,
    /// Files removed from the folder because this version does not ship them.
    pub removed: Vec<String>,
    /// Whether `book.toml` was changed.
    pub book_toml_changed: bool,
    /// Whether the book used mdBook's MathJax support and was switched to math rendered when
    /// it is built.
    pub from_mathjax: bool,
}

impl Installed {
    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        !self.written.is_empty() || !self.removed.is_empty() || self.book_toml_changed
    }

    /// A short account for the terminal.
    pub fn summary(&self) -> String {
        if !self.changed() {
            return format!("mdbook-exec: {} is up to date", self.folder.display());
        }
        let mut s = format!("mdbook-exec: wrote {} asset file(s) into {}", self.written.len(), self.folder.display());
        if !self.removed.is_empty() {
            s += &format!(", removed {} old one(s)", self.removed.len());
        }
        if self.book_toml_changed {
            s += "; added mdbook-exec's entries to book.toml";
        }
        if self.from_mathjax {
            s += "; the book's MathJax math is now rendered when the book is built: `output.html.mathjax-support` is off and `math.syntax = \"mathjax\"` is set";
        }
        s
    }
}

/// Installs into the book whose `book.toml` is in `book_dir`.
pub fn install(book_dir: &Path) -> Result<Installed> {
    let toml_path = book_dir.join("book.toml");
    let text = std::fs::read_to_string(&toml_path).with_context(|| {
        format!("no book.toml in {}; run `mdbook init` there first, or name the book's folder", book_dir.display())
    })?;
    let mut doc: DocumentMut = text.parse().with_context(|| format!("{} is not valid TOML", toml_path.display()))?;
    let src = doc
        .get("book")
        .and_then(|b| b.get("src"))
        .and_then(Item::as_str)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("src"));

    let from_mathjax = edit_book_toml(&mut doc, &src)?;
    let new_text = doc.to_string();
    let book_toml_changed = new_text != text;
    if book_toml_changed {
        write_if_changed(&toml_path, &new_text)?;
    }

    let folder = assets::folder(book_dir, &src);
    let mut installed = Installed { folder: folder.clone(), book_toml_changed, from_mathjax, ..Installed::default() };
    let mut wanted: Vec<PathBuf> = Vec::new();
    for (path, bytes) in assets::FILES {
        let target = folder.join(path);
        wanted.push(target.clone());
        if std::fs::read(&target).ok().as_deref() != Some(*bytes) {
            write_asset(&folder, &target, bytes)?;
            installed.written.push((*path).to_owned());
        }
    }
    let stamp = folder.join(assets::STAMP);
    wanted.push(stamp.clone());
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(assets::stamp()) {
        write_asset(&folder, &stamp, assets::stamp().as_bytes())?;
        installed.written.push(assets::STAMP.to_owned());
    }
    remove_others(&folder, &folder, &wanted, &mut installed.removed)?;
    Ok(installed)
}

/// Adds `[preprocessor.exec]` (after `links`, so `{{#include}}`d cells are seen) and the
/// stylesheet and script to `[output.html]`, leaving everything already there alone. A book
/// that uses mdBook's MathJax support is switched: `mathjax-support` is turned off (so pages
/// load no MathJax) and `math.syntax = "mathjax"` makes its math be found where MathJax found
/// it; returns whether that was done.
fn edit_book_toml(doc: &mut DocumentMut, src: &Path) -> Result<bool> {
    let mathjax = doc
        .get("output")
        .and_then(|o| o.get("html"))
        .and_then(|h| h.get("mathjax-support"))
        .and_then(Item::as_bool)
        .unwrap_or(false);
    let preprocessors = table(doc.as_table_mut(), "preprocessor")?;
    preprocessors.set_implicit(true);
    if !preprocessors.contains_key("exec") {
        let mut exec = Table::new();
        exec.insert("after", Item::Value(Value::Array(Array::from_iter(["links"]))));
        preprocessors.insert("exec", Item::Table(exec));
    }
    if mathjax {
        let exec = table(preprocessors, "exec")?;
        let math = exec.entry("math").or_insert_with(|| {
            let mut math = Table::new();
            math.set_dotted(true);
            Item::Table(math)
        });
        let Some(math) = math.as_table_like_mut() else {
            bail!("`preprocessor.exec.math` in book.toml is not a table; mdbook-exec needs to add `syntax` to it");
        };
        if !math.contains_key("syntax") {
            math.insert("syntax", Item::Value(Value::from("mathjax")));
        }
    }
    let output = table(doc.as_table_mut(), "output")?;
    output.set_implicit(true);
    let html = table(output, "html")?;
    if mathjax && let Some(value) = html.get_mut("mathjax-support").and_then(Item::as_value_mut) {
        // The author's spacing and comment around the value stay.
        let decor = value.decor().clone();
        *value = Value::from(false);
        *value.decor_mut() = decor;
    }
    let (css, js) = assets::html_entries(src);
    add_to_list(html, "additional-css", &css)?;
    add_to_list(html, "additional-js", &js)?;
    Ok(mathjax)
}

/// The sub-table `key` of `parent`, created when missing.
fn table<'a>(parent: &'a mut Table, key: &str) -> Result<&'a mut Table> {
    let item = parent.entry(key).or_insert_with(|| Item::Table(Table::new()));
    match item.as_table_mut() {
        Some(t) => Ok(t),
        None => bail!("`{key}` in book.toml is not a table; mdbook-exec needs to add entries to it"),
    }
}

/// Appends `entry` to the array `key` unless it is there.
fn add_to_list(table: &mut Table, key: &str, entry: &str) -> Result<()> {
    let item = table.entry(key).or_insert_with(|| Item::Value(Value::Array(Array::new())));
    let Some(list) = item.as_array_mut() else {
        bail!("`output.html.{key}` in book.toml is not a list of paths");
    };
    let present = list.iter().any(|v| v.as_str().is_some_and(|s| s.trim_start_matches("./") == entry));
    if !present {
        list.push(entry);
    }
    Ok(())
}

/// Writes `path`, inside the assets `folder`, whole. The temporary file is made beside the
/// folder, not in it: a second `install` running at the same time (a test beside
/// `cargo xtask serve`, say) would otherwise take it for a stale asset and remove it.
fn write_asset(folder: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes, Some(folder.parent().expect("the assets folder is in the book's source folder")))
}

/// Removes files of the assets folder that this version does not ship (fonts of an older
/// KaTeX, say). Only the folder mdbook-exec owns is touched.
fn remove_others(dir: &Path, base: &Path, keep: &[PathBuf], removed: &mut Vec<String>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && p == base.join(assets::DOWNLOADS) {
            // The chapters' downloads are written by builds, not by `install`.
            continue;
        } else if p.is_dir() {
            remove_others(&p, base, keep, removed)?;
            let _ = std::fs::remove_dir(&p); // only succeeds when empty
        } else if !keep.contains(&p) {
            std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
            removed.push(p.strip_prefix(base).unwrap_or(&p).display().to_string());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(before: &str, after: &str) {
        let mut doc: DocumentMut = before.parse().unwrap();
        edit_book_toml(&mut doc, Path::new("src")).unwrap();
        assert_eq!(doc.to_string(), after);
        // A second run changes nothing.
        let mut again: DocumentMut = after.parse().unwrap();
        edit_book_toml(&mut again, Path::new("src")).unwrap();
        assert_eq!(again.to_string(), after);
    }

    #[test]
    fn adds_entries_to_a_new_book() {
        check(
            "[book]\ntitle = \"T\"\n",
            "[book]\ntitle = \"T\"\n\n[preprocessor.exec]\nafter = [\"links\"]\n\n[output.html]\nadditional-css = [\"src/mdbook-exec/exec.css\"]\nadditional-js = [\"src/mdbook-exec/exec.js\"]\n",
        );
    }

    #[test]
    fn keeps_comments_formatting_and_existing_settings() {
        check(
            "# My book\n[book]\ntitle = \"T\" # the title\n\n[preprocessor.exec]\ntimeout = 5  # seconds\n\n[output.html]\nadditional-css = [ \"custom.css\" ]\n",
            "# My book\n[book]\ntitle = \"T\" # the title\n\n[preprocessor.exec]\ntimeout = 5  # seconds\n\n[output.html]\nadditional-css = [ \"custom.css\" , \"src/mdbook-exec/exec.css\"]\nadditional-js = [\"src/mdbook-exec/exec.js\"]\n",
        );
    }

    #[test]
    fn switches_a_mathjax_book() {
        check(
            "[book]\ntitle = \"T\"\n\n[output.html]\nmathjax-support = true   # math in the browser\n",
            "[book]\ntitle = \"T\"\n\n[output.html]\nmathjax-support = false   # math in the browser\nadditional-css = [\"src/mdbook-exec/exec.css\"]\nadditional-js = [\"src/mdbook-exec/exec.js\"]\n\n[preprocessor.exec]\nafter = [\"links\"]\nmath.syntax = \"mathjax\"\n",
        );
        // Settings of its own that the book already has stay.
        check(
            "[preprocessor.exec.math]\nmacros = { \"\\\\R\" = \"\\\\mathbb{R}\" }\n\n[output.html]\nmathjax-support = true\n",
            "[preprocessor.exec.math]\nmacros = { \"\\\\R\" = \"\\\\mathbb{R}\" }\nsyntax = \"mathjax\"\n\n[output.html]\nmathjax-support = false\nadditional-css = [\"src/mdbook-exec/exec.css\"]\nadditional-js = [\"src/mdbook-exec/exec.js\"]\n",
        );
        let mut doc: DocumentMut = "[output.html]\nmathjax-support = false\n".parse().unwrap();
        assert!(!edit_book_toml(&mut doc, Path::new("src")).unwrap());
        assert!(!doc.to_string().contains("syntax"), "{doc}");
    }

    #[test]
    fn rejects_what_it_cannot_edit() {
        let mut doc: DocumentMut = "output = 3\n".parse().unwrap();
        assert!(edit_book_toml(&mut doc, Path::new("src")).unwrap_err().to_string().contains("`output`"));
        let mut doc: DocumentMut = "[output.html]\nadditional-js = \"x.js\"\n".parse().unwrap();
        assert!(edit_book_toml(&mut doc, Path::new("src")).unwrap_err().to_string().contains("additional-js"));
    }

    #[test]
    fn installs_once_then_changes_nothing_and_replaces_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
        let first = install(dir.path()).unwrap();
        assert!(first.book_toml_changed && first.written.len() == assets::FILES.len() + 1, "{first:?}");
        let second = install(dir.path()).unwrap();
        assert!(!second.changed(), "{second:?}");

        let folder = dir.path().join("src/mdbook-exec");
        std::fs::write(folder.join("katex/fonts/KaTeX_Old.woff2"), b"old").unwrap();
        std::fs::write(folder.join("exec.css"), b"edited").unwrap();
        std::fs::write(folder.join(assets::STAMP), b"mdbook-exec 0.0.1\n").unwrap();
        let third = install(dir.path()).unwrap();
        assert_eq!(third.removed, vec!["katex/fonts/KaTeX_Old.woff2".to_owned()]);
        assert_eq!(third.written, vec!["exec.css".to_owned(), assets::STAMP.to_owned()]);
        assert!(!third.book_toml_changed);
    }

    #[test]
    fn installs_running_at_once_do_not_trip_over_each_other() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
            let results: Vec<_> = std::thread::scope(|s| {
                let runs: Vec<_> = (0..4).map(|_| s.spawn(|| install(dir.path()).map(drop))).collect();
                runs.into_iter().map(|r| r.join().unwrap().map_err(|e| format!("{e:#}"))).collect()
            });
            assert!(results.iter().all(Result::is_ok), "{results:?}");
            assert!(!install(dir.path()).unwrap().changed());
        }
    }
}
