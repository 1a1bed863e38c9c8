//! The parser and the emitter share [`resolve`]; these tests hold both to what Helm does.

use super::*;
use crate::value::Value;
use crate::yaml::{parse_values, to_yaml};

/// What Helm made of `a: TEXT`.
#[derive(Debug)]
enum Helm {
    Number(f64),
    Str,
    Null,
    Bool(bool),
    /// Helm cannot read the values file (`.inf`, `.nan` are no JSON numbers).
    Fails,
}

/// Observed with real Helm 4 through its Go SDK (helm-python-sdk, as
/// tests/helm-oracle/oracle.py drives it): `helm_python.values_from_yaml("a: TEXT\n")["a"]`,
/// and for `.1_0` also a chart template printing `{{ .Values.a }}`, `{{ kindOf .Values.a }}`
/// and `{{ toYaml .Values.a }}`, which gave `0.1`, `float64`, `0.1`.
const HELM_OBSERVED: &[(&str, Helm)] = &[
    (".1_0", Helm::Number(0.1)),
    ("+.1_0", Helm::Number(0.1)),
    ("-.1_0", Helm::Number(-0.1)),
    (".1e1_0", Helm::Number(1e9)),
    ("._1", Helm::Str),
    (".1_", Helm::Str),
    (".1__0", Helm::Str),
    ("1_0", Helm::Number(10.0)),
    ("_10", Helm::Str),
    ("10_", Helm::Number(10.0)),
    ("1__0", Helm::Number(10.0)),
    ("1_.5", Helm::Number(1.5)),
    ("1._5", Helm::Number(1.5)),
    ("1_e1", Helm::Number(10.0)),
    ("1e1_", Helm::Number(10.0)),
    ("0x_1F", Helm::Number(31.0)),
    ("0_x1F", Helm::Number(31.0)),
    ("0o1_7", Helm::Number(15.0)),
    ("0b1_1", Helm::Number(3.0)),
    ("0b-1", Helm::Number(-1.0)),
    ("0b+1", Helm::Number(1.0)),
    ("-0b-1", Helm::Str),
    ("-0b1", Helm::Number(-1.0)),
    ("017", Helm::Number(15.0)),
    ("08", Helm::Number(8.0)),
    ("09.5", Helm::Number(9.5)),
    ("0x", Helm::Str),
    ("0b", Helm::Str),
    (".", Helm::Str),
    ("-.", Helm::Str),
    ("+", Helm::Str),
    ("1.", Helm::Number(1.0)),
    ("1e", Helm::Str),
    ("1e+", Helm::Str),
    (".e1", Helm::Str),
    (".0", Helm::Number(0.0)),
    ("0.", Helm::Number(0.0)),
    ("00", Helm::Number(0.0)),
    ("-0", Helm::Number(0.0)),
    ("+0x1F", Helm::Number(31.0)),
    ("-0x1F", Helm::Number(-31.0)),
    ("0xFFFFFFFFFFFFFFFF", Helm::Number(18446744073709551615.0)),
    ("+0xFFFFFFFFFFFFFFFF", Helm::Str),
    ("9223372036854775808", Helm::Number(9223372036854775808.0)),
    ("18446744073709551616", Helm::Number(18446744073709551616.0)),
    ("1e400", Helm::Str),
    (".1e400", Helm::Str),
    ("1e-400", Helm::Number(0.0)),
    ("0x1p3", Helm::Str),
    ("inf", Helm::Str),
    ("NaN", Helm::Str),
    (".inf", Helm::Fails),
    ("-.INF", Helm::Fails),
    (".NaN", Helm::Fails),
    ("1:20", Helm::Str),
    ("190:20:30", Helm::Str),
    ("2001-12-14", Helm::Str),
    ("2001-12-14t21:59:43.10-05:00", Helm::Str),
    ("2002-2-30", Helm::Str),
    ("~", Helm::Null),
    ("NULL", Helm::Null),
    ("nULL", Helm::Str),
    ("Y", Helm::Bool(true)),
    ("n", Helm::Bool(false)),
    ("Off", Helm::Bool(false)),
    ("tRUE", Helm::Str),
    ("<<", Helm::Str),
];

