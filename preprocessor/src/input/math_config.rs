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
    /// How the chapters write math: `"dollars"` (the default) or `"mathjax"`; mdbook-katex's
    /// custom delimiters set it too.
    #[serde(default)]
    pub syntax: MathSyntax,
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

/// How the chapters write math.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MathSyntax {
    /// `$..$` and `$$..$$`, found by the markdown parser (the default).
    #[default]
    Dollars,
    /// As for mdBook's MathJax support (`output.html.mathjax-support`): `\(..\)` inline,
    /// `\[..\]`, `$$..$$` and `\begin{..}..\end{..}` display, found where MathJax found
    /// them, in the text after markdown (so the chapter writes `\\(` and `\\[`), and between
    /// the tags of HTML blocks as written.
    Mathjax,
    /// MathJax's delimiters read as written: the text of an HTML block in a MathJax book.
    #[serde(skip)]
    MathjaxAsWritten,
    /// mdbook-katex's `block-delimiter` and `inline-delimiter`, when they are not `$$` and `$`:
    /// found in the chapter's text as written, the TeX taken as written between them, as
    /// mdbook-katex takes it.
    #[serde(skip)]
    Custom(Vec<Delimiter>),
}

/// A pair of math delimiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delimiter {
    pub left: String,
    pub right: String,
    /// Display math rather than inline.
    pub display: bool,
}

impl Delimiter {
    fn new(left: &str, right: &str, display: bool) -> Delimiter {
        Delimiter { left: left.to_owned(), right: right.to_owned(), display }
    }
}

impl MathSyntax {
    /// Whether math is `$` and `$$`, found by the markdown parser.
    pub fn dollars(&self) -> bool {
        *self == MathSyntax::Dollars
    }

    /// The delimiters looked for in text (display ones first, as mdbook-katex looks for them),
    /// and whether they are read after markdown (MathJax) or as written.
    pub fn delimiters(&self) -> (Vec<Delimiter>, bool) {
        match self {
            MathSyntax::Dollars => (Vec::new(), false),
            MathSyntax::Mathjax => (Self::mathjax(), true),
            MathSyntax::MathjaxAsWritten => (Self::mathjax(), false),
            MathSyntax::Custom(d) => (d.clone(), false),
        }
    }

    /// Whether an environment, `\begin{name}..\end{name}`, is display math by itself, as
    /// MathJax makes it.
    pub fn environments(&self) -> bool {
        matches!(self, MathSyntax::Mathjax | MathSyntax::MathjaxAsWritten)
    }

    /// MathJax's delimiters (its defaults, which mdBook keeps).
    fn mathjax() -> Vec<Delimiter> {
        vec![Delimiter::new("\\[", "\\]", true), Delimiter::new("$$", "$$", true), Delimiter::new("\\(", "\\)", false)]
    }

    /// How math is written between the tags of an HTML block, where markdown changes nothing.
    pub fn in_html(&self) -> MathSyntax {
        match self {
            MathSyntax::Mathjax => MathSyntax::MathjaxAsWritten,
            other => other.clone(),
        }
    }
}
