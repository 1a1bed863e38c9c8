//! `qspgb render`: the manifests, as `helm template` prints them.

use anyhow::bail;

use crate::cli::io::write_stdout;
use crate::cli::output_dir;
use crate::cli::settings::{Destination, RenderSettings};
use crate::error::Result;
use crate::manifest;
use crate::release::Rendered;

/// Renders and writes the documents to stdout or the output directory.
pub fn run(settings: RenderSettings) -> Result {
    let (rendered, owned) = render(&settings)?;
    let written = match &settings.destination {
        Destination::Stdout => write_stdout(&rendered.to_output()).map_err(Into::into),
        Destination::Dir { dir, prune } => {
            output_dir::write(dir, &rendered, prune.then_some(&owned))
                .and_then(|report| write_stdout(&report).map_err(Into::into))
        }
    };
    keep_until_exit(rendered);
    written?;
    Ok(0)
}

/// The documents `settings` select, with the render's warnings printed, and the files of
/// the output directory layout this chart owns; `diff` compares the same.
pub fn render(settings: &RenderSettings) -> anyhow::Result<(Rendered, output_dir::Owned)> {
    // release::render_release, keeping the release until the process exits (below).
    let mut loaded = super::load_release(&settings.input, &settings.context)?;
    let owned = output_dir::Owned {
        chart: loaded.chart.meta.name.clone(),
        dependencies: loaded
            .chart
            .dependencies
            .iter()
            .map(|d| d.name.clone())
            .collect(),
    };
    let rendered = Rendered {
        documents: manifest::select(std::mem::take(&mut loaded.manifests), &settings.selection)?,
        warnings: std::mem::take(&mut loaded.warnings),
    };
    keep_until_exit(loaded);
    for warning in &rendered.warnings {
        say!("warning: {warning}");
    }
    if settings.fail_if_empty && rendered.documents.is_empty() {
        bail!(
            "the render produced no documents (with --fail-if-empty; under Argo CD set \
             ARGOCD_ENV_QSPGB_ALLOW_EMPTY=true if that is intended)"
        );
    }
    Ok((rendered, owned))
}

/// Leaves `value`'s memory to the operating system, which takes it back when the process
/// exits right after the command: freeing a rendered release object by object cost about
/// 3% of a whole `qspgb render` (callgrind), for memory nobody reuses.
fn keep_until_exit<T>(value: T) {
    std::mem::forget(value);
}
