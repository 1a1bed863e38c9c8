//! Flags become validated settings: every check of the command line lives here, so a
//! command receives only settings that passed them, and never sees clap.
//!
//! Each conversion checks in the order the flags' errors were always reported (release
//! name, namespace, kube version, API versions, then combinations of flags), so the first
//! problem named stays the same.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use super::args::{
    Cli, Command, ContextArgs, DiffArgs, HookStyleArg, HooksArgs, InputArgs, LintArgs, RenderArgs,
    SelectArgs, ValuesArgs, argocd_command_line_error,
};
use crate::chart::ChartFiles;
use crate::hooks::cluster::ConnectOptions;
use crate::k8s::{validate_namespace, validate_release_name};
use crate::manifest::HookStyle;
use crate::manifest::OutputOptions;
use crate::render::{DEFAULT_KUBE_VERSION, RenderContext};
use crate::values::ValueInputs;
use clap::Parser;

/// The name inline values (the Argo CD parameter `values-inline`) go by among the values
/// files: errors in them name it like a file.
pub const INLINE_VALUES_ORIGIN: &str = "parameter values-inline";

/// The chart and the values every command starts from.
#[derive(Debug, Clone)]
pub struct InputSettings {
    /// The values flags, in Helm's order of application.
    pub values: ValueInputs,
    /// `--chart DIR`, or the embedded chart.
    pub chart: Option<PathBuf>,
    /// Values as YAML text (Argo CD's `values-inline`), read where `values.files` names
    /// [`INLINE_VALUES_ORIGIN`]: after every values file.
    pub inline_values: Option<String>,
}

impl InputSettings {
    /// The text of the values file `path`: the inline values for their name, else the file
    /// (`-` is standard input).
    pub fn read(&self, path: &str) -> Result<String> {
        match &self.inline_values {
            Some(text) if path == INLINE_VALUES_ORIGIN => Ok(text.clone()),
            _ => super::io::read_input(path),
        }
    }

    /// The chart's files: the directory given, or the embedded chart.
    pub fn chart_files(&self) -> Result<ChartFiles> {
        match &self.chart {
            Some(dir) => ChartFiles::from_dir(dir),
            None => Ok(ChartFiles::embedded()),
        }
    }
}

impl From<InputArgs> for InputSettings {
    fn from(args: InputArgs) -> Self {
        InputSettings {
            values: ValueInputs {
                files: args.values,
                set_json: args.set_json,
                set: args.set,
                set_string: args.set_string,
                set_file: args.set_file,
                set_literal: args.set_literal,
                preset: args.preset,
                skip_schema_validation: args.skip_schema_validation,
            },
            chart: args.chart,
            inline_values: None,
        }
    }
}

/// Where `render` puts the documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output, as `helm template` prints.
    Stdout,
    /// `--output-dir DIR`: one file per template, Helm's layout.
    Dir {
        /// The directory.
        dir: PathBuf,
        /// `--prune`: remove the files below `dir` this render owns but no longer writes.
        prune: bool,
    },
}

/// `qspgb render`, checked.
#[derive(Debug, Clone)]
pub struct RenderSettings {
    /// The chart and values.
    pub input: InputSettings,
    /// The release and cluster the templates see.
    pub context: RenderContext,
    /// Which documents to print, and how.
    pub selection: OutputOptions,
    /// `--fail-if-empty`.
    pub fail_if_empty: bool,
    /// Where the documents go.
    pub destination: Destination,
}

/// `qspgb diff DIR` (and `render --check DIR`), checked.
#[derive(Debug, Clone)]
pub struct DiffSettings {
    /// The committed renderings.
    pub dir: PathBuf,
    /// The fresh render to compare with them (its destination is always stdout: unused).
    pub render: RenderSettings,
}

/// `qspgb lint`, checked.
#[derive(Debug, Clone)]
pub struct LintSettings {
    /// The chart and values.
    pub input: InputSettings,
    /// The release and cluster the templates see.
    pub context: RenderContext,
    /// `--strict`: warnings fail too.
    pub strict: bool,
    /// `--consult-cluster`: where to read the CloudNativePG Clusters from.
    pub consult: Option<ConnectOptions>,
}

