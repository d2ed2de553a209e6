//! Target resolution: which server a command talks to and with which credentials,
//! from the target flags — kubeconfig or in-cluster credentials first, explicit
//! flags over them, and the built-in mock for `--target mock` (or when no target is
//! named and the command may default to it).
//!
//! It builds a `Target` and starts the mock when asked; it sends no request.

use crate::cli::{TargetArgs, mock_target};
use crate::kubeconfig::{self, KubeconfigError};
use crate::target::{self, Target, TargetError};
use podpatch_mock::{MockServer, Version, VersionError};

/// Why no target could be opened.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Kubeconfig(#[from] KubeconfigError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("failed to start the built-in mock")]
    Mock(#[source] std::io::Error),
    #[error("--target {target}: {source}")]
    MockVersion {
        target: String,
        #[source]
        source: VersionError,
    },
    #[error(
        "no target: give --target URL (or `mock`), --kubeconfig FILE, --context NAME or --in-cluster"
    )]
    NoTarget,
}

/// An opened target: a server and credentials, and the built-in mock behind it
/// when that is what the flags chose.
#[derive(Debug)]
pub struct Opened {
    pub target: Target,
    /// The built-in mock serving `target`, stopped by [`Opened::close`].
    pub mock: Option<MockServer>,
    /// What the user should know about the chosen settings (e.g. TLS not verified).
    pub warnings: Vec<String>,
}

impl Opened {
    /// How reports name the target.
    pub fn name(&self) -> String {
        match &self.mock {
            Some(m) if m.version() == Version::DEFAULT => "the built-in mock".to_owned(),
            Some(m) => format!("the built-in mock as Kubernetes {}", m.version()),
            None => self.target.base_url.clone(),
        }
    }

    /// Stops the built-in mock, if one was started.
    pub async fn close(self) {
        if let Some(m) = self.mock {
            m.shutdown().await;
        }
    }
}

/// What the flags ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    /// `--target mock`, or nothing named where the mock is the default.
    Mock,
    /// A server from the flags, kubeconfig or in-cluster credentials.
    Named,
    /// Nothing named and no default.
    Nothing,
}

fn choose(args: &TargetArgs, default_to_mock: bool) -> Choice {
    let named = args.target.is_some() || args.kubeconfig.is_some() || args.context.is_some();
    match args.target.as_deref() {
        Some(t) if mock_target(t).is_some() => Choice::Mock,
        _ if named || args.in_cluster => Choice::Named,
        _ if default_to_mock => Choice::Mock,
        _ => Choice::Nothing,
    }
}

/// Whether [`open`] with these flags starts the built-in mock.
pub fn opens_mock(args: &TargetArgs, default_to_mock: bool) -> bool {
    choose(args, default_to_mock) == Choice::Mock
}

/// The version `--target mock@1.NN` asks the mock to answer as (the default
/// for `mock` or no target).
fn mock_version(args: &TargetArgs) -> Result<Version, ResolveError> {
    let target = args.target.as_deref().unwrap_or_default();
    match mock_target(target) {
        Some(Err(source)) => Err(ResolveError::MockVersion {
            target: target.to_owned(),
            source,
        }),
        Some(Ok(Some(version))) => Ok(version),
        Some(Ok(None)) | None => Ok(Version::DEFAULT),
    }
}

/// Opens the target the flags name; `--target mock` or `mock@1.NN` (or no
/// target at all, when `default_to_mock`) starts the built-in mock on a free
/// local port.
pub async fn open(args: &TargetArgs, default_to_mock: bool) -> Result<Opened, ResolveError> {
    let (base, mock) = match choose(args, default_to_mock) {
        Choice::Nothing => return Err(ResolveError::NoTarget),
        Choice::Mock => {
            let mock = MockServer::start_local(mock_version(args)?)
                .await
                .map_err(ResolveError::Mock)?;
            (Target::local_mock(&mock)?, Some(mock))
        }
        Choice::Named if args.in_cluster => (kubeconfig::in_cluster().await?, None),
        Choice::Named if args.kubeconfig.is_some() || args.context.is_some() => (
            kubeconfig::from_kubeconfig(args.kubeconfig.as_deref(), args.context.as_deref())
                .await?,
            None,
        ),
        Choice::Named => (Target::default(), None),
    };
    let (target, warnings) = with_flags(base, args, mock.is_some())?;
    Ok(Opened {
        target,
        mock,
        warnings,
    })
}

