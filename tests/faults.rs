//! Fault harness: the podpatch binary against a faulty target — a server written
//! here that sits in front of the built-in mock and never answers, trickles,
//! resets, sends garbage or an endless body, echoes the request's credentials in
//! every encoding, refuses with them, dies mid-run or throttles with 429/503.
//!
//! For each fault: the expected exit code, a wall-time bound, a bound on the
//! binary's memory, a leak check over every output (stdout, stderr, JUnit, JSON)
//! for every form of the secrets, and a leftover check on the mock afterwards.
//! Scenarios run concurrently so the whole harness stays within seconds.

mod support;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use podpatch_mock::MockServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// The bearer token and header value of every scenario: `&<>` make Go's JSON
/// escaping (`\u0026`) differ from the raw text.
const TOKEN: &str = "tok&<>S3CRETxONE";
const HEADER: &str = "hdr&<>S3CRETxTWO";
/// The part of both secrets that no output may contain in any form.
const MARKER: &str = "S3CRET";

/// How a faulty target misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Accepts connections, reads requests, never answers anything.
    Silent,
    /// Answers everything but the cases' PATCHes, which never get an answer.
    SilentPatch,
    /// Answers PATCHes one byte at a time, slowly.
    TricklePatch,
    /// Resets the connection of every PATCH.
    ResetPatch,
    /// Answers every request with bytes that are not HTTP.
    Garbage,
    /// Answers PATCHes 200 with a body that never ends.
    EndlessPatch,
    /// Forwards everything and puts the request's headers into every answer:
    /// raw, Go-escaped JSON, base64, URL-encoded, and a response header.
    Echo,
    /// Refuses every request with 403, the request's headers in the message.
    Refuse,
    /// Forwards until the first PATCH, then stops listening for good.
    Dies,
    /// Answers every third request 429 or 503 without forwarding it.
    Throttle,
}

/// What a scenario must end with.
struct Expect {
    code: i32,
    /// Wall time the run may take at most.
    within: Duration,
    /// Text stderr or stdout must contain.
    says: &'static str,
}

fn expect(fault: Fault) -> Expect {
    let (code, secs, says) = match fault {
        Fault::Silent => (2, 12, "run timeout of 3 s expired"),
        Fault::SilentPatch => (2, 16, "run timeout of 5 s expired"),
        Fault::TricklePatch => (2, 12, "timed out"),
        Fault::ResetPatch => (2, 10, "no answer to the case's request"),
        Fault::Garbage => (2, 8, "is unreachable"),
        Fault::EndlessPatch => (2, 10, "limit of 32 MiB"),
        Fault::Echo => (1, 10, "1 passed, 2 failed"),
        Fault::Refuse => (2, 8, "answered 403"),
        Fault::Dies => (2, 12, "cleanup failed"),
        Fault::Throttle => (1, 15, "1 passed, 2 failed"),
    };
    Expect {
        code,
        within: Duration::from_secs(secs),
        says,
    }
}

/// A faulty target in front of `upstream`.
struct Faulty {
    url: String,
}

struct State {
    fault: Fault,
    upstream: String,
    requests: AtomicUsize,
    dead: AtomicBool,
    died: Notify,
    http: reqwest::Client,
}

impl Faulty {
    async fn start(fault: Fault, upstream: String) -> Faulty {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State {
            fault,
            upstream,
            requests: AtomicUsize::new(0),
            dead: AtomicBool::new(false),
            died: Notify::new(),
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        });
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((sock, _)) = accepted else { return };
                        tokio::spawn(handle(sock, Arc::clone(&state)));
                    }
                    () = state.died.notified() => return, // the listener is dropped
                }
            }
        });
        Faulty { url }
    }
}

