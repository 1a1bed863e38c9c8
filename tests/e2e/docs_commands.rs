//! The documentation's cluster commands (`sh cluster` blocks of README.md and docs/*.md,
//! see `util/docs.rs`) run against the real kube-apiserver with the real kubectl, as a
//! reader would paste them: each document in order, its offline blocks too (they write the
//! files later blocks read), in a scratch directory of its own.
//!
//! Two adjustments, both for this server and not for the reader, and both named here:
//! - The release namespace of the documents, `pharia-ai`, becomes a name of this run and
//!   document, since the server has no namespace controller and a namespace is never
//!   really deleted.
//! - `kubectl` on the blocks' PATH is the real kubectl behind a filter for `apply`: it
//!   leaves out the kinds this v1.20 server does not serve (printing each on stderr; the
//!   test fails if any other kind is left out) and turns off kubectl 1.20's client-side
//!   schema check, which refuses fields added since 1.20 (e2e/kubectl_apply.rs does the
//!   same).
//!
//! Argo CD is not installed: its namespace, the `argocd-repo-server` Deployment the
//! README's patch changes and the `Application` CRD are created first, as a real Argo CD
//! installation has them.

use crate::util::apiserver::{Server, server};
use crate::util::docs::{self, Place};

/// Kinds the v1.20 server does not serve, which the filter leaves out.
const NOT_SERVED: [(&str, &str); 4] = [
    ("policy/v1", "PodDisruptionBudget"),
    ("batch/v1", "CronJob"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
];

/// What an Argo CD installation has that the documents' commands change or use, in the
/// namespace `argocd` (created if missing; everything applied, so a rerun is harmless).
fn argocd_fixtures(server: &Server) {
    let ns = "argocd";
    let namespace = r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"argocd"}}"#;
    server.kubectl(&["apply", "-f", "-"], Some(namespace));
    let deployment = format!(
        r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"argocd-repo-server","namespace":"{ns}"}},
"spec":{{"selector":{{"matchLabels":{{"app":"argocd-repo-server"}}}},
"template":{{"metadata":{{"labels":{{"app":"argocd-repo-server"}}}},
"spec":{{"containers":[{{"name":"argocd-repo-server","image":"quay.io/argoproj/argocd:v3.2.0"}}],
"volumes":[{{"name":"var-files","emptyDir":{{}}}},{{"name":"plugins","emptyDir":{{}}}}]}}}}}}}}"#
    );
    server.kubectl(&["apply", "-f", "-"], Some(&deployment));
    let crd = r#"{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
"metadata":{"name":"applications.argoproj.io"},
"spec":{"group":"argoproj.io","scope":"Namespaced",
"names":{"kind":"Application","plural":"applications","singular":"application","listKind":"ApplicationList"},
"versions":[{"name":"v1alpha1","served":true,"storage":true,
"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}"#;
    server.kubectl(&["apply", "-f", "-"], Some(crd));
    for _ in 0..50 {
        let out = server.kubectl_with(
            &server.kubeconfig,
            &["get", "applications.argoproj.io", "-A"],
            None,
        );
        if out.status.success() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("the Application CRD is not served");
}

/// The kubectl the blocks run: the real one, with the filter for `apply` described above.
fn kubectl_filter(server: &Server, bin: &std::path::Path) {
    let drop: String = NOT_SERVED
        .iter()
        .map(|(v, k)| format!("{v} {k}|"))
        .collect();
    let script = format!(
        r#"#!/usr/bin/env bash
# tests/e2e/docs_commands.rs: the real kubectl; for `apply`, without the kinds this v1.20
# API server does not serve, and without kubectl 1.20's client-side schema check.
set -euo pipefail
real='{real}'
apply=false
for a in "$@"; do [ "$a" = apply ] && apply=true; done
$apply || exec "$real" "$@"
args=("$@")
stdin=false
for i in "${{!args[@]}}"; do
  if [ "${{args[$i]}}" = -f ] && [ "${{args[$((i+1))]:-}}" = - ]; then stdin=true; fi
done
$stdin || exec "$real" "$@" --validate=false
awk -v drop='|{drop}' '
  function flush() {{
    if (doc != "") {{
      if (index(drop, "|" api " " kind "|")) {{ print "docs filter: left out " api " " kind > "/dev/stderr" }}
      else {{ printf "%s", doc }}
    }}
    doc = ""; api = ""; kind = ""
  }}
  /^---/ {{ flush() }}
  /^apiVersion: / {{ api = $2 }}
  /^kind: / {{ kind = $2 }}
  {{ doc = doc $0 "\n" }}
  END {{ flush() }}
' | "$real" "$@" --validate=false
"#,
        real = server.kubectl.display(),
    );
    let path = bin.join("kubectl");
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn every_cluster_command_in_the_docs_runs_against_the_api_server() {
    let server = server();
    let blocks = docs::all_blocks();
    let files: Vec<String> = docs::documents()
        .into_iter()
        .filter(|f| {
            blocks
                .iter()
                .any(|b| &b.file == f && matches!(b.place, Place::Cluster | Place::ClusterCheckout))
        })
        .collect();
    assert!(!files.is_empty(), "no `sh cluster` block found");
    argocd_fixtures(&server);
    let root = docs::root();
    let mut failures = Vec::new();
    for (n, file) in files.iter().enumerate() {
        let scratch = docs::Scratch::new(&format!("cluster-{file}"));
        let bin = scratch.0.join(".bin");
        let home = scratch.0.join(".home");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        kubectl_filter(&server, &bin);
        let suffix = format!("{}-{n}", std::process::id());
        let envs = [
            ("PATH", docs::path_with(&[&bin])),
            ("HOME", home.clone().into()),
            ("KUBECONFIG", server.kubeconfig.clone().into()),
        ];
        for block in blocks.iter().filter(|b| &b.file == file) {
            let dir = match block.place {
                Place::Offline | Place::Cluster => scratch.0.as_path(),
                Place::Checkout | Place::ClusterCheckout => root.as_path(),
                Place::Node | Place::Ci => continue,
            };
            let mut here = block.clone();
            here.text = block
                .text
                .replace("pharia-ai", &format!("pharia-ai-{suffix}"));
            if let Some(failure) = docs::run_block(&here, dir, &envs) {
                failures.push(failure);
                break; // later blocks of this document depend on this one
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
