//! Rendering: templates to text, as Helm's engine does it.
//!
//! Every template of the parent chart and of each enabled dependency is rendered in memory
//! first (all or nothing), one [`RenderedFile`] per template; [`crate::manifest`] splits
//! them into documents, sorts them in Helm's install order and chooses what to print.
//!
//! - [`Engine`]: the compiled templates; [`TemplateInputs`]: what they see.
//! - `objects`: `.Release`, `.Capabilities` and the `--api-versions` check.
//! - `errors`: template errors as the user reads them.
//! - [`emits`]: what each template declares it produces; [`functions`]: Helm's functions.

pub mod emits;
mod errors;
pub mod functions;
mod objects;

#[cfg(test)]
mod tests;

pub use objects::{DEFAULT_KUBE_VERSION, parse_api_versions};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::{Result, anyhow};
use minijinja::value::Value as JValue;
use minijinja::{Environment, State, UndefinedBehavior, syntax::SyntaxConfig};

use crate::chart::{Chart, ChartFiles, TemplateFile};
use crate::value::{Map, Value};
use errors::describe_error_in;
use objects::{capabilities_object, release_object};

/// What a render is for: the `.Release` and `.Capabilities` objects.
#[derive(Debug, Clone)]
pub struct RenderContext {
    /// Release name (`.Release.Name`).
    pub release_name: String,
    /// Release namespace (`.Release.Namespace`).
    pub namespace: String,
    /// `.Release.IsUpgrade` (and `IsInstall` is its opposite).
    pub is_upgrade: bool,
    /// `.Release.Revision`.
    pub revision: i64,
    /// `.Capabilities.KubeVersion`, e.g. `v1.31.2`.
    pub kube_version: String,
    /// Extra API versions for `.Capabilities.APIVersions.Has`.
    pub api_versions: Vec<String>,
    /// `--helm-exact`: write what Helm writes where qspgb would otherwise write what
    /// PgBouncer reads (a YAML boolean for a 0/1 setting), and report what Kubernetes or
    /// PgBouncer would refuse as warnings instead of errors.
    pub helm_exact: bool,
    /// Warn when the namespace is `default` while a RoleBinding or a hook binds or reads
    /// something there ([`crate::lint::warnings`]): set for the commands whose output is
    /// applied (`render`, `lint`, `diff`, `argocd generate`), not for `values` or `hooks`,
    /// which render only to read the values or the targets.
    pub check_namespace: bool,
    /// Render the `helm test` templates (declared `emits: helm test ...`, see [`emits`]):
    /// set unless the command writes a selection that leaves the test hooks out (`render`
    /// and `diff` without --include-tests or --show-only, `argocd generate`, `hooks`,
    /// `values`). The test Pods are more text than everything else a default render writes.
    pub tests: bool,
}

impl Default for RenderContext {
    fn default() -> Self {
        RenderContext {
            release_name: "qs-pgbouncer".into(),
            namespace: "default".into(),
            is_upgrade: false,
            revision: 1,
            kube_version: DEFAULT_KUBE_VERSION.into(),
            api_versions: Vec::new(),
            helm_exact: false,
            check_namespace: false,
            tests: true,
        }
    }
}

/// The text one template file rendered to, with Helm's path for it.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedFile {
    /// Helm's template path, e.g. `qs-pgbouncer/charts/pgbouncerPharia/templates/service.yaml`.
    pub path: String,
    /// The rendered text.
    pub text: String,
    /// What its template declares it emits (`None`: nothing), and how many instances are
    /// enabled, for [`emits::Emits::check`].
    pub emits: Option<emits::Emits>,
    /// The number of enabled instances (dependencies) of this render.
    pub instances: usize,
}

/// A chart's templates to render with one set of values (one per enabled instance).
struct Scope<'a> {
    /// Helm's templates folder path for this chart (`.Template.BasePath`).
    base_path: String,
    chart: &'a Chart,
    /// The templates to render (no partials, no NOTES.txt).
    renderable: Vec<&'a TemplateFile>,
    /// `.Chart` and `.Values` as the templates see them; `None` when nothing renders.
    objects: Option<(JValue, JValue)>,
}

/// Everything a render's templates see, converted for the template engine: the chart and
/// each enabled dependency with its values, `.Release` and `.Capabilities`. It needs no
/// compiled template, so [`crate::release`] builds it while the templates compile.
pub struct TemplateInputs<'a> {
    scopes: Vec<Scope<'a>>,
    /// [`RenderContext::tests`].
    tests: bool,
    release: JValue,
    capabilities: JValue,
    helm_exact: bool,
}

