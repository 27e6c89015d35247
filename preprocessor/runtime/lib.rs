//! The runtime that every mdbook-exec chapter program links.
//!
//! A chapter's cells run in order inside one `main`. What they print with `println!` is
//! captured by the preprocessor from standard output; this crate adds the rest: named values
//! for prose and math ([`value`]), figures ([`figure`], [`plot()`](fn@plot)), tables ([`Table`]),
//! build-time checks ([`check`]), seeded random numbers ([`Rng`]) and explorations that readers
//! vary with controls ([`explore`]).
//!
//! Under mdbook-exec everything travels to the preprocessor as records on standard output
//! ([`wire`]); run by a person (a downloaded chapter), the same calls print for a terminal and
//! write figures to files ([`standalone`]). The runtime reports raw values; formatting for the
//! page belongs to the preprocessor.

mod check;
mod explore;
mod figure;
#[allow(dead_code)]
mod format;
mod rng;
pub mod standalone;
mod table;
mod value;
pub mod wire;

#[cfg(feature = "plotters")]
pub mod plot;

pub use check::{check, check_close, show_checks};
pub use explore::{Explore, Frame, Param, explore};
pub use figure::figure;
#[cfg(feature = "plotters")]
pub use figure::plot;
pub use rng::Rng;
pub use table::Table;
pub use value::{Value, tex, value, value_fmt};
#[doc(hidden)]
pub use wire::__private;
