//! qspgb: renders and operates the qs-pgbouncer deployment (two PgBouncer poolers in front of
//! CloudNativePG clusters), Helm-compatible and deterministic.

pub mod value;
pub mod values;
pub mod yaml;
