use super::parser::{MAX_NAME_NESTING, typed_value};
use super::*;
use crate::value::Value;

/// Builds a value tree compactly: `v!({"a": [1, "x", null], "b": {"c": true}})`.
macro_rules! v {
    (null) => { Value::Null };
    ([$($item:tt),* $(,)?]) => { Value::List(vec![$(v!($item)),*]) };
    ({$($key:literal : $val:tt),* $(,)?}) => {{
        #[allow(unused_mut)]
        let mut map = Map::default();
        $(map.insert($key.to_string(), v!($val));)*
        Value::Map(map)
    }};
    ($e:expr) => { Value::from($e) };
}

fn map(value: Value) -> Map {
    match value {
        Value::Map(m) => m,
        other => panic!("test tree must be a map, got {other:?}"),
    }
}

type ParseFn = fn(&str, &mut Map) -> Result<(), SetError>;

fn check_ok(parse: ParseFn, cases: &[(&str, Value)]) {
    for (input, expected) in cases {
        let mut got = Map::default();
        if let Err(e) = parse(input, &mut got) {
            panic!("{input:?}: unexpected error: {e}");
        }
        assert_eq!(Value::Map(got), *expected, "input {input:?}");
    }
}

fn check_err(parse: ParseFn, cases: &[&str]) {
    for input in cases {
        let mut got = Map::default();
        if parse(input, &mut got).is_ok() {
            panic!("{input:?}: expected an error, got {got:?}");
        }
    }
}

fn err_text(parse: ParseFn, input: &str) -> String {
    let mut got = Map::default();
    match parse(input, &mut got) {
        Err(e) => e.to_string(),
        Ok(()) => panic!("{input:?}: expected an error, got {got:?}"),
    }
}

/// A key nested `levels` dots deep: `name1.name2.…=value`.
fn deep_key(levels: usize) -> String {
    let names: Vec<String> = (1..=levels + 1).map(|i| format!("name{i}")).collect();
    format!("{}=value", names.join("."))
}

