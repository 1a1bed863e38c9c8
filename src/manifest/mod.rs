//! Helm's manifest handling (`pkg/release/v1/util`: `manifest.go`, `kind_sorter.go`,
//! `manifest_sorter.go`): rendered template files become documents, each parsed once and
//! classified, sorted in Helm's install order with hooks last; then the documents a command
//! asks for are chosen and, on request, rewritten.
//!
//! - [`split`]: one rendered file into documents, each parsed into [`Document::object`].
//! - [`order`]: Helm's install order by kind, and the hook events Helm knows.
//! - [`select`]: `--show-only`, `--no-hooks`, `--include-tests`, then the rewrites asked for.
//! - [`rewrite`]: `--namespace-in-manifests` and `--hook-style argocd`.
//!
//! Every later stage (lint, `qspgb hooks`, the rewrites) reads [`Document::object`]; none
//! parses [`Document::content`] again.

pub mod order;
pub mod rewrite;
pub mod select;
pub mod split;

#[cfg(test)]
mod tests;

pub use order::sort_manifests;
pub use select::{HookStyle, OutputOptions, select};
pub use split::read_documents;

use crate::value::Value;

/// One YAML document of the output.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The template path it came from (`# Source:`).
    pub source: String,
    /// Its place among the documents its template file rendered (0 for the first): with
    /// `source`, which document it is, wherever sorting puts it.
    pub index: usize,
    /// The document text, leading whitespace removed, without a final newline.
    pub content: String,
    /// `kind`, empty when absent.
    pub kind: String,
    /// Hook events from `helm.sh/hook`, empty for an ordinary manifest.
    pub hook_events: Vec<String>,
    /// The document, parsed once (the checks, the rewrites and `qspgb hooks` read it;
    /// `Null` when empty).
    pub object: Value,
}

impl Document {
    /// Whether Helm treats this document as a hook.
    pub fn is_hook(&self) -> bool {
        !self.hook_events.is_empty()
    }

    /// Whether this is a `helm test` hook.
    pub fn is_test(&self) -> bool {
        self.hook_events.iter().any(|e| e.starts_with("test"))
    }

    /// The document as `helm template` prints it.
    pub fn to_output(&self) -> String {
        format!("---\n# Source: {}\n{}\n", self.source, self.content)
    }

    /// The path below the chart name, which `--show-only` matches
    /// (`charts/pgbouncerPharia/templates/service.yaml`).
    pub fn show_only_path(&self) -> &str {
        self.source
            .split_once('/')
            .map(|(_, rest)| rest)
            .unwrap_or(&self.source)
    }
}

/// The documents of a render, in output order.
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    /// Ordinary manifests, sorted by kind.
    pub manifests: Vec<Document>,
    /// Hooks, sorted by kind, printed after the manifests.
    pub hooks: Vec<Document>,
    /// Things worth telling the user (e.g. a hook of an unknown type that was skipped).
    pub warnings: Vec<String>,
}

/// The documents of one rendered template file, read and classified.
#[derive(Debug, Clone, Default)]
pub struct FileDocuments {
    /// The template path.
    pub path: String,
    /// Its documents in file order; hooks have `hook_events`.
    pub documents: Vec<Document>,
    /// E.g. a hook of an unknown type that was left out.
    pub warnings: Vec<String>,
}
