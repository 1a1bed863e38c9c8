//! The connection budget (docs/connection-budget.md) through the real binary: `render` and
//! `lint` refuse a worst case over `connectionBudget.maxServerConnections` with the numbers,
//! and `deriveMaxDbConnections` writes the cap into pgbouncer.ini without overriding the
//! user's own.

use crate::util::{one, qspgb, render, render_error, stderr};

const B: &str = "pgbouncerPharia.connectionBudget";

fn set(pairs: &[String]) -> Vec<String> {
    pairs
        .iter()
        .flat_map(|p| ["--set".to_string(), p.clone()])
        .collect()
}

fn ini(extra: &[String]) -> String {
    let args: Vec<&str> = extra.iter().map(String::as_str).collect();
    let docs = render(&args);
    one(&docs, "ConfigMap", "pgbouncer-pharia-configmap")["data"]["pgbouncer.ini"]
        .as_str()
        .unwrap()
        .to_string()
}

fn error(extra: &[String]) -> String {
    let args: Vec<&str> = extra.iter().map(String::as_str).collect();
    render_error(&args)
}

const PREFIX: &str = "error: rendering qs-pgbouncer/charts/pgbouncerPharia/templates/configmap.yaml: templates/pgbouncer/_helpers.tpl";

#[test]
fn off_by_default_and_nothing_derived() {
    assert!(!ini(&[]).contains("max_db_connections"));
}

#[test]
fn a_worst_case_over_the_budget_is_refused_with_its_numbers() {
    // Pharia: replicaCount 3, "*" and pharia-os, default_pool_size 20, unknown users.
    // Each database capped at 20 -> 3 databases (the wildcard reaching 2) x 20 = 60 per pod.
    // (replicas, strategy flags, pods described, pods)
    let cases: Vec<(Vec<String>, &str, u64)> = vec![
        // The product's gracefulShutdown derives a surge-first rollout of one pod.
        (vec![], "replicaCount 3 + 1 surge", 4),
        // Without it, Kubernetes' default 25%, rounded up.
        (
            vec!["pgbouncerPharia.gracefulShutdown.enabled=false".into()],
            "replicaCount 3 + 1 surge (25% rounded up)",
            4,
        ),
        (
            vec![
                "pgbouncerPharia.gracefulShutdown.enabled=false".into(),
                "pgbouncerPharia.replicaCount=8".into(),
            ],
            "replicaCount 8 + 2 surge (25% rounded up)",
            10,
        ),
        // A peered instance is a StatefulSet: no surge.
        (
            vec!["pgbouncerPharia.peering.enabled=true".into()],
            "replicaCount 3, a StatefulSet (no surge)",
            3,
        ),
        (
            vec![format!("pgbouncerPharia.updateStrategy.type=Recreate")],
            "replicaCount 3, Recreate",
            3,
        ),
        (
            vec![format!(
                "pgbouncerPharia.updateStrategy.rollingUpdate.maxSurge=2"
            )],
            "replicaCount 3 + 2 surge",
            5,
        ),
        (
            vec![
                "pgbouncerPharia.autoscaling.enabled=true".into(),
                "pgbouncerPharia.autoscaling.maxReplicas=6".into(),
            ],
            "autoscaling.maxReplicas 6 + 1 surge",
            7,
        ),
        (
            vec![
                "pgbouncerPharia.kind=DaemonSet".into(),
                format!("{B}.nodes=5"),
            ],
            "5 nodes + 0 surge",
            5,
        ),
    ];
    for (flags, how, pods) in cases {
        let mut pairs = vec![
            format!("{B}.maxServerConnections=100"),
            format!("{B}.wildcardDatabases=2"),
            "pgbouncerPharia.config.pgbouncer.max_db_connections=20".to_string(),
        ];
        pairs.extend(flags);
        let err = error(&set(&pairs));
        let fit = 100 / (pods * 3);
        let want = format!(
            "pgbouncerPharia.connectionBudget: up to {pods} pods ({how}) x 60 server connections each = {}, more than maxServerConnections 100: lower the pool sizes or the pods, set config.pgbouncer.max_db_connections to at most {fit}, or set connectionBudget.deriveMaxDbConnections: true (without config.pgbouncer.max_db_connections, which it never overrides)",
            pods * 60
        );
        assert!(
            err.starts_with(PREFIX) && err.trim_end().ends_with(&want),
            "{pairs:?}\nwant …{want}\ngot  {err}"
        );
    }
}

