//! `qspgb peer-config`: the peering init container writes its pod's `peer_id`.

use std::path::Path;

use anyhow::{Context, anyhow};

use crate::cli::io::write_stdout;
use crate::error::Result;
use crate::peering;

/// Writes `peer_id = <ordinal + 1>` of pod `pod` of StatefulSet `statefulset` to `output`
/// and prints it; a pod name that is not `<statefulset>-<ordinal>` is an error.
pub fn run(statefulset: &str, pod: &str, output: &Path) -> Result {
    let id = peering::peer_id(statefulset, pod).map_err(|e| anyhow!(e))?;
    let text = peering::peer_config(id);
    std::fs::write(output, &text).with_context(|| format!("writing {}", output.display()))?;
    write_stdout(&format!("{}: {}", output.display(), text))?;
    Ok(0)
}
