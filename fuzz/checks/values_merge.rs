//! Values loading and merging, exactly as `qspgb values`/`render` run it:
//! `qspgb::resolve_values` on the embedded chart, so that whatever that pipeline
//! gains (such as schema validation) is fuzzed too.
//!
//! Input: segments separated by 0xFF. The first is a values file (`-f values-0.yaml`).
//! Each further segment (at most [`MAX_FLAGS`]) is one more flag, chosen by its first
//! character: `y` another values file, `s` `--set`, `t` `--set-string`, `j` `--set-json`,
//! `l` `--set-literal`, `f` `--set-file` (its paths can name the values files); any other
//! segment is a `--set` expression as a whole.
//!
//! Invariants:
//! - no panic; an error is an `Err`, with a message;
//! - resolving is deterministic: the same inputs give the same values (in the same order),
//!   enabled dependencies and warnings, or the same error;
//! - the merge without the schema check (`user_values` + `resolve`, what a chart without a
//!   schema runs) holds the invariants below too, and gives the same values whenever the
//!   checked pipeline succeeds (the schema only refuses);
//! - the enabled dependencies are chart dependencies, in Chart.yaml order, and each one's
//!   values are a map;
//! - user values win (Helm's CoalesceValues): every non-null, non-map value the user gave
//!   is in the result unchanged at its path, except below `global` (parent globals are
//!   copied over a dependency's own);
//! - what `qspgb values` prints for the user's values reads back as the same values
//!   (numbers compared by value: Helm's toYaml prints whole floats as integers), unless
//!   Helm's toYaml prints nothing (it fails on NaN and on some characters) or the tree is
//!   beyond the parser's limits.

use std::sync::OnceLock;

use anyhow::{Result, bail};
use qspgb::ChartFiles;
use qspgb::ValueInputs;
use qspgb::value::{Map, Value};
use qspgb::yaml;

use super::common::{depth, nodes, same, segments};

/// Flags after the values file; more add little but time.
pub const MAX_FLAGS: usize = 8;

fn chart_files() -> &'static ChartFiles {
    static FILES: OnceLock<ChartFiles> = OnceLock::new();
    FILES.get_or_init(ChartFiles::embedded)
}

