//! Loading a chart: the embedded one, or a directory with the same layout.
//!
//! Layout (relative to the chart root; the repository root is itself a chart):
//!
//! ```text
//! chart/Chart.yaml                  the parent chart: name, version, dependencies
//! chart/charts/<dep>/Chart.yaml     each dependency's metadata (name, version, appVersion)
//! values/values.yaml                the parent's defaults
//! values/<dep>.yaml                 each dependency's defaults
//! templates/**                      the parent's templates, at any depth, except below
//!                                   a dependency's folder
//! templates/<dep>/**                each dependency's templates (rendered once per alias)
//! ```
//!
//! As in Helm, every file below a chart's templates folder is a template, however deep
//! (`templates/tests/pod.yaml`), and one whose file name starts with `_` is a partial:
//! available to `import`/`include`, never rendered on its own.

pub mod examples;
pub mod files;
pub mod schema;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Result, anyhow, bail};

pub use files::ChartFiles;
use files::parse_file;
use schema::Schema;

use crate::value::{Map, Value};

/// A chart's `Chart.yaml`, the fields qspgb uses.
#[derive(Debug, Clone)]
pub struct ChartMeta {
    /// `name`; for an aliased dependency, the alias.
    pub name: String,
    /// `version` (semver).
    pub version: String,
    /// `appVersion`, if any.
    pub app_version: Option<String>,
    /// `description`, if any.
    pub description: Option<String>,
    /// `type` (application or library), if any.
    pub chart_type: Option<String>,
    /// `kubeVersion` constraint, if any (informational: `helm template` does not check it).
    pub kube_version: Option<String>,
}

impl ChartMeta {
    /// The `.Chart` object templates see, with Helm's field names.
    pub fn to_template_value(&self) -> Value {
        let mut m = Map::default();
        m.insert("Name".into(), self.name.clone().into());
        m.insert("Version".into(), self.version.clone().into());
        let opt = |v: &Option<String>| v.clone().map(Value::String).unwrap_or_default();
        m.insert("AppVersion".into(), opt(&self.app_version));
        m.insert("Description".into(), opt(&self.description));
        m.insert("Type".into(), opt(&self.chart_type));
        m.insert("KubeVersion".into(), opt(&self.kube_version));
        Value::Map(m)
    }
}

/// A `dependencies:` entry of Chart.yaml, resolved to its chart.
#[derive(Debug, Clone)]
pub struct Dependency {
    /// The name the parent uses for it: the alias if set, else the chart name.
    pub name: String,
    /// `condition`: comma-separated value paths; the first that holds a bool decides.
    pub condition: Option<String>,
    /// `tags`: enabled if any listed tag under `tags:` is true.
    pub tags: Vec<String>,
    /// The dependency's chart, renamed to the alias.
    pub chart: Chart,
}

/// A template file of a chart (its source stays in [`ChartFiles`]; the render engine
/// compiles it from there).
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Path inside the chart's templates folder, e.g. `deployment.yaml` or
    /// `tests/pgbouncer-test.yaml`.
    pub name: String,
}

impl TemplateFile {
    /// The file name without its folders (`pgbouncer-test.yaml`).
    pub fn file_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }

    /// Partials (`_helpers.tpl`, `tests/_script.tpl`) are imported by other templates, never
    /// rendered alone. As in Helm, the file name decides, in any folder.
    pub fn is_partial(&self) -> bool {
        self.file_name().starts_with('_')
    }
}

/// A loaded chart: metadata, defaults, templates and dependencies.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Chart.yaml.
    pub meta: ChartMeta,
    /// Default values.
    pub defaults: Map,
    /// Templates, sorted by path.
    pub templates: Vec<TemplateFile>,
    /// The folder the templates came from (`templates`, `templates/pgbouncer`): the name
    /// they are compiled under, once, however many aliases render them.
    pub template_dir: String,
    /// Dependencies in Chart.yaml order.
    pub dependencies: Vec<Dependency>,
    /// The values schema (`values/values.schema.json` for the parent,
    /// `values/<chart>.schema.json` for a dependency), shared by a dependency's aliases.
    pub schema: Option<Arc<Schema>>,
}

