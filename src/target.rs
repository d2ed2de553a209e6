//! The target: where requests go and how they authenticate (base URL, bearer
//! token, client certificate, CA, extra headers, TLS verification).
//!
//! This module only describes and checks a target; sending lives in `client`.
//! Secret values are kept here so `normalize` and `report` can remove them.

use std::path::PathBuf;

use crate::redact;

/// A server to test, with its credentials.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Base URL, path prefix kept (API proxies such as `/k8s/clusters/<id>`).
    pub base_url: String,
    /// A Unix socket serving the same server as `base_url` (the built-in
    /// mock's, `MockServer::local_socket`): requests go there, cheaper than
    /// loopback TCP, while reports and `curl` lines keep naming the URL.
    pub local_socket: Option<PathBuf>,
    pub token: Option<String>,
    /// PEM CA bundle to trust in addition to the system roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Where the CA came from, for TLS error messages.
    pub ca_origin: Option<String>,
    /// PEM client certificate followed by its key.
    pub identity_pem: Option<Vec<u8>>,
    pub insecure_skip_tls_verify: bool,
    /// Extra headers sent with every request (e.g. `X-Auth-Token`); values are secret.
    pub headers: Vec<(String, String)>,
    /// Where the credentials came from, for 401/403 messages (never the values).
    pub credential_origins: Vec<String>,
}

/// Why a target cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("invalid target URL `{url}`: {reason}")]
    Url { url: String, reason: String },
    #[error("failed to read {what} from {path}")]
    Read {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{what} {path} is {kind}, not a regular file; give a file (a FIFO or device could block or never end)"
    )]
    NotAFile {
        what: &'static str,
        path: PathBuf,
        kind: &'static str,
    },
    #[error("{what} {path} is larger than {limit} bytes; is it the right file?")]
    TooLarge {
        what: &'static str,
        path: PathBuf,
        limit: u64,
    },
    #[error("invalid header `{0}`: expected `Name: value`")]
    Header(String),
    #[error("failed to set up TLS: {0}")]
    Tls(String),
}

