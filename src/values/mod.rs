//! Values: user input (`-f` files and the `--set` family), Helm's merge rules, and which
//! dependencies are enabled.

pub mod format;
pub mod merge;
pub mod schema;
pub mod strvals;

use std::borrow::Cow;

use anyhow::{Context, Result, bail};

use crate::chart::{Chart, Dependency};
use crate::redact;
use crate::value::{Map, Value};
use crate::yaml;
use merge::{Nulls, ValuesNode, Warning, coalesce, merge_user_values};

/// The value flags of one command line, each kind in the order given.
///
/// Helm applies them by kind, not by position: all files, then `--set-json`, `--set`,
/// `--set-string`, `--set-file`, `--set-literal`.
#[derive(Debug, Clone, Default)]
pub struct ValueInputs {
    /// `-f/--values`: paths, `-` for standard input.
    pub files: Vec<String>,
    /// `--set-json key=<json>`.
    pub set_json: Vec<String>,
    /// `--set key=value` (typed).
    pub set: Vec<String>,
    /// `--set-string key=value`.
    pub set_string: Vec<String>,
    /// `--set-file key=path`.
    pub set_file: Vec<String>,
    /// `--set-literal key=value`.
    pub set_literal: Vec<String>,
    /// `--preset NAME`: the chart's defaults changed by `values/NAME.yaml` of the chart
    /// ([`crate::chart::Chart::apply_preset`]).
    pub preset: Option<String>,
}

/// Reads a file named on the command line (`-` is standard input); the CLI provides it.
pub type ReadInput<'a> = dyn FnMut(&str) -> Result<String> + 'a;

/// Builds the user-supplied values from files and flags, in Helm's precedence order.
///
/// `read` does the I/O, so this stays testable; errors name the file or flag at fault.
/// Nothing is checked against a schema: see [`checked_user_values`].
pub fn user_values(inputs: &ValueInputs, read: &mut ReadInput) -> Result<Map> {
    collect_user_values(inputs, read, None, None)
}

/// [`user_values`], with every input checked against the chart's schemas on its own, so an
/// error names the file or flag that holds the bad value (see [`schema`]).
pub fn checked_user_values(
    chart: &Chart,
    inputs: &ValueInputs,
    read: &mut ReadInput,
) -> Result<Map> {
    collect_user_values(inputs, read, Some(chart), None)
}

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

