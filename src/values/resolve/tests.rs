use super::*;
use crate::chart::ChartFiles;
use crate::yaml;

fn chart() -> Chart {
    let files = ChartFiles::from_files(
        "test",
        [
            (
                "chart/Chart.yaml".to_string(),
                "name: p\nversion: 1.0.0\ndependencies:\n- name: d\n  version: 1.0.0\n  alias: a\n  condition: a.enabled,global.a\n  tags: [front]\n- name: d\n  version: 1.0.0\n  alias: b\n  condition: b.enabled\n".to_string(),
            ),
            ("chart/charts/d/Chart.yaml".to_string(), "name: d\nversion: 1.0.0\n".to_string()),
            ("values/d.yaml".to_string(), "replicas: 1\n".to_string()),
            ("values/values.yaml".to_string(), "b:\n  replicas: 2\n".to_string()),
        ],
    );
    Chart::load(&files).unwrap()
}

fn user(yaml_text: &str) -> Map {
    match yaml::parse_values(yaml_text, "test").unwrap() {
        Value::Map(m) => m,
        _ => unreachable!(),
    }
}

#[test]
fn conditions_and_tags() {
    let c = chart();
    assert_eq!(resolve(&c, Map::default()).unwrap().enabled, vec!["a", "b"]);
    assert_eq!(
        resolve(&c, user("b: {enabled: false}")).unwrap().enabled,
        vec!["a"]
    );
    assert_eq!(
        resolve(&c, user("tags: {front: false}")).unwrap().enabled,
        vec!["b"]
    );
    // A bool condition beats the tag.
    assert_eq!(
        resolve(&c, user("tags: {front: false}\na: {enabled: true}"))
            .unwrap()
            .enabled,
        vec!["a", "b"]
    );
    let r = resolve(&c, user("b: {enabled: maybe}")).unwrap();
    assert_eq!(r.enabled, vec!["a", "b"], "a non-bool condition is ignored");
    assert_eq!(r.warnings.len(), 1);
}

#[test]
fn a_dependency_default_counts_for_its_condition() {
    let mut c = chart();
    c.dependencies[1]
        .chart
        .defaults
        .insert("enabled".into(), Value::Bool(false));
    assert_eq!(resolve(&c, Map::default()).unwrap().enabled, vec!["a"]);
    assert_eq!(
        resolve(&c, user("b: {enabled: true}")).unwrap().enabled,
        vec!["a", "b"]
    );
}

#[test]
fn pruning_keeps_only_condition_paths() {
    let v =
        user("a: {enabled: false, big: [1, 2]}\nb: 5\nc: {x: 1}\ntags: {t: true}\nglobal: {g: 1}");
    let pruned = prune_to_paths(&v, &["a.enabled", "b.enabled", "global.g"]);
    assert_eq!(
        pruned,
        user("a: {enabled: false}\nb: 5\ntags: {t: true}\nglobal: {g: 1}")
    );
}

#[test]
fn disabled_dependencies_keep_their_user_values_only() {
    let r = resolve(&chart(), user("b: {enabled: false, x: 1}")).unwrap();
    let b = r.values["b"].as_map().unwrap();
    assert!(
        b.get("global").is_none(),
        "not coalesced with the dependency"
    );
    assert_eq!(b["replicas"], Value::Int(2), "parent defaults still apply");
    let a = r.values["a"].as_map().unwrap();
    assert_eq!(a["replicas"], Value::Int(1));
}
