//! The command line's own reading and writing: files named on it, and standard output.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::yaml;

/// Reads a file named on the command line; `-` is standard input.
pub fn read_input(path: &str) -> Result<String> {
    if path == "-" {
        let bytes = crate::files::read_to_limit(std::io::stdin().lock(), "standard input")?;
        return Ok(yaml::text_from_bytes(bytes, "<stdin>")?);
    }
    let p = Path::new(path);
    if p.is_dir() {
        bail!("{path} is a directory, expected a YAML file");
    }
    let bytes = crate::files::read_capped(p).with_context(|| format!("cannot read {path}"))?;
    Ok(yaml::text_from_bytes(bytes, path)?)
}

/// Writes `text` to standard output, all at once.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}
