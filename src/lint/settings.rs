//! What PgBouncer would say about one setting of `config.pgbouncer`, `config.databases`
//! or `config.users`: known names and valid values for the PgBouncer version the chart
//! ships ([`crate::pgbouncer::settings`]), and the settings the chart writes itself.

use super::{Severity, deployability};
use crate::pgbouncer::settings::{self, Section};
use crate::value::Value;

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
///
/// `image` is the PgBouncer version the instance's image tag names
/// ([`settings::tag_version`]), `None` when the tag names none. The table describes
/// [`settings::PGBOUNCER_VERSION`]; a setting newer than the image's version is refused
/// like an unknown one (the older PgBouncer stops on it: checked with 1.24.1 against each
/// 1.25 setting). A tag that names no version is checked against the table's version.
pub(super) fn settings_findings(
    section: Section,
    entry: &str,
    key: &str,
    value: &Value,
    helm_exact: bool,
    image: Option<(u16, u16, u16)>,
) -> Vec<(Severity, String)> {
    let deploy = deployability(helm_exact);
    let runs = image
        .unwrap_or(settings::PGBOUNCER_VERSION)
        .min(settings::PGBOUNCER_VERSION);
    let (major, minor, patch) = runs;
    if let Some(setting) = settings::lookup(section, key)
        && let Some(since) = setting.since
        && !setting.available_in((major, minor))
    {
        return vec![(
            deploy,
            format!(
                "{key:?} is new in PgBouncer {}.{}; the image (image.tag) runs PgBouncer {major}.{minor}.{patch}, which does not know it and stops. Remove it, or run PgBouncer {}.{} or later",
                since.0, since.1, since.0, since.1
            ),
        )];
    }
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
