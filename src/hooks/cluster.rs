//! The Kubernetes side of `qspgb hooks`: read the source Secrets, write the two target
//! Secrets when their content differs, restart the workload when needed.
//!
//! Thin async glue around typed API calls; every decision is made by the pure functions
//! in [`super`] and [`super::retry`]. Requests per instance: one list of the source Secrets
//! (or, with `hooks.sourceSecretNames`, one get per name), one get per target Secret, one
//! get of the workload; then a create or replace per changed Secret and one patch per
//! restart. When no source Secret is found, one get of the namespace tells a missing
//! namespace apart from an empty one.
//!
//! Least privilege: a missing target Secret is created with a server-side apply (a PATCH by
//! name), never a POST. The API server authorizes such a create as `create` of that name,
//! so the hooks' Role grants `create` (with `get`, `update`, `patch`) only on the two
//! target names, which no POST can match: the token cannot create any other Secret (a
//! ServiceAccount token Secret for another account, say). A live target Secret of another
//! type than `Opaque` is never overwritten.
//!
//! Faults: every request has a hard time limit (`--request-timeout`, retries and waits
//! included) and is retried on transient failures as [`super::retry`] decides; a 409
//! Conflict or a 404 on a write re-reads the Secret and decides again. A run that fails
//! leaves each Secret either as it was or with the complete new content (a Secret is
//! written in one request), and a re-run finishes the work: see
//! [`super::plan::restart_needed`] for the restart that a failed run still owes, and
//! [`super::plan::workload_step`] for what the workload needs after a run.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::fingerprint::{FingerprintKey, HASH_KEY};
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Api, Client, Config};

use super::report::{InstanceReport, RestartOutcome, SecretOutcome};
use super::retry::{failure_of, retry_delay};
use super::{
    DesiredSecrets, HooksError, INSTANCE_LABEL, InstanceTarget, MANAGED_BY, MANAGED_BY_LABEL,
    PENDING_RESTART_ANNOTATION, RESTART_ANNOTATION, SOURCE_HASH_LABEL, SecretAction, SecretData,
    SourceSecret, Sources, WorkloadKind, WorkloadStep, desired_secrets, workload_step,
};

/// The field manager of the hooks' server-side applies (the creation of a target Secret).
pub const FIELD_MANAGER: &str = "qspgb-hooks";

/// How often a write that meets a concurrent writer (409 Conflict) is retried, each time
/// after reading the live Secret again.
pub const MAX_CONFLICT_RETRIES: u32 = 5;

/// Where and how to reach the API server.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// A kubeconfig file (`--kubeconfig`); else `$KUBECONFIG`, `~/.kube/config`, or the
    /// in-cluster service account.
    pub kubeconfig: Option<PathBuf>,
    /// A kubeconfig context (`--context`); else the current one.
    pub context: Option<String>,
    /// Limit for each request: connect, send and the whole answer, retries and the waits
    /// between them included.
    pub request_timeout: Duration,
}

