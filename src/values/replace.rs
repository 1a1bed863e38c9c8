//! Keys whose map, when the user gives one, replaces the chart's default map instead of
//! merging with it: a deliberate departure from Helm's coalescing, for the few keys where
//! a merge turns a user's complete answer into a different one.
//!
//! `hooks.sourceSecretSelector` is such a key. It is a label selector: a Secret must carry
//! every label of it. Merged key by key with the product's default labels
//! (`app.kubernetes.io/name: qs-postgresql-cluster`, `qs-postgresql-cluster/name: ...`), a
//! CloudNativePG user's `{cnpg.io/cluster: pg}` became a three-label selector that no
//! CloudNativePG Secret carries, and the hooks silently found nothing. Replaced, the
//! user's selector means what it says.
//!
//! The rule, per key of [`REPLACED_PER_INSTANCE`] and per dependency (instance):
//!
//! - the user values (every `-f` file and `--set` flag, merged among themselves as Helm
//!   merges them) hold a map there, empty or not: that map is the value, the default's
//!   labels are gone (`{}` is then "no selector": refused unless `hooks.sourceSecretNames`
//!   is set, as an empty selector would match every Secret);
//! - unset, or anything else (`null`, a wrong type): Helm's coalescing, untouched (`null`
//!   deletes the default; a wrong type is the schema's and the template's error).
//!
//! It works by taking the key out of the chart's defaults before coalescing, so everything
//! downstream (the templates, `qspgb values`, the hook Job's `--set-json`) sees one value,
//! and the hook Job, which passes the resolved selector back as a user value, resolves it
//! to the same selector again.

use crate::chart::Chart;
use crate::value::{Map, Value};

/// The keys (dotted paths inside an instance's values) whose user map replaces the default.
pub const REPLACED_PER_INSTANCE: &[&str] = &["hooks.sourceSecretSelector"];

/// `chart` with the defaults of every [`REPLACED_PER_INSTANCE`] key the `user` values give
/// as a map removed, in the dependency's own defaults and in the parent's defaults for it
/// (the product sets the selector in the parent's `values.yaml`); `None` when the user
/// gives none, so the common render copies nothing.
pub fn without_replaced_defaults(chart: &Chart, user: &Map) -> Option<Chart> {
    let mut replaced: Vec<(String, &str)> = Vec::new();
    for dependency in &chart.dependencies {
        for path in REPLACED_PER_INSTANCE {
            let Some(Value::Map(instance)) = user.get(&dependency.name) else {
                continue;
            };
            if let Some(Value::Map(_)) = crate::value::map_path(instance, path) {
                replaced.push((dependency.name.clone(), path));
            }
        }
    }
    if replaced.is_empty() {
        return None;
    }
    let mut chart = chart.clone();
    for (alias, path) in replaced {
        if let Some(Value::Map(parent_defaults)) = chart.defaults.get_mut(&alias) {
            remove_path(parent_defaults, path);
        }
        if let Some(dependency) = chart.dependencies.iter_mut().find(|d| d.name == alias) {
            remove_path(&mut dependency.chart.defaults, path);
        }
    }
    Some(chart)
}