/// `qspgb values`, checked.
#[derive(Debug, Clone)]
pub struct ValuesSettings {
    /// The chart and values.
    pub input: InputSettings,
    /// The release and cluster the templates are rendered and checked with.
    pub context: RenderContext,
}

/// `qspgb hooks`, checked.
#[derive(Debug, Clone)]
pub struct HooksSettings {
    /// The chart and values.
    pub input: InputSettings,
    /// The release the targets are rendered for (namespace `default` when none is given:
    /// the names do not depend on it).
    pub context: RenderContext,
    /// `-n`: the namespace to work in; else the kubeconfig's (or the pod's).
    pub namespace: Option<String>,
    /// `--instance`: only this one.
    pub instance: Option<String>,
    /// `--dry-run`: write nothing.
    pub dry_run: bool,
    /// How to reach the API server.
    pub connect: ConnectOptions,
}

/// The release and cluster the templates see, checked: the same for every command that
/// renders. `-n` defaults to `default` here; `hooks` keeps its own absent `-n` apart (it
/// then works in the kubeconfig's namespace, and the names it renders do not depend on it).
fn render_context(input: &InputArgs, context: &ContextArgs) -> Result<RenderContext> {
    validate_release_name(&input.release_name).map_err(anyhow::Error::msg)?;
    let namespace = context
        .namespace
        .clone()
        .unwrap_or_else(|| "default".into());
    validate_namespace(&namespace).map_err(anyhow::Error::msg)?;
    Ok(RenderContext {
        release_name: input.release_name.clone(),
        namespace,
        is_upgrade: context.is_upgrade,
        revision: 1,
        kube_version: normalize_kube_version(&context.kube_version)?,
        api_versions: crate::render::parse_api_versions(&context.api_versions)?,
        helm_exact: input.helm_exact,
        check_namespace: true,
        tests: true,
    })
}

/// The document selection of `render` and `diff` (and what `lint` accepts), checked;
/// `namespace` is the release namespace `--namespace-in-manifests` writes.
fn selection(select: SelectArgs, namespace: &str) -> Result<(OutputOptions, bool)> {
    let hook_style = match select.hook_style {
        HookStyleArg::Helm => HookStyle::Helm,
        HookStyleArg::Argocd => HookStyle::Argocd,
    };
    if select.include_tests && hook_style == HookStyle::Argocd {
        bail!(
            "--include-tests cannot be used with --hook-style argocd: Argo CD has no phase for \
             `helm test` hooks (run them with `helm test`, or render them with --hook-style helm)"
        );
    }
    let options = OutputOptions {
        no_hooks: select.no_hooks,
        include_tests: select.include_tests,
        show_only: select.show_only,
        namespace_in_manifests: select.namespace_in_manifests.then(|| namespace.to_string()),
        hook_style,
    };
    Ok((options, select.fail_if_empty))
}

/// The fresh render of `render`, `diff` and `render --check`.
fn render_settings(
    input: InputArgs,
    context: &ContextArgs,
    select: SelectArgs,
    destination: Destination,
) -> Result<RenderSettings> {
    let mut context = render_context(&input, context)?;
    let (selection, fail_if_empty) = selection(select, &context.namespace)?;
    // What is not written need not be rendered: the test hooks only with --include-tests,
    // or when --show-only may name one.
    context.tests =
        !selection.no_hooks && (selection.include_tests || !selection.show_only.is_empty());
    Ok(RenderSettings {
        input: input.into(),
        context,
        selection,
        fail_if_empty,
        destination,
    })
}

impl TryFrom<RenderArgs> for RenderSettings {
    type Error = anyhow::Error;

    fn try_from(args: RenderArgs) -> Result<Self> {
        let destination = match args.output_dir {
            Some(dir) => Destination::Dir {
                dir,
                prune: args.prune,
            },
            None => Destination::Stdout,
        };
        render_settings(args.input, &args.render_context, args.select, destination)
    }
}

