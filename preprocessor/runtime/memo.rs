//! Results that survive edits: [`memo`] keeps a value on disk and gives it back while nothing it
//! can depend on has changed.
//!
//! A memo's key is the preprocessor's hash of everything up to the end of the cell that calls
//! it (the chapter's code, the declared crates and their locked versions, the toolchain and this
//! runtime; one per cell, in `MDBOOK_EXEC_MEMO_KEYS`), the data files the chapter read before
//! the call with a hash of their content, and the frame's parameters inside an exploration. The
//! entry also lists the data files the closure read, with their hashes, so that editing one of
//! them recomputes the memo and the chapter still depends on it when the closure does not run.
//! Entries live in `MDBOOK_EXEC_MEMO_DIR` (one folder per chapter), one file per name, written
//! whole (a temporary file renamed into place) with a checksum: a damaged entry is recomputed,
//! never trusted. A downloaded chapter computes every memo. Either way the value a cell gets
//! has gone through JSON, so a fresh value and a stored one are the same bits.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value as Json, json};

use crate::data::{content_hash, hash64, read_so_far, report};
use crate::mode::{Mode, mode};
use crate::out::emit;
use crate::place;

static NAMES: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// The value of `compute()`, kept on disk under `name` and given back, without calling
/// `compute`, while nothing it can depend on changed: the chapter's code up to the end of this
/// cell, the crates and their versions, the data files read so far (and those `compute` reads),
/// the toolchain. Editing a later cell or the prose keeps it; editing this cell or an earlier
/// one computes it again.
///
/// ```ignore
/// let weights: Vec<f64> = exec::memo("weights", || train(10_000));
/// ```
///
/// The value must be something serde can write and read back as JSON (numbers, strings,
/// vectors, maps with string keys, tuples, your own `#[derive(Serialize, Deserialize)]` types);
/// each name is used once per chapter (once per frame inside an exploration).
#[track_caller]
pub fn memo<T: Serialize + DeserializeOwned>(name: &str, compute: impl FnOnce() -> T) -> T {
    {
        let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
        if !names.get_or_insert_with(HashSet::new).insert(name.to_owned()) {
            panic!("exec::memo: the name `{name}` is used twice in this chapter; give each memo a name of its own");
        }
    }
    let stored = match mode() {
        Mode::Book { .. } => Store::here(name),
        Mode::Person => None,
    };
    if let Some(store) = &stored
        && let Some((value, inside)) = store.load::<T>()
    {
        for path in &inside {
            report(path);
        }
        emit(json!({ "t": "memo", "name": name, "file": store.file_name(), "reused": true }));
        return value;
    }
    let before = read_so_far().len();
    let value = compute();
    let inside: Vec<String> = read_so_far()[before..].to_vec();
    let encoded = match serde_json::to_string(&value) {
        Ok(text) => text,
        Err(e) => panic!("exec::memo: the value of `{name}` cannot be stored as JSON: {e}"),
    };
    // What a cell gets is always read back from JSON, so a value from disk is the same.
    let value = match serde_json::from_str::<T>(&encoded) {
        Ok(v) => v,
        Err(e) => panic!(
            "exec::memo: the value of `{name}` does not read back from JSON ({e}); a float that is NaN or infinite is written as `null`"
        ),
    };
    if let Some(store) = &stored {
        store.save(&encoded, &inside);
        emit(json!({ "t": "memo", "name": name, "file": store.file_name(), "reused": false }));
    }
    value
}

/// Where one memo is kept, and the key it must have.
struct Store {
    file: PathBuf,
    key: String,
}

