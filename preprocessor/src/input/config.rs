//! The `[preprocessor.exec]` table of `book.toml`.
//!
//! This module owns the set of configuration keys, their defaults and their validation: an
//! unknown key or a value of the wrong type is an error naming `book.toml`, never a silent
//! default. It never reads chapters or runs anything.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mdbook_preprocessor::PreprocessorContext;
use serde::Deserialize;

use crate::base::diag::Diagnostic;
use crate::input::katex_compat;
pub use crate::input::math_config::{MathConfig, MathOutput};

/// The crates that cells may use when `book.toml` declares none.
pub const DEFAULT_DEPENDENCIES: &str = r#"
ndarray = "0.17.2"
plotters = { version = "0.3.7", default-features = false, features = ["svg_backend", "line_series", "point_series"] }
"#;

/// Cells longer than this many visible lines are folded unless `fold-lines` says otherwise.
pub const DEFAULT_FOLD_LINES: usize = 20;

/// The validated configuration of one build.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The book's root folder (where `book.toml` is).
    pub root: PathBuf,
    /// The chapters' folder relative to the root, for diagnostics (`src`).
    pub src: PathBuf,
    /// Crates available to cells, as `[dependencies]` entries of a Cargo manifest.
    pub dependencies: toml::Table,
    /// Where chapter programs are generated and compiled.
    pub build_dir: PathBuf,
    /// Where chapter results are cached.
    pub cache_dir: PathBuf,
    /// Where compiled dependencies are kept for every book on the machine.
    pub dependency_cache: PathBuf,
    /// The lock file that pins the cells' crates.
    pub lockfile: Lockfile,
    /// How long one chapter program may run.
    pub timeout: Duration,
    /// How many bytes of output one cell may produce before it is cut.
    pub output_limit: usize,
    /// Whether warnings fail the build.
    pub deny_warnings: bool,
    /// How many frames one exploration may have.
    pub max_frames: usize,
    /// Fail the build on an error, or show it in the page.
    pub on_error: OnError,
    /// Cells with more visible lines than this are folded (0: never by default).
    pub fold_lines: usize,
    /// Whether each chapter with cells links a download of its code.
    pub downloads: bool,
    /// Math settings.
    pub math: MathConfig,
    /// Settings that were accepted but change nothing (reported as warnings).
    pub warnings: Vec<Diagnostic>,
}

/// The lock file that pins the versions of the cells' crates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lockfile {
    /// The author's: the `lockfile` setting, or a `Cargo.lock` next to `book.toml`. Read, never
    /// written.
    Given(PathBuf),
    /// mdbook-exec's own, `mdbook-exec.lock` next to `book.toml`: written with the versions the
    /// first build resolves, and updated when the declared crates change.
    Own(PathBuf),
}

impl Lockfile {
    /// The file's path.
    pub fn path(&self) -> &Path {
        match self {
            Lockfile::Given(p) | Lockfile::Own(p) => p,
        }
    }
}

/// What a build does with an author's mistake (a cell that fails, bad TeX, an unknown name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Report it and fail the build (the default, and the only mode of `build` and CI).
    #[default]
    Fail,
    /// Report it, and render the chapter with the error shown where it happened (for `serve`).
    Page,
}

/// The environment variable that asks for [`OnError::Page`]; `cargo xtask serve` sets it, and it
/// takes effect only under `mdbook serve`.
pub const ON_ERROR_VAR: &str = "MDBOOK_EXEC_ON_ERROR";

impl OnError {
    /// Reads [`ON_ERROR_VAR`]; unset means [`OnError::Fail`].
    pub fn from_env() -> Result<OnError, Diagnostic> {
        match std::env::var(ON_ERROR_VAR).as_deref() {
            Err(_) | Ok("") | Ok("fail") => Ok(OnError::Fail),
            Ok("page") => Ok(OnError::Page),
            Ok(other) => Err(Diagnostic::in_file(
                ON_ERROR_VAR,
                format!("unknown value `{other}`; valid values are `page` and `fail`"),
            )
            .help("set it to `page` while serving to see failures in the page")),
        }
    }
}

/// The environment variable that moves the machine-wide dependency cache (the
/// `dependency-cache` setting wins over it).
pub const DEPENDENCY_CACHE_VAR: &str = "MDBOOK_EXEC_CACHE_DIR";

/// The machine-wide dependency cache: `$MDBOOK_EXEC_CACHE_DIR`, else `mdbook-exec` in the user's
/// cache folder (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
/// `%LOCALAPPDATA%` on Windows). `None` when the system names no such folder.
pub fn default_dependency_cache() -> Option<PathBuf> {
    match std::env::var_os(DEPENDENCY_CACHE_VAR) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::cache_dir().map(|d| d.join("mdbook-exec")),
    }
}

