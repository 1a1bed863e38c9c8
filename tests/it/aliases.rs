//! "Did you mean" for names users bring from elsewhere (src/suggest/aliases.rs), through
//! the real binary: every entry of the table, at its place, in each pooler's section, gets
//! the hint naming the right key path, ahead of any edit-distance guess. The hint only
//! appears when the schema allows the target, so this sweep also proves that every target
//! still exists: the table cannot rot.

use qspgb::{AliasScope, KEY_ALIASES};

use crate::util::{INSTANCES, qspgb, stderr};

/// `--set-json` putting `true` at `path` (dotted, no escapes needed by the table's keys).
fn set_json(path: &str) -> String {
    format!("{path}=true")
}

#[test]
fn every_alias_names_its_key_path() {
    let mut checked = 0;
    for alias in KEY_ALIASES {
        let places: Vec<(String, String)> = match alias.scope {
            AliasScope::Instance => INSTANCES
                .iter()
                .map(|(section, _)| {
                    let parent = if alias.at.is_empty() {
                        section.to_string()
                    } else {
                        format!("{section}.{}", alias.at)
                    };
                    (parent, format!("{section}.{}", alias.target))
                })
                .collect(),
            AliasScope::TopLevel => vec![(String::new(), alias.target.to_string())],
        };
        for (parent, target) in places {
            let written = if parent.is_empty() {
                alias.key.to_string()
            } else {
                format!("{parent}.{}", alias.key)
            };
            let out = qspgb(&["lint", "--set-json", &set_json(&written)]);
            assert_eq!(out.status.code(), Some(1), "{written}: {}", stderr(&out));
            let expected = format!(
                "{written}: unknown key {:?} (did you mean {target:?}? {})",
                alias.key, alias.origin
            );
            assert!(
                stderr(&out).contains(&expected),
                "{written}: expected {expected:?} in:\n{}",
                stderr(&out)
            );
            checked += 1;
        }
    }
    assert!(checked >= 2 * 50, "{checked} checks");
}

/// Keys of the upstream chart alone, written at the top level (its layout), are pointed
/// to the pooler's section; every instance key is swept.
#[test]
fn upstream_keys_at_the_top_level_point_into_a_poolers_section() {
    let schema: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("values/pgbouncer.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let top_level: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("values/values.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let keys: Vec<&str> = schema["properties"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap())
        // A key the parent chart has too (serviceMonitor) is no mistake there.
        .filter(|k| top_level["properties"].get(*k).is_none())
        .collect();
    assert!(keys.len() > 40, "{keys:?}");
    for key in keys {
        let out = qspgb(&["lint", "--set-json", &set_json(key)]);
        let expected = format!(
            "unknown key {key:?} (did you mean \"pgbouncerPharia.{key}\"? each pooler's values go under its name: pgbouncerPharia, pgbouncerTemporal)"
        );
        assert!(
            stderr(&out).contains(&expected),
            "{key}: expected {expected:?} in:\n{}",
            stderr(&out)
        );
    }
}
