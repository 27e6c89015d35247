//! Numbered figures: an SVG document from anywhere, or one drawn with `plotters`.

use serde_json::json;

use crate::wire::emit;

/// Shows an SVG document as a numbered figure with a caption; `label` names it for
/// cross-references (`` `@label` ``).
pub fn figure(label: &str, caption: &str, svg: impl AsRef<str>) {
    emit(json!({ "t": "figure", "label": label, "caption": caption, "svg": svg.as_ref() }));
}

/// Draws a figure of `size` pixels with `plotters` and shows it like [`figure`]. The closure
/// gets a drawing area filled with nothing (the page's background shows through).
#[cfg(feature = "plotters")]
pub fn plot<F>(label: &str, caption: &str, size: (u32, u32), draw: F)
where
    F: FnOnce(&crate::plot::Area<'_>) -> Result<(), Box<dyn std::error::Error>>,
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
