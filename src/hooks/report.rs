//! What a `qspgb hooks` run did for one instance, and the summary printed for it.
//!
//! Pure data and text: [`super::cluster`] fills an [`InstanceReport`] as it works, and
//! [`super::run`] collects them.

use super::{RESTART_ANNOTATION, SecretAction};
use crate::words::plural;

/// What happened to one target Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretOutcome {
    /// The Secret's name.
    pub name: String,
    /// What the Secret needed when first read: created, updated or left alone (in a dry
    /// run: would be). After a successful run it holds the desired content in every case;
    /// when a concurrent writer (or an earlier attempt of ours whose answer was lost) wrote
    /// it first, the run itself may have written less.
    pub action: SecretAction,
    /// How many 409 Conflicts (or 404s of a deleted Secret) were met, each followed by a
    /// fresh read and a new decision.
    pub conflicts: u32,
}

/// What happened to the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartOutcome {
    /// The pods already run with this content.
    NotNeeded,
    /// Restarted (in a dry run: would be).
    Restarted,
    /// The workload does not exist (yet): nothing to restart.
    WorkloadMissing,
    /// The pods reload what changed (the userlist-reload sidecar), or the values turn
    /// restarts off: not restarted.
    NotRestarting,
}

/// The result of one instance's run, for the summary. Holds no secret value.
#[derive(Debug, Clone)]
pub struct InstanceReport {
    /// The chart alias.
    pub alias: String,
    /// The selector used.
    pub selector: String,
    /// Source Secrets the selector matched.
    pub sources: usize,
    /// The roles in the userlist, sorted.
    pub roles: Vec<String>,
    /// Skipped source Secrets, with reasons.
    pub skipped: Vec<String>,
    /// The userlist Secret.
    pub userlist: SecretOutcome,
    /// The admin Secret.
    pub admin: SecretOutcome,
    /// `deployment/NAME` or `daemonset/NAME`.
    pub workload: String,
    /// The workload.
    pub restart: RestartOutcome,
    /// The restart annotation's value (the fingerprint of what the pods read at start;
    /// empty when nothing restarts them).
    pub content_hash: String,
    /// API requests made for this instance.
    pub requests: usize,
}

/// At most this many role names are listed in a summary line.
const MAX_LISTED_ROLES: usize = 20;

impl InstanceReport {
    /// The human summary (stdout): Secrets, roles and actions, never a password.
    pub fn summary(&self, dry_run: bool) -> String {
        let mut out = format!(
            "{}: {} role{} from {} Secret{} matching {}",
            self.alias,
            self.roles.len(),
            plural(self.roles.len()),
            self.sources,
            plural(self.sources),
            self.selector
        );
        if !self.skipped.is_empty() {
            out.push_str(&format!(" ({} skipped)", self.skipped.len()));
        }
        out.push('\n');
        let mut roles = self
            .roles
            .iter()
            .take(MAX_LISTED_ROLES)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if self.roles.len() > MAX_LISTED_ROLES {
            roles.push_str(&format!(
                " and {} more",
                self.roles.len() - MAX_LISTED_ROLES
            ));
        }
        for (outcome, detail) in [
            (&self.userlist, format!("roles: {roles}")),
            (&self.admin, "admin role".to_string()),
        ] {
            let verb = match (outcome.action, dry_run) {
                (SecretAction::Create, false) => "created",
                (SecretAction::Create, true) => "would create",
                (SecretAction::Update, false) => "updated",
                (SecretAction::Update, true) => "would update",
                (SecretAction::Unchanged, _) => "unchanged",
            };
            out.push_str(&format!("  secret/{}: {verb} ({detail})", outcome.name));
            if outcome.conflicts > 0 {
                out.push_str(&format!(
                    ", after {} conflicting write{}",
                    outcome.conflicts,
                    plural(outcome.conflicts as usize)
                ));
            }
            out.push('\n');
        }
        let restart = match (self.restart, dry_run) {
            (RestartOutcome::NotNeeded, _) => "up to date, not restarted".to_string(),
            (RestartOutcome::Restarted, false) => format!(
                "restarted ({RESTART_ANNOTATION}={})",
                &self.content_hash[..12]
            ),
            (RestartOutcome::Restarted, true) => format!(
                "would restart ({RESTART_ANNOTATION}={})",
                &self.content_hash[..12]
            ),
            (RestartOutcome::WorkloadMissing, _) => "not found, nothing to restart".to_string(),
            (RestartOutcome::NotRestarting, _) => {
                "not restarted (its pods reload userlist.txt, or hooks.restartOnChange is false)"
                    .to_string()
            }
        };
        out.push_str(&format!("  {}: {restart}\n", self.workload));
        out.push_str(&format!(
            "  {} API request{}\n",
            self.requests,
            plural(self.requests)
        ));
        out
    }
}

/// The summary of a whole run (stdout): each instance's [`InstanceReport::summary`] in
/// chart order, then, in a dry run, that nothing was written.
pub fn run_summary<'a>(
    reports: impl IntoIterator<Item = &'a InstanceReport>,
    dry_run: bool,
) -> String {
    let mut summary: String = reports.into_iter().map(|r| r.summary(dry_run)).collect();
    if dry_run && !summary.is_empty() {
        summary.push_str("dry run: nothing was written\n");
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> InstanceReport {
        InstanceReport {
            alias: "pgbouncerPharia".into(),
            selector: "a=b".into(),
            sources: 3,
            roles: vec!["app".into(), "pgbouncer".into()],
            skipped: vec!["secret/x: has no `password`; skipped".into()],
            userlist: SecretOutcome {
                name: "ul".into(),
                action: SecretAction::Create,
                conflicts: 0,
            },
            admin: SecretOutcome {
                name: "adm".into(),
                action: SecretAction::Update,
                conflicts: 2,
            },
            workload: "deployment/pgbouncer-pharia".into(),
            restart: RestartOutcome::Restarted,
            content_hash: "0123456789abcdef".repeat(4),
            requests: 6,
        }
    }

    #[test]
    fn summaries_name_secrets_roles_and_actions() {
        assert_eq!(
            report().summary(false),
            "pgbouncerPharia: 2 roles from 3 Secrets matching a=b (1 skipped)\n\
             \x20 secret/ul: created (roles: app, pgbouncer)\n\
             \x20 secret/adm: updated (admin role), after 2 conflicting writes\n\
             \x20 deployment/pgbouncer-pharia: restarted (qspgb/secrets-hash=0123456789ab)\n\
             \x20 6 API requests\n"
        );
        let dry = report().summary(true);
        assert!(dry.contains("secret/ul: would create"), "{dry}");
        assert!(dry.contains(": would restart"), "{dry}");
    }

    #[test]
    fn long_role_lists_are_cut() {
        let mut r = report();
        r.roles = (0..25).map(|i| format!("r{i:02}")).collect();
        let text = r.summary(false);
        assert!(text.contains("r19 and 5 more)"), "{text}");
        assert!(!text.contains("r20"), "{text}");
    }
}
