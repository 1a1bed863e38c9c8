//! docs/input-safety.md: no following links, no reading outside what was asked. Sweeps over
//! what a committed directory, an output directory or an Argo CD application can plant
//! (links to `/proc/self/environ`, to files and folders outside, fifos, sockets, dangling
//! links, oversized files) at every kind of place, for every command that reads or writes
//! there. Each planted thing carries a marker that must never reach stdout or stderr.

use std::path::{Path, PathBuf};

use crate::util::limited::{DEFAULT_MEMORY, in_parallel, run, scratch};

/// What planted files and the environment hold: it must never be printed.
const MARKER: &str = "Hx4Qm8Zr2Lw";

/// The passwords a render needs.
fn password_flags() -> Vec<String> {
    [
        "--set",
        "pgbouncerPharia.config.adminPassword=pw-pharia",
        "--set",
        "pgbouncerTemporal.config.adminPassword=pw-temporal",
    ]
    .map(String::from)
    .to_vec()
}

fn env() -> Vec<(String, String)> {
    vec![("CI_JOB_TOKEN".into(), MARKER.into())]
}

/// A directory of committed renderings, as `render --output-dir` writes it.
fn committed(dir: &Path) {
    let mut args = vec!["render".to_string()];
    args.extend(password_flags());
    args.extend(["--output-dir".into(), "out".into()]);
    let out = run(&args, &env(), dir, DEFAULT_MEMORY, None);
    assert_eq!(out.code, Some(0), "{}", out.stderr());
}

/// The things that may be planted in a directory, each replacing `path`.
#[derive(Debug, Clone, Copy)]
enum Plant {
    LinkToEnviron,
    LinkToOutsideFile,
    LinkToOutsideDir,
    DanglingLink,
    Fifo,
    Socket,
    Oversized,
}

const PLANTS: [Plant; 7] = [
    Plant::LinkToEnviron,
    Plant::LinkToOutsideFile,
    Plant::LinkToOutsideDir,
    Plant::DanglingLink,
    Plant::Fifo,
    Plant::Socket,
    Plant::Oversized,
];

/// Places in a committed tree: a rendered file, an extra file of the layout qspgb owns
/// (one `diff` reports as stale and `--prune` would remove), a file in a nested folder,
/// and a folder on the rendered files' way.
const PLACES: [&str; 4] = [
    "out/qs-pgbouncer/templates/tests/pgbouncer-test.yaml",
    "out/qs-pgbouncer/templates/extra.yaml",
    "out/qs-pgbouncer/charts/pgbouncerPharia/templates/stray/x.yaml",
    "out/qs-pgbouncer/charts",
];