impl TryFrom<DiffArgs> for DiffSettings {
    type Error = anyhow::Error;

    fn try_from(args: DiffArgs) -> Result<Self> {
        DiffSettings::comparing(args.dir, args.input, &args.render_context, args.select)
    }
}

impl DiffSettings {
    /// `render --check DIR`: the same comparison as `diff DIR`. `--output-dir` and
    /// `--prune` cannot come with it (clap refuses them together).
    pub fn from_check(dir: PathBuf, args: RenderArgs) -> Result<Self> {
        DiffSettings::comparing(dir, args.input, &args.render_context, args.select)
    }

    /// `DIR` against a fresh render to stdout's form: what `diff` and `render --check` share.
    fn comparing(
        dir: PathBuf,
        input: InputArgs,
        context: &ContextArgs,
        select: SelectArgs,
    ) -> Result<Self> {
        Ok(DiffSettings {
            dir,
            render: render_settings(input, context, select, Destination::Stdout)?,
        })
    }
}

impl RenderSettings {
    /// The settings of `argocd generate`, and the warnings to print: `request.args`, a
    /// `render` command line built from the Argo CD environment ([`crate::argocd::request`]),
    /// parsed and confined to the application's source directory before its flags are
    /// checked; the inline values after every values file.
    ///
    /// Argo CD runs one plugin sidecar for many Applications: a generate run may read only
    /// its own source directory (the working directory), as Argo CD's Helm support allows,
    /// and may print only manifests. So flags that read or write elsewhere are refused,
    /// whichever variable or parameter they came from, and every values file is confined.
    pub fn from_argocd_request(request: crate::argocd::Request) -> Result<(Self, Vec<String>)> {
        if let Some(pinned) = &request.version {
            crate::argocd::check_version(pinned, env!("CARGO_PKG_VERSION"))?;
        }
        let mut argv = vec!["qspgb".to_string()];
        argv.extend(request.args);
        let cli = Cli::try_parse_from(&argv).map_err(argocd_command_line_error)?;
        let Command::Render(mut args) = cli.command else {
            unreachable!("argocd::request always starts with render")
        };
        let refused = [
            ("--set-file", !args.input.set_file.is_empty()),
            ("--chart", args.input.chart.is_some()),
            ("--output-dir", args.output_dir.is_some()),
            ("--check", args.check.is_some()),
        ];
        if let Some((flag, _)) = refused.iter().find(|(_, given)| *given) {
            bail!(
                "{flag} is not available under Argo CD: the plugin reads only the application's \
                 source directory and prints only manifests (remove it from \
                 ARGOCD_ENV_QSPGB_ARGS or the parameters)"
            );
        }
        let source = std::env::current_dir().context("reading the working directory")?;
        let mut warnings = Vec::new();
        let mut files = Vec::new();
        for file in std::mem::take(&mut args.input.values) {
            // The run's working directory is the source directory, so the path stays as given.
            let path = crate::files::confined(&source, &file)?;
            if std::fs::symlink_metadata(&path)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
            {
                if !request.ignore_missing_values_files {
                    bail!(
                        "values file {file:?} does not exist in the application's source \
                         directory (set the parameter ignore-missing-values-files to true to \
                         skip missing values files)"
                    );
                }
                warnings.push(format!(
                    "values file {file:?} does not exist in the application's source directory; \
                     skipped (ignore-missing-values-files)"
                ));
                continue;
            }
            files.push(file);
        }
        args.input.values = files;
        let mut settings: RenderSettings = args.try_into()?;
        if let Some(text) = request.inline_values {
            settings
                .input
                .values
                .files
                .push(INLINE_VALUES_ORIGIN.to_string());
            settings.input.inline_values = Some(text);
        }
        Ok((settings, warnings))
    }
}

impl TryFrom<LintArgs> for LintSettings {
    type Error = anyhow::Error;

