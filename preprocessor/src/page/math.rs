//! Rendering TeX to HTML with KaTeX at build time, in parallel, through a persistent cache.
//!
//! The splice stage plans: it hands every equation of the book (after inline values have been
//! put in) to [`MathRenderer::render_all`], which renders only what the cache lacks, across
//! all cores, and saves the cache once. Output is made safe to sit inside markdown: one line,
//! and every character that markdown would act on in text between tags written as an entity;
//! [`glyphs`](crate::glyphs) leaves one copy of its text for the search index.
//! This module never reads chapters and never decides where math is.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Result;

use crate::base::diag::caret_snippet;
use crate::base::fingerprint::Fingerprint;
use crate::base::format::html_escape;
use crate::base::fs::write_if_changed;
use crate::base::markdown::markdown_safe;
use crate::input::config::{MathConfig, MathOutput};
use crate::page::glyphs::one_text_copy;

/// The KaTeX version the `katex` crate bundles; the book's CSS and fonts must match it.
pub const KATEX_VERSION: &str = katex::KATEX_VERSION;

/// One equation to render.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Equation {
    pub tex: String,
    pub display: bool,
}

/// Renders equations with fixed settings, remembering results on disk.
pub struct MathRenderer {
    config: MathConfig,
    salt: String,
    path: PathBuf,
    cache: HashMap<String, String>,
    dirty: bool,
    /// How many equations were rendered (not answered from the cache).
    pub rendered: usize,
}

impl MathRenderer {
    /// A renderer whose cache lives in `dir/math.json`.
    pub fn new(dir: impl Into<PathBuf>, config: MathConfig) -> MathRenderer {
        let path = dir.into().join("math.cache");
        let cache = std::fs::read(&path).ok().and_then(|bytes| decode(&bytes)).unwrap_or_default();
        // Every setting can change every equation's output: part of every key.
        let c = &config;
        let salt = serde_json::to_string(&(&c.macros, c.output, &c.katex, c.include_src)).expect("settings serialise");
        MathRenderer { config, salt, path, cache, dirty: false, rendered: 0 }
    }

    fn key(&self, eq: &Equation) -> String {
        key(KATEX_VERSION, &self.salt, eq)
    }

