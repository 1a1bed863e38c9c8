//! `qspgb watch-userlist FILE`: the `userlist-reload` sidecar. Reads the mounted userlist
//! every interval and reloads PgBouncer when it changed (the decisions are
//! [`crate::reload`]'s; this is the I/O around them).
//!
//! It logs one line per event (reloaded, refused, missing, failed) with counts only: never a
//! user name's password, never the file's content or a hash of it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, anyhow};

use crate::error::Result;
use crate::pgbouncer::admin::{AdminConsole, socket_path};
use crate::reload::{Step, Watcher, missing_users};
use crate::words::plural;

/// Each console exchange; PgBouncer answers RELOAD in milliseconds.
const CONSOLE_TIMEOUT: Duration = Duration::from_secs(5);

/// What to watch, and where PgBouncer listens.
pub struct Watch {
    /// The mounted userlist.txt.
    pub file: PathBuf,
    /// PgBouncer's unix_socket_dir (shared with the sidecar).
    pub socket_dir: PathBuf,
    /// PgBouncer's listen_port.
    pub port: u16,
    /// Time between two reads.
    pub interval: Duration,
}

impl Watch {
    /// The file the watcher touches after every read, for its probes: in the socket
    /// directory, the one place the sidecar may write (its root file system is read-only).
    fn heartbeat(&self) -> PathBuf {
        self.socket_dir
            .join(format!(".qspgb-watch-userlist.{}.alive", self.port))
    }
}

/// The sidecar's readiness and liveness: the watcher's loop ran within 3 intervals + 5 s.
/// A stuck watcher takes its pod out of the Service: that pod would no longer take rotated
/// passwords, and once the old one is revoked in PostgreSQL its logins would fail.
pub fn probe(watch: &Watch) -> Result {
    let limit = 3 * watch.interval + Duration::from_secs(5);
    let heartbeat = watch.heartbeat();
    let age = std::fs::metadata(&heartbeat)
        .and_then(|m| m.modified())
        .map(|modified| {
            SystemTime::now()
                .duration_since(modified)
                .unwrap_or_default()
        });
    match age {
        Ok(age) if age <= limit => Ok(0),
        Ok(age) => {
            say(&format!(
                "no read for {}s (limit {}s)",
                age.as_secs(),
                limit.as_secs()
            ));
            Ok(1)
        }
        Err(e) => {
            say(&format!("{}: {e}", heartbeat.display()));
            Ok(1)
        }
    }
}

/// Watches `file` until SIGTERM or SIGINT (exit 0): the container must stop at once when
/// the pod does, not at the end of the grace period.
pub fn run(watch: &Watch) -> Result {
    let Watch {
        file,
        socket_dir,
        port,
        interval,
    } = watch;
    let (file, interval) = (file.as_path(), *interval);
    let socket = socket_path(socket_dir, *port);
    let heartbeat = watch.heartbeat();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .enable_io()
        .build()
        .context("starting the signal handler")?;
    runtime.block_on(async {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("handling SIGTERM")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("handling SIGINT")?;
        say(&format!(
            "watching {} every {}s; PgBouncer's socket {}",
            file.display(),
            interval.as_secs_f64(),
            socket.display()
        ));
        let mut watcher = Watcher::new();
        let mut last_failure = String::new();
        loop {
            poll(file, &socket, &mut watcher, &mut last_failure);
            if let Err(e) = std::fs::write(&heartbeat, b"") {
                report_failure(&mut last_failure, format!("{}: {e}", heartbeat.display()));
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = terminate.recv() => break,
                _ = interrupt.recv() => break,
            }
        }
        say("stopping");
        Ok(0)
    })
}

/// One read of the file and what follows from it.
fn poll(file: &Path, socket: &Path, watcher: &mut Watcher, last_failure: &mut String) {
    let content = match std::fs::read(file) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            report_failure(last_failure, format!("reading {}: {e}", file.display()));
            return;
        }
    };
    match watcher.observe(content.as_deref()) {
        Step::Wait => {}
        Step::Missing => say(&format!(
            "{}: not found; PgBouncer keeps the users it has loaded",
            file.display()
        )),
        Step::Refuse(why) => say(&format!(
            "{}: not reloaded: {why}; PgBouncer keeps the users it has loaded",
            file.display()
        )),
        Step::Reload { users } => match reload(socket, &users) {
            Ok(()) => {
                watcher.reloaded(content.as_deref().unwrap_or_default());
                last_failure.clear();
                say(&format!(
                    "reloaded {}: {} user{}",
                    file.display(),
                    users.len(),
                    plural(users.len())
                ));
            }
            Err(e) => {
                watcher.reload_failed();
                report_failure(last_failure, format!("RELOAD failed, retrying: {e}"));
            }
        },
    }
}

/// RELOAD, then `SHOW USERS` must list every user of the file.
fn reload(socket: &Path, users: &[String]) -> anyhow::Result<()> {
    let mut console = AdminConsole::connect(socket, CONSOLE_TIMEOUT)?;
    let answer = console.command("RELOAD")?;
    if answer.tag != "RELOAD" {
        return Err(anyhow!("RELOAD answered {:?}", answer.tag));
    }
    let shown = console.command("SHOW USERS")?;
    let missing = missing_users(users, &shown.column("name"));
    if !missing.is_empty() {
        return Err(anyhow!(
            "after RELOAD PgBouncer does not list {} of the file's {} users",
            missing.len(),
            users.len()
        ));
    }
    Ok(())
}

/// A failure is logged when it differs from the last one, so a PgBouncer that is still
/// starting does not fill the log every interval.
fn report_failure(last: &mut String, message: String) {
    if *last != message {
        say(&message);
        *last = message;
    }
}

fn say(line: &str) {
    eprintln!("watch-userlist: {line}");
}
