//! Optional rewrites of selected documents for GitOps use, applied after selection:
//!
//! - [`add_namespace`]: write `metadata.namespace` into namespaced objects, so that
//!   `qspgb render | kubectl apply -f -` lands in the release namespace without `-n`
//!   (Helm leaves it out and lets the client decide).
//! - [`to_argocd_hooks`]: replace Helm's hook annotations by Argo CD's own, for users who
//!   want to see in Git exactly the phases Argo CD will run.
//!
//! Both change [`Document::object`] in place and write [`Document::content`] from it with
//! the YAML emitter (or, for a namespace, by inserting one line); neither parses the text
//! again, and neither runs unless its flag is given.

use anyhow::{Result, anyhow};

use super::Document;
use crate::value::{Map, Value};
use crate::yaml;

/// Kinds that live outside namespaces (built-in Kubernetes APIs); every other kind,
/// custom resources included, is treated as namespaced.
pub const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

/// Sets `metadata.namespace` on every namespaced document that has none.
///
/// Block-style documents get one line inserted under `metadata:` so the rest of the text
/// stays as rendered; any other shape is re-serialized. A document it refuses (`metadata`
/// not a map) is left as it was.
pub fn add_namespace(doc: &mut Document, namespace: &str) -> Result<()> {
    if CLUSTER_SCOPED_KINDS.contains(&doc.kind.as_str()) || doc.kind.is_empty() {
        return Ok(());
    }
    let Some(root) = doc.object.as_map_mut() else {
        return Ok(());
    };
    // Inserted only where there was none, so the errors and early returns below leave
    // the document unchanged.
    let metadata = root
        .entry("metadata".to_string())
        .or_insert_with(|| Value::Map(Map::default()));
    let Some(metadata) = metadata.as_map_mut() else {
        return Err(anyhow!("{}: metadata is not a map", doc.source));
    };
    if metadata.contains_key("namespace") {
        return Ok(());
    }
    metadata.insert("namespace".into(), Value::String(namespace.to_string()));
    doc.content = match insert_under_metadata(&doc.content, namespace) {
        Some(text) => text,
        None => emit(&doc.object),
    };
    Ok(())
}

/// Inserts `namespace: NS` as the first key of a top-level block `metadata:` map.
fn insert_under_metadata(content: &str, namespace: &str) -> Option<String> {
    let lines: Vec<&str> = content.lines().collect();
    let at = lines.iter().position(|l| *l == "metadata:")?;
    let next = lines.get(at + 1)?;
    let indent = next.len() - next.trim_start_matches(' ').len();
    if indent == 0 {
        return None;
    }
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out.insert(
        at + 1,
        format!("{}namespace: {namespace}", " ".repeat(indent)),
    );
    Some(out.join("\n"))
}

/// Argo CD's phase for a Helm hook event; `None` where Argo CD has none.
fn argocd_phase(event: &str) -> Option<&'static str> {
    match event {
        "pre-install" | "pre-upgrade" => Some("PreSync"),
        "post-install" | "post-upgrade" => Some("PostSync"),
        "pre-delete" => Some("PreDelete"),
        "post-delete" => Some("PostDelete"),
        _ => None,
    }
}

/// Argo CD's name for a Helm hook delete policy.
fn argocd_delete_policy(policy: &str) -> Option<&'static str> {
    match policy.trim() {
        "before-hook-creation" => Some("BeforeHookCreation"),
        "hook-succeeded" => Some("HookSucceeded"),
        "hook-failed" => Some("HookFailed"),
        _ => None,
    }
}

/// Rewrites a hook document's annotations for Argo CD. Returns `None` when the hook has no
/// Argo CD phase (the document is then left out); ordinary documents pass unchanged.
pub fn to_argocd_hooks(mut doc: Document) -> Result<Option<Document>> {
    if !doc.is_hook() {
        return Ok(Some(doc));
    }
    let mut phases: Vec<&str> = Vec::new();
    for event in &doc.hook_events {
        if let Some(phase) = argocd_phase(event)
            && !phases.contains(&phase)
        {
            phases.push(phase);
        }
    }
    if phases.is_empty() {
        return Ok(None);
    }
    let annotations = doc
        .object
        .as_map_mut()
        .and_then(|m| m.get_mut("metadata"))
        .and_then(Value::as_map_mut)
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_map_mut)
        .ok_or_else(|| anyhow!("{}: a hook without metadata.annotations", doc.source))?;
    annotations.shift_remove("helm.sh/hook");
    annotations.insert(
        "argocd.argoproj.io/hook".into(),
        Value::String(phases.join(",")),
    );
    if let Some(weight) = annotations.shift_remove("helm.sh/hook-weight") {
        let weight = match weight {
            Value::String(s) => s,
            Value::Int(i) => i.to_string(),
            other => {
                return Err(anyhow!(
                    "{}: hook-weight is a {}",
                    doc.source,
                    other.type_name()
                ));
            }
        };
        annotations.insert("argocd.argoproj.io/sync-wave".into(), Value::String(weight));
    }
    if let Some(Value::String(policies)) = annotations.shift_remove("helm.sh/hook-delete-policy") {
        let mapped: Vec<&str> = policies
            .split(',')
            .filter_map(argocd_delete_policy)
            .collect();
        if !mapped.is_empty() {
            annotations.insert(
                "argocd.argoproj.io/hook-delete-policy".into(),
                Value::String(mapped.join(",")),
            );
        }
    }
    doc.content = emit(&doc.object);
    Ok(Some(doc))
}

/// The document as Helm's `toYaml` writes it, without the final newline
/// [`Document::content`] never has.
fn emit(value: &Value) -> String {
    yaml::to_yaml(value).trim_end().to_string()
}
