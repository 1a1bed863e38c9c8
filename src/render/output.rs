//! From rendered template files to `helm template`'s output: documents split, ordered by
//! kind (Helm's InstallOrder), hooks after everything else, `# Source:` lines.

use anyhow::{Result, bail};

use super::RenderedFile;
use super::transform::{self, HookStyle};
use crate::value::Value;
use crate::yaml;

/// Helm's install order by kind; unknown kinds go last, alphabetically.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The hook events Helm knows (`helm.sh/hook` values).
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// One YAML document of the output.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The template path it came from (`# Source:`).
    pub source: String,
    /// The document text, leading whitespace removed, without a final newline.
    pub content: String,
    /// `kind`, empty when absent.
    pub kind: String,
    /// Hook events from `helm.sh/hook`, empty for an ordinary manifest.
    pub hook_events: Vec<String>,
    /// The document, parsed once (the checks and `qspgb hooks` read it; `Null` when empty).
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

/// Splits a rendered file into documents and reads each one's kind and hook annotation,
/// checking that it is valid YAML (as Helm does for every document it outputs).
pub fn read_documents(file: RenderedFile) -> Result<FileDocuments> {
    let mut out = FileDocuments {
        path: file.path,
        ..Default::default()
    };
    let mut kinds: Vec<String> = Vec::new();
    for (index, content) in split_documents(&file.text).into_iter().enumerate() {
        let head = yaml::parse_documents(&content, &out.path).map_err(|e| {
            anyhow::anyhow!(
                "{}: document {} of the rendered output is not valid YAML: {e}",
                out.path,
                index + 1
            )
        })?;
        let head = head.into_iter().next().unwrap_or(Value::Null);
        let (kind, hook) = match &head {
            Value::Map(m) => (
                m.get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                head.path("metadata.annotations")
                    .and_then(|a| a.as_map())
                    .and_then(|a| a.get("helm.sh/hook"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
            ),
            Value::Null => (String::new(), None),
            other => bail!(
                "{}: document {} must be a map (a Kubernetes object), found a {}",
                out.path,
                index + 1,
                other.type_name()
            ),
        };
        kinds.push(kind.clone());
        let hook_events: Vec<String> = match hook {
            None => Vec::new(),
            Some(events) => {
                let events: Vec<String> =
                    events.split(',').map(|e| e.trim().to_lowercase()).collect();
                if let Some(unknown) = events.iter().find(|e| !HOOK_EVENTS.contains(&e.as_str())) {
                    out.warnings.push(format!(
                        "{}: skipping a document with unknown hook type {unknown:?}",
                        out.path
                    ));
                    continue;
                }
                events
            }
        };
        out.documents.push(Document {
            source: out.path.clone(),
            content,
            kind,
            hook_events,
            object: head,
        });
    }
    // Values are data: a file holds exactly what its template declares (see
    // [`super::emits`]), whatever the values were.
    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
    match &file.emits {
        Some(emits) => emits.check(&out.path, &kinds, file.instances)?,
        None => super::emits::check_undeclared(&out.path, &kinds)?,
    }
    Ok(out)
}

/// Orders the documents of all files as Helm does: files by path, then stable by kind.
pub fn sort_manifests(mut files: Vec<FileDocuments>) -> Manifests {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out = Manifests::default();
    for file in files {
        out.warnings.extend(file.warnings);
        for doc in file.documents {
            if doc.is_hook() {
                out.hooks.push(doc);
            } else {
                out.manifests.push(doc);
            }
        }
    }
    // Stable sorts: equal kinds keep template path order, then document order.
    out.manifests.sort_by_key(|d| kind_rank(&d.kind));
    out.hooks.sort_by_key(|d| kind_rank(&d.kind));
    out
}

/// [`read_documents`] for every file, then [`sort_manifests`].
pub fn sort_rendered(files: Vec<RenderedFile>) -> Result<Manifests> {
    let files = files
        .into_iter()
        .map(read_documents)
        .collect::<Result<Vec<_>>>()?;
    Ok(sort_manifests(files))
}

/// Sort key: known kinds by install order, then unknown kinds alphabetically.
fn kind_rank(kind: &str) -> (usize, String) {
    match INSTALL_ORDER.iter().position(|k| *k == kind) {
        Some(i) => (i, String::new()),
        None => (INSTALL_ORDER.len(), kind.to_string()),
    }
}

/// Splits a rendered file at lines starting with `---` (Helm's `(?m)^---[ \t]*`), drops
/// documents that are only whitespace, and trims each document's surrounding whitespace.
///
/// Helm keeps trailing whitespace; we trim trailing blank lines so every document ends the
/// same way, which YAML reads the same (a final literal block keeps exactly one newline
/// either way). The blanks at the end of the last line stay: in a literal block they are
/// the value's (`server_lifetime = ` of an empty setting).
pub fn split_documents(text: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            docs.push(std::mem::take(&mut current));
            current.push_str(rest.trim_start_matches([' ', '\t']));
        } else {
            current.push_str(line);
        }
    }
    docs.push(current);
    docs.into_iter()
        .map(|d| trim_document(&d).to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

/// A document without leading whitespace and trailing blank lines, its last line whole.
fn trim_document(doc: &str) -> &str {
    let doc = doc.trim_start();
    let content_end = doc.trim_end().len();
    let line_end = doc[content_end..]
        .find('\n')
        .map_or(doc.len(), |i| content_end + i);
    &doc[..line_end]
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
/// selection itself.
pub fn select(manifests: Manifests, options: &OutputOptions) -> Result<Vec<Document>> {
    let mut docs = choose(manifests, options)?;
    if options.hook_style == HookStyle::Argocd {
        docs = docs
            .into_iter()
            .map(transform::to_argocd_hooks)
            .filter_map(Result::transpose)
            .collect::<Result<_>>()?;
    }
    if let Some(namespace) = &options.namespace_in_manifests {
        for doc in &mut docs {
            transform::add_namespace(doc, namespace)?;
        }
    }
    Ok(docs)
}

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
            .filter(|d| glob_match(&pattern, d.show_only_path()))
            .collect();
        if matching.is_empty() {
            // A glob matching only the `helm test` Pods, which are left out unless asked.
            let tests = left_out_tests
                .iter()
                .any(|h| glob_match(&pattern, h.show_only_path()));
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

/// Shell-style matching as Go's `filepath.Match`: `*` and `?` never cross `/`, `[...]`
/// classes with `^`/`!` negation and ranges, `\` escapes.
///
/// Each (pattern position, name position) pair is decided once: plain backtracking takes
/// time exponential in the number of `*` (`-s '*a*a*a*…b'` is a few bytes), and
/// `--show-only` comes from command lines and Argo CD parameters.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let mut memo = vec![None; (p.len() + 1) * (n.len() + 1)];
    Glob {
        p: &p,
        n: &n,
        memo: &mut memo,
    }
    .from(0, 0)
}

/// A pattern and a name being matched, with what is known of each pair of positions.
struct Glob<'a> {
    p: &'a [char],
    n: &'a [char],
    memo: &'a mut [Option<bool>],
}

impl Glob<'_> {
    fn from(&mut self, pi: usize, ni: usize) -> bool {
        let slot = pi * (self.n.len() + 1) + ni;
        if let Some(known) = self.memo[slot] {
            return known;
        }
        let (p, n) = (&self.p[pi..], &self.n[ni..]);
        let result = match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len())
                .take_while(|&i| i == 0 || n[i - 1] != '/')
                .any(|i| self.from(pi + 1, ni + i)),
            Some('?') => matches!(n.first(), Some(c) if *c != '/') && self.from(pi + 1, ni + 1),
            Some('[') => match n.first() {
                None => false,
                Some(&c) => match class_match(&p[1..], c) {
                    Some((matched, used)) => {
                        matched && c != '/' && self.from(pi + 1 + used, ni + 1)
                    }
                    None => false,
                },
            },
            Some('\\') if p.len() > 1 => n.first() == Some(&p[1]) && self.from(pi + 2, ni + 1),
            Some(c) => n.first() == Some(c) && self.from(pi + 1, ni + 1),
        };
        self.memo[slot] = Some(result);
        result
    }
}

