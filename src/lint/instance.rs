//! The findings about one enabled instance's merged values: its PgBouncer settings, the
//! settings the chart derives in several places, the userlist's limits and its images.
//! Each finding names the input that set the key, or the chart defaults.

use super::settings::{LISTEN_PORT, settings_findings};
use super::{Finding, Severity, deployability, value_finding};
use crate::pgbouncer::{
    self,
    settings::{self, Section},
};
use crate::value::{Map, Value};
use crate::values::InputReport;

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
        findings.extend(super::shutdown::shutdown_findings(alias, instance, report));
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
    // The PgBouncer the instance runs decides which settings exist.
    let image = match crate::value::map_path(instance, "image.tag") {
        Some(Value::String(tag)) => settings::tag_version(tag),
        _ => None,
    };
    let mut push = |path: &[&str], (severity, message): (Severity, String)| {
        let full: Vec<&str> = ["config"].iter().chain(path).copied().collect();
        findings.push(value_finding(report, alias, &full, severity, message));
    };
    if let Some(Value::Map(pgbouncer)) = config.get("pgbouncer") {
        for (key, value) in pgbouncer {
            for finding in settings_findings(Section::Pgbouncer, "", key, value, helm_exact, image)
            {
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
                for finding in settings_findings(section, name, key, value, helm_exact, image) {
                    push(&[field, name, key], finding);
                }
            }
        }
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