/// A connected client and the namespace its configuration defaults to.
pub async fn connect(options: &ConnectOptions) -> Result<(Client, String), HooksError> {
    let kube_options = KubeConfigOptions {
        context: options.context.clone(),
        ..KubeConfigOptions::default()
    };
    let mut config = match (&options.kubeconfig, &options.context) {
        (Some(path), _) => {
            let file = Kubeconfig::read_from(path).map_err(|e| {
                HooksError::api(format!(
                    "reading kubeconfig {}: {}",
                    path.display(),
                    kubeconfig_problem(&e)
                ))
            })?;
            Config::from_custom_kubeconfig(file, &kube_options)
                .await
                .map_err(|e| {
                    HooksError::api(format!(
                        "kubeconfig {}: {}",
                        path.display(),
                        kubeconfig_problem(&e)
                    ))
                })?
        }
        (None, Some(context)) => Config::from_kubeconfig(&kube_options).await.map_err(|e| {
            HooksError::api(format!(
                "kubeconfig context {context:?}: {}",
                kubeconfig_problem(&e)
            ))
        })?,
        (None, None) => Config::infer().await.map_err(|e| {
            let kubeconfig = std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<KubeconfigError>())
                .map_or_else(|| "not usable".to_string(), kubeconfig_problem);
            HooksError::api(format!(
                "no Kubernetes configuration (tried $KUBECONFIG, ~/.kube/config and the \
                 in-cluster service account): kubeconfig: {kubeconfig}; in-cluster: not \
                 running in a pod with a service account"
            ))
        })?,
    };
    // A connection that hangs is given up early enough for a retry within the budget.
    // Reads and writes need no limit of their own: `InstanceApi::call` ends the whole
    // request at its deadline (one here would race it and blur the message).
    config.connect_timeout = Some(options.request_timeout.min(Duration::from_secs(10)));
    config.read_timeout = None;
    config.write_timeout = None;
    // kube's own retry (on by default) repeats 429/503/504 up to 15 times with waits growing
    // to minutes, outside any time limit set here: a server answering 503 would hold a run
    // for almost three minutes per request. `InstanceApi::call` retries instead, within the
    // request's budget (see `super::retry`).
    config.default_retry = false;
    let namespace = config.default_namespace.clone();
    // Key and certificate data are decoded only here: kube's message would name the bad
    // base64 symbol of a client key.
    let client = Client::try_from(config).map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        let mut kubeconfig = None;
        while let Some(err) = source {
            if let Some(found) = err.downcast_ref::<KubeconfigError>() {
                kubeconfig = Some(kubeconfig_problem(found));
                break;
            }
            source = err.source();
        }
        HooksError::api(format!(
            "creating the Kubernetes client: {}",
            kubeconfig.unwrap_or_else(|| e.to_string())
        ))
    })?;
    Ok((client, namespace))
}

/// A kubeconfig error as it may be shown. A kubeconfig holds bearer tokens, client keys
/// and passwords, and kube's messages quote it: the YAML parser's excerpt around an error,
/// the offending symbol of bad base64 key data. Those are reduced to a line and column or
/// to what was being loaded ([`crate::redact::position_only`]); the other variants carry
/// no file content and keep kube's words.
pub fn kubeconfig_problem(err: &KubeconfigError) -> String {
    use KubeconfigError as E;
    match err {
        E::ReadConfig(io, _) => format!("cannot read the file: {io}"),
        E::Parse(parse) => {
            crate::redact::position_only("not a valid kubeconfig", &parse.to_string())
        }
        E::LoadCertificateAuthority(_) => {
            "certificate-authority(-data) is not readable or not valid base64".into()
        }
        E::LoadClientCertificate(_) => {
            "client-certificate(-data) is not readable or not valid base64".into()
        }
        E::LoadClientKey(_) => {
            "client-key(-data) is not readable or not valid base64 (not shown: a key)".into()
        }
        E::ParseCertificates(_) => "a certificate is not valid PEM (not shown)".into(),
        E::ParseClusterUrl(_) => "the cluster's server is not a valid URL".into(),
        E::ParseProxyUrl(_) => "the cluster's proxy-url is not a valid URL".into(),
        E::LoadContext(_) | E::LoadClusterOfContext(_) => {
            "the context, or its cluster or user, is not defined in the file".into()
        }
        other => other.to_string(),
    }
}

/// One instance's API calls, counted, each within its time budget.
struct InstanceApi {
    client: Client,
    namespace: String,
    secrets: Api<Secret>,
    deployments: Api<Deployment>,
    daemonsets: Api<DaemonSet>,
    statefulsets: Api<StatefulSet>,
    /// Time limit of one request, its retries and waits included.
    budget: Duration,
    /// Attempts made, retries included.
    requests: AtomicUsize,
}

/// A request that failed for good.
#[derive(Debug)]
enum CallError {
    /// The last attempt's error, after `attempts` attempts.
    Failed { error: kube::Error, attempts: u32 },
    /// The time budget ran out during attempt number `attempts`.
    TimedOut { budget: Duration, attempts: u32 },
}

