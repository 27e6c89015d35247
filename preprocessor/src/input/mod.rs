//! Reading the book: the `[preprocessor.exec]` settings ([`config`], with the math settings in
//! [`math_config`] and mdbook-katex's keys in [`katex_compat`]) and each chapter as the pipeline
//! sees it ([`doc`], found by [`scan`]). Nothing here runs, renders or writes anything.

pub mod config;
pub mod doc;
pub mod katex_compat;
pub mod math_config;
pub mod scan;
