//! The command line: flags parsed by clap into validated settings, then the commands.
//!
//! Everything here is glue: reading inputs, calling [`crate::release`], writing output.
//! Output is produced completely in memory before anything is written, so a failing render
//! prints nothing on stdout.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::chart::ChartFiles;
use crate::release;
use crate::render::output::OutputOptions;
use crate::render::transform::HookStyle;
use crate::render::{DEFAULT_KUBE_VERSION, RenderContext};
use crate::value::Value;
use crate::values::ValueInputs;
use crate::yaml;

/// Release name used when none is given.
pub const DEFAULT_RELEASE_NAME: &str = "qs-pgbouncer";

/// qspgb renders the qs-pgbouncer deployment (PgBouncer for Pharia and Temporal) exactly as
/// `helm template` would, from one static binary.
#[derive(Debug, Parser)]
#[command(name = "qspgb", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the Kubernetes manifests, as `helm template` does.
    #[command(after_help = "\
Examples:
  qspgb render my-pgbouncer -n pharia-ai -f values.yaml | kubectl apply -n pharia-ai -f -
  qspgb render --set pgbouncerTemporal.enabled=false
  qspgb render -s charts/pgbouncerPharia/templates/configmap.yaml
  qspgb render -f values/upstream-compat.yaml -f old-helm-values.yaml   # compare with Helm
  qspgb render --output-dir out/")]
    Render(RenderArgs),
    /// Print the values the templates see (chart defaults merged with yours).
    #[command(after_help = "\
Examples:
  qspgb values -f values.yaml
  qspgb values --set pgbouncerPharia.replicaCount=5")]
    Values(ValuesArgs),
    /// Compare committed renderings (from `render --output-dir DIR`) with a fresh render:
    /// prints a unified diff; exit 0 when equal, 1 when different, 2 on errors.
    #[command(after_help = "\
Examples:
  qspgb render -f values/prod.yaml --output-dir rendered/     # commit rendered/
  qspgb diff rendered/ -f values/prod.yaml                     # in CI: fails on drift
  qspgb render --check rendered/ -f values/prod.yaml           # the same")]
    Diff(DiffArgs),
    /// Argo CD Config Management Plugin commands (see deploy/argocd/).
    #[command(subcommand)]
    Argocd(ArgocdCommand),
    /// Print a shell completion script.
    #[command(after_help = "\
Examples:
  qspgb completion bash > /etc/bash_completion.d/qspgb
  qspgb completion zsh > \"${fpath[1]}/_qspgb\"
  qspgb completion fish > ~/.config/fish/completions/qspgb.fish")]
    Completion {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the versions of qspgb, its chart and the upstream chart it ports.
    #[command(after_help = "\
Examples:
  qspgb version")]
    Version,
}

#[derive(Debug, Subcommand)]
enum ArgocdCommand {
    /// Render for Argo CD, configured by its environment (ARGOCD_APP_NAME,
    /// ARGOCD_APP_NAMESPACE, KUBE_VERSION, KUBE_API_VERSIONS, ARGOCD_ENV_QSPGB_*,
    /// ARGOCD_APP_PARAMETERS). Stdout carries manifests only; zero documents is an error
    /// unless ARGOCD_ENV_QSPGB_ALLOW_EMPTY=true.
    #[command(after_help = "\
Examples (what Argo CD runs in the application's source directory):
  ARGOCD_APP_NAME=qs-pgbouncer ARGOCD_APP_NAMESPACE=pharia-ai \\
  ARGOCD_ENV_QSPGB_VALUES=values-prod.yaml qspgb argocd generate")]
    Generate,
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// Directory of committed renderings (the layout `render --output-dir` writes).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    #[command(flatten)]
    render: RenderArgs,
}

/// Flags that choose the chart and its values (shared by every command).
#[derive(Debug, Args)]
struct InputArgs {
    /// Release name (`.Release.Name`).
    #[arg(value_name = "NAME", default_value = DEFAULT_RELEASE_NAME)]
    release_name: String,

    /// Values file (YAML); repeat for more, later files win. `-` reads standard input.
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    values: Vec<String>,

    /// Set a value: key=value, several separated by commas (a.b=1,c[0]=x).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,

    /// Set a value as a string, never a number or bool.
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    set_string: Vec<String>,

    /// Set a value to the contents of a file: key=path.
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    set_file: Vec<String>,