impl Chart {
    /// Changes the defaults as the preset `values/NAME.yaml` of the chart says, as if the
    /// chart's own values files said so: a preset value replaces the default (maps merge key
    /// by key) and a preset `null` removes it. Values given later then merge over the
    /// preset's defaults, so none brings back a default the preset removed (as a values
    /// file with the same nulls would: Helm's merge lets a later map replace a null). The
    /// preset's section for an alias changes that dependency's defaults and the parent's
    /// defaults for it.
    pub fn apply_preset(&mut self, files: &ChartFiles, name: &str) -> Result<()> {
        let known = presets(files);
        let path = format!("values/{name}.yaml");
        if !known.iter().any(|k| k == name) {
            bail!(
                "--preset {name:?}: no such preset (known: {})",
                known.join(", ")
            );
        }
        let preset = parse_file(files, &path)?.unwrap_or_default();
        for (key, value) in &preset {
            if let Some(dep) = self.dependencies.iter_mut().find(|d| &d.name == key)
                && let Value::Map(section) = value
            {
                overlay_defaults(&mut dep.chart.defaults, section);
            }
        }
        overlay_defaults(&mut self.defaults, &preset);
        Ok(())
    }
    /// [`Chart::load`], then the preset `--preset` names, if any ([`Chart::apply_preset`]).
    pub fn load_with_preset(files: &ChartFiles, preset: Option<&str>) -> Result<Chart> {
        let mut chart = Chart::load(files)?;
        if let Some(preset) = preset {
            chart.apply_preset(files, preset)?;
        }
        Ok(chart)
    }

    /// Loads the parent chart and its dependencies from chart files.
    pub fn load(files: &ChartFiles) -> Result<Chart> {
        let origin = files.origin();
        let meta_path = &files.display_path("chart/Chart.yaml");
        let meta_value = parse_file(files, "chart/Chart.yaml")?
            .ok_or_else(|| anyhow!("{origin}: chart/Chart.yaml is missing"))?;
        let meta = parse_meta(&meta_value, meta_path)?;
        let defaults = parse_file(files, "values/values.yaml")?.unwrap_or_default();
        let schema = load_schema(files, "values/values.schema.json")?;

        let mut dependencies = Vec::new();
        // Aliases of one chart share its schema, compiled once.
        let mut schemas: BTreeMap<String, Option<Arc<Schema>>> = BTreeMap::new();
        let deps = match meta_value.get("dependencies") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::List(items)) => items.clone(),
            Some(other) => bail!(
                "{meta_path}: dependencies: expected a list, found {}",
                other.type_name()
            ),
        };
        for (i, dep) in deps.iter().enumerate() {
            let at = format!("{meta_path}: dependencies[{i}]");
            let Value::Map(dep) = dep else {
                bail!("{at}: expected a map, found {}", dep.type_name());
            };
            let text = |key: &str| -> Result<Option<String>> {
                match dep.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.clone())),
                    Some(other) => {
                        bail!("{at}.{key}: expected a string, found {}", other.type_name())
                    }
                }
            };
            let chart_name = text("name")?.ok_or_else(|| anyhow!("{at}.name is missing"))?;
            let sub_meta_file = format!("chart/charts/{chart_name}/Chart.yaml");
            let sub_meta_path = files.display_path(&sub_meta_file);
            let sub_meta_value = parse_file(files, &sub_meta_file)?.ok_or_else(|| {
                anyhow!("{at}: dependency {chart_name:?} needs {sub_meta_path}, which is missing")
            })?;
            let mut sub_meta = parse_meta(&sub_meta_value, &sub_meta_path)?;
            if let Some(wanted) = text("version")?
                && !version_matches(&wanted, &sub_meta.version)
            {
                bail!(
                    "{at}: requires {chart_name} version {wanted:?}, but {sub_meta_path} has {:?}",
                    sub_meta.version
                );
            }
            let name = text("alias")?.unwrap_or_else(|| chart_name.clone());
            sub_meta.name = name.clone();
            let dependency_schema = match schemas.get(&chart_name) {
                Some(schema) => schema.clone(),
                None => {
                    let schema = load_schema(files, &format!("values/{chart_name}.schema.json"))?;
                    schemas.insert(chart_name.clone(), schema.clone());
                    schema
                }
            };
            let tags = match dep.get("tags") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::List(items)) => items
                    .iter()
                    .map(|t| t.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| anyhow!("{at}.tags: expected a list of strings"))?,
                Some(other) => bail!("{at}.tags: expected a list, found {}", other.type_name()),
            };
            dependencies.push(Dependency {
                name,
                condition: text("condition")?,
                tags,
                chart: Chart {
                    meta: sub_meta,
                    defaults: parse_file(files, &format!("values/{chart_name}.yaml"))?
                        .unwrap_or_default(),
                    templates: templates_in(files, &format!("templates/{chart_name}"), &[]),
                    template_dir: format!("templates/{chart_name}"),
                    dependencies: Vec::new(),
                    schema: dependency_schema,
                },
            });
        }
        // The dependencies' folders sit inside the parent's: their files are not the parent's.
        let dependency_dirs: Vec<&str> = dependencies
            .iter()
            .map(|d| d.chart.template_dir.as_str())
            .collect();
        let templates = templates_in(files, "templates", &dependency_dirs);
        Ok(Chart {
            meta,
            defaults,
            templates,
            template_dir: "templates".into(),
            dependencies,
            schema,
        })
    }
}

