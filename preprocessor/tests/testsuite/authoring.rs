//! Writing a real technical book: cells read the book's data files (`exec::data`), expensive
//! results survive edits (`exec::memo`), and any crate can be declared.

use std::sync::atomic::Ordering::Relaxed;

use crate::common::{self, TestBook};

const READS_X: &str = "# One\n\n```rust,exec\nlet text = std::fs::read_to_string(exec::data(\"data/x.csv\")).unwrap();\nlet total: i64 = text.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse::<i64>().unwrap()).sum();\nprintln!(\"total of x: {total}\");\n```\n";
const READS_Y: &str = "# Two\n\n```rust,exec\nlet text = std::fs::read_to_string(exec::data(\"data/y.csv\")).unwrap();\nprintln!(\"lines of y: {}\", text.lines().count());\n```\n";
const READS_NOTHING: &str = "# Three\n\n```rust,exec\nprintln!(\"no data\");\n```\n";
// A chapter in a folder of its own reaches the same file with `..`.
const NESTED_READS_X: &str = "# Four\n\n```rust,exec\nlet p = exec::data(\"../data/x.csv\");\nprintln!(\"nested: {} bytes\", std::fs::metadata(&p).unwrap().len());\n```\n";

fn data_book() -> TestBook {
    let book = TestBook::new(&[
        ("one.md", READS_X),
        ("two.md", READS_Y),
        ("three.md", READS_NOTHING),
        ("part/four.md", NESTED_READS_X),
    ]);
    std::fs::create_dir_all(book.root().join("src/data")).unwrap();
    book.write("data/x.csv", "name,n\na,1\nb,2\n");
    book.write("data/y.csv", "name,n\nc,3\n");
    book
}

#[test]
fn a_data_file_edit_re_runs_exactly_the_chapters_that_read_it() {
    let book = data_book();
    book.build().unwrap();
    assert!(book.html("one.md").contains("total of x: 3"));
    assert!(book.html("two.md").contains("lines of y: 2"));
    assert!(book.html("part/four.md").contains("nested: 15 bytes"));

    let stats = book.build().unwrap();
    assert_eq!(common::count(&stats), (0, 0), "nothing changed: nothing runs");

    book.write("data/x.csv", "name,n\na,1\nb,2\nc,39\n");
    let stats = book.build().unwrap();
    assert_eq!(stats.programs_run.load(Relaxed), 2, "the two chapters that read x.csv, and no other");
    assert_eq!(stats.data_changed.load(Relaxed), 2);
    assert!(book.html("one.md").contains("total of x: 42"));
    assert!(book.html("part/four.md").contains("nested: 20 bytes"));

    book.write("data/y.csv", "name,n\n");
    let stats = book.build().unwrap();
    assert_eq!(stats.programs_run.load(Relaxed), 1);
    assert!(book.html("two.md").contains("lines of y: 1"));
}

#[test]
fn a_download_carries_the_data_files_its_chapter_read() {
    let book = TestBook::new(&[("part/four.md", NESTED_READS_X)]);
    std::fs::create_dir_all(book.root().join("src/data")).unwrap();
    book.write("data/x.csv", "name,n\na,1\nb,2\n");
    book.build().unwrap();
    let html = book.html("part/four.md");
    let tmp = tempfile::tempdir().unwrap();
    let project = crate::downloads::unpack(&book.root().join("book/part"), &html, tmp.path());
    assert_eq!(std::fs::read_to_string(project.join("book/data/x.csv")).unwrap(), "name,n\na,1\nb,2\n");
    let (ok, stdout, stderr) = crate::downloads::run(&project, &[]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("nested: 15 bytes"), "{stdout}");
}

