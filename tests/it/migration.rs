//! Moving over from the Helm chart, as a user does it: the real binary, run from an empty
//! directory (nothing of the repository beside it), with the commands docs/migration.md
//! shows.
//!
//! - every example values file and preset is built in and printed byte for byte;
//! - the migration recipe, for every reference case real Helm rendered from the old
//!   chart, gives the same documents as Helm's `manifests.yaml`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::util::reference::{self, HelmDoc};
use crate::util::{empty_dir, qspgb_in, stderr, stdout};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `.yaml` files of a directory of the repository, by name without `.yaml`.
fn yaml_names(dir: &str, except: &[&str]) -> BTreeSet<String> {
    std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .filter(|name| !except.contains(&name.as_str()))
        .collect()
}

/// `qspgb examples` lists exactly the files of values/examples and the presets (every
/// values/*.yaml other than the defaults), and prints each byte for byte: a new example
/// cannot be left out of the binary, nor an old one linger in it.
#[test]
fn every_example_and_preset_is_built_in_byte_for_byte() {
    let dir = empty_dir("examples");
    let listing = qspgb_in(&dir, &["examples"]);
    assert!(listing.status.success(), "{}", stderr(&listing));
    let listed: Vec<(String, String)> = stdout(&listing)
        .lines()
        .take_while(|line| !line.is_empty())
        .map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next().expect("a name").to_string();
            let kind = words.next().expect("a kind").to_string();
            assert!(words.next().is_some(), "{name}: no description: {line:?}");
            (name, kind)
        })
        .collect();
    let of_kind = |kind: &str| -> BTreeSet<String> {
        listed
            .iter()
            .filter(|(_, k)| k == kind)
            .map(|(n, _)| n.clone())
            .collect()
    };
    let examples = yaml_names("values/examples", &[]);
    let presets = yaml_names("values", &["values", "pgbouncer"]);
    assert_eq!(of_kind("example"), examples);
    assert_eq!(of_kind("preset"), presets);
    assert!(presets.contains("upstream-compat"), "{presets:?}");
    assert_eq!(listed.len(), examples.len() + presets.len(), "{listed:?}");
    let files = examples
        .iter()
        .map(|name| (name, format!("values/examples/{name}.yaml")))
        .chain(
            presets
                .iter()
                .map(|name| (name, format!("values/{name}.yaml"))),
        );
    for (name, path) in files {
        let out = qspgb_in(&dir, &["examples", name]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let expected = std::fs::read(root().join(&path)).expect("the example");
        assert!(
            out.stdout == expected,
            "`qspgb examples {name}` differs from {path}"
        );
    }
    // An unknown name: exit 1, nothing on stdout, the known names and a suggestion.
    let out = qspgb_in(&dir, &["examples", "prodution"]);
    crate::util::assert_fails(&out, 1, "did you mean \"production\"?");
    assert!(stderr(&out).contains("upstream-compat"), "{}", stderr(&out));
    std::fs::remove_dir_all(&dir).ok();
}

/// The one `qspgb render` line of docs/migration.md's recipe, as words (without `qspgb`
/// and the redirection): the test runs what the documentation tells users to run.
fn documented_recipe() -> Vec<String> {
    let doc = std::fs::read_to_string(root().join("docs/migration.md")).expect("the doc");
    let lines: Vec<&str> = doc
        .lines()
        .filter(|l| l.starts_with("qspgb render") && l.contains("--preset upstream-compat"))
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "one recipe line in docs/migration.md: {lines:?}"
    );
    let command = lines[0].split('>').next().unwrap();
    let words: Vec<String> = command
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect();
    for needed in [
        "--helm-exact",
        "--preset",
        "upstream-compat",
        "old-values.yaml",
    ] {
        assert!(words.iter().any(|w| w == needed), "{needed} in {words:?}");
    }
    words
}

/// The `--api-versions` each reference case was rendered with (its README's table).
fn api_versions(case: &str) -> &'static [&'static str] {
    match case {
        "d-monitoring" => &["--api-versions", "monitoring.coreos.com/v1"],
        _ => &[],
    }
}

