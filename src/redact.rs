//! The one redaction policy: which values are secrets, and how every message a user sees
//! is kept free of them.
//!
//! Errors end up in CI logs and in Argo CD's UI, so README's rule is absolute: no secret,
//! nor any part of one, in any output. Three layers enforce it, all defined here:
//!
//! 1. **Which values are secret** ([`is_secret_path`]): passwords, userlist entries and
//!    tokens, by the name of the key that holds them.
//! 2. **Where a message is built**, text that may hold a secret is described, not quoted:
//!    a flag is named by its first key only ([`flag_text`]); a parser error on input that
//!    may hold credentials (a kubeconfig, a JSON object with a password) is reduced to its
//!    line and column ([`position_only`]).
//! 3. **Where a message leaves the program**, [`scrub`] replaces every run of text that
//!    shares four or more characters with a secret seen so far ([`remember`]). This layer
//!    catches what the first two miss: a schema error that quotes a key which was really
//!    the tail of a password cut at an unescaped comma, or a dependency's message.
//!
//! The registry behind [`remember`] and [`scrub`] is process-wide: secrets are found deep
//! in value parsing, and messages are printed at the top of the command.

use std::collections::HashSet;
use std::sync::Mutex;

use crate::value::{Map, Value};

/// The shortest run of a secret's characters that counts as a leak. Shorter runs are too
/// common in ordinary text ("the", key names) to be withheld without destroying messages.
pub const MIN_LEAK_CHARS: usize = 4;

/// What replaces withheld text in a message.
pub const WITHHELD: &str = "[redacted]";

/// Which key paths hold secrets: defined with the values tree (the build script shares
/// that file), and part of this policy.
pub use crate::value::is_secret_path;

/// Every secret seen in this process, as the set of its [`MIN_LEAK_CHARS`]-character
/// windows: a text leaks a secret exactly when it contains one of them.
///
/// Secrets are remembered on every render (each userlist entry of every input), messages
/// are scrubbed rarely, so the windows are built only when a message is scrubbed: a render
/// with 1,000 users spent a third of its time on windows nobody read.
#[derive(Debug, Default)]
pub struct Secrets {
    /// Remembered, not yet cut into windows.
    pending: Vec<String>,
    /// Hashed with foldhash: a render with 1,000 users cuts 160,000 windows, and SipHash
    /// made that most of the render's cost when a warning was printed.
    windows: HashSet<[char; MIN_LEAK_CHARS], foldhash::fast::RandomState>,
}

impl Secrets {
    /// Adds a secret, and its escaped form as `{:?}` and JSON print it (without the
    /// quotes around it, so that a message's own quotes stay).
    pub fn add(&mut self, secret: &str) {
        self.pending.push(secret.to_string());
    }

    /// Cuts the pending secrets into windows.
    fn build(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        // The same value is often remembered twice (from its input, then merged).
        pending.sort_unstable();
        pending.dedup();
        // Both forms' windows, at most: one table allocation instead of regrowing.
        self.windows
            .reserve(pending.iter().map(|secret| 2 * secret.len()).sum());
        for secret in pending {
            let quoted = format!("{secret:?}");
            let escaped = &quoted[1..quoted.len() - 1];
            for form in [secret.as_str(), escaped] {
                let chars: Vec<char> = form.chars().collect();
                for window in chars.windows(MIN_LEAK_CHARS) {
                    self.windows
                        .insert(window.try_into().expect("windows have MIN_LEAK_CHARS"));
                }
            }
        }
    }

