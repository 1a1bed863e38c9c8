use super::*;

struct Node {
    name: String,
    defaults: Map,
    children: Vec<Node>,
}

impl ValuesNode for Node {
    fn name(&self) -> &str {
        &self.name
    }
    fn defaults(&self) -> &Map {
        &self.defaults
    }
    fn children(&self) -> Vec<&dyn ValuesNode> {
        self.children.iter().map(|c| c as &dyn ValuesNode).collect()
    }
}

/// Builds a map from `key => value` pairs; values convert with `Value::from`.
macro_rules! map {
    ($($k:expr => $v:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut m = Map::default();
        $(m.insert($k.to_string(), Value::from($v));)*
        m
    }};
}

fn coalesce_ok(chart: &dyn ValuesNode, user: Map, w: &mut Vec<Warning>) -> Map {
    coalesce(chart, user, Nulls::Delete, w).unwrap()
}

fn leaf(name: &str, defaults: Map) -> Node {
    Node {
        name: name.into(),
        defaults,
        children: vec![],
    }
}

#[test]
fn later_files_merge_maps_and_replace_the_rest() {
    let mut base = map! {"a" => map!{"x" => 1, "y" => 2}, "l" => Value::List(vec![Value::Int(1)])};
    merge_maps(
        &mut base,
        map! {"a" => map!{"y" => 3}, "l" => Value::List(vec![])},
    );
    assert_eq!(
        base,
        map! {"a" => map!{"x" => 1, "y" => 3}, "l" => Value::List(vec![])}
    );
}

#[test]
fn user_values_win_and_maps_merge_deeply() {
    let chart = leaf(
        "c",
        map! {"a" => map!{"x" => 1, "y" => 2}, "b" => "default"},
    );
    let mut w = vec![];
    let out = coalesce_ok(&chart, map! {"a" => map!{"y" => 9}}, &mut w);
    assert_eq!(
        out,
        map! {"a" => map!{"y" => 9, "x" => 1}, "b" => "default"}
    );
    assert!(w.is_empty());
}

#[test]
fn null_deletes_a_default_at_any_depth() {
    let chart = leaf("c", map! {"a" => map!{"x" => 1, "y" => 2}, "b" => 1});
    let mut w = vec![];
    let out = coalesce_ok(
        &chart,
        map! {"a" => map!{"x" => Value::Null}, "b" => Value::Null},
        &mut w,
    );
    assert_eq!(out, map! {"a" => map!{"y" => 2}});
}

#[test]
fn null_defaults_are_dropped() {
    let chart = leaf(
        "c",
        map! {"n" => Value::Null, "m" => map!{"k" => Value::Null, "j" => 1}},
    );
    let out = coalesce_ok(&chart, Map::default(), &mut vec![]);
    assert_eq!(out, map! {"m" => map!{"j" => 1}});
}

#[test]
fn lists_and_scalars_replace() {
    let chart = leaf(
        "c",
        map! {"l" => Value::List(vec![Value::Int(1), Value::Int(2)])},
    );
    let out = coalesce_ok(
        &chart,
        map! {"l" => Value::List(vec![Value::Int(3)])},
        &mut vec![],
    );
    assert_eq!(out, map! {"l" => Value::List(vec![Value::Int(3)])});
}

#[test]
fn a_scalar_does_not_replace_a_table_default() {
    let chart = leaf("c", map! {"a" => map!{"x" => map!{"deep" => 1}}});
    let mut w = vec![];
    let out = coalesce_ok(&chart, map! {"a" => map!{"x" => 5}}, &mut w);
    // Helm keeps the user's scalar and warns.
    assert_eq!(out, map! {"a" => map!{"x" => 5}});
    assert_eq!(w.len(), 1);
}

#[test]
fn dependency_defaults_merge_under_the_alias_with_globals() {
    let chart = Node {
        name: "parent".into(),
        defaults: map! {"sub" => map!{"replicas" => 3, "drop" => 1}, "global" => map!{"g" => "parent"}},
        children: vec![leaf(
            "sub",
            map! {"replicas" => 1, "image" => "x", "keep" => 2, "global" => map!{"g" => "child", "h" => 1}},
        )],
    };
    let out = coalesce_ok(
        &chart,
        map! {"sub" => map!{"drop" => Value::Null, "keep" => Value::Null}},
        &mut vec![],
    );
    let sub = out["sub"].as_map().unwrap();
    assert_eq!(sub["replicas"], Value::Int(3));
    assert_eq!(sub["image"], Value::from("x"));
    assert!(
        !sub.contains_key("keep"),
        "user null deletes the dependency default"
    );
    // The parent's default is gone, but the null itself stays: the dependency has no
    // default of that name to delete, and Helm leaves such nulls in place.
    assert_eq!(sub["drop"], Value::Null);
    assert_eq!(
        sub["global"],
        Value::Map(map! {"g" => "parent", "h" => 1}),
        "parent globals win, child globals fill in"
    );
}

#[test]
fn a_dependency_without_values_gets_its_defaults_and_an_empty_global() {
    let chart = Node {
        name: "parent".into(),
        defaults: Map::default(),
        children: vec![leaf("sub", map! {"a" => 1})],
    };
    let out = coalesce_ok(&chart, Map::default(), &mut vec![]);
    assert_eq!(
        out["sub"],
        Value::Map(map! {"a" => 1, "global" => Map::default()})
    );
}

// The examples of the items' documentation, from when the module was public.

#[test]
fn merge_maps_example() {
    use crate::value::{Map, Value};
    use crate::values::coalesce::merge_maps;
    let mut base = Map::default();
    base.insert("a".into(), Value::Int(1));
    let mut overlay = Map::default();
    overlay.insert("a".into(), Value::Null);
    merge_maps(&mut base, overlay);
    assert_eq!(base["a"], Value::Null); // kept: it deletes a chart default later
}
