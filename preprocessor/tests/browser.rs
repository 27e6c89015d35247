//! The site as readers get it, checked in a real browser, and the workflow that publishes it.
//!
//! The real book is built with the `MDBOOK_` overrides that `.github/workflows/pages.yml` sets
//! for a project site, served under `/<repository>/` and checked by `tests/browser/check.mjs`
//! in headless Chromium (driven by `puppeteer-core`): layout at phone widths, axe-core in a light
//! and a dark theme, every link and resource, the 404 page, and the printed PDF. The workflow
//! itself is linted by `tests/browser/workflow.mjs`. The Node side's packages are pinned by
//! `tests/browser/package-lock.json` and installed with `npm ci` when missing or stale.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use mdbook_driver::MDBook;
use mdbook_exec::ExecPreprocessor;

/// The repository name the site is built for; GitHub Pages serves it under `/midterm/`.
const REPOSITORY: &str = "midterm";

/// The Node side: tests/browser at the repository root.
fn harness() -> PathBuf {
    common::workspace().join("tests/browser")
}

fn on_path(program: &str) -> Option<PathBuf> {
    let out = Command::new("which").arg(program).output().ok()?;
    out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("running {cmd:?}: {e}"))
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Headless Chromium, and poppler's tools for reading the PDF. Installed with apt-get when
/// missing and this runs as root; otherwise the test fails saying how to install them.
fn chromium() -> PathBuf {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let found = || Some((on_path("chromium").or_else(|| on_path("chromium-browser"))?, on_path("pdftohtml")?));
    if let Some((chromium, _)) = found() {
        return chromium;
    }
    const HOW: &str = "install them with `apt-get install -y chromium poppler-utils`";
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    if !root || on_path("apt-get").is_none() {
        panic!("headless Chromium and poppler-utils are needed for the browser tests: {HOW}");
    }
    eprintln!("installing chromium and poppler-utils with apt-get");
    for args in [&["update", "-q"][..], &["install", "-y", "-q", "chromium", "poppler-utils"]] {
        let out = run(Command::new("apt-get").args(args).env("DEBIAN_FRONTEND", "noninteractive"));
        assert!(out.status.success(), "`apt-get {}` failed ({HOW}):\n{}", args.join(" "), text(&out));
    }
    found().map(|(c, _)| c).unwrap_or_else(|| panic!("apt-get installed no `chromium`: {HOW}"))
}

/// zizmor, installed from PyPI at the release `.ci/run` pins when it is missing, so that the
/// README's test command needs no step of its own on a machine with Python.
fn zizmor() {
    if on_path("zizmor").is_some() {
        return;
    }
    let python =
        on_path("python3").expect("Python 3 with pip is needed to install zizmor (`pip install zizmor==1.32.0`)");
    eprintln!("installing zizmor with pip");
    let out = run(Command::new(python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "zizmor==1.32.0",
    ]));
    assert!(out.status.success(), "`pip install zizmor==1.32.0` failed:\n{}", text(&out));
    // Under pyenv a newly installed command is reached through a shim made by `rehash`.
    if on_path("pyenv").is_some() {
        let _ = Command::new("pyenv").arg("rehash").status();
    }
}

/// Runs `npm ci` in tests/browser unless node_modules was installed from the current lockfile.
fn node_modules() -> PathBuf {
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
fn node(script: &str, args: &[&str]) -> Output {
    let dir = node_modules();
    run(Command::new("node").arg(script).args(args).current_dir(dir))
}

/// A book.toml key for an `MDBOOK_` variable, by mdBook's rule: `__` nests, `_` is `-`.
fn config_key(var: &str) -> String {
    var.trim_start_matches("MDBOOK_")
        .to_lowercase()
        .split("__")
        .map(|p| p.replace('_', "-"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Builds the real book as the Pages workflow does, into a temporary folder.
fn build_published_site() -> tempfile::TempDir {
    let root = common::workspace();
    let out = node("workflow.mjs", &["overrides", &root.to_string_lossy(), REPOSITORY]);
    assert!(out.status.success(), "reading the workflow's overrides failed:\n{}", text(&out));
    let overrides: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&out.stdout).expect("workflow.mjs prints a JSON object");
    assert!(overrides.contains_key("MDBOOK_OUTPUT__HTML__SITE_URL"), "the workflow sets no site URL: {overrides:?}");

    let site = tempfile::tempdir().unwrap();
    mdbook_exec::install::install(&root).unwrap();
    let mut book = MDBook::load(&root).unwrap();
    book.config.build.build_dir = site.path().to_owned();
    for (var, value) in overrides {
        // mdBook reads each variable's value as JSON where it parses, else as a string.
        let value = value.as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or(value);
        book.config.set(config_key(&var), value).unwrap();
    }
    // The tests' own dependency cache, not the user's (common::dependency_cache).
    book.config.set("preprocessor.exec.dependency-cache", common::dependency_cache()).unwrap();
    book.with_preprocessor(ExecPreprocessor::new());
    if let Err(e) = book.build() {
        panic!("the book does not build with the workflow's settings:\n{e:#}");
    }
    site
}

#[test]
fn config_keys_follow_mdbooks_rule() {
    assert_eq!(config_key("MDBOOK_OUTPUT__HTML__SITE_URL"), "output.html.site-url");
    assert_eq!(config_key("MDBOOK_PREPROCESSOR__EXEC__DENY_WARNINGS"), "preprocessor.exec.deny-warnings");
}

/// Every page at phone and tablet widths, under axe-core in two themes, every link and
/// resource under the sub-path, every control of every exploration, the 404 page, and the PDF
/// of print.html.
#[test]
fn published_site_works_in_a_browser() {
    let chromium = chromium();
    let site = build_published_site();
    assert!(site.path().join("404.html").is_file());
    let base = format!("/{REPOSITORY}/");
    let site_dir = site.path().to_string_lossy();
    let chromium = chromium.to_string_lossy();
    let mut args = vec!["--site", &site_dir, "--base", &base, "--chromium", &chromium];
    // Screenshots at phone width and the PDF, kept for a person to look at.
    let keep = std::env::var("MDBOOK_EXEC_BROWSER_OUT").ok();
    if let Some(dir) = &keep {
        args.extend(["--out", dir]);
    }
    let out = node("check.mjs", &args);
    let report = text(&out);
    eprintln!("{report}");
    assert!(out.status.success(), "the site fails in the browser:\n{report}");
    assert!(report.contains("checked ") && report.contains(": 0 finding(s)"), "{report}");
    // The book's explorations were moved, control by control (the appendix has one at least).
    assert!(!report.contains(" and 0 explorations"), "{report}");
}

/// actionlint and zizmor find nothing in the Pages workflow, and its cache key follows the
/// chapters and the tool.
#[test]
fn pages_workflow_passes_actionlint_and_zizmor() {
    zizmor();
    let out = node("workflow.mjs", &["lint", &common::workspace().to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(Path::new(&common::workspace()).join(".github/zizmor.yml").is_file());
}
