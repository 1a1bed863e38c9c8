//! No flag is accepted and silently ignored: every flag of every subcommand that reads
//! values (found by introspecting the real command line, `qspgb::command()`) either changes
//! what that subcommand does, shown here by running the binary with and without it, or is
//! named in that subcommand's `--help` under "Accepted without effect". A flag added to a
//! shared struct reaches every subcommand, so a new one fails this test until it is proven
//! or documented for each.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::stderr;

/// How a flag is shown to change a subcommand's outcome.
enum Proof {
    /// Run `without`, then `with` (in that order, in one fresh scratch folder): exit code,
    /// stdout or stderr must differ. `{dir}` is a folder holding the committed default
    /// rendering, `{probe}` a copy of the chart whose templates fail on a probe context,
    /// `{bad}` a values file with an unknown key, `{kubeconfig}` a kubeconfig whose two
    /// contexts fail at once, each with its own error.
    Run {
        without: &'static [&'static str],
        with: &'static [&'static str],
    },
    /// Needs a real API server: the end-to-end test `test` in `file` (below tests/e2e)
    /// exercises the flag.
    EndToEnd {
        file: &'static str,
        test: &'static str,
    },
}

use Proof::{EndToEnd, Run};

/// The subcommands that read values, and how each starts: `hooks` has no cluster here
/// (`KUBECONFIG` names a missing file), so it fails at its first API call unless a flag
/// makes it fail sooner or differently.
const BASES: [(&str, &[&str]); 5] = [
    ("render", &["render"]),
    ("values", &["values"]),
    ("lint", &["lint"]),
    ("diff", &["diff", "{dir}"]),
    ("hooks", &["hooks"]),
];

/// The template added to the probe chart: it fails when it sees the probe context, so a
/// context flag that reaches the templates changes every subcommand's outcome, even those
/// that print no manifests.
const PROBE_TEMPLATE: &str = r#"{% if Release.Namespace == "probe-ns" %}{{ fail("probe: namespace") }}{% endif %}
{% if Release.IsUpgrade %}{{ fail("probe: is-upgrade") }}{% endif %}
{% if Capabilities.KubeVersion.Version == "v1.29.3" %}{{ fail("probe: kube-version") }}{% endif %}
{% if Capabilities.APIVersions.Has("probe.example.com/v1") %}{{ fail("probe: api-versions") }}{% endif %}
"#;

