//! When `qspgb hooks` repeats a failed API request: a small pure policy, so that which
//! failures, how many attempts and how long to wait can be read and tested in one place.
//!
//! Every request `qspgb hooks` makes is safe to repeat, so the policy does not depend on the
//! verb:
//!
//! - reads (list, get) change nothing;
//! - a create that reached the server but whose answer was lost meets 409 AlreadyExists
//!   when repeated, and a replace carries the `resourceVersion` it was based on, so a
//!   repeat of one that already happened meets 409 Conflict; either way the caller reads
//!   the Secret again and compares its content, and finds nothing left to do;
//! - the restart is a patch setting an annotation to the content hash: applying it twice
//!   gives the same object.
//!
//! Transient failures are retried with exponential backoff; a failure that would only
//! repeat (401, 403, 404, 422, a bad certificate, a broken kubeconfig) is not. The whole
//! of one request, retries and waits included, stays within its time budget
//! (`--request-timeout`): the caller bounds it, and [`retry_delay`] never plans a wait that
//! would not leave [`MIN_ATTEMPT_TIME`] for the next attempt. Without jitter: one hook Job
//! per release is no thundering herd, and fixed waits keep runs reproducible.

use std::time::Duration;

/// Most attempts of one request: the first and up to five retries.
pub const MAX_ATTEMPTS: u32 = 6;

/// Wait before the first retry; doubled before each further one.
pub const FIRST_DELAY: Duration = Duration::from_millis(250);

/// Longest wait between two attempts. With [`FIRST_DELAY`] and [`MAX_ATTEMPTS`], the waits
/// are 0.25 + 0.5 + 1 + 2 + 4 = 7.75 s in all, short next to the 30 s default budget, and
/// enough to ride out a restart of a single API server (5 to 9 s in the end-to-end tests):
/// its port is closed only briefly, and an attempt that connects while it is starting
/// waits for it within the budget.
pub const MAX_DELAY: Duration = Duration::from_secs(4);

/// A retry starts only if at least this much of the request's budget is left after the
/// wait: an attempt with less could only end in a timeout and would hide the real cause.
pub const MIN_ATTEMPT_TIME: Duration = Duration::from_secs(1);

/// A failed attempt, as far as retrying goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The server (or a proxy in front of it) answered with this HTTP status.
    Status(u16),
    /// No answer: connection refused, reset or closed before the response was complete
    /// (a server restarting), or a connect or read time limit hit.
    Connection,
    /// Anything else: a TLS or certificate error, a bad kubeconfig or credential plugin, a
    /// response that is not the expected JSON. A repeat would fail the same way.
    Other,
}

impl Failure {
    /// Whether a repeat may succeed: no answer, 429 Too Many Requests (API priority and
    /// fairness, max-inflight), 500 (e.g. an etcd leader change), or 502/503/504 (a load
    /// balancer without a healthy API server, a server starting or stopping, a server-side
    /// timeout).
    pub fn is_transient(self) -> bool {
        match self {
            Failure::Status(code) => matches!(code, 429 | 500 | 502 | 503 | 504),
            Failure::Connection => true,
            Failure::Other => false,
        }
    }
}

/// How long to wait before the next attempt of a request that failed with `failure` after
/// `attempts` attempts (1 after the first), with `remaining` of its time budget left; `None`
/// to give up and report `failure`.
pub fn retry_delay(failure: Failure, attempts: u32, remaining: Duration) -> Option<Duration> {
    if !failure.is_transient() || attempts >= MAX_ATTEMPTS {
        return None;
    }
    let doublings = attempts.saturating_sub(1).min(16);
    let delay = FIRST_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY);
    (delay + MIN_ATTEMPT_TIME <= remaining).then_some(delay)
}

/// The [`Failure`] of a kube client error.
///
/// A status is the server's answer. Transport errors are classified by their causes: an
/// I/O error (at any depth: the connectors wrap them in I/O errors of their own) of a
/// connection that went away or timed out is [`Failure::Connection`]; other I/O errors only
/// (a TLS alert or a certificate the CA does not sign surfaces as `InvalidData`) are
/// [`Failure::Other`]. An HTTP-level error without an I/O cause (hyper's "connection closed
/// before message completed" when a server restarts mid-request) is a
/// [`Failure::Connection`] too: the client's own mistakes (bad URL, bad kubeconfig) are
/// separate error kinds, and a failing credential plugin is an auth error, [`Failure::Other`].
pub fn failure_of(err: &kube::Error) -> Failure {
    match err {
        kube::Error::Api(status) => Failure::Status(status.code),
        kube::Error::HyperError(_) | kube::Error::Service(_) => {
            let (mut io_error, mut gone, mut auth) = (false, false, false);
            visit_causes(err, &mut |cause| {
                if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                    io_error = true;
                    gone |= connection_gone(io.kind());
                }
                auth |= cause.is::<kube::client::AuthError>();
            });
            if auth || (io_error && !gone) {
                Failure::Other
            } else {
                Failure::Connection
            }
        }
        _ => Failure::Other,
    }
}