fn collect_user_values(
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
                merge_user_values(&mut values, m)
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
    for (flag, exprs, flavor) in typed {
        for expr in exprs {
            redact::remember_flag_secrets(expr, &is_known);
            strvals::parse_flag(flavor, expr, &mut values, &mut budget)
                .with_context(|| format!("{flag} {}", strvals::quote_expression(expr)))?;
        }
    }
    for expr in &inputs.set_file {
        let mut read_file = |path: &str| read(path).map_err(|e| format!("{e:#}"));
        strvals::parse_set_file_within(expr, &mut values, &mut read_file, &mut budget)
            .with_context(|| format!("--set-file {}", strvals::quote_expression(expr)))?;
    }
    for expr in &inputs.set_literal {
        redact::remember_flag_secrets(expr, &|_| false);
        strvals::parse_flag(strvals::Flavor::SetLiteral, expr, &mut values, &mut budget)
            .with_context(|| format!("--set-literal {}", strvals::quote_expression(expr)))?;
    }
    redact::remember_values(&values);
    check_size(&values, "the values files and flags together")?;
    if let Some(chart) = chart {
        check_flags(chart, inputs, report)?;
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

/// Each flag's values on their own: parsed again into an empty map, which holds exactly the
/// keys that flag sets. A `--set-file` is checked as the string it always gives, without
/// reading the file again.
fn check_flags(
    chart: &Chart,
    inputs: &ValueInputs,
    mut report: Option<&mut InputReport>,
) -> Result<()> {
    type Parser = fn(&str, &mut Map) -> std::result::Result<(), strvals::SetError>;
    let kinds: [(&str, &[String], Parser); 4] = [
        ("--set-json", &inputs.set_json, strvals::parse_set_json),
        ("--set", &inputs.set, strvals::parse_set),
        (
            "--set-string",
            &inputs.set_string,
            strvals::parse_set_string,
        ),
        (
            "--set-literal",
            &inputs.set_literal,
            strvals::parse_set_literal,
        ),
    ];
    for (flag, exprs, parse) in kinds {
        for expr in exprs {
            let mut alone = Map::default();
            // It parsed above, into a fuller map; alone it parses the same way.
            if parse(expr, &mut alone).is_ok() {
                check_input(
                    chart,
                    &alone,
                    &redact::flag_text(flag, expr),
                    report.as_deref_mut(),
                )?;
            }
        }
    }
    for expr in &inputs.set_file {
        let mut alone = Map::default();
        let mut no_read = |_: &str| Ok(String::new());
        if strvals::parse_set_file(expr, &mut alone, &mut no_read).is_ok() {
            check_input(
                chart,
                &alone,
                &redact::flag_text("--set-file", expr),
                report.as_deref_mut(),
            )?;
        }
    }
    Ok(())
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
    problems
}

/// The values a render sees, and which dependencies take part.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The parent chart's `.Values`; each enabled dependency's are under its name.
    pub values: Map,
    /// Names (aliases) of the enabled dependencies, in Chart.yaml order.
    pub enabled: Vec<String>,
    /// Merge and condition warnings, for stderr.
    pub warnings: Vec<Warning>,
}

/// Applies chart defaults, tags and conditions to user values, as `helm template` does.
pub fn resolve(chart: &Chart, user: Map) -> Result<Resolved> {
    let mut warnings = Vec::new();
    // Conditions are read from the values with *every* dependency's defaults merged in,
    // so a dependency's own `enabled: false` default counts. Coalescing decides each key
    // on its own, so only the keys on condition paths (plus tags and globals) need
    // merging: copying a large user tree for this was a tenth of a big render.
    let condition_paths: Vec<&str> = chart
        .dependencies
        .iter()
        .filter_map(|d| d.condition.as_deref())
        .flat_map(|c| c.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let everything = coalesce(
        chart,
        prune_to_paths(&user, &condition_paths),
        Nulls::Delete,
        &mut Vec::new(),
    )
    .map_err(anyhow::Error::msg)?;
    let enabled: Vec<String> = chart
        .dependencies
        .iter()
        .filter(|dep| is_enabled(dep, &everything, &mut warnings))
        .map(|dep| dep.name.clone())
        .collect();
    let mut active = EnabledOnly {
        chart,
        defaults: Cow::Borrowed(&chart.defaults),
        enabled: &enabled,
    };
    // Helm then folds the enabled dependencies' defaults into the parent's defaults, nulls
    // included (its import-values step in merge mode). It matters: a user map for a
    // dependency then carries those nulls along, where a missing one gets them removed.
    active.defaults = Cow::Owned(
        coalesce(&active, Map::default(), Nulls::Keep, &mut Vec::new())
            .map_err(anyhow::Error::msg)?,
    );
    let values =
        coalesce(&active, user, Nulls::Delete, &mut warnings).map_err(anyhow::Error::msg)?;
    Ok(Resolved {
        values,
        enabled,
        warnings,
    })
}

/// A copy of `values` with only what the dotted `paths` run through (whole values at their
/// ends), plus the top-level `tags` and `global`, which every condition may depend on.
fn prune_to_paths(values: &Map, paths: &[&str]) -> Map {
    prune_below(values, paths, true)
}

fn prune_below(values: &Map, paths: &[&str], top_level: bool) -> Map {
    let mut out = Map::default();
    for (key, value) in values {
        let keep_whole = (top_level && (key == "tags" || key == merge::GLOBAL_KEY))
            || paths.contains(&key.as_str());
        if keep_whole {
            out.insert(key.clone(), value.clone());
            continue;
        }
        let rests: Vec<&str> = paths
            .iter()
            .filter_map(|p| p.strip_prefix(key.as_str())?.strip_prefix('.'))
            .collect();
        if rests.is_empty() {
            continue;
        }
        let pruned = match value {
            Value::Map(inner) => Value::Map(prune_below(inner, &rests, false)),
            // Not a map: keep it, so that coalescing reacts to it as it would in full.
            other => other.clone(),
        };
        out.insert(key.clone(), pruned);
    }
    out
}

/// A chart as the render sees it: disabled dependencies removed, defaults possibly
/// replaced. A view, so that resolving never copies the chart.
struct EnabledOnly<'a> {
    chart: &'a Chart,
    defaults: Cow<'a, Map>,
    enabled: &'a [String],
}

impl ValuesNode for EnabledOnly<'_> {
    fn name(&self) -> &str {
        self.chart.name()
    }
    fn defaults(&self) -> &Map {
        &self.defaults
    }
    fn children(&self) -> Vec<&dyn ValuesNode> {
        self.chart
            .dependencies
            .iter()
            .filter(|d| self.enabled.contains(&d.name))
            .map(|d| &d.chart as &dyn ValuesNode)
            .collect()
    }
}

