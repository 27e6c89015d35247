//! Rendering TeX to HTML with KaTeX at build time, in parallel, through a persistent cache.
//!
//! The splice stage plans: it hands every equation of the book (after inline values have been
//! put in) to [`MathRenderer::render_all`], which renders only what the cache lacks, across
//! all cores, and saves the cache once. Output is made safe to sit inside markdown: one line,
//! and every character that markdown would act on in text between tags written as an entity;
//! [`glyphs`](crate::glyphs) leaves one copy of its text for the search index.
//! This module never reads chapters and never decides where math is.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Result;

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

    /// Renders every equation not yet cached, in parallel; returns KaTeX's message for each
    /// equation that failed.
    pub fn render_all(&mut self, equations: &[Equation]) -> HashMap<Equation, String> {
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
                        match katex::render_with_opts(&eq.tex, opts) {
                            Ok(html) => done.lock().unwrap().push((key.clone(), self.finish(eq, html))),
                            Err(e) => {
                                failures.lock().unwrap().insert((*eq).clone(), katex_message(&e));
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
        write_if_changed(&self.path, &encode(&self.cache))?;
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

fn katex_message(e: &katex::Error) -> String {
    let s = e.to_string();
    // The crate wraps KaTeX's own message ("KaTeX parse error: ..."); keep just that.
    match s.find("KaTeX parse error") {
        Some(i) => s[i..].to_owned(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::input::math_config::KatexOptions;

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
        assert!(failures[&eqs[2]].starts_with("KaTeX parse error"), "{failures:?}");
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
