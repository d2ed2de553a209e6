//! Credentials the way kubectl finds them: a kubeconfig (file or `KUBECONFIG`
//! list, a chosen context) or the in-cluster ServiceAccount, turned into a `Target`.
//!
//! Parsing and merging kubeconfigs is kube-rs's; this module resolves what the
//! HTTP client needs (CA, token, client certificate, exec plugins). It sends nothing.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use kube::config::{AuthInfo, Config, ExecConfig, KubeConfigOptions, Kubeconfig};
use secrecy::ExposeSecret as _;
use serde::Deserialize;

use crate::target::{Target, TargetError};

/// How long an exec credential plugin may take.
const EXEC_TIMEOUT: Duration = Duration::from_secs(60);

/// Why credentials could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum KubeconfigError {
    #[error("failed to load kubeconfig{}", origin(.path))]
    Load {
        path: Option<PathBuf>,
        #[source]
        source: kube::config::KubeconfigError,
    },
    #[error("failed to load the in-cluster ServiceAccount configuration: {0}")]
    InCluster(#[from] kube::config::InClusterError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("invalid base64 in kubeconfig field `{field}`: {reason}")]
    Data { field: &'static str, reason: String },
    #[error("exec credential plugin `{command}` failed: {reason}")]
    Exec { command: String, reason: String },
    #[error(
        "kubeconfig user uses {0}, which podpatch does not support; use a token, client certificate or exec plugin"
    )]
    Unsupported(&'static str),
}

fn origin(path: &Option<PathBuf>) -> String {
    match path {
        Some(p) => format!(" {}", p.display()),
        None => " (KUBECONFIG or ~/.kube/config)".into(),
    }
}