impl CallError {
    fn status(&self) -> Option<u16> {
        match self {
            CallError::Failed {
                error: kube::Error::Api(status),
                ..
            } => Some(status.code),
            _ => None,
        }
    }
}

impl InstanceApi {
    /// Runs one request: `attempt` is called again after a transient failure, as
    /// [`retry_delay`] decides, and the whole (attempts and waits) ends after `budget`.
    async fn call<T, F, Fut>(&self, mut attempt: F) -> Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = kube::Result<T>>,
    {
        let started = Instant::now();
        let mut attempts = 0;
        loop {
            attempts += 1;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let remaining = self.budget.saturating_sub(started.elapsed());
            let error = match tokio::time::timeout(remaining, attempt()).await {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(error)) => error,
                Err(_) => {
                    return Err(CallError::TimedOut {
                        budget: self.budget,
                        attempts,
                    });
                }
            };
            let remaining = self.budget.saturating_sub(started.elapsed());
            match retry_delay(failure_of(&error), attempts, remaining) {
                Some(delay) => tokio::time::sleep(delay).await,
                None => return Err(CallError::Failed { error, attempts }),
            }
        }
    }

    async fn list_sources(&self, target: &InstanceTarget) -> Result<Vec<SourceSecret>, HooksError> {
        let names = match &target.sources {
            Sources::Selector(_) => return self.list_by_selector(target).await,
            Sources::Names(names) => names,
        };
        // By name: one get each (the Role allows `get` on these names only, no `list`).
        let mut sources = Vec::new();
        for name in names {
            match self.get_secret(name).await? {
                Some(secret) => sources.push(SourceSecret {
                    name: name.clone(),
                    data: data_of(secret.data),
                }),
                None => {
                    self.check_namespace().await?;
                    return Err(HooksError::source(format!(
                        "{}: secret/{name}, named in {}.hooks.sourceSecretNames, does not \
                         exist in namespace {:?}; nothing written",
                        target.alias, target.alias, self.namespace
                    )));
                }
            }
        }
        Ok(sources)
    }

    async fn list_by_selector(
        &self,
        target: &InstanceTarget,
    ) -> Result<Vec<SourceSecret>, HooksError> {
        let selector = target.label_selector();
        let params = ListParams::default().labels(&selector);
        let list = self
            .call(|| self.secrets.list(&params))
            .await
            .map_err(|e| api_error(&format!("listing Secrets matching {selector}"), e))?;
        Ok(list
            .items
            .into_iter()
            .map(|secret| SourceSecret {
                name: secret.metadata.name.unwrap_or_default(),
                data: data_of(secret.data),
            })
            .collect())
    }

    async fn get_secret(&self, name: &str) -> Result<Option<Secret>, HooksError> {
        self.call(|| self.secrets.get_opt(name))
            .await
            .map_err(|e| api_error(&format!("reading secret/{name}"), e))
    }

    /// Called when no Secret matches the selector. Listing in a namespace that does not
    /// exist is not an error for the API (an empty list), so without this a mistyped `-n`
    /// would read as "no source Secrets". `Ok` when the namespace exists or that cannot be
    /// told (reading namespaces needs a ClusterRole, which the hook's own ServiceAccount
    /// lacks; its namespace is the Job's own and exists anyway).
    async fn check_namespace(&self) -> Result<(), HooksError> {
        let namespaces: Api<Namespace> = Api::all(self.client.clone());
        match self.call(|| namespaces.get_opt(&self.namespace)).await {
            Ok(None) => Err(HooksError::api(format!(
                "namespace {:?} does not exist (check -n/--namespace or the kubeconfig \
                 context's namespace); nothing read, nothing written",
                self.namespace
            ))),
            Ok(Some(_)) | Err(_) => Ok(()),
        }
    }

    /// The workload's restart annotation: `None` when the workload does not exist,
    /// `Some(None)` when it has no annotation.
    async fn restart_annotation(
        &self,
        target: &InstanceTarget,
    ) -> Result<Option<Option<String>>, HooksError> {
        let name = &target.workload.name;
        let what = format!("reading {}/{name}", target.workload.kind);
        let template = match target.workload.kind {
            WorkloadKind::Deployment => self
                .call(|| self.deployments.get_opt(name))
                .await
                .map_err(|e| api_error(&what, e))?
                .map(|d| d.spec.map(|s| s.template)),
            WorkloadKind::DaemonSet => self
                .call(|| self.daemonsets.get_opt(name))
                .await
                .map_err(|e| api_error(&what, e))?
                .map(|d| d.spec.map(|s| s.template)),
            WorkloadKind::StatefulSet => self
                .call(|| self.statefulsets.get_opt(name))
                .await
                .map_err(|e| api_error(&what, e))?
                .map(|d| d.spec.map(|s| s.template)),
        };
        Ok(template.map(|template| {
            template
                .and_then(|t| t.metadata)
                .and_then(|m| m.annotations)
                .and_then(|mut a| a.remove(RESTART_ANNOTATION))
        }))
    }

    /// Patches the restart annotation; `false` when the workload is gone. Repeating the
    /// patch gives the same object, so a retry after a lost answer is harmless.
    async fn restart(&self, target: &InstanceTarget, hash: &str) -> Result<bool, HooksError> {
        let patch = serde_json::json!({
            "spec": {"template": {"metadata": {"annotations": {RESTART_ANNOTATION: hash}}}}
        });
        let patch = Patch::Strategic(&patch);
        let params = PatchParams::default();
        let name = &target.workload.name;
        let result = match target.workload.kind {
            WorkloadKind::Deployment => self
                .call(|| self.deployments.patch(name, &params, &patch))
                .await
                .map(drop),
            WorkloadKind::DaemonSet => self
                .call(|| self.daemonsets.patch(name, &params, &patch))
                .await
                .map(drop),
            WorkloadKind::StatefulSet => self
                .call(|| self.statefulsets.patch(name, &params, &patch))
                .await
                .map(drop),
        };
        match result {
            Ok(()) => Ok(true),
            Err(e) if e.status() == Some(404) => Ok(false),
            Err(e) => Err(api_error(
                &format!("restarting {}/{name}", target.workload.kind),
                e,
            )),
        }
    }

    /// Makes the Secret `name` hold `desired`, starting from `live` as first read. On a 409
    /// Conflict (someone wrote in between, or an earlier attempt of ours whose answer was
    /// lost) the live Secret is read again and the decision made again, at most
    /// [`MAX_CONFLICT_RETRIES`] times. `pending_restart`: see [`secret_object`].
    /// `key_renewed`: see [`decide`].
    #[allow(clippy::too_many_arguments)]
    async fn converge_secret(
        &self,
        target: &InstanceTarget,
        name: &str,
        desired: &SecretData,
        key: &FingerprintKey,
        key_renewed: bool,
        mut live: Option<Secret>,
        pending_restart: Option<&str>,
    ) -> Result<SecretOutcome, HooksError> {
        let decide = |live: &Option<Secret>| decide(desired, key, key_renewed, live.as_ref());
        let first = decide(&live);
        let mut conflicts = 0;
        loop {
            let action = decide(&live);
            let fingerprint = key.data(desired);
            let secret = secret_object(
                target,
                name,
                desired,
                &fingerprint,
                live.as_ref(),
                pending_restart,
            );
            let params = PostParams::default();
            let result = match action {
                SecretAction::Unchanged => Ok(None),
                // A server-side apply by name: allowed by `patch` on this name alone. When
                // someone created the Secret in between, the apply merges into theirs, so
                // the answer is checked like a fresh read below.
                SecretAction::Create => {
                    let apply = PatchParams::apply(FIELD_MANAGER).force();
                    let patch = Patch::Apply(&secret);
                    self.call(|| self.secrets.patch(name, &apply, &patch))
                        .await
                        .map(Some)
                }
                SecretAction::Update => self
                    .call(|| self.secrets.replace(name, &params, &secret))
                    .await
                    .map(|_| None),
            };
            match result {
                Ok(Some(written)) if decide(&Some(written.clone())) != SecretAction::Unchanged => {
                    // Created concurrently by another writer with other keys: ours now
                    // carries them too. Check its type and replace it with ours.
                    check_type(target, name, &written)?;
                    conflicts += 1;
                    if conflicts > MAX_CONFLICT_RETRIES {
                        return Err(HooksError::api(format!(
                            "creating secret/{name}: rewritten by another writer \
                             {conflicts} times; giving up"
                        )));
                    }
                    live = Some(written);
                }
                Ok(_) => {
                    return Ok(SecretOutcome {
                        name: name.to_string(),
                        action: first,
                        conflicts,
                    });
                }
                // 409: created or changed by someone else since we read it. 404 on replace:
                // deleted since. Either way, read again and decide again.
                Err(e)
                    if matches!(e.status(), Some(409) | Some(404))
                        && conflicts < MAX_CONFLICT_RETRIES =>
                {
                    conflicts += 1;
                    live = self.get_secret(name).await?;
                    if let Some(secret) = &live {
                        check_type(target, name, secret)?;
                    }
                }
                Err(e) => {
                    let verb = if action == SecretAction::Create {
                        "creating"
                    } else {
                        "updating"
                    };
                    let mut err = api_error(&format!("{verb} secret/{name}"), e);
                    if conflicts > 0 {
                        err.message
                            .push_str(&format!(" (after {conflicts} conflicting writes)"));
                    }
                    return Err(err);
                }
            }
        }
    }
}

