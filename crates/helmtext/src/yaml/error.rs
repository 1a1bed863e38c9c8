//! The error of reading YAML: where (origin, line, column, key path) and what.

/// A YAML syntax or semantic error, with its origin (file name) and position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// The whole message: `origin:line:column: what went wrong`.
    pub message: String,
    /// Where the text came from, as given by the caller (usually a file name).
    pub origin: String,
    /// 1-based line of the offending text.
    pub line: usize,
    /// 1-based column (in characters) of the offending text.
    pub column: usize,
    /// Keys and list indexes leading to the offending node, e.g. `image.pullSecrets[0]`;
    /// empty at the top level.
    pub path: String,
}

impl YamlError {
    /// An error about what the text means (a duplicate key, an alias, a value): the message
    /// names the key path, `origin:line:column: path: reason`, so that the user need not
    /// count indentation to find which `tag:` is meant.
    pub(super) fn new(
        origin: &str,
        line: usize,
        column: usize,
        path: String,
        reason: &str,
    ) -> Self {
        let place = if path.is_empty() {
            String::new()
        } else {
            format!("{path}: ")
        };
        YamlError {
            message: format!("{origin}:{line}:{column}: {place}{reason}"),
            origin: origin.to_string(),
            line,
            column,
            path,
        }
    }

    /// A syntax error: the message gives only the position. The parser notices a syntax
    /// error where the text stops making sense, often on the line after the mistake (bad
    /// indentation is reported at the next key), so the path it is in could name the wrong
    /// key; the line and column are what is reliable.
    pub(super) fn syntax(
        origin: &str,
        line: usize,
        column: usize,
        path: String,
        reason: &str,
    ) -> Self {
        YamlError {
            message: format!("{origin}:{line}:{column}: {reason}"),
            ..YamlError::new(origin, line, column, path, reason)
        }
    }
}
