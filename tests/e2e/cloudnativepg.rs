//! docs/cloudnativepg.md's quick start against the real kube-apiserver: the Secrets a
//! CloudNativePG Cluster has, the values `qspgb examples cloudnativepg` prints (a selector
//! of the user's own), and `qspgb hooks` run as the quick start runs it.
//!
//! The Secrets are shaped as CloudNativePG creates them (read in cloudnative-pg's source,
//! not copied): `pkg/specs/secrets.go` `CreateSecret` makes a `kubernetes.io/basic-auth`
//! Secret with the keys `username`, `user`, `password`, `dbname`, `host` (the Cluster's
//! `<cluster>-rw` Service), `port`, `pgpass`, `uri`, `jdbc-uri`, `fqdn-uri` and
//! `fqdn-jdbc-uri`, labelled `cnpg.io/userType` (`app` or `superuser`), `cnpg.io/reload:
//! "true"` and `app.kubernetes.io/managed-by: cloudnative-pg`; the controller then calls
//! `Cluster.SetInheritedDataAndOwnership`, whose `utils.LabelClusterName` adds
//! `cnpg.io/cluster: <cluster>` (`pkg/utils/labels_annotations.go`: `ClusterLabelName =
//! "cnpg.io/cluster"`). The application Secret is `<cluster>-app` (owner `app`, database
//! `app`). A managed role's password Secret (`spec.managed.roles[].passwordSecret`) is the
//! user's own `kubernetes.io/basic-auth` Secret with `username` and `password`; the quick
//! start labels it `cnpg.io/cluster` so the selector finds it.

use crate::util::apiserver::*;
use crate::util::{base64_decode, empty_dir};

/// Data of a Secret as `CreateSecret` fills it, for a Cluster `cluster` in `ns`.
fn cnpg_credentials(
    cluster: &str,
    ns: &str,
    user: &str,
    db: &str,
    password: &str,
) -> Vec<(String, String)> {
    let host = format!("{cluster}-rw");
    let namespaced = format!("{host}.{ns}:5432");
    let fqdn = format!("{host}.{ns}.svc.cluster.local:5432");
    vec![
        ("username".into(), user.into()),
        ("user".into(), user.into()),
        ("password".into(), password.into()),
        ("dbname".into(), db.into()),
        ("host".into(), host.clone()),
        ("port".into(), "5432".into()),
        (
            "pgpass".into(),
            format!("{host}:5432:{db}:{user}:{password}\n"),
        ),
        (
            "uri".into(),
            format!("postgresql://{user}:{password}@{namespaced}/{db}"),
        ),
        (
            "jdbc-uri".into(),
            format!("jdbc:postgresql://{namespaced}/{db}?password={password}&user={user}"),
        ),
        (
            "fqdn-uri".into(),
            format!("postgresql://{user}:{password}@{fqdn}/{db}"),
        ),
        (
            "fqdn-jdbc-uri".into(),
            format!("jdbc:postgresql://{fqdn}/{db}?password={password}&user={user}"),
        ),
    ]
}

/// Creates a `kubernetes.io/basic-auth` Secret with these labels and data.
fn basic_auth_secret(
    server: &Server,
    ns: &str,
    name: &str,
    labels: &[(&str, &str)],
    data: &[(String, String)],
) {
    let labels: serde_json::Map<String, serde_json::Value> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect();
    let data: serde_json::Map<String, serde_json::Value> = data
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                serde_json::Value::String(crate::util::base64_encode(v.as_bytes())),
            )
        })
        .collect();
    let secret = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "labels": labels},
        "type": "kubernetes.io/basic-auth",
        "data": data,
    });
    server.kubectl(&["-n", ns, "create", "-f", "-"], Some(&secret.to_string()));
}