/// Runs one instance: reads, decides, writes (unless `dry_run`), restarts when needed.
/// `request_timeout` limits each request, its retries included.
pub async fn run_instance(
    client: &Client,
    namespace: &str,
    target: &InstanceTarget,
    dry_run: bool,
    request_timeout: Duration,
) -> Result<InstanceReport, HooksError> {
    let api = InstanceApi {
        client: client.clone(),
        namespace: namespace.to_string(),
        secrets: Api::namespaced(client.clone(), namespace),
        deployments: Api::namespaced(client.clone(), namespace),
        daemonsets: Api::namespaced(client.clone(), namespace),
        statefulsets: Api::namespaced(client.clone(), namespace),
        budget: request_timeout,
        requests: AtomicUsize::new(0),
    };
    // The four reads are independent: run them concurrently.
    let (sources, live_userlist, live_admin, annotation) = tokio::try_join!(
        api.list_sources(target),
        api.get_secret(&target.userlist_secret),
        api.get_secret(&target.admin_secret),
        api.restart_annotation(target),
    )?;
    if sources.is_empty() {
        api.check_namespace().await?;
    }
    // Before anything is decided: a target of a type we never write is not ours.
    for (name, live) in [
        (&target.userlist_secret, &live_userlist),
        (&target.admin_secret, &live_admin),
    ] {
        if let Some(secret) = live {
            check_type(target, name, secret)?;
        }
    }
    // The fingerprint key: the admin Secret's, kept across runs; a new one the first time
    // (or when the stored one is damaged).
    let live_key = live_admin
        .as_ref()
        .and_then(|s| s.data.as_ref()?.get(HASH_KEY))
        .and_then(|stored| FingerprintKey::from_stored(&stored.0));
    let key_renewed = live_key.is_none();
    let key = match live_key {
        Some(key) => key,
        None => FingerprintKey::generate().ok_or_else(|| {
            HooksError::api("the operating system's random generator failed (fingerprint key)")
        })?,
    };
    let desired: DesiredSecrets = desired_secrets(target, &sources, key)?;
    let restart_hash = desired.restart_hash(target.restart);
    // Marks left by an earlier run that wrote these Secrets and could not restart.
    let pending: Vec<String> = [&live_userlist, &live_admin]
        .into_iter()
        .flatten()
        .filter_map(|s| {
            s.metadata
                .annotations
                .as_ref()?
                .get(PENDING_RESTART_ANNOTATION)
        })
        .cloned()
        .collect();
    // Content written now, while the workload runs, is owed a restart: say so on the
    // Secrets, in case this run fails before the restart.
    let pending_restart = restart_hash.as_deref().filter(|_| annotation.is_some());

    let (userlist, admin) = if dry_run {
        let plan = |name: &str, data: &SecretData, live: &Option<Secret>| SecretOutcome {
            name: name.to_string(),
            action: decide(data, &desired.key, key_renewed, live.as_ref()),
            conflicts: 0,
        };
        (
            plan(&target.userlist_secret, &desired.userlist, &live_userlist),
            plan(&target.admin_secret, &desired.admin, &live_admin),
        )
    } else {
        // The userlist first: it is what PgBouncer authenticates against.
        let userlist = api
            .converge_secret(
                target,
                &target.userlist_secret,
                &desired.userlist,
                &desired.key,
                key_renewed,
                live_userlist,
                pending_restart,
            )
            .await?;
        let admin = api
            .converge_secret(
                target,
                &target.admin_secret,
                &desired.admin,
                &desired.key,
                key_renewed,
                live_admin,
                pending_restart,
            )
            .await?;
        (userlist, admin)
    };

    // The annotation's value when restarting: the scope's fingerprint, or (a created
    // Secret with nothing read at start) the whole content's.
    let restart_value = restart_hash
        .clone()
        .unwrap_or_else(|| desired.content_hash());
    let restart = match annotation {
        None => RestartOutcome::WorkloadMissing,
        Some(live) => match workload_step(
            target.restart,
            userlist.action,
            admin.action,
            live.as_deref(),
            &pending,
            restart_hash.as_deref(),
        ) {
            WorkloadStep::Restart => {
                if dry_run || api.restart(target, &restart_value).await? {
                    RestartOutcome::Restarted
                } else {
                    RestartOutcome::WorkloadMissing
                }
            }
            WorkloadStep::Reloads => RestartOutcome::NotRestarting,
            WorkloadStep::UpToDate => RestartOutcome::NotNeeded,
        },
    };
    Ok(InstanceReport {
        alias: target.alias.clone(),
        selector: target.label_selector(),
        sources: sources.len(),
        roles: desired.roles,
        skipped: desired.skipped,
        userlist,
        admin,
        workload: format!("{}/{}", target.workload.kind, target.workload.name),
        restart,
        content_hash: restart_value,
        requests: api.requests.load(Ordering::Relaxed),
    })
}

