//! `connection_budget(Values, name)`: an instance's values read into the connection
//! budget's arithmetic ([`crate::pgbouncer::budget`]). Returns the `max_db_connections`
//! to derive (or none), and fails the render, naming the instance and the numbers, when
//! the worst case of server connections exceeds `connectionBudget.maxServerConnections`.

use minijinja::value::{Value as JValue, ValueKind};
use minijinja::{Error, ErrorKind};

use crate::pgbouncer::budget::{self, Database, Globals, Pod, Surge, User};

fn error(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

/// `v[key]`, undefined when `v` is not a map.
fn get(v: &JValue, key: &str) -> JValue {
    v.get_attr(key).unwrap_or(JValue::UNDEFINED)
}

fn is_set(v: &JValue) -> bool {
    !(v.is_undefined() || v.is_none())
}

/// A count: a whole number >= 0, or a decimal string of one (PgBouncer settings are
/// often quoted); none when unset.
fn count(v: &JValue, path: &str) -> Result<Option<u64>, Error> {
    if !is_set(v) {
        return Ok(None);
    }
    let parsed = match v.kind() {
        ValueKind::Number => i64::try_from(v.clone())
            .ok()
            .and_then(|n| u64::try_from(n).ok()),
        ValueKind::String => v.as_str().and_then(|s| s.trim().parse::<u64>().ok()),
        _ => None,
    };
    parsed.map(Some).ok_or_else(|| {
        error(format!(
            "{path} must be a whole number >= 0 for the connection budget, found {}",
            super::convert::go_string(v)
        ))
    })
}

fn text(v: &JValue) -> String {
    if is_set(v) {
        super::convert::go_string(v)
    } else {
        String::new()
    }
}

/// The desired pods and the rollout surge of the workload the values render: replicas
/// (or `autoscaling.maxReplicas`) with `updateStrategy` as the Deployment's `strategy`
/// (Recreate: no surge; `rollingUpdate.maxSurge` as written, Kubernetes' default 25%;
/// without one, gracefulShutdown's derived rollout: one pod), a peered instance's
/// StatefulSet (no surge), or a DaemonSet's `connectionBudget.nodes` with its
/// `rollingUpdate.maxSurge` (default 0).
fn pods(values: &JValue, name: &str) -> Result<(u64, u64, String), Error> {
    let strategy = get(values, "updateStrategy");
    let daemonset = text(&get(values, "kind")) == "DaemonSet";
    let (desired, what) = if daemonset {
        let nodes = count(
            &get(&get(values, "connectionBudget"), "nodes"),
            &format!("{name}.connectionBudget.nodes"),
        )?
        .ok_or_else(|| {
            error(format!(
                "{name}.connectionBudget: a DaemonSet runs one PgBouncer per node, and the values cannot know how many nodes there are: set connectionBudget.nodes to the most nodes it can run on"
            ))
        })?;
        (nodes, format!("{nodes} nodes"))
    } else if get(&get(values, "autoscaling"), "enabled").is_true() {
        let max = count(
            &get(&get(values, "autoscaling"), "maxReplicas"),
            &format!("{name}.autoscaling.maxReplicas"),
        )?
        .unwrap_or(0);
        (max, format!("autoscaling.maxReplicas {max}"))
    } else {
        let replicas = count(
            &get(values, "replicaCount"),
            &format!("{name}.replicaCount"),
        )?
        .unwrap_or(1);
        (replicas, format!("replicaCount {replicas}"))
    };
    let recreate = text(&get(&strategy, "type")) == "Recreate";
    let surge_value = get(&get(&strategy, "rollingUpdate"), "maxSurge");
    // A peered instance is a StatefulSet (docs/peering.md), which replaces pods without
    // surging; gracefulShutdown's own rollout (docs/drain.md) surges by exactly one pod.
    let peered = get(&get(values, "peering"), "enabled").is_true();
    let shutdown_rollout = !daemonset
        && get(&get(values, "gracefulShutdown"), "enabled").is_true()
        && !get(values, "lifecycle").is_true()
        && !strategy.is_true();
    let surge = if recreate || peered {
        Surge::Pods(0)
    } else if shutdown_rollout {
        Surge::Pods(1)
    } else if is_set(&surge_value) {
        let path = format!("{name}.updateStrategy.rollingUpdate.maxSurge");
        match surge_value.as_str() {
            Some(s) => match s.strip_suffix('%').map(str::parse::<u64>) {
                Some(Ok(p)) => Surge::Percent(p),
                _ => Surge::Pods(count(&surge_value, &path)?.unwrap_or(0)),
            },
            None => Surge::Pods(count(&surge_value, &path)?.unwrap_or(0)),
        }
    } else if daemonset {
        Surge::Pods(0)
    } else {
        Surge::Percent(25)
    };
    let extra = surge.pods(desired);
    let how = match surge {
        Surge::Percent(p) => format!("{what} + {extra} surge ({p}% rounded up)"),
        Surge::Pods(_) if recreate => format!("{what}, Recreate"),
        Surge::Pods(_) if peered => format!("{what}, a StatefulSet (no surge)"),
        Surge::Pods(n) => format!("{what} + {n} surge"),
    };
    Ok((desired, budget::max_pods(desired, surge), how))
}

/// One PgBouncer pod's pool settings, from `config`.
fn pod(values: &JValue, name: &str, wildcard: Option<u64>) -> Result<Pod, Error> {
    let config = get(values, "config");
    let settings = get(&config, "pgbouncer");
    let setting = |key: &str| {
        count(
            &get(&settings, key),
            &format!("{name}.config.pgbouncer.{key}"),
        )
    };
    let globals = Globals {
        default_pool_size: setting("default_pool_size")?.unwrap_or(20),
        reserve_pool_size: setting("reserve_pool_size")?.unwrap_or(0),
        max_db_connections: setting("max_db_connections")?.unwrap_or(0),
        max_user_connections: setting("max_user_connections")?.unwrap_or(0),
    };
    let mut databases = Vec::new();
    let entries = get(&config, "databases");
    if entries.kind() == ValueKind::Map {
        for key in entries.try_iter()? {
            let db_name = text(&key);
            let entry = entries.get_item(&key)?;
            let at = |k: &str| format!("{name}.config.databases.{db_name}.{k}");
            databases.push(Database {
                pool_size: count(&get(&entry, "pool_size"), &at("pool_size"))?,
                reserve_pool_size: match count(
                    &get(&entry, "reserve_pool_size"),
                    &at("reserve_pool_size"),
                )? {
                    Some(n) => Some(n),
                    None => count(&get(&entry, "reserve_pool"), &at("reserve_pool"))?,
                },
                max_db_connections: count(
                    &get(&entry, "max_db_connections"),
                    &at("max_db_connections"),
                )?,
                forced_user: is_set(&get(&entry, "user")),
                name: db_name,
            });
        }
    }
    // Who can log in: the userlist the chart renders (its entries and the admin user),
    // unless an existing Secret or auth_query decides, which the values cannot see.
    let users_settings = get(&config, "users");
    let known = text(&get(&config, "existingUserlistSecret")).is_empty()
        && text(&get(&config, "authUser")).is_empty();
    let users = if known {
        let mut names = Vec::new();
        let userlist = get(&config, "userlist");
        if userlist.kind() == ValueKind::Map {
            for key in userlist.try_iter()? {
                names.push(text(&key));
            }
        }
        if text(&get(&config, "existingAdminSecret")).is_empty() {
            let admin = text(&get(&config, "adminUser"));
            if !admin.is_empty() && !names.contains(&admin) {
                names.push(admin);
            }
        }
        let mut users = Vec::new();
        for user in names {
            let entry = get(&users_settings, &user);
            let at = |k: &str| format!("{name}.config.users.{user}.{k}");
            users.push(User {
                pool_size: count(&get(&entry, "pool_size"), &at("pool_size"))?,
                reserve_pool_size: count(
                    &get(&entry, "reserve_pool_size"),
                    &at("reserve_pool_size"),
                )?,
                max_user_connections: count(
                    &get(&entry, "max_user_connections"),
                    &at("max_user_connections"),
                )?,
            });
        }
        Some(users)
    } else {
        None
    };
    Ok(Pod {
        globals,
        databases,
        users,
        wildcard_databases: wildcard,
    })
}

/// `connection_budget(Values, Chart.Name)`: with `connectionBudget.maxServerConnections`
/// set, the worst case of server connections of the instance (one pod's worst case times
/// the most pods at once) must fit it, else the render fails naming the numbers and the
/// fixes. With `deriveMaxDbConnections`, returns floor(budget / (pods x databases)) as the
/// `max_db_connections` to write, unless `config.pgbouncer.max_db_connections` is set
/// (the user's setting is kept, and checked). None when the budget is off.
pub(super) fn connection_budget(values: &JValue, name: &str) -> Result<JValue, Error> {
    let settings = get(values, "connectionBudget");
    let at = |k: &str| format!("{name}.connectionBudget.{k}");
    let Some(limit) = count(
        &get(&settings, "maxServerConnections"),
        &at("maxServerConnections"),
    )?
    else {
        return Ok(JValue::from(()));
    };
    let wildcard = count(
        &get(&settings, "wildcardDatabases"),
        &at("wildcardDatabases"),
    )?;
    let (_, max_pods, how) = pods(values, name)?;
    let mut pod = pod(values, name, wildcard)?;
    let explicit = is_set(&get(
        &get(&get(values, "config"), "pgbouncer"),
        "max_db_connections",
    ));
    let mut derived = None;
    if get(&settings, "deriveMaxDbConnections").is_true() && !explicit {
        let cap = budget::derived_max_db_connections(limit, max_pods, pod.database_count())
            .ok_or_else(|| {
                error(match pod.database_count() {
                    None => format!(
                        "{name}.connectionBudget: cannot derive max_db_connections: the wildcard database \"*\" can open pools for any database of the server; set connectionBudget.wildcardDatabases to how many it can reach"
                    ),
                    Some(n) => format!(
                        "{name}.connectionBudget: cannot derive max_db_connections: maxServerConnections {limit} is less than one connection for each of {max_pods} pods ({how}) x {n} databases; raise the budget or run fewer pods"
                    ),
                })
            })?;
        pod.globals.max_db_connections = cap;
        derived = Some(cap);
    }
    let Some(per_pod) = pod.worst_case() else {
        let unbounded_wildcard = wildcard.is_none() && pod.databases.iter().any(|d| d.name == "*");
        return Err(error(if unbounded_wildcard {
            format!(
                "{name}.connectionBudget: the server connections of {name} have no upper bound (the wildcard database \"*\" opens pools for any database a client names), so they cannot fit maxServerConnections {limit}: set connectionBudget.wildcardDatabases to how many databases it can reach, with config.pgbouncer.max_db_connections or connectionBudget.deriveMaxDbConnections: true"
            )
        } else {
            format!(
                "{name}.connectionBudget: the server connections of {name} have no upper bound (anyone the existing userlist Secret or auth_query lets in gets their own pools), so they cannot fit maxServerConnections {limit}: set config.pgbouncer.max_db_connections, or connectionBudget.deriveMaxDbConnections: true"
            )
        }));
    };
    let total = per_pod.saturating_mul(max_pods);
    if total > limit {
        let fit = pod
            .database_count()
            .and_then(|n| budget::derived_max_db_connections(limit, max_pods, Some(n)));
        return Err(error(format!(
            "{name}.connectionBudget: up to {max_pods} pods ({how}) x {per_pod} server connections each = {total}, more than maxServerConnections {limit}: lower the pool sizes or the pods, {}or set connectionBudget.deriveMaxDbConnections: true{}",
            match fit {
                Some(cap) => format!("set config.pgbouncer.max_db_connections to at most {cap}, "),
                None => String::new(),
            },
            if explicit {
                " (without config.pgbouncer.max_db_connections, which it never overrides)"
            } else {
                ""
            }
        )));
    }
    Ok(derived.map_or(JValue::from(()), JValue::from))
}
