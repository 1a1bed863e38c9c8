//! Moving over from the Helm chart, as a user does it: the real binary, run from an empty
//! directory (nothing of the repository beside it), with the commands docs/migration.md
//! shows.
//!
//! - every example values file and preset is built in and printed byte for byte.

use std::collections::BTreeSet;
use std::path::Path;

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