fn read(text: &str) -> Result<Value, String> {
    parse_values(&format!("a: {text}\n"), "v.yaml")
        .map(|v| v.path("a").cloned().unwrap_or_default())
        .map_err(|e| e.to_string())
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

#[test]
fn plain_scalars_read_as_helm_reads_them() {
    for (text, helm) in HELM_OBSERVED {
        let ours = read(text);
        let agrees = match (helm, &ours) {
            (Helm::Number(n), Ok(v)) => number(v) == Some(*n),
            (Helm::Str, Ok(Value::String(s))) => s == text,
            (Helm::Null, Ok(Value::Null)) => true,
            (Helm::Bool(b), Ok(Value::Bool(ours))) => b == ours,
            (Helm::Fails, Err(_)) => true,
            _ => false,
        };
        assert!(agrees, "{text:?}: Helm {helm:?}, qspgb {ours:?}");
    }
}

/// Number-like plain scalars: the observed ones, and underscores put at every position of
/// numbers in each syntax, with signs.
fn number_like() -> Vec<String> {
    let mut all: Vec<String> = HELM_OBSERVED.iter().map(|(t, _)| t.to_string()).collect();
    let bases = [
        "10",
        ".10",
        "1.0",
        "1.",
        "1e10",
        ".1e1",
        "1e+10",
        "0x1F",
        "0o17",
        "0b11",
        "017",
        "09",
        "1:20",
        "1:20.5",
        "2001-12-14",
    ];
    for base in bases {
        for sign in ["", "+", "-"] {
            let text = format!("{sign}{base}");
            for at in 0..=text.len() {
                all.push(format!("{}_{}", &text[..at], &text[at..]));
                all.push(format!("{}__{}", &text[..at], &text[at..]));
            }
            all.push(text);
        }
    }
    for word in [
        "~",
        "null",
        "Null",
        "y",
        "n",
        "yes",
        "No",
        "on",
        "OFF",
        "true",
        "False",
        ".inf",
        "-.Inf",
        "+.INF",
        ".nan",
        ".NaN",
        "inf",
        "nan",
        "Infinity",
        "0x",
        "0o",
        "0b",
        "0X1f",
        "0O17",
        "0B11",
        "1e",
        "e1",
        "1e-5",
        "1E-07",
        "-.5e-3",
        "123456789012345678901234",
    ] {
        all.push(word.to_string());
    }
    all
}

/// Whatever the parser reads, the emitter writes so that it reads back the same: a string
/// stays that string (quoted when it would resolve to something else), a number or boolean
/// stays that value. And the text as a string is emitted so that it reads back as itself.
#[test]
fn parser_and_emitter_agree_on_number_like_scalars() {
    for text in number_like() {
        let as_string = Value::map_of([("a", Value::from(text.as_str()))]);
        let emitted = to_yaml(&as_string);
        assert_eq!(
            parse_values(&emitted, "out.yaml").ok(),
            Some(as_string),
            "{text:?} emitted as a string: {emitted:?}"
        );
        let Ok(value) = read(&text) else {
            continue; // `.inf`, `.nan`: no value to emit
        };
        let plain = matches!(resolve(&text), Resolved::Str | Resolved::Timestamp);
        assert_eq!(
            plain,
            value == Value::from(text.as_str()),
            "{text:?} read as {value:?}"
        );
        let emitted = to_yaml(&Value::map_of([("a", value.clone())]));
        let back = read(emitted.strip_prefix("a: ").unwrap_or(&emitted).trim_end());
        match (&value, back) {
            (Value::Float(f), Ok(back)) => assert_eq!(number(&back), Some(*f), "{text:?}"),
            (_, back) => assert_eq!(back.as_ref(), Ok(&value), "{text:?} emitted as {emitted:?}"),
        }
    }
}
