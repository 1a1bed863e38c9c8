//! Values: loading, Helm's merge rules, and the `--set` family of flags.

pub mod strvals;
