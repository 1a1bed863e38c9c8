//! Values are data, never syntax: a sweep over every string a user can set.
//!
//! Every string-typed leaf of both schemas (`values/values.schema.json` at the top,
//! `values/pgbouncer.schema.json` under each instance), every map whose keys the user
//! chooses, and the Kubernetes objects passed through as written, are set one at a time
//! to hostile strings (YAML syntax, line breaks, control characters, template syntax,
//! strings YAML reads as other types). Each result must be one of:
//!
//! - refused: an error that names the key path, and never the hostile text itself;
//! - rendered: documents that parse (with serde_yaml, an independent parser) to exactly
//!   the documents a harmless marker value gives, with the marker replaced by the hostile
//!   string at its places, and nothing else changed. Embedded formats are parsed too:
//!   pgbouncer.ini (PgBouncer's quoting), userlist.txt (base64, then `""` quoting), Secret
//!   data (base64) and the hook Job's `--set-json` argument (JSON); content hashes are
//!   ignored.
//!
//! The same sweep then runs through `qspgb argocd generate`'s parameters
//! (`ARGOCD_APP_PARAMETERS` `set-string`), whose outcome must be the same.
//!
//! Renders run in-process ([`qspgb::render_release`]) on two threads; a path whose marker never
//! reaches the output is listed, and only the paths in [`UNUSED`] may be.

use std::collections::BTreeMap;
use std::sync::Mutex;

use qspgb::ChartFiles;
use qspgb::OutputOptions;

use qspgb::RenderContext;
use qspgb::ValueInputs;
use serde_json::{Map as JMap, Value as J};

use crate::util;

/// Strings that are YAML (or template, or ini) syntax, or read as other types: the
/// issue's list (document and field injection, flow collections, comment, quotes, anchor,
/// alias, tag, block scalar, tab, NUL) and, one each, the other ways a plain scalar breaks
/// (line breaks YAML 1.1 knows, leading/trailing space, a scalar read as another type, an
/// empty string, template syntax, a `--set` separator, non-ASCII).
const HOSTILE: &[&str] = &[
    "x\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: pwned",
    "x\nhostPID: true",
    "a: b",
    "{x: 1}",
    "[x, y]",
    "#",
    "x #y",
    "\"",
    "'",
    "&a",
    "*a",
    "!!binary",
    "|",
    "- x",
    "\t",
    "\0",
    "x\r",
    "x\u{2028}y",
    "x\u{85}y",
    "true",
    "1e3",
    "",
    " x",
    "{{ Values }}",
    "x,y=z",
    "ünïcode",
];

/// The marker for a string of this format: valid, and found nowhere else in the output.
fn marker(format: Option<&str>) -> &'static str {
    match format {
        Some("k8s-quantity") => "7373m",
        Some("k8s-percent") => "73%",
        Some("image-registry") => "qspgbmarker.example",
        Some("image-repository") => "qspgbmarker/repo",
        Some("image-reference") => "qspgbmarker:17",
        Some("prometheus-duration") => "7373s",
        Some("number") => "7373",
        Some("cron-schedule") => "7 3 * * *",
        _ => "qspgbmarker",
    }
}

/// The key the sweep uses for a map entry the user names (a label, a database).
const KEY: &str = "qspgbkey";

/// The key of a map entry whose value the sweep sets: [`KEY`], except in maps whose keys
/// PgBouncer knows, where a setting that takes text.
fn entry_key(path: &[String]) -> String {
    let dotted = generic(&path.join("."));
    match dotted.as_str() {
        "<instance>.config.pgbouncer" => "auth_query",
        "<instance>.config.databases.qspgbkey" => "host",
        "<instance>.config.users.qspgbkey" => "pool_mode",
        _ => KEY,
    }
    .to_string()
}

/// Paths whose marker reaches no output, and why. Anything else unused is a sweep that
/// proves nothing, and fails the test.
const UNUSED: &[(&str, &str)] = &[
    (
        "<instance>.global",
        "Helm's globals; no template reads them",
    ),
    (
        "nameOverride",
        "declared by the Helm wrapper; no parent template uses it",
    ),
    (
        "fullnameOverride",
        "declared by the Helm wrapper; no parent template uses it",
    ),
    ("global", "Helm's globals; no template reads them"),
    ("tags", "Helm's dependency tags: booleans"),
    (
        "<instance>.connectionBudget.cnpgCluster",
        "read only by `lint --consult-cluster`, as the name of a Cluster to get from the API",
    ),
];

