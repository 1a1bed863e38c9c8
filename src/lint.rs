//! The checks every command that renders runs, and `qspgb lint` reports in full: what
//! Kubernetes, PgBouncer or Prometheus would refuse, found before anything is written.
//!
//! 1. Every input against the chart's schemas (all problems, each naming its input).
//! 2. The render itself (template checks, refused pgbouncer.ini content).
//! 3. PgBouncer settings under `config.pgbouncer`, `config.databases` and `config.users`:
//!    known names and valid values for the PgBouncer version the chart ships
//!    ([`crate::pgbouncer::settings`]); settings the chart derives elsewhere kept
//!    consistent (`listen_port`, `auth_file`, `admin_users`, the admin Secret's keys, the
//!    exporter's port); PgBouncer's userlist limits.
//! 4. The rendered objects: names valid for Kubernetes and at most 63 characters, label
//!    keys and values valid, annotation values strings, resource quantities that parse.
//!
//! `render`, `values`, `diff`, `hooks` and `argocd generate` fail on every error `lint`
//! reports, with the same lines. An error about what Kubernetes or PgBouncer would refuse
//! is *deployability* (a schema format, 3 and 4): `--helm-exact` turns those into warnings,
//! for renderings that must equal Helm's. Findings about merged values name the input that
//! set the key, or the chart defaults.

use std::fmt;

use crate::chart::schema::{KeyPath, ProblemKind, Segment};
use crate::k8s;
use crate::pgbouncer::{
    self,
    settings::{self, Section},
};
use crate::render::output::Document;
use crate::value::{Map, Value};
use crate::values::InputReport;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Will not work as written (refused by PgBouncer or Kubernetes, or by qspgb).
    Error,
    /// Works, but probably not as meant.
    Warning,
}

/// One thing lint found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Where: an input (`values.yaml`, `--set "a=…"`), `chart defaults`, or a rendered
    /// template path with the object's kind and name; empty for a template error.
    pub origin: String,
    /// The key path inside it, if any.
    pub path: String,
    /// What is wrong. Never quotes a value that may be secret.
    pub message: String,
}

impl Finding {
    /// The finding without its severity: `origin: path: message`.
    pub fn body(&self) -> String {
        [
            self.origin.as_str(),
            self.path.as_str(),
            self.message.as_str(),
        ]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(": ")
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: {}", self.body())
    }
}

/// The findings of a command that an error stops, as `lint` prints them: one `error: ...`
/// or `warning: ...` line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Findings(pub Vec<Finding>);

