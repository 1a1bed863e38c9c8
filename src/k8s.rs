//! Kubernetes' own rules for the text it stores: object names, label keys and values,
//! Secret keys, resource quantities, image references, int-or-percent values.
//!
//! Each check returns why the text is refused, in words that name what is expected and
//! the first character or part at fault, never the whole text: the same checks run on
//! values, and errors about values may not echo them. The rules are those of
//! `k8s.io/apimachinery/pkg/util/validation` (names and labels), `resource.ParseQuantity`
//! and `github.com/distribution/reference` (images), as the API server and the kubelet
//! apply them.

/// A character named for a message: printable ones quoted, the rest by code point.
pub fn describe_char(c: char) -> String {
    match c {
        '\n' => "a line break".into(),
        '\r' => "a carriage return".into(),
        '\t' => "a tab".into(),
        '\0' => "a NUL character".into(),
        ' ' => "a space".into(),
        c if c.is_control() || c.is_whitespace() || !c.is_ascii() && !c.is_alphanumeric() => {
            format!("U+{:04X}", c as u32)
        }
        c => format!("{c:?}"),
    }
}

/// The first character of `text` that `allowed` refuses, named (see [`describe_char`]).
fn first_bad(text: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    text.chars().find(|&c| !allowed(c)).map(describe_char)
}

/// A DNS-1123 label (RFC 1123): 1 to 63 lowercase letters, digits and `-`, starting and
/// ending with a letter or digit. Namespaces, Services (which also may not start with a
/// digit, see [`check_service_name`]) and most name parts are labels.
pub fn check_dns_label(text: &str) -> Result<(), String> {
    const WHAT: &str = "a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";
    label_part(text, 63).map_err(|why| format!("expected {WHAT}; {why}"))
}

/// A name override (`nameOverride`, `fullnameOverride`): the characters of a DNS-1123
/// label, starting with a letter or digit, of any length: the chart cuts object names at
/// 63 characters and then drops one trailing `-` (Helm's `trunc 63 | trimSuffix "-"`), and
/// the rendered names are checked again ([`check_object_name`]).
pub fn check_name_override(text: &str) -> Result<(), String> {
    const WHAT: &str = "a name: lowercase letters, digits and '-', starting with a letter or digit (names are cut at 63 characters)";
    if let Some(bad) = first_bad(text, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    }) {
        return Err(format!("expected {WHAT}; found {bad}"));
    }
    if text.starts_with('-') {
        return Err(format!("expected {WHAT}; found '-' at the start"));
    }
    Ok(())
}

/// A full name override: a [name override](check_name_override) that starts with a
/// lowercase letter, because it becomes the whole name of a Service (a DNS-1035 label).
pub fn check_fullname_override(text: &str) -> Result<(), String> {
    check_name_override(text)?;
    match text.chars().next() {
        Some(c) if !c.is_ascii_lowercase() => Err(format!(
            "expected a name starting with a lowercase letter (it is the whole name of the \
             instance's Service, a DNS-1035 label); found {c:?} at the start"
        )),
        _ => Ok(()),
    }
}

/// A DNS-1123 subdomain: at most 253 characters, dot-separated parts of lowercase
/// letters, digits and `-` (each part unlimited but for the total, as Kubernetes'
/// `IsDNS1123Subdomain` checks it). Most
/// object names (ConfigMaps, Secrets, ServiceAccounts, PriorityClasses, ...) are
/// subdomains.
pub fn check_dns_subdomain(text: &str) -> Result<(), String> {
    const WHAT: &str = "a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit";
    subdomain(text).map_err(|why| format!("expected {WHAT}; {why}"))
}

fn subdomain(text: &str) -> Result<(), String> {
    if text.len() > 253 {
        return Err(format!("found {} characters", text.chars().count()));
    }
    if text.is_empty() {
        return Err("found an empty string".into());
    }
    // Kubernetes' IsDNS1123Subdomain limits the whole name, not each part.
    for part in text.split('.') {
        label_part(part, 253)?;
    }
    Ok(())
}

