//! The rendered manifests against validators that know nothing of qspgb, for every
//! `values/examples/*.yaml` (how to run each one by hand: CONTRIBUTING.md, "Validation"):
//!
//! - kubernetes-validate `--strict`: the JSON schemas of Kubernetes 1.31, the target;
//! - `kubectl apply --dry-run=server` against the real kube-apiserver 1.20 of the hooks
//!   tests: names, cross-field rules and admission, which the schemas do not check;
//! - checkov with the repository's `.checkov.yaml`: zero failed checks on the default and
//!   the production renderings;
//! - `promtool check rules` and `promtool test rules` on the PrometheusRule (alerts firing on
//!   made-up series); promtool is `$PROMTOOL`, else `promtool` on PATH (Debian package
//!   `prometheus`; scripts/test.sh extracts it into target/tools).
//!
//! `scripts/test.sh` provides the programs: `QSPGB_KUBERNETES_VALIDATE` and `QSPGB_CHECKOV`
//! (`scripts/validators.sh`), and the API server's environment (`KAE2E_RUN_DIR`,
//! `KAE2E_KUBECTL`, `KUBECONFIG`; `scripts/kube-apiserver.sh`). Without them these tests
//! fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;
use serde_yaml::Value;

use crate::util;
use crate::util::output_with_stdin;