impl fmt::Display for Findings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(Finding::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for Findings {}

/// The severity of a deployability problem: an error, or with `--helm-exact` a warning.
fn deployability(helm_exact: bool) -> Severity {
    if helm_exact {
        Severity::Warning
    } else {
        Severity::Error
    }
}

/// Every input's schema problems as findings: [`ProblemKind::Invalid`] always an error,
/// [`ProblemKind::Undeployable`] an error unless `helm_exact`.
pub fn schema_findings(report: &InputReport, helm_exact: bool) -> Vec<Finding> {
    report
        .problems
        .iter()
        .map(|(origin, problem)| Finding {
            severity: match problem.kind {
                ProblemKind::Invalid => Severity::Error,
                ProblemKind::Undeployable => deployability(helm_exact),
            },
            origin: origin.clone(),
            path: problem.path.to_string(),
            message: problem.message.clone(),
        })
        .collect()
}

/// The findings about one enabled instance's merged values (`values` is the whole
/// `.Values` of the parent chart, for the top-level keys some checks need).
pub fn instance_findings(
    alias: &str,
    values: &Map,
    report: &InputReport,
    helm_exact: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(Value::Map(instance)) = values.get(alias) {
        check_pgbouncer_config(alias, instance, report, helm_exact, &mut findings);
        check_derived_settings(alias, instance, values, report, helm_exact, &mut findings);
        check_userlist_limits(alias, instance, report, helm_exact, &mut findings);
        check_image_references(alias, instance, report, helm_exact, &mut findings);
    }
    findings
}

/// An image the instance runs without a repository or tag (a `null` removed the default):
/// Helm writes `%!s(<nil>)` in its place (Go's `printf "%s"` of nothing), which is no image
/// anyone can pull.
fn check_image_references(
    alias: &str,
    instance: &Map,
    report: &InputReport,
    helm_exact: bool,
    findings: &mut Vec<Finding>,
) {
    let enabled = |path: &str| {
        matches!(
            crate::value::map_path(instance, path),
            Some(Value::Bool(true))
        )
    };
    let images = [
        ("image", true),
        (
            "pgbouncerExporter.image",
            enabled("pgbouncerExporter.enabled"),
        ),
        ("hooks.image", enabled("hooks.enabled")),
    ];
    for (image, used) in images {
        if !used {
            continue;
        }
        for part in ["repository", "tag"] {
            let path = format!("{image}.{part}");
            if matches!(
                crate::value::map_path(instance, &path),
                None | Some(Value::Null)
            ) {
                let keys: Vec<&str> = path.split('.').collect();
                findings.push(value_finding(
                    report,
                    alias,
                    &keys,
                    deployability(helm_exact),
                    "is null: the image reference would hold `%!s(<nil>)` in its place (as \
                     Helm writes it), which is no image a node can pull"
                        .to_string(),
                ));
            }
        }
    }
}

/// The input that set a key of an instance, or the chart's defaults.
fn origin(report: &InputReport, path: &[&str]) -> String {
    report
        .origin_of(path)
        .map(str::to_string)
        .unwrap_or_else(|| "chart defaults".into())
}

/// A finding about the key `path` (below the instance `alias`), located by its origin.
fn value_finding(
    report: &InputReport,
    alias: &str,
    path: &[&str],
    severity: Severity,
    message: String,
) -> Finding {
    let full: Vec<&str> = std::iter::once(alias).chain(path.iter().copied()).collect();
    Finding {
        severity,
        origin: origin(report, &full),
        path: KeyPath(full.iter().map(|k| Segment::Key(k.to_string())).collect()).to_string(),
        message,
    }
}

/// `config.pgbouncer`, `config.databases.*` and `config.users.*` against PgBouncer's
/// settings.
fn check_pgbouncer_config(
    alias: &str,
    instance: &Map,
    report: &InputReport,
    helm_exact: bool,
    findings: &mut Vec<Finding>,
) {
    let Some(Value::Map(config)) = instance.get("config") else {
        return;
    };
    let mut push = |path: &[&str], (severity, message): (Severity, String)| {
        let full: Vec<&str> = ["config"].iter().chain(path).copied().collect();
        findings.push(value_finding(report, alias, &full, severity, message));
    };
    if let Some(Value::Map(pgbouncer)) = config.get("pgbouncer") {
        for (key, value) in pgbouncer {
            for finding in settings_findings(Section::Pgbouncer, "", key, value, helm_exact) {
                push(&["pgbouncer", key], finding);
            }
        }
    }
    for (field, section) in [("databases", Section::Databases), ("users", Section::Users)] {
        let Some(Value::Map(entries)) = config.get(field) else {
            continue;
        };
        for (name, params) in entries {
            if let Err(why) = settings::check_name(section, name) {
                push(&[field, name], (deployability(helm_exact), why));
            }
            let Value::Map(params) = params else {
                continue;
            };
            for (key, value) in params {
                for finding in settings_findings(section, name, key, value, helm_exact) {
                    push(&[field, name, key], finding);
                }
            }
        }
    }
}

/// The `[pgbouncer]` settings the chart writes itself; one under `config.pgbouncer` is
/// written a second time, after the chart's line, and PgBouncer takes the last.
const CHART_WRITES: &[&str] = &[
    "listen_addr",
    "listen_port",
    "auth_file",
    "admin_users",
    "server_reset_query",
    "server_reset_query_always",
];

/// The port PgBouncer listens on in the chart's pods: `listen_port` in pgbouncer.ini, the
/// container port `psql` (the Service's target port), the probes, the NetworkPolicy, the
/// test Pods and the exporter's default all use it.
pub const LISTEN_PORT: &str = "5432";

/// Where the chart mounts the userlist Secret (`auth_file`).
pub const AUTH_FILE: &str = "/etc/userlist/userlist.txt";

/// What PgBouncer would say about one setting. Messages name the setting and what it
/// takes, never the value (a connection string's `password` is one).
fn settings_findings(
    section: Section,
    entry: &str,
    key: &str,
    value: &Value,
    helm_exact: bool,
) -> Vec<(Severity, String)> {
    let deploy = deployability(helm_exact);
    let (major, minor, patch) = settings::PGBOUNCER_VERSION;
    let Some(setting) = settings::lookup(section, key) else {
        let hint = settings::suggest(section, key)
            .map(|s| format!(" (did you mean {s:?}?)"))
            .unwrap_or_default();
        let place = match section {
            Section::Databases => format!("a connection parameter of database {entry:?}"),
            Section::Users => format!("a parameter of user {entry:?}"),
            _ => "a [pgbouncer] setting".to_string(),
        };
        return vec![(
            deploy,
            format!(
                "{key:?} is not {place} in PgBouncer {major}.{minor}.{patch}, which stops it from starting{hint}"
            ),
        )];
    };
    let text = match value {
        // A YAML boolean for one of PgBouncer's 0/1 flags: the intent is plain, so the
        // chart writes 1 or 0 (Helm writes `true`, which PgBouncer refuses), except with
        // --helm-exact, which writes what Helm writes.
        Value::Bool(b) if matches!(setting.kind, settings::Kind::Bool) => {
            if helm_exact {
                return vec![(
                    Severity::Warning,
                    format!(
                        "PgBouncer reads 0 or 1 here, not true/false; with --helm-exact the chart writes `{b}` as Helm does, which stops PgBouncer (without it, {})",
                        u8::from(*b)
                    ),
                )];
            }
            u8::from(*b).to_string()
        }
        Value::Bool(b) => {
            return vec![(
                deploy,
                format!(
                    "PgBouncer reads {} here, not true/false (the chart would write `{b}`, which stops PgBouncer)",
                    setting.kind.describe()
                ),
            )];
        }
        Value::String(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::render::functions::format_float(*f),
        // A null with no default to delete is written as an empty value (`key = `), which
        // PgBouncer refuses for anything but a text setting.
        Value::Null => String::new(),
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    if section == Section::Pgbouncer && settings::ini_value(&text) != text {
        // The ini reader drops them, so PgBouncer would read another value than the one set.
        out.push((
            deploy,
            "begins or ends with a blank, which PgBouncer's ini reader drops (it would read \
             another value than this one)"
                .to_string(),
        ));
    } else if let Err(why) = settings::check_value(&setting.kind, &text) {
        // An empty connection parameter cannot be written at all (PgBouncer would read the
        // next parameter as its value): an error even with --helm-exact, as in the template.
        let severity = if section != Section::Pgbouncer && text.is_empty() {
            Severity::Error
        } else {
            deploy
        };
        out.push((
            severity,
            format!("PgBouncer would refuse this value: {why}"),
        ));
    } else if let Some(why) = settings::value_warning(&setting.kind, &text) {
        // PgBouncer takes any number for a port, but one outside 1..65535 reaches nothing.
        let is_port = matches!(setting.kind, settings::Kind::ConnPort) || key.ends_with("port");
        let severity = if is_port { deploy } else { Severity::Warning };
        out.push((severity, why));
    }
    if let Some(why) = setting.deprecated {
        out.push((Severity::Warning, format!("deprecated: {why}")));
    }
    if section == Section::Pgbouncer && CHART_WRITES.contains(&key) {
        out.push(chart_written(key, &text, deploy));
    }
    out
}

/// A setting the chart also writes: a warning where PgBouncer's last-wins reading keeps
/// the pods working, an error where it would break what the chart set up around it.
fn chart_written(key: &str, text: &str, deploy: Severity) -> (Severity, String) {
    let twice = format!(
        "the chart writes {key} itself; this writes it a second time, after the chart's line"
    );
    match key {
        "listen_port" if text.trim() != LISTEN_PORT => (
            deploy,
            format!(
                "the chart runs PgBouncer on port {LISTEN_PORT}: the container port `psql` (the Service's targetPort), the probes, the NetworkPolicy, the test Pods and the exporter use it, and none would reach PgBouncer on another port. Clients choose their port with service.port; remove listen_port"
            ),
        ),
        "auth_file" if text.trim() != AUTH_FILE => (
            deploy,
            format!(
                "the chart mounts the userlist Secret at {AUTH_FILE}; PgBouncer would find no users at another path. Remove auth_file"
            ),
        ),
        _ => (Severity::Warning, twice),
    }
}

/// Settings the chart derives in more than one place, which must agree: `admin_users`
/// must keep `config.adminUser` (the exporter and the test Pods log in as it), the admin
/// Secret the chart renders has the keys the exporter and test Pods read, and the exporter
/// connects to the port PgBouncer listens on.
fn check_derived_settings(
    alias: &str,
    instance: &Map,
    values: &Map,
    report: &InputReport,
    helm_exact: bool,
    findings: &mut Vec<Finding>,
) {
    let deploy = deployability(helm_exact);
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Int(i)) => Some(i.to_string()),
        Some(Value::Float(f)) => Some(crate::render::functions::format_float(*f)),
        _ => None,
    };
    let config = match instance.get("config") {
        Some(Value::Map(c)) => c.clone(),
        _ => Map::default(),
    };
    let admin_user = text(config.get("adminUser")).unwrap_or_default();
    if let Some(admins) = text(crate::value::map_path(&config, "pgbouncer.admin_users"))
        && !admin_user.is_empty()
        && !admins.split(',').any(|a| a.trim() == admin_user)
    {
        findings.push(value_finding(
            report,
            alias,
            &["config", "pgbouncer", "admin_users"],
            deploy,
            "does not name config.adminUser, which the chart writes into admin_users: PgBouncer takes the last admin_users line, so the exporter and the test Pods, which log in as config.adminUser, would lose the admin console. List config.adminUser too, or remove admin_users".into(),
        ));
    }
    let exporter = match instance.get("pgbouncerExporter") {
        Some(Value::Map(e)) => Some(e),
        _ => None,
    };
    let exporter_on = exporter.is_some_and(|e| e.get("enabled") == Some(&Value::Bool(true)));
    let tests_on = crate::value::map_path(values, "tests.enabled") == Some(&Value::Bool(true));
    let rendered_admin_secret = text(config.get("existingAdminSecret"))
        .unwrap_or_default()
        .is_empty();
    if rendered_admin_secret && (exporter_on || tests_on) {
        for (key, default) in [
            ("adminUserKey", "adminUser"),
            ("adminPasswordKey", "adminPassword"),
        ] {
            if let Some(custom) = text(config.get(key))
                && !custom.is_empty()
                && custom != default
            {
                findings.push(value_finding(
                    report,
                    alias,
                    &["config", key],
                    deploy,
                    format!(
                        "the admin Secret the chart renders (config.existingAdminSecret is empty) has the key {default}, but the {} read{} config.{key}: set it to {default} (or unset it), or name your own Secret in config.existingAdminSecret",
                        match (exporter_on, tests_on) {
                            (true, true) => "exporter and the test Pods",
                            (true, false) => "exporter",
                            _ => "test Pods",
                        },
                        if exporter_on && tests_on { "" } else { "s" }
                    ),
                ));
            }
        }
    }
    if exporter_on
        && let Some(port) = exporter.and_then(|e| text(e.get("port")))
        && port != LISTEN_PORT
    {
        findings.push(value_finding(
            report,
            alias,
            &["pgbouncerExporter", "port"],
            deploy,
            format!(
                "the exporter connects to PgBouncer in its own pod, which listens on {LISTEN_PORT}; on another port it reaches nothing"
            ),
        ));
    }
}

/// PgBouncer's length limits for the userlist the chart renders (when
/// `config.existingUserlistSecret` is empty): the admin user (without an existing admin
/// Secret), the auth user and every `config.userlist` entry.
fn check_userlist_limits(
    alias: &str,
    instance: &Map,
    report: &InputReport,
    helm_exact: bool,
    findings: &mut Vec<Finding>,
) {
    let Some(Value::Map(config)) = instance.get("config") else {
        return;
    };
    let is_set = |key: &str| matches!(config.get(key), Some(Value::String(s)) if !s.is_empty());
    if is_set("existingUserlistSecret") {
        return;
    }
    let deploy = deployability(helm_exact);
    let mut check = |path: Vec<&str>, user: Option<&str>, password: Option<&str>| {
        let full: Vec<&str> = ["config"].iter().copied().chain(path).collect();
        if let Some(user) = user
            && let Err(why) = pgbouncer::check_user_name_length(user)
        {
            findings.push(value_finding(
                report,
                alias,
                &full,
                deploy,
                format!("the user name {why}"),
            ));
        }
        if let Some(password) = password
            && let Err(why) = pgbouncer::check_password_length(password)
        {
            findings.push(value_finding(
                report,
                alias,
                &full,
                deploy,
                format!("the password {why}"),
            ));
        }
    };
    let string = |key: &str| match config.get(key) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    if !is_set("existingAdminSecret") {
        check(vec!["adminUser"], string("adminUser"), None);
        check(vec!["adminPassword"], None, string("adminPassword"));
    }
    if is_set("authUser") {
        check(vec!["authUser"], string("authUser"), None);
        check(vec!["authPassword"], None, string("authPassword"));
    }
    if let Some(Value::Map(userlist)) = config.get("userlist") {
        for (user, password) in userlist {
            let password = match password {
                Value::String(p) => Some(p.as_str()),
                _ => None,
            };
            check(vec!["userlist", user.as_str()], Some(user), password);
        }
    }
}

/// The rendered object's names, labels, annotations and resource quantities: what the API
/// server would refuse (deployability).
pub fn document_findings(document: &Document, helm_exact: bool) -> Vec<Finding> {
    let Value::Map(object) = &document.object else {
        return Vec::new();
    };
    let kind = document.kind.as_str();
    let name = object
        .get("metadata")
        .and_then(|m| m.path("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let origin = format!("{} ({kind} {name})", document.source);
    let mut findings = Vec::new();
    let mut push = |path: String, message: String| {
        findings.push(Finding {
            severity: deployability(helm_exact),
            origin: origin.clone(),
            path,
            message,
        })
    };
    if name.is_empty() {
        push("metadata.name".into(), "is empty".into());
    } else if let Err(why) = k8s::check_object_name(kind, name) {
        push(
            "metadata.name".into(),
            format!(
                "{why} (the chart builds names from fullnameOverride, or from the release name and nameOverride)"
            ),
        );
    }
    // Label-like maps Kubernetes validates: metadata labels, selectors, pod templates.
    // PrometheusRule alert labels are Prometheus's, not Kubernetes'.
    walk_object(
        &mut Vec::new(),
        &document.object,
        kind != "PrometheusRule",
        &mut push,
    );
    if matches!(kind, "Deployment" | "DaemonSet" | "StatefulSet") {
        for (key, why) in selector_mismatches(object) {
            push(format!("spec.template.metadata.labels.{key}"), why);
        }
    }
    findings
}

/// The selector labels a workload's pod template does not carry with the same value: the
/// API server refuses such a workload ("selector does not match template labels"). The
/// chart's pod labels come from the selector labels and `podLabels`, so a `podLabels`
/// entry with a selector label's key is the way in.
fn selector_mismatches(object: &crate::value::Map) -> Vec<(String, String)> {
    let spec = object.get("spec");
    let selector = spec
        .and_then(|s| s.path("selector"))
        .and_then(|s| s.path("matchLabels"));
    let labels = spec
        .and_then(|s| s.path("template"))
        .and_then(|t| t.path("metadata"))
        .and_then(|m| m.path("labels"));
    let (Some(Value::Map(selector)), Some(Value::Map(labels))) = (selector, labels) else {
        return Vec::new();
    };
    selector
        .iter()
        .filter(|(key, value)| labels.get(key.as_str()) != Some(value))
        .map(|(key, value)| {
            let found = match labels.get(key.as_str()) {
                Some(Value::String(s)) => format!("{s:?}"),
                Some(other) => other.type_name().to_string(),
                None => "nothing".to_string(),
            };
            (
                key.clone(),
                format!(
                    "is {found}, but the selector needs {}: a podLabels entry replaces a selector \
                     label, and the API server refuses a workload whose selector does not match its pods",
                    match value {
                        Value::String(s) => format!("{s:?}"),
                        other => other.type_name().to_string(),
                    }
                ),
            )
        })
        .collect()
}

/// One step of the path to a value inside a rendered object.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The dotted path of `steps` (`spec.template.metadata.labels`, `containers[0]`).
fn dotted(steps: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Walks a rendered object for labels, annotations and resource amounts. The path is
/// kept as borrowed steps and only spelled out for a finding: this runs over every
/// document of every render, and building a path string per key was a tenth of a render.
fn walk_object<'a>(
    steps: &mut Vec<Step<'a>>,
    value: &'a Value,
    labels_too: bool,
    push: &mut dyn FnMut(String, String),
) {
    match value {
        Value::Map(map) => {
            for (key, inner) in map {
                steps.push(Step::Key(key));
                match (key.as_str(), inner) {
                    ("labels" | "matchLabels" | "nodeSelector", Value::Map(labels))
                        if labels_too
                            || (steps.len() == 2 && matches!(steps[0], Step::Key("metadata"))) =>
                    {
                        for (k, v) in labels {
                            if let Err(why) = check_label(k, v) {
                                push(format!("{}[{k:?}]", dotted(steps)), why);
                            }
                        }
                    }
                    ("annotations", Value::Map(annotations)) => {
                        for (k, v) in annotations {
                            if let Err(why) = k8s::check_label_key(k) {
                                push(format!("{}[{k:?}]", dotted(steps)), why);
                            } else if !matches!(v, Value::String(_)) {
                                push(
                                    format!("{}[{k:?}]", dotted(steps)),
                                    format!(
                                        "annotation values must be strings, found {} (quote it in the values)",
                                        v.type_name()
                                    ),
                                );
                            }
                        }
                    }
                    ("resources", Value::Map(resources)) => {
                        for bound in ["limits", "requests"] {
                            if let Some(Value::Map(amounts)) = resources.get(bound) {
                                for (resource, amount) in amounts {
                                    if let Err(why) = check_quantity(amount) {
                                        push(format!("{}.{bound}.{resource}", dotted(steps)), why);
                                    }
                                }
                            }
                        }
                    }
                    _ => walk_object(steps, inner, labels_too, push),
                }
                steps.pop();
            }
        }
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                steps.push(Step::Index(i));
                walk_object(steps, item, labels_too, push);
                steps.pop();
            }
        }
        _ => {}
    }
}

/// A label (key and value) as the API server checks it; values must be strings.
///
/// ```
/// # use qspgb::lint::check_label;
/// # use qspgb::value::Value;
/// assert!(check_label("app.kubernetes.io/name", &Value::from("pgbouncer")).is_ok());
/// assert!(check_label("tier", &Value::Int(1)).is_err());
/// assert!(check_label("bad key", &Value::from("x")).is_err());
/// ```
pub fn check_label(key: &str, value: &Value) -> Result<(), String> {
    k8s::check_label_key(key)?;
    match value {
        Value::String(s) => k8s::check_label_value(s),
        other => Err(format!(
            "label values must be strings, found {} (quote it in the values)",
            other.type_name()
        )),
    }
}

/// A resource quantity as the API server reads it: a number, or text such as `100m`.
pub fn check_quantity(value: &Value) -> Result<(), String> {
    match value {
        Value::Int(_) | Value::Float(_) => Ok(()),
        Value::String(s) => k8s::check_quantity(s),
        other => Err(format!("expected a quantity, found {}", other.type_name())),
    }
}
