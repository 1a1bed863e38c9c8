use super::order::key_less;
use super::*;

fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

fn map(entries: &[(&str, Value)]) -> Value {
    Value::map_of(entries.iter().cloned())
}

fn list(items: &[Value]) -> Value {
    Value::List(items.to_vec())
}

/// `to_yaml` of `{k: value}`.
fn under_key(value: &str) -> String {
    to_yaml(&map(&[("k", s(value))]))
}

/// `n` nine-letter words separated by single spaces.
fn words(n: usize) -> String {
    vec!["abcdefghi"; n].join(" ")
}

#[test]
fn top_level_scalars_and_empty_collections() {
    assert_eq!(to_yaml(&Value::Null), "null\n");
    assert_eq!(to_yaml(&Value::Bool(true)), "true\n");
    assert_eq!(to_yaml(&Value::Int(-42)), "-42\n");
    assert_eq!(to_yaml(&s("foo")), "foo\n");
    assert_eq!(to_yaml(&s("")), "\"\"\n");
    assert_eq!(to_yaml(&map(&[])), "{}\n");
    assert_eq!(to_yaml(&list(&[])), "[]\n");
}

#[test]
fn helm_pod_anti_affinity() {
    let labels = map(&[("app.kubernetes.io/name", s("pgbouncerPharia"))]);
    let term = map(&[
        ("topologyKey", s("kubernetes.io/hostname")),
        ("labelSelector", map(&[("matchLabels", labels)])),
    ]);
    let pref = map(&[("weight", Value::Int(100)), ("podAffinityTerm", term)]);
    let v = map(&[(
        "podAntiAffinity",
        map(&[(
            "preferredDuringSchedulingIgnoredDuringExecution",
            list(&[pref]),
        )]),
    )]);
    let expected = "\
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
  - podAffinityTerm:
      labelSelector:
        matchLabels:
          app.kubernetes.io/name: pgbouncerPharia
      topologyKey: kubernetes.io/hostname
    weight: 100
";
    assert_eq!(to_yaml(&v), expected);
}

#[test]
fn helm_init_container_and_plain_punctuation() {
    let container = map(&[
        ("name", s("init")),
        ("image", s("busybox:1.36")),
        ("command", list(&[s("sh"), s("-c"), s("true")])),
    ]);
    assert_eq!(
        to_yaml(&list(&[container])),
        "- command:\n  - sh\n  - -c\n  - \"true\"\n  image: busybox:1.36\n  name: init\n"
    );
    let v = map(&[
        ("*", Value::Int(1)),
        ("maxSurge", s("25%")),
        (
            "eks.amazonaws.com/role-arn",
            s("arn:aws:iam::123456789012:role/pgb"),
        ),
    ]);
    assert_eq!(
        to_yaml(&v),
        "'*': 1\neks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/pgb\nmaxSurge: 25%\n"
    );
}

#[test]
fn nesting() {
    let v = map(&[("a", map(&[("b", map(&[("c", Value::Int(1))]))]))]);
    assert_eq!(to_yaml(&v), "a:\n  b:\n    c: 1\n");

    let item = map(&[
        ("c", list(&[Value::Int(1), Value::Int(2)])),
        ("b", Value::Int(1)),
    ]);
    let v = map(&[("a", list(&[item]))]);
    assert_eq!(to_yaml(&v), "a:\n- b: 1\n  c:\n  - 1\n  - 2\n");

    let v = list(&[
        list(&[Value::Int(1), Value::Int(2)]),
        list(&[Value::Int(3)]),
    ]);
    assert_eq!(to_yaml(&v), "- - 1\n  - 2\n- - 3\n");

    let v = list(&[list(&[map(&[("a", Value::Int(1)), ("b", Value::Int(2))])])]);
    assert_eq!(to_yaml(&v), "- - a: 1\n    b: 2\n");

    let v = map(&[("a", map(&[("b", list(&[map(&[("c", Value::Null)])]))]))]);
    assert_eq!(to_yaml(&v), "a:\n  b:\n  - c: null\n");
}

#[test]
fn empty_collections_everywhere() {
    let v = map(&[("a", map(&[])), ("b", list(&[]))]);
    assert_eq!(to_yaml(&v), "a: {}\nb: []\n");
    assert_eq!(to_yaml(&list(&[map(&[]), list(&[])])), "- {}\n- []\n");
    assert_eq!(to_yaml(&list(&[list(&[list(&[])])])), "- - []\n");
    assert_eq!(to_yaml(&list(&[map(&[("a", list(&[]))])])), "- a: []\n");
    assert_eq!(
        to_yaml(&map(&[("a", map(&[("b", map(&[]))]))])),
        "a:\n  b: {}\n"
    );
}