/// One DNS label of at most `max` characters; the message says what is wrong with it.
fn label_part(part: &str, max: usize) -> Result<(), String> {
    if part.is_empty() {
        return Err("found an empty part".into());
    }
    if let Some(bad) = first_bad(part, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    }) {
        return Err(format!("found {bad}"));
    }
    if part.len() > max {
        return Err(format!("found {} characters", part.len()));
    }
    if part.starts_with('-') || part.ends_with('-') {
        return Err("found '-' at the start or end".into());
    }
    Ok(())
}

/// A Service name: a DNS-1035 label (a DNS-1123 label that starts with a letter).
pub fn check_service_name(text: &str) -> Result<(), String> {
    check_dns_label(text)?;
    if !text.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(
            "expected a DNS-1035 label (a Service name): it must start with a lowercase letter"
                .into(),
        );
    }
    Ok(())
}

/// The name of an object of `kind`, as the API server checks it: Services are DNS-1035
/// labels and Namespaces DNS-1123 labels; everything else is a DNS-1123 subdomain, of at
/// most 63 characters for a Job (its name is also its pods' `job-name` label) and 52 for a
/// CronJob (which appends 11 characters for its Jobs).
pub fn check_object_name(kind: &str, name: &str) -> Result<(), String> {
    let longest = match kind {
        "Job" => 63,
        "CronJob" => 52,
        _ => 253,
    };
    if name.len() > longest {
        return Err(format!(
            "is {} characters long; a {kind} name has at most {longest} (set a shorter fullnameOverride)",
            name.len()
        ));
    }
    match kind {
        "Service" => check_service_name(name),
        "Namespace" => check_dns_label(name),
        _ => check_dns_subdomain(name),
    }
}

/// A key of a Secret's or ConfigMap's data: 1 to 253 of `[-._a-zA-Z0-9]`.
pub fn check_secret_key(text: &str) -> Result<(), String> {
    const WHAT: &str = "a Secret key: 1 to 253 letters, digits, '-', '_' and '.'";
    if text.is_empty() {
        return Err(format!("expected {WHAT}; found an empty string"));
    }
    if let Some(bad) = first_bad(text, |c| c.is_ascii_alphanumeric() || "-._".contains(c)) {
        return Err(format!("expected {WHAT}; found {bad}"));
    }
    if text.len() > 253 {
        return Err(format!("expected {WHAT}; found {} characters", text.len()));
    }
    Ok(())
}

/// A label or annotation key: `[prefix/]name`, the prefix a DNS-1123 subdomain, the name
/// 1 to 63 of `[A-Za-z0-9_.-]` starting and ending with a letter or digit.
pub fn check_label_key(key: &str) -> Result<(), String> {
    const WHAT: &str = "a label or annotation key: [prefix/]name, the prefix a DNS-1123 subdomain, the name at most 63 of letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        subdomain(prefix).map_err(|why| format!("expected {WHAT}; in the prefix, {why}"))?;
    }
    if name.is_empty() {
        return Err(format!("expected {WHAT}; found an empty name"));
    }
    label_value(name).map_err(|why| format!("expected {WHAT}; {why}"))
}

/// A label value: empty, or at most 63 of `[A-Za-z0-9_.-]` starting and ending with a
/// letter or digit.
pub fn check_label_value(text: &str) -> Result<(), String> {
    const WHAT: &str = "a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
    if text.is_empty() {
        return Ok(());
    }
    label_value(text).map_err(|why| format!("expected {WHAT}; {why}"))
}

fn label_value(text: &str) -> Result<(), String> {
    if let Some(bad) = first_bad(text, |c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(format!("found {bad}"));
    }
    if text.len() > 63 {
        return Err(format!("found {} characters", text.len()));
    }
    if !text.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !text.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Err("found a character other than a letter or digit at the start or end".into());
    }
    Ok(())
}