/// `base` with the explicit flags applied over it: URL (unless the mock serves
/// it), token, CA, client certificate, TLS verification, extra headers.
fn with_flags(
    mut t: Target,
    args: &TargetArgs,
    mock: bool,
) -> Result<(Target, Vec<String>), TargetError> {
    let mut warnings = Vec::new();
    if let (Some(url), false) = (args.target.as_deref(), mock) {
        t.base_url = Target::new(url)?.base_url;
    }
    match (&args.token, &args.token_file) {
        (Some(token), _) => {
            t.token = Some(token.clone());
            t.credential_origins
                .push("bearer token from --token".into());
        }
        (None, Some(path)) => {
            t.token = Some(Target::read_token(path)?);
            t.credential_origins
                .push(format!("bearer token from {}", path.display()));
        }
        (None, None) => {}
    }
    if let Some(path) = &args.ca_file {
        t.ca_pem = Some(Target::read_file("CA bundle", path)?);
        t.ca_origin = Some(path.display().to_string());
    }
    if let (Some(cert), Some(key)) = (&args.client_cert, &args.client_key) {
        let mut pem = Target::read_file("client certificate", cert)?;
        pem.push(b'\n');
        pem.extend(Target::read_file("client key", key)?);
        t.identity_pem = Some(pem);
        t.credential_origins
            .push(format!("client certificate {}", cert.display()));
    }
    if args.insecure_skip_tls_verify {
        warnings.push(
            "--insecure-skip-tls-verify: the target's identity is not checked; credentials may reach an impostor"
                .to_owned(),
        );
        t.insecure_skip_tls_verify = true;
    }
    for h in &args.header {
        t.headers.push(target::parse_header(h)?);
    }
    crate::redact::register(t.secrets());
    Ok((t, warnings))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn flags(target: Option<&str>) -> TargetArgs {
        TargetArgs {
            target: target.map(str::to_owned),
            ..TargetArgs::default()
        }
    }

    #[test]
    fn the_mock_is_chosen_by_name_or_by_default_only() {
        assert_eq!(choose(&flags(Some("mock")), false), Choice::Mock);
        assert_eq!(choose(&flags(Some("mock@1.30")), false), Choice::Mock);
        assert_eq!(choose(&flags(None), true), Choice::Mock);
        assert_eq!(choose(&flags(None), false), Choice::Nothing);
        assert_eq!(choose(&flags(Some("https://h")), true), Choice::Named);
        let ctx = TargetArgs {
            context: Some("prod".into()),
            ..TargetArgs::default()
        };
        assert_eq!(choose(&ctx, true), Choice::Named);
        let in_cluster = TargetArgs {
            in_cluster: true,
            ..TargetArgs::default()
        };
        assert_eq!(choose(&in_cluster, true), Choice::Named);
    }

    #[test]
    fn explicit_flags_override_the_base() {
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("token");
        std::fs::write(&token, "  t0k \n").unwrap();
        let base = Target {
            base_url: "https://from-kubeconfig".into(),
            token: Some("old".into()),
            ..Target::default()
        };
        let args = TargetArgs {
            target: Some("https://h:6443/prefix/".into()),
            token_file: Some(token.clone()),
            header: vec!["X-Auth-Token: abc".into()],
            insecure_skip_tls_verify: true,
            ..TargetArgs::default()
        };
        let (t, warnings) = with_flags(base, &args, false).unwrap();
        assert_eq!(t.base_url, "https://h:6443/prefix");
        assert_eq!(t.token.as_deref(), Some("t0k"));
        assert_eq!(
            t.credential_origins,
            [format!("bearer token from {}", token.display())]
        );
        assert_eq!(t.headers, [("X-Auth-Token".into(), "abc".into())]);
        assert!(t.insecure_skip_tls_verify);
        assert_eq!(warnings.len(), 1);
        let with_token = TargetArgs {
            token: Some("flag".into()),
            ..args
        };
        let (t, _) = with_flags(Target::default(), &with_token, false).unwrap();
        assert_eq!(t.token.as_deref(), Some("flag"));
    }

    #[test]
    fn the_mock_keeps_its_own_url_and_bad_flags_are_errors() {
        let mock = Target::new("http://127.0.0.1:1").unwrap();
        let (t, _) = with_flags(mock, &flags(Some("mock")), true).unwrap();
        assert_eq!(t.base_url, "http://127.0.0.1:1");
        let bad_header = TargetArgs {
            header: vec!["no colon".into()],
            ..TargetArgs::default()
        };
        assert!(with_flags(Target::default(), &bad_header, false).is_err());
        let missing_ca = TargetArgs {
            ca_file: Some(PathBuf::from("/no/such/ca.crt")),
            ..TargetArgs::default()
        };
        let err = with_flags(Target::default(), &missing_ca, false).unwrap_err();
        assert!(err.to_string().contains("/no/such/ca.crt"), "{err}");
    }

    #[tokio::test]
    async fn opens_the_mock_by_name() {
        let opened = open(&flags(Some("mock")), false).await.unwrap();
        assert!(opened.target.base_url.starts_with("http://127.0.0.1:"));
        assert_eq!(
            opened.target.local_socket.is_some(),
            cfg!(target_os = "linux")
        );
        assert_eq!(opened.name(), "the built-in mock");
        opened.close().await;
        let opened = open(&flags(Some("mock@1.31")), false).await.unwrap();
        assert_eq!(opened.name(), "the built-in mock as Kubernetes 1.31");
        opened.close().await;
        let err = open(&flags(Some("mock@1.38")), false).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "--target mock@1.38: the built-in mock answers as Kubernetes 1.30 to 1.37, not 1.38"
        );
        assert!(matches!(
            open(&flags(None), false).await,
            Err(ResolveError::NoTarget)
        ));
    }
}