/// Targets whose marker is refused, and why: there only refusals can be seen, and every
/// hostile string must be refused naming the path.
const MARKER_REFUSED: &[(&str, &str)] = &[
    (
        "<instance>.config.pgbouncer",
        "its keys are PgBouncer's setting names; any other name stops PgBouncer",
    ),
    (
        "<instance>.config.databases.qspgbkey",
        "its keys are PgBouncer's connection parameters",
    ),
    (
        "<instance>.config.users.qspgbkey",
        "its keys are PgBouncer's user parameters",
    ),
    (
        "<instance>.config.users.qspgbkey.pool_mode",
        "PgBouncer's pool_mode takes session, transaction or statement",
    ),
    (
        "pgbouncerTemporal.config.adminUserKey",
        "the base renders Temporal's admin Secret, whose keys are fixed (Pharia's path renders)",
    ),
    (
        "pgbouncerTemporal.config.adminPasswordKey",
        "the base renders Temporal's admin Secret, whose keys are fixed (Pharia's path renders)",
    ),
];

/// A dotted path with the instance alias replaced by `<instance>`.
fn generic(path: &str) -> String {
    path.replacen("pgbouncerPharia", "<instance>", 1)
        .replacen("pgbouncerTemporal", "<instance>", 1)
}

/// One thing the sweep sets.
#[derive(Debug, Clone)]
struct Target {
    /// Key path from the top of the values.
    path: Vec<String>,
    /// What is set there: a string leaf, a map's key, or a free-form object or list.
    what: What,
    /// The schema's `format` for a string leaf.
    format: Option<String>,
    /// Whether the schema limits the value to an `enum`.
    is_enum: bool,
    /// The strings the `enum` lists.
    enum_values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum What {
    /// A string value at `path`.
    Leaf,
    /// A key of the map at `path`, with a valid value.
    Key(J),
    /// A Kubernetes object (or list of them) passed through: a key and a value inside.
    Object { list: bool },
}

impl Target {
    fn dotted(&self) -> String {
        self.path.join(".")
    }
}

/// Walks a schema node, collecting targets.
struct Walker<'a> {
    definitions: &'a JMap<String, J>,
    out: Vec<Target>,
}