/// A resource quantity as text (`100m`, `0.5`, `256Mi`, `1e3`): `resource.ParseQuantity`.
pub fn check_quantity(text: &str) -> Result<(), String> {
    let bad = || {
        Err("expected a Kubernetes quantity (e.g. 100m, 0.5, 256Mi, 1Gi): a number, then one of the suffixes n u m k M G T P E Ki Mi Gi Ti Pi Ei or an exponent".to_string())
    };
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let number_end = unsigned
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(number_end);
    let digits = number.replace('.', "");
    if digits.is_empty() || number.matches('.').count() > 1 {
        return bad();
    }
    let suffix_ok = matches!(
        suffix,
        "" | "Ki"
            | "Mi"
            | "Gi"
            | "Ti"
            | "Pi"
            | "Ei"
            | "n"
            | "u"
            | "m"
            | "k"
            | "M"
            | "G"
            | "T"
            | "P"
            | "E"
    ) || suffix
        .strip_prefix(['e', 'E'])
        .map(|exp| exp.strip_prefix(['+', '-']).unwrap_or(exp))
        .is_some_and(|exp| !exp.is_empty() && exp.chars().all(|c| c.is_ascii_digit()));
    if suffix_ok { Ok(()) } else { bad() }
}

/// An IntOrString written as a string: a percentage `N%` (a string of digits alone is
/// refused by the API server: "a valid percent string must be a numeric string followed
/// by an ending '%'").
pub fn check_percent(text: &str) -> Result<(), String> {
    let digits = text.strip_suffix('%');
    if digits.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())) {
        return Ok(());
    }
    let hint = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        " (a whole number must be written without quotes, or with --set rather than --set-string)"
    } else {
        ""
    };
    Err(format!(
        "expected a whole number or a percentage such as 25%{hint}"
    ))
}

/// A registry host, as an image reference's domain: `host[:port]`, optionally followed by
/// path components (`registry.example.com/team`, a common chart convention).
pub fn check_image_registry(text: &str) -> Result<(), String> {
    const WHAT: &str =
        "a registry: a host name with an optional :port and /path (registry.example.com:5000/team)";
    let (domain, path) = match text.split_once('/') {
        Some((d, p)) => (d, Some(p)),
        None => (text, None),
    };
    domain_part(domain).map_err(|why| format!("expected {WHAT}; {why}"))?;
    if let Some(path) = path {
        path_components(path).map_err(|why| format!("expected {WHAT}; {why}"))?;
    }
    Ok(())
}

/// An image repository (the reference's name): lowercase path components separated by
/// `/`, the first of which may be a registry domain (`ghcr.io/qs/qspgb`).
pub fn check_image_repository(text: &str) -> Result<(), String> {
    const WHAT: &str = "an image repository: lowercase path components of letters, digits and single '.', '_', '__' or '-' separators, joined by '/', the first optionally a registry host[:port]";
    repository(text).map_err(|why| format!("expected {WHAT}; {why}"))
}

fn repository(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("found an empty string".into());
    }
    match text.split_once('/') {
        // A first component with a '.' or ':' or that is "localhost" is a domain.
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            domain_part(first)?;
            path_components(rest)
        }
        _ => path_components(text),
    }
}

/// `host[:port]`: DNS labels (upper case allowed, as in distribution/reference) or an
/// IPv6 address in brackets.
fn domain_part(domain: &str) -> Result<(), String> {
    let (host, port) = match domain.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || domain.starts_with('[') => (h, Some(p)),
        _ => (domain, None),
    };
    if let Some(port) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("found a port that is not a number".into());
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        if v6.is_empty() || first_bad(v6, |c| c.is_ascii_hexdigit() || c == ':').is_some() {
            return Err("found a bracketed host that is not an IPv6 address".into());
        }
        return Ok(());
    }
    if host.is_empty() {
        return Err("found an empty host".into());
    }
    for label in host.split('.') {
        if let Some(bad) = first_bad(label, |c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("found {bad} in the host"));
        }
        if label.is_empty() || label.starts_with('-') || label.ends_with('-') {
            return Err("found an empty host part, or one starting or ending with '-'".into());
        }
    }
    Ok(())
}