impl<'a> TemplateInputs<'a> {
    /// The inputs for `chart` and its dependencies listed in `enabled` (Helm removes
    /// disabled charts), with the coalesced `values` (see [`crate::values::resolve`]).
    pub fn new(
        chart: &'a Chart,
        values: &'a Map,
        enabled: &[String],
        ctx: &RenderContext,
    ) -> TemplateInputs<'a> {
        static NO_VALUES: std::sync::LazyLock<Map> = std::sync::LazyLock::new(Map::default);
        let root = &chart.meta.name;
        let mut charts = vec![(format!("{root}/templates"), chart, values)];
        for dep in chart
            .dependencies
            .iter()
            .filter(|d| enabled.contains(&d.name))
        {
            let dep_values = match values.get(&dep.name) {
                Some(Value::Map(m)) => m,
                _ => &*NO_VALUES,
            };
            charts.push((
                format!("{root}/charts/{}/templates", dep.name),
                &dep.chart,
                dep_values,
            ));
        }
        let scopes: Vec<Scope> = charts
            .into_iter()
            .map(|(base_path, chart, values)| {
                let renderable: Vec<&TemplateFile> = chart
                    .templates
                    .iter()
                    .filter(|t| !t.is_partial() && !is_notes(t))
                    .collect();
                // Converting values for templates is not free; the parent chart may have
                // no template of its own.
                let objects = (!renderable.is_empty()).then(|| {
                    (
                        functions::to_jinja(&chart.meta.to_template_value()),
                        functions::to_jinja_map(values),
                    )
                });
                Scope {
                    base_path,
                    chart,
                    renderable,
                    objects,
                }
            })
            .collect();
        TemplateInputs {
            scopes,
            tests: ctx.tests,
            release: release_object(ctx),
            capabilities: capabilities_object(ctx),
            helm_exact: ctx.helm_exact,
        }
    }
}

/// The chart's templates, compiled when first used: the expensive half of a render, which
/// needs no values, so [`crate::release`] compiles the templates a render needs on a second
/// thread ([`Compiler`]) while values are loaded, and the main thread helps once they are.
pub struct Engine {
    /// Shared with the [`Compiler`]s while they run; rendering needs it to itself.
    env: Arc<Environment<'static>>,
    /// What [`Compiler`]s compile ahead of rendering, in order.
    ahead: Arc<[String]>,
    /// Each template's `emits:` declaration, by its path below the chart.
    emits: HashMap<String, Option<emits::Emits>>,
    /// The chart directory (`--chart DIR`), so that errors name template files by their
    /// path on disk; `None` for the embedded chart.
    dir: Option<std::path::PathBuf>,
    /// A file's text, once rendered, by Helm path: `include` for a checksum and the file's
    /// own document are the same text (see `functions::include`), and the large files
    /// (pgbouncer.ini, the userlist) are the ones included. Whichever renders a file first,
    /// its own job or an `include`, leaves it here for the other.
    rendered_texts: Arc<Mutex<HashMap<String, String>>>,
    /// The files [`Engine::prepare`] chose to render, in Helm's order: (scope, index in
    /// its `renderable`).
    files: Vec<(usize, usize)>,
}

impl Engine {
    /// The chart's templates under their file paths (`templates/pgbouncer/deployment.yaml`),
    /// compiled once, however many aliases render them, when first rendered, imported or
    /// included, or ahead of time by a [`Compiler`].
    ///
    /// What is compiled ahead: for a chart read from a directory (or from files), every
    /// file below `templates/`, so that a syntax error anywhere fails the render as Helm's
    /// parse of every template does. For the embedded chart, whose templates the tests
    /// compile in full, every template but its data files (the dashboard JSON, read by the
    /// `include` function only when the dashboard is enabled) and the bodies of its optional
    /// templates (see [`is_optional_body`]).
    pub fn new(files: &ChartFiles) -> Result<Engine> {
        let mut env = new_environment();
        let dir = files.dir().map(std::path::Path::to_path_buf);
        let mut emits = HashMap::new();
        let mut sources: HashMap<String, std::borrow::Cow<'static, str>> = HashMap::new();
        for (path, source) in files.files_below_owned("templates") {
            emits.insert(path.clone(), emits::Emits::parse(&source, &path)?);
            sources.insert(path, source);
        }
        let mut ahead: Vec<String> = sources
            .keys()
            .filter(|path| {
                !(files.is_embedded() && (path.ends_with(".json") || is_optional_body(path)))
            })
            .cloned()
            .collect();
        // Partials first: every template that renders imports one.
        ahead.sort_by_key(|path| {
            (
                !path.rsplit('/').next().unwrap_or(path).starts_with('_'),
                path.clone(),
            )
        });
        env.set_loader(move |name| Ok(sources.get(name).map(|source| source.to_string())));
        Ok(Engine {
            env: Arc::new(env),
            ahead: ahead.into(),
            emits,
            dir,
            rendered_texts: Arc::default(),
            files: Vec::new(),
        })
    }

