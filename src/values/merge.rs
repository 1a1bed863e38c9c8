//! Helm's merge rules, reproduced on [`Value`] trees.
//!
//! Two different operations exist in Helm and both matter:
//!
//! - [`merge_user_values`]: how several `-f` files combine (`mergeMaps` in Helm's CLI): maps
//!   merge key by key, anything else in the later file replaces, and a `null` is kept as a
//!   value (it only means "delete" later, against chart defaults).
//! - [`coalesce`]: how user values meet chart defaults (`chartutil.CoalesceValues`): user
//!   values win, maps merge deeply, a user `null` deletes the default, and every dependency's
//!   defaults are merged under its name (the alias), with `global` copied down.
//!
//! Helm prints warnings when a map meets a non-map; we collect them as [`Warning`]s so the
//! CLI can show them on stderr without this module doing I/O.

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

/// Merges `overlay` into `base` the way Helm combines several `-f` files.
///
/// ```
/// # use qspgb::value::{Map, Value};
/// # use qspgb::values::merge::merge_user_values;
/// let mut base = Map::default();
/// base.insert("a".into(), Value::Int(1));
/// let mut overlay = Map::default();
/// overlay.insert("a".into(), Value::Null);
/// merge_user_values(&mut base, overlay);
/// assert_eq!(base["a"], Value::Null); // kept: it deletes a chart default later
/// ```
pub fn merge_user_values(base: &mut Map, overlay: Map) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(Value::Map(existing)), Value::Map(incoming)) => {
                merge_user_values(existing, incoming)
            }
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
mod tests {
    use super::*;

    struct Node {
        name: String,
        defaults: Map,
        children: Vec<Node>,
    }

    impl ValuesNode for Node {
        fn name(&self) -> &str {
            &self.name
        }
        fn defaults(&self) -> &Map {
            &self.defaults
        }
        fn children(&self) -> Vec<&dyn ValuesNode> {
            self.children.iter().map(|c| c as &dyn ValuesNode).collect()
        }
    }

    /// Builds a map from `key => value` pairs; values convert with `Value::from`.
    macro_rules! map {
        ($($k:expr => $v:expr),* $(,)?) => {{
            #[allow(unused_mut)]
            let mut m = Map::default();
            $(m.insert($k.to_string(), Value::from($v));)*
            m
        }};
    }

    fn coalesce_ok(chart: &dyn ValuesNode, user: Map, w: &mut Vec<Warning>) -> Map {
        coalesce(chart, user, Nulls::Delete, w).unwrap()
    }

    fn leaf(name: &str, defaults: Map) -> Node {
        Node {
            name: name.into(),
            defaults,
            children: vec![],
        }
    }

    #[test]
    fn later_files_merge_maps_and_replace_the_rest() {
        let mut base =
            map! {"a" => map!{"x" => 1, "y" => 2}, "l" => Value::List(vec![Value::Int(1)])};
        merge_user_values(
            &mut base,
            map! {"a" => map!{"y" => 3}, "l" => Value::List(vec![])},
        );
        assert_eq!(
            base,
            map! {"a" => map!{"x" => 1, "y" => 3}, "l" => Value::List(vec![])}
        );
    }

    #[test]
    fn user_values_win_and_maps_merge_deeply() {
        let chart = leaf(
            "c",
            map! {"a" => map!{"x" => 1, "y" => 2}, "b" => "default"},
        );
        let mut w = vec![];
        let out = coalesce_ok(&chart, map! {"a" => map!{"y" => 9}}, &mut w);
        assert_eq!(
            out,
            map! {"a" => map!{"y" => 9, "x" => 1}, "b" => "default"}
        );
        assert!(w.is_empty());
    }

    #[test]
    fn null_deletes_a_default_at_any_depth() {
        let chart = leaf("c", map! {"a" => map!{"x" => 1, "y" => 2}, "b" => 1});
        let mut w = vec![];
        let out = coalesce_ok(
            &chart,
            map! {"a" => map!{"x" => Value::Null}, "b" => Value::Null},
            &mut w,
        );
        assert_eq!(out, map! {"a" => map!{"y" => 2}});
    }

    #[test]
    fn null_defaults_are_dropped() {
        let chart = leaf(
            "c",
            map! {"n" => Value::Null, "m" => map!{"k" => Value::Null, "j" => 1}},
        );
        let out = coalesce_ok(&chart, Map::default(), &mut vec![]);
        assert_eq!(out, map! {"m" => map!{"j" => 1}});
    }

    #[test]
    fn lists_and_scalars_replace() {
        let chart = leaf(
            "c",
            map! {"l" => Value::List(vec![Value::Int(1), Value::Int(2)])},
        );
        let out = coalesce_ok(
            &chart,
            map! {"l" => Value::List(vec![Value::Int(3)])},
            &mut vec![],
        );
        assert_eq!(out, map! {"l" => Value::List(vec![Value::Int(3)])});
    }

    #[test]
    fn a_scalar_does_not_replace_a_table_default() {
        let chart = leaf("c", map! {"a" => map!{"x" => map!{"deep" => 1}}});
        let mut w = vec![];
        let out = coalesce_ok(&chart, map! {"a" => map!{"x" => 5}}, &mut w);
        // Helm keeps the user's scalar and warns.
        assert_eq!(out, map! {"a" => map!{"x" => 5}});
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn dependency_defaults_merge_under_the_alias_with_globals() {
        let chart = Node {
            name: "parent".into(),
            defaults: map! {"sub" => map!{"replicas" => 3, "drop" => 1}, "global" => map!{"g" => "parent"}},
            children: vec![leaf(
                "sub",
                map! {"replicas" => 1, "image" => "x", "keep" => 2, "global" => map!{"g" => "child", "h" => 1}},
            )],
        };
        let out = coalesce_ok(
            &chart,
            map! {"sub" => map!{"drop" => Value::Null, "keep" => Value::Null}},
            &mut vec![],
        );
        let sub = out["sub"].as_map().unwrap();
        assert_eq!(sub["replicas"], Value::Int(3));
        assert_eq!(sub["image"], Value::from("x"));
        assert!(
            !sub.contains_key("keep"),
            "user null deletes the dependency default"
        );
        // The parent's default is gone, but the null itself stays: the dependency has no
        // default of that name to delete, and Helm leaves such nulls in place.
        assert_eq!(sub["drop"], Value::Null);
        assert_eq!(
            sub["global"],
            Value::Map(map! {"g" => "parent", "h" => 1}),
            "parent globals win, child globals fill in"
        );
    }

    #[test]
    fn a_dependency_without_values_gets_its_defaults_and_an_empty_global() {
        let chart = Node {
            name: "parent".into(),
            defaults: Map::default(),
            children: vec![leaf("sub", map! {"a" => 1})],
        };
        let out = coalesce_ok(&chart, Map::default(), &mut vec![]);
        assert_eq!(
            out["sub"],
            Value::Map(map! {"a" => 1, "global" => Map::default()})
        );
    }
}
