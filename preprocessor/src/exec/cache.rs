//! The result cache: what each chapter program produced, keyed by everything that shapes it.
//!
//! A key hashes the generated program (so every cell and option), the chapters manifest (the
//! declared crates and the profile), the resolved lock file (the exact versions the chapters
//! compile against, not the book's lock file, whose unrelated entries do not matter), the
//! runtime's source, this crate's version, the toolchain it was built with, the output limit and
//! the frame limit. An entry is written atomically and
//! carries a checksum, so a torn or edited file reads as a miss, never as wrong output. Only
//! successful runs are stored. The book's data files a chapter read (`exec::data`) are known
//! only once it ran, so they are not in the key: the entry lists them with a hash of their
//! content, and holds only while every one of them still has that content ([`data_fresh`]).
//! A chapter that read none has the key and the entry it always had. This module never
//! compiles or runs anything.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::base::fingerprint::{Fingerprint, hash_hex};
use crate::base::fs::write_if_changed;
use crate::base::results::CellOutput;
use crate::exec::program::Program;

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

    /// Adds the content of the author's own crates that `[preprocessor.exec.dependencies]`
    /// names by path (`sources`, a hash of their files): a chapter must run again when one of
    /// them changes. Books without such a crate keep the keys they had.
    pub fn with_path_crates(mut self, sources: Option<&str>) -> KeyBase {
        if let Some(sources) = sources {
            self.fingerprint.field("path-crates", sources.as_bytes());
        }
        self
    }

    /// The key of one chapter program.
    pub fn key(&self, program_source: &str) -> String {
        let mut f = self.fingerprint.clone();
        f.raw(b"program").raw(program_source.as_bytes());
        f.hex()
    }
}

/// The key of every memo in each cell of `program` (see the runtime's `memo.rs`), joined by
/// commas: a hash of the toolchain cargo uses, the declared crates and their locked versions,
/// the runtime, the author's own crates (`path_crates`) and the program up to the end of the
/// cell. Output settings are left out: they do not change a value.
pub fn memo_keys(
    toolchain: &str,
    manifest: &str,
    lock: &str,
    path_crates: Option<&str>,
    program: &Program,
    cells: usize,
) -> String {
    let mut base = Fingerprint::new();
    base.field("memo", b"1").field("toolchain", toolchain.as_bytes()).field("manifest", manifest.as_bytes());
    base.field("lock", lock.as_bytes()).field("path-crates", path_crates.unwrap_or_default().as_bytes()).runtime();
    (0..cells)
        .map(|i| {
            let mut f = base.clone();
            f.field("code", program.up_to_cell(i).as_bytes());
            f.hex()[..32].to_owned()
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// The result of a lookup.
#[derive(Debug, PartialEq)]
pub enum Lookup {
    /// The cells' outputs, and the data files the run read with their hashes.
    Hit(Vec<CellOutput>, Vec<(String, String)>),
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
            Ok(Stored::Cells(cells)) => Lookup::Hit(cells, Vec::new()),
            Ok(Stored::WithData { cells, data }) => Lookup::Hit(cells, data),
            Err(_) => Lookup::Corrupt,
        }
    }

    /// Stores the outputs of a successful run under `key`, with the data files it read and
    /// their hashes ([`data_hashes`]).
    pub fn store(&self, key: &str, cells: &[CellOutput], data: &[(String, String)]) -> Result<()> {
        let payload = if data.is_empty() {
            serde_json::to_string(cells)?
        } else {
            serde_json::to_string(&serde_json::json!({ "cells": cells, "data": data }))?
        };
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

/// An entry's payload: the cells alone (a chapter that read no data file, the layout entries
/// always had), or with the data files.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Stored {
    Cells(Vec<CellOutput>),
    WithData { cells: Vec<CellOutput>, data: Vec<(String, String)> },
}

/// The data files `paths` (relative to the book's `src/` folder, `src`) with a hash of their
/// content; a file that cannot be read gets an empty hash, which no later check matches.
pub fn data_hashes(src: &Path, paths: &[String]) -> Vec<(String, String)> {
    paths.iter().map(|p| (p.clone(), std::fs::read(src.join(p)).map(|b| hash_hex(&b)).unwrap_or_default())).collect()
}

/// Whether every data file of an entry still has the content it had when the chapter ran.
pub fn data_fresh(src: &Path, data: &[(String, String)]) -> bool {
    data.iter().all(|(p, h)| !h.is_empty() && std::fs::read(src.join(p)).is_ok_and(|b| hash_hex(&b) == *h))
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
        cache.store("k", &cells, &[]).unwrap();
        assert_eq!(cache.load("k"), Lookup::Hit(cells.clone(), Vec::new()));
        let text = std::fs::read_to_string(dir.path().join("k.json")).unwrap();
        assert!(text.split_once('\n').unwrap().1.starts_with('['), "no data files: the layout entries always had");

        let path = dir.path().join("k.json");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..text.len() - 5]).unwrap();
        assert_eq!(cache.load("k"), Lookup::Corrupt);
        std::fs::write(&path, text.replace("hi", "ho")).unwrap();
        assert_eq!(cache.load("k"), Lookup::Corrupt);
    }

    #[test]
    fn entries_hold_while_their_data_files_do() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("data")).unwrap();
        std::fs::write(src.join("data/x.csv"), "a,b\n1,2\n").unwrap();
        let cache = Cache::new(dir.path().join("cache"));
        let data = data_hashes(&src, &["data/x.csv".to_owned()]);
        cache.store("k", &[CellOutput::default()], &data).unwrap();
        let Lookup::Hit(cells, stored) = cache.load("k") else { panic!("a hit") };
        assert_eq!((cells.len(), &stored), (1, &data));
        assert!(data_fresh(&src, &stored));
        std::fs::write(src.join("data/x.csv"), "a,b\n1,3\n").unwrap();
        assert!(!data_fresh(&src, &stored), "an edited file");
        std::fs::remove_file(src.join("data/x.csv")).unwrap();
        assert!(!data_fresh(&src, &stored), "a removed file");
        assert!(!data_fresh(&src, &data_hashes(&src, &["data/x.csv".to_owned()])), "never read");
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
        assert_eq!(a.clone().with_path_crates(None).key("p"), a.key("p"), "no crate of the author's: the same key");
        assert_ne!(a.clone().with_path_crates(Some("h")).key("p"), a.key("p"));
    }

    #[test]
    fn memo_keys_follow_the_code_up_to_their_cell() {
        let keys = |md: &str| {
            let cells = crate::input::scan::scan(md).cells;
            let p = Program::generate("src/a.md", &cells);
            memo_keys("rustc 1.95.0", "m", "l", None, &p, cells.len()).split(',').map(str::to_owned).collect::<Vec<_>>()
        };
        let a = keys("```rust,exec\nlet x = 1;\n```\n\n```rust,exec\nlet y = 2;\n```\n");
        let b = keys("Prose.\n\n```rust,exec\nlet x = 1;\n```\n\n```rust,exec\nlet y = 3;\n```\n");
        let c = keys("```rust,exec\nlet x = 0;\n```\n\n```rust,exec\nlet y = 2;\n```\n");
        assert_eq!(a.len(), 2);
        assert_eq!(a[0], b[0], "prose and a later cell leave the first cell's key");
        assert_ne!(a[1], b[1]);
        assert_ne!(a[0], c[0]);
        assert_ne!(a[1], c[1], "an earlier cell changes every later key");
    }
}
