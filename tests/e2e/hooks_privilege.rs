//! The hooks' least privilege, against the real kube-apiserver (scripts/kube-apiserver.sh;
//! run by scripts/test.sh like `e2e/hooks_e2e.rs`).
//!
//! What the chart's hooks Role lets the hook's ServiceAccount token do, checked with that
//! very token (minted by the TokenRequest API) and with kubectl as the oracle:
//!
//! - in both source modes: `create` on Secrets only of the two target names, which the
//!   API server can check only for a server-side apply (a PATCH names its object), never
//!   for a POST: so no Secret of type kubernetes.io/service-account-token, no TokenRequest,
//!   no write to any Secret but the two targets, and once a target exists (as the hooks'
//!   Opaque Secret) its type cannot be changed;
//! - in names mode (`hooks.sourceSecretNames`): no `list`, no `watch`, and `get` only on
//!   the named sources and the two targets;
//! - the hooks still do their whole work in both modes, and refuse to overwrite a target
//!   of another type than Opaque (exit 5);
//! - labels and annotations carry keyed fingerprints (HMAC under the admin Secret's
//!   `qspgb-hash-key`), not a plain hash a `view` user could test guesses against.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use crate::util;
use crate::util::apiserver::*;

use qspgb::SecretData;
use qspgb::fingerprint::{FingerprintKey, HASH_KEY};

/// Pharia's credential Secrets of `create_sources`, the CA Secret of its cluster too.
const PHARIA_SOURCES: [&str; 4] = [
    "cluster-pharia-app",
    "cluster-pharia-ca",
    "cluster-pharia-document-index",
    "cluster-pharia-pgbouncer",
];

/// Values for names mode: the selector unset, the sources by name.
fn names_mode() -> Vec<String> {
    vec![
        "--set".into(),
        "pgbouncerPharia.hooks.sourceSecretSelector=null".into(),
        "--set-json".into(),
        format!(
            "pgbouncerPharia.hooks.sourceSecretNames={}",
            serde_json::to_string(&PHARIA_SOURCES).unwrap()
        ),
    ]
}

/// Runs `qspgb hooks` for Pharia with `values`, as `kubeconfig`.
fn hooks(server: &Server, kubeconfig: &Path, ns: &str, values: &[String]) -> std::process::Output {
    let mut args = vec!["hooks", RELEASE, "-n", ns, "--instance", "pharia"];
    args.extend_from_slice(&RESTART_ON_CHANGE);
    args.extend(values.iter().map(String::as_str));
    let out = server.qspgb(Some(kubeconfig), &args);
    assert_no_secret_values(&out);
    out
}

/// kubectl as the hook's token; the stderr when refused, `None` when it succeeded.
fn refused(server: &Server, sa: &Path, args: &[&str], stdin: Option<&str>) -> Option<String> {
    let out = server.kubectl_with(sa, args, stdin);
    (!out.status.success()).then(|| text(&out.stderr))
}

