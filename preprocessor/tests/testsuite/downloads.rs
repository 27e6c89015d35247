//! Take the code home: every chapter's download runs with plain `cargo run` and prints what its
//! page shows; long code folds away.

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::TestBook;

/// Where downloaded projects compile; one folder for all, so the crates compile once.
fn target() -> PathBuf {
    common::workspace().join("target/mdbook-exec-downloads")
}

/// Unpacks the archive the page links into `into` and returns the project's folder.
pub(crate) fn unpack(site: &Path, html: &str, into: &Path) -> PathBuf {
    let href = html
        .split("href=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .find(|h| h.ends_with(".zip"))
        .expect("the page links its download");
    assert!(html.contains(">Run this chapter yourself</a>"));
    let bytes = std::fs::read(site.join(href)).unwrap_or_else(|e| panic!("{href}: {e}"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    zip.extract(into).unwrap();
    let name = Path::new(href).file_stem().unwrap();
    into.join(name)
}

/// Runs a downloaded project offline, as a reader would after fetching its crates.
pub(crate) fn run(project: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline", "--locked", "--"])
        .args(args)
        .current_dir(project)
        .env("CARGO_TARGET_DIR", target())
        .env_remove("MDBOOK_EXEC_NONCE")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

/// The text blocks each cell shows on the page, by cell number.
fn page_texts(html: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cell = 0;
    let mut rest = html;
    while let Some(i) = rest.find("<") {
        rest = &rest[i..];
        if let Some(n) = rest.strip_prefix("<div class=\"exec-output\" data-exec-cell=\"") {
            cell = n[..n.find('"').unwrap()].parse().unwrap();
        } else if rest.starts_with("<code class=\"language-text") && cell > 0 {
            let body = &rest[rest.find('>').unwrap() + 1..];
            out.push((cell, unescape(&body[..body.find("</code>").unwrap()])));
        }
        rest = &rest[1..];
    }
    out
}

/// The values the prose shows, as (name, shown text), leaving out other chapters' values.
fn page_values(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in html.split("data-exec-name=\"").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        if name.contains('.') {
            continue;
        }
        // The default frame's text, or the span's.
        let body = match part.find("data-exec-default") {
            Some(i) if i < part.find("</span>").unwrap() => &part[i..],
            _ => part,
        };
        let body = &body[body.find('>').unwrap() + 1..];
        out.push((name.to_owned(), strip_tags(&body[..body.find("</span>").unwrap()])));
    }
    out
}

/// A number as the page shows it (`−1.5`, `3.88 × 10−7`, `12.3%`) and half a unit of its last
/// digit.
fn shown_number(text: &str) -> Option<(f64, f64)> {
    let t: String = text.replace('\u{2212}', "-").chars().filter(|c| !c.is_whitespace() && *c != '\u{202f}').collect();
    let (t, scale) = match t.strip_suffix('%') {
        Some(t) => (t.to_owned(), 0.01),
        None => (t, 1.0),
    };
    let (mantissa, exp) = match t.split_once("×10") {
        Some((m, e)) => (m.to_owned(), e.parse::<i32>().ok()?),
        None => (t, 0),
    };
    let m: f64 = mantissa.parse().ok()?;
    // The last digit shown is the unit of rounding; an integer's trailing zeros may themselves be
    // rounding (1269.3 with two significant digits shows as 1300).
    let decimals = match mantissa.split_once('.') {
        Some((_, d)) => d.len() as i32,
        None if m != 0.0 => -((mantissa.len() - mantissa.trim_end_matches('0').len()) as i32),
        None => 0,
    };
    let unit = 10f64.powi(exp - decimals) * scale;
    Some((m * 10f64.powi(exp) * scale, 0.5 * unit + 1e-12 * m.abs()))
}

/// Checks that a download's output holds every text block and value of its page, cell by cell.
#[track_caller]
fn assert_reprints(page: &str, html: &str, stdout: &str) {
    let mut sections: Vec<(usize, String)> = Vec::new();
    for line in stdout.lines() {
        match line.strip_prefix("-- cell ").and_then(|l| l.strip_suffix(" --")).and_then(|n| n.parse().ok()) {
            Some(n) => sections.push((n, String::new())),
            None => {
                if let Some((_, s)) = sections.last_mut() {
                    s.push_str(line);
                    s.push('\n');
                }
            }
        }
    }
    let texts = page_texts(html);
    assert!(!texts.is_empty() || !html.contains("language-text"), "{page}: no text outputs found");
    for (cell, text) in texts {
        let section = sections
            .iter()
            .find(|(n, _)| *n == cell)
            .map(|(_, s)| s.as_str())
            .unwrap_or_else(|| panic!("{page}: the download prints no cell {cell}:\n{stdout}"));
        // The page's lines, in order; the runtime's own lines (checks, values) may sit between
        // them, since the page shows those elsewhere.
        let mut printed = section.lines();
        let missing = text.lines().find(|want| !printed.any(|got| got == *want));
        assert!(missing.is_none(), "{page}: cell {cell} shows\n{text}\nbut the download printed\n{section}");
    }
    for (name, shown) in page_values(html) {
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} = ")))
            .unwrap_or_else(|| panic!("{page}: the download prints no value `{name}`"));
        match (shown_number(&shown), line.parse::<f64>()) {
            (Some((p, tol)), Ok(x)) => {
                let close =
                    (p - x).abs() <= tol || (x.abs() > 1.0 && ((p - x) / x).abs() < 5e-3 && !shown.contains('.'));
                assert!(close, "{page}: `{name}` shows {shown} but the download printed {line}")
            }
            _ => assert!(
                shown.contains(line.trim()) || line.contains(shown.trim()),
                "{page}: `{name}` shows {shown:?}, the download printed {line:?}"
            ),
        }
    }
}

const CHAPTER: &str = r#"# Take home

## Setup

```rust,exec
let xs: Vec<f64> = (1..=4).map(f64::from).collect();
let mean = xs.iter().sum::<f64>() / xs.len() as f64;
println!("mean of {xs:?} is {mean}");
exec::value("mean", mean);
```

The mean is `=mean:.3`.

## Long code

```rust,exec
let mut total = 0.0;
# let hidden = 1;
total += 1.0;
total += 2.0;
total += 3.0;
total += 4.0;
total += 5.0;
total += 6.0;
println!("total {total}");
exec::check(total == 21.0, "the total is 21");
exec::Table::new(["k", "k²"]).rows((1..=3).map(|k| vec![k, k * k])).show("tab-k", "Squares.");
exec::plot::Chart::new("x", "y").line("line", (0..10).map(|i| (i as f64, i as f64))).show("fig-line", "A line.");
```

```rust,exec,no-fold
let a = 1;
let b = 2;
let c = 3;
let d = 4;
let e = 5;
let f = 6;
let g = 7;
println!("sum {}", a + b + c + d + e + f + g);
```

```rust,exec,fold
println!("short but folded");
```

```rust,exec,should-panic
let v: Vec<u8> = Vec::new();
let _ = v[1];
```

See `@tab-k` and `@fig-line`.
"#;

#[test]
fn download_reprints_the_page_and_long_code_folds() {
    let book = TestBook::with_config(&[("home.md", CHAPTER)], "fold-lines = 8");
    book.build().unwrap();
    let html = book.html("home.md");

    // Folding: the 11-line cell (its hidden line not counted) and the `fold` cell are folded, the
    // `no-fold` one is not; outputs stay outside the fold.
    assert!(html.contains("<details class=\"exec-fold\"><summary>Code, 11 lines</summary>"), "{html}");
    assert!(html.contains("<details class=\"exec-fold\"><summary>Code, 1 line</summary>"));
    assert_eq!(html.matches("<details class=\"exec-fold\">").count(), 2, "the no-fold cell and short cells stay open");
    let fold = html.find("Code, 1 line").unwrap();
    assert!(
        html[fold..].find("</details>").unwrap()
            < html[fold..].find("<code class=\"language-text\">short but folded").unwrap(),
        "output after the fold"
    );

    // The archive: in the site, deterministic, not rewritten when nothing changed.
    let site = book.root().join("book");
    let dl = book.root().join("src/mdbook-exec/downloads/home.zip");
    let first = std::fs::read(&dl).unwrap();
    let mtime = std::fs::metadata(&dl).unwrap().modified().unwrap();
    book.write("home.md", &CHAPTER.replace("The mean is", "Now the mean is"));
    book.build().unwrap();
    assert_eq!(
        std::fs::metadata(&dl).unwrap().modified().unwrap(),
        mtime,
        "a prose edit does not rebuild the download"
    );
    std::fs::remove_dir_all(book.root().join("src/mdbook-exec/downloads")).unwrap();
    std::fs::remove_dir_all(book.root().join("cache/downloads")).unwrap();
    book.build().unwrap();
    assert_eq!(std::fs::read(&dl).unwrap(), first, "the same bytes on every build");

    let tmp = tempfile::tempdir().unwrap();
    let project = unpack(&site, &html, tmp.path());
    let main = std::fs::read_to_string(project.join("src/main.rs")).unwrap();
    assert!(main.contains("// ## Setup\n// (cell 1 of the chapter)\nexec::__private::cell(0);\nlet xs"), "{main}");
    assert!(main.contains("// ## Long code\n"), "{main}");
    assert!(main.contains("let hidden = 1;"), "hidden lines are in the program");
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    let lock = std::fs::read_to_string(common::workspace().join("target/mdbook-exec-tests/Cargo.lock")).unwrap();
    let ndarray = lock.split("name = \"ndarray\"\nversion = \"").nth(1).unwrap().split('"').next().unwrap();
    assert!(manifest.contains(&format!("ndarray = \"{ndarray}\"")), "the lock's version:\n{manifest}");
    assert!(std::fs::read_to_string(project.join("Cargo.lock")).unwrap().contains("name = \"home\""));

    // `cargo run` prints the page: text per cell, values, checks, tables, figures as files.
    let (ok, stdout, stderr) = run(&project, &[]);
    assert!(ok, "{stderr}");
    assert_reprints("home.md", &book.html("home.md"), &stdout);
    assert!(stdout.contains("mean = 2.5\n"), "{stdout}");
    assert!(stdout.contains("check passed: the total is 21\n"));
    assert!(stdout.contains("[table tab-k] Squares.\nk  k²\n-  --\n1   1\n2   4\n3   9\n"), "{stdout}");
    assert!(stdout.contains("[figure fig-line: figures/fig-line.svg] A line."));
    assert!(std::fs::read_to_string(project.join("figures/fig-line.svg")).unwrap().starts_with("<svg"));
    assert!(stdout.contains("The cell panicked, as intended:\nindex out of bounds"), "{stdout}");

    // A check that fails stops the program with an error.
    std::fs::write(project.join("src/main.rs"), main.replace("total == 21.0", "total == 22.0")).unwrap();
    let (ok, _, stderr) = run(&project, &[]);
    assert!(!ok && stderr.contains("check failed: the total is 21"), "{stderr}");
}

#[test]
fn unknown_values_of_the_new_settings_are_errors() {
    let err = common::fails_with(
        "# A\n\n```rust,exec,fold,no-fold\n1;\n```\n",
        "",
        &["error: src/ch.md:3:1:", "`fold` and `no-fold` contradict"],
    );
    assert!(err.contains("help:"));
    common::fails_with(
        "# A\n\n```rust,exec,folded\n1;\n```\n",
        "",
        &["unknown cell option `folded`", "`fold`, `no-fold`"],
    );
    common::fails_with("# A\n", "fold-lines = \"many\"", &["book.toml", "fold-lines"]);
    common::fails_with("# A\n", "downloads = \"yes\"", &["book.toml", "downloads"]);
}

#[test]
fn every_chapter_of_the_book_downloads_and_reprints_its_page() {
    let out = common::real_book();
    let tmp = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(out).unwrap().flatten() {
        let page = entry.file_name().to_string_lossy().into_owned();
        if !page.ends_with(".html") || page == "print.html" {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        if !html.contains(">Run this chapter yourself</a>") {
            assert!(!html.contains("data-exec-cell"), "{page} has cells but no download");
            continue;
        }
        let project = unpack(out, &html, tmp.path());
        let (ok, stdout, stderr) = run(&project, &[]);
        assert!(ok, "{page}: the download fails:\n{stderr}");
        assert_reprints(&page, &html, &stdout);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} chapters have downloads");
}
