//! The `podpatch` binary: parses the command line and calls the library's command
//! for it; a command that cannot run becomes a message and exit status 2.
//!
//! No logic lives here: target resolution, case selection, flag merging and the
//! exit-status rule are library modules with their own tests. Everything printed
//! passes through `podpatch::redact`, flag errors included.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use podpatch::cli::{CasesCommand, Cli, Command};
use podpatch::command::{self, CommandError};
use podpatch::exit::Exit;
use podpatch::{redact, tell};

fn main() -> ExitCode {
    // Before any thread starts (see `allocator`).
    podpatch::allocator::return_freed_memory();
    // Secrets on the command line are known before anything is printed, so that
    // flag errors cannot repeat them either.
    redact::register(redact::secrets_in_args(std::env::args_os()));
    if let Ok(url) = std::env::var("PODPATCH_TARGET") {
        redact::register(redact::url_secrets(&url));
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprint!("{}", redact::scrub(&e.render().to_string()));
            return ExitCode::from(Exit::Unjudged.code());
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tell!("error: failed to start the async runtime: {e}");
            return ExitCode::from(Exit::Unjudged.code());
        }
    };
    let code = match runtime.block_on(dispatch(cli.command)) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            tell!("error: {:#}", anyhow::Error::new(e));
            ExitCode::from(Exit::Unjudged.code())
        }
    };
    // Tasks still blocked on an unanswering target must not hold the exit.
    runtime.shutdown_timeout(Duration::from_millis(100));
    code
}

async fn dispatch(command: Command) -> Result<Exit, CommandError> {
    match command {
        Command::Run(args) => command::run::run(*args).await,
        Command::Diff(args) => command::diff::diff(args).await,
        Command::Explore(args) => command::explore::explore(args).await,
        Command::Cleanup(args) => command::cleanup::cleanup(args).await,
        Command::Preflight(args) => command::preflight::preflight(*args).await,
        Command::List(select) => command::cases::list(&select),
        Command::Check(select) => command::cases::check(&select),
        Command::Cases(CasesCommand::Export(args)) => command::cases::export(&args),
        Command::Cases(CasesCommand::Changes(args)) => command::cases::changes(&args),
        Command::Mock(args) => command::mock::serve(args).await,
        Command::Completions(args) => {
            command::docs::completions(args.shell, &mut std::io::stdout().lock())
        }
        Command::Man => command::docs::man(&mut std::io::stdout().lock()),
    }
}
