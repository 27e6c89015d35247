//! The files that pages need besides their HTML, embedded in this binary.
//!
//! mdbook-exec's own stylesheet and script, and KaTeX's stylesheet, fonts and licence (taken
//! unmodified from the npm package at the version the `katex` crate bundles), are compiled into
//! the binary. [`install`](crate::install) writes them into a book's `src/mdbook-exec/`, where
//! mdBook's HTML renderer copies them into the site. A stamp file records which set was written,
//! so that a build can tell when the assets are missing or from another version. This module owns
//! the list of assets and the stamp; it never edits `book.toml`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::base::diag::Diagnostic;
use crate::base::fingerprint::Fingerprint;

/// The folder, inside the book's `src`, that holds the installed assets.
pub const DIR: &str = "mdbook-exec";
/// The stylesheet the pages link (through `additional-css`), relative to the assets folder.
pub const CSS: &str = "exec.css";
/// The script the pages load (through `additional-js`), relative to the assets folder.
pub const JS: &str = "exec.js";
/// The stamp file, relative to the assets folder.
pub const STAMP: &str = "VERSION";
/// The folder of the chapters' downloads, relative to the assets folder. Builds write it,
/// `install` leaves it alone.
pub const DOWNLOADS: &str = "downloads";

macro_rules! assets {
    ($($path:literal),* $(,)?) => {
        /// Every embedded asset: its path inside the assets folder and its bytes.
        pub const FILES: &[(&str, &[u8])] = &[$(($path, include_bytes!(concat!("../../assets/", $path)))),*];
    };
}

assets![
    "exec.css",
    "exec.js",
    "katex/katex.min.css",
    "katex/LICENSE",
    "katex/fonts/KaTeX_AMS-Regular.woff2",
    "katex/fonts/KaTeX_Caligraphic-Bold.woff2",
    "katex/fonts/KaTeX_Caligraphic-Regular.woff2",
    "katex/fonts/KaTeX_Fraktur-Bold.woff2",
    "katex/fonts/KaTeX_Fraktur-Regular.woff2",
    "katex/fonts/KaTeX_Main-Bold.woff2",
    "katex/fonts/KaTeX_Main-BoldItalic.woff2",
    "katex/fonts/KaTeX_Main-Italic.woff2",
    "katex/fonts/KaTeX_Main-Regular.woff2",
    "katex/fonts/KaTeX_Math-BoldItalic.woff2",
    "katex/fonts/KaTeX_Math-Italic.woff2",
    "katex/fonts/KaTeX_SansSerif-Bold.woff2",
    "katex/fonts/KaTeX_SansSerif-Italic.woff2",
    "katex/fonts/KaTeX_SansSerif-Regular.woff2",
    "katex/fonts/KaTeX_Script-Regular.woff2",
    "katex/fonts/KaTeX_Size1-Regular.woff2",
    "katex/fonts/KaTeX_Size2-Regular.woff2",
    "katex/fonts/KaTeX_Size3-Regular.woff2",
    "katex/fonts/KaTeX_Size4-Regular.woff2",
    "katex/fonts/KaTeX_Typewriter-Regular.woff2",
];

/// The KaTeX version whose stylesheet and fonts are embedded.
pub const KATEX_ASSETS_VERSION: &str = include_str!("../../assets/katex/VERSION");

/// What the stamp file of an up-to-date installation holds: this crate's version, KaTeX's, and
/// a hash of every asset, so that any change to an asset (not only a release) is noticed.
pub fn stamp() -> &'static str {
    static STAMP_TEXT: OnceLock<String> = OnceLock::new();
    STAMP_TEXT.get_or_init(|| stamp_text(env!("CARGO_PKG_VERSION"), FILES, KATEX_ASSETS_VERSION))
}

fn stamp_text(version: &str, files: &[(&str, &[u8])], katex_version: &str) -> String {
    let mut f = Fingerprint::new();
    for (path, bytes) in files {
        f.field(path, bytes);
    }
    format!("mdbook-exec {version} assets {}\nKaTeX {}\n", &f.hex()[..16], katex_version.trim())
}

/// The assets folder of a book whose chapters are in `root/src`.
pub fn folder(root: &Path, src: &Path) -> PathBuf {
    root.join(src).join(DIR)
}

/// The `additional-css` and `additional-js` entries the pages need, relative to the book's root
/// (as `book.toml` writes them).
pub fn html_entries(src: &Path) -> (String, String) {
    let base = src.join(DIR);
    let rel = |f: &str| base.join(f).to_string_lossy().replace('\\', "/").trim_start_matches("./").to_owned();
    (rel(CSS), rel(JS))
}

/// Checks that the book has this binary's assets installed and linked; the error says to run
/// `mdbook-exec install`. Called only for books whose pages show math, output or figures.
pub fn check(root: &Path, src: &Path, css: &[PathBuf], js: &[PathBuf]) -> Result<(), Diagnostic> {
    let dir = folder(root, src);
    let shown = dir.strip_prefix(root).unwrap_or(&dir).display().to_string();
    let installed = std::fs::read_to_string(dir.join(STAMP)).ok();
    let problem = match installed.as_deref() {
        None => Some(format!(
            "the page assets (KaTeX's stylesheet and fonts, mdbook-exec's CSS and script) are missing from `{shown}`"
        )),
        Some(s) if s != stamp() => Some(format!(
            "the page assets in `{shown}` are from another version of mdbook-exec ({}); this is {}",
            s.lines().next().unwrap_or("unknown"),
            stamp().lines().next().unwrap_or_default()
        )),
        Some(_) => {
            let (want_css, want_js) = html_entries(src);
            let listed = |list: &[PathBuf], want: &str| {
                list.iter().any(|p| p.to_string_lossy().trim_start_matches("./") == want)
            };
            if !listed(css, &want_css) || !listed(js, &want_js) {
                Some(format!(
                    "`[output.html]` in book.toml does not load `{want_css}` (additional-css) and `{want_js}` (additional-js)"
                ))
            } else {
                None
            }
        }
    };
    match problem {
        None => Ok(()),
        Some(p) => Err(Diagnostic::in_file("book.toml", p)
            .help("run `mdbook-exec install` in the book's folder; it writes the assets and the `book.toml` entries")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_the_assets_folder_is_embedded() {
        // A font added by scripts/fetch-katex.sh but missing from the list would leave a hole.
        fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, base, out);
                } else {
                    out.push(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        let mut on_disk = Vec::new();
        walk(&base, &base, &mut on_disk);
        on_disk.retain(|p| p != "katex/VERSION");
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
        assert_eq!(KATEX_ASSETS_VERSION.trim(), katex::KATEX_VERSION.trim());
    }

    #[test]
    fn stamps_are_pinned() {
        // An installed book whose stamp no longer matched would be told to reinstall.
        let files: &[(&str, &[u8])] = &[("exec.css", b"a{}"), ("exec.js", b"x;")];
        assert_eq!(stamp_text("0.1.0", files, "0.16.4\n"), "mdbook-exec 0.1.0 assets 03948dd2017be8b6\nKaTeX 0.16.4\n");
    }

    #[test]
    fn entries_follow_the_src_folder() {
        assert_eq!(
            html_entries(Path::new("src")),
            ("src/mdbook-exec/exec.css".into(), "src/mdbook-exec/exec.js".into())
        );
        assert_eq!(html_entries(Path::new(".")), ("mdbook-exec/exec.css".into(), "mdbook-exec/exec.js".into()));
    }
}
