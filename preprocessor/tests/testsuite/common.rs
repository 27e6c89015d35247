//! What the tests share: a builder for fixture books built through `mdbook-driver` with the
//! preprocessor registered in-process, the real book built once per run, and the Node side of
//! the browser tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};

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
        write_chapters(root, chapters);
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

/// Writes `chapters` (`(file, markdown)`) into `root/src`, listed in order in SUMMARY.md.
pub fn write_chapters(root: &Path, chapters: &[(&str, &str)]) {
    std::fs::create_dir_all(root.join("src")).unwrap();
    let mut summary = String::from("# Summary\n\n");
    for (i, (file, text)) in chapters.iter().enumerate() {
        summary += &format!("- [Chapter {}]({file})\n", i + 1);
        let path = root.join("src").join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(root.join("src/SUMMARY.md"), summary).unwrap();
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

/// The repository name the site is built for; GitHub Pages serves it under `/midterm/`.
pub const REPOSITORY: &str = "midterm";

/// The Node side: tests/browser at the repository root.
pub fn harness() -> PathBuf {
    workspace().join("tests/browser")
}

pub fn on_path(program: &str) -> Option<PathBuf> {
    let out = Command::new("which").arg(program).output().ok()?;
    out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("running {cmd:?}: {e}"))
}

pub fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Runs `npm ci` in tests/browser unless node_modules was installed from the current lockfile.
pub fn node_modules() -> PathBuf {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = harness();
    let lock = std::fs::read(dir.join("package-lock.json")).expect("tests/browser/package-lock.json");
    // Written after a successful `npm ci`: the lockfile it installed.
    let stamp = dir.join("node_modules/.installed-from-lock");
    if std::fs::read(&stamp).ok().as_deref() != Some(&lock[..]) {
        assert!(on_path("npm").is_some(), "the browser tests need Node.js (20 or later) and npm on PATH");
        let out = run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir));
        assert!(out.status.success(), "`npm ci` in tests/browser failed:\n{}", text(&out));
        std::fs::write(&stamp, &lock).unwrap();
    }
    dir
}

/// `node <script> <args>` in tests/browser.
pub fn node(script: &str, args: &[&str]) -> Output {
    let dir = node_modules();
    run(Command::new("node").arg(script).args(args).current_dir(dir))
}

/// A book.toml key for an `MDBOOK_` variable, by mdBook's rule: `__` nests, `_` is `-`.
pub fn config_key(var: &str) -> String {
    var.trim_start_matches("MDBOOK_")
        .to_lowercase()
        .split("__")
        .map(|p| p.replace('_', "-"))
        .collect::<Vec<_>>()
        .join(".")
}

/// The real book of this repository, built once for the whole test run as the Pages workflow
/// builds it (its `MDBOOK_` overrides, warnings denied) into a folder that lives as long as the
/// run; every test that looks at the real site uses this one build.
pub fn real_book() -> &'static Path {
    static SITE: OnceLock<tempfile::TempDir> = OnceLock::new();
    SITE.get_or_init(|| {
        let root = workspace();
        let out = node("workflow.mjs", &["overrides", &root.to_string_lossy(), REPOSITORY]);
        assert!(out.status.success(), "reading the workflow's overrides failed:\n{}", text(&out));
        let overrides: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&out.stdout).expect("workflow.mjs prints a JSON object");
        assert!(
            overrides.contains_key("MDBOOK_OUTPUT__HTML__SITE_URL"),
            "the workflow sets no site URL: {overrides:?}"
        );
        assert!(
            overrides.get("MDBOOK_PREPROCESSOR__EXEC__DENY_WARNINGS").is_some(),
            "the workflow no longer denies warnings: {overrides:?}"
        );

        let site = tempfile::tempdir().unwrap();
        // The same set-up as any book: `mdbook-exec install` (a no-op once done).
        mdbook_exec::install::install(&root).unwrap();
        let mut book = MDBook::load(&root).unwrap();
        book.config.build.build_dir = site.path().to_owned();
        for (var, value) in overrides {
            // mdBook reads each variable's value as JSON where it parses, else as a string.
            let value = value.as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or(value);
            book.config.set(config_key(&var), value).unwrap();
        }
        // The tests' own dependency cache, not the user's.
        book.config.set("preprocessor.exec.dependency-cache", dependency_cache()).unwrap();
        book.with_preprocessor(ExecPreprocessor::new());
        if let Err(e) = book.build() {
            panic!("the book does not build with the workflow's settings:\n{e:#}");
        }
        site
    })
    .path()
}
