//! The user's values, input by input: `-f` files and the `--set` family, in Helm's
//! precedence order, each checked on its own against the chart's schemas so that an error
//! names the file or flag that holds the bad value.

use anyhow::{Context, Result, bail};

use super::coalesce::merge_maps;
use super::strvals;
use super::{ReadInput, ValueInputs};
use crate::chart::Chart;
use crate::chart::schema;
use crate::redact;
use crate::value::{Map, Value};
use crate::yaml;

/// Every input's own values and schema problems, for `qspgb lint`: problems are collected,
/// not raised, and each input's tree is kept so a finding about the merged values can name
/// the input that set the key.
#[derive(Debug, Default)]
pub struct InputReport {
    /// The merged user values (when every input parsed).
    pub values: Map,
    /// Schema problems, each with the input it came from.
    pub problems: Vec<(String, schema::Problem)>,
    /// Each input (file or flag) and the values it sets on its own, in precedence order.
    pub sources: Vec<(String, Map)>,
}

impl InputReport {
    /// The last input (in precedence order) that sets `path` (or a map above it).
    pub fn origin_of(&self, path: &[&str]) -> Option<&str> {
        self.sources
            .iter()
            .rev()
            .find(|(_, tree)| {
                let mut here = tree;
                for (i, key) in path.iter().enumerate() {
                    match here.get(*key) {
                        Some(Value::Map(inner)) if i + 1 < path.len() => here = inner,
                        Some(_) => return true,
                        None => return false,
                    }
                }
                true
            })
            .map(|(origin, _)| origin.as_str())
    }
}

/// [`checked_user_values`] that collects instead of failing (see [`InputReport`]). Syntax
/// errors (YAML, `--set`) still fail: there are no values to check then.
pub fn report_user_values(
    chart: &Chart,
    inputs: &ValueInputs,
    read: &mut ReadInput,
) -> Result<InputReport> {
    let mut report = InputReport::default();
    let values = collect_user_values(inputs, read, Some(chart), Some(&mut report))?;
    report.values = values;
    Ok(report)
}

/// Reads, parses, checks and merges every input; with a `chart`, each is checked against
/// its schemas (into `report` when there is one, else the first failing input is an error).
pub(super) fn collect_user_values(
    inputs: &ValueInputs,
    read: &mut ReadInput,
    chart: Option<&Chart>,
    mut report: Option<&mut InputReport>,
) -> Result<Map> {
    let mut values = Map::default();
    for path in &inputs.files {
        if path.is_empty() {
            // Otherwise: "cannot read : No such file or directory".
            bail!("-f/--values: the file name is empty (an unset variable in `-f \"$VALUES\"`?)");
        }
        let origin = if path == "-" {
            "<stdin>"
        } else {
            path.as_str()
        };
        let text = read(path).with_context(|| format!("reading values file {origin}"))?;
        match yaml::parse_values(&text, origin)? {
            Value::Map(m) => {
                redact::remember_values(&m);
                check_size(&m, origin)?;
                if let Some(chart) = chart {
                    check_input(chart, &m, origin, report.as_deref_mut())?;
                }
                merge_maps(&mut values, m)
            }
            other => bail!(
                "{origin}: expected a map of values, found a {}",
                other.type_name()
            ),
        }
    }
    // A flag's secrets are remembered before it is parsed, so that even the parser's own
    // errors, and any later message quoting a key from a password's tail, are scrubbed.
    let is_known = |path: &str| chart.is_some_and(|chart| known_path(chart, path));
    // One budget for all the flags: it bounds what an index can pad (see MAX_LIST_SLOTS).
    let mut budget = strvals::Budget::default();
    let typed: [(&str, &[String], strvals::Flavor); 3] = [
        ("--set-json", &inputs.set_json, strvals::Flavor::SetJson),
        ("--set", &inputs.set, strvals::Flavor::Set),
        (
            "--set-string",
            &inputs.set_string,
            strvals::Flavor::SetString,
        ),
    ];
    // What each flag sets on its own, from its one parse, for the schema checks below.
    let mut own: Vec<(&str, &str, Map)> = Vec::new();
    for (flag, exprs, flavor) in typed {
        for expr in exprs {
            redact::remember_flag_secrets(expr, &is_known);
            let alone = strvals::parse_flag_own(flavor, expr, &mut values, &mut budget)
                .with_context(|| format!("{flag} {}", strvals::quote_expression(expr)))?;
            own.push((flag, expr, alone));
        }
    }
    let mut own_files = Vec::new();
    for expr in &inputs.set_file {
        let mut read_file = |path: &str| read(path).map_err(|e| format!("{e:#}"));
        let mut alone = strvals::parse_set_file_own(expr, &mut values, &mut read_file, &mut budget)
            .with_context(|| format!("--set-file {}", strvals::quote_expression(expr)))?;
        // Checked as the string a --set-file always gives, not the file's text.
        blank_strings(&mut alone);
        own_files.push(("--set-file", expr.as_str(), alone));
    }
    for expr in &inputs.set_literal {
        redact::remember_flag_secrets(expr, &|_| false);
        let alone =
            strvals::parse_flag_own(strvals::Flavor::SetLiteral, expr, &mut values, &mut budget)
                .with_context(|| format!("--set-literal {}", strvals::quote_expression(expr)))?;
        own.push(("--set-literal", expr, alone));
    }
    redact::remember_values(&values);
    check_size(&values, "the values files and flags together")?;
    if let Some(chart) = chart {
        own.extend(own_files);
        check_flags(chart, &own, report)?;
    }
    Ok(values)
}

