//! mdbook-katex's settings, so that a book switches by renaming `[preprocessor.katex]` to
//! `[preprocessor.exec]` and running `mdbook-exec install`.
//!
//! This module owns the list of mdbook-katex 0.10's keys and decides each one: taken over into
//! the math settings (`macros` files, `output` and KaTeX's own options), accepted at the value
//! that matches what mdbook-exec always does, or refused (an error) or ignored (a warning)
//! with the reason, naming the key. It also reads mdbook-katex's macros file format, one
//! `\name:expansion` per line. It never renders math and never reads chapters.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::base::diag::Diagnostic;
use crate::input::math_config::{KatexOptions, MathConfig, MathOutput};

/// mdbook-katex's keys, as they stand in its `[preprocessor.katex]` table.
pub const KEYS: &[&str] = &[
    "macros",
    "output",
    "leqno",
    "fleqn",
    "throw-on-error",
    "error-color",
    "min-rule-thickness",
    "max-size",
    "max-expand",
    "trust",
    "no-css",
    "include-src",
    "block-delimiter",
    "inline-delimiter",
    "pre-render",
];

/// mdbook-katex's keys found in `[preprocessor.exec]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    macros: Option<PathBuf>,
    output: Option<String>,
    leqno: Option<bool>,
    fleqn: Option<bool>,
    throw_on_error: Option<bool>,
    error_color: Option<String>,
    min_rule_thickness: Option<f64>,
    max_size: Option<Size>,
    max_expand: Option<i32>,
    trust: Option<bool>,
    no_css: Option<bool>,
    include_src: Option<bool>,
    block_delimiter: Option<Delimiter>,
    inline_delimiter: Option<Delimiter>,
    pre_render: Option<bool>,
}

/// `max-size`: ems, or `"Infinity"` as mdbook-katex's documentation writes KaTeX's default.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Size {
    Ems(f64),
    Named(String),
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Delimiter {
    left: String,
    right: String,
}

/// Moves mdbook-katex's keys out of a `[preprocessor.exec]` table into their own.
pub fn split(table: &mut toml::Table) -> toml::Table {
    KEYS.iter().filter_map(|k| table.remove(*k).map(|v| ((*k).to_owned(), v))).collect()
}

fn refuse(key: &str, why: &str, help: &str) -> Diagnostic {
    Diagnostic::in_file("book.toml", format!("`{key}` (an mdbook-katex setting) {why}")).help(help)
}

fn ignore(key: &str, why: &str, help: &str) -> Diagnostic {
    refuse(key, why, help).warning()
}

impl Settings {
    /// Applies the settings to `math` (whose `output` the book may have set as `math.output`);
    /// returns warnings for keys that change nothing here.
    pub fn apply(self, math: &mut MathConfig, output_set: bool, root: &Path) -> Result<Vec<Diagnostic>, Diagnostic> {
        let mut warnings = Vec::new();
        if let Some(path) = &self.macros {
            let (macros, redefined) = read_macros(root, path)?;
            warnings.extend(redefined);
            for (name, body) in macros {
                if math.macros.contains_key(&name) {
                    return Err(Diagnostic::in_file(
                        "book.toml",
                        format!("the macro `{name}` is defined both in `{}` and in `math.macros`", path.display()),
                    )
                    .help("keep one of the two definitions"));
                }
                math.macros.insert(name, body);
            }
        }
        if let Some(output) = &self.output {
            if output_set {
                return Err(refuse("output", "is set as well as `math.output`", "keep one of the two"));
            }
            math.output = match output.as_str() {
                "html" => MathOutput::Html,
                "mathml" => MathOutput::Mathml,
                "htmlAndMathml" => MathOutput::HtmlAndMathml,
                other => {
                    return Err(refuse(
                        "output",
                        &format!("is `{other}`, which is none of `html`, `mathml`, `htmlAndMathml`"),
                        "use one of those, or `math.output`",
                    ));
                }
            };
        }
        let s = &self;
        let max_size = match &s.max_size {
            Some(Size::Ems(ems)) if ems.is_finite() => Some(*ems),
            Some(Size::Ems(_)) | None => None,
            Some(Size::Named(n)) if n == "Infinity" => None,
            Some(Size::Named(n)) => {
                return Err(refuse(
                    "max-size",
                    &format!("is `{n}`, not a number of ems"),
                    "write a number, or remove the key for no limit",
                ));
            }
        };
        math.katex = KatexOptions {
            leqno: s.leqno,
            fleqn: s.fleqn,
            min_rule_thickness: s.min_rule_thickness,
            max_size,
            max_expand: s.max_expand,
            trust: s.trust,
        };
        math.include_src = s.include_src.unwrap_or(false);

        if s.throw_on_error == Some(false) {
            return Err(refuse(
                "throw-on-error",
                "cannot be `false`: a formula that KaTeX cannot render fails the build, at its line",
                "remove `throw-on-error` and fix the formulas the build reports",
            ));
        }
        if s.pre_render == Some(false) {
            return Err(refuse(
                "pre-render",
                "cannot be `false`: mdbook-exec renders every formula when the book is built",
                "remove `pre-render`, and any script that rendered math in the browser",
            ));
        }
        for (key, delimiter, default) in
            [("block-delimiter", &s.block_delimiter, "$$"), ("inline-delimiter", &s.inline_delimiter, "$")]
        {
            if delimiter.as_ref().is_some_and(|d| d.left != default || d.right != default) {
                return Err(refuse(
                    key,
                    &format!(
                        "cannot change the delimiters: math is found by the markdown parser, between `{default}` and `{default}`"
                    ),
                    &format!("remove `{key}` and write math between `$` (inline) or `$$` (display)"),
                ));
            }
        }
        if s.error_color.is_some() {
            warnings.push(ignore(
                "error-color",
                "has no effect: a formula that KaTeX cannot render fails the build instead of showing in colour",
                "remove `error-color`",
            ));
        }
        if s.no_css.is_some() {
            warnings.push(ignore(
                "no-css",
                "has no effect: mdbook-exec links no CDN; `mdbook-exec install` puts KaTeX's stylesheet and fonts into the book",
                "remove `no-css`, and any copy of KaTeX's stylesheet that the book links itself",
            ));
        }
        Ok(warnings)
    }
}

