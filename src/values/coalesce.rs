//! Helm's merge rules (`pkg/chart/common/util/coalesce.go`), reproduced on [`Value`] trees.
//!
//! Two different operations exist in Helm and both matter:
//!
//! - [`merge_maps`]: how several `-f` files combine, and how a whole `--set-json` object
//!   lands (Helm's `MergeMaps`): maps
//!   merge key by key, anything else in the later file replaces, and a `null` is kept as a
//!   value (it only means "delete" later, against chart defaults).
//! - [`coalesce`]: how user values meet chart defaults (`chartutil.CoalesceValues`): user
//!   values win, maps merge deeply, a user `null` deletes the default, and every dependency's
//!   defaults are merged under its name (the alias), with `global` copied down.
//!
//! Helm prints warnings when a map meets a non-map; we collect them as [`Warning`]s so the
//! CLI can show them on stderr without this module doing I/O.

use crate::chart::Chart;
use crate::value::{Map, Value};

/// The key whose contents flow from a parent chart into every dependency.
pub const GLOBAL_KEY: &str = "global";

/// A non-fatal oddity found while coalescing, such as a map overriding a scalar.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning(pub String);

/// The values-related part of a chart: its defaults and its (already aliased) dependencies.
///
/// Kept separate from the full chart type so that the merge rules can be tested without
/// templates or files.
pub trait ValuesNode {
    /// The chart's name as its parent sees it (the alias, for an aliased dependency).
    fn name(&self) -> &str;
    /// The chart's own default values (`values.yaml`).
    fn defaults(&self) -> &Map;
    /// The dependencies that are part of this render.
    fn children(&self) -> Vec<&dyn ValuesNode>;
}

/// A chart's values side: its defaults, and its dependencies by alias. Here rather than in
/// the chart module, so that values depend on the chart and never the other way.
impl ValuesNode for Chart {
    fn name(&self) -> &str {
        &self.meta.name
    }
    fn defaults(&self) -> &Map {
        &self.defaults
    }
    fn children(&self) -> Vec<&dyn ValuesNode> {
        self.dependencies
            .iter()
            .map(|d| &d.chart as &dyn ValuesNode)
            .collect()
    }
}

/// Merges `overlay` into `base` the way Helm combines several `-f` files (Helm's
/// `MergeMaps`; its strvals uses the same function for a whole `--set-json` object).
pub fn merge_maps(base: &mut Map, overlay: Map) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(Value::Map(existing)), Value::Map(incoming)) => merge_maps(existing, incoming),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Whether nulls survive a coalesce: Helm's `MergeValues` (true) keeps them, its
/// `CoalesceValues` (false) lets a null delete the default it overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    /// `CoalesceValues`: what a render uses.
    Delete,
    /// `MergeValues`: what Helm uses to fold dependency defaults into the parent's.
    Keep,
}

/// Coalesces user values with a chart's defaults and, recursively, its dependencies'.
///
/// Returns the values the chart's templates see as `.Values`; each dependency's view is the
/// map under its name. Fails like Helm when a dependency's values are not a map.
pub fn coalesce(
    chart: &dyn ValuesNode,
    user: Map,
    nulls: Nulls,
    warnings: &mut Vec<Warning>,
) -> Result<Map, String> {
    let mut values = user;
    coalesce_with_defaults(chart, &mut values, chart.name(), nulls, warnings);
    for child in chart.children() {
        let mut child_values = match values.shift_remove(child.name()) {
            None => Map::default(),
            Some(Value::Map(m)) => m,
            Some(other) => {
                return Err(format!(
                    "values for {:?} must be a map (they configure that dependency), found {}",
                    child.name(),
                    other.type_name()
                ));
            }
        };
        copy_globals_down(&values, &mut child_values, warnings);
        let merged = coalesce(child, child_values, nulls, warnings)?;
        values.insert(child.name().to_string(), Value::Map(merged));
    }
    Ok(values)
}

