//! `qspgb lint`: every finding on stderr, and a count.

use crate::cli::settings::LintSettings;
use crate::error::Result;
use crate::lint::Severity;
use crate::words::plural;

/// Checks the values and the render; exit 1 on errors, or on warnings with `--strict`.
pub fn run(settings: LintSettings) -> Result {
    let checked = super::check_release(&settings.input, &settings.context)?;
    let findings = checked.findings;
    for finding in &findings {
        say!("{finding}");
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    say!(
        "lint: {errors} error{}, {warnings} warning{}",
        plural(errors),
        plural(warnings)
    );
    Ok(u8::from(errors > 0 || (settings.strict && warnings > 0)))
}
