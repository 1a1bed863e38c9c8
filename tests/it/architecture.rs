//! The shape of the source, checked (docs/architecture.md states the rules):
//!
//! - modules depend one way: no cycle between the top-level modules of `src/`, nor between
//!   sibling modules inside one (a child using its parent, or a parent its children, is how
//!   a module is built and not a cycle);
//! - no source file holds more than about 800 lines of code before its tests, except the
//!   few listed below, each a single table or a single port of one Go file;
//! - nothing is compiled in twice: no `#[path]` include of `src/` code (the test binaries'
//!   shared `tests/util` is the one allowed use).
//!
//! Reads the files as text: `use`/path mentions of `crate::…` and `super::…` outside comments
//! and outside `#[cfg(test)]` code are the edges.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Files allowed past the line limit, and why.
const LONG_FILES: &[(&str, &str)] = &[];

/// About 800 lines of code before a file's tests.
const MAX_CODE_LINES: usize = 820;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file below `src/`: `src/manifest/select.rs` -> `manifest::select`,
/// `src/hooks/targets/mod.rs` -> `hooks::targets`; `None` for the crate root and tests.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts.is_empty()
        || parts.last().is_some_and(|p| p == "tests")
        || matches!(parts[0].as_str(), "lib" | "main")
    {
        return None;
    }
    Some(parts.join("::"))
}

/// A file's code without its `#[cfg(test)]` tail and without comment lines.
fn code_of(text: &str) -> String {
    let code = text.split("\n#[cfg(test)]").next().unwrap_or(text);
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths `code` (in module `module`) names: `crate::a::b::c` and `super::x`,
/// each cut to the longest path that is a module.
fn mentions(module: &str, code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let is_path_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut found = BTreeSet::new();
    for (start, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        let path: String = code[start..]
            .chars()
            .take_while(|&c| is_path_char(c))
            .collect();
        let mut words: Vec<&str> = path.split("::").filter(|w| !w.is_empty()).collect();
        let mut base: Vec<&str> = module.split("::").collect();
        if words.first() == Some(&"crate") {
            words.remove(0);
            base.clear();
        } else {
            // `super::` from `a::b` is `a` (a file's own module is its last word).
            while words.first() == Some(&"super") {
                words.remove(0);
                base.pop();
            }
        }
        let full: Vec<&str> = base.into_iter().chain(words).collect();
        for len in (1..=full.len()).rev() {
            let candidate = full[..len].join("::");
            if modules.contains(&candidate) {
                found.insert(candidate);
                break;
            }
        }
    }
    found
}

fn is_ancestor(a: &str, b: &str) -> bool {
    b.starts_with(a) && b[a.len()..].starts_with("::")
}

/// Every cycle of `edges`, once each: a node that reaches itself again.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut reported = BTreeSet::new();
    for start in edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in edges.get(&node).into_iter().flatten() {
                if next == start {
                    let mut cycle = path.clone();
                    cycle.sort();
                    if reported.insert(cycle) {
                        found.push(path.iter().cloned().chain([start.clone()]).collect());
                    }
                } else if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    found
}

#[test]
fn modules_depend_one_way() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let code: BTreeMap<String, String> = files
        .iter()
        .filter_map(|f| {
            Some((
                module_of(&src, f)?,
                code_of(&fs::read_to_string(f).unwrap()),
            ))
        })
        .collect();
    let modules: BTreeSet<String> = code.keys().cloned().collect();
    // Edges between modules that are not one inside the other, lifted to the level where
    // they differ: `manifest::select` -> `render::objects` is `manifest` -> `render`, and
    // `manifest::select` -> `manifest::order` stays as it is.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &code {
        for target in mentions(module, text, &modules) {
            if target == *module || is_ancestor(&target, module) || is_ancestor(module, &target) {
                continue;
            }
            let a: Vec<&str> = module.split("::").collect();
            let b: Vec<&str> = target.split("::").collect();
            let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
            let from = a[..=common].join("::");
            let to = b[..=common].join("::");
            edges.entry(from).or_default().insert(to);
        }
    }
    assert!(
        edges.len() > 10,
        "the graph was not read: {edges:?} (module names or the mention reader changed?)"
    );
    let found = cycles(&edges);
    assert!(
        found.is_empty(),
        "import cycles between modules (a module that needs another's type should own it, \
         or the shared part moves down):\n{}",
        found
            .iter()
            .map(|c| c.join(" -> "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_cycle_check_sees_a_cycle() {
    // The check above must be able to fail: two siblings naming each other are a cycle,
    // a child naming its parent is not.
    let modules: BTreeSet<String> = ["a", "a::x", "a::y", "b"].map(String::from).into();
    assert_eq!(
        mentions("a::x", "use super::y::Thing; use crate::b::f;", &modules),
        ["a::y", "b"].map(String::from).into()
    );
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a::x".to_string(), ["a::y".to_string()].into()),
        ("a::y".to_string(), ["a::x".to_string()].into()),
        ("b".to_string(), ["a".to_string()].into()),
    ]
    .into();
    assert_eq!(cycles(&edges).len(), 1);
}

#[test]
fn no_file_holds_more_than_one_concepts_worth_of_code() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("crates"), &mut files);
    let mut long = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .to_string();
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = fs::read_to_string(file).unwrap();
        let lines = text
            .split("\n#[cfg(test)]")
            .next()
            .unwrap_or(&text)
            .lines()
            .count();
        if lines > MAX_CODE_LINES && !LONG_FILES.iter().any(|(f, _)| *f == rel) {
            long.push(format!("{rel}: {lines} lines of code"));
        }
    }
    assert!(
        long.is_empty(),
        "split these by concept, or list them in LONG_FILES with the reason:\n{}",
        long.join("\n")
    );
}

#[test]
fn no_source_is_compiled_in_twice() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("crates"), &mut files);
    files.push(root().join("build.rs"));
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("#[path")),
            "{}: a #[path] include (share code through a module or the helmtext crate)",
            file.display()
        );
    }
}
