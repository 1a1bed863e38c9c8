use super::*;
use crate::yaml::text_from_bytes;

fn parse(text: &str) -> Value {
    match parse_values(text, "values.yaml") {
        Ok(value) => value,
        Err(e) => panic!("{text:?} failed: {e}"),
    }
}

/// The value of `k` in `k: <text>`.
fn scalar(text: &str) -> Value {
    parse(&format!("k: {text}\n")).as_map().unwrap()["k"].clone()
}

/// The single key of `<text>: v`.
fn key(text: &str) -> String {
    let doc = parse(&format!("{text}: v\n"));
    let map = doc.as_map().unwrap();
    assert_eq!(map.len(), 1);
    map.keys().next().unwrap().clone()
}

fn error(text: &str) -> YamlError {
    match parse_values(text, "values.yaml") {
        Ok(value) => panic!("{text:?} parsed as {value:?}"),
        Err(e) => e,
    }
}

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

fn map(entries: &[(&str, Value)]) -> Value {
    Value::map_of(entries.iter().cloned())
}

#[test]
fn nulls() {
    for text in ["", "~", "null", "Null", "NULL", "# comment"] {
        assert_eq!(scalar(text), Value::Null, "{text:?}");
    }
    for text in ["nULL", "\"null\"", "'~'", "''", "None"] {
        assert!(matches!(scalar(text), Value::String(_)), "{text:?}");
    }
}

#[test]
fn yaml_1_1_booleans() {
    for text in [
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
    ] {
        assert_eq!(scalar(text), Value::Bool(true), "{text:?}");
    }
    for text in [
        "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
    ] {
        assert_eq!(scalar(text), Value::Bool(false), "{text:?}");
    }
    assert_eq!(scalar("\"yes\""), string("yes"));
    assert_eq!(scalar("'off'"), string("off"));
    assert_eq!(scalar("yEs"), string("yEs"));
    assert_eq!(scalar("|\n  yes\n"), string("yes\n"));
    assert_eq!(scalar(">-\n  no\n"), string("no"));
}

#[test]
fn integers_follow_go_parse_int() {
    let cases = [
        ("0", 0),
        ("42", 42),
        ("+1", 1),
        ("-0", 0),
        ("-17", -17),
        ("0123", 0o123),
        ("1_000", 1000),
        ("1__0_", 10),
        ("0x10", 16),
        ("0X1f", 31),
        ("0x_1F", 31),
        ("0o17", 15),
        ("0O17", 15),
        ("0b101", 5),
        ("-0b101", -5),
        ("-0x10", -16),
        ("9223372036854775807", i64::MAX),
        ("-9223372036854775808", i64::MIN),
    ];
    for (text, expected) in cases {
        assert_eq!(scalar(text), Value::Int(expected), "{text:?}");
    }
    assert_eq!(scalar("\"0123\""), string("0123"));
    assert_eq!(scalar("'42'"), string("42"));
}

#[test]
fn integers_beyond_i64_become_floats_or_strings() {
    assert_eq!(
        scalar("9223372036854775808"),
        Value::Float(9223372036854775808.0)
    );
    assert_eq!(scalar("0xFFFFFFFFFFFFFFFF"), Value::Float(u64::MAX as f64));
    assert_eq!(
        scalar("-9223372036854775809"),
        Value::Float(-9223372036854775809.0)
    );
    assert_eq!(scalar("99999999999999999999"), Value::Float(1e20));
    // Too big for uint64 and not float syntax: go-yaml leaves it a string.
    assert_eq!(scalar("0x1FFFFFFFFFFFFFFFF"), string("0x1FFFFFFFFFFFFFFFF"));
}

#[test]
fn floats() {
    let cases = [
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("1e+3", 1000.0),
        ("1.5e-3", 0.0015),
        (".5", 0.5),
        ("-.5", -0.5),
        ("+.5e1", 5.0),
        ("1.", 1.0),
        ("2.25", 2.25),
        ("1_000.5", 1000.5),
        // Not an octal integer, so a float.
        ("09", 9.0),
        ("1e-400", 0.0),
    ];
    for (text, expected) in cases {
        assert_eq!(scalar(text), Value::Float(expected), "{text:?}");
    }
    let Value::Float(negative_zero) = scalar("-0.0") else {
        panic!("-0.0")
    };
    assert!(negative_zero == 0.0 && negative_zero.is_sign_negative());
    // Overflow is a range error in Go, so the text stays a string.
    assert_eq!(scalar("1e400"), string("1e400"));
    for text in [
        "._5", ".", "1.2.3", "1e", "e3", "0x1p3", "1-2", "12:30", "+", "0x", "Infinity",
    ] {
        assert_eq!(scalar(text), string(text), "{text:?}");
    }
    assert_eq!(scalar("\"1e3\""), string("1e3"));
}

