//! Fuzzes finding cells, values and math and splicing results into a chapter: no panics, and
//! every byte outside the replaced ranges is kept (see `mdbook_exec::fuzzing`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        mdbook_exec::fuzzing::check(text);
    }
});
