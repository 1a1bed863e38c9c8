//! YAML text to values (to be written).
use crate::value::Value;

/// A YAML syntax or semantic error, with its origin (file name) and position.
#[derive(Debug)]
pub struct YamlError {
    /// Message including origin, line and column.
    pub message: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}

/// Parses a values file (first document; empty text is an empty map).
pub fn parse_values(_text: &str, _origin: &str) -> Result<Value, YamlError> {
    unimplemented!()
}

/// Parses every document of a multi-document stream.
pub fn parse_documents(_text: &str, _origin: &str) -> Result<Vec<Value>, YamlError> {
    unimplemented!()
}