impl Walker<'_> {
    fn resolve<'b>(&'b self, node: &'b J) -> &'b J {
        match node.get("$ref").and_then(J::as_str) {
            Some(r) => {
                let name = r.strip_prefix("#/definitions/").expect("local $ref");
                self.resolve(&self.definitions[name])
            }
            None => node,
        }
    }

    fn types(node: &J) -> Vec<String> {
        match node.get("type") {
            Some(J::String(t)) => vec![t.clone()],
            Some(J::Array(ts)) => ts
                .iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn walk(&mut self, node: &J, path: Vec<String>) {
        let node = self.resolve(node).clone();
        if let Some(branches) = node.get("anyOf").and_then(J::as_array) {
            for branch in branches {
                self.walk(branch, path.clone());
            }
            return;
        }
        let types = Self::types(&node);
        let is_enum = node.get("enum").is_some();
        if types.iter().any(|t| t == "string") || (is_enum && types.is_empty()) {
            self.out.push(Target {
                path: path.clone(),
                what: What::Leaf,
                format: node.get("format").and_then(J::as_str).map(String::from),
                is_enum,
                enum_values: enum_strings(&node),
            });
        }
        if let Some(properties) = node.get("properties").and_then(J::as_object) {
            for (key, child) in properties {
                let mut p = path.clone();
                p.push(key.clone());
                self.walk(child, p);
            }
        }
        let additional = node.get("additionalProperties");
        let user_keys =
            matches!(additional, Some(J::Object(_))) || node.get("propertyNames").is_some();
        if let Some(J::Object(_)) = additional {
            let child = additional.unwrap().clone();
            let mut p = path.clone();
            p.push(entry_key(&path));
            self.walk(&child, p);
        }
        if user_keys {
            let value = match additional.map(|a| self.resolve(a)) {
                Some(a) if Self::types(a).iter().any(|t| t == "string") => {
                    J::String(marker(a.get("format").and_then(J::as_str)).to_string())
                }
                Some(a) if Self::types(a) == ["object"] => J::Object(JMap::new()),
                Some(a) if Self::types(a) == ["boolean"] => J::Bool(true),
                _ => J::String("qspgbmarker".into()),
            };
            self.out.push(Target {
                path: path.clone(),
                what: What::Key(value),
                format: None,
                is_enum: false,
                enum_values: Vec::new(),
            });
        }
        let free_object =
            types == ["object"] && node.get("properties").is_none() && additional.is_none();
        if free_object && !path.is_empty() {
            self.out.push(Target {
                path: path.clone(),
                what: What::Object { list: false },
                format: None,
                is_enum: false,
                enum_values: Vec::new(),
            });
        }
        if types == ["array"] {
            let items = node.get("items").map(|i| self.resolve(i).clone());
            match items {
                Some(items)
                    if Self::types(&items) == ["object"] && items.get("properties").is_none() =>
                {
                    self.out.push(Target {
                        path: path.clone(),
                        what: What::Object { list: true },
                        format: None,
                        is_enum: false,
                        enum_values: Vec::new(),
                    });
                }
                Some(items) => {
                    let mut p = path.clone();
                    p.push("0".into());
                    if Self::types(&items).iter().any(|t| t == "string") {
                        self.out.push(Target {
                            path: p,
                            what: What::Leaf,
                            format: items.get("format").and_then(J::as_str).map(String::from),
                            is_enum: items.get("enum").is_some(),
                            enum_values: enum_strings(&items),
                        });
                    }
                }
                None => {}
            }
        }
    }
}

fn enum_strings(node: &J) -> Vec<String> {
    node.get("enum")
        .and_then(J::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn schema(path: &str) -> J {
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("JSON")
}

/// Every target of both schemas, instance targets under both aliases; with
/// `QSPGB_SWEEP_ONLY=text`, only the paths that contain `text` (to rerun a failure).
fn targets() -> Vec<Target> {
    let only = std::env::var("QSPGB_SWEEP_ONLY").unwrap_or_default();
    let mut all = all_targets();
    all.retain(|t| t.dotted().contains(&only));
    all
}

fn all_targets() -> Vec<Target> {
    let mut all = Vec::new();
    let top = schema("values/values.schema.json");
    let empty = JMap::new();
    let mut walker = Walker {
        definitions: top
            .get("definitions")
            .and_then(J::as_object)
            .unwrap_or(&empty),
        out: Vec::new(),
    };
    walker.walk(&top, Vec::new());
    all.extend(walker.out.into_iter().filter(|t| {
        !matches!(
            t.path.first().map(String::as_str),
            Some("pgbouncerPharia" | "pgbouncerTemporal")
        )
    }));
    let instance = schema("values/pgbouncer.schema.json");
    for alias in ["pgbouncerPharia", "pgbouncerTemporal"] {
        let mut walker = Walker {
            definitions: instance.get("definitions").and_then(J::as_object).unwrap(),
            out: Vec::new(),
        };
        walker.walk(&instance, vec![alias.to_string()]);
        all.extend(walker.out);
    }
    all
}

/// The base values: the production example (every feature on) plus what makes the rest of
/// the chart render: Temporal renders its own Secrets from values (so passwords and the
/// userlist reach the output, and it is peered, so the StatefulSet and peer-config init
/// container render), a custom ServiceAccount, images with a registry, every alert, a
/// dashboard in another namespace.
const BASE: &str = r#"
grafanaDashboard:
  namespace: monitoring
  folder: databases
  labels: {grafana_dashboard: "1"}
  annotations: {example.com/note: x}
prometheusRule:
  alertLabels: {team: db}
  alerts:
    exporterDown: {enabled: true, for: 5m, severity: critical}
    pgbouncerDown: {enabled: true, for: 5m, severity: critical}
    clientsWaiting: {enabled: true, threshold: 1, for: 5m, severity: warning}
    maxWait: {enabled: true, seconds: 10, for: 5m, severity: warning}
    poolSaturation: {enabled: true, ratio: 0.9, for: 5m, severity: warning}
    maxClientConn: {enabled: true, ratio: 0.9, for: 5m, severity: warning}
serviceMonitor:
  interval: 30s
  scrapeTimeout: 10s
pgbouncerPharia:
  priorityClassName: high
  runtimeClassName: gvisor
  podLabels: {team: data}
  podAnnotations: {example.com/owner: platform}
  nodeSelector: {kubernetes.io/os: linux}
  service:
    annotations: {example.com/lb: internal}
  image: {registry: registry.example.com}
  pgbouncerExporter:
    image: {registry: registry.example.com}
  hooks:
    image: {registry: registry.example.com}
    nodeSelector: {kubernetes.io/os: linux}
  serviceMonitor: {enabled: true, labels: {release: prometheus}, interval: 15s, scrapeTimeout: 5s}
  command: [pgbouncer]
  args: [/etc/pgbouncer/pgbouncer.ini]
  config:
    databases:
      app: {host: app-rw, port: 5432, dbname: app}
    users:
      app: {pool_mode: session}
pgbouncerTemporal:
  hooks: {enabled: false, rotation: {enabled: false}}
  peering: {enabled: true}
  serviceAccount:
    name: custom-sa
    annotations: {example.com/role: db}
  config:
    existingAdminSecret: ""
    existingUserlistSecret: ""
    adminPassword: admin-pw
    authUser: auth
    authPassword: auth-pw
    userlist: {alice: alice-pw}
  pgbouncerExporter:
    enabled: true
"#;

/// Sets `value` at `path` in a values tree (maps created on the way; `0` in a list).
fn set(tree: &mut J, path: &[String], value: J) {
    let Some((first, rest)) = path.split_first() else {
        *tree = value;
        return;
    };
    if let J::Array(items) = tree {
        let i: usize = first.parse().expect("index");
        while items.len() <= i {
            items.push(J::Null);
        }
        return set(&mut items[i], rest, value);
    }
    if !tree.is_object() {
        *tree = if first.parse::<usize>().is_ok() {
            J::Array(Vec::new())
        } else {
            J::Object(JMap::new())
        };
        return set(tree, path, value);
    }
    let map = tree.as_object_mut().unwrap();
    let entry = map.entry(first.clone()).or_insert(J::Null);
    set(entry, rest, value)
}

/// The values file the sweep renders: base + production example + one change.
fn values_with(change: Option<(&[String], J)>) -> String {
    let mut tree = J::Object(JMap::new());
    if let Some((path, value)) = change {
        // A value that needs another one changed with it: (setting, sibling, its value).
        const COMPANIONS: &[(&str, &str, J)] =
            &[("sourceSecretNames", "sourceSecretSelector", J::Null)];
        for (setting, sibling, companion) in COMPANIONS {
            if let Some(at) = path.iter().position(|k| k == setting) {
                let mut other = path[..at].to_vec();
                other.push(sibling.to_string());
                set(&mut tree, &other, companion.clone());
            }
        }
        set(&mut tree, path, value);
    }
    // JSON is YAML: the hostile string travels escaped, as a values file can carry it.
    serde_json::to_string(&tree).unwrap()
}

/// What one render gave.
#[derive(Debug)]
enum Outcome {
    Refused(String),
    Rendered(Vec<J>),
}

fn render(change_file: &str, set_string: &[String]) -> Outcome {
    let production = std::fs::read_to_string("values/examples/production.yaml").unwrap();
    let inputs = ValueInputs {
        files: vec![
            "production.yaml".into(),
            "base.yaml".into(),
            "change.yaml".into(),
        ],
        set_string: set_string.to_vec(),
        ..ValueInputs::default()
    };
    let mut read = |path: &str| -> anyhow::Result<String> {
        Ok(match path {
            "production.yaml" => production.clone(),
            "base.yaml" => BASE.to_string(),
            "change.yaml" => change_file.to_string(),
            other => panic!("unexpected read of {other}"),
        })
    };
    let ctx = RenderContext {
        release_name: "rel".into(),
        namespace: "ns".into(),
        api_versions: vec!["monitoring.coreos.com/v1".into()],
        ..RenderContext::default()
    };
    // With the test Pods: they are rendered from values too.
    let options = OutputOptions {
        include_tests: true,
        ..OutputOptions::default()
    };
    let mut rendered =
        qspgb::render_release(&ChartFiles::embedded(), &inputs, &mut read, &ctx, &options);
    // The key the sweep invents in a Kubernetes object passed through is an unknown field
    // of that object, an error of the field check (src/lint/fields.rs) alone. What this
    // sweep examines is how the object is written, so such a change renders as
    // --helm-exact renders it (the field check's errors are warnings there).
    if let Err(err) = &rendered {
        let text = format!("{err:#}");
        let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("error: ")).collect();
        if !errors.is_empty() && errors.iter().all(|l| l.contains(": unknown field ")) {
            let exact = RenderContext {
                helm_exact: true,
                ..ctx.clone()
            };
            rendered = qspgb::render_release(
                &ChartFiles::embedded(),
                &inputs,
                &mut read,
                &exact,
                &options,
            );
        }
    }
    match rendered {
        Err(err) => Outcome::Refused(format!("{err:#}")),
        Ok(rendered) => Outcome::Rendered(semantic(&rendered.to_output())),
    }
}

/// The documents, parsed by serde_yaml, with the formats embedded in them parsed as well.
fn semantic(stream: &str) -> Vec<J> {
    let mut docs = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(stream) {
        let value: serde_yaml::Value = serde::Deserialize::deserialize(doc).expect("valid YAML");
        if value.is_null() {
            continue;
        }
        let mut json: J = serde_json::to_value(&value).expect("JSON-compatible");
        normalize(&mut json, "");
        docs.push(json);
    }
    docs
}

/// Replaces embedded formats by their parsed form and content hashes by a placeholder.
fn normalize(value: &mut J, key: &str) {
    match value {
        J::Object(map) => {
            let is_secret = map.get("kind").and_then(J::as_str) == Some("Secret");
            for (k, v) in map.iter_mut() {
                if is_secret && k == "data" {
                    if let J::Object(data) = v {
                        for (name, item) in data.iter_mut() {
                            let text = util::base64_decode(item.as_str().unwrap_or(""));
                            *item = if name == "userlist.txt" {
                                userlist(&text)
                            } else {
                                J::String(text)
                            };
                        }
                    }
                    continue;
                }
                normalize(v, k);
            }
        }
        J::Array(items) => {
            for item in items {
                normalize(item, key);
            }
        }
        J::String(s) => {
            if key.starts_with("checksum/") || key.contains("-hash") {
                *s = "<hash>".into();
            } else if let Some((name, hash)) = s.rsplit_once("-hooks-")
                && hash.len() == 10
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
            {
                // The hook Job is named by a hash of its spec, which holds the value.
                *s = format!("{name}-hooks-<hash>");
            } else if key == "pgbouncer.ini" {
                *value = ini(s);
            } else if let Some(json) = s.strip_prefix("--set-json=") {
                let (alias, json) = json.split_once('=').expect("KEY=JSON");
                *value = serde_json::json!({"--set-json": alias, "value": serde_json::from_str::<J>(json).expect("JSON")});
            }
        }
        _ => {}
    }
}

/// userlist.txt as PgBouncer reads it: user -> password.
fn userlist(text: &str) -> J {
    let mut users = JMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<String> = quoted_fields(line);
        assert_eq!(fields.len(), 2, "a userlist line has two fields: {line:?}");
        users.insert(fields[0].clone(), J::String(fields[1].clone()));
    }
    J::Object(users)
}

fn quoted_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut field = String::new();
        while let Some(c) = chars.next() {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    break;
                }
            } else {
                field.push(c);
            }
        }
        fields.push(field);
    }
    fields
}

