//! Reading what a chapter program writes on standard output.
//!
//! Text that cells print is interleaved with one-line JSON records that the runtime writes
//! behind a marker (`\x1emdbook-exec:<nonce>:`). [`OutputParser`] takes the stream in chunks
//! as it arrives, splits it into per-cell items, and caps each cell's text so that a program
//! that floods its output costs bounded memory. It owns the record format on this side; the
//! runtime crate owns the other side. It never starts processes or touches markdown.

use serde::Deserialize;

use crate::base::results::{CellOutput, Item, Named, ParamSpec, Value};

/// A panic the program reported, with its place in the generated source when it is there.
#[derive(Debug, Clone, PartialEq)]
pub struct PanicReport {
    pub cell: usize,
    pub msg: String,
    pub file: String,
    pub line: usize,
    pub col: usize,
}

/// What the parser learned from the whole stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub cells: Vec<CellOutput>,
    /// The cell that was running last.
    pub current: Option<usize>,
    /// A panic that was not caught.
    pub panic: Option<PanicReport>,
    /// A `should-panic` cell that returned normally.
    pub no_panic: Option<usize>,
    /// The program reached its end.
    pub done: bool,
    /// Records that could not be read (a bug, or a cell forging the marker).
    pub bad_records: Vec<String>,
    /// The book's data files the program resolved (`exec::data`), relative to `src/`, in the
    /// order first asked for.
    pub data: Vec<String>,
    /// Memos read from disk and memos computed (`exec::memo`), frames included.
    pub memos_reused: usize,
    pub memos_computed: usize,
    /// The files of the memos the run used (the others in the chapter's folder are stale).
    pub memo_files: Vec<String>,
}

#[derive(Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Record {
    Cell { i: usize },
    Value { name: String, value: Value, fmt: String },
    Figure { label: String, caption: String, svg: String },
    Table { label: String, caption: String, header: Vec<String>, rows: Vec<Vec<Value>>, formats: Vec<String> },
    Check {},
    Checks { items: Vec<String> },
    Explore { label: String, caption: String, params: Vec<ParamSpec> },
    Frame { i: usize },
    FrameEnd,
    ExploreEnd,
    Panic { msg: String, file: String, line: usize, col: usize },
    Caught,
    NoPanic,
    Done,
    Data { path: String },
    Memo { file: String, reused: bool },
    FramesDone { done: usize, total: usize },
}

/// The marker in front of every record for a given nonce.
pub fn marker(nonce: &str) -> String {
    format!("\u{1e}mdbook-exec:{nonce}:")
}

/// Splits a program's output stream into cells, incrementally.
pub struct OutputParser {
    marker: Vec<u8>,
    limit: usize,
    pending: Vec<u8>,
    text: Vec<u8>,
    text_total: usize,
    cut: bool,
    /// Inside an exploration's frame: items and values go to the last frame of the last item.
    in_frame: bool,
    parsed: Parsed,
    /// Told how many frames of the exploration running now are done, out of how many.
    on_frames: Option<Box<dyn Fn(usize, usize) + Send>>,
}

impl OutputParser {
    /// A parser for `cells` cells, keeping at most `limit` bytes of text per cell.
    pub fn new(nonce: &str, cells: usize, limit: usize) -> Self {
        OutputParser {
            marker: marker(nonce).into_bytes(),
            limit,
            pending: Vec::new(),
            text: Vec::new(),
            text_total: 0,
            cut: false,
            in_frame: false,
            parsed: Parsed { cells: vec![CellOutput::default(); cells], ..Parsed::default() },
            on_frames: None,
        }
    }

    /// Calls `f(done, total)` whenever the program reports frames of an exploration done.
    pub fn on_frames(mut self, f: impl Fn(usize, usize) + Send + 'static) -> Self {
        self.on_frames = Some(Box::new(f));
        self
    }

