//! The `--set` family (src/values/strvals/): every flavour on one expression, checked
//! against each other and against Helm's typing rules.
//!
//! Input: an expression, optionally preceded by a "base" expression and a 0xFF byte. The
//! base is parsed first with `--set-string` (so it holds only strings) and the expression
//! is then parsed into that map, as several `--set` flags are applied into one map.
//!
//! Invariants, all true of Helm's pkg/strvals:
//! - no panic, in any flavour;
//! - `--set-string`, `--set-literal` and `--set-file` store only strings (and the nulls
//!   that pad a list up to an index); `--set` never stores a float;
//! - `--set` is `--set-string` with Helm's `typedVal` applied to each value: whenever
//!   `--set-string` succeeds, `--set` succeeds with exactly that tree, retyped;
//! - `--set-file` with a reader that returns the path itself is `--set-string`, errors
//!   included;
//! - an error quotes at most the failing assignment (a substring of the expression of at
//!   most 60 characters), never the value of an earlier assignment or of the map parsed
//!   into: those may be secrets (`--set password=...`);
//! - parsing is deterministic;
//! - what a flag sets on its own (`parse_flag_own`, which the schema checks attribute to
//!   the flag) is the tree the expression builds in an empty map, whatever the map it was
//!   parsed into held.

use qspgb::strvals::{self, Budget, Flavor, SetError};
use qspgb::value::{Map, Value};

use super::common::{for_each_leaf, same, segments};

/// A value already in the map before the expression is parsed.
const STORED_KEY: &str = "qspgbStored";
const STORED_VALUE: &str = "Zq9xStored";
/// An assignment that comes before the fuzzed expression, in the same flag.
const EARLIER: &str = "qspgbEarlier=Zq9xEarlier,";
const EARLIER_JSON: &str = "qspgbEarlier=\"Zq9xEarlier\",";
/// What both marker values share: no error may contain it.
const MARKER: &str = "Zq9x";
/// How much of the expression an error may quote (strvals' MAX_FRAGMENT_CHARS).
const MAX_FRAGMENT_CHARS: usize = 60;

type Parse = fn(&str, &mut Map) -> Result<(), SetError>;

/// Runs the check on one fuzz input; panics if an invariant does not hold.
pub fn check(data: &[u8]) {
    let segments = segments(data);
    let (base_expr, expr) = match segments.as_slice() {
        [expr] => ("", expr.as_str()),
        [base, expr, ..] => (base.as_str(), expr.as_str()),
        [] => unreachable!("split always yields a segment"),
    };
    let mut base = Map::default();
    // Whatever landed before an error stays, as in Helm; that is a fine base too.
    let _ = strvals::parse_set_string(base_expr, &mut base);
    base.insert(STORED_KEY.into(), STORED_VALUE.into());
    // Markers typed by the fuzzer itself may of course come back in an error.
    let markers_are_secret = !base_expr.contains(MARKER) && !expr.contains(MARKER);

    let run = |parse: Parse, start: &Map, prefix: &str| -> Result<Map, String> {
        let full = format!("{prefix}{expr}");
        let mut dest = start.clone();
        match parse(&full, &mut dest) {
            Ok(()) => Ok(dest),
            Err(e) => {
                check_error(&full, &e, markers_are_secret);
                Err(e.to_string())
            }
        }
    };

    let strings = run(strvals::parse_set_string, &base, EARLIER);
    let typed_base = retyped_map(&base);
    let typed = run(strvals::parse_set, &typed_base, EARLIER);
    let literal = run(strvals::parse_set_literal, &base, "");
    // With the earlier assignment the expression is never the whole-object form; without
    // it, it may be.
    let _ = run(strvals::parse_set_json, &base, EARLIER_JSON);
    let _ = run(strvals::parse_set_json, &base, "");

    let full = format!("{EARLIER}{expr}");
    let mut dest = base.clone();
    // Paths starting with `!` cannot be read, so that the error path is fuzzed too.
    let mut reader = |path: &str| -> Result<String, String> {
        match path.strip_prefix('!') {
            Some(_) => Err(format!("open {path}: no such file")),
            None => Ok(path.to_string()),
        }
    };
    let file = match strvals::parse_set_file(&full, &mut dest, &mut reader) {
        Ok(()) => Ok(dest),
        Err(e) => {
            check_error(&full, &e, markers_are_secret);
            Err(e.to_string())
        }
    };

    for (flavour, result) in [
        ("--set-string", &strings),
        ("--set-literal", &literal),
        ("--set-file", &file),
    ] {
        if let Ok(map) = result {
            for_each_leaf(&Value::Map(map.clone()), &mut |leaf| {
                // Empty maps and lists are leaves too (`a[0].=x` stores `[{}]`).
                assert!(
                    matches!(
                        leaf,
                        Value::String(_) | Value::Null | Value::Map(_) | Value::List(_)
                    ),
                    "{flavour} {expr:?} stored a non-string leaf {leaf:?}"
                );
            });
        }
    }
    if let Ok(map) = &typed {
        for_each_leaf(&Value::Map(map.clone()), &mut |leaf| {
            assert!(
                !matches!(leaf, Value::Float(_)),
                "--set {expr:?} stored a float {leaf:?}"
            );
        });
    }
    if !full.contains('!') {
        assert!(
            same(&file, &strings),
            "--set-file with an identity reader differs from --set-string for {expr:?}:\n{file:?}\n{strings:?}"
        );
    }
    if let Ok(strings) = &strings {
        match &typed {
            Ok(typed) => assert!(
                same(&retyped_map(strings), typed),
                "--set {expr:?} is not --set-string retyped:\n{typed:?}\n{:?}",
                retyped_map(strings)
            ),
            Err(e) => panic!("--set-string {expr:?} succeeds but --set fails: {e}"),
        }
    }
    let again = run(strvals::parse_set, &typed_base, EARLIER);
    assert!(same(&typed, &again), "--set {expr:?} is not deterministic");

    for flavor in [
        Flavor::Set,
        Flavor::SetString,
        Flavor::SetJson,
        Flavor::SetLiteral,
    ] {
        check_own(flavor, expr, &base);
        check_own(flavor, &full, &base);
    }
}