#[test]
fn infinity_and_nan_are_rejected_with_position() {
    for text in [
        ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN",
    ] {
        let e = error(&format!("a: 1\nk: {text}\n"));
        assert!(e.message.contains("not representable in JSON"), "{e}");
        assert_eq!((e.line, e.column), (2, 4), "{text:?}");
        assert_eq!(e.path, "k");
    }
    assert_eq!(
        error("k: -.inf").to_string(),
        "values.yaml:1:4: k: -.inf is not representable in JSON, so Helm cannot read it"
    );
    assert_eq!(scalar("\".inf\""), string(".inf"));
    assert_eq!(scalar(".infinity"), string(".infinity"));
}

#[test]
fn timestamps_stay_strings() {
    assert_eq!(scalar("2001-12-14"), string("2001-12-14"));
    assert_eq!(
        scalar("2001-12-14t21:59:43.10-05:00"),
        string("2001-12-14t21:59:43.10-05:00")
    );
    assert_eq!(scalar("!!timestamp 2001-12-14"), string("2001-12-14"));
}

#[test]
fn explicit_tags() {
    assert_eq!(scalar("!!str 123"), string("123"));
    assert_eq!(scalar("!!str yes"), string("yes"));
    assert_eq!(scalar("!!str"), string(""));
    assert_eq!(scalar("!!int \"42\""), Value::Int(42));
    assert_eq!(scalar("!!int 0x10"), Value::Int(16));
    assert_eq!(scalar("!!float 1"), Value::Float(1.0));
    assert_eq!(scalar("!!float '2.5'"), Value::Float(2.5));
    assert_eq!(scalar("!!bool \"yes\""), Value::Bool(true));
    assert_eq!(scalar("!!null ''"), Value::Null);
    assert_eq!(scalar("!<tag:yaml.org,2002:int> '7'"), Value::Int(7));
    // go-yaml v2 does not resolve scalars with other tags.
    assert_eq!(scalar("!custom 12"), string("12"));
    assert_eq!(scalar("! 12"), string("12"));
    // Tags on collections change nothing.
    assert_eq!(scalar("!!map {a: 1}"), map(&[("a", Value::Int(1))]));
    assert_eq!(scalar("!!seq [1]"), Value::List(vec![Value::Int(1)]));

    let e = error("k: !!int abc");
    // The position is the value's (after the tag).
    assert_eq!(
        e.to_string(),
        "values.yaml:1:10: k: cannot decode !!str \"abc\" as a !!int"
    );
    assert!(
        error("k: !!int 1.5")
            .message
            .contains("cannot decode !!float \"1.5\" as a !!int")
    );
    assert!(error("k: !!bool 1").message.contains("as a !!bool"));
    assert!(error("k: !!null x").message.contains("as a !!null"));
    assert!(
        error("k: !!float .inf")
            .message
            .contains("not representable")
    );
}

#[test]
fn binary_is_decoded_like_go_yaml_v2() {
    assert_eq!(scalar("!!binary aGVsbG8="), string("hello"));
    assert_eq!(scalar("!!binary |\n  aGVs\n  bG8h\n"), string("hello!"));
    assert_eq!(scalar("!!binary ''"), string(""));
    // Invalid UTF-8 is replaced, as Go's JSON encoder does.
    assert_eq!(scalar("!!binary /w=="), string("\u{fffd}"));
    for bad in ["aGVsbG8", "a===", "aG=s", "@@@@", "aGVs bG8h"] {
        let e = error(&format!("k: !!binary \"{bad}\""));
        assert!(e.message.contains("invalid base64"), "{bad:?}: {e}");
    }
}