/// Reads a macros file in mdbook-katex's format: each line that starts with `\` is
/// `\name:expansion`; other lines are ignored, as mdbook-katex ignores them. Returns the
/// macros and a warning for each macro given a different expansion again.
fn read_macros(root: &Path, path: &Path) -> Result<(BTreeMap<String, String>, Vec<Diagnostic>), Diagnostic> {
    let text = std::fs::read_to_string(root.join(path)).map_err(|e| {
        Diagnostic::in_file("book.toml", format!("the `macros` file `{}` cannot be read", path.display()))
            .detail(e.to_string())
            .help("point `macros` at a file of `\\name:expansion` lines, relative to the folder of `book.toml`")
    })?;
    let (macros, redefined) = parse_macros(&text).map_err(|(offset, msg)| {
        Diagnostic::at(path, &text, offset, msg)
            .help("write one macro per line as `\\name:expansion`, for example `\\R:{\\mathbb{R}^{#1}}`")
    })?;
    let warnings = redefined
        .into_iter()
        .map(|(offset, msg)| {
            Diagnostic::at(path, &text, offset, msg)
                .warning()
                .help("keep one of the two definitions (the later one is used, as mdbook-katex uses it)")
        })
        .collect();
    Ok((macros, warnings))
}

/// The macros of a file, and where a macro is given a different expansion again (with the
/// message naming both lines).
type Macros = (BTreeMap<String, String>, Vec<(usize, String)>);

