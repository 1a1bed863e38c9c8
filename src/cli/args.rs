//! The command line as clap parses it: flags and arguments as given, before any check
//! ([`super::settings`] turns them into validated settings; commands never see these).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::render::DEFAULT_KUBE_VERSION;

/// Release name used when none is given.
pub const DEFAULT_RELEASE_NAME: &str = "qs-pgbouncer";

/// qspgb renders the qs-pgbouncer deployment (PgBouncer for Pharia and Temporal) exactly as
/// `helm template` would, from one static binary.
#[derive(Debug, Parser)]
#[command(name = "qspgb", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the Kubernetes manifests, as `helm template` does.
    #[command(after_help = "\
Examples:
  qspgb render my-pgbouncer -n pharia-ai -f values.yaml | kubectl apply -n pharia-ai -f -
  qspgb render --set pgbouncerTemporal.enabled=false
  qspgb render -s charts/pgbouncerPharia/templates/configmap.yaml
  qspgb render --helm-exact --preset upstream-compat -f old-values.yaml   # compare with Helm
  qspgb render --output-dir out/
  qspgb render --output-dir out/ --prune --set pgbouncerTemporal.enabled=false

Accepted without effect: --skip-tests (leaving out the `helm test` hooks is the default;
kept for Helm's command line).")]
    Render(RenderArgs),
    /// Print the values the templates see (chart defaults merged with yours).
    #[command(after_help = "\
Examples:
  qspgb values -f values.yaml
  qspgb values --set pgbouncerPharia.replicaCount=5
  qspgb values -f values.yaml -n pharia-ai -a monitoring.coreos.com/v1

-n, --kube-version, -a and --is-upgrade do not change the printed values (no value is
computed from them), but every template is rendered and checked with them, as by
`render`: values that fail `render` with these flags fail here too.")]
    Values(ValuesArgs),
    /// Check values without rendering anything to stdout: the schema (every problem, each
    /// naming its file or flag), the render's own checks, PgBouncer settings against
    /// PgBouncer's documented ones, and the rendered objects' names, labels and resource
    /// quantities. Findings go to stderr; exit 0 clean, 1 errors (or warnings with --strict).
    #[command(after_help = "\
Examples:
  qspgb lint -f values.yaml
  qspgb lint -f values.yaml --set pgbouncerPharia.config.pgbouncer.pool_mode=transaction
  qspgb lint --strict -f values/prod.yaml      # in CI: warnings fail too

Accepted without effect, so that render's command line lints unchanged: -s/--show-only,
--no-hooks, --skip-tests, --include-tests, --namespace-in-manifests, --hook-style,
--fail-if-empty. lint checks every document the values produce, before any selection or
rewrite of the output.")]
    Lint(LintArgs),
    /// Compare committed renderings (from `render --output-dir DIR`) with a fresh render:
    /// prints a unified diff; exit 0 when equal, 1 when different, 2 on errors.
    #[command(after_help = "\
Examples:
  qspgb render -f values/prod.yaml --output-dir rendered/ --prune   # commit rendered/
  qspgb diff rendered/ -f values/prod.yaml                          # in CI: fails on drift
  qspgb render --check rendered/ -f values/prod.yaml                # the same

Each file's diff goes from the committed file to the fresh render:
  --- committed: DIR/<template path>
  +++ fresh render: <template path>
A committed file the render no longer writes shows as removed, its `+++` line
`fresh render: <template path> (no longer rendered)`; `render --output-dir DIR --prune`
removes it. Exit 0 prints `DIR: up to date` on stderr.

Accepted without effect: --skip-tests (leaving out the `helm test` hooks is the default;
kept for Helm's command line).")]
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
(hooks.sourceSecretSelector or hooks.sourceSecretNames) and the workload. Inside a cluster the service account is used.
--kube-version, -a and --is-upgrade do not change what the hooks write, but the templates
are rendered and checked with them first, as by `render`: values that fail `render` with
these flags fail here too, before the cluster is read.")]
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
    /// Reload PgBouncer when its mounted userlist.txt changes (the chart's `userlist-reload`
    /// sidecar): polls the file, refuses an empty or malformed one (PgBouncer keeps the
    /// users it has), sends RELOAD over PgBouncer's Unix socket and checks `SHOW USERS`.
    /// Runs until SIGTERM or SIGINT; must run as PgBouncer's Unix user.
    #[command(after_help = "\
Examples:
  qspgb watch-userlist /etc/userlist/userlist.txt --socket-dir /tmp --port 5432 --interval 2s")]
    WatchUserlist {
        /// The userlist file (the mounted Secret's `userlist.txt`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// PgBouncer's unix_socket_dir (shared with this container).
        #[arg(long, value_name = "DIR", default_value = "/tmp")]
        socket_dir: PathBuf,
        /// PgBouncer's listen_port (names the socket file `.s.PGSQL.<port>`).
        #[arg(long, default_value_t = 5432)]
        port: u16,
        /// Time between two reads of the file, e.g. 2s or 1m.
        #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
        interval: std::time::Duration,
        /// Instead of watching: exit 0 when the watcher with these arguments completed a
        /// read within the last 3 intervals + 5 s, else 1 (the sidecar's probes).
        #[arg(long)]
        probe: bool,
    },
    /// Write a StatefulSet pod's PgBouncer peer_id (its ordinal + 1) for pgbouncer.ini's
    /// %include: the peering init container (docs/peering.md).
    #[command(after_help = "\
Examples:
  qspgb peer-config --statefulset pgbouncer-pharia --pod-name pgbouncer-pharia-2 \\
    --output /etc/pgbouncer-peer/peer.ini")]
    PeerConfig {
        /// The StatefulSet's name.
        #[arg(long, value_name = "NAME")]
        statefulset: String,
        /// This pod's name, `<statefulset>-<ordinal>`.
        #[arg(long, value_name = "POD")]
        pod_name: String,
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        output: PathBuf,
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
    /// List the example values files and presets built into qspgb, or print one.
    #[command(after_help = "\
Examples:
  qspgb examples                              # names, kinds, one line each
  qspgb examples production > values.yaml     # start from an example
  qspgb examples upstream-compat              # read what --preset upstream-compat changes")]
    Examples {
        /// The example or preset to print; without it, list them.
        #[arg(value_name = "NAME")]
        name: Option<String>,
    },
    /// Print the versions of qspgb, its chart and the upstream chart it ports.
    #[command(after_help = "\
Examples:
  qspgb version")]
    Version,
}

#[derive(Debug, Subcommand)]
pub enum ArgocdCommand {
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
pub struct DiffArgs {
    /// Directory of committed renderings (the layout `render --output-dir` writes).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub render_context: ContextArgs,
    #[command(flatten)]
    pub select: SelectArgs,
}

/// Flags that choose the chart and its values (shared by every command that reads values).
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Release name (`.Release.Name`).
    #[arg(value_name = "NAME", default_value = DEFAULT_RELEASE_NAME)]
    pub release_name: String,

    /// Values file (YAML); repeat for more, later files win. `-` reads standard input.
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,

    /// Set a value: key=value, several separated by commas (a.b=1,c[0]=x).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Set a value as a string, never a number or bool.
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,

    /// Set a value to the contents of a file: key=path.
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    pub set_file: Vec<String>,

    /// Set a value from JSON: key={"a":1}.
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,

    /// Set a value to the literal text after `=` (no commas or escapes parsed).
    #[arg(long = "set-literal", value_name = "KEY=VALUE")]
    pub set_literal: Vec<String>,

    /// Render this chart directory (chart/, templates/, values/) instead of the embedded one.
    #[arg(long, value_name = "DIR")]
    pub chart: Option<PathBuf>,

    /// Start from a preset's defaults instead of the product's: `upstream-compat` (the
    /// original chart's, pgbouncer 4.0.2, for migrating from it and comparing with Helm).
    /// The preset changes the chart's defaults, so your values merge over the preset's and
    /// never bring back a product default it removes.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,

    /// Render what Helm renders where qspgb would refuse or fix it: what Kubernetes or
    /// PgBouncer would refuse (invalid names, `true` for a 0/1 PgBouncer setting, ...) is a
    /// warning instead of an error, and written as Helm writes it. For comparing with Helm
    /// (`--preset upstream-compat`); values are still never written as YAML syntax.
    #[arg(long)]
    pub helm_exact: bool,

    /// Unknown values keys are warnings, and ignored, instead of errors (as Helm's flag:
    /// for old values files whose keys no template reads). Wrong types, control
    /// characters and what Kubernetes or PgBouncer would refuse are still errors.
    #[arg(long)]
    pub skip_schema_validation: bool,
}

/// The release and cluster the templates see (`.Release`, `.Capabilities`): shared by every
/// command that renders, because every one of them renders and checks the templates, so a
/// value that fails only in some namespace or Kubernetes version fails each of them alike.
#[derive(Debug, Args)]
pub struct ContextArgs {
    /// Release namespace (`.Release.Namespace`); default `default` (for `hooks`: the
    /// kubeconfig context's namespace, or the pod's own namespace in a cluster).
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long, value_name = "VERSION", default_value = DEFAULT_KUBE_VERSION)]
    pub kube_version: String,

    /// Extra API versions for `.Capabilities.APIVersions` (repeat or comma-separate).
    #[arg(short = 'a', long = "api-versions", value_name = "GROUP/VERSION")]
    pub api_versions: Vec<String>,

    /// Render as an upgrade (`.Release.IsUpgrade` true, `IsInstall` false). The embedded
    /// chart does not read it; a chart given with --chart may.
    #[arg(long)]
    pub is_upgrade: bool,
}

