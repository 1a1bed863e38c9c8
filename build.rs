//! Embeds the chart (`chart/`, `templates/`, `values/`) into the binary, so `qspgb render`
//! works from any directory with no files beside it.
//!
//! The file list is generated rather than written by hand so that adding a template needs
//! no code change. Paths are sorted so the generated code, and so the binary, is the same on
//! every machine.

use std::fs;
use std::path::{Path, PathBuf};

const CHART_DIRS: [&str; 3] = ["chart", "templates", "values"];

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut files = Vec::new();
    for dir in CHART_DIRS {
        println!("cargo:rerun-if-changed={dir}");
        collect(&root, &root.join(dir), &mut files);
    }
    files.sort();
    let mut code = String::from(
        "/// Every chart file: (path relative to the chart root, contents).\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for rel in &files {
        let abs = root.join(rel);
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("embedded_chart.rs");
    fs::write(out, code).expect("write embedded_chart.rs");
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}