/// pgbouncer.ini as PgBouncer reads it: section -> name -> value, where a [databases] or
/// [users] value is its connection parameters (`'...'` quoting with `''`), and every
/// line must be a section, a setting, an `%include` or blank.
fn ini(text: &str) -> J {
    let mut sections = JMap::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.to_string();
            sections
                .entry(current.clone())
                .or_insert(J::Object(JMap::new()));
            continue;
        }
        // PgBouncer's include directive (peering's per-pod file): kept as a pseudo-setting
        // of the section it stands in, so a value that made one would show.
        let (key, value) = match line.strip_prefix("%include ") {
            Some(path) => ("%include", path),
            None => line
                .split_once('=')
                .unwrap_or_else(|| panic!("not an ini line: {line:?}")),
        };
        let (key, value) = (key.trim(), value.trim());
        let parsed = if current == "pgbouncer" || key == "%include" {
            J::String(value.to_string())
        } else {
            connection_params(value)
        };
        let section = sections
            .entry(current.clone())
            .or_insert(J::Object(JMap::new()));
        let entries = section.as_object_mut().unwrap();
        // PgBouncer takes the last of a name written twice; keep them all, in order.
        match entries.get_mut(key) {
            Some(J::Array(all)) => all.push(parsed),
            _ => {
                entries.insert(key.to_string(), J::Array(vec![parsed]));
            }
        }
    }
    J::Object(sections)
}

