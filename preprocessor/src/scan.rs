//! Finding what the preprocessor acts on in one chapter's markdown.
//!
//! The chapter is parsed once with pulldown-cmark, using mdBook's own extension set plus math,
//! and three kinds of places are collected with their byte ranges: executed cells (fenced code
//! whose info string starts `rust,exec`), references in inline code (`` `=value` `` and
//! `` `@label` ``) and math (`$..$`, `$$..$$`). This module never changes the text and never
//! looks for delimiters itself; everything it reports comes from the parser's events.

use std::ops::Range;

use mdbook_markdown::pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

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
    /// Cell info strings that could not be understood.
    pub errors: Vec<(usize, String)>,
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
}

/// mdBook's markdown extensions (as `mdbook_markdown::new_cmark_parser` sets them) plus math.
pub fn parser_options() -> Options {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    opts.insert(Options::ENABLE_SMART_PUNCTUATION);
    opts.insert(Options::ENABLE_DEFINITION_LIST);
    opts.insert(Options::ENABLE_GFM);
    opts.insert(Options::ENABLE_MATH);
    opts
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

/// Whether an info string marks an executed cell, and if so its remaining tokens.
fn exec_tokens(info: &str) -> Option<impl Iterator<Item = &str>> {
    let mut t = info_tokens(info);
    (t.next() == Some("rust") && t.next() == Some("exec")).then_some(t)
}

/// Scans one chapter.
pub fn scan(source: &str) -> Scan {
    let mut scan = Scan::default();
    // The cell being read, with the text events of its code and their ranges.
    type Open = (Cell, Vec<(String, Range<usize>)>);
    let mut open: Option<Open> = None;
    let mut in_code = false;

    for (event, range) in Parser::new_ext(source, parser_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => in_code = true,
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                in_code = true;
                if let Some(tokens) = exec_tokens(&info) {
                    match parse_options(tokens) {
                        Ok(options) => {
                            let cell = Cell {
                                range: range.clone(),
                                options,
                                code: String::new(),
                                line_starts: Vec::new(),
                                prefix: String::new(),
                                closed: false,
                            };
                            open = Some((cell, Vec::new()));
                        }
                        Err(e) => scan.errors.push((range.start, e)),
                    }
                }
            }
            Event::Text(text) if open.is_some() => {
                open.as_mut().unwrap().1.push((text.into_string(), range));
            }
            Event::Text(text)
                if !in_code
                    && text.starts_with('$')
                    && source[range.start..].starts_with("$$")
                    && !source[..range.start].ends_with('$') =>
            {
                // The parser found no display math here, so these dollars will show as text.
                // The usual cause is a line inside the formula that starts a list, a heading or a
                // quote (`+ x`, `- x`, `# x`, `> x`), ending the paragraph the math was in.
                let at = range.start;
                scan.warnings.push((
                    at,
                    "`$$` that opens no display math: a line of the formula may start with `+ `, `- `, `# ` or `> `, which markdown reads as a new block"
                        .to_owned(),
                ));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                if let Some((mut cell, texts)) = open.take() {
                    cell.range = trim_block_end(source, cell.range.clone());
                    assemble_code(source, &mut cell, &texts);
                    cell.closed = has_closing_fence(source, &cell);
                    cell.prefix = container_prefix(source, &cell);
                    scan.cells.push(cell);
                }
            }
            Event::Code(text) => {
                let kind = match text.chars().next() {
                    Some('=') => RefKind::Value,
                    Some('@') => RefKind::Label,
                    _ => continue,
                };
                let target = text[1..].trim().to_owned();
                if !target.is_empty() && !target.contains(char::is_whitespace) {
                    scan.refs.push(Ref { range, kind, target });
                }
            }
            Event::InlineMath(tex) => scan.math.push(Math { range, tex: tex.into_string(), display: false }),
            Event::DisplayMath(tex) => scan.math.push(Math { range, tex: tex.into_string(), display: true }),
            _ => {}
        }
    }
    scan
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
fn assemble_code(source: &str, cell: &mut Cell, texts: &[(String, Range<usize>)]) {
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

/// The text a line needs in front of it to continue the container the cell is in. It is what
/// stands before the opening fence on its line, with list markers turned into spaces.
fn container_prefix(source: &str, cell: &Cell) -> String {
    let start = line_start(source, cell.range.start);
    source[start..cell.range.start].chars().map(|c| if c == '>' || c == ' ' || c == '\t' { c } else { ' ' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders a scan compactly: one line per cell, reference and math span.
    fn summary(source: &str) -> String {
        let s = scan(source);
        let mut out = String::new();
        for c in &s.cells {
            let (line, _) = crate::diag::line_col(source, c.range.start);
            let starts: Vec<_> = c.line_starts.iter().map(|&o| crate::diag::line_col(source, o)).collect();
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
        }
        for (o, w) in &s.warnings {
            out += &format!("warning@{} {w}\n", crate::diag::line_col(source, *o).0);
        }
        for (o, e) in &s.errors {
            out += &format!("error@{} {e}\n", crate::diag::line_col(source, *o).0);
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
        check("```text\n`=inside` a block\n```\n", "");
    }

    #[test]
    fn math() {
        check(
            "Inline $a^2$ and\n\n$$\n\\frac{1}{2}\n$$\n\nnot `$code$`, costs \\$5 and \\$6, or $5 and $6.\n",
            "math display=false \"a^2\"\nmath display=true \"\\n\\\\frac{1}{2}\\n\"\n",
        );
        check(
            "- item $x$\n\n> quote $$y$$\n\n| a | $b$ |\n|---|---|\n| $c$ | d |\n",
            "math display=false \"x\"\nmath display=true \"y\"\nmath display=false \"b\"\nmath display=false \"c\"\n",
        );
    }

    #[test]
    fn display_math_broken_by_a_list_line_warns() {
        check(
            "Text\n\n$$\na\n+ b\n$$\n",
            "warning@3 `$$` that opens no display math: a line of the formula may start with `+ `, `- `, `# ` or `> `, which markdown reads as a new block\n\
             warning@6 `$$` that opens no display math: a line of the formula may start with `+ `, `- `, `# ` or `> `, which markdown reads as a new block\n",
        );
        check("```text\n$$ in code\n```\n", "");
    }

    #[test]
    fn chapter_without_cells() {
        assert_eq!(scan("# Plain\n\nNo cells here.\n"), Scan::default());
    }
}
