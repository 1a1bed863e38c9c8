//! From the chart's values and rendering to the instances `qspgb hooks` works on.
//!
//! `qspgb hooks` takes the same values flags as `render`, so Secret names, selectors and the
//! workload name have one source of truth: the values say which Secrets and selector, and the
//! rendering says what the workload is called (its name comes from the chart's `fullname`
//! logic, which only the templates know). Both come from the release as
//! [`crate::release::load`] loads it for every command: the documents were parsed once
//! there, and are read here, not parsed again.

use std::collections::BTreeMap;

use anyhow::{Result, bail};

use super::fingerprint::HASH_KEY;
use super::{InstanceTarget, RestartScope, Sources, Workload, WorkloadKind};
use crate::k8s;
use crate::manifest::Document;
use crate::release::Release;
use crate::value::{Map, Value};

/// The short instance name of a chart alias: `pgbouncerPharia` -> `pharia`.
pub fn instance_name(alias: &str) -> String {
    alias
        .strip_prefix("pgbouncer")
        .filter(|rest| !rest.is_empty())
        .unwrap_or(alias)
        .to_lowercase()
}

/// Whether `wanted` (from `--instance`) names `alias`: the short name (`pharia`) or the
/// alias itself, in any case.
pub fn names_instance(wanted: &str, alias: &str) -> bool {
    wanted.eq_ignore_ascii_case(alias) || wanted.eq_ignore_ascii_case(&instance_name(alias))
}

/// The instances of a loaded release to work on, in chart order: [`instance_targets`] with
/// the release's values, dependencies and rendered workloads. `only` restricts to one
/// instance (`--instance`).
pub fn release_targets(release: &Release, only: Option<&str>) -> Result<Vec<InstanceTarget>> {
    let aliases: Vec<String> = release
        .chart
        .dependencies
        .iter()
        .map(|d| d.name.clone())
        .collect();
    instance_targets(
        &release.resolved.values,
        &aliases,
        &release.resolved.enabled,
        &release.manifests.manifests,
        &release.chart.meta.name,
        only,
    )
}