#[test]
fn keys_become_strings_like_sigs_yaml() {
    assert_eq!(key("yes"), "true");
    assert_eq!(key("off"), "false");
    assert_eq!(key("y"), "true");
    assert_eq!(key("\"yes\""), "yes");
    assert_eq!(key("1"), "1");
    assert_eq!(key("0x10"), "16");
    assert_eq!(key("-0"), "0");
    assert_eq!(key("1.5"), "1.5");
    assert_eq!(key("1e3"), "1000");
    assert_eq!(key("1e7"), "1e+07");
    assert_eq!(key("0.1"), "0.1");
    assert_eq!(key("123456789.0"), "1.2345679e+08");
    assert_eq!(key(".00001"), "1e-05");
    assert_eq!(key("0.0001"), "0.0001");
    assert_eq!(key("-0.0"), "-0");
    assert_eq!(key(".inf"), ".inf");
    assert_eq!(key("-.inf"), "-.inf");
    assert_eq!(key(".nan"), ".nan");
    assert_eq!(key("\"null\""), "null");
    assert_eq!(key("!!binary aGk="), "hi");
    assert_eq!(key("\"<<\""), "<<");

    let e = error("a: 1\n~: 2\n");
    assert!(
        e.message
            .starts_with("values.yaml:2:1: unsupported map key null"),
        "{e}"
    );
    assert!(
        error("18446744073709551615: a")
            .message
            .contains("unsupported map key")
    );
    for text in [
        "[a]: b",
        "{a: 1}: b",
        "? [a]\n: b",
        "? {a: 1}\n: b",
        "a: &l [1]\n*l : b",
    ] {
        let e = error(text);
        assert!(
            e.message.contains("cannot be a mapping key"),
            "{text:?}: {e}"
        );
    }
}

#[test]
fn float_keys_use_go_float32_formatting() {
    let cases = [
        (0.0, "0"),
        (1.0, "1"),
        (2.5, "2.5"),
        (100000.0, "100000"),
        (1000000.0, "1e+06"),
        (0.000123, "0.000123"),
        (0.1, "0.1"),
        (1e-10, "1e-10"),
        (3.4028235e38, "3.4028235e+38"),
        (1e300, ".inf"),
        (-1.5e-7, "-1.5e-07"),
        (123456.7, "123456.7"),
    ];
    for (f, expected) in cases {
        assert_eq!(format_float32(f), expected, "{f}");
    }
}

#[test]
fn anchors_and_aliases() {
    let doc = parse("base: &b {x: 1, y: [a, b]}\ncopy: *b\nn: &n 5\nm: *n\nl: &l [1, 2]\nk: *l\n");
    let root = doc.as_map().unwrap();
    assert_eq!(root["copy"], root["base"]);
    assert_eq!(root["m"], Value::Int(5));
    assert_eq!(root["k"], Value::List(vec![Value::Int(1), Value::Int(2)]));

    // A redefined anchor: aliases see the latest definition.
    let doc = parse("a: &x 1\nb: *x\nc: &x 2\nd: *x\n");
    assert_eq!(doc.as_map().unwrap()["b"], Value::Int(1));
    assert_eq!(doc.as_map().unwrap()["d"], Value::Int(2));

    // A scalar anchor used as a key.
    let doc = parse("a: &k name\n*k : 1\n");
    assert_eq!(doc.as_map().unwrap()["name"], Value::Int(1));
    // An anchored null value as a value, yes resolved as bool.
    assert_eq!(parse("a: &z\nb: *z\n").as_map().unwrap()["b"], Value::Null);
}

#[test]
fn alias_errors_name_the_anchor() {
    let e = error("a: 1\nb: *nope\n");
    assert_eq!(
        e.to_string(),
        "values.yaml:2:4: b: unknown anchor \"nope\" referenced"
    );
    let e = error("a: &x\n  b: *x\n");
    assert!(
        e.message
            .contains("alias *x is used inside the node its anchor names"),
        "{e}"
    );
    assert_eq!(e.path, "a.b");
    // Anchors belong to one document.
    let e = parse_documents("a: &x 1\n---\nb: *x\n", "m.yaml").unwrap_err();
    assert!(
        e.message.starts_with("m.yaml:3:4: b: unknown anchor \"x\""),
        "{e}"
    );
}

