//! Names users bring from elsewhere for keys qspgb names differently: the original chart's
//! README and habits (`pdb`), other PgBouncer charts (`replicas`, `metrics`,
//! `containerSecurityContext`), CloudNativePG's `Pooler` spec (`instances`,
//! `pgbouncer.parameters`, `poolMode`, `deploymentStrategy`) and PgBouncer's own setting
//! names put one level too high (`pool_mode` beside `config.pgbouncer`).
//!
//! Edit distance cannot find these: `instances` is nothing like `replicaCount`, and
//! `pgbouncer` is close to `pgbouncerExporter` but means `config.pgbouncer`. So an alias,
//! when one is known, wins over edit distance ([`crate::suggest::closest`]).
//!
//! Sources (read for the names only): icoretech/helm `charts/pgbouncer` README.md and
//! values.yaml (4.0.2's keys are the instance keys here; its README documents a
//! `serviceAccount.create` the templates never read); CloudNativePG's `Pooler` API
//! (`spec.instances`, `spec.pgbouncer.{poolMode,parameters}`, `spec.monitoring`,
//! `spec.deploymentStrategy`, `spec.serviceTemplate`, `spec.cluster.name`, `spec.type`);
//! the Bitnami charts' conventions (`metrics.enabled`, `containerSecurityContext`,
//! `sidecars`, `initContainers`, `pdb`).

/// Where a key is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Inside an instance's values (`pgbouncerPharia.<at>.<key>`); the target is a key
    /// path inside the same instance.
    Instance,
    /// At the top level of the values (`<key>`); the target is a full key path.
    TopLevel,
}

/// A name a user may bring, and the key qspgb has for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyAlias {
    /// Instance or top level.
    pub scope: Scope,
    /// The dotted path of the map the key is written in, relative to the scope ("" for the
    /// scope itself).
    pub at: &'static str,
    /// The name the user wrote (compared without regard to ASCII case).
    pub key: &'static str,
    /// The dotted key path qspgb has for it, relative to the scope.
    pub target: &'static str,
    /// Where the name comes from, or why it maps there: the end of the hint.
    pub origin: &'static str,
}

const fn instance(
    at: &'static str,
    key: &'static str,
    target: &'static str,
    origin: &'static str,
) -> KeyAlias {
    KeyAlias {
        scope: Scope::Instance,
        at,
        key,
        target,
        origin,
    }
}

const fn top(key: &'static str, target: &'static str, origin: &'static str) -> KeyAlias {
    KeyAlias {
        scope: Scope::TopLevel,
        at: "",
        key,
        target,
        origin,
    }
}

const CNPG: &str = "CloudNativePG's Pooler spec";
const PGBOUNCER_SETTING: &str = "a PgBouncer setting: they go under config.pgbouncer";
const CNPG_CLUSTER: &str = "CloudNativePG's Pooler names its Cluster; here the databases' \
                            host names it: <cluster>-rw.<namespace>.svc";

