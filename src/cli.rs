//! The command line: flags parsed by clap into validated settings, then the commands.
//!
//! Everything here is glue: reading inputs, calling [`crate::release`], writing output.
//! Output is produced completely in memory before anything is written, so a failing render
//! prints nothing on stdout.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::chart::ChartFiles;
use crate::manifest::{self, HookStyle, OutputOptions};
use crate::release;
use crate::render::{DEFAULT_KUBE_VERSION, RenderContext};
use crate::value::Value;
use crate::values::ValueInputs;
use crate::yaml;

/// Prints one message on stderr, through the redaction policy ([`crate::redact::scrub`]):
/// every line the program writes to stderr goes through here, so no remembered secret, nor
/// four characters of one, reaches a CI or Argo CD log.
macro_rules! say {
    ($($arg:tt)*) => {
        eprintln!("{}", crate::redact::scrub(&format!($($arg)*)))
    };
}

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
    /// Check values without rendering anything to stdout: the schema (every problem, each
    /// naming its file or flag), the render's own checks, PgBouncer settings against
    /// PgBouncer's documented ones, and the rendered objects' names, labels and resource
    /// quantities. Findings go to stderr; exit 0 clean, 1 errors (or warnings with --strict).
    #[command(after_help = "\
Examples:
  qspgb lint -f values.yaml
  qspgb lint -f values.yaml --set pgbouncerPharia.config.pgbouncer.pool_mode=transaction
  qspgb lint --strict -f values/prod.yaml      # in CI: warnings fail too")]
    Lint(LintArgs),
    /// Compare committed renderings (from `render --output-dir DIR`) with a fresh render:
    /// prints a unified diff; exit 0 when equal, 1 when different, 2 on errors.
    #[command(after_help = "\
Examples:
  qspgb render -f values/prod.yaml --output-dir rendered/     # commit rendered/
  qspgb diff rendered/ -f values/prod.yaml                     # in CI: fails on drift
  qspgb render --check rendered/ -f values/prod.yaml           # the same")]
    Diff(DiffArgs),
    /// Build each instance's userlist and admin Secrets from the database clusters'
    /// credential Secrets, write them when their content changed, and then restart the
    /// instance's pods. Exit codes: 0 done (or nothing to do), 1 bad values or settings,
    /// 2 bad command line, 3 the source Secrets give no valid userlist (nothing written),
    /// 4 the Kubernetes API failed or refused, 5 a target Secret exists with a type the
    /// hooks never write (not touched).
    #[command(after_help = "\
Examples:
  qspgb hooks my-pgbouncer -n pharia-ai -f values.yaml --dry-run
  qspgb hooks my-pgbouncer -n pharia-ai -f values.yaml --instance pharia
  qspgb hooks --kubeconfig ~/.kube/prod --context prod -n pharia-ai

The same values flags as `render` decide the Secret names (config.existingUserlistSecret,
config.existingAdminSecret), the admin role (config.adminUser), the source Secrets
(hooks.sourceSecretSelector or hooks.sourceSecretNames) and the workload. Inside a cluster the service account is used.")]
    Hooks(HooksArgs),
    /// Check a mounted userlist.txt (the chart's init container): exit 1 with a clear
    /// message when it is missing, empty or malformed. Prints the number of users only.
    #[command(after_help = "\