    /// Takes the next chunk of the stream.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.pending.extend_from_slice(chunk);
        loop {
            match find(&self.pending, &self.marker) {
                Some(at) => {
                    let Some(nl) = self.pending[at..].iter().position(|&b| b == b'\n') else {
                        // The record is not complete yet; keep the text before it flowing.
                        let text: Vec<u8> = self.pending.drain(..at).collect();
                        self.add_text(&text);
                        return;
                    };
                    let text: Vec<u8> = self.pending.drain(..at).collect();
                    self.add_text(&text);
                    let record: Vec<u8> = self.pending.drain(..nl + 1).collect();
                    self.record(&record[self.marker.len()..record.len() - 1]);
                }
                None => {
                    // Keep a tail that could be the start of a marker split across chunks.
                    let keep = partial_suffix(&self.pending, &self.marker);
                    let text: Vec<u8> = self.pending.drain(..self.pending.len() - keep).collect();
                    self.add_text(&text);
                    return;
                }
            }
        }
    }

    /// Ends the stream and returns what was learned.
    pub fn finish(mut self) -> Parsed {
        let rest = std::mem::take(&mut self.pending);
        self.add_text(&rest);
        self.flush_text();
        self.parsed
    }

    fn cell_mut(&mut self) -> Option<&mut CellOutput> {
        let i = self.parsed.current?;
        self.parsed.cells.get_mut(i)
    }

    /// Where items and values go now: the current cell, or the frame being read.
    fn sink(&mut self) -> Option<(&mut Vec<Item>, &mut Vec<Named>)> {
        let in_frame = self.in_frame;
        let cell = self.cell_mut()?;
        let to_frame =
            in_frame && matches!(cell.items.last(), Some(Item::Explore { frames, .. }) if !frames.is_empty());
        if !to_frame {
            return Some((&mut cell.items, &mut cell.values));
        }
        match cell.items.last_mut() {
            Some(Item::Explore { frames, .. }) => frames.last_mut().map(|f| (&mut f.items, &mut f.values)),
            _ => None,
        }
    }

    fn add_text(&mut self, bytes: &[u8]) {
        if bytes.is_empty() || self.parsed.current.is_none() {
            return;
        }
        let room = self.limit.saturating_sub(self.text_total);
        let take = bytes.len().min(room);
        self.text.extend_from_slice(&bytes[..take]);
        self.text_total += take;
        if take < bytes.len() && !self.cut {
            self.cut = true;
            self.flush_text();
            let limit = self.limit;
            if let Some((items, _)) = self.sink() {
                items.push(Item::Notice {
                    text: format!("output cut: this cell printed more than {limit} bytes (the `output-limit` setting)"),
                });
            }
        }
    }

    fn flush_text(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&std::mem::take(&mut self.text)).into_owned();
        if let Some((items, _)) = self.sink() {
            items.push(Item::Text { text });
        }
    }

    fn push(&mut self, item: Item) {
        self.flush_text();
        if let Some((items, _)) = self.sink() {
            items.push(item);
        }
    }

    fn record(&mut self, json: &[u8]) {
        let record: Record = match serde_json::from_slice(json) {
            Ok(r) => r,
            Err(e) => {
                self.parsed.bad_records.push(format!("{e}: {}", String::from_utf8_lossy(json)));
                return;
            }
        };
        match record {
            Record::Cell { i } => {
                self.flush_text();
                self.parsed.current = Some(i);
                self.text_total = 0;
                self.cut = false;
            }
            Record::Value { name, value, fmt } => {
                if let Some((_, values)) = self.sink() {
                    values.push(Named { name, value, fmt });
                }
            }
            Record::Figure { label, caption, svg } => self.push(Item::Figure { label, caption, svg }),
            Record::Table { label, caption, header, rows, formats } => {
                self.push(Item::Table { label, caption, header, rows, formats })
            }
            // Each check the runtime reports is for a person reading a terminal; the page shows
            // the list `exec::show_checks` sends, which the runtime keeps.
            Record::Check {} => {}
            Record::Checks { items } => self.push(Item::Checks { items }),
            Record::Explore { label, caption, params } => {
                self.in_frame = false;
                self.push(Item::Explore { label, caption, params, frames: Vec::new() });
            }
            Record::Frame { i } => {
                self.flush_text();
                self.in_frame = false;
                if let Some(Item::Explore { frames, .. }) = self.cell_mut().and_then(|c| c.items.last_mut())
                    && frames.len() == i
                {
                    frames.push(CellOutput::default());
                    self.in_frame = true;
                    // Each frame is a cell's output of its own, with its own output limit.
                    self.text_total = 0;
                    self.cut = false;
                } else {
                    self.parsed.bad_records.push(format!("frame {i} arrived outside its exploration"));
                }
            }
            Record::FrameEnd | Record::ExploreEnd => {
                self.flush_text();
                self.in_frame = false;
            }
            Record::Panic { msg, file, line, col } => {
                self.flush_text();
                let cell = self.parsed.current.unwrap_or(0);
                self.parsed.panic = Some(PanicReport { cell, msg, file, line, col });
            }
            Record::Caught => {
                if let Some(p) = self.parsed.panic.take() {
                    self.push(Item::Panic { msg: p.msg });
                }
            }
            Record::NoPanic => self.parsed.no_panic = self.parsed.no_panic.or(self.parsed.current),
            Record::Done => {
                self.flush_text();
                self.parsed.done = true;
            }
            // A file or memo belongs to the chapter, whichever frame asked for it.
            Record::Data { path } => {
                if !self.parsed.data.contains(&path) {
                    self.parsed.data.push(path);
                }
            }
            Record::Memo { file, reused } => {
                if reused {
                    self.parsed.memos_reused += 1;
                } else {
                    self.parsed.memos_computed += 1;
                }
                self.parsed.memo_files.push(file);
            }
            Record::FramesDone { done, total } => {
                if let Some(on_frames) = &self.on_frames {
                    on_frames(done, total);
                }
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The length of the longest suffix of `buf` that is a proper prefix of `marker`.
fn partial_suffix(buf: &[u8], marker: &[u8]) -> usize {
    (1..marker.len().min(buf.len() + 1)).rev().find(|&n| buf.ends_with(&marker[..n])).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(json: &str) -> String {
        format!("{}{json}\n", marker("n1"))
    }

    fn parse_in_chunks(stream: &[u8], chunk: usize, limit: usize) -> Parsed {
        let mut p = OutputParser::new("n1", 2, limit);
        for c in stream.chunks(chunk) {
            p.feed(c);
        }
        p.finish()
    }

    #[test]
    fn splits_cells_whatever_the_chunking() {
        let stream = format!(
            "{}hello\n{}{}{}partial{}world\n{}",
            rec(r#"{"t":"cell","i":0}"#),
            rec(r#"{"t":"value","name":"x","value":{"float":"1.5"},"fmt":".2"}"#),
            rec(r#"{"t":"cell","i":1}"#),
            rec(r#"{"t":"check","msg":"a claim"}"#),
            rec(r#"{"t":"figure","label":"f","caption":"c","svg":"<svg/>"}"#),
            rec(r#"{"t":"done"}"#),
        );
        for chunk in [1, 3, 7, 1000] {
            let p = parse_in_chunks(stream.as_bytes(), chunk, 1 << 20);
            assert!(p.done && p.bad_records.is_empty(), "{:?}", p.bad_records);
            assert_eq!(p.cells[0].items, vec![Item::Text { text: "hello\n".into() }]);
            assert_eq!(p.cells[0].values, vec![Named { name: "x".into(), value: Value::Float(1.5), fmt: ".2".into() }]);
            assert_eq!(
                p.cells[1].items,
                vec![
                    Item::Text { text: "partial".into() },
                    Item::Figure { label: "f".into(), caption: "c".into(), svg: "<svg/>".into() },
                    Item::Text { text: "world\n".into() },
                ],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn caps_text_per_cell_and_decodes_lossily() {
        let mut stream = rec(r#"{"t":"cell","i":0}"#).into_bytes();
        stream.extend(std::iter::repeat_n(b'a', 100));
        stream.extend(rec(r#"{"t":"cell","i":1}"#).bytes());
        stream.extend([0xff, b'o', b'k']);
        let p = parse_in_chunks(&stream, 16, 10);
        assert_eq!(p.cells[0].items[0], Item::Text { text: "a".repeat(10) });
        assert!(matches!(&p.cells[0].items[1], Item::Notice { text } if text.contains("more than 10 bytes")));
        assert_eq!(p.cells[1].items, vec![Item::Text { text: "\u{fffd}ok".into() }]);
        assert!(!p.done);
    }

    #[test]
    fn panics_expected_and_not() {
        let caught = format!(
            "{}{}{}",
            rec(r#"{"t":"cell","i":0}"#),
            rec(r#"{"t":"panic","msg":"boom","file":"src/bin/a.rs","line":7,"col":3}"#),
            rec(r#"{"t":"caught"}"#)
        );
        let p = parse_in_chunks(caught.as_bytes(), 5, 100);
        assert_eq!(p.panic, None);
        assert_eq!(p.cells[0].items, vec![Item::Panic { msg: "boom".into() }]);

        let uncaught = format!(
            "{}{}",
            rec(r#"{"t":"cell","i":1}"#),
            rec(r#"{"t":"panic","msg":"bad","file":"f","line":1,"col":2}"#)
        );
        let p = parse_in_chunks(uncaught.as_bytes(), 5, 100);
        assert_eq!(p.panic.unwrap().cell, 1);
    }

    #[test]
    fn explorations_collect_frames() {
        let stream = format!(
            "{}{}{}a=1\n{}{}{}b=2\n{}{}{}after\n{}",
            rec(r#"{"t":"cell","i":0}"#),
            rec(
                r#"{"t":"explore","label":"e","caption":"c","params":[{"name":"a","label":"$a$","values":[{"int":"1"},{"int":"2"}],"default":1,"format":"","text":false}],"frames":2}"#
            ),
            rec(r#"{"t":"frame","i":0}"#),
            rec(r#"{"t":"value","name":"x","value":{"float":"0.5"},"fmt":""}"#),
            rec(r#"{"t":"frame_end"}"#),
            rec(r#"{"t":"frame","i":1}"#),
            rec(r#"{"t":"value","name":"x","value":{"float":"0.75"},"fmt":""}"#),
            rec(r#"{"t":"frame_end"}"#),
            rec(r#"{"t":"explore_end"}"#),
            rec(r#"{"t":"done"}"#),
        );
        for chunk in [1, 9, 1000] {
            let p = parse_in_chunks(stream.as_bytes(), chunk, 1 << 20);
            assert!(p.bad_records.is_empty(), "{:?}", p.bad_records);
            let Item::Explore { params, frames, .. } = &p.cells[0].items[0] else { panic!("{:?}", p.cells[0]) };
            assert_eq!(params[0].default, 1);
            assert_eq!(frames.len(), 2);
            assert_eq!(frames[0].items, vec![Item::Text { text: "a=1\n".into() }]);
            assert_eq!(frames[1].values[0].value, Value::Float(0.75));
            assert_eq!(
                p.cells[0].items[1],
                Item::Text { text: "after\n".into() },
                "text after the exploration is the cell's"
            );
            assert!(p.cells[0].values.is_empty());
        }
    }
}