/// Every known alias. A test renders each one and checks that its target is a key of the
/// schema, so an entry cannot outlive a renamed key.
pub static KEY_ALIASES: &[KeyAlias] = &[
    // The instance's own keys.
    instance("", "pdb", "podDisruptionBudget", "the usual short name"),
    instance(
        "",
        "replicas",
        "replicaCount",
        "Kubernetes' and other charts' name",
    ),
    instance("", "instances", "replicaCount", CNPG),
    instance("", "pgbouncer", "config.pgbouncer", CNPG),
    instance("", "parameters", "config.pgbouncer", CNPG),
    instance("", "poolMode", "config.pgbouncer.pool_mode", CNPG),
    instance(
        "",
        "pool_mode",
        "config.pgbouncer.pool_mode",
        PGBOUNCER_SETTING,
    ),
    instance(
        "",
        "max_client_conn",
        "config.pgbouncer.max_client_conn",
        PGBOUNCER_SETTING,
    ),
    instance(
        "",
        "maxClientConn",
        "config.pgbouncer.max_client_conn",
        PGBOUNCER_SETTING,
    ),
    instance(
        "",
        "default_pool_size",
        "config.pgbouncer.default_pool_size",
        PGBOUNCER_SETTING,
    ),
    instance(
        "",
        "defaultPoolSize",
        "config.pgbouncer.default_pool_size",
        PGBOUNCER_SETTING,
    ),
    instance(
        "",
        "auth_type",
        "config.pgbouncer.auth_type",
        PGBOUNCER_SETTING,
    ),
    instance(
        "",
        "authType",
        "config.pgbouncer.auth_type",
        PGBOUNCER_SETTING,
    ),
    instance(
        "",
        "databases",
        "config.databases",
        "the pgbouncer chart keeps them under config",
    ),
    instance(
        "",
        "userlist",
        "config.userlist",
        "the pgbouncer chart keeps it under config",
    ),
    instance(
        "",
        "adminUser",
        "config.adminUser",
        "the pgbouncer chart keeps it under config",
    ),
    instance(
        "",
        "adminPassword",
        "config.adminPassword",
        "the pgbouncer chart keeps it under config",
    ),
    instance(
        "",
        "authUser",
        "config.authUser",
        "the pgbouncer chart keeps it under config",
    ),
    instance("", "cluster", "config.databases", CNPG_CLUSTER),
    instance(
        "",
        "type",
        "config.databases",
        "CloudNativePG's Pooler type rw/ro: the host <cluster>-rw or <cluster>-ro",
    ),
    instance("", "monitoring", "pgbouncerExporter", CNPG),
    instance(
        "",
        "metrics",
        "pgbouncerExporter",
        "the Bitnami charts' name",
    ),
    instance(
        "",
        "exporter",
        "pgbouncerExporter",
        "the pgbouncer chart's name",
    ),
    instance(
        "",
        "podMonitor",
        "pgbouncerExporter.podMonitor",
        "the pgbouncer chart keeps it with the exporter",
    ),
    instance("", "deploymentStrategy", "updateStrategy", CNPG),
    instance(
        "",
        "strategy",
        "updateStrategy",
        "a Deployment's spec.strategy",
    ),
    instance("", "serviceTemplate", "service", CNPG),
    instance("", "hpa", "autoscaling", "the usual short name"),
    instance("", "env", "extraEnvs", "the pgbouncer chart's name"),
    instance(
        "",
        "sidecars",
        "extraContainers",
        "the Bitnami charts' name",
    ),
    instance(
        "",
        "initContainers",
        "extraInitContainers",
        "the pgbouncer chart's name",
    ),
    instance("", "volumes", "extraVolumes", "the pgbouncer chart's name"),
    instance(
        "",
        "volumeMounts",
        "extraVolumeMounts",
        "the pgbouncer chart's name",
    ),
    instance(
        "",
        "containerSecurityContext",
        "securityContext",
        "the Bitnami charts' name; securityContext is the PgBouncer container's",
    ),
    instance("", "tls", "clientTLS", "TLS between clients and PgBouncer"),
    instance(
        "",
        "podAntiAffinity",
        "podAntiAffinityPreset",
        "soft, hard or \"\"; affinity takes a whole Affinity object",
    ),
    instance(
        "",
        "antiAffinity",
        "podAntiAffinityPreset",
        "soft, hard or \"\"; affinity takes a whole Affinity object",
    ),
    instance(
        "",
        "serviceType",
        "service.type",
        "the pgbouncer chart keeps it under service",
    ),
    instance(
        "",
        "servicePort",
        "service.port",
        "the pgbouncer chart keeps it under service",
    ),
    instance(
        "",
        "imageTag",
        "image.tag",
        "the pgbouncer chart keeps it under image",
    ),
    // Inside the instance's maps.
    instance(
        "config",
        "poolMode",
        "config.pgbouncer.pool_mode",
        PGBOUNCER_SETTING,
    ),
    instance(
        "config",
        "pool_mode",
        "config.pgbouncer.pool_mode",
        PGBOUNCER_SETTING,
    ),
    instance("config", "parameters", "config.pgbouncer", CNPG),
    instance(
        "config",
        "max_client_conn",
        "config.pgbouncer.max_client_conn",
        PGBOUNCER_SETTING,
    ),
    instance(
        "config",
        "default_pool_size",
        "config.pgbouncer.default_pool_size",
        PGBOUNCER_SETTING,
    ),
    instance(
        "config",
        "auth_type",
        "config.pgbouncer.auth_type",
        PGBOUNCER_SETTING,
    ),
    instance(
        "config",
        "adminSecret",
        "config.existingAdminSecret",
        "the name of an existing Secret",
    ),
    instance(
        "config",
        "userlistSecret",
        "config.existingUserlistSecret",
        "the name of an existing Secret",
    ),
    instance(
        "serviceAccount",
        "create",
        "serviceAccount.name",
        "the pgbouncer chart's README documents serviceAccount.create, which its templates never read: a ServiceAccount is rendered unless serviceAccount.name names yours",
    ),
    instance(
        "pgbouncerExporter",
        "metricsPort",
        "pgbouncerExporter.servicePort",
        "the port the exporter listens on",
    ),
    instance(
        "pgbouncerExporter",
        "containerPort",
        "pgbouncerExporter.servicePort",
        "the port the exporter listens on",
    ),
    instance(
        "pgbouncerExporter",
        "serviceMonitor",
        "serviceMonitor",
        "qspgb keeps it beside the exporter, at the instance",
    ),
    instance(
        "podDisruptionBudget",
        "create",
        "podDisruptionBudget.enabled",
        "the pgbouncer chart's switch",
    ),
    // The top level: the two poolers' sections.
    top("pharia", "pgbouncerPharia", "the Pharia pooler's section"),
    top(
        "temporal",
        "pgbouncerTemporal",
        "the Temporal pooler's section",
    ),
];

