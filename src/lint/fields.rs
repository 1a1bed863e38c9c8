//! Unknown fields of the rendered Kubernetes objects, found offline with k8s-openapi's
//! typed structs: a misspelled key in a value passed through as written (`affinity`,
//! `tolerations`, probes, `env`, volumes, `extraContainers`, ...) reaches the output as it
//! is, and since Kubernetes 1.27 `kubectl apply` (whose `--validate` defaults to `strict`:
//! server-side field validation, GA in 1.27) refuses the object, while older clients drop
//! the field without a word. Either way it does not do what was written, so it is a
//! deployability error (a warning with `--helm-exact`), in every command that renders.
//!
//! [`probe`] reads each document of a kind in [`KINDS`] into its struct and notes every key
//! the struct's level does not name. Kinds outside the table (the Prometheus Operator's
//! ServiceMonitor, PodMonitor and PrometheusRule) are not checked. The reading needs only
//! the document, so it is done where the document is parsed ([`probe_document`], on the
//! reader thread of `crate::release` while the next file renders); [`findings`] makes the
//! findings later, in the documents' order, with the user's inputs.

pub mod probe;

use k8s_openapi::api::{apps, autoscaling, batch, core, networking, policy, rbac};

use super::{Finding, deployability};
use crate::manifest::Document;
use crate::value::{Map, Value};
use probe::{Path, Report, Step};

/// How one kind is read: its probe, with k8s-openapi's struct of that `apiVersion`.
type Reader = fn(&Value) -> (Report, Result<(), serde_json::Error>);

/// The objects the chart renders (and their usual neighbours), by `apiVersion` and `kind`,
/// with the struct that reads them.
pub const KINDS: &[(&str, &str, Reader)] = &[
    ("v1", "ConfigMap", probe::probe::<core::v1::ConfigMap>),
    ("v1", "Pod", probe::probe::<core::v1::Pod>),
    ("v1", "Secret", probe::probe::<core::v1::Secret>),
    ("v1", "Service", probe::probe::<core::v1::Service>),
    (
        "v1",
        "ServiceAccount",
        probe::probe::<core::v1::ServiceAccount>,
    ),
    ("apps/v1", "DaemonSet", probe::probe::<apps::v1::DaemonSet>),
    (
        "apps/v1",
        "Deployment",
        probe::probe::<apps::v1::Deployment>,
    ),
    (
        "apps/v1",
        "StatefulSet",
        probe::probe::<apps::v1::StatefulSet>,
    ),
    (
        "autoscaling/v1",
        "HorizontalPodAutoscaler",
        probe::probe::<autoscaling::v1::HorizontalPodAutoscaler>,
    ),
    (
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        probe::probe::<autoscaling::v2::HorizontalPodAutoscaler>,
    ),
    ("batch/v1", "CronJob", probe::probe::<batch::v1::CronJob>),
    ("batch/v1", "Job", probe::probe::<batch::v1::Job>),
    (
        "networking.k8s.io/v1",
        "NetworkPolicy",
        probe::probe::<networking::v1::NetworkPolicy>,
    ),
    (
        "policy/v1",
        "PodDisruptionBudget",
        probe::probe::<policy::v1::PodDisruptionBudget>,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        probe::probe::<rbac::v1::ClusterRole>,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        probe::probe::<rbac::v1::ClusterRoleBinding>,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "Role",
        probe::probe::<rbac::v1::Role>,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        probe::probe::<rbac::v1::RoleBinding>,
    ),
];

/// What the probe found in one document, not yet findings: made where the document is
/// read ([`probe_document`]), made into findings later, with the user's inputs, by
/// [`findings`].
#[derive(Debug)]
pub struct Probed {
    report: Report,
    result: Result<(), serde_json::Error>,
}

/// Reads a rendered document of a kind in [`KINDS`] into its struct, noting what the struct
/// does not have; `None` for any other document (nothing to check).
pub fn probe_document(document: &Document) -> Option<Probed> {
    let Value::Map(object) = &document.object else {
        return None;
    };
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let (_, _, read) = KINDS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == document.kind)?;
    let (report, result) = read(&document.object);
    Some(Probed { report, result })
}

/// What `probed` found in `document`: every unknown field (and a value of the wrong type,
/// where one stops the struct from reading it), as deployability findings. `sources` are the user's
/// inputs ([`crate::values::InputReport::sources`]): an unknown key is traced back to the
/// values key that holds it when exactly one input key has its name.
pub fn findings(
    document: &Document,
    probed: &Probed,
    sources: &[(String, Map)],
    helm_exact: bool,
) -> Vec<Finding> {
    let Probed { report, result } = probed;
    if report.unknown.is_empty() && result.is_ok() {
        return Vec::new();
    }
    let name = document
        .object
        .path("metadata.name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let origin = format!("{} ({} {name})", document.source, document.kind);
    let mut findings: Vec<Finding> = report
        .unknown
        .iter()
        .map(|unknown| {
            let mut message =
                match crate::suggest::closest(&unknown.key, unknown.known.iter().copied()) {
                    Some(best) => {
                        format!(
                            "unknown field {:?} (did you mean {best:?}?)",
                            probe::shown(&unknown.key)
                        )
                    }
                    None => format!("unknown field {:?}", probe::shown(&unknown.key)),
                };
            if let Some((input, key_path)) = trace(sources, &unknown.key) {
                message.push_str(&format!("; set by {key_path} in {input}"));
            }
            message.push_str(
                ": kubectl apply refuses it (strict field validation), older clients drop it",
            );
            Finding {
                severity: deployability(helm_exact),
                origin: origin.clone(),
                path: unknown.path.to_string(),
                message,
            }
        })
        .collect();
    if let Err(err) = result {
        findings.push(Finding {
            severity: deployability(helm_exact),
            origin,
            path: report
                .failed_at
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            message: format!(
                "not a valid {}: {}",
                document.kind,
                without_quoted(&err.to_string())
            ),
        });
    }
    findings
}

/// The input and values key path of the one key named `key` in the user's inputs, if
/// exactly one has that name (a misspelled field is rare enough to be unique; a common one
/// cannot be traced this way and is not).
fn trace(sources: &[(String, Map)], key: &str) -> Option<(String, String)> {
    fn walk(value: &Value, path: &mut Path, key: &str, found: &mut Vec<Path>) {
        match value {
            Value::Map(map) => {
                for (k, v) in map {
                    path.0.push(Step::Key(k.clone()));
                    if k == key {
                        found.push(path.clone());
                    }
                    walk(v, path, key, found);
                    path.0.pop();
                }
            }
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.0.push(Step::Index(i));
                    walk(v, path, key, found);
                    path.0.pop();
                }
            }
            _ => {}
        }
    }
    let mut hits = Vec::new();
    for (input, tree) in sources {
        let mut found = Vec::new();
        for (k, v) in tree {
            let mut path = Path(vec![Step::Key(k.clone())]);
            if k == key {
                found.push(path.clone());
            }
            walk(v, &mut path, key, &mut found);
        }
        hits.extend(found.into_iter().map(|p| (input.clone(), p.to_string())));
    }
    // The same key set by several inputs at the same place is one origin: the last wins.
    let last = hits.last()?;
    hits.iter().all(|h| h.1 == last.1).then(|| last.clone())
}

/// A deserializer's message without the quoted text it may hold (`invalid type: string
/// "…", expected i32`): the value may be a secret.
fn without_quoted(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            quoted = !quoted;
            continue;
        }
        if !quoted {
            out.push(c);
        }
    }
    out.replace("  ", " ")
}

#[cfg(test)]
mod tests;