    /// Set a value from JSON: key={"a":1}.
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    set_json: Vec<String>,

    /// Set a value to the literal text after `=` (no commas or escapes parsed).
    #[arg(long = "set-literal", value_name = "KEY=VALUE")]
    set_literal: Vec<String>,

    /// Render this chart directory (chart/, templates/, values/) instead of the embedded one.
    #[arg(long, value_name = "DIR")]
    chart: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct RenderArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Release namespace (`.Release.Namespace`).
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,

    /// Only print documents from these template paths (globs allowed), e.g.
    /// charts/pgbouncerPharia/templates/deployment.yaml.
    #[arg(short = 's', long = "show-only", value_name = "PATH")]
    show_only: Vec<String>,

    /// Write each template's documents to DIR/<template path> instead of stdout.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,

    /// Leave out hooks.
    #[arg(long)]
    no_hooks: bool,

    /// Leave out `helm test` hooks.
    #[arg(long)]
    skip_tests: bool,

    /// Render as an upgrade (`.Release.IsUpgrade` true, `IsInstall` false).
    #[arg(long)]
    is_upgrade: bool,

    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long, value_name = "VERSION", default_value = DEFAULT_KUBE_VERSION)]
    kube_version: String,

    /// Extra API versions for `.Capabilities.APIVersions` (repeat or comma-separate).
    #[arg(short = 'a', long = "api-versions", value_name = "GROUP/VERSION")]
    api_versions: Vec<String>,

    /// Write `metadata.namespace` (the --namespace value) into namespaced objects, so
    /// `kubectl apply -f -` needs no `-n` (Helm leaves it out).
    #[arg(long)]
    namespace_in_manifests: bool,

    /// Hook annotations in the output: Helm's, or Argo CD's own (`argocd.argoproj.io/hook`;
    /// hooks Argo CD has no phase for are left out).
    #[arg(long, value_enum, default_value_t = HookStyle::Helm)]
    hook_style: HookStyle,

    /// Fail when the render produces no documents (Argo CD with pruning would delete
    /// everything on empty output).
    #[arg(long)]
    fail_if_empty: bool,

    /// Instead of printing, compare with the committed renderings in DIR (as `qspgb diff`).
    #[arg(long, value_name = "DIR", conflicts_with = "output_dir")]
    check: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ValuesArgs {
    #[command(flatten)]
    input: InputArgs,
}

impl InputArgs {
    fn value_inputs(&self) -> ValueInputs {
        ValueInputs {
            files: self.values.clone(),
            set_json: self.set_json.clone(),
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            set_file: self.set_file.clone(),
            set_literal: self.set_literal.clone(),
        }
    }

    fn chart_files(&self) -> Result<ChartFiles> {
        match &self.chart {
            Some(dir) => ChartFiles::from_dir(dir),
            None => Ok(ChartFiles::embedded()),
        }
    }
}

/// Exit code when `diff` / `render --check` finds differences.
pub const EXIT_DIFFERENT: i32 = 1;

/// Runs the command line; returns the process exit code: 0 success, 1 error (or, for
/// `diff`/`--check`, differences), 2 bad command line (or, for `diff`/`--check`, an error).
pub fn main() -> i32 {
    let cli = Cli::parse();
    let comparing = match &cli.command {
        Command::Diff(_) => true,
        Command::Render(args) => args.check.is_some(),
        _ => false,
    };
    let result = match cli.command {
        Command::Render(args) => render(args),
        Command::Values(args) => values(args).map(|()| 0),
        Command::Diff(args) => {
            let mut render_args = args.render;
            render_args.check = Some(args.dir);
            render(render_args)
        }
        Command::Argocd(ArgocdCommand::Generate) => argocd_generate(),
        Command::Completion { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "qspgb", &mut script);
            write_stdout(&String::from_utf8_lossy(&script)).map(|()| 0)
        }
        Command::Version => version().map(|()| 0),
    };
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => 0,
        Err(err) => {
            eprintln!("error: {err:#}");
            if comparing { 2 } else { 1 }
        }
    }
}

