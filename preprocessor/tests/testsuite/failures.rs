//! Bad input: every failure is reported at its markdown position, fails the build, and loses
//! nothing.

use crate::common;
use crate::common::TestBook;

#[track_caller]
fn fails(chapter: &str, expected: &[&str]) -> String {
    common::fails_with(chapter, "", expected)
}

#[test]
fn compile_error_points_at_the_markdown() {
    let err = fails(
        "# T\n\nSome text.\n\n- in a list:\n\n  ```rust,exec\n  let x: u32 = 1;\n  let y: u32 = \"two\";\n  ```\n",
        &[
            "error: src/ch.md:9:16: cell does not compile: mismatched types [E0308]",
            "src/ch.md:9:16",
            "let y: u32 = \"two\";",
        ],
    );
    assert!(!err.contains("src/bin/"), "no generated file in the message:\n{err}");
}

#[test]
fn missing_semicolon_keeps_rustc_suggestion() {
    fails("```rust,exec\nlet a = 1\nlet b = 2;\n```\n", &["error: src/ch.md:2:", "expected `;`"]);
}

#[test]
fn unknown_crate() {
    fails("```rust,exec\nuse no_such_crate::Thing;\n```\n", &["error: src/ch.md:2:5:", "no_such_crate"]);
}

#[test]
fn panic_is_located() {
    fails(
        "```rust,exec\nlet v = vec![1];\n```\n\n```rust,exec\nlet i = 5;\nlet x = v[i];\n```\n",
        &["error: src/ch.md:7:10: cell 2 panicked", "index out of bounds"],
    );
}

#[test]
fn exit_code_is_named() {
    fails(
        "```rust,exec\nprintln!(\"bye\");\nstd::process::exit(3);\n```\n",
        &["error: src/ch.md:1:1:", "exited with code 3 during cell 1"],
    );
}

#[test]
fn should_panic_that_does_not_panic() {
    fails(
        "```rust,exec,should-panic\nlet x = 1;\n```\n",
        &["error: src/ch.md:1:1: cell 1 is marked `should-panic` but did not panic"],
    );
}

#[test]
fn unknown_option_value_and_label() {
    fails("text\n\n```rust,exec,hide\n1;\n```\n", &["error: src/ch.md:3:1: unknown cell option `hide`", "`hide-code`"]);
    fails(
        "```rust,exec\nexec::value(\"a\", 1);\n```\n\nSee `=b`.\n",
        &["error: src/ch.md:5:5: no cell defines the value `b`", "known values: `a`"],
    );
    fails(
        "```rust,exec\n1;\n```\n\nSee `@fig-x`.\n",
        &["error: src/ch.md:5:5: no figure, table or equation has the label `fig-x`"],
    );
    fails("```rust,exec\nexec::value(\"a\", 1);\nexec::value(\"a\", 2);\n```\n", &["the value `a` is defined twice"]);
}

#[test]
fn bad_math_is_located_with_katex_message() {
    fails(
        "# M\n\nFine $x$ and broken $\\left( x$ here.\n",
        &["error: src/ch.md:3:30: this math does not render", "KaTeX parse error"],
    );
}

#[test]
fn unknown_config_key() {
    let book = TestBook::with_config(&[("ch.md", "# x\n")], "timout = 3\n");
    let err = book.build().unwrap_err();
    assert!(err.contains("error: book.toml: invalid `[preprocessor.exec]` table"), "{err}");
    assert!(err.contains("unknown field `timout`"), "{err}");
}

#[test]
fn failure_keeps_cache_and_next_build_after_fix_is_correct() {
    let good = "```rust,exec\nexec::value(\"n\", 41 + 1);\n```\n\nn is `=n`.\n";
    let book = TestBook::new(&[("ch.md", good)]);
    book.build().unwrap();
    let before = book.html("ch.md");
    book.write("ch.md", "```rust,exec\nexec::value(\"n\", 41 + );\n```\n\nn is `=n`.\n");
    assert!(book.build().is_err());
    assert_eq!(book.html("ch.md"), before, "the last good output stays");
    book.write("ch.md", good);
    let stats = book.build().unwrap();
    assert_eq!(common::count(&stats), (0, 0), "the good result is still cached");
    assert!(book.html("ch.md").contains("data-exec-name=\"n\">42</span>"));
}

#[test]
fn endless_cell_is_killed_with_its_children() {
    let book = TestBook::with_config(
        &[(
            "ch.md",
            "```rust,exec\nlet x = 1;\n```\n\n```rust,exec\nlet _child = std::process::Command::new(\"sleep\").arg(\"600\").spawn();\nloop { std::hint::spin_loop(); }\n```\n",
        )],
        "timeout = 1\n",
    );
    let start = std::time::Instant::now();
    let err = book.build().unwrap_err();
    assert!(start.elapsed().as_secs() < 60, "the time-out stops it");
    assert!(err.contains("error: src/ch.md:5:1: cell 2 was still running after 1 s"), "{err}");
    assert!(err.contains("raise `timeout`"), "{err}");
}

