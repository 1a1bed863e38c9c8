//! The connection budget a CloudNativePG `Cluster` allows (`qspgb lint --consult-cluster`):
//! what its PostgreSQL accepts from PgBouncer, read from the Cluster object. The reading of
//! the object is pure ([`budget_of`]); [`read_budget`] is the one API request.

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use serde_json::Value as Json;

/// CloudNativePG's default `max_connections` when the Cluster sets none.
pub const CNPG_DEFAULT_MAX_CONNECTIONS: u64 = 100;
/// PostgreSQL's default `superuser_reserved_connections`.
pub const POSTGRES_DEFAULT_RESERVED: u64 = 3;

/// What a Cluster allows: its `max_connections`, the slots reserved for superusers, and
/// the difference, the most server connections PgBouncer's (non-superuser) roles can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterBudget {
    /// `spec.postgresql.parameters.max_connections`, or CloudNativePG's default.
    pub max_connections: u64,
    /// `spec.postgresql.parameters.superuser_reserved_connections`, or PostgreSQL's default.
    pub reserved: u64,
}

impl ClusterBudget {
    /// The connections left for everyone but superusers.
    pub fn available(self) -> u64 {
        self.max_connections.saturating_sub(self.reserved)
    }
}

/// Reads the budget out of a Cluster object. CloudNativePG keeps PostgreSQL parameters as
/// strings (`"200"`); a number is accepted too. Anything else names the field.
pub fn budget_of(cluster: &Json) -> Result<ClusterBudget, String> {
    let parameters = &cluster["spec"]["postgresql"]["parameters"];
    let read = |name: &str, default: u64| -> Result<u64, String> {
        match &parameters[name] {
            Json::Null => Ok(default),
            Json::Number(n) => n
                .as_u64()
                .ok_or_else(|| format!("spec.postgresql.parameters.{name}: {n} is no count")),
            Json::String(s) => s.trim().parse().map_err(|_| {
                format!("spec.postgresql.parameters.{name}: {s:?} is no whole number")
            }),
            other => Err(format!(
                "spec.postgresql.parameters.{name}: expected a number, found {other}"
            )),
        }
    };
    Ok(ClusterBudget {
        max_connections: read("max_connections", CNPG_DEFAULT_MAX_CONNECTIONS)?,
        reserved: read("superuser_reserved_connections", POSTGRES_DEFAULT_RESERVED)?,
    })
}

/// Gets Cluster `name` in `namespace` and reads its budget.
pub async fn read_budget(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<ClusterBudget, String> {
    let gvk = GroupVersionKind::gvk("postgresql.cnpg.io", "v1", "Cluster");
    let resource = ApiResource::from_gvk_with_plural(&gvk, "clusters");
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
    let object = api.get(name).await.map_err(|e| match e {
        kube::Error::Api(status) if status.code == 404 => format!(
            "postgresql.cnpg.io/v1 Cluster {namespace}/{name} not found (or CloudNativePG's \
             CRD is not installed)"
        ),
        other => format!("reading postgresql.cnpg.io/v1 Cluster {namespace}/{name}: {other}"),
    })?;
    let json = serde_json::to_value(&object).map_err(|e| e.to_string())?;
    budget_of(&json).map_err(|e| format!("Cluster {namespace}/{name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_max_connections_minus_the_reserved_slots() {
        let cluster = |parameters: Json| serde_json::json!({"spec": {"postgresql": {"parameters": parameters}}});
        let cases = [
            (serde_json::json!({}), (100, 3, 97)),
            (serde_json::json!({"max_connections": "20"}), (20, 3, 17)),
            (
                serde_json::json!({"max_connections": 300, "superuser_reserved_connections": "10"}),
                (300, 10, 290),
            ),
            (serde_json::json!({"max_connections": "2"}), (2, 3, 0)),
        ];
        for (parameters, (max, reserved, available)) in cases {
            let budget = budget_of(&cluster(parameters.clone())).unwrap();
            assert_eq!(
                (budget.max_connections, budget.reserved, budget.available()),
                (max, reserved, available),
                "{parameters}"
            );
        }
        assert_eq!(budget_of(&serde_json::json!({})).unwrap().available(), 97);
        for bad in [
            serde_json::json!({"max_connections": "many"}),
            serde_json::json!({"max_connections": -1}),
            serde_json::json!({"max_connections": true}),
        ] {
            let err = budget_of(&cluster(bad.clone())).unwrap_err();
            assert!(
                err.contains("spec.postgresql.parameters.max_connections"),
                "{bad}: {err}"
            );
        }
    }
}
