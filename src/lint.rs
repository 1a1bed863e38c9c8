//! `qspgb lint`: everything `render` checks, without stopping at the first problem, plus
//! what a schema cannot say.
//!
//! 1. Every input against the chart's schemas (all problems, each naming its input).
//! 2. The render itself (template checks, refused pgbouncer.ini content).
//! 3. PgBouncer settings under `config.pgbouncer`, `config.databases` and `config.users`:
//!    known names and valid values for the PgBouncer version the chart ships
//!    ([`crate::pgbouncer::settings`]).
//! 4. The rendered objects: names valid for Kubernetes and at most 63 characters, label
//!    keys and values valid, annotation values strings, resource quantities that parse.
//!
//! Findings about merged values name the input that set the key, or the chart defaults.

use std::fmt;

use anyhow::Result;

use crate::chart::{Chart, ChartFiles};
use crate::pgbouncer::settings::{self, Section};
use crate::release;
use crate::render::RenderContext;
use crate::render::output::{Document, OutputOptions};
use crate::value::{Map, Value};
use crate::values::schema::{KeyPath, Segment};
use crate::values::{self, InputReport, ReadInput, ValueInputs};
use crate::yaml;

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
    /// template path with the object's kind and name.
    pub origin: String,
    /// The key path inside it, if any.
    pub path: String,
    /// What is wrong. Never quotes a value that may be secret.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.path.is_empty() {
            write!(f, "{severity}: {}: {}", self.origin, self.message)
        } else {
            write!(
                f,
                "{severity}: {}: {}: {}",
                self.origin, self.path, self.message
            )
        }
    }
}

/// Lints one release: chart + value inputs + render context. `Err` only when nothing can
/// be checked (the chart does not load, an input does not parse or cannot be read).
pub fn lint(
    files: &ChartFiles,
    inputs: &ValueInputs,
    read: &mut ReadInput,
    ctx: &RenderContext,
) -> Result<Vec<Finding>> {
    let chart = Chart::load(files)?;
    // Inputs are read once: the render below reads them again (standard input cannot be).
    let mut read_once = release::read_each_once(read);
    let report = values::report_user_values(&chart, inputs, &mut read_once)?;
    let mut findings: Vec<Finding> = report
        .problems
        .iter()
        .map(|(origin, problem)| Finding {
            severity: Severity::Error,
            origin: origin.clone(),
            path: problem.path.to_string(),
            message: problem.message.clone(),
        })
        .collect();
    if !findings.is_empty() {
        // The checks below assume the types the schema promises.
        return Ok(findings);
    }
    let resolved = values::resolve(&chart, report.values.clone())?;
    for alias in &resolved.enabled {
        if let Some(Value::Map(instance)) = resolved.values.get(alias) {
            check_pgbouncer_config(alias, instance, &report, &mut findings);
        }
    }
    match release::render_release(
        files,
        inputs,
        &mut read_once,
        ctx,
        &OutputOptions::default(),
    ) {
        Ok(rendered) => {
            for document in &rendered.documents {
                check_document(document, &mut findings);
            }
        }
        Err(err) => findings.push(Finding {
            severity: Severity::Error,
            origin: "render".into(),
            path: String::new(),
            message: format!("{err:#}"),
        }),
    }
    Ok(findings)
}

/// The input that set a key of an instance, or the chart's defaults.
fn origin(report: &InputReport, path: &[&str]) -> String {
    report
        .origin_of(path)
        .map(str::to_string)
        .unwrap_or_else(|| "chart defaults".into())
}

/// `config.pgbouncer`, `config.databases.*` and `config.users.*` against PgBouncer's
/// settings.
fn check_pgbouncer_config(
    alias: &str,
    instance: &Map,
    report: &InputReport,
    findings: &mut Vec<Finding>,
) {
    let Some(Value::Map(config)) = instance.get("config") else {
        return;
    };
    // One finding, located by its key path below the instance.
    let finding = |severity: Severity, path: &[&str], message: String| {
        let full: Vec<&str> = [alias, "config"].iter().chain(path).copied().collect();
        Finding {
            severity,
            origin: origin(report, &full),
            path: KeyPath(full.iter().map(|k| Segment::Key(k.to_string())).collect()).to_string(),
            message,
        }
    };
    if let Some(Value::Map(pgbouncer)) = config.get("pgbouncer") {
        for (key, value) in pgbouncer {
            for (severity, message) in settings_findings(Section::Pgbouncer, "", key, value) {
                findings.push(finding(severity, &["pgbouncer", key], message));
            }
        }
    }
    for (field, section) in [("databases", Section::Databases), ("users", Section::Users)] {
        let Some(Value::Map(entries)) = config.get(field) else {
            continue;
        };
        for (name, params) in entries {
            if let Err(why) = settings::check_name(section, name) {
                findings.push(finding(Severity::Error, &[field, name], why));
            }
            let Value::Map(params) = params else {
                continue;
            };
            for (key, value) in params {
                for (severity, message) in settings_findings(section, name, key, value) {
                    findings.push(finding(severity, &[field, name, key], message));
                }
            }
        }
    }
}

