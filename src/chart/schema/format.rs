//! The schemas' `format` keyword: the forms a string value must have, so that what the
//! templates write from it is what Kubernetes, PgBouncer and Prometheus accept, and cannot
//! be read as syntax of the file it lands in.
//!
//! JSON Schema lets a schema name its own formats; validators that do not know a format
//! ignore it (Helm's does, so the schema files still work with `helm`). qspgb knows exactly
//! these, and refuses a schema that names another one.
//!
//! Every string the schema describes is also refused when it holds a control character
//! (a line break, a tab, NUL, U+2028/U+2029), unless its format is `multiline`: see
//! [`check_characters`]. That rule, not the formats, is what keeps a value from adding a
//! line, a field or a document to what qspgb writes; the templates serialize every string
//! they write ([`crate::render::functions`] `scalar`, `quote`, `toYaml`), and the formats
//! say what the API server, PgBouncer and Prometheus will take.

pub use qspgb_schema::Format;

use super::ProblemKind;
use crate::k8s;

/// Why `text` does not have the format `format`, if it does not, and how bad that is:
/// [`ProblemKind::Invalid`] where the text would become syntax of what qspgb writes
/// (PromQL, a URL, pgbouncer.ini), [`ProblemKind::Undeployable`] where it would only be
/// refused by Kubernetes, PgBouncer or Prometheus (`--helm-exact` lets those through,
/// as Helm renders them). Messages never quote the text.
pub fn check(format: Format, text: &str) -> Result<(), (ProblemKind, String)> {
    if text.is_empty() && empty_means_unset(format) {
        return Ok(());
    }
    let undeployable = |r: Result<(), String>| r.map_err(|m| (ProblemKind::Undeployable, m));
    let invalid = |r: Result<(), String>| r.map_err(|m| (ProblemKind::Invalid, m));
    match format {
        Format::Multiline => Ok(()),
        Format::DnsLabel => undeployable(k8s::check_dns_label(text)),
        Format::NameOverride => undeployable(k8s::check_name_override(text)),
        Format::FullnameOverride => undeployable(k8s::check_fullname_override(text)),
        Format::DnsSubdomain => undeployable(k8s::check_dns_subdomain(text)),
        Format::SecretKey => undeployable(k8s::check_secret_key(text)),
        Format::LabelKey => undeployable(k8s::check_label_key(text)),
        Format::LabelValue => undeployable(k8s::check_label_value(text)),
        Format::Quantity => undeployable(k8s::check_quantity(text)),
        Format::Percent => undeployable(k8s::check_percent(text)),
        Format::ImageRegistry => undeployable(k8s::check_image_registry(text)),
        Format::ImageRepository => undeployable(k8s::check_image_repository(text)),
        Format::ImageTag => undeployable(k8s::check_image_tag(text)),
        Format::ImageReference => undeployable(k8s::check_image_reference(text)),
        Format::PrometheusDuration => undeployable(check_prometheus_duration(text)),
        Format::PrometheusLabelName => undeployable(check_prometheus_label_name(text)),
        Format::Number => invalid(check_number(text)),
        Format::CronSchedule => undeployable(check_cron_schedule(text)),
        Format::Host => invalid(check_host(text)),
        Format::PgbouncerName => invalid(check_pgbouncer_name(text)),
        Format::PgbouncerUser => check_pgbouncer_user(text),
    }
}

/// Whether the templates read an empty string of this format as "not set" and write
/// nothing (or their default) for it, as Helm's `default` and `if` do: then `""` is
/// fine. An empty image tag or quantity would be written as it is, and refused.
fn empty_means_unset(format: Format) -> bool {
    matches!(
        format,
        Format::Multiline
            | Format::DnsLabel
            | Format::NameOverride
            | Format::FullnameOverride
            | Format::DnsSubdomain
            | Format::SecretKey
            | Format::LabelKey
            | Format::LabelValue
            | Format::Percent
            | Format::ImageRegistry
            | Format::PrometheusDuration
    )
}

