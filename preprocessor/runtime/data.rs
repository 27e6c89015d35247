//! The book's data files: [`data`] turns a path relative to the chapter's folder in `src/` into
//! one a cell can open, and remembers that the chapter read it.
//!
//! Under mdbook-exec the preprocessor names the book's `src/` (`MDBOOK_EXEC_SRC`) and the
//! chapter's folder in it (`MDBOOK_EXEC_CHAPTER_DIR`); every file resolved is reported (a `data`
//! record), so the chapter's cached result holds only while the file's content is the same, and
//! its download carries the file. A downloaded chapter gets both variables from its
//! `.cargo/config.toml`, pointing at the copies beside it. Memos ([`memo`](crate::memo)) read
//! [`read_so_far`] to fold the files into their keys. This module never reads a file's content
//! except to hash it for a memo.

use std::collections::HashMap;
use std::hash::Hasher;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use serde_json::json;

use crate::out::emit;

/// The files resolved so far, in the order first asked for (paths relative to `src/`).
static READ: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The path of the book's data file `path` (relative to the chapter's own folder in `src/`,
/// as a link in the chapter would be), for `std::fs` or any reader.
///
/// ```ignore
/// let text = std::fs::read_to_string(exec::data("data/sales.csv")).unwrap();
/// ```
///
/// The chapter depends on the file from then on: editing it re-runs the chapter (and only the
/// chapters that read it). A path that leaves `src/`, or names no file, stops the chapter with
/// an error at this call.
#[track_caller]
pub fn data(path: impl AsRef<Path>) -> PathBuf {
    let path = path.as_ref();
    match resolve(path) {
        Ok((full, rel)) => {
            report(&rel);
            full
        }
        Err(e) => panic!("exec::data({:?}): {e}", path.display().to_string()),
    }
}

/// Records that the chapter read `rel` (relative to `src/`): once per file.
pub(crate) fn report(rel: &str) {
    let mut read = READ.lock().unwrap_or_else(|e| e.into_inner());
    if !read.iter().any(|r| r == rel) {
        read.push(rel.to_owned());
        drop(read);
        emit(json!({ "t": "data", "path": rel }));
    }
}

/// The files resolved so far, relative to `src/`.
pub(crate) fn read_so_far() -> Vec<String> {
    READ.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// A hash of the content of `rel` (relative to `src/`), or `None` when it cannot be read. Each
/// file is hashed once per run.
pub(crate) fn content_hash(rel: &str) -> Option<u64> {
    static SEEN: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let seen = seen.get_or_insert_with(HashMap::new);
    if let Some(h) = seen.get(rel) {
        return Some(*h);
    }
    let bytes = std::fs::read(root().join(rel)).ok()?;
    let h = hash64(&bytes);
    seen.insert(rel.to_owned(), h);
    Some(h)
}

/// The runtime's own 64-bit hash (SipHash, from the standard library) for checksums and for
/// data files' content: the runtime cannot use the preprocessor's hasher, and a memo's key is
/// compared whole, so this only has to notice a change.
pub(crate) fn hash64(bytes: &[u8]) -> u64 {
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new_with_keys(0x6d64_626f_6f6b, 0x6578_6563);
    h.write(bytes);
    h.finish()
}

/// The book's `src/` folder: the preprocessor's (or a download's) `MDBOOK_EXEC_SRC`, else the
/// current folder.
fn root() -> PathBuf {
    std::env::var_os("MDBOOK_EXEC_SRC").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."))
}

/// `path` resolved against the chapter's folder: the full path, and the path relative to `src/`
/// with `/` between its parts.
fn resolve(path: &Path) -> Result<(PathBuf, String), String> {
    let chapter_dir = std::env::var("MDBOOK_EXEC_CHAPTER_DIR").unwrap_or_default();
    let rel = normalise(&Path::new(&chapter_dir).join(path))?;
    let root = root();
    let full = root.join(&rel);
    // A link inside `src/` that points outside it leaves `src/` as well.
    let inside = match (full.canonicalize(), root.canonicalize()) {
        (Ok(f), Ok(r)) => f.starts_with(r),
        _ => return Err(format!("there is no file `src/{rel}`; data files live in the book's `src/` folder")),
    };
    if !inside {
        return Err(format!("`src/{rel}` is a link to a file outside the book's `src/` folder"));
    }
    if !full.is_file() {
        return Err(format!("`src/{rel}` is not a file"));
    }
    Ok((full, rel))
}

/// The parts of `path` with `.` and `..` taken away, or an error when it leaves its root.
fn normalise(path: &Path) -> Result<String, String> {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err("the path leaves the book's `src/` folder; data files must be inside it".to_owned());
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err("give the path relative to the chapter's folder, not an absolute path".to_owned());
            }
        }
    }
    if parts.is_empty() {
        return Err("the path names a folder, not a file".to_owned());
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_src() {
        assert_eq!(normalise(Path::new("part/./data/../data/x.csv")).unwrap(), "part/data/x.csv");
        assert_eq!(normalise(Path::new("part/../x.csv")).unwrap(), "x.csv");
        assert!(normalise(Path::new("part/../../x.csv")).unwrap_err().contains("leaves"));
        assert!(normalise(Path::new("/etc/passwd")).unwrap_err().contains("absolute"));
        assert!(normalise(Path::new("a/..")).unwrap_err().contains("folder"));
    }
}
