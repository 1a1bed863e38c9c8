//! Which documents a command prints, and how: `--no-hooks`, `--include-tests` and
//! `--show-only` choose (as Helm's `template` command does), then the rewrites of
//! [`super::rewrite`] run when asked for.

use anyhow::{Result, bail};

use super::{Document, Manifests, rewrite};
use crate::go::filepath;

/// How hook documents are annotated in the output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HookStyle {
    /// Helm's `helm.sh/hook*` annotations, as rendered (Argo CD maps them itself).
    #[default]
    Helm,
    /// Argo CD's `argocd.argoproj.io/hook*` annotations instead; hooks without an Argo CD
    /// phase (`test`, `*-rollback`) are left out, as Argo CD ignores them.
    Argocd,
}

/// Which documents to print, and how.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    /// Leave out hooks (`--no-hooks`).
    pub no_hooks: bool,
    /// Print the `helm test` hooks (`--include-tests`). Left out by default: `kubectl apply`
    /// of a rendering would start them at once, before the hooks wrote the Secrets they
    /// use, and a test Pod's spec is immutable, so a second apply of a changed rendering
    /// would fail on it. A `--show-only` pattern naming a test template exactly (no glob)
    /// asks for it too.
    pub include_tests: bool,
    /// Only documents from these template paths, globs allowed (`--show-only`), in this order.
    pub show_only: Vec<String>,
    /// Write this `metadata.namespace` into namespaced objects (`--namespace-in-manifests`).
    pub namespace_in_manifests: Option<String>,
    /// Helm's or Argo CD's hook annotations (`--hook-style`).
    pub hook_style: HookStyle,
}

/// The documents to print, in order, rewritten as the options ask. Takes the documents
/// by value: a render prints each at most once, and copying them cost more than the
/// selection itself. Without `--hook-style argocd` or `--namespace-in-manifests` no
/// document is touched.
pub fn select(manifests: Manifests, options: &OutputOptions) -> Result<Vec<Document>> {
    let mut docs = choose(manifests, options)?;
    if options.hook_style == HookStyle::Argocd {
        docs = docs
            .into_iter()
            .map(rewrite::to_argocd_hooks)
            .filter_map(Result::transpose)
            .collect::<Result<_>>()?;
    }
    if let Some(namespace) = &options.namespace_in_manifests {
        for doc in &mut docs {
            rewrite::add_namespace(doc, namespace)?;
        }
    }
    Ok(docs)
}

/// The documents `selection` asks for, in output order: manifests, then hooks (unless
/// `--no-hooks`; `helm test` hooks only when asked), then narrowed to `--show-only`'s
/// patterns in argument order.
fn choose(manifests: Manifests, selection: &OutputOptions) -> Result<Vec<Document>> {
    let Manifests {
        manifests: mut docs,
        hooks,
        ..
    } = manifests;
    // `helm test` Pods left out of `docs`, for the error when a glob matches only them.
    let mut left_out_tests: Vec<Document> = Vec::new();
    if !selection.no_hooks {
        let named = |doc: &Document| {
            selection
                .show_only
                .iter()
                .any(|p| p.replace('\\', "/") == doc.show_only_path())
        };
        for hook in hooks {
            if !hook.is_test() || selection.include_tests || named(&hook) {
                docs.push(hook);
            } else {
                left_out_tests.push(hook);
            }
        }
    }
    if selection.show_only.is_empty() {
        return Ok(docs);
    }
    let mut chosen = Vec::new();
    for pattern in &selection.show_only {
        let pattern = pattern.replace('\\', "/");
        let matching: Vec<&Document> = docs
            .iter()
            .filter(|d| filepath::matches(&pattern, d.show_only_path()))
            .collect();
        if matching.is_empty() {
            // A glob matching only the `helm test` Pods, which are left out unless asked.
            let tests = left_out_tests
                .iter()
                .any(|h| filepath::matches(&pattern, h.show_only_path()));
            if tests {
                bail!(
                    "--show-only {pattern:?}: matches only `helm test` Pods, which are left out \
                     unless asked for: add --include-tests, or name the template without a glob"
                );
            }
            // A template with several documents (the hooks' RBAC) is listed once.
            let mut known: Vec<&str> = Vec::new();
            for path in docs.iter().map(|d| d.show_only_path()) {
                if !known.contains(&path) {
                    known.push(path);
                }
            }
            bail!(
                "--show-only {pattern:?}: could not find template in chart (templates with output: {})",
                known.join(", ")
            );
        }
        chosen.extend(matching.into_iter().cloned());
    }
    Ok(chosen)
}