    /// `text` with every run of characters that is covered by secret windows replaced by
    /// [`WITHHELD`]. Any substring of a secret of [`MIN_LEAK_CHARS`] or more characters is
    /// such a run, so none survives; linear in the text's length.
    pub fn scrub(&mut self, text: &str) -> String {
        self.build();
        if self.windows.is_empty() {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let mut hidden = vec![false; chars.len()];
        for (start, window) in chars.windows(MIN_LEAK_CHARS).enumerate() {
            let window: &[char; MIN_LEAK_CHARS] =
                window.try_into().expect("windows have MIN_LEAK_CHARS");
            if self.windows.contains(window) {
                hidden[start..start + MIN_LEAK_CHARS].fill(true);
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < chars.len() {
            if hidden[i] {
                out.push_str(WITHHELD);
                while i < chars.len() && hidden[i] {
                    i += 1;
                }
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        out
    }
}

static REGISTRY: Mutex<Option<Secrets>> = Mutex::new(None);

/// Remembers `secret` for [`scrub`]. Texts shorter than [`MIN_LEAK_CHARS`] cannot leak
/// under the policy and are ignored.
pub fn remember(secret: &str) {
    if secret.chars().count() < MIN_LEAK_CHARS {
        return;
    }
    let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    registry.get_or_insert_with(Secrets::default).add(secret);
}

/// Remembers every scalar of `values` whose key path is secret ([`is_secret_path`]): a
/// password, each userlist entry, each token.
pub fn remember_values(values: &Map) {
    fn walk(value: &Value, secret: bool) {
        match value {
            Value::Map(map) => {
                for (key, inner) in map {
                    walk(inner, secret || is_secret_path(key));
                }
            }
            Value::List(items) => items.iter().for_each(|item| walk(item, secret)),
            Value::String(text) if secret => remember(text),
            Value::Int(n) if secret => remember(&n.to_string()),
            Value::Float(f) if secret => remember(&f.to_string()),
            _ => {}
        }
    }
    for (key, value) in values {
        walk(value, is_secret_path(key));
    }
}

/// Remembers what a value flag's expression (`a.password=x,b=y`) may hold of a secret:
/// the value of each assignment to a secret key, and every comma-separated piece after it
/// that is not an assignment to a key path the chart knows (`is_known` says which key
/// paths are the chart's). Such a piece is most often the rest of a password that held an
/// unescaped comma; a later error quoting its "key" would otherwise print part of it.
pub fn remember_flag_secrets(expr: &str, is_known: &dyn Fn(&str) -> bool) {
    let pieces = split_unescaped_commas(expr);
    let mut in_tail = false;
    for (raw, plain) in &pieces {
        if in_tail {
            let starts_assignment = plain.split_once('=').is_some_and(|(key, _)| is_known(key));
            if !starts_assignment {
                remember(raw);
                remember(plain);
                continue;
            }
            in_tail = false;
        }
        if let Some((key, value)) = plain.split_once('=')
            && is_secret_path(key)
        {
            remember(value);
            if let Some((_, raw_value)) = raw.split_once('=') {
                remember(raw_value);
            }
            in_tail = true;
        }
    }
}

/// `expr` cut at commas not preceded by a backslash: each piece as written and with its
/// escapes resolved.
fn split_unescaped_commas(expr: &str) -> Vec<(String, String)> {
    let mut pieces = Vec::new();
    let (mut raw, mut plain) = (String::new(), String::new());
    let mut chars = expr.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                raw.push(c);
                if let Some(next) = chars.next() {
                    raw.push(next);
                    plain.push(next);
                }
            }
            ',' => pieces.push((std::mem::take(&mut raw), std::mem::take(&mut plain))),
            c => {
                raw.push(c);
                plain.push(c);
            }
        }
    }
    pieces.push((raw, plain));
    pieces
}

/// `text` as it may be shown: every run sharing [`MIN_LEAK_CHARS`] or more characters with
/// a remembered secret replaced by [`WITHHELD`]. Everything the program prints on stderr
/// goes through this.
pub fn scrub(text: &str) -> String {
    let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    match registry.as_mut() {
        Some(secrets) => secrets.scrub(text),
        None => text.to_string(),
    }
}

/// A value flag as a message names it: the flag and its first key, never anything after
/// the first `=` (values are often passwords, and a password may hold `,` and `=`), and
/// a JSON object only as "a JSON object" (it may set a password anywhere).
pub fn flag_text(flag: &str, expr: &str) -> String {
    if expr.trim_start().starts_with('{') {
        return format!("{flag} (a JSON object)");
    }
    match expr.split_once('=') {
        Some((key, _)) => format!("{flag} {:?}", format!("{key}=…")),
        None if expr.chars().count() > 100 => {
            format!(
                "{flag} (an expression of {} characters)",
                expr.chars().count()
            )
        }
        None => format!("{flag} {expr:?}"),
    }
}

/// A dependency's error message (YAML, JSON, kube) about input that may hold credentials,
/// reduced to what cannot leak: the numbers after `line` and `column`, when the message has
/// them. `what` says what failed to parse.
pub fn position_only(what: &str, message: &str) -> String {
    let number_after = |word: &str| -> Option<u64> {
        let lower = message.to_ascii_lowercase();
        let at = lower.find(word)? + word.len();
        let digits: String = lower[at..]
            .trim_start_matches([' ', ':'])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    let place = match (number_after("line"), number_after("column")) {
        (Some(line), Some(column)) => format!(" at line {line}, column {column}"),
        (Some(line), None) => format!(" at line {line}"),
        _ => String::new(),
    };
    format!("{what}{place} (the parser's message is not shown: the input holds credentials)")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The policy's promise: no substring of [`MIN_LEAK_CHARS`] characters survives,
    /// whatever surrounds it.
    #[test]
    fn no_window_of_a_secret_survives_a_scrub() {
        let secret = "pa,ss=wo\"rd\\x1";
        let mut secrets = Secrets::default();
        secrets.add(secret);
        let chars: Vec<char> = secret.chars().collect();
        for start in 0..chars.len() {
            for end in start + MIN_LEAK_CHARS..=chars.len() {
                let part: String = chars[start..end].iter().collect();
                for text in [
                    part.clone(),
                    format!("key {part:?} has no value"),
                    format!("x{part}y"),
                ] {
                    let shown = secrets.scrub(&text);
                    assert!(!shown.contains(&part), "{text} -> {shown}");
                }
            }
        }
        assert_eq!(secrets.scrub("a message"), "a message");
    }

    #[test]
    fn keys_that_name_where_a_secret_lives_are_not_secret() {
        for path in [
            "tokenSecretName",
            "clientTLS.secretName",
            "existingAdminSecret",
        ] {
            assert!(!is_secret_path(path), "{path}");
        }
        for path in ["auth.token", "x.passwd", "config.userlist.alice"] {
            assert!(is_secret_path(path), "{path}");
        }
    }

    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn scrub_example() {
        use crate::redact::Secrets;
        let mut secrets = Secrets::default();
        secrets.add("Sup3r,S3cret");
        assert_eq!(
            secrets.scrub(r#"unknown key "S3cret" at --set"#),
            r#"unknown key "[redacted]" at --set"#
        );
        assert_eq!(secrets.scrub("no leak: Sup"), "no leak: Sup");
    }

    #[test]
    fn remember_flag_secrets_example() {
        use crate::redact::{remember_flag_secrets, scrub};
        remember_flag_secrets("a.adminPassword=Xy7,Qwerty=Zz9,pgb.replicas=2", &|k| {
            k == "pgb.replicas"
        });
        assert_eq!(
            scrub("unknown key \"Qwerty\""),
            "unknown key \"[redacted]\""
        );
        assert_eq!(scrub("pgb.replicas: expected"), "pgb.replicas: expected");
    }

    #[test]
    fn flag_text_example() {
        use crate::redact::flag_text;
        assert_eq!(flag_text("--set", "a.b=secret,c[0]=x"), "--set \"a.b=…\"");
        assert_eq!(
            flag_text("--set-json", r#" {"a":{"password":"x"}}"#),
            "--set-json (a JSON object)"
        );
        assert_eq!(flag_text("--set", "no-equals"), "--set \"no-equals\"");
    }

    #[test]
    fn position_only_example() {
        use crate::redact::position_only;
        assert_eq!(
            position_only(
                "not valid YAML",
                "did not find ':' near 'token: abc' at line 3 column 7"
            ),
            "not valid YAML at line 3, column 7 (the parser's message is not shown: the input holds credentials)"
        );
        assert_eq!(
            position_only("not valid YAML", "bad 'token: abc'"),
            "not valid YAML (the parser's message is not shown: the input holds credentials)"
        );
    }
}
