//! Optional rewrites of rendered documents for GitOps use, applied after selection:
//!
//! - [`add_namespace`]: write `metadata.namespace` into namespaced objects, so that
//!   `qspgb render | kubectl apply -f -` lands in the release namespace without `-n`
//!   (Helm leaves it out and lets the client decide).
//! - [`to_argocd_hooks`]: replace Helm's hook annotations by Argo CD's own, for users who
//!   want to see in Git exactly the phases Argo CD will run.

use anyhow::{Result, anyhow};

use super::output::Document;
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

/// How hook documents are annotated in the output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum HookStyle {
    /// Helm's `helm.sh/hook*` annotations, as rendered (Argo CD maps them itself).
    #[default]
    Helm,
    /// Argo CD's `argocd.argoproj.io/hook*` annotations instead; hooks without an Argo CD
    /// phase (`test`, `*-rollback`) are left out, as Argo CD ignores them.
    Argocd,
}

/// Sets `metadata.namespace` on every namespaced document that has none.
///
/// Block-style documents get one line inserted under `metadata:` so the rest of the text
/// stays as rendered; any other shape is re-serialized.
pub fn add_namespace(doc: &mut Document, namespace: &str) -> Result<()> {
    if CLUSTER_SCOPED_KINDS.contains(&doc.kind.as_str()) || doc.kind.is_empty() {
        return Ok(());
    }
    let mut value = doc.object.clone();
    let Some(root) = value.as_map_mut() else {
        return Ok(());
    };
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
        None => emit(&value),
    };
    doc.object = value;
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
pub fn to_argocd_hooks(doc: Document) -> Result<Option<Document>> {
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
    let mut value = doc.object.clone();
    let annotations = value
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
    Ok(Some(Document {
        content: emit(&value),
        hook_events: doc.hook_events.clone(),
        object: value,
        ..doc
    }))
}

fn emit(value: &Value) -> String {
    yaml::to_yaml(value).trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: &str, content: &str, hooks: &[&str]) -> Document {
        Document {
            source: "c/templates/x.yaml".into(),
            content: content.into(),
            kind: kind.into(),
            hook_events: hooks.iter().map(|s| s.to_string()).collect(),
            object: yaml::parse_values(content, "test").unwrap(),
        }
    }

    #[test]
    fn namespace_goes_under_metadata_keeping_the_text() {
        let mut d = doc(
            "Service",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels:\n    x: y\nspec: {}",
            &[],
        );
        add_namespace(&mut d, "pharia-ai").unwrap();
        assert_eq!(
            d.content,
            "apiVersion: v1\nkind: Service\nmetadata:\n  namespace: pharia-ai\n  name: a\n  labels:\n    x: y\nspec: {}"
        );
    }

    #[test]
    fn existing_namespaces_and_cluster_scoped_kinds_are_left_alone() {
        let text = "kind: Secret\nmetadata:\n  name: a\n  namespace: other";
        let mut d = doc("Secret", text, &[]);
        add_namespace(&mut d, "ns").unwrap();
        assert_eq!(d.content, text);
        let text = "kind: ClusterRole\nmetadata:\n  name: a";
        let mut d = doc("ClusterRole", text, &[]);
        add_namespace(&mut d, "ns").unwrap();
        assert_eq!(d.content, text);
    }

    #[test]
    fn flow_metadata_is_reserialized() {
        let mut d = doc("ConfigMap", "kind: ConfigMap\nmetadata: {name: a}", &[]);
        add_namespace(&mut d, "ns").unwrap();
        assert_eq!(
            d.content,
            "kind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns"
        );
    }

    #[test]
    fn helm_hooks_become_argocd_hooks() {
        let d = doc(
            "Job",
            "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n    helm.sh/hook-weight: \"-5\"\n    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded\n    keep: me",
            &["pre-install", "pre-upgrade"],
        );
        let out = to_argocd_hooks(d).unwrap().unwrap();
        assert_eq!(
            out.content,
            "kind: Job\nmetadata:\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation,HookSucceeded\n    argocd.argoproj.io/sync-wave: \"-5\"\n    keep: me\n  name: j"
        );
    }

    #[test]
    fn hooks_without_an_argocd_phase_are_left_out() {
        let d = doc(
            "Pod",
            "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test",
            &["test"],
        );
        assert!(to_argocd_hooks(d).unwrap().is_none());
        let plain = doc("Service", "kind: Service", &[]);
        assert_eq!(to_argocd_hooks(plain.clone()).unwrap(), Some(plain));
    }
}
