//! One release, end to end and in memory: chart + value inputs + context -> documents.
//!
//! This is the whole of `qspgb render` except reading files and writing output, so tests
//! and benchmarks run exactly what users run.

use anyhow::Result;

use crate::chart::{Chart, ChartFiles};
use crate::render::output::{self, Document, FileDocuments, Manifests, OutputOptions};
use crate::render::{Engine, RenderContext, RenderedFile};
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
    let user: Map = values::checked_user_values(&chart, inputs, read)?;
    let resolved = values::resolve(&chart, user)?;
    Ok((chart, resolved))
}

/// Renders a release (`qspgb render`).
pub fn render_release(
    files: &ChartFiles,
    inputs: &ValueInputs,
    read: &mut ReadInput,
    ctx: &RenderContext,
    selection: &OutputOptions,
) -> Result<Rendered> {
    let mut warnings: Vec<String> = Vec::new();
    // Two cores are usual on a CI runner or an Argo CD repo-server, so the render runs as
    // a small pipeline: templates compile while values load (compiling needs no values),
    // and each rendered file's documents are read (parsed, classified) while the next
    // file renders.
    let (send, receive) = std::sync::mpsc::channel::<RenderedFile>();
    let queue = std::sync::Mutex::new(receive);
    // Reads queued files until the queue is closed and empty. Both threads run it:
    // the helper while files are rendered, the main thread once rendering is done.
    // Results keep their path, so that which error is reported never depends on timing.
    let read_queued = || -> Vec<(String, Result<FileDocuments>)> {
        let mut read = Vec::new();
        while let Ok(file) = queue.lock().unwrap_or_else(|e| e.into_inner()).recv() {
            let path = file.path.clone();
            read.push((path, output::read_documents(file)));
        }
        read
    };
    let manifests = std::thread::scope(|scope| -> Result<Manifests> {
        let compiling = scope.spawn(|| Engine::compile(files));
        let loaded = resolve_values(files, inputs, read);
        let engine = compiling
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let (chart, resolved) = loaded?;
        let mut engine = engine?;
        warnings.extend(resolved.warnings.into_iter().map(|w| w.0));

        let reading = scope.spawn(read_queued);
        let rendering =
            engine.render_each(&chart, &resolved.values, &resolved.enabled, ctx, |file| {
                // The reader only stops early on an error, which is reported below.
                let _ = send.send(file);
            });
        drop(send);
        let read = read_queued();
        let read_by_helper = reading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        rendering?;
        let mut read: Vec<(String, Result<FileDocuments>)> =
            read.into_iter().chain(read_by_helper).collect();
        read.sort_by(|a, b| a.0.cmp(&b.0));
        let files = read
            .into_iter()
            .map(|(_, result)| result)
            .collect::<Result<Vec<_>>>()?;
        Ok(output::sort_manifests(files))
    })?;
    warnings.extend(manifests.warnings.iter().cloned());
    let documents = output::select(&manifests, selection)?;
    Ok(Rendered {
        documents,
        warnings,
    })
}

/// A reader that reads each path once and serves repeats from memory, for pipelines that
/// go over the inputs twice: standard input (`-`) can only be read once.
pub fn read_each_once<'a>(read: &'a mut ReadInput) -> impl FnMut(&str) -> Result<String> + 'a {
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    move |path: &str| -> Result<String> {
        if let Some(text) = seen.get(path) {
            return Ok(text.clone());
        }
        let text = read(path)?;
        seen.insert(path.to_string(), text.clone());
        Ok(text)
    }
}

/// The instances `qspgb hooks` works on: the values decide the Secrets and selector, the
/// full rendering (hooks included) decides the workload's kind and name.
pub fn hook_targets(
    files: &ChartFiles,
    inputs: &ValueInputs,
    read: &mut ReadInput,
    ctx: &RenderContext,
    only: Option<&str>,
) -> Result<Vec<crate::hooks::InstanceTarget>> {
    // Values and rendering both read the inputs; read each once (`-` is standard input).
    let mut read_once = read_each_once(read);
    let (chart, resolved) = resolve_values(files, inputs, &mut read_once)?;
    let rendered = render_release(
        files,
        inputs,
        &mut read_once,
        ctx,
        &OutputOptions::default(),
    )?;
    let aliases: Vec<String> = chart.dependencies.iter().map(|d| d.name.clone()).collect();
    crate::hooks::targets::instance_targets(
        &resolved.values,
        &aliases,
        &resolved.enabled,
        &rendered.documents,
        &chart.meta.name,
        only,
    )
}