/// A request as read off the wire.
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn read_request(sock: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 1 << 20 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

async fn respond(sock: &mut TcpStream, status: u16, headers: &[(String, String)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status} X\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let _ = sock.write_all(head.as_bytes()).await;
    let _ = sock.write_all(body).await;
    let _ = sock.shutdown().await;
}

/// The request's headers as one text, the way a reflecting server shows them.
fn dump(req: &Request) -> String {
    req.headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Puts the request's headers into a JSON answer in every encoding, written with
/// Go's escaping of `&<>`.
fn echo_into(body: &[u8], req: &Request) -> Vec<u8> {
    let text = dump(req);
    let Ok(serde_json::Value::Object(mut doc)) = serde_json::from_slice(body) else {
        return body.to_vec();
    };
    if let Some(serde_json::Value::String(m)) = doc.get_mut("message") {
        m.push_str(&format!(" (request: {text})"));
    }
    doc.insert("echo".into(), text.clone().into());
    doc.insert(
        "echoBase64".into(),
        base64::engine::general_purpose::STANDARD
            .encode(&text)
            .into(),
    );
    doc.insert(
        "echoUrl".into(),
        percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC)
            .to_string()
            .into(),
    );
    serde_json::Value::Object(doc)
        .to_string()
        .replace('&', "\\u0026")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .into_bytes()
}

async fn forward(state: &State, req: &Request) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
    let mut out = state
        .http
        .request(method, format!("{}{}", state.upstream, req.path))
        .body(req.body.clone());
    for (k, v) in &req.headers {
        if !["host", "content-length", "connection"].contains(&k.to_ascii_lowercase().as_str()) {
            out = out.header(k, v);
        }
    }
    let answer = out.send().await.unwrap();
    let status = answer.status().as_u16();
    let headers = answer
        .headers()
        .iter()
        .filter(|(k, _)| {
            !["content-length", "transfer-encoding", "connection"].contains(&k.as_str())
        })
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    (status, headers, answer.bytes().await.unwrap().to_vec())
}

async fn handle(mut sock: TcpStream, state: Arc<State>) {
    let Some(req) = read_request(&mut sock).await else {
        return;
    };
    let n = state.requests.fetch_add(1, Ordering::Relaxed);
    let patch = req.method == "PATCH";
    match state.fault {
        Fault::Silent => return std::future::pending().await,
        Fault::SilentPatch if patch => return std::future::pending().await,
        Fault::TricklePatch if patch => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
            let _ = sock.write_all(head.as_bytes()).await;
            while sock.write_all(b" ").await.is_ok() {
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            return;
        }
        Fault::ResetPatch if patch => return reset(sock),
        Fault::Garbage => {
            let _ = sock
                .write_all(b"\x00\xff\xfeSSH-2.0-garbage\r\n\x1b[31m")
                .await;
            return;
        }
        Fault::EndlessPatch if patch => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            let _ = sock.write_all(head.as_bytes()).await;
            let chunk = format!("{:x}\r\n{}\r\n", 65536, "x".repeat(65536));
            while sock.write_all(chunk.as_bytes()).await.is_ok() {}
            return;
        }
        Fault::Refuse => {
            let status = serde_json::json!({
                "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 403,
                "reason": "Forbidden", "message": format!("forbidden: {}", dump(&req)),
            });
            let body = echo_into(status.to_string().as_bytes(), &req);
            return respond(&mut sock, 403, &[], &body).await;
        }
        Fault::Dies if patch || state.dead.load(Ordering::Relaxed) => {
            state.dead.store(true, Ordering::Relaxed);
            state.died.notify_one();
            return reset(sock);
        }
        Fault::Throttle if n % 3 == 2 => {
            let (status, extra) = if n.is_multiple_of(2) {
                (429, vec![("Retry-After".to_owned(), "0".to_owned())])
            } else {
                (503, vec![])
            };
            return respond(&mut sock, status, &extra, b"{\"kind\":\"Status\"}").await;
        }
        _ => {}
    }
    let (status, mut headers, mut body) = forward(&state, &req).await;
    if state.fault == Fault::Echo {
        body = echo_into(&body, &req);
        headers.push(("Warning".into(), format!("299 - \"{}\"", dump(&req))));
        headers.retain(|(k, _)| k != "content-type");
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    respond(&mut sock, status, &headers, &body).await;
}

