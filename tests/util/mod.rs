//! What the test binaries share (`tests/it` and `tests/e2e` both include this folder with
//! `#[path = "../util/mod.rs"] mod util;`): running the real binary and reading its
//! documents, the checks several topics make, and the harnesses of the end-to-end suites
//! ([`apiserver`], [`fault_proxy`], [`pgbouncer`]) and of the memory-limited runs
//! ([`limited`]), and the Helm reference renderings ([`reference`]). Each binary uses a
//! part of it, hence `allow(dead_code)`.
#![allow(dead_code)]

pub mod apiserver;
pub mod docs;
pub mod fault_proxy;
pub mod limited;
pub mod pgbouncer;
pub mod reference;

use std::path::Path;
use std::process::{Command, Output};

use serde_yaml::Value;

/// The chart aliases and the object names the product defaults give them.
pub const INSTANCES: [(&str, &str); 2] = [
    ("pgbouncerPharia", "pgbouncer-pharia"),
    ("pgbouncerTemporal", "pgbouncer-temporal"),
];

/// The template of the chart's `helm test` Pods, as a document's Source line names it.
pub const TEST_POD_SOURCE: &str = "qs-pgbouncer/templates/tests/pgbouncer-test.yaml";

/// Runs the real binary from the repository root.
pub fn qspgb(args: &[&str]) -> Output {
    qspgb_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs the real binary from `dir`.
pub fn qspgb_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qspgb"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run qspgb")
}

/// A fresh, empty directory under the system's temporary directory, unique to this
/// process and `name`: where a test runs the binary as a user would, with nothing of the
/// repository beside it.
pub fn empty_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("qspgb-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

/// A run's standard output, which must be UTF-8.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

/// A run's standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Asserts a failed run: the exit code, nothing on stdout, the fragment on stderr.
pub fn assert_fails(out: &Output, code: i32, fragment: &str) {
    assert_eq!(out.status.code(), Some(code), "stderr: {}", stderr(out));
    assert!(
        out.stdout.is_empty(),
        "stdout must stay empty: {}",
        stdout(out)
    );
    assert!(
        stderr(out).contains(fragment),
        "stderr lacks {fragment:?}: {}",
        stderr(out)
    );
}

/// Every document of a rendering, parsed (comment lines such as `# Source:` are YAML
/// comments).
pub fn documents(text: &str) -> Vec<Value> {
    text.split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_yaml::from_str(d).expect("each document is YAML"))
        .collect()
}

/// Renders with these arguments (release and flags); every document with its Source path.
pub fn render_as(args: &[&str]) -> Vec<(String, Value)> {
    let mut all = vec!["render"];
    all.extend_from_slice(args);
    let out = qspgb(&all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let mut docs = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.split_inclusive('\n') {
        if line == "---\n" {
            docs.extend(current.take());
            current = Some((String::new(), String::new()));
            continue;
        }
        let (source, body) = current.as_mut().expect("output starts with ---");
        match line.strip_prefix("# Source: ") {
            Some(path) if source.is_empty() => *source = path.trim_end().to_string(),
            _ => body.push_str(line),
        }
    }
    docs.extend(current);
    docs.into_iter()
        .map(|(source, body)| {
            let doc = serde_yaml::from_str(&body)
                .unwrap_or_else(|e| panic!("{source}: not YAML: {e}\n{body}"));
            (source, doc)
        })
        .collect()
}

/// Renders `my-pgbouncer -n pharia-ai` with extra flags: every document with its Source path.
pub fn render_sources(extra: &[&str]) -> Vec<(String, Value)> {
    let mut args = vec!["my-pgbouncer", "-n", "pharia-ai"];
    args.extend_from_slice(extra);
    render_as(&args)
}

/// Renders `my-pgbouncer -n pharia-ai` with extra flags; every document parsed.
pub fn render(extra: &[&str]) -> Vec<Value> {
    render_sources(extra).into_iter().map(|(_, d)| d).collect()
}

/// A render that must fail: exit 1, nothing on stdout; returns stderr.
pub fn render_error(extra: &[&str]) -> String {
    let mut args = vec!["render", "my-pgbouncer", "-n", "pharia-ai"];
    args.extend_from_slice(extra);
    let out = qspgb(&args);
    assert_eq!(out.status.code(), Some(1), "{extra:?} must fail");
    assert!(out.stdout.is_empty(), "{extra:?}: nothing on stdout");
    stderr(&out)
}

/// YAML written in a test.
pub fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("test YAML")
}

/// A rendered document, alone or with its Source path.
pub trait Doc {
    /// The document.
    fn doc(&self) -> &Value;
}

impl Doc for Value {
    fn doc(&self) -> &Value {
        self
    }
}

impl Doc for (String, Value) {
    fn doc(&self) -> &Value {
        &self.1
    }
}

