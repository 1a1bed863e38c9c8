//! One release, end to end and in memory: chart + value inputs + context -> checked
//! documents.
//!
//! This is the whole of every command that renders (`render`, `values`, `lint`, `diff`,
//! `hooks`, `argocd generate`) except reading files and writing output, so tests and
//! benchmarks run exactly what users run. [`check`] runs the pipeline once and reports
//! everything it finds ([`crate::lint`]); [`load`] is the same and fails on any error
//! found, which is what every command but `lint` does.

use anyhow::Result;

use crate::chart::{Chart, ChartFiles};
use crate::lint::fields::Probed;
use crate::lint::{self, Finding, Findings, Severity};
use crate::manifest::{self, Document, FileDocuments, Manifests, OutputOptions};
use crate::render::{Engine, RenderContext, RenderedFile, TemplateInputs};
use crate::value::Map;
use crate::values::{self, ReadInput, ValueInputs};

/// A release whose checks found no error: its chart, values and documents.
#[derive(Debug, Clone)]
pub struct Release {
    /// The chart it was rendered from.
    pub chart: Chart,
    /// The values the templates saw.
    pub resolved: values::Resolved,
    /// Every document, in Helm's order (before `--show-only`, `--no-hooks`, ...).
    pub manifests: Manifests,
    /// Warnings for stderr: merge and condition warnings, then lint's warnings.
    pub warnings: Vec<String>,
}

/// What [`check`] found: every finding, and the release when the values could be rendered.
#[derive(Debug)]
pub struct Checked {
    /// Errors and warnings, in pipeline order: schema, values, template, documents.
    pub findings: Vec<Finding>,
    /// The rendering, unless a schema error or a template error stopped it.
    pub release: Option<Release>,
}

impl Checked {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// The result of rendering a release.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The documents to print, in order.
    pub documents: Vec<Document>,
    /// Warnings for stderr (merge conflicts, ignored conditions, skipped hooks, lint's
    /// warnings).
    pub warnings: Vec<String>,
}

impl Rendered {
    /// The documents as one `helm template`-style stream.
    pub fn to_output(&self) -> String {
        self.documents.iter().map(Document::to_output).collect()
    }
}

/// Loads the chart and computes the values a render sees, with the schema checks only
/// (an error on any schema problem `ctx`'s policy counts as an error). For the values
/// pipeline alone (fuzzing); commands use [`load`], which also renders and checks.
pub fn resolve_values(
    files: &ChartFiles,
    inputs: &ValueInputs,
    read: &mut ReadInput,
) -> Result<(Chart, values::Resolved)> {
    let chart = Chart::load_with_preset(files, inputs.preset.as_deref())?;
    let user: Map = values::checked_user_values(&chart, inputs, read)?;
    let resolved = values::resolve(&chart, user)?;
    Ok((chart, resolved))
}

/// Runs the whole pipeline once and reports every finding: each input's schema problems,
/// the merged values, the render, and every rendered document (with a schema error, the
/// values it makes unusable are left out of the later checks, and there is no release). `Err` only when nothing can be checked: the chart does not
/// load, an input cannot be read or parsed, or the rendering is not what the templates
/// can produce (an internal error).
pub fn check(
    files: &ChartFiles,
    inputs: &ValueInputs,
    read: &mut ReadInput,
    ctx: &RenderContext,
) -> Result<Checked> {
    // Two cores are usual on a CI runner or an Argo CD repo-server, so the render runs as
    // a small pipeline: templates compile while values load, merge and are checked
    // (compiling needs no values; both take about as long), then both threads render
    // files and read (parse, classify) each one's documents.
    std::thread::scope(|scope| -> Result<Checked> {
        let mut engine = Engine::new(files)?;
        let compiler = engine.compiler();
        let compiling = scope.spawn({
            let compiler = compiler.clone();
            move || compiler.run()
        });
        let chart = Chart::load_with_preset(files, inputs.preset.as_deref());
        let loaded = chart.and_then(|chart| {
            let report = values::report_user_values(&chart, inputs, read)?;
            Ok((chart, report))
        });
        let (chart, mut report) = loaded?;
        let mut findings =
            lint::schema_findings(&report, ctx.helm_exact, inputs.skip_schema_validation);
        let schema_errors = findings.iter().any(|f| f.severity == Severity::Error);
        // The checks below assume the types the schema promises: the values a schema
        // problem makes unusable (and, with --skip-schema-validation, the unknown keys it
        // ignores) are left out, so that the rest is still checked in the same run. Only a
        // problem with the whole input stops here.
        if !lint::schema::leave_out_unusable(&mut report) {
            return Ok(Checked {
                findings,
                release: None,
            });
        }
        // The findings below read each input's own values, not the merged ones.
        let resolved = values::resolve(&chart, std::mem::take(&mut report.values))?;
        for alias in &resolved.enabled {
            findings.extend(lint::instance_findings(
                alias,
                &resolved.values,
                &report,
                ctx.helm_exact,
            ));
        }
        // What the templates see needs no templates either.
        let template_inputs = TemplateInputs::new(&chart, &resolved.values, &resolved.enabled, ctx);
        // Whatever is left to compile ahead, this thread takes its share of.
        let failed_here = compiler.run();
        drop(compiler);
        let failed_there = compiling
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Engine::compiled([failed_here, failed_there])?;
        let rendered = render_documents(&mut engine, &template_inputs);
        drop(template_inputs);
        let (manifests, probes) = match rendered {
            Ok(rendered) => rendered,
            Err(RenderFailure::Template(message)) => {
                findings.push(Finding {
                    severity: Severity::Error,
                    origin: String::new(),
                    path: String::new(),
                    message,
                });
                return Ok(Checked {
                    findings,
                    release: None,
                });
            }
            Err(RenderFailure::Internal(err)) => return Err(err),
        };
        for document in manifests.manifests.iter().chain(&manifests.hooks) {
            findings.extend(lint::document_findings(document, ctx.helm_exact));
            if let Some(probed) = probes.of(document) {
                findings.extend(lint::fields::findings(
                    document,
                    probed,
                    &report.sources,
                    ctx.helm_exact,
                ));
            }
        }
        findings.extend(lint::render_warnings(
            files,
            &resolved.values,
            &resolved.enabled,
            &manifests,
            ctx,
        ));
        if schema_errors {
            // Rendered without the values a schema error left out: not what was asked for.
            return Ok(Checked {
                findings,
                release: None,
            });
        }
        let mut warnings: Vec<String> = resolved.warnings.iter().map(|w| w.0.clone()).collect();
        warnings.extend(manifests.warnings.iter().cloned());
        Ok(Checked {
            findings,
            release: Some(Release {
                chart,
                resolved,
                manifests,
                warnings,
            }),
        })
    })
}