/// Merges a chart's defaults under `values` (Helm's `coalesceValues`).
fn coalesce_with_defaults(
    chart: &dyn ValuesNode,
    values: &mut Map,
    prefix: &str,
    nulls: Nulls,
    warnings: &mut Vec<Warning>,
) {
    let child_names: Vec<&str> = chart.children().iter().map(|c| c.name()).collect();
    for (key, default) in chart.defaults() {
        match values.get_mut(key) {
            Some(Value::Null) if nulls == Nulls::Delete => {
                values.shift_remove(key);
            }
            Some(Value::Map(user_map)) => match default {
                Value::Map(default_map) => {
                    // Values for a dependency keep their nulls here: they must reach the
                    // dependency's own coalescing to delete *its* defaults.
                    let nulls = if child_names.contains(&key.as_str()) {
                        Nulls::Keep
                    } else {
                        nulls
                    };
                    let mut default_map = default_map.clone();
                    if nulls == Nulls::Delete {
                        remove_nulls(&mut default_map);
                    }
                    coalesce_tables(
                        user_map,
                        default_map,
                        &join_key(prefix, key),
                        nulls,
                        warnings,
                    );
                }
                Value::Null => {}
                _ => warnings.push(Warning(format!(
                    "skipped value for {}: not a table",
                    join_key(prefix, key)
                ))),
            },
            Some(_) => {}
            None => {
                let mut default = default.clone();
                if nulls == Nulls::Delete {
                    if default.is_null() {
                        continue;
                    }
                    if let Value::Map(m) = &mut default {
                        remove_nulls(m);
                    }
                }
                values.insert(key.clone(), default);
            }
        }
    }
}

/// Fills `dst` (user values) from `src` (defaults), Helm's `coalesceTablesFullKey`.
///
/// With [`Nulls::Delete`], a user `null` deletes the default; with [`Nulls::Keep`] (values
/// destined for a dependency, or Helm's merge mode) the null stays so that a later
/// coalescing sees it.
fn coalesce_tables(
    dst: &mut Map,
    mut src: Map,
    prefix: &str,
    nulls: Nulls,
    warnings: &mut Vec<Warning>,
) {
    let src_non_null: Vec<String> = src
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    for (key, value) in dst.iter() {
        if value.is_null() {
            src.insert(key.clone(), Value::Null);
        }
    }
    for (key, src_value) in src {
        let full_key = join_key(prefix, &key);
        match dst.get_mut(&key) {
            Some(Value::Null) if nulls == Nulls::Delete && src_non_null.contains(&key) => {
                dst.shift_remove(&key);
            }
            None => {
                dst.insert(key, src_value);
            }
            Some(Value::Map(dst_map)) => match src_value {
                Value::Map(src_map) => {
                    coalesce_tables(dst_map, src_map, &full_key, nulls, warnings)
                }
                Value::Null => {}
                other => warnings.push(Warning(format!(
                    "destination for {full_key} is a table; ignoring non-table default ({})",
                    other.type_name()
                ))),
            },
            Some(dst_value) => {
                if src_value.is_map() && !dst_value.is_null() {
                    warnings.push(Warning(format!(
                        "cannot overwrite table with non table for {full_key}"
                    )));
                }
            }
        }
    }
}

/// Copies the parent's `global` map into a dependency's values (Helm's `coalesceGlobals`):
/// parent globals win over the dependency's own, maps merge.
fn copy_globals_down(parent: &Map, child: &mut Map, warnings: &mut Vec<Warning>) {
    let parent_globals = match parent.get(GLOBAL_KEY) {
        Some(Value::Map(m)) => m.clone(),
        None => Map::default(),
        Some(_) => {
            warnings.push(Warning(
                "skipping globals because the parent's global is not a table".into(),
            ));
            return;
        }
    };
    let mut child_globals = match child.shift_remove(GLOBAL_KEY) {
        Some(Value::Map(m)) => m,
        None => Map::default(),
        Some(other) => {
            warnings.push(Warning(
                "skipping globals because a dependency's global is not a table".into(),
            ));
            child.insert(GLOBAL_KEY.into(), other);
            return;
        }
    };
    for (key, value) in parent_globals {
        match (child_globals.get_mut(&key), value) {
            (None, value) => {
                child_globals.insert(key, value);
            }
            (Some(Value::Map(existing)), Value::Map(mut incoming)) => {
                // The parent's table wins; the child's keys fill the gaps.
                coalesce_tables(
                    &mut incoming,
                    std::mem::take(existing),
                    &join_key(GLOBAL_KEY, &key),
                    Nulls::Keep,
                    warnings,
                );
                child_globals.insert(key, Value::Map(incoming));
            }
            (Some(_), Value::Map(_)) => warnings.push(Warning(format!(
                "conflict: cannot merge map onto non-map for global.{key}; skipping"
            ))),
            (Some(Value::Map(_)), _) => {
                warnings.push(Warning(format!("global.{key} is a table; skipping")))
            }
            (Some(_), value) => {
                child_globals.insert(key, value);
            }
        }
    }
    child.insert(GLOBAL_KEY.into(), Value::Map(child_globals));
}

fn remove_nulls(map: &mut Map) {
    map.retain(|_, v| !v.is_null());
    for v in map.values_mut() {
        if let Value::Map(m) = v {
            remove_nulls(m);
        }
    }
}

fn join_key(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests;
