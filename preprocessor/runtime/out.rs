//! Where everything the runtime reports goes: to the preprocessor as records ([`wire`]) or to a
//! person as text and files ([`standalone`]), by the [`mode`] of the run. This is the one place
//! that sends; the modules that report (values, checks, figures, tables, explorations) build a
//! record and call [`emit`].

use std::io::Write;

use serde_json::{Value as Json, json};

use crate::mode::{Mode, mode};
use crate::{standalone, wire};

/// Sends one record.
pub(crate) fn emit(record: Json) {
    match mode() {
        Mode::Book { marker, .. } => wire::write(marker, &record),
        Mode::Person => standalone::show(&record),
    }
}

/// The entry points that generated chapter programs call. Not for use in cells.
#[doc(hidden)]
pub mod __private {
    use super::*;

    /// Starts a chapter program: under the preprocessor, installs the panic recorder.
    pub fn start() {
        if let Mode::Book { marker, .. } = mode() {
            wire::install_panic_hook(marker);
        }
    }

    /// Marks the start of cell `index`: output from here on belongs to it.
    pub fn cell(index: usize) {
        crate::place::enter_cell(index);
        match mode() {
            Mode::Book { .. } => emit(json!({ "t": "cell", "i": index })),
            Mode::Person => standalone::cell(index),
        }
    }

    /// Runs a `should-panic` cell: its panic is expected, shown, and does not end the program.
    pub fn cell_should_panic(index: usize, body: impl FnOnce()) {
        cell(index);
        if let Mode::Person = mode() {
            standalone::should_panic(body);
            return;
        }
        wire::set_quiet_panics(true);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
        wire::set_quiet_panics(false);
        match result {
            Ok(()) => emit(json!({ "t": "no_panic" })),
            Err(_) => emit(json!({ "t": "caught" })),
        }
    }

    /// Marks the normal end of the program.
    pub fn finish() {
        let _ = std::io::stdout().flush();
        if let Mode::Book { .. } = mode() {
            emit(json!({ "t": "done" }));
        }
    }
}
