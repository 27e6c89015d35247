//! Number and value formatting, shared by inline values and tables.
//!
//! This file is compiled twice: into the preprocessor, which writes values into pages, and into
//! the runtime, which prints them for a person when a downloaded chapter runs on its own. Both
//! have a `Value` type with the same four variants next to this module.
//!
//! A format spec is a short string: `""` (default: up to six significant figures, scientific
//! outside 1e-4..1e6), `.3` (three decimals), `4s` (four significant figures), `.2e`
//! (scientific, two decimals) or `.1%` (percent). Every value is formatted twice over: as HTML
//! for prose, where scientific notation reads `1.5 × 10⁻³` and the minus sign is U+2212, and as
//! TeX for math, where it reads `1.5 \times 10^{-3}`. This module never sees markdown.

use super::Value;

/// A parsed format spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// Up to six significant figures, trailing zeros dropped.
    Default,
    /// A fixed number of decimals.
    Fixed(usize),
    /// A number of significant figures (trailing zeros kept).
    Sig(usize),
    /// Scientific notation with this many decimals in the mantissa.
    Sci(usize),
    /// Percent with this many decimals.
    Percent(usize),
}

/// The valid spec forms, for error messages.
pub const SPEC_HELP: &str = "valid formats are `.N` (decimals), `Ns` (significant figures), `.Ne` (scientific) and `.N%` (percent), for example `=x:.3`";

/// Parses a format spec.
pub fn parse_spec(spec: &str) -> Result<Spec, String> {
    let bad = || format!("unknown format `{spec}`; {SPEC_HELP}");
    let digits = |s: &str| -> Result<usize, String> {
        let n: usize = s.parse().map_err(|_| bad())?;
        if n > 17 { Err(format!("format `{spec}` asks for more than 17 digits")) } else { Ok(n) }
    };
    if spec.is_empty() {
        return Ok(Spec::Default);
    }
    if let Some(rest) = spec.strip_prefix('.') {
        if let Some(n) = rest.strip_suffix('e') {
            return Ok(Spec::Sci(digits(n)?));
        }
        if let Some(n) = rest.strip_suffix('%') {
            return Ok(Spec::Percent(digits(n)?));
        }
        return Ok(Spec::Fixed(digits(rest)?));
    }
    if let Some(n) = spec.strip_suffix('s') {
        let n = digits(n)?;
        return if n == 0 { Err(bad()) } else { Ok(Spec::Sig(n)) };
    }
    Err(bad())
}

/// A number laid out as sign, digits and an optional power of ten.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Number {
    negative: bool,
    digits: String,
    exponent: Option<i32>,
    percent: bool,
}

/// Splits Rust's `{:e}` output (`-1.50e-3`) into mantissa and exponent.
fn sci_parts(x: f64, decimals: usize) -> (String, i32) {
    let s = format!("{:.*e}", decimals, x.abs());
    let (m, e) = s.split_once('e').expect("`{:e}` always has an exponent");
    (m.to_owned(), e.parse().expect("exponent is an integer"))
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s.to_owned() }
}

fn layout(x: f64, spec: Spec) -> Number {
    let negative = x.is_sign_negative();
    let n = |digits: String, exponent| Number { negative, digits, exponent, percent: false };
    let result = match spec {
        Spec::Fixed(d) => n(format!("{:.*}", d, x.abs()), None),
        Spec::Percent(d) => Number { percent: true, ..n(format!("{:.*}", d, x.abs() * 100.0), None) },
        Spec::Sci(d) => {
            let (m, e) = sci_parts(x, d);
            n(m, Some(e))
        }
        // Zero has no significant figures to show: trailing zeros would claim a precision.
        Spec::Sig(_) if x == 0.0 => n("0".to_owned(), None),
        Spec::Sig(s) => {
            let (m, e) = sci_parts(x, s - 1);
            if (-4..(s.max(6) as i32)).contains(&e) {
                let decimals = s as i32 - 1 - e;
                if decimals >= 0 {
                    n(format!("{:.*}", decimals as usize, x.abs()), None)
                } else {
                    // Rounded to tens, hundreds, ...: the mantissa's digits padded with zeros.
                    n(m.replace('.', "") + &"0".repeat((-decimals) as usize), None)
                }
            } else {
                n(m, Some(e))
            }
        }
        Spec::Default => {
            if x == 0.0 {
                n("0".to_owned(), None)
            } else {
                let (m, e) = sci_parts(x, 5);
                if (-4..6).contains(&e) {
                    n(trim_zeros(&format!("{:.*}", (5 - e).max(0) as usize, x.abs())), None)
                } else {
                    n(trim_zeros(&m), Some(e))
                }
            }
        }
    };
    // A value that rounds to zero is shown without a sign.
    let zero = result.digits.chars().all(|c| c == '0' || c == '.');
    Number { negative: negative && !zero, ..result }
}

/// How a value is written in prose (HTML) and in math (TeX).
pub fn prose(value: &Value, spec: Spec) -> String {
    match value {
        Value::Float(x) => float(*x, spec, &PROSE),
        Value::Int(i) if spec == Spec::Default => {
            if *i < 0 {
                format!("\u{2212}{}", i.unsigned_abs())
            } else {
                i.to_string()
            }
        }
        Value::Int(i) => float(*i as f64, spec, &PROSE),
        Value::Text(t) => html_escape(t),
        // TeX values are typeset by the math stage; here they are only escaped text.
        Value::Tex(t) => html_escape(t),
    }
}

/// How a value is written in plain text, for a terminal: `1.5e-7`, `-2.5`, `12.3%`.
pub fn plain(value: &Value, spec: Spec) -> String {
    match value {
        Value::Float(x) => float(*x, spec, &PLAIN),
        Value::Int(i) if spec == Spec::Default => i.to_string(),
        Value::Int(i) => float(*i as f64, spec, &PLAIN),
        Value::Text(t) | Value::Tex(t) => t.clone(),
    }
}