    /// [`Engine::new`], with what it compiles ahead compiled on this thread (tests).
    #[cfg(test)]
    pub fn compile(files: &ChartFiles) -> Result<Engine> {
        let engine = Engine::new(files)?;
        let compiler = engine.compiler();
        let failed = compiler.run();
        drop(compiler);
        Engine::compiled([failed])?;
        Ok(engine)
    }

    /// A handle that compiles ahead of rendering; any number of threads may [`Compiler::run`]
    /// clones of it, each template is compiled by one of them.
    pub fn compiler(&self) -> Compiler {
        Compiler {
            env: Arc::clone(&self.env),
            ahead: Arc::clone(&self.ahead),
            next: Arc::default(),
            dir: self.dir.clone(),
        }
    }

    /// The first failure (in compile order) the compilers reported, whichever thread met it.
    pub fn compiled(
        failures: impl IntoIterator<Item = Option<(usize, anyhow::Error)>>,
    ) -> Result<()> {
        match failures.into_iter().flatten().min_by_key(|(at, _)| *at) {
            Some((_, err)) => Err(err),
            None => Ok(()),
        }
    }

    /// The environment, to register the render's functions: no [`Compiler`] runs by then.
    fn env_mut(&mut self) -> &mut Environment<'static> {
        Arc::get_mut(&mut self.env).expect("compilers are done before rendering")
    }

    /// Chooses the files to render (every template that renders, but the `helm test`
    /// ones when [`RenderContext::tests`] is off) and registers what rendering `inputs`
    /// needs (the `include` function that maps Helm's paths onto the compiled templates,
    /// `--helm-exact`): once, before [`Engine::render_file`], when no [`Compiler`] runs
    /// any more.
    pub fn prepare(&mut self, inputs: &TemplateInputs) {
        self.files = inputs
            .scopes
            .iter()
            .enumerate()
            .filter(|(_, scope)| scope.objects.is_some())
            .flat_map(|(at, scope)| {
                scope
                    .renderable
                    .iter()
                    .enumerate()
                    .filter(|(_, template)| {
                        inputs.tests || {
                            let compiled =
                                format!("{}/{}", scope.chart.template_dir, template.name);
                            !self
                                .emits
                                .get(&compiled)
                                .is_some_and(|e| e.as_ref().is_some_and(|e| e.tests))
                        }
                    })
                    .map(move |(file, _)| (at, file))
            })
            .collect();
        // Templates are compiled under their file paths; Helm's paths (`include`,
        // `.Template.BasePath`) name an alias, so map one onto the other.
        let scope_paths: Vec<(String, String)> = inputs
            .scopes
            .iter()
            .map(|s| (s.base_path.clone(), s.chart.template_dir.clone()))
            .collect();
        lock(&self.rendered_texts).clear();
        let rendered_texts = Arc::clone(&self.rendered_texts);
        self.env_mut()
            .add_function("include", move |state: &State, name: &str| {
                let Some((base, dir, rest)) = scope_paths.iter().find_map(|(base, dir)| {
                    let rest = name.strip_prefix(base.as_str())?.strip_prefix('/')?;
                    Some((base, dir, rest))
                }) else {
                    return functions::include(state, name, minijinja::context! { Name => name });
                };
                // Reuse only within one chart: another chart's file would see other values.
                let same_chart = state
                    .lookup("Template")
                    .and_then(|t| t.get_attr("BasePath").ok())
                    .is_some_and(|b| b.as_str() == Some(base.as_str()));
                if same_chart && let Some(text) = lock(&rendered_texts).get(name) {
                    return Ok(text.clone());
                }
                let template = minijinja::context! { Name => name, BasePath => base };
                let text = functions::include(state, &format!("{dir}/{rest}"), template)?;
                if same_chart {
                    lock(&rendered_texts).insert(name.to_string(), text.clone());
                }
                Ok(text)
            });
        self.env_mut().add_global(
            functions::HELM_EXACT_GLOBAL,
            JValue::from(inputs.helm_exact),
        );
    }

    /// How many files [`Engine::prepare`] chose ([`Engine::render_file`] takes 0 to this).
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// Renders file `index` (see [`Engine::file_count`]) of `inputs`, after
    /// [`Engine::prepare`]. Any number of threads may render files at once: each file sees
    /// only its own chart's values, so the text never depends on which thread or order.
    pub fn render_file(&self, inputs: &TemplateInputs, index: usize) -> Result<RenderedFile> {
        let (at, file) = self.files[index];
        let scope = &inputs.scopes[at];
        let (chart_object, values) = scope
            .objects
            .as_ref()
            .expect("only scopes with objects have files");
        let template = scope.renderable[file];
        let path = format!("{}/{}", scope.base_path, template.name);
        let compiled_name = format!("{}/{}", scope.chart.template_dir, template.name);
        let cached = lock(&self.rendered_texts).get(&path).cloned();
        let text = match cached {
            Some(text) => text,
            None => {
                let context = minijinja::context! {
                    Values => values.clone(),
                    Release => inputs.release.clone(),
                    Chart => chart_object.clone(),
                    Capabilities => inputs.capabilities.clone(),
                    Template => minijinja::context! { Name => path.clone(), BasePath => scope.base_path.clone() },
                };
                let text = self
                    .env
                    .get_template(&compiled_name)
                    .and_then(|t| t.render(context))
                    .map_err(|e| {
                        let why = describe_error_in(&e, self.dir.as_deref());
                        anyhow!("rendering {path}: {why}")
                    })?;
                lock(&self.rendered_texts).insert(path.clone(), text.clone());
                text
            }
        };
        Ok(RenderedFile {
            path,
            text,
            emits: self.emits.get(&compiled_name).cloned().flatten(),
            instances: inputs.scopes.len() - 1,
        })
    }

    /// Renders every file of `inputs` on this thread, in order, stopping at the first
    /// error (tests; [`crate::release`] renders on two threads).
    #[cfg(test)]
    pub fn render_inputs(
        &mut self,
        inputs: &TemplateInputs,
        mut on_file: impl FnMut(RenderedFile),
    ) -> Result<()> {
        self.prepare(inputs);
        for index in 0..self.file_count() {
            on_file(self.render_file(inputs, index)?);
        }
        Ok(())
    }
}

