use super::*;
use crate::value::Value;
use crate::yaml;

fn schema(json: &str) -> Schema {
    Schema::from_json(json, "test.schema.json").unwrap()
}

fn values(text: &str) -> Value {
    yaml::parse_values(text, "test").unwrap()
}

fn messages(schema: &Schema, text: &str) -> Vec<String> {
    schema
        .validate(&values(text))
        .iter()
        .map(ToString::to_string)
        .collect()
}

const CHART: &str = r##"{
    "type": "object",
    "additionalProperties": false,
    "definitions": {
        "port": {"type": "integer", "minimum": 1, "maximum": 65535},
        "labels": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}
    },
    "properties": {
        "replicaCount": {"type": "integer", "minimum": 0},
        "image": {"type": "object", "additionalProperties": false,
                  "properties": {"tag": {"type": "string"}, "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]}}},
        "service": {"type": "object", "properties": {"port": {"$ref": "#/definitions/port"}}},
        "podLabels": {"$ref": "#/definitions/labels"},
        "tolerations": {"type": "array", "items": {"type": "object"}},
        "maxUnavailable": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "minLength": 1}]},
        "name": {"type": "string", "maxLength": 5}
    }
}"##;

#[test]
fn good_values_and_nulls_pass() {
    let s = schema(CHART);
    let good = "replicaCount: 2\nimage: {tag: \"1.10\", pullPolicy: Always}\nservice: {port: 5432}\n\
                podLabels: {a: x, b: 1}\ntolerations: [{key: k}]\nmaxUnavailable: 25%\nname: abc\n";
    assert_eq!(messages(&s, good), Vec::<String>::new());
    let nulls = "replicaCount: null\nimage: {tag: null}\nservice: null\nmaxUnavailable: null\n";
    assert_eq!(messages(&s, nulls), Vec::<String>::new());
    assert_eq!(messages(&s, "replicaCount: 2.0"), Vec::<String>::new());
}

#[test]
fn wrong_types_name_the_path_and_both_types() {
    let s = schema(CHART);
    assert_eq!(
        messages(&s, "replicaCount: three"),
        ["replicaCount: expected integer, found string"]
    );
    assert_eq!(
        messages(&s, "replicaCount: \"3\""),
        [
            "replicaCount: expected integer, found string (remove the quotes, or use --set rather than --set-string)"
        ]
    );
    assert_eq!(
        messages(&s, "image: {tag: 1.10}"),
        ["image.tag: expected string, found number (quote it to make it a string)"]
    );
    assert_eq!(
        messages(&s, "tolerations: {key: k}"),
        ["tolerations: expected array, found object"]
    );
    assert_eq!(
        messages(&s, "tolerations: [a]"),
        ["tolerations[0]: expected object, found string"]
    );
    assert_eq!(
        messages(&s, "podLabels: {\"app.kubernetes.io/x\": [1]}"),
        [r#"podLabels["app.kubernetes.io/x"]: expected string, number or boolean, found array"#]
    );
}

#[test]
fn ranges_enums_lengths_and_any_of() {
    let s = schema(CHART);
    assert_eq!(
        messages(&s, "service: {port: 70000}"),
        ["service.port: must be at most 65535, found 70000"]
    );
    assert_eq!(
        messages(&s, "image: {pullPolicy: always}"),
        [r#"image.pullPolicy: expected one of "Always", "IfNotPresent", "Never", found "always""#]
    );
    assert_eq!(
        messages(&s, "name: abcdef"),
        ["name: must be at most 5 characters long, found 6"]
    );
    assert_eq!(
        messages(&s, "maxUnavailable: -1"),
        ["maxUnavailable: must be at least 0, found -1"]
    );
    assert_eq!(
        messages(&s, "maxUnavailable: [1]"),
        ["maxUnavailable: expected string or integer, found array"]
    );
    assert_eq!(
        messages(&s, "maxUnavailable: \"\""),
        ["maxUnavailable: must be at least 1 characters long, found 0"]
    );
}

#[test]
fn unknown_keys_suggest_the_closest() {
    let s = schema(CHART);
    assert_eq!(
        messages(&s, "replicaCont: 1"),
        [r#"replicaCont: unknown key "replicaCont" (did you mean "replicaCount"?)"#]
    );
    assert_eq!(
        messages(&s, "image: {tga: x}"),
        [r#"image.tga: unknown key "tga" (did you mean "tag"?)"#]
    );
    assert_eq!(
        messages(&s, "image: {registry: x}"),
        [r#"image.registry: unknown key "registry" (expected one of: pullPolicy, tag)"#]
    );
    // `service` has no additionalProperties: anything goes besides port.
    assert_eq!(
        messages(&s, "service: {type: ClusterIP}"),
        Vec::<String>::new()
    );
}

#[test]
fn every_problem_is_reported_in_input_order() {
    let s = schema(CHART);
    assert_eq!(
        messages(&s, "zz: 1\nreplicaCount: x\nimage: {tag: 1}"),
        [
            r#"zz: unknown key "zz" (expected one of: image, maxUnavailable, name, podLabels, replicaCount, service, tolerations)"#,
            "replicaCount: expected integer, found string",
            "image.tag: expected string, found integer (quote it to make it a string)",
        ]
    );
}

#[test]
fn messages_never_quote_a_found_string_outside_enums() {
    let s = schema(
        r#"{"properties": {"password": {"type": "integer"}, "short": {"type": "string", "maxLength": 2}}}"#,
    );
    for text in ["password: hunter2", "short: hunter2"] {
        for m in messages(&s, text) {
            assert!(!m.contains("hunter2"), "{m}");
        }
    }
}

#[test]
fn required_keys_and_self_references() {
    let s = schema(
        r##"{"definitions": {"tree": {"type": "object", "required": ["name"],
             "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/definitions/tree"}}}}},
            "$ref": "#/definitions/tree"}"##,
    );
    assert_eq!(
        messages(&s, "name: a\nchildren: [{name: b}, {children: []}]"),
        [r#"children[1]: missing required key "name""#]
    );
}

