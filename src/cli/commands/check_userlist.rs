//! `qspgb check-userlist FILE`: the init container's check of the mounted userlist.

use std::path::Path;

use anyhow::{Context, anyhow, bail};

use crate::cli::io::write_stdout;
use crate::error::Result;
use crate::words::plural;

/// Exit 1 with a clear message when the userlist is missing, empty or malformed; prints
/// the number of users only.
pub fn run(path: &Path) -> Result {
    let users = users(path)?;
    write_stdout(&format!(
        "{}: {users} user{}\n",
        path.display(),
        plural(users)
    ))?;
    Ok(0)
}

/// How many users the userlist at `path` has; at least one.
fn users(path: &Path) -> anyhow::Result<usize> {
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
    let users =
        crate::pgbouncer::userlist_users(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    if users.is_empty() {
        bail!(
            "{}: empty, so PgBouncer would accept no login. Run `qspgb hooks` to fill the \
             userlist Secret from the database clusters' Secrets",
            path.display()
        );
    }
    Ok(users.len())
}