/// What to do about one target Secret: compare the data (see [`SecretAction::decide`]);
/// and when the fingerprint key is new in this run (`key_renewed`), also rewrite a Secret
/// whose data is right but whose [`SOURCE_HASH_LABEL`] is not this key's fingerprint: a
/// label made with a lost key, or a plain hash written before fingerprints were keyed,
/// must not stay visible. Otherwise labels do not count, so a concurrent writer of the
/// right data leaves nothing to write.
fn decide(
    desired: &SecretData,
    key: &FingerprintKey,
    key_renewed: bool,
    live: Option<&Secret>,
) -> SecretAction {
    let action = SecretAction::decide(desired, live.map(|s| data_of(s.data.clone())).as_ref());
    let label = live
        .and_then(|s| s.metadata.labels.as_ref()?.get(SOURCE_HASH_LABEL))
        .map(String::as_str);
    if action == SecretAction::Unchanged && key_renewed && label != Some(&key.data(desired)[..32]) {
        return SecretAction::Update;
    }
    action
}

/// Refuses a live target Secret of another type than `Opaque`: the hooks only ever write
/// `Opaque` Secrets, so any other type (a ServiceAccount token, TLS, docker config) was
/// made by someone else for another purpose, and a misnamed target must not destroy it.
fn check_type(target: &InstanceTarget, name: &str, live: &Secret) -> Result<(), HooksError> {
    match live.type_.as_deref() {
        None | Some("Opaque") => Ok(()),
        Some(other) => Err(HooksError::target(format!(
            "{}: secret/{name} exists with type {other:?}; the hooks only write Opaque \
             Secrets and will not overwrite it (point config.existingUserlistSecret / \
             config.existingAdminSecret at another name); nothing written",
            target.alias
        ))),
    }
}

