//! README: no secret is ever printed, in any form of any flag. A sweep over every
//! secret-bearing value path × every way to give a value (`--set`, `--set-string`,
//! `--set-json`, `--set-literal`, `--set-file`, `-f`, a whole `--set-json` object, Argo CD
//! parameters) × malformed variants (unescaped commas, escapes, JSON prefixes, quotes,
//! truncation), and over kubeconfig files holding a token, a client key or a password near
//! an error. Whatever the outcome, no run of [`MIN`] characters of the secret may appear on
//! stderr, nor on stdout unless the render succeeded (its Secrets hold the password).

use std::path::Path;

use crate::util::limited::{DEFAULT_MEMORY, Run, in_parallel, leaks, run, scratch};

/// The policy's threshold: four characters of a secret count as printing it.
const MIN: usize = 4;

/// A password-like core that shares no four characters with any message of the program.
const CORE: &str = "Wm9ZtRb4Np";

/// Value paths whose values are secrets: passwords and userlist entries of both poolers.
const SECRET_PATHS: [&str; 4] = [
    "pgbouncerPharia.config.adminPassword",
    "pgbouncerTemporal.config.authPassword",
    "pgbouncerPharia.config.userlist.app",
    "pgbouncerTemporal.config.userlist.temporal",
];

/// Each variant: the text written after `path=` on a value flag, and the secret it was
/// meant to be (what must never show).
fn flag_variants() -> Vec<(String, String)> {
    let plain = |s: &str| (s.to_string(), s.to_string());
    let mut v = vec![
        plain(CORE),
        // The most common mistake: a generated password with a comma.
        plain(&format!("Kq7Vd,{CORE}")),
        plain(&format!("Kq7Vd,{CORE}=Jx3Lp")),
        plain(&format!("Kq7Vd,{CORE}[0]=1")),
        plain(&format!("Kq7Vd,{CORE}.x=1")),
        plain(&format!("Kq7Vd,,{CORE}")),
        plain(&format!("{CORE},")),
        plain(&format!("Kq7Vd,pgbouncerPharia.{CORE}=1")),
        // Escapes, quotes, brackets, truncation.
        (format!("Kq7Vd\\,{CORE}"), format!("Kq7Vd,{CORE}")),
        plain(&format!("{{{CORE}")),
        plain(&format!("{{{CORE},Kq7Vd")),
        plain(&format!("\"{CORE}")),
        plain(&format!("{CORE}\"")),
        plain(&format!("{CORE}\\")),
        plain(&format!("[{CORE}")),
        // Text JSON reads a prefix of.
        plain(&format!("1{CORE}")),
        plain(&format!("-1{CORE}")),
        plain(&format!("true{CORE}")),
        plain(&format!("null{CORE}")),
        plain(&format!("\"ab\"{CORE}")),
        plain(&format!("[1]{CORE}")),
        plain(&format!("{{\"a\":1}}{CORE}")),
        plain(&format!("true{CORE}=5")),
        plain(&format!("1.5e{CORE}")),
    ];
    v.push(plain(&format!("{}{CORE}", "x".repeat(120))));
    v
}

/// The broken YAML forms of `key: <secret>` in a values file, as the text after `key:`.
fn yaml_variants() -> Vec<String> {
    vec![
        format!(" \"{CORE}"),
        format!(" '{CORE}"),
        format!(" [{CORE}"),
        format!(" {{{CORE}: 1"),
        format!(" {CORE}: x"),
        format!(" !!int {CORE}"),
        format!(" !!binary {CORE}"),
        format!(" *{CORE}"),
        format!(" &{CORE}"),
        format!(" {CORE}\n\t- x"),
        format!(" [{CORE}]"),
        format!(" {{a: {CORE}}}"),
        format!(" \"{CORE}\\q\""),
        format!(" {CORE}\n  bad: [indent"),
        format!(" |\n {CORE}\n  x: y"),
    ]
}

/// Sets a secret at `path` in a YAML values file whose secret line is `tail`.
fn yaml_at(path: &str, tail: &str) -> String {
    let mut text = String::new();
    let keys: Vec<&str> = path.split('.').collect();
    for (depth, key) in keys.iter().enumerate() {
        text.push_str(&"  ".repeat(depth));
        text.push_str(key);
        if depth + 1 == keys.len() {
            text.push(':');
            text.push_str(tail);
        } else {
            text.push(':');
        }
        text.push('\n');
    }
    text
}