#[test]
fn unsupported_or_broken_schemas_are_refused() {
    for (json, fragment) in [
        (
            r#"{"pattern": "^a"}"#,
            "keyword \"pattern\" is not supported",
        ),
        (r#"{"type": "text"}"#, "not a JSON Schema type"),
        (
            r##"{"$ref": "#/definitions/none"}"##,
            "unknown definition \"none\"",
        ),
        (r#"{"$ref": "other.json"}"#, "only \"#/definitions/<name>\""),
        (
            r#"{"properties": {"a": 1}}"#,
            "(root).properties.a: expected a schema object",
        ),
        ("{", "not valid JSON"),
    ] {
        let err = Schema::from_json(json, "x.json").unwrap_err().to_string();
        assert!(
            err.starts_with("x.json: ") && err.contains(fragment),
            "{json}: {err}"
        );
    }
}

#[test]
fn key_paths_print_like_jq() {
    let path = KeyPath(vec![
        Segment::Key("config".into()),
        Segment::Key("databases".into()),
        Segment::Key("pharia-os".into()),
        Segment::Key("port".into()),
        Segment::Index(2),
    ]);
    assert_eq!(path.to_string(), r#"config.databases["pharia-os"].port[2]"#);
    assert_eq!(KeyPath::default().to_string(), "(top level)");
}

// The examples of the items' documentation, from when the module was public.

#[test]
fn module_example() {
    use crate::chart::schema::Schema;
    use crate::value::Value;

    let schema = Schema::from_json(
        r#"{"type": "object", "additionalProperties": false,
            "properties": {"replicaCount": {"type": "integer", "minimum": 0}}}"#,
        "values.schema.json",
    )
    .unwrap();
    let values = Value::map_of([("replicaCont", Value::Int(2))]);
    let problems = schema.validate(&values);
    assert_eq!(
        problems[0].to_string(),
        r#"replicaCont: unknown key "replicaCont" (did you mean "replicaCount"?)"#
    );
}