/// Whether `c` may not appear in a single-line value: C0 and C1 control characters, DEL,
/// and the characters YAML or a terminal treats as line or paragraph breaks
/// (U+2028, U+2029) or that YAML drops (U+FEFF).
pub fn is_forbidden_on_one_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// The control-character rule for a string the schema describes: no control characters at
/// all, or with the `multiline` format none but line breaks and tabs. The message names
/// the character, never the text.
pub fn check_characters(text: &str, format: Option<Format>) -> Result<(), String> {
    let multiline = format == Some(Format::Multiline);
    let bad = text.chars().find(|&c| {
        if multiline {
            is_forbidden_on_one_line(c) && !matches!(c, '\n' | '\r' | '\t')
        } else {
            is_forbidden_on_one_line(c)
        }
    });
    match bad {
        None => Ok(()),
        Some(c) => Err(format!(
            "contains {}; {}",
            k8s::describe_char(c),
            if multiline {
                "only line breaks and tabs are allowed among control characters here"
            } else {
                "control characters and line breaks are not allowed in this value"
            }
        )),
    }
}

/// A Prometheus duration: one or more `<number><unit>` with units y w d h m s ms, largest
/// first, or `0`.
pub fn check_prometheus_duration(text: &str) -> Result<(), String> {
    const UNITS: [&str; 7] = ["y", "w", "d", "h", "m", "s", "ms"];
    let bad = || Err("expected a Prometheus duration such as 30s, 5m or 1h30m".to_string());
    if text == "0" {
        return Ok(());
    }
    let mut rest = text;
    let mut last_unit: Option<usize> = None;
    if rest.is_empty() {
        return bad();
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return bad();
        }
        rest = &rest[digits..];
        // "ms" before "m".
        let Some(unit) = (0..UNITS.len())
            .rev()
            .find(|&i| rest.starts_with(UNITS[i]) && !(UNITS[i] == "m" && rest.starts_with("ms")))
        else {
            return bad();
        };
        if last_unit.is_some_and(|l| l >= unit) {
            return bad();
        }
        last_unit = Some(unit);
        rest = &rest[UNITS[unit].len()..];
    }
    Ok(())
}

/// A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn check_prometheus_label_name(text: &str) -> Result<(), String> {
    let ok = text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(
            "expected a Prometheus label name: letters, digits and '_', not starting with a digit"
                .into(),
        )
    }
}

/// A decimal number as text: optional sign, digits with an optional fraction, optional
/// exponent (`0.5`, `-1`, `1e3`). Nothing else can follow, so the text cannot become part
/// of an expression.
pub fn check_number(text: &str) -> Result<(), String> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, f),
        None => (mantissa, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let ok = digits(whole)
        && digits(fraction)
        && !(whole.is_empty() && fraction.is_empty())
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && digits(e)
        });
    if ok {
        Ok(())
    } else {
        Err("expected a number such as 0.5, 10 or 1e3".into())
    }
}

/// A cron schedule as the CronJob controller reads it: five fields of digits, `*`, `?`,
/// `/`, `,`, `-` and month or weekday names, or a `@` descriptor, optionally after
/// `TZ=`/`CRON_TZ=` (which Kubernetes refuses in `schedule`; it has `timeZone`).
pub fn check_cron_schedule(text: &str) -> Result<(), String> {
    const DESCRIPTORS: &[&str] = &[
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
    ];
    let bad = || {
        Err("expected a cron schedule: five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, ...".to_string())
    };
    if DESCRIPTORS.contains(&text) {
        return Ok(());
    }
    if let Some(every) = text.strip_prefix("@every ") {
        return if !every.is_empty() && every.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
        {
            Ok(())
        } else {
            bad()
        };
    }
    let fields: Vec<&str> = text.split(' ').filter(|f| !f.is_empty()).collect();
    if fields.len() != 5
        || !fields.iter().all(|f| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || "*?/,-".contains(c))
        })
    {
        return bad();
    }
    Ok(())
}

