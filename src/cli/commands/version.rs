//! `qspgb version`: the versions of qspgb, its chart and the upstream chart it ports.

use crate::chart::{Chart, ChartFiles};
use crate::cli::io::write_stdout;
use crate::error::Result;

/// Prints the versions.
pub fn run() -> Result {
    let files = ChartFiles::embedded();
    let chart = Chart::load(&files)?;
    let mut text = format!(
        "qspgb {}\nchart {} {} (appVersion {})\n",
        env!("CARGO_PKG_VERSION"),
        chart.meta.name,
        chart.meta.version,
        chart.meta.app_version.as_deref().unwrap_or("-"),
    );
    for dep in &chart.dependencies {
        text.push_str(&format!(
            "  {} = upstream chart pgbouncer {} (appVersion {})\n",
            dep.name,
            dep.chart.meta.version,
            dep.chart.meta.app_version.as_deref().unwrap_or("-")
        ));
    }
    write_stdout(&text)?;
    Ok(0)
}