/// Parses mdbook-katex's macros format, or says where a line is wrong. A macro defined again
/// with the same expansion is accepted, as mdbook-katex accepts it; with another expansion the
/// later one wins, as in mdbook-katex, and the place is returned for a warning.
fn parse_macros(text: &str) -> Result<Macros, (usize, String)> {
    let mut macros: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut redefined = Vec::new();
    let mut offset = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let at = offset;
        offset += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        if !line.starts_with('\\') {
            continue;
        }
        let Some((name, body)) = line.split_once(':') else {
            return Err((at, format!("`{line}` has no `:` between the macro's name and its expansion")));
        };
        let command = &name[1..];
        let is_word = !command.is_empty() && command.chars().all(|c| c.is_ascii_alphabetic());
        if !is_word && command.chars().count() != 1 {
            return Err((
                at,
                format!("`{name}` is not a macro name: a backslash, then letters or one other character"),
            ));
        }
        if let Some((before, line)) = macros.insert(name.to_owned(), (body.to_owned(), number + 1))
            && before != body
        {
            redefined.push((
                at,
                format!("the macro `{name}` is defined again with another expansion: line {line} has `{before}`, line {} has `{body}`", number + 1),
            ));
        }
    }
    Ok((macros.into_iter().map(|(name, (body, _))| (name, body)).collect(), redefined))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Result<&[(&str, &str)], (usize, &str)>) {
        let got = parse_macros(text).map(|(macros, redefined)| {
            assert!(redefined.is_empty(), "{redefined:?}");
            macros
        });
        match expected {
            Ok(pairs) => {
                let want: BTreeMap<String, String> =
                    pairs.iter().map(|(n, b)| ((*n).to_owned(), (*b).to_owned())).collect();
                assert_eq!(got, Ok(want), "{text:?}");
            }
            Err((line, msg)) => {
                let (offset, got_msg) = got.expect_err(text);
                assert_eq!(crate::base::diag::line_col(text, offset).0, line, "{text:?}");
                assert!(got_msg.contains(msg), "{got_msg}");
            }
        }
    }

    #[test]
    fn macros_file() {
        check(
            "\\grad:{\\nabla}\n\\R:{\\mathbb{R}^{#1 \\times #2}}\n",
            Ok(&[("\\grad", "{\\nabla}"), ("\\R", "{\\mathbb{R}^{#1 \\times #2}}")]),
        );
        // Comments and blank lines, CRLF, a `:` inside the expansion, one-character names.
        check(
            "% vectors\n\n\\v:\\mathbf{#1}\r\n\\ratio:{#1 : #2}\n\\,:\\;",
            Ok(&[("\\v", "\\mathbf{#1}"), ("\\ratio", "{#1 : #2}"), ("\\,", "\\;")]),
        );
        check("", Ok(&[]));
        check("\\a:x\n\\nocolon\n", Err((2, "`\\nocolon` has no `:`")));
        check("\\two words:x\n", Err((1, "`\\two words` is not a macro name")));
        // The same definition again is accepted, as mdbook-katex accepts it.
        check("\\a:x\n% again\n\\a:x\n", Ok(&[("\\a", "x")]));
    }

    #[test]
    fn a_macro_redefined_differently_is_a_warning_naming_both_lines() {
        let (macros, redefined) = parse_macros("\\a:x\n\\b:z\n\\a:y\n").unwrap();
        assert_eq!(macros["\\a"], "y", "the later one wins, as in mdbook-katex");
        let [(offset, msg)] = &redefined[..] else { panic!("{redefined:?}") };
        assert_eq!(crate::base::diag::line_col("\\a:x\n\\b:z\n\\a:y\n", *offset).0, 3);
        assert_eq!(msg, "the macro `\\a` is defined again with another expansion: line 1 has `x`, line 3 has `y`");
    }

    fn apply(toml_text: &str) -> Result<(MathConfig, Vec<String>), String> {
        let settings: Settings = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        let mut math = MathConfig::default();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("m.txt"), "\\R:{\\mathbb{R}^{#1}}\n").unwrap();
        let warnings = settings.apply(&mut math, false, dir.path()).map_err(|d| d.to_string())?;
        Ok((math, warnings.iter().map(ToString::to_string).collect()))
    }

    #[test]
    fn settings() {
        let (math, warnings) = apply("macros = 'm.txt'\noutput = 'html'\nleqno = true\nmax-expand = 10\ninclude-src = true\nthrow-on-error = true\npre-render = true\nblock-delimiter = { left = '$$', right = '$$' }").unwrap();
        assert_eq!(math.macros["\\R"], "{\\mathbb{R}^{#1}}");
        assert_eq!(math.output, MathOutput::Html);
        assert_eq!((math.katex.leqno, math.katex.max_expand, math.include_src), (Some(true), Some(10), true));
        assert!(warnings.is_empty(), "{warnings:?}");

        // mdbook-katex's documented defaults, written out, are accepted as they are.
        let documented = "output = 'html'\nleqno = false\nfleqn = false\nthrow-on-error = true\nerror-color = '#cc0000'\n\
            min-rule-thickness = -1.0\nmax-size = 'Infinity'\nmax-expand = 1000\ntrust = false\nno-css = false\n\
            include-src = false\nblock-delimiter = { left = '$$', right = '$$' }\ninline-delimiter = { left = '$', right = '$' }\npre-render = true";
        let (math, _) = apply(documented).unwrap();
        assert_eq!(math.katex.max_size, None);

        let (_, warnings) = apply("no-css = true\nerror-color = '#f00'").unwrap();
        assert_eq!(warnings.len(), 2);
        assert!(
            warnings[0].starts_with("warning: book.toml: `error-color` (an mdbook-katex setting) has no effect"),
            "{warnings:?}"
        );
        assert!(warnings[1].contains("`no-css` (an mdbook-katex setting) has no effect"), "{warnings:?}");

        for (toml_text, message) in [
            (
                "throw-on-error = false",
                "error: book.toml: `throw-on-error` (an mdbook-katex setting) cannot be `false`",
            ),
            ("pre-render = false", "`pre-render` (an mdbook-katex setting) cannot be `false`"),
            (
                "inline-delimiter = { left = '\\\\(', right = '\\\\)' }",
                "`inline-delimiter` (an mdbook-katex setting) cannot change the delimiters",
            ),
            ("output = 'svg'", "`output` (an mdbook-katex setting) is `svg`"),
            ("max-size = 'big'", "`max-size` (an mdbook-katex setting) is `big`"),
            ("macros = 'missing.txt'", "the `macros` file `missing.txt` cannot be read"),
        ] {
            let e = apply(toml_text).unwrap_err();
            assert!(e.contains(message), "{toml_text}: {e}");
        }
    }
}
