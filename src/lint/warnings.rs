//! Warnings about a render that works but probably not as meant, where qspgb was silent:
//!
//! - an object enabled in the values that the templates leave out because its API is not
//!   in `.Capabilities.APIVersions` ([`GATED`]);
//! - an `-a GROUP/VERSION/Kind` that no template checks while its `GROUP/VERSION` is
//!   checked: Helm's `.Capabilities.APIVersions.Has` compares exact strings, so such a flag
//!   gates nothing;
//! - the release namespace left at `default` while a RoleBinding binds a ServiceAccount
//!   there or a hook Job reads Secrets there;
//! - an `apiVersion` the `--kube-version` does not serve ([`api_versions::SERVED`]).

pub mod api_versions;

use super::{Finding, Severity};
use crate::chart::ChartFiles;
use crate::manifest::Manifests;
use crate::render::RenderContext;
use crate::value::{Map, Value};

/// The API the chart's monitoring objects need: `.Capabilities.APIVersions.Has` of it
/// gates them in templates/monitoring (unless `force`).
pub const MONITORING_API: &str = "monitoring.coreos.com/v1";

/// What the templates gate on an API: the values key that enables the object (with its
/// `force` beside it), the kind, and whether it is set per instance (the instance's own
/// key wins over the top-level one) or only at the top level.
pub const GATED: &[(&str, &str, bool)] = &[
    ("serviceMonitor", "ServiceMonitor", true),
    ("prometheusRule", "PrometheusRule", false),
];

/// Every warning of this module for a render of `values` (the enabled instances' aliases
/// in `enabled`) to `manifests`.
pub fn render_warnings(
    files: &ChartFiles,
    values: &Map,
    enabled: &[String],
    manifests: &Manifests,
    ctx: &RenderContext,
) -> Vec<Finding> {
    let mut out = gated_off(values, enabled, ctx);
    out.extend(kind_flags(files, ctx));
    out.extend(default_namespace(manifests, ctx));
    out.extend(api_versions::unserved(manifests, &ctx.kube_version));
    out
}

fn warning(path: String, message: String) -> Finding {
    Finding {
        severity: Severity::Warning,
        origin: String::new(),
        path,
        message,
    }
}

/// A value at `path` below `map`, `None` when absent or null.
fn get<'a>(map: &'a Map, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let value = map.get(*first).filter(|v| !v.is_null())?;
    if rest.is_empty() {
        return Some(value);
    }
    match value {
        Value::Map(inner) => get(inner, rest),
        _ => None,
    }
}

fn truthy(value: Option<&Value>) -> bool {
    matches!(value, Some(Value::Bool(true)))
}

/// The monitoring objects enabled in the values but left out for want of
/// [`MONITORING_API`] (as templates/monitoring decide: enabled, the exporter on for a
/// per-instance object, no `force`).
fn gated_off(values: &Map, enabled: &[String], ctx: &RenderContext) -> Vec<Finding> {
    if ctx.api_versions.iter().any(|v| v == MONITORING_API) {
        return Vec::new();
    }
    let hint = format!(
        "the API {MONITORING_API} is not in .Capabilities.APIVersions (pass -a {MONITORING_API} \
         when the cluster runs the Prometheus Operator)"
    );
    let mut out = Vec::new();
    for (key, kind, per_instance) in GATED {
        if !per_instance {
            let exporters = enabled
                .iter()
                .any(|alias| truthy(get(values, &[alias, "pgbouncerExporter", "enabled"])));
            if truthy(get(values, &[key, "enabled"]))
                && !truthy(get(values, &[key, "force"]))
                && exporters
            {
                out.push(warning(
                    format!("{key}.enabled"),
                    format!("is true, but no {kind} is rendered: {hint}, or set {key}.force"),
                ));
            }
            continue;
        }
        for alias in enabled {
            let own = |field: &str| get(values, &[alias, key, field]);
            let setting = |field: &str| own(field).or_else(|| get(values, &[key, field]));
            let exporter = truthy(get(values, &[alias, "pgbouncerExporter", "enabled"]));
            if truthy(setting("enabled")) && exporter && !truthy(setting("force")) {
                let path = match own("enabled") {
                    Some(_) => format!("{alias}.{key}.enabled"),
                    None => format!("{key}.enabled"),
                };
                out.push(warning(
                    path,
                    format!(
                        "is true, but no {kind} is rendered for {alias}: {hint}, or set {key}.force"
                    ),
                ));
            }
        }
    }
    out
}

