//! `gracefulShutdown` against an explicit `terminationGracePeriodSeconds`: whether the
//! clients of every pool mode in use can drain before the kubelet's SIGKILL. The template
//! derives the grace period from the same rule (`derivedGracePeriod` in
//! templates/pgbouncer/_helpers.tpl) when it is not set; docs/drain.md has the sequence.
//!
//! A grace period that is too short is a warning, not an error: Kubernetes and PgBouncer
//! accept it, and cutting off clients that never disconnect can be a deliberate choice. A
//! grace period not longer than the drain is refused by the render (the preStop hook would
//! never signal PgBouncer).

use super::{Finding, Severity, value_finding};
use crate::value::{Map, Value, map_path};
use crate::values::InputReport;

/// The pool modes an instance's pools run in: `config.pgbouncer.pool_mode` (PgBouncer's
/// default is session) and every `config.databases.*.pool_mode` and
/// `config.users.*.pool_mode`.
pub fn pool_modes(instance: &Map) -> Vec<String> {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let mut modes =
        vec![text(map_path(instance, "config.pgbouncer.pool_mode")).unwrap_or("session".into())];
    for section in ["config.databases", "config.users"] {
        if let Some(Value::Map(entries)) = map_path(instance, section) {
            for params in entries.values() {
                if let Value::Map(params) = params
                    && let Some(mode) = text(params.get("pool_mode"))
                {
                    modes.push(mode);
                }
            }
        }
    }
    modes.sort();
    modes.dedup();
    modes
}

/// The seconds a pool mode needs within the grace period, counted from the pod's deletion:
/// the drain, then the wait for clients to leave (`clientSeconds.<mode>`), then, in
/// transaction and statement mode, the transactions still running when PgBouncer turns the
/// remaining clients away (`transactionSeconds`). In session mode that last step frees
/// nothing: every connected client holds its server connection until it disconnects.
pub fn needed_seconds(mode: &str, drain: i64, client: (i64, i64), transactions: i64) -> i64 {
    match mode {
        "session" => drain + client.1,
        _ => drain + client.0 + transactions,
    }
}

/// The warning when `gracefulShutdown` applies (enabled, no `lifecycle`) and the explicit
/// `terminationGracePeriodSeconds` is shorter than what a pool mode in use needs.
pub fn shutdown_findings(alias: &str, instance: &Map, report: &InputReport) -> Vec<Finding> {
    let int = |path: &str| match map_path(instance, path) {
        Some(Value::Int(i)) => Some(*i),
        _ => None,
    };
    let enabled = map_path(instance, "gracefulShutdown.enabled") == Some(&Value::Bool(true));
    let lifecycle = match instance.get("lifecycle") {
        Some(Value::Map(m)) => !m.is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    };
    let (Some(grace), Some(drain), Some(transaction), Some(session), Some(transactions)) = (
        int("terminationGracePeriodSeconds"),
        int("gracefulShutdown.drainSeconds"),
        int("gracefulShutdown.clientSeconds.transaction"),
        int("gracefulShutdown.clientSeconds.session"),
        int("gracefulShutdown.transactionSeconds"),
    ) else {
        return Vec::new();
    };
    if !enabled || lifecycle || grace <= drain {
        // Off, the user's own hook, or refused by the render.
        return Vec::new();
    }
    let Some((mode, needed)) = pool_modes(instance)
        .into_iter()
        .map(|mode| {
            let needed = needed_seconds(&mode, drain, (transaction, session), transactions);
            (mode, needed)
        })
        .max_by_key(|(_, needed)| *needed)
        .filter(|(_, needed)| *needed > grace)
    else {
        return Vec::new();
    };
    let why = if mode == "session" {
        format!(
            "a {mode}-mode client holds its server connection until it disconnects, and \
             gracefulShutdown gives the clients drainSeconds ({drain}) + clientSeconds.session \
             ({session}) = {needed} s"
        )
    } else {
        format!(
            "gracefulShutdown gives {mode}-mode clients drainSeconds ({drain}) + \
             clientSeconds.transaction ({transaction}) + transactionSeconds ({transactions}) \
             = {needed} s"
        )
    };
    vec![value_finding(
        report,
        alias,
        &["terminationGracePeriodSeconds"],
        Severity::Warning,
        format!(
            "{grace} s is too short for the {mode}-mode pools to drain: {why}; the kubelet \
             kills PgBouncer at {grace} s with its clients still connected. Set it to at least \
             {needed}, or remove it (null) to have it derived"
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(yaml: &str) -> Map {
        match crate::yaml::parse_values(yaml, "test").unwrap() {
            Value::Map(m) => m,
            other => panic!("{other:?}"),
        }
    }

    const SHUTDOWN: &str = "gracefulShutdown: {enabled: true, drainSeconds: 10, \
        clientSeconds: {transaction: 30, session: 60}, transactionSeconds: 10}\n";

    #[test]
    fn pool_modes_are_the_global_one_and_every_database_and_user_one() {
        assert_eq!(pool_modes(&instance("config: {}")), ["session"]);
        let i = instance(
            "config: {pgbouncer: {pool_mode: transaction}, databases: {a: {pool_mode: session}, \
             b: {host: x}}, users: {u: {pool_mode: statement}}}",
        );
        assert_eq!(pool_modes(&i), ["session", "statement", "transaction"]);
    }

    #[test]
    fn session_mode_needs_the_drain_and_the_session_wait() {
        assert_eq!(needed_seconds("session", 10, (30, 60), 10), 70);
        assert_eq!(needed_seconds("transaction", 10, (30, 60), 10), 50);
        assert_eq!(needed_seconds("statement", 10, (30, 60), 10), 50);
    }

    #[test]
    fn a_grace_period_too_short_for_session_clients_is_a_warning_naming_the_key() {
        let i = instance(&format!(
            "{SHUTDOWN}terminationGracePeriodSeconds: 60\nconfig: {{pgbouncer: {{pool_mode: \
             transaction}}, databases: {{os: {{pool_mode: session}}}}}}"
        ));
        let findings = shutdown_findings("pgbouncerPharia", &i, &InputReport::default());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(
            findings[0].path,
            "pgbouncerPharia.terminationGracePeriodSeconds"
        );
        assert!(
            findings[0]
                .message
                .starts_with("60 s is too short for the session-mode pools to drain"),
            "{}",
            findings[0].message
        );
        assert!(findings[0].message.contains("at least 70"));
    }

    #[test]
    fn enough_time_a_derived_grace_period_or_an_own_lifecycle_find_nothing() {
        for extra in [
            "terminationGracePeriodSeconds: 70\n",
            "terminationGracePeriodSeconds: null\n",
            "terminationGracePeriodSeconds: 30\nlifecycle: {preStop: {sleep: {seconds: 5}}}\n",
            "terminationGracePeriodSeconds: 50\nconfig: {pgbouncer: {pool_mode: transaction}}\n",
        ] {
            let i = instance(&format!("{SHUTDOWN}{extra}"));
            assert_eq!(
                shutdown_findings("p", &i, &InputReport::default()),
                [],
                "{extra}"
            );
        }
        let tight = instance(&format!(
            "{SHUTDOWN}terminationGracePeriodSeconds: 49\nconfig: {{pgbouncer: {{pool_mode: \
             transaction}}}}\n"
        ));
        assert_eq!(
            shutdown_findings("p", &tight, &InputReport::default()).len(),
            1
        );
    }
}
