//! Runs the guide's tutorial ("Installing and wiring it" in src/how-this-book-is-built.md) as a
//! new user would, in an empty folder: its shell steps, with the real `mdbook-exec` binary that
//! mdBook runs as an external preprocessor, and its chapter, taken from the guide's text. Then
//! checks the site in headless Chromium: the stylesheet is linked and shipped, KaTeX's fonts load,
//! each formula shows once, and the figure is styled.

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Command;

use mdbook_driver::MDBook;
use mdbook_driver::config::Config;
use mdbook_markdown::pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

/// The code blocks of the guide's section `heading`, as (info string, text).
fn section_blocks(heading: &str) -> Vec<(String, String)> {
    let guide = std::fs::read_to_string(common::workspace().join("src/how-this-book-is-built.md")).unwrap();
    let mut blocks = Vec::new();
    let (mut in_section, mut in_heading, mut title) = (false, false, String::new());
    let mut block: Option<(String, String)> = None;
    for event in Parser::new(&guide) {
        match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H2, .. }) => {
                in_heading = true;
                title.clear();
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                in_heading = false;
                in_section = title == heading;
            }
            Event::Text(t) if in_heading => title.push_str(&t),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if in_section => {
                block = Some((info.to_string(), String::new()));
            }
            Event::Text(t) if block.is_some() => block.as_mut().unwrap().1.push_str(&t),
            Event::End(TagEnd::CodeBlock) => blocks.extend(block.take()),
            _ => {}
        }
    }
    assert!(!blocks.is_empty(), "the guide has no section `{heading}` with code blocks");
    blocks
}

/// Runs one line of the tutorial's shell steps in `cwd`; returns the new working folder.
fn run_step(line: &str, cwd: &Path) -> PathBuf {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        // The binary under test stands in for the installed one.
        ["cargo", "install", "--path", "preprocessor"] => cwd.to_owned(),
        ["mdbook", "init", dir, "--title", ..] => {
            let title = line.split('"').nth(1).expect("a quoted title");
            let mut config = Config::default();
            config.book.title = Some(title.to_owned());
            MDBook::init(cwd.join(dir))
                .with_config(config)
                .create_gitignore(line.contains("--ignore git"))
                .build()
                .unwrap();
            cwd.to_owned()
        }
        ["cd", dir] => cwd.join(dir),
        ["mdbook-exec", "install"] => {
            let out = Command::new(env!("CARGO_BIN_EXE_mdbook-exec")).arg("install").current_dir(cwd).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            cwd.to_owned()
        }
        ["mdbook", "serve", ..] | ["mdbook", "build"] => {
            // What `mdbook build` does, with the book's own `book.toml`; only the command (the
            // binary is not on PATH) and the dependency cache (the tests' own) are set here.
            let mut config = Config::from_disk(cwd.join("book.toml")).unwrap();
            config.set("preprocessor.exec.command", env!("CARGO_BIN_EXE_mdbook-exec")).unwrap();
            config.set("preprocessor.exec.dependency-cache", common::dependency_cache()).unwrap();
            let book = MDBook::load_with_config(cwd, config).unwrap();
            if let Err(e) = book.build() {
                panic!("the tutorial's book does not build:\n{e:#}");
            }
            cwd.to_owned()
        }
        _ => panic!("the tutorial has a step this test does not know how to run: `{line}`"),
    }
}

