//! The connection budget: the most server connections one instance's PgBouncers can hold
//! open to PostgreSQL at once, against the number the database allows.
//!
//! PgBouncer has no global cap: every pod keeps its own pools, one per (database, user)
//! pair, and each pool may grow to its size plus its reserve. The worst case of one pod is
//! therefore the sum of its pools' sizes, cut by `max_db_connections` (per database) and
//! `max_user_connections` (per user) where set; the instance's worst case is that times the
//! most pods that can run at once (replicas, or the autoscaler's maximum, plus the rollout's
//! surge). Pure arithmetic, no I/O; the chart's values are read into these types by the
//! template function `connection_budget` (`render::functions::pgbouncer`).
//!
//! Rules from PgBouncer 1.25.2 `src/server.c` (read, not copied): a pool's size is the
//! user's `pool_size`, else the database's, else `default_pool_size`; its reserve the
//! user's `reserve_pool_size`, else the database's, else the global one; a database's cap
//! its `max_db_connections` when > 0, else the global one (0 = none); a user's the same
//! with `max_user_connections`.

/// A count that may have no bound (`None`): a wildcard database or users nobody listed.
pub type Bound = Option<u64>;

/// The `[pgbouncer]` settings that size pools.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Globals {
    /// `default_pool_size` (PgBouncer's default 20).
    pub default_pool_size: u64,
    /// `reserve_pool_size` (default 0).
    pub reserve_pool_size: u64,
    /// `max_db_connections`, 0 = none.
    pub max_db_connections: u64,
    /// `max_user_connections`, 0 = none.
    pub max_user_connections: u64,
}

/// One `[users]` entry's pool settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    /// `pool_size`, when set.
    pub pool_size: Option<u64>,
    /// `reserve_pool_size`, when set.
    pub reserve_pool_size: Option<u64>,
    /// `max_user_connections`, 0 or unset = the global one.
    pub max_user_connections: Option<u64>,
}

/// One `[databases]` entry's pool settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Database {
    /// The entry name (`*` is the wildcard).
    pub name: String,
    /// `pool_size`, when set.
    pub pool_size: Option<u64>,
    /// `reserve_pool_size` (or the older `reserve_pool`), when set.
    pub reserve_pool_size: Option<u64>,
    /// `max_db_connections`, 0 or unset = the global one.
    pub max_db_connections: Option<u64>,
    /// Whether the entry forces a `user=`: then it has one pool, whoever logs in.
    pub forced_user: bool,
}

/// What one PgBouncer pod is configured with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pod {
    /// The `[pgbouncer]` pool settings.
    pub globals: Globals,
    /// `[databases]`.
    pub databases: Vec<Database>,
    /// The users who can log in, with their `[users]` settings (default ones for a user
    /// without an entry); `None` when nobody can know them (an existing userlist Secret,
    /// `auth_user`/`auth_query`).
    pub users: Option<Vec<User>>,
    /// How many databases the wildcard `*` can open pools for (every database of the
    /// server a client names); `None` = no bound given.
    pub wildcard_databases: Bound,
}

impl Pod {
    fn pool(&self, db: &Database, user: &User) -> u64 {
        let g = &self.globals;
        let size = user
            .pool_size
            .or(db.pool_size)
            .unwrap_or(g.default_pool_size);
        let reserve = user
            .reserve_pool_size
            .or(db.reserve_pool_size)
            .unwrap_or(g.reserve_pool_size);
        size + reserve
    }

    fn db_cap(&self, db: &Database) -> Option<u64> {
        let cap = db
            .max_db_connections
            .filter(|&c| c > 0)
            .unwrap_or(self.globals.max_db_connections);
        (cap > 0).then_some(cap)
    }

    fn user_cap(&self, user: &User) -> Option<u64> {
        let cap = user
            .max_user_connections
            .filter(|&c| c > 0)
            .unwrap_or(self.globals.max_user_connections);
        (cap > 0).then_some(cap)
    }

    /// The server connections one database entry can hold: the sum of its pools (one for
    /// a forced user, else one per user who can log in), cut by its `max_db_connections`;
    /// the wildcard counts once per database it can reach.
    fn database_worst(&self, db: &Database) -> Bound {
        let pools: Bound = if db.forced_user {
            Some(self.pool(db, &User::default()))
        } else {
            self.users
                .as_ref()
                .map(|users| users.iter().map(|u| self.pool(db, u)).sum())
        };
        let one = match (pools, self.db_cap(db)) {
            (Some(p), Some(cap)) => Some(p.min(cap)),
            (None, cap) => cap,
            (p, None) => p,
        };
        if db.name == "*" {
            Some(one? * self.wildcard_databases?)
        } else {
            one
        }
    }

    /// The most server connections this pod can hold open; `None` when nothing bounds
    /// them (a wildcard without `wildcard_databases`, or unknown users without a
    /// `max_db_connections`), unless every user who can log in has a
    /// `max_user_connections`, which bounds the pools that are not a forced user's.
    pub fn worst_case(&self) -> Bound {
        let forced: Bound = self
            .databases
            .iter()
            .filter(|d| d.forced_user)
            .map(|d| self.database_worst(d))
            .sum();
        let shared: Bound = self
            .databases
            .iter()
            .filter(|d| !d.forced_user)
            .map(|d| self.database_worst(d))
            .sum();
        let by_users: Bound = self
            .users
            .as_ref()
            .and_then(|users| users.iter().map(|u| self.user_cap(u)).sum());
        let shared = match (shared, by_users) {
            (Some(s), Some(u)) => Some(s.min(u)),
            (None, u) => u,
            (s, None) => s,
        };
        Some(forced? + shared?)
    }

    /// How many databases the pod can open pools for (the wildcard as its bound).
    pub fn database_count(&self) -> Bound {
        self.databases
            .iter()
            .map(|d| {
                if d.name == "*" {
                    self.wildcard_databases
                } else {
                    Some(1)
                }
            })
            .sum()
    }
}

/// A rollout's `maxSurge` (or an integer count): Kubernetes rounds a percentage up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surge {
    /// A number of pods.
    Pods(u64),
    /// A percentage of the desired pods, rounded up.
    Percent(u64),
}

impl Surge {
    /// Extra pods during a rollout of `desired` pods.
    pub fn pods(self, desired: u64) -> u64 {
        match self {
            Surge::Pods(n) => n,
            Surge::Percent(p) => (desired * p).div_ceil(100),
        }
    }
}

/// The most pods of one instance that can run at once: the desired count (replicas, the
/// autoscaler's maximum, or a DaemonSet's nodes) plus the rollout's surge.
pub fn max_pods(desired: u64, surge: Surge) -> u64 {
    desired + surge.pods(desired)
}

/// The `max_db_connections` that keeps `pods` pods within `budget`: the budget shared by
/// every pod and every database a pod can open pools for, rounded down. `None` when that
/// is less than one connection per database and pod (no cap can fit) or the databases
/// are unbounded.
pub fn derived_max_db_connections(budget: u64, pods: u64, databases: Bound) -> Option<u64> {
    let shares = pods.checked_mul(databases?)?;
    (shares > 0)
        .then(|| budget / shares)
        .filter(|&per_database| per_database >= 1)
}

#[cfg(test)]
mod tests;