/// Path components `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` joined by `/`.
fn path_components(path: &str) -> Result<(), String> {
    for component in path.split('/') {
        if component.is_empty() {
            return Err("found an empty path component".into());
        }
        if let Some(bad) = first_bad(component, |c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)
        }) {
            return Err(format!("found {bad}"));
        }
        let bytes = component.as_bytes();
        let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if !alnum(&bytes[0]) || !alnum(&bytes[bytes.len() - 1]) {
            return Err(
                "found a path component not starting and ending with a letter or digit".into(),
            );
        }
        // Separators: one '.', one or two '_', or any number of '-'.
        let mut run = String::new();
        for &b in bytes {
            if alnum(&b) {
                let ok = run.is_empty()
                    || run == "."
                    || run == "_"
                    || run == "__"
                    || run.bytes().all(|c| c == b'-');
                if !ok {
                    return Err(format!("found the separator {run:?} in a path component"));
                }
                run.clear();
            } else {
                run.push(b as char);
            }
        }
    }
    Ok(())
}

/// An image tag, optionally with a digest: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`, then
/// `@algorithm:hex` (`1.24.1@sha256:...`, the README's way to pin a digest); or a digest
/// alone (`@sha256:...`, written `repository@sha256:...` by the image helper is not
/// possible, so the tag part is required).
pub fn check_image_tag(text: &str) -> Result<(), String> {
    const WHAT: &str = "an image tag: 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-', optionally followed by @sha256:<hex digest>";
    let (tag, digest) = match text.split_once('@') {
        Some((t, d)) => (t, Some(d)),
        None => (text, None),
    };
    tag_part(tag).map_err(|why| format!("expected {WHAT}; {why}"))?;
    if let Some(digest) = digest {
        check_digest(digest).map_err(|why| format!("expected {WHAT}; {why}"))?;
    }
    Ok(())
}

fn tag_part(tag: &str) -> Result<(), String> {
    if tag.is_empty() {
        return Err("found an empty tag".into());
    }
    if let Some(bad) = first_bad(tag, |c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
        return Err(format!("found {bad}"));
    }
    if tag.starts_with(['.', '-']) {
        return Err("found '.' or '-' at the start".into());
    }
    if tag.len() > 128 {
        return Err(format!("found {} characters", tag.len()));
    }
    Ok(())
}

/// `algorithm:hex`, the algorithm `[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*`,
/// at least 32 hex digits.
fn check_digest(digest: &str) -> Result<(), String> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err("found a digest without ':'".into());
    };
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.split(['-', '_', '+', '.']).all(|p| {
            p.starts_with(|c: char| c.is_ascii_alphabetic())
                && p.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    if !algorithm_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("found a digest that is not algorithm:hex (sha256:<64 hex digits>)".into());
    }
    Ok(())
}

/// A whole image reference `[registry/]repository[:tag][@digest]`, as a container's
/// `image` (the test Pods' `tests.image`).
pub fn check_image_reference(text: &str) -> Result<(), String> {
    const WHAT: &str = "an image reference: [registry[:port]/]repository[:tag][@sha256:digest]";
    let (name_tag, digest) = match text.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (text, None),
    };
    // The tag follows the last ':' that comes after the last '/'.
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag[last_slash..].rfind(':') {
        Some(i) => (
            &name_tag[..last_slash + i],
            Some(&name_tag[last_slash + i + 1..]),
        ),
        None => (name_tag, None),
    };
    repository(name).map_err(|why| format!("expected {WHAT}; {why}"))?;
    if let Some(tag) = tag {
        tag_part(tag).map_err(|why| format!("expected {WHAT}; in the tag, {why}"))?;
    }
    if let Some(digest) = digest {
        check_digest(digest).map_err(|why| format!("expected {WHAT}; {why}"))?;
    }
    Ok(())
}