/// The documents of one kind and name.
pub fn find<'a, D: Doc>(docs: &'a [D], kind: &str, name: &str) -> Vec<&'a Value> {
    docs.iter()
        .map(Doc::doc)
        .filter(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .collect()
}

/// The one document of this kind and name.
pub fn one<'a, D: Doc>(docs: &'a [D], kind: &str, name: &str) -> &'a Value {
    let found = find(docs, kind, name);
    assert_eq!(found.len(), 1, "exactly one {kind} {name}");
    found[0]
}

/// Asserts that no selector of the instance `fullname` (its Service, its Deployment, its
/// PodDisruptionBudget, its pod anti-affinity terms, preferred or required) selects a pod
/// with `labels` (a hook Job's or a `helm test` Pod's), while each selects PgBouncer's own
/// pods: traffic, disruption budgets and spreading stay PgBouncer's.
pub fn assert_not_selected<D: Doc>(docs: &[D], fullname: &str, labels: &Value) {
    let matches = |selector: &Value, labels: &Value| -> bool {
        let selector = selector.as_mapping().expect("selector map");
        !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
    };
    let deployment = one(docs, "Deployment", fullname);
    let pod_labels = &deployment["spec"]["template"]["metadata"]["labels"];
    let mut selectors = vec![
        &one(docs, "Service", fullname)["spec"]["selector"],
        &deployment["spec"]["selector"]["matchLabels"],
    ];
    selectors.extend(
        find(docs, "PodDisruptionBudget", fullname)
            .into_iter()
            .map(|pdb| &pdb["spec"]["selector"]["matchLabels"]),
    );
    let affinity = &deployment["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"];
    if let Some(terms) = affinity["preferredDuringSchedulingIgnoredDuringExecution"].as_sequence() {
        selectors.extend(
            terms
                .iter()
                .map(|t| &t["podAffinityTerm"]["labelSelector"]["matchLabels"]),
        );
    }
    if let Some(terms) = affinity["requiredDuringSchedulingIgnoredDuringExecution"].as_sequence() {
        selectors.extend(terms.iter().map(|t| &t["labelSelector"]["matchLabels"]));
    }
    assert!(selectors.len() >= 3, "{fullname}: selectors found");
    for selector in selectors {
        assert!(
            matches(selector, pod_labels),
            "the selector selects PgBouncer"
        );
        assert!(
            !matches(selector, labels),
            "{fullname}: {selector:?} selects {labels:?}"
        );
    }
}

/// The `helm test` Pods of a rendering (`--include-tests`).
pub fn test_pods(docs: &[(String, Value)]) -> Vec<&Value> {
    docs.iter()
        .filter(|(source, _)| source == TEST_POD_SOURCE)
        .map(|(_, doc)| doc)
        .collect()
}

/// The entry `name` of a pod spec's container list `list` (`containers` or
/// `initContainers`); panics naming both when there is none.
pub fn named_container<'a>(pod_spec: &'a Value, list: &str, name: &str) -> &'a Value {
    pod_spec[list]
        .as_sequence()
        .unwrap_or_else(|| panic!("no {list} in {pod_spec:?}"))
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {list} entry named {name}"))
}

/// A pod's one container.
pub fn container(pod: &Value) -> &Value {
    let containers = pod["spec"]["containers"].as_sequence().expect("containers");
    assert_eq!(containers.len(), 1, "one container");
    &containers[0]
}

/// The bash script of a test Pod: `command[2]` of `["bash", "-c", SCRIPT, "pgbouncer-test"]`.
pub fn test_pod_script(pod: &Value) -> String {
    let command = container(pod)["command"].as_sequence().expect("command");
    assert_eq!(command.len(), 4, "{command:?}");
    assert_eq!(command[0], "bash");
    assert_eq!(command[1], "-c");
    assert_eq!(command[3], "pgbouncer-test");
    command[2].as_str().expect("the script").to_string()
}

/// The test Pods' script as the product defaults render it.
pub fn default_test_script() -> String {
    test_pod_script(test_pods(&render_sources(&["--include-tests"]))[0])
}

/// Runs `command` with `stdin` as its standard input; returns its output (stdout and
/// stderr captured). The end-to-end suites run kubectl this way.
pub fn output_with_stdin(command: &mut std::process::Command, stdin: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {:?}: {e}", command.get_program()));
    let mut pipe = child.stdin.take().expect("a stdin pipe");
    pipe.write_all(stdin.as_bytes()).expect("write stdin");
    drop(pipe);
    child.wait_with_output().expect("wait for the output")
}

/// Encodes bytes as standard base64 with padding (a Secret's `data` values).
pub fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64 (a Secret's `data` values as kubectl prints them) into UTF-8.
pub fn base64_decode(s: &str) -> String {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("base64");
    String::from_utf8(bytes).expect("UTF-8 secret data")
}