/// Everything the hook's token must not be able to do in either mode, once the hooks ran:
/// create a Secret by POST (plain, of a target's name, or a ServiceAccount token Secret that
/// the token controller would fill for any ServiceAccount), mint a token through the
/// TokenRequest API, write a Secret other than the two targets, by apply or patch, turn a
/// target into a ServiceAccount token Secret.
fn assert_cannot_escalate(server: &Server, ns: &str, sa: &Path) {
    let sa_token_secret = serde_json::json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "minted", "annotations": {"kubernetes.io/service-account.name": HOOKS_SA}},
        "type": "kubernetes.io/service-account-token",
    })
    .to_string();
    let token_request = serde_json::json!({
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
        "spec": {"expirationSeconds": 600},
    })
    .to_string();
    let token_path = format!("/api/v1/namespaces/{ns}/serviceaccounts/{HOOKS_SA}/token");
    let mut target_as_token: serde_json::Value = serde_json::from_str(&sa_token_secret).unwrap();
    target_as_token["metadata"]["name"] = USERLIST.into();
    let target_as_token = target_as_token.to_string();
    let attempts: Vec<(&str, Vec<&str>, Option<&str>)> = vec![
        (
            "create a Secret",
            vec![
                "-n",
                ns,
                "create",
                "secret",
                "generic",
                "x",
                "--from-literal=a=b",
            ],
            None,
        ),
        (
            "create a ServiceAccount token Secret",
            vec!["-n", ns, "create", "-f", "-"],
            Some(&sa_token_secret),
        ),
        (
            "server-side apply a Secret of another name",
            vec![
                "-n",
                ns,
                "apply",
                "--server-side",
                "--field-manager=qspgb-hooks",
                "-f",
                "-",
            ],
            Some(&sa_token_secret),
        ),
        (
            "create a Secret of a target's name by POST",
            vec![
                "-n",
                ns,
                "create",
                "secret",
                "generic",
                USERLIST,
                "--from-literal=a=b",
            ],
            None,
        ),
        (
            "request a token of its own ServiceAccount",
            vec!["create", "--raw", &token_path, "-f", "-"],
            Some(&token_request),
        ),
        (
            "patch a source Secret",
            vec![
                "-n",
                ns,
                "patch",
                "secret",
                "cluster-pharia-app",
                "-p",
                r#"{"data":{"password":"eA=="}}"#,
            ],
            None,
        ),
        (
            "delete a target Secret",
            vec!["-n", ns, "delete", "secret", USERLIST],
            None,
        ),
    ];
    for (what, args, stdin) in attempts {
        let stderr = refused(server, sa, &args, stdin)
            .unwrap_or_else(|| panic!("the hook's token could {what}"));
        assert!(stderr.contains("forbidden"), "{what}: {stderr}");
    }
    // A target exists: applying it as a token Secret fails (a Secret's type is immutable).
    let out = server.kubectl_with(
        sa,
        &[
            "-n",
            ns,
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=qspgb-hooks",
            "-f",
            "-",
        ],
        Some(&target_as_token),
    );
    assert!(!out.status.success(), "a target turned into a token Secret");
    assert!(
        text(&out.stderr).contains("field is immutable"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        server.get(ns, &format!("secret/{USERLIST}")).unwrap()["type"],
        "Opaque"
    );
    assert!(server.get(ns, "secret/minted").is_none());
    assert!(server.get(ns, "secret/x").is_none());
    let who = format!("--as=system:serviceaccount:{ns}:{HOOKS_SA}");
    assert_eq!(server.can_i(ns, "create", "secrets", &who), "no");
    assert_eq!(
        server.can_i(ns, "create", "serviceaccounts/token", &who),
        "no"
    );
}

