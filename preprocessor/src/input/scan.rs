//! Finding what the preprocessor acts on in one chapter's markdown.
//!
//! The chapter is parsed once with pulldown-cmark, using mdBook's own extension set plus math,
//! and three kinds of places are collected with their byte ranges: executed cells (fenced code
//! whose info string starts `rust,exec`), references in inline code (`` `=value` `` and
//! `` `@label` ``) and math (`$..$`, `$$..$$`, also a display formula that the parser split
//! into several blocks, paired from the `$$` it left as text). This module never changes the
//! text and never looks for delimiters itself; everything it reports comes from the parser's
//! events.

use std::ops::Range;

use mdbook_markdown::pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::base::markdown::parser_options;

/// The options a cell may carry after `rust,exec`.
pub const CELL_OPTIONS: &[&str] = &["hide-code", "hide-output", "should-panic", "fold", "no-fold"];

/// mdBook's own code block attributes, passed through to its renderer untouched.
const MDBOOK_ATTRIBUTES: &[&str] = &["noplayground", "noplaypen", "editable"];

/// Everything the preprocessor acts on in one chapter.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Scan {
    /// Executed cells, in order.
    pub cells: Vec<Cell>,
    /// `` `=name` `` and `` `@label` `` references, in order.
    pub refs: Vec<Ref>,
    /// Inline and display math, in order.
    pub math: Vec<Math>,
    /// Mistakes (a cell info string or an equation label that cannot be understood), each
    /// with a line of help.
    pub errors: Vec<(usize, String, &'static str)>,
    /// Places that look like a mistake but may be meant (reported as warnings).
    pub warnings: Vec<(usize, String)>,
}

/// A fenced `rust,exec` code block.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The block's bytes, from the opening fence to the end of the closing fence line.
    pub range: Range<usize>,
    /// The options after `rust,exec`.
    pub options: CellOptions,
    /// The code as the parser reports it (container prefixes removed).
    pub code: String,
    /// The byte offset in the chapter of the start of each line of `code`.
    pub line_starts: Vec<usize>,
    /// What each line of a container must start with to stay inside it (`> `, list indent).
    pub prefix: String,
    /// Whether the block has a closing fence (an unclosed one runs to the end of its container).
    pub closed: bool,
}

/// The options of one cell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CellOptions {
    /// Show only the output.
    pub hide_code: bool,
    /// Run, but show no output.
    pub hide_output: bool,
    /// The cell is expected to panic.
    pub should_panic: bool,
    /// Whether the code is folded away under a one-line summary.
    pub fold: Fold,
}

/// Whether a cell's code is folded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Fold {
    /// Folded when it is longer than the book's `fold-lines`.
    #[default]
    Auto,
    /// `fold`: always folded.
    Always,
    /// `no-fold`: never folded.
    Never,
}

/// A reference in inline code.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    /// The code span's bytes, backticks included.
    pub range: Range<usize>,
    /// What it refers to.
    pub kind: RefKind,
    /// The text after the sigil (`name:fmt` or `label`).
    pub target: String,
}

/// The kinds of reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `` `=name` ``: a value from a cell.
    Value,
    /// `` `@label` ``: a figure or table.
    Label,
}

/// A math span.
#[derive(Debug, Clone, PartialEq)]
pub struct Math {
    /// The span's bytes, dollar signs included.
    pub range: Range<usize>,
    /// The TeX between the dollar signs.
    pub tex: String,
    /// `$$..$$` rather than `$..$`.
    pub display: bool,
    /// The `{#label}` after a display formula; the math's range covers it.
    pub label: Option<EqLabel>,
}

/// The label of a display equation: `$$ ... $$ {#eq-name}`.
#[derive(Debug, Clone, PartialEq)]
pub struct EqLabel {
    /// The text between `{#` and `}`.
    pub name: String,
    /// Where `{#` is in the chapter.
    pub offset: usize,
}

/// Splits a code block's info string the way mdBook does: on spaces, tabs and commas.
pub fn info_tokens(info: &str) -> impl Iterator<Item = &str> {
    info.split([' ', '\t', ',']).filter(|t| !t.is_empty())
}

