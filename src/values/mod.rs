//! Values: user input (`-f` files and the `--set` family), Helm's merge rules, and which
//! dependencies are enabled.
//!
//! - [`inputs`]: the user's files and flags, each checked against the chart's schemas;
//! - [`coalesce`]: Helm's coalesce.go, user values meeting chart defaults;
//! - [`resolve`]: defaults, tags and conditions applied, as a render sees them;
//! - [`replace`]: the keys whose user map replaces the default (`hooks.sourceSecretSelector`);
//! - [`strvals`]: Helm's `--set` parser.

pub mod coalesce;
pub mod inputs;
pub mod replace;
pub mod resolve;
pub mod strvals;

use anyhow::Result;

use crate::chart::Chart;
use crate::value::Map;

pub use inputs::{InputReport, report_user_values};
pub use resolve::{Resolved, resolve};

/// The value flags of one command line, each kind in the order given.
///
/// Helm applies them by kind, not by position: all files, then `--set-json`, `--set`,
/// `--set-string`, `--set-file`, `--set-literal`.
#[derive(Debug, Clone, Default)]
pub struct ValueInputs {
    /// `-f/--values`: paths, `-` for standard input.
    pub files: Vec<String>,
    /// `--set-json key=<json>`.
    pub set_json: Vec<String>,
    /// `--set key=value` (typed).
    pub set: Vec<String>,
    /// `--set-string key=value`.
    pub set_string: Vec<String>,
    /// `--set-file key=path`.
    pub set_file: Vec<String>,
    /// `--set-literal key=value`.
    pub set_literal: Vec<String>,
    /// `--preset NAME`: the chart's defaults changed by `values/NAME.yaml` of the chart
    /// ([`crate::chart::Chart::apply_preset`]).
    pub preset: Option<String>,
    /// `--skip-schema-validation`: a key the schemas do not know is a warning and left
    /// out, not an error (as Helm's flag, for old values files); everything else the
    /// schemas check is still refused.
    pub skip_schema_validation: bool,
}

/// Reads a file named on the command line (`-` is standard input); the CLI provides it.
pub type ReadInput<'a> = dyn FnMut(&str) -> Result<String> + 'a;

/// Builds the user-supplied values from files and flags, in Helm's precedence order.
///
/// `read` does the I/O, so this stays testable; errors name the file or flag at fault.
/// Nothing is checked against a schema: see [`checked_user_values`].
pub fn user_values(inputs: &ValueInputs, read: &mut ReadInput) -> Result<Map> {
    inputs::collect_user_values(inputs, read, None, None)
}

/// [`user_values`], with every input checked against the chart's schemas on its own, so an
/// error names the file or flag that holds the bad value (see [`crate::chart::schema`]).
pub fn checked_user_values(
    chart: &Chart,
    inputs: &ValueInputs,
    read: &mut ReadInput,
) -> Result<Map> {
    inputs::collect_user_values(inputs, read, Some(chart), None)
}
