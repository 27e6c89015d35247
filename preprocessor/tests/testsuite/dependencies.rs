//! Cell dependencies across books: the machine-wide cache of compiled crates (here the tests'
//! own, `target/mdbook-exec-dependencies`) and the lock file a book without one gets.

use crate::common;
use std::sync::atomic::Ordering::Relaxed;

use crate::common::TestBook;

fn chapters(tag: &str) -> Vec<(String, String)> {
    (1..=3)
        .map(|i| {
            let cell = format!(
                "```rust,exec\nlet x = {i}.0_f64 * 1.5;\nprintln!(\"{tag} {i}: {{x}}\");\nexec::value(\"x\", x);\n```\n\n$x = \\val{{x}}$\n"
            );
            (format!("ch{i}.md"), cell)
        })
        .collect()
}

fn standalone(tag: &str, exec_config: &str) -> TestBook {
    let owned = chapters(tag);
    let refs: Vec<(&str, &str)> = owned.iter().map(|(f, t)| (f.as_str(), t.as_str())).collect();
    TestBook::standalone(&refs, exec_config)
}

#[test]
fn a_second_book_compiles_only_its_own_chapters() {
    let first = standalone("first", "");
    first.build().unwrap();
    let second = standalone("second", "");
    let stats = second.build().unwrap();
    assert_eq!(stats.dependencies_compiled.load(Relaxed), 0, "no crate is compiled again");
    assert_eq!(common::count(&stats), (1, 3), "one cargo build, three chapter programs");
    assert!(second.html("ch2.md").contains("second 2: 3"));
    // Both books start from the versions the cache holds, so they share its compiled crates.
    let lock = |b: &TestBook| std::fs::read_to_string(b.root().join("mdbook-exec.lock")).unwrap();
    assert_eq!(lock(&first), lock(&second));
}

#[test]
fn books_sharing_the_cache_build_at_the_same_time() {
    let books = [standalone("left", ""), standalone("right", "")];
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = books.iter().map(|b| s.spawn(|| b.build().map(drop))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert!(books[0].html("ch3.md").contains("left 3: 4.5"));
    assert!(books[1].html("ch3.md").contains("right 3: 4.5"));
}

#[test]
fn the_first_build_writes_the_books_lock_file_and_new_crates_are_added_to_it() {
    // Few crates, so that the two dependency sets compile quickly.
    let book = TestBook::standalone(
        &[("ch.md", "```rust,exec\nprintln!(\"{}\", 6 * 7);\n```\n")],
        "[preprocessor.exec.dependencies]\n",
    );
    let lock_path = book.root().join("mdbook-exec.lock");
    assert!(!lock_path.exists());
    book.build().unwrap();
    let first: toml::Table = std::fs::read_to_string(&lock_path).unwrap().parse().unwrap();
    let version = |lock: &toml::Table, name: &str| -> Option<String> {
        lock["package"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"].as_str() == Some(name))
            .map(|p| p["version"].to_string())
    };
    let itoa = version(&first, "itoa").expect("serde_json's `itoa` is locked");
    let written = std::fs::metadata(&lock_path).unwrap().modified().unwrap();

    // A warm build reads the lock and runs no cargo at all.
    let stats = book.build().unwrap();
    assert_eq!(common::count(&stats), (0, 0));
    assert_eq!(std::fs::metadata(&lock_path).unwrap().modified().unwrap(), written);

    // Declaring a crate adds it to the lock and keeps the versions already there.
    let toml = std::fs::read_to_string(book.root().join("book.toml")).unwrap();
    let toml = toml.replace("[preprocessor.exec.dependencies]\n", "[preprocessor.exec.dependencies]\nitoa = \"1\"\n");
    std::fs::write(book.root().join("book.toml"), toml).unwrap();
    book.write("ch.md", "```rust,exec\nprintln!(\"{}\", itoa::Buffer::new().format(42));\n```\n");
    book.build().unwrap();
    assert!(book.html("ch.md").contains("42"));
    let second: toml::Table = std::fs::read_to_string(&lock_path).unwrap().parse().unwrap();
    assert_eq!(version(&second, "itoa"), Some(itoa));
    let chapters = second["package"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str() == Some("mdbook-exec-chapters"))
        .unwrap();
    assert!(chapters["dependencies"].as_array().unwrap().iter().any(|d| d.as_str() == Some("itoa")), "{chapters}");
}

#[test]
fn a_books_own_cargo_lock_is_used_and_never_written() {
    let book = TestBook::new(&[("ch.md", "```rust,exec\nprintln!(\"pinned\");\n```\n")]);
    let before = std::fs::read(common::workspace().join("Cargo.lock")).unwrap();
    book.build().unwrap();
    assert!(!book.root().join("mdbook-exec.lock").exists());
    assert_eq!(std::fs::read(common::workspace().join("Cargo.lock")).unwrap(), before);
}

#[test]
fn a_removed_chapter_leaves_nothing_behind() {
    // A chapter name no other book has: this run's temporary folder is in it.
    let cell = |n: u32| format!("```rust,exec\nprintln!(\"{n}\");\n```\n");
    let book = TestBook::standalone(&[("stays.md", &cell(1))], "");
    let unique = book
        .root()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let gone = format!("gone{unique}.md");
    book.write(&gone, &cell(2));
    std::fs::write(book.root().join("src/SUMMARY.md"), format!("# Summary\n\n- [Stays](stays.md)\n- [Gone]({gone})\n"))
        .unwrap();
    book.build().unwrap();
    let prefix = format!("ch_gone{unique}_");
    // Files named after the chapter: its module and scratch folder in the book's build folder,
    // and anything in the shared cache.
    let named = || -> Vec<std::path::PathBuf> {
        let build = book.root().join("target/mdbook-exec");
        let mut dirs = vec![build.join("src/chapters"), build.join("scratch"), build.join("src/bin")];
        for e in std::fs::read_dir(common::dependency_cache()).unwrap().flatten() {
            dirs.extend(["target/debug", "target/debug/deps", "target/debug/incremental"].map(|d| e.path().join(d)));
        }
        dirs.iter()
            .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
            .map(|e| e.path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&prefix))
            .collect()
    };
    let book_main = || {
        let bin = book.root().join("target/mdbook-exec/src/bin");
        let file =
            std::fs::read_dir(&bin).unwrap().flatten().find(|e| e.file_name().to_string_lossy().starts_with("book_"));
        std::fs::read_to_string(file.expect("the book's binary").path()).unwrap()
    };
    assert!(!named().is_empty(), "the chapter's module is in the build folder");
    assert!(book_main().contains(&prefix), "the book's binary runs the chapter");

    std::fs::write(book.root().join("src/SUMMARY.md"), "# Summary\n\n- [Stays](stays.md)\n").unwrap();
    book.write("stays.md", &cell(3));
    book.build().unwrap();
    assert_eq!(named(), Vec::<std::path::PathBuf>::new());
    assert!(!book_main().contains(&prefix), "the book's binary no longer holds the chapter");
}

#[test]
fn clean_empties_the_cache_named_by_the_environment() {
    let cache = tempfile::tempdir().unwrap();
    let entry = cache.path().join("deps-0123456789abcdef/target");
    std::fs::create_dir_all(&entry).unwrap();
    std::fs::write(entry.join("libx.rlib"), vec![0u8; 1 << 20]).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mdbook-exec"))
        .arg("clean")
        .env("MDBOOK_EXEC_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("removed 1 folder(s), 1.0 MiB"), "{said}");
    assert!(!entry.exists());
}
