//! The files of a chart: the one compiled into this binary, or a directory read from disk.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::value::{Map, Value};
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
    /// For the embedded chart: its schema files already compiled at build time.
    precompiled: Option<fn(&str) -> Option<&'static qspgb_schema::Schema>>,
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
            precompiled: Some(embedded::schema),
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
            precompiled: None,
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
            precompiled: None,
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

    /// Whether this is the chart compiled into this binary (whose every file the tests
    /// check), not one read from a directory or given as files.
    pub fn is_embedded(&self) -> bool {
        self.preparsed.is_some()
    }

    /// [`ChartFiles::files_below`], as values that outlive `self`: the embedded chart's
    /// text is borrowed from the binary, a directory's is copied.
    pub fn files_below_owned(&self, dir: &str) -> Vec<(String, Cow<'static, str>)> {
        let prefix = format!("{dir}/");
        self.files
            .iter()
            .filter(|(path, _)| path.starts_with(&prefix))
            .map(|(path, text)| (path.to_string(), text.clone()))
            .collect()
    }

    /// The schema file at `path` compiled at build time, for the embedded chart; `None`
    /// when it must be compiled from its text.
    pub fn precompiled_schema(&self, path: &str) -> Option<&'static qspgb_schema::Schema> {
        self.precompiled.and_then(|precompiled| precompiled(path))
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

/// Parses a YAML file of the chart into a map; `None` when the file does not exist.
pub(super) fn parse_file(files: &ChartFiles, path: &str) -> Result<Option<Map>> {
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
    fn precompiled_schemas_equal_what_the_compiler_gives() {
        let files = ChartFiles::embedded();
        let mut checked = 0;
        for (path, text) in files.files.iter() {
            if let Some(precompiled) = files.precompiled_schema(path) {
                let compiled = qspgb_schema::Schema::from_json(text, path).unwrap();
                assert_eq!(precompiled, &compiled, "{path}");
                checked += 1;
            }
        }
        assert_eq!(checked, 2, "values.schema.json and pgbouncer.schema.json");
    }
}
