//! Query-string handling: Go `url.ParseQuery`-style decoding into repeated
//! parameters, the `PatchOptions`/`CreateOptions` fields with Go's
//! conversion rules (`force=false`/`0` is false, anything else true), their
//! validation as `ValidatePatchOptions` words it, and the `pretty` decision
//! (explicit parameter, else the User-Agent). Go: `net/url` `ParseQuery`,
//! `metav1.PatchOptions`/`CreateOptions` with their query conversion, and
//! `pkg/apis/meta/v1/validation` (`ValidatePatchOptions`, `ValidateCreateOptions`),
//! `handlers/rest.go`'s `isPrettyPrint`.
//!
//! It must not look at bodies or objects.

use serde_json::{Value, json};

use crate::api::status::Status;
use crate::validation::field::FieldError;

/// Decoded query parameters, in order, repeated keys kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(pub Vec<(String, String)>);

/// Go's `url.QueryUnescape` (`+` is a space) or, with `query` false,
/// `url.PathUnescape`: `%XX` is a byte; a `%` without two hex digits after
/// it fails.
pub fn go_unescape(s: &str, query: bool) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if query => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    go_unescape(s, true).map(|b| String::from_utf8_lossy(&b).into_owned())
}

impl Query {
    /// Parses a raw query string (without `?`).
    pub fn parse(raw: Option<&str>) -> Self {
        let Some(raw) = raw else {
            return Self::default();
        };
        // `url.ParseQuery` (what `req.URL.Query()` uses): pairs split on
        // `&` only; a pair holding a `;` or a bad escape is skipped.
        Self(
            raw.split('&')
                .filter(|part| !part.is_empty() && !part.contains(';'))
                .filter_map(|part| {
                    let (k, v) = part.split_once('=').unwrap_or((part, ""));
                    Some((percent_decode(k)?, percent_decode(v)?))
                })
                .collect(),
        )
    }

    /// All values of `key`.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of `key` (Go's `Values.Get`), if present.
    pub fn first(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether output should be indented: a non-empty `pretty` decides via
    /// `strconv.ParseBool`; otherwise curl, Wget and browsers get it.
    pub fn pretty(&self, user_agent: &str) -> bool {
        if let Some(p) = self.first("pretty")
            && !p.is_empty()
        {
            return matches!(p, "1" | "t" | "T" | "true" | "TRUE" | "True");
        }
        user_agent.starts_with("curl")
            || user_agent.starts_with("Wget")
            || user_agent.starts_with("Mozilla/5.0")
    }
}

/// `fieldValidation` directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValidation {
    /// Drop unknown fields silently.
    Ignore,
    /// Drop them and send `Warning` headers (the default).
    Warn,
    /// Fail the request.
    Strict,
}

/// The options of a write request (`PatchOptions` / `CreateOptions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// `dryRun` values.
    pub dry_run: Vec<String>,
    /// `force`, when present.
    pub force: Option<bool>,
    /// `fieldManager` (may be empty).
    pub field_manager: String,
    /// The raw `fieldValidation` value.
    pub field_validation_raw: String,
}

impl WriteOptions {
    /// Reads the options from the query.
    pub fn from_query(q: &Query) -> Self {
        Self {
            dry_run: q.all("dryRun").into_iter().map(str::to_string).collect(),
            force: q
                .first("force")
                .map(|v| !matches!(v.to_ascii_lowercase().as_str(), "false" | "0")),
            field_manager: q.first("fieldManager").unwrap_or("").to_string(),
            field_validation_raw: q.first("fieldValidation").unwrap_or("").to_string(),
        }
    }

    /// Whether nothing may be written.
    pub fn is_dry_run(&self) -> bool {
        !self.dry_run.is_empty()
    }

    /// The effective directive (default Warn).
    pub fn field_validation(&self) -> FieldValidation {
        match self.field_validation_raw.as_str() {
            "Ignore" => FieldValidation::Ignore,
            "Strict" => FieldValidation::Strict,
            _ => FieldValidation::Warn,
        }
    }

    /// The manager name: `fieldManager`, else the User-Agent up to its
    /// first `/`, else `unknown`.
    pub fn manager(&self, user_agent: &str) -> String {
        if !self.field_manager.is_empty() {
            return self.field_manager.clone();
        }
        let ua = user_agent.split('/').next().unwrap_or("");
        if ua.is_empty() {
            return "unknown".to_string();
        }
        // Managers are capped at 128 bytes.
        let mut end = ua.len().min(128);
        while !ua.is_char_boundary(end) {
            end -= 1;
        }
        ua[..end].to_string()
    }