/// The Secret to write: our data and labels; the live Secret's other labels and
/// annotations are kept, and its resourceVersion makes the replace conditional.
/// `fingerprint`: the keyed fingerprint of `desired` (its first 32 digits become the
/// [`SOURCE_HASH_LABEL`]). `pending_restart`: the content fingerprint the running workload
/// still has to be restarted with ([`PENDING_RESTART_ANNOTATION`]); `None` when no workload
/// runs, which also drops an old mark.
fn secret_object(
    target: &InstanceTarget,
    name: &str,
    desired: &SecretData,
    fingerprint: &str,
    live: Option<&Secret>,
    pending_restart: Option<&str>,
) -> Secret {
    let mut annotations: BTreeMap<String, String> = live
        .and_then(|s| s.metadata.annotations.clone())
        .unwrap_or_default();
    annotations.remove(PENDING_RESTART_ANNOTATION);
    if let Some(hash) = pending_restart {
        annotations.insert(PENDING_RESTART_ANNOTATION.into(), hash.into());
    }
    let mut labels: BTreeMap<String, String> = live
        .and_then(|s| s.metadata.labels.clone())
        .unwrap_or_default();
    labels.insert(MANAGED_BY_LABEL.into(), MANAGED_BY.into());
    labels.insert(INSTANCE_LABEL.into(), target.alias.clone());
    labels.insert(SOURCE_HASH_LABEL.into(), fingerprint[..32].to_string());
    Secret {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(labels),
            annotations: (!annotations.is_empty()).then_some(annotations),
            resource_version: live.and_then(|s| s.metadata.resource_version.clone()),
            ..ObjectMeta::default()
        },
        // Live targets are Opaque (check_type), so this never changes a type.
        type_: Some("Opaque".to_string()),
        data: Some(
            desired
                .iter()
                .map(|(k, v)| (k.clone(), ByteString(v.clone())))
                .collect(),
        ),
        ..Secret::default()
    }
}