#[test]
fn merge_keys() {
    let base = "base: &b {x: 1, w: 2}\nother: &o {x: 10, z: 30}\n";
    let d = |rest: &str| parse(&format!("{base}d:\n{rest}")).as_map().unwrap()["d"].clone();

    assert_eq!(
        d("  <<: *b\n  w: 3\n"),
        map(&[("x", Value::Int(1)), ("w", Value::Int(3))])
    );
    // go-yaml v2 merges in place: a key written before `<<` is overridden by it.
    assert_eq!(
        d("  w: 3\n  <<: *b\n"),
        map(&[("w", Value::Int(2)), ("x", Value::Int(1))])
    );
    // In a list, earlier maps win.
    assert_eq!(
        d("  <<: [*b, *o]\n"),
        map(&[
            ("x", Value::Int(1)),
            ("z", Value::Int(30)),
            ("w", Value::Int(2))
        ])
    );
    assert_eq!(
        d("  <<: {q: 1}\n  r: 2\n"),
        map(&[("q", Value::Int(1)), ("r", Value::Int(2))])
    );
    assert_eq!(d("  <<: []\n  r: 2\n"), map(&[("r", Value::Int(2))]));
    assert_eq!(
        d("  !!merge <<: *b\n"),
        map(&[("x", Value::Int(1)), ("w", Value::Int(2))])
    );
    // Two merges and an explicit key overriding a merged one are not duplicates.
    assert_eq!(
        d("  <<: *b\n  <<: *o\n  z: 0\n"),
        map(&[
            ("x", Value::Int(10)),
            ("w", Value::Int(2)),
            ("z", Value::Int(0))
        ])
    );
    // A quoted `<<` is an ordinary key.
    assert_eq!(
        d("  \"<<\": *b\n"),
        map(&[("<<", map(&[("x", Value::Int(1)), ("w", Value::Int(2))]))])
    );
    // Merging into a map that is itself merged later.
    let doc = parse("a: &a {x: 1}\nb: &b {<<: *a, w: 2}\nc: {<<: *b}\n");
    assert_eq!(
        doc.as_map().unwrap()["c"],
        map(&[("x", Value::Int(1)), ("w", Value::Int(2))])
    );

    for bad in [
        "  <<: 1\n",
        "  <<:\n",
        "  <<: [*b, 1]\n",
        "  <<: [[*b]]\n",
        "  <<: *s\n",
    ] {
        let e = error(&format!("s: &s str\n{base}d:\n{bad}"));
        assert!(
            e.message
                .contains("map merge requires a map or a list of maps"),
            "{bad:?}: {e}"
        );
        assert_eq!(e.path, "d.<<");
    }
}

#[test]
fn duplicate_keys_are_errors() {
    let e = error("replicaCount: 1\nfoo: 2\n\n  # c\nreplicaCount: 3\n");
    assert_eq!(
        e.to_string(),
        "values.yaml:5:1: replicaCount: duplicate key \"replicaCount\" (first defined at line 1)"
    );
    assert_eq!((e.line, e.column, e.path.as_str()), (5, 1, "replicaCount"));

    let e = error("image:\n  tag: a\n  pull: b\n  tag: c\n");
    assert_eq!(
        e.to_string(),
        "values.yaml:4:3: image.tag: duplicate key \"tag\" (first defined at line 2)"
    );
    assert_eq!(e.path, "image.tag");

    // Keys that only become equal as strings.
    assert!(
        error("1: a\n\"1\": b\n")
            .message
            .contains("duplicate key \"1\"")
    );
    assert!(
        error("yes: a\ntrue: b\n")
            .message
            .contains("duplicate key \"true\"")
    );
    assert!(
        error("k: {a: 1, a: 2}")
            .message
            .contains("duplicate key \"a\"")
    );
    assert_eq!(error("a:\n  - b: 1\n    b: 2\n").path, "a[0].b");
    // The same key in different maps is fine.
    parse("a: {x: 1}\nb: {x: 1}\n");
}