/// Runs the check on one fuzz input; panics if an invariant does not hold.
pub fn check(data: &[u8]) {
    let mut segments = segments(data).into_iter();
    let mut files: Vec<(String, String)> = Vec::new();
    let mut inputs = ValueInputs::default();
    let mut add_file = |text: String, inputs: &mut ValueInputs| {
        let path = format!("values-{}.yaml", files.len());
        inputs.files.push(path.clone());
        files.push((path, text));
    };
    add_file(segments.next().unwrap_or_default(), &mut inputs);
    for segment in segments.take(MAX_FLAGS) {
        let mut chars = segment.chars();
        let kind = chars.next();
        let rest = chars.as_str().to_string();
        match kind {
            Some('y') => add_file(rest, &mut inputs),
            Some('s') => inputs.set.push(rest),
            Some('t') => inputs.set_string.push(rest),
            Some('j') => inputs.set_json.push(rest),
            Some('l') => inputs.set_literal.push(rest),
            Some('f') => inputs.set_file.push(rest),
            _ => inputs.set.push(segment),
        }
    }
    let mut read = |path: &str| -> Result<String> {
        match files.iter().find(|(p, _)| p == path) {
            Some((_, text)) => Ok(text.clone()),
            None => bail!("{path}: no such file"),
        }
    };

    let first = qspgb::resolve_values(chart_files(), &inputs, &mut read);
    let second = qspgb::resolve_values(chart_files(), &inputs, &mut read);
    let checked = match (first, second) {
        (Ok(first), Ok(second)) => {
            assert!(
                same(&first.1.values, &second.1.values)
                    && first.1.enabled == second.1.enabled
                    && first.1.warnings == second.1.warnings,
                "resolving {inputs:?} twice gave different results"
            );
            Some(first.1)
        }
        (Err(a), Err(b)) => {
            let (a, b) = (format!("{a:#}"), format!("{b:#}"));
            assert_eq!(a, b, "resolving {inputs:?} twice failed differently");
            assert!(!a.is_empty(), "empty error for {inputs:?}");
            None
        }
        (a, b) => panic!(
            "resolving {inputs:?} twice: once {}, once {}",
            if a.is_ok() { "Ok" } else { "Err" },
            if b.is_ok() { "Ok" } else { "Err" }
        ),
    };

    // The merge itself, without the schema in front: the schema refuses most fuzzed trees
    // before they reach the merge, which must still hold for anything a chart without a
    // schema (a `--chart` fork) lets through. Schema checks only refuse: when they pass,
    // the values are the same.
    let chart = qspgb::Chart::load(chart_files()).expect("the embedded chart loads");
    let Ok(user) = qspgb::user_values(&inputs, &mut read) else {
        assert!(
            checked.is_none(),
            "checked values pass, unchecked fail: {inputs:?}"
        );
        return;
    };
    let resolved = match qspgb::resolve(&chart, user.clone()) {
        Ok(resolved) => resolved,
        Err(e) => {
            assert!(
                checked.is_none(),
                "checked values pass, unchecked fail: {e:#}"
            );
            assert!(!format!("{e:#}").is_empty(), "empty error for {inputs:?}");
            return;
        }
    };
    if let Some(checked) = &checked {
        assert!(
            same(&checked.values, &resolved.values) && checked.enabled == resolved.enabled,
            "the schema check changed the values of {inputs:?}"
        );
    }

    let names: Vec<&str> = chart.dependencies.iter().map(|d| d.name.as_str()).collect();
    let mut rest = names.iter();
    for name in &resolved.enabled {
        assert!(
            rest.any(|n| n == name),
            "enabled {:?} is not a subsequence of the chart's dependencies {names:?}",
            resolved.enabled
        );
        assert!(
            resolved.values.get(name).is_some_and(Value::is_map),
            "values of enabled dependency {name} are not a map"
        );
    }

    user_values_win(&user, &resolved.values, &mut Vec::new());

    // The round trip is done on the user's values, the part the fuzzer controls: the
    // chart's defaults are fixed (the golden tests cover their printing), and reading back
    // the whole resolved tree would be most of the time of a run. The user's values sit
    // at the same paths, so they are printed at the same indentation.
    let tree = Value::Map(user);
    let text = yaml::to_yaml(&tree);
    // The parser's limits (yaml::parse), with room: past them it rightly refuses.
    if !text.is_empty() && depth(&tree) < yaml::parse::MAX_DEPTH && nodes(&tree) < 100_000 {
        let back = yaml::parse_values(&text, "qspgb values output")
            .unwrap_or_else(|e| panic!("`qspgb values` output does not parse: {e}\n{text}"));
        assert!(
            equivalent(&back, &tree),
            "`qspgb values` output reads back differently:\n{text}\n{back:?}\n{tree:?}"
        );
    }
}

/// Every non-null, non-map user value is in `resolved` at the same path.
fn user_values_win(user: &Map, resolved: &Map, path: &mut Vec<String>) {
    for (key, value) in user {
        if key == qspgb::GLOBAL_KEY {
            continue;
        }
        path.push(key.clone());
        let got = resolved.get(key);
        match value {
            Value::Null => {}
            Value::Map(inner) => match got {
                Some(Value::Map(got)) => user_values_win(inner, got, path),
                other => panic!("user map at {path:?} became {other:?}"),
            },
            leaf => assert!(
                got.is_some_and(|got| same(got, leaf)),
                "user value {leaf:?} at {path:?} became {got:?}"
            ),
        }
        path.pop();
    }
}

/// Equal trees, maps in any order, numbers by value (Helm prints a whole float as an
/// integer, and a huge integer may come back as a float).
fn equivalent(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| equivalent(v, w)))
        }
        (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| equivalent(v, w))
        }
        (Value::Int(i), Value::Float(f)) | (Value::Float(f), Value::Int(i)) => *i as f64 == *f,
        (a, b) => a == b,
    }
}
