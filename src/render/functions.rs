//! Template functions and filters with the semantics of Helm's (sprig's) functions.
//!
//! Jinja has built-ins of the same names that behave differently (`default` only replaces
//! undefined, `indent` skips the first line), and ported templates depend on Helm's
//! behaviour, so these replace them. Usage in templates, Jinja style:
//!
//! ```jinja
//! {{ Values.resources | toYaml | nindent(10) }}
//! {{ {"kind": Values.kind} | toJson }}
//! {{ Values.nameOverride | default(Chart.Name) | trunc(63) | trimSuffix("-") }}
//! {{ Values.config.adminPassword | required("adminPassword is required") | b64enc | quote }}
//! {{ include(Template.BasePath ~ "/configmap.yaml") | sha256sum }}
//! {% for key, value in Values.podLabels | sorted_items %}...{% endfor %}
//! ```

use std::cell::Cell;
use std::collections::BTreeMap;

use minijinja::value::{Value as JValue, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};
use sha2::{Digest, Sha256};

use crate::go;
use crate::pgbouncer::settings::{self, Section};
use crate::value::{Map, Value};
use crate::yaml;

/// Names of the top-level objects every template sees, as in Helm.
pub const ROOT_OBJECTS: [&str; 5] = ["Values", "Release", "Chart", "Capabilities", "Template"];

/// The global that tells the PgBouncer filters whether the render is `--helm-exact`.
pub const HELM_EXACT_GLOBAL: &str = "__qspgb_helm_exact";

/// How deeply `include` and `tpl` may nest before we call it a loop.
const MAX_NESTED_RENDERS: u32 = 32;

thread_local! {
    static NESTED_RENDERS: Cell<u32> = const { Cell::new(0) };
}

/// Registers every function, filter and the output formatter on `env`.
pub fn register(env: &mut Environment<'_>) {
    env.set_formatter(format_output);
    env.add_filter("toYaml", to_yaml);
    env.add_filter("toJson", to_json);
    env.add_filter("indent", indent);
    env.add_filter("nindent", nindent);
    env.add_filter("default", default);
    env.add_filter("quote", quote);
    env.add_filter("scalar", scalar);
    env.add_filter("regexQuoteMeta", regex_quote_meta);
    env.add_filter("promqlString", promql_string);
    env.add_filter("trunc", trunc);
    env.add_filter("go_s", go_s);
    // A PgBouncer setting as PgBouncer prints it back (whole numbers exact), for the test
    // Pods that compare with SHOW CONFIG.
    env.add_filter("exact_string", |v: JValue| exact_string(&v));
    env.add_filter("trimSuffix", trim_suffix);
    env.add_filter("trimPrefix", trim_prefix);
    env.add_filter("b64enc", b64enc);
    env.add_filter("b64dec", b64dec);
    env.add_filter("sha256sum", sha256sum);
    env.add_filter("required", required);
    env.add_filter("sorted_items", sorted_items);
    env.add_filter("without_nulls", without_nulls);
    env.add_filter("ini_entries", ini_entries);
    env.add_function("ini_setting", ini_setting);
    env.add_filter("userlist_entries", userlist_entries);
    env.add_function("userlist_line", userlist_line);
    env.add_function("fail", fail);
    env.add_function("tpl", tpl);
    // Without chart paths to map, a file includes by its own name; the render engine
    // replaces this with one that knows Helm's paths (see `render::Engine`).
    env.add_function("include", |state: &State, name: &str| {
        include(state, name, minijinja::context! { Name => name })
    });
}

/// Converts a values tree into a template value (once per instance and render).
pub fn to_jinja(v: &Value) -> JValue {
    match v {
        Value::Null => JValue::from(()),
        Value::Bool(b) => JValue::from(*b),
        Value::Int(i) => JValue::from(*i),
        Value::Float(f) => JValue::from(*f),
        Value::String(s) => JValue::from(s.as_str()),
        Value::List(items) => JValue::from(items.iter().map(to_jinja).collect::<Vec<_>>()),
        Value::Map(m) => to_jinja_map(m),
    }
}

/// [`to_jinja`] for a map, without wrapping it in a [`Value`] first.
pub fn to_jinja_map(m: &Map) -> JValue {
    JValue::from(
        m.iter()
            .map(|(k, v)| (k.clone(), to_jinja(v)))
            .collect::<BTreeMap<String, JValue>>(),
    )
}

