//! The page half of the pipeline: from results to the chapter's new markdown.
//!
//! [`refs`] indexes values and labels across the book; [`splice`] plans every replacement
//! (outputs, values, links, explorations, formulas) and writes the chapter; [`math`] renders
//! the formulas with KaTeX (with [`glyphs`] leaving one text copy of each); [`download`] packs
//! each chapter's code; [`panel`] shows errors in the page while serving. Nothing here compiles
//! or runs a program.

pub mod download;
pub mod glyphs;
pub mod math;
pub mod panel;
pub mod refs;
pub mod splice;