/// A schema file of the chart, compiled (for the embedded chart, at build time); `None`
/// when there is none (Helm then checks nothing).
fn load_schema(files: &ChartFiles, path: &str) -> Result<Option<Arc<Schema>>> {
    let Some(text) = files.get(path) else {
        return Ok(None);
    };
    let schema = match files.precompiled_schema(path) {
        // A clone of the static tables borrows them: nothing is copied.
        Some(compiled) => Schema::from(compiled.clone()),
        None => Schema::from_json(text, path)?,
    };
    Ok(Some(Arc::new(schema)))
}

/// Whether `version` satisfies the dependency's `wanted` constraint.
///
/// We support what this chart uses: an exact version (with or without a leading `v` or
/// `=`), `*`, and `x` wildcards (`4.0.x`, `4.x`). Helm accepts full semver ranges; a
/// range we don't understand is refused with an error rather than guessed at.
fn version_matches(wanted: &str, version: &str) -> bool {
    let wanted = wanted
        .trim()
        .trim_start_matches('=')
        .trim_start_matches('v');
    let version = version.trim().trim_start_matches('v');
    if wanted == "*" || wanted == version {
        return true;
    }
    let w: Vec<&str> = wanted.split('.').collect();
    let v: Vec<&str> = version.split('.').collect();
    w.iter().any(|p| *p == "x" || *p == "*")
        && w.iter()
            .zip(v.iter())
            .all(|(a, b)| *a == "x" || *a == "*" || a == b)
}

/// Every file below `dir`, at any depth (Helm reads a chart's templates folder
/// recursively), except those below one of the folders `skip`; sorted by path.
fn templates_in(files: &ChartFiles, dir: &str, skip: &[&str]) -> Vec<TemplateFile> {
    let below = |path: &str, folder: &str| {
        path.strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
    };
    files
        .files_below(dir)
        .filter(|(path, _)| !skip.iter().any(|folder| below(path, folder)))
        .map(|(path, _)| TemplateFile {
            name: path[dir.len() + 1..].to_string(),
        })
        .collect()
}

/// The presets a chart has: `values/*.yaml` other than its defaults.
pub fn presets(files: &ChartFiles) -> Vec<String> {
    files
        .paths()
        .filter_map(|p| p.strip_prefix("values/")?.strip_suffix(".yaml"))
        .filter(|name| is_preset_name(name))
        .map(str::to_string)
        .collect()
}

/// Whether `values/NAME.yaml` is a preset: a file of `values/` itself (not of a subfolder
/// such as `examples/`) other than the defaults.
fn is_preset_name(name: &str) -> bool {
    !name.contains('/') && !matches!(name, "values" | "pgbouncer")
}

/// `preset` over `defaults`: values replace, maps merge, `null` removes; nulls inside a
/// map that replaces a non-map have nothing to remove and are left out.
fn overlay_defaults(defaults: &mut Map, preset: &Map) {
    for (key, value) in preset {
        match (defaults.get_mut(key), value) {
            (_, Value::Null) => {
                defaults.shift_remove(key);
            }
            (Some(Value::Map(existing)), Value::Map(incoming)) => {
                overlay_defaults(existing, incoming)
            }
            (_, Value::Map(incoming)) => {
                let mut fresh = Map::default();
                overlay_defaults(&mut fresh, incoming);
                defaults.insert(key.clone(), Value::Map(fresh));
            }
            (_, other) => {
                defaults.insert(key.clone(), other.clone());
            }
        }
    }
}

fn parse_meta(meta: &Map, path: &str) -> Result<ChartMeta> {
    let field = |key: &str| -> Result<Option<String>> {
        match meta.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            // appVersion: 1.24 would be a number; Helm keeps the text as written. Ours is
            // quoted, and a number from a fork is formatted back.
            Some(Value::Int(i)) => Ok(Some(i.to_string())),
            Some(Value::Float(f)) => Ok(Some(f.to_string())),
            Some(other) => bail!(
                "{path}: {key}: expected a string, found {}",
                other.type_name()
            ),
        }
    };
    Ok(ChartMeta {
        name: field("name")?.ok_or_else(|| anyhow!("{path}: name is missing"))?,
        version: field("version")?.ok_or_else(|| anyhow!("{path}: version is missing"))?,
        app_version: field("appVersion")?,
        description: field("description")?,
        chart_type: field("type")?,
        kube_version: field("kubeVersion")?,
    })
}
