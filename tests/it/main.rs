//! The fast integration tests: one binary, one module per topic. Each needs only the built
//! `qspgb` and this repository (no services, no installed tools beyond bash and coreutils,
//! nothing outside the checkout), so a plain `cargo test` on a fresh clone runs them all.
//! One reads outside it when it can: the migration proof (`migration`) compares with the
//! Helm reference renderings in `../shared/reference`, and says it skipped without them.
//! The suites that need services or tools are in `tests/e2e` (`--features e2e`).

#[path = "../util/mod.rs"]
mod util;

mod aliases;
mod architecture;
mod argocd;
mod bad_inputs;
mod budgets;
mod chart_hooks;
mod chart_objects;
mod chart_production;
mod chart_tests;
mod cli;
mod connection_budget;
mod docs_commands;
mod docs_tables;
mod files;
mod flags;
mod fuzz_corpus;
mod gitops;
mod golden;
mod hooks_sweeps;
mod image;
mod lint;
mod lint_agrees;
mod lint_fields;
mod lint_warnings;
mod migration;
mod peering;
mod secrets;
mod source_selector;
mod values_are_data;