/// Matches `c` against a class body (after `[`); returns (matched, chars used incl. `]`).
fn class_match(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 0;
    let negate = matches!(p.first(), Some('^') | Some('!'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        let lo = p[i];
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if lo <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if lo == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rendered file whose template declares exactly the kinds it holds.
    fn file(path: &str, text: &str) -> RenderedFile {
        let kinds = text
            .lines()
            .filter_map(|l| l.strip_prefix("kind: "))
            .map(str::to_string)
            .collect();
        RenderedFile {
            path: path.into(),
            text: text.into(),
            emits: Some(super::super::emits::Emits {
                kinds,
                per_instance: false,
            }),
            instances: 2,
        }
    }

    #[test]
    fn splits_like_helm() {
        assert_eq!(
            split_documents("\n---\na: 1\n---   \n\n--- # c\nb: 2\n  \n"),
            vec!["a: 1", "# c\nb: 2"]
        );
        assert!(split_documents("  \n\n").is_empty());
        // The blank at the end of the last line is a literal block's (an empty setting).
        assert_eq!(
            split_documents("data:\n  ini: |\n    a = \n\n  \n"),
            vec!["data:\n  ini: |\n    a = ".to_string()]
        );
    }

    #[test]
    fn sorts_by_install_order_then_path() {
        let files = vec![
            file(
                "c/templates/a.yaml",
                "kind: Deployment\n---\nkind: Service\n",
            ),
            file(
                "c/templates/b.yaml",
                "kind: PodMonitor\n---\nkind: Service\n---\nkind: Alpha\n",
            ),
            file("c/templates/c.yaml", "kind: Secret\n"),
        ];
        let m = sort_rendered(files).unwrap();
        let kinds: Vec<(&str, &str)> = m
            .manifests
            .iter()
            .map(|d| (d.kind.as_str(), d.source.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("Secret", "c/templates/c.yaml"),
                ("Service", "c/templates/a.yaml"),
                ("Service", "c/templates/b.yaml"),
                ("Deployment", "c/templates/a.yaml"),
                ("Alpha", "c/templates/b.yaml"),
                ("PodMonitor", "c/templates/b.yaml"),
            ]
        );
    }

    #[test]
    fn hooks_go_last_and_can_be_filtered() {
        let files = vec![
            file(
                "c/templates/job.yaml",
                "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n",
            ),
            file(
                "c/templates/test.yaml",
                "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test\n",
            ),
            file(
                "c/templates/weird.yaml",
                "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: sometimes\n",
            ),
            file("c/templates/svc.yaml", "kind: Service\n"),
        ];
        let m = sort_rendered(files).unwrap();
        assert_eq!(m.warnings.len(), 1);
        let all = select(
            m.clone(),
            &OutputOptions {
                include_tests: true,
                ..Default::default()
            },
        )
        .unwrap();
        let sources: Vec<&str> = all.iter().map(|d| d.source.as_str()).collect();
        assert_eq!(
            sources,
            vec![
                "c/templates/svc.yaml",
                "c/templates/test.yaml",
                "c/templates/job.yaml"
            ]
        );
        // By default the test hook is left out, unless --show-only names it exactly.
        let no_tests = select(m.clone(), &OutputOptions::default()).unwrap();
        assert_eq!(no_tests.len(), 2);
        assert!(no_tests.iter().all(|d| !d.is_test()));
        let named = |pattern: &str| {
            select(
                m.clone(),
                &OutputOptions {
                    show_only: vec![pattern.into()],
                    ..Default::default()
                },
            )
        };
        assert_eq!(named("templates/test.yaml").unwrap().len(), 1);
        let err = named("templates/t*.yaml").unwrap_err().to_string();
        assert!(
            err.contains("add --include-tests"),
            "a glob is no request: {err}"
        );
        let no_hooks = select(
            m,
            &OutputOptions {
                no_hooks: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(no_hooks.len(), 1);
    }

    #[test]
    fn show_only_keeps_argument_order_and_reports_misses() {
        let files = vec![
            file("c/templates/a.yaml", "kind: Service\n"),
            file("c/charts/x/templates/b.yaml", "kind: Secret\n"),
        ];
        let m = sort_rendered(files).unwrap();
        let sel = OutputOptions {
            show_only: vec![
                "templates/a.yaml".into(),
                "charts/*/templates/*.yaml".into(),
            ],
            ..Default::default()
        };
        let docs = select(m.clone(), &sel).unwrap();
        assert_eq!(docs[0].source, "c/templates/a.yaml");
        assert_eq!(docs[1].source, "c/charts/x/templates/b.yaml");
        let sel = OutputOptions {
            show_only: vec!["templates/missing.yaml".into()],
            ..Default::default()
        };
        let err = select(m, &sel).unwrap_err().to_string();
        assert!(err.contains("could not find template"), "{err}");
    }

    /// The list of templates with output names each template once, however many
    /// documents it has and wherever they sort.
    #[test]
    fn show_only_misses_list_each_template_once() {
        let files = vec![
            file(
                "c/templates/rbac.yaml",
                "kind: Role\n---\nkind: ServiceAccount\n---\nkind: RoleBinding\n",
            ),
            file("c/templates/cm.yaml", "kind: ConfigMap\n"),
        ];
        let sel = OutputOptions {
            show_only: vec!["templates/missing.yaml".into()],
            ..Default::default()
        };
        let err = select(sort_rendered(files).unwrap(), &sel)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("(templates with output: templates/rbac.yaml, templates/cm.yaml)"),
            "{err}"
        );
    }

    #[test]
    fn invalid_yaml_names_the_template() {
        let err = sort_rendered(vec![file("c/templates/bad.yaml", "a: [1\n")]).unwrap_err();
        assert!(err.to_string().contains("c/templates/bad.yaml"), "{err}");
        let err = sort_rendered(vec![file("c/templates/list.yaml", "- 1\n")]).unwrap_err();
        assert!(err.to_string().contains("must be a map"), "{err}");
    }

    #[test]
    fn globs_follow_go_filepath_match() {
        assert!(glob_match("templates/*.yaml", "templates/a.yaml"));
        assert!(!glob_match("templates/*", "templates/x/a.yaml"));
        assert!(glob_match(
            "charts/*/templates/service.yaml",
            "charts/pgbouncerPharia/templates/service.yaml"
        ));
        assert!(glob_match("t/[a-c]?.yaml", "t/bx.yaml"));
        assert!(!glob_match("t/[^a-c]?.yaml", "t/bx.yaml"));
        assert!(glob_match("t/\\*", "t/*"));
        assert!(!glob_match("t/\\*", "t/a"));
    }
}
