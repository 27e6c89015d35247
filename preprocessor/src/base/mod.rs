//! The ground floor: the vocabulary every stage of the pipeline shares, and nothing else.
//!
//! What lives here is used by both halves of the pipeline (execution in [`crate::exec`], the
//! page in [`crate::page`]) and by the commands around them: the results model that chapter
//! programs produce and pages show ([`results`]), diagnostics ([`diag`]), number formatting
//! shared with the runtime ([`format`]), the one fingerprint hasher that every cache key is made
//! with ([`fingerprint`]), the file helpers that keep writes atomic ([`fs`]), markdown and HTML
//! helpers that several stages need ([`markdown`]), the embedded runtime and page assets
//! ([`runtime`], [`assets`]) and the one way a chapter becomes a name ([`slug`]).
//!
//! Nothing in this folder imports a stage (`crate::input`, `crate::exec`, `crate::page`); a
//! stage imports what it needs from here. As mdBook keeps its utilities in `mdbook-core` and
//! rust-analyzer in `stdx`, a helper two stages need is looked for here before it is written.

pub mod assets;
pub mod diag;
pub mod fingerprint;
#[path = "../../runtime/format.rs"]
pub mod format;
pub mod fs;
pub mod markdown;
pub mod results;
pub mod runtime;
pub mod slug;

// `format` (shared with the runtime) finds the value type next to it, as `super::Value`.
pub use results::Value;