/// Why rendering stopped: a template said no (a finding), or the output is not what the
/// templates can produce (an internal error).
enum RenderFailure {
    Template(String),
    Internal(anyhow::Error),
}

/// The unknown-field probe of every document of a kind it checks
/// ([`lint::fields::probe_document`]), made on the thread that read the document's file:
/// by template path (sorted), then by the document's index in its file.
struct FieldProbes(Vec<(String, Vec<(usize, Probed)>)>);

impl FieldProbes {
    /// The probe of `document`, if it was probed.
    fn of(&self, document: &Document) -> Option<&Probed> {
        let file = self
            .0
            .binary_search_by(|(path, _)| path.as_str().cmp(&document.source))
            .ok()?;
        let (_, probes) = &self.0[file];
        probes
            .iter()
            .find(|(index, _)| *index == document.index)
            .map(|(_, probed)| probed)
    }
}

/// One rendered file's documents, with the probe of each that has one.
type ReadFile = (FileDocuments, Vec<(usize, Probed)>);

/// Reads a rendered file's documents and probes their fields: the part of the checks that
/// needs only the document, done here so that it runs on the reader while the next file
/// renders (the findings are made later, in the documents' order, with the user's inputs).
fn read_file(file: RenderedFile) -> Result<ReadFile> {
    let documents = manifest::read_documents(file)?;
    let probes = documents
        .documents
        .iter()
        .filter_map(|document| Some((document.index, lint::fields::probe_document(document)?)))
        .collect();
    Ok((documents, probes))
}

/// Renders every template and reads each file's documents, on this thread and a helper:
/// each takes the next file in order, renders it and reads it. The result never depends on
/// which thread did what: files keep their place in the order, the template error reported
/// is the first in that order (as one thread rendering in order would meet it), and a
/// failed render stops both threads from starting another file.
fn render_documents(
    engine: &mut Engine,
    inputs: &TemplateInputs,
) -> std::result::Result<(Manifests, FieldProbes), RenderFailure> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    engine.prepare(inputs);
    let engine: &Engine = engine;
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    // What one thread rendered and read, by the file's place in the order.
    type Done = Vec<(usize, Result<(String, Result<ReadFile>)>)>;
    let work = |next: &AtomicUsize, failed: &AtomicBool| -> Done {
        let mut done = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= engine.file_count() {
                break;
            }
            let result = engine.render_file(inputs, index).map(|file| {
                let path = file.path.clone();
                (path, read_file(file))
            });
            if result.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            done.push((index, result));
        }
        done
    };
    let mut done = std::thread::scope(|scope| {
        let helper = scope.spawn(|| work(&next, &failed));
        let mut done = work(&next, &failed);
        done.extend(
            helper
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        done
    });
    done.sort_by_key(|(index, _)| *index);
    let mut read = Vec::with_capacity(done.len());
    for (_, result) in done {
        match result {
            Ok(file) => read.push(file),
            Err(err) => return Err(RenderFailure::Template(format!("{err:#}"))),
        }
    }
    // Internal errors in the documents' order, as before (by template path).
    read.sort_by(|a, b| a.0.cmp(&b.0));
    let mut files = Vec::with_capacity(read.len());
    let mut probes = Vec::with_capacity(read.len());
    for (path, result) in read {
        let (documents, probed) = result.map_err(RenderFailure::Internal)?;
        files.push(documents);
        probes.push((path, probed));
    }
    Ok((manifest::sort_manifests(files), FieldProbes(probes)))
}

/// [`check`], failing with every finding when one is an error (the same lines, in the same
/// order, as `lint` prints them); the release, its warnings including lint's.
pub fn load(
    files: &ChartFiles,
    inputs: &ValueInputs,
    read: &mut ReadInput,
    ctx: &RenderContext,
) -> Result<Release> {
    let checked = check(files, inputs, read, ctx)?;
    if checked.has_errors() {
        return Err(Findings(checked.findings).into());
    }
    let warnings = checked.findings;
    let mut release = checked
        .release
        .expect("a check without errors has a release");
    release.warnings.extend(warnings.iter().map(Finding::body));
    Ok(release)
}

/// Renders a release (`qspgb render`): [`load`], then the documents `selection` asks for.
pub fn render_release(
    files: &ChartFiles,
    inputs: &ValueInputs,
    read: &mut ReadInput,
    ctx: &RenderContext,
    selection: &OutputOptions,
) -> Result<Rendered> {
    let release = load(files, inputs, read, ctx)?;
    let documents = manifest::select(release.manifests, selection)?;
    Ok(Rendered {
        documents,
        warnings: release.warnings,
    })
}