impl Target {
    /// A target at `url`, without credentials.
    pub fn new(url: &str) -> Result<Target, TargetError> {
        // The URL parser silently drops tabs and newlines; a pasted value with them
        // is a mistake worth reporting.
        // The URL is shown without the credentials it may carry.
        let refuse = |reason: String| TargetError::Url {
            url: redact::display_url(url),
            reason,
        };
        if url.chars().any(char::is_whitespace) {
            return Err(refuse("it contains whitespace".into()));
        }
        let parsed = reqwest::Url::parse(url).map_err(|e| refuse(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(refuse("the scheme must be http or https".into()));
        }
        if parsed.query().is_some() || !parsed.username().is_empty() || parsed.password().is_some()
        {
            return Err(refuse(
                "credentials and query strings do not belong in the URL; use --token or --header"
                    .into(),
            ));
        }
        Ok(Target {
            base_url: url.trim_end_matches('/').to_owned(),
            ..Target::default()
        })
    }

    /// The built-in mock `server`, reached on its Unix socket where it has
    /// one.
    pub fn local_mock(server: &podpatch_mock::MockServer) -> Result<Target, TargetError> {
        Ok(Target {
            local_socket: server.local_socket().map(PathBuf::from),
            ..Target::new(&server.base_url())?
        })
    }

    /// Which credentials are used, e.g. `bearer token from /run/token`.
    pub fn identity(&self) -> String {
        let mut origins = self.credential_origins.clone();
        origins.extend(self.headers.iter().map(|(k, _)| format!("header {k}")));
        if origins.is_empty() {
            "no credentials".into()
        } else {
            origins.join(", ")
        }
    }

    /// Every secret value of this target, for redaction: the token, header values
    /// and the client key (as PEM text and as its base64 lines).
    pub fn secrets(&self) -> Vec<String> {
        let keys = self
            .identity_pem
            .as_deref()
            .and_then(|pem| pem::parse_many(pem).ok())
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.tag().contains("PRIVATE KEY"))
            .flat_map(|p| {
                let text = pem::encode(&p);
                let lines: Vec<String> = text
                    .lines()
                    .filter(|l| !l.starts_with("-----"))
                    .map(str::to_owned)
                    .collect();
                std::iter::once(text).chain(lines)
            });
        self.token
            .iter()
            .cloned()
            .chain(self.headers.iter().map(|(_, v)| v.clone()))
            .chain(keys)
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Reads a file for a credential, naming what it was for on failure. Only
    /// regular files of at most `MAX_CREDENTIAL_FILE` bytes are read: a FIFO would
    /// block and a device (`/dev/zero`) never end.
    pub fn read_file(what: &'static str, path: &std::path::Path) -> Result<Vec<u8>, TargetError> {
        read_bounded(what, path, MAX_CREDENTIAL_FILE)
    }

    /// Reads a token file; surrounding whitespace is not part of the token.
    pub fn read_token(path: &std::path::Path) -> Result<String, TargetError> {
        let bytes = read_bounded("token", path, MAX_TOKEN_FILE)?;
        Ok(String::from_utf8_lossy(&bytes).trim().to_owned())
    }
}

/// The largest token file read: tokens are a few KiB at most.
pub const MAX_TOKEN_FILE: u64 = 64 * 1024;
/// The largest CA bundle, certificate or key file read.
pub const MAX_CREDENTIAL_FILE: u64 = 4 * 1024 * 1024;

/// Reads a regular file of at most `limit` bytes.
fn read_bounded(
    what: &'static str,
    path: &std::path::Path,
    limit: u64,
) -> Result<Vec<u8>, TargetError> {
    use std::io::Read as _;
    let read_err = |source| TargetError::Read {
        what,
        path: path.to_path_buf(),
        source,
    };
    let meta = regular_file(what, path)?;
    let too_large = || TargetError::TooLarge {
        what,
        path: path.to_path_buf(),
        limit,
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(read_err)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The metadata of `path` if it is a regular file (symbolic links followed).
/// Checked before opening: opening a FIFO blocks until a writer appears.
pub fn regular_file(
    what: &'static str,
    path: &std::path::Path,
) -> Result<std::fs::Metadata, TargetError> {
    let meta = std::fs::metadata(path).map_err(|source| TargetError::Read {
        what,
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.is_file() {
        return Err(TargetError::NotAFile {
            what,
            path: path.to_path_buf(),
            kind: file_kind(&meta.file_type()),
        });
    }
    Ok(meta)
}

/// What a file that is not a regular file is, for messages.
pub fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Parses `Name: value` as given to `--header`. Errors show the name only: the
/// value is secret even when the colon is missing.
pub fn parse_header(text: &str) -> Result<(String, String), TargetError> {
    let shown = || {
        let name = text.split([':', ' ', '\t']).next().unwrap_or_default();
        TargetError::Header(format!("{name}: {}", redact::REDACTED))
    };
    let (name, value) = text.split_once(':').ok_or_else(shown)?;
    let name = name.trim();
    if name.is_empty() || reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(shown());
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_path_prefixes() {
        let t = Target::new("https://rancher.example/k8s/clusters/c-1/").unwrap();
        assert_eq!(t.base_url, "https://rancher.example/k8s/clusters/c-1");
    }

    #[test]
    fn refuses_credentials_in_urls() {
        assert!(Target::new("https://user:pw@host").is_err());
        assert!(Target::new("ftp://host").is_err());
        assert!(Target::new("not a url").is_err());
        assert!(Target::new("https://h\n/x").is_err());
    }

    #[test]
    fn parses_headers() {
        assert_eq!(
            parse_header("X-Auth-Token: abc:def").unwrap(),
            ("X-Auth-Token".into(), "abc:def".into())
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
        let e = parse_header("X-Auth-Token S3CRET").unwrap_err().to_string();
        assert!(!e.contains("S3CRET") && e.contains("X-Auth-Token"), "{e}");
    }

    #[test]
    fn url_errors_hide_credentials() {
        for url in [
            "https://me:S3CRET@h",
            "https://h/?token=S3CRET",
            "https://h/ x?token=S3CRET",
        ] {
            let e = Target::new(url).unwrap_err().to_string();
            assert!(!e.contains("S3CRET"), "{e}");
        }
    }

    #[test]
    fn credential_files_are_bounded_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; MAX_TOKEN_FILE as usize + 1]).unwrap();
        assert!(matches!(
            Target::read_token(&big),
            Err(TargetError::TooLarge { .. })
        ));
        assert!(matches!(
            Target::read_token(std::path::Path::new("/dev/zero")),
            Err(TargetError::NotAFile {
                kind: "a device",
                ..
            })
        ));
        assert!(matches!(
            Target::read_token(dir.path()),
            Err(TargetError::NotAFile {
                kind: "a folder",
                ..
            })
        ));
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                assert!(matches!(
                    Target::read_token(&fifo),
                    Err(TargetError::NotAFile { kind: "a FIFO", .. })
                ));
            }
        }
    }

    #[test]
    fn lists_secrets() {
        let t = Target {
            token: Some("tok".into()),
            headers: vec![("X-Auth-Token".into(), "h".into())],
            ..Target::default()
        };
        assert_eq!(t.secrets(), ["tok", "h"]);
    }
}
