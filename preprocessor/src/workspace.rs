//! The build folder where chapter programs are generated and compiled.
//!
//! One Cargo package holds every chapter as a binary (`src/bin/<chapter>.rs`), so the crates
//! that cells use are compiled once and shared, and all changed chapters build in one `cargo`
//! call, in parallel. The package links a copy of the runtime crate embedded in this binary.
//! Files are rewritten only when their content changes, which keeps cargo's fingerprints (and
//! so its incremental rebuilds) valid. This module owns the folder's layout and the cargo
//! invocation; it never runs chapter programs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::config::Config;

/// The runtime crate's source files (path under its `src/`, text), linked by every chapter
/// program. They live in `preprocessor/runtime/` so that the packaged crate carries them.
pub const RUNTIME_FILES: &[(&str, &str)] = &[
    ("lib.rs", include_str!("../runtime/lib.rs")),
    ("check.rs", include_str!("../runtime/check.rs")),
    ("explore.rs", include_str!("../runtime/explore.rs")),
    ("figure.rs", include_str!("../runtime/figure.rs")),
    ("format.rs", include_str!("../runtime/format.rs")),
    ("plot.rs", include_str!("../runtime/plot.rs")),
    ("rng.rs", include_str!("../runtime/rng.rs")),
    ("standalone.rs", include_str!("../runtime/standalone.rs")),
    ("table.rs", include_str!("../runtime/table.rs")),
    ("value.rs", include_str!("../runtime/value.rs")),
    ("wire.rs", include_str!("../runtime/wire.rs")),
];

/// The runtime's own dependencies, and the features that follow the book's crates.
const RUNTIME_DEPENDENCIES: &str = "serde_json = \"1\"\nlibc = \"0.2\"\n";
/// Crates the runtime has optional helpers for, enabled when the book declares them.
const RUNTIME_FEATURES: &[&str] = &["plotters", "ndarray"];

/// The build folder of one book.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The folder.
    pub dir: PathBuf,
    /// Cargo's target folder inside it.
    pub target: PathBuf,
    /// The chapters package's manifest text; part of every cache key.
    pub manifest: String,
    /// The runtime package's manifest text.
    pub runtime_manifest: String,
}

impl Workspace {
    /// Describes the build folder for `config` without touching the disk.
    pub fn new(config: &Config) -> Result<Workspace> {
        let dir = config.build_dir.clone();
        let (manifest, runtime_manifest) = manifests(&config.dependencies)?;
        Ok(Workspace { target: dir.join("target"), dir, manifest, runtime_manifest })
    }

    /// Writes the manifests, the runtime and the lock file where they differ.
    pub fn prepare(&self, lockfile: Option<&Path>) -> Result<()> {
        write_if_changed(&self.dir.join("Cargo.toml"), &self.manifest)?;
        write_if_changed(&self.dir.join("runtime/Cargo.toml"), &self.runtime_manifest)?;
        for (path, text) in RUNTIME_FILES {
            write_if_changed(&self.dir.join("runtime/src").join(path), text)?;
        }
        if let Some(lock) = lockfile {
            // Copy the book's lock only when it changed: cargo rewrites the copy for this
            // package, and copying it over every time would make it resolve again.
            let text = std::fs::read_to_string(lock).with_context(|| format!("reading {}", lock.display()))?;
            let stamp = blake3::hash(text.as_bytes()).to_hex().to_string();
            let stamp_path = self.dir.join("lock.stamp");
            if std::fs::read_to_string(&stamp_path).ok().as_deref() != Some(stamp.as_str()) {
                write_if_changed(&self.dir.join("Cargo.lock"), &text)?;
                write_if_changed(&stamp_path, &stamp)?;
            }
        }
        Ok(())
    }

    /// Writes a chapter program as binary `bin`.
    pub fn write_program(&self, bin: &str, source: &str) -> Result<PathBuf> {
        let path = self.dir.join("src/bin").join(format!("{bin}.rs"));
        write_if_changed(&path, source)?;
        Ok(path)
    }

