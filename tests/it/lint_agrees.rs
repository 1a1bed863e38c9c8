//! `lint`'s findings and every rendering command's errors agree.
//!
//! One checked pipeline (src/release.rs) serves `lint`, `render`, `values`, `diff`, `hooks`
//! and `argocd generate`. This sweep feeds each of them the same values file, one per
//! finding qspgb can make: every `[pgbouncer]` setting with a value PgBouncer refuses,
//! every `[databases]` and `[users]` parameter likewise, an unknown setting, each setting
//! the chart derives elsewhere, PgBouncer's userlist limits, object names the API server
//! refuses, schema formats, and warnings alone. For each:
//!
//! - when `lint` reports an error, every other command exits non-zero (1; `diff` 2, as
//!   diff(1) does for trouble), prints nothing on stdout, and prints exactly `lint`'s
//!   `error:` and `warning:` lines (hooks contact no cluster), but those about the `helm
//!   test` hooks: only `lint` and `render --include-tests`, which writes them, check those
//!   (and `render --include-tests` prints exactly `lint`'s lines);
//! - when `lint` reports only warnings, `render` and `values` exit 0 and print the same
//!   warnings on stderr;
//! - with `--helm-exact`, `lint` and `render` agree again, and what was an error about
//!   what PgBouncer or the API server would refuse is no longer one.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use qspgb::pgbouncer_settings::{self as settings, Section};

/// A value for `kind` that PgBouncer refuses, if there is one.
fn refused_value(kind: &settings::Kind) -> Option<&'static str> {
    ["lots", "-1", "", "0", "99999999999999999999999"]
        .into_iter()
        .find(|v| settings::check_value(kind, v).is_err())
}

/// The values files of the sweep: (name, YAML).
fn cases() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for setting in settings::settings(Section::Pgbouncer) {
        if let Some(bad) = refused_value(&setting.kind) {
            out.push((
                format!("pgbouncer.{}", setting.name),
                format!(
                    "pgbouncerPharia:\n  config:\n    pgbouncer:\n      {}: {bad:?}\n",
                    setting.name
                ),
            ));
        }
    }
    for (section, key) in [(Section::Databases, "databases"), (Section::Users, "users")] {
        for setting in settings::settings(section) {
            if let Some(bad) = refused_value(&setting.kind) {
                let entry = if key == "databases" {
                    format!("host: db-rw, {}: {bad:?}", setting.name)
                } else {
                    format!("{}: {bad:?}", setting.name)
                };
                out.push((
                    format!("{key}.{}", setting.name),
                    format!("pgbouncerPharia:\n  config:\n    {key}:\n      app: {{{entry}}}\n"),
                ));
            }
        }
    }
    let fixed: &[(&str, &str)] = &[
        (
            "unknown setting",
            "pgbouncerPharia:\n  config:\n    pgbouncer:\n      pool_mod: session\n",
        ),
        (
            "boolean setting",
            "pgbouncerPharia:\n  config:\n    pgbouncer:\n      log_connections: true\n",
        ),
        (
            "listen_port",
            "pgbouncerPharia:\n  config:\n    pgbouncer:\n      listen_port: 6432\n",
        ),
        (
            "auth_file",
            "pgbouncerPharia:\n  config:\n    pgbouncer:\n      auth_file: /tmp/users.txt\n",
        ),
        (
            "admin keys",
            "pgbouncerTemporal:\n  config:\n    existingAdminSecret: \"\"\n    adminPassword: Zq7-vX93\n    adminUserKey: username\n",
        ),
        (
            "userlist user length",
            "pgbouncerTemporal:\n  config:\n    existingUserlistSecret: \"\"\n    userlist:\n      uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu: Kq83-zzWt\n",
        ),
        (
            "mixed-case names",
            "pgbouncerPharia:\n  nameOverride: \"\"\n  fullnameOverride: \"\"\n",
        ),
        (
            "node selector number",
            "pgbouncerPharia:\n  nodeSelector:\n    tier: 1\n",
        ),
        (
            "int-or-string",
            "pgbouncerPharia:\n  podDisruptionBudget:\n    maxUnavailable: \"x%\"\n",
        ),
        (
            "quantity",
            "pgbouncerPharia:\n  resources:\n    limits:\n      memory: 256MB\n",
        ),
        (
            "image tag",
            "pgbouncerPharia:\n  image:\n    tag: \"1.24 latest\"\n",
        ),
        (
            "warning only",
            "pgbouncerPharia:\n  config:\n    pgbouncer:\n      server_reset_query_always: 0\n",
        ),
        ("clean", "pgbouncerPharia:\n  replicaCount: 3\n"),
    ];
    out.extend(fixed.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    out
}

/// A scratch directory holding `values.yaml`, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(i: usize, values: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("qspgb-agree-{}-{i}", std::process::id()));
    std::fs::create_dir_all(dir.join("committed")).unwrap();
    std::fs::write(dir.join("values.yaml"), values).unwrap();
    Scratch(dir)
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qspgb"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("KUBECONFIG")
        .current_dir(dir)
        .output()
        .expect("run qspgb")
}