/// Which documents are printed, and how (shared by `render`, `diff` and `lint`).
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Only documents from these template paths (globs allowed), e.g.
    /// charts/pgbouncerPharia/templates/deployment.yaml.
    #[arg(short = 's', long = "show-only", value_name = "PATH")]
    pub show_only: Vec<String>,

    /// Leave out hooks.
    #[arg(long)]
    pub no_hooks: bool,

    /// Leave out `helm test` hooks (the default; kept for Helm's command line).
    #[arg(long, conflicts_with = "include_tests")]
    pub skip_tests: bool,

    /// The `helm test` Pods too (left out by default: `kubectl apply` would start them at
    /// once, and could not apply a changed rendering over them). For `helm test` or
    /// comparing with `helm template`.
    #[arg(long, conflicts_with = "no_hooks")]
    pub include_tests: bool,

    /// Write `metadata.namespace` (the --namespace value) into namespaced objects, so
    /// `kubectl apply -f -` needs no `-n` (Helm leaves it out).
    #[arg(long)]
    pub namespace_in_manifests: bool,

    /// Hook annotations in the output: Helm's, or Argo CD's own (`argocd.argoproj.io/hook`;
    /// hooks Argo CD has no phase for are left out).
    #[arg(long, value_enum, default_value_t = HookStyleArg::Helm)]
    pub hook_style: HookStyleArg,

    /// Fail when the selection holds no documents (Argo CD with pruning would delete
    /// everything on empty output).
    #[arg(long)]
    pub fail_if_empty: bool,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub render_context: ContextArgs,
    #[command(flatten)]
    pub select: SelectArgs,

    /// Write each template's documents to DIR/<template path> instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// With --output-dir: also remove the files below DIR this render owns but no longer
    /// writes (`<chart>/templates/**.yaml`, `<chart>/charts/<alias>/templates/**.yaml` of
    /// the chart rendered) and the folders that leaves empty; nothing else in DIR is
    /// touched, no link is followed, and the removals happen only when every write did.
    #[arg(long, requires = "output_dir")]
    pub prune: bool,

    /// Instead of printing, compare with the committed renderings in DIR (as `qspgb diff`).
    #[arg(long, value_name = "DIR", conflicts_with = "output_dir")]
    pub check: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HooksArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub render_context: ContextArgs,

    /// Only this instance: pharia or temporal (or the alias, pgbouncerPharia).
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,

    /// Print what would be created, updated and restarted; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// Limit for each API request, e.g. 30s, 2m or 45 (seconds).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub render_context: ContextArgs,
    // Accepted so that render's command line lints unchanged (lint's --help says so).
    #[command(flatten)]
    pub select: SelectArgs,

    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,

    /// Read each instance's `connectionBudget.cnpgCluster` (a CloudNativePG Cluster in the
    /// release namespace) from the cluster, and use what its PostgreSQL allows as the
    /// instance's connection budget where `connectionBudget.maxServerConnections` is null.
    #[arg(long)]
    pub consult_cluster: bool,

    /// With --consult-cluster: kubeconfig file (default: $KUBECONFIG, then ~/.kube/config,
    /// then in-cluster).
    #[arg(long, value_name = "PATH", requires = "consult_cluster")]
    pub kubeconfig: Option<PathBuf>,

    /// With --consult-cluster: kubeconfig context (default: the current context).
    #[arg(long, value_name = "NAME", requires = "consult_cluster")]
    pub context: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValuesArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub render_context: ContextArgs,
}

/// `--hook-style`: the command line's side of [`crate::manifest::HookStyle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HookStyleArg {
    /// Helm's `helm.sh/hook*` annotations, as rendered (Argo CD maps them itself).
    Helm,
    /// Argo CD's `argocd.argoproj.io/hook*` annotations instead; hooks without an Argo CD
    /// phase (`test`, `*-rollback`) are left out, as Argo CD ignores them.
    Argocd,
}

/// The error for a command line built from the Argo CD environment that clap refuses.
/// clap's first line names the argument at fault; the command line itself is not quoted,
/// since its `--set` flags (from ARGOCD_APP_PARAMETERS) may carry passwords.
pub fn argocd_command_line_error(err: clap::Error) -> anyhow::Error {
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
pub fn stray_word_error(err: &clap::Error) -> Option<String> {
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

/// `--request-timeout`: `30s`, `2m`, or plain seconds. clap calls it while parsing (this
/// layer checks what the user typed, as a value), so a bad duration is a command-line error (exit 2) like any other bad flag value.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
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

#[cfg(test)]
mod tests;
