//! `qspgb argocd generate`: the Argo CD Config Management Plugin's render.

use crate::cli::settings::RenderSettings;
use crate::error::Result;

/// Renders as the Argo CD environment asks: the environment becomes a `render` command
/// line ([`crate::argocd::request`]), checked and confined like any other.
pub fn run() -> Result {
    let all_env: Vec<(String, String)> = std::env::vars().collect();
    let lookup = |name: &str| std::env::var(name).ok();
    let request = crate::argocd::request(&lookup, &all_env)?;
    let (settings, warnings) = RenderSettings::from_argocd_request(request)?;
    for warning in warnings {
        say!("warning: {warning}");
    }
    super::render::run(settings)
}