/// `parse_flag_own` into `base` gives what parsing into an empty map gives, whenever both
/// parse.
fn check_own(flavor: Flavor, expr: &str, base: &Map) {
    let mut dest = base.clone();
    let Ok(own) = strvals::parse_flag_own(flavor, expr, &mut dest, &mut Budget::default()) else {
        return;
    };
    let mut alone = Map::default();
    if strvals::parse_flag(flavor, expr, &mut alone, &mut Budget::default()).is_ok() {
        assert!(
            same(&own, &alone),
            "{flavor:?} {expr:?}: what it sets on its own differs from parsing it alone:\n{own:?}\n{alone:?}"
        );
    }
}

/// What an error may say: a message, and a quote of the failing assignment only.
fn check_error(full: &str, e: &SetError, markers_are_secret: bool) {
    let text = e.to_string();
    assert!(!e.message().is_empty(), "empty error message for {full:?}");
    let expected = if e.fragment().is_empty() {
        e.message().to_string()
    } else {
        format!("{} (in {:?})", e.message(), e.fragment())
    };
    assert_eq!(text, expected, "error Display for {full:?}");
    let fragment = e.fragment();
    // The value of a secret (a password, a userlist) is cut from the fragment: it then
    // ends with `…` right after the `=`. Either reading must be part of the input.
    let readings = [
        Some(fragment),
        fragment
            .strip_suffix('…')
            .filter(|body| body.ends_with('=')),
    ];
    let fits = readings.into_iter().flatten().any(|body| {
        let quoted = if body.chars().count() > MAX_FRAGMENT_CHARS {
            match body.strip_prefix('…') {
                Some(tail) => tail,
                None => return false,
            }
        } else {
            body
        };
        quoted.chars().count() <= MAX_FRAGMENT_CHARS && full.contains(quoted)
    });
    assert!(
        fits,
        "fragment {fragment:?} is not part of {full:?} (or too long)"
    );
    if markers_are_secret {
        assert!(
            !text.contains(MARKER),
            "error {text:?} quotes a value set before the failing assignment in {full:?}"
        );
    }
}

/// The tree with Helm's `typedVal` applied to every string: what `--set` would have
/// stored where `--set-string` stored the string.
fn retyped_map(map: &Map) -> Map {
    map.iter().map(|(k, v)| (k.clone(), retyped(v))).collect()
}

fn retyped(v: &Value) -> Value {
    match v {
        Value::String(s) => helm_typed_val(s),
        Value::Map(m) => Value::Map(retyped_map(m)),
        Value::List(l) => Value::List(l.iter().map(retyped).collect()),
        other => other.clone(),
    }
}

/// Helm's `typedVal` (pkg/strvals/parser.go), written from its Go source as an oracle:
/// `strings.EqualFold` for true/false/null, `"0"`, then `strconv.ParseInt(val, 10, 64)`
/// unless the value starts with `0`.
fn helm_typed_val(s: &str) -> Value {
    if go_equal_fold(s, "true") {
        Value::Bool(true)
    } else if go_equal_fold(s, "false") {
        Value::Bool(false)
    } else if go_equal_fold(s, "null") {
        Value::Null
    } else if s == "0" {
        Value::Int(0)
    } else if !s.is_empty() && !s.starts_with('0') {
        // Rust's i64 parsing has Go's base-10 ParseInt syntax: an optional sign, digits.
        s.parse::<i64>()
            .map_or_else(|_| Value::String(s.to_string()), Value::Int)
    } else {
        Value::String(s.to_string())
    }
}

/// Go's `strings.EqualFold` against an ASCII lowercase word: simple Unicode case folding,
/// under which only two non-ASCII characters fold to ASCII letters, `ſ` (U+017F) to `s`
/// and the Kelvin sign (U+212A) to `k` (Unicode CaseFolding.txt, status C).
fn go_equal_fold(s: &str, word: &str) -> bool {
    let fold = |c: char| match c {
        '\u{17F}' => 's',
        '\u{212A}' => 'k',
        c => c.to_ascii_lowercase(),
    };
    s.chars().count() == word.len() && s.chars().zip(word.chars()).all(|(c, w)| fold(c) == w)
}
