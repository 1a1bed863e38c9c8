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

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};

use std::sync::Arc;

use crate::value::{Map, Value};
use crate::values::merge::ValuesNode;
use crate::values::schema::Schema;
use crate::yaml;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_chart.rs"));
}

/// The files of a chart, by path relative to the chart root (`chart/Chart.yaml`, ...).
#[derive(Debug, Clone, Default)]
pub struct ChartFiles {
    /// Borrowed for the embedded chart: a render must not copy the whole chart first.
    files: BTreeMap<Cow<'static, str>, Cow<'static, str>>,
    /// For the embedded chart: its YAML files already parsed at build time.
    preparsed: Option<fn(&str) -> Option<Value>>,
    /// Where the files came from, for error messages ("embedded chart" or a directory).
    origin: String,
    /// The directory of a `--chart DIR` chart: errors name its files by their real path.
    dir: Option<std::path::PathBuf>,
}

impl ChartFiles {
    /// The chart compiled into this binary.
    pub fn embedded() -> Self {
        ChartFiles {
            files: embedded::FILES
                .iter()
                .map(|(path, text)| (Cow::Borrowed(*path), Cow::Borrowed(*text)))
                .collect(),
            preparsed: Some(embedded::parsed),
            origin: "embedded chart".into(),
            dir: None,
        }
    }

    /// Reads `chart/`, `templates/` and `values/` below `root`.
    pub fn from_dir(root: &Path) -> Result<Self> {
        if !root.join("chart").join("Chart.yaml").is_file() {
            bail!(
                "{}: not a chart directory (expected chart/Chart.yaml, templates/ and values/ below it)",
                root.display()
            );
        }
        let mut files = BTreeMap::new();
        for top in ["chart", "templates", "values"] {
            read_tree(root, &root.join(top), &mut files)?;
        }
        Ok(ChartFiles {
            files: files
                .into_iter()
                .map(|(path, text)| (Cow::Owned(path), Cow::Owned(text)))
                .collect(),
            preparsed: None,
            origin: root.display().to_string(),
            dir: Some(root.to_path_buf()),
        })
    }

    /// Builds a chart from explicit files (tests and tools).
    pub fn from_files(origin: &str, files: impl IntoIterator<Item = (String, String)>) -> Self {
        ChartFiles {
            files: files
                .into_iter()
                .map(|(path, text)| (Cow::Owned(path), Cow::Owned(text)))
                .collect(),
            preparsed: None,
            origin: origin.into(),
            dir: None,
        }
    }

    /// Every file's path, relative to the chart root, in byte order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(|k| k.as_ref())
    }

    /// The contents of the file at `path` (relative to the chart root), if there is one.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|text| text.as_ref())
    }

    /// Where these files came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The directory of a `--chart DIR` chart; `None` for the embedded chart.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// How an error names the file at `path` (relative to the chart root): for a chart
    /// directory the path on disk (`my-chart/chart/Chart.yaml`), so the user can open it;
    /// for the embedded chart the path in this repository.
    pub fn display_path(&self, path: &str) -> String {
        match &self.dir {
            Some(dir) => dir.join(path).display().to_string(),
            None => path.to_string(),
        }
    }

    /// Every file below `dir`, at any depth, with its path; sorted by path.
    pub fn files_below(&self, dir: &str) -> impl Iterator<Item = (&str, &str)> {
        let prefix = format!("{dir}/");
        self.files
            .iter()
            .filter(move |(path, _)| path.starts_with(&prefix))
            .map(|(path, text)| (path.as_ref(), text.as_ref()))
    }
}

