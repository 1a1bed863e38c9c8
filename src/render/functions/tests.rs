use minijinja::Error;

use super::convert::to_value;
use super::*;
use crate::go;
use crate::value::Value;

fn render(template: &str, values: Value) -> Result<String, Error> {
    let mut env = Environment::new();
    register(&mut env);
    env.add_template_owned("t", template.to_string())?;
    env.get_template("t")?
        .render(minijinja::context! { Values => to_jinja(&values) })
}

fn values(pairs: &[(&str, Value)]) -> Value {
    Value::map_of(pairs.iter().cloned())
}

#[test]
fn prints_like_go_templates() {
    let v = values(&[
        ("i", Value::Int(1000000)),
        ("f", Value::Float(1.5)),
        ("w", Value::Float(1e6)),
        ("b", Value::Bool(true)),
        ("n", Value::Null),
    ]);
    assert_eq!(
            render("{{ Values.i }} {{ Values.f }} {{ Values.w }} {{ Values.b }} [{{ Values.n }}] [{{ Values.missing }}]", v.clone()).unwrap(),
            // Helm's values are float64: a million prints as Go's %v prints one.
            "1e+06 1.5 1e+06 true [] []"
        );
    // PgBouncer's files get whole numbers exactly (it cannot read 1e+06).
    assert_eq!(
        render("{{ ini_setting('max_client_conn', Values.i) }}", v).unwrap(),
        "max_client_conn = 1000000"
    );
}

#[test]
fn default_replaces_every_empty_value() {
    for empty in [
        Value::Null,
        Value::from(""),
        Value::Int(0),
        Value::Bool(false),
        Value::List(vec![]),
    ] {
        let v = values(&[("x", empty)]);
        assert_eq!(render("{{ Values.x | default('d') }}", v).unwrap(), "d");
    }
    assert_eq!(
        render("{{ Values.x | default('d') }}", values(&[])).unwrap(),
        "d"
    );
    assert_eq!(
        render(
            "{{ Values.x | default('d') }}",
            values(&[("x", Value::from("v"))])
        )
        .unwrap(),
        "v"
    );
}

#[test]
fn to_json_is_go_json_marshal() {
    let v = values(&[
        (
            "m",
            values(&[
                ("b", Value::Int(1)),
                ("a", Value::List(vec![Value::Bool(true), Value::Null])),
                ("Z", values(&[])),
                ("e", Value::List(vec![])),
            ]),
        ),
        (
            "s",
            Value::from("<a&b> \"q\" \\ \n\r\t\u{8}\u{c}\u{1}\u{7f}\u{2028}\u{2029}é"),
        ),
    ]);
    // Keys sorted in byte order, compact, empty map and list kept.
    assert_eq!(
        render("{{ Values.m | toJson }}", v.clone()).unwrap(),
        r#"{"Z":{},"a":[true,null],"b":1,"e":[]}"#
    );
    // HTML characters and line/paragraph separators escaped; DEL and é raw.
    assert_eq!(
        render("{{ Values.s | toJson }}", v.clone()).unwrap(),
        "\"\\u003ca\\u0026b\\u003e \\\"q\\\" \\\\ \\n\\r\\t\\b\\f\\u0001\u{7f}\\u2028\\u2029é\""
    );
    assert_eq!(
        render(
            "{{ Values.missing | toJson }} {{ none | toJson }} {{ 'x' | toJson }}",
            v
        )
        .unwrap(),
        r#"null null "x""#
    );
    // A map built in the template, with a macro-like string value.
    assert_eq!(
        render(
            r#"{{ {"kind": "Deployment", "n": 3, "on": false} | toJson }}"#,
            values(&[])
        )
        .unwrap(),
        r#"{"kind":"Deployment","n":3,"on":false}"#
    );
}

