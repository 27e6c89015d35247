//! The math settings of a build: `[preprocessor.exec.math]`, with what mdbook-katex's keys
//! (read by [`katex_compat`](super::katex_compat)) add to it. Data only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `[preprocessor.exec.math]` table, with what mdbook-katex's keys add to it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MathConfig {
    /// KaTeX macros, for example `"\\R" = "\\mathbb{R}"`.
    #[serde(default)]
    pub macros: BTreeMap<String, String>,
    /// What KaTeX writes: HTML for display with MathML for accessibility (the default), or
    /// one of the two.
    #[serde(default)]
    pub output: MathOutput,
    /// Whether formulas may use the commands KaTeX runs only when trusted (`\href`, `\url`,
    /// `\includegraphics`, `\html...`); a link that runs a script is refused even then.
    #[serde(default)]
    pub trust: bool,
    /// KaTeX's options, set with mdbook-katex's keys (`leqno`, `trust`, ...).
    #[serde(skip)]
    pub katex: KatexOptions,
    /// Whether each formula is wrapped in `<data class="katex-src" value="TeX">`, as
    /// mdbook-katex's `include-src` does.
    #[serde(skip)]
    pub include_src: bool,
}

/// KaTeX's output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MathOutput {
    /// HTML to display, and MathML for screen readers.
    #[default]
    HtmlAndMathml,
    /// HTML only.
    Html,
    /// MathML only.
    Mathml,
}

/// KaTeX's rendering options that mdbook-katex passes on; unset ones keep KaTeX's defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KatexOptions {
    pub leqno: Option<bool>,
    pub fleqn: Option<bool>,
    pub min_rule_thickness: Option<f64>,
    pub max_size: Option<f64>,
    pub max_expand: Option<i32>,
    pub trust: Option<bool>,
}
