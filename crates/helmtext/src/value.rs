//! The values tree: what values files, `--set` flags and chart defaults parse into.
//!
//! Helm keeps values as `map[string]interface{}` decoded from JSON, so every number is a
//! float64 and `1000000` prints as `1e+06` in templates. We keep integers exact instead
//! (see docs/differences.md), which is why [`Value`] has separate `Int` and
//! `Float` variants. Maps keep insertion order ([`indexmap`]) so that error messages and
//! `qspgb values` can follow the input; everything that Helm iterates in sorted order
//! (template `range`, `toYaml`) sorts explicitly.

use indexmap::IndexMap;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A map of values, in insertion order.
///
/// Hashed with foldhash (already linked through hashbrown) rather than std's SipHash: a
/// render hashes a few thousand short keys, and SipHash was 3 % of it. foldhash's seed is
/// random per process, like std's, and the input budgets (see `crate::files`) bound how
/// many keys any map can hold.
pub type Map = IndexMap<String, Value, foldhash::fast::RandomState>;

/// One node of a values tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// YAML `null` / `~` / empty; in Helm a null deletes the default it overrides.
    #[default]
    Null,
    /// `true` / `false` (and YAML 1.1 spellings such as `yes` or `off` in files).
    Bool(bool),
    /// A whole number that fits in 64 bits.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    String(String),
    /// A sequence.
    List(Vec<Value>),
    /// A mapping with string keys.
    Map(Map),
}

impl Value {
    /// The map inside, if this is a map.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The map inside, mutably, if this is a map.
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is a map (Helm calls maps "tables").
    pub fn is_map(&self) -> bool {
        matches!(self, Value::Map(_))
    }

    /// A short name of the type, for error messages ("map", "list", "string", ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// Follows a dotted path (`a.b.c`) through nested maps, like Helm's `Values.PathValue`.
    ///
    /// ```
    /// # use qspgb_helmtext::value::{Value, Map};
    /// let mut inner = Map::default();
    /// inner.insert("enabled".into(), Value::Bool(true));
    /// let mut root = Map::default();
    /// root.insert("pgbouncerPharia".into(), Value::Map(inner));
    /// let root = Value::Map(root);
    /// assert_eq!(root.path("pgbouncerPharia.enabled"), Some(&Value::Bool(true)));
    /// assert_eq!(root.path("pgbouncerPharia.missing"), None);
    /// ```
    pub fn path(&self, dotted: &str) -> Option<&Value> {
        map_path(self.as_map()?, dotted)
    }
}

/// [`Value::path`] starting from a map, without wrapping the map in a [`Value`] first.
pub fn map_path<'a>(map: &'a Map, dotted: &str) -> Option<&'a Value> {
    let (first, rest) = dotted.split_once('.').unwrap_or((dotted, ""));
    let here = map.get(first)?;
    if rest.is_empty() {
        Some(here)
    } else {
        here.path(rest)
    }
}

/// Whether `text` names a secret value: a key path (`pgbouncerPharia.config.adminPassword`,
/// `config.userlist.bob`, `a[0].password`) or any text holding such a key (a `--set`
/// expression, a JSON object). Part of the redaction policy of `crate::redact`.
///
/// Secrets are passwords (`*password*`, `*passwd*`), userlist entries (anything under a
/// `userlist` key) and tokens (`*token*`). A key ending in `Key` or `Name`
/// (`adminPasswordKey`, `tokenSecretName`) names where a secret is kept, not the secret,
/// and so does a key ending in `Secret` (`existingUserlistSecret`).
///
/// ```
/// use qspgb_helmtext::value::is_secret_path;
/// assert!(is_secret_path("pgbouncerPharia.config.adminPassword"));
/// assert!(is_secret_path("config.userlist.bob"));
/// assert!(is_secret_path(r#"{"config":{"authPassword":"x"}}"#));
/// assert!(is_secret_path("users[0].token"));
/// assert!(!is_secret_path("pgbouncerPharia.config.adminPasswordKey"));
/// assert!(!is_secret_path("config.existingUserlistSecret"));
/// assert!(!is_secret_path("pgbouncerPharia.replicaCount"));
/// ```
pub fn is_secret_path(text: &str) -> bool {
    // Case-insensitive without lowercasing into new strings: this runs for every key of
    // every input (8,000 keys for 1,000 users), so it must not allocate.
    fn has(word: &str, part: &str) -> bool {
        word.as_bytes()
            .windows(part.len())
            .any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
    }
    fn ends(word: &str, part: &str) -> bool {
        word.len() >= part.len()
            && word.as_bytes()[word.len() - part.len()..].eq_ignore_ascii_case(part.as_bytes())
    }
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            let names_a_place = ends(word, "key") || ends(word, "name") || ends(word, "secret");
            word.eq_ignore_ascii_case("userlist")
                || ((has(word, "password") || has(word, "passwd") || has(word, "token"))
                    && !names_a_place)
        })
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Float(f) => serializer.serialize_f64(*f),
            Value::String(s) => serializer.serialize_str(s),
            Value::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    out.serialize_entry(k, v)?;
                }
                out.end()
            }
        }
    }
}

impl Value {
    /// A map from `(key, value)` pairs, in their order.
    ///
    /// ```
    /// # use qspgb_helmtext::value::Value;
    /// let v = Value::map_of([("a", Value::Int(1))]);
    /// assert_eq!(v.path("a"), Some(&Value::Int(1)));
    /// ```
    pub fn map_of<'a>(pairs: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}
