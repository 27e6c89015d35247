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

static CHECKS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn passed(message: &str) {
    CHECKS.lock().unwrap_or_else(|e| e.into_inner()).push(message.to_owned());
    emit(json!({ "t": "check", "msg": message }));
}

/// Fails the chapter's build with `message` unless `ok` holds. Passing checks are collected,
/// so that [`show_checks`] can list what was verified when the page was built.
#[track_caller]
pub fn check(ok: bool, message: &str) {
    if !ok {
        panic!("check failed: {message}");
    }
    passed(message);
}

/// Checks that `a` and `b` agree to within `tol` (absolute), naming the claim in `message`.
#[track_caller]
pub fn check_close(a: f64, b: f64, tol: f64, message: &str) {
    // Written so that a NaN on either side fails the check.
    let close = (a - b).abs() <= tol;
    if !close {
        panic!("check failed: {message}: {a:?} and {b:?} differ by {:e} > {tol:e}", (a - b).abs());
    }
    passed(message);
}

/// Shows the list of every check that passed so far in this chapter (messages may hold
/// `$..$` math).
pub fn show_checks() {
    let items = CHECKS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    emit(json!({ "t": "checks", "items": items }));
}

/// A small seeded random number generator (SplitMix64), so experiments that need random
/// numbers print the same digits on every build, on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number uniform on `[lo, hi)`, from the top 53 bits.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }
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
        let rows: Vec<Json> = self.rows.iter().map(|r| Json::Array(r.iter().map(Value::to_json).collect())).collect();
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

    /// The drawing area a [`crate::plot`](fn@crate::plot) closure draws on.
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

    /// How a series is drawn.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Style {
        /// A solid line.
        Line,
        /// A dashed line, for limits and reference values.
        Dashed,
        /// Markers only.
        Points,
    }

    /// One named series of a [`Chart`].
    #[derive(Debug, Clone)]
    pub struct Series {
        name: String,
        points: Vec<(f64, f64)>,
        style: Style,
        color: Option<RGBColor>,
    }

    pub use plotters::prelude::SeriesLabelPosition;

    /// A line chart with axis labels and a legend: the common case in a few calls.
    ///
    /// ```ignore
    /// Chart::new("w", "L(w)").line("step", pts).dashed("limit", lim).show("fig-loss", "Loss");
    /// ```
    #[derive(Debug, Clone)]
    pub struct Chart {
        title: String,
        x_desc: String,
        y_desc: String,
        series: Vec<Series>,
        x_range: Option<(f64, f64)>,
        y_range: Option<(f64, f64)>,
        size: (u32, u32),
        legend: SeriesLabelPosition,
    }

    impl Chart {
        /// A chart with these axis descriptions.
        pub fn new(x_desc: &str, y_desc: &str) -> Chart {
            Chart {
                title: String::new(),
                x_desc: x_desc.to_owned(),
                y_desc: y_desc.to_owned(),
                series: Vec::new(),
                x_range: None,
                y_range: None,
                size: (600, 400),
                legend: SeriesLabelPosition::UpperRight,
            }
        }

        /// A title above the plot area (useful for panels).
        pub fn title(mut self, title: &str) -> Chart {
            self.title = title.to_owned();
            self
        }

        fn add(mut self, name: &str, points: impl IntoIterator<Item = (f64, f64)>, style: Style) -> Chart {
            let points = points.into_iter().collect();
            self.series.push(Series { name: name.to_owned(), points, style, color: None });
            self
        }

        /// Adds a solid line.
        pub fn line(self, name: &str, points: impl IntoIterator<Item = (f64, f64)>) -> Chart {
            self.add(name, points, Style::Line)
        }

        /// Adds a dashed line.
        pub fn dashed(self, name: &str, points: impl IntoIterator<Item = (f64, f64)>) -> Chart {
            self.add(name, points, Style::Dashed)
        }

        /// Adds markers.
        pub fn points(self, name: &str, points: impl IntoIterator<Item = (f64, f64)>) -> Chart {
            self.add(name, points, Style::Points)
        }

        /// Gives the last series the colour of palette entry `i` (to pair a line with its limit).
        pub fn color(mut self, i: usize) -> Chart {
            if let Some(s) = self.series.last_mut() {
                s.color = Some(color(i));
            }
            self
        }

        /// Fixes the x range (otherwise it fits the data).
        pub fn x_range(mut self, lo: f64, hi: f64) -> Chart {
            self.x_range = Some((lo, hi));
            self
        }

        /// Fixes the y range (otherwise it fits the data, with a margin).
        pub fn y_range(mut self, lo: f64, hi: f64) -> Chart {
            self.y_range = Some((lo, hi));
            self
        }

        /// Moves the legend to a corner where it hides no data (`UpperRight` by default).
        pub fn legend(mut self, position: SeriesLabelPosition) -> Chart {
            self.legend = position;
            self
        }

        /// Sets the size in pixels (the page scales it to its width).
        pub fn size(mut self, width: u32, height: u32) -> Chart {
            self.size = (width, height);
            self
        }

        fn ranges(&self) -> ((f64, f64), (f64, f64)) {
            let all =
                || self.series.iter().flat_map(|s| s.points.iter()).filter(|p| p.0.is_finite() && p.1.is_finite());
            let span = |v: Vec<f64>, pad: f64| {
                let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
                let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                if !lo.is_finite() {
                    return (0.0, 1.0);
                }
                let m = if hi > lo { (hi - lo) * pad } else { lo.abs().max(1.0) * 0.5 };
                (lo - m, hi + m)
            };
            let x = self.x_range.unwrap_or_else(|| span(all().map(|p| p.0).collect(), 0.0));
            let y = self.y_range.unwrap_or_else(|| span(all().map(|p| p.1).collect(), 0.06));
            (x, y)
        }

        /// Draws the chart on an area.
        pub fn draw(&self, area: &Area<'_>) -> Result<(), Box<dyn std::error::Error>> {
            let ((x0, x1), (y0, y1)) = self.ranges();
            let mut builder = ChartBuilder::on(area);
            builder.margin(14).x_label_area_size(48).y_label_area_size(64);
            if !self.title.is_empty() {
                builder.caption(&self.title, ("sans-serif", 20).into_font().color(&INK));
            }
            let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1)?;
            chart
                .configure_mesh()
                .x_desc(&self.x_desc)
                .y_desc(&self.y_desc)
                .axis_desc_style(("sans-serif", 18).into_font().color(&INK))
                .label_style(("sans-serif", 15).into_font().color(&INK))
                .x_label_formatter(&tick)
                .y_label_formatter(&tick)
                .axis_style(INK)
                .bold_line_style(GRID)
                .light_line_style(TRANSPARENT)
                .draw()?;
            let mut named = false;
            for (i, s) in self.series.iter().enumerate() {
                let c = s.color.unwrap_or_else(|| color(i));
                let style = c.stroke_width(2);
                let pts = s.points.iter().cloned().filter(|p| p.0.is_finite() && p.1.is_finite());
                let anno = match s.style {
                    Style::Line => chart.draw_series(LineSeries::new(pts, style))?,
                    Style::Dashed => chart.draw_series(DashedLineSeries::new(pts, 8, 5, style))?,
                    Style::Points => chart.draw_series(pts.map(|p| Circle::new(p, 4, c.filled())))?,
                };
                if !s.name.is_empty() {
                    named = true;
                    let legend_style = s.style;
                    anno.label(&s.name).legend(move |(x, y)| match legend_style {
                        Style::Points => Circle::new((x + 10, y), 4, c.filled()).into_dyn(),
                        _ => PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)).into_dyn(),
                    });
                }
            }
            if named {
                chart
                    .configure_series_labels()
                    .position(self.legend.clone())
                    .label_font(("sans-serif", 15).into_font().color(&INK))
                    .border_style(GRID)
                    .background_style(TRANSPARENT)
                    .draw()?;
            }
            Ok(())
        }

        /// Shows the chart as a numbered figure.
        pub fn show(&self, label: &str, caption: &str) {
            crate::plot_described(label, caption, self.size, &self.describe(), |area| self.draw(area));
        }

        /// What the chart shows, in words, for screen readers: its axes and named series.
        fn describe(&self) -> String {
            let mut words = format!("{} against {}", self.y_desc, self.x_desc);
            if !self.title.is_empty() {
                words = format!("{}: {words}", self.title);
            }
            let names: Vec<&str> = self.series.iter().map(|s| s.name.as_str()).filter(|n| !n.is_empty()).collect();
            if !names.is_empty() {
                words += &format!("; series: {}", names.join(", "));
            }
            words
        }
    }

    /// A tick label: as short as the value allows (`2`, `0.25`, `60000`), never `-0`.
    pub fn tick(v: &f64) -> String {
        // Ticks are round numbers; rounding to 9 decimals removes the float noise of stepping.
        let v = (v * 1e9).round() / 1e9 + 0.0;
        if v != 0.0 && (v.abs() >= 1e6 || v.abs() < 1e-4) { format!("{v:e}") } else { format!("{v}") }
    }

    /// Shows charts side by side as one numbered figure.
    pub fn panels(label: &str, caption: &str, charts: &[Chart]) {
        let width = charts.iter().map(|c| c.size.0).sum::<u32>();
        let height = charts.iter().map(|c| c.size.1).max().unwrap_or(400);
        let words = charts.iter().map(Chart::describe).collect::<Vec<_>>().join(". ");
        crate::plot_described(label, caption, (width, height), &words, |area| {
            for (chart, part) in charts.iter().zip(area.split_evenly((1, charts.len()))) {
                chart.draw(&part)?;
            }
            Ok(())
        });
    }
}

