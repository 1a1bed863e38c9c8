//! The values a render sees: user values coalesced with the chart's defaults, and the
//! dependencies that tags and conditions enable, as `helm template` decides them.

use std::borrow::Cow;

use anyhow::Result;

use super::coalesce::{self, Nulls, ValuesNode, Warning, coalesce};
use crate::chart::{Chart, Dependency};
use crate::value::{Map, Value};

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

/// Applies chart defaults, tags and conditions to user values, as `helm template` does,
/// except that a user's map for a key of [`super::replace::REPLACED_PER_INSTANCE`]
/// replaces the default instead of merging with it.
pub fn resolve(chart: &Chart, user: Map) -> Result<Resolved> {
    // A user's selector replaces the default one (qspgb's one departure from Helm's
    // coalescing, see `replace`): taken out of the defaults before anything merges.
    let replaced = super::replace::without_replaced_defaults(chart, &user);
    let chart = replaced.as_ref().unwrap_or(chart);
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
        let keep_whole = (top_level && (key == "tags" || key == coalesce::GLOBAL_KEY))
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
mod tests;