#[test]
fn a_missing_data_file_or_a_path_outside_src_is_an_error_at_the_cell_and_nothing_is_cached() {
    for (chapter, at, says) in [
        (
            "# Ch\n\nText.\n\n```rust,exec\nlet a = 1;\nlet p = exec::data(\"data/missing.csv\");\n```\n",
            "src/ch.md:7:9: cell 1 panicked",
            "there is no file `src/data/missing.csv`",
        ),
        (
            "# Ch\n\n```rust,exec\nlet p = exec::data(\"../book.toml\");\n```\n",
            "src/ch.md:4:9: cell 1 panicked",
            "leaves the book's `src/` folder",
        ),
    ] {
        let book = TestBook::new(&[("ch.md", chapter)]);
        let err = book.build().expect_err("the build must fail");
        assert!(err.contains(at) && err.contains(says), "{err}");
        assert_no_cache_entry(&book);
    }
}

/// The chapter results the book's cache holds.
fn cache_entries(book: &TestBook) -> Vec<std::path::PathBuf> {
    walk(&book.root().join("cache")).into_iter().filter(|p| p.extension().is_some_and(|x| x == "json")).collect()
}

fn assert_no_cache_entry(book: &TestBook) {
    assert_eq!(cache_entries(book), Vec::<std::path::PathBuf>::new(), "a failed chapter is never cached");
    let stored = walk(&book.root().join("cache/memo"));
    assert!(stored.is_empty(), "no memo of a failing call is stored: {stored:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

/// A chapter whose first cell memoises a computation, with data read before it.
fn memo_chapter(first: &str, last: &str) -> String {
    format!(
        "# Memo\n\n```rust,exec\nlet scale: f64 = std::fs::read_to_string(exec::data(\"scale.txt\")).unwrap().trim().parse().unwrap();\n\
         let v: Vec<f64> = exec::memo(\"series\", || (1..=5).map(|i| {first} * scale / 3.0).collect());\n\
         println!(\"{{v:?}}\");\n```\n\nProse.\n\n```rust,exec\n{last}\n```\n"
    )
}

fn memos(stats: &mdbook_exec::Stats) -> (usize, usize) {
    (stats.memos_reused.load(Relaxed), stats.memos_computed.load(Relaxed))
}

#[test]
fn a_memo_survives_later_edits_and_follows_earlier_ones() {
    let book = TestBook::new(&[("m.md", &memo_chapter("i as f64", "println!(\"end 1\");"))]);
    book.write("scale.txt", "2\n");
    let stats = book.build().unwrap();
    assert_eq!(memos(&stats), (0, 1), "computed on the first build");
    let fresh = book.main("m.md");
    assert!(
        fresh.contains("[0.6666666666666666, 1.3333333333333333, 2.0, 2.6666666666666665, 3.3333333333333335]"),
        "{fresh}"
    );

    // Editing a later cell or the prose runs the chapter again, but reads the memo from disk.
    book.write("m.md", &memo_chapter("i as f64", "println!(\"end 2\");").replace("Prose.", "Other prose."));
    let stats = book.build().unwrap();
    assert_eq!(common::count(&stats).1, 1);
    assert_eq!(memos(&stats), (1, 0), "the memo is reused");
    let edited = book.main("m.md");
    assert!(edited.contains("end 2"));
    assert_eq!(
        edited.replace("end 2", "end 1").replace("Other prose.", "Prose."),
        fresh,
        "the same page as from nothing"
    );

    // Editing the memo's own cell (the closure), or a data file read before it, recomputes it.
    book.write("m.md", &memo_chapter("(i * 2) as f64", "println!(\"end 2\");"));
    assert_eq!(memos(&book.build().unwrap()), (0, 1));
    assert!(book.main("m.md").contains("[1.3333333333333333, 2.6666666666666665, 4.0,"));
    book.write("scale.txt", "1\n");
    let stats = book.build().unwrap();
    assert_eq!(memos(&stats), (0, 1), "a data file read before the memo is part of its key");

    // A damaged entry is recomputed, never trusted.
    book.write("m.md", &memo_chapter("(i * 2) as f64", "println!(\"end 3\");"));
    let files = walk(&book.root().join("cache/memo"));
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    std::fs::write(&files[0], text.replace("0.6666666666666666", "0.6666666666666667")).unwrap();
    let stats = book.build().unwrap();
    assert_eq!(memos(&stats), (0, 1));
    assert!(book.main("m.md").contains("[0.6666666666666666, 1.3333333333333333, 2.0,"));
}

#[test]
fn a_data_file_read_inside_a_memo_still_re_runs_the_chapter() {
    let chapter = "```rust,exec\nlet n = exec::memo(\"count\", || std::fs::read_to_string(exec::data(\"d.txt\")).unwrap().len());\nprintln!(\"n = {n}\");\n```\n\n```rust,exec\nprintln!(\"after\");\n```\n";
    let book = TestBook::new(&[("c.md", chapter)]);
    book.write("d.txt", "abc");
    book.build().unwrap();
    book.write("c.md", &chapter.replace("after", "later"));
    let stats = book.build().unwrap();
    assert_eq!(memos(&stats), (1, 0));
    assert!(book.html("c.md").contains("n = 3"));
    // The memo was read from disk, yet the chapter still depends on the file its closure read.
    book.write("d.txt", "abcdef");
    let stats = book.build().unwrap();
    assert_eq!((common::count(&stats).1, memos(&stats)), (1, (0, 1)));
    assert!(book.html("c.md").contains("n = 6"));
}

#[test]
fn explorations_memo_per_frame() {
    let chapter = "```rust,exec\nexec::explore(\"fig-k\", \"Squares.\").param(exec::Param::values(\"k\", [1, 2, 3])).run(|f| {\n    let k = f.int(\"k\");\n    let sq: i64 = exec::memo(\"square\", || k * k);\n    println!(\"square {sq}\");\n});\n```\n\n```rust,exec\nprintln!(\"end 1\");\n```\n";
    let book = TestBook::new(&[("e.md", chapter)]);
    assert_eq!(memos(&book.build().unwrap()), (0, 3));
    book.write("e.md", &chapter.replace("end 1", "end 2"));
    let stats = book.build().unwrap();
    assert_eq!(memos(&stats), (3, 0), "each frame reads its own memo");
    let html = book.html("e.md");
    assert!(html.contains("square 1") && html.contains("square 9"), "{html}");
    assert_eq!(walk(&book.root().join("cache/memo")).len(), 3);
    // A memo the chapter no longer calls is removed with its chapter's next run.
    book.write("e.md", &chapter.replace("exec::memo(\"square\", || k * k)", "k * k"));
    assert_eq!(memos(&book.build().unwrap()), (0, 0));
    assert_eq!(walk(&book.root().join("cache/memo")), Vec::<std::path::PathBuf>::new());
}

#[test]
fn a_memo_name_used_twice_is_an_error_at_the_second_call() {
    let chapter =
        "```rust,exec\nlet a = exec::memo(\"m\", || 1);\n```\n\n```rust,exec\nlet b = exec::memo(\"m\", || 2);\n```\n";
    let book = TestBook::new(&[("ch.md", chapter)]);
    let err = book.build().expect_err("a name used twice fails the build");
    assert!(err.contains("src/ch.md:6:9: cell 2 panicked"), "{err}");
    assert!(err.contains("the name `m` is used twice in this chapter"), "{err}");
    // The first memo was stored (its call succeeded); the chapter was not.
    assert_eq!(cache_entries(&book), Vec::<std::path::PathBuf>::new());
    assert_eq!(walk(&book.root().join("cache/memo")).len(), 1);
}

#[test]
fn a_value_that_cannot_be_stored_is_an_error_at_the_call() {
    for (value, says) in [
        ("f64::NAN", "does not read back from JSON"),
        ("std::collections::HashMap::from([((1, 2), 3.0)])", "cannot be stored as JSON"),
    ] {
        let chapter = format!("```rust,exec\nlet x = 1;\nlet v = exec::memo(\"bad\", || {value});\n```\n");
        let book = TestBook::new(&[("ch.md", &chapter)]);
        let err = book.build().expect_err("an unstorable value fails the build");
        assert!(err.contains("src/ch.md:3:9: cell 1 panicked"), "{err}");
        assert!(err.contains(says), "{err}");
        assert_no_cache_entry(&book);
    }
}

#[test]
fn any_crate_as_cargo_toml_takes_it_and_the_download_runs() {
    let chapter = "# Crates\n\n```rust,exec\nlet mut rng = fastrand::Rng::with_seed(7);\nlet n = rng.u32(..100);\nprintln!(\"drawn {}\", n < 100);\nprintln!(\"{}\", tiny::twice(21));\n```\n";
    let book = TestBook::standalone(
        &[("ch.md", chapter)],
        "[preprocessor.exec.dependencies]\n\
         fastrand = { version = \"2\", default-features = false, features = [\"alloc\"] }\n\
         tiny = { path = \"crates/tiny\" }\n",
    );
    let tiny = book.root().join("crates/tiny");
    std::fs::create_dir_all(tiny.join("src")).unwrap();
    std::fs::write(tiny.join("Cargo.toml"), "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        .unwrap();
    std::fs::write(tiny.join("src/lib.rs"), "pub fn twice(x: i32) -> i32 { x * 2 }\n").unwrap();
    book.build().unwrap();
    let html = book.html("ch.md");
    assert!(html.contains("drawn true") && html.contains("42"), "{html}");

    // The author's crate is part of the key: editing it runs the chapter again.
    std::fs::write(tiny.join("src/lib.rs"), "pub fn twice(x: i32) -> i32 { x * 2 + 1 }\n").unwrap();
    let stats = book.build().unwrap();
    assert_eq!(common::count(&stats).1, 1);
    assert!(book.html("ch.md").contains("43"));

    let tmp = tempfile::tempdir().unwrap();
    let project = crate::downloads::unpack(&book.root().join("book"), &book.html("ch.md"), tmp.path());
    assert!(project.join("crates/tiny/src/lib.rs").is_file(), "the author's crate travels with the chapter");
    let (ok, stdout, stderr) = crate::downloads::run(&project, &[]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("drawn true") && stdout.contains("43"), "{stdout}");
}

/// The mdBook CLI, when this machine has it (`cargo xtask serve` installs it under
/// `target/tools/`): `serve`'s watcher is in the CLI, not in the library.
fn mdbook_cli() -> Option<std::path::PathBuf> {
    let installed = common::workspace().join("target/tools/bin/mdbook");
    installed.is_file().then_some(installed).or_else(|| common::on_path("mdbook"))
}

#[test]
fn serve_runs_a_chapter_again_when_its_data_file_changes() {
    let Some(mdbook) = mdbook_cli() else {
        eprintln!("skipped: no `mdbook` CLI (run `cargo xtask serve` once to install it under target/tools)");
        return;
    };
    let book = TestBook::new(&[("one.md", READS_X), ("three.md", READS_NOTHING)]);
    std::fs::create_dir_all(book.root().join("src/data")).unwrap();
    book.write("data/x.csv", "name,n\na,1\nb,2\n");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut serve = std::process::Command::new(mdbook)
        .args(["serve", "-p", &port.to_string()])
        .current_dir(book.root())
        .env("MDBOOK_PREPROCESSOR__EXEC__COMMAND", env!("CARGO_BIN_EXE_mdbook-exec"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let page = book.root().join("book/one.html");
    let shows = |text: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while std::time::Instant::now() < deadline {
            if std::fs::read_to_string(&page).is_ok_and(|p| p.contains(text)) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        false
    };
    let first = shows("total of x: 3");
    book.write("data/x.csv", "name,n\na,1\nb,2\nc,39\n");
    let again = first && shows("total of x: 42");
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(first, "the first build of `serve` shows the data");
    assert!(again, "editing the data file rebuilt the page with the chapter run again");
}
