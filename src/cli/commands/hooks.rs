//! `qspgb hooks`: the targets come from the values and rendering (no cluster access, so
//! bad values fail before anything is read), then each instance runs against the API.

use crate::cli::io::write_stdout;
use crate::cli::settings::HooksSettings;
use crate::error::{ErrorKind, Result};
use crate::hooks::report::run_summary;

/// Runs every target instance; prints each one's summary, then each failure. The exit code
/// is the worst failure's class ([`crate::hooks::run::Outcome::worst_failure`]).
pub fn run(settings: HooksSettings) -> Result {
    let loaded = super::load_release(&settings.input, &settings.context)?;
    let targets = crate::hooks::targets::release_targets(&loaded, settings.instance.as_deref())?;
    let outcome = crate::hooks::run::run(
        targets,
        &settings.connect,
        settings.namespace,
        settings.dry_run,
    )?;
    for report in outcome.reports() {
        for skipped in &report.skipped {
            say!("warning: {}: {skipped}", report.alias);
        }
    }
    write_stdout(&run_summary(outcome.reports(), settings.dry_run))?;
    for (alias, err) in outcome.failures() {
        say!("error: {alias} in namespace {}: {err}", outcome.namespace);
    }
    Ok(outcome
        .worst_failure()
        .map_or(0, |class| ErrorKind::from(class).exit_code()))
}

#[cfg(test)]
mod tests;