/// The name of the lock file mdbook-exec writes for a book that has none. Not `Cargo.lock`: a
/// `Cargo.lock` next to `book.toml` may belong to the author's own crate.
pub const OWN_LOCKFILE: &str = "mdbook-exec.lock";

fn invalid(name: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::in_file("book.toml", format!("invalid `[preprocessor.{name}]` table"))
        .detail(format!("{e:#}"))
        .help("see the \"Configuration\" section of the author's guide for the valid keys")
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    // Keys that mdBook itself reads from every preprocessor table.
    #[allow(dead_code)]
    command: Option<String>,
    #[allow(dead_code)]
    before: Option<Vec<String>>,
    #[allow(dead_code)]
    after: Option<Vec<String>>,
    #[allow(dead_code)]
    renderers: Option<Vec<String>>,
    #[allow(dead_code)]
    optional: Option<bool>,

    dependencies: Option<toml::Table>,
    build_dir: Option<PathBuf>,
    cache_dir: Option<PathBuf>,
    dependency_cache: Option<PathBuf>,
    lockfile: Option<PathBuf>,
    timeout: Option<u64>,
    output_limit: Option<usize>,
    deny_warnings: Option<bool>,
    max_frames: Option<usize>,
    fold_lines: Option<usize>,
    downloads: Option<bool>,
    math: Option<MathConfig>,
}

impl Config {
    /// Reads and validates the configuration of the book being built. `on_error`, when given,
    /// is the mode; otherwise the environment asks for it ([`ON_ERROR_VAR`]).
    pub fn from_context(
        ctx: &PreprocessorContext,
        name: &str,
        on_error: Option<OnError>,
    ) -> Result<Config, Diagnostic> {
        if ctx.config.get::<toml::Value>("preprocessor.katex").ok().flatten().is_some() {
            return Err(Diagnostic::in_file(
                "book.toml",
                "`[preprocessor.katex]` is there as well: mdbook-katex and mdbook-exec would both render the math",
            )
            .help(
                "rename `[preprocessor.katex]` to `[preprocessor.exec]` (mdbook-exec reads its settings), or remove it",
            ));
        }
        let key = format!("preprocessor.{name}");
        let table: toml::Table = ctx.config.get(&key).map_err(|e| invalid(name, e))?.unwrap_or_default();
        let mut config = Config::from_table(table, name, &ctx.root, &ctx.config.book.src)?;
        if let Some(mode) = on_error {
            config.on_error = mode;
            return Ok(config);
        }
        config.on_error = OnError::from_env()?;
        // `mdbook serve` sets a live-reload endpoint before it builds; nothing else does. The
        // switch applies only there, so an exported variable cannot make `mdbook build` succeed
        // with errors in its pages.
        let serving = ctx.config.get::<String>("output.html.live-reload-endpoint").ok().flatten().is_some();
        if config.on_error == OnError::Page && !serving {
            config.on_error = OnError::Fail;
            config.warnings.push(
                Diagnostic::in_file(
                    ON_ERROR_VAR,
                    "`page` applies only under `mdbook serve`; this build fails on errors",
                )
                .warning(),
            );
        }
        Ok(config)
    }

    /// The configuration with every default, for a book at `root`.
    #[cfg(test)]
    pub fn defaults(root: &Path) -> Config {
        Config::from_raw(Raw::default(), root, Path::new("src")).expect("defaults are valid")
    }

    /// Validates a `[preprocessor.<name>]` table; mdbook-katex's keys in it are taken over.
    fn from_table(mut table: toml::Table, name: &str, root: &Path, src: &Path) -> Result<Config, Diagnostic> {
        let katex = katex_compat::split(&mut table);
        let output_set = table.get("math").and_then(|m| m.get("output")).is_some();
        let raw: Raw = table.try_into().map_err(|e| invalid(name, e))?;
        let mut config = Config::from_raw(raw, root, src)?;
        let katex: katex_compat::Settings = katex.try_into().map_err(|e| invalid(name, e))?;
        config.warnings = katex.apply(&mut config.math, output_set, root)?;
        // `math.trust` is KaTeX's option as mdbook-katex's `trust` sets it; either trusts.
        if config.math.trust {
            config.math.katex.trust = Some(true);
        }
        Ok(config)
    }

