//! `hooks.sourceSecretSelector` through the real binary: a map the user gives replaces the
//! product's labels (src/values/replace.rs), in what `qspgb values` shows and in what the
//! rendered hook Job passes to `qspgb hooks`; unset and `null` keep Helm's behaviour.

use serde_yaml::Value;

use crate::util::{qspgb, render_error, stderr, yaml};

/// Pharia's selector as `qspgb values` shows it for these flags (`None`: no key).
fn pharia_selector(flags: &[&str]) -> Option<Value> {
    let mut args = vec!["values"];
    args.extend_from_slice(flags);
    let out = qspgb(&args);
    assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
    let values: Value = serde_yaml::from_slice(&out.stdout).unwrap();
    values["pgbouncerPharia"]["hooks"]
        .get("sourceSecretSelector")
        .cloned()
}

#[test]
fn a_user_selector_replaces_the_product_labels() {
    let product = yaml(
        "{app.kubernetes.io/name: qs-postgresql-cluster, qs-postgresql-cluster/name: cluster-pharia}",
    );
    let cases: [(&[&str], Option<Value>); 6] = [
        (&[], Some(product)),
        (
            &[
                "--set",
                "pgbouncerPharia.hooks.sourceSecretSelector.cnpg\\.io/cluster=pg",
            ],
            Some(yaml("{cnpg.io/cluster: pg}")),
        ),
        (
            &[
                "--set-json",
                r#"pgbouncerPharia.hooks.sourceSecretSelector={"cnpg.io/cluster":"pg"}"#,
            ],
            Some(yaml("{cnpg.io/cluster: pg}")),
        ),
        // Two inputs of the user's merge among themselves, then replace the default.
        (
            &[
                "--set-json",
                r#"pgbouncerPharia.hooks.sourceSecretSelector={"cnpg.io/cluster":"pg"}"#,
                "--set",
                "pgbouncerPharia.hooks.sourceSecretSelector.tier=db",
            ],
            Some(yaml("{cnpg.io/cluster: pg, tier: db}")),
        ),
        (
            &[
                "--set",
                "pgbouncerPharia.hooks.sourceSecretSelector=null",
                "--set-json",
                r#"pgbouncerPharia.hooks.sourceSecretNames=["a"]"#,
            ],
            None,
        ),
        (
            &[
                "--set-json",
                r#"pgbouncerPharia.hooks.sourceSecretSelector={}"#,
                "--set-json",
                r#"pgbouncerPharia.hooks.sourceSecretNames=["a"]"#,
            ],
            Some(yaml("{}")),
        ),
    ];
    for (flags, expected) in cases {
        assert_eq!(pharia_selector(flags), expected, "{flags:?}");
    }
}

/// `{}` is no selector: with hooks on and no names it is refused, naming the key (an empty
/// selector would match every Secret of the namespace).
#[test]
fn an_empty_user_selector_is_no_selector() {
    let err = render_error(&[
        "--set-json",
        r#"pgbouncerPharia.hooks.sourceSecretSelector={}"#,
    ]);
    assert!(
        err.contains(
            "pgbouncerPharia.hooks.enabled needs pgbouncerPharia.hooks.sourceSecretSelector"
        ),
        "{err}"
    );
}

/// The hook Job carries the user's selector alone, so the hooks in the cluster list by it.
#[test]
fn the_hook_job_passes_the_users_selector_alone() {
    let out = qspgb(&[
        "render",
        "-s",
        "charts/pgbouncerPharia/templates/hooks-job.yaml",
        "--set-json",
        r#"pgbouncerPharia.hooks.sourceSecretSelector={"cnpg.io/cluster":"pg"}"#,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(r#""sourceSecretSelector":{"cnpg.io/cluster":"pg"}"#),
        "{text}"
    );
}