Examples:
  qspgb check-userlist /etc/userlist/userlist.txt")]
    CheckUserlist {
        /// The userlist file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
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

    /// Start from a preset's defaults instead of the product's: `upstream-compat` (the
    /// original chart's, pgbouncer 4.0.2, for migrating from it and comparing with Helm).
    /// The preset changes the chart's defaults, so your values merge over the preset's and
    /// never bring back a product default it removes.
    #[arg(long, value_name = "NAME")]
    preset: Option<String>,

    /// Render what Helm renders where qspgb would refuse or fix it: what Kubernetes or
    /// PgBouncer would refuse (invalid names, `true` for a 0/1 PgBouncer setting, ...) is a
    /// warning instead of an error, and written as Helm writes it. For comparing with Helm
    /// (`--preset upstream-compat`); values are still never written as YAML syntax.
    #[arg(long)]
    helm_exact: bool,
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

    /// Leave out `helm test` hooks (the default; kept for Helm's command line).
    #[arg(long, conflicts_with = "include_tests")]
    skip_tests: bool,

    /// Print the `helm test` Pods too (left out by default: `kubectl apply` would start
    /// them at once, and could not apply a changed rendering over them). For `helm test`
    /// or comparing with `helm template`.
    #[arg(long, conflicts_with = "no_hooks")]
    include_tests: bool,

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
    #[arg(long, value_enum, default_value_t = HookStyleArg::Helm)]
    hook_style: HookStyleArg,

    /// Fail when the render produces no documents (Argo CD with pruning would delete
    /// everything on empty output).
    #[arg(long)]
    fail_if_empty: bool,

    /// Instead of printing, compare with the committed renderings in DIR (as `qspgb diff`).
    #[arg(long, value_name = "DIR", conflicts_with = "output_dir")]
    check: Option<PathBuf>,
}

/// `--hook-style` as clap reads it; the setting is [`HookStyle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum HookStyleArg {
    /// Helm's `helm.sh/hook*` annotations, as rendered (Argo CD maps them itself).
    Helm,
    /// Argo CD's `argocd.argoproj.io/hook*` annotations instead; hooks without an Argo CD
    /// phase (`test`, `*-rollback`) are left out, as Argo CD ignores them.
    Argocd,
}

impl From<HookStyleArg> for HookStyle {
    fn from(style: HookStyleArg) -> HookStyle {
        match style {
            HookStyleArg::Helm => HookStyle::Helm,
            HookStyleArg::Argocd => HookStyle::Argocd,
        }
    }
}

#[derive(Debug, Args)]
struct HooksArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Namespace of the release (default: the kubeconfig context's namespace, or the pod's
    /// own namespace in a cluster).
    #[arg(short = 'n', long)]
    namespace: Option<String>,

    /// Only this instance: pharia or temporal (or the alias, pgbouncerPharia).
    #[arg(long, value_name = "NAME")]
    instance: Option<String>,

    /// Print what would be created, updated and restarted; write nothing.
    #[arg(long)]
    dry_run: bool,

    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, value_name = "PATH")]
    kubeconfig: Option<PathBuf>,

    /// Kubeconfig context (default: the current context).
    #[arg(long, value_name = "NAME")]
    context: Option<String>,

    /// Limit for each API request, e.g. 30s, 2m or 45 (seconds).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    request_timeout: std::time::Duration,
}

