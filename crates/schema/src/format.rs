//! The names a schema's `format` keyword may take: qspgb's own formats (JSON Schema lets a
//! schema name its own; validators that do not know one ignore it, as Helm's does). What
//! each format accepts is qspgb's (`chart::schema::format`); the compiler only refuses a
//! name it does not know.

/// A named string format of the chart's schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Line breaks and tabs allowed (annotation values, command lines).
    Multiline,
    /// A DNS-1123 label (names that are also label values or Service names).
    DnsLabel,
    /// A name override: DNS-1123 label characters, of any length (the chart cuts names
    /// at 63 characters and drops one trailing '-', as Helm's `trunc 63 | trimSuffix "-"`).
    NameOverride,
    /// A full name override: a name override that starts with a letter, since it is the
    /// whole name of the instance's Service (a DNS-1035 label).
    FullnameOverride,
    /// A DNS-1123 subdomain (object names: Secrets, ServiceAccounts, PriorityClasses).
    DnsSubdomain,
    /// A key of a Secret's data.
    SecretKey,
    /// A label or annotation key.
    LabelKey,
    /// A label value.
    LabelValue,
    /// A resource quantity.
    Quantity,
    /// The string form of an IntOrString: `N%`.
    Percent,
    /// An image registry host (`registry.example.com[:port][/path]`).
    ImageRegistry,
    /// An image repository (`ghcr.io/qs/qspgb`).
    ImageRepository,
    /// An image tag, optionally with `@sha256:` digest.
    ImageTag,
    /// A whole image reference (`postgres:17`).
    ImageReference,
    /// A Prometheus duration (`30s`, `1h30m`).
    PrometheusDuration,
    /// A Prometheus label name (`severity`, `team_name`).
    PrometheusLabelName,
    /// A decimal number written as text (PromQL thresholds: written into an expression).
    Number,
    /// A cron schedule (`*/15 * * * *`, `@hourly`).
    CronSchedule,
    /// A host name or IP address written into a URL (`127.0.0.1`).
    Host,
    /// A name PgBouncer reads from pgbouncer.ini (databases, settings).
    PgbouncerName,
    /// A PgBouncer user written into `admin_users`/`auth_user` and the userlist.
    PgbouncerUser,
}

impl Format {
    /// The format a schema names, or `None` for one qspgb does not know.
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "multiline" => Format::Multiline,
            "k8s-dns-label" => Format::DnsLabel,
            "k8s-name-override" => Format::NameOverride,
            "k8s-fullname-override" => Format::FullnameOverride,
            "k8s-dns-subdomain" => Format::DnsSubdomain,
            "k8s-secret-key" => Format::SecretKey,
            "k8s-label-key" => Format::LabelKey,
            "k8s-label-value" => Format::LabelValue,
            "k8s-quantity" => Format::Quantity,
            "k8s-percent" => Format::Percent,
            "image-registry" => Format::ImageRegistry,
            "image-repository" => Format::ImageRepository,
            "image-tag" => Format::ImageTag,
            "image-reference" => Format::ImageReference,
            "prometheus-duration" => Format::PrometheusDuration,
            "prometheus-label-name" => Format::PrometheusLabelName,
            "number" => Format::Number,
            "cron-schedule" => Format::CronSchedule,
            "host" => Format::Host,
            "pgbouncer-name" => Format::PgbouncerName,
            "pgbouncer-user" => Format::PgbouncerUser,
            _ => return None,
        })
    }

    /// The names qspgb knows, for the error about an unknown one.
    pub const NAMES: &'static [&'static str] = &[
        "multiline",
        "k8s-dns-label",
        "k8s-name-override",
        "k8s-fullname-override",
        "k8s-dns-subdomain",
        "k8s-secret-key",
        "k8s-label-key",
        "k8s-label-value",
        "k8s-quantity",
        "k8s-percent",
        "image-registry",
        "image-repository",
        "image-tag",
        "image-reference",
        "prometheus-duration",
        "prometheus-label-name",
        "number",
        "cron-schedule",
        "host",
        "pgbouncer-name",
        "pgbouncer-user",
    ];
}