/// Parses the options of a cell, or says which one is unknown.
pub fn parse_options<'a>(tokens: impl Iterator<Item = &'a str>) -> Result<CellOptions, String> {
    let mut o = CellOptions::default();
    for t in tokens {
        match t {
            "hide-code" => o.hide_code = true,
            "hide-output" => o.hide_output = true,
            "should-panic" => o.should_panic = true,
            "fold" | "no-fold" => {
                let wanted = if t == "fold" { Fold::Always } else { Fold::Never };
                if o.fold != Fold::Auto && o.fold != wanted {
                    return Err("`fold` and `no-fold` contradict each other; keep one".to_owned());
                }
                o.fold = wanted;
            }
            t if MDBOOK_ATTRIBUTES.contains(&t) => {}
            t => {
                return Err(format!(
                    "unknown cell option `{t}`; valid options are {}, and mdBook's {}",
                    list(CELL_OPTIONS),
                    list(MDBOOK_ATTRIBUTES)
                ));
            }
        }
    }
    Ok(o)
}

fn list(items: &[&str]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

/// What inline code refers to, if it is a reference: `=name`, `=chapter.name`, either with
/// `:format`, or `@label`, `@chapter.label`. Anything else is code (`==`, `=>`, `= 5`, `=1.0`,
/// `@`), as it is in a book that does not use mdbook-exec; a name-shaped reference that names
/// nothing known is still an error later, so a typo never passes.
pub fn reference(code: &str) -> Option<(RefKind, &str)> {
    let chapter_ok = |c: &str| {
        !c.is_empty()
            && !c.starts_with(['/', '.'])
            && c.chars().all(|x| x.is_ascii_alphanumeric() || matches!(x, '_' | '-' | '/' | '.'))
    };
    let qualified = |t: &'_ str, name_ok: &dyn Fn(&str) -> bool| match t.rsplit_once('.') {
        Some((chapter, name)) => chapter_ok(chapter) && name_ok(name),
        None => name_ok(t),
    };
    if let Some(target) = code.strip_prefix('=') {
        let (path, format) = target.split_once(':').unwrap_or((target, ""));
        let format_ok = format.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '%'));
        let ident = |n: &str| {
            let mut c = n.chars();
            c.next().is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
                && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
        };
        return (format_ok && qualified(path, &ident)).then_some((RefKind::Value, target));
    }
    let target = code.strip_prefix('@')?;
    let label = |n: &str| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    qualified(target, &label).then_some((RefKind::Label, target))
}

/// Whether an info string marks an executed cell, and if so its remaining tokens.
fn exec_tokens(info: &str) -> Option<impl Iterator<Item = &str>> {
    let mut t = info_tokens(info);
    (t.next() == Some("rust") && t.next() == Some("exec")).then_some(t)
}

/// Scans one chapter.
pub fn scan(source: &str) -> Scan {
    let mut s = Scanner { source, ..Scanner::default() };
    for (event, range) in Parser::new_ext(source, parser_options()).into_offset_iter() {
        s.event(event, range);
    }
    s.finish()
}

/// A text event of a cell's code, with its range.
type CodeText = (String, Range<usize>);

/// The state of a scan between two parser events.
#[derive(Default)]
struct Scanner<'s> {
    source: &'s str,
    scan: Scan,
    /// The cell being read, with the text events of its code.
    open_cell: Option<(Cell, Vec<CodeText>)>,
    in_code: bool,
    /// The blocks and inline elements the parser is inside, innermost last, with where each
    /// started.
    tags: Vec<(TagEnd, usize)>,
    /// Adjacent `$` the parser left as text: where they are and whether they stand directly in
    /// a paragraph, heading or list item.
    dollars: Option<(Range<usize>, usize, bool)>,
    /// A `$$` the parser left as text, waiting for the `$$` that closes its formula, with the
    /// container prefix of its paragraph.
    opening: Option<(Range<usize>, String)>,
    /// A single `$` left as text with a space after it, and the start of its block.
    spaced_dollar: Option<(usize, usize)>,
    /// The text right after the last formula (its index in `scan.math`, the text, where it
    /// ends), read for a `{#label}`.
    after_math: Option<(usize, String, usize)>,
}

