use super::*;

fn globals(default_pool_size: u64, reserve: u64, max_db: u64, max_user: u64) -> Globals {
    Globals {
        default_pool_size,
        reserve_pool_size: reserve,
        max_db_connections: max_db,
        max_user_connections: max_user,
    }
}

fn db(name: &str) -> Database {
    Database {
        name: name.into(),
        ..Database::default()
    }
}

#[test]
fn surge_and_autoscaling_sweep() {
    // (desired pods: replicas or HPA maxReplicas or nodes, surge, most pods at once)
    for (desired, surge, want) in [
        (1, Surge::Percent(25), 2), // 25% of 1 rounds up to 1
        (3, Surge::Percent(25), 4), // 0.75 -> 1
        (4, Surge::Percent(25), 5), // exactly 1
        (5, Surge::Percent(25), 7), // 1.25 -> 2
        (6, Surge::Percent(25), 8), // HPA maxReplicas 6: 1.5 -> 2
        (10, Surge::Percent(100), 20),
        (10, Surge::Percent(0), 10), // maxSurge 0%
        (3, Surge::Pods(0), 3),      // Recreate, or a DaemonSet's default
        (3, Surge::Pods(2), 5),
        (0, Surge::Percent(25), 0),
    ] {
        assert_eq!(max_pods(desired, surge), want, "{desired} {surge:?}");
    }
}

#[test]
fn pod_worst_case_sweep() {
    let users = |n: usize| Some(vec![User::default(); n]);
    let forced = |name: &str| Database {
        forced_user: true,
        ..db(name)
    };
    let cases: Vec<(&str, Pod, Bound)> = vec![
        (
            "one forced database: default_pool_size + reserve",
            Pod {
                globals: globals(20, 5, 0, 0),
                databases: vec![forced("app")],
                users: None,
                wildcard_databases: None,
            },
            Some(25),
        ),
        (
            "entry pool_size wins over default_pool_size",
            Pod {
                globals: globals(20, 0, 0, 0),
                databases: vec![Database {
                    pool_size: Some(7),
                    reserve_pool_size: Some(1),
                    ..forced("app")
                }],
                users: None,
                wildcard_databases: None,
            },
            Some(8),
        ),
        (
            "one pool per listed user",
            Pod {
                globals: globals(10, 0, 0, 0),
                databases: vec![db("app")],
                users: users(3),
                wildcard_databases: None,
            },
            Some(30),
        ),
        (
            "a user's pool_size wins over the database's",
            Pod {
                globals: globals(10, 0, 0, 0),
                databases: vec![Database {
                    pool_size: Some(4),
                    ..db("app")
                }],
                users: Some(vec![
                    User {
                        pool_size: Some(2),
                        ..User::default()
                    },
                    User::default(),
                ]),
                wildcard_databases: None,
            },
            Some(6),
        ),
        (
            "max_db_connections caps a database",
            Pod {
                globals: globals(10, 0, 12, 0),
                databases: vec![db("app")],
                users: users(3),
                wildcard_databases: None,
            },
            Some(12),
        ),
        (
            "an entry's max_db_connections wins over the global one",
            Pod {
                globals: globals(10, 0, 12, 0),
                databases: vec![Database {
                    max_db_connections: Some(5),
                    ..db("app")
                }],
                users: users(3),
                wildcard_databases: None,
            },
            Some(5),
        ),
        (
            "unknown users and no cap: unbounded",
            Pod {
                globals: globals(10, 0, 0, 0),
                databases: vec![db("app")],
                users: None,
                wildcard_databases: None,
            },
            None,
        ),
        (
            "unknown users, max_db_connections bounds",
            Pod {
                globals: globals(10, 0, 8, 0),
                databases: vec![db("app"), db("other")],
                users: None,
                wildcard_databases: None,
            },
            Some(16),
        ),
        (
            "max_user_connections of every user bounds the shared pools",
            Pod {
                globals: globals(10, 0, 0, 4),
                databases: vec![db("a"), db("b"), db("*")],
                users: users(2),
                wildcard_databases: None,
            },
            Some(8),
        ),
        (
            "forced pools are not cut by the login users' caps",
            Pod {
                globals: globals(10, 0, 0, 4),
                databases: vec![forced("f"), db("a")],
                users: users(1),
                wildcard_databases: None,
            },
            Some(14),
        ),
        (
            "wildcard without a bound: unbounded even when capped per database",
            Pod {
                globals: globals(10, 0, 8, 0),
                databases: vec![db("*")],
                users: None,
                wildcard_databases: None,
            },
            None,
        ),
        (
            "wildcard reaching 3 databases, capped at 8 each, plus one entry",
            Pod {
                globals: globals(10, 0, 8, 0),
                databases: vec![db("*"), db("pharia-os")],
                users: None,
                wildcard_databases: Some(3),
            },
            Some(32),
        ),
        (
            "no databases: no server connections",
            Pod::default(),
            Some(0),
        ),
    ];
    for (what, pod, want) in cases {
        assert_eq!(pod.worst_case(), want, "{what}");
    }
}

#[test]
fn derived_cap_sweep() {
    // (budget, pods, databases, max_db_connections)
    for (budget, pods, databases, want) in [
        (17, 2, Some(1), Some(8)),
        (100, 4, Some(1), Some(25)),
        (100, 5, Some(2), Some(10)),
        (100, 8, Some(2), Some(6)),
        (3, 4, Some(1), None), // less than one per pod
        (100, 4, None, None),  // unbounded wildcard
        (100, 0, Some(1), None),
        (100, 4, Some(0), None),
    ] {
        assert_eq!(
            derived_max_db_connections(budget, pods, databases),
            want,
            "{budget} {pods} {databases:?}"
        );
        // The derived cap keeps the worst case within the budget.
        if let (Some(cap), Some(n)) = (want, databases) {
            assert!(cap * n * pods <= budget);
        }
    }
}
