//! `qspgb lint`: every finding on stderr, and a count.

use anyhow::{Context, anyhow};

use crate::cli::io::read_input;
use crate::cli::settings::LintSettings;
use crate::error::Result;
use crate::lint::Severity;
use crate::value::{Value, map_path};
use crate::words::plural;

/// The instances whose budget `--consult-cluster` may read.
const ALIASES: [&str; 2] = ["pgbouncerPharia", "pgbouncerTemporal"];

/// Checks the values and the render; exit 1 on errors, or on warnings with `--strict`.
pub fn run(mut settings: LintSettings) -> Result {
    if let Some(options) = settings.consult.take() {
        consult_clusters(&mut settings, &options)?;
    }
    let checked = super::check_release(&settings.input, &settings.context)?;
    let findings = checked.findings;
    for finding in &findings {
        say!("{finding}");
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    say!(
        "lint: {errors} error{}, {warnings} warning{}",
        plural(errors),
        plural(warnings)
    );
    Ok(u8::from(errors > 0 || (settings.strict && warnings > 0)))
}

/// `--consult-cluster`: for each enabled instance naming `connectionBudget.cnpgCluster`
/// without its own `maxServerConnections`, reads what the Cluster's PostgreSQL allows and
/// lints with that as the budget (added as the last `--set-json`, so the budget check names
/// it like a value). Says where each budget came from.
fn consult_clusters(
    settings: &mut LintSettings,
    options: &crate::hooks::cluster::ConnectOptions,
) -> anyhow::Result<()> {
    let (_, resolved) = crate::release::resolve_values(
        &settings.input.chart_files()?,
        &settings.input.values,
        &mut read_input,
    )?;
    let mut wanted = Vec::new();
    for alias in ALIASES {
        let text = |path: &str| match map_path(&resolved.values, &format!("{alias}.{path}")) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let enabled = !matches!(
            map_path(&resolved.values, &format!("{alias}.enabled")),
            Some(Value::Bool(false))
        );
        let own = map_path(
            &resolved.values,
            &format!("{alias}.connectionBudget.maxServerConnections"),
        );
        if let (true, Some(cluster), None | Some(Value::Null)) =
            (enabled, text("connectionBudget.cnpgCluster"), own)
        {
            wanted.push((alias, cluster));
        }
    }
    if wanted.is_empty() {
        say!(
            "lint: --consult-cluster: no enabled instance names connectionBudget.cnpgCluster \
             without its own connectionBudget.maxServerConnections; nothing to read"
        );
        return Ok(());
    }
    let namespace = settings.context.namespace.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let budgets = runtime.block_on(async {
        let (client, _) = crate::hooks::cluster::connect(options)
            .await
            .map_err(|e| anyhow!("--consult-cluster: {e}"))?;
        let mut budgets = Vec::new();
        for (alias, cluster) in &wanted {
            let budget = crate::cnpg::read_budget(&client, &namespace, cluster)
                .await
                .map_err(|e| anyhow!("{alias}.connectionBudget.cnpgCluster: {e}"))?;
            budgets.push((*alias, cluster.clone(), budget));
        }
        anyhow::Ok(budgets)
    })?;
    for (alias, cluster, budget) in budgets {
        say!(
            "lint: {alias}.connectionBudget.maxServerConnections = {} from postgresql.cnpg.io/v1 \
             Cluster {namespace}/{cluster} (max_connections {} - superuser_reserved_connections {})",
            budget.available(),
            budget.max_connections,
            budget.reserved
        );
        if budget.available() == 0 {
            return Err(anyhow!(
                "{alias}.connectionBudget.cnpgCluster: Cluster {namespace}/{cluster} leaves no \
                 connection for PgBouncer (max_connections {} - superuser_reserved_connections {})",
                budget.max_connections,
                budget.reserved
            ));
        }
        settings.input.values.set_json.push(format!(
            "{alias}.connectionBudget.maxServerConnections={}",
            budget.available()
        ));
    }
    Ok(())
}
