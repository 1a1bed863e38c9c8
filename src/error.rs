//! The error a command stops with, carrying its exit code (as Helm's `CommandError{error;
//! ExitCode}`): the code is decided where the failure is known, never recovered later from
//! an error chain.

use std::fmt;

use crate::hooks::run::RunError;
use crate::hooks::{FailureClass, HooksError};

/// What kind of failure stopped a command, and so which exit code the process returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad values, settings or files, or a failed render or write: exit 1.
    Failed,
    /// `diff` / `render --check` could not compare (exit 1 there means "different"): exit 2,
    /// the code of a bad command line.
    Comparing,
    /// `qspgb hooks`: the source Secrets give no valid userlist; nothing written: exit 3.
    HooksSource,
    /// `qspgb hooks`: the Kubernetes API failed or refused: exit 4.
    HooksApi,
    /// `qspgb hooks`: a target Secret exists with a type the hooks never write (a
    /// ServiceAccount token, TLS, ...); it was not touched: exit 5.
    HooksTarget,
}

impl ErrorKind {
    /// The process exit code of this kind of failure.
    pub const fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Failed => 1,
            ErrorKind::Comparing => 2,
            ErrorKind::HooksSource => 3,
            ErrorKind::HooksApi => 4,
            ErrorKind::HooksTarget => 5,
        }
    }
}

impl From<FailureClass> for ErrorKind {
    fn from(class: FailureClass) -> Self {
        match class {
            FailureClass::Source => ErrorKind::HooksSource,
            FailureClass::Api => ErrorKind::HooksApi,
            FailureClass::Target => ErrorKind::HooksTarget,
        }
    }
}

/// A command's failure: what went wrong, and the kind that decides the exit code.
///
/// Displays as the program prints it on stderr: `error: ` and the whole context chain,
/// except lint findings, which are `error: ...` lines already (as `qspgb lint` prints them).
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    error: anyhow::Error,
}

impl Error {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, error: impl Into<anyhow::Error>) -> Self {
        Error {
            kind,
            error: error.into(),
        }
    }

    /// The kind, which decides the exit code.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The same failure as another kind (an error of the render that `diff` runs is a
    /// failure to compare).
    pub fn with_kind(self, kind: ErrorKind) -> Self {
        Error { kind, ..self }
    }

    /// True when the failure is a closed pipe on stdout (`| head`): not worth a message,
    /// and not a failure of the command.
    pub fn is_broken_pipe(&self) -> bool {
        self.error.chain().any(|e| {
            e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        })
    }
}

impl From<anyhow::Error> for Error {
    fn from(error: anyhow::Error) -> Self {
        Error::new(ErrorKind::Failed, error)
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Error::new(ErrorKind::Failed, error)
    }
}

impl From<HooksError> for Error {
    fn from(error: HooksError) -> Self {
        Error::new(error.class.into(), error)
    }
}

impl From<RunError> for Error {
    fn from(error: RunError) -> Self {
        match error {
            RunError::Connect(error) => error.into(),
            other => Error::new(ErrorKind::Failed, other),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.error.downcast_ref::<crate::lint::Findings>() {
            Some(findings) => write!(f, "{findings}"),
            None => write!(f, "error: {:#}", self.error),
        }
    }
}

impl std::error::Error for Error {}

/// A command's result: `Ok` holds the exit code of a command that ran to its end and
/// reported its own outcome (0, or 1 for lint errors and differences, or the worst class of
/// the hooks' instance failures, each already printed).
pub type Result<T = u8> = std::result::Result<T, Error>;
