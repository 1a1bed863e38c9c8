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
    // The plugin announces exactly the parameters generate takes, each with its type.
    let code: Vec<(&str, &str)> = qspgb::ARGOCD_PARAMETERS
        .iter()
        .map(|(name, kind, _)| (*name, *kind))
        .collect();
    let plugin_params: Vec<(&str, &str)> = plugin["spec"]["parameters"]["static"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["collectionType"].as_str().unwrap_or("string"),
            )
        })
        .collect();
    assert_eq!(plugin_params, code, "plugin.yaml's parameters");
    // Versioned plugin names: the plugin is qspgb-v<version of this binary>, and the
    // sidecar's image is that version's.
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(plugin["spec"]["version"], format!("v{version}").as_str());
    assert!(
        sidecar["image"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":{version}")),
        "{:?}",
        sidecar["image"]
    );
}

/// Argo CD's environment for an Application's `spec.source.plugin`: each `env` entry as
/// `ARGOCD_ENV_<name>`, the parameters as `ARGOCD_APP_PARAMETERS` JSON (as Argo CD's
/// repo-server passes them to the sidecar).
fn application_env(app: &Value) -> Vec<(String, String)> {
    let plugin = &app["spec"]["source"]["plugin"];
    let mut env = vec![
        (
            "ARGOCD_APP_NAME".to_string(),
            app["metadata"]["name"].as_str().unwrap().to_string(),
        ),
        (
            "ARGOCD_APP_NAMESPACE".to_string(),
            app["spec"]["destination"]["namespace"]
                .as_str()
                .unwrap()
                .to_string(),
        ),
    ];
    for e in plugin["env"].as_sequence().unwrap() {
        env.push((
            format!("ARGOCD_ENV_{}", e["name"].as_str().unwrap()),
            e["value"].as_str().unwrap().to_string(),
        ));
    }
    let params: serde_json::Value = serde_json::to_value(&plugin["parameters"]).unwrap();
    env.push(("ARGOCD_APP_PARAMETERS".to_string(), params.to_string()));
    env
}