/// Flags every value-reading subcommand takes, with the proof that holds for each of them.
fn shared_proofs() -> Vec<(&'static str, Proof)> {
    vec![
        (
            // An unknown key is an error without it, a warning with it.
            "skip-schema-validation",
            Run {
                without: &["-f", "{bad}"],
                with: &["-f", "{bad}", "--skip-schema-validation"],
            },
        ),
        (
            "values",
            Run {
                without: &[],
                with: &["-f", "{bad}"],
            },
        ),
        (
            "set",
            Run {
                without: &[],
                with: &["--set", "pgbouncerPharia.replicaCont=3"],
            },
        ),
        (
            "set-string",
            Run {
                without: &[],
                with: &["--set-string", "pgbouncerPharia.replicaCont=3"],
            },
        ),
        (
            "set-json",
            Run {
                without: &[],
                with: &["--set-json", "pgbouncerPharia.replicaCont=3"],
            },
        ),
        (
            "set-literal",
            Run {
                without: &[],
                with: &["--set-literal", "pgbouncerPharia.replicaCont=3"],
            },
        ),
        (
            "set-file",
            Run {
                without: &[],
                with: &["--set-file", "pgbouncerPharia.replicaCont={bad}"],
            },
        ),
        (
            "chart",
            Run {
                without: &["-n", "probe-ns"],
                with: &["-n", "probe-ns", "--chart", "{probe}"],
            },
        ),
        (
            "preset",
            Run {
                without: &[],
                with: &["--preset", "no-such-preset"],
            },
        ),
        (
            // A label value Kubernetes refuses: an error, a warning with --helm-exact.
            "helm-exact",
            Run {
                without: &["--set-json", r#"pgbouncerPharia.podLabels={"team":"a&b"}"#],
                with: &[
                    "--set-json",
                    r#"pgbouncerPharia.podLabels={"team":"a&b"}"#,
                    "--helm-exact",
                ],
            },
        ),
        (
            "namespace",
            Run {
                without: &["--chart", "{probe}"],
                with: &["--chart", "{probe}", "-n", "probe-ns"],
            },
        ),
        (
            "is-upgrade",
            Run {
                without: &["--chart", "{probe}"],
                with: &["--chart", "{probe}", "--is-upgrade"],
            },
        ),
        (
            "kube-version",
            Run {
                without: &["--chart", "{probe}"],
                with: &["--chart", "{probe}", "--kube-version", "1.29.3"],
            },
        ),
        (
            "api-versions",
            Run {
                without: &["--chart", "{probe}"],
                with: &["--chart", "{probe}", "-a", "probe.example.com/v1"],
            },
        ),
    ]
}

/// The document selection, for the subcommands that print (or compare) documents.
fn selection_proofs() -> Vec<(&'static str, Proof)> {
    const BOTH_OFF: &str = "pgbouncerPharia.enabled=false,pgbouncerTemporal.enabled=false";
    vec![
        (
            "show-only",
            Run {
                without: &[],
                with: &["-s", "charts/pgbouncerPharia/templates/deployment.yaml"],
            },
        ),
        (
            "no-hooks",
            Run {
                without: &[],
                with: &["--no-hooks"],
            },
        ),
        (
            "include-tests",
            Run {
                without: &[],
                with: &["--include-tests"],
            },
        ),
        (
            "namespace-in-manifests",
            Run {
                without: &[],
                with: &["--namespace-in-manifests"],
            },
        ),
        (
            "hook-style",
            Run {
                without: &[],
                with: &["--hook-style", "argocd"],
            },
        ),
        (
            "fail-if-empty",
            Run {
                without: &["--set", BOTH_OFF],
                with: &["--set", BOTH_OFF, "--fail-if-empty"],
            },
        ),
    ]
}

/// What each subcommand has beyond the shared flags.
fn own_proofs(subcommand: &str) -> Vec<(&'static str, Proof)> {
    match subcommand {
        "render" => vec![
            (
                "output-dir",
                Run {
                    without: &[],
                    with: &["--output-dir", "{dir}/out"],
                },
            ),
            (
                "prune",
                Run {
                    without: &[
                        "--output-dir",
                        "{dir}",
                        "--set",
                        "pgbouncerTemporal.enabled=false",
                    ],
                    with: &[
                        "--output-dir",
                        "{dir}",
                        "--set",
                        "pgbouncerTemporal.enabled=false",
                        "--prune",
                    ],
                },
            ),
            (
                "check",
                Run {
                    without: &[],
                    with: &["--check", "{dir}"],
                },
            ),
        ],
        "lint" => vec![
            (
                // A setting the chart writes itself is a warning: a failure with --strict.
                "strict",
                Run {
                    without: &[
                        "--set",
                        "pgbouncerPharia.config.pgbouncer.admin_users=pgbouncer",
                    ],
                    with: &[
                        "--set",
                        "pgbouncerPharia.config.pgbouncer.admin_users=pgbouncer",
                        "--strict",
                    ],
                },
            ),
            (
                "consult-cluster",
                Run {
                    without: &[],
                    with: &["--consult-cluster"],
                },
            ),
            (
                "kubeconfig",
                Run {
                    without: &[
                        "--consult-cluster",
                        "--set",
                        "pgbouncerPharia.connectionBudget.cnpgCluster=c",
                    ],
                    with: &[
                        "--consult-cluster",
                        "--set",
                        "pgbouncerPharia.connectionBudget.cnpgCluster=c",
                        "--kubeconfig",
                        "{kubeconfig}",
                    ],
                },
            ),
            (
                "context",
                Run {
                    without: &[
                        "--consult-cluster",
                        "--set",
                        "pgbouncerPharia.connectionBudget.cnpgCluster=c",
                        "--kubeconfig",
                        "{kubeconfig}",
                    ],
                    with: &[
                        "--consult-cluster",
                        "--set",
                        "pgbouncerPharia.connectionBudget.cnpgCluster=c",
                        "--kubeconfig",
                        "{kubeconfig}",
                        "--context",
                        "other",
                    ],
                },
            ),
        ],
        "hooks" => vec![
            (
                "instance",
                Run {
                    without: &[],
                    with: &["--instance", "no-such-instance"],
                },
            ),
            (
                "kubeconfig",
                Run {
                    without: &[],
                    with: &["--kubeconfig", "{kubeconfig}"],
                },
            ),
            (
                "context",
                Run {
                    without: &["--kubeconfig", "{kubeconfig}"],
                    with: &["--kubeconfig", "{kubeconfig}", "--context", "other"],
                },
            ),
            (
                "dry-run",
                EndToEnd {
                    file: "hooks_e2e.rs",
                    test: "dry_run_plans_and_writes_nothing",
                },
            ),
            (
                "request-timeout",
                EndToEnd {
                    file: "hooks_e2e.rs",
                    test: "an_unreachable_server_is_a_clear_api_error",
                },
            ),
        ],
        _ => Vec::new(),
    }
}

/// Every proof for `subcommand`'s flags, by long name.
fn proofs(subcommand: &str) -> Vec<(&'static str, Proof)> {
    let mut all = shared_proofs();
    if matches!(subcommand, "render" | "diff") {
        all.extend(selection_proofs());
    }
    all.extend(own_proofs(subcommand));
    all
}

/// The long names of the flags clap accepts for `subcommand` (help excluded).
fn accepted_flags(subcommand: &clap::Command) -> BTreeSet<String> {
    subcommand
        .get_arguments()
        .filter(|a| !a.is_positional())
        .filter_map(|a| a.get_long().map(String::from))
        .filter(|long| long != "help")
        .collect()
}

/// The flags `help` (a subcommand's `--help` output) names in its "Accepted without
/// effect" paragraph.
fn documented_without_effect(help: &str) -> BTreeSet<String> {
    let Some(start) = help.find("Accepted without effect") else {
        return BTreeSet::new();
    };
    let paragraph = help[start..].split("\n\n").next().unwrap_or_default();
    paragraph
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter_map(|word| word.strip_prefix("--"))
        .filter(|name| !name.is_empty())
        .map(String::from)
        .collect()
}

/// The scratch state the proofs' placeholders name.
struct Fixture {
    root: PathBuf,
    probe: PathBuf,
    bad: PathBuf,
    kubeconfig: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let root = std::env::temp_dir().join(format!("qspgb-flags-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let probe = root.join("probe-chart");
        std::fs::create_dir_all(&probe).unwrap();
        for top in ["chart", "templates", "values"] {
            let copied = Command::new("cp")
                .arg("-r")
                .arg(repo.join(top))
                .arg(probe.join(top))
                .status()
                .unwrap();
            assert!(copied.success(), "copy {top}");
        }
        std::fs::write(probe.join("templates/probe.yaml"), PROBE_TEMPLATE).unwrap();
        let bad = root.join("bad.yaml");
        std::fs::write(&bad, "pgbouncerPharia:\n  replicaCont: 3\n").unwrap();
        // Two contexts that fail at once, each its own way: the current one names a
        // cluster the file lacks, `other` a cluster whose server is no URL.
        let kubeconfig = root.join("kubeconfig");
        std::fs::write(
            &kubeconfig,
            "apiVersion: v1\nkind: Config\n\
             clusters:\n- name: two\n  cluster:\n    server: \"http://[bad\"\n\
             users:\n- name: u\n  user: {}\n\
             contexts:\n\
             - name: current\n  context:\n    cluster: missing-one\n    user: nobody\n\
             - name: other\n  context:\n    cluster: two\n    user: u\n\
             current-context: current\n",
        )
        .unwrap();
        Fixture {
            root,
            probe,
            bad,
            kubeconfig,
        }
    }

    /// A fresh folder holding the committed default rendering.
    fn committed_dir(&self, name: &str) -> PathBuf {
        let dir = self.root.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        let out = self.run(&["render", "--output-dir", dir.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        dir
    }

    /// Runs the binary with no cluster in reach and a home of its own.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_qspgb"))
            .args(args)
            .current_dir(&self.root)
            .env("KUBECONFIG", self.root.join("no-kubeconfig"))
            .env("HOME", &self.root)
            .env_remove("KUBERNETES_SERVICE_HOST")
            .output()
            .expect("run qspgb")
    }

    fn expand(&self, words: &[&str], dir: &Path) -> Vec<String> {
        words
            .iter()
            .map(|w| {
                w.replace("{dir}", dir.to_str().unwrap())
                    .replace("{probe}", self.probe.to_str().unwrap())
                    .replace("{bad}", self.bad.to_str().unwrap())
                    .replace("{kubeconfig}", self.kubeconfig.to_str().unwrap())
            })
            .collect()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn as_strs(words: &[String]) -> Vec<&str> {
    words.iter().map(String::as_str).collect()
}

fn outcome(out: &Output) -> (Option<i32>, Vec<u8>, Vec<u8>) {
    (out.status.code(), out.stdout.clone(), out.stderr.clone())
}

#[test]
fn every_flag_changes_the_outcome_or_is_documented_without_effect() {
    let cli = qspgb::command();
    let fixture = Fixture::new();
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    let mut problems = Vec::new();
    let mut swept = 0;
    // Every subcommand that reads values: the one with `--values`.
    let readers: Vec<&clap::Command> = cli
        .get_subcommands()
        .filter(|s| accepted_flags(s).contains("values"))
        .collect();
    let names: BTreeSet<&str> = readers.iter().map(|s| s.get_name()).collect();
    let expected: BTreeSet<&str> = BASES.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names, expected,
        "a new value-reading subcommand needs a base here"
    );
    for subcommand in readers {
        let name = subcommand.get_name();
        let base = BASES.iter().find(|(n, _)| *n == name).unwrap().1;
        let help = fixture.run(&[name, "--help"]);
        let help = String::from_utf8(help.stdout).unwrap();
        let without_effect = documented_without_effect(&help);
        let proofs = proofs(name);
        for flag in accepted_flags(subcommand) {
            swept += 1;
            let proof = proofs.iter().find(|(f, _)| *f == flag).map(|(_, p)| p);
            match (proof, without_effect.contains(&flag)) {
                (Some(_), true) => problems.push(format!(
                    "{name} --{flag}: proven to change the outcome, yet --help says it has no effect"
                )),
                (None, true) => {}
                (None, false) => problems.push(format!(
                    "{name} --{flag}: neither proven to change the outcome (add a proof here) \
                     nor named under \"Accepted without effect\" in `qspgb {name} --help`"
                )),
                (Some(EndToEnd { file, test }), false) => {
                    let text = std::fs::read_to_string(e2e.join(file)).unwrap();
                    if !text.contains(&format!("fn {test}(")) || !text.contains(&format!("--{flag}"))
                    {
                        problems.push(format!(
                            "{name} --{flag}: tests/e2e/{file} has no test {test} using it"
                        ));
                    }
                }
                (Some(Run { without, with }), false) => {
                    let dir = fixture.committed_dir(&format!("{name}-{flag}"));
                    let argv = |extra: &[&str]| {
                        let mut words = fixture.expand(base, &dir);
                        words.extend(fixture.expand(extra, &dir));
                        words
                    };
                    let (plain, flagged) = (argv(without), argv(with));
                    let a = outcome(&fixture.run(&as_strs(&plain)));
                    let b = outcome(&fixture.run(&as_strs(&flagged)));
                    if a == b {
                        problems.push(format!(
                            "{name} --{flag}: `{}` and `{}` have the same outcome (exit {:?}, stderr {})",
                            plain.join(" "),
                            flagged.join(" "),
                            a.0,
                            String::from_utf8_lossy(&a.2)
                        ));
                    }
                }
            }
        }
        // A documented flag must exist: the paragraph is checked against clap.
        for flag in &without_effect {
            if !accepted_flags(subcommand).contains(flag) {
                problems.push(format!(
                    "{name} --help names --{flag} as without effect, but {name} does not take it"
                ));
            }
        }
    }
    assert!(swept > 60, "only {swept} flags swept");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The sweep's own check can fail: a flag documented nowhere and proven nowhere is found.
#[test]
fn the_sweep_catches_an_undocumented_flag() {
    let help = "Usage: x\n\nAccepted without effect, so that ...: -s/--show-only,\n--no-hooks.\n\nOther --not-this";
    let found = documented_without_effect(help);
    assert_eq!(
        found,
        BTreeSet::from(["show-only".to_string(), "no-hooks".to_string()])
    );
    assert!(proofs("render").iter().all(|(f, _)| *f != "bogus-flag"));
}
