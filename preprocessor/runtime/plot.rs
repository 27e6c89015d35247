//! Charts on top of `plotters`' SVG backend, with colours that suit every page theme.
//!
//! [`Chart`] covers the common case (lines, dashed limits, markers, a legend) in a few calls;
//! [`panels`] puts charts side by side in one figure. Everything is drawn in [`INK`] and
//! [`GRID`], which the preprocessor turns into the page's text colour.

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
    /// A chart with these axis descriptions. Here, as in [`Chart::title`] and series names,
    /// `$..$` is mathematics, written with [`crate::label`].
    pub fn new(x_desc: &str, y_desc: &str) -> Chart {
        Chart {
            title: String::new(),
            x_desc: crate::label(x_desc),
            y_desc: crate::label(y_desc),
            series: Vec::new(),
            x_range: None,
            y_range: None,
            size: (600, 400),
            legend: SeriesLabelPosition::UpperRight,
        }
    }

    /// A title above the plot area (useful for panels).
    pub fn title(mut self, title: &str) -> Chart {
        self.title = crate::label(title);
        self
    }

    fn add(mut self, name: &str, points: impl IntoIterator<Item = (f64, f64)>, style: Style) -> Chart {
        let points = points.into_iter().collect();
        self.series.push(Series { name: crate::label(name), points, style, color: None });
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
        let all = || self.series.iter().flat_map(|s| s.points.iter()).filter(|p| p.0.is_finite() && p.1.is_finite());
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
        plot_described(label, caption, self.size, &self.describe(), |area| self.draw(area));
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
    plot_described(label, caption, (width, height), &words, |area| {
        for (chart, part) in charts.iter().zip(area.split_evenly((1, charts.len()))) {
            chart.draw(&part)?;
        }
        Ok(())
    });
}

/// Draws a figure of `size` pixels with `plotters` and shows it like [`figure`]. The closure
/// gets a drawing area filled with nothing (the page's background shows through).
pub fn plot<F>(label: &str, caption: &str, size: (u32, u32), draw: F)
where
    F: FnOnce(&Area<'_>) -> Result<(), Box<dyn std::error::Error>>,
{
    plot_described(label, caption, size, "", draw);
}

/// [`plot`], with `words` saying what the drawing shows (the SVG's `<desc>`, which screen
/// readers read as the image's description).
pub(crate) fn plot_described<F>(label: &str, caption: &str, size: (u32, u32), words: &str, draw: F)
where
    F: FnOnce(&Area<'_>) -> Result<(), Box<dyn std::error::Error>>,
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
    crate::figure::figure(label, caption, svg);
}

#[cfg(test)]
mod tests {
    #[test]
    fn ticks_are_short() {
        use super::tick;
        assert_eq!(tick(&-0.0), "0");
        assert_eq!(tick(&60000.0), "60000");
        assert_eq!(tick(&0.30000000000000004), "0.3");
        assert_eq!(tick(&-2.5), "-2.5");
        assert_eq!(tick(&1e-7), "1e-7");
    }
}