/// Draws a figure of `size` pixels with `plotters` and shows it like [`figure`]. The closure
/// gets a drawing area filled with nothing (the page's background shows through).
#[cfg(feature = "plotters")]
pub fn plot<F>(label: &str, caption: &str, size: (u32, u32), draw: F)
where
    F: FnOnce(&plot::Area<'_>) -> Result<(), Box<dyn std::error::Error>>,
{
    plot_described(label, caption, size, "", draw);
}

/// [`plot`], with `words` saying what the drawing shows (the SVG's `<desc>`, which screen
/// readers read as the image's description).
#[cfg(feature = "plotters")]
fn plot_described<F>(label: &str, caption: &str, size: (u32, u32), words: &str, draw: F)
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
    // Just inside the `<svg ...>` tag.
    let inside = svg.find("<svg").and_then(|start| svg[start..].find('>').map(|end| start + end + 1));
    if let (false, Some(at)) = (words.is_empty(), inside) {
        let text = words.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\n', " ");
        svg.insert_str(at, &format!("\n<desc>{text}</desc>"));
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
            let (file, line, col) =
                info.location().map(|l| (l.file().to_owned(), l.line(), l.column())).unwrap_or_default();
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

#[cfg(test)]
mod rng_tests {
    #[test]
    fn seeded_and_in_range() {
        let (mut a, mut b) = (super::Rng::new(7), super::Rng::new(7));
        let xs: Vec<f64> = (0..1000).map(|_| a.uniform(-2.0, 3.0)).collect();
        assert!(xs.iter().all(|x| (-2.0..3.0).contains(x)));
        assert_eq!(xs[..5], (0..5).map(|_| b.uniform(-2.0, 3.0)).collect::<Vec<_>>()[..]);
        let mean = xs.iter().sum::<f64>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.15, "{mean}");
    }
}

#[cfg(all(test, feature = "plotters"))]
mod tests {
    #[test]
    fn ticks_are_short() {
        use super::plot::tick;
        assert_eq!(tick(&-0.0), "0");
        assert_eq!(tick(&60000.0), "60000");
        assert_eq!(tick(&0.30000000000000004), "0.3");
        assert_eq!(tick(&-2.5), "-2.5");
        assert_eq!(tick(&1e-7), "1e-7");
    }
}
