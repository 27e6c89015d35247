//! The runtime when a person runs a chapter (a downloaded chapter project, `cargo run`):
//! everything that would go to the page is written for a terminal instead.
//!
//! Printed text appears as it is; each cell starts with a `-- cell N --` line; values read
//! `name = value`; a passed check is one line (a failed one panics, so the program exits
//! non-zero); tables are aligned text; figures are written as SVG files into `figures/`; an
//! exploration runs one frame, the default or the one named on the command line
//! (`cargo run -- eta=0.5`).

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value as Json;

use crate::format::{Spec, parse_spec, plain};
use crate::value::Value;

/// The folder figures are written into, relative to the current directory.
pub const FIGURES: &str = "figures";

static FIGURE_COUNT: AtomicUsize = AtomicUsize::new(0);

pub(crate) fn cell(index: usize) {
    let _ = std::io::stdout().flush();
    println!("-- cell {} --", index + 1);
}

/// Runs a cell the book expects to panic, and prints its message as the page shows it.
pub(crate) fn should_panic(body: impl FnOnce()) {
    static MESSAGE: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(a panic with a non-string payload)".to_owned());
        *MESSAGE.lock().unwrap_or_else(|e| e.into_inner()) = Some(msg);
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
    std::panic::set_hook(previous);
    let _ = std::io::stdout().flush();
    match result {
        Err(_) => {
            let msg = MESSAGE.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
            println!("The cell panicked, as intended:\n{msg}");
        }
        Ok(()) => println!("(the book expects this cell to panic, but it returned)"),
    }
}

fn value_of(json: &Json) -> Value {
    let text = |k: &str| json[k].as_str().map(str::to_owned);
    if let Some(f) = text("float") {
        Value::Float(f.parse().unwrap_or(f64::NAN))
    } else if let Some(i) = text("int") {
        Value::Int(i.parse().unwrap_or_default())
    } else if let Some(t) = text("tex") {
        Value::Tex(t)
    } else {
        Value::Text(text("text").unwrap_or_default())
    }
}

fn spec(s: &str) -> Spec {
    parse_spec(s).unwrap_or(Spec::Default)
}

/// Shows one record for a person.
pub(crate) fn show(record: &Json) {
    let s = |k: &str| record[k].as_str().unwrap_or_default();
    match s("t") {
        "value" => println!("{} = {}", s("name"), plain(&value_of(&record["value"]), spec(s("fmt")))),
        "check" => println!("check passed: {}", s("msg")),
        "checks" => {
            let n = record["items"].as_array().map_or(0, Vec::len);
            println!("{n} check{} passed in this chapter so far", if n == 1 { "" } else { "s" });
        }
        "figure" => write_figure(s("label"), s("caption"), s("svg")),
        "table" => print_table(record),
        _ => {}
    }
}

fn write_figure(label: &str, caption: &str, svg: &str) {
    let n = FIGURE_COUNT.fetch_add(1, Ordering::SeqCst) + 1;
    let name = if label.is_empty() { format!("figure-{n}") } else { label.to_owned() };
    let path = std::path::Path::new(FIGURES).join(format!("{name}.svg"));
    let written = std::fs::create_dir_all(FIGURES).and_then(|()| std::fs::write(&path, svg));
    match written {
        Ok(()) => println!("[figure {name}: {}] {caption}", path.display()),
        Err(e) => println!("[figure {name}: could not write {}: {e}] {caption}", path.display()),
    }
}

fn print_table(record: &Json) {
    let caption = record["caption"].as_str().unwrap_or_default();
    let label = record["label"].as_str().unwrap_or_default();
    let header: Vec<String> =
        record["header"].as_array().into_iter().flatten().map(|h| h.as_str().unwrap_or_default().to_owned()).collect();
    let formats: Vec<&str> =
        record["formats"].as_array().into_iter().flatten().map(|f| f.as_str().unwrap_or("")).collect();
    let rows: Vec<Vec<(String, bool)>> = record["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            row.as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(c, v)| {
                    let v = value_of(v);
                    let numeric = matches!(v, Value::Float(_) | Value::Int(_));
                    (plain(&v, spec(formats.get(c).copied().unwrap_or(""))), numeric)
                })
                .collect()
        })
        .collect();
    let columns = header.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let width = |c: usize| {
        let h = header.get(c).map_or(0, |h| h.chars().count());
        rows.iter().filter_map(|r| r.get(c)).map(|(t, _)| t.chars().count()).max().unwrap_or(0).max(h)
    };
    let widths: Vec<usize> = (0..columns).map(width).collect();
    println!("[table {label}] {caption}");
    let line = |cells: Vec<(String, bool)>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(
                |(c, (t, right))| {
                    if *right { format!("{t:>w$}", w = widths[c]) } else { format!("{t:<w$}", w = widths[c]) }
                },
            )
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(header.iter().map(|h| (h.clone(), false)).collect());
    println!("{}", widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "));
    for r in rows {
        line(r);
    }
}

/// The frame a person asked for with `name=value` arguments (each parameter given as
/// `(name, values, default)`), or the default one; prints what is shown and how to choose.
pub(crate) fn chosen_frame(label: &str, caption: &str, params: &[(String, Vec<Value>, usize)]) -> usize {
    let args: Vec<(String, String)> =
        std::env::args().skip(1).filter_map(|a| a.split_once('=').map(|(n, v)| (n.to_owned(), v.to_owned()))).collect();
    let mut chosen = Vec::new();
    for (name, values, default) in params {
        let index = match args.iter().find(|(n, _)| n == name) {
            None => *default,
            Some((_, wanted)) => values.iter().position(|v| matches(v, wanted)).unwrap_or_else(|| {
                let shown: Vec<String> = values.iter().map(|v| plain(v, Spec::Default)).collect();
                panic!("`{name}={wanted}` is not one of the values of `{name}`: {}", shown.join(", "))
            }),
        };
        chosen.push(index);
    }
    let options: Vec<String> = params
        .iter()
        .map(|(n, values, _)| {
            let first = plain(&values[0], Spec::Default);
            let last = plain(&values[values.len() - 1], Spec::Default);
            format!("{n}: {} values, {first} to {last}", values.len())
        })
        .collect();
    let shown: Vec<String> =
        params.iter().zip(&chosen).map(|((n, values, _), &i)| format!("{n} = {}", values[i])).collect();
    println!("[exploration {label}] {caption}");
    println!("showing {}; choose others with `cargo run -- name=value` ({})", shown.join(", "), options.join("; "));
    chosen.iter().zip(params).fold(0, |acc, (i, (_, values, _))| acc * values.len() + i)
}

fn matches(v: &Value, wanted: &str) -> bool {
    match v {
        Value::Float(x) => wanted.parse::<f64>().is_ok_and(|w| (w - x).abs() <= 1e-9 * x.abs().max(1.0)),
        Value::Int(i) => wanted.parse::<i128>().is_ok_and(|w| w == *i),
        Value::Text(t) | Value::Tex(t) => t == wanted,
    }
}