/// The most values (maps, lists and scalars, each counting one) that user input may hold.
/// Rendering costs a multiple of the values' size (every template may walk them, every
/// object is emitted), so this budget is what bounds a render's time and memory: a chart
/// value never needs more, and a 4 MiB values file of list items is well over it.
pub const MAX_VALUE_NODES: usize = 131_072;

/// The most entries of one list or map in user input.
pub const MAX_COLLECTION_ITEMS: usize = 16_384;

/// Refuses user values beyond [`MAX_VALUE_NODES`] or [`MAX_COLLECTION_ITEMS`], naming
/// `origin` (a file, or the flags) and the key path of an oversized collection.
fn check_size(values: &Map, origin: &str) -> Result<()> {
    fn walk(value: &Value, path: &mut Vec<String>, count: &mut usize) -> Result<(), String> {
        *count += 1;
        let len = match value {
            Value::Map(map) => map.len(),
            Value::List(items) => items.len(),
            _ => return Ok(()),
        };
        if len > MAX_COLLECTION_ITEMS {
            return Err(format!(
                "{}: {len} entries, more than the limit of {MAX_COLLECTION_ITEMS} in one list or map",
                path.join(".")
            ));
        }
        if *count > MAX_VALUE_NODES {
            return Err(format!(
                "more than the limit of {MAX_VALUE_NODES} values (keys, items and scalars) \
                 in one input"
            ));
        }
        match value {
            Value::Map(map) => {
                for (key, inner) in map {
                    path.push(key.clone());
                    walk(inner, path, count)?;
                    path.pop();
                }
            }
            Value::List(items) => {
                for (i, inner) in items.iter().enumerate() {
                    match path.last_mut() {
                        Some(last) => {
                            let kept = last.clone();
                            last.push_str(&format!("[{i}]"));
                            walk(inner, path, count)?;
                            *path.last_mut().unwrap() = kept;
                        }
                        None => walk(inner, path, count)?,
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
    let mut count = 0;
    let mut path = Vec::new();
    let mut check = || -> Result<(), String> {
        if values.len() > MAX_COLLECTION_ITEMS {
            return Err(format!(
                "{} top-level keys, more than the limit of {MAX_COLLECTION_ITEMS}",
                values.len()
            ));
        }
        for (key, inner) in values {
            path.push(key.clone());
            walk(inner, &mut path, &mut count)?;
            path.pop();
        }
        Ok(())
    };
    check().map_err(|e| anyhow::anyhow!("{origin}: {e}"))
}

/// Whether the key path of a `--set` assignment (`a.b[0].c`) leads through keys the chart's
/// defaults have, up to a value that is not a map: then it is an assignment the user
/// meant, not the rest of a password cut at a comma (see
/// [`redact::remember_flag_secrets`]). `global` and `tags` are always known.
fn known_path(chart: &Chart, path: &str) -> bool {
    let mut keys = path.split('.').map(|k| k.split('[').next().unwrap_or(k));
    let Some(root) = keys.next() else {
        return false;
    };
    if root == "global" || root == "tags" {
        return true;
    }
    let mut here: &Map = match chart.dependencies.iter().find(|d| d.name == root) {
        Some(dependency) => &dependency.chart.defaults,
        None => match chart.defaults.get(root) {
            Some(Value::Map(inner)) => inner,
            Some(_) => return true,
            None => return false,
        },
    };
    for key in keys {
        match here.get(key) {
            Some(Value::Map(inner)) => here = inner,
            Some(_) => return true,
            None => return false,
        }
    }
    true
}

/// Checks one input (a file, or one flag's values) against the chart's schemas: an error,
/// or with a report, an entry there.
fn check_input(
    chart: &Chart,
    values: &Map,
    origin: &str,
    report: Option<&mut InputReport>,
) -> Result<()> {
    let problems = schema_problems(chart, values);
    if let Some(report) = report {
        report.sources.push((origin.to_string(), values.clone()));
        report
            .problems
            .extend(problems.into_iter().map(|p| (origin.to_string(), p)));
        return Ok(());
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(anyhow::Error::msg(problem_report(origin, &problems)))
}

/// Every input line of the report names the origin, so each line stands on its own in a
/// CI log; a long list is cut, the count kept.
pub(crate) fn problem_report(origin: &str, problems: &[schema::Problem]) -> String {
    const SHOWN: usize = 20;
    let mut lines: Vec<String> = problems
        .iter()
        .take(SHOWN)
        .map(|p| format!("{origin}: {p}"))
        .collect();
    if problems.len() > SHOWN {
        lines.push(format!(
            "{origin}: ... and {} more problems",
            problems.len() - SHOWN
        ));
    }
    lines.join("\n")
}

/// Each flag's values on their own (what [`strvals::parse_flag_own`] gave), checked in
/// the order --set-json, --set, --set-string, --set-literal, --set-file.
fn check_flags(
    chart: &Chart,
    own: &[(&str, &str, Map)],
    mut report: Option<&mut InputReport>,
) -> Result<()> {
    for (flag, expr, alone) in own {
        check_input(
            chart,
            alone,
            &redact::flag_text(flag, expr),
            report.as_deref_mut(),
        )?;
    }
    Ok(())
}

/// Every string in `values` made empty.
fn blank_strings(values: &mut Map) {
    fn blank(value: &mut Value) {
        match value {
            Value::String(s) => s.clear(),
            Value::Map(map) => map.values_mut().for_each(blank),
            Value::List(items) => items.iter_mut().for_each(blank),
            _ => {}
        }
    }
    values.values_mut().for_each(blank);
}

/// Every schema problem of a values tree of this chart: the parent's schema for its own
/// keys, each dependency's schema for the subtree under its name (alias).
pub fn schema_problems(chart: &Chart, values: &Map) -> Vec<schema::Problem> {
    let mut problems = Vec::new();
    let is_dependency = |key: &str| chart.dependencies.iter().any(|d| d.name == key);
    if let Some(schema) = &chart.schema {
        schema.validate_top_level(
            values,
            &is_dependency,
            &schema::KeyPath::default(),
            &mut problems,
        );
    }
    for dependency in &chart.dependencies {
        if let (Some(schema), Some(subtree)) =
            (&dependency.chart.schema, values.get(&dependency.name))
        {
            let path = schema::KeyPath(vec![schema::Segment::Key(dependency.name.clone())]);
            schema.validate_at(subtree, &path, &mut problems);
        }
    }
    for problem in &mut problems {
        hint_known_name(chart, problem);
    }
    problems
}

/// An unknown key's hint from the names users bring ([`crate::suggest::aliases`]), or, at
/// the top level, for an instance key written outside its pooler's section (the upstream
/// chart's layout): these win over the edit-distance hint, which cannot find them. A hint
/// names only a key path the chart's schema allows, so a fork without it gets none.
fn hint_known_name(chart: &Chart, problem: &mut schema::Problem) {
    use crate::suggest::aliases::{Scope, lookup};
    let Some(key) = problem.unknown_key().map(str::to_string) else {
        return;
    };
    let segments = &problem.path.0[..problem.path.0.len() - 1];
    let Some(parents) = segments
        .iter()
        .map(|s| match s {
            schema::Segment::Key(k) => Some(k.as_str()),
            schema::Segment::Index(_) => None,
        })
        .collect::<Option<Vec<&str>>>()
    else {
        return;
    };
    let dependency = |name: &str| chart.dependencies.iter().find(|d| d.name == name);
    let hint = match parents.split_first() {
        Some((first, rest)) => dependency(first).and_then(|dep| {
            let alias = lookup(Scope::Instance, &rest.join("."), &key)?;
            let schema = dep.chart.schema.as_ref()?;
            schema
                .allows_key_path(alias.target)
                .then(|| alias.hint(&dep.name))
        }),
        None => match lookup(Scope::TopLevel, "", &key) {
            Some(alias) => dependency(alias.target.split('.').next().unwrap_or_default())
                .map(|_| alias.hint("")),
            None => chart.dependencies.first().and_then(|first| {
                let schema = first.chart.schema.as_ref()?;
                schema.top_level_keys().any(|k| k == key).then(|| {
                    let names: Vec<&str> =
                        chart.dependencies.iter().map(|d| d.name.as_str()).collect();
                    format!(
                        "did you mean {:?}? each pooler's values go under its name: {}",
                        format!("{}.{key}", first.name),
                        names.join(", ")
                    )
                })
            }),
        },
    };
    if let Some(hint) = hint {
        problem.message = format!("unknown key {key:?} ({hint})");
    }
}

#[cfg(test)]
mod tests;
