#![cfg(not(target_arch = "wasm32"))]
//! The crate's layering, checked from the source: which top-level module of `src/` names
//! which (`crate::x`, or `super::x` from a top-level file), and that data flows one way:
//! no import circle between modules, and none between files.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Each layer may use the layers after it (and, without a circle, its own), never one
/// before it.
const LAYERS: &[&[&str]] = &[
    &["js"],
    &["client"],
    &["wire", "transport"],
    &["task", "elicit_defaults"],
    &["io"],
    &["policy", "sse", "protocol"],
    &["sync", "map", "error", "cell", "alloc", "text"],
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file: `src/client/registry.rs` is `["client", "registry"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// The module paths a file names: `crate::a::b` and, resolved, `super::x`.
fn references(text: &str, me: &[String], is_mod_file: bool) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    // Unit tests (an inline `mod tests` at the end, whose `super` is the file itself)
    // are not part of the layering.
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    // Strip comments (doc links name modules without using them).
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> Vec<String> {
        s.split("::")
            .map(|p| {
                p.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|p| !p.is_empty() && p.chars().next().is_some_and(|c| c.is_lowercase()))
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        // `crate::cat!` is `text`'s macro and `crate::obj!` is `io::json`'s (exported
        // macros live at the crate root).
        if code[i + 7..].starts_with("cat!") {
            out.insert(vec!["text".to_string()]);
            continue;
        }
        if code[i + 7..].starts_with("obj!") {
            out.insert(vec!["io".to_string(), "json".to_string()]);
            continue;
        }
        out.insert(ident(&code[i + 7..]));
    }
    // `super::` is the parent of this file's module: for `a/b.rs` and `a/b/mod.rs`
    // alike, `a`.
    let _ = is_mod_file;
    let parent: Vec<String> = me[..me.len().saturating_sub(1)].to_vec();
    for (i, _) in code.match_indices("super::") {
        if i > 0 && code[..i].ends_with("::") {
            continue;
        }
        let mut p = parent.clone();
        p.extend(ident(&code[i + 7..]));
        out.insert(p);
    }
    out.retain(|p| !p.is_empty());
    out
}

fn has_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let at = path.iter().position(|p| p == n).unwrap();
                let mut c = path[at..].to_vec();
                c.push(n.to_string());
                return Some(c);
            }
            Some(2) => return None,
            _ => {}
        }
        state.insert(n.to_string(), 1);
        path.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, g, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        let mut path = Vec::new();
        if let Some(c) = visit(n, graph, &mut state, &mut path) {
            return Some(c);
        }
    }
    None
}

#[test]
fn modules_depend_one_way_and_no_two_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut by_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let file_modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
    for f in &files {
        let me = module_of(&src, f);
        if me.is_empty() {
            continue; // lib.rs declares the modules
        }
        let is_mod = f.file_name().is_some_and(|n| n == "mod.rs");
        let text = fs::read_to_string(f).unwrap();
        for r in references(&text, &me, is_mod) {
            if r[0] != me[0] {
                top.entry(me[0].clone()).or_default().insert(r[0].clone());
            }
            // The longest prefix of the reference that is a file's module.
            let target = (1..=r.len())
                .rev()
                .map(|n| r[..n].to_vec())
                .find(|p| file_modules.contains(p));
            if let Some(t) = target.filter(|t| *t != me && !me.starts_with(t)) {
                by_file
                    .entry(me.join("::"))
                    .or_default()
                    .insert(t.join("::"));
            }
        }
    }
    assert!(
        top.contains_key("client") && top.contains_key("js"),
        "graph read: {top:?}"
    );
    if let Some(c) = has_cycle(&top) {
        panic!("import circle between modules: {}", c.join(" -> "));
    }
    if let Some(c) = has_cycle(&by_file) {
        panic!("import circle between files: {}", c.join(" -> "));
    }
    let rank = |m: &str| {
        LAYERS
            .iter()
            .position(|l| l.contains(&m))
            .unwrap_or_else(|| panic!("module {m} is in no layer of tests/layering.rs"))
    };
    for (from, tos) in &top {
        for to in tos {
            assert!(
                rank(from) <= rank(to),
                "{from} uses {to}: data flows the other way ({LAYERS:?})"
            );
        }
    }
    println!("module graph (one way): {top:?}");
}