    /// Renders every equation not yet cached, in parallel; returns why each equation that
    /// failed did not render.
    pub fn render_all(&mut self, equations: &[Equation]) -> HashMap<Equation, MathError> {
        let mut seen = HashSet::new();
        let todo: Vec<(String, &Equation)> = equations
            .iter()
            .map(|e| (self.key(e), e))
            .filter(|(k, _)| !self.cache.contains_key(k) && seen.insert(k.clone()))
            .collect();
        let failures = Mutex::new(HashMap::new());
        if todo.is_empty() {
            return HashMap::new();
        }
        let done = Mutex::new(Vec::new());
        let next = Mutex::new(todo.iter());
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(todo.len());
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    let opts = |display| {
                        let mut b = katex::Opts::builder();
                        for (name, body) in &self.config.macros {
                            b = b.add_macro(name.clone(), body.clone());
                        }
                        let k = &self.config.katex;
                        if let Some(v) = k.leqno {
                            b.leqno(v);
                        }
                        if let Some(v) = k.fleqn {
                            b.fleqn(v);
                        }
                        if let Some(v) = k.min_rule_thickness {
                            b.min_rule_thickness(v);
                        }
                        if let Some(v) = k.max_size {
                            b.max_size(v);
                        }
                        if let Some(v) = k.max_expand {
                            b.max_expand(v);
                        }
                        if let Some(v) = k.trust {
                            b.trust(v);
                        }
                        // KaTeX draws a command it does not trust in the error colour instead
                        // of failing; a colour no formula uses tells such output apart.
                        b.error_color(UNTRUSTED_COLOR.to_owned());
                        let output = match self.config.output {
                            MathOutput::HtmlAndMathml => katex::OutputType::HtmlAndMathml,
                            MathOutput::Html => katex::OutputType::Html,
                            MathOutput::Mathml => katex::OutputType::Mathml,
                        };
                        b.display_mode(display).output_type(output).throw_on_error(true);
                        b.build().expect("options are complete")
                    };
                    let (inline, display) = (opts(false), opts(true));
                    loop {
                        let item = next.lock().unwrap().next();
                        let Some((key, eq)) = item else { break };
                        let opts = if eq.display { &display } else { &inline };
                        let rendered = katex::render_with_opts(&eq.tex, opts)
                            .map_err(|e| MathError::from_katex(&eq.tex, &e))
                            .and_then(|html| refuse_untrusted(&eq.tex, html));
                        match rendered {
                            Ok(html) => done.lock().unwrap().push((key.clone(), self.finish(eq, html))),
                            Err(e) => {
                                failures.lock().unwrap().insert((*eq).clone(), e);
                            }
                        }
                    }
                });
            }
        });
        for (k, html) in done.into_inner().unwrap() {
            self.cache.insert(k, html);
            self.rendered += 1;
            self.dirty = true;
        }
        failures.into_inner().unwrap()
    }

    /// KaTeX's HTML as it goes into the page: with the TeX beside it when `include-src` asks
    /// for it, safe in markdown, and with one copy of its text for the search index.
    fn finish(&self, eq: &Equation, html: String) -> String {
        let html = if self.config.include_src {
            // Line breaks as references, which the one-line form keeps.
            let value = html_escape(&eq.tex).replace('\n', "&#10;");
            format!("<data class=\"katex-src\" value=\"{value}\">{html}</data>")
        } else {
            html
        };
        one_text_copy(&markdown_safe(&html), self.config.output == MathOutput::HtmlAndMathml)
    }

    /// The HTML of an equation that [`render_all`](Self::render_all) has seen.
    pub fn html(&self, eq: &Equation) -> Option<&str> {
        self.cache.get(&self.key(eq)).map(String::as_str)
    }

    /// Writes the cache back if anything was added. With `prune` (a build without errors, so
    /// `used` holds every chapter's equations) entries this build did not use are dropped; a
    /// failing build keeps them, since its failed chapters' equations were not planned.
    pub fn save(&mut self, used: &[Equation], prune: bool) -> Result<()> {
        if !self.dirty {
            return Ok(());
        }
        if prune {
            let keep: HashSet<String> = used.iter().map(|e| self.key(e)).collect();
            self.cache.retain(|k, _| keep.contains(k));
        }
        write_if_changed(&self.path, encode(&self.cache))?;
        self.dirty = false;
        Ok(())
    }
}

/// An equation's cache key: KaTeX's version, the settings, display mode and TeX, hashed.
fn key(katex_version: &str, salt: &str, eq: &Equation) -> String {
    let mut f = Fingerprint::new();
    f.raw(katex_version.as_bytes()).raw(salt.as_bytes()).raw(&[eq.display as u8]).raw(eq.tex.as_bytes());
    f.hex()
}

/// The cache file's first line; a file from another KaTeX version or layout reads as empty.
fn header() -> String {
    format!("mdbook-exec math cache 2, KaTeX {KATEX_VERSION}\n")
}

/// Lays the cache out as the header, then `<key> <length>\n<html>` per entry, sorted by key
/// (so equal caches give equal files). Reading it back needs no parsing of the HTML, which
/// keeps a warm rebuild of a math-heavy book fast.
fn encode(cache: &HashMap<String, String>) -> String {
    let mut keys: Vec<&String> = cache.keys().collect();
    keys.sort();
    let mut out = header();
    for k in keys {
        let html = &cache[k];
        out.push_str(&format!("{k} {}\n", html.len()));
        out.push_str(html);
    }
    out
}

fn decode(bytes: &[u8]) -> Option<HashMap<String, String>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut rest = text.strip_prefix(header().as_str())?;
    let mut cache = HashMap::new();
    while !rest.is_empty() {
        let (line, after) = rest.split_once('\n')?;
        let (key, len) = line.split_once(' ')?;
        let len: usize = len.parse().ok()?;
        let html = after.get(..len)?;
        cache.insert(key.to_owned(), html.to_owned());
        rest = &after[len..];
    }
    Some(cache)
}

/// The error colour KaTeX is given: it draws only commands it does not trust in it (every other
/// error fails the formula), so its presence in the output means such a command.
const UNTRUSTED_COLOR: &str = "#0e0c0d";

