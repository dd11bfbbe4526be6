//! Architecture invariants that `cargo tree` cannot see: no two modules of a crate
//! import each other, directly or round a circle. Every crate of the workspace is
//! read as text: a module is a file, an import is a `crate::`, `super::` or
//! `self::` path (or a `use` of a child module), resolved to the longest module it
//! names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b.rs` → `a::b`; `src/a/mod.rs` → `a`; `src/lib.rs` → ``.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts.join("::")
}

fn parent(module: &str) -> String {
    module.rsplit_once("::").map(|(p, _)| p.to_owned()).unwrap_or_default()
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_owned()
    } else {
        format!("{a}::{b}")
    }
}

/// The longest known module that `path` (segments from the crate root) lies in.
fn resolve(modules: &BTreeSet<String>, path: &[&str]) -> Option<String> {
    (1..=path.len()).rev().map(|n| path[..n].join("::")).find(|m| modules.contains(m))
}

/// Every module of one crate with the modules it imports.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    // Test-only code (`#[cfg(test)] mod tests` in the same file, `tests.rs`) may
    // reach anywhere; only what ships counts.
    files.retain(|f| !f.ends_with("tests.rs") && !f.components().any(|c| c.as_os_str() == "conformance.rs"));
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let me = module_of(src, file);
        let text = std::fs::read_to_string(file).unwrap();
        let shipped = text.split("#[cfg(test)]").next().unwrap_or("");
        let mut found = BTreeSet::new();
        for (i, _) in shipped.match_indices("::") {
            // The path that this `::` belongs to, read back to its start.
            let start =
                shipped[..i].rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).map_or(0, |s| s + 1);
            let end = shipped[i..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(shipped.len(), |e| i + e);
            if start != shipped[..i].rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |s| s + 1) {
                continue; // not the first `::` of its path
            }
            let segs: Vec<&str> = shipped[start..end].split("::").filter(|s| !s.is_empty()).collect();
            let (base, rest) = match segs.first().copied() {
                Some("crate") => (String::new(), &segs[1..]),
                Some("super") => {
                    let ups = segs.iter().take_while(|s| **s == "super").count();
                    ((0..ups).fold(me.clone(), |m, _| parent(&m)), &segs[ups..])
                }
                Some("self") => (me.clone(), &segs[1..]),
                Some(first) if modules.contains(&join(&me, first)) && shipped[..start].trim_end().ends_with("use") => {
                    (me.clone(), &segs[..])
                }
                _ => continue,
            };
            let mut full: Vec<&str> = base.split("::").filter(|s| !s.is_empty()).collect();
            full.extend(rest);
            if let Some(target) = resolve(&modules, &full) {
                // A module naming its own descendants is structure, not a circle.
                if target != me && !target.starts_with(&join(&me, "")) {
                    found.insert(target);
                }
            }
        }
        graph.insert(me, found);
    }
    graph
}

/// Each circle of imports as a list of modules (Tarjan's strongly connected
/// components with more than one module).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
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
            while let Some(w) = s.stack.pop() {
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

#[test]
fn no_two_modules_of_a_crate_import_each_other() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap().flatten() {
        let src = entry.path().join("src");
        if src.is_dir() {
            for c in circles(&imports(&src)) {
                found.push(format!("{}: {}", entry.file_name().to_string_lossy(), c.join(" ↔ ")));
            }
        }
    }
    found.sort();
    assert!(found.is_empty(), "modules that import each other:\n{}", found.join("\n"));
}

#[test]
fn the_checker_sees_a_circle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::b::B;\npub struct A;\n").unwrap();
    std::fs::create_dir(src.join("b")).unwrap();
    std::fs::write(src.join("b/mod.rs"), "mod c;\npub struct B;\n").unwrap();
    std::fs::write(src.join("b/c.rs"), "fn f() -> super::super::a::A { crate::a::A }\n").unwrap();
    let g = imports(src);
    assert_eq!(g["a"], BTreeSet::from(["b".to_owned()]));
    assert_eq!(g["b::c"], BTreeSet::from(["a".to_owned()]));
    assert!(circles(&g).is_empty(), "a → b, b::c → a is no circle: b does not import a");
    std::fs::write(src.join("b/mod.rs"), "mod c;\npub struct B;\npub fn f() -> crate::a::A { crate::a::A }\n").unwrap();
    assert_eq!(circles(&imports(src)), vec![vec!["a".to_owned(), "b".to_owned()]]);
}
