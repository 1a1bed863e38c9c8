//! qspgb renders and operates the qs-pgbouncer deployment: two PgBouncer poolers (Pharia
//! and Temporal) in front of CloudNativePG clusters. `qspgb render` prints what
//! `helm template` would print for the Helm chart it replaces, deterministically.
//!
//! Modules, one concept each:
//! - [`argocd`]: the Argo CD Config Management Plugin's environment, as render settings.
//! - [`diff`]: unified diffs, for checking committed renderings.
//! - [`error`]: a command's error, carrying its exit code.
//! - [`files`]: reading user files: size limits, no links followed, Argo CD confinement.
//! - [`cli`]: command-line flags, parsed into validated settings, and the commands.
//! - [`chart`]: loading the embedded chart or a chart directory.
//! - [`values`]: value files, `--set` parsing, Helm's merge rules, enabled dependencies.
//! - [`render`]: templates (Jinja, with Helm's functions) to text.
//! - [`manifest`]: rendered text to documents, parsed once, in Helm's order; `--show-only`
//!   and the other output choices.
//! - [`lint`]: `qspgb lint`, the schema plus PgBouncer settings and Kubernetes names.
//! - [`hooks`]: `qspgb hooks`, the userlist and admin Secrets from the clusters' Secrets.
//! - [`k8s`]: Kubernetes' rules for names, labels, quantities and image references.
//! - [`pgbouncer`]: PgBouncer's file formats (ini entries, userlist lines).
//! - [`redact`]: the one redaction policy: which values are secret, and scrubbing output.
//! - [`release`]: the whole render pipeline in memory, for the CLI, tests and benchmarks.
//! - [`suggest`]: "did you mean" suggestions for unknown names.
//! - [`words`]: English for messages (plurals).
//! - [`yaml`]: the only module that knows YAML, and [`value`]: the values tree; both live in
//!   the `qspgb-helmtext` crate (crates/helmtext), which build.rs shares.

pub mod argocd;
pub mod chart;
pub mod cli;
pub mod diff;
pub mod error;
pub mod files;
pub mod hooks;
pub mod k8s;
pub mod lint;
pub mod manifest;
pub mod pgbouncer;
pub mod redact;
pub mod release;
pub mod render;
pub mod suggest;
pub mod values;
pub mod words;

pub use qspgb_helmtext::{go, value, yaml};