/// How a value is written inside math.
pub fn tex(value: &Value, spec: Spec) -> String {
    match value {
        Value::Float(x) => float(*x, spec, &TEX),
        Value::Int(i) if spec == Spec::Default => i.to_string(),
        Value::Int(i) => float(*i as f64, spec, &TEX),
        Value::Text(t) => format!("\\text{{{}}}", tex_escape(t)),
        Value::Tex(t) => t.clone(),
    }
}

/// How one medium writes the parts of a number.
struct Notation {
    minus: &'static str,
    percent: &'static str,
    nan: &'static str,
    infinity: &'static str,
    /// Mantissa digits and exponent to text.
    power: fn(&str, i32) -> String,
}

const PROSE: Notation = Notation {
    minus: "\u{2212}",
    percent: "%",
    nan: "NaN",
    infinity: "∞",
    power: |m, e| {
        let esign = if e < 0 { "\u{2212}" } else { "" };
        format!("{m}\u{202f}×\u{202f}10<sup>{esign}{}</sup>", e.unsigned_abs())
    },
};

const TEX: Notation = Notation {
    minus: "-",
    percent: "\\%",
    nan: "\\mathrm{NaN}",
    infinity: "\\infty",
    power: |m, e| format!("{m} \\times 10^{{{e}}}"),
};

const PLAIN: Notation =
    Notation { minus: "-", percent: "%", nan: "NaN", infinity: "inf", power: |m, e| format!("{m}e{e}") };

fn float(x: f64, spec: Spec, n: &Notation) -> String {
    if x.is_nan() {
        return n.nan.to_owned();
    }
    if x.is_infinite() {
        return if x < 0.0 { format!("{}{}", n.minus, n.infinity) } else { n.infinity.to_owned() };
    }
    let num = layout(x, spec);
    let sign = if num.negative { n.minus } else { "" };
    let pct = if num.percent { n.percent } else { "" };
    match num.exponent {
        None => format!("{sign}{}{pct}", num.digits),
        Some(e) => format!("{sign}{}", (n.power)(&num.digits, e)),
    }
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn tex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '$' | '&' | '#' | '_' | '%' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(x: f64, spec: &str, prose_expected: &str, tex_expected: &str) {
        let spec = parse_spec(spec).unwrap();
        let v = Value::Float(x);
        assert_eq!(prose(&v, spec), prose_expected, "prose of {x:?}");
        assert_eq!(tex(&v, spec), tex_expected, "tex of {x:?}");
    }

    #[test]
    fn defaults() {
        check(0.0, "", "0", "0");
        check(1.0, "", "1", "1");
        check(0.1 + 0.2, "", "0.3", "0.3");
        check(-2.5, "", "\u{2212}2.5", "-2.5");
        check(123456.0, "", "123456", "123456");
        check(1234567.0, "", "1.23457\u{202f}×\u{202f}10<sup>6</sup>", "1.23457 \\times 10^{6}");
        check(0.00012345678, "", "0.000123457", "0.000123457");
        check(1.5e-7, "", "1.5\u{202f}×\u{202f}10<sup>\u{2212}7</sup>", "1.5 \\times 10^{-7}");
        check(f64::NAN, "", "NaN", "\\mathrm{NaN}");
        check(f64::NEG_INFINITY, "", "\u{2212}∞", "-\\infty");
    }

    #[test]
    fn specs() {
        check(3.14259, ".3", "3.143", "3.143");
        check(-0.0001, ".2", "0.00", "0.00");
        check(2.0, ".0", "2", "2");
        check(0.012345, "3s", "0.0123", "0.0123");
        check(1.0, "3s", "1.00", "1.00");
        check(98765.0, "2s", "99000", "99000");
        check(0.0, "3s", "0", "0");
        check(-0.0, "2s", "0", "0");
        check(1.23e-9, "2s", "1.2\u{202f}×\u{202f}10<sup>\u{2212}9</sup>", "1.2 \\times 10^{-9}");
        check(0.000314, ".2e", "3.14\u{202f}×\u{202f}10<sup>\u{2212}4</sup>", "3.14 \\times 10^{-4}");
        check(0.1234, ".1%", "12.3%", "12.3\\%");
    }

    #[test]
    fn bad_specs() {
        for s in ["x", ".", "3", "0s", ".99", "s"] {
            assert!(parse_spec(s).is_err(), "{s}");
        }
    }

    #[test]
    fn other_values() {
        assert_eq!(prose(&Value::Int(-42), Spec::Default), "\u{2212}42");
        assert_eq!(tex(&Value::Int(7), Spec::Fixed(1)), "7.0");
        assert_eq!(prose(&Value::Text("<b>".into()), Spec::Default), "&lt;b&gt;");
        assert_eq!(tex(&Value::Text("a_b".into()), Spec::Default), "\\text{a\\_b}");
        assert_eq!(tex(&Value::Tex("\\frac12".into()), Spec::Default), "\\frac12");
    }

    #[test]
    fn plain_text() {
        let p = |x: f64, spec: &str| plain(&Value::Float(x), parse_spec(spec).unwrap());
        assert_eq!(p(1.5e-7, ""), "1.5e-7");
        assert_eq!(p(-2.5, ""), "-2.5");
        assert_eq!(p(0.1234, ".1%"), "12.3%");
        assert_eq!(p(3.14259, ".3"), "3.143");
        assert_eq!(p(f64::NAN, ""), "NaN");
        assert_eq!(plain(&Value::Int(-42), Spec::Default), "-42");
    }
}