/// Converts a template value back into a values tree (for `toYaml`).
///
/// Whole floats become integers: Helm's `toYaml` goes through JSON, which prints them so.
pub fn to_value(v: &JValue) -> Result<Value, Error> {
    Ok(match v.kind() {
        ValueKind::Undefined | ValueKind::None => Value::Null,
        ValueKind::Bool => Value::Bool(v.is_true()),
        ValueKind::Number => {
            if v.is_integer() {
                match i64::try_from(v.clone()) {
                    Ok(i) => Value::Int(i),
                    Err(_) => Value::Float(f64::try_from(v.clone())?),
                }
            } else {
                Value::Float(f64::try_from(v.clone())?)
            }
        }
        ValueKind::String => Value::String(v.as_str().unwrap_or_default().to_string()),
        ValueKind::Seq | ValueKind::Iterable => Value::List(
            v.try_iter()?
                .map(|item| to_value(&item))
                .collect::<Result<_, _>>()?,
        ),
        ValueKind::Map => {
            let mut m = Map::default();
            for key in v.try_iter()? {
                let item = v.get_item(&key)?;
                m.insert(go_string(&key), to_value(&item)?);
            }
            Value::Map(m)
        }
        _ => Value::String(v.to_string()),
    })
}

/// Prints a value the way a Go template prints it (`{{ x }}`, `quote`, `toString`): Helm
/// reads every number of the values as a float64, so a number prints as Go's `%v` of one
/// (`3`, `1.5`, `1e+06` for a million, `1.234567e+06`). Text for PgBouncer's files uses
/// [`exact_string`] instead.
pub fn go_string(v: &JValue) -> String {
    print_value(v, Numbers::Go)
}

/// Like [`go_string`], except that whole numbers print exactly (`1000000`): what
/// pgbouncer.ini and userlist.txt get, because PgBouncer cannot read `1e+06` (the one
/// deliberate difference from Helm's printing, listed in the README).
pub fn exact_string(v: &JValue) -> String {
    print_value(v, Numbers::Exact)
}

/// How [`print_value`] prints numbers.
#[derive(Clone, Copy)]
enum Numbers {
    /// Go's `%v` of a float64, as Helm prints a number of the values.
    Go,
    /// Whole numbers as integers, other floats as Go prints them.
    Exact,
}

fn print_value(v: &JValue, numbers: Numbers) -> String {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => String::new(),
        ValueKind::Bool => v.is_true().to_string(),
        ValueKind::Number => match numbers {
            Numbers::Exact if v.is_integer() => v.to_string(),
            Numbers::Exact => format_float(f64::try_from(v.clone()).unwrap_or(f64::NAN)),
            // An integer beyond 2^53 rounds, as it does in Helm's float64.
            Numbers::Go => go::strconv::format_float(
                f64::try_from(v.clone())
                    .unwrap_or_else(|_| v.to_string().parse().unwrap_or(f64::NAN)),
            ),
        },
        ValueKind::String => v.as_str().unwrap_or_default().to_string(),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<String> = v
                .try_iter()
                .map(|it| it.map(|i| print_value(&i, numbers)).collect())
                .unwrap_or_default();
            format!("[{}]", items.join(" "))
        }
        ValueKind::Map => {
            let mut items: Vec<(String, String)> = v
                .try_iter()
                .map(|it| {
                    it.map(|k| {
                        (
                            print_value(&k, numbers),
                            print_value(&v.get_item(&k).unwrap_or_default(), numbers),
                        )
                    })
                    .collect()
                })
                .unwrap_or_default();
            items.sort();
            let parts: Vec<String> = items.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("map[{}]", parts.join(" "))
        }
        _ => v.to_string(),
    }
}

/// Floats: exact integers when whole (PgBouncer cannot read `1e+06`), else Go's `%v`.
pub fn format_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        go::strconv::format_float(f)
    }
}

fn format_output(
    out: &mut minijinja::Output,
    _state: &mut State,
    value: &JValue,
) -> Result<(), Error> {
    out.write_str(&go_string(value))
        .map_err(|_| Error::new(ErrorKind::WriteFailure, "could not write output"))
}

