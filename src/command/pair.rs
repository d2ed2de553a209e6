//! Two targets opened side by side, for the commands that compare them
//! (`diff`, `explore`): both resolved from their specs, or neither (what was
//! opened is closed again when the second fails). A bare `mock` beside another
//! target answers as that target's Kubernetes version, so that the comparison
//! shows the other target's differences from upstream, not version changes.

use std::time::Duration;

use super::CommandError;
use crate::cli;
use crate::client::{Client, Retry};
use crate::resolve::{self, Opened};
use crate::target::Target;
use crate::version::KubeVersion;
use podpatch_mock::Version;

/// Bound on the `/version` request that picks the mock's version.
const VERSION_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens targets `a` and `b` from their specs and prints their warnings.
pub async fn open_pair(a: &str, b: &str) -> Result<[Opened; 2], CommandError> {
    let specs = [a, b];
    let bare_mock = |spec: &str| matches!(cli::mock_target(spec), Some(Ok(None)));
    // The mock is opened after the other target, whose version it takes.
    let order = if bare_mock(a) && !bare_mock(b) {
        [1, 0]
    } else {
        [0, 1]
    };
    let mut opened: [Option<Opened>; 2] = [None, None];
    for i in order {
        let mut flags = cli::parse_target_spec(specs[i]).map_err(CommandError::Usage)?;
        if bare_mock(specs[i])
            && let Some(other) = &opened[1 - i]
        {
            let version = mock_version_for(&other.target, specs[1 - i]).await;
            flags.target = Some(format!("{}@{version}", cli::MOCK));
        }
        match resolve::open(&flags, false).await {
            Ok(o) => opened[i] = Some(o),
            Err(e) => {
                for o in opened.into_iter().flatten() {
                    o.close().await;
                }
                return Err(e.into());
            }
        }
    }
    let [Some(first), Some(second)] = opened else {
        return Err(CommandError::Usage("two targets were not opened".into()));
    };
    for w in first.warnings.iter().chain(&second.warnings) {
        crate::tell!("warning: {w}");
    }
    Ok([first, second])
}

/// The version the built-in mock answers as beside `other` (named `spec`):
/// the minor its `/version` names when the mock models it, else the default,
/// with a note saying why.
async fn mock_version_for(other: &Target, spec: &str) -> Version {
    let said = match Client::new(other, VERSION_TIMEOUT, Retry::default()) {
        Ok(client) => client
            .probe("/version", VERSION_TIMEOUT)
            .await
            .ok()
            .filter(|answer| answer.status == 200)
            .and_then(|answer| answer.json()),
        Err(_) => None,
    };
    let git_version = said
        .as_ref()
        .and_then(|v| v.get("gitVersion"))
        .and_then(serde_json::Value::as_str);
    match said
        .as_ref()
        .and_then(KubeVersion::of_answer)
        .and_then(KubeVersion::mock)
    {
        Some(version) => {
            crate::tell!("the built-in mock answers as Kubernetes {version}, as {spec} does");
            version
        }
        _ => {
            let why = git_version.map_or_else(
                || "names no Kubernetes version".to_owned(),
                |g| format!("is {g}, outside {}-{}", Version::OLDEST, Version::NEWEST),
            );
            crate::tell!(
                "the built-in mock answers as Kubernetes {}: {spec}'s /version {why}",
                Version::DEFAULT
            );
            Version::DEFAULT
        }
    }
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
