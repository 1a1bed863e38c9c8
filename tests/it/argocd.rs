//! The Argo CD plugin as Argo CD runs it: `qspgb argocd generate` in an application source
//! directory with Argo CD's environment, and the deploy/argocd files themselves.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_yaml::Value;

/// An application source directory like Argo CD checks out: marker file and values files.
fn source_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qspgb-argocd-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".qspgb"), "").unwrap();
    std::fs::write(
        dir.join("values.yaml"),
        "pgbouncerPharia:\n  replicaCount: 5\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("values-prod.yaml"),
        "pgbouncerTemporal:\n  enabled: false\n",
    )
    .unwrap();
    dir
}

/// Runs `qspgb argocd generate` with only the given environment (plus PATH).
fn generate(dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qspgb"));
    cmd.args(["argocd", "generate"])
        .current_dir(dir)
        .env_clear();
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run qspgb")
}

fn docs(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_yaml::from_str(d).expect("stdout is manifests only"))
        .collect()
}

#[test]
fn generate_renders_from_the_argocd_environment() {
    let dir = source_dir("ok");
    let out = generate(
        &dir,
        &[
            ("ARGOCD_APP_NAME", "qs-pgbouncer"),
            ("ARGOCD_APP_NAMESPACE", "pharia-ai"),
            ("ARGOCD_APP_REVISION", "0123abc"),
            ("KUBE_VERSION", "1.31"),
            ("KUBE_API_VERSIONS", "v1,apps/v1,monitoring.coreos.com/v1"),
            ("ARGOCD_ENV_QSPGB_VALUES", "values.yaml,values-prod.yaml"),
            (
                "ARGOCD_APP_PARAMETERS",
                r#"[{"name":"set","map":{"pgbouncerPharia.config.pgbouncer.max_client_conn":"1000"}},{"name":"namespace-in-manifests","string":"true"}]"#,
            ),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs = docs(&out);
    assert!(!docs.is_empty());
    for d in &docs {
        assert_eq!(d["metadata"]["namespace"], "pharia-ai", "{d:?}");
        assert_eq!(
            d["metadata"]["labels"]["app.kubernetes.io/instance"],
            "qs-pgbouncer"
        );
    }
    let deployments: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "Deployment").collect();
    assert_eq!(
        deployments.len(),
        1,
        "Temporal disabled by values-prod.yaml"
    );
    assert_eq!(deployments[0]["spec"]["replicas"], 5);
    let cm = docs.iter().find(|d| d["kind"] == "ConfigMap").unwrap();
    assert!(
        cm["data"]["pgbouncer.ini"]
            .as_str()
            .unwrap()
            .contains("max_client_conn = 1000\n")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_go_to_stderr_with_nothing_on_stdout() {
    let dir = source_dir("err");
    for env in [
        vec![
            ("ARGOCD_APP_NAME", "qs-pgbouncer"),
            ("ARGOCD_ENV_QSPGB_VALUES", "missing.yaml"),
        ],
        vec![("ARGOCD_APP_NAME", "Not_Valid")],
        vec![],
        vec![("ARGOCD_APP_NAME", "a"), ("ARGOCD_APP_PARAMETERS", "[{")],
    ] {
        let out = generate(&dir, &env);
        assert_eq!(out.status.code(), Some(1), "{env:?}");
        assert!(
            out.stdout.is_empty(),
            "{env:?}: stdout must be manifests only"
        );
        assert!(!out.stderr.is_empty());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn empty_output_is_an_error_unless_allowed() {
    let dir = source_dir("empty");
    let off = (
        "ARGOCD_ENV_QSPGB_ARGS",
        "--set pgbouncerPharia.enabled=false,pgbouncerTemporal.enabled=false",
    );
    let out = generate(&dir, &[("ARGOCD_APP_NAME", "a"), off]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no documents"));
    let out = generate(
        &dir,
        &[
            ("ARGOCD_APP_NAME", "a"),
            off,
            ("ARGOCD_ENV_QSPGB_ALLOW_EMPTY", "true"),
        ],
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn deploy_files_are_consistent() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/argocd");
    let read = |f: &str| -> Value {
        serde_yaml::from_str(&std::fs::read_to_string(root.join(f)).unwrap()).unwrap()
    };
    let plugin = read("plugin.yaml");
    assert_eq!(plugin["kind"], "ConfigManagementPlugin");
    let cm = read("plugin-configmap.yaml");
    let embedded: Value =
        serde_yaml::from_str(cm["data"]["plugin.yaml"].as_str().unwrap()).unwrap();
    assert_eq!(
        embedded, plugin,
        "plugin-configmap.yaml must carry plugin.yaml unchanged"
    );
    // The generate command is our CLI's; clap parses it.
    let command: Vec<String> = plugin["spec"]["generate"]["command"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(&command[1..], ["argocd", "generate"]);
    let sidecar = &read("repo-server-patch.yaml")["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(sidecar["securityContext"]["runAsUser"], 999);
    assert_eq!(sidecar["command"][0], "/var/run/argocd/argocd-cmp-server");
    let app = read("application.yaml");
    let name = format!(
        "{}-{}",
        plugin["metadata"]["name"].as_str().unwrap(),
        plugin["spec"]["version"].as_str().unwrap()
    );
    assert_eq!(app["spec"]["source"]["plugin"]["name"], name.as_str());
    // Every parameter the Application sets is one the plugin announces.
    let announced: Vec<&str> = plugin["spec"]["parameters"]["static"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in app["spec"]["source"]["plugin"]["parameters"]
        .as_sequence()
        .unwrap()
    {
        assert!(announced.contains(&p["name"].as_str().unwrap()));
    }
}
