//! PgBouncer's admin console over its Unix socket, without a password.
//!
//! PgBouncer lets the user name `pgbouncer` into the admin console with no authentication
//! when the connection comes over its Unix socket from a process of the same Unix user as
//! PgBouncer itself (`admin_pre_login` in PgBouncer's src/admin.c, every version the chart
//! deploys). A sidecar that runs as PgBouncer's user and shares the socket directory (an
//! emptyDir) can therefore send RELOAD with no credential to mount, rotate or leak.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::wire::{self, Message};

/// The socket file PgBouncer creates in `unix_socket_dir` for `listen_port` (PostgreSQL's
/// naming, which PgBouncer follows).
pub fn socket_path(dir: &Path, port: u16) -> PathBuf {
    dir.join(format!(".s.PGSQL.{port}"))
}

/// What a console command answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// The CommandComplete tag, e.g. `RELOAD` or `SHOW`.
    pub tag: String,
    /// Column names of the rows, if any.
    pub columns: Vec<String>,
    /// The rows, in text format.
    pub rows: Vec<Vec<Option<String>>>,
}

impl Answer {
    /// The values of column `name` (empty when there is no such column).
    pub fn column(&self, name: &str) -> Vec<&str> {
        let Some(index) = self.columns.iter().position(|c| c == name) else {
            return Vec::new();
        };
        self.rows
            .iter()
            .filter_map(|row| row.get(index)?.as_deref())
            .collect()
    }
}

/// Why talking to the console failed. Holds no credential (there is none).
#[derive(Debug)]
pub enum AdminError {
    /// The socket could not be reached (PgBouncer not started yet, or gone).
    Connect(std::io::Error),
    /// Reading or writing failed, or timed out.
    Io(std::io::Error),
    /// PgBouncer asked for a password: this process does not run as PgBouncer's user.
    PasswordRequired,
    /// PgBouncer answered with an error.
    Refused(wire::ErrorFields),
    /// Bytes that are not the protocol, or the connection closed mid-answer.
    Protocol(String),
}

impl std::fmt::Display for AdminError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdminError::Connect(e) => write!(f, "cannot connect to PgBouncer's socket: {e}"),
            AdminError::Io(e) => write!(f, "talking to PgBouncer: {e}"),
            AdminError::PasswordRequired => f.write_str(
                "PgBouncer asked for a password: the console trusts only its own Unix user on \
                 its socket, so this process must run as PgBouncer's user (runAsUser)",
            ),
            AdminError::Refused(e) => write!(
                f,
                "PgBouncer answered {} {}: {}",
                e.severity, e.code, e.message
            ),
            AdminError::Protocol(e) => write!(f, "PgBouncer's answer: {e}"),
        }
    }
}

impl std::error::Error for AdminError {}

/// A logged-in console session.
pub struct AdminConsole {
    stream: UnixStream,
    buffer: Vec<u8>,
}

impl AdminConsole {
    /// Connects to `socket` as `pgbouncer` and waits for the console to be ready; every read
    /// and write is bounded by `timeout`.
    pub fn connect(socket: &Path, timeout: Duration) -> Result<AdminConsole, AdminError> {
        let stream = UnixStream::connect(socket).map_err(AdminError::Connect)?;
        stream
            .set_read_timeout(Some(timeout))
            .map_err(AdminError::Io)?;
        stream
            .set_write_timeout(Some(timeout))
            .map_err(AdminError::Io)?;
        let mut console = AdminConsole {
            stream,
            buffer: Vec::new(),
        };
        console.send(&wire::startup_message("pgbouncer", "pgbouncer"))?;
        loop {
            let message = console.receive()?;
            match message.tag {
                b'R' => match message.body.get(..4) {
                    Some([0, 0, 0, 0]) => {}
                    _ => return Err(AdminError::PasswordRequired),
                },
                b'E' => return Err(AdminError::Refused(wire::error_fields(&message.body))),
                b'Z' => return Ok(console),
                // ParameterStatus, BackendKeyData, notices.
                _ => {}
            }
        }
    }

    /// Runs one console command (simple query protocol) and returns its answer.
    pub fn command(&mut self, sql: &str) -> Result<Answer, AdminError> {
        self.send(&wire::query_message(sql))?;
        let mut answer = Answer::default();
        let mut error = None;
        loop {
            let message = self.receive()?;
            let protocol = |e: wire::ProtocolError| AdminError::Protocol(e.0);
            match message.tag {
                b'T' => answer.columns = wire::row_description(&message.body).map_err(protocol)?,
                b'D' => answer
                    .rows
                    .push(wire::data_row(&message.body).map_err(protocol)?),
                b'C' => answer.tag = wire::command_tag(&message.body),
                b'E' => error = Some(wire::error_fields(&message.body)),
                b'Z' => {
                    return match error {
                        Some(e) => Err(AdminError::Refused(e)),
                        None => Ok(answer),
                    };
                }
                _ => {}
            }
        }
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), AdminError> {
        self.stream.write_all(bytes).map_err(AdminError::Io)
    }

    fn receive(&mut self) -> Result<Message, AdminError> {
        loop {
            if let Some((message, used)) =
                wire::next_message(&self.buffer).map_err(|e| AdminError::Protocol(e.0))?
            {
                self.buffer.drain(..used);
                return Ok(message);
            }
            let mut chunk = [0u8; 8192];
            let read = self.stream.read(&mut chunk).map_err(AdminError::Io)?;
            if read == 0 {
                return Err(AdminError::Protocol(
                    "the connection closed before the answer was complete".to_string(),
                ));
            }
            self.buffer.extend_from_slice(&chunk[..read]);
        }
    }
}

impl Drop for AdminConsole {
    fn drop(&mut self) {
        let _ = self.stream.write_all(&wire::terminate_message());
    }
}