fn to_yaml(v: &JValue) -> Result<String, Error> {
    let text = yaml::to_yaml(&to_value(v)?);
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_string())
}

/// `toJson`: Helm's `toJSON`, i.e. Go's `json.Marshal`: compact, map keys sorted in byte
/// order, strings escaped as `encoding/json` escapes them (HTML characters and U+2028/2029
/// as `\u003c` ..., and `\b`, `\f` short as since Go 1.22). Like Helm, a value JSON cannot
/// hold (NaN, an infinite float) gives the empty string instead of an error.
fn to_json(v: &JValue) -> Result<String, Error> {
    let mut out = String::new();
    Ok(if write_json(v, &mut out)? {
        out
    } else {
        String::new()
    })
}

/// Appends `v` as Go's `json.Marshal` writes it; `false` when Go would fail.
fn write_json(v: &JValue, out: &mut String) -> Result<bool, Error> {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if v.is_true() { "true" } else { "false" }),
        ValueKind::Number => {
            if v.is_integer() {
                out.push_str(&v.to_string());
            } else {
                let Some(text) = go::json::format_float(f64::try_from(v.clone())?) else {
                    return Ok(false);
                };
                out.push_str(&text);
            }
        }
        ValueKind::String => go::json::write_string(v.as_str().unwrap_or_default(), out),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            for (i, item) in v.try_iter()?.enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !write_json(&item, out)? {
                    return Ok(false);
                }
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            for (i, (key, item)) in sorted_pairs(v, "toJson")?.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go::json::write_string(&key, out);
                out.push(':');
                if !write_json(&item, out)? {
                    return Ok(false);
                }
            }
            out.push('}');
        }
        _ => go::json::write_string(&go_string(v), out),
    }
    Ok(true)
}

fn indent(v: &JValue, width: usize) -> String {
    let pad = " ".repeat(width);
    format!("{pad}{}", go_string(v).replace('\n', &format!("\n{pad}")))
}

fn nindent(v: &JValue, width: usize) -> String {
    format!("\n{}", indent(v, width))
}

fn default(v: &JValue, fallback: JValue) -> JValue {
    if v.is_true() { v.clone() } else { fallback }
}

/// `{{ value | scalar }}`: a value written into YAML as one scalar on one line, so that no
/// value can add syntax (a field, a document) to a manifest. A string is written as it is
/// when YAML reads that back as this same string, which is what Helm prints for every
/// valid name, tag or duration; otherwise double-quoted with Go's escapes (`quote`). Numbers
/// and booleans print as `{{ }}` prints them; null as nothing, as in Helm.
///
/// Templates write every value through a serializer (`scalar`, `quote`, `toYaml`) or a
/// PgBouncer filter (`ini_setting`, `ini_entries`, `userlist_*`), never raw: see
/// `tests/values_are_data.rs`.
fn scalar(v: &JValue) -> Result<String, Error> {
    match v.kind() {
        ValueKind::String => {
            let text = v.as_str().unwrap_or_default();
            Ok(if yaml::emit::is_plain_string(text) {
                text.to_string()
            } else {
                go::quote::quote(text)
            })
        }
        ValueKind::Map | ValueKind::Seq | ValueKind::Iterable => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "scalar expects a string, number or boolean, found {}",
                v.kind()
            ),
        )),
        _ => Ok(go_string(v)),
    }
}

