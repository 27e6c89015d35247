//! Numbered figures from an SVG document made anywhere; [`plot`](crate::plot) draws them with
//! `plotters`.

use serde_json::json;

use crate::out::emit;

/// Shows an SVG document as a numbered figure with a caption; `label` names it for
/// cross-references (`` `@label` ``).
pub fn figure(label: &str, caption: &str, svg: impl AsRef<str>) {
    emit(json!({ "t": "figure", "label": label, "caption": caption, "svg": svg.as_ref() }));
}
