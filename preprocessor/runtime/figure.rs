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
    plot_described(label, caption, size, "", draw);
}

/// [`plot`], with `words` saying what the drawing shows (the SVG's `<desc>`, which screen
/// readers read as the image's description).
#[cfg(feature = "plotters")]
pub(crate) fn plot_described<F>(label: &str, caption: &str, size: (u32, u32), words: &str, draw: F)
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
    // Just inside the `<svg ...>` tag.
    let inside = svg.find("<svg").and_then(|start| svg[start..].find('>').map(|end| start + end + 1));
    if let (false, Some(at)) = (words.is_empty(), inside) {
        let text = words.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\n', " ");
        svg.insert_str(at, &format!("\n<desc>{text}</desc>"));
    }
    figure(label, caption, svg);
}
