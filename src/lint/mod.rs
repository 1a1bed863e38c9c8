//! The checks every command that renders runs, and `qspgb lint` reports in full: what
//! Kubernetes, PgBouncer or Prometheus would refuse, found before anything is written.
//!
//! 1. Every input against the chart's schemas (all problems, each naming its input).
//! 2. The render itself (template checks, refused pgbouncer.ini content).
//! 3. PgBouncer settings under `config.pgbouncer`, `config.databases` and `config.users`:
//!    known names and valid values for the PgBouncer version the chart ships
//!    ([`crate::pgbouncer::settings`]); settings the chart derives elsewhere kept
//!    consistent (`listen_port`, `auth_file`, `admin_users`, the admin Secret's keys, the
//!    exporter's port); PgBouncer's userlist limits; a grace period too short for the
//!    graceful shutdown's pool modes (a warning, [`shutdown`]).
//! 4. The rendered objects: names valid for Kubernetes and at most 63 characters, label
//!    keys and values valid, annotation values strings, resource quantities that parse.
//!
//! `render`, `values`, `diff`, `hooks` and `argocd generate` fail on every error `lint`
//! reports, with the same lines. An error about what Kubernetes or PgBouncer would refuse
//! is *deployability* (a schema format, 3 and 4): `--helm-exact` turns those into warnings,
//! for renderings that must equal Helm's. Findings about merged values name the input that
//! set the key, or the chart defaults.
//!
//! 5. The rendered objects' fields: every key a Kubernetes object of a known kind does not
//!    have (a misspelling in `affinity`, a probe, `env`, ...), found offline ([`fields`]).
//! 6. Warnings where the render works but probably not as meant ([`warnings`]): monitoring
//!    objects enabled but gated off by `.Capabilities`, an `-a GROUP/VERSION/Kind` that
//!    gates nothing, the namespace left at `default` under RBAC and hooks, an `apiVersion`
//!    the `--kube-version` does not serve.
//!
//! A schema error does not stop the later checks: the values it makes unusable are left
//! out ([`schema::leave_out_unusable`]) and the rest is rendered and checked, so one run
//! reports everything.
//!
//! One file per kind of finding: [`schema`] (each input against the schemas),
//! [`instance`] (an instance's merged values), [`settings`] (one PgBouncer setting),
//! [`shutdown`] (the graceful shutdown's timings),
//! [`document`] (a rendered object), [`fields`] (a rendered object's fields) and
//! [`warnings`] (the render as a whole).

pub mod document;
pub mod fields;
pub mod instance;
pub mod schema;
pub mod settings;
pub mod shutdown;
pub mod warnings;

pub use document::document_findings;
pub use instance::instance_findings;
pub use schema::schema_findings;
pub use warnings::render_warnings;

use std::fmt;

use crate::chart::schema::{KeyPath, Segment};
use crate::values::InputReport;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Will not work as written (refused by PgBouncer or Kubernetes, or by qspgb).
    Error,
    /// Works, but probably not as meant.
    Warning,
}

/// One thing lint found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Where: an input (`values.yaml`, `--set "a=…"`), `chart defaults`, or a rendered
    /// template path with the object's kind and name; empty for a template error.
    pub origin: String,
    /// The key path inside it, if any.
    pub path: String,
    /// What is wrong. Never quotes a value that may be secret.
    pub message: String,
}

impl Finding {
    /// The finding without its severity: `origin: path: message`.
    pub fn body(&self) -> String {
        [
            self.origin.as_str(),
            self.path.as_str(),
            self.message.as_str(),
        ]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(": ")
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: {}", self.body())
    }
}

/// The findings of a command that an error stops, as `lint` prints them: one `error: ...`
/// or `warning: ...` line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Findings(pub Vec<Finding>);

impl fmt::Display for Findings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(Finding::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for Findings {}

/// The severity of a deployability problem: an error, or with `--helm-exact` a warning.
fn deployability(helm_exact: bool) -> Severity {
    if helm_exact {
        Severity::Warning
    } else {
        Severity::Error
    }
}

/// The input that set a key of an instance, or the chart's defaults.
fn origin(report: &InputReport, path: &[&str]) -> String {
    report
        .origin_of(path)
        .map(str::to_string)
        .unwrap_or_else(|| "chart defaults".into())
}

/// A finding about the key `path` (below the instance `alias`), located by its origin.
fn value_finding(
    report: &InputReport,
    alias: &str,
    path: &[&str],
    severity: Severity,
    message: String,
) -> Finding {
    let full: Vec<&str> = std::iter::once(alias).chain(path.iter().copied()).collect();
    Finding {
        severity,
        origin: origin(report, &full),
        path: KeyPath(full.iter().map(|k| Segment::Key(k.to_string())).collect()).to_string(),
        message,
    }
}