#[derive(Debug, Args)]
struct LintArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Release namespace (`.Release.Namespace`).
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,

    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long, value_name = "VERSION", default_value = DEFAULT_KUBE_VERSION)]
    kube_version: String,

    /// Extra API versions for `.Capabilities.APIVersions` (repeat or comma-separate).
    #[arg(short = 'a', long = "api-versions", value_name = "GROUP/VERSION")]
    api_versions: Vec<String>,

    /// Fail on warnings too.
    #[arg(long)]
    strict: bool,
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
            preset: self.preset.clone(),
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => match stray_word_error(&err) {
            Some(text) => {
                say!("error: {text}\n\nFor more information, try '--help'.");
                return 2;
            }
            // Help, version and errors about flags: clap's own output and exit code.
            None => err.exit(),
        },
    };
    let comparing = match &cli.command {
        Command::Diff(_) => true,
        Command::Render(args) => args.check.is_some(),
        _ => false,
    };
    let result = match cli.command {
        Command::Render(args) => render(args),
        Command::Values(args) => values(args).map(|()| 0),
        Command::Lint(args) => lint(args),
        Command::Diff(args) => {
            let mut render_args = args.render;
            render_args.check = Some(args.dir);
            render(render_args)
        }
        Command::Hooks(args) => hooks(args),
        Command::CheckUserlist { file } => check_userlist(&file),
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
            match err.downcast_ref::<crate::lint::Findings>() {
                // Already `error: ...` lines, as `qspgb lint` prints them.
                Some(findings) => say!("{findings}"),
                None => say!("error: {err:#}"),
            }
            if comparing {
                2
            } else {
                hooks_exit_code(&err).unwrap_or(1)
            }
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

/// The render context of `render` and `lint`, checked.
fn render_context(
    input: &InputArgs,
    namespace: &str,
    is_upgrade: bool,
    kube_version: &str,
    api_versions: &[String],
) -> Result<RenderContext> {
    validate_release_name(&input.release_name)?;
    validate_namespace(namespace)?;
    Ok(RenderContext {
        release_name: input.release_name.clone(),
        namespace: namespace.to_string(),
        is_upgrade,
        revision: 1,
        kube_version: normalize_kube_version(kube_version)?,
        api_versions: crate::render::parse_api_versions(api_versions)?,
        helm_exact: input.helm_exact,
    })
}

fn lint(args: LintArgs) -> Result<i32> {
    let ctx = render_context(
        &args.input,
        &args.namespace,
        false,
        &args.kube_version,
        &args.api_versions,
    )?;
    let files = args.input.chart_files()?;
    let checked = release::check(&files, &args.input.value_inputs(), &mut read_input, &ctx)?;
    let findings = checked.findings;
    for finding in &findings {
        say!("{finding}");
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == crate::lint::Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    say!(
        "lint: {errors} error{}, {warnings} warning{}",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    );
    Ok(i32::from(errors > 0 || (args.strict && warnings > 0)))
}

fn render(args: RenderArgs) -> Result<i32> {
    let ctx = render_context(
        &args.input,
        &args.namespace,
        args.is_upgrade,
        &args.kube_version,
        &args.api_versions,
    )?;
    if args.include_tests && args.hook_style == HookStyleArg::Argocd {
        bail!(
            "--include-tests cannot be used with --hook-style argocd: Argo CD has no phase for \
             `helm test` hooks (run them with `helm test`, or render them with --hook-style helm)"
        );
    }
    let selection = OutputOptions {
        no_hooks: args.no_hooks,
        include_tests: args.include_tests,
        show_only: args.show_only.clone(),
        namespace_in_manifests: args.namespace_in_manifests.then(|| args.namespace.clone()),
        hook_style: args.hook_style.into(),
    };
    let files = args.input.chart_files()?;
    // release::render_release, keeping the release until the process exits (below).
    let mut loaded = release::load(&files, &args.input.value_inputs(), &mut read_input, &ctx)?;
    let rendered = release::Rendered {
        documents: manifest::select(std::mem::take(&mut loaded.manifests), &selection)?,
        warnings: std::mem::take(&mut loaded.warnings),
    };
    keep_until_exit(loaded);
    for warning in &rendered.warnings {
        say!("warning: {warning}");
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
    let written = match &args.output_dir {
        Some(dir) => write_output_dir(dir, &rendered),
        None => write_stdout(&rendered.to_output()),
    };
    keep_until_exit(rendered);
    written.map(|()| 0)
}

/// Leaves `value`'s memory to the operating system, which takes it back when the process
/// exits right after the command: freeing a rendered release object by object cost about
/// 3% of a whole `qspgb render` (callgrind), for memory nobody reuses.
fn keep_until_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Exit code of `qspgb hooks` for a failure of the class carried in `err`'s chain.
fn hooks_exit_code(err: &anyhow::Error) -> Option<i32> {
    use crate::hooks::{FailureClass, HooksError};
    let class = err
        .chain()
        .find_map(|e| e.downcast_ref::<HooksError>())?
        .class;
    Some(match class {
        FailureClass::Source => EXIT_HOOKS_SOURCE,
        FailureClass::Api => EXIT_HOOKS_API,
        FailureClass::Target => EXIT_HOOKS_TARGET,
    })
}

/// `qspgb hooks` exit code: the source Secrets give no valid userlist; nothing written.
pub const EXIT_HOOKS_SOURCE: i32 = 3;
/// `qspgb hooks` exit code: the Kubernetes API failed or refused.
pub const EXIT_HOOKS_API: i32 = 4;
/// `qspgb hooks` exit code: a target Secret exists with a type the hooks never write (a
/// ServiceAccount token, TLS, ...); it was not touched.
pub const EXIT_HOOKS_TARGET: i32 = 5;

/// `--request-timeout`: `30s`, `2m`, or plain seconds.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = match text.strip_suffix('s') {
        Some(n) => (n, 1),
        None => match text.strip_suffix('m') {
            Some(n) => (n, 60),
            None => (text, 1),
        },
    };
    match number.parse::<u64>() {
        Ok(n) if n > 0 => Ok(std::time::Duration::from_secs(n * unit)),
        _ => Err(format!(
            "expected a positive duration such as 30s, 2m or 45, found {text:?}"
        )),
    }
}

/// `qspgb hooks`: the targets come from the values and rendering (no cluster access, so
/// bad values fail before anything is read), then each instance runs against the API.
fn hooks(args: HooksArgs) -> Result<i32> {
    use crate::hooks::cluster;
    validate_release_name(&args.input.release_name)?;
    if let Some(ns) = &args.namespace {
        validate_namespace(ns)?;
    }
    let files = args.input.chart_files()?;
    let ctx = RenderContext {
        release_name: args.input.release_name.clone(),
        namespace: args.namespace.clone().unwrap_or_else(|| "default".into()),
        helm_exact: args.input.helm_exact,
        ..RenderContext::default()
    };
    let loaded = release::load(&files, &args.input.value_inputs(), &mut read_input, &ctx)?;
    let targets = crate::hooks::targets::release_targets(&loaded, args.instance.as_deref())?;
    let options = cluster::ConnectOptions {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
        request_timeout: args.request_timeout,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let dry_run = args.dry_run;
    let results = runtime.block_on(async {
        let (client, default_namespace) = cluster::connect(&options).await?;
        let namespace = args.namespace.clone().unwrap_or(default_namespace);
        // Instances are independent: run them concurrently, report in chart order.
        let mut tasks = tokio::task::JoinSet::new();
        for (index, target) in targets.into_iter().enumerate() {
            let client = client.clone();
            let namespace = namespace.clone();
            tasks.spawn(async move {
                let result = cluster::run_instance(
                    &client,
                    &namespace,
                    &target,
                    dry_run,
                    options.request_timeout,
                )
                .await;
                (index, target.alias, result)
            });
        }
        let mut results = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            results.push(joined.context("a hooks task panicked")?);
        }
        results.sort_by_key(|(index, _, _)| *index);
        anyhow::Ok((namespace, results))
    });
    let (namespace, results) = results?;
    let mut summary = String::new();
    let mut failures: Vec<anyhow::Error> = Vec::new();
    for (_, alias, result) in results {
        match result {
            Ok(report) => {
                for skipped in &report.skipped {
                    say!("warning: {}: {skipped}", report.alias);
                }
                summary.push_str(&report.summary(dry_run));
            }
            Err(err) => failures
                .push(anyhow::Error::new(err).context(format!("{alias} in namespace {namespace}"))),
        }
    }
    if dry_run && !summary.is_empty() {
        summary.push_str("dry run: nothing was written\n");
    }
    write_stdout(&summary)?;
    // Report every failure; the exit code is the worst class: an API failure outranks a
    // foreign target Secret, which outranks a source refusal, which outranks any other
    // error.
    let mut code = 0;
    for err in &failures {
        say!("error: {err:#}");
        code = code.max(match hooks_exit_code(err) {
            Some(EXIT_HOOKS_API) => 4,
            Some(EXIT_HOOKS_TARGET) => 3,
            Some(_) => 2,
            None => 1,
        });
    }
    Ok(match code {
        0 => 0,
        1 => 1,
        2 => EXIT_HOOKS_SOURCE,
        3 => EXIT_HOOKS_TARGET,
        _ => EXIT_HOOKS_API,
    })
}

/// `qspgb check-userlist FILE`: the init container's check.
fn check_userlist(path: &Path) -> Result<i32> {
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "{}: not found. The userlist Secret (config.existingUserlistSecret) does not exist \
             or has no userlist.txt: run `qspgb hooks` (the chart's pre-install hook Job does)",
            path.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    // Bytes, as PgBouncer reads them: it does not require UTF-8 either.
    let users = crate::pgbouncer::userlist_users(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if users.is_empty() {
        bail!(
            "{}: empty, so PgBouncer would accept no login. Run `qspgb hooks` to fill the \
             userlist Secret from the database clusters' Secrets",
            path.display()
        );
    }
    write_stdout(&format!(
        "{}: {} user{}\n",
        path.display(),
        users.len(),
        if users.len() == 1 { "" } else { "s" }
    ))?;
    Ok(0)
}

/// `qspgb argocd generate`: the Argo CD environment, parsed as a `render` command line.
fn argocd_generate() -> Result<i32> {
    let all_env: Vec<(String, String)> = std::env::vars().collect();
    let lookup = |name: &str| std::env::var(name).ok();
    let mut argv = vec!["qspgb".to_string()];
    argv.extend(crate::argocd::render_args(&lookup, &all_env)?);
    let cli = Cli::try_parse_from(&argv).map_err(argocd_command_line_error)?;
    match cli.command {
        Command::Render(args) => {
            confine_to_source(&args)?;
            render(args)
        }
        _ => unreachable!("render_args always starts with render"),
    }
}

/// Argo CD runs one plugin sidecar for many Applications: a generate run may read only its
/// own source directory (the working directory), as Argo CD's Helm support allows, and may
/// print only manifests. So flags that read or write elsewhere are refused, whichever
/// variable or parameter they came from, and every values file is confined.
fn confine_to_source(args: &RenderArgs) -> Result<()> {
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
    for file in &args.input.values {
        // The run's working directory is the source directory, so the path stays as given.
        crate::files::confined(&source, file)?;
    }
    Ok(())
}

/// The error for a command line built from the Argo CD environment that clap refuses.
/// clap's first line names the argument at fault; the command line itself is not quoted,
/// since its `--set` flags (from ARGOCD_APP_PARAMETERS) may carry passwords.
fn argocd_command_line_error(err: clap::Error) -> anyhow::Error {
    let first = match stray_word_error(&err) {
        Some(text) => text,
        None => {
            let text = err.render().to_string();
            let first = text.lines().next().unwrap_or_default();
            first.strip_prefix("error: ").unwrap_or(first).to_string()
        }
    };
    anyhow::anyhow!(
        "the Argo CD environment gave an invalid command line (see ARGOCD_ENV_QSPGB_ARGS and \
         the application's parameters): {first}"
    )
}

/// clap's message for an unexpected word that is not a flag (`unexpected argument 'def'`)
/// replaced: such a word is most often the rest of a value cut at a space (a password
/// with a space, unquoted), and clap would print it. A misspelled flag is still named.
fn stray_word_error(err: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let word = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(word)) => word.clone(),
        _ => String::new(),
    };
    let flag_like = |w: &str| {
        let name = w.trim_start_matches('-');
        w.starts_with('-')
            && name.len() <= 40
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if flag_like(&word) {
        return None;
    }
    Some(
        "an unexpected word on the command line (not shown: it may be the rest of a value \
         cut at a space, such as a password; quote values that hold spaces)"
            .into(),
    )
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
    let as_text = |path: &Path, bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))
    };
    let mut report = String::new();
    for (path, text) in &fresh {
        let committed_path = dir.join(path);
        // No links followed, size capped: see crate::files.
        let committed = match crate::files::read_in_tree(dir, path)? {
            Some(bytes) => as_text(&committed_path, bytes)?,
            None => String::new(),
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
        for path in crate::files::list_tree(&dir.join(root))? {
            let rel = path
                .strip_prefix(dir)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if fresh.iter().all(|(p, _)| *p != rel) {
                let text = as_text(&path, crate::files::read_capped(&path)?)?;
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
        say!("{}: up to date", dir.display());
        return Ok(0);
    }
    write_stdout(&report)?;
    Ok(EXIT_DIFFERENT)
}

fn values(args: ValuesArgs) -> Result<()> {
    validate_release_name(&args.input.release_name)?;
    let files = args.input.chart_files()?;
    // The values as the templates see them, once everything they render passed the same
    // checks as `render` (a value Kubernetes would refuse fails here too).
    let ctx = RenderContext {
        release_name: args.input.release_name.clone(),
        helm_exact: args.input.helm_exact,
        ..RenderContext::default()
    };
    let release = release::load(&files, &args.input.value_inputs(), &mut read_input, &ctx)?;
    for warning in &release.warnings {
        say!("warning: {warning}");
    }
    write_stdout(&yaml::to_yaml(&Value::Map(release.resolved.values)))
}

/// Reads a file named on the command line; `-` is standard input.
fn read_input(path: &str) -> Result<String> {
    if path == "-" {
        let bytes = crate::files::read_to_limit(std::io::stdin().lock(), "standard input")?;
        return Ok(yaml::text_from_bytes(bytes, "<stdin>")?);
    }
    let p = Path::new(path);
    if p.is_dir() {
        bail!("{path} is a directory, expected a YAML file");
    }
    let bytes = crate::files::read_capped(p).with_context(|| format!("cannot read {path}"))?;
    Ok(yaml::text_from_bytes(bytes, path)?)
}

fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes Helm's `--output-dir` layout: DIR/<template path>, the documents of one template
/// in one file; all or nothing (see [`crate::render::output::write_files`]).
fn write_output_dir(dir: &Path, rendered: &release::Rendered) -> Result<()> {
    let files = output_files(rendered);
    // Every target is checked before anything is written: all or nothing.
    for (path, _) in &files {
        crate::files::check_writable_below(dir, path)?;
    }
    let written = crate::render::output::write_files(dir, &files)?;
    let report: String = written
        .iter()
        .map(|target| format!("wrote {}\n", target.display()))
        .collect();
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

/// `--kube-version` as Helm reads it (`chartutil.ParseKubeVersion`, which calls
/// Kubernetes' `version.ParseGeneric`): optional blanks and `v`, then at least two
/// dot-separated numbers without leading zeros, then anything (`1.31`, `v1.33.4+k3s1`,
/// `1.31.0.1`). Returns what templates see as `.Capabilities.KubeVersion.Version`: the text
/// as given, with a `v` in front when it has none. Empty means the default version.
pub fn normalize_kube_version(raw: &str) -> Result<String> {
    if raw.is_empty() {
        return Ok(crate::render::DEFAULT_KUBE_VERSION.to_string());
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
        // What Helm 4.2.3 shows as .Capabilities.KubeVersion.Version for each (measured
        // with helm-python-sdk), and what it refuses.
        for (given, version) in [
            ("1.31", "v1.31"),
            ("v1.20.2", "v1.20.2"),
            ("1.31.0-rc.1", "v1.31.0-rc.1"),
            ("1.31.0.1", "v1.31.0.1"),
            ("v1.33.4+k3s1", "v1.33.4+k3s1"),
            ("1.2.3.4.5", "v1.2.3.4.5"),
            ("1.31.x", "v1.31.x"),
            ("1.31.0+", "v1.31.0+"),
            ("", crate::render::DEFAULT_KUBE_VERSION),
        ] {
            assert_eq!(normalize_kube_version(given).unwrap(), version, "{given}");
        }
        for refused in [
            "one",
            "1",
            "01.31",
            "x",
            "v",
            "1..2",
            "1.99999999999999999999",
        ] {
            assert!(normalize_kube_version(refused).is_err(), "{refused}");
        }
    }

    /// The message named only clap's error kind ("unexpected argument found") and quoted
    /// the whole command line, `--set` passwords included.
    #[test]
    fn argocd_command_line_errors_name_the_argument_and_no_values() {
        let argv = [
            "qspgb",
            "render",
            "x",
            "--set",
            "pgbouncerPharia.config.adminPassword=hunter2",
            "--bogus",
        ];
        let err = argocd_command_line_error(Cli::try_parse_from(argv).unwrap_err()).to_string();
        assert!(
            err.ends_with("unexpected argument '--bogus' found"),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
        // A password with a space, unquoted in ARGOCD_ENV_QSPGB_ARGS: its second word is
        // an unexpected argument, and clap would print it.
        let argv = [
            "qspgb",
            "render",
            "x",
            "--set",
            "pgbouncerPharia.config.adminPassword=hunter2",
            "Wm9ZtRb4Np",
        ];
        let err = argocd_command_line_error(Cli::try_parse_from(argv).unwrap_err()).to_string();
        assert!(err.contains("an unexpected word"), "{err}");
        assert!(!err.contains("Wm9Z"), "{err}");
    }

    #[test]
    fn request_timeouts() {
        use std::time::Duration;
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("45").unwrap(), Duration::from_secs(45));
        for bad in ["0", "-1s", "1h", "", "s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    /// The hook Job's command line, as rendered, parsed by the real parser, must give the
    /// same targets as the values that rendered it: one source of truth, also for values
    /// that differ from the binary's defaults.
    #[test]
    fn the_rendered_hook_job_command_gives_the_same_targets() {
        let user_flags: [&[&str]; 3] = [
            &[],
            &[
                "--set",
                "pgbouncerPharia.fullnameOverride=custom-pooler",
                "--set",
                "pgbouncerPharia.kind=DaemonSet",
                "--set",
                "pgbouncerPharia.config.existingUserlistSecret=ul",
                "--set",
                "pgbouncerPharia.config.adminUser=boss",
                "--set-json",
                r#"pgbouncerPharia.hooks.sourceSecretSelector={"qs-postgresql-cluster/name":"elsewhere","app.kubernetes.io/name":null,"tier":"db"}"#,
            ],
            &[
                "--set",
                "pgbouncerPharia.nameOverride=",
                "--set",
                "pgbouncerPharia.fullnameOverride=",
            ],
        ];
        let files = ChartFiles::embedded();
        for flags in user_flags {
            let parse = |argv: Vec<String>| match Cli::try_parse_from(argv) {
                Ok(Cli {
                    command: Command::Hooks(args),
                }) => args,
                other => panic!("not a hooks command line: {other:?}"),
            };
            let targets_of = |args: &HooksArgs| {
                let loaded = release::load(
                    &files,
                    &args.input.value_inputs(),
                    &mut |_: &str| unreachable!("no files"),
                    // The third case's names (the alias's) are not DNS-1123: this test
                    // is about the command line, so render them as Helm would.
                    &RenderContext {
                        release_name: args.input.release_name.clone(),
                        namespace: args.namespace.clone().unwrap(),
                        helm_exact: true,
                        ..RenderContext::default()
                    },
                )
                .unwrap();
                crate::hooks::targets::release_targets(&loaded, args.instance.as_deref()).unwrap()
            };
            let mut argv: Vec<String> =
                ["qspgb", "hooks", "rel", "-n", "ns", "--instance", "pharia"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
            argv.extend(flags.iter().map(|s| s.to_string()));
            let expected = targets_of(&parse(argv.clone()));

            // Render the Job with the same values and take its args.
            let mut render_argv = vec![
                "qspgb".to_string(),
                "render".into(),
                "rel".into(),
                "-n".into(),
                "ns".into(),
            ];
            render_argv.extend(flags.iter().map(|s| s.to_string()));
            let Command::Render(render_args) = Cli::try_parse_from(render_argv).unwrap().command
            else {
                unreachable!()
            };
            let rendered = release::render_release(
                &files,
                &render_args.input.value_inputs(),
                &mut |_: &str| unreachable!("no files"),
                &RenderContext {
                    release_name: "rel".into(),
                    namespace: "ns".into(),
                    helm_exact: true,
                    ..RenderContext::default()
                },
                &OutputOptions {
                    show_only: vec!["charts/pgbouncerPharia/templates/hooks-job.yaml".into()],
                    ..OutputOptions::default()
                },
            )
            .unwrap();
            let job = yaml::parse_values(&rendered.documents[0].content, "job").unwrap();
            let Some(Value::List(job_args)) =
                job.path("spec.template.spec.containers")
                    .and_then(|c| match c {
                        Value::List(items) => items[0].path("args").cloned(),
                        _ => None,
                    })
            else {
                panic!("the Job has args");
            };
            let mut job_argv = vec!["qspgb".to_string()];
            job_argv.extend(job_args.iter().map(|a| a.as_str().unwrap().to_string()));
            let from_job = targets_of(&parse(job_argv.clone()));
            assert_eq!(from_job, expected, "{flags:?} -> {job_argv:?}");
        }
    }
}