impl Store {
    /// The store of memo `name` in this cell (and frame), or `None` when the preprocessor gave
    /// no folder or keys (a build by an older preprocessor, or a program started by hand).
    fn here(name: &str) -> Option<Store> {
        let dir = PathBuf::from(std::env::var_os("MDBOOK_EXEC_MEMO_DIR")?);
        let keys = std::env::var("MDBOOK_EXEC_MEMO_KEYS").ok()?;
        let cell = place::cell();
        let code = keys.split(',').nth(cell)?;
        let mut key = format!("code {code}\n");
        for path in read_so_far() {
            key += &format!("data {} {:016x}\n", json!(path), content_hash(&path).unwrap_or(0));
        }
        let frame = place::frame();
        let mut file = safe(name);
        if let Some(frame) = frame {
            key += &format!("frame {}\n", json!(frame));
            file += &format!("@{:016x}", hash64(frame.as_bytes()));
        }
        Some(Store { file: dir.join(format!("{file}.memo")), key })
    }

    /// The entry's file name, which the preprocessor keeps when it prunes the chapter's memos.
    fn file_name(&self) -> String {
        self.file.file_name().unwrap_or_default().to_string_lossy().into_owned()
    }

    /// The stored value and the data files its closure read, when the entry is whole, has this
    /// key, and those files are unchanged.
    fn load<T: DeserializeOwned>(&self) -> Option<(T, Vec<String>)> {
        let text = std::fs::read_to_string(&self.file).ok()?;
        let (sum, rest) = text.split_once('\n')?;
        if sum != format!("{:016x}", hash64(rest.as_bytes())) {
            return None;
        }
        let entry: Json = serde_json::from_str(rest).ok()?;
        if entry["key"].as_str() != Some(self.key.as_str()) {
            return None;
        }
        let mut inside = Vec::new();
        for f in entry["inside"].as_array()? {
            let (path, hash) = (f[0].as_str()?, f[1].as_str()?);
            if format!("{:016x}", content_hash(path)?) != hash {
                return None;
            }
            inside.push(path.to_owned());
        }
        let value = serde_json::from_str(entry["value"].as_str()?).ok()?;
        Some((value, inside))
    }

    /// Writes the entry whole; a failure to write costs only the next run's time.
    fn save(&self, encoded: &str, inside: &[String]) {
        let inside: Vec<Json> =
            inside.iter().map(|p| json!([p, format!("{:016x}", content_hash(p).unwrap_or(0))])).collect();
        let rest = json!({ "key": self.key, "inside": inside, "value": encoded }).to_string();
        let text = format!("{:016x}\n{rest}", hash64(rest.as_bytes()));
        let Some(dir) = self.file.parent() else { return };
        let _ = std::fs::create_dir_all(dir);
        let tmp = dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            self.file.file_name().unwrap_or_default().to_string_lossy()
        ));
        let written = std::fs::File::create(&tmp).and_then(|mut f| f.write_all(text.as_bytes()));
        if written.is_err() || std::fs::rename(&tmp, &self.file).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// A file name for memo `name`: its letters and digits, and a hash that keeps names apart that
/// differ only in the rest.
fn safe(name: &str) -> String {
    let readable: String = name
        .chars()
        .take(40)
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    format!("{readable}-{:08x}", hash64(name.as_bytes()) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_file_names() {
        assert_eq!(safe("fit/w 1").len(), "fit_w_1-".len() + 8);
        assert_ne!(safe("a b"), safe("a_b"), "names that read alike keep apart");
        assert_ne!(hash64(b"x"), hash64(b"y"));
    }

    #[test]
    fn entries_round_trip_and_damage_is_recomputed() {
        let dir = tempfile_dir();
        let store = Store { file: dir.join("m.memo"), key: "code k\n".into() };
        assert!(store.load::<Vec<f64>>().is_none());
        store.save(&serde_json::to_string(&vec![0.1, 2.5]).unwrap(), &[]);
        assert_eq!(store.load::<Vec<f64>>().unwrap().0, vec![0.1, 2.5]);
        let other = Store { file: dir.join("m.memo"), key: "code j\n".into() };
        assert!(other.load::<Vec<f64>>().is_none(), "another key");
        let text = std::fs::read_to_string(&store.file).unwrap();
        std::fs::write(&store.file, text.replace("2.5", "2.6")).unwrap();
        assert!(store.load::<Vec<f64>>().is_none(), "damaged bytes are not trusted");
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mdbook-exec-memo-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
