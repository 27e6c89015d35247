//! The house's layering, read from the source: no module imports another that imports it back
//! (directly or around a circle), in the preprocessor and in the runtime, and the ground floor
//! (`base`) imports no stage. Imports are the `crate::` paths in code (not in comments).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every module of the crate whose root file is `root/lib.rs`, by path (`""` is the root,
/// `page::splice` the folder module `page/splice/mod.rs`), with its file.
fn modules(root: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                let mut inner = prefix.to_vec();
                inner.push(name);
                walk(&path, &inner, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let mut parts = prefix.to_vec();
                if !matches!(name.as_str(), "mod" | "lib" | "main") || !prefix.is_empty() && name != "mod" {
                    parts.push(name);
                }
                out.insert(parts.join("::"), path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, &[], &mut out);
    out.retain(|_, p| p.file_name().is_some_and(|n| n != "main.rs"));
    out
}

/// The modules that `text` (one module's source) names through `crate::` paths.
fn imports(text: &str, known: &BTreeMap<String, PathBuf>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let path: Vec<&str> = after
                .split("::")
                .map(|seg| seg.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or(""))
                .take_while(|seg| !seg.is_empty())
                .collect();
            // The longest prefix of the path that is a module.
            let target = (1..=path.len()).rev().map(|n| path[..n].join("::")).find(|m| known.contains_key(m));
            if let Some(t) = target {
                found.insert(t);
            }
            rest = after;
        }
    }
    found
}

/// The import graph of a crate, without a module's edges to itself.
fn graph(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let known = modules(root);
    known
        .iter()
        .map(|(m, file)| {
            let mut to = imports(&std::fs::read_to_string(file).unwrap(), &known);
            to.remove(m);
            (m.clone(), to)
        })
        .collect()
}

/// Every circle of imports, each as the modules on it.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Tarjan's strongly connected components; a component of more than one module is a circle.
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn crate_dir(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn the_checker_finds_circles() {
    let g: BTreeMap<String, BTreeSet<String>> =
        [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["a"]), ("e", vec![])]
            .into_iter()
            .map(|(m, to)| (m.to_owned(), to.into_iter().map(str::to_owned).collect()))
            .collect();
    assert_eq!(circles(&g), vec![vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]]);
    let known: BTreeMap<String, PathBuf> =
        ["base", "base::fs", "page"].iter().map(|m| (m.to_string(), PathBuf::new())).collect();
    let text = "use crate::base::fs::write;\n// crate::page in a comment\nlet x = crate::page::thing();";
    assert_eq!(imports(text, &known), BTreeSet::from(["base::fs".to_owned(), "page".to_owned()]));
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    for dir in ["src", "runtime"] {
        let g = graph(&crate_dir(dir));
        assert!(g.len() > 8, "{dir}: {g:?}");
        let found = circles(&g);
        assert!(found.is_empty(), "import circles in preprocessor/{dir}: {found:?}");
    }
}

#[test]
fn the_ground_floor_imports_no_stage() {
    let g = graph(&crate_dir("src"));
    for (m, to) in g.iter().filter(|(m, _)| m.starts_with("base")) {
        let up: Vec<&String> = to.iter().filter(|t| !t.starts_with("base")).collect();
        assert!(up.is_empty(), "`{m}` (ground floor) imports {up:?}");
    }
    // And every stage stands on it.
    for stage in ["exec", "input", "page"] {
        assert!(g.iter().any(|(m, to)| m.starts_with(stage) && to.iter().any(|t| t.starts_with("base"))), "{stage}");
    }
}