/// The `[pgbouncer]` settings the chart writes itself; one under `config.pgbouncer` is
/// written a second time.
const CHART_WRITES: &[&str] = &[
    "listen_addr",
    "listen_port",
    "auth_file",
    "admin_users",
    "server_reset_query",
    "server_reset_query_always",
];

/// What PgBouncer would say about one setting, as findings. Messages name the setting and
/// what it takes, never the value (a connection string's `password` is one).
fn settings_findings(
    section: Section,
    entry: &str,
    key: &str,
    value: &Value,
) -> Vec<(Severity, String)> {
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
            Severity::Error,
            format!(
                "{key:?} is not {place} in PgBouncer {major}.{minor}.{patch}, which stops it from starting{hint}"
            ),
        )];
    };
    let text = match value {
        Value::Bool(b) => {
            return vec![(
                Severity::Error,
                format!(
                    "PgBouncer reads {} here, not true/false (the chart writes `{b}`, which stops PgBouncer); write {}",
                    setting.kind.describe(),
                    u8::from(*b)
                ),
            )];
        }
        Value::String(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::render::functions::format_float(*f),
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    if let Err(why) = settings::check_value(&setting.kind, &text) {
        out.push((
            Severity::Error,
            format!("PgBouncer would refuse this value: {why}"),
        ));
    } else if let Some(why) = settings::value_warning(&setting.kind, &text) {
        // PgBouncer takes any number for a port, but one outside 1..65535 reaches nothing.
        let is_port = matches!(setting.kind, settings::Kind::ConnPort) || key.ends_with("port");
        let severity = if is_port {
            Severity::Error
        } else {
            Severity::Warning
        };
        out.push((severity, why));
    }
    if let Some(why) = setting.deprecated {
        out.push((Severity::Warning, format!("deprecated: {why}")));
    }
    if section == Section::Pgbouncer && CHART_WRITES.contains(&key) {
        out.push((
            Severity::Warning,
            format!("the chart writes {key} itself; this writes it a second time, after the chart's line"),
        ));
    }
    out
}

/// The rendered object's names, labels, annotations and resource quantities.
fn check_document(document: &Document, findings: &mut Vec<Finding>) {
    let Ok(Value::Map(object)) = yaml::parse_values(&document.content, &document.source) else {
        return;
    };
    let kind = document.kind.as_str();
    let name = object
        .get("metadata")
        .and_then(|m| m.path("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let origin = format!("{} ({kind} {name})", document.source);
    let mut push = |path: String, message: String| {
        findings.push(Finding {
            severity: Severity::Error,
            origin: origin.clone(),
            path,
            message,
        })
    };
    if let Err(why) = check_object_name(kind, name) {
        push("metadata.name".into(), why);
    }
    // Label-like maps Kubernetes validates: metadata labels, selectors, pod templates.
    // PrometheusRule alert labels are Prometheus's, not Kubernetes'.
    walk_object("", &Value::Map(object), kind != "PrometheusRule", &mut push);
}

fn walk_object(path: &str, value: &Value, labels_too: bool, push: &mut dyn FnMut(String, String)) {
    match value {
        Value::Map(map) => {
            for (key, inner) in map {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match (key.as_str(), inner) {
                    ("labels" | "matchLabels", Value::Map(labels))
                        if labels_too || path == "metadata" =>
                    {
                        for (k, v) in labels {
                            if let Err(why) = check_label(k, v) {
                                push(format!("{here}[{k:?}]"), why);
                            }
                        }
                    }
                    ("annotations", Value::Map(annotations)) => {
                        for (k, v) in annotations {
                            if !matches!(v, Value::String(_)) {
                                push(
                                    format!("{here}[{k:?}]"),
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
                                        push(format!("{here}.{bound}.{resource}"), why);
                                    }
                                }
                            }
                        }
                    }
                    _ => walk_object(&here, inner, labels_too, push),
                }
            }
        }
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_object(&format!("{path}[{i}]"), item, labels_too, push);
            }
        }
        _ => {}
    }
}

