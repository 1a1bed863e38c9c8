//! Rendering: templates to manifests, as `helm template` does it.
//!
//! Every template of the parent chart and of each enabled dependency is rendered in memory
//! first (all or nothing), then split into documents, sorted in Helm's install order and
//! formatted with `# Source:` lines (see [`output`]).

pub mod emits;
pub mod functions;
pub mod output;
pub mod transform;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::{Result, anyhow, bail};
use minijinja::value::{Object, Value as JValue};
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior, syntax::SyntaxConfig};

use crate::chart::{Chart, ChartFiles, TemplateFile};
use crate::value::{Map, Value};

/// The Kubernetes version templates see when `--kube-version` is not given (the one the
/// reference Helm build reports).
pub const DEFAULT_KUBE_VERSION: &str = "v1.36.0";

/// API group versions every cluster of [`DEFAULT_KUBE_VERSION`] serves; `--api-versions` adds
/// more (CRDs such as `monitoring.coreos.com/v1`).
pub const BUILTIN_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "resource.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

/// The `--api-versions` flags (repeated or comma-separated; blanks and empty entries are
/// skipped), each checked to be `GROUP/VERSION`, a core `VERSION`, or either followed by
/// `/Kind` (Argo CD's `KUBE_API_VERSIONS` lists both forms).
///
/// Helm takes any text here, and a typo (`monitoring.coreos.com v1`,
/// `monitoring.coreos.com`) silently leaves out what the templates guard with
/// `Capabilities.APIVersions.Has` — a ServiceMonitor that is enabled and never rendered.
///
/// ```
/// use qspgb::render::parse_api_versions;
/// let flags = vec!["monitoring.coreos.com/v1, v1/ConfigMap".to_string(), "apps/v1/Deployment".into()];
/// assert_eq!(
///     parse_api_versions(&flags).unwrap(),
///     ["monitoring.coreos.com/v1", "v1/ConfigMap", "apps/v1/Deployment"]
/// );
/// assert!(parse_api_versions(&["monitoring.coreos.com v1".to_string()]).is_err());
/// ```
pub fn parse_api_versions(flags: &[String]) -> Result<Vec<String>> {
    let version = |s: &str| {
        let b = s.as_bytes();
        b.len() >= 2
            && b[0] == b'v'
            && b[1].is_ascii_digit()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    let group = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
            })
    };
    let kind = |s: &str| {
        s.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
            && s.bytes().all(|c| c.is_ascii_alphanumeric())
    };
    let valid = |entry: &str| {
        let mut parts: Vec<&str> = entry.split('/').collect();
        if parts.len() > 1 && parts.last().is_some_and(|last| kind(last)) {
            parts.pop();
        }
        match parts[..] {
            [v] => version(v),
            [g, v] => group(g) && version(v),
            _ => false,
        }
    };
    let mut out = Vec::new();
    for entry in flags.iter().flat_map(|f| f.split(',')).map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        if !valid(entry) {
            bail!(
                "invalid --api-versions {entry:?}: expected GROUP/VERSION such as \
                 monitoring.coreos.com/v1 (or v1 for the core group), optionally followed by /Kind"
            );
        }
        out.push(entry.to_string());
    }
    Ok(out)
}

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
        let scopes = charts
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
            release: release_object(ctx),
            capabilities: capabilities_object(ctx),
            helm_exact: ctx.helm_exact,
        }
    }
}

/// The chart's templates, compiled: the expensive half of a render, which needs no values,
/// so [`crate::release`] runs it on a second thread while values are loaded.
pub struct Engine {
    env: Environment<'static>,
    /// Each template's `emits:` declaration, by its path below the chart.
    emits: HashMap<String, Option<emits::Emits>>,
    /// The chart directory (`--chart DIR`), so that errors name template files by their
    /// path on disk; `None` for the embedded chart.
    dir: Option<std::path::PathBuf>,
}

impl Engine {
    /// Compiles every file below `templates/` once, under its own path
    /// (`templates/pgbouncer/deployment.yaml`), however many aliases will render it.
    pub fn compile(files: &ChartFiles) -> Result<Engine> {
        let mut env = new_environment();
        let dir = files.dir().map(std::path::Path::to_path_buf);
        let mut declared = HashMap::new();
        for (path, source) in files.files_below("templates") {
            declared.insert(path.to_string(), emits::Emits::parse(source, path)?);
            env.add_template_owned(path.to_string(), source.to_string())
                .map_err(|e| anyhow!(describe_error_in(&e, dir.as_deref())))?;
        }
        Ok(Engine {
            env,
            emits: declared,
            dir,
        })
    }