#[test]
fn flood_and_binary_output_are_capped_and_decoded() {
    let book = TestBook::with_config(
        &[(
            "ch.md",
            "```rust,exec\nuse std::io::Write;\nlet line = \"x\".repeat(1000);\nfor _ in 0..100_000 { println!(\"{line}\"); }\n```\n\n\
             ```rust,exec\nstd::io::stdout().write_all(&[b'o', b'k', 0xff, 0xfe, b'\\n']).unwrap();\n```\n",
        )],
        "output-limit = 4096\n",
    );
    book.build().unwrap();
    let html = book.html("ch.md");
    assert!(html.contains("output cut: this cell printed more than 4096 bytes"), "notice shown");
    assert!(html.len() < 200_000, "the page holds the capped output only: {} bytes", html.len());
    assert!(html.contains("ok\u{fffd}\u{fffd}"), "bytes shown lossily");
}

#[test]
fn cells_run_with_empty_stdin_in_a_scratch_folder() {
    let book = TestBook::new(&[(
        "ch.md",
        "```rust,exec\nlet mut s = String::new();\nstd::io::Read::read_to_string(&mut std::io::stdin(), &mut s).unwrap();\n\
         println!(\"stdin had {} bytes\", s.len());\nstd::fs::write(\"written.txt\", \"x\").unwrap();\n\
         println!(\"cwd ends in scratch: {}\", std::env::current_dir().unwrap().parent().unwrap().ends_with(\"scratch\"));\n```\n",
    )]);
    book.build().unwrap();
    let html = book.html("ch.md");
    assert!(html.contains("stdin had 0 bytes"));
    assert!(html.contains("cwd ends in scratch: true"));
    assert!(!book.root().join("src/written.txt").exists() && !book.root().join("written.txt").exists());
}