/// `| head` closing the pipe is not an error worth a message.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn render(args: RenderArgs) -> Result<i32> {
    validate_release_name(&args.input.release_name)?;
    validate_namespace(&args.namespace)?;
    let ctx = RenderContext {
        release_name: args.input.release_name.clone(),
        namespace: args.namespace.clone(),
        is_upgrade: args.is_upgrade,
        revision: 1,
        kube_version: normalize_kube_version(&args.kube_version)?,
        api_versions: args
            .api_versions
            .iter()
            .flat_map(|a| a.split(','))
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect(),
    };
    let selection = OutputOptions {
        no_hooks: args.no_hooks,
        skip_tests: args.skip_tests,
        show_only: args.show_only.clone(),
        namespace_in_manifests: args.namespace_in_manifests.then(|| args.namespace.clone()),
        hook_style: args.hook_style,
    };
    let files = args.input.chart_files()?;
    let rendered = release::render_release(
        &files,
        &args.input.value_inputs(),
        &mut read_input,
        &ctx,
        &selection,
    )?;
    for warning in &rendered.warnings {
        eprintln!("warning: {warning}");
    }
    if args.fail_if_empty && rendered.documents.is_empty() {
        bail!(
            "the render produced no documents (with --fail-if-empty; under Argo CD set \
             ARGOCD_ENV_QSPGB_ALLOW_EMPTY=true if that is intended)"
        );
    }
    if let Some(dir) = &args.check {
        return check_dir(dir, &rendered);
    }
    match &args.output_dir {
        Some(dir) => write_output_dir(dir, &rendered),
        None => write_stdout(&rendered.to_output()),
    }
    .map(|()| 0)
}

/// `qspgb argocd generate`: the Argo CD environment, parsed as a `render` command line.
fn argocd_generate() -> Result<i32> {
    let all_env: Vec<(String, String)> = std::env::vars().collect();
    let lookup = |name: &str| std::env::var(name).ok();
    let mut argv = vec!["qspgb".to_string()];
    argv.extend(crate::argocd::render_args(&lookup, &all_env)?);
    let cli = Cli::try_parse_from(&argv).map_err(|e| {
        anyhow::anyhow!(
            "the Argo CD environment gave an invalid command line ({}): {}",
            argv[1..].join(" "),
            e.kind()
        )
    })?;
    match cli.command {
        Command::Render(args) => render(args),
        _ => unreachable!("render_args always starts with render"),
    }
}

/// `qspgb version`.
fn version() -> Result<()> {
    let files = ChartFiles::embedded();
    let chart = crate::chart::Chart::load(&files)?;
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
    write_stdout(&text)
}

/// Each template's output file: Helm's `--output-dir` layout, `(path, text)` in order.
fn output_files(rendered: &release::Rendered) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for doc in &rendered.documents {
        match files.iter_mut().find(|(path, _)| *path == doc.source) {
            Some((_, text)) => text.push_str(&doc.to_output()),
            None => files.push((doc.source.clone(), doc.to_output())),
        }
    }
    files
}

/// Compares `dir` (committed `--output-dir` files) with a fresh render; prints a unified
/// diff of every difference, including stale committed files the render no longer writes.
fn check_dir(dir: &Path, rendered: &release::Rendered) -> Result<i32> {
    if !dir.is_dir() {
        bail!("{}: not a directory of committed renderings", dir.display());
    }
    let fresh = output_files(rendered);
    let mut report = String::new();
    for (path, text) in &fresh {
        let committed_path = dir.join(path);
        let committed = match std::fs::read_to_string(&committed_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(e).with_context(|| format!("reading {}", committed_path.display()));
            }
        };
        report.push_str(&crate::diff::unified(
            &committed,
            text,
            &committed_path.display().to_string(),
            &format!("rendered {path}"),
        ));
    }
    let roots: std::collections::BTreeSet<&str> = fresh
        .iter()
        .filter_map(|(p, _)| p.split('/').next())
        .collect();
    for root in roots {
        let mut committed = Vec::new();
        list_files(&dir.join(root), &mut committed)?;
        committed.sort();
        for path in committed {
            let rel = path
                .strip_prefix(dir)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if fresh.iter().all(|(p, _)| *p != rel) {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                report.push_str(&crate::diff::unified(
                    &text,
                    "",
                    &path.display().to_string(),
                    &format!("rendered {rel} (no longer rendered)"),
                ));
            }
        }
    }
    if report.is_empty() {
        eprintln!("{}: up to date", dir.display());
        return Ok(0);
    }
    write_stdout(&report)?;
    Ok(EXIT_DIFFERENT)
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            list_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn values(args: ValuesArgs) -> Result<()> {
    validate_release_name(&args.input.release_name)?;
    let files = args.input.chart_files()?;
    let (_, resolved) =
        release::resolve_values(&files, &args.input.value_inputs(), &mut read_input)?;
    for warning in &resolved.warnings {
        eprintln!("warning: {}", warning.0);
    }
    write_stdout(&yaml::to_yaml(&Value::Map(resolved.values)))
}