    /// `ValidatePatchOptions` (`apply` for apply patches) or
    /// `ValidateCreateOptions` (`kind` = `CreateOptions`).
    pub fn validate(&self, kind: &str, apply: bool) -> Result<(), Status> {
        let mut errs = Vec::new();
        if kind == "PatchOptions" {
            if !apply {
                if self.force.is_some() {
                    errs.push(FieldError::forbidden(
                        "force",
                        "may not be specified for non-apply patch",
                    ));
                }
            } else if self.field_manager.is_empty() {
                errs.push(FieldError::required(
                    "fieldManager",
                    "is required for apply patch",
                ));
            }
        }
        if self.field_manager.len() > 128 {
            errs.push(FieldError::too_long("fieldManager", 128));
        }
        for (i, c) in self.field_manager.char_indices() {
            // `unicode.IsPrint`, as `ValidateFieldManager` checks each rune.
            if !crate::golang::format::go_is_print(c) {
                errs.push(FieldError::invalid(
                    "fieldManager",
                    json!(self.field_manager),
                    format!("invalid character U+{:04X} (at position {i})", c as u32),
                ));
            }
        }
        if self.dry_run.iter().any(|v| v != "All") {
            errs.push(FieldError::not_supported(
                "dryRun",
                Value::from(self.dry_run.clone()),
                &["All"],
            ));
        }
        if !["", "Ignore", "Warn", "Strict"].contains(&self.field_validation_raw.as_str()) {
            errs.push(FieldError::not_supported(
                "fieldValidation",
                json!(self.field_validation_raw),
                &["", "Ignore", "Strict", "Warn"],
            ));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(Status::invalid("meta.k8s.io", kind, "", &errs))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn opts(q: &str) -> WriteOptions {
        WriteOptions::from_query(&Query::parse(Some(q)))
    }

    #[rstest]
    #[case(
        "force=false",
        false,
        "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch"
    )]
    #[case(
        "",
        true,
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
    )]
    #[case(
        "dryRun=true",
        false,
        "PatchOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: [\"true\"]: supported values: \"All\""
    )]
    #[case(
        "fieldValidation=bogus",
        false,
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"bogus\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\""
    )]
    #[case(
        "fieldManager=a%09b",
        false,
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Invalid value: \"a\\tb\": invalid character U+0009 (at position 1)"
    )]
    fn invalid_options(#[case] q: &str, #[case] apply: bool, #[case] message: &str) {
        let err = opts(q)
            .validate("PatchOptions", apply)
            .expect_err("invalid");
        assert_eq!(err.code, 422);
        assert_eq!(err.message, message);
    }

    #[rstest]
    #[case("force", Some(true))]
    #[case("force=", Some(true))]
    #[case("force=0", Some(false))]
    #[case("force=FALSE", Some(false))]
    #[case("x=1", None)]
    fn force_conversion(#[case] q: &str, #[case] force: Option<bool>) {
        assert_eq!(opts(q).force, force);
    }

    #[rstest]
    #[case("pretty=true", "", true)]
    #[case("pretty=1", "", true)]
    #[case("pretty=false", "curl/8.0", false)]
    #[case("pretty=bogus", "curl/8.0", false)]
    #[case("", "curl/8.0", true)]
    #[case("", "Mozilla/5.0 (X11)", true)]
    #[case("", "kubectl/v1.36", false)]
    fn pretty(#[case] q: &str, #[case] ua: &str, #[case] expected: bool) {
        assert_eq!(Query::parse(Some(q)).pretty(ua), expected);
    }

    #[test]
    fn manager_from_user_agent() {
        assert_eq!(opts("").manager("kubectl/v1.36 (linux)"), "kubectl");
        assert_eq!(opts("fieldManager=me").manager("curl/8"), "me");
    }

    #[rstest]
    #[case("fieldManager=a%zzb&dryRun=All", &[("dryRun", "All")])]
    #[case("fieldManager=a;dryRun=All&pretty=1", &[("pretty", "1")])]
    #[case("fieldManager=a+b%21&x", &[("fieldManager", "a b!"), ("x", "")])]
    #[case("a=%4", &[])]
    fn parse_query_like_go(#[case] raw: &str, #[case] want: &[(&str, &str)]) {
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(Query::parse(Some(raw)).0, want);
    }
}