#[test]
fn key_order() {
    assert!(key_less("a2", "a10"));
    assert!(!key_less("a10", "a2"));
    assert!(key_less("a_b", "aB"));
    assert!(key_less("B", "a"));
    assert!(key_less("-x", "x"));
    assert!(!key_less("x", "-x"));
    assert!(key_less("a", "ab"));
    assert!(key_less("1", "a"));
    assert!(key_less("x9z", "x10y"));
    // Equal numbers: the shorter digit run first.
    assert!(key_less("a1", "a01"));
    assert!(!key_less("a01", "a1"));
    assert!(key_less("1.5", "1.05"));
    // A zero run continuing a number counts as 1: 105 vs 15.
    assert!(key_less("15", "105"));
    assert!(key_less("10", "1a"));
    assert!(key_less("é", "ü"));

    let keys = ["b", "a10", "a2", "B", "_x", "a"];
    let v = map(&keys.map(|k| (k, Value::Int(0))));
    assert_eq!(to_yaml(&v), "_x: 0\nB: 0\na: 0\na2: 0\na10: 0\nb: 0\n");
}

#[test]
fn key_order_for_large_maps() {
    let keys: Vec<String> = (0..40).rev().map(|i| format!("k{i}")).collect();
    let v = Value::Map(keys.iter().map(|k| (k.clone(), Value::Null)).collect());
    let expected: String = (0..40).map(|i| format!("k{i}: null\n")).collect();
    assert_eq!(to_yaml(&v), expected);
}

#[test]
fn strings_that_would_resolve_are_double_quoted() {
    for text in [
        "yes",
        "Yes",
        "NO",
        "y",
        "n",
        "on",
        "Off",
        "true",
        "False",
        "null",
        "Null",
        "~",
        "1",
        "-1",
        "+1",
        "0x1F",
        "0o17",
        "0b101",
        "017",
        "08",
        "1e3",
        "1E+3",
        "1.",
        ".5",
        "-.5",
        "1_000",
        "1__0",
        ".5_5",
        ".inf",
        "-.Inf",
        ".NaN",
        "1:20",
        "-1:20:30.5",
        "190:20:30",
        "99999999999999999999",
        "2024-01-15",
        "2024-1-5",
        "2024-02-29",
        "2024-01-15 10:00:00",
        "2024-01-15T10:00:00Z",
        "2024-01-15t10:00:00.123+01:00",
        "2024-01-15T10:00:00,5-05:30",
    ] {
        assert_eq!(under_key(text), format!("k: \"{text}\"\n"), "{text:?}");
    }
}

#[test]
fn strings_that_stay_plain() {
    for text in [
        "yEs",
        "nil",
        "None",
        "1.2.3",
        "1e999",
        "12:60",
        "1:2:3a",
        "0x",
        "0xG",
        "v1",
        "1a",
        "2024-02-30",
        "2023-02-29",
        "2024-01-15T10:00:00",
        "2024-01-15 10:00:00Z",
        "-x",
        "?x",
        ":x",
        "a#b",
        "a:b",
        "it's",
        "a\"b",
        "\\",
        "<<",
        "héllo",
        "你好",
        "a b",
        "a  b",
        "x-",
        "100%",
        "a,b",
        "x[y]",
        "x{y}",
        "..x",
        "--x",
        "\u{a0}",
    ] {
        assert_eq!(under_key(text), format!("k: {text}\n"), "{text:?}");
    }
}

#[test]
fn strings_that_need_single_quotes() {
    for (text, quoted) in [
        ("*", "'*'"),
        ("- x", "'- x'"),
        ("-", "'-'"),
        ("a: b", "'a: b'"),
        ("key:", "'key:'"),
        ("a #b", "'a #b'"),
        ("? x", "'? x'"),
        (": x", "': x'"),
        ("#x", "'#x'"),
        ("&a", "'&a'"),
        ("!x", "'!x'"),
        ("|", "'|'"),
        (">", "'>'"),
        ("%x", "'%x'"),
        ("@x", "'@x'"),
        ("`x", "'`x'"),
        ("[x", "'[x'"),
        ("[]", "'[]'"),
        ("{}", "'{}'"),
        (",", "','"),
        ("\"q\"", "'\"q\"'"),
        ("'q'", "'''q'''"),
        (" lead", "' lead'"),
        ("trail ", "'trail '"),
        ("---", "'---'"),
        ("...", "'...'"),
        ("你好 #comment", "'你好 #comment'"),
    ] {
        assert_eq!(under_key(text), format!("k: {quoted}\n"), "{text:?}");
    }
}

