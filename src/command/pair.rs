//! Two targets opened side by side, for the commands that compare them
//! (`diff`, `explore`): both resolved from their specs, or neither (what was
//! opened is closed again when the second fails).

use super::CommandError;
use crate::cli;
use crate::resolve::{self, Opened};

/// Opens targets `a` and `b` from their specs and prints their warnings.
pub async fn open_pair(a: &str, b: &str) -> Result<[Opened; 2], CommandError> {
    let mut opened: Vec<Opened> = Vec::new();
    for spec in [a, b] {
        let flags = cli::parse_target_spec(spec).map_err(CommandError::Usage)?;
        match resolve::open(&flags, false).await {
            Ok(o) => opened.push(o),
            Err(e) => {
                for o in opened {
                    o.close().await;
                }
                return Err(e.into());
            }
        }
    }
    for w in opened.iter().flat_map(|o| &o.warnings) {
        crate::tell!("warning: {w}");
    }
    let [first, second]: [Opened; 2] = opened
        .try_into()
        .map_err(|_| CommandError::Usage("two targets were not opened".into()))?;
    Ok([first, second])
}

/// The two specs of a comparing command, or a usage error naming `command`.
pub fn two_specs<'a>(
    command: &str,
    targets: &'a [String],
) -> Result<(&'a str, &'a str), CommandError> {
    match targets {
        [a, b] => Ok((a, b)),
        _ => Err(CommandError::Usage(format!(
            "podpatch {command} takes exactly two --target specs, got {}",
            targets.len()
        ))),
    }
}