/// The instances to work on, in chart order.
///
/// `values` are the parent chart's resolved values, `aliases` every dependency alias in
/// Chart.yaml order, `enabled` the enabled ones, `documents` the rendered manifests (hooks
/// are never the workload, so they may be left out) and `chart_name` the parent chart's name (the first part of `# Source:`).
/// `only` restricts to one instance (`--instance`); naming an unknown or disabled instance
/// is an error. Every chosen instance must name its two Secrets and a non-empty selector.
pub fn instance_targets(
    values: &Map,
    aliases: &[String],
    enabled: &[String],
    documents: &[Document],
    chart_name: &str,
    only: Option<&str>,
) -> Result<Vec<InstanceTarget>> {
    let chosen: Vec<&String> = match only {
        Some(wanted) => {
            let Some(alias) = aliases.iter().find(|a| names_instance(wanted, a)) else {
                bail!(
                    "--instance {wanted:?}: no such instance (expected one of: {})",
                    aliases
                        .iter()
                        .map(|a| format!("{} ({a})", instance_name(a)))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            };
            if !enabled.contains(alias) {
                bail!("--instance {wanted:?}: {alias} is disabled ({alias}.enabled is false)");
            }
            vec![alias]
        }
        None => aliases.iter().filter(|a| enabled.contains(a)).collect(),
    };
    if chosen.is_empty() {
        bail!(
            "no instance is enabled (pgbouncerPharia.enabled and pgbouncerTemporal.enabled are false)"
        );
    }
    chosen
        .into_iter()
        .map(|alias| {
            let instance = values.get(alias.as_str()).and_then(Value::as_map);
            let empty = Map::default();
            target_of(alias, instance.unwrap_or(&empty), documents, chart_name)
        })
        .collect()
}

/// One instance's target, from its values and the rendered workload.
fn target_of(
    alias: &str,
    values: &Map,
    documents: &[Document],
    chart_name: &str,
) -> Result<InstanceTarget> {
    let text = |path: &str, fallback: &str| -> Result<String> {
        match crate::value::map_path(values, path) {
            None | Some(Value::Null) => Ok(fallback.to_string()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => bail!(
                "{alias}.{path}: expected a string, found {}",
                other.type_name()
            ),
        }
    };
    let required = |path: &str| -> Result<String> {
        let value = text(path, "")?;
        if value.is_empty() {
            bail!(
                "{alias}.{path} is empty: `qspgb hooks` writes that Secret, so it must be named \
                 (see values/values.yaml)"
            );
        }
        Ok(value)
    };
    let userlist_secret = required("config.existingUserlistSecret")?;
    let admin_secret = required("config.existingAdminSecret")?;
    let admin_role = required("config.adminUser")?;
    let admin_user_key = text("config.adminUserKey", "adminUser")?;
    let admin_password_key = text("config.adminPasswordKey", "adminPassword")?;
    if userlist_secret == admin_secret {
        bail!(
            "{alias}.config.existingUserlistSecret and {alias}.config.existingAdminSecret are \
             both {userlist_secret:?}; they must be two Secrets"
        );
    }
    let admin_user_key = nonempty_or(admin_user_key, "adminUser");
    let admin_password_key = nonempty_or(admin_password_key, "adminPassword");
    check_admin_keys(alias, &admin_user_key, &admin_password_key)?;
    let sources = sources_of(alias, values)?;
    if let Sources::Names(names) = &sources {
        for target in [&userlist_secret, &admin_secret] {
            if names.contains(target) {
                bail!(
                    "{alias}.hooks.sourceSecretNames names {target:?}, a Secret the hooks \
                     write (config.existingUserlistSecret / config.existingAdminSecret): the \
                     sources are the database cluster's credential Secrets"
                );
            }
        }
    }
    let workload = workload_of(alias, documents, chart_name)?;
    let restart = restart_scope(alias, values)?;
    Ok(InstanceTarget {
        alias: alias.to_string(),
        sources,
        userlist_secret,
        admin_secret,
        admin_role,
        admin_user_key,
        admin_password_key,
        workload,
        restart,
    })
}

/// What a change of the Secrets restarts (`hooks.restartOnChange`, see
/// values/pgbouncer.yaml): `true` both Secrets, `false` neither; null decides by what the
/// pods read only at start. Without `userlistReload` PgBouncer reads userlist.txt at start;
/// with it, only the exporter's environment (the admin Secret) is read at start.
fn restart_scope(alias: &str, values: &Map) -> Result<RestartScope> {
    let flag = |path: &str| -> Result<Option<bool>> {
        match crate::value::map_path(values, path) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => bail!(
                "{alias}.{path}: expected true, false or null, found {}",
                other.type_name()
            ),
        }
    };
    Ok(match flag("hooks.restartOnChange")? {
        Some(true) => RestartScope::Both,
        Some(false) => RestartScope::Neither,
        None if !flag("userlistReload.enabled")?.unwrap_or(false) => RestartScope::Both,
        None if flag("pgbouncerExporter.enabled")?.unwrap_or(false) => RestartScope::Admin,
        None => RestartScope::Neither,
    })
}

/// The admin Secret holds the admin user, its password and the fingerprint key: three
/// different keys, or one would overwrite another.
fn check_admin_keys(alias: &str, user_key: &str, password_key: &str) -> Result<()> {
    for (path, key) in [
        ("adminUserKey", user_key),
        ("adminPasswordKey", password_key),
    ] {
        if key == HASH_KEY {
            bail!(
                "{alias}.config.{path} is {HASH_KEY:?}: the hooks keep their fingerprint key \
                 under that key of the admin Secret; choose another key"
            );
        }
    }
    if user_key == password_key {
        bail!(
            "{alias}.config.adminUserKey and {alias}.config.adminPasswordKey are both \
             {user_key:?}: the admin Secret needs two different keys"
        );
    }
    Ok(())
}

/// The source Secrets: `hooks.sourceSecretNames` or `hooks.sourceSecretSelector`, exactly
/// one of them set (a selector set to null, or with every label null, is unset).
fn sources_of(alias: &str, values: &Map) -> Result<Sources> {
    let names = names_of(alias, values)?;
    let selector = selector_of(alias, values)?;
    match (names.is_empty(), selector.is_empty()) {
        (false, false) => bail!(
            "{alias}.hooks.sourceSecretNames and {alias}.hooks.sourceSecretSelector are both \
             set: use one (set {alias}.hooks.sourceSecretSelector to null to read the Secrets \
             by name)"
        ),
        (false, true) => Ok(Sources::Names(names)),
        (true, false) => Ok(Sources::Selector(selector)),
        (true, true) => bail!(
            "{alias}.hooks.sourceSecretSelector is empty: it must name the labels of the \
             database cluster's credential Secrets (an empty selector would match every \
             Secret), or set {alias}.hooks.sourceSecretNames to their names"
        ),
    }
}

/// `hooks.sourceSecretNames`: a list of Secret names (sorted, without duplicates here);
/// null or empty is unset.
fn names_of(alias: &str, values: &Map) -> Result<Vec<String>> {
    let path = "hooks.sourceSecretNames";
    let list = match crate::value::map_path(values, path) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::List(list)) => list,
        Some(other) => bail!(
            "{alias}.{path}: expected a list of Secret names, found {}",
            other.type_name()
        ),
    };
    let mut names = Vec::new();
    for (index, item) in list.iter().enumerate() {
        match item {
            Value::String(name) if is_secret_name(name) => names.push(name.clone()),
            Value::String(name) => bail!(
                "{alias}.{path}[{index}]: {name:?} is not a Secret name (lowercase letters, \
                 digits, '-' and '.', at most 253 characters)"
            ),
            other => bail!(
                "{alias}.{path}[{index}]: expected a Secret name (string), found {}",
                other.type_name()
            ),
        }
    }
    names.sort();
    names.dedup();
    Ok(names)
}

