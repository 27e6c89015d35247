//! The `mdbook-exec` command: mdBook's preprocessor protocol, `install` to set a book up, and
//! `clean` to empty the machine-wide cache of compiled cell dependencies.

use std::io::{self, Write};
use std::process::ExitCode;

use mdbook_exec::ExecPreprocessor;
use mdbook_preprocessor::Preprocessor;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        // Every renderer can show what this preprocessor produces.
        Some("supports") => return ExitCode::SUCCESS,
        Some("install") if args.len() <= 2 => {
            let dir = std::path::PathBuf::from(args.get(1).map_or(".", String::as_str));
            return match mdbook_exec::install::install(&dir) {
                Ok(done) => {
                    eprintln!("{}", done.summary());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            };
        }
        Some("clean") if args.len() == 1 => return clean(),
        Some(other) => {
            eprintln!(
                "error: unknown argument `{other}`\nhelp: `mdbook-exec install [BOOK_DIR]` sets a book up (after that mdBook runs mdbook-exec itself); `mdbook-exec clean` empties the cache of compiled dependencies"
            );
            return ExitCode::from(2);
        }
        None => {}
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Empties the machine-wide dependency cache (a book's `dependency-cache` setting names its own
/// folder, which the author removes by hand).
fn clean() -> ExitCode {
    match mdbook_exec::clean() {
        Ok((root, done)) => {
            eprintln!(
                "mdbook-exec: removed {} folder(s), {:.1} MiB, from {}",
                done.folders,
                done.bytes as f64 / (1 << 20) as f64,
                root.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let (ctx, book) = mdbook_preprocessor::parse_input(io::stdin().lock())?;
    let book = ExecPreprocessor::new().run(&ctx, book)?;
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, &book)?;
    out.flush()?;
    Ok(())
}