    /// Renders every non-partial template of `chart` and of its dependencies listed in
    /// `enabled` (Helm removes disabled charts), with the coalesced `values` (see
    /// [`crate::values::resolve`]). The result is sorted by Helm template path.
    pub fn render_chart(
        &mut self,
        chart: &Chart,
        values: &Map,
        enabled: &[String],
        ctx: &RenderContext,
    ) -> Result<Vec<RenderedFile>> {
        let mut rendered = Vec::new();
        self.render_each(chart, values, enabled, ctx, |file| rendered.push(file))?;
        rendered.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(rendered)
    }

    /// Like [`Engine::render_chart`], handing each file to `on_file` as soon as it is
    /// rendered (in no particular order), so its documents can be read meanwhile.
    pub fn render_each(
        &mut self,
        chart: &Chart,
        values: &Map,
        enabled: &[String],
        ctx: &RenderContext,
        on_file: impl FnMut(RenderedFile),
    ) -> Result<()> {
        self.render_inputs(&TemplateInputs::new(chart, values, enabled, ctx), on_file)
    }

    /// [`Engine::render_each`] with inputs converted beforehand.
    pub fn render_inputs(
        &mut self,
        inputs: &TemplateInputs,
        mut on_file: impl FnMut(RenderedFile),
    ) -> Result<()> {
        let scopes = &inputs.scopes;

        // Templates are compiled under their file paths; Helm's paths (`include`,
        // `.Template.BasePath`) name an alias, so map one onto the other.
        let scope_paths: Arc<Vec<(String, String)>> = Arc::new(
            scopes
                .iter()
                .map(|s| (s.base_path.clone(), s.chart.template_dir.clone()))
                .collect(),
        );
        // A file's text, once rendered, by Helm path: `include` for a checksum and the
        // file's own document are the same text (see `functions::include`), and the
        // large files (pgbouncer.ini, the userlist) are the ones included.
        let rendered_texts: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        {
            let scope_paths = Arc::clone(&scope_paths);
            let rendered_texts = Arc::clone(&rendered_texts);
            self.env
                .add_function("include", move |state: &State, name: &str| {
                    let Some((base, dir, rest)) = scope_paths.iter().find_map(|(base, dir)| {
                        let rest = name.strip_prefix(base.as_str())?.strip_prefix('/')?;
                        Some((base, dir, rest))
                    }) else {
                        return functions::include(
                            state,
                            name,
                            minijinja::context! { Name => name },
                        );
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
        }

        self.env.add_global(
            functions::HELM_EXACT_GLOBAL,
            JValue::from(inputs.helm_exact),
        );
        let instances = scopes.len() - 1;
        for scope in scopes {
            let Some((chart_object, values)) = &scope.objects else {
                continue;
            };
            for template in &scope.renderable {
                let path = format!("{}/{}", scope.base_path, template.name);
                let context = minijinja::context! {
                    Values => values.clone(),
                    Release => inputs.release.clone(),
                    Chart => chart_object.clone(),
                    Capabilities => inputs.capabilities.clone(),
                    Template => minijinja::context! { Name => path.clone(), BasePath => scope.base_path.clone() },
                };
                let compiled_name = format!("{}/{}", scope.chart.template_dir, template.name);
                let cached = lock(&rendered_texts).remove(&path);
                let text = match cached {
                    Some(text) => text,
                    None => {
                        let text = self
                            .env
                            .get_template(&compiled_name)
                            .and_then(|t| t.render(context))
                            .map_err(|e| {
                                let why = describe_error_in(&e, self.dir.as_deref());
                                anyhow!("rendering {path}: {why}")
                            })?;
                        lock(&rendered_texts).insert(path.clone(), text.clone());
                        text
                    }
                };
                let emits = self.emits.get(&compiled_name).cloned().flatten();
                on_file(RenderedFile {
                    path,
                    text,
                    emits,
                    instances,
                });
            }
        }
        Ok(())
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
    env.set_path_join_callback(|name, parent| {
        if name.contains('/') {
            name.to_string().into()
        } else {
            match parent.rsplit_once('/') {
                Some((dir, _)) => format!("{dir}/{name}").into(),
                None => name.to_string().into(),
            }
        }
    });
    functions::register(&mut env);
    env
}

fn release_object(ctx: &RenderContext) -> JValue {
    minijinja::context! {
        Name => ctx.release_name.clone(),
        Namespace => ctx.namespace.clone(),
        IsInstall => !ctx.is_upgrade,
        IsUpgrade => ctx.is_upgrade,
        Revision => ctx.revision,
        Service => "Helm",
    }
}

fn capabilities_object(ctx: &RenderContext) -> JValue {
    let version = ctx.kube_version.trim_start_matches('v');
    // Major and minor are the first two numbers (the version was checked by the CLI).
    let mut parts = version.trim_start().split(['.', '-', '+']);
    let major = parts.next().unwrap_or_default().to_string();
    let minor = parts.next().unwrap_or_default().to_string();
    let git_version = format!("v{version}");
    let mut api: Vec<String> = BUILTIN_API_VERSIONS.iter().map(|s| s.to_string()).collect();
    api.extend(ctx.api_versions.iter().cloned());
    minijinja::context! {
        KubeVersion => minijinja::context! {
            Version => git_version.clone(),
            GitVersion => git_version,
            Major => major,
            Minor => minor,
        },
        APIVersions => JValue::from_object(ApiVersions(api)),
    }
}

/// `.Capabilities.APIVersions`: iterable, with Helm's `Has` method.
#[derive(Debug)]
struct ApiVersions(Vec<String>);

impl Object for ApiVersions {
    fn repr(self: &Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &JValue) -> Option<JValue> {
        let index = key.as_usize()?;
        self.0.get(index).map(|s| JValue::from(s.as_str()))
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(self.0.len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[JValue],
    ) -> Result<JValue, Error> {
        match (method, args) {
            ("Has", [wanted]) => Ok(JValue::from(
                self.0.iter().any(|v| Some(v.as_str()) == wanted.as_str()),
            )),
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!(
                    "APIVersions has no method {method} taking {} arguments",
                    args.len()
                ),
            )),
        }
    }
}

/// The root cause first (`template:line: what went wrong`), then where it was reached from.
pub fn describe_error(err: &Error) -> String {
    describe_error_in(err, None)
}

/// [`describe_error`] for a chart read from `dir`: template names become paths on disk.
fn describe_error_in(err: &Error, dir: Option<&std::path::Path>) -> String {
    let file = |name: &str| match dir {
        Some(dir) => dir.join(name).display().to_string(),
        None => name.to_string(),
    };
    let mut lines = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(mj) = e.downcast_ref::<Error>() {
            let place = match (mj.name(), mj.line()) {
                (Some(name), Some(line)) => format!("{}:{line}: ", file(name)),
                (Some(name), None) => format!("{}: ", file(name)),
                _ => String::new(),
            };
            let what = mj
                .detail()
                .map(str::to_string)
                .unwrap_or_else(|| mj.kind().to_string());
            let line = format!("{place}{what}");
            if !lines.contains(&line) {
                lines.push(line);
            }
        } else {
            lines.push(e.to_string());
        }
        current = e.source();
    }
    // minijinja reports the outermost template first; the user needs the innermost.
    let Some(root_cause) = lines.pop() else {
        return err.to_string();
    };
    let mut text = root_cause;
    for outer in lines.iter().rev() {
        let place = outer.split(": ").next().unwrap_or(outer);
        text.push_str(&format!("\n  reached from {place}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::{ValueInputs, resolve, user_values};

    /// A one-dependency chart whose templates print the objects Helm gives templates.
    fn files(template: &str) -> ChartFiles {
        ChartFiles::from_files(
            "test",
            [
                (
                    "chart/Chart.yaml".to_string(),
                    "name: parent\nversion: 1.2.3\ndependencies:\n- name: sub\n  version: 0.1.0\n  alias: one\n".to_string(),
                ),
                (
                    "chart/charts/sub/Chart.yaml".to_string(),
                    "name: sub\nversion: 0.1.0\nappVersion: \"9.9\"\n".to_string(),
                ),
                ("values/sub.yaml".to_string(), "greeting: hello\n".to_string()),
                ("templates/sub/t.yaml".to_string(), template.to_string()),
                ("templates/sub/u.yaml".to_string(), "U={{ Template.Name }} {{ Values.greeting }}".to_string()),
                ("templates/sub/_partial.tpl".to_string(), "never rendered alone".to_string()),
            ],
        )
    }

    fn render(template: &str, ctx: &RenderContext) -> Result<Vec<RenderedFile>> {
        let files = files(template);
        let chart = Chart::load(&files)?;
        let user = user_values(&ValueInputs::default(), &mut |_| unreachable!())?;
        let resolved = resolve(&chart, user)?;
        Engine::compile(&files)?.render_chart(&chart, &resolved.values, &resolved.enabled, ctx)
    }

    #[test]
    fn templates_see_helms_objects() {
        let ctx = RenderContext {
            release_name: "rel".into(),
            namespace: "ns".into(),
            is_upgrade: true,
            revision: 1,
            kube_version: "v1.31.2".into(),
            api_versions: vec!["monitoring.coreos.com/v1".into()],
            helm_exact: false,
        };
        let out = render(
            "{{ Release.Name }} {{ Release.Namespace }} {{ Release.IsInstall }} {{ Release.IsUpgrade }} \
             {{ Release.Revision }} {{ Release.Service }}|{{ Chart.Name }} {{ Chart.Version }} {{ Chart.AppVersion }}|\
             {{ Capabilities.KubeVersion.Version }} {{ Capabilities.KubeVersion.Major }} {{ Capabilities.KubeVersion.Minor }} \
             {{ Capabilities.APIVersions.Has('monitoring.coreos.com/v1') }} {{ Capabilities.APIVersions.Has('apps/v1') }} \
             {{ Capabilities.APIVersions.Has('nope/v1') }}|{{ Template.Name }} {{ Template.BasePath }}|{{ Values.greeting }}",
            &ctx,
        )
        .unwrap();
        assert_eq!(out.len(), 2, "partials are not rendered");
        assert_eq!(out[0].path, "parent/charts/one/templates/t.yaml");
        assert_eq!(
            out[0].text,
            "rel ns false true 1 Helm|one 0.1.0 9.9|v1.31.2 1 31 true true false|\
             parent/charts/one/templates/t.yaml parent/charts/one/templates|hello"
        );
    }

    #[test]
    fn parent_templates_in_subfolders_render_under_helms_paths() {
        let mut files: Vec<(String, String)> = vec![
            (
                "chart/Chart.yaml".into(),
                "name: parent\nversion: 1.2.3\ndependencies:\n- name: sub\n  version: 0.1.0\n  alias: one\n".into(),
            ),
            ("chart/charts/sub/Chart.yaml".into(), "name: sub\nversion: 0.1.0\n".into()),
            ("values/values.yaml".into(), "word: parent-value\n".into()),
            ("values/sub.yaml".into(), "word: sub-value\n".into()),
            ("templates/sub/s.yaml".into(), "S={{ Template.Name }}".into()),
            (
                "templates/_helpers.tpl".into(),
                "{% macro word() %}{{ Values.word }}{% endmacro %}".into(),
            ),
            (
                "templates/tests/t.yaml".into(),
                "{% import \"templates/_helpers.tpl\" as h %}T={{ Template.Name }} {{ Template.BasePath }} {{ h.word() }} {{ Values.one.word }}".into(),
            ),
            ("templates/tests/_p.tpl".into(), "a partial".into()),
            ("templates/tests/NOTES.txt".into(), "not a manifest".into()),
        ];
        files.sort();
        let files = ChartFiles::from_files("test", files);
        let chart = Chart::load(&files).unwrap();
        let user = user_values(&ValueInputs::default(), &mut |_| unreachable!()).unwrap();
        let resolved = resolve(&chart, user).unwrap();
        let out = Engine::compile(&files)
            .unwrap()
            .render_chart(
                &chart,
                &resolved.values,
                &resolved.enabled,
                &RenderContext::default(),
            )
            .unwrap();
        let rendered: Vec<(&str, &str)> = out
            .iter()
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        assert_eq!(
            rendered,
            vec![
                (
                    "parent/charts/one/templates/s.yaml",
                    "S=parent/charts/one/templates/s.yaml"
                ),
                (
                    "parent/templates/tests/t.yaml",
                    "T=parent/templates/tests/t.yaml parent/templates parent-value sub-value"
                ),
            ]
        );
    }

    #[test]
    fn template_errors_name_the_file_and_line() {
        let err = render(
            "ok\n{{ fail('broken on purpose') }}",
            &RenderContext::default(),
        )
        .unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("parent/charts/one/templates/t.yaml"),
            "{text}"
        );
        assert!(text.contains("t.yaml:2"), "{text}");
        assert!(text.contains("broken on purpose"), "{text}");
        let err = render("{% if %}", &RenderContext::default()).unwrap_err();
        assert!(
            format!("{err:#}").contains("templates/sub/t.yaml"),
            "{err:#}"
        );
    }

    #[test]
    fn api_versions_are_checked() {
        let parse = |flags: &[&str]| {
            parse_api_versions(&flags.iter().map(|f| f.to_string()).collect::<Vec<_>>())
        };
        // What users and Argo CD's KUBE_API_VERSIONS pass.
        let ok = parse(&[
            "v1,apps/v1, batch/v1beta1 ,,",
            "monitoring.coreos.com/v1",
            "v1/ConfigMap,apps/v1/Deployment,autoscaling/v2beta2",
            "",
        ])
        .unwrap();
        assert_eq!(ok.len(), 7, "{ok:?}");
        for bad in [
            "monitoring.coreos.com v1",
            "monitoring.coreos.com",
            "monitoring.coreos.com/",
            "/v1",
            "Monitoring.coreos.com/v1",
            "apps/1",
            "apps/v1/Deployment/x",
            "apps/v1/deployment",
        ] {
            let err = parse(&[bad]).unwrap_err().to_string();
            assert!(err.contains(&format!("{:?}", bad.trim())), "{bad}: {err}");
        }
    }

    /// With `--chart DIR`, template errors name the template file on disk, syntax errors
    /// (found when compiling) and render errors alike.
    #[test]
    fn template_errors_in_a_chart_directory_name_the_file_on_disk() {
        let root = std::env::temp_dir().join(format!("qspgb-tpl-errors-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("chart")).unwrap();
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::write(root.join("chart/Chart.yaml"), "name: x\nversion: 1.0.0\n").unwrap();
        let template = root.join("templates/cm.yaml");
        std::fs::write(&template, "kind: ConfigMap\n{% if %}\n").unwrap();
        let compiled = Engine::compile(&ChartFiles::from_dir(&root).unwrap());
        let err = format!("{:#}", compiled.err().expect("a syntax error"));
        assert!(
            err.starts_with(&format!("{}:2: ", template.display())),
            "{err}"
        );

        std::fs::write(&template, "kind: ConfigMap\n{{ fail('no') }}\n").unwrap();
        let files = ChartFiles::from_dir(&root).unwrap();
        let chart = Chart::load(&files).unwrap();
        let err = Engine::compile(&files)
            .unwrap()
            .render_chart(&chart, &Map::default(), &[], &RenderContext::default())
            .unwrap_err();
        let err = format!("{err:#}");
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(
            err,
            format!(
                "rendering x/templates/cm.yaml: {}:2: no",
                template.display()
            )
        );
    }

    #[test]
    fn include_takes_helm_paths_and_gives_the_files_own_text() {
        let out = render(
            "{{ include(Template.BasePath ~ '/u.yaml') }}|{{ include('parent/charts/one/templates/_partial.tpl') }}",
            &RenderContext::default(),
        )
        .unwrap();
        let u = "U=parent/charts/one/templates/u.yaml hello";
        assert_eq!(out[0].text, format!("{u}|never rendered alone"));
        assert_eq!(out[1].path, "parent/charts/one/templates/u.yaml");
        assert_eq!(
            out[1].text, u,
            "the included text is the file's own document"
        );
        let err = render(
            "{{ include('parent/charts/one/templates/nope.yaml') }}",
            &RenderContext::default(),
        )
        .unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("nope.yaml") && text.contains("does not exist"),
            "{text}"
        );
    }
}
