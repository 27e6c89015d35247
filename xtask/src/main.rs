//! Project chores, run with `cargo xtask <command>`:
//!
//! - `build`: builds the book into `book/` through mdBook's library, with mdbook-exec
//!   registered in-process (nothing to install).
//! - `serve [args]`: serves the book with live reload through the pinned `mdbook` CLI, which it
//!   installs under `target/tools/` on first use.
//! - `pdf`: builds the book and prints `print.html` to `book/book.pdf` with headless Chromium.
//! - `bench [--quick] [--only <section>]`: measures rebuild, edit, new-book, math and scale
//!   timings side by side with the alternatives and writes `docs/benchmarks.md` (sections:
//!   real-book, new-book, math, cold, scale, weight, authoring).
//! - `card`: builds the book and draws its social-card image (`src/images/social-card.png`, which
//!   `theme/head.hbs` names) from the book's title, description and one of its figures.
//! - `look [page ...]`: builds the book in the light and the coal theme, screenshots the pages
//!   (default: every chapter) at a laptop's and a phone's width and prints the PDF, into
//!   `target/look/`, for a person to inspect.

mod bench;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use mdbook_driver::MDBook;
use mdbook_exec::{ExecPreprocessor, OnError};

/// The mdBook CLI version `serve` uses; the library crates in Cargo.lock are the same release.
const MDBOOK_VERSION: &str = "0.5.4";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => build(&root().join("book")).map(drop),
        Some("serve") => serve(&args[1..]),
        Some("pdf") => pdf().map(drop),
        Some("look") => look(&args[1..]),
        Some("card") => card(),
        Some("bench") => bench::run(&root(), args.iter().any(|a| a == "--quick")),
        Some("build-at") if args.len() == 2 => bench::build_at(Path::new(&args[1])),
        _ => {
            eprintln!(
                "usage: cargo xtask <build | serve [mdbook serve options] | pdf | look [page.html ...] | card | bench [--quick]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The checkout this command was started in. `cargo run` sets `CARGO_MANIFEST_DIR` for the
/// program it runs; the path compiled into the binary would name whichever checkout built it
/// last when two checkouts share a target folder.
fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let from_cwd = || {
        let cwd = std::env::current_dir().ok()?;
        cwd.ancestors()
            .find(|d| d.join("book.toml").is_file() && d.join("xtask/Cargo.toml").is_file())
            .map(Path::to_owned)
    };
    let Some(root) = manifest.and_then(|m| m.parent().map(Path::to_owned)).or_else(from_cwd) else {
        eprintln!("error: run `cargo xtask` inside the repository");
        std::process::exit(2);
    };
    check_compiled_here(&root);
    root
}

/// Stops when this binary, or the mdbook-exec library in it, was compiled in another checkout.
/// Cargo rebuilds both for this checkout when it runs them (each reads the checkout's path,
/// set by `.cargo/config.toml`, at compile time), so this only fires for a binary started some
/// other way: the paths are compared, never used to find anything.
fn check_compiled_here(root: &Path) {
    let same = |a: &Path, b: &Path| a.canonicalize().ok().is_some_and(|a| b.canonicalize().ok() == Some(a));
    for (what, at) in [("xtask", option_env!("MDBOOK_EXEC_CHECKOUT")), ("mdbook-exec", mdbook_exec::CHECKOUT)] {
        if let Some(at) = at
            && !same(Path::new(at), root)
        {
            eprintln!(
                "error: this {what} was compiled in the checkout {at}, not in {}\nhelp: run it with `cargo xtask`, which rebuilds it here",
                root.display()
            );
            std::process::exit(2);
        }
    }
}

/// Installs (or refreshes) mdbook-exec's page assets and `book.toml` entries in the book,
/// exactly as `mdbook-exec install` does in any other book.
fn install(root: &Path) -> Result<()> {
    let done = mdbook_exec::install::install(root)?;
    if done.changed() {
        eprintln!("{}", done.summary());
    }
    Ok(())
}

/// Builds the book into `dest` and returns the chapters' HTML pages in book order.
fn build(dest: &Path) -> Result<Vec<String>> {
    let root = root();
    install(&root)?;
    let start = std::time::Instant::now();
    let mut book = MDBook::load(&root).context("loading the book")?;
    book.config.build.build_dir = dest.to_owned();
    // A build fails on every error, whatever the environment asks of `serve`.
    book.with_preprocessor(ExecPreprocessor::new().on_error(OnError::Fail));
    book.build()?;
    eprintln!("built {} in {:.1} s", dest.join("index.html").display(), start.elapsed().as_secs_f64());
    let pages = book
        .iter()
        .filter_map(|item| match item {
            mdbook_driver::book::BookItem::Chapter(ch) => {
                ch.path.as_ref().map(|p| p.with_extension("html").to_string_lossy().into_owned())
            }
            _ => None,
        })
        .collect();
    Ok(pages)
}

/// Finds headless Chromium, or explains how to install it.
fn chromium() -> Result<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("which").arg(name).output()
            && out.status.success()
        {
            return Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
    }
    bail!("headless Chromium is needed for this; install it with `apt-get install -y chromium poppler-utils`")
}

