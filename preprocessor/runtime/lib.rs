//! The runtime that every mdbook-exec chapter program links.
//!
//! A chapter's cells run in order inside one `main`. What they print with `println!` is
//! captured by the preprocessor from standard output; this crate adds the rest: named values
//! for prose and math ([`value`]), figures ([`figure`], [`plot()`](fn@plot)), tables ([`Table`]),
//! build-time checks ([`check`]), seeded random numbers ([`Rng`]), explorations that readers
//! vary with controls ([`explore`]), the book's data files ([`data()`](fn@data)) and results
//! kept on disk across edits ([`memo()`](fn@memo)).
//!
//! Under mdbook-exec everything travels to the preprocessor as records on standard output
//! (`wire.rs`); run by a person (a downloaded chapter), the same calls print for a terminal and
//! write figures to files (`standalone.rs`). The runtime reports raw values; formatting for the
//! page belongs to the preprocessor.

// From the ground up: `value`, `format`, `rng` and `mode` import nothing of the crate; `wire`
// (records for the preprocessor) and `standalone` (text for a person) build on them; `out`
// chooses between the two, once per run; everything a cell calls reports through `out`. `data`
// (the book's files) and `memo` (results on disk, keyed by the cells and the files read) report
// through `out` too; `place` (the cell and frame running now) imports nothing.
mod check;
mod data;
mod explore;
mod export;
mod figure;
#[allow(dead_code)]
mod format;
mod label;
mod memo;
mod mode;
mod out;
mod place;
#[cfg(feature = "plotters")]
pub mod plot;
mod rng;
mod standalone;
mod table;
mod value;
mod wire;

pub use check::{check, check_close, show_checks};
pub use data::data;
pub use explore::{Explore, Frame, Param, explore};
pub use export::{tex, value, value_fmt};
pub use figure::figure;
pub use label::label;
pub use memo::memo;
#[doc(hidden)]
pub use out::__private;
#[cfg(feature = "plotters")]
pub use plot::plot;
pub use rng::Rng;
pub use table::Table;
pub use value::Value;
