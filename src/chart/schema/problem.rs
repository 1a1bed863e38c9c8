//! What a check finds: a [`Problem`] at a [`KeyPath`] of the values tree.

use std::fmt;

/// One step of a key path: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// Where a value sits in the values tree, printed like `pgbouncerPharia.config.databases["pharia-os"].port`:
/// keys that are plain identifiers after a dot, other keys quoted in brackets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    pub(super) fn child(&self, segment: Segment) -> KeyPath {
        let mut path = self.0.clone();
        path.push(segment);
        KeyPath(path)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if is_identifier(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Segment::Key(key) => write!(f, "[{key:?}]")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A value that does not meet the schema: where, and what is wrong. Messages never quote
/// a found string unless the schema lists the allowed ones (`enum`), so a password in the
/// wrong place is not echoed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// How bad it is.
    pub kind: ProblemKind,
    /// The key path of the value.
    pub path: KeyPath,
    /// What is wrong, e.g. `expected integer, found string`.
    pub message: String,
}

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not a value qspgb can use, or one that would change what qspgb writes (a line
    /// break, a wrong type): always an error.
    Invalid,
    /// A key the schema does not know: an error, or with `--skip-schema-validation` a
    /// warning and the key left out (as no template reads it).
    UnknownKey,
    /// A value qspgb renders, but Kubernetes, PgBouncer or Prometheus would refuse (a
    /// format of [`super::format`]): an error, a warning with `--helm-exact`, which renders
    /// it as Helm would.
    Undeployable,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}