/// Helm's rule for release names: a DNS-1123 subdomain of at most 53 characters (the rest of
/// the 63 is left for suffixes such as `-configmap`). The message quotes the name: it is a
/// command-line argument, never a value.
pub fn validate_release_name(name: &str) -> Result<(), String> {
    if name.len() > 53 || check_dns_subdomain(name).is_err() {
        return Err(format!(
            "invalid release name {name:?}: use at most 53 lowercase letters, digits, '-' and \
             '.', starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

/// A namespace must be a DNS-1123 label (what kube-apiserver accepts). The message quotes
/// the namespace: it is a command-line argument, never a value.
pub fn validate_namespace(ns: &str) -> Result<(), String> {
    if check_dns_label(ns).is_err() {
        return Err(format!(
            "invalid namespace {ns:?}: use at most 63 lowercase letters, digits and '-', \
             starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_quote_the_text() {
        let hostile = "x\n---\nkind: Namespace";
        for check in [
            check_dns_label,
            check_dns_subdomain,
            check_secret_key,
            check_label_key,
            check_label_value,
            check_quantity,
            check_percent,
            check_image_registry,
            check_image_repository,
            check_image_tag,
            check_image_reference,
        ] {
            let why = check(hostile).unwrap_err();
            assert!(!why.contains("Namespace") && !why.contains('\n'), "{why}");
        }
    }

    #[test]
    fn labels_and_names() {
        assert!(check_label_key("example.com/owner").is_ok());
        assert!(check_label_value("-x").is_err());
        assert!(check_label_value(&"a".repeat(64)).is_err());
        assert!(check_label_key("/k").is_err());
        assert!(check_service_name("1abc").is_err());
        assert!(check_object_name("Service", "pgbouncer-pharia").is_ok());
        assert!(check_object_name("ConfigMap", "a.b-c").is_ok());
    }

    #[test]
    fn images() {
        for ok in [
            "ghcr.io/icoretech/pgbouncer-docker",
            "prometheuscommunity/pgbouncer-exporter",
            "a__b/c-d/e.f",
            "[::1]:5000/x",
        ] {
            assert!(check_image_repository(ok).is_ok(), "{ok}");
        }
        for bad in ["a/", "a//b", "a_-b", "a..b", "A", "a b", "-a"] {
            assert!(check_image_repository(bad).is_err(), "{bad}");
        }
        for ok in ["v1.0", "latest", "1.24.1-p1", "x_y"] {
            assert!(check_image_tag(ok).is_ok(), "{ok}");
        }
        for bad in ["a:b", "a/b", "@sha256:x", &"a".repeat(129)] {
            assert!(check_image_tag(bad).is_err(), "{bad}");
        }
        assert!(check_image_reference("localhost:5000/x:y").is_ok());
        assert!(check_image_reference("x:").is_err());
    }

    #[test]
    fn release_names() {
        assert!(validate_release_name("my-pgbouncer").is_ok());
        assert!(validate_release_name("a.b").is_ok());
        assert!(validate_release_name("").is_err());
        assert!(validate_release_name("My").is_err());
        assert!(validate_release_name("-a").is_err());
        assert!(validate_release_name(&"a".repeat(54)).is_err());
    }

    #[test]
    fn namespaces() {
        assert!(validate_namespace("pharia-ai").is_ok());
        assert!(validate_namespace("").is_err());
        assert!(validate_namespace("a.b").is_err());
        assert!(validate_namespace("UPPER").is_err());
        assert!(validate_namespace(&"a".repeat(64)).is_err());
    }

    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn check_dns_label_example() {
        use crate::k8s::check_dns_label;
        assert!(check_dns_label("pgbouncer-pharia").is_ok());
        assert!(check_dns_label("PgBouncer").is_err());
        assert!(check_dns_label("a.b").is_err());
        assert!(check_dns_label(&"a".repeat(64)).is_err());
    }

    #[test]
    fn check_name_override_example() {
        use crate::k8s::check_name_override;
        assert!(check_name_override(&"a".repeat(80)).is_ok());
        assert!(check_name_override("PgBouncer").is_err());
        assert!(check_name_override("-a").is_err());
    }

    #[test]
    fn check_fullname_override_example() {
        use crate::k8s::check_fullname_override;
        assert!(check_fullname_override("pooler-1").is_ok());
        assert!(check_fullname_override("1e3").is_err());
    }

    #[test]
    fn check_dns_subdomain_example() {
        use crate::k8s::check_dns_subdomain;
        assert!(check_dns_subdomain("pgbouncer.pharia-admin").is_ok());
        assert!(check_dns_subdomain("a..b").is_err());
        assert!(check_dns_subdomain("x: y").is_err());
    }

    #[test]
    fn check_object_name_example() {
        use crate::k8s::check_object_name;
        assert!(check_object_name("Deployment", "pgbouncer-pharia").is_ok());
        assert!(check_object_name("Service", "1pgbouncer").is_err());
        assert!(check_object_name("ConfigMap", &"a".repeat(64)).is_ok());
        assert!(check_object_name("Job", &"a".repeat(64)).is_err());
        assert!(check_object_name("CronJob", &"a".repeat(53)).is_err());
        assert!(check_object_name("ConfigMap", "Upper").is_err());
    }

    #[test]
    fn check_secret_key_example() {
        use crate::k8s::check_secret_key;
        assert!(check_secret_key("adminPassword").is_ok());
        assert!(check_secret_key("user list").is_err());
    }

    #[test]
    fn check_label_key_example() {
        use crate::k8s::check_label_key;
        assert!(check_label_key("app.kubernetes.io/name").is_ok());
        assert!(check_label_key("tier").is_ok());
        assert!(check_label_key("bad key").is_err());
        assert!(check_label_key("Example.com/k").is_err());
    }

    #[test]
    fn check_label_value_example() {
        use crate::k8s::check_label_value;
        assert!(check_label_value("").is_ok());
        assert!(check_label_value("pgbouncerPharia").is_ok());
        assert!(check_label_value("-x").is_err());
    }

    #[test]
    fn check_quantity_example() {
        use crate::k8s::check_quantity;
        for ok in [
            "100m", "0.5", "256Mi", "1", "1e3", "2Gi", ".5", "1.5k", "+1",
        ] {
            assert!(check_quantity(ok).is_ok(), "{ok}");
        }
        for bad in ["256MB", "1 Gi", "", "one", "1.2.3", "Mi", "1e"] {
            assert!(check_quantity(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn check_percent_example() {
        use crate::k8s::check_percent;
        assert!(check_percent("25%").is_ok());
        assert!(check_percent("1").is_err());
        assert!(check_percent("x%").is_err());
    }

    #[test]
    fn check_image_registry_example() {
        use crate::k8s::check_image_registry;
        assert!(check_image_registry("registry.example.com").is_ok());
        assert!(check_image_registry("localhost:5000/team").is_ok());
        assert!(check_image_registry("x y").is_err());
    }

    #[test]
    fn check_image_repository_example() {
        use crate::k8s::check_image_repository;
        assert!(check_image_repository("ghcr.io/qs/qspgb").is_ok());
        assert!(check_image_repository("bitnami/pgbouncer").is_ok());
        assert!(check_image_repository("Bitnami/pgbouncer").is_err());
        assert!(check_image_repository("a:b").is_err());
    }

    #[test]
    fn check_image_tag_example() {
        use crate::k8s::check_image_tag;
        assert!(check_image_tag("1.24.1").is_ok());
        assert!(check_image_tag(&format!("1.24.1@sha256:{}", "a".repeat(64))).is_ok());
        assert!(check_image_tag("").is_err());
        assert!(check_image_tag("1.2 3").is_err());
        assert!(check_image_tag(".x").is_err());
    }

    #[test]
    fn check_image_reference_example() {
        use crate::k8s::check_image_reference;
        assert!(check_image_reference("postgres:17").is_ok());
        assert!(check_image_reference("registry.example.com:5000/db/postgres:17").is_ok());
        assert!(check_image_reference("postgres").is_ok());
        assert!(check_image_reference("postgres:17 --privileged").is_err());
    }

    #[test]
    fn validate_release_name_example() {
        use crate::k8s::validate_release_name;
        assert!(validate_release_name("my-pgbouncer").is_ok());
        assert!(validate_release_name(&"a".repeat(54)).is_err());
    }

    #[test]
    fn validate_namespace_example() {
        use crate::k8s::validate_namespace;
        assert!(validate_namespace("pharia-ai").is_ok());
        assert!(validate_namespace("a.b").is_err());
    }
}
