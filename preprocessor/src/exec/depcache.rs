//! The machine-wide cache of compiled cell dependencies.
//!
//! Compiling the crates that cells use (`ndarray`, `plotters`, ...) takes far longer than
//! compiling a chapter, and it is the same work for every book that declares the same crates at
//! the same versions. So chapter programs are compiled into cargo target folders that all books on
//! the machine share, one per *entry*, keyed by the dependency set and profile (the generated
//! manifest), the resolved lock file, the toolchain and the runtime's source. The runtime crate
//! is written into the cache as well, so that its path, and with it cargo's hash of it, is the
//! same for every book and it compiles once. Chapter binaries of different books keep apart by
//! their names (which end in a per-book tag).
//!
//! Two builds that share an entry are kept apart by cargo's own lock on the target folder; every
//! build also holds the cache's lock file shared while it compiles and runs, so that
//! [`DepCache::clean`] never removes a folder that a build is using. This module owns the cache's
//! layout, its keys and its cleaning; it never runs cargo.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::base::fingerprint::Fingerprint;
use crate::base::fs::{lock_file, write_if_changed};
use crate::base::runtime::FILES as RUNTIME_FILES;

/// The cache of compiled dependencies at one root folder.
#[derive(Debug, Clone)]
pub struct DepCache {
    root: PathBuf,
}

/// One entry: the target folder for one dependency set, lock file, toolchain and runtime.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The entry's folder.
    #[cfg_attr(not(test), allow(dead_code))]
    pub dir: PathBuf,
    /// Cargo's target folder in it.
    pub target: PathBuf,
    /// What identifies the compiler cargo uses (`rustc -vV` and the flags).
    pub toolchain: String,
}

/// What [`DepCache::clean`] removed.
#[derive(Debug, Default)]
pub struct Cleaned {
    /// Folders removed.
    pub folders: usize,
    /// Bytes they held.
    pub bytes: u64,
}

impl DepCache {
    /// The cache at `root` (created on first use).
    pub fn new(root: impl Into<PathBuf>) -> DepCache {
        DepCache { root: root.into() }
    }

    /// Holds the cache's lock shared until dropped: builds share it, [`DepCache::clean`] waits
    /// for none of them and removes nothing while one holds it.
    pub fn lock_shared(&self) -> Result<File> {
        let file = self.lock_file()?;
        file.lock_shared().with_context(|| format!("locking {}", self.root.join(".lock").display()))?;
        Ok(file)
    }

    fn lock_file(&self) -> Result<File> {
        lock_file(&self.root.join(".lock"))
    }

    /// Writes the runtime crate for `runtime_manifest` (its features follow the book's crates)
    /// into the cache and returns its folder. The folder is named by a hash of what it holds, so
    /// every book that needs the same runtime points cargo at the same path.
    pub fn runtime(&self, runtime_manifest: &str) -> Result<PathBuf> {
        let dir =
            self.root.join(runtime_folder(Fingerprint::new().field("manifest", runtime_manifest.as_bytes()).runtime()));
        write_if_changed(&dir.join("Cargo.toml"), runtime_manifest)?;
        for (path, text) in RUNTIME_FILES {
            write_if_changed(&dir.join("src").join(path), text)?;
        }
        Ok(dir)
    }

    /// The entry for the chapters `manifest` (the dependency set and profile, with the runtime at
    /// a fixed placeholder path) resolved to `lock`, compiled by the toolchain that cargo will
    /// use. Records the manifest and lock in the entry so that a new book can start from them
    /// ([`DepCache::seed_lock`]), and marks the entry as used now.
    pub fn entry(&self, manifest: &str, lock: &str) -> Result<Entry> {
        let mut f = Fingerprint::new();
        let toolchain = toolchain()?;
        f.field("mdbook-exec", env!("CARGO_PKG_VERSION").as_bytes());
        entry_fields(&mut f, manifest, lock, &toolchain).runtime();
        let dir = self.root.join(entry_folder(&f));
        write_if_changed(&dir.join("manifest.toml"), manifest)?;
        write_if_changed(&dir.join("Cargo.lock"), lock)?;
        let used = dir.join("used");
        let stamp = File::create(&used).with_context(|| format!("writing {}", used.display()))?;
        // The time of last use picks the seed for a new book; failing to set it costs nothing.
        let _ = stamp.set_modified(std::time::SystemTime::now());
        Ok(Entry { target: dir.join("target"), dir, toolchain })
    }

    /// The lock file of the most recently used entry for the same `manifest`, if any: a new
    /// book whose crates this machine has compiled before starts from the same versions, so its
    /// first build finds them compiled.
    pub fn seed_lock(&self, manifest: &str) -> Option<String> {
        let entries = std::fs::read_dir(&self.root).ok()?;
        entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("deps-")))
            .filter(|p| std::fs::read_to_string(p.join("manifest.toml")).ok().as_deref() == Some(manifest))
            .filter_map(|p| {
                let used = std::fs::metadata(p.join("used")).and_then(|m| m.modified()).ok()?;
                let lock = std::fs::read_to_string(p.join("Cargo.lock")).ok()?;
                Some((used, lock))
            })
            .max_by_key(|(used, _)| *used)
            .map(|(_, lock)| lock)
    }

    /// Removes every entry and runtime, unless a build is using the cache.
    pub fn clean(&self) -> Result<Cleaned> {
        let mut cleaned = Cleaned::default();
        if !self.root.is_dir() {
            return Ok(cleaned);
        }
        let lock = self.lock_file()?;
        if lock.try_lock().is_err() {
            bail!(
                "a build is using the dependency cache in {}; run `mdbook-exec clean` again when it has finished",
                self.root.display()
            );
        }
        for e in std::fs::read_dir(&self.root).with_context(|| format!("reading {}", self.root.display()))? {
            let path = e?.path();
            if !path.is_dir() {
                continue;
            }
            cleaned.bytes += size(&path);
            std::fs::remove_dir_all(&path).with_context(|| format!("removing {}", path.display()))?;
            cleaned.folders += 1;
        }
        Ok(cleaned)
    }
}