#[test]
fn unbounded_worst_cases_say_what_bounds_them() {
    let err = error(&set(&[format!("{B}.maxServerConnections=100")]));
    assert!(
        err.contains("no upper bound (the wildcard database \"*\" opens pools for any database a client names), so they cannot fit maxServerConnections 100: set connectionBudget.wildcardDatabases"),
        "{err}"
    );
    // With the wildcard bounded, the existing userlist Secret lets in users nobody listed.
    let err = error(&set(&[
        format!("{B}.maxServerConnections=100"),
        format!("{B}.wildcardDatabases=2"),
    ]));
    assert!(
        err.contains("no upper bound (anyone the existing userlist Secret or auth_query lets in gets their own pools)"),
        "{err}"
    );
    let err = error(&set(&[
        format!("{B}.maxServerConnections=100"),
        "pgbouncerPharia.kind=DaemonSet".into(),
    ]));
    assert!(
        err.contains("a DaemonSet runs one PgBouncer per node, and the values cannot know how many nodes there are: set connectionBudget.nodes"),
        "{err}"
    );
}

#[test]
fn a_fitting_budget_renders() {
    // Forced users: one pool of 20 + 5 reserve per database and pod; the wildcard reaching
    // one database and pharia-os: 2 x 25 = 50 per pod, 4 pods = 200.
    let pairs = [
        format!("{B}.maxServerConnections=200"),
        format!("{B}.wildcardDatabases=1"),
        "pgbouncerPharia.config.databases.*.user=app".into(),
        "pgbouncerPharia.config.databases.pharia-os.user=app".into(),
        "pgbouncerPharia.config.pgbouncer.reserve_pool_size=5".into(),
    ];
    assert!(!ini(&set(&pairs)).contains("max_db_connections"));
    let mut over = pairs.to_vec();
    over[0] = format!("{B}.maxServerConnections=199");
    let err = error(&set(&over));
    assert!(
        err.contains("x 50 server connections each = 200, more than maxServerConnections 199"),
        "{err}"
    );
}

#[test]
fn derive_writes_the_cap_and_keeps_the_users() {
    let derive = |extra: &[&str]| {
        let mut pairs = vec![
            format!("{B}.maxServerConnections=90"),
            format!("{B}.wildcardDatabases=2"),
            format!("{B}.deriveMaxDbConnections=true"),
        ];
        pairs.extend(extra.iter().map(|s| s.to_string()));
        ini(&set(&pairs))
    };
    // floor(90 / (4 pods x 3 databases)) = 7.
    let text = derive(&[]);
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("max_db_connections"))
            .collect::<Vec<_>>(),
        ["max_db_connections = 7"],
        "{text}"
    );
    // The user's own setting is written once, and checked.
    let text = derive(&["pgbouncerPharia.config.pgbouncer.max_db_connections=5"]);
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("max_db_connections"))
            .collect::<Vec<_>>(),
        ["max_db_connections = 5"],
        "{text}"
    );
    let args = set(&[
        format!("{B}.maxServerConnections=90"),
        format!("{B}.wildcardDatabases=2"),
        format!("{B}.deriveMaxDbConnections=true"),
        "pgbouncerPharia.config.pgbouncer.max_db_connections=8".into(),
    ]);
    assert!(error(&args).contains("= 96, more than maxServerConnections 90"));
    // A budget too small for one connection per pod and database cannot be derived.
    let err = error(&set(&[
        format!("{B}.maxServerConnections=11"),
        format!("{B}.wildcardDatabases=2"),
        format!("{B}.deriveMaxDbConnections=true"),
    ]));
    assert!(err.contains("cannot derive max_db_connections: maxServerConnections 11 is less than one connection for each of 4 pods (replicaCount 3 + 1 surge) x 3 databases"), "{err}");
}

#[test]
fn lint_reports_the_budget_like_render() {
    let mut args = vec!["lint".to_string()];
    args.extend(set(&[
        format!("{B}.maxServerConnections=100"),
        format!("{B}.wildcardDatabases=2"),
    ]));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = qspgb(&args);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("pgbouncerPharia.connectionBudget: the server connections of pgbouncerPharia have no upper bound"),
        "{err}"
    );
    assert!(err.ends_with("lint: 1 error, 0 warnings\n"), "{err}");
    // Schema: a budget is a positive whole number.
    let out = qspgb(&[
        "lint",
        "--set",
        "pgbouncerPharia.connectionBudget.maxServerConnections=0",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("connectionBudget.maxServerConnections"),
        "{}",
        stderr(&out)
    );
}