    /// Removes the programs (and scratch folders) of this book's chapters that are gone.
    pub fn prune_programs(&self, tag: &str, keep: &std::collections::HashSet<String>) {
        let suffix = format!("_{tag}");
        for folder in [self.dir.join("src/bin"), self.dir.join("scratch")] {
            let Ok(entries) = std::fs::read_dir(&folder) else { continue };
            for e in entries.flatten() {
                let path = e.path();
                let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
                if name.ends_with(&suffix) && !keep.contains(&name) {
                    let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
                }
            }
        }
    }

    /// The compiled executable of binary `bin`.
    pub fn executable(&self, bin: &str) -> PathBuf {
        self.target.join("debug").join(format!("{bin}{}", std::env::consts::EXE_SUFFIX))
    }

    /// The scratch folder a chapter program runs in.
    pub fn scratch(&self, bin: &str) -> PathBuf {
        self.dir.join("scratch").join(bin)
    }

    /// Compiles the binaries `bins` in one cargo call and returns the errors rustc reported,
    /// by binary. An error that is not about a binary's code (a dependency that does not
    /// resolve, say) is returned as `Err`.
    pub fn build(&self, bins: &[String]) -> Result<BTreeMap<String, Vec<CompilerMessage>>> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.arg("build")
            .arg("--manifest-path")
            .arg(self.dir.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&self.target)
            .args(["--message-format=json", "--keep-going"])
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for b in bins {
            cmd.args(["--bin", b]);
        }
        let mut child = cmd.spawn().context("starting `cargo build` for the chapter programs")?;
        // Cargo's status lines ("Compiling ndarray ...") are passed on as they come, so a long
        // first build shows progress; everything else is kept for the error message.
        let stderr = child.stderr.take().expect("piped");
        let progress = std::thread::spawn(move || {
            let mut kept = String::new();
            for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
                let status = line.trim_start();
                if ["Compiling", "Downloaded", "Downloading", "Finished", "Locking", "Updating"]
                    .iter()
                    .any(|w| status.starts_with(w))
                {
                    eprintln!("mdbook-exec: {status}");
                } else {
                    kept.push_str(&line);
                    kept.push('\n');
                }
            }
            kept
        });
        let mut stdout = Vec::new();
        std::io::Read::read_to_end(&mut child.stdout.take().expect("piped"), &mut stdout)
            .context("reading `cargo build` output")?;
        let status = child.wait().context("waiting for `cargo build`")?;
        let stderr_text = progress.join().unwrap_or_default();
        let out = Output { status, stdout, stderr: stderr_text };

        let mut errors: BTreeMap<String, Vec<CompilerMessage>> = BTreeMap::new();
        for line in out.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let Ok(msg) = serde_json::from_slice::<CargoMessage>(line) else { continue };
            if msg.reason != "compiler-message" {
                continue;
            }
            let (Some(target), Some(message)) = (msg.target, msg.message) else { continue };
            if message.level == "error" && bins.contains(&target.name) {
                errors.entry(target.name).or_default().push(message);
            }
        }
        if !out.status.success() && errors.is_empty() {
            bail!("`cargo build` of the chapter programs failed:\n{}", out.stderr.trim_end());
        }
        Ok(errors)
    }
}

/// The chapters package's and the runtime's manifests for the book's declared crates.
fn manifests(dependencies: &toml::Table) -> Result<(String, String)> {
    let mut runtime_deps: toml::Table = RUNTIME_DEPENDENCIES.parse().expect("valid TOML");
    let mut features = Vec::new();
    for &f in RUNTIME_FEATURES {
        if let Some(spec) = dependencies.get(f) {
            let mut table = match spec {
                toml::Value::String(v) => {
                    let mut t = toml::Table::new();
                    t.insert("version".into(), toml::Value::String(v.clone()));
                    t
                }
                toml::Value::Table(t) => t.clone(),
                _ => bail!(
                    "the dependency `{f}` in `[preprocessor.exec.dependencies]` must be a version string or a table"
                ),
            };
            table.insert("optional".into(), toml::Value::Boolean(true));
            runtime_deps.insert(f.into(), toml::Value::Table(table));
            features.push(toml::Value::String(f.into()));
        }
    }
    let runtime = document(
        "[package]\nname = \"mdbook-exec-runtime\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n",
        runtime_deps,
    )?;

    let mut deps = dependencies.clone();
    let mut rt = toml::Table::new();
    rt.insert("path".into(), toml::Value::String("runtime".into()));
    rt.insert("features".into(), toml::Value::Array(features));
    deps.insert("mdbook-exec-runtime".into(), toml::Value::Table(rt));
    // Tuned for edit latency: the chapter's own code at opt-level 1 compiles fast, and the
    // crates it uses run optimised.
    let chapters = document(
        "[package]\nname = \"mdbook-exec-chapters\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [profile.dev]\nopt-level = 1\ndebug = false\n\n\
         [profile.dev.package.\"*\"]\nopt-level = 3\n\n\
         [workspace]\nmembers = [\"runtime\"]\n",
        deps,
    )?;
    Ok((chapters, runtime))
}

