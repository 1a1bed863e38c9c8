//! The findings about one rendered object, read from the document parsed once
//! ([`Document::object`]): names, labels, annotations, resource quantities, and a
//! workload's selector against its pod labels.

use super::{Finding, deployability};
use crate::k8s;
use crate::manifest::Document;
use crate::value::{Map, Value};

/// The rendered object's names, labels, annotations and resource quantities: what the API
/// server would refuse (deployability).
pub fn document_findings(document: &Document, helm_exact: bool) -> Vec<Finding> {
    let Value::Map(object) = &document.object else {
        return Vec::new();
    };
    let kind = document.kind.as_str();
    let name = object
        .get("metadata")
        .and_then(|m| m.path("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let origin = format!("{} ({kind} {name})", document.source);
    let mut findings = Vec::new();
    let mut push = |path: String, message: String| {
        findings.push(Finding {
            severity: deployability(helm_exact),
            origin: origin.clone(),
            path,
            message,
        })
    };
    if name.is_empty() {
        push("metadata.name".into(), "is empty".into());
    } else if let Err(why) = k8s::check_object_name(kind, name) {
        push(
            "metadata.name".into(),
            format!(
                "{why} (the chart builds names from fullnameOverride, or from the release name and nameOverride)"
            ),
        );
    }
    // Label-like maps Kubernetes validates: metadata labels, selectors, pod templates.
    // PrometheusRule alert labels are Prometheus's, not Kubernetes'.
    walk_object(
        &mut Vec::new(),
        &document.object,
        kind != "PrometheusRule",
        &mut push,
    );
    if matches!(kind, "Deployment" | "DaemonSet" | "StatefulSet") {
        for (key, why) in selector_mismatches(object) {
            push(format!("spec.template.metadata.labels.{key}"), why);
        }
    }
    findings
}

/// The selector labels a workload's pod template does not carry with the same value: the
/// API server refuses such a workload ("selector does not match template labels"). The
/// chart's pod labels come from the selector labels and `podLabels`, so a `podLabels`
/// entry with a selector label's key is the way in.
fn selector_mismatches(object: &Map) -> Vec<(String, String)> {
    let spec = object.get("spec");
    let selector = spec
        .and_then(|s| s.path("selector"))
        .and_then(|s| s.path("matchLabels"));
    let labels = spec
        .and_then(|s| s.path("template"))
        .and_then(|t| t.path("metadata"))
        .and_then(|m| m.path("labels"));
    let (Some(Value::Map(selector)), Some(Value::Map(labels))) = (selector, labels) else {
        return Vec::new();
    };
    selector
        .iter()
        .filter(|(key, value)| labels.get(key.as_str()) != Some(value))
        .map(|(key, value)| {
            let found = match labels.get(key.as_str()) {
                Some(Value::String(s)) => format!("{s:?}"),
                Some(other) => other.type_name().to_string(),
                None => "nothing".to_string(),
            };
            (
                key.clone(),
                format!(
                    "is {found}, but the selector needs {}: a podLabels entry replaces a selector \
                     label, and the API server refuses a workload whose selector does not match its pods",
                    match value {
                        Value::String(s) => format!("{s:?}"),
                        other => other.type_name().to_string(),
                    }
                ),
            )
        })
        .collect()
}

/// One step of the path to a value inside a rendered object.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The dotted path of `steps` (`spec.template.metadata.labels`, `containers[0]`).
fn dotted(steps: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Walks a rendered object for labels, annotations and resource amounts. The path is
/// kept as borrowed steps and only spelled out for a finding: this runs over every
/// document of every render, and building a path string per key was a tenth of a render.
fn walk_object<'a>(
    steps: &mut Vec<Step<'a>>,
    value: &'a Value,
    labels_too: bool,
    push: &mut dyn FnMut(String, String),
) {
    match value {
        Value::Map(map) => {
            for (key, inner) in map {
                steps.push(Step::Key(key));
                match (key.as_str(), inner) {
                    ("labels" | "matchLabels" | "nodeSelector", Value::Map(labels))
                        if labels_too
                            || (steps.len() == 2 && matches!(steps[0], Step::Key("metadata"))) =>
                    {
                        for (k, v) in labels {
                            if let Err(why) = check_label(k, v) {
                                push(format!("{}[{k:?}]", dotted(steps)), why);
                            }
                        }
                    }
                    ("annotations", Value::Map(annotations)) => {
                        for (k, v) in annotations {
                            if let Err(why) = k8s::check_label_key(k) {
                                push(format!("{}[{k:?}]", dotted(steps)), why);
                            } else if !matches!(v, Value::String(_)) {
                                push(
                                    format!("{}[{k:?}]", dotted(steps)),
                                    format!(
                                        "annotation values must be strings, found {} (quote it in the values)",
                                        v.type_name()
                                    ),
                                );
                            }
                        }
                    }
                    ("resources", Value::Map(resources)) => {
                        for bound in ["limits", "requests"] {
                            if let Some(Value::Map(amounts)) = resources.get(bound) {
                                for (resource, amount) in amounts {
                                    if let Err(why) = check_quantity(amount) {
                                        push(format!("{}.{bound}.{resource}", dotted(steps)), why);
                                    }
                                }
                            }
                        }
                    }
                    _ => walk_object(steps, inner, labels_too, push),
                }
                steps.pop();
            }
        }
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                steps.push(Step::Index(i));
                walk_object(steps, item, labels_too, push);
                steps.pop();
            }
        }
        _ => {}
    }
}

/// A label (key and value) as the API server checks it; values must be strings.
pub fn check_label(key: &str, value: &Value) -> Result<(), String> {
    k8s::check_label_key(key)?;
    match value {
        Value::String(s) => k8s::check_label_value(s),
        other => Err(format!(
            "label values must be strings, found {} (quote it in the values)",
            other.type_name()
        )),
    }
}

/// A resource quantity as the API server reads it: a number, or text such as `100m`.
pub fn check_quantity(value: &Value) -> Result<(), String> {
    match value {
        Value::Int(_) | Value::Float(_) => Ok(()),
        Value::String(s) => k8s::check_quantity(s),
        other => Err(format!("expected a quantity, found {}", other.type_name())),
    }
}

#[cfg(test)]
mod tests {
    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn check_label_example() {
        use crate::lint::document::check_label;
        use crate::value::Value;
        assert!(check_label("app.kubernetes.io/name", &Value::from("pgbouncer")).is_ok());
        assert!(check_label("tier", &Value::Int(1)).is_err());
        assert!(check_label("bad key", &Value::from("x")).is_err());
    }
}
