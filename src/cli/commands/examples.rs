//! `qspgb examples [NAME]`: list the example values files and presets embedded in the
//! binary, or print one as the chart holds it (`qspgb examples production > values.yaml`).

use crate::chart::ChartFiles;
use crate::chart::examples::{self, Example};
use crate::cli::io::write_stdout;
use crate::error::Result;

/// Lists every example and preset (name, kind, one line), or prints the one named.
pub fn run(name: Option<&str>) -> Result {
    let files = ChartFiles::embedded();
    let text = match name {
        Some(name) => examples::find(&files, name)?.text.to_string(),
        None => listing(&examples::all(&files)),
    };
    write_stdout(&text)?;
    Ok(0)
}

/// One aligned line per file, then how to use them.
fn listing(all: &[Example]) -> String {
    let width = all.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for example in all {
        out.push_str(&format!(
            "{:width$}  {:7}  {}\n",
            example.name,
            example.kind.label(),
            example.summary()
        ));
    }
    out.push_str(
        "\nqspgb examples NAME prints one: `qspgb examples production > values.yaml`.\n\
         A preset is used as `--preset NAME`, not as a values file (see docs/migration.md).\n",
    );
    out
}