#[test]
fn strings_that_need_escapes() {
    for (text, quoted) in [
        ("a\tb", r#""a\tb""#),
        ("\x01", r#""\x01""#),
        ("\0", r#""\0""#),
        ("\x1b[0m", r#""\e[0m""#),
        ("a\rb", r#""a\rb""#),
        ("\u{85}", r#""\N""#),
        ("\t\u{2028}\u{2029}", r#""\t\L\P""#),
        ("tab\t\"q\" \\", r#""tab\t\"q\" \\""#),
        ("😀", r#""\U0001F600""#),
        ("\u{feff}ab", r#""\uFEFF\x61\x62""#),
        ("a \nb", r#""a \nb""#),
        ("a\n\tb", r#""a\n\tb""#),
        ("a\nb ", r#""a\nb ""#),
    ] {
        assert_eq!(under_key(text), format!("k: {quoted}\n"), "{text:?}");
    }
}

#[test]
fn keys_are_quoted_like_values() {
    let keys = ["yes", "", "a b", "- x", "a\tb", "1", "x"];
    let v = map(&keys.map(|k| (k, Value::Int(0))));
    assert_eq!(
        to_yaml(&v),
        "\"\": 0\n'- x': 0\n\"1\": 0\n\"a\\tb\": 0\na b: 0\nx: 0\n\"yes\": 0\n"
    );
}

#[test]
fn unicode_line_separators_without_newline_stay_single_quoted() {
    // libyaml copies U+2028 raw and indents the next line like a folded scalar.
    assert_eq!(under_key("a\u{2028}b"), "k: 'a\u{2028}  b'\n");
}

#[test]
fn multi_line_strings_use_literal_style() {
    assert_eq!(under_key("a\nb"), "k: |-\n  a\n  b\n");
    assert_eq!(under_key("a\nb\n"), "k: |\n  a\n  b\n");
    assert_eq!(under_key("a\nb\n\n"), "k: |+\n  a\n  b\n\n");
    assert_eq!(under_key("a\n\nb"), "k: |-\n  a\n\n  b\n");
    assert_eq!(under_key(" a\nb"), "k: |2-\n   a\n  b\n");
    assert_eq!(under_key("\na"), "k: |2-\n\n  a\n");
    assert_eq!(under_key("\n"), "k: |2+\n\n");
    assert_eq!(under_key("a\n b"), "k: |-\n  a\n   b\n");
    assert_eq!(under_key("- a\n# b\n"), "k: |\n  - a\n  # b\n");

    let v = map(&[("k", s("a\nb\n\n")), ("z", Value::Int(1))]);
    assert_eq!(to_yaml(&v), "k: |+\n  a\n  b\n\nz: 1\n");
    assert_eq!(to_yaml(&list(&[s("a\nb")])), "- |-\n  a\n  b\n");
    assert_eq!(
        to_yaml(&list(&[map(&[("k", s("a\nb"))])])),
        "- k: |-\n    a\n    b\n"
    );
    assert_eq!(to_yaml(&s("a\nb")), "|-\n  a\n  b\n");
    assert_eq!(to_yaml(&s("a\n")), "|\n  a\n");
}

#[test]
fn complex_keys() {
    assert_eq!(
        to_yaml(&map(&[("a\nb", Value::Int(1))])),
        "? |-\n  a\n  b\n: 1\n"
    );
    let long = "k".repeat(129);
    assert_eq!(
        to_yaml(&map(&[(&long, Value::Int(1))])),
        format!("? {long}\n: 1\n")
    );
    let nested = map(&[("a", Value::Int(1)), ("b", Value::Int(2))]);
    assert_eq!(
        to_yaml(&map(&[(&long, nested)])),
        format!("? {long}\n: a: 1\n  b: 2\n")
    );
    // 128 bytes is still a simple key, and keys are never folded.
    let key: String = words(13).chars().take(128).collect();
    assert_eq!(key.len(), 128);
    assert_eq!(
        to_yaml(&map(&[(&key, Value::Int(1))])),
        format!("{key}: 1\n")
    );
}

#[test]
fn long_plain_strings_fold_after_column_80() {
    assert_eq!(
        under_key(&words(20)),
        format!("k: {}\n  {}\n  {}\n", words(8), words(8), words(4))
    );
    assert_eq!(
        to_yaml(&s(&words(20))),
        format!("{}\n  {}\n  {}\n", words(9), words(8), words(3))
    );
    assert_eq!(
        to_yaml(&list(&[s(&words(20))])),
        format!("- {}\n  {}\n  {}\n", words(8), words(8), words(4))
    );
    let deep = map(&[("a", map(&[("b", s(&words(10)))]))]);
    assert_eq!(
        to_yaml(&deep),
        format!("a:\n  b: {}\n    {}\n", words(8), words(2))
    );
    let no_spaces = "x".repeat(100);
    assert_eq!(under_key(&no_spaces), format!("k: {no_spaces}\n"));
}

#[test]
fn long_quoted_strings_fold_too() {
    let single = format!("*bcdefghi {}", words(19));
    assert_eq!(
        under_key(&single),
        format!(
            "k: '*bcdefghi {}\n  {}\n  {}'\n",
            words(7),
            words(8),
            words(4)
        )
    );
    let double = format!("{} abcdefgh\t", words(19));
    assert_eq!(
        under_key(&double),
        format!(
            "k: \"{}\n  {}\n  {} abcdefgh\\t\"\n",
            words(8),
            words(8),
            words(3)
        )
    );
    // A fold at the first of two spaces keeps the second as an escaped space.
    let two_spaces = format!("{}  {}\t", words(8), words(2));
    assert_eq!(
        under_key(&two_spaces),
        format!("k: \"{}\n  \\ {}\\t\"\n", words(8), words(2))
    );
}

#[test]
fn numbers() {
    let cases = [
        (1.5, "1.5"),
        (3.0, "3"),
        (1e6, "1000000"),
        (-0.0, "0"),
        (0.1, "0.1"),
        (-0.25, "-0.25"),
        (1e21, "1e+21"),
        (1e20, "1e+20"),
        (0.00001, "1e-05"),
        (1e-7, "1e-07"),
        (100000.5, "100000.5"),
        (1234567.5, "1.2345675e+06"),
        (123456789.5, "1.234567895e+08"),
        (4611686018427387904.0, "4611686018427388000"),
        (9223372036854775808.0, "9223372036854776000"),
        (-9223372036854775808.0, "-9.223372036854776e+18"),
        (1.8446744073709552e19, "1.8446744073709552e+19"),
    ];
    for (f, text) in cases {
        assert_eq!(to_yaml(&Value::Float(f)), format!("{text}\n"), "{f:?}");
    }
    assert_eq!(to_yaml(&Value::Int(i64::MIN)), "-9223372036854775808\n");
}

#[test]
fn go_float_formatting() {
    let cases = [
        (0.0, "0"),
        (-0.0, "-0"),
        (1.0, "1"),
        (100000.0, "100000"),
        (1e6, "1e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (5e-324, "5e-324"),
        (f64::MAX, "1.7976931348623157e+308"),
        (0.1 + 0.2, "0.30000000000000004"),
        (-123.456, "-123.456"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "+Inf"),
    ];
    for (f, text) in cases {
        assert_eq!(go::strconv::format_float(f), text, "{f:?}");
    }
}

#[test]
fn values_helm_cannot_marshal_print_nothing() {
    assert_eq!(to_yaml(&map(&[("a", Value::Float(f64::NAN))])), "");
    assert_eq!(to_yaml(&list(&[Value::Float(f64::INFINITY)])), "");
    assert_eq!(to_yaml(&s("a\u{7f}")), "");
    assert_eq!(to_yaml(&map(&[("\u{9f}", Value::Null)])), "");
    // The key's JSON form, quotes included, must fit in 1024 characters.
    let ok = "k".repeat(1022);
    assert_eq!(
        to_yaml(&map(&[(&ok, Value::Null)])),
        format!("? {ok}\n: null\n")
    );
    assert_eq!(to_yaml(&map(&[(&"k".repeat(1023), Value::Null)])), "");
    assert_eq!(to_yaml(&map(&[(&"<".repeat(200), Value::Null)])), "");
}
