//! Where the program is: the cell running now, and the exploration frame this process runs (if
//! it runs one). [`out`](crate::out) and [`explore`](crate::explore) note it; [`memo`](crate::memo)
//! reads it for its keys. This module imports nothing of the crate.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

static CELL: AtomicUsize = AtomicUsize::new(0);
static FRAME: Mutex<Option<String>> = Mutex::new(None);

/// Notes that cell `index` is running.
pub(crate) fn enter_cell(index: usize) {
    CELL.store(index, Ordering::SeqCst);
}

/// The cell running now.
pub(crate) fn cell() -> usize {
    CELL.load(Ordering::SeqCst)
}

/// Notes that this process runs one frame of an exploration, described by `frame`
/// (`eta = 0.5, depth = 3`).
pub(crate) fn enter_frame(frame: String) {
    *FRAME.lock().unwrap_or_else(|e| e.into_inner()) = Some(frame);
}

/// The frame this process runs, if any.
pub(crate) fn frame() -> Option<String> {
    FRAME.lock().unwrap_or_else(|e| e.into_inner()).clone()
}
