//! Redaction: the one pass that removes credentials from everything podpatch
//! writes — terminal lines, JUnit and JSON reports, error messages of every
//! subcommand, flag errors, snapshots — in every form a target or a serialiser
//! may give them: raw, JSON-escaped (Go's `\u0026` escaping of `&<>` too),
//! XML-escaped, URL-encoded and base64 (at any alignment inside a longer blob).
//!
//! It only rewrites text; it never decides what is secret beyond reading flags and
//! URLs (`secrets_in_args`, `url_secrets`). Secrets become known in stages (flags
//! at start, token files and kubeconfig credentials later), and output happens in
//! many places, so the binary registers them in one process-wide redactor
//! (`register`) that every printed or written text passes through (`scrub`).

use std::ffi::OsString;
use std::sync::{Arc, LazyLock, Mutex, RwLock};

use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

/// `println!` through the redactor: every line podpatch shows passes here.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => { println!("{}", $crate::redact::scrub(&format!($($arg)*))) };
}

/// `eprintln!` through the redactor.
#[macro_export]
macro_rules! tell {
    ($($arg:tt)*) => { eprintln!("{}", $crate::redact::scrub(&format!($($arg)*))) };
}

/// Placeholder for removed secrets.
pub const REDACTED: &str = "[redacted]";

/// Derived forms shorter than this are not searched for: a fragment of a few
/// characters would redact unrelated text. The raw form is always searched.
const MIN_DERIVED: usize = 6;

/// A URL's user name shorter than this is taken for a name, not a token.
const MIN_USER: usize = 4;
/// Query keys whose values are credentials whatever their length.
const SECRET_KEYS: &[&str] = &["token", "key", "secret", "pass", "auth", "sig", "cred"];

/// Flags whose value is a secret as a whole.
const SECRET_FLAGS: &[&str] = &["--token"];
/// Flags whose value is `Name: value` with a secret value.
const HEADER_FLAGS: &[&str] = &["--header"];
/// Flags (and `diff` target specs) whose value is a URL that may carry credentials.
const URL_FLAGS: &[&str] = &["--target"];

/// Replaces every known form of a set of secrets with `[redacted]`.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
    matcher: Option<AhoCorasick>,
}

impl Redactor {
    /// A redactor for these secrets (empty ones are ignored).
    pub fn new<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Redactor {
        let mut r = Redactor::default();
        r.extend(secrets);
        r
    }

    /// Adds secrets.
    pub fn extend<S: AsRef<str>>(&mut self, secrets: impl IntoIterator<Item = S>) {
        let before = self.secrets.len();
        for s in secrets {
            let s = s.as_ref();
            if !s.is_empty() && !self.secrets.iter().any(|k| k == s) {
                self.secrets.push(s.to_owned());
            }
        }
        if self.secrets.len() == before {
            return;
        }
        let mut needles: Vec<String> = self.secrets.iter().flat_map(|s| forms(s)).collect();
        needles.sort();
        needles.dedup();
        self.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&needles)
            .ok();
    }

    /// Whether any secret is known.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every form of every secret replaced by `[redacted]`, borrowed
    /// (not copied) when it holds none, as almost every string does.
    pub fn redact_cow<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        match &self.matcher {
            Some(m) if m.is_match(text) => std::borrow::Cow::Owned(self.redact(text)),
            _ => std::borrow::Cow::Borrowed(text),
        }
    }

    /// `text` with every form of every secret replaced by `[redacted]`.
    pub fn redact(&self, text: &str) -> String {
        match &self.matcher {
            Some(m) => m.replace_all(text, &vec![REDACTED; m.patterns_len()]),
            None => text.to_owned(),
        }
    }
}

/// The mark every excerpt ends with where it cut text short (`…`).
const CUT: char = '…';

/// The texts a secret may appear as in output, also cut short by an excerpt
/// (a prefix followed by `…`), so that truncating text before redacting it cannot
/// leave part of a secret behind.
fn forms(secret: &str) -> Vec<String> {
    let whole = whole_forms(secret);
    let mut out = whole.clone();
    for form in whole.iter().take(TEXT_FORMS) {
        out.extend(
            form.char_indices()
                .map(|(i, _)| i)
                .filter(|i| *i >= MIN_DERIVED)
                .map(|i| format!("{}{CUT}", &form[..i])),
        );
    }
    out
}

/// How many of `whole_forms` are text a reader sees (raw, JSON, Go JSON, XML)
/// rather than encodings, and so may be cut short by an excerpt.
const TEXT_FORMS: usize = 4;

