//! The pure decisions of `qspgb hooks`: from the source Secrets to the userlist and admin
//! Secrets' content and their keyed fingerprint, what to do about a live Secret, and whether
//! the workload restarts. No I/O: [`super::cluster`] asks, this module answers.

use std::collections::BTreeMap;

use super::fingerprint::{FingerprintKey, HASH_KEY};
use super::{HooksError, InstanceTarget, RestartScope, SecretData, SourceSecret, USERLIST_KEY};
use crate::pgbouncer;

/// The two Secrets an instance should have, and what went into them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredSecrets {
    /// Data of the userlist Secret (one key, `userlist.txt`).
    pub userlist: SecretData,
    /// Data of the admin Secret (admin user and password keys, and the fingerprint key
    /// under [`HASH_KEY`]).
    pub admin: SecretData,
    /// The key of this instance's fingerprints (also in `admin`).
    pub key: FingerprintKey,
    /// The roles in the userlist, sorted.
    pub roles: Vec<String>,
    /// Source Secrets that were skipped, with the reason (for warnings).
    pub skipped: Vec<String>,
    /// Number of source Secrets that gave a role.
    pub used_sources: usize,
}

impl DesiredSecrets {
    /// The keyed fingerprint of both Secrets' content.
    pub fn content_hash(&self) -> String {
        self.key.content(&self.userlist, &self.admin)
    }

    /// The restart annotation's value: the fingerprint of what the pods read only at start
    /// (`None`: nothing, so nothing ever restarts them). A Secret outside `scope` counts as
    /// empty, so its changes leave the value alone.
    pub fn restart_hash(&self, scope: RestartScope) -> Option<String> {
        let none = SecretData::new();
        match scope {
            RestartScope::Both => Some(self.content_hash()),
            RestartScope::Admin => Some(self.key.content(&none, &self.admin)),
            RestartScope::Neither => None,
        }
    }
}

/// One role taken from a source Secret.
struct Role {
    password: String,
    from: String,
}