    fn try_from(args: LintArgs) -> Result<Self> {
        let context = render_context(&args.input, &args.render_context)?;
        // Checked like render's, though lint checks every document whatever the selection
        // (its --help says so): a command line render refuses is not linted as fine.
        selection(args.select, &context.namespace)?;
        let consult = args.consult_cluster.then(|| ConnectOptions {
            kubeconfig: args.kubeconfig,
            context: args.context,
            request_timeout: std::time::Duration::from_secs(30),
        });
        Ok(LintSettings {
            input: args.input.into(),
            context,
            strict: args.strict,
            consult,
        })
    }
}

impl TryFrom<ValuesArgs> for ValuesSettings {
    type Error = anyhow::Error;

    fn try_from(args: ValuesArgs) -> Result<Self> {
        let mut context = render_context(&args.input, &args.render_context)?;
        // Values bind nothing to a namespace: no default-namespace warning; nor are the
        // test hooks of interest.
        context.check_namespace = false;
        context.tests = false;
        Ok(ValuesSettings {
            input: args.input.into(),
            context,
        })
    }
}

impl TryFrom<HooksArgs> for HooksSettings {
    type Error = anyhow::Error;

    fn try_from(args: HooksArgs) -> Result<Self> {
        let mut context = render_context(&args.input, &args.render_context)?;
        // Without -n the hooks work in the kubeconfig's namespace, not in `default`; the
        // targets are not in the test hooks.
        context.check_namespace = false;
        context.tests = false;
        Ok(HooksSettings {
            input: args.input.into(),
            context,
            namespace: args.render_context.namespace,
            instance: args.instance,
            dry_run: args.dry_run,
            connect: ConnectOptions {
                kubeconfig: args.kubeconfig,
                context: args.context,
                request_timeout: args.request_timeout,
            },
        })
    }
}

/// `--kube-version` as Helm reads it (`chartutil.ParseKubeVersion`, which calls
/// Kubernetes' `version.ParseGeneric`): optional blanks and `v`, then at least two
/// dot-separated numbers without leading zeros, then anything (`1.31`, `v1.33.4+k3s1`,
/// `1.31.0.1`). Returns what templates see as `.Capabilities.KubeVersion.Version`: the text
/// as given, with a `v` in front when it has none. Empty means the default version.
pub fn normalize_kube_version(raw: &str) -> Result<String> {
    if raw.is_empty() {
        return Ok(DEFAULT_KUBE_VERSION.to_string());
    }
    let rest = raw.trim_start_matches([' ', '\t', '\n', '\r', '\u{b}', '\u{c}']);
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let numbers_end = rest
        .char_indices()
        .scan(false, |after_dot, (i, c)| {
            // A dot belongs to the numbers only when a digit follows it.
            let digit = c.is_ascii_digit();
            let keep = digit || (c == '.' && !*after_dot);
            *after_dot = c == '.';
            keep.then_some(i + c.len_utf8())
        })
        .last()
        .unwrap_or(0);
    let numbers = rest[..numbers_end].trim_end_matches('.');
    let components: Vec<&str> = numbers.split('.').collect();
    if numbers.is_empty() || !numbers.starts_with(|c: char| c.is_ascii_digit()) {
        bail!(
            "invalid --kube-version {raw:?}: could not parse it as a version (expected one such as v1.31.0)"
        );
    }
    if components.len() < 2 {
        bail!(
            "invalid --kube-version {raw:?}: a version needs at least major and minor (such as v1.31)"
        );
    }
    for component in &components {
        if component.len() > 1 && component.starts_with('0') {
            bail!(
                "invalid --kube-version {raw:?}: version component {component:?} starts with a zero"
            );
        }
        if component.parse::<u64>().is_err() {
            bail!(
                "invalid --kube-version {raw:?}: version component {component:?} is out of range"
            );
        }
    }
    Ok(if raw.starts_with('v') {
        raw.to_string()
    } else {
        format!("v{raw}")
    })
}

#[cfg(test)]
mod tests;
