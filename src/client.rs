//! Sending requests to a target (async, reqwest): every request has a timeout,
//! credentials are attached here and nowhere else, and a transport failure becomes
//! an error that says what was sent.
//!
//! It does not interpret Kubernetes semantics beyond reading JSON bodies.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::request::Planned;
use crate::target::{Target, TargetError};

/// The User-Agent podpatch sends; Kubernetes takes the part before `/` as the
/// field manager name, so it must stay stable across versions.
pub const USER_AGENT: &str = concat!("podpatch/", env!("CARGO_PKG_VERSION"));

/// An HTTP answer: status, headers and body text.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// How many tries it took (retries are for infrastructure trouble only).
    pub attempts: u32,
}

/// How often and how patiently to retry infrastructure failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// Delay before the second try; doubled for each further one.
    pub base_delay: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 4,
            base_delay: Duration::from_millis(250),
        }
    }
}

/// The longest wait podpatch accepts from `Retry-After`.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

fn backoff(attempt: u32, base: Duration) -> Duration {
    base.saturating_mul(1 << (attempt - 1).min(6))
}

/// Whether an answer is infrastructure trouble worth another try, and after how long.
fn retry_delay(answer: &Answer, attempt: u32, base: Duration) -> Option<Duration> {
    let etcd_timeout =
        answer.status == 500 && answer.body.contains("etcdserver: request timed out");
    if !matches!(answer.status, 429 | 503 | 504) && !etcd_timeout {
        return None;
    }
    let retry_after = answer
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .map(|secs| Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    Some(retry_after.unwrap_or_else(|| backoff(attempt, base)))
}

impl Answer {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// A request that got no HTTP answer.
#[derive(Debug, thiserror::Error)]
#[error("{method} {url}: {reason}")]
pub struct SendError {
    pub method: String,
    pub url: String,
    pub reason: String,
    /// Connection refused, timeout, reset: worth retrying, unlike a bad certificate.
    pub transient: bool,
    /// No answer came in time: the request may have been applied.
    pub timed_out: bool,
}

/// A configured HTTP client for one target.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    ca_origin: Option<String>,
    retry: Retry,
}

impl Client {
    /// Builds a client; `timeout` bounds every request from connect to last byte.
    pub fn new(target: &Target, timeout: Duration, retry: Retry) -> Result<Client, TargetError> {
        let mut headers = HeaderMap::new();
        if let Some(token) = &target.token {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| TargetError::Header("Authorization: Bearer [redacted]".into()))?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        for (name, value) in &target.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| TargetError::Header(format!("{name}: [redacted]")))?;
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| TargetError::Header(format!("{name}: [redacted]")))?;
            value.set_sensitive(true);
            headers.append(name, value);
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(headers)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .use_rustls_tls()
            .danger_accept_invalid_certs(target.insecure_skip_tls_verify);
        if let Some(pem) = &target.ca_pem {
            for cert in reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| TargetError::Tls(format!("invalid CA bundle: {e}")))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(pem) = &target.identity_pem {
            let identity = reqwest::Identity::from_pem(pem)
                .map_err(|e| TargetError::Tls(format!("invalid client certificate or key: {e}")))?;
            builder = builder.identity(identity);
        }
        let http = builder
            .build()
            .map_err(|e| TargetError::Tls(error_chain(&e)))?;
        Ok(Client {
            http,
            base_url: target.base_url.clone(),
            ca_origin: target.ca_origin.clone(),
            retry,
        })
    }

    /// The target's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends a planned request and reads the whole answer.
    pub async fn send(&self, planned: &Planned) -> Result<Answer, SendError> {
        let method = reqwest::Method::from_bytes(planned.method.as_bytes())
            .unwrap_or(reqwest::Method::PATCH);
        let mut request = self
            .http
            .request(method, self.url(&planned.path))
            .body(planned.body.clone());
        for (k, v) in &planned.headers {
            request = request.header(k, v);
        }
        self.execute(planned.method, &planned.path, request).await
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> Result<Answer, SendError> {
        self.execute("GET", path, self.http.get(self.url(path)))
            .await
    }

    /// POST a JSON object to a path.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Answer, SendError> {
        let request = self
            .http
            .post(self.url(path))
            .header("Content-Type", "application/json")
            .body(body.to_string());
        self.execute("POST", path, request).await
    }

    /// DELETE a path, with `DeleteOptions` when given.
    pub async fn delete(&self, path: &str, options: Option<&Value>) -> Result<Answer, SendError> {
        let mut request = self.http.delete(self.url(path));
        if let Some(options) = options {
            request = request
                .header("Content-Type", "application/json")
                .body(options.to_string());
        }
        self.execute("DELETE", path, request).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends with bounded retries for infrastructure trouble only: no connection,
    /// timeouts, 429 (honouring `Retry-After`), 503, 504 and etcd timeouts. Any
    /// other answer, however wrong, is returned as it is.
    async fn execute(
        &self,
        method: &str,
        path: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, SendError> {
        let mut attempt = 1;
        loop {
            let Some(this_try) = request.try_clone() else {
                return self.attempt(method, path, request).await;
            };
            let result = self.attempt(method, path, this_try).await;
            let wait = match &result {
                _ if attempt >= self.retry.attempts => None,
                Ok(answer) => retry_delay(answer, attempt, self.retry.base_delay),
                // A PATCH that timed out may have been applied, and a target that
                // hangs on it hangs again: only requests that are safe to repeat
                // are retried after a timeout.
                Err(e) if e.timed_out && !matches!(method, "GET" | "DELETE") => None,
                Err(e) if e.transient => Some(backoff(attempt, self.retry.base_delay)),
                Err(_) => None,
            };
            match (wait, result) {
                (Some(wait), _) => {
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                (None, Ok(mut answer)) => {
                    answer.attempts = attempt;
                    return Ok(answer);
                }
                (None, Err(mut e)) => {
                    if attempt > 1 {
                        e.reason.push_str(&format!(" (after {attempt} attempts)"));
                    }
                    return Err(e);
                }
            }
        }
    }

    async fn attempt(
        &self,
        method: &str,
        path: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, SendError> {
        let fail = |e: reqwest::Error| self.send_error(method, path, &e);
        let response = request.send().await.map_err(fail)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.text().await.map_err(fail)?;
        Ok(Answer {
            status,
            headers,
            body,
            attempts: 1,
        })
    }

    fn send_error(&self, method: &str, path: &str, e: &reqwest::Error) -> SendError {
        let chain = error_chain(e);
        let tls = chain.contains("certificate") || chain.contains("tls") || chain.contains("TLS");
        let mut reason = if e.is_timeout() {
            format!("timed out: {chain}")
        } else if e.is_connect() && !tls {
            format!("cannot connect: {chain}")
        } else {
            chain
        };
        if tls {
            let ca = self
                .ca_origin
                .as_deref()
                .unwrap_or("the system roots (no --ca-file given)");
            reason.push_str(&format!(
                " (TLS: the server's certificate was checked against {ca})"
            ));
        }
        SendError {
            method: method.to_owned(),
            url: self.url(path),
            reason,
            transient: (e.is_timeout() || e.is_connect() || e.is_request()) && !tls,
            timed_out: e.is_timeout(),
        }
    }
}

/// An error and its sources on one line: reqwest hides the useful part in sources.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Answer {
        Answer {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            body: body.into(),
            attempts: 1,
        }
    }

    const BASE: Duration = Duration::from_millis(100);

    #[rstest]
    #[case(answer(429, &[("Retry-After", "2")], ""), Some(Duration::from_secs(2)))]
    #[case(answer(429, &[("Retry-After", "9999")], ""), Some(MAX_RETRY_AFTER))]
    #[case(answer(503, &[], ""), Some(BASE))]
    #[case(answer(504, &[], ""), Some(BASE))]
    #[case(answer(500, &[], r#"{"message":"etcdserver: request timed out"}"#), Some(BASE))]
    #[case(answer(500, &[], r#"{"message":"map: map[] does not contain declared merge key: name"}"#), None)]
    #[case(answer(422, &[], ""), None)]
    #[case(answer(409, &[], ""), None)]
    #[case(answer(200, &[], ""), None)]
    fn retries_only_infrastructure_trouble(#[case] a: Answer, #[case] wait: Option<Duration>) {
        assert_eq!(retry_delay(&a, 1, BASE), wait);
    }

    #[test]
    fn backoff_doubles() {
        assert_eq!(backoff(1, BASE), BASE);
        assert_eq!(backoff(3, BASE), BASE * 4);
    }
}
