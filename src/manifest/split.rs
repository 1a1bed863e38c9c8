//! A rendered file into documents, as Helm's `SplitManifests` (`manifest.go`) cuts it, each
//! document parsed once and classified by kind and hook annotation.

use anyhow::{Result, bail};

use super::order::HOOK_EVENTS;
use super::{Document, FileDocuments};
use crate::render::{RenderedFile, emits};
use crate::value::Value;
use crate::yaml;

/// Splits a rendered file into documents and reads each one's kind and hook annotation,
/// checking that it is valid YAML (as Helm does for every document it outputs). The parsed
/// document is kept in [`Document::object`] for every later stage.
pub fn read_documents(file: RenderedFile) -> Result<FileDocuments> {
    let mut out = FileDocuments {
        path: file.path,
        ..Default::default()
    };
    let mut kinds: Vec<String> = Vec::new();
    for (index, content) in split_documents(&file.text).into_iter().enumerate() {
        let head = yaml::parse_documents(&content, &out.path).map_err(|e| {
            anyhow::anyhow!(
                "{}: document {} of the rendered output is not valid YAML: {e}",
                out.path,
                index + 1
            )
        })?;
        let head = head.into_iter().next().unwrap_or(Value::Null);
        let (kind, hook) = match &head {
            Value::Map(m) => (
                m.get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                head.path("metadata.annotations")
                    .and_then(|a| a.as_map())
                    .and_then(|a| a.get("helm.sh/hook"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
            ),
            Value::Null => (String::new(), None),
            other => bail!(
                "{}: document {} must be a map (a Kubernetes object), found a {}",
                out.path,
                index + 1,
                other.type_name()
            ),
        };
        kinds.push(kind.clone());
        let hook_events: Vec<String> = match hook {
            None => Vec::new(),
            Some(events) => {
                let events: Vec<String> =
                    events.split(',').map(|e| e.trim().to_lowercase()).collect();
                if let Some(unknown) = events.iter().find(|e| !HOOK_EVENTS.contains(&e.as_str())) {
                    out.warnings.push(format!(
                        "{}: skipping a document with unknown hook type {unknown:?}",
                        out.path
                    ));
                    continue;
                }
                events
            }
        };
        out.documents.push(Document {
            source: out.path.clone(),
            index,
            content,
            kind,
            hook_events,
            object: head,
        });
    }
    // Values are data: a file holds exactly what its template declares (see
    // [`crate::render::emits`]), whatever the values were.
    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
    match &file.emits {
        Some(declared) => {
            declared.check(&out.path, &kinds, file.instances)?;
            declared.check_tests(&out.path, out.documents.iter().map(Document::is_test))?;
        }
        None => emits::check_undeclared(&out.path, &kinds)?,
    }
    Ok(out)
}

/// Splits a rendered file at lines starting with `---` (Helm's `(?m)^---[ \t]*`), drops
/// documents that are only whitespace, and trims each document's surrounding whitespace.
///
/// Helm keeps trailing whitespace; we trim trailing blank lines so every document ends the
/// same way, which YAML reads the same (a final literal block keeps exactly one newline
/// either way). The blanks at the end of the last line stay: in a literal block they are
/// the value's (`server_lifetime = ` of an empty setting).
pub fn split_documents(text: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            docs.push(std::mem::take(&mut current));
            current.push_str(rest.trim_start_matches([' ', '\t']));
        } else {
            current.push_str(line);
        }
    }
    docs.push(current);
    docs.into_iter()
        .map(|d| trim_document(&d).to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

/// A document without leading whitespace and trailing blank lines, its last line whole.
fn trim_document(doc: &str) -> &str {
    let doc = doc.trim_start();
    let content_end = doc.trim_end().len();
    let line_end = doc[content_end..]
        .find('\n')
        .map_or(doc.len(), |i| content_end + i);
    &doc[..line_end]
}