/// Kubernetes object names: DNS-1123 subdomains (Services: DNS-1035 labels), and at most
/// 63 characters, since the chart also uses names as label values.
///
/// ```
/// # use qspgb::lint::check_object_name;
/// assert!(check_object_name("Deployment", "pgbouncer-pharia").is_ok());
/// assert!(check_object_name("Service", "1pgbouncer").is_err());
/// assert!(check_object_name("ConfigMap", &"a".repeat(64)).is_err());
/// assert!(check_object_name("ConfigMap", "Upper").is_err());
/// ```
pub fn check_object_name(kind: &str, name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".into());
    }
    if name.len() > 63 {
        return Err(format!(
            "{name:?} is {} characters long; at most 63 (set a shorter fullnameOverride)",
            name.len()
        ));
    }
    if kind == "Service" {
        if !dns_label(name) || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(format!(
                "{name:?} is not a valid Service name (lowercase letters, digits and '-', starting with a letter)"
            ));
        }
    } else if !name.split('.').all(dns_label) {
        return Err(format!(
            "{name:?} is not a valid Kubernetes name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)"
        ));
    }
    Ok(())
}

/// One DNS-1123 label: lowercase letters, digits and `-`, not starting or ending with `-`.
fn dns_label(part: &str) -> bool {
    !part.is_empty()
        && part
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !part.starts_with('-')
        && !part.ends_with('-')
}

/// A label: key `[prefix/]name` (prefix a DNS subdomain of at most 253 characters, name at
/// most 63), value a string of at most 63 characters, both from `[A-Za-z0-9_.-]`, starting
/// and ending alphanumeric.
///
/// ```
/// # use qspgb::lint::check_label;
/// # use qspgb::value::Value;
/// assert!(check_label("app.kubernetes.io/name", &Value::from("pgbouncer")).is_ok());
/// assert!(check_label("tier", &Value::Int(1)).is_err());
/// assert!(check_label("bad key", &Value::from("x")).is_err());
/// ```
pub fn check_label(key: &str, value: &Value) -> Result<(), String> {
    let label_name = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric())
    };
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    let prefix_ok = prefix.is_none_or(|p| p.len() <= 253 && p.split('.').all(dns_label));
    if !prefix_ok || !label_name(name) {
        return Err(format!("{key:?} is not a valid label key"));
    }
    match value {
        Value::String(s) if s.is_empty() || label_name(s) => Ok(()),
        Value::String(s) => Err(format!(
            "label value {s:?} is not valid (at most 63 of [A-Za-z0-9_.-], starting and ending alphanumeric)"
        )),
        other => Err(format!(
            "label values must be strings, found {} (quote it in the values)",
            other.type_name()
        )),
    }
}

/// A Kubernetes resource quantity: a number, or text such as `100m`, `0.5`, `256Mi`, `1e3`.
///
/// ```
/// # use qspgb::lint::check_quantity;
/// # use qspgb::value::Value;
/// for ok in ["100m", "0.5", "256Mi", "1", "1e3", "2Gi", ".5", "1.5k"] {
///     assert!(check_quantity(&Value::from(ok)).is_ok(), "{ok}");
/// }
/// for bad in ["256MB", "1 Gi", "", "one", "1.2.3", "Mi"] {
///     assert!(check_quantity(&Value::from(bad)).is_err(), "{bad}");
/// }
/// ```
pub fn check_quantity(value: &Value) -> Result<(), String> {
    let text = match value {
        Value::Int(_) | Value::Float(_) => return Ok(()),
        Value::String(s) => s.as_str(),
        other => return Err(format!("expected a quantity, found {}", other.type_name())),
    };
    let bad = || {
        Err(format!(
            "{text:?} is not a Kubernetes quantity (e.g. 100m, 0.5, 256Mi, 1Gi)"
        ))
    };
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let number_end = unsigned
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(number_end);
    let digits = number.replace('.', "");
    if digits.is_empty() || number.matches('.').count() > 1 {
        return bad();
    }
    let suffix_ok = matches!(
        suffix,
        "" | "Ki"
            | "Mi"
            | "Gi"
            | "Ti"
            | "Pi"
            | "Ei"
            | "n"
            | "u"
            | "m"
            | "k"
            | "M"
            | "G"
            | "T"
            | "P"
            | "E"
    ) || suffix
        .strip_prefix(['e', 'E'])
        .map(|exp| exp.strip_prefix(['+', '-']).unwrap_or(exp))
        .is_some_and(|exp| !exp.is_empty() && exp.chars().all(|c| c.is_ascii_digit()));
    if suffix_ok { Ok(()) } else { bad() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(check_label("example.com/owner", &Value::from("platform")).is_ok());
        assert!(check_label("k", &Value::from("")).is_ok());
        assert!(check_label("k", &Value::from("-x")).is_err());
        assert!(check_label("k", &Value::from("a".repeat(64))).is_err());
        assert!(check_label("/k", &Value::from("x")).is_err());
        assert!(check_label("Example.com/k", &Value::from("x")).is_err());
    }
}
