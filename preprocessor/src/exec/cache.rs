//! The result cache: what each chapter program produced, keyed by everything that shapes it.
//!
//! A key hashes the generated program (so every cell and option), the chapters manifest (the
//! declared crates and the profile), the resolved lock file (the exact versions the chapters
//! compile against, not the book's lock file, whose unrelated entries do not matter), the
//! runtime's source, this crate's version, the toolchain it was built with, the output limit and
//! the frame limit. An entry is written atomically and
//! carries a checksum, so a torn or edited file reads as a miss, never as wrong output. Only
//! successful runs are stored. This module never compiles or runs anything.

use std::path::PathBuf;

use anyhow::Result;

use crate::base::fingerprint::{Fingerprint, hash_hex};
use crate::base::fs::write_if_changed;
use crate::base::results::CellOutput;

/// What a key is made of besides the program.
#[derive(Debug, Clone)]
pub struct KeyBase {
    fingerprint: Fingerprint,
}

impl KeyBase {
    /// The part of every key that is shared by all chapters of a build.
    pub fn new(manifest: &str, resolved_lock: &str, output_limit: usize, max_frames: usize) -> KeyBase {
        let mut f = Fingerprint::new();
        f.field("mdbook-exec", env!("CARGO_PKG_VERSION").as_bytes())
            .field("rustc", env!("MDBOOK_EXEC_RUSTC_VERSION").as_bytes())
            .runtime();
        KeyBase::continued(f, manifest, resolved_lock, output_limit, max_frames)
    }

    /// The fields after the tool, the toolchain and the runtime, which `f` already holds.
    fn continued(mut f: Fingerprint, manifest: &str, lock: &str, output_limit: usize, max_frames: usize) -> KeyBase {
        f.field("manifest", manifest.as_bytes())
            .field("output-limit", &(output_limit as u64).to_le_bytes())
            .field("max-frames", &(max_frames as u64).to_le_bytes())
            .field("lock", lock.as_bytes());
        KeyBase { fingerprint: f }
    }

    /// The key of one chapter program.
    pub fn key(&self, program_source: &str) -> String {
        let mut f = self.fingerprint.clone();
        f.raw(b"program").raw(program_source.as_bytes());
        f.hex()
    }
}

/// The cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// The result of a lookup.
#[derive(Debug, PartialEq)]
pub enum Lookup {
    Hit(Vec<CellOutput>),
    Miss,
    /// An entry was there but failed its checksum or did not parse.
    Corrupt,
}

impl Cache {
    /// The cache in `dir` (created on first store).
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// Reads the entry for `key`.
    pub fn load(&self, key: &str) -> Lookup {
        let Ok(text) = std::fs::read_to_string(self.path(key)) else { return Lookup::Miss };
        let Some((sum, payload)) = text.split_once('\n') else { return Lookup::Corrupt };
        if hash_hex(payload.as_bytes()) != sum {
            return Lookup::Corrupt;
        }
        match serde_json::from_str(payload) {
            Ok(cells) => Lookup::Hit(cells),
            Err(_) => Lookup::Corrupt,
        }
    }

    /// Stores the outputs of a successful run under `key`.
    pub fn store(&self, key: &str, cells: &[CellOutput]) -> Result<()> {
        let payload = serde_json::to_string(cells)?;
        let sum = hash_hex(payload.as_bytes());
        write_if_changed(&self.path(key), &format!("{sum}\n{payload}"))
    }

    /// Removes every entry whose key is not in `keep` and returns how many went. Callers hold
    /// the build folder's lock, so no other build is writing entries meanwhile.
    pub fn prune(&self, keep: &std::collections::HashSet<String>) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return 0 };
        let mut removed = 0;
        for e in entries.flatten() {
            let path = e.path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
            if path.extension().is_some_and(|x| x == "json") && !keep.contains(stem) {
                removed += usize::from(std::fs::remove_file(&path).is_ok());
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::results::Item;

    #[test]
    fn round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let cells = vec![CellOutput { items: vec![Item::Text { text: "hi\n".into() }], ..CellOutput::default() }];
        assert_eq!(cache.load("k"), Lookup::Miss);
        cache.store("k", &cells).unwrap();
        assert_eq!(cache.load("k"), Lookup::Hit(cells.clone()));

        let path = dir.path().join("k.json");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..text.len() - 5]).unwrap();
        assert_eq!(cache.load("k"), Lookup::Corrupt);
        std::fs::write(&path, text.replace("hi", "ho")).unwrap();
        assert_eq!(cache.load("k"), Lookup::Corrupt);
    }

    #[test]
    fn keys_are_pinned() {
        // A key for fixed inputs (and a fixed stand-in for the tool, toolchain and runtime), so
        // that a change to how keys are made cannot pass unnoticed: it would recompute every
        // chapter of every installed book.
        let mut f = Fingerprint::new();
        f.field("mdbook-exec", b"0.1.0").field("rustc", b"rustc 1.95.0").field("lib.rs", b"pub fn f() {}");
        let base = KeyBase::continued(f, "[dependencies]\n", "version = 4\n", 1 << 20, 256);
        assert_eq!(base.key("fn main() {}\n"), "beb0455f0ccad87610d4168c812ef4bca2a2142f921550f7f22e6f914ebc6392");
    }

    #[test]
    fn keys_depend_on_every_input() {
        let a = KeyBase::new("m1", "l1", 10, 5);
        let b = KeyBase::new("m2", "l1", 10, 5);
        let c = KeyBase::new("m1", "l1", 11, 5);
        let d = KeyBase::new("m1", "l2", 10, 5);
        let e = KeyBase::new("m1", "l1", 10, 6);
        assert_ne!(a.key("p"), e.key("p"));
        assert_eq!(a.key("p"), a.key("p"));
        assert_ne!(a.key("p"), a.key("q"));
        assert_ne!(a.key("p"), b.key("p"));
        assert_ne!(a.key("p"), c.key("p"));
        assert_ne!(a.key("p"), d.key("p"));
    }
}
