//! Numbered tables of values.

use serde_json::{Value as Json, json};

use crate::out::emit;
use crate::value::Value;

/// A table with a header row, rows of values and optional per-column formats.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<Value>>,
    pub(crate) formats: Vec<String>,
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