    fn from_raw(raw: Raw, root: &Path, src: &Path) -> Result<Config, Diagnostic> {
        let dependencies = match raw.dependencies {
            Some(d) => d,
            None => DEFAULT_DEPENDENCIES.parse().expect("default dependencies are valid TOML"),
        };
        if dependencies.contains_key("mdbook-exec-runtime") {
            return Err(Diagnostic::in_file("book.toml", "`mdbook-exec-runtime` is linked by mdbook-exec itself")
                .help("remove it from `[preprocessor.exec.dependencies]`"));
        }
        let build_dir = root.join(raw.build_dir.unwrap_or_else(|| PathBuf::from("target/mdbook-exec")));
        let cache_dir = raw.cache_dir.map(|d| root.join(d)).unwrap_or_else(|| build_dir.join("cache"));
        let lockfile = match raw.lockfile {
            Some(l) => {
                let l = root.join(l);
                if !l.is_file() {
                    return Err(Diagnostic::in_file("book.toml", format!("`lockfile` {} does not exist", l.display()))
                        .help("point `lockfile` at a `Cargo.lock`, or remove the key"));
                }
                Lockfile::Given(l)
            }
            None if root.join("Cargo.lock").is_file() => Lockfile::Given(root.join("Cargo.lock")),
            None => Lockfile::Own(root.join(OWN_LOCKFILE)),
        };
        // With no cache folder on the system, compiled dependencies stay with the book.
        let dependency_cache = match raw.dependency_cache {
            Some(d) => root.join(d),
            None => default_dependency_cache().unwrap_or_else(|| build_dir.join("dependencies")),
        };
        if raw.max_frames == Some(0) {
            return Err(Diagnostic::in_file("book.toml", "`max-frames` must be at least 1")
                .help("it is the largest number of frames one exploration may have (default 256)"));
        }
        if raw.timeout == Some(0) {
            return Err(Diagnostic::in_file("book.toml", "`timeout` must be at least 1 second"));
        }
        Ok(Config {
            root: root.to_owned(),
            src: src.to_owned(),
            dependencies,
            build_dir,
            cache_dir,
            dependency_cache,
            lockfile,
            timeout: Duration::from_secs(raw.timeout.unwrap_or(60)),
            output_limit: raw.output_limit.unwrap_or(1 << 20),
            deny_warnings: raw.deny_warnings.unwrap_or(false),
            max_frames: raw.max_frames.unwrap_or(256),
            on_error: OnError::Fail,
            fold_lines: raw.fold_lines.unwrap_or(DEFAULT_FOLD_LINES),
            downloads: raw.downloads.unwrap_or(true),
            math: raw.math.unwrap_or_default(),
            warnings: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> Result<Config, String> {
        let table: toml::Table = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        Config::from_table(table, "exec", Path::new("/book"), Path::new("src")).map_err(|d| d.to_string())
    }

    #[test]
    fn defaults() {
        let c = parse("").unwrap();
        assert!(c.dependencies.contains_key("ndarray"));
        assert!(c.dependencies.contains_key("plotters"));
        assert_eq!(c.build_dir, Path::new("/book/target/mdbook-exec"));
        assert_eq!(c.cache_dir, Path::new("/book/target/mdbook-exec/cache"));
        assert_eq!(c.lockfile, Lockfile::Own(PathBuf::from("/book/mdbook-exec.lock")));
        assert_eq!(parse("dependency-cache = \"deps\"").unwrap().dependency_cache, Path::new("/book/deps"));
        assert_eq!(c.timeout, Duration::from_secs(60));
    }

    #[test]
    fn unknown_key_lists_valid_ones() {
        let e = parse("timeot = 3").unwrap_err();
        assert!(e.contains("unknown field `timeot`"), "{e}");
        assert!(e.contains("`timeout`"), "{e}");
    }

    #[test]
    fn settings() {
        let c = parse(
            "timeout = 5\noutput-limit = 10\n[dependencies]\nrand = \"0.9\"\n[math.macros]\n'\\R' = '\\mathbb{R}'",
        )
        .unwrap();
        assert_eq!(c.timeout, Duration::from_secs(5));
        assert_eq!(c.output_limit, 10);
        assert_eq!(c.dependencies.keys().collect::<Vec<_>>(), ["rand"]);
        assert_eq!(c.math.macros["\\R"], "\\mathbb{R}");
        assert!(parse("timeout = 0").is_err());
        assert!(parse("[math]\nmacro = 1").unwrap_err().contains("unknown field `macro`"));
    }

    #[test]
    fn mdbook_katex_keys_are_taken_over() {
        let c = parse("leqno = true\noutput = 'mathml'\ntimeout = 5").unwrap();
        assert_eq!(
            (c.math.katex.leqno, c.math.output, c.timeout),
            (Some(true), MathOutput::Mathml, Duration::from_secs(5))
        );
        let e = parse("output = 'html'\n[math]\noutput = 'html'").unwrap_err();
        assert!(e.contains("`output` (an mdbook-katex setting) is set as well as `math.output`"), "{e}");
        assert_eq!(parse("no-css = true").unwrap().warnings.len(), 1);
        let e = parse("leqno = 'yes'").unwrap_err();
        assert!(e.contains("error: book.toml: invalid `[preprocessor.exec]` table") && e.contains("leqno"), "{e}");
    }
}