impl Scanner<'_> {
    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        let is_dollar = matches!(&event, Event::Text(t) if &**t == "$" && &self.source[range.clone()] == "$");
        if !(is_dollar && self.dollars.as_ref().is_some_and(|d| d.0.end == range.start)) {
            self.end_dollars();
        }
        self.read_label(&event, &range);
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                self.unclosed("a code block");
                self.in_code = true;
                if let CodeBlockKind::Fenced(info) = kind {
                    self.start_cell(&info, range.clone());
                }
            }
            Event::Text(text) if self.open_cell.is_some() => {
                self.open_cell.as_mut().unwrap().1.push((text.into_string(), range));
            }
            Event::Text(_) if is_dollar && !self.in_code => {
                // Items of a tight list hold their text directly, with no paragraph.
                let leaf = matches!(self.tags.last(), Some((TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item, _)));
                match &mut self.dollars {
                    Some(d) => {
                        d.0.end = range.end;
                        d.1 += 1;
                    }
                    None => self.dollars = Some((range, 1, leaf)),
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code = false;
                if let Some((mut cell, texts)) = self.open_cell.take() {
                    cell.range = trim_block_end(self.source, cell.range.clone());
                    assemble_code(self.source, &mut cell, &texts);
                    cell.closed = has_closing_fence(self.source, &cell);
                    cell.prefix = container_prefix(self.source, cell.range.start);
                    self.scan.cells.push(cell);
                }
            }
            Event::Code(text) => {
                self.unclosed("a code span");
                if let Some((kind, target)) = reference(&text) {
                    self.scan.refs.push(Ref { range, kind, target: target.to_owned() });
                }
            }
            // Pandoc's rule, which the parser does not apply: a closing `$` followed by a digit
            // closes nothing, so `$10, or US$5` stays two prices.
            Event::InlineMath(_) if self.source[range.end..].starts_with(|c: char| c.is_ascii_digit()) => {}
            Event::InlineMath(tex) => {
                self.unclosed("inline math");
                self.push_math(range, tex.into_string(), false);
            }
            Event::DisplayMath(tex) => {
                self.unclosed("display math");
                self.push_math(range, tex.into_string(), true);
            }
            Event::Start(tag) => {
                if matches!(tag, Tag::Table(_)) {
                    self.unclosed("a table");
                }
                self.tags.push((tag.to_end(), range.start));
            }
            Event::End(_) => {
                self.tags.pop();
            }
            _ => {}
        }
    }

    fn finish(mut self) -> Scan {
        self.end_dollars();
        let end = self.source.len();
        self.read_label(&Event::Rule, &(end..end));
        self.unclosed("the end of the chapter");
        self.scan
    }

    fn start_cell(&mut self, info: &str, range: Range<usize>) {
        let Some(tokens) = exec_tokens(info) else { return };
        match parse_options(tokens) {
            Ok(options) => {
                let cell = Cell {
                    range,
                    options,
                    code: String::new(),
                    line_starts: Vec::new(),
                    prefix: String::new(),
                    closed: false,
                };
                self.open_cell = Some((cell, Vec::new()));
            }
            Err(e) => self.scan.errors.push((range.start, e, "fix the code block's info string")),
        }
    }

    /// A run of `$` the parser left as text has ended. Two of them directly in a paragraph,
    /// heading or list item open a display formula that spans markdown blocks, or close the
    /// open one: the parser keeps math inside one paragraph, but a blank line or a line
    /// starting with `+ `, `- `, `# ` or `> ` inside `$$ ... $$` ends the paragraph.
    fn end_dollars(&mut self) {
        let Some((range, count, leaf)) = self.dollars.take() else { return };
        if count == 1 && leaf {
            self.spaced_inline(range);
            return;
        }
        if count != 2 {
            return;
        }
        if !leaf {
            self.scan.warnings.push((range.start, "`$$` that opens no display math: display math can stand in paragraphs, headings and list items only, not in table cells, links or emphasis".to_owned()));
            return;
        }
        match self.opening.take() {
            None => {
                let block_start = self.tags.last().map_or(range.start, |t| t.1);
                self.opening = Some((range, container_prefix(self.source, block_start)));
            }
            Some((open, prefix)) => {
                let tex = strip_prefix_lines(&self.source[open.end..range.start], &prefix);
                self.push_math(open.start..range.end, tex, true);
            }
        }
    }

    /// A single `$` the parser left as text. Markdown's inline math hugs its dollars, so
    /// `$ x $` is text; mdbook-katex rendered it, so a book that switches may have some. A `$`
    /// followed by a space and a later one after a space in the same block get a warning.
    fn spaced_inline(&mut self, range: Range<usize>) {
        let block = self.tags.last().map_or(0, |t| t.1);
        let space = |c: Option<char>| c.is_some_and(char::is_whitespace);
        match self.spaced_dollar.take() {
            Some((open, open_block))
                if open_block == block && space(self.source[..range.start].chars().next_back()) =>
            {
                self.scan.warnings.push((open, "`$ ... $` with spaces inside the dollars is not math: markdown's inline math starts and ends without a space, as in `$x$`".to_owned()));
            }
            _ if space(self.source[range.end..].chars().next()) => self.spaced_dollar = Some((range.start, block)),
            _ => {}
        }
    }

    /// A `$$` is still open where a formula cannot continue: its dollars stay text.
    fn unclosed(&mut self, reason: &str) {
        if let Some((open, _)) = self.opening.take() {
            self.scan.warnings.push((
                open.start,
                format!("`$$` that opens display math that is never closed: {reason} follows before any closing `$$`"),
            ));
        }
    }

    fn push_math(&mut self, range: Range<usize>, tex: String, display: bool) {
        self.after_math = Some((self.scan.math.len(), String::new(), range.end));
        self.scan.math.push(Math { range, tex, display, label: None });
    }

    /// Collects the text that follows a formula in its paragraph; where that text ends, a
    /// `{#label}` at its start labels the formula, and becomes part of its range.
    fn read_label(&mut self, event: &Event<'_>, range: &Range<usize>) {
        let Some((index, text, end)) = &mut self.after_math else { return };
        if let Event::Text(t) = event
            && range.start == *end
            && self.source[range.clone()] == **t
        {
            text.push_str(t);
            *end = range.end;
            return;
        }
        let (index, text) = (*index, std::mem::take(text));
        self.after_math = None;
        let body = text.trim_start_matches([' ', '\t']);
        let Some(rest) = body.strip_prefix("{#") else { return };
        let math = &mut self.scan.math[index];
        let at = math.range.end + (text.len() - body.len());
        let Some(close) = rest.find('}') else {
            let help = "write `{#label}` right after the closing `$$`";
            self.scan.errors.push((at, "this equation label is not closed".to_owned(), help));
            return;
        };
        if !math.display {
            let help = "write the equation as display math, `$$ ... $$ {#label}`, or remove the label";
            self.scan.errors.push((
                at,
                "this label follows inline math, and only display math is numbered".to_owned(),
                help,
            ));
            return;
        }
        math.label = Some(EqLabel { name: rest[..close].trim().to_owned(), offset: at });
        math.range.end = at + "{#".len() + close + "}".len();
    }
}