#[test]
fn corrupted_cache_entry_is_detected_and_rebuilt() {
    let book = TestBook::new(&[("ch.md", "```rust,exec\nprintln!(\"from the cell\");\n```\n")]);
    book.build().unwrap();
    let before = book.html("ch.md");
    let entry = std::fs::read_dir(book.root().join("cache"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let text = std::fs::read_to_string(&entry).unwrap();
    std::fs::write(&entry, &text[..text.len() / 2]).unwrap();
    let stats = book.build().unwrap();
    assert_eq!(stats.cache_corrupt.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert_eq!(common::count(&stats).1, 1, "the chapter ran again");
    assert_eq!(book.html("ch.md"), before);
}

#[test]
fn concurrent_builds_of_one_book_both_succeed() {
    // As `serve` and `build` of one book at once: they share the build folder, the caches and
    // the downloads in `src/`. (They render into different folders here: mdBook's renderer
    // itself cannot write one output folder from two builds at once.)
    let book = TestBook::new(&[("ch.md", "```rust,exec\nexec::value(\"v\", 7);\n```\n\nv = `=v`\n")]);
    let (a, b) = (book.root().join("out-a"), book.root().join("out-b"));
    let results: Vec<_> = std::thread::scope(|s| {
        let x = s.spawn(|| book.build_into(mdbook_exec::ExecPreprocessor::new(), Some(&a)).map(drop));
        let y = s.spawn(|| book.build_into(mdbook_exec::ExecPreprocessor::new(), Some(&b)).map(drop));
        vec![x.join().unwrap(), y.join().unwrap()]
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    for out in [a, b] {
        let html = std::fs::read_to_string(out.join("ch.html")).unwrap();
        assert!(html.contains("data-exec-name=\"v\">7</span>") && html.contains("Run this chapter yourself"));
    }
}

#[test]
fn deleted_cells_leave_no_stale_output_or_cache() {
    let two = "```rust,exec\nprintln!(\"first cell\");\n```\n\n```rust,exec\nprintln!(\"second cell\");\n```\n";
    let book = TestBook::new(&[("ch.md", two)]);
    book.build().unwrap();
    assert!(book.html("ch.md").contains("second cell"));
    book.write("ch.md", "```rust,exec\nprintln!(\"first cell\");\n```\n");
    book.build().unwrap();
    assert!(!book.html("ch.md").contains("second cell"));
    let entries = std::fs::read_dir(book.root().join("cache"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .count();
    assert_eq!(entries, 1, "only the current result stays cached");
}

#[test]
fn unused_value_warns_and_deny_warnings_fails() {
    let ch = "```rust,exec\nexec::value(\"lonely\", 1);\n```\n";
    TestBook::new(&[("ch.md", ch)]).build().unwrap();
    let strict = TestBook::with_config(&[("ch.md", ch)], "deny-warnings = true\n");
    let err = strict.build().unwrap_err();
    assert!(err.contains("error: src/ch.md:1:1: the value `lonely` is exported but never used"), "{err}");
}

#[test]
fn failed_check_points_at_its_line() {
    fails(
        "```rust,exec\nlet x = 1.0_f64;\nexec::check(x > 2.0, \"x is large\");\n```\n",
        &["error: src/ch.md:3:1: cell 1 panicked", "check failed: x is large"],
    );
}

#[test]
fn leftovers_of_a_killed_build_do_no_harm() {
    // A build killed half-way can leave: a temporary file that was never renamed into place,
    // a cache entry cut short, and a generated program that was being rewritten. Every file is
    // written whole (write, then rename), so the last two only arise from outside damage, but
    // the next build must cope with all three.
    let good = "```rust,exec\nexec::value(\"n\", 6 * 7);\n```\n\nn is `=n`.\n";
    let book = TestBook::new(&[("ch.md", good)]);
    book.build().unwrap();
    let expected = book.html("ch.md");

    let cache = book.root().join("cache");
    std::fs::write(cache.join(".tmpKILLED"), "half a file").unwrap();
    for e in std::fs::read_dir(&cache).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "json") {
            let text = std::fs::read_to_string(e.path()).unwrap();
            std::fs::write(e.path(), &text[..text.len() / 3]).unwrap();
        }
    }
    let bins = common::shared_build_dir().join("src/bin");
    for e in std::fs::read_dir(&bins).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        if text.contains("6 * 7") {
            std::fs::write(e.path(), &text[..text.len() / 2]).unwrap();
        }
    }
    std::fs::remove_dir_all(book.root().join("book")).unwrap();
    book.build().unwrap();
    assert_eq!(book.html("ch.md"), expected);
}

#[test]
fn missing_or_stale_assets_say_to_run_install() {
    let book = TestBook::new(&[("a.md", "# A\n\nMath $x^2$.\n")]);
    let stamp = book.root().join("src/mdbook-exec/VERSION");
    std::fs::write(&stamp, "mdbook-exec 0.0.1 assets 0000\nKaTeX 0.1\n").unwrap();
    let e = book.build().unwrap_err();
    assert!(e.contains("error: book.toml: the page assets in `src/mdbook-exec` are from another version of mdbook-exec (mdbook-exec 0.0.1 assets 0000)"), "{e}");
    assert!(e.contains("help: run `mdbook-exec install`"), "{e}");
    std::fs::remove_dir_all(book.root().join("src/mdbook-exec")).unwrap();
    let e = book.build().unwrap_err();
    assert!(e.contains("are missing from `src/mdbook-exec`"), "{e}");
    // Installing fixes it.
    mdbook_exec::install::install(book.root()).unwrap();
    book.build().unwrap();
}

#[test]
fn equation_label_mistakes_are_located() {
    fails(
        "# E\n\n$$ a $$ {#eq-a}\n\nSee `@eq-b`.\n",
        &["error: src/ch.md:5:5: no figure, table or equation has the label `eq-b`", "known labels: `eq-a`"],
    );
    fails(
        "# E\n\n$$ a $$ {#eq-a}\n\n$$\nb\n$$ {#eq-a}\n",
        &["error: src/ch.md:7:4: the label `eq-a` is used twice in this chapter"],
    );
    fails("$$ a $$ {#eq a}\n", &["error: src/ch.md:1:9: `eq a` is not a valid label"]);
    fails("$$ a $$ {#eq-a\n", &["error: src/ch.md:1:9: this equation label is not closed"]);
    fails("Inline $a$ {#eq-a}\n", &["error: src/ch.md:1:12: this label follows inline math"]);
    fails(
        "```rust,exec\nexec::plot::Chart::new(\"x\", \"y\").line(\"a\", [(0.0, 0.0)]).show(\"eq-a\", \"c\");\n```\n\n$$ a $$ {#eq-a}\n",
        &["error: src/ch.md:1:1: the label `eq-a` is used twice in this chapter"],
    );
}

#[test]
fn mdbook_katex_left_in_book_toml_is_named() {
    let book = TestBook::with_config(
        &[("ch.md", "# x\n\n$y$\n")],
        "\n[preprocessor.katex]\ncommand = \"mdbook-katex-not-installed\"\noptional = true\n",
    );
    let err = book.build().unwrap_err();
    assert!(err.contains("error: book.toml: `[preprocessor.katex]` is there as well"), "{err}");
    assert!(err.contains("rename `[preprocessor.katex]` to `[preprocessor.exec]`"), "{err}");
}

/// The chapters of a book compile as one program, yet each chapter's compile errors are its
/// own: two broken chapters are both reported at their lines, and in page mode the chapter that
/// compiles still runs, from the same build.
#[test]
fn broken_chapters_are_reported_each_and_the_others_still_run() {
    let broken_a = "# A\n\n```rust,exec\nlet a: u8 = \"x\";\n```\n";
    let broken_b = "# B\n\ntext\n\n```rust,exec\nlet b = undefined_name + 1;\n```\n";
    let good = "# C\n\n```rust,exec\nprintln!(\"c ran\");\n```\n";
    let book = TestBook::new(&[("a.md", broken_a), ("b.md", broken_b), ("c.md", good)]);
    let err = book.build().expect_err("two chapters do not compile");
    assert!(err.contains("error: src/a.md:4:13: cell does not compile: mismatched types"), "{err}");
    assert!(err.contains("error: src/b.md:6:9: cell does not compile: cannot find value `undefined_name`"), "{err}");
    book.build_showing_errors().expect("page mode shows the errors");
    assert!(book.main("c.md").contains("c ran"), "the chapter that compiles ran");
    assert!(book.main("a.md").contains("class=\"exec-error\""));
}