/// Closes with a TCP reset rather than a clean shutdown.
fn reset(sock: TcpStream) {
    let _ = sock.set_zero_linger();
    drop(sock);
}

/// The cases every scenario runs: one that passes, one whose status differs, and
/// one whose body expectation differs (so the echoed headers land in a mismatch).
fn write_cases(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let pod = "given:\n  pod: {metadata: {name: web}, spec: {containers: [{name: web, image: 'nginx:1.27'}]}}\n";
    let files = [
        (
            "passes.yaml",
            format!(
                "description: adds a label\n{pod}request:\n  type: merge\n  body: {{metadata: {{labels: {{tier: web}}}}}}\nexpect:\n  status: 200\n  body: {{metadata: {{labels: {{tier: web}}}}}}\n"
            ),
        ),
        (
            "wrong-status.yaml",
            format!(
                "description: expects the wrong status\n{pod}request:\n  type: merge\n  body: {{metadata: {{labels: {{tier: web}}}}}}\nexpect:\n  status: 201\n"
            ),
        ),
        (
            "wrong-body.yaml",
            format!(
                "description: expects a body field the answer lacks\n{pod}request:\n  type: merge\n  body: {{metadata: {{labels: {{tier: web}}}}}}\nexpect:\n  status: 200\n  body: {{echo: nothing}}\n"
            ),
        ),
    ];
    files
        .iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

/// Every form a secret may take in output: raw, JSON- and Go-escaped, URL-encoded,
/// XML-escaped and base64 at each alignment.
fn forms(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).unwrap();
    let json = json.trim_matches('"').to_owned();
    let go = json
        .replace('&', "\\u0026")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e");
    let url = percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    let xml = secret
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let mut out = vec![secret.to_owned(), json, go, url, xml, MARKER.to_owned()];
    for offset in 0..3usize {
        let mut bytes = vec![b'A'; offset];
        bytes.extend_from_slice(secret.as_bytes());
        let encoded = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&bytes);
        let (skip, whole) = ((offset * 4).div_ceil(3), bytes.len() / 3 * 4);
        out.push(encoded[skip..whole].to_owned());
    }
    out
}

/// Fails if any output holds any form of a secret.
fn assert_no_leak(what: &str, outputs: &[(&str, String)]) {
    for secret in [TOKEN, HEADER] {
        for form in forms(secret) {
            for (name, text) in outputs {
                assert!(
                    !text.contains(&form),
                    "{what}: `{form}` (a form of a secret) leaked into {name}:\n{text}"
                );
            }
        }
    }
}

/// Output of one run of the binary.
struct Outcome {
    code: Option<i32>,
    elapsed: Duration,
    peak_rss_kib: u64,
    outputs: Vec<(&'static str, String)>,
}

/// Runs the binary with `args`, sampling its memory while it runs.
async fn podpatch(args: &[String], dir: &std::path::Path) -> Outcome {
    let started = Instant::now();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_podpatch"))
        .args(args)
        .current_dir(dir)
        .env("CI", "true")
        .env_remove("PODPATCH_TARGET")
        .env_remove("PODPATCH_TOKEN_FILE")
        .env_remove("PODPATCH_CA_FILE")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let read_out = tokio::spawn(async move {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s).await;
        s
    });
    let read_err = tokio::spawn(async move {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s).await;
        s
    });
    let mut peak = 0;
    let status = loop {
        if let Ok(status) = tokio::time::timeout(Duration::from_millis(50), child.wait()).await {
            break status.unwrap();
        }
        peak = peak.max(rss_kib(pid));
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill().await;
            panic!("podpatch {args:?} hung for a minute");
        }
    };
    Outcome {
        code: status.code(),
        elapsed: started.elapsed(),
        peak_rss_kib: peak,
        outputs: vec![
            ("stdout", read_out.await.unwrap()),
            ("stderr", read_err.await.unwrap()),
        ],
    }
}

