//! The end-to-end tests: one binary, one module per topic, built only with `--features e2e`.
//! They need what `scripts/test.sh` installs and starts (kube-apiserver + etcd, kubectl,
//! PostgreSQL, pgbouncer, psql, shellcheck, the Python validators, promtool) and the
//! reference renderings in `../shared/reference`; each fails, never skips, when what it
//! needs is missing.

#[path = "../util/mod.rs"]
mod util;

mod chart_test_script;
mod cloudnativepg;
mod connection_budget;
mod docs_commands;
mod drain;
mod helm_compat;
mod hooks_e2e;
mod hooks_faults;
mod hooks_privilege;
mod kubectl_apply;
mod peering;
mod pgbouncer_e2e;
mod pgbouncer_limits;
mod rotation;
mod validate;
