//! The wire protocol towards the preprocessor: one-line JSON records behind the run's marker,
//! interleaved with the text that cells print on standard output, so that text and records
//! keep their order. The preprocessor owns the other side (`exec/protocol.rs`). This module
//! only writes; [`out`](crate::out) decides that records go here.

use std::cell::Cell;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value as Json, json};

static LOCK: Mutex<()> = Mutex::new(());
static EXPECTING_PANIC: AtomicBool = AtomicBool::new(false);

thread_local! {
    static IN_HOOK: Cell<bool> = const { Cell::new(false) };
}

/// Writes one record behind `marker`. The preceding text of the cell stays in front of it
/// because both go through the same buffered standard output.
pub(crate) fn write(marker: &str, record: &Json) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = std::io::stdout().lock();
    // A failed write means the reader is gone; the preprocessor reports the missing output.
    let _ = writeln!(out, "{marker}{record}");
    let _ = out.flush();
}

/// Writes bytes that another process produced (an exploration's frame) as they are.
pub(crate) fn write_raw(bytes: &[u8]) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

/// The records in `output` (what a frame wrote), parsed.
pub(crate) fn records(marker: &str, output: &[u8]) -> Vec<Json> {
    let text = String::from_utf8_lossy(output);
    text.split(marker)
        .skip(1)
        .filter_map(|rest| serde_json::from_str(rest.split('\n').next().unwrap_or("")).ok())
        .collect()
}

/// Stops panics from being echoed on standard error while `quiet` holds (expected panics, and
/// frames whose panic the exploration reports itself).
pub(crate) fn set_quiet_panics(quiet: bool) {
    EXPECTING_PANIC.store(quiet, Ordering::SeqCst);
}

/// Reports every panic as a record (with its place, which the preprocessor maps back to the
/// markdown), and on standard error unless it is expected.
pub(crate) fn install_panic_hook(marker: &'static str) {
    std::panic::set_hook(Box::new(move |info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_owned()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "(a panic with a non-string payload)".to_owned()
        };
        let (file, line, col) =
            info.location().map(|l| (l.file().to_owned(), l.line(), l.column())).unwrap_or_default();
        if IN_HOOK.with(|c| c.replace(true)) {
            return;
        }
        write(marker, &json!({ "t": "panic", "msg": msg, "file": file, "line": line, "col": col }));
        if !EXPECTING_PANIC.load(Ordering::SeqCst) {
            eprintln!("panicked at {file}:{line}:{col}:\n{msg}");
        }
        IN_HOOK.with(|c| c.set(false));
    }));
}
