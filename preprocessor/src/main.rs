//! The `mdbook-exec` command: mdBook's preprocessor protocol, and `install` to set a book up.

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
        Some(other) => {
            eprintln!(
                "error: unknown argument `{other}`\nhelp: `mdbook-exec install [BOOK_DIR]` sets a book up; after that mdBook runs mdbook-exec itself"
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

fn run() -> anyhow::Result<()> {
    let (ctx, book) = mdbook_preprocessor::parse_input(io::stdin().lock())?;
    let book = ExecPreprocessor::new().run(&ctx, book)?;
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, &book)?;
    out.flush()?;
    Ok(())
}
