//! Sending requests to a target (async, reqwest): every request has a timeout,
//! credentials are attached here and nowhere else, and a transport failure becomes
//! an error that says what was sent.
//!
//! It does not interpret Kubernetes semantics beyond reading JSON bodies.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use tokio_util::task::TaskTracker;

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

/// The largest response body read; a longer one is an error, so that a target
/// sending without end cannot exhaust memory (Pods are a few KiB; the largest
/// list podpatch reads is its own leftovers).
pub const MAX_RESPONSE_BODY: usize = 32 * 1024 * 1024;

/// The longest wait podpatch accepts from `Retry-After`.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

fn backoff(attempt: u32, base: Duration) -> Duration {
    base.saturating_mul(1 << (attempt - 1).min(6))
}

/// Whether a request may be sent twice without changing the outcome: a repeated
/// PATCH or POST whose first try may have been applied is not.
fn idempotent(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "DELETE" | "PUT" | "OPTIONS")
}

/// Whether an answer is infrastructure trouble worth another try, and after how long.
/// A request that is not idempotent is retried only on answers that say it was not
/// applied (429, 503); a gateway timeout or an etcd timeout may hide a write.
fn retry_delay(answer: &Answer, attempt: u32, base: Duration, method: &str) -> Option<Duration> {
    let etcd_timeout =
        answer.status == 500 && answer.body.contains("etcdserver: request timed out");
    let unknown_outcome = answer.status == 504 || etcd_timeout;
    if !matches!(answer.status, 429 | 503) && !unknown_outcome {
        return None;
    }
    if unknown_outcome && !idempotent(method) {
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
    /// The request never left: no connection was made, so it cannot have been
    /// applied and even a PATCH may be sent again.
    pub unsent: bool,
}

/// A configured HTTP client for one target.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    ca_origin: Option<String>,
    retry: Retry,
    /// Requests that may create or change something (POST, PATCH) run as tasks of
    /// their own, so that a cancelled case does not drop one on the wire with its
    /// outcome unknown: teardown waits for them (`settle`) before it lists what
    /// the run made.
    in_flight: TaskTracker,
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
            let origin = target.ca_origin.as_deref().unwrap_or("the CA bundle");
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| TargetError::Tls(format!("invalid CA bundle {origin}: {e}")))?;
            if certs.is_empty() {
                return Err(TargetError::Tls(format!(
                    "the CA bundle {origin} holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)"
                )));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        #[cfg(unix)]
        if let Some(socket) = &target.local_socket {
            builder = builder.unix_socket(socket.as_path());
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
            in_flight: TaskTracker::new(),
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
            .body(bytes::Bytes::from_owner(planned.body.clone()));
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

    /// One GET with its own time bound and no retry: the first contact with a
    /// target, so that one that never answers is declared unreachable quickly.
    pub async fn probe(&self, path: &str, timeout: Duration) -> Result<Answer, SendError> {
        let request = self.http.get(self.url(path)).timeout(timeout);
        self.attempt("GET", path, request).await
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

    /// Waits until every request that may change something has ended (each is
    /// bounded by the request timeout and its retries).
    pub async fn settle(&self) {
        self.in_flight.close();
        self.in_flight.wait().await;
    }

    /// Sends a request; one that is not idempotent runs to its end even when the
    /// caller stops waiting (see `in_flight`).
    async fn execute(
        &self,
        method: &str,
        path: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, SendError> {
        if idempotent(method) {
            return self.retrying(method, path, request).await;
        }
        let this = self.clone();
        let (m, p) = (method.to_owned(), path.to_owned());
        let task = self
            .in_flight
            .spawn(async move { this.retrying(&m, &p, request).await });
        task.await.unwrap_or_else(|e| {
            Err(SendError {
                method: method.to_owned(),
                url: self.url(path),
                reason: format!("the request's task ended abnormally: {e}"),
                transient: false,
                unsent: false,
            })
        })
    }

    /// Sends with bounded retries for infrastructure trouble only: no connection,
    /// timeouts, 429 (honouring `Retry-After`), 503, 504 and etcd timeouts. Any
    /// other answer, however wrong, is returned as it is.
    async fn retrying(
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
                Ok(answer) => retry_delay(answer, attempt, self.retry.base_delay, method),
                Err(e) if e.transient && (e.unsent || idempotent(method)) => {
                    Some(backoff(attempt, self.retry.base_delay))
                }
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
        let mut response = request.send().await.map_err(fail)?;
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
        // Reserved up front when announced: growing by doubling copied a 3 MiB
        // answer several times over and left a larger buffer at its peak.
        let announced = response.content_length().unwrap_or(0);
        let mut bytes = Vec::with_capacity(announced.min(MAX_RESPONSE_BODY as u64) as usize);
        while let Some(chunk) = response.chunk().await.map_err(fail)? {
            if bytes.len() + chunk.len() > MAX_RESPONSE_BODY {
                return Err(SendError {
                    method: method.to_owned(),
                    url: self.url(path),
                    reason: format!(
                        "the answer's body exceeds podpatch's limit of {} MiB (status {status}); reading stopped",
                        MAX_RESPONSE_BODY / (1024 * 1024)
                    ),
                    transient: false,
                    unsent: false,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        // Valid UTF-8 (nearly always) becomes the text without a copy.
        let body = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok(Answer {
            status,
            headers,
            body,
            attempts: 1,
        })
    }

    fn send_error(&self, method: &str, path: &str, e: &reqwest::Error) -> SendError {
        let chain = error_chain(e);
        // rustls reads a plain-HTTP answer as a record of an invalid content type.
        let plain_http = self.base_url.starts_with("https:")
            && (chain.contains("InvalidContentType") || chain.contains("corrupt message"));
        let tls = plain_http
            || chain.contains("certificate")
            || chain.contains("tls")
            || chain.contains("TLS");
        let mut reason = if plain_http {
            format!(
                "TLS handshake failed: the server does not speak TLS (is it a plain-HTTP port? try http://): {chain}"
            )
        } else if e.is_timeout() {
            format!("timed out: {chain}")
        } else if e.is_connect() && !tls {
            format!("cannot connect: {chain}")
        } else {
            chain
        };
        if tls && !plain_http {
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
            unsent: e.is_connect() && !tls,
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
        assert_eq!(retry_delay(&a, 1, BASE, "GET"), wait);
    }

    #[rstest]
    #[case(answer(429, &[], ""), true)]
    #[case(answer(503, &[], ""), true)]
    #[case(answer(504, &[], ""), false)]
    #[case(answer(500, &[], r#"{"message":"etcdserver: request timed out"}"#), false)]
    fn a_patch_is_retried_only_when_it_was_not_applied(#[case] a: Answer, #[case] retried: bool) {
        assert_eq!(retry_delay(&a, 1, BASE, "PATCH").is_some(), retried);
        assert_eq!(retry_delay(&a, 1, BASE, "POST").is_some(), retried);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn requests_go_to_the_local_socket_when_there_is_one() {
        let mock = podpatch_mock::MockServer::start_local(podpatch_mock::Version::DEFAULT)
            .await
            .unwrap();
        // Nothing listens on port 1: only the socket can answer.
        let target = Target {
            local_socket: mock.local_socket().map(Into::into),
            ..Target::new("http://127.0.0.1:1").unwrap()
        };
        let client = Client::new(&target, Duration::from_secs(5), Retry::default()).unwrap();
        let answer = client.get("/version").await.unwrap();
        assert_eq!(answer.status, 200);
        assert!(answer.body.contains("\"gitVersion\""), "{}", answer.body);
        let tcp_only = Client::new(
            &Target::new("http://127.0.0.1:1").unwrap(),
            Duration::from_secs(5),
            Retry {
                attempts: 1,
                ..Retry::default()
            },
        )
        .unwrap();
        assert!(tcp_only.get("/version").await.is_err());
    }

    #[test]
    fn backoff_doubles() {
        assert_eq!(backoff(1, BASE), BASE);
        assert_eq!(backoff(3, BASE), BASE * 4);
    }
}
