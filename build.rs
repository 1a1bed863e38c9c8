//! Embeds the chart (`chart/`, `templates/`, `values/`) into the binary, so `qspgb render`
//! works from any directory with no files beside it.
//!
//! The file list is generated rather than written by hand so that adding a template needs
//! no code change. Paths are sorted so the generated code, and so the binary, is the same on
//! every machine.
//!
//! The chart's own YAML files (Chart.yaml files, defaults) are also parsed here, with the
//! very parser the binary uses (the `qspgb-helmtext` crate, a build-dependency), and embedded as code
//! that builds the values tree: parsing them was a third of a render's time. A unit test in
//! `src/chart/files.rs` checks that the embedded trees equal what the parser gives at run time.
//!
//! Likewise the values schemas (`values/*.schema.json`) are compiled here with the compiler
//! the binary uses for a chart directory (the `qspgb-schema` crate) and embedded as static
//! tables, so loading the embedded chart compiles nothing; a schema the compiler refuses
//! fails the build. A unit test there checks them against the run-time compiler too.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use qspgb_helmtext::value::Value;
use qspgb_helmtext::yaml::parse_values;
use qspgb_schema::Schema;

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
    code.push_str("];\n\n");
    code.push_str("/// The parsed form of the chart's YAML files, built without parsing.\n");
    code.push_str("pub fn parsed(path: &str) -> Option<crate::value::Value> {\n    use crate::value::{Map, Value};\n    match path {\n");
    for rel in files.iter().filter(|p| is_preparsed(p)) {
        let text = fs::read_to_string(root.join(rel)).expect("read chart file");
        let value = parse_values(&text, rel)
            .unwrap_or_else(|e| panic!("the embedded chart has invalid YAML: {e}"));
        let mut expr = String::new();
        value_expr(&value, &mut expr);
        let _ = writeln!(code, "        {rel:?} => Some({expr}),");
    }
    code.push_str("        _ => None,\n    }\n}\n");
    schemas(&root, &files, &mut code);
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("embedded_chart.rs");
    fs::write(out, code).expect("write embedded_chart.rs");
}

/// Chart metadata and defaults: parsed on every render. Examples are read only by users.
fn is_preparsed(rel: &str) -> bool {
    rel.ends_with(".yaml")
        && (rel.starts_with("chart/")
            || (rel.starts_with("values/") && rel.matches('/').count() == 1))
}

/// `schema(path)`, the embedded chart's values schemas compiled, and their statics.
fn schemas(root: &Path, files: &[String], code: &mut String) {
    let mut statics = String::new();
    code.push_str("\n/// The chart's values schemas, compiled at build time.\n");
    code.push_str("pub fn schema(path: &str) -> Option<&'static ::qspgb_schema::Schema> {\n    match path {\n");
    for (i, rel) in files.iter().filter(|p| is_schema(p)).enumerate() {
        let text = fs::read_to_string(root.join(rel)).expect("read chart file");
        // The origin is the path the run-time compiler names in its errors (chart::load_schema).
        let schema = Schema::from_json(&text, rel)
            .unwrap_or_else(|e| panic!("the embedded chart has an invalid values schema: {e}"));
        let name = format!("SCHEMA_{i}");
        let item = qspgb_schema::embed::static_item(&schema, &name, rel).unwrap_or_else(|e| {
            panic!("the embedded chart's values schema cannot be embedded: {e}")
        });
        statics.push('\n');
        statics.push_str(&item);
        let _ = writeln!(code, "        {rel:?} => Some(&{name}),");
    }
    code.push_str("        _ => None,\n    }\n}\n");
    code.push_str(&statics);
}

/// The values schemas: `values/values.schema.json` and each dependency's.
fn is_schema(rel: &str) -> bool {
    rel.starts_with("values/") && rel.matches('/').count() == 1 && rel.ends_with(".schema.json")
}

/// Rust code that builds `value`.
fn value_expr(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("Value::Null"),
        Value::Bool(b) => {
            let _ = write!(out, "Value::Bool({b})");
        }
        Value::Int(i) => {
            let _ = write!(out, "Value::Int({i}i64)");
        }
        Value::Float(f) => {
            let _ = write!(out, "Value::Float(f64::from_bits({:#x}))", f.to_bits());
        }
        Value::String(s) => {
            let _ = write!(out, "Value::String({s:?}.to_string())");
        }
        Value::List(items) => {
            out.push_str("Value::List(vec![");
            for item in items {
                value_expr(item, out);
                out.push(',');
            }
            out.push_str("])");
        }
        Value::Map(map) => {
            out.push_str("Value::Map(Map::from_iter([");
            for (k, v) in map {
                let _ = write!(out, "({k:?}.to_string(),");
                value_expr(v, out);
                out.push_str("),");
            }
            out.push_str("]))");
        }
    }
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
