//! A whole `qspgb hooks` run: connect once, run every instance concurrently, and collect
//! what each did in chart order.

use tokio::task::JoinSet;

use super::cluster::{self, ConnectOptions};
use super::report::InstanceReport;
use super::{FailureClass, HooksError, InstanceTarget};

/// What a run did: each instance's report or failure, in chart order.
#[derive(Debug)]
pub struct Outcome {
    /// The namespace the run worked in.
    pub namespace: String,
    /// Each instance's chart alias and result, in chart order.
    pub instances: Vec<(String, Result<InstanceReport, HooksError>)>,
}

impl Outcome {
    /// The reports of the instances that succeeded, in chart order.
    pub fn reports(&self) -> impl Iterator<Item = &InstanceReport> {
        self.instances.iter().filter_map(|(_, r)| r.as_ref().ok())
    }

    /// The failed instances' aliases and errors, in chart order.
    pub fn failures(&self) -> impl Iterator<Item = (&str, &HooksError)> {
        self.instances
            .iter()
            .filter_map(|(alias, r)| r.as_ref().err().map(|e| (alias.as_str(), e)))
    }

    /// The class of the worst failure, which decides the exit code: an API failure
    /// outranks a foreign target Secret, which outranks a source refusal.
    pub fn worst_failure(&self) -> Option<FailureClass> {
        let rank = |class: FailureClass| match class {
            FailureClass::Source => 0,
            FailureClass::Target => 1,
            FailureClass::Api => 2,
        };
        self.failures()
            .map(|(_, e)| e.class)
            .max_by_key(|c| rank(*c))
    }
}

/// A run that could not start, or whose work was lost.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The async runtime could not start.
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// No client: the configuration is missing or unusable.
    #[error(transparent)]
    Connect(#[from] HooksError),
    /// An instance's task panicked (a bug).
    #[error("a hooks task panicked: {0}")]
    Panicked(#[source] tokio::task::JoinError),
}

/// Runs `targets` against the API server; `namespace` defaults to the configuration's.
/// Instances are independent, so they run concurrently on one thread.
pub fn run(
    targets: Vec<InstanceTarget>,
    options: &ConnectOptions,
    namespace: Option<String>,
    dry_run: bool,
) -> Result<Outcome, RunError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    runtime.block_on(async {
        let (client, default_namespace) = cluster::connect(options).await?;
        let namespace = namespace.unwrap_or(default_namespace);
        let mut tasks = JoinSet::new();
        for (index, target) in targets.into_iter().enumerate() {
            let client = client.clone();
            let namespace = namespace.clone();
            let timeout = options.request_timeout;
            tasks.spawn(async move {
                let result =
                    cluster::run_instance(&client, &namespace, &target, dry_run, timeout).await;
                (index, target.alias, result)
            });
        }
        let mut instances = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            instances.push(joined.map_err(RunError::Panicked)?);
        }
        instances.sort_by_key(|(index, _, _)| *index);
        Ok(Outcome {
            namespace,
            instances: instances
                .into_iter()
                .map(|(_, alias, result)| (alias, result))
                .collect(),
        })
    })
}
