//! `qspgb values`: the values the templates see.

use crate::cli::io::write_stdout;
use crate::cli::settings::ValuesSettings;
use crate::error::Result;
use crate::value::Value;
use crate::yaml;

/// Prints the chart's defaults merged with the user's values, as YAML.
pub fn run(settings: ValuesSettings) -> Result {
    // The values as the templates see them, once everything they render passed the same
    // checks as `render` (a value Kubernetes would refuse fails here too).
    let release = super::load_release(&settings.input, &settings.context)?;
    for warning in &release.warnings {
        say!("warning: {warning}");
    }
    write_stdout(&yaml::to_yaml(&Value::Map(release.resolved.values)))?;
    Ok(0)
}