/// Runs headless Chromium with the flags that keep it quiet and offline.
fn chromium_run(args: &[String]) -> Result<()> {
    let profile = tempfile::tempdir()?;
    let status = Command::new(chromium()?)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stderr(std::process::Stdio::null())
        .status()
        .context("running Chromium")?;
    if !status.success() {
        bail!("Chromium exited with {status}");
    }
    Ok(())
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Prints `print.html` of a built book to a PDF.
fn print_pdf(book_dir: &Path, pdf: &Path) -> Result<()> {
    chromium_run(&[
        format!("--print-to-pdf={}", pdf.display()),
        "--no-pdf-header-footer".to_owned(),
        // Bookmarks from the headings: chapters and their sections.
        "--generate-pdf-document-outline".to_owned(),
        file_url(&book_dir.join("print.html")),
    ])
}

/// The text inside `<code>` elements of an HTML page, tags removed and common entities decoded.
fn code_text(html: &str) -> String {
    let mut out = String::new();
    for part in html.split("<code").skip(1) {
        let Some(start) = part.find('>') else { continue };
        let body = &part[start + 1..part.find("</code>").unwrap_or(part.len())];
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.push('\n');
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// Builds the book, prints it to `book/book.pdf`, and checks the PDF's text: every chapter
/// title is there, and no `$` survives outside the appendix (whose examples show the syntax).
fn pdf() -> Result<PathBuf> {
    let root = root();
    let dest = root.join("book");
    build(&dest)?;
    let pdf = dest.join("book.pdf");
    print_pdf(&dest, &pdf)?;
    eprintln!("wrote {}", pdf.display());

    let text = Command::new("pdftotext").arg(&pdf).arg("-").output();
    let Ok(text) = text.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()) else {
        eprintln!("install poppler-utils (`pdftotext`) to check the PDF's text");
        return Ok(pdf);
    };
    let book = MDBook::load(&root)?;
    let titles: Vec<String> = book
        .iter()
        .filter_map(|item| match item {
            mdbook_driver::book::BookItem::Chapter(ch) => Some(ch.name.clone()),
            _ => None,
        })
        .collect();
    // Compare without spaces and hyphens: the PDF wraps long titles and joins hyphenated words.
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let squashed = squash(&flat);
    let missing: Vec<&String> = titles.iter().filter(|t| !squashed.contains(&squash(t))).collect();
    if !missing.is_empty() {
        bail!("the PDF lacks the chapter titles {missing:?}");
    }
    // The outline (bookmarks): poppler lists it as `<item>`s. The browser test checks its
    // entries, links and page breaks in detail.
    let xml = Command::new("pdftohtml").args(["-xml", "-i", "-q", "-stdout"]).arg(&pdf).output()?;
    let entries = String::from_utf8_lossy(&xml.stdout).matches("<item ").count();
    if entries < titles.len() {
        bail!("the PDF's outline has {entries} entries for {} chapters", titles.len());
    }
    // A `$` is fine inside code (cells print and check TeX strings); anywhere else it is math
    // that was not rendered. Code is recognised by finding the text around the `$` in the
    // code of print.html.
    let print = std::fs::read_to_string(dest.join("print.html"))?;
    let code = squash(&code_text(&print));
    let appendix = titles.last().map(String::as_str).unwrap_or("");
    let body = flat.rfind(appendix).map_or(flat.as_str(), |i| &flat[..i]);
    let chars: Vec<char> = body.chars().collect();
    for (i, _) in chars.iter().enumerate().filter(|(_, c)| **c == '$') {
        let window: String = chars[i.saturating_sub(12)..(i + 13).min(chars.len())].iter().collect();
        if !code.contains(&squash(&window)) {
            bail!("the PDF has a raw `$` outside code (unrendered math?) in: {window}");
        }
    }
    eprintln!(
        "checked: all {} chapter titles present, an outline of {entries} entries, no raw `$` before the appendix",
        titles.len()
    );
    Ok(pdf)
}

fn look(pages: &[String]) -> Result<()> {
    let root = root();
    let out = root.join("target/look");
    std::fs::create_dir_all(&out)?;
    let light = root.join("book");
    let chapters = build(&light)?;
    // SAFETY: single-threaded at this point; the variable is read by the next build only.
    unsafe { std::env::set_var("MDBOOK_OUTPUT__HTML__DEFAULT_THEME", "coal") };
    let coal = out.join("coal-site");
    build(&coal)?;
    let pages: Vec<String> = if pages.is_empty() { chapters } else { pages.to_vec() };
    for page in &pages {
        let stem = page.trim_end_matches(".html").replace('/', "_");
        // A laptop in both themes, and a phone (390 px, the width of a common one) in light.
        for (theme, dir, width) in [("light", &light, 1000), ("coal", &coal, 1000), ("phone", &light, 390)] {
            let png = out.join(format!("{stem}-{theme}.png"));
            chromium_run(&[
                // Give web fonts time to load; printing needs no budget (and stalls with one).
                "--virtual-time-budget=5000".to_owned(),
                format!("--screenshot={}", png.display()),
                format!("--window-size={width},14000"),
                file_url(&dir.join(page)),
            ])?;
            eprintln!("wrote {}", png.display());
        }
    }
    let pdf = out.join("book.pdf");
    print_pdf(&light, &pdf)?;
    let status = Command::new("pdftoppm").args(["-png", "-r", "60"]).arg(&pdf).arg(out.join("pdf-page")).status();
    match status {
        Ok(s) if s.success() => eprintln!("wrote {} and its pages as target/look/pdf-page-*.png", pdf.display()),
        _ => eprintln!("wrote {}; install poppler-utils to get its pages as PNGs", pdf.display()),
    }
    Ok(())
}

/// The chapter and figure the social card shows.
const CARD_FIGURE: (&str, &str) = ("deep-training.html", "fig-chain-gradients");

/// Draws the social-card image (1200 × 630, the size link previews use) from the built book: its
/// title and description beside one of its figures, as drawn on the page.
fn card() -> Result<()> {
    let root = root();
    let dest = root.join("book");
    build(&dest)?;
    let (page, id) = CARD_FIGURE;
    let html = std::fs::read_to_string(dest.join(page))?;
    let start = html.find(&format!("id=\"{id}\"")).with_context(|| format!("no figure `{id}` in {page}"))?;
    let svg_start = start + html[start..].find("<svg").context("the figure has no SVG")?;
    let svg_end = svg_start + html[svg_start..].find("</svg>").context("the SVG is not closed")? + "</svg>".len();
    let svg = &html[svg_start..svg_end];
    let book = MDBook::load(&root)?;
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    let title = escape(book.config.book.title.as_deref().unwrap_or_default());
    let description = escape(book.config.book.description.as_deref().unwrap_or_default());
    let card = format!(
        "<!doctype html><meta charset=\"utf-8\"><style>\
         body {{ margin: 0; width: 1200px; height: 630px; display: flex; align-items: center; gap: 32px; \
         padding: 0 48px; box-sizing: border-box; background: #fdfdfb; color: #1f2328; font-family: sans-serif; }}\
         .words {{ flex: 0 0 430px; }} h1 {{ font-size: 46px; line-height: 1.1; margin: 0 0 24px; }}\
         p {{ font-size: 22px; line-height: 1.4; margin: 0; color: #444; }}\
         .figure {{ flex: 1; }} .figure svg {{ width: 100%; height: auto; color: #1f2328; }}\
         </style><div class=\"words\"><h1>{title}</h1><p>{description}</p></div><div class=\"figure\">{svg}</div>"
    );
    let scratch = tempfile::tempdir()?;
    let page_path = scratch.path().join("card.html");
    std::fs::write(&page_path, card)?;
    let png = root.join("src/images/social-card.png");
    std::fs::create_dir_all(png.parent().expect("a folder"))?;
    chromium_run(&[
        "--virtual-time-budget=3000".to_owned(),
        format!("--screenshot={}", png.display()),
        "--window-size=1200,630".to_owned(),
        file_url(&page_path),
    ])?;
    eprintln!("wrote {}", png.display());
    Ok(())
}

/// Installs the pinned mdBook CLI under `target/tools` unless it is there already.
fn mdbook_cli(root: &Path) -> Result<PathBuf> {
    let tools = root.join("target/tools");
    let bin = tools.join("bin").join(format!("mdbook{}", std::env::consts::EXE_SUFFIX));
    let installed = Command::new(&bin)
        .arg("--version")
        .output()
        .ok()
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).contains(MDBOOK_VERSION));
    if !installed {
        eprintln!("installing mdbook {MDBOOK_VERSION} into {} (once; about two minutes)", tools.display());
        let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["install", "mdbook", "--locked", "--version", MDBOOK_VERSION, "--root"])
            .arg(&tools)
            .status()
            .context("running `cargo install mdbook`")?;
        if !status.success() {
            bail!("`cargo install mdbook --version {MDBOOK_VERSION}` failed");
        }
    }
    Ok(bin)
}

fn serve(args: &[String]) -> Result<()> {
    let root = root();
    install(&root)?;
    let mdbook = mdbook_cli(&root)?;
    // Build the preprocessor first, with cargo's progress visible: book.toml's `cargo run --quiet`
    // would otherwise compile it silently during the first rebuild.
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--package", "mdbook-exec"])
        .current_dir(&root)
        .status()
        .context("building mdbook-exec")?;
    if !status.success() {
        bail!("building mdbook-exec failed");
    }
    // While serving, a failure is shown in the page where it happened instead of stopping the
    // rebuild (and `mdbook serve` would not even start if the first build failed).
    let status = Command::new(mdbook)
        .arg("serve")
        .args(args)
        .current_dir(&root)
        .env(mdbook_exec::ON_ERROR_VAR, "page")
        .status()
        .context("running `mdbook serve`")?;
    if !status.success() {
        bail!("`mdbook serve` exited with {status}");
    }
    Ok(())
}
