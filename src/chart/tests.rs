use super::*;

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
