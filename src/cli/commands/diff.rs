//! `qspgb diff DIR` and `render --check DIR`: committed renderings against a fresh render.

use crate::cli::io::write_stdout;
use crate::cli::output_dir;
use crate::cli::settings::DiffSettings;
use crate::error::{Error, ErrorKind, Result};

/// Exit code when the committed renderings differ from the fresh render.
pub const EXIT_DIFFERENT: u8 = 1;

/// Prints a unified diff of every difference: exit 0 when equal, [`EXIT_DIFFERENT`] when
/// not, and any error is [`ErrorKind::Comparing`] (exit 2).
pub fn run(settings: DiffSettings) -> Result {
    compare(&settings).map_err(|e| e.with_kind(ErrorKind::Comparing))
}

fn compare(settings: &DiffSettings) -> Result {
    let (rendered, owned) = super::render::render(&settings.render)?;
    let report = output_dir::compare(&settings.dir, &rendered, &owned)?;
    if report.is_empty() {
        say!("{}: up to date", settings.dir.display());
        return Ok(0);
    }
    write_stdout(&report).map_err(Error::from)?;
    Ok(EXIT_DIFFERENT)
}
