//! The values that cells export, explorations vary and tables hold: numbers, text and TeX.
//!
//! The runtime reports raw values; the preprocessor formats them for display. Data only.

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
    pub(crate) fn to_json(&self) -> Json {
        match self {
            // `{:?}` round-trips every f64, including NaN and the infinities, which JSON lacks.
            Value::Float(v) => json!({ "float": format!("{v:?}") }),
            Value::Int(v) => json!({ "int": v.to_string() }),
            Value::Text(s) => json!({ "text": s }),
            Value::Tex(s) => json!({ "tex": s }),
        }
    }
}

impl std::fmt::Display for Value {
    /// Plain text, as a person reads it in a terminal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Float(v) => write!(f, "{v}"),
            Value::Int(v) => write!(f, "{v}"),
            Value::Text(s) | Value::Tex(s) => f.write_str(s),
        }
    }
}
