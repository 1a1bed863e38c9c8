//! Golden files in CI (docs/gitops.md): `render --output-dir DIR [--prune]` and
//! `diff DIR`, run as a user runs them, over a component switched off and back on.

use std::path::{Path, PathBuf};

use crate::util::{assert_fails, qspgb, stderr, stdout};

const TEMPORAL_OFF: [&str; 2] = ["--set", "pgbouncerTemporal.enabled=false"];

/// A scratch folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("qspgb-gitops-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }

    /// Every file below the folder, relative, sorted.
    fn files(&self) -> Vec<String> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
                if kind.is_dir() {
                    walk(root, &path, out);
                } else {
                    out.push(path.strip_prefix(root).unwrap().to_string_lossy().into());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &self.0, &mut out);
        out.sort();
        out
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> std::process::Output {
    qspgb(args)
}

/// `render --output-dir DIR` with the release and namespace of docs/gitops.md.
fn render_to(dir: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "render",
        "qs-pgbouncer",
        "-n",
        "pharia-ai",
        "--output-dir",
        dir,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn diff(dir: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["diff", dir, "qs-pgbouncer", "-n", "pharia-ai"];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn prune_removes_what_a_switched_off_component_left_and_nothing_else() {
    let scratch = Scratch::new("prune");
    let dir = scratch.path();
    // Files that are not qspgb's: beside the chart, inside its folder but outside the
    // layout, and another chart's renderings.
    let foreign = [
        "README.md",
        "qs-pgbouncer/NOTES.md",
        "qs-pgbouncer/templates/kept.txt",
        "qs-pgbouncer/charts/pgbouncerTemporal/values.yaml",
        "qs-pgbouncer/charts/other/templates/x.yaml",
        "other-chart/templates/deployment.yaml",
    ];
    for file in foreign {
        let path = scratch.0.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "not qspgb's\n").unwrap();
    }
    let out = render_to(dir, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let temporal: Vec<String> = scratch
        .files()
        .into_iter()
        .filter(|f| f.starts_with("qs-pgbouncer/charts/pgbouncerTemporal/templates/"))
        .collect();
    assert!(temporal.len() >= 3, "{temporal:?}");

    // Switched off without --prune: the stale files stay, and diff reports each of them.
    let out = render_to(dir, &TEMPORAL_OFF);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("removed"), "{}", stdout(&out));
    for file in &temporal {
        assert!(
            scratch.0.join(file).is_file(),
            "{file} is kept without --prune"
        );
    }
    let stale = diff(dir, &TEMPORAL_OFF);
    assert_eq!(stale.status.code(), Some(1), "{}", stderr(&stale));
    for file in &temporal {
        assert!(
            stdout(&stale).contains(&format!("+++ fresh render: {file} (no longer rendered)\n")),
            "{file}: {}",
            stdout(&stale)
        );
    }

    // With --prune: exactly the stale files go, each reported; the emptied folders too.
    let before = scratch.files();
    let out = render_to(dir, &[TEMPORAL_OFF[0], TEMPORAL_OFF[1], "--prune"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let removed: Vec<String> = stdout(&out)
        .lines()
        .filter_map(|l| l.strip_prefix("removed "))
        .map(|p| {
            p.strip_prefix(dir)
                .unwrap()
                .trim_start_matches('/')
                .to_string()
        })
        .collect();
    assert_eq!(removed, temporal, "{}", stdout(&out));
    let after = scratch.files();
    let expected: Vec<String> = before
        .into_iter()
        .filter(|f| !temporal.contains(f))
        .collect();
    assert_eq!(after, expected);
    for file in foreign {
        assert_eq!(
            std::fs::read_to_string(scratch.0.join(file)).unwrap(),
            "not qspgb's\n",
            "{file}"
        );
    }
    assert!(
        !scratch
            .0
            .join("qs-pgbouncer/charts/pgbouncerTemporal/templates")
            .exists(),
        "the emptied templates folder is removed"
    );
    assert!(
        scratch
            .0
            .join("qs-pgbouncer/charts/pgbouncerTemporal")
            .is_dir(),
        "a folder still holding a foreign file stays"
    );
    let same = diff(dir, &TEMPORAL_OFF);
    assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));
    assert!(same.stdout.is_empty());
    assert!(stderr(&same).contains(&format!("{dir}: up to date")));

    // Switched back on, diff shows the files to add; a second prune run removes nothing.
    let back = diff(dir, &[]);
    assert_eq!(back.status.code(), Some(1));
    assert!(stdout(&back).contains(&format!(
        "--- committed: {dir}/qs-pgbouncer/charts/pgbouncerTemporal/templates/deployment.yaml\n\
         +++ fresh render: qs-pgbouncer/charts/pgbouncerTemporal/templates/deployment.yaml\n"
    )));
    let again = render_to(dir, &[TEMPORAL_OFF[0], TEMPORAL_OFF[1], "--prune"]);
    assert!(!stdout(&again).contains("removed"), "{}", stdout(&again));
}

#[test]
fn prune_is_all_or_nothing_and_follows_no_link() {
    let scratch = Scratch::new("prune-safe");
    let dir = scratch.path();
    assert!(render_to(dir, &[]).status.success());
    let before = scratch.files();
    // A failed render removes nothing.
    let out = render_to(
        dir,
        &[
            "--set",
            "pgbouncerTemporal.enabled=false,pgbouncerPharia.replicaCont=1",
            "--prune",
        ],
    );
    assert_fails(&out, 1, "replicaCont");
    assert_eq!(scratch.files(), before);

    // A link in the chart's folder: refused before anything is written or removed, and
    // what it points to is untouched.
    let outside = Scratch::new("prune-outside");
    std::fs::create_dir_all(outside.0.join("templates")).unwrap();
    std::fs::write(outside.0.join("templates/x.yaml"), "outside\n").unwrap();
    std::os::unix::fs::symlink(&outside.0, scratch.0.join("qs-pgbouncer/charts/linked")).unwrap();
    let out = render_to(dir, &[TEMPORAL_OFF[0], TEMPORAL_OFF[1], "--prune"]);
    assert_fails(&out, 1, "symbolic link");
    assert_eq!(
        std::fs::read_to_string(outside.0.join("templates/x.yaml")).unwrap(),
        "outside\n"
    );
    for file in &before {
        assert!(scratch.0.join(file).is_file(), "{file} kept");
    }
}

#[test]
fn diff_labels_say_which_side_is_committed_and_which_fresh() {
    let scratch = Scratch::new("labels");
    let dir = scratch.path();
    assert!(render_to(dir, &[]).status.success());
    for args in [
        vec![
            "diff",
            dir,
            "qs-pgbouncer",
            "-n",
            "pharia-ai",
            "--set",
            "pgbouncerPharia.replicaCount=4",
        ],
        vec![
            "render",
            "qs-pgbouncer",
            "-n",
            "pharia-ai",
            "--check",
            dir,
            "--set",
            "pgbouncerPharia.replicaCount=4",
        ],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let file = "qs-pgbouncer/charts/pgbouncerPharia/templates/deployment.yaml";
        assert!(
            stdout(&out).starts_with(&format!(
                "--- committed: {dir}/{file}\n+++ fresh render: {file}\n@@ "
            )),
            "{args:?}: {}",
            stdout(&out)
        );
        assert!(stdout(&out).contains("-  replicas: 3\n+  replicas: 4\n"));
    }
}

#[test]
fn diff_refuses_the_flags_it_would_ignore() {
    let scratch = Scratch::new("diff-flags");
    let dir = scratch.path();
    assert!(render_to(dir, &[]).status.success());
    for flag in [
        vec!["--output-dir", "/tmp/x"],
        vec!["--check", dir],
        vec!["--prune"],
    ] {
        let mut args = vec!["diff", dir];
        args.extend(flag.iter().copied());
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("unexpected argument"),
            "{}",
            stderr(&out)
        );
    }
    // --prune only with --output-dir.
    let out = run(&["render", "--prune"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--output-dir"), "{}", stderr(&out));
}