/// Removes a container's prefix (quote markers, list indentation) from every line after the
/// first, where the line has it.
fn strip_prefix_lines(text: &str, prefix: &str) -> String {
    if prefix.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i == 0 {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        for p in prefix.chars() {
            if p == '>' {
                match rest.trim_start_matches(' ').strip_prefix('>') {
                    Some(r) => rest = r,
                    None => break,
                }
            } else if let Some(r) = rest.strip_prefix([' ', '\t']) {
                rest = r;
            }
        }
        out.push_str(rest);
    }
    out
}

/// The parser's range for a fenced block may run past the closing fence's line break into
/// following blank lines; keep it to the block's own lines, ending after one line break.
fn trim_block_end(source: &str, range: Range<usize>) -> Range<usize> {
    let block = &source[range.clone()];
    let trimmed = block.trim_end_matches([' ', '\t', '\r', '\n']);
    let mut end = range.start + trimmed.len();
    if source[end..].starts_with("\r\n") {
        end += 2;
    } else if source[end..].starts_with('\n') {
        end += 1;
    }
    range.start..end.max(range.start)
}

/// Joins the code text events and records where each code line starts in the chapter. Where
/// an event's text is exactly the source under its range, every line maps exactly; otherwise
/// (container prefixes stripped inside one event) the event's start is the best known place.
fn assemble_code(source: &str, cell: &mut Cell, texts: &[CodeText]) {
    for (text, range) in texts {
        let exact = source.get(range.clone()) == Some(text.as_str());
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if cell.code.is_empty() || cell.code.ends_with('\n') {
                cell.line_starts.push(if exact { range.start + offset } else { range.start });
            }
            cell.code.push_str(line);
            offset += line.len();
        }
    }
}

