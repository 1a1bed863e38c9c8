//! `qspgb argocd generate`: the Argo CD Config Management Plugin's render.

use crate::cli::settings::RenderSettings;
use crate::error::Result;

/// Renders as the Argo CD environment asks: the environment becomes a `render` command
/// line ([`crate::argocd::render_args`]), checked and confined like any other.
pub fn run() -> Result {
    let all_env: Vec<(String, String)> = std::env::vars().collect();
    let lookup = |name: &str| std::env::var(name).ok();
    let mut argv = vec!["qspgb".to_string()];
    argv.extend(crate::argocd::render_args(&lookup, &all_env)?);
    super::render::run(RenderSettings::from_argocd_command_line(&argv)?)
}
