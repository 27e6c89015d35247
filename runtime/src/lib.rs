//! The runtime that every mdbook-exec chapter program links.
//!
//! A chapter's cells run in order inside one `main`. What they print with `println!` is
//! captured by the preprocessor from standard output; this crate adds the rest: named values
//! for prose and math ([`value`]), figures ([`figure`], [`plot`]) and tables ([`Table`]).
//! Everything it emits travels on standard output as one-line records behind a marker that the
//! preprocessor gives the program, so text and records keep their order.
//!
//! This crate never formats numbers for display and never touches the markdown: it reports raw
//! values, and the preprocessor owns presentation.

use std::cell::Cell;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use serde_json::{Value as Json, json};

/// A value a cell exports for use in prose (`` `=name` ``) and math (`\val{name}`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A floating-point number, formatted by the preprocessor.
    Float(f64),
    /// An integer, printed in full.
    Int(i128),
    /// Plain text: escaped in prose, set as `\text{..}` in math.
    Text(String),
    /// LaTeX source, inserted into math verbatim (and typeset as math in prose).
    Tex(String),
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value { Value::Int(v as i128) }
        }
    )*};
}
from_int!(i8, i16, i32, i64, i128, u8, u16, u32, u64, isize, usize);

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}
impl From<f32> for Value {
    fn from(v: f32) -> Value {
        Value::Float(v as f64)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Text(if v { "true" } else { "false" }.to_owned())
    }
}
impl<T: Copy + Into<Value>> From<&T> for Value {
    fn from(v: &T) -> Value {
        (*v).into()
    }
}

impl Value {
    fn to_json(&self) -> Json {
        match self {
            // `{:?}` round-trips every f64, including NaN and the infinities, which JSON lacks.
            Value::Float(v) => json!({ "float": format!("{v:?}") }),
            Value::Int(v) => json!({ "int": v.to_string() }),
            Value::Text(s) => json!({ "text": s }),
            Value::Tex(s) => json!({ "tex": s }),
        }
    }
}

/// Exports `v` under `name`, shown with the default format unless the reference gives one.
pub fn value(name: &str, v: impl Into<Value>) {
    value_fmt(name, v, "");
}

/// Exports `v` under `name` with a default format such as `.3` (decimals), `4s` (significant
/// figures), `.2e` (scientific) or `.1%` (percent); a reference may still override it.
pub fn value_fmt(name: &str, v: impl Into<Value>, fmt: &str) {
    emit(json!({ "t": "value", "name": name, "value": v.into().to_json(), "fmt": fmt }));
}

/// Exports LaTeX source under `name`, for use inside math (`\val{name}`).
pub fn tex(name: &str, latex: impl Into<String>) {
    value(name, Value::Tex(latex.into()));
}

/// Shows an SVG document as a numbered figure with a caption; `label` names it for
/// cross-references (`` `@label` ``).
pub fn figure(label: &str, caption: &str, svg: impl AsRef<str>) {
    emit(json!({ "t": "figure", "label": label, "caption": caption, "svg": svg.as_ref() }));
}

/// Fails the chapter's build with `message` unless `ok` holds. Each passing check is listed
/// by the preprocessor, so a page can say what was verified when it was built.
#[track_caller]
pub fn check(ok: bool, message: &str) {
    if !ok {
        panic!("check failed: {message}");
    }
    emit(json!({ "t": "check", "msg": message }));
}

/// Checks that `a` and `b` agree to within `tol` (absolute), naming the claim in `message`.
#[track_caller]
pub fn check_close(a: f64, b: f64, tol: f64, message: &str) {
    if !((a - b).abs() <= tol) {
        panic!("check failed: {message}: {a:?} and {b:?} differ by {:e} > {tol:e}", (a - b).abs());
    }
    emit(json!({ "t": "check", "msg": message }));
}

/// A table with a header row, rows of values and optional per-column formats.
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<Value>>,
    formats: Vec<String>,
}

impl Table {
    /// Starts a table with the given column headers (markdown-free text; `$..$` is math).
    pub fn new<S: AsRef<str>>(header: impl IntoIterator<Item = S>) -> Table {
        Table { header: header.into_iter().map(|s| s.as_ref().to_owned()).collect(), ..Table::default() }
    }

    /// Sets the display format of each column (`""` keeps the default).
    pub fn formats<S: AsRef<str>>(mut self, formats: impl IntoIterator<Item = S>) -> Table {
        self.formats = formats.into_iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }

    /// Appends one row.
    pub fn row<V: Into<Value>>(mut self, row: impl IntoIterator<Item = V>) -> Table {
        self.rows.push(row.into_iter().map(Into::into).collect());
        self
    }

    /// Appends many rows, for example `array.rows()` of an `ndarray::Array2<f64>`.
    pub fn rows<R, V>(mut self, rows: impl IntoIterator<Item = R>) -> Table
    where
        R: IntoIterator<Item = V>,
        V: Into<Value>,
    {
        for r in rows {
            self = self.row(r);
        }
        self
    }