/// The alias for `key` written in the map at `at` (dotted, relative to `scope`), if any.
pub fn lookup(scope: Scope, at: &str, key: &str) -> Option<&'static KeyAlias> {
    KEY_ALIASES
        .iter()
        .find(|a| a.scope == scope && a.at == at && a.key.eq_ignore_ascii_case(key))
}

impl KeyAlias {
    /// The hint after `unknown key "..."`, naming the full key path: `prefix` is the
    /// instance's alias (`pgbouncerPharia`) for [`Scope::Instance`], empty at the top level.
    pub fn hint(&self, prefix: &str) -> String {
        let target = if prefix.is_empty() {
            self.target.to_string()
        } else {
            format!("{prefix}.{}", self.target)
        };
        format!("did you mean {target:?}? {}", self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_unique_and_moves_somewhere_else() {
        for (i, a) in KEY_ALIASES.iter().enumerate() {
            let same = KEY_ALIASES[..i]
                .iter()
                .any(|b| b.scope == a.scope && b.at == a.at && b.key.eq_ignore_ascii_case(a.key));
            assert!(!same, "{a:?} is listed twice");
            let written = if a.at.is_empty() {
                a.key.to_string()
            } else {
                format!("{}.{}", a.at, a.key)
            };
            assert_ne!(written, a.target, "{a:?} points at itself");
        }
    }

    #[test]
    fn lookup_ignores_ascii_case_and_needs_the_place() {
        assert_eq!(
            lookup(Scope::Instance, "", "PDB").map(|a| a.target),
            Some("podDisruptionBudget")
        );
        assert_eq!(lookup(Scope::Instance, "config", "pdb"), None);
        assert_eq!(
            lookup(Scope::Instance, "", "pdb")
                .unwrap()
                .hint("pgbouncerPharia"),
            "did you mean \"pgbouncerPharia.podDisruptionBudget\"? the usual short name"
        );
    }
}