#[test]
fn to_json_formats_floats_like_encoding_json() {
    for (f, expected) in [
        (1.5, "1.5"),
        (1e6, "1000000"),
        (1234567.5, "1234567.5"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (0.000001, "0.000001"),
        (0.0000001, "1e-7"),
        (1.5e-9, "1.5e-9"),
        (1e-100, "1e-100"),
        (-0.25, "-0.25"),
        (0.0, "0"),
    ] {
        let v = values(&[("f", Value::Float(f))]);
        assert_eq!(
            render("{{ Values.f | toJson }}", v).unwrap(),
            expected,
            "{f:e}"
        );
    }
    assert_eq!(
        render(
            "{{ Values.i | toJson }}",
            values(&[("i", Value::Int(-9007199254740993))])
        )
        .unwrap(),
        "-9007199254740993",
        "integers stay exact"
    );
    // json.Marshal fails on NaN and infinities; Helm's toJson then prints nothing.
    for f in [f64::NAN, f64::INFINITY] {
        let v = values(&[("l", Value::List(vec![Value::Int(1), Value::Float(f)]))]);
        assert_eq!(render("[{{ Values.l | toJson }}]", v).unwrap(), "[]");
    }
}

#[test]
fn indent_and_nindent_pad_every_line() {
    let v = values(&[("s", Value::from("a\nb"))]);
    assert_eq!(
        render("{{ Values.s | indent(2) }}", v.clone()).unwrap(),
        "  a\n  b"
    );
    assert_eq!(
        render("x:{{ Values.s | nindent(2) }}", v).unwrap(),
        "x:\n  a\n  b"
    );
}

#[test]
fn quote_uses_go_escapes_and_skips_null() {
    let v = values(&[("s", Value::from("a\"b\\c\n\t")), ("i", Value::Int(2))]);
    assert_eq!(
        render("{{ Values.s | quote }}", v.clone()).unwrap(),
        r#""a\"b\\c\n\t""#
    );
    assert_eq!(
        render("{{ Values.i | quote }}", v.clone()).unwrap(),
        r#""2""#
    );
    assert_eq!(render("[{{ Values.none | quote }}]", v).unwrap(), "[]");
    assert_eq!(go::quote::quote("\u{1}\u{a0}é"), r#""\x01\u00a0é""#);
}

#[test]
fn trunc_counts_bytes_like_sprig() {
    let v = values(&[("s", Value::from("ééé")), ("t", Value::from("aé"))]);
    assert_eq!(
        render("{{ Values.s | trunc(4) }}", v.clone()).unwrap(),
        "éé"
    );
    assert_eq!(
        render("{{ Values.s | trunc(-2) }}", v.clone()).unwrap(),
        "é"
    );
    let err = render("{{ Values.t | trunc(2) }}", v)
        .unwrap_err()
        .to_string();
    assert!(err.contains("splits a character"), "{err}");
}

#[test]
fn trunc_and_trims() {
    let v = values(&[("s", Value::from("abcdef-"))]);
    assert_eq!(
        render("{{ Values.s | trunc(3) }}", v.clone()).unwrap(),
        "abc"
    );
    assert_eq!(
        render("{{ Values.s | trunc(-2) }}", v.clone()).unwrap(),
        "f-"
    );
    assert_eq!(
        render("{{ Values.s | trunc(63) | trimSuffix('-') }}", v.clone()).unwrap(),
        "abcdef"
    );
    assert_eq!(
        render("{{ Values.s | trimPrefix('ab') }}", v).unwrap(),
        "cdef-"
    );
}

#[test]
fn base64_round_trips_and_matches_go() {
    assert_eq!(go::base64::encode(b"pgb_admin"), "cGdiX2FkbWlu");
    assert_eq!(go::base64::encode(b"s3cr3t"), "czNjcjN0");
    assert_eq!(go::base64::encode(b""), "");
    assert_eq!(go::base64::encode(b"ab"), "YWI=");
    for s in ["", "a", "ab", "abc", "abcd", "\u{0}\u{ff}xyz"] {
        assert_eq!(
            go::base64::decode(&go::base64::encode(s.as_bytes())).unwrap(),
            s.as_bytes()
        );
    }
    assert_eq!(go::base64::decode("not base64!"), None);
    let v = values(&[("s", Value::from("YWI="))]);
    assert_eq!(render("{{ Values.s | b64dec }}", v).unwrap(), "ab");
    // sprig's b64dec is Go's StdEncoding: line breaks are skipped, padding is required
    // (Helm prints Go's error text for "YWI"; we stop the render instead).
    let v = values(&[("s", Value::from("YW\nI=\n"))]);
    assert_eq!(render("{{ Values.s | b64dec }}", v).unwrap(), "ab");
    let v = values(&[("s", Value::from("YWI"))]);
    let err = render("{{ Values.s | b64dec }}", v).unwrap_err();
    assert!(
        err.to_string().contains("b64dec: input is not base64"),
        "{err}"
    );
}

#[test]
fn sha256sum_is_hex_of_the_text() {
    let v = values(&[("s", Value::from(""))]);
    assert_eq!(
        render("{{ Values.s | sha256sum }}", v).unwrap(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn required_and_fail_stop_the_render() {
    let err = render("{{ Values.x | required('x is required') }}", values(&[])).unwrap_err();
    assert!(err.to_string().contains("x is required"), "{err}");
    let err = render(
        "{{ Values.x | required('x') }}",
        values(&[("x", Value::from(""))]),
    )
    .unwrap_err();
    assert!(err.to_string().contains('x'));
    assert_eq!(
        render(
            "{{ Values.x | required('x') }}",
            values(&[("x", Value::Bool(false))])
        )
        .unwrap(),
        "false"
    );
    let err = render("{{ fail('boom') }}", values(&[])).unwrap_err();
    assert!(err.to_string().contains("boom"));
}

#[test]
fn ini_entries_are_sorted_lines_and_name_a_bad_entry() {
    let v = values(&[(
        "d",
        values(&[
            (
                "b",
                values(&[("port", Value::Int(5432)), ("host", Value::from("h"))]),
            ),
            ("a", values(&[])),
        ]),
    )]);
    assert_eq!(
        render("{{ Values.d | ini_entries }}", v).unwrap(),
        "a =\nb = host=h port=5432"
    );
    let bad = values(&[("d", values(&[("db1", Value::from("host=x"))]))]);
    let err = render("{{ Values.d | ini_entries }}", bad)
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"db1\" must be a map of parameters"), "{err}");
}

#[test]
fn userlist_entries_escape_and_sort() {
    let v = values(&[(
        "u",
        values(&[("zed", Value::from("p\"w")), ("amy", Value::Int(7))]),
    )]);
    assert_eq!(
        render("{{ Values.u | userlist_entries }}", v).unwrap(),
        "\"amy\" \"7\"\n\"zed\" \"p\"\"w\""
    );
}

#[test]
fn sorted_items_is_byte_order() {
    let v = values(&[(
        "m",
        values(&[
            ("b", Value::Int(1)),
            ("Z", Value::Int(2)),
            ("a", Value::Int(3)),
            ("*", Value::Int(4)),
        ]),
    )]);
    assert_eq!(
        render(
            "{% for k, v in Values.m | sorted_items %}{{ k }}={{ v }};{% endfor %}",
            v
        )
        .unwrap(),
        "*=4;Z=2;a=3;b=1;"
    );
}

#[test]
fn without_nulls_drops_null_entries_of_nested_maps() {
    let v = values(&[(
        "r",
        values(&[
            ("limits", Value::Null),
            (
                "requests",
                values(&[("cpu", Value::from("50m")), ("memory", Value::Null)]),
            ),
            ("list", Value::List(vec![Value::Null, Value::Int(1)])),
        ]),
    )]);
    assert_eq!(
        render("{{ Values.r | without_nulls | toYaml }}", v).unwrap(),
        "list:\n- null\n- 1\nrequests:\n  cpu: 50m"
    );
    let v = values(&[
        ("r", values(&[("a", Value::Null)])),
        ("s", Value::from("x")),
    ]);
    assert_eq!(
            render(
                "[{{ Values.r | without_nulls | toYaml }}] {{ Values.s | without_nulls }} [{{ Values.missing | without_nulls }}]",
                v
            )
            .unwrap(),
            "[{}] x []"
        );
}

#[test]
fn to_value_keeps_types() {
    let v = values(&[(
        "m",
        values(&[(
            "l",
            Value::List(vec![
                Value::Int(1),
                Value::Float(1.5),
                Value::Null,
                Value::from("s"),
            ]),
        )]),
    )]);
    let j = to_jinja(&v);
    assert_eq!(to_value(&j).unwrap(), v);
}

#[test]
fn tpl_and_include_see_the_same_objects() {
    let mut env = Environment::new();
    register(&mut env);
    env.add_template("a", "A={{ Values.x }}").unwrap();
    env.add_template("b", "{{ include('a') }} {{ tpl(Values.t) }}")
        .unwrap();
    env.add_template("loop", "{{ include('loop') }}").unwrap();
    let ctx =
        minijinja::context! { Values => minijinja::context! { x => 1, t => "T={{ Values.x }}" } };
    assert_eq!(
        env.get_template("b").unwrap().render(&ctx).unwrap(),
        "A=1 T=1"
    );
    let err = env.get_template("loop").unwrap().render(&ctx).unwrap_err();
    assert!(format!("{err:#}").contains("nested"), "{err:#}");
}
