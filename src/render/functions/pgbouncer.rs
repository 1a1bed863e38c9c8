//! The PgBouncer filters: pgbouncer.ini and userlist.txt lines from values, refused when a
//! value would change the file's meaning.

use minijinja::value::{Value as JValue, ValueKind};
use minijinja::{Error, ErrorKind, State};

use super::HELM_EXACT_GLOBAL;
use super::convert::{exact_string, go_string};
use super::sprig::sorted_pairs;
use crate::pgbouncer::settings::{self, Section};

/// `{{ Values.config.databases | ini_entries(path) }}`: a map of `name: {param: value}` as
/// pgbouncer.ini lines (`name = param=value ...`), names and parameters sorted as Go's
/// `range` sorts them, one per line. `path` (the values path of the map) prefixes errors;
/// its last key (`users`, `peers`, else databases) is the section the entries are for.
/// Done in Rust: with a thousand databases a template loop was most of the render.
pub(super) fn ini_entries(state: &State, v: &JValue, path: Option<&str>) -> Result<String, Error> {
    let section = match path {
        Some(p) if p.ends_with(".users") => Section::Users,
        Some(p) if p.ends_with(".peers") => Section::Peers,
        _ => Section::Databases,
    };
    let at = |what: String| match path {
        Some(path) => format!("{path}.{what}"),
        None => what,
    };
    let mut lines = Vec::new();
    for (name, params) in sorted_pairs(v, "ini_entries")? {
        if params.is_none() || params.is_undefined() {
            // `name: null` or `name:` in YAML: an entry without parameters, as Go prints it.
            lines.push(
                crate::pgbouncer::ini_entry(&name, [])
                    .map_err(|e| Error::new(ErrorKind::InvalidOperation, at(e.to_string())))?,
            );
            continue;
        }
        if params.kind() != ValueKind::Map {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                at(format!(
                    "entry {name:?} must be a map of parameters (such as host: ..., port: ...), found {}",
                    params.kind()
                )),
            ));
        }
        let params = sorted_pairs(&params, "ini_entries")?;
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.clone(), ini_text(state, section, k, v)))
            .collect();
        let line = crate::pgbouncer::ini_entry(
            &name,
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, at(e.to_string())))?;
        lines.push(line);
    }
    Ok(lines.join("\n"))
}

/// `ini_setting(key, value, path)`: one `key = value` line of pgbouncer.ini's `[pgbouncer]`
/// section, refused when the key or value would change the file's meaning. `path` (the
/// values path the setting came from) prefixes errors.
pub(super) fn ini_setting(
    state: &State,
    key: &JValue,
    value: &JValue,
    path: Option<&str>,
) -> Result<String, Error> {
    let key = go_string(key);
    let text = ini_text(state, Section::Pgbouncer, &key, value);
    crate::pgbouncer::ini_setting(&key, &text).map_err(|e| {
        let message = match path {
            Some(path) => format!("{path}: {e}"),
            None => e.to_string(),
        };
        Error::new(ErrorKind::InvalidOperation, message)
    })
}

/// A value as pgbouncer.ini gets it: as `{{ }}` prints it, except a YAML boolean for one of
/// PgBouncer's 0/1 flags, which is written `1` or `0` (PgBouncer refuses `true`; the
/// intent is plain), unless the render is `--helm-exact`, which writes what Helm writes.
fn ini_text(state: &State, section: Section, key: &str, value: &JValue) -> String {
    let helm_exact = state.lookup(HELM_EXACT_GLOBAL).is_some_and(|v| v.is_true());
    if value.kind() == ValueKind::Bool
        && !helm_exact
        && settings::lookup(section, key).is_some_and(|s| matches!(s.kind, settings::Kind::Bool))
    {
        return if value.is_true() { "1" } else { "0" }.to_string();
    }
    exact_string(value)
}

/// `userlist_line(user, password)`: one `"user" "password"` line of userlist.txt.
pub(super) fn userlist_line(user: &JValue, password: &JValue) -> Result<String, Error> {
    crate::pgbouncer::userlist_line(&exact_string(user), &exact_string(password))
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

/// `{{ Values.config.userlist | userlist_entries }}`: a map of user -> password as
/// userlist.txt lines, sorted by user.
pub(super) fn userlist_entries(v: &JValue) -> Result<String, Error> {
    let lines = sorted_pairs(v, "userlist_entries")?
        .into_iter()
        .map(|(user, password)| {
            crate::pgbouncer::userlist_line(&user, &exact_string(&password))
                .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(lines.join("\n"))
}