#[test]
fn the_guides_tutorial_gives_a_styled_book_with_math_shown_once() {
    let blocks = section_blocks("Installing and wiring it");
    let empty = tempfile::tempdir().unwrap();
    let mut cwd = empty.path().to_owned();
    let mut wrote_chapter = false;
    for (info, text) in &blocks {
        match info.as_str() {
            "sh" => {
                for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    cwd = run_step(line, &cwd);
                }
            }
            "markdown" => {
                // "Replace `src/chapter_1.md` with:"
                std::fs::write(cwd.join("src/chapter_1.md"), text).unwrap();
                wrote_chapter = true;
            }
            "toml" if text.contains("[preprocessor.exec]\n") => {
                // What the guide says `install` adds is in the book's `book.toml`.
                let shown: toml::Table = text.parse().unwrap();
                let written: toml::Table = std::fs::read_to_string(cwd.join("book.toml")).unwrap().parse().unwrap();
                for (table, keys) in [("preprocessor", "exec"), ("output", "html")] {
                    assert_eq!(shown[table][keys], written[table][keys], "`{table}.{keys}` in book.toml");
                }
            }
            _ => {}
        }
    }
    assert!(wrote_chapter, "the tutorial has a chapter");
    let site = cwd.join("book");

    let html = std::fs::read_to_string(site.join("chapter_1.html")).unwrap();
    assert!(html.contains("a circle of radius 2 has area 12.566"), "the cell's output is on the page");
    assert!(cwd.join("mdbook-exec.lock").is_file(), "the first build wrote the book's lock file");
    let lock = std::fs::read_to_string(cwd.join("mdbook-exec.lock")).unwrap();
    assert!(lock.contains("name = \"plotters\""), "{lock}");

    // The stylesheet is linked (under mdBook's hashed name) and shipped, and so are the fonts
    // KaTeX's stylesheet names.
    let css = html
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("mdbook-exec/exec") && h.ends_with(".css"))
        .expect("mdbook-exec's stylesheet is linked");
    assert!(site.join(css).is_file(), "{css} is in the site");
    let katex = std::fs::read_to_string(site.join("mdbook-exec/katex/katex.min.css")).unwrap();
    let fonts: Vec<&str> =
        katex.split("url(").skip(1).filter_map(|s| s.split(')').next()).filter(|u| u.ends_with(".woff2")).collect();
    assert!(fonts.len() >= 20, "{fonts:?}");
    for font in fonts {
        assert!(site.join("mdbook-exec/katex").join(font).is_file(), "missing {font}");
    }

    let seen = in_chromium(&site, "chapter_1.html");
    // Without KaTeX's stylesheet the MathML copy of every formula shows too: twice.
    assert_eq!(seen["shown 12.57"], 1, "{seen:?}");
    assert_eq!(seen["shown π"], 1, "{seen:?}");
    assert_eq!(seen["katex fonts loaded"], 1, "{seen:?}");
    assert_eq!(seen["figure centred"], 1, "{seen:?}");
    assert_eq!(seen["figure svg limited"], 1, "{seen:?}");
}

/// What a script finds in the rendered `page`: how many elements showing exactly `12.57` or `π`
/// can be seen (hit-tested at their centre, so clipped MathML does not count), whether KaTeX's
/// fonts loaded, and whether mdbook-exec's figure styles apply.
fn in_chromium(site: &Path, page: &str) -> std::collections::BTreeMap<String, u32> {
    const PROBE: &str = r#"<script>
addEventListener("load", () => document.fonts.ready.then(() => {
  const seen = (el) => {
    el.scrollIntoView({ block: "center" });
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && (hit === el || el.contains(hit));
  };
  const shown = (text) => [...document.querySelectorAll("main *")]
    .filter((el) => el.children.length === 0 && el.textContent.trim() === text && seen(el)).length;
  const loaded = [...document.fonts].filter((f) => f.status === "loaded").map((f) => f.family.replace(/"/g, ""));
  const fig = document.querySelector("figure.exec-figure");
  const result = {
    "shown 12.57": shown("12.57"),
    "shown π": shown("π"),
    "katex fonts loaded": Number(loaded.includes("KaTeX_Main") && loaded.includes("KaTeX_Math")),
    "figure centred": Number(fig !== null && getComputedStyle(fig).textAlign === "center"),
    "figure svg limited": Number(fig !== null && getComputedStyle(fig.querySelector("svg")).maxWidth === "720px"),
  };
  const out = document.createElement("pre");
  out.id = "probe-result";
  out.textContent = JSON.stringify(result);
  document.body.append(out);
}));
</script>"#;
    let html = std::fs::read_to_string(site.join(page)).unwrap();
    let probe = site.join("probe.html");
    std::fs::write(&probe, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("chromium")
        // Fonts load from `file://` next to the page; the time budget lets them and the probe finish.
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--allow-file-access-from-files"])
        .args(["--window-size=1200,900", "--virtual-time-budget=10000", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", probe.display()))
        .output()
        .expect("headless Chromium runs (apt-get install -y chromium)");
    let dom = String::from_utf8_lossy(&out.stdout);
    let json = dom
        .split("<pre id=\"probe-result\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or_else(|| panic!("the probe did not finish:\n{}", String::from_utf8_lossy(&out.stderr)));
    serde_json::from_str(json).unwrap()
}