/// A DNS-1123 subdomain, what Kubernetes accepts as a Secret's name.
fn is_secret_name(name: &str) -> bool {
    k8s::check_dns_subdomain(name).is_ok()
}

fn nonempty_or(value: String, fallback: &str) -> String {
    if value.is_empty() {
        fallback.to_string()
    } else {
        value
    }
}

/// `hooks.sourceSecretSelector`: a map of label to string value. A label set to null is
/// removed (that is how a user drops a default label, as values merge maps). Empty means
/// unset; [`sources_of`] refuses it unless names are given.
fn selector_of(alias: &str, values: &Map) -> Result<BTreeMap<String, String>> {
    let path = "hooks.sourceSecretSelector";
    let selector = match crate::value::map_path(values, path) {
        None | Some(Value::Null) => Map::default(),
        Some(Value::Map(map)) => map.clone(),
        Some(other) => bail!(
            "{alias}.{path}: expected a map of label: value, found {}",
            other.type_name()
        ),
    };
    let selector: Map = selector
        .into_iter()
        .filter(|(_, value)| !value.is_null())
        .collect();
    selector
        .into_iter()
        .map(|(key, value)| match value {
            Value::String(s) => Ok((key, s)),
            Value::Bool(b) => Ok((key, b.to_string())),
            Value::Int(i) => Ok((key, i.to_string())),
            other => bail!(
                "{alias}.{path}.{key}: expected a label value (string), found {}",
                other.type_name()
            ),
        })
        .collect()
}

/// The instance's Deployment, DaemonSet or StatefulSet, as the chart renders it.
fn workload_of(alias: &str, documents: &[Document], chart_name: &str) -> Result<Workload> {
    let prefix = format!("{chart_name}/charts/{alias}/templates/");
    for doc in documents {
        let kind = match doc.kind.as_str() {
            "Deployment" => WorkloadKind::Deployment,
            "DaemonSet" => WorkloadKind::DaemonSet,
            "StatefulSet" => WorkloadKind::StatefulSet,
            _ => continue,
        };
        if !doc.source.starts_with(&prefix) || !doc.hook_events.is_empty() {
            continue;
        }
        if let Some(Value::String(name)) = doc.object.path("metadata.name") {
            return Ok(Workload {
                kind,
                name: name.clone(),
            });
        }
    }
    bail!("{alias}: the chart renders no Deployment, DaemonSet or StatefulSet for this instance")
}

#[cfg(test)]
mod tests;