    /// Shows the table, numbered, with `caption`; `label` names it for cross-references.
    pub fn show(self, label: &str, caption: &str) {
        let rows: Vec<Json> =
            self.rows.iter().map(|r| Json::Array(r.iter().map(Value::to_json).collect())).collect();
        emit(json!({
            "t": "table", "label": label, "caption": caption,
            "header": self.header, "rows": rows, "formats": self.formats,
        }));
    }
}

/// Plot helpers on top of `plotters`' SVG backend, with colours that suit every page theme.
#[cfg(feature = "plotters")]
pub mod plot {
    use plotters::prelude::*;

    /// The drawing area a [`crate::plot`] closure draws on.
    pub type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

    /// The colour of axes, labels and frames. The preprocessor turns it into `currentColor`,
    /// so it follows the page's text colour in every theme and in print.
    pub const INK: RGBColor = RGBColor(0, 0, 0);
    /// A faint grid colour, turned into a translucent `currentColor` by the preprocessor.
    pub const GRID: RGBColor = RGBColor(221, 221, 221);

    /// Series colours chosen to stay readable on white and on the dark themes' backgrounds.
    pub const PALETTE: [RGBColor; 6] = [
        RGBColor(0x3b, 0x82, 0xd6), // blue
        RGBColor(0xe0, 0x6c, 0x1f), // orange
        RGBColor(0x2e, 0xa0, 0x5a), // green
        RGBColor(0xc8, 0x3e, 0x8c), // magenta
        RGBColor(0x8f, 0x6f, 0xd8), // violet
        RGBColor(0xb0, 0x9a, 0x1a), // ochre
    ];

    /// The `i`-th series colour, cycling through [`PALETTE`].
    pub fn color(i: usize) -> RGBColor {
        PALETTE[i % PALETTE.len()]
    }
}

/// Draws a figure of `size` pixels with `plotters` and shows it like [`figure`]. The closure
/// gets a drawing area filled with nothing (the page's background shows through).
#[cfg(feature = "plotters")]
pub fn plot<F>(label: &str, caption: &str, size: (u32, u32), draw: F)
where
    F: FnOnce(&plot::Area<'_>) -> Result<(), Box<dyn std::error::Error>>,
{
    use plotters::prelude::*;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        if let Err(e) = draw(&root) {
            panic!("drawing figure `{label}` failed: {e}");
        }
        root.present().expect("finishing the SVG document cannot fail");
    }
    figure(label, caption, svg);
}

static MARKER: OnceLock<String> = OnceLock::new();
static LOCK: Mutex<()> = Mutex::new(());
static EXPECTING_PANIC: AtomicBool = AtomicBool::new(false);

thread_local! {
    static IN_HOOK: Cell<bool> = const { Cell::new(false) };
}

/// Writes one record behind the marker. The preceding text of the cell stays in front of it
/// because both go through the same buffered standard output.
fn emit(record: Json) {
    let Some(marker) = MARKER.get() else {
        // Outside mdbook-exec (for example in a unit test of a helper) records go nowhere.
        return;
    };
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = std::io::stdout().lock();
    // A failed write means the reader is gone; the preprocessor reports the missing output.
    let _ = writeln!(out, "{marker}{record}");
    let _ = out.flush();
}

/// The entry points that generated chapter programs call. Not for use in cells.
#[doc(hidden)]
pub mod __private {
    use super::*;

    /// Starts a chapter program: reads the marker and installs the panic recorder.
    pub fn start() {
        let nonce = std::env::var("MDBOOK_EXEC_NONCE").unwrap_or_default();
        if nonce.is_empty() {
            return;
        }
        let _ = MARKER.set(format!("\u{1e}mdbook-exec:{nonce}:"));
        std::panic::set_hook(Box::new(|info| {
            let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
                (*s).to_owned()
            } else if let Some(s) = info.payload().downcast_ref::<String>() {
                s.clone()
            } else {
                "(a panic with a non-string payload)".to_owned()
            };
            let (file, line, col) = info
                .location()
                .map(|l| (l.file().to_owned(), l.line(), l.column()))
                .unwrap_or_default();
            if IN_HOOK.with(|c| c.replace(true)) {
                return;
            }
            emit(json!({ "t": "panic", "msg": msg, "file": file, "line": line, "col": col }));
            if !EXPECTING_PANIC.load(Ordering::SeqCst) {
                eprintln!("panicked at {file}:{line}:{col}:\n{msg}");
            }
            IN_HOOK.with(|c| c.set(false));
        }));
    }

    /// Marks the start of cell `index`: output from here on belongs to it.
    pub fn cell(index: usize) {
        emit(json!({ "t": "cell", "i": index }));
    }

    /// Runs a `should-panic` cell: its panic is expected, shown, and does not end the program.
    pub fn cell_should_panic(index: usize, body: impl FnOnce()) {
        cell(index);
        EXPECTING_PANIC.store(true, Ordering::SeqCst);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
        EXPECTING_PANIC.store(false, Ordering::SeqCst);
        match result {
            Ok(()) => emit(json!({ "t": "no_panic" })),
            Err(_) => emit(json!({ "t": "caught" })),
        }
    }

    /// Marks the normal end of the program.
    pub fn finish() {
        let _ = std::io::stdout().flush();
        emit(json!({ "t": "done" }));
    }
}