const RELEASE: &str = "qs-pgbouncer";
const NAMESPACE: &str = "pharia-ai";
/// The Kubernetes version the chart targets (kubernetes-validate's schemas).
const KUBERNETES_VERSION: &str = "1.31.0";
/// API groups of custom resources: kubernetes-validate has no schema for them, and only
/// warns. A warning about any other kind (a core kind with a wrong apiVersion) fails.
const CRD_GROUPS: &[&str] = &["monitoring.coreos.com"];
/// What kube-apiserver 1.20 does not serve, so the dry run leaves it out: API versions that
/// came later (1.20 has policy/v1beta1, autoscaling/v2beta2, batch/v1beta1), and CRDs.
const NOT_IN_1_20: &[(&str, &str)] = &[
    ("policy/v1", "PodDisruptionBudget"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("batch/v1", "CronJob"),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// A validator program from the environment (`scripts/validators.sh env`).
fn tool(var: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(path) => {
            let path = PathBuf::from(path);
            assert!(path.is_file(), "{var}={} does not exist", path.display());
            path
        }
        None => panic!(
            "{var} is not set: run through `bash scripts/test.sh`, or `bash scripts/validators.sh install` \
             and `eval \"$(bash scripts/validators.sh env)\"`"
        ),
    }
}

/// `values/examples/*.yaml`, sorted.
fn examples() -> Vec<PathBuf> {
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root().join("values/examples"))
        .expect("values/examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    examples.sort();
    assert!(
        examples.iter().any(|e| name_of(e) == "production"),
        "values/examples/production.yaml (everything on) is missing"
    );
    examples
}

fn name_of(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().to_string()
}

/// `qspgb render qs-pgbouncer <args>`'s output.
fn render(args: &[&str]) -> String {
    let mut all = vec!["render", RELEASE];
    all.extend_from_slice(args);
    let out = util::qspgb(&all);
    assert!(
        out.status.success(),
        "qspgb render {args:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// An example's rendering, the `helm test` Pods included (`--include-tests`), so they are
/// validated like everything else.
fn render_example(example: &Path, extra: &[&str]) -> String {
    let mut args = vec!["--include-tests"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-f", example.to_str().unwrap()]);
    render(&args)
}

/// One document of a rendering: its text and its parsed content.
struct Doc {
    text: String,
    value: Value,
}

impl Doc {
    fn field(&self, key: &str) -> &str {
        self.value[key].as_str().unwrap_or_default()
    }

    fn name(&self) -> &str {
        self.value["metadata"]["name"].as_str().unwrap_or_default()
    }

    fn group(&self) -> &str {
        self.field("apiVersion")
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    /// `Kind/name (apiVersion)`, for messages.
    fn id(&self) -> String {
        format!(
            "{}/{} ({})",
            self.field("kind"),
            self.name(),
            self.field("apiVersion")
        )
    }
}

/// The documents of a YAML stream, split at `---` lines.
fn documents(stream: &str) -> Vec<Doc> {
    let mut chunks = vec![String::new()];
    for line in stream.lines() {
        if line == "---" {
            chunks.push(String::new());
        } else {
            let chunk = chunks.last_mut().unwrap();
            chunk.push_str(line);
            chunk.push('\n');
        }
    }
    chunks
        .into_iter()
        .filter_map(|text| {
            let value: Value =
                serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"));
            (!value.is_null()).then_some(Doc { text, value })
        })
        .collect()
}

/// An empty scratch directory of this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("validate-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

#[test]
fn every_example_passes_kubernetes_validate_strict() {
    let validator = tool("QSPGB_KUBERNETES_VALIDATE");
    let dir = scratch("schemas");
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for example in examples() {
        let stream = render_example(&example, &["-n", NAMESPACE]);
        let file = dir.join(format!("{}.yaml", name_of(&example)));
        std::fs::write(&file, &stream).unwrap();
        for doc in documents(&stream) {
            expected.push((file.display().to_string(), doc));
        }
        files.push(file);
    }
    // One run for every file: the start-up is most of the time.
    let out = Command::new(&validator)
        .args(["-k", KUBERNETES_VERSION, "--strict"])
        .args(&files)
        .output()
        .expect("run kubernetes-validate");
    let report = text(&out.stdout) + &text(&out.stderr);
    let problems: Vec<&str> = report.lines().filter(|l| !l.starts_with("INFO ")).collect();
    assert!(
        out.status.success(),
        "kubernetes-validate -k {KUBERNETES_VERSION} --strict failed (exit {:?}; only the first error of each document is shown):\n{}",
        out.status.code(),
        problems.join("\n")
    );
    let minor = KUBERNETES_VERSION.rsplit_once('.').unwrap().0;
    for (file, doc) in &expected {
        let line = if CRD_GROUPS.contains(&doc.group()) {
            format!(
                "WARN {file} Couldn't find schema for kind {} with api version {}",
                doc.field("kind"),
                doc.field("apiVersion")
            )
        } else {
            format!(
                "INFO {file} passed for resource {}/{} against version {minor}",
                doc.field("kind").to_lowercase(),
                doc.name()
            )
        };
        assert!(
            report.lines().any(|l| l.starts_with(&line)),
            "{file}: {} was not validated (no line {line:?}):\n{report}",
            doc.id()
        );
    }
    let unexpected: Vec<&&str> = problems
        .iter()
        .filter(|l| !CRD_GROUPS.iter().any(|g| l.contains(&format!(" {g}/"))))
        .collect();
    assert!(
        unexpected.is_empty(),
        "kubernetes-validate warned about kinds that are not custom resources ({CRD_GROUPS:?}); \
         a wrong apiVersion only warns:\n{unexpected:#?}"
    );
    assert!(
        expected.len() > 50,
        "{} documents validated",
        expected.len()
    );
}

/// kubernetes-validate does fail what it should: an unknown field under `--strict`, and a
/// known kind under an apiVersion it does not have (a warning, caught above).
#[test]
fn kubernetes_validate_refuses_an_unknown_field() {
    let validator = tool("QSPGB_KUBERNETES_VALIDATE");
    let dir = scratch("schemas-control");
    let file = dir.join("bad.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  bogusField: 1\n  ports: [{port: 5432}]\n",
    )
    .unwrap();
    let out = Command::new(&validator)
        .args(["-k", KUBERNETES_VERSION, "--strict"])
        .arg(&file)
        .output()
        .expect("run kubernetes-validate");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("'bogusField' was unexpected"));
}

/// The API server of the hooks tests (scripts/kube-apiserver.sh start).
struct Server {
    kubectl: PathBuf,
    kubeconfig: PathBuf,
}

fn server() -> Server {
    let Ok(run_dir) = std::env::var("KAE2E_RUN_DIR") else {
        panic!(
            "no API server: run through `bash scripts/test.sh`, or start one with \
             `bash scripts/kube-apiserver.sh up` and `eval \"$(bash scripts/kube-apiserver.sh env)\"`"
        );
    };
    Server {
        kubectl: std::env::var_os("KAE2E_KUBECTL")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/var/cache/qspgb-e2e/bin/kubectl")),
        kubeconfig: std::env::var_os("KUBECONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(&run_dir).join("kubeconfig")),
    }
}

impl Server {
    fn kubectl(&self, args: &[&str], stdin: &str) -> Output {
        output_with_stdin(
            Command::new(&self.kubectl)
                .args(args)
                .env("KUBECONFIG", &self.kubeconfig),
            stdin,
        )
    }

    /// A namespace of its own (deleted namespaces stay Terminating without a controller
    /// manager, so the name is unique per process).
    fn namespace(&self, test: &str) -> String {
        let ns = format!("validate-{test}-{}", std::process::id());
        let out = self.kubectl(&["create", "namespace", &ns], "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        ns
    }

    /// `kubectl apply --dry-run=server` of these files (errors name the file). Client-side
    /// validation is off: kubectl 1.20 would check against the 1.20 schemas and refuse
    /// fields added since (`Service.spec.internalTrafficPolicy`, 1.21); the schemas of the
    /// target version are kubernetes-validate's job. The server still validates everything
    /// it knows.
    fn dry_run(&self, files: &[PathBuf]) -> Output {
        let mut args = vec!["apply", "--dry-run=server", "--validate=false"];
        for file in files {
            args.extend_from_slice(&["-f", file.to_str().unwrap()]);
        }
        self.kubectl(&args, "")
    }
}

/// Writes the documents to `dir/name.yaml`.
fn write_docs(dir: &Path, name: &str, docs: &[&Doc]) -> PathBuf {
    let file = dir.join(format!("{name}.yaml"));
    let stream: String = docs.iter().map(|d| format!("---\n{}", d.text)).collect();
    std::fs::write(&file, stream).unwrap();
    file
}

fn not_in_1_20(doc: &Doc) -> bool {
    CRD_GROUPS.contains(&doc.group())
        || NOT_IN_1_20.contains(&(doc.field("apiVersion"), doc.field("kind")))
}

#[test]
fn every_example_is_accepted_by_kube_apiserver_dry_run() {
    let server = server();
    let ns = server.namespace("dry-run");
    let dir = scratch("dry-run");
    let mut files = Vec::new();
    let mut sent = 0;
    let mut left_out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for example in examples() {
        let name = name_of(&example);
        let stream = render_example(&example, &["-n", &ns, "--namespace-in-manifests"]);
        let docs = documents(&stream);
        let (skipped, applied): (Vec<&Doc>, Vec<&Doc>) = docs.iter().partition(|d| not_in_1_20(d));
        // kubectl 1.20 fetches and parses the OpenAPI document for every object it
        // dry-runs (~0.15 s each): a document already sent for an earlier example is not
        // sent again.
        let new: Vec<&Doc> = applied
            .into_iter()
            .filter(|d| seen.insert(d.text.clone()))
            .collect();
        let skipped: Vec<String> = skipped.iter().map(|d| d.id()).collect();
        eprintln!(
            "{name}: {} new documents sent; not sent, as kube-apiserver 1.20 does not serve them: {skipped:?}",
            new.len()
        );
        left_out.push(format!("{name}: {}", skipped.join(", ")));
        if !new.is_empty() {
            sent += new.len();
            files.push(write_docs(&dir, &name, &new));
        }
    }
    // One kubectl for every example.
    let out = server.dry_run(&files);
    let accepted = text(&out.stdout)
        .lines()
        .filter(|l| l.ends_with("(server dry run)"))
        .count();
    assert!(
        out.status.success() && accepted == sent,
        "kubectl apply --dry-run=server against kube-apiserver 1.20: {accepted} of {sent} documents accepted \
         (errors name the example's file).\nLeft out, as 1.20 does not serve them:\n{}\n\n{}{}",
        left_out.join("\n"),
        text(&out.stderr),
        text(&out.stdout)
    );
}

/// The dry run does refuse what the schemas let through: an invalid name.
#[test]
fn kube_apiserver_dry_run_refuses_an_invalid_name() {
    let server = server();
    let ns = server.namespace("dry-run-control");
    // upstream-compat's names, `qs-pgbouncer-pgbouncerPharia`, are not DNS-1123.
    let stream = render(&[
        "-n",
        &ns,
        "--namespace-in-manifests",
        "--helm-exact",
        "-f",
        "values/upstream-compat.yaml",
    ]);
    let docs = documents(&stream);
    let applied: Vec<&Doc> = docs.iter().filter(|d| !not_in_1_20(d)).collect();
    let file = write_docs(&scratch("dry-run-control"), "upstream-compat", &applied);
    let out = server.dry_run(&[file]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr)
            .contains("metadata.name: Invalid value: \"qs-pgbouncer-pgbouncerPharia\""),
        "{}",
        text(&out.stderr)
    );
}

/// checkov's JSON report of one framework.
fn checkov_report(json: &Json) -> &Json {
    match json {
        Json::Array(reports) => reports
            .iter()
            .find(|r| r["check_type"] == "kubernetes")
            .expect("a kubernetes report"),
        report => report,
    }
}

/// `CKV_K8S_40 "title": Deployment.pharia-ai.pgbouncer-pharia, production.yaml lines 172-338`
fn describe_check(check: &Json) -> String {
    let lines = &check["file_line_range"];
    format!(
        "{} {:?}: {}, {} lines {}-{}",
        check["check_id"].as_str().unwrap_or("?"),
        check["check_name"].as_str().unwrap_or("?"),
        check["resource"].as_str().unwrap_or("?"),
        check["file_path"]
            .as_str()
            .unwrap_or("?")
            .trim_start_matches('/'),
        lines[0],
        lines[1]
    )
}

#[test]
fn checkov_finds_no_failed_check_in_the_default_and_production_renderings() {
    let checkov = tool("QSPGB_CHECKOV");
    let dir = scratch("checkov");
    let production = root().join("values/examples/production.yaml");
    let flags = ["-n", NAMESPACE, "--namespace-in-manifests"];
    let default = [&flags[..], &["--include-tests"]].concat();
    std::fs::write(dir.join("default.yaml"), render(&default)).unwrap();
    std::fs::write(
        dir.join("production.yaml"),
        render_example(&production, &flags),
    )
    .unwrap();
    // One run for both files: checkov's start-up takes about 4 s.
    let out = Command::new(&checkov)
        .arg("--config-file")
        .arg(root().join(".checkov.yaml"))
        .arg("-d")
        .arg(&dir)
        .args(["-o", "json"])
        .current_dir(&dir)
        .output()
        .expect("run checkov");
    // 0: nothing failed, 1: something failed; anything else is checkov itself failing.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "checkov exited with {:?}:\n{}",
        out.status.code(),
        text(&out.stderr)
    );
    let json: Json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov's output is not JSON ({e}):\n{}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    let report = checkov_report(&json);
    let summary = &report["summary"];
    assert_eq!(summary["parsing_errors"], 0, "{summary}");
    let results = &report["results"];
    let list = |key: &str| results[key].as_array().cloned().unwrap_or_default();
    for file in ["default.yaml", "production.yaml"] {
        assert!(
            list("passed_checks")
                .iter()
                .any(|c| c["file_path"].as_str().is_some_and(|p| p.ends_with(file))),
            "checkov did not scan {file}: {summary}"
        );
    }
    // Every skip says why (an annotation without `=reason` gets checkov's placeholder).
    let unexplained: Vec<String> = list("skipped_checks")
        .iter()
        .filter(|c| {
            let comment = c["check_result"]["suppress_comment"].as_str().unwrap_or("");
            comment.trim().is_empty() || comment == "No comment provided"
        })
        .map(describe_check)
        .collect();
    assert!(
        unexplained.is_empty(),
        "checks skipped without a reason (annotate `checkov.io/skipN: CHECK_ID=reason`):\n{}",
        unexplained.join("\n")
    );
    let mut failed: Vec<String> = list("failed_checks").iter().map(describe_check).collect();
    failed.sort();
    assert!(
        failed.is_empty(),
        "checkov {} found {} failed checks ({summary}); fix them, or skip a check that is wrong \
         for this chart with its reason (CONTRIBUTING.md, \"Validation\"):\n{}",
        summary["checkov_version"],
        failed.len(),
        failed.join("\n")
    );
}

/// The pod spec of a workload, Job, CronJob or Pod.
fn pod_spec(doc: &Value) -> Option<&Value> {
    match doc["kind"].as_str()? {
        "Deployment" | "DaemonSet" | "StatefulSet" | "Job" => {
            Some(&doc["spec"]["template"]["spec"])
        }
        "CronJob" => Some(&doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]),
        "Pod" => Some(&doc["spec"]),
        _ => None,
    }
}

/// `.checkov.yaml` skips CKV_K8S_35 (Secrets as environment variables) for the whole chart,
/// for the two containers that must: the exporter and the test Pods' psql. This keeps the
/// exception that narrow.
#[test]
fn only_the_exporter_and_the_test_pods_take_secrets_through_the_environment() {
    let mut seen = std::collections::BTreeSet::new();
    for example in examples() {
        let name = name_of(&example);
        for doc in documents(&render_example(&example, &[])) {
            let Some(spec) = pod_spec(&doc.value) else {
                continue;
            };
            let containers = ["containers", "initContainers"]
                .iter()
                .filter_map(|k| spec[*k].as_sequence())
                .flatten();
            for container in containers {
                let from_env = container["env"]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .any(|e| e["valueFrom"].get("secretKeyRef").is_some());
                let from_env_from = container["envFrom"]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .any(|e| e.get("secretRef").is_some());
                if !(from_env || from_env_from) {
                    continue;
                }
                let who = (
                    doc.field("kind").to_string(),
                    container["name"].as_str().unwrap_or_default().to_string(),
                );
                assert!(
                    matches!(
                        (who.0.as_str(), who.1.as_str()),
                        ("Deployment" | "DaemonSet" | "StatefulSet", "exporter") | ("Pod", "test")
                    ),
                    "{name}: container {:?} of {} takes a Secret through its environment; \
                     .checkov.yaml skips CKV_K8S_35 only for the exporter and the test Pods",
                    who.1,
                    doc.id()
                );
                seen.insert(who);
            }
        }
    }
    assert!(
        seen.contains(&("Deployment".into(), "exporter".into())),
        "{seen:?}"
    );
}

/// promtool: `$PROMTOOL`, else `promtool` on PATH.
fn promtool() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PROMTOOL") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("promtool"))
            .find(|p| p.is_file())
    })
}

