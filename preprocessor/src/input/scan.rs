//! Finding what the preprocessor acts on in one chapter's markdown.
//!
//! The chapter is parsed once with pulldown-cmark, using mdBook's own extension set plus math,
//! and three kinds of places are collected with their byte ranges: executed cells (fenced code
//! whose info string starts `rust,exec`), references in inline code (`` `=value` `` and
//! `` `@label` ``) and math (`$..$`, `$$..$$`, also a display formula that the parser split
//! into several blocks, paired from the `$$` it left as text, and single `$` around white
//! space, paired from the `$` it left as text). An HTML block, which markdown leaves alone, is
//! split at its tags and the text between is scanned as markdown of its own. A book whose math
//! has other delimiters is parsed without markdown's math, and runs of its text events go to
//! [`delimiters`]. This module never changes the text and never looks for delimiters in the
//! chapter itself; everything it reports comes from the parser's events.

use std::ops::Range;

use mdbook_markdown::pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::base::markdown::parser_options;
use crate::input::delimiters;
use crate::input::math_config::MathSyntax;

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

/// Scans one chapter whose math is written with `$` and `$$`.
pub fn scan(source: &str) -> Scan {
    scan_with(source, &MathSyntax::Dollars)
}

/// Scans one chapter whose math is written as `syntax` says. With other delimiters than `$`
/// and `$$` the chapter is parsed as mdBook parses it, without markdown's math, and the
/// delimiters are looked for in runs of its text.
pub fn scan_with(source: &str, syntax: &MathSyntax) -> Scan {
    let mut options = parser_options();
    if !syntax.dollars() {
        options.remove(mdbook_markdown::pulldown_cmark::Options::ENABLE_MATH);
    }
    let mut s = Scanner { source, syntax: syntax.clone(), ..Scanner::default() };
    for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
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
    syntax: MathSyntax,
    scan: Scan,
    /// The text events since the last event that is not text or emphasis, for math between
    /// other delimiters than `$` and `$$`.
    run: Vec<delimiters::Piece>,
    /// The cell being read, with the text events of its code.
    open_cell: Option<(Cell, Vec<CodeText>)>,
    in_code: bool,
    /// Inside inline HTML that holds code (`<code>`, `<kbd>`, `<samp>`) in a paragraph, where
    /// no math is.
    in_html_code: bool,
    /// The blocks and inline elements the parser is inside, innermost last, with where each
    /// started.
    tags: Vec<(TagEnd, usize)>,
    /// Adjacent `$` the parser left as text: where they are and whether they stand directly in
    /// a paragraph, heading or list item.
    dollars: Option<(Range<usize>, usize, bool)>,
    /// A `$$` the parser left as text, waiting for the `$$` that closes its formula, with the
    /// container prefix of its paragraph.
    opening: Option<(Range<usize>, String)>,
    /// A single `$` left as text (not before a digit), and the start of its block: it may open
    /// a formula that the parser did not take for math.
    lone_dollar: Option<(usize, usize)>,
    /// Where the last event that stands for text (not a block) ended, to tell an escaped `\$`
    /// (whose backslash is in no event) from a `$`.
    text_end: usize,
    /// The HTML of the HTML block being read, as its events give it.
    html: Option<Vec<(String, Range<usize>)>>,
    /// The text right after the last formula (its index in `scan.math`, the text, where it
    /// ends), read for a `{#label}`.
    after_math: Option<(usize, String, usize)>,
}