/// Every reference case with a values file, sorted.
fn cases(reference: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(reference.join("helm-4.0.2"))
        .expect("list cases")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("values.yaml").is_file())
        .collect();
    cases.sort();
    cases
}

/// The old chart is the wrapper `qs-pgbouncer`: its documents come from
/// `qs-pgbouncer/charts/<alias>/templates/`. The `e-*` cases render the upstream chart
/// alone (`pgbouncer/templates/`, or no documents at all): not the chart qspgb replaces.
fn rendered_by_the_old_chart(docs: &[HelmDoc]) -> bool {
    !docs.is_empty() && docs.iter().all(|d| d.source.starts_with("qs-pgbouncer/"))
}

/// Compares in order (the README promises Helm's document order, and `kubectl apply`
/// follows it), each document parsed: a list of every difference.
fn differences(helm: &[HelmDoc], ours: &[HelmDoc]) -> Vec<String> {
    let ids = |docs: &[HelmDoc]| docs.iter().map(HelmDoc::id).collect::<Vec<_>>();
    if ids(helm) != ids(ours) {
        return vec![format!(
            "documents differ:\n  helm:  {:?}\n  qspgb: {:?}",
            ids(helm),
            ids(ours)
        )];
    }
    helm.iter()
        .zip(ours)
        .filter(|(h, o)| h.content != o.content)
        .map(|(h, o)| {
            format!(
                "{} differs:\n--- helm\n{}--- qspgb\n{}",
                h.id(),
                serde_yaml::to_string(&h.content).unwrap(),
                serde_yaml::to_string(&o.content).unwrap()
            )
        })
        .collect()
}

/// The recipe reproduces the old chart's manifests for every case Helm rendered from it;
/// the upstream-alone cases are refused with the hint that says where their keys go.
#[test]
fn the_migration_recipe_reproduces_the_old_charts_manifests() {
    let Some(reference) = reference::reference_dir() else {
        eprintln!(
            "SKIPPED: the Helm reference renderings are not at ../shared/reference \
             (set QSPGB_REFERENCE_DIR to run the migration proof)"
        );
        return;
    };
    let recipe = documented_recipe();
    let mut compared = Vec::new();
    let mut refused = Vec::new();
    let mut failures = Vec::new();
    for case in cases(&reference) {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let dir = empty_dir(&format!("migration-{name}"));
        std::fs::copy(case.join("values.yaml"), dir.join("old-values.yaml")).expect("copy");
        let mut args: Vec<&str> = recipe.iter().map(String::as_str).collect();
        args.extend(api_versions(&name));
        let out = qspgb_in(&dir, &args);
        std::fs::remove_dir_all(&dir).ok();
        let helm = std::fs::read_to_string(case.join("manifests.yaml"))
            .map(|text| reference::parse_stream(&text))
            .unwrap_or_default();
        if !rendered_by_the_old_chart(&helm) {
            // Values for the upstream chart alone: top-level keys, refused with a hint
            // when they are an instance's keys (an empty file has nothing to refuse).
            let values = std::fs::read_to_string(case.join("values.yaml")).unwrap();
            if values.trim() != "{}" {
                assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
                assert!(
                    stderr(&out).contains("each pooler's values go under its name"),
                    "{name}: {}",
                    stderr(&out)
                );
            }
            refused.push(name);
            continue;
        }
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let problems = differences(&helm, &reference::parse_stream(&stdout(&out)));
        eprintln!(
            "{name}: {} documents, {}",
            helm.len(),
            if problems.is_empty() {
                "equal"
            } else {
                "DIFFERENT"
            }
        );
        if !problems.is_empty() {
            failures.push(format!("== {name}\n{}", problems.join("\n")));
        }
        compared.push(name);
    }
    assert!(
        compared.len() >= 7,
        "the 7 cases of the old chart: compared {compared:?}"
    );
    assert!(
        refused.iter().all(|n| n.starts_with("e")),
        "only the upstream-alone cases (e-*) are not the old chart's: {refused:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