fn line_start(source: &str, offset: usize) -> usize {
    source[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn fence_of(source: &str, cell: &Cell) -> (char, usize) {
    let open = &source[cell.range.start..];
    let ch = open.chars().next().unwrap_or('`');
    (ch, open.chars().take_while(|&c| c == ch).count())
}

fn has_closing_fence(source: &str, cell: &Cell) -> bool {
    let (ch, len) = fence_of(source, cell);
    let block = source[cell.range.clone()].trim_end_matches(['\n', '\r']);
    let Some(last) = block.rfind('\n').map(|i| &block[i + 1..]) else {
        return false;
    };
    // Strip the container prefix (quote markers and indentation) before the fence.
    let last = last.trim_start_matches(['>', ' ', '\t']);
    let run = last.chars().take_while(|&c| c == ch).count();
    run >= len && last[run * ch.len_utf8()..].trim().is_empty()
}

/// The text a line needs in front of it to continue the container a block is in. It is what
/// stands before the block's start on its line, with list markers turned into spaces.
fn container_prefix(source: &str, block_start: usize) -> String {
    let start = line_start(source, block_start);
    source[start..block_start].chars().map(|c| if c == '>' || c == ' ' || c == '\t' { c } else { ' ' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders a scan compactly: one line per cell, reference and math span.
    fn summary(source: &str) -> String {
        let s = scan(source);
        let mut out = String::new();
        for c in &s.cells {
            let (line, _) = crate::base::diag::line_col(source, c.range.start);
            let starts: Vec<_> = c.line_starts.iter().map(|&o| crate::base::diag::line_col(source, o)).collect();
            out += &format!(
                "cell@{line} {:?} prefix={:?} closed={} code={:?} starts={starts:?}\n",
                c.options, c.prefix, c.closed, c.code
            );
        }
        for r in &s.refs {
            out += &format!("ref {:?} {:?} {:?}\n", r.kind, r.target, &source[r.range.clone()]);
        }
        for m in &s.math {
            out += &format!("math display={} {:?}\n", m.display, m.tex);
            if let Some(l) = &m.label {
                let at = crate::base::diag::line_col(source, l.offset);
                out += &format!("  label {:?} at {at:?}, replacing {:?}\n", l.name, &source[m.range.clone()]);
            }
        }
        for (o, w) in &s.warnings {
            out += &format!("warning@{} {w}\n", crate::base::diag::line_col(source, *o).0);
        }
        for (o, e, _) in &s.errors {
            out += &format!("error@{} {e}\n", crate::base::diag::line_col(source, *o).0);
        }
        out
    }

    #[track_caller]
    fn check(source: &str, expected: &str) {
        assert_eq!(summary(source), expected, "source:\n{source}");
    }

    #[test]
    fn plain_cell() {
        check(
            "# T\n\n```rust,exec\nlet x = 1;\nprintln!(\"{x}\");\n```\n\nafter\n",
            "cell@3 CellOptions { hide_code: false, hide_output: false, should_panic: false, fold: Auto } prefix=\"\" closed=true code=\"let x = 1;\\nprintln!(\\\"{x}\\\");\\n\" starts=[(4, 1), (5, 1)]\n",
        );
    }

    #[test]
    fn options_split_like_mdbook() {
        check(
            "```rust, exec hide-code,should-panic noplayground\nx\n```\n",
            "cell@1 CellOptions { hide_code: true, hide_output: false, should_panic: true, fold: Auto } prefix=\"\" closed=true code=\"x\\n\" starts=[(2, 1)]\n",
        );
    }

    #[test]
    fn unknown_option_lists_valid_ones() {
        check(
            "text\n\n```rust,exec,hide-cod\nx\n```\n",
            "error@3 unknown cell option `hide-cod`; valid options are `hide-code`, `hide-output`, `should-panic`, `fold`, `no-fold`, and mdBook's `noplayground`, `noplaypen`, `editable`\n",
        );
    }

    #[test]
    fn fold_options() {
        assert_eq!(parse_options(["fold"].into_iter()).unwrap().fold, Fold::Always);
        assert_eq!(parse_options(["no-fold", "hide-output"].into_iter()).unwrap().fold, Fold::Never);
        assert_eq!(parse_options(std::iter::empty()).unwrap().fold, Fold::Auto);
        assert!(parse_options(["fold", "no-fold"].into_iter()).unwrap_err().contains("contradict"));
    }

    #[test]
    fn non_exec_blocks_are_ignored() {
        check("```rust\nfn main() {}\n```\n\n```exec,rust\nx\n```\n\n    rust,exec indented\n", "");
        check("```rust,execute\nx\n```\n", "");
    }

    #[test]
    fn tilde_fence_and_longer_fence_holding_backticks() {
        check(
            "~~~rust,exec\nlet a = 1;\n~~~\n\n````rust,exec\nlet s = \"```\";\n````\n",
            "cell@1 CellOptions { hide_code: false, hide_output: false, should_panic: false, fold: Auto } prefix=\"\" closed=true code=\"let a = 1;\\n\" starts=[(2, 1)]\n\
             cell@5 CellOptions { hide_code: false, hide_output: false, should_panic: false, fold: Auto } prefix=\"\" closed=true code=\"let s = \\\"```\\\";\\n\" starts=[(6, 1)]\n",
        );
    }

    #[test]
    fn cell_in_blockquote() {
        check(
            "> quoted\n>\n> ```rust,exec\n> let q = 2;\n>   q\n> ```\n",
            "cell@3 CellOptions { hide_code: false, hide_output: false, should_panic: false, fold: Auto } prefix=\"> \" closed=true code=\"let q = 2;\\n  q\\n\" starts=[(4, 3), (5, 3)]\n",
        );
    }

    #[test]
    fn cell_in_list_item() {
        check(
            "- item\n\n  ```rust,exec,hide-output\n  let l = 3;\n  ```\n- next\n",
            "cell@3 CellOptions { hide_code: false, hide_output: true, should_panic: false, fold: Auto } prefix=\"  \" closed=true code=\"let l = 3;\\n\" starts=[(4, 3)]\n",
        );
        check(
            "1. ```rust,exec\n   let n = 4;\n   ```\n",
            "cell@1 CellOptions { hide_code: false, hide_output: false, should_panic: false, fold: Auto } prefix=\"   \" closed=true code=\"let n = 4;\\n\" starts=[(2, 4)]\n",
        );
    }

    #[test]
    fn crlf_line_endings() {
        let s = scan("a\r\n\r\n```rust,exec\r\nlet c = 5;\r\nlet d = 6;\r\n```\r\nb\r\n");
        assert_eq!(s.cells.len(), 1);
        let c = &s.cells[0];
        assert_eq!(c.code.replace('\r', ""), "let c = 5;\nlet d = 6;\n");
        assert_eq!(c.line_starts.len(), 2);
        assert!(c.closed);
    }

    #[test]
    fn unclosed_fence() {
        check(
            "```rust,exec\nlet u = 1;\n",
            "cell@1 CellOptions { hide_code: false, hide_output: false, should_panic: false, fold: Auto } prefix=\"\" closed=false code=\"let u = 1;\\n\" starts=[(2, 1)]\n",
        );
    }

    #[test]
    fn references() {
        check(
            "The loss is `=loss:.3`, see `@fig-loss`; `code` and `= spaced out` stay.\n",
            "ref Value \"loss:.3\" \"`=loss:.3`\"\nref Label \"fig-loss\" \"`@fig-loss`\"\n",
        );
        check(
            "`=a.b_c:.2e`, `=part/ch.x`, `@ch.fig-1`, `=typo`\n",
            "ref Value \"a.b_c:.2e\" \"`=a.b_c:.2e`\"\nref Value \"part/ch.x\" \"`=part/ch.x`\"\nref Label \"ch.fig-1\" \"`@ch.fig-1`\"\nref Value \"typo\" \"`=typo`\"\n",
        );
        // Code that only starts like a reference stays code, as in any book about a language.
        for code in [
            "==",
            "=>",
            "=",
            "= 5",
            "=5",
            "=1.0",
            "=a b",
            "=Vec::new()",
            "=x:(",
            "=.x",
            "=ch.",
            "@",
            "@ x",
            "@a@b",
            "@{x}",
            "=a.b.",
            "=/x.y",
        ] {
            check(&format!("`{code}`\n"), "");
        }
        check("```text\n`=inside` a block\n```\n", "");
    }

    #[test]
    fn math() {
        check(
            "Inline $a^2$ and\n\n$$\n\\frac{1}{2}\n$$\n\nnot `$code$`, costs \\$5 and \\$6, or $5 and $6.\n",
            "math display=false \"a^2\"\nmath display=true \"\\n\\\\frac{1}{2}\\n\"\n",
        );
        // Inline math hugs its dollars, as in pandoc: `$ x $` is text.
        check(
            "An example, $ \\pi(\\theta) $, and $\\pi$.\n",
            "math display=false \"\\\\pi\"\nwarning@1 `$ ... $` with spaces inside the dollars is not math: markdown's inline math starts and ends without a space, as in `$x$`\n",
        );
        check("Prices: $5, $ 6\n\nand $ 7.\n", "");
        check("From $5 to $10,\nor US$5-$10, and $x$1.\n", "");
        check(
            "- item $x$\n\n> quote $$y$$\n\n| a | $b$ |\n|---|---|\n| $c$ | d |\n",
            "math display=false \"x\"\nmath display=true \"y\"\nmath display=false \"b\"\nmath display=false \"c\"\n",
        );
    }

    #[test]
    fn display_math_across_blocks() {
        // A blank line, and lines that start a list, a heading or a quote, end the paragraph
        // the parser keeps math in; the formula still runs from `$$` to `$$`.
        check("$$\na\n\nb\n$$\n", "math display=true \"\\na\\n\\nb\\n\"\n");
        check(
            "Text\n$$\na\n+ b\n- c\n# d\n> e\n$$ after, and $x$.\n",
            "math display=true \"\\na\\n+ b\\n- c\\n# d\\n> e\\n\"\nmath display=false \"x\"\n",
        );
        check("$$ x\n\n= y $$\n", "math display=true \" x\\n\\n= y \"\n");
        // Inside a container, its prefix is not part of the formula.
        check("> $$\n> a\n>\n> b\n> $$\n", "math display=true \"\\na\\n\\nb\\n\"\n");
        check("- item\n\n  $$\n  a\n\n  + b\n  $$\n", "math display=true \"\\na\\n\\n+ b\\n\"\n");
        // Math the parser found stays as it was.
        check("$$\na\n$$\n\n$$\nb\n\nc\n$$\n", "math display=true \"\\na\\n\"\nmath display=true \"\\nb\\n\\nc\\n\"\n");
    }

    #[test]
    fn unclosed_display_math_warns() {
        check(
            "$$\na\n\nb\n",
            "warning@1 `$$` that opens display math that is never closed: the end of the chapter follows before any closing `$$`\n",
        );
        // Code is never math, so a formula cannot run through it.
        check(
            "$$\na\n\n```text\n$$\n```\n",
            "warning@1 `$$` that opens display math that is never closed: a code block follows before any closing `$$`\n",
        );
        check(
            "$$\na\n\nsee `x`\n$$\n",
            "warning@1 `$$` that opens display math that is never closed: a code span follows before any closing `$$`\n\
             warning@5 `$$` that opens display math that is never closed: the end of the chapter follows before any closing `$$`\n",
        );
        check("```text\n$$ in code\n```\n\n`$$`\n", "");
        check("costs $$$ a lot\n", "");
        check(
            "| $$ | b |\n|---|---|\n",
            "warning@1 `$$` that opens no display math: display math can stand in paragraphs, headings and list items only, not in table cells, links or emphasis\n",
        );
    }

    #[test]
    fn equation_labels() {
        check(
            "$$ a = b $$ {#eq-ab} holds.\n",
            "math display=true \" a = b \"\n  label \"eq-ab\" at (1, 13), replacing \"$$ a = b $$ {#eq-ab}\"\n",
        );
        check(
            "$$\na\n$$ {#eq_a_b}\n",
            "math display=true \"\\na\\n\"\n  label \"eq_a_b\" at (3, 4), replacing \"$$\\na\\n$$ {#eq_a_b}\"\n",
        );
        check(
            "$$\na\n\n- b\n$$\t{#eq-span}, and more\n",
            "math display=true \"\\na\\n\\n- b\\n\"\n  label \"eq-span\" at (5, 4), replacing \"$$\\na\\n\\n- b\\n$$\\t{#eq-span}\"\n",
        );
        // Only text right after the formula, on its line, is a label.
        check("$$a$$ {not a label}\n", "math display=true \"a\"\n");
        check("$$a$$\n{#eq-a}\n", "math display=true \"a\"\n");
        check("$$a$$ `{#eq-a}`\n", "math display=true \"a\"\n");
        check("$$a$$ {#eq-a\n", "math display=true \"a\"\nerror@1 this equation label is not closed\n");
        check(
            "Inline $x$ {#eq-x}.\n",
            "math display=false \"x\"\nerror@1 this label follows inline math, and only display math is numbered\n",
        );
    }

    #[test]
    fn chapter_without_cells() {
        assert_eq!(scan("# Plain\n\nNo cells here.\n"), Scan::default());
    }
}
