//! qspgb renders and operates the qs-pgbouncer deployment: two PgBouncer poolers (Pharia
//! and Temporal) in front of CloudNativePG clusters. `qspgb render` prints what
//! `helm template` would print for the Helm chart it replaces, deterministically.
//!
//! Modules, one concept each (docs/architecture.md draws how they work together):
//! - `argocd`: the Argo CD Config Management Plugin's environment, as render settings.
//! - `diff`: unified diffs, for checking committed renderings.
//! - `error`: a command's error, carrying its exit code.
//! - `files`: reading user files: size limits, no links followed, Argo CD confinement.
//! - `cli`: command-line flags, parsed into validated settings, and the commands.
//! - `chart`: loading the embedded chart or a chart directory.
//! - `values`: value files, `--set` parsing, Helm's merge rules, enabled dependencies.
//! - `render`: templates (Jinja, with Helm's functions) to text.
//! - `manifest`: rendered text to documents, parsed once, in Helm's order; `--show-only`
//!   and the other output choices.
//! - `lint`: `qspgb lint`, the schema plus PgBouncer settings and Kubernetes names.
//! - `hooks`: `qspgb hooks`, the userlist and admin Secrets from the clusters' Secrets.
//! - `k8s`: Kubernetes' rules for names, labels, quantities and image references.
//! - `pgbouncer`: PgBouncer's file formats (ini entries, userlist lines).
//! - `peering`: a StatefulSet pod's PgBouncer peer_id, from its name.
//! - `redact`: the one redaction policy: which values are secret, and scrubbing output.
//! - `release`: the whole render pipeline in memory, for the CLI, tests and benchmarks.
//! - `suggest`: "did you mean" suggestions for unknown names.
//! - `words`: English for messages (plurals).
//! - `yaml`: the only module that knows YAML, and `value`: the values tree; both live in
//!   the `qspgb-helmtext` crate (crates/helmtext), which build.rs shares.

mod argocd;
mod chart;
mod cli;
mod cnpg;
mod diff;
mod error;
mod files;
mod hooks;
mod k8s;
mod lint;
mod manifest;
mod peering;
mod pgbouncer;
mod redact;
mod release;
mod reload;
mod render;
mod suggest;
mod values;
mod words;

pub use qspgb_helmtext::{go, value, yaml};

// What the binary, the benchmarks, the fuzz targets and the integration tests use; every
// other item is crate-private, so the compiler reports what nothing uses.
pub use argocd::{PARAMETERS as ARGOCD_PARAMETERS, render_args};
pub use chart::{Chart, ChartFiles};
pub use cli::{command, run};
pub use hooks::{SecretData, fingerprint};
pub use manifest::OutputOptions;
pub use pgbouncer::settings as pgbouncer_settings;
pub use release::{render_release, resolve_values};
pub use render::RenderContext;
pub use suggest::aliases::{KEY_ALIASES, KeyAlias, Scope as AliasScope};
pub use values::coalesce::GLOBAL_KEY;
pub use values::{ValueInputs, resolve, strvals, user_values};