impl Scanner<'_> {
    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        let escaped = range.start > self.text_end && self.source[..range.start].ends_with('\\');
        let is_dollar = self.syntax.dollars()
            && matches!(&event, Event::Text(t) if &**t == "$" && &self.source[range.clone()] == "$")
            && !escaped;
        if let Event::InlineHtml(tag) = &event {
            let name = tag.trim_start_matches('<').trim_start_matches('/');
            let name =
                name[..name.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(name.len())].to_ascii_lowercase();
            if ["code", "kbd", "samp"].contains(&name.as_str()) {
                self.in_html_code = !tag.starts_with("</") && !tag.ends_with("/>");
            }
        }
        if matches!(event, Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell)) {
            // An element left open ends with its block, as far as math is concerned.
            self.in_html_code = false;
        }
        if !self.syntax.dollars() {
            self.collect_run(&event, &range);
        }
        if !matches!(event, Event::Start(_) | Event::End(_)) {
            self.text_end = range.end;
        }
        if !(is_dollar && self.dollars.as_ref().is_some_and(|d| d.0.end == range.start)) {
            self.end_dollars();
        }
        self.read_label(&event, &range);
        match event {
            Event::Start(Tag::HtmlBlock) => {
                self.html = Some(Vec::new());
                self.tags.push((TagEnd::HtmlBlock, range.start));
            }
            Event::Html(text) if self.html.is_some() => {
                self.html.as_mut().unwrap().push((text.into_string(), range));
            }
            Event::End(TagEnd::HtmlBlock) => {
                self.tags.pop();
                let events = self.html.take().unwrap_or_default();
                self.html_block(&events);
            }
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
            Event::Text(_) if is_dollar && !self.in_code && !self.in_html_code => {
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
                // Code is never math: a lone `$` before it opens nothing after it.
                self.lone_dollar = None;
                if let Some((kind, target)) = reference(&text) {
                    self.scan.refs.push(Ref { range, kind, target: target.to_owned() });
                }
            }
            // Pandoc's rule, which the parser does not apply: a closing `$` followed by a digit
            // closes nothing, so `$10, or US$5` stays two prices. And a `$` inside a code span
            // closes nothing either: in `*$HOME/bin* and `$PATH`` the parser's math would run
            // into the code span, which is code in any book (and to mdBook, which parses no
            // math). Nor is prose between two dollars math. Such text is left as it is.
            Event::InlineMath(tex) | Event::DisplayMath(tex)
                if self.in_html_code
                    || self.source[range.end..].starts_with(|c: char| c.is_ascii_digit())
                    || tex.contains('`')
                    || reads_as_prose(&tex) => {}
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
        self.end_run();
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
        if count == 1 {
            self.lone(range);
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

    /// A single `$` the parser left as text. Markdown's inline math hugs its dollars, so the
    /// parser reads `$ x $`, `$\alpha $` and a formula written between dollars on lines of
    /// their own as text; mdbook-katex rendered them as inline math, and so does this. Two
    /// single `$` in one block pair when the later one is not followed by a digit (so prices
    /// stay prices) and white space stands inside both of them, or inside one of them and the
    /// text between reads as TeX, with a command, `=` or `^` (so `$HOME and $PATH` stays
    /// text). The TeX is the chapter's text between them, as mdbook-katex read it.
    fn lone(&mut self, range: Range<usize>) {
        let block = self.block_start();
        let space = |c: Option<char>| c.is_some_and(char::is_whitespace);
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        let before = self.source[..range.start].chars().next_back();
        let after = self.source[range.end..].chars().next();
        if let Some((open, open_block)) = self.lone_dollar.take()
            && open_block == block
            && !digit(after)
        {
            let between = &self.source[open + 1..range.start];
            let spaced = (space(between.chars().next()), space(before));
            let tex_like = between.contains(['\\', '=', '^']);
            if ((spaced.0 && spaced.1) || ((spaced.0 || spaced.1) && tex_like)) && !reads_as_prose(between) {
                let tex = strip_prefix_lines(between, &container_prefix(self.source, block));
                self.push_math(open..range.end, tex, false);
                return;
            }
        }
        if after.is_some() && !digit(after) {
            self.lone_dollar = Some((range.start, block));
        }
    }

    /// Where the innermost block the parser is in starts (emphasis, links and the like are
    /// inside a block, not blocks).
    fn block_start(&self) -> usize {
        let inline = |t: &TagEnd| {
            matches!(
                t,
                TagEnd::Emphasis
                    | TagEnd::Strong
                    | TagEnd::Strikethrough
                    | TagEnd::Link
                    | TagEnd::Image
                    | TagEnd::Superscript
                    | TagEnd::Subscript
            )
        };
        self.tags.iter().rev().find(|(t, _)| !inline(t)).map_or(0, |t| t.1)
    }

    /// Math inside an HTML block, which markdown leaves alone but mdbook-katex rendered: the
    /// text between its tags (not inside `<code>`, `<pre>`, `<script>`, `<style>`,
    /// `<textarea>` or a comment) is scanned as a chapter of its own, each line without its
    /// indentation (which means nothing in HTML, but would make a code block of markdown), and
    /// its math is placed back in the chapter.
    fn html_block(&mut self, events: &[(String, Range<usize>)]) {
        let mut html = Mapped::default();
        for (text, range) in events {
            let exact = self.source.get(range.clone()) == Some(text.as_str());
            for (i, b) in text.bytes().enumerate() {
                html.push(b, if exact { range.start + i } else { range.start });
            }
        }
        let bytes = html.bytes;
        let Ok(whole) = std::str::from_utf8(&bytes) else { return };
        for segment in html_text(whole) {
            let mut part = Mapped::default();
            let mut line_start = true;
            for i in segment {
                let b = bytes[i];
                if line_start && (b == b' ' || b == b'\t') {
                    continue;
                }
                line_start = b == b'\n';
                part.push(b, html.map[i]);
            }
            let Ok(text) = std::str::from_utf8(&part.bytes) else { continue };
            let syntax = self.syntax.in_html();
            let (pairs, _) = syntax.delimiters();
            if !text.contains(['$', '\\']) && !pairs.iter().any(|p| text.contains(&p.left)) {
                continue;
            }
            let inner = scan_with(text, &syntax);
            let at = |o: usize| part.map.get(o).copied().unwrap_or_else(|| part.map.last().map_or(0, |l| l + 1));
            for mut m in inner.math {
                m.range = at(m.range.start)..at(m.range.end - 1) + 1;
                if let Some(l) = &mut m.label {
                    l.offset = at(l.offset);
                }
                self.scan.math.push(m);
            }
            self.scan.warnings.extend(inner.warnings.into_iter().map(|(o, w)| (at(o), w)));
            self.scan.errors.extend(inner.errors.into_iter().map(|(o, e, h)| (at(o), e, h)));
        }
    }

    /// Adds a text event to the run, or ends the run at an event that math cannot cross.
    fn collect_run(&mut self, event: &Event<'_>, range: &Range<usize>) {
        let emphasis = |t: &TagEnd| matches!(t, TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough);
        match event {
            Event::Text(t) if !self.in_code && !self.in_html_code && self.html.is_none() => {
                self.run.push((t.to_string(), range.clone()))
            }
            Event::SoftBreak | Event::HardBreak => self.run.push(("\n".to_owned(), range.clone())),
            Event::Start(tag) if emphasis(&tag.to_end()) => {}
            Event::End(tag) if emphasis(tag) => {}
            _ => self.end_run(),
        }
    }

    /// The run of text has ended: its formulas are math.
    fn end_run(&mut self) {
        let run = std::mem::take(&mut self.run);
        let (pairs, after_markdown) = self.syntax.delimiters();
        let environments = self.syntax.environments();
        for (range, tex, display) in delimiters::find(self.source, &run, &pairs, after_markdown, environments) {
            // Read as written, a formula over several lines of a container holds its prefixes.
            let tex = if after_markdown {
                tex
            } else {
                strip_prefix_lines(&tex, &container_prefix(self.source, self.block_start()))
            };
            self.push_math(range, tex, display);
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

/// Whether text between two dollars is prose rather than TeX: three words or more in a row and
/// no TeX command (`$USER are set, and *$HOME*` in a book about the shell). A formula's words
/// stand in `\text{..}`, with a command.
fn reads_as_prose(between: &str) -> bool {
    let word = |w: &str| {
        let w = w.trim_end_matches([',', '.', ';', ':']);
        w.len() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic())
    };
    let mut run = 0;
    !between.contains('\\')
        && between.split_whitespace().any(|w| {
            run = if word(w) { run + 1 } else { 0 };
            run >= 3
        })
}

/// Bytes of text with the chapter offset of each.
#[derive(Default)]
struct Mapped {
    bytes: Vec<u8>,
    map: Vec<usize>,
}

impl Mapped {
    fn push(&mut self, b: u8, at: usize) {
        self.bytes.push(b);
        self.map.push(at);
    }
}

/// The byte ranges of an HTML block's text between its tags, leaving out comments and the
/// contents of elements that hold code or raw text. Each range starts and ends at a tag's
/// `<` or `>`, so on character boundaries.
fn html_text(html: &str) -> Vec<Range<usize>> {
    const RAW: &[&str] = &["code", "pre", "script", "style", "textarea"];
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while let Some(lt) = html[i..].find('<').map(|o| i + o) {
        let rest = &html[lt + 1..];
        let end = if rest.starts_with("!--") {
            rest.find("-->").map_or(html.len(), |e| lt + 1 + e + 3)
        } else if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            let name = rest.trim_start_matches('/');
            let name =
                name[..name.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(name.len())].to_ascii_lowercase();
            let tag_end = rest.find('>').map_or(html.len(), |e| lt + 1 + e + 1);
            if RAW.contains(&name.as_str()) && !rest.starts_with('/') {
                let close = format!("</{name}");
                html[tag_end..].to_ascii_lowercase().find(&close).map_or(html.len(), |c| tag_end + c)
            } else {
                tag_end
            }
        } else {
            // `a < b` is text.
            i = lt + 1;
            continue;
        };
        if text_start < lt {
            out.push(text_start..lt);
        }
        text_start = end;
        i = end;
    }
    if text_start < html.len() {
        out.push(text_start..html.len());
    }
    out
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
        // The parser's inline math hugs its dollars; mdbook-katex also rendered `$ x $`.
        check(
            "An example, $ \\pi(\\theta) $, and $\\pi$.\n",
            "math display=false \" \\\\pi(\\\\theta) \"\nmath display=false \"\\\\pi\"\n",
        );
        check("Prices: $5, $ 6\n\nand $ 7.\n", "");
        check("From $5 to $10,\nor US$5-$10, and $x$1.\n", "");
        check("in *$HOME/.cargo/bin*, which is in your `$PATH`\n", "");
        check("$USER is set, and so is *$HOME*\n", "");
        check(
            "$a = b$ and $\\text{for all } x$ or $f\\ \\text{is one to one}$\n",
            "math display=false \"a = b\"\nmath display=false \"\\\\text{for all } x\"\nmath display=false \"f\\\\ \\\\text{is one to one}\"\n",
        );
        check(
            "- item $x$\n\n> quote $$y$$\n\n| a | $b$ |\n|---|---|\n| $c$ | d |\n",
            "math display=false \"x\"\nmath display=true \"y\"\nmath display=false \"b\"\nmath display=false \"c\"\n",
        );
    }

    #[test]
    fn single_dollars_around_white_space() {
        // Display math written between single dollars on lines of their own: inline math, as
        // mdbook-katex rendered it, with the chapter's text (`\\` and `_` untouched).
        check(
            "Then\n$\n\\begin{array}{c}\na_1 \\\\\nb * c_2\n\\end{array}\n$\nholds.\n",
            "math display=false \"\\n\\\\begin{array}{c}\\na_1 \\\\\\\\\\nb * c_2\\n\\\\end{array}\\n\"\n",
        );
        check("> $\n> x_1\n> $\n", "math display=false \"\\nx_1\\n\"\n");
        check("| $ a $ | b |\n|---|---|\n", "math display=false \" a \"\n");
        check("$ *a* $ and $ a_1 _b_ $\n", "math display=false \" *a* \"\nmath display=false \" a_1 _b_ \"\n");
        // Not math: escaped dollars, a closing `$` before a digit, code in between, a
        // paragraph in between, dollars that hug nothing.
        check(
            "$\\hspace{1em}\n\\begin{array}{l}\na\n\\end{array}\n$ and $\\texttt{b}(c) $\n",
            "math display=false \"\\\\hspace{1em}\\n\\\\begin{array}{l}\\na\\n\\\\end{array}\\n\"\nmath display=false \"\\\\texttt{b}(c) \"\n",
        );
        check("and $v = $\n$$\nx\n$$\n", "math display=false \"v = \"\nmath display=true \"\\nx\\n\"\n");
        for text in [
            "\\$ x \\$\n",
            "costs $ 5 and then $5\n",
            "$ a `b` c $\n",
            "$ a\n\nb $\n",
            "a $x $ b\n",
            "$HOME and $PATH, ${HOME} and $USER_NAME\n",
            "from $5 to $ 10\n",
        ] {
            check(text, "");
        }
    }

    #[test]
    fn math_inside_html_blocks() {
        check(
            "<details>\n<summary>Hints: what $\\v{t}$ means</summary>\n<div>\n    $$\n    y\n    $$\n</div>\n</details>\n",
            "math display=false \"\\\\v{t}\"\nmath display=true \"\\ny\\n\"\n",
        );
        check(
            "<table><tr><td>$a < b$</td><td>$ c $</td></tr></table>\n",
            "math display=false \"a < b\"\nmath display=false \" c \"\n",
        );
        // Code, raw text and comments hold no math; nor do attributes.
        check(
            "<div title=\"$x$\"><code>$y$</code><!-- $z$ --><pre>\n$w$\n</pre><script>let a = '$v$';</script></div>\n",
            "",
        );
        // The ranges are the chapter's, so the formula is replaced in place.
        let source = "<p>\n  Then $x^2$ grows.\n</p>\n";
        let s = scan(source);
        assert_eq!(&source[s.math[0].range.clone()], "$x^2$");
        // Inside a list item or a quote, the container's prefixes are not part of the HTML.
        for source in ["- item\n\n  <div>\n  $x$ and\n  $y$\n  </div>\n", "> <div>\n> $x$ and\n> $y$\n> </div>\n"] {
            let s = scan(source);
            let got: Vec<&str> = s.math.iter().map(|m| &source[m.range.clone()]).collect();
            assert_eq!(got, ["$x$", "$y$"], "{source:?}");
        }
        // Inline HTML in a paragraph: the parser finds the math itself, but none in code.
        check("A <span>$x$</span> b\n", "math display=false \"x\"\n");
        check(
            "A <code>$x$</code>, <kbd>$ y $</kbd> and <code class=\"c\">$z$</code> $w$\n",
            "math display=false \"w\"\n",
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

    /// The math a scan with `syntax` finds: `(what it replaces, TeX, display)`.
    #[track_caller]
    fn check_math(syntax: &MathSyntax, source: &str, expected: &[(&str, &str, bool)]) {
        let got: Vec<(&str, String, bool)> =
            scan_with(source, syntax).math.into_iter().map(|m| (&source[m.range], m.tex, m.display)).collect();
        let want: Vec<(&str, String, bool)> = expected.iter().map(|(r, t, d)| (*r, (*t).to_owned(), *d)).collect();
        assert_eq!(got, want, "{source}");
    }

    #[test]
    fn mdbook_katex_custom_delimiters() {
        let d = |l: &str, r: &str, display| crate::input::math_config::Delimiter {
            left: l.into(),
            right: r.into(),
            display,
        };
        let custom = MathSyntax::Custom(vec![d("\\[", "\\]", true), d("\\(", "\\)", false)]);
        check_math(
            &custom,
            "Let \\(a_1 *b* c\\) be, and\n\\[\nx \\\\\ny\n\\]\n\nnot `\\(code\\)`, nor $x$.\n",
            &[("\\(a_1 *b* c\\)", "a_1 *b* c", false), ("\\[\nx \\\\\ny\n\\]", "\nx \\\\\ny\n", true)],
        );
        check_math(&custom, "> \\[\n> a\n> \\]\n", &[("\\[\n> a\n> \\]", "\na\n", true)]);
        check_math(&custom, "```text\n\\(x\\)\n```\n", &[]);
        check_math(&custom, "<div>\\(x\\)</div>\n", &[("\\(x\\)", "x", false)]);
    }

    #[test]
    fn mathjax_books() {
        // As written for MathJax: markdown makes `\\(` of `\\\\(`; `$` alone is not math.
        check_math(
            &MathSyntax::Mathjax,
            "Inline \\\\( a\\_1 \\\\) and $x$ and\n\n\\\\[\nx \\\\\\\\ y\n\\\\]\n\n$$ a^2 $$\n",
            &[
                ("\\\\( a\\_1 \\\\)", " a_1 ", false),
                ("\\\\[\nx \\\\\\\\ y\n\\\\]", "\nx \\\\ y\n", true),
                ("$$ a^2 $$", " a^2 ", true),
            ],
        );
        check_math(&MathSyntax::Mathjax, "`\\\\(x\\\\)` and\n\n    \\\\(y\\\\)\n\nand <code>\\\\(z\\\\)</code>\n", &[]);
        // Between the tags of an HTML block MathJax reads the text as written.
        check_math(&MathSyntax::Mathjax, "<p>\nSo \\(y\\).\n</p>\n", &[("\\(y\\)", "y", false)]);
    }

    #[test]
    fn chapter_without_cells() {
        assert_eq!(scan("# Plain\n\nNo cells here.\n"), Scan::default());
    }
}