/// The commands KaTeX runs only when trusted (its `trust` option), besides `\\html...`.
const UNTRUSTED: &[&str] = &["\\href", "\\url", "\\includegraphics"];

/// Why one equation did not render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathError {
    /// KaTeX's message (`KaTeX parse error: Expected 'EOF', got '_'`), or ours.
    pub message: String,
    /// The bytes of the TeX that the message is about, when it names a place in it.
    pub at: Option<Range<usize>>,
    /// One line saying how to fix it.
    pub help: &'static str,
}

impl MathError {
    /// KaTeX's error as a person reads it: the crate hands it over as a Rust debug string
    /// (`String("ParseError: KaTeX parse error: ... at position 13: \\text{a_\u{332}b}")`);
    /// the escapes are undone, and the position KaTeX names (in UTF-16 units, 1-based) becomes
    /// a byte range of the TeX when KaTeX's context shows the TeX itself (not a macro's body).
    fn from_katex(tex: &str, e: &katex::Error) -> MathError {
        let help = "fix the TeX; KaTeX's supported functions are listed at katex.org/docs/supported";
        let raw = e.to_string();
        let text = raw
            .split_once("String(\"")
            .and_then(|(_, rest)| rest.rsplit_once("\")"))
            .map_or_else(|| raw.clone(), |(inner, _)| undo_debug_escapes(inner));
        let text = text.strip_prefix("ParseError: ").unwrap_or(&text);
        let place = [" at position ", " at end of input: "].iter().find_map(|m| text.find(m).map(|i| (i, *m)));
        let Some((i, marker)) = place else {
            return MathError { message: text.trim().to_owned(), at: None, help };
        };
        let message = text[..i].to_owned();
        let (start, context) = if marker == " at end of input: " {
            (Some(tex.len()), &text[i + marker.len()..])
        } else {
            let rest = &text[i + marker.len()..];
            let (n, context) = rest.split_once(": ").unwrap_or((rest, ""));
            let start = n.parse::<usize>().ok().and_then(|n| utf16_to_byte(tex, n.saturating_sub(1)));
            (start, context)
        };
        // KaTeX underlines the characters it names by following each with U+0332.
        let underlined: String = context
            .chars()
            .zip(context.chars().skip(1))
            .filter(|&(_, next)| next == '\u{332}')
            .map(|(c, _)| c)
            .collect();
        match start {
            Some(start) if tex[start..].starts_with(&underlined) => {
                MathError { message, at: Some(start..start + underlined.len()), help }
            }
            _ => {
                let shown: String = context.chars().filter(|&c| c != '\u{332}').collect();
                MathError { message: format!("{message}, in a macro's expansion: `{shown}`"), at: None, help }
            }
        }
    }

    /// Where in the chapter `source` to report the error of the formula `tex` found at
    /// `offset`: at the place KaTeX names when the TeX stands in the chapter as it is (after its
    /// opening delimiter: `$`, `$$`, `\(`, `\\(`), else at the formula.
    pub fn place_in(&self, source: &str, offset: usize, tex: &str) -> usize {
        let verbatim = (1..=3).find(|&n| source.get(offset + n..).is_some_and(|s| s.starts_with(tex)));
        match (verbatim, &self.at) {
            (Some(n), Some(at)) => offset + n + at.start,
            _ => offset,
        }
    }

    /// The message, then the formula on one line with carets under the place (as rustc draws
    /// spans), for a diagnostic's detail.
    pub fn detail(&self, tex: &str) -> String {
        format!("{}\n{}", self.message, caret_snippet(tex, self.at.clone()))
    }
}

/// Undoes Rust's `{:?}` escapes of a string (`\\`, `\"`, `\n`, `\u{332}`, ...).
fn undo_debug_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The byte offset of UTF-16 unit `n` of `s` (JavaScript's string index), if it is on a
/// character boundary.
fn utf16_to_byte(s: &str, n: usize) -> Option<usize> {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        if units == n {
            return Some(i);
        }
        units += c.len_utf16();
    }
    (units == n).then_some(s.len())
}