/// A manifest: the fixed tables of `base` plus `[dependencies]`.
fn document(base: &str, dependencies: toml::Table) -> Result<String> {
    let mut doc: toml::Table = base.parse().expect("the fixed manifest tables are valid TOML");
    doc.insert("dependencies".into(), toml::Value::Table(dependencies));
    Ok(format!("# Generated by mdbook-exec; edits here are overwritten.\n{}", toml::to_string(&doc)?))
}

/// Writes `content` to `path` unless it is already there, atomically (write, then rename).
pub fn write_if_changed(path: &Path, content: &str) -> Result<()> {
    if std::fs::read(path).ok().as_deref() == Some(content.as_bytes()) {
        return Ok(());
    }
    let dir = path.parent().expect("a file in a folder");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("writing in {}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, content.as_bytes())?;
    tmp.persist(path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

struct Output {
    status: std::process::ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
}

#[derive(Deserialize)]
struct CargoMessage {
    reason: String,
    target: Option<CargoTarget>,
    message: Option<CompilerMessage>,
}

#[derive(Deserialize)]
struct CargoTarget {
    name: String,
}

/// A diagnostic from rustc, as cargo's JSON messages carry it.
#[derive(Debug, Clone, Deserialize)]
pub struct CompilerMessage {
    pub message: String,
    pub code: Option<CompilerCode>,
    pub level: String,
    #[serde(default)]
    pub spans: Vec<CompilerSpan>,
    #[serde(default)]
    pub children: Vec<CompilerMessage>,
    pub rendered: Option<String>,
}

/// An error code such as `E0308`.
#[derive(Debug, Clone, Deserialize)]
pub struct CompilerCode {
    pub code: String,
}

/// A span of a compiler message.
#[derive(Debug, Clone, Deserialize)]
pub struct CompilerSpan {
    pub file_name: String,
    pub byte_start: usize,
    pub byte_end: usize,
    pub is_primary: bool,
    pub label: Option<String>,
    pub suggested_replacement: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_manifest_matches_the_runtime_crate() {
        // The embedded runtime is compiled from a generated manifest; it must declare the same
        // dependencies as the crate in this workspace, or chapter programs would not build.
        let real: toml::Table = include_str!("../../runtime/Cargo.toml").parse().unwrap();
        let real_deps: Vec<_> = real["dependencies"].as_table().unwrap().keys().cloned().collect();
        let config: toml::Table = crate::config::DEFAULT_DEPENDENCIES.parse().unwrap();
        let (_, runtime) = manifests(&config).unwrap();
        let generated: toml::Table = runtime.parse().unwrap();
        let gen_deps: Vec<_> = generated["dependencies"].as_table().unwrap().keys().cloned().collect();
        assert_eq!(gen_deps, real_deps);
    }

    #[test]
    fn chapters_manifest_enables_runtime_features_for_declared_crates() {
        let deps: toml::Table = "ndarray = \"0.17.2\"".parse().unwrap();
        let (chapters, runtime) = manifests(&deps).unwrap();
        let m: toml::Table = chapters.parse().unwrap();
        let rt = &m["dependencies"]["mdbook-exec-runtime"];
        assert_eq!(rt["features"].as_array().unwrap().len(), 1);
        assert_eq!(m["profile"]["dev"]["opt-level"].as_integer(), Some(1));
        let r: toml::Table = runtime.parse().unwrap();
        assert_eq!(r["dependencies"]["ndarray"]["optional"].as_bool(), Some(true));
        assert!(r["dependencies"].get("plotters").is_none());
    }
}