/// The `error:` and `warning:` lines of a run's stderr, in order.
fn findings(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("error: ") || l.starts_with("warning: "))
        // The one warning that depends on the command by design: the namespace left at
        // `default` under RBAC and hooks, which `values` and `hooks` (no -n there, or the
        // kubeconfig's) never give (tests/it/lint_warnings.rs checks it).
        .filter(|l| !l.contains("the release namespace is \"default\""))
        .map(String::from)
        .collect()
}

/// `lint`'s lines without those about the `helm test` hooks (the chart's
/// `templates/tests/`), which the commands check only when they write them.
fn without_test_hooks(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| !l.contains("/templates/tests/"))
        .cloned()
        .collect()
}

fn has_error(lines: &[String]) -> bool {
    lines.iter().any(|l| l.starts_with("error: "))
}

#[test]
fn lint_and_every_command_agree() {
    let cases = cases();
    assert!(cases.len() > 60, "only {} cases", cases.len());
    let (mut failing, mut warning_only, mut relaxed) = (0, 0, 0);
    let mut problems = Vec::new();
    for (i, (name, values)) in cases.iter().enumerate() {
        let scratch = scratch(i, values);
        let dir = &scratch.0;
        let lint = run(dir, &["lint", "rel", "-f", "values.yaml"], &[]);
        let expected = findings(&lint);
        let lint_fails = has_error(&expected);
        assert_eq!(
            lint.status.code(),
            Some(if lint_fails { 1 } else { 0 }),
            "{name}: lint {}",
            String::from_utf8_lossy(&lint.stderr)
        );
        let argocd_env = [
            ("ARGOCD_APP_NAME", "rel"),
            ("ARGOCD_APP_NAMESPACE", "default"),
            ("ARGOCD_ENV_QSPGB_VALUES", "values.yaml"),
        ];
        let with_tests = run(
            dir,
            &["render", "rel", "--include-tests", "-f", "values.yaml"],
            &[],
        );
        if findings(&with_tests) != expected
            || with_tests.status.success() == lint_fails
            || (lint_fails && !with_tests.stdout.is_empty())
        {
            problems.push(format!(
                "{name}: render --include-tests exit {:?}, findings {:?}; lint's: {expected:?}",
                with_tests.status.code(),
                findings(&with_tests)
            ));
        }
        let written = without_test_hooks(&expected);
        let runs: Vec<(&str, Output, i32)> = vec![
            (
                "render",
                run(dir, &["render", "rel", "-f", "values.yaml"], &[]),
                1,
            ),
            (
                "values",
                run(dir, &["values", "rel", "-f", "values.yaml"], &[]),
                1,
            ),
            (
                "diff",
                run(dir, &["diff", "committed", "rel", "-f", "values.yaml"], &[]),
                2,
            ),
            (
                "hooks",
                run(
                    dir,
                    &[
                        "hooks",
                        "rel",
                        "-f",
                        "values.yaml",
                        "--dry-run",
                        "--kubeconfig",
                        "missing",
                    ],
                    &[],
                ),
                1,
            ),
            (
                "argocd generate",
                run(dir, &["argocd", "generate"], &argocd_env),
                1,
            ),
        ];
        if has_error(&written) {
            failing += 1;
            for (command, out, code) in &runs {
                let found = findings(out);
                if out.status.code() != Some(*code) || !out.stdout.is_empty() || found != written {
                    problems.push(format!(
                        "{name}: {command} exit {:?}, {} bytes on stdout, findings {found:?}; lint's: {expected:?}",
                        out.status.code(),
                        out.stdout.len()
                    ));
                }
            }
        } else {
            if !written.is_empty() {
                warning_only += 1;
            }
            for (command, out, _) in &runs[..2] {
                if out.status.code() != Some(0) || findings(out) != written {
                    problems.push(format!(
                        "{name}: {command} exit {:?}, findings {:?}; lint's: {written:?}",
                        out.status.code(),
                        findings(out)
                    ));
                }
            }
        }
        // --helm-exact: lint and render agree again.
        let lint_exact = run(
            dir,
            &["lint", "rel", "--helm-exact", "-f", "values.yaml"],
            &[],
        );
        let render_exact = run(
            dir,
            &["render", "rel", "--helm-exact", "-f", "values.yaml"],
            &[],
        );
        let exact = without_test_hooks(&findings(&lint_exact));
        if findings(&render_exact) != exact
            || render_exact.status.success() == has_error(&exact)
            || (has_error(&exact) && !render_exact.stdout.is_empty())
        {
            problems.push(format!(
                "{name}: with --helm-exact render exit {:?}, findings {:?}; lint's: {exact:?}",
                render_exact.status.code(),
                findings(&render_exact)
            ));
        }
        if lint_fails && !has_error(&exact) {
            relaxed += 1;
        }
    }
    eprintln!(
        "lint agrees: {} values files x 7 commands (+ lint and render with --helm-exact): {failing} fail everywhere, {warning_only} warn only, {relaxed} pass with --helm-exact",
        cases.len()
    );
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(failing > 50 && relaxed > 40 && warning_only > 0);
}