#[test]
fn set_success_cases_from_helm() {
    check_ok(
        parse_set,
        &[
            (
                "name1=null,f=false,t=true",
                v!({"name1": null, "f": false, "t": true}),
            ),
            ("name1=value1", v!({"name1": "value1"})),
            (
                "name1=value1,name2=value2",
                v!({"name1": "value1", "name2": "value2"}),
            ),
            (
                "name1=value1,name2=value2,",
                v!({"name1": "value1", "name2": "value2"}),
            ),
            ("name1=,name2=value2", v!({"name1": "", "name2": "value2"})),
            ("leading_zeros=00009", v!({"leading_zeros": "00009"})),
            ("zero_int=0", v!({"zero_int": 0})),
            ("long_int=1234567890", v!({"long_int": 1234567890})),
            ("boolean=true", v!({"boolean": true})),
            ("is_null=null", v!({"is_null": null})),
            (
                "name1=one\\,two,name2=three\\,four",
                v!({"name1": "one,two", "name2": "three,four"}),
            ),
            (
                "name1=one\\=two,name2=three\\=four",
                v!({"name1": "one=two", "name2": "three=four"}),
            ),
            (
                "name1=one two three,name2=three two one",
                v!({"name1": "one two three", "name2": "three two one"}),
            ),
            ("outer.inner=value", v!({"outer": {"inner": "value"}})),
            (
                "outer.middle.inner=value",
                v!({"outer": {"middle": {"inner": "value"}}}),
            ),
            (
                "outer.inner1=value,outer.inner2=value2",
                v!({"outer": {"inner1": "value", "inner2": "value2"}}),
            ),
            (
                "outer.inner1=value,outer.middle.inner=value",
                v!({"outer": {"inner1": "value", "middle": {"inner": "value"}}}),
            ),
            ("name1.name2=", v!({"name1": {"name2": ""}})),
            ("name1={value1,value2}", v!({"name1": ["value1", "value2"]})),
            (
                "name1={value1,value2},name2={value1,value2}",
                v!({"name1": ["value1", "value2"], "name2": ["value1", "value2"]}),
            ),
            ("name1={1021,902}", v!({"name1": [1021, 902]})),
            (
                "name1.name2={value1,value2}",
                v!({"name1": {"name2": ["value1", "value2"]}}),
            ),
            ("list[0]=foo", v!({"list": ["foo"]})),
            ("list[0].foo=bar", v!({"list": [{"foo": "bar"}]})),
            (
                "list[0].foo=bar,list[0].hello=world",
                v!({"list": [{"foo": "bar", "hello": "world"}]}),
            ),
            ("list[0]=foo,list[1]=bar", v!({"list": ["foo", "bar"]})),
            ("list[0]=foo,list[1]=bar,", v!({"list": ["foo", "bar"]})),
            (
                "list[0]=foo,list[3]=bar",
                v!({"list": ["foo", null, null, "bar"]}),
            ),
            ("noval[0]", v!({"noval": []})),
            ("noval[0]=", v!({"noval": [""]})),
            ("nested[0][0]=1", v!({"nested": [[1]]})),
            ("nested[1][1]=1", v!({"nested": [null, [null, 1]]})),
            (
                "name1.name2[0].foo=bar,name1.name2[1].foo=bar",
                v!({"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}}),
            ),
            (
                "name1.name2[1].foo=bar,name1.name2[0].foo=bar",
                v!({"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}}),
            ),
            (
                "name1.name2[1].foo=bar",
                v!({"name1": {"name2": [null, {"foo": "bar"}]}}),
            ),
            (
                "outer.middle.inner=value",
                v!({"outer": {"middle": {"inner": "value"}}}),
            ),
        ],
    );
}

#[test]
fn set_error_cases_from_helm() {
    check_err(
        parse_set,
        &[
            "name1=value1,,,,name2=value2,",
            "name1,name2=",
            "name1,name2=value2",
            "name1,name2=value2\\",
            "name1,name2",
            "name1.name2",
            "name1.name2,name1.name3",
            "name1.=name2",
            "name1.,name2",
            "name1={1021,902",
            "list[0].foo=bar,list[-30].hello=world",
            "list[0]=foo,list[-20]=bar",
            "illegal[0]name.foo=bar",
            "]={}].",
        ],
    );
}

#[test]
fn set_string_keeps_every_value_a_string() {
    check_ok(
        parse_set_string,
        &[
            (
                "long_int_string=1234567890",
                v!({"long_int_string": "1234567890"}),
            ),
            ("boolean=true", v!({"boolean": "true"})),
            ("is_null=null", v!({"is_null": "null"})),
            ("zero=0", v!({"zero": "0"})),
            ("list={1,true,null}", v!({"list": ["1", "true", "null"]})),
            ("a[1]=7", v!({"a": [null, "7"]})),
        ],
    );
}

#[test]
fn typed_values_follow_helm_rules() {
    let cases: &[(&str, Value)] = &[
        ("true", v!(true)),
        ("TRUE", v!(true)),
        ("False", v!(false)),
        ("NULL", v!(null)),
        ("Null", v!(null)),
        ("0", v!(0)),
        ("7", v!(7)),
        ("-7", v!(-7)),
        ("+7", v!(7)),
        ("-0", v!(0)),
        // Only a leading `0` itself keeps the string; after a sign Go's ParseInt takes it.
        ("-012", v!(-12)),
        ("0123", v!("0123")),
        ("00", v!("00")),
        ("0x10", v!("0x10")),
        ("1.5", v!("1.5")),
        ("1e3", v!("1e3")),
        ("1_000", v!("1_000")),
        (" 1", v!(" 1")),
        ("+", v!("+")),
        ("9223372036854775807", v!(i64::MAX)),
        ("-9223372036854775808", v!(i64::MIN)),
        ("9223372036854775808", v!("9223372036854775808")),
        ("yes", v!("yes")),
        ("truex", v!("truex")),
        // Go's EqualFold folds the long s (U+017F) to `s`; no other non-ASCII letter
        // folds to a letter of these words.
        ("falſe", v!(false)),
        ("FALſE", v!(false)),
        ("trſe", v!("trſe")),
        ("nuLL\u{212A}", v!("nuLL\u{212A}")),
        ("ﬁlse", v!("ﬁlse")),
        ("", v!("")),
    ];
    for (text, expected) in cases {
        assert_eq!(typed_value(text.to_string()), *expected, "{text:?}");
    }
    let mut got = Map::default();
    parse_set("a=TRUE,b=0123,c=-5,d=Null,e={0,01,x}", &mut got).unwrap();
    assert_eq!(
        Value::Map(got),
        v!({"a": true, "b": "0123", "c": (-5), "d": null, "e": [0, "01", "x"]})
    );
}

#[test]
fn helm_quirks_are_kept() {
    check_ok(
        parse_set,
        &[
            ("", v!({})),
            // `{}` is a list with one empty string, and a `}` can run straight into the
            // next assignment.
            ("a={}", v!({"a": [""]})),
            ("a={x}b=1", v!({"a": ["x"], "b": 1})),
            ("a={x},b=1", v!({"a": ["x"], "b": 1})),
            // Empty keys are parsed but not stored.
            ("=x,a=1", v!({"a": 1})),
            (".a=1", v!({})),
            // Running out of input in the middle of a path is not an error.
            ("a.", v!({})),
            ("a.b[0]", v!({"a": {"b": []}})),
            ("a[0].", v!({"a": []})),
            ("a[0][1]", v!({"a": []})),
            ("a[70000]", v!({"a": []})),
            // A map inside a list replaces whatever was at that index.
            ("a[0]=x,a[0].b=y", v!({"a": [{"b": "y"}]})),
            ("a[0].=x", v!({"a": [{}]})),
            // Escapes work in keys, values and indexes; a trailing backslash is dropped.
            ("a\\.b=1", v!({"a.b": 1})),
            ("a\\[0]=1", v!({"a[0]": 1})),
            ("x=a\\\\b", v!({"x": "a\\b"})),
            ("x=ab\\", v!({"x": "ab"})),
            ("l={a\\,b,c\\}}", v!({"l": ["a,b", "c}"]})),
            ("a[\\1]=x", v!({"a": [null, "x"]})),
            ("a[+1]=x", v!({"a": [null, "x"]})),
            ("a.b=null", v!({"a": {"b": null}})),
            ("a=x=y", v!({"a": "x=y"})),
            ("a=x.y[0]", v!({"a": "x.y[0]"})),
            ("a[65536]=x", {
                let mut list = vec![Value::Null; 65537];
                list[65536] = v!("x");
                let mut m = Map::default();
                m.insert("a".into(), Value::List(list));
                Value::Map(m)
            }),
        ],
    );
}

#[test]
fn error_messages() {
    let cases = [
        (
            "name1,name2=x",
            r#"key "name1" has no value (cannot end with ,) (in "name1,")"#,
        ),
        ("a=1,b.c", r#"key "c" has no value (in "b.c")"#),
        ("name1.=name2", r#"key map "name1" has no value"#),
        ("a[-2]=x", "negative index -2 not allowed"),
        (
            "a[65537]=x",
            "index of 65537 is greater than maximum supported index of 65536",
        ),
        ("a[1]", ""),
        (
            "a[x]=1",
            r#"error parsing index: "x" is not a valid integer"#,
        ),
        ("a[1=2", "error parsing index: missing ']'"),
        ("a[0]b=1", r#"unexpected data at end of array index: "b""#),
        ("a={1,2", "list must terminate with '}'"),
        (
            "a=1,a.b=2",
            r#"unable to parse key: key "a" already holds a value of type int, not a map"#,
        ),
        (
            "a=1,a[0]=2",
            r#"key "a" already holds a value of type int, not a list"#,
        ),
        (
            "a[0]=1,a[0][0]=2",
            "index 0 already holds a value of type int, not a list",
        ),
        (
            "a=null,a.b=1",
            r#"key "a" already holds a value of type null, not a map"#,
        ),
    ];
    for (input, expected) in cases {
        if expected.is_empty() {
            parse_set(input, &mut Map::default()).unwrap();
            continue;
        }
        let text = err_text(parse_set, input);
        assert!(
            text.contains(expected),
            "{input:?}: {text:?} lacks {expected:?}"
        );
    }
    let long = format!("{}=1,b.c", "k".repeat(100));
    let text = err_text(parse_set, &long);
    assert!(text.ends_with(r#"(in "b.c")"#), "{text}");
    let long = format!("{}.c", "k".repeat(100));
    let text = err_text(parse_set, &long);
    assert!(
        text.contains(&format!("(in \"…{}.c\")", "k".repeat(58))),
        "{text}"
    );
}

#[test]
fn name_nesting_is_capped_like_helm() {
    let mut got = Map::default();
    parse_set(&deep_key(MAX_NAME_NESTING), &mut got).unwrap();
    for parse in [parse_set, parse_set_literal] {
        let text = err_text(parse, &deep_key(MAX_NAME_NESTING + 1));
        assert!(
            text.starts_with(
                "value name nested level is greater than maximum supported nested level of 30"
            ),
            "{text}"
        );
    }
}

#[test]
fn hostile_input_is_rejected_without_panicking() {
    let deep_lists = format!("a{}=1", "[0]".repeat(100_000));
    assert!(err_text(parse_set, &deep_lists).contains("nests deeper"));
    let deep_paths = format!("a{}=1", "[0].b".repeat(100_000));
    assert!(err_text(parse_set, &deep_paths).contains("nests deeper"));
    let deep_json = format!("a={}", "[".repeat(100_000));
    assert!(err_text(parse_set_json, &deep_json).contains("nested deeper"));
    let deep_object = "{\"a\":".repeat(100_000);
    assert!(err_text(parse_set_json, &deep_object).contains("nested deeper"));
    // Within the caps, deep nesting works.
    let mut got = Map::default();
    parse_set(&format!("a{}=1", "[0]".repeat(200)), &mut got).unwrap();
    assert!(err_text(parse_set, "a[99999999999999999999]=1").contains("error parsing index"));
    for input in [
        "[", "]", "=", ",", ".", "\\", "{", "a=\\", "a[", "a[]", "a[0", "=,=,", "a[0]]",
    ] {
        for parse in [
            parse_set,
            parse_set_string,
            parse_set_json,
            parse_set_literal,
        ] {
            let _ = parse(input, &mut Map::default());
        }
    }
}

#[test]
fn parse_into_merges_with_existing_values() {
    let mut dest = map(v!({"outer": {"inner1": "overwrite", "inner2": "value2"}}));
    parse_set(
        "outer.inner1=value1,outer.inner3=value3,outer.inner4=4",
        &mut dest,
    )
    .unwrap();
    assert_eq!(
        Value::Map(dest),
        v!({"outer": {"inner1": "value1", "inner2": "value2", "inner3": "value3", "inner4": 4}})
    );

    let cases: &[(Value, &str, &str, Value)] = &[
        (
            v!({}),
            "listOuter[0][0].type=listValue",
            "listOuter[0][0].status=alive",
            v!({"listOuter": [[{"type": "listValue", "status": "alive"}]]}),
        ),
        (
            v!({}),
            "listOuter[0][0].type=listValue",
            "listOuter[1][0].status=alive",
            v!({"listOuter": [[{"type": "listValue"}], [{"status": "alive"}]]}),
        ),
        (
            v!({"listOuter": [[[{"exited": "old"}]]]}),
            "listOuter[0][1][0].type=listValue",
            "listOuter[0][0][1].status=alive",
            v!({"listOuter": [[[{"exited": "old"}, {"status": "alive"}], [{"type": "listValue"}]]]}),
        ),
    ];
    for parse in [parse_set as ParseFn, parse_set_literal] {
        for (start, first, second, expected) in cases {
            let mut dest = map(start.clone());
            parse(first, &mut dest).unwrap();
            parse(second, &mut dest).unwrap();
            assert_eq!(Value::Map(dest), *expected, "{first} then {second}");
        }
    }

    // Insertion order of existing keys is kept; new keys go last.
    let mut dest = map(v!({"b": 1, "a": {"y": 1, "x": 2}}));
    parse_set("a.x=3,c=4,b=5", &mut dest).unwrap();
    let keys: Vec<&String> = dest.keys().collect();
    assert_eq!(keys, ["b", "a", "c"]);
    assert_eq!(
        Value::Map(dest),
        v!({"b": 5, "a": {"y": 1, "x": 3}, "c": 4})
    );

    // A dotted path through an existing non-empty map is fine even if it sets nothing.
    let mut dest = map(v!({"a": {"x": 1}}));
    parse_set("a.=1", &mut dest).unwrap();
    let mut dest = map(v!({"a": {}}));
    assert!(parse_set("a.=1", &mut dest).is_err());

    // Replacing a scalar with a map is an error; replacing a map with a scalar is not.
    let mut dest = map(v!({"a": "x"}));
    assert!(parse_set("a.b=1", &mut dest).is_err());
    let mut dest = map(v!({"a": {"b": 1}}));
    parse_set("a=2", &mut dest).unwrap();
    assert_eq!(Value::Map(dest), v!({"a": 2}));
}

#[test]
fn set_string_into_existing() {
    let mut dest = map(v!({"outer": {"inner1": "overwrite", "inner2": "value2"}}));
    parse_set_string("outer.inner1=1,outer.inner3=3", &mut dest).unwrap();
    assert_eq!(
        Value::Map(dest),
        v!({"outer": {"inner1": "1", "inner2": "value2", "inner3": "3"}})
    );
}

#[test]
fn set_json_cases_from_helm() {
    let mut dest = map(v!({"outer": {"inner1": "overwrite", "inner2": "value2"}}));
    parse_set_json(
        r#"outer.inner1="1",outer.inner3=3,outer.inner4=true,outer.inner5="true""#,
        &mut dest,
    )
    .unwrap();
    assert_eq!(
        Value::Map(dest),
        v!({"outer": {"inner1": "1", "inner2": "value2", "inner3": 3, "inner4": true, "inner5": "true"}})
    );

    let mut dest = map(
        v!({"outer": {"inner1": {"x": "overwrite"}, "inner2": "value2", "inner3": ["overwrite"]}}),
    );
    parse_set_json(
        r#"outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],outer.inner4={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner5=[{"A":"1","B":2,"C":[1,2,3]}]"#,
        &mut dest,
    )
    .unwrap();
    assert_eq!(
        Value::Map(dest),
        v!({"outer": {
            "inner1": {"a": "1", "b": 2, "c": [1, 2, 3]},
            "inner2": "value2",
            "inner3": ["new value 1", "new value 2"],
            "inner4": {"aa": "1", "bb": 2, "cc": [1, 2, 3]},
            "inner5": [{"A": "1", "B": 2, "C": [1, 2, 3]}]
        }})
    );

    let mut dest = map(v!({"outer": {"inner1": {"x": "overwrite"}, "inner2": "value2"}}));
    parse_set_json(
        r#"outer.inner1=,outer.inner3={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner3.cc[1]=null"#,
        &mut dest,
    )
    .unwrap();
    assert_eq!(
        Value::Map(dest),
        v!({"outer": {"inner1": null, "inner2": "value2", "inner3": {"aa": "1", "bb": 2, "cc": [1, null, 3]}}})
    );

    let text = err_text(
        parse_set_json,
        r#"outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],outer.inner4={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner5={"A":"1","B":2,"C":[1,2,3]}]"#,
    );
    assert!(text.contains(r#"key "]" has no value"#), "{text}");
}

#[test]
fn set_json_value_boundaries() {
    check_ok(
        parse_set_json,
        &[
            ("a=1,b=2", v!({"a": 1, "b": 2})),
            // Blanks around a value go, but blanks after the comma start the next key.
            ("a= 1 ,b=\"x,y\"", v!({"a": 1, "b": "x,y"})),
            ("a=1, b=2", v!({"a": 1, " b": 2})),
            ("a=1.5", v!({"a": (Value::Float(1.5))})),
            ("a=-0.5e1", v!({"a": (Value::Float(-5.0))})),
            ("a=", v!({"a": null})),
            ("a=,b=", v!({"a": null, "b": null})),
            ("a=null", v!({"a": null})),
            ("a=\"\\u00e9\\n\\\"\"", v!({"a": "é\n\""})),
            ("a={}", v!({"a": {}})),
            ("a=[]", v!({"a": []})),
            ("a=[1,[2,{\"b\":[]}]]", v!({"a": [1, [2, {"b": []}]]})),
            ("l[1]={\"x\":1}", v!({"l": [null, {"x": 1}]})),
            ("l[0]=", v!({"l": [null]})),
            ("k\\.x=true", v!({"k.x": true})),
            // Like Go's streaming decoder, a value ends where its grammar ends.
            ("a=1b=2", v!({"a": 1, "b": 2})),
            ("a=[1]b=2", v!({"a": [1], "b": 2})),
        ],
    );
    check_err(
        parse_set_json,
        &[
            "a=x",
            "a=[1,2",
            "a={\"b\":1,}",
            "a={b:1}",
            "a='x'",
            "a=tru",
            "a=-",
            "a=1.",
            "a=\"unterminated",
            "a=\"\\x\"",
            "a=01",
            "a",
            "a,b=1",
        ],
    );
    assert!(err_text(parse_set_json, "a=[1,x]").contains("invalid JSON value for key \"a\""));
}

/// README: errors never print secrets. The failing assignment is quoted up to its
/// value when the key is a password or userlist entry, and a JSON error there does not
/// name the character it stumbled on.
#[test]
fn secret_values_are_not_quoted_in_errors() {
    let secret = "Sup3rS3cret";
    let cases: [(ParseFn, String); 6] = [
        (parse_set, format!("a.adminPassword={{{secret},x")),
        (parse_set_string, format!("config.userlist.bob={{{secret}")),
        (parse_set_json, format!("config.adminPassword={secret}")),
        (
            parse_set_json,
            format!("config.userlist={{\"bob\":{secret}}}"),
        ),
        (parse_set_json, format!("l[0].password=[\"{secret}\"")),
        (
            parse_set_json,
            format!("{{\"config\":{{\"authPassword\":{secret}}}}}"),
        ),
    ];
    for (parse, expr) in cases {
        let text = err_text(parse, &expr);
        assert!(
            !text.contains(secret) && !text.contains("'S'"),
            "{expr}: {text}"
        );
        assert!(!quote_expression(&expr).contains(secret), "{expr}");
    }
    assert_eq!(
        err_text(parse_set_json, &format!("config.adminPassword={secret}")),
        "invalid JSON value for key \"adminPassword\" (the value is not shown: it is a \
         secret) (in \"config.adminPassword=…\")"
    );
    // Whatever follows a secret's value may be the rest of the secret (a comma that
    // should have been escaped, a JSON prefix such as `1` or `true`): an error there
    // gives the position, not the text.
    let text = err_text(
        parse_set,
        &format!("config.adminPassword={secret},replicas"),
    );
    assert_eq!(
        text,
        "the text after the value of secret key config.adminPassword is not a valid \
         assignment (error at character 41); it is not shown, in case it is part of the \
         secret (escape a comma in a secret as \\,)"
    );
    for tail in ["Qw,erty", "1.2[x]", "a[99999999]=1", "b.c"] {
        for (parse, value) in [
            (parse_set as ParseFn, format!("{secret},{tail}")),
            (parse_set_string, format!("{secret},{tail}")),
            (parse_set_json, format!("1{secret},{tail}")),
            (parse_set_json, format!("true{tail}")),
            (parse_set_json, format!("\"x\"{tail}")),
        ] {
            let text = err_text(parse, &format!("a.password={value}"));
            assert!(!text.contains(tail), "{value}: {text}");
            assert!(text.contains("at character"), "{value}: {text}");
        }
    }
    // Other values are quoted as before.
    assert!(err_text(parse_set_json, "a=x").contains("'x'"));
    assert!(quote_expression(&"k".repeat(300)).ends_with("… (300 characters)"));
}

/// Helm's json.Unmarshal refuses a number float64 cannot hold; serde_yaml would have
/// made it the string "1e400", so a typo'd exponent reached the manifests.
#[test]
fn set_json_numbers_out_of_float_range_are_errors() {
    for bad in ["a=1e400", "a=-1e400", "a=[1,2e999]", "a={\"b\":1e309}"] {
        let text = err_text(parse_set_json, bad);
        assert!(
            text.contains("out of range of a 64-bit float"),
            "{bad}: {text}"
        );
    }
    let mut dest = Map::default();
    let err = parse_set_json(r#"{"a":{"b":1e400}}"#, &mut dest).unwrap_err();
    assert!(
        err.to_string().contains("number 1e400 is out of range"),
        "{err}"
    );
    // Large but finite numbers are fine.
    check_ok(
        parse_set_json,
        &[("a=1e300", v!({"a": (Value::Float(1e300))}))],
    );
}

#[test]
fn set_json_whole_object_is_merged() {
    let mut dest = map(v!({"a": {"x": 1, "y": 2}, "b": [1], "c": "keep"}));
    parse_set_json(
        "  {\"a\": {\"y\": 3, \"z\": {\"q\": null}}, \"b\": {\"n\": 1}} ",
        &mut dest,
    )
    .unwrap();
    assert_eq!(
        Value::Map(dest),
        v!({"a": {"x": 1, "y": 3, "z": {"q": null}}, "b": {"n": 1}, "c": "keep"})
    );
    check_err(
        parse_set_json,
        &["{", "{\"a\":1} x", "{\"a\":1}{}", "{a:1}"],
    );
    assert!(
        err_text(parse_set_json, "{\"a\" 1}").starts_with("failed parsing --set-json data JSON")
    );
}

#[test]
fn set_file_reads_each_value() {
    let mut asked = Vec::new();
    let mut reader = |path: &str| -> Result<String, String> {
        asked.push(path.to_string());
        match path {
            "path1" => Ok("value1".into()),
            "p,2" => Ok("007".into()),
            other => Err(format!("open {other}: no such file")),
        }
    };
    let mut dest = Map::default();
    parse_set_file(
        "name1=path1,n.list={path1,p\\,2},l[1]=path1,empty=",
        &mut dest,
        &mut reader,
    )
    .unwrap();
    assert_eq!(
        Value::Map(dest),
        v!({"name1": "value1", "n": {"list": ["value1", "007"]}, "l": [null, "value1"], "empty": ""})
    );

    let mut dest = Map::default();
    let err = parse_set_file("a=missing", &mut dest, &mut reader).unwrap_err();
    assert_eq!(
        err.message(),
        r#"unable to read file "missing": open missing: no such file"#
    );
    // An empty value that is not the last thing is a path like any other.
    let err = parse_set_file("a=,b=path1", &mut dest, &mut reader).unwrap_err();
    assert!(err.message().contains(r#"file """#), "{err}");
    assert_eq!(asked, ["path1", "path1", "p,2", "path1", "missing", ""]);
}

#[test]
fn literal_cases_from_helm() {
    check_ok(
        parse_set_literal,
        &[
            ("name=", v!({"name": ""})),
            ("name=value", v!({"name": "value"})),
            (
                "long_int_string=1234567890",
                v!({"long_int_string": "1234567890"}),
            ),
            ("boolean=true", v!({"boolean": "true"})),
            ("is_null=null", v!({"is_null": "null"})),
            ("zero=0", v!({"zero": "0"})),
            (
                "name1=null,name2=value2",
                v!({"name1": "null,name2=value2"}),
            ),
            ("name1=value,,,tail", v!({"name1": "value,,,tail"})),
            ("leading_zeros=00009", v!({"leading_zeros": "00009"})),
            ("name=one two three", v!({"name": "one two three"})),
            ("outer.inner=value", v!({"outer": {"inner": "value"}})),
            (
                "outer.middle.inner=value",
                v!({"outer": {"middle": {"inner": "value"}}}),
            ),
            ("name1.name2=", v!({"name1": {"name2": ""}})),
            ("name1={value1,value2}", v!({"name1": "{value1,value2}"})),
            ("list[0]=foo", v!({"list": ["foo"]})),
            ("list[0].foo=bar", v!({"list": [{"foo": "bar"}]})),
            ("list[3]=bar", v!({"list": [null, null, null, "bar"]})),
            ("noval[0]", v!({"noval": []})),
            ("noval[0]=", v!({"noval": [""]})),
            ("nested[0][0]=1", v!({"nested": [["1"]]})),
            ("nested[1][1]=1", v!({"nested": [null, [null, "1"]]})),
            (
                "name1.name2[0].foo=bar",
                v!({"name1": {"name2": [{"foo": "bar"}]}}),
            ),
            (
                "name1.name2[1].foo=bar",
                v!({"name1": {"name2": [null, {"foo": "bar"}]}}),
            ),
            ("]={}].", v!({"]": "{}]."})),
            ("name=val,val", v!({"name": "val,val"})),
            ("name=val.val", v!({"name": "val.val"})),
            ("name=val=val", v!({"name": "val=val"})),
            ("name=val$val", v!({"name": "val$val"})),
            ("name=(value", v!({"name": "(value"})),
            ("name=value)", v!({"name": "value)"})),
            ("name=(value)", v!({"name": "(value)"})),
            ("name={value", v!({"name": "{value"})),
            ("name=value}", v!({"name": "value}"})),
            ("name={value}", v!({"name": "{value}"})),
            ("name={value1,value2}", v!({"name": "{value1,value2}"})),
            (r"name=val\val", v!({"name": r"val\val"})),
            (r"name=val\\val", v!({"name": r"val\\val"})),
            (r"name=val\\\val", v!({"name": r"val\\\val"})),
            (
                r"name={val,.?*v\0a!l)some",
                v!({"name": r"{val,.?*v\0a!l)some"}),
            ),
            (
                r"name=em%GT)tqUDqz,i-\h+Mbqs-!:.m\\rE=mkbM#rR}@{-k@",
                v!({"name": r"em%GT)tqUDqz,i-\h+Mbqs-!:.m\\rE=mkbM#rR}@{-k@"}),
            ),
            // Commas and backslashes belong to the key too.
            (r"a,b\c=1", v!({r"a,b\c": "1"})),
        ],
    );
    check_err(
        parse_set_literal,
        &[
            "name",
            "name1.name2",
            "name1.=name2",
            "name1.,name2",
            "list[-30].hello=world",
            "illegal[0]name.foo=bar",
        ],
    );
}

#[test]
fn literal_into_existing() {
    let mut dest = map(v!({"outer": {"inner1": "overwrite", "inner2": "value2"}}));
    parse_set_literal(
        "outer.inner1=value1,outer.inner3=value3,outer.inner4=4",
        &mut dest,
    )
    .unwrap();
    assert_eq!(
        Value::Map(dest),
        v!({"outer": {"inner1": "value1,outer.inner3=value3,outer.inner4=4", "inner2": "value2"}})
    );
}

#[test]
fn error_is_a_std_error() {
    let err: Box<dyn std::error::Error> =
        Box::new(parse_set("a", &mut Map::default()).unwrap_err());
    assert_eq!(err.to_string(), r#"key "a" has no value (in "a")"#);
}

/// What a flag sets on its own is what it builds in an empty map, whatever the map it is
/// parsed into holds (the fuzz check `set_parser` tries this on every corpus input).
#[test]
fn own_values_are_the_flag_parsed_alone() {
    let base = map(v!({"a": [1, 2, 3], "m": {"x": 1}, "l": [[1], {"k": 1}]}));
    for (flavor, expr) in [
        (Flavor::Set, "a[1]=x,m.y=2,n.z=3"),
        (Flavor::Set, "l[0][1]=2,l[1].j=3,a[0]"),
        (Flavor::SetString, "m.x=9,a={p,q}"),
        (Flavor::SetJson, "a[2]={\"b\":[1]},m={}"),
        (Flavor::SetJson, "{\"m\":{\"y\":null}}"),
        (Flavor::SetLiteral, "l[2].k=a,b"),
    ] {
        let mut dest = base.clone();
        let own = parse_flag_own(flavor, expr, &mut dest, &mut Budget::default()).unwrap();
        let mut alone = Map::default();
        parse_flag(flavor, expr, &mut alone, &mut Budget::default()).unwrap();
        assert_eq!(
            format!("{own:?}"),
            format!("{alone:?}"),
            "{flavor:?} {expr}"
        );
    }
}

// The examples of the items' documentation, from when the module was public.

#[test]
fn quote_expression_example() {
    use crate::values::strvals::quote_expression;
    assert_eq!(quote_expression("a[x]=1"), r#""a[x]=1""#);
    assert_eq!(
        quote_expression("config.adminPassword=hunter2,x"),
        "(expression not shown: it sets a password or userlist)"
    );
}

#[test]
fn parse_set_example() {
    use crate::value::{Map, Value};
    use crate::values::strvals::parse_set;

    let mut values = Map::default();
    parse_set(
        "image.tag=1.2,replicas=3,ports={80,443},hosts[1]=b",
        &mut values,
    )
    .unwrap();
    let values = Value::Map(values);
    assert_eq!(values.path("image.tag"), Some(&Value::from("1.2")));
    assert_eq!(values.path("replicas"), Some(&Value::Int(3)));
    assert_eq!(
        values.path("ports"),
        Some(&Value::List(vec![Value::Int(80), Value::Int(443)]))
    );
    assert_eq!(
        values.path("hosts"),
        Some(&Value::List(vec![Value::Null, Value::from("b")]))
    );

    let mut values = Map::default();
    let err = parse_set("a.b,c=1", &mut values).unwrap_err();
    assert!(err.to_string().contains(r#"key "b" has no value"#));
}