/// The texts a secret may appear as, whole: the text forms first.
fn whole_forms(secret: &str) -> Vec<String> {
    let json = json_escaped(secret);
    let go_json = go_escaped(&json);
    // A JSON document embedded in a JSON string (an object in an error message).
    let twice = json_escaped(&json);
    let go_twice = json_escaped(&go_json);
    let url = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
    let form = url.replace("%20", "+");
    let xml = secret
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;");
    let mut out = vec![secret.to_owned(), json, go_json, xml];
    out.extend([twice, go_twice, url, form]);
    out.retain(|f| f == secret || f.len() >= MIN_DERIVED);
    out.extend(
        base64_forms(secret.as_bytes())
            .into_iter()
            .filter(|f| f.len() >= MIN_DERIVED),
    );
    out
}

/// The inside of a JSON string holding `s`, as serde_json writes it.
fn json_escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or_default()
        .to_owned()
}

/// What Go's encoding/json writes besides: `&`, `<`, `>` and U+2028/U+2029 as `\uXXXX`.
fn go_escaped(json: &str) -> String {
    json.replace('&', "\\u0026")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The base64 text of `bytes` at each of the three alignments it may have inside a
/// longer encoded blob (e.g. `Bearer <token>` or a kubeconfig), standard and
/// URL-safe: only the characters that depend on the secret alone are kept.
fn base64_forms(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for engine in [&STANDARD, &URL_SAFE] {
        out.push(engine.encode(bytes));
    }
    for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
        for offset in 0..3usize {
            let mut padded = vec![0u8; offset];
            padded.extend_from_slice(bytes);
            let encoded = engine.encode(&padded);
            // Leading characters mix in the unknown bytes before the secret.
            let skip = (offset * 4).div_ceil(3);
            // Trailing characters of an incomplete group mix in the bytes after it.
            let whole = padded.len() / 3 * 4;
            if whole > skip {
                out.push(encoded[skip..whole].to_owned());
            }
        }
    }
    out
}

/// Secrets a command line carries: `--token` values, `--header` values (also when
/// the colon is missing) and credentials in target URLs, in `--flag value` and
/// `--flag=value` spellings, and in `podpatch diff` target specs.
pub fn secrets_in_args(args: impl IntoIterator<Item = OsString>) -> Vec<String> {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut out = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        let (flag, value) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), args.get(i + 1).cloned()),
        };
        let Some(value) = value else { continue };
        if SECRET_FLAGS.contains(&flag) {
            out.push(value);
        } else if HEADER_FLAGS.contains(&flag) {
            out.extend(header_secrets(&value));
        } else if URL_FLAGS.contains(&flag) {
            // A `diff` target spec: `URL,token=T,header=NAME:VALUE,…`.
            for part in value.split(',') {
                if let Some(token) = part.strip_prefix("token=") {
                    out.push(token.to_owned());
                } else if let Some(header) = part.strip_prefix("header=") {
                    out.extend(header_secrets(header));
                } else {
                    out.extend(url_secrets(part));
                }
            }
        }
    }
    out
}