/// The API strings the chart's templates test with `.Capabilities.APIVersions.Has`
/// (literal arguments only).
pub fn checked_api_versions(files: &ChartFiles) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for path in files.paths() {
        let Some(text) = files.get(path) else {
            continue;
        };
        for (at, _) in text.match_indices("APIVersions.Has") {
            let rest = text[at + "APIVersions.Has".len()..].trim_start_matches(['(', ' ']);
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(end) = rest[1..].find(quote) {
                let api = rest[1..1 + end].to_string();
                if !out.contains(&api) {
                    out.push(api);
                }
            }
        }
    }
    out
}

/// `-a GROUP/VERSION/Kind` flags that gate nothing: the templates test the
/// `GROUP/VERSION` (exactly, as Helm's `VersionSet.Has`), which was not given. Kept
/// Helm-faithful rather than matched loosely, so the output stays `helm template`'s; an
/// `-a` that matches nothing the templates test and whose group version is not tested
/// either is left alone (Argo CD passes the cluster's whole list).
fn kind_flags(files: &ChartFiles, ctx: &RenderContext) -> Vec<Finding> {
    let with_kind = |entry: &str| {
        entry
            .rsplit_once('/')
            .filter(|(_, kind)| kind.starts_with(|c: char| c.is_ascii_uppercase()))
            .map(|(gv, _)| gv.to_string())
    };
    if !ctx.api_versions.iter().any(|e| with_kind(e).is_some()) {
        return Vec::new();
    }
    let checked = checked_api_versions(files);
    let mut out = Vec::new();
    for entry in &ctx.api_versions {
        let Some(gv) = with_kind(entry) else {
            continue;
        };
        if checked.contains(entry) || !checked.contains(&gv) || ctx.api_versions.contains(&gv) {
            continue;
        }
        out.push(warning(
            String::new(),
            format!(
                "-a {entry} gates nothing: the templates test {gv:?} with \
                 .Capabilities.APIVersions.Has, which compares exact strings (as in Helm), so \
                 {entry:?} does not make {gv} available; pass -a {gv}"
            ),
        ));
    }
    out
}

/// One warning when the namespace is `default` (and the command line asked for the check,
/// [`RenderContext::check_namespace`]) while the rendering binds or reads something there:
/// a RoleBinding's ServiceAccount subject in `default`, a hook Job or CronJob (they read
/// and write the Secrets of the namespace they run in).
fn default_namespace(manifests: &Manifests, ctx: &RenderContext) -> Option<Finding> {
    if !ctx.check_namespace || ctx.namespace != "default" {
        return None;
    }
    // What is bound to the namespace: RoleBindings' ServiceAccounts, and what reads its
    // Secrets (the hook Jobs, the rotation CronJobs).
    let mut bindings = Vec::new();
    let mut readers = Vec::new();
    for document in manifests.manifests.iter().chain(&manifests.hooks) {
        let name = get_str(&document.object, &["metadata", "name"]);
        match document.kind.as_str() {
            "RoleBinding" => {
                let subjects = match &document.object {
                    Value::Map(m) => match get(m, &["subjects"]) {
                        Some(Value::List(items)) => items.as_slice(),
                        _ => &[],
                    },
                    _ => &[],
                };
                if subjects
                    .iter()
                    .any(|s| get_str(s, &["namespace"]) == "default")
                {
                    bindings.push(name.to_string());
                }
            }
            "Job" if document.is_hook() && !document.is_test() => {
                readers.push(format!("hook Job {name}"));
            }
            "CronJob" => readers.push(format!("CronJob {name}")),
            _ => {}
        }
    }
    let mut bound = Vec::new();
    if !bindings.is_empty() {
        bound.push(format!(
            "RoleBinding {} binds its ServiceAccount in default",
            bindings.join(", ")
        ));
    }
    if !readers.is_empty() {
        bound.push(format!(
            "{} read and write Secrets in default",
            readers.join(", ")
        ));
    }
    if bound.is_empty() {
        return None;
    }
    Some(warning(
        String::new(),
        format!(
            "the release namespace is \"default\" (no -n given?): {}; pass -n with the namespace \
             the release is installed in (kubectl apply -n does not change a RoleBinding's subject)",
            bound.join("; ")
        ),
    ))
}

fn get_str<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    match value {
        Value::Map(m) => get(m, path).and_then(Value::as_str).unwrap_or(""),
        _ => "",
    }
}
