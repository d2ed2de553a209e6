//! The `podpatch` binary: parses the command line and calls the library's command
//! for it; a command that cannot run becomes a message and exit status 2.
//!
//! No logic lives here: target resolution, case selection, flag merging and the
//! exit-status rule are library modules with their own tests.

use std::process::ExitCode;

use clap::Parser;

use podpatch::cli::{CasesCommand, Cli, Command};
use podpatch::command::{self, CommandError};
use podpatch::exit::Exit;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return ExitCode::from(Exit::Unjudged.code());
        }
    };
    match runtime.block_on(dispatch(cli.command)) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            eprintln!("error: {:#}", anyhow::Error::new(e));
            ExitCode::from(Exit::Unjudged.code())
        }
    }
}

async fn dispatch(command: Command) -> Result<Exit, CommandError> {
    match command {
        Command::Run(args) => command::run::run(*args).await,
        Command::Diff(args) => command::diff::diff(args).await,
        Command::Cleanup(args) => command::cleanup::cleanup(args).await,
        Command::List(select) => command::cases::list(&select),
        Command::Check(select) => command::cases::check(&select),
        Command::Cases(CasesCommand::Export(args)) => command::cases::export(&args),
        Command::Mock(args) => command::mock::serve(args).await,
        Command::Completions(args) => {
            command::docs::completions(args.shell, &mut std::io::stdout().lock())
        }
        Command::Man => command::docs::man(&mut std::io::stdout().lock()),
    }
}
