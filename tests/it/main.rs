//! The fast integration tests: one binary, one module per topic. Each needs only the built
//! `qspgb` and this repository (no services, no installed tools beyond bash and coreutils,
//! nothing outside the checkout), so a plain `cargo test` on a fresh clone runs them all.
//! The suites that need services or tools are in `tests/e2e` (`--features e2e`).

#[path = "../util/mod.rs"]
mod util;

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
mod files;
mod fuzz_corpus;
mod golden;
mod hooks_sweeps;
mod lint;
mod lint_agrees;
mod lint_fields;
mod lint_warnings;
mod peering;
mod secrets;
mod values_are_data;