/// Removes the value at the dotted `path` of `map`, if there is one.
fn remove_path(map: &mut Map, path: &str) {
    match path.split_once('.') {
        None => {
            map.shift_remove(path);
        }
        Some((first, rest)) => {
            if let Some(Value::Map(inner)) = map.get_mut(first) {
                remove_path(inner, rest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::ChartFiles;
    use crate::values::resolve;
    use crate::yaml::parse_values;

    /// The resolved `pgbouncerPharia.hooks.sourceSecretSelector` for user values `yaml`.
    fn pharia_selector(yaml: &str) -> Option<Value> {
        let chart = Chart::load(&ChartFiles::embedded()).unwrap();
        let user = match parse_values(yaml, "test").unwrap() {
            Value::Map(map) => map,
            other => panic!("{other:?}"),
        };
        let resolved = resolve(&chart, user).unwrap();
        crate::value::map_path(
            &resolved.values,
            "pgbouncerPharia.hooks.sourceSecretSelector",
        )
        .cloned()
    }

    fn labels(yaml: &str) -> Option<Value> {
        Some(parse_values(yaml, "expected").unwrap())
    }

    /// Every shape a user's selector can take, and what the templates and hooks then see.
    #[test]
    fn a_user_selector_replaces_the_default_and_only_a_map_does() {
        let product = "{app.kubernetes.io/name: qs-postgresql-cluster, qs-postgresql-cluster/name: cluster-pharia}";
        let cases: [(&str, &str, Option<Value>); 7] = [
            ("unset: the product default", "{}", labels(product)),
            (
                "unset below an instance the user does give",
                "pgbouncerPharia: {replicaCount: 2}",
                labels(product),
            ),
            (
                "a user map: exactly the user's labels",
                "pgbouncerPharia: {hooks: {sourceSecretSelector: {cnpg.io/cluster: pg}}}",
                labels("{cnpg.io/cluster: pg}"),
            ),
            (
                "a user map naming a product label: still only the user's",
                "pgbouncerPharia: {hooks: {sourceSecretSelector: {app.kubernetes.io/name: x}}}",
                labels("{app.kubernetes.io/name: x}"),
            ),
            (
                "an empty map: no labels (refused later unless sourceSecretNames is set)",
                "pgbouncerPharia: {hooks: {sourceSecretSelector: {}}}",
                labels("{}"),
            ),
            (
                "null: deleted, as Helm deletes a default",
                "pgbouncerPharia: {hooks: {sourceSecretSelector: null}}",
                None,
            ),
            (
                "the old way to drop a product label still drops it",
                "pgbouncerPharia: {hooks: {sourceSecretSelector: {app.kubernetes.io/name: null, tier: db}}}",
                labels("{app.kubernetes.io/name: null, tier: db}"),
            ),
        ];
        for (what, user, expected) in cases {
            assert_eq!(pharia_selector(user), expected, "{what}");
        }
    }

    /// The rule touches only the instance whose selector the user gives.
    #[test]
    fn the_other_instance_keeps_its_default() {
        let chart = Chart::load(&ChartFiles::embedded()).unwrap();
        let user = match parse_values(
            "pgbouncerPharia: {hooks: {sourceSecretSelector: {cnpg.io/cluster: pg}}}",
            "test",
        )
        .unwrap()
        {
            Value::Map(map) => map,
            other => panic!("{other:?}"),
        };
        let resolved = resolve(&chart, user).unwrap();
        assert_eq!(
            crate::value::map_path(
                &resolved.values,
                "pgbouncerTemporal.hooks.sourceSecretSelector.qs-postgresql-cluster/name"
            ),
            Some(&Value::String("cluster-temporal".into()))
        );
    }

    /// Nothing given: the chart is used as it is, not copied.
    #[test]
    fn no_user_selector_copies_nothing() {
        let chart = Chart::load(&ChartFiles::embedded()).unwrap();
        assert!(without_replaced_defaults(&chart, &Map::default()).is_none());
        let mut user = Map::default();
        user.insert("pgbouncerPharia".into(), Value::String("x".into()));
        assert!(without_replaced_defaults(&chart, &user).is_none());
    }

    /// Every replaced key is a key of the instance schema, so the table cannot name a key
    /// the chart no longer has.
    #[test]
    fn every_replaced_key_exists_in_the_instance_defaults() {
        let chart = Chart::load(&ChartFiles::embedded()).unwrap();
        for dependency in &chart.dependencies {
            for path in REPLACED_PER_INSTANCE {
                assert!(
                    crate::value::map_path(&dependency.chart.defaults, path).is_some(),
                    "{}.{path}",
                    dependency.name
                );
            }
        }
    }
}
