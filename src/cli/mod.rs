//! The command line: flags parsed by clap ([`args`]) into validated settings
//! ([`settings`]), then one command each ([`commands`]), whose error carries its exit code
//! ([`crate::error`]).
//!
//! Output is produced completely in memory before anything is written, so a failing render
//! prints nothing on stdout.

/// Prints one message on stderr, through the redaction policy ([`crate::redact::scrub`]):
/// every line the program writes to stderr goes through here, so no remembered secret, nor
/// four characters of one, reaches a CI or Argo CD log.
macro_rules! say {
    ($($arg:tt)*) => {
        eprintln!("{}", crate::redact::scrub(&format!($($arg)*)))
    };
}

mod args;
mod commands;
mod io;
mod output_dir;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use crate::error::{Error, ErrorKind};
use args::{ArgocdCommand, Cli, Command};

/// Runs the command line and returns the process exit code: 0 success, 1 error (or, for
/// `diff`/`--check`, differences; for `lint`, errors), 2 bad command line (or, for
/// `diff`/`--check`, an error), 3/4/5 the `hooks` failure classes ([`ErrorKind`]).
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => match args::stray_word_error(&err) {
            Some(text) => {
                say!("error: {text}\n\nFor more information, try '--help'.");
                return ExitCode::from(2);
            }
            // Help, version and errors about flags: clap's own output and exit code.
            None => err.exit(),
        },
    };
    match dispatch(cli.command) {
        Ok(code) => ExitCode::from(code),
        // `| head` closing the pipe is not an error worth a message.
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            say!("{err}");
            ExitCode::from(err.kind().exit_code())
        }
    }
}

/// The command line's definition as clap builds it from [`args::Cli`], for tests that sweep
/// every subcommand's flags (none may be accepted and ignored).
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Settings from the flags, then the command.
fn dispatch(command: Command) -> crate::error::Result {
    match command {
        Command::Render(mut args) => match args.check.take() {
            // `render --check DIR` is `diff DIR`.
            Some(dir) => diff(settings::DiffSettings::from_check(dir, args)),
            None => commands::render::run(args.try_into()?),
        },
        Command::Diff(args) => diff(args.try_into()),
        Command::Values(args) => commands::values::run(args.try_into()?),
        Command::Lint(args) => commands::lint::run(args.try_into()?),
        Command::Hooks(args) => commands::hooks::run(args.try_into()?),
        Command::CheckUserlist { file } => commands::check_userlist::run(&file),
        Command::WatchUserlist {
            file,
            socket_dir,
            port,
            interval,
            probe,
        } => {
            let watch = commands::watch_userlist::Watch {
                file,
                socket_dir,
                port,
                interval,
            };
            if probe {
                commands::watch_userlist::probe(&watch)
            } else {
                commands::watch_userlist::run(&watch)
            }
        }
        Command::PeerConfig {
            statefulset,
            pod_name,
            output,
        } => commands::peer_config::run(&statefulset, &pod_name, &output),
        Command::Argocd(ArgocdCommand::Generate) => commands::argocd::run(),
        Command::Completion { shell } => commands::completion::run(shell),
        Command::Version => commands::version::run(),
        Command::Examples { name } => commands::examples::run(name.as_deref()),
    }
}

/// `diff` fails with exit 2, as a bad command line does: 1 means "different".
fn diff(settings: anyhow::Result<settings::DiffSettings>) -> crate::error::Result {
    let settings = settings.map_err(|e| Error::new(ErrorKind::Comparing, e))?;
    commands::diff::run(settings)
}
