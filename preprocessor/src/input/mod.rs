//! Reading the book: the `[preprocessor.exec]` settings ([`config`], with the math settings in
//! [`math_config`] and mdbook-katex's keys in [`katex_compat`]) and each chapter as the pipeline
//! sees it ([`doc`], found by [`scan`], with math between other delimiters than `$` found by
//! [`delimiters`]). Nothing here runs, renders or writes anything.

pub mod config;
pub mod delimiters;
pub mod doc;
pub mod katex_compat;
pub mod math_config;
pub mod scan;
