//! The integration tests, one binary (as mdBook's `tests/testsuite`): fixture books and the real
//! book built through `mdbook-driver`, the installed binary as mdBook runs it, the published site
//! in a browser, and the house's layering. The real book is built once per run and shared
//! ([`common::real_book`]).

mod authoring;
mod book;
mod browser;
mod common;
mod compat;
mod dependencies;
mod downloads;
mod engine;
mod errors_in_page;
mod explore;
mod failures;
mod layers;
mod package;
mod serve_switch;
mod tutorial;
