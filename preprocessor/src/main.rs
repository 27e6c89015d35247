//! The `mdbook-exec` command: mdBook's preprocessor protocol, and nothing else.

use std::io::{self, Write};
use std::process::ExitCode;

use mdbook_exec::ExecPreprocessor;
use mdbook_preprocessor::Preprocessor;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        // Every renderer can show what this preprocessor produces.
        Some("supports") => return ExitCode::SUCCESS,
        Some(other) => {
            eprintln!(
                "error: unknown argument `{other}`\nhelp: mdbook-exec is run by mdBook; add `[preprocessor.exec]` to `book.toml`"
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