/// Loads a target from a kubeconfig: `path`, or else `KUBECONFIG`, or else
/// `~/.kube/config`; `context` defaults to the current context.
pub async fn from_kubeconfig(
    path: Option<&Path>,
    context: Option<&str>,
) -> Result<Target, KubeconfigError> {
    let load_err = |source| KubeconfigError::Load {
        path: path.map(Path::to_path_buf),
        source,
    };
    if let Some(p) = path {
        crate::target::regular_file("kubeconfig", p)?;
    }
    let kubeconfig = match path {
        Some(p) => Kubeconfig::read_from(p),
        None => Kubeconfig::read(),
    }
    .map_err(load_err)?;
    let options = KubeConfigOptions {
        context: context.map(str::to_owned),
        ..KubeConfigOptions::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(load_err)?;
    let origin = path.map_or_else(|| "the kubeconfig".to_owned(), |p| p.display().to_string());
    let mut target = target_from_config(&config, &origin).await?;
    let context = context.map_or_else(|| "current context".to_owned(), |c| format!("context {c}"));
    for o in &mut target.credential_origins {
        *o = format!("{o} ({origin}, {context})");
    }
    Ok(target)
}

/// Loads the target a Pod sees: the API server from the service environment, the
/// mounted ServiceAccount token and CA.
pub async fn in_cluster() -> Result<Target, KubeconfigError> {
    let config = Config::incluster()?;
    target_from_config(&config, "the in-cluster ServiceAccount CA").await
}

async fn target_from_config(config: &Config, origin: &str) -> Result<Target, KubeconfigError> {
    let mut target = Target::new(&config.cluster_url.to_string())?;
    if let Some(ders) = &config.root_cert {
        let pems: Vec<pem::Pem> = ders
            .iter()
            .map(|der| pem::Pem::new("CERTIFICATE", der.clone()))
            .collect();
        target.ca_pem = Some(pem::encode_many(&pems).into_bytes());
        target.ca_origin = Some(format!("the CA of {origin}"));
    }
    target.insecure_skip_tls_verify = config.accept_invalid_certs;
    apply_auth(&mut target, &config.auth_info).await?;
    Ok(target)
}

async fn apply_auth(target: &mut Target, auth: &AuthInfo) -> Result<(), KubeconfigError> {
    if auth.auth_provider.is_some() {
        return Err(KubeconfigError::Unsupported("an auth-provider"));
    }
    if auth.username.is_some() || auth.password.is_some() {
        return Err(KubeconfigError::Unsupported("basic authentication"));
    }
    target.token = match (&auth.token, &auth.token_file) {
        (Some(t), _) => Some(t.expose_secret().to_owned()),
        (None, Some(f)) => Some(Target::read_token(Path::new(f))?),
        (None, None) => None,
    };
    if target.token.is_some() {
        target.credential_origins.push("bearer token".into());
    }
    let cert = data_or_file(
        auth.client_certificate_data.as_deref(),
        auth.client_certificate.as_deref(),
        "client-certificate-data",
        "client certificate",
    )?;
    let key = data_or_file(
        auth.client_key_data.as_ref().map(|s| s.expose_secret()),
        auth.client_key.as_deref(),
        "client-key-data",
        "client key",
    )?;
    if let (Some(mut cert), Some(key)) = (cert, key) {
        cert.push(b'\n');
        cert.extend(key);
        target.identity_pem = Some(cert);
        target.credential_origins.push("client certificate".into());
    }
    if let Some(exec) = &auth.exec {
        let status = run_exec(exec).await?;
        if let Some(token) = status.token {
            target.token = Some(token);
        }
        target.credential_origins.push(format!(
            "exec plugin {}",
            exec.command.as_deref().unwrap_or_default()
        ));
        if let (Some(cert), Some(key)) = (status.client_certificate_data, status.client_key_data) {
            target.identity_pem = Some(format!("{cert}\n{key}").into_bytes());
        }
    }
    if let Some(user) = &auth.impersonate {
        target
            .headers
            .push(("Impersonate-User".into(), user.clone()));
    }
    for group in auth.impersonate_groups.iter().flatten() {
        target
            .headers
            .push(("Impersonate-Group".into(), group.clone()));
    }
    Ok(())
}

fn data_or_file(
    data: Option<&str>,
    file: Option<&str>,
    field: &'static str,
    what: &'static str,
) -> Result<Option<Vec<u8>>, KubeconfigError> {
    match (data, file) {
        (Some(d), _) => base64::engine::general_purpose::STANDARD
            .decode(d.trim())
            .map(Some)
            .map_err(|e| KubeconfigError::Data {
                field,
                reason: e.to_string(),
            }),
        (None, Some(f)) => Ok(Some(Target::read_file(what, Path::new(f))?)),
        (None, None) => Ok(None),
    }
}

/// The part of a `client.authentication.k8s.io` ExecCredential podpatch uses.
#[derive(Debug, Deserialize)]
struct ExecCredential {
    status: Option<ExecStatus>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecStatus {
    token: Option<String>,
    client_certificate_data: Option<String>,
    client_key_data: Option<String>,
}

/// Runs an exec credential plugin as kubectl does (non-interactive), bounded in time.
async fn run_exec(exec: &ExecConfig) -> Result<ExecStatus, KubeconfigError> {
    let command = exec.command.clone().unwrap_or_default();
    let fail = |reason: String| KubeconfigError::Exec {
        command: command.clone(),
        reason,
    };
    if command.is_empty() {
        return Err(fail("no command given".into()));
    }
    let mut cmd = tokio::process::Command::new(&command);
    cmd.args(exec.args.iter().flatten())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for var in exec.drop_env.iter().flatten() {
        cmd.env_remove(var);
    }
    for pair in exec.env.iter().flatten() {
        if let (Some(name), Some(value)) = (pair.get("name"), pair.get("value")) {
            cmd.env(name, value);
        }
    }
    let api_version = exec
        .api_version
        .clone()
        .unwrap_or_else(|| "client.authentication.k8s.io/v1".into());
    cmd.env(
        "KUBERNETES_EXEC_INFO",
        serde_json::json!({
            "kind": "ExecCredential",
            "apiVersion": api_version,
            "spec": {"interactive": false},
        })
        .to_string(),
    );
    let output = tokio::time::timeout(EXEC_TIMEOUT, cmd.output())
        .await
        .map_err(|_| fail(format!("no answer within {EXEC_TIMEOUT:?}")))?
        .map_err(|e| {
            let hint = exec.install_hint.as_deref().unwrap_or_default();
            fail(format!("{e} {hint}").trim().to_owned())
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(fail(format!("{}: {}", output.status, stderr.trim())));
    }
    let credential: ExecCredential = serde_json::from_slice(&output.stdout)
        .map_err(|e| fail(format!("its output is not an ExecCredential: {e}")))?;
    Ok(credential.status.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[tokio::test]
    async fn reads_server_token_and_context() {
        let dir = tempfile::tempdir().unwrap();
        let token = write(dir.path(), "token", "file-token\n");
        let kc = write(
            dir.path(),
            "config",
            &format!(
                "apiVersion: v1
kind: Config
current-context: a
clusters:
- name: one
  cluster: {{server: 'https://one.example:6443/k8s/clusters/c-1', insecure-skip-tls-verify: true}}
- name: two
  cluster: {{server: 'https://two.example'}}
users:
- name: inline
  user: {{token: inline-token}}
- name: filed
  user: {{tokenFile: {}}}
contexts:
- name: a
  context: {{cluster: one, user: inline}}
- name: b
  context: {{cluster: two, user: filed}}
",
                token.display()
            ),
        );
        let a = from_kubeconfig(Some(&kc), None).await.unwrap();
        assert_eq!(a.base_url, "https://one.example:6443/k8s/clusters/c-1");
        assert_eq!(a.token.as_deref(), Some("inline-token"));
        assert!(a.insecure_skip_tls_verify);
        let b = from_kubeconfig(Some(&kc), Some("b")).await.unwrap();
        assert_eq!(b.base_url, "https://two.example");
        assert_eq!(b.token.as_deref(), Some("file-token"));
    }

    #[tokio::test]
    async fn runs_exec_plugins() {
        let dir = tempfile::tempdir().unwrap();
        let kc = write(
            dir.path(),
            "config",
            r#"apiVersion: v1
kind: Config
current-context: a
clusters: [{name: c, cluster: {server: 'https://c.example'}}]
contexts: [{name: a, context: {cluster: c, user: u}}]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: sh
      args: ["-c", "echo '{\"kind\":\"ExecCredential\",\"status\":{\"token\":\"'$TOKEN'\"}}'"]
      env: [{name: TOKEN, value: exec-token}]
      interactiveMode: Never
"#,
        );
        let t = from_kubeconfig(Some(&kc), None).await.unwrap();
        assert_eq!(t.token.as_deref(), Some("exec-token"));
    }

    #[tokio::test]
    async fn names_the_file_on_errors() {
        let err = from_kubeconfig(Some(Path::new("/nonexistent/kubeconfig")), None)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/kubeconfig"), "{err}");
    }
}
