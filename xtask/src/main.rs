//! Project chores, run with `cargo xtask <command>`:
//!
//! - `build`: builds the book into `book/` through mdBook's library, with mdbook-exec
//!   registered in-process (nothing to install).
//! - `serve [args]`: serves the book with live reload through the pinned `mdbook` CLI, which it
//!   installs under `target/tools/` on first use.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use mdbook_driver::MDBook;
use mdbook_exec::ExecPreprocessor;

/// The mdBook CLI version `serve` uses; the library crates in Cargo.lock are the same release.
const MDBOOK_VERSION: &str = "0.5.4";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => build(),
        Some("serve") => serve(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <build | serve [mdbook serve options]>");
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

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is in the workspace").to_owned()
}

fn build() -> Result<()> {
    let root = root();
    let start = std::time::Instant::now();
    let mut book = MDBook::load(&root).context("loading the book")?;
    book.with_preprocessor(ExecPreprocessor::new());
    book.build()?;
    eprintln!("built {} in {:.1} s", root.join("book/index.html").display(), start.elapsed().as_secs_f64());
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
    let mdbook = mdbook_cli(&root)?;
    let status = Command::new(mdbook).arg("serve").args(args).current_dir(&root).status().context("running `mdbook serve`")?;
    if !status.success() {
        bail!("`mdbook serve` exited with {status}");
    }
    Ok(())
}
