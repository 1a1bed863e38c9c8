//! One release, end to end and in memory: chart + value inputs + context -> documents.
//!
//! This is the whole of `qspgb render` except reading files and writing output, so tests
//! and benchmarks run exactly what users run.

use anyhow::Result;

use crate::chart::{Chart, ChartFiles};
use crate::render::output::{self, Document, Selection};
use crate::render::{self, RenderContext};
use crate::value::Map;
use crate::values::{self, ReadInput, ValueInputs};

/// The result of rendering a release.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The documents to print, in order.
    pub documents: Vec<Document>,
    /// Warnings for stderr (merge conflicts, ignored conditions, skipped hooks).
    pub warnings: Vec<String>,
}

impl Rendered {
    /// The documents as one `helm template`-style stream.
    pub fn to_output(&self) -> String {
        self.documents.iter().map(Document::to_output).collect()
    }
}

/// Loads the chart and computes the values a render sees (`qspgb values`).
pub fn resolve_values(
    files: &ChartFiles,
    inputs: &ValueInputs,
    read: &mut ReadInput,
) -> Result<(Chart, values::Resolved)> {
    let chart = Chart::load(files)?;
    let user: Map = values::user_values(inputs, read)?;
    let resolved = values::resolve(&chart, user)?;
    Ok((chart, resolved))
}

/// Renders a release (`qspgb render`).
pub fn render_release(
    files: &ChartFiles,
    inputs: &ValueInputs,
    read: &mut ReadInput,
    ctx: &RenderContext,
    selection: &Selection,
) -> Result<Rendered> {
    let (chart, resolved) = resolve_values(files, inputs, read)?;
    let rendered = render::render_chart(&chart, &resolved.values, &resolved.enabled, ctx)?;
    let manifests = output::sort_manifests(&rendered)?;
    let documents = output::select(&manifests, selection)?;
    let mut warnings: Vec<String> = resolved.warnings.into_iter().map(|w| w.0).collect();
    warnings.extend(manifests.warnings);
    Ok(Rendered {
        documents,
        warnings,
    })
}
