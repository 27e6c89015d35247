//! The results model: what chapter programs produce and pages show.
//!
//! The execution half of the pipeline fills these types (from a program's output, or from the
//! cache, which stores them as JSON); the page half reads them. A frame of an exploration
//! produces what a cell produces, so both are a [`CellOutput`]. This module holds data and its
//! serialisation only.

use serde::{Deserialize, Serialize};

use crate::base::diag::Diagnostic;

/// A value exported by a cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Value {
    /// A float, carried as its `{:?}` text so NaN and infinities survive JSON.
    #[serde(with = "float_text")]
    Float(f64),
    /// An integer, carried as text.
    #[serde(with = "int_text")]
    Int(i128),
    /// Plain text.
    Text(String),
    /// LaTeX source.
    Tex(String),
}

mod float_text {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:?}"))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

mod int_text {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// One thing a cell shows, in the order it was produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Item {
    /// Printed text (lossily decoded, possibly cut).
    Text { text: String },
    /// A note from mdbook-exec itself, such as "output cut".
    Notice { text: String },
    /// An SVG figure.
    Figure { label: String, caption: String, svg: String },
    /// A table.
    Table { label: String, caption: String, header: Vec<String>, rows: Vec<Vec<Value>>, formats: Vec<String> },
    /// The message of an expected panic (`should-panic`).
    Panic { msg: String },
    /// The list of checks that passed (`exec::show_checks`).
    Checks { items: Vec<String> },
    /// An exploration: a figure whose content the reader switches between frames; each frame
    /// is what a cell would have shown.
    Explore { label: String, caption: String, params: Vec<ParamSpec>, frames: Vec<CellOutput> },
}

/// One parameter of an exploration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    pub name: String,
    /// The control's label (inline markdown, may hold math).
    pub label: String,
    pub values: Vec<Value>,
    /// The index of the value shown first.
    pub default: usize,
    /// The display format of numeric values.
    pub format: String,
    /// Whether the values are text (a drop-down list) rather than numbers (a slider).
    pub text: bool,
}

impl ParamSpec {
    /// The frame an exploration shows first: each parameter at its default, the first
    /// parameter changing slowest.
    pub fn default_frame(params: &[ParamSpec]) -> usize {
        params.iter().fold(0, |acc, p| acc * p.values.len() + p.default)
    }
}

/// A named value with its default format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Named {
    pub name: String,
    pub value: Value,
    pub fmt: String,
}

/// Everything one cell (or one frame of an exploration) produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CellOutput {
    pub items: Vec<Item>,
    pub values: Vec<Named>,
}

/// The outcome of one chapter: its cells' outputs, or what stopped it.
pub type ChapterResult = Result<Vec<CellOutput>, Failure>;

/// A chapter whose program did not compile or did not run to its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// What went wrong, at its place in the markdown.
    pub diags: Vec<Diagnostic>,
    /// What the cells showed before it went wrong (none when the chapter did not compile).
    pub ran: Vec<CellOutput>,
    /// The cell that failed while running; `None` when the chapter did not compile.
    pub cell: Option<usize>,
}

impl Failure {
    /// A chapter that did not compile.
    pub fn compile(diags: Vec<Diagnostic>) -> Failure {
        Failure { diags, ran: Vec::new(), cell: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        for v in [Value::Float(f64::NAN), Value::Float(-0.1), Value::Int(-(1 << 100)), Value::Tex("\\pi".into())] {
            let back: Value = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
            assert_eq!(format!("{back:?}"), format!("{v:?}"));
        }
    }

    #[test]
    fn entries_written_before_frames_were_cell_outputs_still_read() {
        // Entries of earlier versions carry a `checks` list per cell, and frames without one.
        let old = r#"[{"items":[{"t":"explore","label":"e","caption":"c","params":[],"frames":[{"items":[],"values":[]}]}],"values":[],"checks":["a"]}]"#;
        let cells: Vec<CellOutput> = serde_json::from_str(old).unwrap();
        assert!(matches!(&cells[0].items[0], Item::Explore { frames, .. } if frames.len() == 1));
    }
}