/// The control sequences of `tex` (`\name` or `\` and one other character), with their
/// byte ranges.
fn control_sequences(tex: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let mut rest = tex.char_indices().peekable();
    std::iter::from_fn(move || {
        loop {
            let (i, c) = rest.next()?;
            if c != '\\' {
                continue;
            }
            let (j, first) = rest.next()?;
            let mut end = j + first.len_utf8();
            if first.is_ascii_alphabetic() {
                while let Some(&(k, c)) = rest.peek().filter(|(_, c)| c.is_ascii_alphabetic()) {
                    end = k + c.len_utf8();
                    rest.next();
                }
            }
            return Some((i..end, &tex[i..end]));
        }
    })
}

/// Refuses what KaTeX rendered with a command it does not trust (drawn in the error colour),
/// and a trusted link whose address runs a script.
fn refuse_untrusted(tex: &str, html: String) -> Result<String, MathError> {
    let command = |wanted: &dyn Fn(&str) -> bool| control_sequences(tex).find(|(_, cs)| wanted(cs));
    if html.contains(UNTRUSTED_COLOR) {
        let found = command(&|cs| UNTRUSTED.contains(&cs) || (cs.starts_with("\\html") && cs.len() > "\\html".len()));
        let name = found.as_ref().map_or("a command a macro expands to".to_owned(), |(_, cs)| format!("`{cs}`"));
        return Err(MathError {
            message: format!(
                "{name} is not trusted: KaTeX runs `\\href`, `\\url`, `\\includegraphics` and `\\html...` only in a book that trusts its formulas"
            ),
            at: found.map(|f| f.0),
            help: "remove the command, or set `math.trust = true` in `[preprocessor.exec]` if every formula of the book is the author's own",
        });
    }
    for attribute in html.split("href=\"").skip(1) {
        let url = attribute.split('"').next().unwrap_or_default();
        let url: String = url.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control()).collect();
        let url = url.to_ascii_lowercase();
        if ["javascript:", "vbscript:", "data:"].iter().any(|p| url.starts_with(p)) {
            return Err(MathError {
                message: "this link runs a script when followed, which a trusted formula may not do either".to_owned(),
                at: command(&|cs| cs == "\\href" || cs == "\\url").map(|f| f.0),
                help: "link to an `http:`, `https:` or `mailto:` address, or a page of the book",
            });
        }
    }
    Ok(html)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::input::math_config::KatexOptions;

    /// Renders one inline formula (`trust` as the book sets it) and returns its error's detail.
    #[track_caller]
    fn error_detail(tex: &str, trust: bool) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        let katex = KatexOptions { trust: trust.then_some(true), ..KatexOptions::default() };
        let mut r = MathRenderer::new(dir.path(), MathConfig { katex, ..MathConfig::default() });
        let eq = Equation { tex: tex.to_owned(), display: false };
        r.render_all(std::slice::from_ref(&eq)).get(&eq).map(|e| e.detail(tex))
    }

    #[test]
    fn katex_messages_read_as_a_person_reads_them() {
        for (tex, expected) in [
            (
                "\\text{right_shift}(f) = x^{2}",
                "KaTeX parse error: Expected 'EOF', got '_'\n  |\n  | \\text{right_shift}(f) = x^{2}\n  |            ^",
            ),
            (
                "\\frac{1}{",
                "KaTeX parse error: Unexpected end of input in a macro argument, expected '}'\n  |\n  | \\frac{1}{\n  |          ^",
            ),
            ("é \\foo", "KaTeX parse error: Undefined control sequence: \\foo\n  |\n  | é \\foo\n  |   ^^^^"),
            (
                "\\begin{array}{c}\na \\\\\n\\end{arra}",
                "KaTeX parse error: Mismatch: \\begin{array} matched by \\end{arra}\n  |\n  | \\begin{array}{c} a \\\\ \\end{arra}\n  |                       ^^^^",
            ),
        ] {
            let got = error_detail(tex, false).expect("an error");
            assert_eq!(got, expected, "{tex}");
            assert!(!got.contains("\\\\text") && !got.contains("\\u{"), "no debug escapes: {got}");
        }
    }

    #[test]
    fn untrusted_commands_are_errors_unless_trusted() {
        for tex in [
            "\\href{https://example.org}{x}",
            "\\url{https://example.org}",
            "\\includegraphics{a.png}",
            "a + \\htmlClass{c}{x}",
            "\\htmlId{i}{x}",
        ] {
            let got = error_detail(tex, false).unwrap_or_else(|| panic!("{tex} rendered"));
            let name = control_sequences(tex).map(|c| c.1).find(|c| *c != "\\text").unwrap();
            assert!(got.starts_with(&format!("`{name}` is not trusted")), "{got}");
            assert!(got.ends_with('^'), "a caret under the command: {got}");
            assert_eq!(error_detail(tex, true), None, "{tex} with trust");
        }
        // Trusted or not, a link that runs a script is refused.
        for tex in ["\\href{javascript:alert(1)}{x}", "\\href{ JavaScript:alert(1)}{x}", "\\url{data:text/html,x}"] {
            let got = error_detail(tex, true).unwrap_or_else(|| panic!("{tex} rendered"));
            assert!(got.starts_with("this link runs a script"), "{got}");
        }
        assert!(error_detail("\\href{javascript:alert(1)}{x}", false).unwrap().starts_with("`\\href` is not trusted"));
        assert_eq!(
            error_detail("\\hrefx + \\text{\\textbackslash href}", false).map(|d| d.contains("not trusted")),
            Some(false)
        );
        assert_eq!(error_detail("\\color{red}{x} + \\textcolor{#cc0000}{y}", false), None);
    }

    #[test]
    fn keys_are_pinned() {
        let eq = Equation { tex: "x^2".into(), display: true };
        assert_eq!(key("0.16.4", "salt", &eq), "a9e5cd99d2a976b928e6438e8f33e566d3f81fc99029fdbc7bf09ffd7291e704");
    }

    #[test]
    fn renders_caches_and_reports_errors() {
        let dir = tempfile::tempdir().unwrap();
        let macros = BTreeMap::from([("\\R".to_owned(), "\\mathbb{R}".to_owned())]);
        let eqs = vec![
            Equation { tex: "\\frac{a}{b} \\in \\R".into(), display: false },
            Equation { tex: "\\sum_{i=1}^n x_i".into(), display: true },
            Equation { tex: "\\frac{1}{".into(), display: false },
        ];
        let config = MathConfig { macros, ..MathConfig::default() };
        let mut r = MathRenderer::new(dir.path(), config.clone());
        let failures = r.render_all(&eqs);
        assert_eq!(failures.len(), 1);
        assert!(failures[&eqs[2]].message.starts_with("KaTeX parse error"), "{failures:?}");
        let inline = r.html(&eqs[0]).unwrap();
        assert!(
            inline.contains("class=\"katex\"") && inline.contains("mathbb") || inline.contains("amsrm"),
            "{inline}"
        );
        assert!(r.html(&eqs[1]).unwrap().contains("katex-display"));
        assert_eq!(r.rendered, 2);
        r.save(&eqs, true).unwrap();

        assert_eq!(decode(encode(&r.cache).as_bytes()).as_ref(), Some(&r.cache));
        assert_eq!(decode(b"garbage"), None);
        let mut again = MathRenderer::new(dir.path(), config.clone());
        assert!(again.render_all(&eqs[..2]).is_empty());
        assert_eq!(again.rendered, 0);
        let mut other_macros = MathRenderer::new(dir.path(), MathConfig::default());
        other_macros.render_all(&eqs[1..2]);
        assert_eq!(other_macros.rendered, 1, "macros are part of the key");
        let leqno = MathConfig { katex: KatexOptions { leqno: Some(true), ..KatexOptions::default() }, ..config };
        let mut other_options = MathRenderer::new(dir.path(), leqno);
        other_options.render_all(&eqs[1..2]);
        assert_eq!(other_options.rendered, 1, "KaTeX's options are part of the key");

        // A failing build (no pruning) keeps what it did not use; a complete one drops it.
        let extra = Equation { tex: "x^2".into(), display: false };
        let mut failing = MathRenderer::new(dir.path(), MathConfig::default());
        failing.render_all(std::slice::from_ref(&extra));
        failing.save(std::slice::from_ref(&extra), false).unwrap();
        let before = failing.cache.len();
        assert!(before > 1, "earlier entries were kept");
        failing.render_all(&eqs[..1]);
        failing.save(std::slice::from_ref(&extra), true).unwrap();
        assert_eq!(failing.cache.len(), 1, "a complete build prunes what it did not use");
    }
}