/// Made-up series of this release (and of another namespace, which must not alert) and the
/// alerts they must raise after 10 minutes, for `promtool test rules`.
const RULE_TESTS: &str = r#"
rule_files: [rules.yaml]
evaluation_interval: 1m
tests:
- interval: 1m
  input_series:
  # Pharia, scraped by the ServiceMonitor (job = Service name): up, but busy.
  - series: 'up{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1"}'
    values: '1x20'
  - series: 'pgbouncer_up{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1"}'
    values: '1x20'
  - series: 'pgbouncer_pools_client_waiting_connections{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1",database="pharia-os",user="pharia_os"}'
    values: '3x20'
  - series: 'pgbouncer_pools_client_waiting_connections{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1",database="pgbouncer",user="pgbouncer"}'
    values: '7x20'
  - series: 'pgbouncer_pools_client_maxwait_seconds{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1",database="pharia-os",user="pharia_os"}'
    values: '9x20'
  - series: 'pgbouncer_pools_client_maxwait_seconds{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1",database="pgbouncer",user="pgbouncer"}'
    values: '60x20'
  - series: 'pgbouncer_pools_server_active_connections{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1",database="pharia-os",user="pharia_os"}'
    values: '19x20'
  - series: 'pgbouncer_pools_server_active_connections{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1",database="document-index",user="document_index"}'
    values: '5x20'
  - series: 'pgbouncer_databases_pool_size{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1",name="pharia-os",database="pharia-os",host="cluster-pharia-rw"}'
    values: '20x20'
  - series: 'pgbouncer_databases_pool_size{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1",name="document-index",database="document-index",host="cluster-pharia-rw"}'
    values: '20x20'
  - series: 'pgbouncer_used_clients{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1"}'
    values: '270x20'
  - series: 'pgbouncer_config_max_client_connections{namespace="pharia-ai",job="pgbouncer-pharia",pod="pgbouncer-pharia-1"}'
    values: '300x20'
  # Temporal, scraped by the PodMonitor (job = namespace/name): the exporter cannot be scraped.
  - series: 'up{namespace="pharia-ai",job="pharia-ai/pgbouncer-temporal",pod="pgbouncer-temporal-1"}'
    values: '0x20'
  # Another release's PgBouncer in another namespace: nothing of it alerts.
  - series: 'up{namespace="other",job="pgbouncer-pharia",pod="pgbouncer-pharia-9"}'
    values: '0x20'
  - series: 'pgbouncer_up{namespace="other",job="pgbouncer-pharia",pod="pgbouncer-pharia-9"}'
    values: '0x20'
  - series: 'pgbouncer_used_clients{namespace="other",job="pgbouncer-pharia",pod="pgbouncer-pharia-9"}'
    values: '300x20'
  - series: 'pgbouncer_config_max_client_connections{namespace="other",job="pgbouncer-pharia",pod="pgbouncer-pharia-9"}'
    values: '300x20'
  alert_rule_test:
  - eval_time: 10m
    alertname: PgBouncerExporterDown
    exp_alerts:
    - exp_labels: {severity: warning, namespace: pharia-ai, job: pharia-ai/pgbouncer-temporal, pod: pgbouncer-temporal-1}
      exp_annotations:
        summary: PgBouncer exporter down
        description: "The exporter of pharia-ai/pgbouncer-temporal in pharia-ai (pod pgbouncer-temporal-1) cannot be scraped, or none of its exporters is scraped at all. PgBouncer may still work, but it is not monitored."
  - eval_time: 10m
    alertname: PgBouncerDown
  - eval_time: 10m
    alertname: PgBouncerClientsWaiting
    exp_alerts:
    - exp_labels: {severity: warning, namespace: pharia-ai, job: pgbouncer-pharia, pod: pgbouncer-pharia-1, database: pharia-os, user: pharia_os}
      exp_annotations:
        summary: Clients wait for a PgBouncer server connection
        description: "3 clients of pool pharia-os/pharia_os on pharia-ai/pgbouncer-pharia-1 wait for a server connection: the pool is exhausted."
  - eval_time: 10m
    alertname: PgBouncerClientMaxWaitHigh
    exp_alerts:
    - exp_labels: {severity: warning, namespace: pharia-ai, job: pgbouncer-pharia, pod: pgbouncer-pharia-1, database: pharia-os}
      exp_annotations:
        summary: PgBouncer clients wait long for a server connection
        description: "The oldest waiting client of database pharia-os on pharia-ai/pgbouncer-pharia-1 has waited 9 s for a server connection (threshold 5 s)."
  - eval_time: 10m
    alertname: PgBouncerPoolSaturated
    exp_alerts:
    - exp_labels: {severity: warning, namespace: pharia-ai, job: pgbouncer-pharia, pod: pgbouncer-pharia-1, database: pharia-os, user: pharia_os}
      exp_annotations:
        summary: PgBouncer pool close to its pool_size
        description: "Pool pharia-os/pharia_os on pharia-ai/pgbouncer-pharia-1 has 95% of its database's pool_size in active server connections (threshold 0.9)."
  - eval_time: 10m
    alertname: PgBouncerMaxClientConnNear
    exp_alerts:
    - exp_labels: {severity: warning, namespace: pharia-ai, job: pgbouncer-pharia, pod: pgbouncer-pharia-1}
      exp_annotations:
        summary: PgBouncer close to max_client_conn
        description: "pharia-ai/pgbouncer-pharia-1 has 90% of max_client_conn in use (threshold 0.85); beyond it, new clients are refused."
