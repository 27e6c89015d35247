//! A small builder for fixture books that are built through `mdbook-driver` with the
//! preprocessor registered in-process.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use mdbook_driver::MDBook;
use mdbook_exec::{ExecPreprocessor, Stats};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

/// One build folder shared by most fixtures, so that their programs build in one package.
pub fn shared_build_dir() -> PathBuf {
    workspace().join("target/mdbook-exec-tests")
}

/// The dependency cache of every book the tests build: the crates cells use compile once, and
/// tests leave the user's machine-wide cache alone. Outside every build folder, as the
/// machine-wide cache is.
pub fn dependency_cache() -> PathBuf {
    workspace().join("target/mdbook-exec-dependencies")
}

pub struct TestBook {
    pub dir: tempfile::TempDir,
}

impl TestBook {
    /// A book with the given chapters (`(file, markdown)`), listed in order in SUMMARY.md.
    pub fn new(chapters: &[(&str, &str)]) -> TestBook {
        Self::with_config(chapters, "")
    }

    /// Like [`TestBook::new`], with extra lines for the `[preprocessor.exec]` table.
    pub fn with_config(chapters: &[(&str, &str)], exec_config: &str) -> TestBook {
        let lock = workspace().join("Cargo.lock");
        Self::with_toml(
            chapters,
            &format!(
                "cache-dir = \"cache\"\nbuild-dir = {:?}\nlockfile = {:?}\n{exec_config}",
                shared_build_dir().display().to_string(),
                lock.display().to_string(),
            ),
        )
    }

    /// A book as an author has it: its own build folder and lock file (`mdbook-exec.lock`),
    /// with only the tests' dependency cache shared with other books, and extra lines for the
    /// `[preprocessor.exec]` table.
    pub fn standalone(chapters: &[(&str, &str)], exec_config: &str) -> TestBook {
        Self::with_toml(chapters, exec_config)
    }

    fn with_toml(chapters: &[(&str, &str)], exec_config: &str) -> TestBook {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        let mut summary = String::from("# Summary\n\n");
        for (i, (file, text)) in chapters.iter().enumerate() {
            summary += &format!("- [Chapter {}]({file})\n", i + 1);
            let path = root.join("src").join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::write(root.join("src/SUMMARY.md"), summary).unwrap();
        let toml = format!(
            "[book]\ntitle = \"fixture\"\n\n[preprocessor.exec]\nafter = [\"links\"]\ndependency-cache = {:?}\n{exec_config}\n",
            dependency_cache().display().to_string(),
        );
        std::fs::write(root.join("book.toml"), toml).unwrap();
        mdbook_exec::install::install(root).unwrap();
        TestBook { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, file: &str, text: &str) {
        std::fs::write(self.root().join("src").join(file), text).unwrap();
    }

    /// Builds the book; returns the counters of this build.
    pub fn build(&self) -> Result<Arc<Stats>, String> {
        self.build_with(ExecPreprocessor::new())
    }

    /// Builds the book with errors shown in the pages, as `serve` does.
    pub fn build_showing_errors(&self) -> Result<Arc<Stats>, String> {
        self.build_with(ExecPreprocessor::new().on_error(mdbook_exec::OnError::Page))
    }

    fn build_with(&self, pre: ExecPreprocessor) -> Result<Arc<Stats>, String> {
        self.build_into(pre, None)
    }

    /// Builds the book into `dest` instead of its `book/` folder.
    pub fn build_into(&self, pre: ExecPreprocessor, dest: Option<&Path>) -> Result<Arc<Stats>, String> {
        let stats = pre.stats();
        let mut book = MDBook::load(self.root()).map_err(|e| format!("{e:#}"))?;
        if let Some(dest) = dest {
            book.config.build.build_dir = dest.to_owned();
        }
        book.with_preprocessor(pre);
        book.build().map_err(|e| format!("{e:#}"))?;
        Ok(stats)
    }

    /// The rendered HTML of a chapter.
    pub fn html(&self, chapter: &str) -> String {
        let name = Path::new(chapter).with_extension("html");
        std::fs::read_to_string(self.root().join("book").join(name)).unwrap()
    }

    /// The part of a chapter's page that holds the chapter itself (`<main>`).
    pub fn main(&self, chapter: &str) -> String {
        let html = self.html(chapter);
        html[html.find("<main>").unwrap()..html.find("</main>").unwrap()].to_owned()
    }
}

/// The documents of a built book's search index, as `(address, body)`: the body is the text a
/// search result shows a part of.
pub fn search_index(book_dir: &Path) -> Vec<(String, String)> {
    let file = std::fs::read_dir(book_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with("searchindex")
                && p.extension().is_some_and(|x| x == "js")
        })
        .expect("a search index");
    let js = std::fs::read_to_string(file).unwrap();
    // mdBook writes `JSON.parse('...')` with `\` and `'` escaped by a backslash.
    let quoted = js.split_once("JSON.parse('").unwrap().1.rsplit_once("')").unwrap().0;
    let mut json = String::with_capacity(quoted.len());
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        json.push(if c == '\\' { chars.next().unwrap() } else { c });
    }
    let index: serde_json::Value = serde_json::from_str(&json).unwrap();
    let urls = index["doc_urls"].as_array().unwrap();
    let docs = index["index"]["documentStore"]["docs"].as_object().unwrap();
    docs.iter()
        .map(|(id, doc)| {
            let url = urls[id.parse::<usize>().unwrap()].as_str().unwrap().to_owned();
            (url, doc["body"].as_str().unwrap().to_owned())
        })
        .collect()
}

pub fn count(stats: &Stats) -> (usize, usize) {
    use std::sync::atomic::Ordering::Relaxed;
    (stats.cargo_builds.load(Relaxed), stats.programs_run.load(Relaxed))
}

/// Builds a one-chapter book that must fail, and checks that the error holds every `expected`
/// piece; returns the whole error.
#[track_caller]
pub fn fails_with(chapter: &str, exec_config: &str, expected: &[&str]) -> String {
    let book = TestBook::with_config(&[("ch.md", chapter)], exec_config);
    let err = book.build().expect_err("the build must fail");
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
    err
}
