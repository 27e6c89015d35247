//! Named values that cells export for the prose (`` `=name` ``) and for math (`\val{name}`).

use serde_json::json;

use crate::out::emit;
use crate::value::Value;

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