/// The Role's Secret rules as (verbs, resourceNames) pairs.
fn secret_rules(server: &Server, ns: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let role = server.get(ns, &format!("role/{HOOKS_SA}")).unwrap();
    let strings = |v: &Json| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    role["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["resources"][0] == "secrets")
        .map(|r| (strings(&r["verbs"]), strings(&r["resourceNames"])))
        .collect()
}

fn data_of(secret: &Json) -> SecretData {
    decoded_data(secret)
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect()
}

/// The Role's rule on the hook's two target Secrets, in either mode: create, read and write
/// them by name, nothing more.
fn targets_rule() -> (Vec<String>, Vec<String>) {
    (
        ["create", "get", "update", "patch"]
            .map(String::from)
            .to_vec(),
        vec![USERLIST.to_string(), ADMIN.to_string()],
    )
}

#[test]
fn selector_mode_creates_only_its_targets_and_cannot_escalate() {
    let server = server();
    let (ns, sa) = server.hooks_namespace("priv-selector", &[]);
    assert_eq!(
        secret_rules(&server, &ns),
        [(vec!["list".to_string()], vec![]), targets_rule(),]
    );
    // The first run creates both Secrets (server-side apply by name) with the token.
    let out = hooks(&server, &sa, &ns, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("secret/{USERLIST}: created"))
            && stdout.contains(&format!("secret/{ADMIN}: created")),
        "{stdout}"
    );
    server.assert_secret(&ns, USERLIST, &[("userlist.txt", PHARIA_USERLIST)]);
    let userlist = server.get(&ns, &format!("secret/{USERLIST}")).unwrap();
    let managers: Vec<&str> = userlist["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert_eq!(managers, ["qspgb-hooks"], "created by the hooks' apply");
    assert_cannot_escalate(&server, &ns, &sa);
    // What selector mode costs, as the README says: the token lists every Secret.
    let listed = server.kubectl_with(&sa, &["-n", &ns, "get", "secrets", "-o", "name"], None);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert!(text(&listed.stdout).contains("secret/unlabelled"));
}

#[test]
fn names_mode_reads_exactly_the_named_secrets() {
    let server = server();
    let values = names_mode();
    let (ns, sa) = server.hooks_namespace("priv-names", &values);
    let mut sources: Vec<String> = PHARIA_SOURCES.iter().map(|s| s.to_string()).collect();
    sources.sort();
    assert_eq!(
        secret_rules(&server, &ns),
        [(vec!["get".to_string()], sources), targets_rule(),],
        "no list, no watch, create only of the two targets"
    );
    let out = hooks(&server, &sa, &ns, &values);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "pgbouncerPharia: 3 roles from 4 Secrets matching names cluster-pharia-app, \
             cluster-pharia-ca, cluster-pharia-document-index, cluster-pharia-pgbouncer \
             (1 skipped)\n"
        ),
        "{stdout}"
    );
    server.assert_secret(&ns, USERLIST, &[("userlist.txt", PHARIA_USERLIST)]);
    // A rerun with nothing changed writes nothing.
    let out = hooks(&server, &sa, &ns, &values);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&format!("secret/{USERLIST}: unchanged")));
    assert_cannot_escalate(&server, &ns, &sa);
    // Nothing but the named Secrets and the targets can be read: no list, no watch, no
    // get of another Secret (the other cluster's, an unlabelled one).
    for args in [
        vec!["-n", ns.as_str(), "get", "secrets"],
        vec![
            "-n",
            ns.as_str(),
            "get",
            "secrets",
            "--watch",
            "--request-timeout=2s",
        ],
        vec!["-n", ns.as_str(), "get", "secret", "cluster-other-app"],
        vec!["-n", ns.as_str(), "get", "secret", "unlabelled"],
    ] {
        let stderr = refused(&server, &sa, &args, None)
            .unwrap_or_else(|| panic!("names mode allowed {args:?}"));
        assert!(stderr.contains("forbidden"), "{args:?}: {stderr}");
    }
    assert!(
        refused(
            &server,
            &sa,
            &["-n", &ns, "get", "secret", "cluster-pharia-app"],
            None
        )
        .is_none()
    );
    // A named Secret that is missing is a source error (exit 3) naming it; nothing written.
    server.kubectl(&["-n", &ns, "delete", "secret", "cluster-pharia-ca"], None);
    let before = server.resource_version(&ns, &format!("secret/{USERLIST}"));
    let out = hooks(&server, &sa, &ns, &values);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(
            "secret/cluster-pharia-ca, named in pgbouncerPharia.hooks.sourceSecretNames, \
             does not exist"
        ),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        server.resource_version(&ns, &format!("secret/{USERLIST}")),
        before
    );
}

#[test]
fn a_target_of_another_type_is_never_overwritten() {
    let server = server();
    let ns = server.namespace("priv-type");
    create_sources(&server, &ns);
    server.kubectl(&["-n", &ns, "create", "serviceaccount", "app"], None);
    let foreign = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Secret",
         "metadata": {"name": "app-token", "annotations": {"kubernetes.io/service-account.name": "app"}},
         "type": "kubernetes.io/service-account-token",
         "data": {"token": base64("not-a-real-token")}},
        {"apiVersion": "v1", "kind": "Secret",
         "metadata": {"name": "app-tls"},
         "type": "kubernetes.io/tls",
         "data": {"tls.crt": base64("crt"), "tls.key": base64("key")}},
    ]});
    server.kubectl(
        &["-n", &ns, "create", "-f", "-"],
        Some(&foreign.to_string()),
    );
    let before: BTreeMap<String, Json> =
        server.objects(&ns, &["secret/app-token", "secret/app-tls"]);
    for (key, name, kind) in [
        (
            "existingUserlistSecret",
            "app-token",
            "kubernetes.io/service-account-token",
        ),
        ("existingAdminSecret", "app-tls", "kubernetes.io/tls"),
    ] {
        // As admin: RBAC is no guard here, the hooks' own check is.
        let set = format!("pgbouncerPharia.config.{key}={name}");
        let out = hooks(&server, &server.kubeconfig, &ns, &["--set".into(), set]);
        assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "secret/{name} exists with type {kind:?}; the hooks only write Opaque Secrets"
            )),
            "{stderr}"
        );
        assert!(!stderr.contains("not-a-real-token"), "{stderr}");
    }
    assert_eq!(
        server.objects(&ns, &["secret/app-token", "secret/app-tls"]),
        before,
        "byte for byte as they were"
    );
    // Nothing was written for the other target either: the check comes before any write.
    assert!(server.get(&ns, &format!("secret/{USERLIST}")).is_none());
    assert!(server.get(&ns, &format!("secret/{ADMIN}")).is_none());
}