/// A host to put into a URL's authority: a DNS name or IPv4 address (letters, digits, `.`,
/// `-`, `_`), or an IPv6 address in brackets.
pub fn check_host(text: &str) -> Result<(), String> {
    let ok = if let Some(v6) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        !v6.is_empty()
            && v6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    } else {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
    };
    if ok {
        Ok(())
    } else {
        Err("expected a host name or IP address (an IPv6 address in brackets)".into())
    }
}

/// A name PgBouncer reads from pgbouncer.ini: ASCII letters, digits, `_ . - *` (see
/// [`crate::pgbouncer::check_name`]).
fn check_pgbouncer_name(text: &str) -> Result<(), String> {
    const WHAT: &str =
        "expected a PgBouncer name: ASCII letters, digits, '_', '.', '-' and '*' only";
    if text.is_empty() {
        return Err(format!("{WHAT}; found an empty string"));
    }
    match text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_.-*".contains(*c)))
    {
        Some(c) => Err(format!("{WHAT}; found {}", k8s::describe_char(c))),
        None => Ok(()),
    }
}

/// PgBouncer's longest user name is 127 bytes (`MAX_USERNAME` 128 with its NUL); see
/// [`crate::pgbouncer::MAX_USERNAME_BYTES`].
///
/// A user written into `admin_users` (a comma-separated list) or `auth_user`: no `,`
/// (it would name a second user), no blanks around it, and within PgBouncer's length.
fn check_pgbouncer_user(text: &str) -> Result<(), (ProblemKind, String)> {
    if text.contains(',') {
        return Err((
            ProblemKind::Invalid,
            "contains ',', which would make admin_users a list of two users".into(),
        ));
    }
    if text.is_empty() || text.trim() != text {
        return Err((
            ProblemKind::Invalid,
            "expected a user name without blanks at the start or end".into(),
        ));
    }
    crate::pgbouncer::check_user_name_length(text).map_err(|m| (ProblemKind::Undeployable, m))
}

#[cfg(test)]
mod tests {
    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn check_characters_example() {
        use crate::chart::schema::format::{Format, check_characters};
        assert!(check_characters("pgbouncer-pharia", None).is_ok());
        assert!(check_characters("x\n---\nkind: Namespace", None).is_err());
        assert!(check_characters("line one\nline two", Some(Format::Multiline)).is_ok());
        assert!(check_characters("nul\0", Some(Format::Multiline)).is_err());
    }

    #[test]
    fn check_prometheus_duration_example() {
        use crate::chart::schema::format::check_prometheus_duration;
        for ok in ["30s", "1h30m", "5m", "0", "100ms", "1y2w"] {
            assert!(check_prometheus_duration(ok).is_ok(), "{ok}");
        }
        for bad in ["", "30", "1.5s", "5 m", "m5", "30s5m"] {
            assert!(check_prometheus_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn check_number_example() {
        use crate::chart::schema::format::check_number;
        for ok in ["0.5", "1", "-2", "1e3", ".5", "10.0"] {
            assert!(check_number(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1 or vector(1)", "NaN", "0x10", "1_000", "inf"] {
            assert!(check_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn check_cron_schedule_example() {
        use crate::chart::schema::format::check_cron_schedule;
        for ok in ["*/15 * * * *", "0 3 * * MON-FRI", "@hourly", "@every 1h"] {
            assert!(check_cron_schedule(ok).is_ok(), "{ok}");
        }
        for bad in ["", "* * * *", "TZ=UTC * * * * *", "* * * * * *", "@often"] {
            assert!(check_cron_schedule(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn check_host_example() {
        use crate::chart::schema::format::check_host;
        for ok in ["127.0.0.1", "localhost", "[::1]", "pgbouncer.ns.svc"] {
            assert!(check_host(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a/b", "a:1", "user@host", "::1", "a?b"] {
            assert!(check_host(bad).is_err(), "{bad}");
        }
    }
}