#[test]
fn the_example_application_renders_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/argocd");
    let app: Value =
        serde_yaml::from_str(&std::fs::read_to_string(root.join("application.yaml")).unwrap())
            .unwrap();
    let dir = source_dir("application");
    std::fs::write(
        dir.join("values-production.yaml"),
        "pgbouncerTemporal:\n  enabled: false\n",
    )
    .unwrap();
    let env = application_env(&app);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = generate(&dir, &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs = docs(&out);
    let deployment = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
    // `set` (4) wins over values.yaml (5).
    assert_eq!(deployment["spec"]["replicas"], 4);
    let cm = docs.iter().find(|d| d["kind"] == "ConfigMap").unwrap();
    assert!(
        cm["data"]["pgbouncer.ini"]
            .as_str()
            .unwrap()
            .contains("max_client_conn = 400\n"),
        "values-inline applies"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn params(json: serde_json::Value) -> String {
    json.to_string()
}

fn replicas(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    docs(out)
        .into_iter()
        .find(|d| d["kind"] == "Deployment")
        .unwrap()["spec"]["replicas"]
        .clone()
}

/// Inline values come after every values file (values.yaml sets 5) and before `set`, as
/// Argo CD orders Helm's `valueFiles`, `values`/`valuesObject` and `parameters`.
#[test]
fn inline_values_apply_after_values_files_and_before_set() {
    let dir = source_dir("inline");
    let inline = "pgbouncerPharia:\n  replicaCount: 6\n";
    let run = |parameters: serde_json::Value| {
        let p = params(parameters);
        generate(
            &dir,
            &[
                ("ARGOCD_APP_NAME", "qs-pgbouncer"),
                ("ARGOCD_ENV_QSPGB_VALUES", "values.yaml"),
                ("ARGOCD_APP_PARAMETERS", p.as_str()),
            ],
        )
    };
    assert_eq!(replicas(&run(serde_json::json!([]))), 5);
    assert_eq!(
        replicas(&run(
            serde_json::json!([{"name": "values-inline", "string": inline}])
        )),
        6
    );
    assert_eq!(
        replicas(&run(serde_json::json!([
            {"name": "set", "map": {"pgbouncerPharia.replicaCount": "7"}},
            {"name": "values-inline", "string": inline},
        ]))),
        7
    );
    // PARAM_VALUES_INLINE when ARGOCD_APP_PARAMETERS is absent.
    let out = generate(
        &dir,
        &[
            ("ARGOCD_APP_NAME", "qs-pgbouncer"),
            ("PARAM_VALUES_0", "values.yaml"),
            ("PARAM_VALUES_INLINE", inline),
        ],
    );
    assert_eq!(replicas(&out), 6);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Inline values are values, checked like a values file and named as the parameter: they
/// cannot add a document or a field, and a secret in them is never printed.
#[test]
fn inline_values_cannot_inject_and_errors_name_the_parameter() {
    let dir = source_dir("inline-bad");
    for (inline, fragment) in [
        (
            "pgbouncerPharia:\n  replicaCont: 6\n",
            "parameter values-inline",
        ),
        (
            "pgbouncerPharia:\n  replicaCount: 6\n---\nkind: Secret\nmetadata: {name: x}\n",
            "parameter values-inline: line 3: a second YAML document",
        ),
        (
            "pgbouncerPharia:\n  nameOverride: \"x\\nkind: Secret\"\n",
            "nameOverride",
        ),
        (
            "pgbouncerPharia:\n  config:\n    adminPassword: hunter2-secret\n  replicaCount: [\n",
            "parameter values-inline",
        ),
        ("[1, 2]\n", "parameter values-inline"),
    ] {
        let p = params(serde_json::json!([{"name": "values-inline", "string": inline}]));
        let out = generate(
            &dir,
            &[
                ("ARGOCD_APP_NAME", "qs-pgbouncer"),
                ("ARGOCD_APP_PARAMETERS", p.as_str()),
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{inline:?}: {err}");
        assert!(out.stdout.is_empty(), "{inline:?}");
        assert!(err.contains(fragment), "{inline:?}: {err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_values_files_are_errors_unless_ignored() {
    let dir = source_dir("missing");
    let base = [
        ("ARGOCD_APP_NAME", "qs-pgbouncer"),
        ("ARGOCD_ENV_QSPGB_VALUES", "values.yaml,values-staging.yaml"),
    ];
    let out = generate(&dir, &base);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty());
    assert!(
        err.contains("values file \"values-staging.yaml\" does not exist")
            && err.contains("ignore-missing-values-files"),
        "{err}"
    );
    let without_missing = generate(
        &dir,
        &[
            ("ARGOCD_APP_NAME", "qs-pgbouncer"),
            ("ARGOCD_ENV_QSPGB_VALUES", "values.yaml"),
        ],
    );
    for ignore in [
        (
            "ARGOCD_APP_PARAMETERS",
            r#"[{"name":"ignore-missing-values-files","string":"true"}]"#,
        ),
        ("PARAM_IGNORE_MISSING_VALUES_FILES", "true"),
    ] {
        let mut env = base.to_vec();
        env.push(ignore);
        let out = generate(&dir, &env);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(
            err.contains("warning: values file \"values-staging.yaml\" does not exist"),
            "{err}"
        );
        assert_eq!(
            out.stdout, without_missing.stdout,
            "the present files still apply"
        );
    }
    // A file that exists but cannot be read is still an error, ignored or not; so is a
    // path leaving the source directory.
    for file in ["../values.yaml", "/etc/hostname"] {
        let env = [
            ("ARGOCD_APP_NAME", "qs-pgbouncer"),
            ("ARGOCD_ENV_QSPGB_VALUES", file),
            ("PARAM_IGNORE_MISSING_VALUES_FILES", "true"),
        ];
        let out = generate(&dir, &env);
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("source directory"));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_version_parameter_pins_the_binary() {
    let dir = source_dir("version");
    let version = env!("CARGO_PKG_VERSION");
    for pinned in [version.to_string(), format!("v{version}")] {
        let p = params(serde_json::json!([{"name": "version", "string": pinned}]));
        let out = generate(
            &dir,
            &[
                ("ARGOCD_APP_NAME", "qs-pgbouncer"),
                ("ARGOCD_APP_PARAMETERS", p.as_str()),
            ],
        );
        assert!(
            out.status.success(),
            "{pinned}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for env in [
        (
            "ARGOCD_APP_PARAMETERS",
            r#"[{"name":"version","string":"0.1.0"}]"#,
        ),
        ("PARAM_VERSION", "0.1.0"),
    ] {
        let out = generate(&dir, &[("ARGOCD_APP_NAME", "qs-pgbouncer"), env]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(out.stdout.is_empty());
        assert!(
            err.contains(&format!(
                "pins qspgb 0.1.0, but the plugin runs qspgb {version}"
            )) && err.contains("qspgb-v0.1.0"),
            "{err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_preset_parameter_is_taken() {
    let dir = source_dir("preset");
    let out = generate(
        &dir,
        &[
            ("ARGOCD_APP_NAME", "qs-pgbouncer"),
            (
                "ARGOCD_APP_PARAMETERS",
                r#"[{"name":"preset","string":"upstream-compat"}]"#,
            ),
            // Upstream's names (`qs-pgbouncer-pgbouncerPharia`) are what Kubernetes refuses.
            ("ARGOCD_ENV_QSPGB_ARGS", "--helm-exact"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("name: qs-pgbouncer-pgbouncerPharia\n"));
    let plain = generate(
        &dir,
        &[
            ("ARGOCD_APP_NAME", "qs-pgbouncer"),
            ("ARGOCD_ENV_QSPGB_ARGS", "--helm-exact"),
        ],
    );
    assert_ne!(out.stdout, plain.stdout, "the preset changes the render");
    let unknown = generate(
        &dir,
        &[
            ("ARGOCD_APP_NAME", "qs-pgbouncer"),
            (
                "ARGOCD_APP_PARAMETERS",
                r#"[{"name":"preset","string":"no-such"}]"#,
            ),
        ],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no-such"));
    std::fs::remove_dir_all(&dir).unwrap();
}