/// The fields of an entry's key after the tool's version, before the runtime's files.
fn entry_fields<'f>(f: &'f mut Fingerprint, manifest: &str, lock: &str, toolchain: &str) -> &'f mut Fingerprint {
    f.field("manifest", manifest.as_bytes()).field("lock", lock.as_bytes()).field("toolchain", toolchain.as_bytes())
}

/// The folder name of an entry with this key.
fn entry_folder(f: &Fingerprint) -> String {
    format!("deps-{}", &f.hex()[..16])
}

/// The folder name of a runtime with this key.
fn runtime_folder(f: &Fingerprint) -> String {
    format!("runtime-{}", &f.hex()[..16])
}

/// What identifies the compiler that cargo will run: `rustc -vV` (version, commit, host, LLVM)
/// as seen from the current folder (so a `rust-toolchain.toml` there counts), and the flags
/// from the environment, which would otherwise make cargo rebuild everything in a shared folder.
fn toolchain() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(&rustc)
        .arg("-vV")
        .output()
        .with_context(|| format!("running `{} -vV`", rustc.to_string_lossy()))?;
    if !out.status.success() {
        bail!("`{} -vV` failed:\n{}", rustc.to_string_lossy(), String::from_utf8_lossy(&out.stderr).trim_end());
    }
    let mut id = String::from_utf8_lossy(&out.stdout).into_owned();
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS"] {
        if let Some(v) = std::env::var_os(var) {
            id += &format!("{var}={}\n", v.to_string_lossy());
        }
    }
    Ok(id)
}

/// The bytes the files under `dir` hold.
fn size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => size(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_pinned() {
        // Folder names for fixed inputs (and a stand-in for the runtime): a change to how they
        // are made would recompile every machine's dependencies.
        let mut f = Fingerprint::new();
        f.field("mdbook-exec", b"0.1.0");
        entry_fields(&mut f, "m", "l", "rustc 1.95.0\n").field("lib.rs", b"pub fn f() {}");
        assert_eq!(entry_folder(&f), "deps-d973ba80e42ba125");
        let mut r = Fingerprint::new();
        r.field("manifest", b"[package]\n").field("lib.rs", b"pub fn f() {}");
        assert_eq!(runtime_folder(&r), "runtime-09b880dacef56106");
    }

    #[test]
    fn entries_are_keyed_by_manifest_and_lock_and_seed_new_books() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DepCache::new(dir.path());
        let a = cache.entry("m1", "lock-a").unwrap();
        assert_eq!(cache.entry("m1", "lock-a").unwrap().dir, a.dir);
        assert_ne!(cache.entry("m1", "lock-b").unwrap().dir, a.dir);
        assert_ne!(cache.entry("m2", "lock-a").unwrap().dir, a.dir);
        // The most recently used lock for the same manifest seeds a new book.
        assert_eq!(cache.seed_lock("m1").as_deref(), Some("lock-b"));
        cache.entry("m1", "lock-a").unwrap();
        assert_eq!(cache.seed_lock("m1").as_deref(), Some("lock-a"));
        assert_eq!(cache.seed_lock("m3"), None);
    }

    #[test]
    fn runtime_folders_follow_their_content() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DepCache::new(dir.path());
        let a = cache.runtime("[package]\nname = \"a\"\n").unwrap();
        assert_eq!(cache.runtime("[package]\nname = \"a\"\n").unwrap(), a);
        assert_ne!(cache.runtime("[package]\nname = \"b\"\n").unwrap(), a);
        assert!(a.join("src/lib.rs").is_file());
    }

    #[test]
    fn clean_removes_everything_but_waits_for_builds() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DepCache::new(dir.path().join("cache"));
        assert_eq!(cache.clean().unwrap().folders, 0, "a cache that was never made is clean");
        let entry = cache.entry("m", "l").unwrap();
        std::fs::create_dir_all(&entry.target).unwrap();
        std::fs::write(entry.target.join("lib.rlib"), [0u8; 1000]).unwrap();
        cache.runtime("r").unwrap();

        let building = cache.lock_shared().unwrap();
        let e = cache.clean().unwrap_err().to_string();
        assert!(e.contains("a build is using the dependency cache"), "{e}");
        assert!(entry.dir.is_dir());
        drop(building);

        let cleaned = cache.clean().unwrap();
        assert_eq!(cleaned.folders, 2);
        assert!(cleaned.bytes >= 1000, "{cleaned:?}");
        assert!(!entry.dir.exists());
    }
}