#[test]
fn alias_bomb_fails_fast() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, name) in "bcdefghijklm".chars().enumerate() {
        let prev = (b'a' + i as u8) as char;
        let items = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{items}]\n"));
    }
    let start = std::time::Instant::now();
    let e = error(&text);
    assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
    assert!(
        e.message.contains(&format!("more than {MAX_NODES} nodes")),
        "{e}"
    );

    // Merges of a growing map hit the same limit.
    let mut text = String::from("a0: &a0 {k0: [1,2,3,4,5,6,7,8,9,10]}\n");
    for i in 1..40 {
        text.push_str(&format!(
            "a{i}: &a{i} {{<<: *a{}, k{i}: *a{}, l{i}: *a{}}}\n",
            i - 1,
            i - 1,
            i - 1
        ));
    }
    assert!(error(&text).message.contains("nodes"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for open in ["[", "{", "{a: ", "[{a: "] {
        let text = format!("k: {}", open.repeat(100_000));
        let e = error(&text);
        assert!(e.message.contains("levels deep"), "{open:?}: {e}");
    }
    let e = parse_documents(&format!("{}x", "- ".repeat(100_000)), "deep.yaml").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(
        e.message
            .contains(&format!("more than {MAX_DEPTH} levels deep"))
    );

    // Exactly MAX_DEPTH block levels is fine; one more is not.
    let docs = parse_documents(&format!("{}x", "- ".repeat(MAX_DEPTH)), "ok.yaml").unwrap();
    assert_eq!(docs.len(), 1);
    assert!(parse_documents(&format!("{}x", "- ".repeat(MAX_DEPTH + 1)), "x.yaml").is_err());

    // Depth through an alias counts too.
    let nested = |n: usize, inner: &str| format!("{}{inner}{}", "[".repeat(n), "]".repeat(n));
    parse(&format!(
        "a: &a {}\nb: {}\n",
        nested(200, "1"),
        nested(50, "*a")
    ));
    let e = error(&format!(
        "a: &a {}\nb: {}\n",
        nested(200, "1"),
        nested(100, "*a")
    ));
    assert!(e.message.contains("levels deep"), "{e}");
    assert_eq!(e.line, 2);
}

#[test]
fn documents() {
    assert_eq!(parse_documents("", "m.yaml").unwrap(), Vec::<Value>::new());
    assert_eq!(
        parse_documents("# nothing\n", "m.yaml").unwrap(),
        Vec::<Value>::new()
    );
    assert_eq!(
        parse_documents("---\n---\n", "m.yaml").unwrap(),
        vec![Value::Null, Value::Null]
    );
    let docs = parse_documents("a: 1\n---\n- x\n--- 5\n...\n--- \"s\"\n", "m.yaml").unwrap();
    assert_eq!(
        docs,
        vec![
            map(&[("a", Value::Int(1))]),
            Value::List(vec![string("x")]),
            Value::Int(5),
            string("s")
        ]
    );
}

#[test]
fn values_read_only_the_first_document() {
    assert_eq!(parse("a: 1\n---\nb: 2\n"), map(&[("a", Value::Int(1))]));
    assert_eq!(parse("---\n---\nb: 2\n"), map(&[]));
    assert_eq!(parse("# header\n---\na: 1\n"), map(&[("a", Value::Int(1))]));
    // Helm never reads past the first document, so later errors do not matter.
    assert_eq!(
        parse("a: 1\n---\nb: *missing\n"),
        map(&[("a", Value::Int(1))])
    );
}

#[test]
fn values_top_level() {
    for empty in [
        "",
        "\n\n",
        "# only a comment\n",
        "~",
        "null",
        "---\n",
        "---\n...\n",
    ] {
        assert_eq!(parse(empty), map(&[]), "{empty:?}");
    }
    assert_eq!(
        error("- a\n- b\n").to_string(),
        "values.yaml:1:1: expected a map of values at the top level, found a list"
    );
    assert!(error("hello").message.ends_with("found a string"));
    assert!(error("5").message.ends_with("found an int"));
    assert!(
        error("# c\n\n  true")
            .message
            .starts_with("values.yaml:3:3: ")
    );
}

#[test]
fn structure_and_order() {
    let doc = parse("z: 1\na:\n  - x\n  - {b: \"2\", c: [yes, ~]}\nm: |\n  line\n");
    let root = doc.as_map().unwrap();
    assert_eq!(root.keys().collect::<Vec<_>>(), ["z", "a", "m"]);
    assert_eq!(
        root["a"],
        Value::List(vec![
            string("x"),
            map(&[
                ("b", string("2")),
                ("c", Value::List(vec![Value::Bool(true), Value::Null]))
            ]),
        ])
    );
    assert_eq!(root["m"], string("line\n"));
}

#[test]
fn syntax_errors_have_positions() {
    let e = error("a: 1\nb: [1, 2\nc: 3\n");
    assert!(e.message.starts_with("values.yaml:"), "{e}");
    assert!(e.line >= 2 && e.column >= 1, "{e}");
    let e = error("a:\n\tb: 1\n");
    assert!(e.message.starts_with("values.yaml:2:"), "{e}");
    let e = error("a: b: c\n");
    assert_eq!((e.line, e.origin.as_str()), (1, "values.yaml"));
}

/// README: errors name the key path. Semantic errors do; syntax errors and nesting
/// limits give the position only (see `YamlError::syntax`).
#[test]
fn semantic_errors_name_the_key_path() {
    let e = error("pgbouncerPharia:\n  replicaCount: 1\n  replicaCount: 2\n");
    assert_eq!(
        e.to_string(),
        "values.yaml:3:3: pgbouncerPharia.replicaCount: duplicate key \"replicaCount\" \
             (first defined at line 2)"
    );
    let e = error("a:\n  - {b: !!int x}\n");
    assert!(
        e.message
            .starts_with("values.yaml:2:15: a[0].b: cannot decode"),
        "{e}"
    );
    // A syntax error names no path: it is found on the line after the mistake.
    let e = error("a:\n  b: [1, 2\n  c: 3\n");
    assert!(e.path.starts_with("a.b"), "{e:?}");
    assert!(!e.message.contains("a.b"), "{e}");
    let e = error(&format!("k: {}", "[".repeat(1000)));
    assert!(e.message.len() < 120, "no path of hundreds of [0]: {e}");
}

/// README: errors never print secrets. A tagged password that fails to resolve is the
/// one place a scalar's text would be quoted.
#[test]
fn secrets_are_not_quoted_in_errors() {
    let e = error("pgbouncerPharia:\n  config:\n    adminPassword: !!int Sup3rS3cret\n");
    assert!(!e.message.contains("Sup3rS3cret"), "{e}");
    assert!(
        e.message
            .contains("pgbouncerPharia.config.adminPassword: cannot decode a !!str as a !!int"),
        "{e}"
    );
    let e = error("config:\n  userlist:\n    bob: !!bool hunter2\n");
    assert!(!e.message.contains("hunter2"), "{e}");
    // Other values are quoted: that is what tells the user what is wrong.
    assert!(
        error("config:\n  adminUser: !!int bob\n")
            .message
            .contains("\"bob\"")
    );
}

#[test]
fn non_utf8_text_is_located_and_not_quoted() {
    let err = text_from_bytes(b"a: 1\npassword: \xffhunter2\n".to_vec(), "v.yaml").unwrap_err();
    assert_eq!((err.line, err.column), (2, 11));
    assert!(
        !err.message.contains("0xFF") && !err.message.contains("hunter2"),
        "{err}"
    );
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain("a: 1\n".bytes().flat_map(|b| [b, 0]))
        .collect();
    assert!(
        text_from_bytes(utf16, "v.yaml")
            .unwrap_err()
            .message
            .contains("UTF-16")
    );
    let binary: Vec<u8> = (0..=255u8).rev().collect();
    assert!(
        text_from_bytes(binary, "v.yaml")
            .unwrap_err()
            .message
            .contains("1:1:")
    );
}

#[test]
fn control_characters_are_errors() {
    assert_eq!(
        error("a: b\nc: \u{1b}x\n").to_string(),
        "values.yaml:2:4: control characters are not allowed (found U+001B)"
    );
    for bad in [
        "\0",
        "a: \0",
        "\u{7f}",
        "a: \"\u{1}\"",
        "\u{fffe}",
        "a: \u{9c}",
    ] {
        assert!(error(bad).message.contains("control characters"), "{bad:?}");
    }
    // Tabs, CR, NEL, non-ASCII and a leading byte order mark are fine.
    assert_eq!(
        parse("\u{feff}a: \"x\ty\"\r\nb: é\u{85}\n")
            .as_map()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn arbitrary_input_never_panics() {
    const FUZZ_CASES: usize = 5_000;
    let alphabet: Vec<char> = "ab: -[]{},&*!|>'\"#%@`?\n\t~.0<x\\".chars().collect();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..FUZZ_CASES {
        let mut text = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 48) as usize;
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let _ = parse_documents(&text, "fuzz.yaml");
        let _ = parse_values(&text, "fuzz.yaml");
    }
}
