//! The site as readers get it, checked in a real browser, and the workflow that publishes it.
//!
//! The real book, built once for the whole run with the `MDBOOK_` overrides that
//! `.github/workflows/pages.yml` sets for a project site ([`common::real_book`]), is served under `/<repository>/` and checked by `tests/browser/check.mjs`
//! in headless Chromium (driven by `puppeteer-core`): layout at phone widths, axe-core in all five
//! of mdBook's themes (failing on any serious finding in mdbook-exec's own markup), every link and resource, the 404 page, and the printed PDF. The workflow
//! itself is linted by `tests/browser/workflow.mjs`. The Node side's packages are pinned by
//! `tests/browser/package-lock.json` and installed with `npm ci` when missing or stale.

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Headless Chromium, and poppler's tools for reading the PDF. Installed with apt-get when
/// missing and this runs as root; otherwise the test fails saying how to install them.
fn chromium() -> PathBuf {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let found = || {
        Some((
            common::on_path("chromium").or_else(|| common::on_path("chromium-browser"))?,
            common::on_path("pdftohtml")?,
        ))
    };
    if let Some((chromium, _)) = found() {
        return chromium;
    }
    const HOW: &str = "install them with `apt-get install -y chromium poppler-utils`";
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    if !root || common::on_path("apt-get").is_none() {
        panic!("headless Chromium and poppler-utils are needed for the browser tests: {HOW}");
    }
    eprintln!("installing chromium and poppler-utils with apt-get");
    for args in [&["update", "-q"][..], &["install", "-y", "-q", "chromium", "poppler-utils"]] {
        let out = common::run(Command::new("apt-get").args(args).env("DEBIAN_FRONTEND", "noninteractive"));
        assert!(out.status.success(), "`apt-get {}` failed ({HOW}):\n{}", args.join(" "), common::text(&out));
    }
    found().map(|(c, _)| c).unwrap_or_else(|| panic!("apt-get installed no `chromium`: {HOW}"))
}

/// zizmor, installed from PyPI at the release `.ci/run` pins when it is missing, so that the
/// README's test command needs no step of its own on a machine with Python.
fn zizmor() {
    if common::on_path("zizmor").is_some() {
        return;
    }
    let python = common::on_path("python3")
        .expect("Python 3 with pip is needed to install zizmor (`pip install zizmor==1.32.0`)");
    eprintln!("installing zizmor with pip");
    let out = common::run(Command::new(python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "zizmor==1.32.0",
    ]));
    assert!(out.status.success(), "`pip install zizmor==1.32.0` failed:\n{}", common::text(&out));
    // Under pyenv a newly installed command is reached through a shim made by `rehash`.
    if common::on_path("pyenv").is_some() {
        let _ = Command::new("pyenv").arg("rehash").status();
    }
}

#[test]
fn config_keys_follow_mdbooks_rule() {
    assert_eq!(common::config_key("MDBOOK_OUTPUT__HTML__SITE_URL"), "output.html.site-url");
    assert_eq!(common::config_key("MDBOOK_PREPROCESSOR__EXEC__DENY_WARNINGS"), "preprocessor.exec.deny-warnings");
}

/// Every page at phone and tablet widths, under axe-core in mdBook's five themes, every link and
/// resource under the sub-path, every control of every exploration, the 404 page, and the PDF
/// of print.html.
#[test]
fn published_site_works_in_a_browser() {
    let chromium = chromium();
    let site = common::real_book();
    assert!(site.join("404.html").is_file());
    let base = format!("/{}/", common::REPOSITORY);
    let site_dir = site.to_string_lossy();
    let chromium = chromium.to_string_lossy();
    let mut args = vec!["--site", &site_dir, "--base", &base, "--chromium", &chromium];
    // Screenshots at phone width and the PDF, kept for a person to look at.
    let keep = std::env::var("MDBOOK_EXEC_BROWSER_OUT").ok();
    if let Some(dir) = &keep {
        args.extend(["--out", dir]);
    }
    let out = common::node("check.mjs", &args);
    let report = common::text(&out);
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
    let out = common::node("workflow.mjs", &["lint", &common::workspace().to_string_lossy()]);
    assert!(out.status.success(), "{}", common::text(&out));
    assert!(Path::new(&common::workspace()).join(".github/zizmor.yml").is_file());
}
