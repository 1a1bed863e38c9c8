//! `qspgb completion SHELL`: a shell completion script, generated from the command line's
//! own definition.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::args::Cli;
use crate::cli::io::write_stdout;
use crate::error::Result;

/// Prints the completion script for `shell`.
pub fn run(shell: Shell) -> Result {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "qspgb", &mut script);
    write_stdout(&String::from_utf8_lossy(&script))?;
    Ok(0)
}