/// A JSON object setting `value` (raw JSON text, maybe broken) at `path`, with a schema
/// error elsewhere when `other_error`.
fn json_object_at(path: &str, value: &str, other_error: bool) -> String {
    let keys: Vec<&str> = path.split('.').collect();
    let mut text = String::new();
    for key in &keys {
        text.push_str(&format!("{{\"{key}\":"));
    }
    text.push_str(value);
    text.push_str(&"}".repeat(keys.len()));
    if other_error {
        text.insert_str(text.len() - 1, ",\"replicaCountz\":\"many\"");
    }
    text
}

struct Probe {
    what: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    files: Vec<(String, String)>,
    secret: String,
}

fn probe(what: String, args: Vec<String>, secret: &str) -> Probe {
    Probe {
        what,
        args,
        env: Vec::new(),
        files: Vec::new(),
        secret: secret.to_string(),
    }
}

fn words(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Runs every probe in its own directory; returns what leaked, one line per probe, and
/// how many probes ran, failed and succeeded.
fn sweep(name: &str, probes: Vec<Probe>) -> (Vec<String>, usize, usize) {
    let root = scratch(name);
    let count = probes.len();
    let results: Vec<(String, Run, String)> = in_parallel(
        probes.into_iter().enumerate().collect(),
        |(i, p): (usize, Probe)| {
            let dir = root.join(i.to_string());
            std::fs::create_dir_all(&dir).unwrap();
            for (file, text) in &p.files {
                std::fs::write(dir.join(file), text).unwrap();
            }
            let out = run(&p.args, &p.env, &dir, DEFAULT_MEMORY, None);
            (p.what, out, p.secret)
        },
    );
    let _ = std::fs::remove_dir_all(&root);
    let mut problems = Vec::new();
    let mut failed = 0;
    for (what, out, secret) in &results {
        if !out.clean() {
            problems.push(format!("{what}: did not exit cleanly: {:?}", out.code));
        }
        let mut shown = out.stderr();
        if out.code != Some(0) {
            failed += 1;
            shown.push_str(&out.stdout());
        }
        let found = leaks(&shown, secret, MIN);
        if !found.is_empty() {
            problems.push(format!("{what}: printed {found:?} of the secret:\n{shown}"));
        }
    }
    (problems, count, failed)
}

fn report(problems: &[String], count: usize, failed: usize) {
    println!("{count} runs, {failed} of them errors");
    assert!(
        problems.is_empty(),
        "{} of {count} runs leaked:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn value_flags_never_print_a_secret() {
    let mut probes = Vec::new();
    for (n, path) in SECRET_PATHS.into_iter().enumerate() {
        for (value, secret) in flag_variants() {
            for flag in ["--set", "--set-string", "--set-json", "--set-literal"] {
                probes.push(probe(
                    format!("{flag} {path}={value}"),
                    vec!["render".into(), flag.into(), format!("{path}={value}")],
                    &secret,
                ));
            }
            // Both poolers' passwords (the userlist paths go the same way; the run
            // count stays within a minute) followed by another flag's error: messages
            // about later input must not quote the earlier secret either; and as Argo
            // CD parameters.
            if n >= 2 {
                continue;
            }
            probes.push(probe(
                format!("--set {path}={value} + bad --set"),
                vec![
                    "render".into(),
                    "--set".into(),
                    format!("{path}={value}"),
                    "--set".into(),
                    "pgbouncerPharia.replicaCount=many".into(),
                ],
                &secret,
            ));
            // Argo CD parameters: each value is passed whole.
            let params = format!(
                "[{{\"name\":\"set\",\"map\":{{\"{path}\":{value:?},\"pgbouncerPharia.replicaCount\":\"many\"}}}}]"
            );
            let mut argo = probe(
                format!("argocd set {path}={value}"),
                words(&["argocd", "generate"]),
                &secret,
            );
            argo.env = vec![
                ("ARGOCD_APP_NAME".into(), "pgb".into()),
                ("ARGOCD_APP_PARAMETERS".into(), params),
            ];
            probes.push(argo);
        }
    }
    let (problems, count, failed) = sweep("secrets-flags", probes);
    assert!(count >= 500, "the sweep shrank to {count} runs");
    report(&problems, count, failed);
}

#[test]
fn files_and_json_objects_never_print_a_secret() {
    let mut probes = Vec::new();
    for path in SECRET_PATHS {
        for tail in yaml_variants() {
            let mut p = probe(
                format!("-f with {path}:{tail:?}"),
                words(&["render", "-f", "values.yaml"]),
                CORE,
            );
            p.files = vec![("values.yaml".into(), yaml_at(path, &tail))];
            probes.push(p);
            // The same file as a whole `--set-file` value.
            let mut p = probe(
                format!("--set-file {path} with {tail:?}"),
                vec![
                    "render".into(),
                    "--set-file".into(),
                    format!("{path}=secret.txt"),
                    "--set".into(),
                    "pgbouncerPharia.replicaCount=many".into(),
                ],
                CORE,
            );
            p.files = vec![("secret.txt".into(), tail.clone())];
            probes.push(p);
        }
        for value in [
            format!("\"{CORE}\""),
            CORE.to_string(),
            format!("\"{CORE}"),
            format!("1{CORE}"),
            format!("[\"{CORE}\""),
            format!("{{\"x\":\"{CORE}\"}}"),
            format!("\"{CORE}\\q\""),
        ] {
            for other_error in [false, true] {
                let object = json_object_at(path, &value, other_error);
                probes.push(probe(
                    format!("--set-json {object}"),
                    vec!["render".into(), "--set-json".into(), object.clone()],
                    CORE,
                ));
                probes.push(probe(
                    format!("--set-json {object} (trailing data)"),
                    vec!["render".into(), "--set-json".into(), format!("{object}x")],
                    CORE,
                ));
            }
        }
    }
    let (problems, count, failed) = sweep("secrets-files", probes);
    assert!(
        failed > count / 2,
        "most probes should be errors: {failed} of {count}"
    );
    report(&problems, count, failed);
}

/// The kubeconfig fields that hold credentials, as `(field, value)` lines of a user.
const CREDENTIALS: [&str; 4] = ["token", "password", "client-key-data", "username"];

/// Broken kubeconfigs around a credential `secret`, each a whole file.
fn kubeconfigs(field: &str, secret: &str) -> Vec<String> {
    let head = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: \"https://127.0.0.1:1\"}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user:\n";
    let lines = [
        format!("    {field}: \"{secret}\n"),
        format!("    {field}: [{secret}\n"),
        format!("    {field}: {{{secret}: 1\n"),
        format!("    {field}: {secret}: x\n"),
        format!("    {field}: {secret}\n   bad: indent\n"),
        format!("    {field}: {secret}\n\t- tab\n"),
        format!("    {field}: [{secret}]\n"),
        format!("    {field}: {{a: {secret}}}\n"),
        format!("    {field}: !!binary {secret}\n"),
        format!("    {field}: *{secret}\n"),
        format!("    {field}: {secret}\n    {field}: {secret}x\n"),
        format!("    {field}: {secret}-{secret}!\n"),
        format!("    {secret}: {field}\n  {secret}\n"),
    ];
    let mut files: Vec<String> = lines.iter().map(|l| format!("{head}{l}")).collect();
    // Truncated in the middle of the credential.
    files.push(format!(
        "{head}    {field}: \"{}",
        &secret[..secret.len() - 2]
    ));
    // The credential where a map belongs.
    files.push(format!(
        "apiVersion: v1\nkind: Config\nusers: {secret}\ncurrent-context: c\n"
    ));
    files
}

#[test]
fn kubeconfigs_never_print_a_credential() {
    let secret = format!("{CORE}Qy5Hs");
    let mut probes = Vec::new();
    for field in CREDENTIALS {
        for (i, file) in kubeconfigs(field, &secret).into_iter().enumerate() {
            for how in ["--kubeconfig", "KUBECONFIG", "--context"] {
                let (args, env) = match how {
                    "--kubeconfig" => {
                        (words(&["hooks", "--kubeconfig", "kubeconfig.yaml"]), vec![])
                    }
                    "KUBECONFIG" => (
                        words(&["hooks"]),
                        vec![("KUBECONFIG".to_string(), "kubeconfig.yaml".to_string())],
                    ),
                    _ => (
                        words(&["hooks", "--context", "c"]),
                        vec![("KUBECONFIG".to_string(), "kubeconfig.yaml".to_string())],
                    ),
                };
                // A file that parses reaches for a closed port: give up after one second.
                let mut args = args;
                args.push("--request-timeout=1s".into());
                let mut p = probe(format!("{how} {field} #{i}"), args, &secret);
                p.env = env;
                p.files = vec![("kubeconfig.yaml".into(), file.clone())];
                probes.push(p);
            }
        }
    }
    let (problems, count, failed) = sweep("secrets-kubeconfig", probes);
    assert_eq!(failed, count, "every broken kubeconfig is an error");
    report(&problems, count, failed);
}

/// The sweep can fail: a probe whose message quotes its input is caught.
#[test]
fn the_sweep_catches_a_printed_secret() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(
        &words(&["render", "--set", &format!("replicaCountz{CORE}=1")]),
        &[],
        dir,
        DEFAULT_MEMORY,
        None,
    );
    assert_eq!(out.code, Some(1));
    assert!(
        !leaks(&out.stderr(), CORE, MIN).is_empty(),
        "{}",
        out.stderr()
    );
}