/// `regexQuoteMeta`: sprig's, Go's `regexp.QuoteMeta`: every regular-expression
/// metacharacter (`\.+*?()|[]{}^$`) escaped with a backslash, so a name matches itself.
fn regex_quote_meta(v: &JValue) -> String {
    let mut out = String::new();
    for c in go_string(v).chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `promqlString`: text for the inside of a PromQL double-quoted string (whose escapes are
/// Go's): `\` and `"` escaped, and line breaks and other control characters as escapes,
/// so a value cannot end the string or the expression.
fn promql_string(v: &JValue) -> String {
    let quoted = go::quote::quote(&go_string(v));
    quoted[1..quoted.len() - 1].to_string()
}

fn quote(v: &JValue) -> String {
    if v.is_undefined() || v.is_none() {
        // sprig's quote skips nil arguments entirely.
        return String::new();
    }
    go::quote::quote(&go_string(v))
}

/// `trunc`: sprig's, which counts bytes, not characters (`s[:n]` in Go): a name with
/// non-ASCII letters is cut where Helm cuts it. Where the cut falls inside a character Helm
/// writes invalid UTF-8 and then fails to read its own output; this fails at once, naming
/// the text.
fn trunc(v: &JValue, length: i64) -> Result<String, Error> {
    let s = go_string(v);
    let n = s.len() as i64;
    let at = if length < 0 && n + length > 0 {
        (n + length) as usize
    } else if length >= 0 && n > length {
        length as usize
    } else {
        return Ok(s);
    };
    if !s.is_char_boundary(at) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "trunc {length}: cutting {s:?} after {at} bytes splits a character (Helm \
                 would write invalid UTF-8 and fail); use a shorter name"
            ),
        ));
    }
    Ok(if length < 0 {
        s[at..].to_string()
    } else {
        s[..at].to_string()
    })
}

/// `{{ x | go_s }}`: the value as Go's `printf "%s"` prints it, which is how Helm's
/// templates join an image reference: a string as it is, nothing as `%!s(<nil>)`, and any
/// other value as `%!s(TYPE=VALUE)` (values numbers are float64 in Helm).
fn go_s(v: &JValue) -> String {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => "%!s(<nil>)".to_string(),
        ValueKind::String => v.as_str().unwrap_or_default().to_string(),
        ValueKind::Bool => format!("%!s(bool={})", v.is_true()),
        ValueKind::Number => format!("%!s(float64={})", go_string(v)),
        _ => go_string(v),
    }
}

fn trim_suffix(v: &JValue, suffix: &str) -> String {
    let s = go_string(v);
    s.strip_suffix(suffix).map(str::to_string).unwrap_or(s)
}

fn trim_prefix(v: &JValue, prefix: &str) -> String {
    let s = go_string(v);
    s.strip_prefix(prefix).map(str::to_string).unwrap_or(s)
}

fn b64enc(v: &JValue) -> String {
    go::base64::encode(go_string(v).as_bytes())
}

fn b64dec(v: &JValue) -> Result<String, Error> {
    let decoded = go::base64::decode(&go_string(v))
        .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "b64dec: input is not base64"))?;
    String::from_utf8(decoded).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            "b64dec: result is not UTF-8 text",
        )
    })
}