fn data_of(data: Option<BTreeMap<String, ByteString>>) -> SecretData {
    data.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect()
}

/// An API failure as a message: what we were doing, the HTTP code, reason and the
/// server's message (which names objects, verbs and namespaces, never Secret data), and
/// how many attempts were made when there was more than one.
fn api_error(doing: &str, err: CallError) -> HooksError {
    let (err, attempts) = match err {
        CallError::Failed { error, attempts } => (error, attempts),
        CallError::TimedOut { budget, attempts } => {
            return HooksError::api(format!(
                "{doing}: timed out: no complete answer within {}s (--request-timeout){}",
                budget.as_secs_f64(),
                attempts_note(attempts)
            ));
        }
    };
    let mut error = plain_api_error(doing, err);
    error.message.push_str(&attempts_note(attempts));
    error
}

/// `" (gave up after N attempts)"` when a request was tried more than once.
fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (gave up after {attempts} attempts)")
    } else {
        String::new()
    }
}

fn plain_api_error(doing: &str, err: kube::Error) -> HooksError {
    match err {
        kube::Error::Api(status) => {
            let mut message = format!("{doing}: {} {}", status.code, status.reason);
            if !status.message.is_empty() {
                message.push_str(&format!(": {}", status.message));
            }
            HooksError::api(message)
        }
        other => {
            // Transport errors nest (kube, hyper, the connector, io); print each level
            // once, and say plainly when a time limit was hit.
            let mut parts: Vec<String> = vec![other.to_string()];
            let mut timed_out = false;
            let mut source = std::error::Error::source(&other);
            while let Some(cause) = source {
                timed_out |= cause.is::<tokio::time::error::Elapsed>()
                    || cause
                        .downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut);
                let text = cause.to_string();
                if !parts.iter().any(|p| p.contains(&text)) {
                    parts.push(text);
                }
                source = cause.source();
            }
            let mut message = format!("{doing}: {}", parts.join(": "));
            if timed_out {
                message.push_str(" (timed out: no answer within --request-timeout)");
            }
            HooksError::api(message)
        }
    }
}

#[cfg(test)]
mod tests;
