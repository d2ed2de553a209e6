//! `podpatch completions SHELL` and `podpatch man`: shell completions and the man
//! page, generated from the same clap definitions the binary parses with.

use std::io::Write;

use clap::CommandFactory;

use super::CommandError;
use crate::cli::Cli;
use crate::exit::Exit;

/// Writes the completion script for `shell` to `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<Exit, CommandError> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "podpatch", out);
    out.flush().map_err(CommandError::Stdout)?;
    Ok(Exit::Success)
}

/// Writes the man page (roff) to `out`: the command, then one section per subcommand.
pub fn man(out: &mut dyn Write) -> Result<Exit, CommandError> {
    let cmd = Cli::command();
    clap_mangen::Man::new(cmd.clone())
        .render(out)
        .map_err(CommandError::Stdout)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        writeln!(
            out,
            ".SH \"PODPATCH {}\"\n{about}",
            sub.get_name().to_uppercase()
        )
        .map_err(CommandError::Stdout)?;
        clap_mangen::Man::new(sub.clone())
            .render_options_section(out)
            .map_err(CommandError::Stdout)?;
    }
    out.flush().map_err(CommandError::Stdout)?;
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(write: impl FnOnce(&mut Vec<u8>) -> Result<Exit, CommandError>) -> String {
        let mut out = Vec::new();
        assert_eq!(write(&mut out).unwrap(), Exit::Success);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn completions_know_every_subcommand() {
        let bash = text(|o| completions(clap_complete::Shell::Bash, o));
        for sub in [
            "run", "list", "check", "diff", "cleanup", "mock", "cases", "export",
        ] {
            assert!(
                bash.contains(sub),
                "{sub} missing from the bash completions"
            );
        }
        assert!(bash.contains("--cases-dir") && bash.contains("--update-snapshots"));
        let zsh = text(|o| completions(clap_complete::Shell::Zsh, o));
        assert!(zsh.starts_with("#compdef podpatch"));
    }

    #[test]
    fn the_man_page_documents_commands_and_flags() {
        let page = text(|o| man(o));
        assert!(page.starts_with(".ie"), "roff expected");
        assert!(page.contains(".TH podpatch"));
        assert!(page.contains(".SH \"PODPATCH RUN\""), "{page}");
        assert!(page.contains("snapshots\\-dir"));
    }
}