fn sha256sum(v: &JValue) -> String {
    let digest = Sha256::digest(go_string(v).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn required(v: &JValue, message: &str) -> Result<JValue, Error> {
    let missing = v.is_undefined() || v.is_none() || v.as_str() == Some("");
    if missing {
        Err(Error::new(ErrorKind::InvalidOperation, message.to_string()))
    } else {
        Ok(v.clone())
    }
}

fn fail(message: &str) -> Result<String, Error> {
    Err(Error::new(ErrorKind::InvalidOperation, message.to_string()))
}

/// `(key, value)` pairs sorted by key in byte order: what Go's `range` over a map yields.
fn sorted_items(v: &JValue) -> Result<JValue, Error> {
    Ok(JValue::from(
        sorted_pairs(v, "sorted_items")?
            .into_iter()
            .map(|(k, v)| JValue::from(vec![JValue::from(k), v]))
            .collect::<Vec<_>>(),
    ))
}

/// A map without its `null` entries, at every depth of nested maps (lists are kept as they
/// are); anything else unchanged. A user's `null` for a key the chart's defaults lack stays
/// in the values (as in Helm), and `toYaml` would print it; Kubernetes stores such a field
/// as absent, so the chart leaves it out where the product defaults must be undone with
/// nulls (values/upstream-compat.yaml).
fn without_nulls(v: &JValue) -> Result<JValue, Error> {
    if v.kind() != ValueKind::Map {
        return Ok(v.clone());
    }
    let mut kept = BTreeMap::new();
    for key in v.try_iter()? {
        let item = v.get_item(&key)?;
        if item.is_none() || item.is_undefined() {
            continue;
        }
        kept.insert(go_string(&key), without_nulls(&item)?);
    }
    Ok(JValue::from(kept))
}

/// `{{ Values.config.databases | ini_entries(path) }}`: a map of `name: {param: value}` as
/// pgbouncer.ini lines (`name = param=value ...`), names and parameters sorted as Go's
/// `range` sorts them, one per line. `path` (the values path of the map) prefixes errors.
/// Done in Rust: with a thousand databases a template loop was most of the render.
fn ini_entries(state: &State, v: &JValue, path: Option<&str>) -> Result<String, Error> {
    let section = if path.is_some_and(|p| p.ends_with(".users")) {
        Section::Users
    } else {
        Section::Databases
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
fn ini_setting(
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
fn userlist_line(user: &JValue, password: &JValue) -> Result<String, Error> {
    crate::pgbouncer::userlist_line(&exact_string(user), &exact_string(password))
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

/// `{{ Values.config.userlist | userlist_entries }}`: a map of user -> password as
/// userlist.txt lines, sorted by user.
fn userlist_entries(v: &JValue) -> Result<String, Error> {
    let lines = sorted_pairs(v, "userlist_entries")?
        .into_iter()
        .map(|(user, password)| {
            crate::pgbouncer::userlist_line(&user, &exact_string(&password))
                .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(lines.join("\n"))
}

/// A map's entries with keys as Go prints them, sorted by key in byte order; a missing
/// value is an empty map.
fn sorted_pairs(v: &JValue, what: &str) -> Result<Vec<(String, JValue)>, Error> {
    if v.is_undefined() || v.is_none() {
        return Ok(Vec::new());
    }
    if v.kind() != ValueKind::Map {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("{what} expects a map, found {}", v.kind()),
        ));
    }
    let mut pairs: Vec<(String, JValue)> = v
        .try_iter()?
        .map(|k| Ok((go_string(&k), v.get_item(&k)?)))
        .collect::<Result<_, Error>>()?;
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(pairs)
}

/// The root objects of the template being rendered, to render another one with them.
fn root_context(state: &State) -> BTreeMap<&'static str, JValue> {
    ROOT_OBJECTS
        .iter()
        .map(|name| (*name, state.lookup(name).unwrap_or_default()))
        .collect()
}

/// Runs a nested render with a depth guard, so a template including itself fails cleanly.
fn nested<T>(what: &str, render: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    let depth = NESTED_RENDERS.with(|d| d.get());
    if depth >= MAX_NESTED_RENDERS {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{what}: nested more than {MAX_NESTED_RENDERS} levels deep (a template including itself?)"
            ),
        ));
    }
    NESTED_RENDERS.with(|d| d.set(depth + 1));
    let result = render();
    NESTED_RENDERS.with(|d| d.set(depth));
    result
}

/// `include(path)`: renders another template file (compiled as `name`) exactly as it
/// renders on its own: the same `Values`, `Release`, `Chart` and `Capabilities`, and
/// `template` as its `.Template`. Named snippets are Jinja macros instead.
///
/// Helm's `include` would pass the caller's `.Template`; giving the file its own makes an
/// included file's text equal to its rendered document, so a checksum of it is a checksum
/// of what is applied, and the render can reuse one for the other.
pub fn include(state: &State, name: &str, template: JValue) -> Result<String, Error> {
    let compiled = state.env().get_template(name).map_err(|e| {
        Error::new(
            ErrorKind::TemplateNotFound,
            format!("include: no template {name:?}"),
        )
        .with_source(e)
    })?;
    let mut objects = root_context(state);
    objects.insert("Template", template);
    nested("include", || compiled.render(JValue::from(objects)))
}

/// `tpl(text)`: renders a string from values as a template, with the same objects.
fn tpl(state: &State, text: &str) -> Result<String, Error> {
    let name = format!("{} (tpl)", state.name());
    nested("tpl", || {
        state
            .env()
            .render_named_str(&name, text, JValue::from(root_context(state)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, values: Value) -> Result<String, Error> {
        let mut env = Environment::new();
        register(&mut env);
        env.add_template_owned("t", template.to_string())?;
        env.get_template("t")?
            .render(minijinja::context! { Values => to_jinja(&values) })
    }

    fn values(pairs: &[(&str, Value)]) -> Value {
        Value::map_of(pairs.iter().cloned())
    }

    #[test]
    fn prints_like_go_templates() {
        let v = values(&[
            ("i", Value::Int(1000000)),
            ("f", Value::Float(1.5)),
            ("w", Value::Float(1e6)),
            ("b", Value::Bool(true)),
            ("n", Value::Null),
        ]);
        assert_eq!(
            render("{{ Values.i }} {{ Values.f }} {{ Values.w }} {{ Values.b }} [{{ Values.n }}] [{{ Values.missing }}]", v.clone()).unwrap(),
            // Helm's values are float64: a million prints as Go's %v prints one.
            "1e+06 1.5 1e+06 true [] []"
        );
        // PgBouncer's files get whole numbers exactly (it cannot read 1e+06).
        assert_eq!(
            render("{{ ini_setting('max_client_conn', Values.i) }}", v).unwrap(),
            "max_client_conn = 1000000"
        );
    }

    #[test]
    fn default_replaces_every_empty_value() {
        for empty in [
            Value::Null,
            Value::from(""),
            Value::Int(0),
            Value::Bool(false),
            Value::List(vec![]),
        ] {
            let v = values(&[("x", empty)]);
            assert_eq!(render("{{ Values.x | default('d') }}", v).unwrap(), "d");
        }
        assert_eq!(
            render("{{ Values.x | default('d') }}", values(&[])).unwrap(),
            "d"
        );
        assert_eq!(
            render(
                "{{ Values.x | default('d') }}",
                values(&[("x", Value::from("v"))])
            )
            .unwrap(),
            "v"
        );
    }

    #[test]
    fn to_json_is_go_json_marshal() {
        let v = values(&[
            (
                "m",
                values(&[
                    ("b", Value::Int(1)),
                    ("a", Value::List(vec![Value::Bool(true), Value::Null])),
                    ("Z", values(&[])),
                    ("e", Value::List(vec![])),
                ]),
            ),
            (
                "s",
                Value::from("<a&b> \"q\" \\ \n\r\t\u{8}\u{c}\u{1}\u{7f}\u{2028}\u{2029}é"),
            ),
        ]);
        // Keys sorted in byte order, compact, empty map and list kept.
        assert_eq!(
            render("{{ Values.m | toJson }}", v.clone()).unwrap(),
            r#"{"Z":{},"a":[true,null],"b":1,"e":[]}"#
        );
        // HTML characters and line/paragraph separators escaped; DEL and é raw.
        assert_eq!(
            render("{{ Values.s | toJson }}", v.clone()).unwrap(),
            "\"\\u003ca\\u0026b\\u003e \\\"q\\\" \\\\ \\n\\r\\t\\b\\f\\u0001\u{7f}\\u2028\\u2029é\""
        );
        assert_eq!(
            render(
                "{{ Values.missing | toJson }} {{ none | toJson }} {{ 'x' | toJson }}",
                v
            )
            .unwrap(),
            r#"null null "x""#
        );
        // A map built in the template, with a macro-like string value.
        assert_eq!(
            render(
                r#"{{ {"kind": "Deployment", "n": 3, "on": false} | toJson }}"#,
                values(&[])
            )
            .unwrap(),
            r#"{"kind":"Deployment","n":3,"on":false}"#
        );
    }

    #[test]
    fn to_json_formats_floats_like_encoding_json() {
        for (f, expected) in [
            (1.5, "1.5"),
            (1e6, "1000000"),
            (1234567.5, "1234567.5"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1.5e-9, "1.5e-9"),
            (1e-100, "1e-100"),
            (-0.25, "-0.25"),
            (0.0, "0"),
        ] {
            let v = values(&[("f", Value::Float(f))]);
            assert_eq!(
                render("{{ Values.f | toJson }}", v).unwrap(),
                expected,
                "{f:e}"
            );
        }
        assert_eq!(
            render(
                "{{ Values.i | toJson }}",
                values(&[("i", Value::Int(-9007199254740993))])
            )
            .unwrap(),
            "-9007199254740993",
            "integers stay exact"
        );
        // json.Marshal fails on NaN and infinities; Helm's toJson then prints nothing.
        for f in [f64::NAN, f64::INFINITY] {
            let v = values(&[("l", Value::List(vec![Value::Int(1), Value::Float(f)]))]);
            assert_eq!(render("[{{ Values.l | toJson }}]", v).unwrap(), "[]");
        }
    }

    #[test]
    fn indent_and_nindent_pad_every_line() {
        let v = values(&[("s", Value::from("a\nb"))]);
        assert_eq!(
            render("{{ Values.s | indent(2) }}", v.clone()).unwrap(),
            "  a\n  b"
        );
        assert_eq!(
            render("x:{{ Values.s | nindent(2) }}", v).unwrap(),
            "x:\n  a\n  b"
        );
    }

    #[test]
    fn quote_uses_go_escapes_and_skips_null() {
        let v = values(&[("s", Value::from("a\"b\\c\n\t")), ("i", Value::Int(2))]);
        assert_eq!(
            render("{{ Values.s | quote }}", v.clone()).unwrap(),
            r#""a\"b\\c\n\t""#
        );
        assert_eq!(
            render("{{ Values.i | quote }}", v.clone()).unwrap(),
            r#""2""#
        );
        assert_eq!(render("[{{ Values.none | quote }}]", v).unwrap(), "[]");
        assert_eq!(go::quote::quote("\u{1}\u{a0}é"), r#""\x01\u00a0é""#);
    }

    #[test]
    fn trunc_counts_bytes_like_sprig() {
        let v = values(&[("s", Value::from("ééé")), ("t", Value::from("aé"))]);
        assert_eq!(
            render("{{ Values.s | trunc(4) }}", v.clone()).unwrap(),
            "éé"
        );
        assert_eq!(
            render("{{ Values.s | trunc(-2) }}", v.clone()).unwrap(),
            "é"
        );
        let err = render("{{ Values.t | trunc(2) }}", v)
            .unwrap_err()
            .to_string();
        assert!(err.contains("splits a character"), "{err}");
    }

    #[test]
    fn trunc_and_trims() {
        let v = values(&[("s", Value::from("abcdef-"))]);
        assert_eq!(
            render("{{ Values.s | trunc(3) }}", v.clone()).unwrap(),
            "abc"
        );
        assert_eq!(
            render("{{ Values.s | trunc(-2) }}", v.clone()).unwrap(),
            "f-"
        );
        assert_eq!(
            render("{{ Values.s | trunc(63) | trimSuffix('-') }}", v.clone()).unwrap(),
            "abcdef"
        );
        assert_eq!(
            render("{{ Values.s | trimPrefix('ab') }}", v).unwrap(),
            "cdef-"
        );
    }

    #[test]
    fn base64_round_trips_and_matches_go() {
        assert_eq!(go::base64::encode(b"pgb_admin"), "cGdiX2FkbWlu");
        assert_eq!(go::base64::encode(b"s3cr3t"), "czNjcjN0");
        assert_eq!(go::base64::encode(b""), "");
        assert_eq!(go::base64::encode(b"ab"), "YWI=");
        for s in ["", "a", "ab", "abc", "abcd", "\u{0}\u{ff}xyz"] {
            assert_eq!(
                go::base64::decode(&go::base64::encode(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
        }
        assert_eq!(go::base64::decode("not base64!"), None);
        let v = values(&[("s", Value::from("YWI="))]);
        assert_eq!(render("{{ Values.s | b64dec }}", v).unwrap(), "ab");
        // sprig's b64dec is Go's StdEncoding: line breaks are skipped, padding is required
        // (Helm prints Go's error text for "YWI"; we stop the render instead).
        let v = values(&[("s", Value::from("YW\nI=\n"))]);
        assert_eq!(render("{{ Values.s | b64dec }}", v).unwrap(), "ab");
        let v = values(&[("s", Value::from("YWI"))]);
        let err = render("{{ Values.s | b64dec }}", v).unwrap_err();
        assert!(
            err.to_string().contains("b64dec: input is not base64"),
            "{err}"
        );
    }

    #[test]
    fn sha256sum_is_hex_of_the_text() {
        let v = values(&[("s", Value::from(""))]);
        assert_eq!(
            render("{{ Values.s | sha256sum }}", v).unwrap(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn required_and_fail_stop_the_render() {
        let err = render("{{ Values.x | required('x is required') }}", values(&[])).unwrap_err();
        assert!(err.to_string().contains("x is required"), "{err}");
        let err = render(
            "{{ Values.x | required('x') }}",
            values(&[("x", Value::from(""))]),
        )
        .unwrap_err();
        assert!(err.to_string().contains('x'));
        assert_eq!(
            render(
                "{{ Values.x | required('x') }}",
                values(&[("x", Value::Bool(false))])
            )
            .unwrap(),
            "false"
        );
        let err = render("{{ fail('boom') }}", values(&[])).unwrap_err();
        assert!(err.to_string().contains("boom"));
    }

    #[test]
    fn ini_entries_are_sorted_lines_and_name_a_bad_entry() {
        let v = values(&[(
            "d",
            values(&[
                (
                    "b",
                    values(&[("port", Value::Int(5432)), ("host", Value::from("h"))]),
                ),
                ("a", values(&[])),
            ]),
        )]);
        assert_eq!(
            render("{{ Values.d | ini_entries }}", v).unwrap(),
            "a =\nb = host=h port=5432"
        );
        let bad = values(&[("d", values(&[("db1", Value::from("host=x"))]))]);
        let err = render("{{ Values.d | ini_entries }}", bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"db1\" must be a map of parameters"), "{err}");
    }

    #[test]
    fn userlist_entries_escape_and_sort() {
        let v = values(&[(
            "u",
            values(&[("zed", Value::from("p\"w")), ("amy", Value::Int(7))]),
        )]);
        assert_eq!(
            render("{{ Values.u | userlist_entries }}", v).unwrap(),
            "\"amy\" \"7\"\n\"zed\" \"p\"\"w\""
        );
    }

    #[test]
    fn sorted_items_is_byte_order() {
        let v = values(&[(
            "m",
            values(&[
                ("b", Value::Int(1)),
                ("Z", Value::Int(2)),
                ("a", Value::Int(3)),
                ("*", Value::Int(4)),
            ]),
        )]);
        assert_eq!(
            render(
                "{% for k, v in Values.m | sorted_items %}{{ k }}={{ v }};{% endfor %}",
                v
            )
            .unwrap(),
            "*=4;Z=2;a=3;b=1;"
        );
    }

    #[test]
    fn without_nulls_drops_null_entries_of_nested_maps() {
        let v = values(&[(
            "r",
            values(&[
                ("limits", Value::Null),
                (
                    "requests",
                    values(&[("cpu", Value::from("50m")), ("memory", Value::Null)]),
                ),
                ("list", Value::List(vec![Value::Null, Value::Int(1)])),
            ]),
        )]);
        assert_eq!(
            render("{{ Values.r | without_nulls | toYaml }}", v).unwrap(),
            "list:\n- null\n- 1\nrequests:\n  cpu: 50m"
        );
        let v = values(&[
            ("r", values(&[("a", Value::Null)])),
            ("s", Value::from("x")),
        ]);
        assert_eq!(
            render(
                "[{{ Values.r | without_nulls | toYaml }}] {{ Values.s | without_nulls }} [{{ Values.missing | without_nulls }}]",
                v
            )
            .unwrap(),
            "[{}] x []"
        );
    }

    #[test]
    fn to_value_keeps_types() {
        let v = values(&[(
            "m",
            values(&[(
                "l",
                Value::List(vec![
                    Value::Int(1),
                    Value::Float(1.5),
                    Value::Null,
                    Value::from("s"),
                ]),
            )]),
        )]);
        let j = to_jinja(&v);
        assert_eq!(to_value(&j).unwrap(), v);
    }

    #[test]
    fn tpl_and_include_see_the_same_objects() {
        let mut env = Environment::new();
        register(&mut env);
        env.add_template("a", "A={{ Values.x }}").unwrap();
        env.add_template("b", "{{ include('a') }} {{ tpl(Values.t) }}")
            .unwrap();
        env.add_template("loop", "{{ include('loop') }}").unwrap();
        let ctx = minijinja::context! { Values => minijinja::context! { x => 1, t => "T={{ Values.x }}" } };
        assert_eq!(
            env.get_template("b").unwrap().render(&ctx).unwrap(),
            "A=1 T=1"
        );
        let err = env.get_template("loop").unwrap().render(&ctx).unwrap_err();
        assert!(format!("{err:#}").contains("nested"), "{err:#}");
    }
}