/// A process's peak resident memory so far (Linux), 0 where unknown.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// One scenario: a fresh mock, the faulty target before it, a run, the checks.
async fn scenario(fault: Fault) -> String {
    let mock = MockServer::start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let faulty = Faulty::start(fault, mock.base_url()).await;
    let dir = tempfile::tempdir().unwrap();
    let cases = write_cases(dir.path());
    let (json, junit) = (dir.path().join("r.json"), dir.path().join("r.xml"));
    let run_timeout = match fault {
        Fault::Silent => "3",
        _ => "5",
    };
    let timeout = match fault {
        Fault::TricklePatch => "2",
        _ => "30",
    };
    let header = format!("X-Auth-Token: {HEADER}");
    let mut args: Vec<String> = [
        "run",
        "--no-snapshots",
        "--cases-dir",
        ".",
        "--target",
        faulty.url.as_str(),
        "--token",
        TOKEN,
        "--header",
        header.as_str(),
        "--timeout",
        timeout,
        "--run-timeout",
        run_timeout,
        "--jobs",
        "3",
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(cases.iter().map(|c| c.display().to_string()));
    let mut run = podpatch(&args, dir.path()).await;
    for (name, path) in [("JSON report", &json), ("JUnit report", &junit)] {
        run.outputs
            .push((name, std::fs::read_to_string(path).unwrap_or_default()));
    }
    let all: String = run.outputs.iter().map(|(_, t)| t.as_str()).collect();
    let want = expect(fault);
    assert_eq!(run.code, Some(want.code), "{fault:?}: exit code\n{all}");
    assert!(
        run.elapsed <= want.within,
        "{fault:?}: took {:?}, bound {:?}\n{all}",
        run.elapsed,
        want.within
    );
    assert!(
        all.contains(want.says),
        "{fault:?}: `{}` not said\n{all}",
        want.says
    );
    assert!(
        run.peak_rss_kib < 256 * 1024,
        "{fault:?}: podpatch grew to {} KiB",
        run.peak_rss_kib
    );
    assert_no_leak(&format!("{fault:?}"), &run.outputs);

    let mut left = support::leftovers(&mock.base_url()).await;
    if fault == Fault::Dies {
        // A target that died cannot be cleaned through: what is left must be the
        // run's own namespace, named in the report for `podpatch cleanup`.
        left.retain(|l| {
            let ns = l.split([' ', '/']).nth(1).unwrap_or_default();
            !(ns.starts_with("podpatch-") && all.contains(ns))
        });
    }
    assert!(left.is_empty(), "{fault:?}: left behind {left:?}\n{all}");
    mock.shutdown().await;
    format!(
        "{fault:?}: exit {}, {:?}, peak {} KiB",
        want.code, run.elapsed, run.peak_rss_kib
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_fault_ends_in_time_without_leaks_or_leftovers() {
    let faults = [
        Fault::Silent,
        Fault::SilentPatch,
        Fault::TricklePatch,
        Fault::ResetPatch,
        Fault::Garbage,
        Fault::EndlessPatch,
        Fault::Echo,
        Fault::Refuse,
        Fault::Dies,
        Fault::Throttle,
    ];
    let runs = faults.map(|f| tokio::spawn(scenario(f)));
    let mut failures = Vec::new();
    for (fault, run) in faults.iter().zip(runs) {
        match run.await {
            Ok(summary) => eprintln!("{summary}"),
            Err(e) => failures.push(format!("{fault:?}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `podpatch cleanup` through a target that refuses with the request's headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_errors_never_show_secrets() {
    let mock = MockServer::start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let faulty = Faulty::start(Fault::Refuse, mock.base_url()).await;
    let dir = tempfile::tempdir().unwrap();
    let run = podpatch(
        &[
            "cleanup".into(),
            "--target".into(),
            faulty.url.clone(),
            "--token".into(),
            TOKEN.into(),
            "--header".into(),
            format!("X-Auth-Token: {HEADER}"),
        ],
        dir.path(),
    )
    .await;
    assert_eq!(run.code, Some(2), "{:?}", run.outputs);
    assert!(run.outputs[1].1.contains("403"), "{:?}", run.outputs);
    assert_no_leak("cleanup", &run.outputs);
    mock.shutdown().await;
}