/// The secret parts of a `--header` argument: the value after the colon, or — when
/// the colon is missing — everything after the name.
pub fn header_secrets(text: &str) -> Vec<String> {
    let value = match text.split_once(':') {
        Some((_, v)) => v,
        None => text
            .trim()
            .split_once(char::is_whitespace)
            .map_or("", |(_, v)| v),
    };
    let value = value.trim();
    let mut out = vec![value.to_owned()];
    if text.split_once(':').is_none() && value.is_empty() {
        // One word and no colon: the name cannot be told from the value.
        out.push(text.trim().to_owned());
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Credentials a URL carries: user name and password, query values, each raw and
/// percent-decoded. Text that is not a URL yields what looks like userinfo.
pub fn url_secrets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let decoded = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    match reqwest::Url::parse(text.trim()) {
        Ok(url) => {
            let user = Some(url.username()).filter(|u| u.len() >= MIN_USER);
            for s in user.into_iter().chain(url.password()) {
                out.push(s.to_owned());
                out.push(decoded(s));
            }
            for pair in url.query().unwrap_or_default().split('&') {
                let (key, value) = pair.split_once('=').unwrap_or(("", pair));
                let key = key.to_ascii_lowercase();
                if value.len() >= MIN_DERIVED || SECRET_KEYS.iter().any(|k| key.contains(k)) {
                    out.push(value.to_owned());
                    out.push(decoded(value));
                }
            }
        }
        // `mock@1.NN` names the built-in mock's version, not a user.
        Err(_) if crate::version::mock_target(text.trim()).is_some() => {}
        Err(_) => {
            let rest = text.split_once("://").map_or(text, |(_, r)| r);
            if let Some((userinfo, _)) = rest.split_once('@') {
                out.push(userinfo.to_owned());
                out.extend(userinfo.split_once(':').map(|(_, p)| p.to_owned()));
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// A URL as it may be shown: user name, password and query values replaced.
pub fn display_url(text: &str) -> String {
    Redactor::new(url_secrets(text)).redact(text)
}

/// A redactor for `secrets`, built once for the same list: a run asks for one per
/// case, and building one is not free (each secret has many forms).
pub fn cached(secrets: &[String]) -> Arc<Redactor> {
    static LAST: Mutex<Option<(Vec<String>, Arc<Redactor>)>> = Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    match &*last {
        Some((known, r)) if known.as_slice() == secrets => Arc::clone(r),
        _ => {
            let r = Arc::new(Redactor::new(secrets));
            *last = Some((secrets.to_vec(), Arc::clone(&r)));
            r
        }
    }
}

static GLOBAL: LazyLock<RwLock<Redactor>> = LazyLock::new(|| RwLock::new(Redactor::default()));

/// Adds secrets to the process-wide redactor that `scrub` applies.
pub fn register<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) {
    let mut global = GLOBAL.write().unwrap_or_else(|e| e.into_inner());
    global.extend(secrets);
}

/// `text` with every registered secret removed: everything printed or written
/// passes through here.
pub fn scrub(text: &str) -> String {
    let global = GLOBAL.read().unwrap_or_else(|e| e.into_inner());
    global.redact(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const SECRET: &str = "tok&<>en-S3CRET/+=?";

    #[rstest]
    #[case::raw(format!("a {SECRET} b"))]
    #[case::json(serde_json::json!({"m": SECRET}).to_string())]
    #[case::go_json(r#"{"m":"tok\u0026\u003c\u003een-S3CRET/+=?"}"#.to_owned())]
    #[case::json_in_json(serde_json::json!({"m": serde_json::json!({"t": format!("\"{SECRET}\"")}).to_string()}).to_string())]
    #[case::url(format!("?t={}", utf8_percent_encode(SECRET, NON_ALPHANUMERIC)))]
    #[case::xml("<p>tok&amp;&lt;&gt;en-S3CRET/+=?</p>".to_owned())]
    #[case::base64(STANDARD.encode(SECRET))]
    #[case::base64_inside(STANDARD.encode(format!("Bearer {SECRET} and more")))]
    #[case::base64_offset_1(STANDARD.encode(format!("x{SECRET}y")))]
    #[case::base64_offset_2(URL_SAFE_NO_PAD.encode(format!("xy{SECRET}")))]
    fn removes_every_form(#[case] text: String) {
        let out = Redactor::new([SECRET]).redact(&text);
        assert!(out.contains(REDACTED), "{text} -> {out}");
        assert!(!out.contains("S3CRET"), "{text} -> {out}");
    }

    #[test]
    fn secrets_cut_short_by_an_excerpt_are_removed() {
        for cut in 6..SECRET.len() {
            let text = format!("got \"Bearer {}…", &SECRET[..cut]);
            let out = Redactor::new([SECRET]).redact(&text);
            assert_eq!(out, format!("got \"Bearer {REDACTED}"), "{cut}");
        }
    }

    #[test]
    fn base64_fragments_do_not_depend_on_neighbours() {
        for prefix in ["", "a", "ab", "abc"] {
            for suffix in ["", "z", "zz"] {
                let blob = STANDARD.encode(format!("{prefix}{SECRET}{suffix}"));
                let out = Redactor::new([SECRET]).redact(&blob);
                assert!(out.contains(REDACTED), "{prefix}|{suffix}: {blob}");
            }
        }
    }

    #[test]
    fn leaves_other_text_alone() {
        let r = Redactor::new(["abc"]);
        assert_eq!(r.redact("xyz"), "xyz");
        assert_eq!(Redactor::default().redact("abc"), "abc");
    }

    #[rstest]
    #[case(&["run", "--token", "T0KEN"], &["T0KEN"])]
    #[case(&["run", "--token=T0KEN"], &["T0KEN"])]
    #[case(&["run", "--header", "X-Auth-Token: H3ADER"], &["H3ADER"])]
    #[case(&["run", "--header", "X-Auth-Token H3ADER"], &["H3ADER"])]
    #[case(&["run", "--header=H3ADER"], &["H3ADER"])]
    #[case(&["run", "--target", "https://us3r:P4SS@h/?token=Q7OKEN&n=1"], &["us3r", "P4SS", "Q7OKEN"])]
    #[case(&["diff", "--target", "mock", "--target", "https://u:P%40SS@h,token-file=/t"], &["P%40SS", "P@SS"])]
    #[case(&["run", "--target", "mock@1.33"], &[])]
    fn finds_secrets_on_command_lines(#[case] args: &[&str], #[case] expected: &[&str]) {
        let found = secrets_in_args(args.iter().map(OsString::from));
        assert_eq!(found.is_empty(), expected.is_empty(), "{found:?}");
        for e in expected {
            assert!(found.iter().any(|f| f == e), "{e} not in {found:?}");
        }
    }

    #[test]
    fn shows_urls_without_credentials() {
        assert_eq!(
            display_url("https://me:pw@h:6443/x?token=abc"),
            "https://me:[redacted]@h:6443/x?token=[redacted]"
        );
    }
}