/// Compiles an [`Engine`]'s templates ahead of rendering, on any thread.
#[derive(Clone)]
pub struct Compiler {
    env: Arc<Environment<'static>>,
    ahead: Arc<[String]>,
    /// The next template to compile, shared by every clone.
    next: Arc<std::sync::atomic::AtomicUsize>,
    dir: Option<std::path::PathBuf>,
}

impl Compiler {
    /// Compiles templates until none is left; the first one that failed (with its place in
    /// the order, so that which error is reported never depends on timing).
    pub fn run(&self) -> Option<(usize, anyhow::Error)> {
        let mut failed = None;
        loop {
            let at = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(name) = self.ahead.get(at) else {
                return failed;
            };
            if let Err(e) = self.env.get_template(name)
                && failed.is_none()
            {
                failed = Some((at, anyhow!(describe_error_in(&e, self.dir.as_deref()))));
            }
        }
    }
}

/// Locks a mutex, also after a panic elsewhere (the data is only a cache).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// `NOTES.txt` is shown after `helm install`, never part of the manifests. Helm drops every
/// template whose path ends so, in any folder.
fn is_notes(template: &TemplateFile) -> bool {
    template.name.ends_with("NOTES.txt")
}

/// Whether a template file is the body of an optional template: a partial named
/// `_<template>.body.tpl`, which its template (`<template>.yaml`) includes inside its gate
/// (`{% if networkPolicy.enabled %}{% include "_networkpolicy.body.tpl" %}{% endif %}`).
/// A default render leaves most optional templates closed, and compiling their bodies would
/// cost more than rendering everything else; they compile when first included.
fn is_optional_body(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with('_') && name.ends_with(".body.tpl"))
}

/// `import "_helpers.tpl"` means the file beside the importing template; a name with a
/// folder is relative to the chart root.
fn join_template_path<'s>(name: &'s str, parent: &'s str) -> std::borrow::Cow<'s, str> {
    if name.contains('/') {
        name.into()
    } else {
        match parent.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{name}").into(),
            None => name.into(),
        }
    }
}

fn new_environment() -> Environment<'static> {
    let mut env = Environment::new();
    // trim/lstrip blocks: a `{% if %}` on its own line leaves no blank line behind, which
    // keeps the templates readable and the output free of stray whitespace.
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("static syntax config is valid"),
    );
    // YAML must never be HTML-escaped, whatever the file name says.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    // As in Helm: a missing value prints as nothing, a field of a missing value is an error.
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    // `import "_helpers.tpl"` means the file beside the importing template.
    env.set_path_join_callback(join_template_path);
    functions::register(&mut env);
    env
}
