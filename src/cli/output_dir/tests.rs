use super::*;

/// A scratch folder below the system's temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("qspgb-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Every file below the folder with its text, to compare before and after.
    fn contents(&self) -> Vec<(PathBuf, String)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    out.push((path.clone(), "<dir>".into()));
                    walk(&path, out);
                } else {
                    out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &mut out);
        out.sort();
        out
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rendered_files() -> Vec<(String, String)> {
    vec![
        ("rel/charts/a/templates/one.yaml".into(), "one\n".into()),
        ("rel/charts/b/templates/two.yaml".into(), "two\n".into()),
    ]
}

#[test]
fn write_files_writes_every_file() {
    let scratch = Scratch::new("write-files-ok");
    let out = scratch.0.join("out");
    let written = write_files(&out, &rendered_files()).unwrap();
    assert_eq!(written.len(), 2);
    assert_eq!(
        std::fs::read_to_string(out.join("rel/charts/b/templates/two.yaml")).unwrap(),
        "two\n"
    );
    // Overwriting is fine, and leaves no temporary files behind.
    write_files(&out, &rendered_files()).unwrap();
    assert!(
        scratch
            .contents()
            .iter()
            .all(|(p, _)| !p.to_string_lossy().contains("qspgb-tmp"))
    );
}

/// Before, the first template's file was written and the second failed: a half-written
/// output folder, plus a stray `.qspgb-tmp` file.
#[test]
fn write_files_writes_nothing_when_one_target_cannot_be_written() {
    let scratch = Scratch::new("write-files-blocked");
    // A folder where the second file must go.
    std::fs::create_dir_all(scratch.0.join("rel/charts/b/templates/two.yaml/x")).unwrap();
    let before = scratch.contents();
    let err = write_files(&scratch.0, &rendered_files()).unwrap_err();
    assert!(format!("{err:#}").contains("is a directory"), "{err:#}");
    assert_eq!(scratch.contents(), before);

    // A file where a folder must go.
    let scratch = Scratch::new("write-files-file-as-dir");
    std::fs::create_dir_all(scratch.0.join("rel/charts")).unwrap();
    std::fs::write(scratch.0.join("rel/charts/b"), "a file").unwrap();
    let before = scratch.contents();
    let err = write_files(&scratch.0, &rendered_files()).unwrap_err();
    assert!(
        format!("{err:#}").contains("rel/charts/b: not a directory"),
        "{err:#}"
    );
    assert_eq!(scratch.contents(), before);

    // --output-dir naming a file.
    let file = scratch.0.join("rel/charts/b");
    let err = write_files(&file, &rendered_files()).unwrap_err();
    assert!(format!("{err:#}").contains("not a directory"), "{err:#}");
    assert_eq!(scratch.contents(), before);
}

/// What `--prune` may remove: the chart's own layout only, decided on the path's words.
#[test]
fn owned_paths_are_the_charts_template_files_only() {
    let owned = Owned {
        chart: "qs-pgbouncer".into(),
        dependencies: vec!["pgbouncerPharia".into(), "pgbouncerTemporal".into()],
    };
    for (path, expected) in [
        ("qs-pgbouncer/templates/hooks-rbac.yaml", true),
        ("qs-pgbouncer/templates/tests/pgbouncer-test.yaml", true),
        (
            "qs-pgbouncer/charts/pgbouncerPharia/templates/deployment.yaml",
            true,
        ),
        (
            "qs-pgbouncer/charts/pgbouncerTemporal/templates/pdb.yaml",
            true,
        ),
        ("qs-pgbouncer/charts/other/templates/deployment.yaml", false),
        ("qs-pgbouncer/charts/pgbouncerPharia/values.yaml", false),
        ("qs-pgbouncer/templates/NOTES.txt", false),
        ("qs-pgbouncer/templates/.deployment.yaml.qspgb-tmp", false),
        ("qs-pgbouncer/Chart.yaml", false),
        ("qs-pgbouncer/README.md", false),
        ("README.md", false),
        ("other/templates/deployment.yaml", false),
        ("qs-pgbouncer-2/templates/deployment.yaml", false),
        ("qs-pgbouncer/templates/../x.yaml", false),
        ("qs-pgbouncer/templates//x.yaml", false),
    ] {
        assert_eq!(owned.owns(path), expected, "{path}");
    }
}
