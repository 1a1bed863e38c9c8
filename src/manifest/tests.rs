use super::rewrite::{add_namespace, to_argocd_hooks};
use super::*;
use crate::manifest::split::split_documents;
use crate::render::RenderedFile;
use crate::render::emits::Emits;
use crate::yaml;
use anyhow::Result;

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
        emits: Some(Emits {
            kinds,
            per_instance: false,
            tests: false,
        }),
        instances: 2,
    }
}

/// [`read_documents`] for every file, then [`sort_manifests`], as the release pipeline
/// does it.
fn sort_rendered(files: Vec<RenderedFile>) -> Result<Manifests> {
    let files = files
        .into_iter()
        .map(read_documents)
        .collect::<Result<Vec<_>>>()?;
    Ok(sort_manifests(files))
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

/// A document as [`read_documents`] makes it: its text, parsed once.
fn doc(kind: &str, content: &str, hooks: &[&str]) -> Document {
    Document {
        source: "c/templates/x.yaml".into(),
        index: 0,
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
    assert_eq!(
        d.object.path("metadata.namespace"),
        Some(&Value::String("pharia-ai".into())),
        "the object is rewritten with its text"
    );
}

#[test]
fn existing_namespaces_and_cluster_scoped_kinds_are_left_alone() {
    let text = "kind: Secret\nmetadata:\n  name: a\n  namespace: other";
    let mut d = doc("Secret", text, &[]);
    let before = d.clone();
    add_namespace(&mut d, "ns").unwrap();
    assert_eq!(d, before);
    let text = "kind: ClusterRole\nmetadata:\n  name: a";
    let mut d = doc("ClusterRole", text, &[]);
    let before = d.clone();
    add_namespace(&mut d, "ns").unwrap();
    assert_eq!(d, before);
}

#[test]
fn a_refused_document_is_left_as_it_was() {
    let mut d = doc("ConfigMap", "kind: ConfigMap\nmetadata: name", &[]);
    let before = d.clone();
    let err = add_namespace(&mut d, "ns").unwrap_err().to_string();
    assert_eq!(err, "c/templates/x.yaml: metadata is not a map");
    assert_eq!(d, before);
}

#[test]
fn flow_metadata_is_reserialized() {
    let mut d = doc("ConfigMap", "kind: ConfigMap\nmetadata: {name: a}", &[]);
    add_namespace(&mut d, "ns").unwrap();
    assert_eq!(
        d.content,
        "kind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns"
    );
    // Without metadata, the object gets one.
    let mut d = doc("ConfigMap", "kind: ConfigMap", &[]);
    add_namespace(&mut d, "ns").unwrap();
    assert_eq!(d.content, "kind: ConfigMap\nmetadata:\n  namespace: ns");
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
    assert_eq!(
        out.object,
        yaml::parse_values(&out.content, "test").unwrap(),
        "the object is what the text says"
    );
    assert_eq!(out.hook_events, ["pre-install", "pre-upgrade"]);
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