/// Plants `plant` at `dir/place` (removing what was there); returns the folder outside
/// the tree that links point to.
fn plant(dir: &Path, place: &str, plant: Plant) -> Option<std::os::unix::net::UnixListener> {
    let outside = dir.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.yaml"), format!("token: {MARKER}\n")).unwrap();
    let path = dir.join(place);
    let _ = std::fs::remove_dir_all(&path);
    let _ = std::fs::remove_file(&path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let link = |target: &Path| std::os::unix::fs::symlink(target, &path).unwrap();
    match plant {
        Plant::LinkToEnviron => link(Path::new("/proc/self/environ")),
        Plant::LinkToOutsideFile => link(&outside.join("secret.yaml")),
        Plant::LinkToOutsideDir => link(&outside),
        Plant::DanglingLink => link(&outside.join("missing")),
        Plant::Fifo => {
            let made = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap();
            assert!(made.success());
        }
        Plant::Socket => return Some(std::os::unix::net::UnixListener::bind(&path).unwrap()),
        Plant::Oversized => {
            let mut text = format!("token: {MARKER}\n");
            text.push_str(&"# padding\n".repeat(500_000));
            std::fs::write(&path, text).unwrap();
        }
    }
    None
}

#[test]
fn committed_directories_are_walked_without_following_anything() {
    let root = scratch("files-walk");
    let mut jobs = Vec::new();
    for command in ["diff", "render --check"] {
        for place in PLACES {
            for what in PLANTS {
                jobs.push((command, place, what));
            }
        }
    }
    let count = jobs.len();
    let results = in_parallel(
        jobs.into_iter().enumerate().collect(),
        |(i, (command, place, what))| {
            let dir = root.join(i.to_string());
            std::fs::create_dir_all(&dir).unwrap();
            committed(&dir);
            let _socket = plant(&dir, place, what);
            let mut args: Vec<String> = match command {
                "diff" => vec!["diff".into(), "out".into()],
                _ => vec!["render".into(), "--check".into(), "out".into()],
            };
            args.extend(password_flags());
            let out = run(&args, &env(), &dir, DEFAULT_MEMORY, None);
            let outside_intact = std::fs::read_to_string(dir.join("outside/secret.yaml"))
                .is_ok_and(|t| t == format!("token: {MARKER}\n"));
            (
                format!("{command} with {what:?} at {place}"),
                out,
                outside_intact,
            )
        },
    );
    let _ = std::fs::remove_dir_all(&root);
    let mut problems = Vec::new();
    for (what, out, outside_intact) in &results {
        let stderr = out.stderr();
        let printed = format!("{}{stderr}", out.stdout());
        if out.code != Some(2) || !out.clean() {
            problems.push(format!("{what}: exit {:?}, expected 2: {stderr}", out.code));
        }
        if printed.contains(MARKER) {
            problems.push(format!("{what}: printed the planted content"));
        }
        if !out.stdout.is_empty() {
            problems.push(format!("{what}: a diff was printed for a refused tree"));
        }
        if !stderr.contains("out/qs-pgbouncer") {
            problems.push(format!(
                "{what}: the error does not name the path: {stderr}"
            ));
        }
        if !outside_intact {
            problems.push(format!("{what}: the file outside changed"));
        }
    }
    println!("{count} runs");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_clean_committed_directory_still_compares() {
    let dir = scratch("files-clean");
    committed(&dir);
    let mut args = vec!["diff".to_string(), "out".into()];
    args.extend(password_flags());
    let out = run(&args, &env(), &dir, DEFAULT_MEMORY, None);
    assert_eq!(out.code, Some(0), "{}", out.stderr());
    assert!(out.stderr().contains("up to date"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_dir_never_writes_through_a_link() {
    let root = scratch("files-output");
    let places = [
        "out/qs-pgbouncer",
        "out/qs-pgbouncer/templates",
        "out/qs-pgbouncer/charts/pgbouncerPharia/templates",
        "out/qs-pgbouncer/charts/pgbouncerPharia/templates/deployment.yaml",
        "out/qs-pgbouncer/templates/tests/pgbouncer-test.yaml",
    ];
    let jobs: Vec<(usize, &str, bool)> = places
        .iter()
        .enumerate()
        .flat_map(|(i, p)| [(i, *p, false), (i + places.len(), *p, true)])
        .collect();
    let results = in_parallel(jobs, |(i, place, to_dir)| {
        let dir = root.join(i.to_string());
        let outside = dir.join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("keep.txt"), "keep").unwrap();
        let path = dir.join(place);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let target: PathBuf = if to_dir {
            outside.clone()
        } else {
            outside.join("keep.txt")
        };
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let before = listing(&dir);
        let mut args = vec!["render".to_string()];
        args.extend(password_flags());
        // With the test Pods, so that every place above is on the way of a written file.
        args.extend([
            "--output-dir".into(),
            "out".into(),
            "--include-tests".into(),
        ]);
        let out = run(&args, &env(), &dir, DEFAULT_MEMORY, None);
        let after = listing(&dir);
        (
            format!(
                "link at {place} to a {}",
                if to_dir { "folder" } else { "file" }
            ),
            out,
            before == after,
        )
    });
    let _ = std::fs::remove_dir_all(&root);
    let mut problems = Vec::new();
    for (what, out, unchanged) in &results {
        if out.code != Some(1) || !out.clean() {
            problems.push(format!("{what}: exit {:?}: {}", out.code, out.stderr()));
        }
        if !out.stderr().contains("a symbolic link")
            || !out.stderr().contains("nothing was written")
        {
            problems.push(format!("{what}: unclear error: {}", out.stderr()));
        }
        if !unchanged {
            problems.push(format!("{what}: something was written"));
        }
        if !out.stdout.is_empty() {
            problems.push(format!("{what}: stdout: {}", out.stdout()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every file below `dir` (links not followed) with its content, for "nothing written".
fn listing(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(here) = stack.pop() {
        for entry in std::fs::read_dir(&here).unwrap() {
            let path = entry.unwrap().path();
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_dir() {
                stack.push(path.clone());
                out.push((path, "dir".into()));
            } else if kind.is_symlink() {
                out.push((
                    path.clone(),
                    format!("-> {:?}", std::fs::read_link(&path).unwrap()),
                ));
            } else {
                out.push((
                    path.clone(),
                    std::fs::read_to_string(&path).unwrap_or_default(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// The ways a values file reaches `argocd generate`, as extra environment.
fn argocd_sources(file: &str) -> Vec<(&'static str, Vec<(String, String)>)> {
    let one = |k: &str, v: String| vec![(k.to_string(), v)];
    vec![
        (
            "ARGOCD_ENV_QSPGB_VALUES",
            one("ARGOCD_ENV_QSPGB_VALUES", file.into()),
        ),
        (
            "values parameter",
            one(
                "ARGOCD_APP_PARAMETERS",
                format!("[{{\"name\":\"values\",\"array\":[{file:?}]}}]"),
            ),
        ),
        ("PARAM_VALUES_0", one("PARAM_VALUES_0", file.into())),
        (
            "ARGS -f",
            one("ARGOCD_ENV_QSPGB_ARGS", format!("-f '{file}'")),
        ),
        (
            "ARGS --values=",
            one("ARGOCD_ENV_QSPGB_ARGS", format!("'--values={file}'")),
        ),
    ]
}

#[test]
fn argocd_reads_only_the_source_directory() {
    let root = scratch("files-argocd");
    let bad = [
        "/etc/hostname",
        "../outside/values.yaml",
        "sub/../../outside/values.yaml",
        "link.yaml",
        "linkdir/values.yaml",
        "environ.yaml",
        "-",
        "",
    ];
    let mut jobs = Vec::new();
    for file in bad.into_iter().chain(["good.yaml"]) {
        for (source, vars) in argocd_sources(file) {
            jobs.push((file, source, vars));
        }
    }
    let count = jobs.len();
    let results = in_parallel(
        jobs.into_iter().enumerate().collect(),
        |(i, (file, source, vars))| {
            let app = root.join(i.to_string()).join("app");
            let outside = root.join(i.to_string()).join("outside");
            std::fs::create_dir_all(app.join("sub")).unwrap();
            std::fs::create_dir_all(&outside).unwrap();
            let values = format!(
                "pgbouncerPharia:\n  config:\n    adminPassword: a\n    pgbouncer:\n      application_name_add_host: {MARKER}\npgbouncerTemporal:\n  config:\n    adminPassword: b\n"
            );
            std::fs::write(outside.join("values.yaml"), &values).unwrap();
            std::fs::write(app.join("good.yaml"), "pgbouncerPharia:\n  config:\n    adminPassword: a\npgbouncerTemporal:\n  config:\n    adminPassword: b\n").unwrap();
            std::os::unix::fs::symlink(outside.join("values.yaml"), app.join("link.yaml")).unwrap();
            std::os::unix::fs::symlink(&outside, app.join("linkdir")).unwrap();
            std::os::unix::fs::symlink("/proc/self/environ", app.join("environ.yaml")).unwrap();
            let mut env = vec![
                ("ARGOCD_APP_NAME".to_string(), "pgb".to_string()),
                ("CI_JOB_TOKEN".to_string(), MARKER.to_string()),
            ];
            env.extend(vars);
            let out = run(
                &["argocd".to_string(), "generate".into()],
                &env,
                &app,
                DEFAULT_MEMORY,
                Some(values.into_bytes()),
            );
            (file, source, out)
        },
    );
    let _ = std::fs::remove_dir_all(&root);
    let mut problems = Vec::new();
    for (file, source, out) in &results {
        let what = format!("{file:?} via {source}");
        if !out.clean() {
            problems.push(format!("{what}: not a clean exit: {:?}", out.code));
        }
        let printed = format!("{}{}", out.stdout(), out.stderr());
        if printed.contains(MARKER) {
            problems.push(format!("{what}: printed what lies outside: {printed}"));
        }
        if *file == "good.yaml" {
            if out.code != Some(0) || !out.stdout().contains("kind: Deployment") {
                problems.push(format!("{what}: a file inside must work: {}", out.stderr()));
            }
        } else if file.is_empty() && *source == "ARGOCD_ENV_QSPGB_VALUES" {
            // An empty name is dropped from that list: nothing is read (the marker check
            // above), whatever the render of the defaults gives.
        } else if out.code != Some(1) {
            problems.push(format!(
                "{what}: exit {:?}, expected 1: {}",
                out.code,
                out.stderr()
            ));
        }
    }
    println!("{count} runs");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn argocd_refuses_flags_that_read_or_write_elsewhere() {
    let dir = scratch("files-argocd-flags");
    let cases = [
        (
            "--set-file pgbouncerPharia.config.adminPassword=/etc/passwd",
            "--set-file",
        ),
        ("--set-file=a=/etc/passwd", "--set-file"),
        ("--chart /", "--chart"),
        ("--output-dir /tmp/x", "--output-dir"),
        ("--output-dir=out", "--output-dir"),
        ("--check /", "--check"),
    ];
    for (args, flag) in cases {
        let env = vec![
            ("ARGOCD_APP_NAME".to_string(), "pgb".to_string()),
            ("ARGOCD_ENV_QSPGB_ARGS".to_string(), args.to_string()),
        ];
        let out = run(
            &["argocd".to_string(), "generate".into()],
            &env,
            &dir,
            DEFAULT_MEMORY,
            None,
        );
        assert_eq!(out.code, Some(1), "{args}: {}", out.stderr());
        assert!(
            out.stderr()
                .contains(&format!("{flag} is not available under Argo CD")),
            "{args}: {}",
            out.stderr()
        );
        assert!(out.stdout.is_empty(), "{args}");
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing written"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
