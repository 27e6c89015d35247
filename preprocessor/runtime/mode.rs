//! Whom the program speaks to, decided once: the preprocessor building a book, or a person
//! running a downloaded chapter.
//!
//! The preprocessor starts a chapter program with `MDBOOK_EXEC_NONCE` set (the marker of its
//! records) and `MDBOOK_EXEC_MAX_FRAMES` (the book's `max-frames`); a person's `cargo run` has
//! neither. [`mode`] reads them the first time it is asked and never again, so every part of
//! the runtime sees the same answer. Only [`out`](crate::out), which sends what the runtime
//! reports, and [`explore`](crate::explore), which runs frames differently for each, ask.

use std::sync::OnceLock;

/// How many frames an exploration may have unless the book sets `max-frames`.
const DEFAULT_MAX_FRAMES: usize = 256;

/// Whom the program speaks to.
#[derive(Debug)]
pub(crate) enum Mode {
    /// The preprocessor: records behind `marker` on standard output.
    Book { marker: String, max_frames: usize },
    /// A person at a terminal.
    Person,
}

/// The mode of this run.
pub(crate) fn mode() -> &'static Mode {
    static MODE: OnceLock<Mode> = OnceLock::new();
    MODE.get_or_init(|| match std::env::var("MDBOOK_EXEC_NONCE") {
        Ok(nonce) if !nonce.is_empty() => Mode::Book {
            marker: format!("\u{1e}mdbook-exec:{nonce}:"),
            max_frames: std::env::var("MDBOOK_EXEC_MAX_FRAMES")
                .ok()
                .and_then(|m| m.parse().ok())
                .unwrap_or(DEFAULT_MAX_FRAMES),
        },
        _ => Mode::Person,
    })
}