/// Builds the userlist and admin Secrets of `target` from its source Secrets.
///
/// Every credential Secret gives one role: the name in `username` (or `user`), the
/// password in `password`. A Secret holding none of these three keys is no credential
/// Secret (say, a CA certificate carrying the cluster's labels): it is skipped and named in
/// [`DesiredSecrets::skipped`]. The result is all or nothing: a credential Secret that
/// cannot give a role (a key missing or empty, non-UTF-8 bytes, a value `userlist.txt`
/// cannot hold such as a line break), no credential Secret at all, the admin role missing,
/// or one role with two different passwords is an error, so an empty or partial userlist is
/// never produced. Skipping a broken credential Secret instead would drop its role from
/// the userlist and lock its application out of PgBouncer.
///
/// `key` is the fingerprint key: the live admin Secret's, or a new one. It is stored in the
/// admin Secret, so it survives the run.
pub fn desired_secrets(
    target: &InstanceTarget,
    sources: &[SourceSecret],
    key: FingerprintKey,
) -> Result<DesiredSecrets, HooksError> {
    let mut roles: BTreeMap<String, Role> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut malformed = Vec::new();
    let mut sorted: Vec<&SourceSecret> = sources.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for source in sorted {
        let (user, password) = match role_of(source) {
            Ok(Some(pair)) => pair,
            Ok(None) => {
                skipped.push(format!(
                    "secret/{}: holds no `username`, `user` or `password` (not a credential \
                     Secret); skipped",
                    source.name
                ));
                continue;
            }
            Err(reason) => {
                malformed.push(format!("secret/{}: {reason}", source.name));
                continue;
            }
        };
        match roles.get(&user) {
            Some(existing) if existing.password != password => {
                return Err(HooksError::source(format!(
                    "{}: role {user:?} has different passwords in secret/{} and secret/{}; \
                     refusing to choose (nothing written)",
                    target.alias, existing.from, source.name
                )));
            }
            Some(_) => {}
            None => {
                roles.insert(
                    user,
                    Role {
                        password,
                        from: source.name.clone(),
                    },
                );
            }
        }
    }
    if !malformed.is_empty() {
        return Err(HooksError::source(format!(
            "{}: {} source Secret{} matching {} cannot give a role ({}); refusing to write a \
             userlist without {} (nothing written)",
            target.alias,
            malformed.len(),
            crate::words::plural(malformed.len()),
            target.label_selector(),
            malformed.join("; "),
            if malformed.len() == 1 { "it" } else { "them" },
        )));
    }
    if roles.is_empty() {
        return Err(HooksError::source(format!(
            "{}: no usable source Secret in the namespace matches the selector {} \
             ({} matched, {} skipped); nothing written",
            target.alias,
            target.label_selector(),
            sources.len(),
            skipped.len()
        )));
    }
    let Some(admin) = roles.get(&target.admin_role) else {
        return Err(HooksError::source(format!(
            "{}: the admin role {:?} (config.adminUser) is in none of the {} source Secrets \
             matching {} (roles found: {}); nothing written",
            target.alias,
            target.admin_role,
            sources.len(),
            target.label_selector(),
            roles.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    };
    let mut userlist = String::new();
    for (user, role) in &roles {
        // Checked in role_of, so this cannot fail here.
        let line = pgbouncer::checked_userlist_line(user, &role.password)
            .map_err(|e| HooksError::source(e.to_string()))?;
        userlist.push_str(&line);
        userlist.push('\n');
    }
    let admin_data = SecretData::from([
        (
            target.admin_user_key.clone(),
            target.admin_role.as_bytes().to_vec(),
        ),
        (
            target.admin_password_key.clone(),
            admin.password.as_bytes().to_vec(),
        ),
        (HASH_KEY.to_string(), key.stored().to_vec()),
    ]);
    Ok(DesiredSecrets {
        userlist: SecretData::from([(USERLIST_KEY.to_string(), userlist.into_bytes())]),
        admin: admin_data,
        key,
        used_sources: roles.len(),
        roles: roles.into_keys().collect(),
        skipped,
    })
}

/// The role name and password a source Secret holds; `None` when it holds no credential
/// key at all; or why it cannot be used (never quoting a value).
fn role_of(source: &SourceSecret) -> Result<Option<(String, String)>, String> {
    let has_password = source.data.contains_key("password");
    let user_key = if source.data.contains_key("username") {
        "username"
    } else if source.data.contains_key("user") {
        "user"
    } else if has_password {
        return Err("has a `password` but neither `username` nor `user`".into());
    } else {
        return Ok(None);
    };
    let Some(password) = source.data.get("password") else {
        return Err("has no `password`".into());
    };
    let user = String::from_utf8(source.data[user_key].clone())
        .map_err(|_| format!("`{user_key}` is not UTF-8 text"))?;
    let password =
        String::from_utf8(password.clone()).map_err(|_| "`password` is not UTF-8 text")?;
    if user.is_empty() {
        return Err(format!("`{user_key}` is empty"));
    }
    if password.is_empty() {
        return Err(format!("the password of role {user:?} is empty"));
    }
    pgbouncer::checked_userlist_line(&user, &password).map_err(|e| e.to_string())?;
    Ok(Some((user, password)))
}

/// What to do about one target Secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretAction {
    /// It does not exist: create it.
    Create,
    /// It exists with other content: replace it.
    Update,
    /// It exists with the desired content: leave it alone.
    Unchanged,
}

impl SecretAction {
    /// Decides by comparing the desired and the live data (`None`: no live Secret).
    /// Labels and annotations do not count: equal data is left untouched.
    pub fn decide(desired: &SecretData, live: Option<&SecretData>) -> SecretAction {
        match live {
            None => SecretAction::Create,
            Some(live) if live == desired => SecretAction::Unchanged,
            Some(_) => SecretAction::Update,
        }
    }

    /// Whether this action writes.
    pub fn writes(self) -> bool {
        self != SecretAction::Unchanged
    }
}

/// Whether the workload must be restarted.
///
/// `secrets_changed`: a Secret's content changed in this run (see
/// [`report::SecretOutcome::action`]). `live_annotation`: the workload's pod-template
/// [`RESTART_ANNOTATION`], `None` when it has none. `pending`: the
/// [`PENDING_RESTART_ANNOTATION`] values of the live Secrets, as first read.
///
/// A workload whose annotation is present but differs from `content_hash` also restarts:
/// an earlier run changed the Secrets and then failed before restarting (the API went away,
/// the Role lacked `patch`), and this run heals that. A missing annotation on unchanged
/// Secrets means the pods were started by the chart with the current Secrets (the hook runs
/// before them), so nothing restarts — unless a Secret carries a pending mark equal to
/// `content_hash`: then an earlier run wrote this content while the pods were running and
/// failed before their first restart. (A workload deleted and created again after such a
/// run restarts once more than needed; that is the price of the mark never being cleared,
/// which would cost a write.)
pub fn restart_needed(
    secrets_changed: bool,
    live_annotation: Option<&str>,
    pending: &[String],
    content_hash: &str,
) -> bool {
    match live_annotation {
        Some(value) => value != content_hash,
        None => secrets_changed || pending.iter().any(|p| p == content_hash),
    }
}

/// What the workload needs after this run's writes (its restart annotation exists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadStep {
    /// Restart it (patch the annotation with the restart value).
    Restart,
    /// Secrets were written, but nothing its pods read only at start (they reload the
    /// userlist, or restarts are off).
    Reloads,
    /// Nothing was written and nothing is owed.
    UpToDate,
}

/// Decides about a workload that exists, from what this run did to the two Secrets.
///
/// `scope` says which Secrets the pods read only at start; `restart_hash` is
/// [`DesiredSecrets::restart_hash`] for it (`None`: nothing). Only a change inside the scope
/// counts for [`restart_needed`]. A Secret *created* while the workload exists restarts it
/// whatever the scope: its pods are waiting for that Secret (the userlist-check init
/// container or the exporter's environment, in back-off), and a restart starts them now.
pub fn workload_step(
    scope: RestartScope,
    userlist: SecretAction,
    admin: SecretAction,
    live_annotation: Option<&str>,
    pending: &[String],
    restart_hash: Option<&str>,
) -> WorkloadStep {
    let changed = match scope {
        RestartScope::Both => userlist.writes() || admin.writes(),
        RestartScope::Admin => admin.writes(),
        RestartScope::Neither => false,
    };
    let created = [userlist, admin].contains(&SecretAction::Create);
    let owed =
        restart_hash.is_some_and(|hash| restart_needed(changed, live_annotation, pending, hash));
    if created || owed {
        WorkloadStep::Restart
    } else if userlist.writes() || admin.writes() {
        WorkloadStep::Reloads
    } else {
        WorkloadStep::UpToDate
    }
}

#[cfg(test)]
mod tests;
