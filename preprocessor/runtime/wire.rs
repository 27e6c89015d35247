//! The wire protocol between a chapter program and the preprocessor, and the entry points the
//! generated `main` calls.
//!
//! Everything the runtime reports travels on standard output as one-line JSON records behind a
//! marker that the preprocessor passes in `MDBOOK_EXEC_NONCE`, interleaved with the text that
//! cells print, so text and records keep their order. Without the marker (a program run by a
//! person, see [`crate::standalone`]) records go nowhere and the runtime speaks plain text.

use std::cell::Cell;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use serde_json::{Value as Json, json};

static MARKER: OnceLock<String> = OnceLock::new();
static LOCK: Mutex<()> = Mutex::new(());
static EXPECTING_PANIC: AtomicBool = AtomicBool::new(false);

thread_local! {
    static IN_HOOK: Cell<bool> = const { Cell::new(false) };
}

/// Whether the program runs under mdbook-exec (rather than by a person).
pub(crate) fn under_preprocessor() -> bool {
    MARKER.get().is_some()
}

/// Writes one record behind the marker. The preceding text of the cell stays in front of it
/// because both go through the same buffered standard output.
pub(crate) fn emit(record: Json) {
    let Some(marker) = MARKER.get() else {
        crate::standalone::show(&record);
        return;
    };
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = std::io::stdout().lock();
    // A failed write means the reader is gone; the preprocessor reports the missing output.
    let _ = writeln!(out, "{marker}{record}");
    let _ = out.flush();
}

/// Writes bytes that another process produced (an exploration's frame) as they are.
pub(crate) fn emit_raw(bytes: &[u8]) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

/// The marker in front of records, when running under mdbook-exec.
pub(crate) fn marker() -> Option<&'static str> {
    MARKER.get().map(String::as_str)
}

/// Stops panics from being echoed on standard error while `quiet` holds (expected panics, and
/// frames whose panic the exploration reports itself).
pub(crate) fn set_quiet_panics(quiet: bool) {
    EXPECTING_PANIC.store(quiet, Ordering::SeqCst);
}

/// The entry points that generated chapter programs call. Not for use in cells.
#[doc(hidden)]
pub mod __private {
    use super::*;

    /// Starts a chapter program: reads the marker and installs the panic recorder.
    pub fn start() {
        let nonce = std::env::var("MDBOOK_EXEC_NONCE").unwrap_or_default();
        if nonce.is_empty() {
            crate::standalone::start();
            return;
        }
        let _ = MARKER.set(format!("\u{1e}mdbook-exec:{nonce}:"));
        std::panic::set_hook(Box::new(|info| {
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
            emit(json!({ "t": "panic", "msg": msg, "file": file, "line": line, "col": col }));
            if !EXPECTING_PANIC.load(Ordering::SeqCst) {
                eprintln!("panicked at {file}:{line}:{col}:\n{msg}");
            }
            IN_HOOK.with(|c| c.set(false));
        }));
    }

    /// Marks the start of cell `index`: output from here on belongs to it.
    pub fn cell(index: usize) {
        if under_preprocessor() {
            emit(json!({ "t": "cell", "i": index }));
        } else {
            crate::standalone::cell(index);
        }
    }

    /// Runs a `should-panic` cell: its panic is expected, shown, and does not end the program.
    pub fn cell_should_panic(index: usize, body: impl FnOnce()) {
        if !under_preprocessor() {
            crate::standalone::cell(index);
            crate::standalone::should_panic(body);
            return;
        }
        cell(index);
        set_quiet_panics(true);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
        set_quiet_panics(false);
        match result {
            Ok(()) => emit(json!({ "t": "no_panic" })),
            Err(_) => emit(json!({ "t": "caught" })),
        }
    }

    /// Marks the normal end of the program.
    pub fn finish() {
        let _ = std::io::stdout().flush();
        if under_preprocessor() {
            emit(json!({ "t": "done" }));
        } else {
            crate::standalone::finish();
        }
    }
}
