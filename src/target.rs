//! The target: where requests go and how they authenticate (base URL, bearer
//! token, client certificate, CA, extra headers, TLS verification).
//!
//! This module only describes and checks a target; sending lives in `client`.
//! Secret values are kept here so `normalize` and `report` can remove them.

use std::path::PathBuf;

/// A server to test, with its credentials.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Base URL, path prefix kept (API proxies such as `/k8s/clusters/<id>`).
    pub base_url: String,
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
        if url.chars().any(char::is_whitespace) {
            return Err(TargetError::Url {
                url: url.to_owned(),
                reason: "it contains whitespace".into(),
            });
        }
        let parsed = reqwest::Url::parse(url).map_err(|e| TargetError::Url {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(TargetError::Url {
                url: url.to_owned(),
                reason: "the scheme must be http or https".into(),
            });
        }
        if parsed.query().is_some() || !parsed.username().is_empty() || parsed.password().is_some()
        {
            return Err(TargetError::Url {
                url: url.to_owned(),
                reason: "credentials and query strings do not belong in the URL; use --token or --header".into(),
            });
        }
        Ok(Target {
            base_url: url.trim_end_matches('/').to_owned(),
            ..Target::default()
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

    /// Every secret value of this target, for redaction.
    pub fn secrets(&self) -> Vec<String> {
        self.token
            .iter()
            .cloned()
            .chain(self.headers.iter().map(|(_, v)| v.clone()))
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Reads a file for a credential, naming what it was for on failure.
    pub fn read_file(what: &'static str, path: &std::path::Path) -> Result<Vec<u8>, TargetError> {
        std::fs::read(path).map_err(|source| TargetError::Read {
            what,
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads a token file; surrounding whitespace is not part of the token.
    pub fn read_token(path: &std::path::Path) -> Result<String, TargetError> {
        let bytes = Self::read_file("token", path)?;
        Ok(String::from_utf8_lossy(&bytes).trim().to_owned())
    }
}

/// Parses `Name: value` as given to `--header`.
pub fn parse_header(text: &str) -> Result<(String, String), TargetError> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| TargetError::Header(text.to_owned()))?;
    let name = name.trim();
    if name.is_empty() || reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(TargetError::Header(text.to_owned()));
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
