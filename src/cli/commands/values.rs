//! `qspgb values`: the values the templates see.

use crate::cli::io::{read_input, write_stdout};
use crate::cli::settings::ValuesSettings;
use crate::error::Result;
use crate::release;
use crate::value::Value;
use crate::yaml;

/// Prints the chart's defaults merged with the user's values, as YAML.
pub fn run(settings: ValuesSettings) -> Result {
    let files = settings.input.chart_files()?;
    // The values as the templates see them, once everything they render passed the same
    // checks as `render` (a value Kubernetes would refuse fails here too).
    let release = release::load(
        &files,
        &settings.input.values,
        &mut read_input,
        &settings.context,
    )?;
    for warning in &release.warnings {
        say!("warning: {warning}");
    }
    write_stdout(&yaml::to_yaml(&Value::Map(release.resolved.values)))?;
    Ok(0)
}