/// Reads a file named on the command line; `-` is standard input.
fn read_input(path: &str) -> Result<String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading standard input (values must be UTF-8 text)")?;
        return Ok(text);
    }
    let p = Path::new(path);
    if p.is_dir() {
        bail!("{path} is a directory, expected a YAML file");
    }
    std::fs::read_to_string(p).with_context(|| format!("cannot read {path}"))
}

fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes Helm's `--output-dir` layout: DIR/<template path>, the documents of one template
/// in one file. Each file is written to a temporary name and renamed, so a reader never sees
/// a half-written file.
fn write_output_dir(dir: &Path, rendered: &release::Rendered) -> Result<()> {
    let files = output_files(rendered);
    let mut report = String::new();
    for (source, text) in &files {
        let target = dir.join(source);
        let parent = target.parent().expect("a template path has a folder");
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let tmp = target.with_extension("qspgb-tmp");
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &target)
            .with_context(|| format!("renaming {} to {}", tmp.display(), target.display()))?;
        report.push_str(&format!("wrote {}\n", target.display()));
    }
    write_stdout(&report)
}

/// Helm's rule for release names: a DNS-1123 subdomain of at most 53 characters (the rest of
/// the 63 is left for suffixes such as `-configmap`).
pub fn validate_release_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 53 || !is_dns_subdomain(name) {
        bail!(
            "invalid release name {name:?}: use at most 53 lowercase letters, digits, '-' and '.', \
             starting and ending with a letter or digit"
        );
    }
    Ok(())
}

/// A namespace must be a DNS-1123 label (what kube-apiserver accepts).
pub fn validate_namespace(ns: &str) -> Result<()> {
    if ns.is_empty() || ns.len() > 63 || ns.contains('.') || !is_dns_subdomain(ns) {
        bail!(
            "invalid namespace {ns:?}: use at most 63 lowercase letters, digits and '-', \
             starting and ending with a letter or digit"
        );
    }
    Ok(())
}

fn is_dns_subdomain(s: &str) -> bool {
    s.split('.').all(|label| {
        let bytes = label.as_bytes();
        !bytes.is_empty()
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && bytes[0] != b'-'
            && bytes[bytes.len() - 1] != b'-'
    })
}

/// Accepts `1.31`, `v1.31.2`, `1.31.0-rc.1`; returns `v<major>.<minor>.<patch>[...]`.
pub fn normalize_kube_version(raw: &str) -> Result<String> {
    let v = raw.trim().trim_start_matches('v');
    let (core, extra) = match v.find(['-', '+']) {
        Some(i) => (&v[..i], &v[i..]),
        None => (v, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    let numeric = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(numeric) {
        bail!("invalid --kube-version {raw:?}: expected a version such as v1.31.0");
    }
    let patch = parts.get(2).copied().unwrap_or("0");
    Ok(format!("v{}.{}.{patch}{extra}", parts[0], parts[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names() {
        assert!(validate_release_name("my-pgbouncer").is_ok());
        assert!(validate_release_name("a.b").is_ok());
        assert!(validate_release_name("My").is_err());
        assert!(validate_release_name("-a").is_err());
        assert!(validate_release_name(&"a".repeat(54)).is_err());
    }

    #[test]
    fn namespaces() {
        assert!(validate_namespace("pharia-ai").is_ok());
        assert!(validate_namespace("a.b").is_err());
        assert!(validate_namespace("UPPER").is_err());
    }

    #[test]
    fn kube_versions() {
        assert_eq!(normalize_kube_version("1.31").unwrap(), "v1.31.0");
        assert_eq!(normalize_kube_version("v1.20.2").unwrap(), "v1.20.2");
        assert_eq!(
            normalize_kube_version("1.31.0-rc.1").unwrap(),
            "v1.31.0-rc.1"
        );
        assert!(normalize_kube_version("one").is_err());
        assert!(normalize_kube_version("1").is_err());
    }
}
