//! When the `userlist-reload` sidecar reloads PgBouncer: the decisions of `qspgb
//! watch-userlist`, free of I/O (the command reads the file, talks to the socket and
//! sleeps).
//!
//! PgBouncer reads `auth_file` at start and on RELOAD only (since 1.17 a changed file is
//! not noticed by itself). The kubelet replaces a mounted Secret's files atomically (it
//! swaps the `..data` symlink), so every read sees the old or the new userlist, never a mix;
//! a poll that hashes the file is enough to see the change. What must never happen is a
//! RELOAD of a userlist PgBouncer would read only in part (it stops at the first line it
//! cannot read and keeps running with the users before it): such a file is refused and the
//! loaded one stays, as the init container's `check-userlist` refuses it at start.

use sha2::{Digest, Sha256};

/// The fingerprint of one version of the file (never printed: it is a hash of passwords).
pub type Fingerprint = [u8; 32];

/// The fingerprint of `bytes`.
pub fn fingerprint(bytes: &[u8]) -> Fingerprint {
    Sha256::digest(bytes).into()
}

/// What the watcher does about what it just read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing changed since the last reload or refusal.
    Wait,
    /// A new, valid userlist: RELOAD, then expect these users in `SHOW USERS`.
    Reload {
        /// The user names the file holds, in file order.
        users: Vec<String>,
    },
    /// A new userlist PgBouncer must not load; the message says why (never its content).
    Refuse(String),
    /// The file is missing: say so once, keep the loaded users.
    Missing,
}

/// The watcher's memory between polls.
#[derive(Debug, Default)]
pub struct Watcher {
    /// The version PgBouncer has loaded, as far as this watcher knows.
    loaded: Option<Fingerprint>,
    /// The last version seen and not loaded (refused, missing, or a reload that failed), so
    /// the same refusal is reported once, not at every poll.
    seen: Option<Option<Fingerprint>>,
}

impl Watcher {
    /// A watcher that has loaded nothing yet: its first valid read reloads, which also
    /// covers a file that changed between PgBouncer's start and the watcher's.
    pub fn new() -> Watcher {
        Watcher::default()
    }

    /// Decides about the file's current content (`None`: it does not exist).
    pub fn observe(&mut self, content: Option<&[u8]>) -> Step {
        let Some(content) = content else {
            if self.seen == Some(None) {
                return Step::Wait;
            }
            self.seen = Some(None);
            return Step::Missing;
        };
        let current = fingerprint(content);
        if self.loaded == Some(current) || self.seen == Some(Some(current)) {
            return Step::Wait;
        }
        self.seen = Some(Some(current));
        match crate::pgbouncer::userlist_users(content) {
            Err(e) => Step::Refuse(format!("{e}")),
            Ok(users) if users.is_empty() => {
                Step::Refuse("it holds no user, so PgBouncer would accept no login".to_string())
            }
            Ok(users) => Step::Reload { users },
        }
    }

    /// PgBouncer confirmed the reload of `content`: it is the loaded version now.
    pub fn reloaded(&mut self, content: &[u8]) {
        self.loaded = Some(fingerprint(content));
        self.seen = None;
    }

    /// The reload of the last observed version failed: try it again at the next poll.
    pub fn reload_failed(&mut self) {
        self.seen = None;
    }
}

/// The users of the file that PgBouncer's `SHOW USERS` does not list after a RELOAD: a
/// reload that did not take them in (an empty answer means it did).
pub fn missing_users<'a>(file_users: &'a [String], shown: &[&str]) -> Vec<&'a str> {
    file_users
        .iter()
        .map(String::as_str)
        .filter(|u| !shown.contains(u))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_valid_userlist_reloads_once() {
        let mut watcher = Watcher::new();
        let first = b"\"alice\" \"a\"\n".as_slice();
        assert_eq!(
            watcher.observe(Some(first)),
            Step::Reload {
                users: vec!["alice".into()]
            }
        );
        watcher.reloaded(first);
        assert_eq!(watcher.observe(Some(first)), Step::Wait);
        let second = b"\"alice\" \"a2\"\n\"bob\" \"b\"\n".as_slice();
        assert_eq!(
            watcher.observe(Some(second)),
            Step::Reload {
                users: vec!["alice".into(), "bob".into()]
            }
        );
        watcher.reloaded(second);
        assert_eq!(watcher.observe(Some(second)), Step::Wait);
    }

    #[test]
    fn a_broken_or_empty_userlist_is_refused_once_and_the_loaded_one_stays() {
        let mut watcher = Watcher::new();
        let good = b"\"alice\" \"a\"\n".as_slice();
        assert!(matches!(watcher.observe(Some(good)), Step::Reload { .. }));
        watcher.reloaded(good);
        for bad in [
            b"".as_slice(),
            b"; only a comment\n",
            b"\"alice\" \"a\"\n# comment\n\"bob\" \"b\"\n",
            b"\"open\" \"pw\n",
        ] {
            let step = watcher.observe(Some(bad));
            assert!(matches!(step, Step::Refuse(_)), "{bad:?}: {step:?}");
            // Reported once, not at every poll.
            assert_eq!(watcher.observe(Some(bad)), Step::Wait);
        }
        // Nothing of a password is in a refusal.
        let Step::Refuse(why) = watcher.observe(Some(b"\"u\" \"s3cret-pw\" \"x\"\n\0")) else {
            panic!()
        };
        assert!(!why.contains("s3cret"), "{why}");
        // Back to the loaded content: nothing to do.
        assert_eq!(watcher.observe(Some(good)), Step::Wait);
    }

    #[test]
    fn a_missing_file_is_reported_once_and_a_failed_reload_is_retried() {
        let mut watcher = Watcher::new();
        assert_eq!(watcher.observe(None), Step::Missing);
        assert_eq!(watcher.observe(None), Step::Wait);
        let good = b"\"alice\" \"a\"\n".as_slice();
        assert!(matches!(watcher.observe(Some(good)), Step::Reload { .. }));
        watcher.reload_failed();
        assert!(matches!(watcher.observe(Some(good)), Step::Reload { .. }));
        watcher.reloaded(good);
        assert_eq!(watcher.observe(Some(good)), Step::Wait);
    }

    #[test]
    fn missing_users_are_those_show_users_does_not_list() {
        let file = vec!["alice".to_string(), "bob".to_string()];
        assert!(missing_users(&file, &["alice", "bob", "pgbouncer"]).is_empty());
        assert_eq!(missing_users(&file, &["alice"]), ["bob"]);
    }
}