fn read_tree(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("reading directory {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("reading directory {}", dir.display()))?
            .path();
        if path.is_dir() {
            read_tree(root, &path, out)?;
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .expect("walked below root")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let text = yaml::text_from_bytes(bytes, &path.display().to_string())?;
        out.insert(rel, text);
    }
    Ok(())
}

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

/// Compiles a schema file of the chart; `None` when there is none (Helm then checks nothing).
fn load_schema(files: &ChartFiles, path: &str) -> Result<Option<Arc<Schema>>> {
    files
        .get(path)
        .map(|text| Schema::from_json(text, path).map(Arc::new))
        .transpose()
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
        .filter(|name| !name.contains('/') && !matches!(*name, "values" | "pgbouncer"))
        .map(str::to_string)
        .collect()
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

/// Parses a YAML file of the chart into a map; `None` when the file does not exist.
fn parse_file(files: &ChartFiles, path: &str) -> Result<Option<Map>> {
    let Some(text) = files.get(path) else {
        return Ok(None);
    };
    let parsed = match files.preparsed.and_then(|preparsed| preparsed(path)) {
        Some(value) => value,
        None => yaml::parse_values(text, &files.display_path(path))?,
    };
    match parsed {
        Value::Map(m) => Ok(Some(m)),
        other => bail!(
            "{}: expected a map, found {}",
            files.display_path(path),
            other.type_name()
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preparsed_files_equal_what_the_parser_gives() {
        let files = ChartFiles::embedded();
        let mut checked = 0;
        for (path, text) in files.files.iter() {
            if let Some(preparsed) = embedded::parsed(path) {
                assert_eq!(preparsed, yaml::parse_values(text, path).unwrap(), "{path}");
                checked += 1;
            }
        }
        assert!(checked >= 4, "Chart.yaml files and defaults are preparsed");
    }

    #[test]
    fn the_parent_takes_templates_in_subfolders_but_not_its_dependencies() {
        let file = |path: &str| (path.to_string(), String::new());
        let files = ChartFiles::from_files(
            "test",
            [
                (
                    "chart/Chart.yaml".to_string(),
                    "name: parent\nversion: 1.0.0\ndependencies:\n- name: sub\n  alias: one\n- name: sub\n  alias: two\n".to_string(),
                ),
                (
                    "chart/charts/sub/Chart.yaml".to_string(),
                    "name: sub\nversion: 0.1.0\n".to_string(),
                ),
                file("templates/_helpers.tpl"),
                file("templates/a.yaml"),
                file("templates/tests/b.yaml"),
                file("templates/tests/_script.tpl"),
                file("templates/tests/deeper/c.yaml"),
                // Not a dependency folder, only a similar name.
                file("templates/subway/d.yaml"),
                file("templates/sub/x.yaml"),
                file("templates/sub/_x.tpl"),
                file("templates/sub/nested/y.yaml"),
            ],
        );
        let chart = Chart::load(&files).unwrap();
        let names = |templates: &[TemplateFile]| -> Vec<(String, bool)> {
            templates
                .iter()
                .map(|t| (t.name.clone(), t.is_partial()))
                .collect()
        };
        let expected = |list: &[(&str, bool)]| -> Vec<(String, bool)> {
            list.iter().map(|(n, p)| (n.to_string(), *p)).collect()
        };
        assert_eq!(
            names(&chart.templates),
            expected(&[
                ("_helpers.tpl", true),
                ("a.yaml", false),
                ("subway/d.yaml", false),
                ("tests/_script.tpl", true),
                ("tests/b.yaml", false),
                ("tests/deeper/c.yaml", false),
            ])
        );
        for dep in &chart.dependencies {
            assert_eq!(dep.chart.template_dir, "templates/sub");
            assert_eq!(
                names(&dep.chart.templates),
                expected(&[
                    ("_x.tpl", true),
                    ("nested/y.yaml", false),
                    ("x.yaml", false)
                ])
            );
        }
    }

    /// A chart directory on disk, removed when dropped.
    struct TempChart(std::path::PathBuf);

    impl TempChart {
        fn new(name: &str, files: &[(&str, &str)]) -> Self {
            let root = std::env::temp_dir().join(format!("qspgb-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            for (path, text) in files {
                let path = root.join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            TempChart(root)
        }
    }

    impl Drop for TempChart {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// With `--chart DIR`, errors name the file on disk (`DIR/chart/Chart.yaml`), not its
    /// path inside the chart, which the user would have to resolve against DIR.
    #[test]
    fn errors_in_a_chart_directory_name_the_file_on_disk() {
        let dir = TempChart::new(
            "bad-chart-yaml",
            &[("chart/Chart.yaml", "name: x\nversion: [1\n")],
        );
        let err = format!(
            "{:#}",
            Chart::load(&ChartFiles::from_dir(&dir.0).unwrap()).unwrap_err()
        );
        let file = dir.0.join("chart/Chart.yaml").display().to_string();
        assert!(err.starts_with(&format!("{file}:3:1: ")), "{err}");

        let dir = TempChart::new("no-version", &[("chart/Chart.yaml", "name: x\n")]);
        let err = format!(
            "{:#}",
            Chart::load(&ChartFiles::from_dir(&dir.0).unwrap()).unwrap_err()
        );
        let file = dir.0.join("chart/Chart.yaml").display().to_string();
        assert_eq!(err, format!("{file}: version is missing"));

        let dir = TempChart::new(
            "missing-dependency",
            &[(
                "chart/Chart.yaml",
                "name: x\nversion: 1.0.0\ndependencies:\n- name: sub\n",
            )],
        );
        let err = format!(
            "{:#}",
            Chart::load(&ChartFiles::from_dir(&dir.0).unwrap()).unwrap_err()
        );
        let sub = dir
            .0
            .join("chart/charts/sub/Chart.yaml")
            .display()
            .to_string();
        assert!(
            err.contains(&format!("needs {sub}, which is missing")),
            "{err}"
        );

        // The embedded chart keeps its repository paths.
        assert_eq!(
            ChartFiles::embedded().display_path("chart/Chart.yaml"),
            "chart/Chart.yaml"
        );
    }

    #[test]
    fn versions() {
        assert!(version_matches("4.0.2", "4.0.2"));
        assert!(version_matches("=4.0.2", "v4.0.2"));
        assert!(version_matches("4.0.x", "4.0.7"));
        assert!(version_matches("*", "1.2.3"));
        assert!(!version_matches("4.0.3", "4.0.2"));
        assert!(!version_matches("^4.0.0", "4.0.2"));
    }
}