fn base64(text: &str) -> String {
    util::base64_encode(text.as_bytes())
}

#[test]
fn labels_and_annotations_carry_keyed_fingerprints_and_the_key_is_kept() {
    let server = server();
    let (ns, sa) = server.hooks_namespace("priv-hmac", &[]);
    let out = hooks(&server, &sa, &ns, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let check = |expect_restart: bool| -> Vec<u8> {
        let userlist = server.get(&ns, &format!("secret/{USERLIST}")).unwrap();
        let admin = server.get(&ns, &format!("secret/{ADMIN}")).unwrap();
        let (userlist_data, admin_data) = (data_of(&userlist), data_of(&admin));
        let stored = admin_data[HASH_KEY].clone();
        let key = FingerprintKey::from_stored(&stored).expect("a 64-hex-digit key");
        for (secret, data) in [(&userlist, &userlist_data), (&admin, &admin_data)] {
            let label = secret["metadata"]["labels"]["qspgb/source-hash"]
                .as_str()
                .unwrap();
            assert_eq!(label, &key.data(data)[..32]);
            assert_ne!(label, &plain_sha256(data)[..32], "not the unkeyed hash");
        }
        let annotation = restart_annotation(&server, &ns, "deployment/pgbouncer-pharia");
        if expect_restart {
            assert_eq!(
                annotation.as_deref(),
                Some(key.content(&userlist_data, &admin_data).as_str())
            );
        }
        // No label or annotation anywhere holds a plain sha256 of Secret data.
        for value in [&userlist_data, &admin_data].map(plain_sha256) {
            let all = server.kubectl(
                &["-n", &ns, "get", "secrets,deployments", "-o", "json"],
                None,
            );
            assert!(!all.contains(&value[..32]), "a plain hash is visible");
        }
        stored
    };
    let key = check(true);
    // A changed password: new content, new fingerprints, the same key.
    server.write_source_secret(
        "replace",
        &ns,
        "cluster-pharia",
        "cluster-pharia-app",
        &[("username", b"pharia_os"), ("password", b"pharia-pw-2")],
    );
    let out = hooks(&server, &sa, &ns, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&format!("secret/{USERLIST}: updated")));
    assert!(text(&out.stdout).contains(&format!("secret/{ADMIN}: unchanged")));
    assert_eq!(check(true), key, "the key is kept across runs");
    // A key someone damaged is replaced by a new one (and the admin Secret rewritten).
    server.kubectl(
        &[
            "-n",
            &ns,
            "patch",
            "secret",
            ADMIN,
            "-p",
            r#"{"data":{"qspgb-hash-key":"eA=="}}"#,
        ],
        None,
    );
    let out = hooks(&server, &sa, &ns, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&format!("secret/{ADMIN}: updated")));
    let renewed = check(true);
    assert_ne!(renewed, key);
    assert_ne!(renewed, b"x");
}

/// The unkeyed hash the hooks used to publish: sha256 over length-prefixed keys and values.
fn plain_sha256(data: &SecretData) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (key, value) in data {
        hasher.update((key.len() as u64).to_be_bytes());
        hasher.update(key.as_bytes());
        hasher.update((value.len() as u64).to_be_bytes());
        hasher.update(value);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why the Role keeps `create` (limited to the two names): measured, a server-side apply
/// that creates its object is authorized as `create` of that name too. With the Role's
/// `create` taken out, the first run is refused (exit 4, naming the verb); nothing is
/// written. With the Role as rendered it works (the other tests).
#[test]
fn creating_by_server_side_apply_needs_create_of_the_name() {
    let server = server();
    let (ns, sa) = server.hooks_namespace("priv-ssa-create", &[]);
    let mut role = server.get(&ns, &format!("role/{HOOKS_SA}")).unwrap();
    for rule in role["rules"].as_array_mut().unwrap() {
        if rule["resourceNames"].is_array() {
            rule["verbs"]
                .as_array_mut()
                .unwrap()
                .retain(|v| v != "create");
        }
    }
    server.kubectl(&["-n", &ns, "replace", "-f", "-"], Some(&role.to_string()));
    server.wait_for_rbac(&ns, "create", &format!("secrets/{USERLIST}"), "no");
    let out = hooks(&server, &sa, &ns, &[]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("creating secret/{USERLIST}: 403 Forbidden")),
        "{stderr}"
    );
    assert!(server.get(&ns, &format!("secret/{USERLIST}")).is_none());
    assert!(server.get(&ns, &format!("secret/{ADMIN}")).is_none());
}