/// A Cluster's Secrets: `<cluster>-app` as the operator makes it, and the `pgbouncer`
/// managed role's password Secret as the quick start tells the user to make it.
fn cluster_secrets(
    server: &Server,
    ns: &str,
    cluster: &str,
    app_password: &str,
    admin_password: &str,
) {
    basic_auth_secret(
        server,
        ns,
        &format!("{cluster}-app"),
        &[
            ("cnpg.io/cluster", cluster),
            ("cnpg.io/reload", "true"),
            ("cnpg.io/userType", "app"),
            ("app.kubernetes.io/managed-by", "cloudnative-pg"),
        ],
        &cnpg_credentials(cluster, ns, "app", "app", app_password),
    );
    basic_auth_secret(
        server,
        ns,
        &format!("{cluster}-pgbouncer"),
        &[("cnpg.io/cluster", cluster), ("cnpg.io/reload", "true")],
        &[
            ("username".into(), "pgbouncer".into()),
            ("password".into(), admin_password.into()),
        ],
    );
}

#[test]
fn the_quick_start_selector_finds_cloudnativepg_secrets() {
    let server = server();
    let ns = server.namespace("cnpg");
    cluster_secrets(
        &server,
        &ns,
        "pg-pharia",
        "pharia-app-pw",
        "pharia-admin-pw",
    );
    cluster_secrets(
        &server,
        &ns,
        "pg-temporal",
        "temporal-app-pw",
        "temporal-admin-pw",
    );

    // The quick start: the example as the user gets it, from an empty directory.
    let dir = empty_dir("cnpg-quick-start");
    let example = server.qspgb(None, &["examples", "cloudnativepg"]);
    assert!(example.status.success(), "{}", text(&example.stderr));
    std::fs::write(dir.join("values.yaml"), &example.stdout).unwrap();
    let values = dir.join("values.yaml");
    let values = values.to_str().unwrap();

    let out = server.qspgb(None, &["hooks", RELEASE, "-n", &ns, "-f", values]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret_values(&out);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("2 roles from 2 Secrets matching cnpg.io/cluster=pg-pharia"),
        "{stdout}"
    );
    for (instance, app, admin) in [
        ("pharia", "pharia-app-pw", "pharia-admin-pw"),
        ("temporal", "temporal-app-pw", "temporal-admin-pw"),
    ] {
        server.assert_secret(
            &ns,
            &format!("pgbouncer-{instance}-userlist"),
            &[(
                "userlist.txt",
                &format!("\"app\" \"{app}\"\n\"pgbouncer\" \"{admin}\"\n"),
            )],
        );
        server.assert_admin_secret(&ns, &format!("pgbouncer-{instance}-admin"), admin);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The negative control: before a user's selector replaced the product's, it was merged
/// with the product's two labels. That selector matches none of CloudNativePG's Secrets
/// (kubectl, an independent oracle, says so), and the hooks given it find no source and
/// write nothing (exit 3).
#[test]
fn the_old_merged_selector_matched_nothing() {
    let server = server();
    let ns = server.namespace("cnpg-merged");
    cluster_secrets(
        &server,
        &ns,
        "pg-pharia",
        "pharia-app-pw",
        "pharia-admin-pw",
    );
    let merged = "app.kubernetes.io/name=qs-postgresql-cluster,qs-postgresql-cluster/name=cluster-pharia,cnpg.io/cluster=pg-pharia";
    let names = |selector: &str| {
        server.kubectl(
            &["-n", &ns, "get", "secrets", "-l", selector, "-o", "name"],
            None,
        )
    };
    assert_eq!(names(merged).trim(), "");
    assert_eq!(
        names("cnpg.io/cluster=pg-pharia").lines().count(),
        2,
        "the user's own selector finds both"
    );

    let out = server.qspgb(
        None,
        &[
            "hooks",
            RELEASE,
            "-n",
            &ns,
            "--instance",
            "pharia",
            "--set-json",
            r#"pgbouncerPharia.hooks.sourceSecretSelector={"app.kubernetes.io/name":"qs-postgresql-cluster","qs-postgresql-cluster/name":"cluster-pharia","cnpg.io/cluster":"pg-pharia"}"#,
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        server
            .get(&ns, "secret/pgbouncer-pharia-userlist")
            .is_none()
    );
    assert!(server.get(&ns, "secret/pgbouncer-pharia-admin").is_none());
    // The decoded CloudNativePG Secret is what it claims to be (the fixture is right).
    let app = server.get(&ns, "secret/pg-pharia-app").unwrap();
    assert_eq!(app["type"], "kubernetes.io/basic-auth");
    assert_eq!(
        base64_decode(app["data"]["host"].as_str().unwrap()),
        "pg-pharia-rw"
    );
}
