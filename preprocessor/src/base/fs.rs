//! Writing files so that a reader never sees half of one, and locking folders.
//!
//! Every generated file, cache entry and installed asset is written into a temporary file and
//! renamed into place ([`write_atomic`]), and only when its content changes
//! ([`write_if_changed`]), which keeps cargo's fingerprints and mdBook's watcher quiet. A killed
//! build leaves at worst a stray temporary file, never a torn one.

use std::fs::File;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `bytes` to `path` whole: into a temporary file in `tmp_dir` (the file's own folder
/// when `None`), then renamed into place. A `tmp_dir` on another file system falls back to the
/// file's own folder.
pub fn write_atomic(path: &Path, bytes: &[u8], tmp_dir: Option<&Path>) -> Result<()> {
    let dir = path.parent().expect("a file is in a folder");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp_dir = tmp_dir.unwrap_or(dir);
    std::fs::create_dir_all(tmp_dir).with_context(|| format!("creating {}", tmp_dir.display()))?;
    let mut tmp =
        tempfile::NamedTempFile::new_in(tmp_dir).with_context(|| format!("writing in {}", tmp_dir.display()))?;
    std::io::Write::write_all(&mut tmp, bytes).with_context(|| format!("writing {}", path.display()))?;
    match tmp.persist(path) {
        Ok(_) => Ok(()),
        Err(_) if tmp_dir != dir => write_atomic(path, bytes, None),
        Err(e) => Err(e.error).with_context(|| format!("writing {}", path.display())),
    }
}

/// Writes `content` to `path` atomically unless the file already holds exactly that.
pub fn write_if_changed(path: &Path, content: impl AsRef<[u8]>) -> Result<()> {
    let content = content.as_ref();
    if std::fs::read(path).ok().as_deref() == Some(content) {
        return Ok(());
    }
    write_atomic(path, content, None)
}

/// Opens (creating it and its folder when missing) the lock file at `path`, unlocked; the
/// caller takes the lock it needs with `File::lock`, `lock_shared` or `try_lock`.
pub fn lock_file(path: &Path) -> Result<File> {
    let dir = path.parent().expect("a lock file is in a folder");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_only_when_they_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/file.txt");
        write_if_changed(&path, "one").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_if_changed(&path, "one").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), before, "unchanged content, untouched file");
        write_atomic(&path, b"two", Some(&dir.path().join("scratch"))).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path().join("a/b")).unwrap().count(), 1, "no temporary file left");
        let lock = lock_file(&dir.path().join("x/.lock")).unwrap();
        lock.try_lock().unwrap();
    }
}