/// Helm's rules: tags first (any true tag enables, only false tags disable), then the
/// first condition path that holds a bool overrides them. Missing paths have no effect.
fn is_enabled(dep: &Dependency, values: &Map, warnings: &mut Vec<Warning>) -> bool {
    let mut enabled = true;
    if let Some(Value::Map(tags)) = values.get("tags") {
        let (mut any_true, mut any_false) = (false, false);
        for tag in &dep.tags {
            match tags.get(tag) {
                Some(Value::Bool(true)) => any_true = true,
                Some(Value::Bool(false)) => any_false = true,
                Some(other) => warnings.push(Warning(format!(
                    "tag {tag:?} of dependency {} is a {}, not a bool; ignored",
                    dep.name,
                    other.type_name()
                ))),
                None => {}
            }
        }
        enabled = any_true || !any_false;
    }
    for path in dep.condition.iter().flat_map(|c| c.split(',')) {
        let path = path.trim();
        if path.is_empty() {
            continue;
        }
        match crate::value::map_path(values, path) {
            Some(Value::Bool(b)) => return *b,
            Some(other) => warnings.push(Warning(format!(
                "condition {path:?} of dependency {} is a {}, not a bool; ignored",
                dep.name,
                other.type_name()
            ))),
            None => {}
        }
    }
    enabled
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Chart, ChartFiles};

    fn chart() -> Chart {
        let files = ChartFiles::from_files(
            "test",
            [
                (
                    "chart/Chart.yaml".to_string(),
                    "name: p\nversion: 1.0.0\ndependencies:\n- name: d\n  version: 1.0.0\n  alias: a\n  condition: a.enabled,global.a\n  tags: [front]\n- name: d\n  version: 1.0.0\n  alias: b\n  condition: b.enabled\n".to_string(),
                ),
                ("chart/charts/d/Chart.yaml".to_string(), "name: d\nversion: 1.0.0\n".to_string()),
                ("values/d.yaml".to_string(), "replicas: 1\n".to_string()),
                ("values/values.yaml".to_string(), "b:\n  replicas: 2\n".to_string()),
            ],
        );
        Chart::load(&files).unwrap()
    }

    fn user(yaml_text: &str) -> Map {
        match yaml::parse_values(yaml_text, "test").unwrap() {
            Value::Map(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn conditions_and_tags() {
        let c = chart();
        assert_eq!(resolve(&c, Map::default()).unwrap().enabled, vec!["a", "b"]);
        assert_eq!(
            resolve(&c, user("b: {enabled: false}")).unwrap().enabled,
            vec!["a"]
        );
        assert_eq!(
            resolve(&c, user("tags: {front: false}")).unwrap().enabled,
            vec!["b"]
        );
        // A bool condition beats the tag.
        assert_eq!(
            resolve(&c, user("tags: {front: false}\na: {enabled: true}"))
                .unwrap()
                .enabled,
            vec!["a", "b"]
        );
        let r = resolve(&c, user("b: {enabled: maybe}")).unwrap();
        assert_eq!(r.enabled, vec!["a", "b"], "a non-bool condition is ignored");
        assert_eq!(r.warnings.len(), 1);
    }

    #[test]
    fn a_dependency_default_counts_for_its_condition() {
        let mut c = chart();
        c.dependencies[1]
            .chart
            .defaults
            .insert("enabled".into(), Value::Bool(false));
        assert_eq!(resolve(&c, Map::default()).unwrap().enabled, vec!["a"]);
        assert_eq!(
            resolve(&c, user("b: {enabled: true}")).unwrap().enabled,
            vec!["a", "b"]
        );
    }

    #[test]
    fn pruning_keeps_only_condition_paths() {
        let v = user(
            "a: {enabled: false, big: [1, 2]}\nb: 5\nc: {x: 1}\ntags: {t: true}\nglobal: {g: 1}",
        );
        let pruned = prune_to_paths(&v, &["a.enabled", "b.enabled", "global.g"]);
        assert_eq!(
            pruned,
            user("a: {enabled: false}\nb: 5\ntags: {t: true}\nglobal: {g: 1}")
        );
    }

    #[test]
    fn disabled_dependencies_keep_their_user_values_only() {
        let r = resolve(&chart(), user("b: {enabled: false, x: 1}")).unwrap();
        let b = r.values["b"].as_map().unwrap();
        assert!(
            b.get("global").is_none(),
            "not coalesced with the dependency"
        );
        assert_eq!(b["replicas"], Value::Int(2), "parent defaults still apply");
        let a = r.values["a"].as_map().unwrap();
        assert_eq!(a["replicas"], Value::Int(1));
    }

    #[test]
    fn precedence_of_files_and_flags() {
        let inputs = ValueInputs {
            files: vec!["one".into(), "two".into()],
            set_json: vec!["j={\"k\":1}".into()],
            set: vec!["s=1,j.k=2".into()],
            set_string: vec!["s=1".into()],
            set_file: vec!["f=one".into()],
            set_literal: vec!["lit=a,b".into()],
            preset: None,
        };
        let mut read = |path: &str| -> Result<String> {
            Ok(match path {
                "one" => "a: 1\nb: {c: 1}\n".to_string(),
                "two" => "a: 2\nb: {d: 2}\n".to_string(),
                other => bail!("no file {other}"),
            })
        };
        let v = user_values(&inputs, &mut read).unwrap();
        assert_eq!(v["a"], Value::Int(2));
        assert_eq!(v["b"], Value::Map(user("c: 1\nd: 2")));
        assert_eq!(v["j"], Value::Map(user("k: 2")));
        assert_eq!(v["s"], Value::from("1"));
        assert_eq!(v["f"], Value::from("a: 1\nb: {c: 1}\n"));
        assert_eq!(v["lit"], Value::from("a,b"));
    }

    #[test]
    fn an_empty_file_name_is_an_error_of_its_own() {
        let inputs = ValueInputs {
            files: vec![String::new()],
            ..Default::default()
        };
        let mut read = |_: &str| -> Result<String> { unreachable!("nothing to read") };
        let err = format!("{:#}", user_values(&inputs, &mut read).unwrap_err());
        assert!(err.contains("the file name is empty"), "{err}");
    }

    #[test]
    fn a_missing_file_is_named() {
        let inputs = ValueInputs {
            files: vec!["nope.yaml".into()],
            ..Default::default()
        };
        let mut read =
            |path: &str| -> Result<String> { bail!("{path}: No such file or directory") };
        let err = format!("{:#}", user_values(&inputs, &mut read).unwrap_err());
        assert!(err.contains("nope.yaml"), "{err}");
    }
}
