//! One file per subcommand, as Helm's `pkg/cmd`: each takes its checked settings and
//! returns the exit code of a run that reported its own outcome, or the error it stopped
//! with.

pub mod argocd;
pub mod check_userlist;
pub mod completion;
pub mod diff;
pub mod examples;
pub mod hooks;
pub mod lint;
pub mod peer_config;
pub mod render;
pub mod values;
pub mod version;
pub mod watch_userlist;

use crate::cli::settings::InputSettings;
use crate::release::{self, Checked, Release};
use crate::render::RenderContext;

/// The release of the command line's chart and values flags, loaded once (inputs read
/// from their files or stdin); an error when any check finds one.
fn load_release(input: &InputSettings, context: &RenderContext) -> anyhow::Result<Release> {
    release::load(
        &input.chart_files()?,
        &input.values,
        &mut |path: &str| input.read(path),
        context,
    )
}

/// The same release with every finding, for `lint`, which reports them all.
fn check_release(input: &InputSettings, context: &RenderContext) -> anyhow::Result<Checked> {
    release::check(
        &input.chart_files()?,
        &input.values,
        &mut |path: &str| input.read(path),
        context,
    )
}
