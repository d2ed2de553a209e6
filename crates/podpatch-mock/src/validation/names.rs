//! The name and value formats of apimachinery's
//! `pkg/util/validation/validation.go`: `IsDNS1123Label`,
//! `IsDNS1123Subdomain`, `IsQualifiedName`, `IsValidLabelValue` and
//! `RegexError`, with their 1.35+ wording (lengths in bytes for label keys
//! and values, in characters for object names) or the older one (characters
//! throughout). They return messages, not field errors, and know nothing of
//! objects.

use crate::version::Version;

const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const QNAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

/// `validation.RegexError`: the message, examples and regex, joined with
/// Go's peculiar double spaces.
pub fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let mut out = format!("{msg} (e.g. ");
    for (i, example) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push_str(&format!("'{example}', "));
    }
    out.push_str(&format!("regex used for validation is '{fmt}')"));
    out
}

// The formats below allow ASCII only, so they are matched on bytes: a
// non-ASCII character's bytes are all non-ASCII and fail as it would (a
// name is checked on every label, annotation and toleration key of every
// update, and walking `chars()` cost three times as much).

fn matches_qname(s: &str) -> bool {
    // ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
    let b = s.as_bytes();
    b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn matches_dns_label(b: &[u8]) -> bool {
    let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    b.first().is_some_and(alnum)
        && b.last().is_some_and(alnum)
        && b.iter().all(|c| alnum(c) || *c == b'-')
}

/// Whether every dot-separated part of `s` is a DNS label.
fn matches_dns_labels(s: &str) -> bool {
    s.as_bytes().split(|c| *c == b'.').all(matches_dns_label)
}

/// `IsDNS1123Label`.
pub fn dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    let label = matches_dns_label(s.as_bytes());
    if !label && matches_dns_labels(s) {
        // A valid subdomain that is no label can only be one with dots.
        errs.push("must not contain dots".to_string());
    } else if !label {
        errs.push(regex_error(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            DNS1123_LABEL_FMT,
            &["my-name", "123-abc"],
        ));
    }
    errs
}

/// `IsDNS1123Subdomain` from `k8s.io/apimachinery/pkg/util/validation`
/// (object names), which still words its length limit in characters.
pub fn dns1123_subdomain(s: &str) -> Vec<String> {
    subdomain(s, "characters")
}

/// `IsDNS1123Subdomain`, with the length limit worded in `unit`: the
/// `api/validate/content` copy behind label-key prefixes says "bytes" since
/// 1.35, the older `util/validation` one still says "characters".
fn subdomain(s: &str, unit: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push(format!("must be no more than 253 {unit}"));
    }
    if !matches_dns_labels(s) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `IsQualifiedName` (label keys, annotation keys, finalizers): from 1.35
/// `content.IsLabelKey`, which names it "a valid label key" and counts
/// bytes; before, "a qualified name" of so many characters.
pub fn qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    // The wording is read only for a message or a prefix: most keys are
    // valid and unprefixed.
    let wording = || {
        if Version::current().words_limits_in_bytes() {
            ("a valid label key", "bytes")
        } else {
            ("a qualified name", "characters")
        }
    };
    let name = match value.split_once('/') {
        None => value,
        Some((prefix, name)) if !name.contains('/') => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(
                    subdomain(prefix, wording().1)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            name
        }
        _ => {
            errs.push(format!(
                "{} {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                wording().0,
                regex_error(
                    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                    QNAME_FMT,
                    &["MyName", "my.name", "123-abc"],
                )
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push(format!("name part must be no more than 63 {}", wording().1));
    }
    if !matches_qname(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                QNAME_FMT,
                &["MyName", "my.name", "123-abc"],
            )
        ));
    }
    errs
}

/// `IsValidLabelValue`.
pub fn label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        let unit = if Version::current().words_limits_in_bytes() {
            "bytes"
        } else {
            "characters"
        };
        errs.push(format!("must be no more than 63 {unit}"));
    }
    if !value.is_empty() && !matches_qname(value) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("app", 0)]
    #[case("example.com/app", 0)]
    #[case("a/b/c", 1)]
    #[case("-bad", 1)]
    #[case("/x", 1)]
    #[case("Bad_Prefix/x", 1)]
    #[case::non_ascii_name("caf\u{e9}", 1)]
    #[case::non_ascii_last("cafe\u{301}", 1)]
    #[case::non_ascii_prefix("\u{e9}xample.com/app", 1)]
    #[case::empty_prefix_label("example..com/app", 1)]
    fn label_keys(#[case] key: &str, #[case] n: usize) {
        assert_eq!(qualified_name(key).len(), n, "{key}");
    }

    #[rstest]
    #[case::label_key_prefix_in_bytes(
        &format!("{}.com/x", "a".repeat(250)),
        "prefix part must be no more than 253 bytes"
    )]
    #[case::label_key_name_in_bytes(&"a".repeat(64), "name part must be no more than 63 bytes")]
    fn length_limits_say_bytes(#[case] key: &str, #[case] want: &str) {
        assert_eq!(qualified_name(key), vec![want.to_string()]);
    }

    /// The byte-wise matchers refuse what Go's ASCII regexes refuse.
    #[rstest]
    #[case("my-name", true, true)]
    #[case("a.b", false, true)]
    #[case("\u{e9}t\u{e9}", false, false)]
    #[case("a\u{e9}", false, false)]
    #[case("a.\u{e9}", false, false)]
    #[case("", false, false)]
    #[case("a..b", false, false)]
    fn dns_names_are_ascii(#[case] name: &str, #[case] label: bool, #[case] subdomain: bool) {
        assert_eq!(dns1123_label(name).is_empty(), label, "{name}");
        assert_eq!(dns1123_subdomain(name).is_empty(), subdomain, "{name}");
    }

    #[rstest]
    #[case("", true)]
    #[case("v1.2_3-a", true)]
    #[case("\u{e9}", false)]
    #[case("a\u{e9}b", false)]
    #[case("-a", false)]
    fn label_values_are_ascii(#[case] value: &str, #[case] ok: bool) {
        assert_eq!(label_value(value).is_empty(), ok, "{value}");
    }

    /// The wording, read only for a message, still follows the version.
    #[test]
    fn label_key_wording_before_1_35() {
        let v34 = Version::new(34).unwrap();
        let too_long = v34.run(|| qualified_name(&"a".repeat(64)));
        assert_eq!(too_long, ["name part must be no more than 63 characters"]);
        let slashes = v34.run(|| qualified_name("a/b/c"));
        assert!(
            slashes[0].starts_with("a qualified name must consist"),
            "{slashes:?}"
        );
        let prefix = v34.run(|| qualified_name(&format!("{}.com/x", "a".repeat(250))));
        assert_eq!(prefix, ["prefix part must be no more than 253 characters"]);
    }

    #[test]
    fn object_names_still_say_characters() {
        assert_eq!(
            dns1123_subdomain(&"a".repeat(254)),
            vec!["must be no more than 253 characters".to_string()]
        );
    }
}
