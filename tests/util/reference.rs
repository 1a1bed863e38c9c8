//! The Helm reference renderings of the old wrapper chart (`../shared/reference`, or
//! `$QSPGB_REFERENCE_DIR`; see its README.md), and `helm template` streams read as parsed
//! documents for comparing with qspgb's output.

use std::path::{Path, PathBuf};

use serde_yaml::Value;

/// The reference directory, when it is there (a fresh clone has none beside it).
pub fn reference_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("QSPGB_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference"));
    dir.join("helm-4.0.2").is_dir().then_some(dir)
}

/// A document of a rendering: its Source path, kind, name and parsed content.
#[derive(Debug, Clone)]
pub struct HelmDoc {
    /// The `# Source:` path.
    pub source: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The whole document, with the intended differences normalised ([`normalize`]).
    pub content: Value,
}

impl HelmDoc {
    /// How a report names it.
    pub fn id(&self) -> String {
        format!("{} {} ({})", self.kind, self.name, self.source)
    }
}

/// Every document of a `helm template`-style stream (`---\n# Source: <path>\n<content>`).
pub fn parse_stream(text: &str) -> Vec<HelmDoc> {
    text.split("---\n# Source: ")
        .skip(1)
        .map(|chunk| {
            let (source, body) = chunk.split_once('\n').expect("a Source line");
            let body = body.strip_suffix("---\n").unwrap_or(body);
            let content: Value = serde_yaml::from_str(body)
                .unwrap_or_else(|e| panic!("{source}: not YAML: {e}\n{body}"));
            HelmDoc {
                source: source.to_string(),
                kind: content["kind"].as_str().unwrap_or_default().to_string(),
                name: content["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                content: normalize(content),
            }
        })
        .collect()
}

/// Removes the two differences README "Differences from Helm" lists that every rendering
/// shows: the values of `checksum/*` pod annotations (each renderer hashes its own
/// template text) and Go's `1e+06` for whole numbers inside pgbouncer.ini.
pub fn normalize(mut doc: Value) -> Value {
    if let Some(annotations) = doc
        .get_mut("spec")
        .and_then(|s| s.get_mut("template"))
        .and_then(|t| t.get_mut("metadata"))
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_mapping_mut)
    {
        for (key, value) in annotations.iter_mut() {
            if key.as_str().is_some_and(|k| k.starts_with("checksum/")) {
                *value = Value::String("<checksum>".into());
            }
        }
    }
    if doc["kind"] == "ConfigMap"
        && let Some(data) = doc.get_mut("data").and_then(Value::as_mapping_mut)
    {
        for (_, value) in data.iter_mut() {
            if let Value::String(text) = value {
                *text = expand_go_exponents(text);
            }
        }
    }
    doc
}

/// `pool_size=1e+06` -> `pool_size=1000000`: how Go prints a whole float64 >= 1e6.
pub fn expand_go_exponents(text: &str) -> String {
    let expand = |token: &str| -> String {
        match token.parse::<f64>() {
            Ok(f) if token.contains("e+") && f.fract() == 0.0 => format!("{}", f as i64),
            _ => token.to_string(),
        }
    };
    text.split('\n')
        .map(|line| {
            line.split(' ')
                .map(|word| match word.split_once('=') {
                    Some((k, v)) => format!("{k}={}", expand(v)),
                    None => expand(word),
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}