fn connection_params(text: &str) -> J {
    let mut params = JMap::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.is_empty() {
            break;
        }
        assert_eq!(chars.next(), Some('='), "parameter without '=': {text:?}");
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '\'' {
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                        value.push('\'');
                    } else {
                        break;
                    }
                } else {
                    value.push(c);
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        params.insert(key, J::String(value));
    }
    J::Object(params)
}

/// Replaces `from` by `to` in every string and key.
fn substitute(value: &J, from: &str, to: &str) -> J {
    match value {
        J::String(s) => J::String(s.replace(from, to)),
        J::Array(items) => J::Array(items.iter().map(|i| substitute(i, from, to)).collect()),
        J::Object(map) => J::Object(
            map.iter()
                .map(|(k, v)| (k.replace(from, to), substitute(v, from, to)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn contains(value: &J, needle: &str) -> bool {
    match value {
        J::String(s) => s.contains(needle),
        J::Array(items) => items.iter().any(|i| contains(i, needle)),
        J::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains(needle) || contains(v, needle)),
        _ => false,
    }
}

/// The change a target makes, for the marker (`None`) or a hostile string.
fn change_for(target: &Target, hostile: Option<&str>) -> (Vec<String>, J) {
    let mark = marker(target.format.as_deref());
    match &target.what {
        What::Leaf => (
            target.path.clone(),
            J::String(hostile.unwrap_or(mark).to_string()),
        ),
        What::Key(value) => {
            let mut path = target.path.clone();
            path.push(hostile.unwrap_or(KEY).to_string());
            (path, value.clone())
        }
        What::Object { list } => {
            let key = hostile.unwrap_or(KEY).to_string();
            let mut inner =
                serde_json::json!({ key.clone(): hostile.unwrap_or("qspgbmarker"), "name": "x" });
            // A probe needs exactly one handler (the default ones are TCP).
            if target.path.last().is_some_and(|k| k.ends_with("Probe")) {
                inner["tcpSocket"] = serde_json::json!({"port": 5432});
            }
            let inner = if *list { J::Array(vec![inner]) } else { inner };
            (target.path.clone(), inner)
        }
    }
}

/// The text standing for the target's value in the marker rendering.
fn marker_text(target: &Target) -> &'static str {
    match target.what {
        What::Leaf => marker(target.format.as_deref()),
        What::Key(_) | What::Object { .. } => KEY,
    }
}

/// How an error names the target: the key path as qspgb prints it, up to the map.
fn named_path(target: &Target) -> String {
    let mut out = String::new();
    for (i, key) in target.path.iter().enumerate() {
        let ident = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if key.parse::<usize>().is_ok() && i > 0 {
            out.push_str(&format!("[{key}]"));
        } else if ident {
            if i > 0 {
                out.push('.');
            }
            out.push_str(key);
        } else {
            out.push_str(&format!("[{key:?}]"));
        }
    }
    out
}

/// Checks one hostile outcome against the marker's; `None` when it is as it must be.
fn judge(target: &Target, hostile: &str, marker_docs: &[J], outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Refused(message) => {
            let path = named_path(target);
            // A value with a control character is named, never shown, raw or escaped; a
            // key is part of the path that names it, escaped. (Other values may be quoted
            // back, `found "sesion"`: they are data. Secrets are `secrets.rs`'s.)
            let controls = hostile.chars().any(char::is_control);
            let escaped = format!("{hostile:?}");
            let escaped = &escaped[1..escaped.len() - 1];
            let shown = controls
                && (message.contains(hostile)
                    || (target.what == What::Leaf
                        && escaped.len() > 4
                        && message.contains(escaped)));
            if shown {
                return Some(format!("the error shows the value: {message}"));
            }
            // An empty string where the chart needs a value: refused as if it were unset.
            if hostile.is_empty()
                && let Outcome::Refused(unset) = render(&unset_file(target), &[])
                && unset == *message
            {
                return None;
            }
            if !message.contains(&path) {
                return Some(format!("refused without naming {path}: {message}"));
            }
            None
        }
        Outcome::Rendered(docs) => {
            if target.is_enum && !target.enum_values.iter().any(|v| v == hostile) {
                return Some("an enum accepted a hostile string".into());
            }
            let expected: Vec<J> = marker_docs
                .iter()
                .map(|d| {
                    let d = substitute(d, marker_text(target), hostile);
                    // A passed-through object carries the hostile string as key and value.
                    match target.what {
                        What::Object { .. } => substitute(&d, "qspgbmarker", hostile),
                        _ => d,
                    }
                })
                .collect();
            if expected == docs.as_slice() {
                return None;
            }
            // An empty string means "not set" where the templates treat it so: then the
            // rendering is the one without the value.
            // Or the marker's rendering without the fields the marker filled.
            if hostile.is_empty() {
                if let Outcome::Rendered(unset) = render(&unset_file(target), &[])
                    && unset == *docs
                {
                    return None;
                }
                let without: Vec<J> = marker_docs
                    .iter()
                    .map(|d| without_value(d, marker_text(target)))
                    .collect();
                if without == *docs {
                    return None;
                }
            }
            if expected.len() != docs.len() {
                return Some(format!(
                    "{} documents instead of {}",
                    docs.len(),
                    expected.len()
                ));
            }
            for (e, d) in expected.iter().zip(docs) {
                if e != d {
                    return Some(format!(
                        "a document differs beyond the value: {}",
                        first_difference(e, d, String::new())
                    ));
                }
            }
            None
        }
    }
}

/// The values file with the target unset.
fn unset_file(target: &Target) -> String {
    match target.what {
        What::Leaf => values_with(Some((&target.path, J::Null))),
        _ => values_with(None),
    }
}

/// A document without the map entries whose value is exactly `value`.
fn without_value(doc: &J, value: &str) -> J {
    match doc {
        J::Object(map) => J::Object(
            map.iter()
                .filter(|(_, v)| v.as_str() != Some(value))
                .map(|(k, v)| (k.clone(), without_value(v, value)))
                .collect(),
        ),
        J::Array(items) => J::Array(items.iter().map(|i| without_value(i, value)).collect()),
        other => other.clone(),
    }
}

/// Where two documents first differ: a path and both sides there.
fn first_difference(expected: &J, found: &J, at: String) -> String {
    match (expected, found) {
        (J::Object(e), J::Object(f)) => {
            for (k, ev) in e {
                match f.get(k) {
                    Some(fv) if fv == ev => {}
                    Some(fv) => return first_difference(ev, fv, format!("{at}/{k}")),
                    None => return format!("{at}/{k}: expected {ev}, missing"),
                }
            }
            let extra: Vec<&String> = f.keys().filter(|k| !e.contains_key(*k)).collect();
            format!("{at}: unexpected keys {extra:?}")
        }
        (J::Array(e), J::Array(f)) if e.len() == f.len() => {
            for (i, (ev, fv)) in e.iter().zip(f).enumerate() {
                if ev != fv {
                    return first_difference(ev, fv, format!("{at}/{i}"));
                }
            }
            unreachable!("equal arrays")
        }
        _ => format!("{at}: expected {expected}, found {found}"),
    }
}

/// Runs `f` over `items` on two threads.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let results = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results.lock().unwrap().push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[test]
fn every_string_a_user_sets_is_data() {
    let targets = targets();
    assert!(
        targets.len() > 150 || std::env::var("QSPGB_SWEEP_ONLY").is_ok(),
        "the walk found only {} targets",
        targets.len()
    );
    // The marker renderings.
    let markers: Vec<(Target, Option<Vec<J>>)> = parallel(&targets, |t| {
        let (path, value) = change_for(t, None);
        let docs = match render(&values_with(Some((&path, value))), &[]) {
            Outcome::Rendered(docs) => Some(docs),
            Outcome::Refused(_) if t.is_enum => None,
            Outcome::Refused(why) => {
                assert!(
                    MARKER_REFUSED
                        .iter()
                        .any(|(p, _)| *p == generic(&t.dotted()) || *p == t.dotted()),
                    "{}: the marker is refused: {why}",
                    t.dotted()
                );
                None
            }
        };
        (t.clone(), docs)
    });
    // A path is used when its marker reaches the output of one instance or the other.
    let mut used: BTreeMap<String, bool> = BTreeMap::new();
    let mut cases: Vec<(usize, &'static str)> = Vec::new();
    for (i, (target, docs)) in markers.iter().enumerate() {
        let reached = match docs {
            Some(docs) => docs.iter().any(|d| contains(d, marker_text(target))),
            None => true,
        };
        *used.entry(generic(&target.dotted())).or_default() |= reached;
        for hostile in HOSTILE {
            cases.push((i, hostile));
        }
    }
    let unused: Vec<String> = used
        .into_iter()
        .filter(|(_, u)| !u)
        .map(|(p, _)| p)
        .collect();
    let results = parallel(&cases, |&(i, hostile)| {
        let (target, docs) = &markers[i];
        let (path, value) = change_for(target, Some(hostile));
        let outcome = render(&values_with(Some((&path, value))), &[]);
        let verdict = judge(target, hostile, docs.as_deref().unwrap_or(&[]), &outcome);
        (matches!(outcome, Outcome::Refused(_)), verdict)
    });
    let mut failures = Vec::new();
    let (mut refused, mut rendered) = (0, 0);
    for (&(i, hostile), (was_refused, verdict)) in cases.iter().zip(&results) {
        if *was_refused {
            refused += 1;
        } else {
            rendered += 1;
        }
        if let Some(why) = verdict {
            failures.push(format!("{} = {hostile:?}: {why}", markers[i].0.dotted()));
        }
    }
    if let Ok(report) = std::env::var("QSPGB_SWEEP_REPORT") {
        std::fs::write(report, failures.join("\n")).expect("write the sweep report");
    }
    let unexpected_unused: Vec<&String> = unused
        .iter()
        .filter(|p| !UNUSED.iter().any(|(u, _)| p == u))
        .collect();
    eprintln!(
        "values are data: {} targets × {} hostile strings = {} renders: {refused} refused with the path named, {rendered} rendered as data; {} paths unused",
        targets.len(),
        HOSTILE.len(),
        cases.len(),
        unused.len()
    );
    assert!(
        failures.is_empty() && unexpected_unused.is_empty(),
        "{} failures:\n{}\nunused paths (the marker reaches no output): {unexpected_unused:?}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The same sweep through Argo CD's parameters, for the string leaves: the plugin builds
/// `--set-string` flags from `ARGOCD_APP_PARAMETERS`, and each outcome is judged as the
/// values file's is (refused naming the path, or exactly the marker's documents with the
/// hostile string in its place). Argo CD's `set-string` keeps Helm's `{a,b}` list syntax,
/// so a value in braces may be refused where a values file renders it.
#[test]
fn argocd_parameters_are_data_too() {
    let targets: Vec<Target> = targets()
        .into_iter()
        .filter(|t| t.what == What::Leaf && !t.path.iter().any(|k| k == "0"))
        .collect();
    let markers: Vec<Option<Vec<J>>> = parallel(&targets, |t| {
        let (path, value) = change_for(t, None);
        match render(&values_with(Some((&path, value))), &[]) {
            Outcome::Rendered(docs) => Some(docs),
            Outcome::Refused(_) => None,
        }
    });
    let mut cases: Vec<(usize, &'static str)> = Vec::new();
    for i in 0..targets.len() {
        for hostile in HOSTILE {
            cases.push((i, hostile));
        }
    }
    let failures: Vec<String> = parallel(&cases, |&(i, hostile)| {
        let target = &targets[i];
        let params = serde_json::json!([{"name": "set-string", "map": {target.dotted(): hostile}}])
            .to_string();
        let env: BTreeMap<&str, String> = BTreeMap::from([
            ("ARGOCD_APP_NAME", "rel".to_string()),
            ("ARGOCD_APP_NAMESPACE", "ns".to_string()),
            ("ARGOCD_APP_PARAMETERS", params),
        ]);
        let lookup = |name: &str| env.get(name).cloned();
        let all: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let argv = match qspgb::render_args(&lookup, &all) {
            Ok(argv) => argv,
            Err(err) => {
                let message = format!("{err:#}");
                return (hostile.chars().any(char::is_control) && message.contains(hostile)).then(
                    || {
                        format!(
                            "{} = {hostile:?}: the parameter error shows the value: {message}",
                            target.dotted()
                        )
                    },
                );
            }
        };
        let set_string: Vec<String> = argv
            .iter()
            .filter_map(|a| a.strip_prefix("--set-string="))
            .map(String::from)
            .collect();
        assert_eq!(
            set_string.len(),
            1,
            "one --set-string from one parameter: {argv:?}"
        );
        let outcome = render("{}", &set_string);
        let marker_docs = markers[i].as_deref().unwrap_or(&[]);
        judge(target, hostile, marker_docs, &outcome)
            .map(|why| format!("{} = {hostile:?} through Argo CD: {why}", target.dotted()))
    })
    .into_iter()
    .flatten()
    .collect();
    eprintln!(
        "argocd parameters: {} string leaves × {} hostile strings = {} renders",
        targets.len(),
        HOSTILE.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