- interval: 1m
  # No exporter of Pharia scraped at all (e.g. no ServiceMonitor): absent, labelled with its job.
  input_series:
  - series: 'up{namespace="pharia-ai",job="pgbouncer-temporal",pod="pgbouncer-temporal-1"}'
    values: '1x20'
  alert_rule_test:
  - eval_time: 10m
    alertname: PgBouncerExporterDown
    exp_alerts:
    - exp_labels: {severity: warning, namespace: pharia-ai, job: pgbouncer-pharia}
      exp_annotations:
        summary: PgBouncer exporter down
        description: "The exporter of pgbouncer-pharia in pharia-ai cannot be scraped, or none of its exporters is scraped at all. PgBouncer may still work, but it is not monitored."
  - eval_time: 3m
    alertname: PgBouncerExporterDown
"#;

#[test]
fn the_rules_pass_promtool_and_fire_on_this_release_only() {
    // The PrometheusRule with both exporters on (as `it/chart_objects.rs` renders it).
    let docs = util::render(&[
        "--set",
        "prometheusRule.enabled=true,pgbouncerTemporal.pgbouncerExporter.enabled=true",
        "-a",
        "monitoring.coreos.com/v1",
    ]);
    let rule = docs
        .iter()
        .find(|d| d["kind"] == "PrometheusRule")
        .expect("a PrometheusRule with the monitoring API and prometheusRule.enabled");
    // A rule file is the PrometheusRule's spec.
    let groups = serde_yaml::to_string(&rule["spec"]).unwrap();
    // scripts/test.sh provides promtool (extracted from Debian's `prometheus` package);
    // without it this test fails rather than passing unchecked.
    let promtool = promtool().expect(
        "promtool not found: run through scripts/test.sh, or set PROMTOOL (Debian package `prometheus`)",
    );
    let dir = scratch("rules");
    std::fs::write(dir.join("rules.yaml"), &groups).unwrap();
    std::fs::write(dir.join("tests.yaml"), RULE_TESTS).unwrap();
    for args in [
        ["check", "rules", "rules.yaml"],
        ["test", "rules", "tests.yaml"],
    ] {
        let out = Command::new(&promtool)
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("run promtool");
        assert!(
            out.status.success(),
            "promtool {args:?}:\n{}{}\n{groups}",
            String::from_utf8_lossy(&out.stdout),
            util::stderr(&out)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