/// Calls `visit` with `err` and each of its causes. An `io::Error`'s `source()` skips the
/// error it wraps (it returns that error's source), so the wrapped one is visited through
/// `get_ref()`.
fn visit_causes<'a>(
    err: &'a (dyn std::error::Error + 'static),
    visit: &mut dyn FnMut(&'a (dyn std::error::Error + 'static)),
) {
    visit(err);
    if let Some(inner) = err
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        visit_causes(inner, visit);
    } else if let Some(source) = err.source() {
        visit_causes(source, visit);
    }
}

/// I/O error kinds of a connection that was refused, went away or timed out.
fn connection_gone(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        kind,
        ConnectionRefused
            | ConnectionReset
            | ConnectionAborted
            | NotConnected
            | BrokenPipe
            | UnexpectedEof
            | TimedOut
            | Interrupted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: Duration = Duration::from_secs(30);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn transient_failures_back_off_exponentially_up_to_the_cap() {
        let delays: Vec<_> = (1..MAX_ATTEMPTS)
            .map(|n| retry_delay(Failure::Connection, n, BUDGET))
            .collect();
        assert_eq!(
            delays,
            [
                Some(ms(250)),
                Some(ms(500)),
                Some(ms(1000)),
                Some(ms(2000)),
                Some(ms(4000))
            ]
        );
        // The last attempt is the sixth: no retry after it, however much time is left.
        assert_eq!(retry_delay(Failure::Connection, MAX_ATTEMPTS, BUDGET), None);
        assert_eq!(retry_delay(Failure::Connection, 100, BUDGET), None);
    }

    #[test]
    fn which_statuses_are_retried() {
        for code in [429, 500, 502, 503, 504] {
            assert_eq!(
                retry_delay(Failure::Status(code), 1, BUDGET),
                Some(ms(250)),
                "{code}"
            );
        }
        // A refusal or a bad request repeats itself; 404 and 409 are handled by the caller
        // (read again, decide again), never by blind repetition.
        for code in [400, 401, 403, 404, 405, 409, 410, 422, 501] {
            assert_eq!(
                retry_delay(Failure::Status(code), 1, BUDGET),
                None,
                "{code}"
            );
        }
        assert_eq!(retry_delay(Failure::Other, 1, BUDGET), None);
    }

    #[test]
    fn waits_stay_within_the_budget() {
        // 1 s of budget left: a 250 ms wait would leave less than MIN_ATTEMPT_TIME.
        assert_eq!(retry_delay(Failure::Connection, 1, ms(1249)), None);
        assert_eq!(retry_delay(Failure::Connection, 1, ms(1250)), Some(ms(250)));
        // With a 5 s budget the 4 s wait never happens: the run gives up after the fifth
        // attempt with the real cause, not with a timeout.
        let budget = Duration::from_secs(5);
        let mut elapsed = Duration::ZERO;
        let mut attempts = 1;
        while let Some(delay) = retry_delay(
            Failure::Connection,
            attempts,
            budget.saturating_sub(elapsed),
        ) {
            elapsed += delay;
            attempts += 1;
        }
        assert_eq!((attempts, elapsed), (5, ms(3750)));
        // Nothing left at all: give up.
        assert_eq!(retry_delay(Failure::Status(503), 1, Duration::ZERO), None);
    }

    #[test]
    fn the_sum_of_all_waits_is_bounded() {
        let total: Duration = (1..MAX_ATTEMPTS)
            .filter_map(|n| retry_delay(Failure::Status(503), n, Duration::MAX))
            .sum();
        assert_eq!(total, ms(7750));
    }

    #[test]
    fn kube_errors_are_classified() {
        use std::io::{Error, ErrorKind};
        let status = |code| {
            kube::Error::Api(Box::new(kube::core::Status {
                code,
                ..kube::core::Status::default()
            }))
        };
        assert_eq!(failure_of(&status(503)), Failure::Status(503));
        assert_eq!(failure_of(&status(409)), Failure::Status(409));
        let io = |kind| kube::Error::Service(Box::new(Error::new(kind, "test")));
        for kind in [
            ErrorKind::ConnectionRefused,
            ErrorKind::ConnectionReset,
            ErrorKind::UnexpectedEof,
            ErrorKind::TimedOut,
        ] {
            assert_eq!(failure_of(&io(kind)), Failure::Connection, "{kind:?}");
        }
        // A TLS alert or an unknown certificate issuer.
        assert_eq!(failure_of(&io(ErrorKind::InvalidData)), Failure::Other);
        // Connectors wrap the socket's error in one of their own.
        let wrapped = kube::Error::Service(Box::new(Error::other(Error::new(
            ErrorKind::ConnectionReset,
            "reset",
        ))));
        assert_eq!(failure_of(&wrapped), Failure::Connection);
        assert_eq!(
            failure_of(&kube::Error::LinesCodecMaxLineLengthExceeded),
            Failure::Other
        );
    }

    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn module_example() {
        use crate::hooks::retry::{Failure, retry_delay};
        use std::time::Duration;

        let budget = Duration::from_secs(30);
        assert_eq!(
            retry_delay(Failure::Status(503), 1, budget),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            retry_delay(Failure::Connection, 3, budget),
            Some(Duration::from_secs(1))
        );
        assert_eq!(retry_delay(Failure::Status(403), 1, budget), None);
    }
}
