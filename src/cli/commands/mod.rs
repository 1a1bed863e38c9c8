//! One file per subcommand, as Helm's `pkg/cmd`: each takes its checked settings and
//! returns the exit code of a run that reported its own outcome, or the error it stopped
//! with.

pub mod argocd;
pub mod check_userlist;
pub mod completion;
pub mod diff;
pub mod hooks;
pub mod lint;
pub mod render;
pub mod values;
pub mod version;
