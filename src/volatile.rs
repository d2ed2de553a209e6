//! The volatile values inside a text that normalisation replaces: a uid, a
//! timestamp, a `resourceVersion` embedded in text (an object quoted in an
//! error message), the ServiceAccount token volume's random suffix and a
//! pointer's address in a Go `%#v` dump (`(*int64)(0xc0000a1b28)` in a refused
//! toleration, before 1.34: where the server's heap put it).
//!
//! [`VOLATILE`] defines them. Most texts are ASCII, and there a byte scan
//! finds the same matches (tested against the regex): the regex's lazy DFA,
//! with its Unicode classes, cost more to build and to search with captures
//! than all the rest of normalising. Pure: text in, text out.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// Every volatile pattern, in one alternation so a string is scanned once. No
/// two can match the same text, so one leftmost pass equals applying them one
/// after another.
static VOLATILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?<uid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
        r"|(?<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))",
        r#"|(?<rvkey>resourceVersion\\*"\s*:\s*\\*")(?<rv>\d+)"#,
        r"|(?<api>kube-api-access-)[a-z0-9]{5}\b",
        r"|(?<ptr>\)\(0x[0-9a-f]+\))",
    ))
    .expect("valid regex")
});

/// One volatile value found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volatile<'t> {
    Uid(&'t str),
    Timestamp,
    /// `key` is the text up to the number (`resourceVersion\":\"`), `rv` the number.
    ResourceVersion {
        key: &'t str,
        rv: &'t str,
    },
    TokenVolume,
    Pointer,
}

/// `text` with each volatile value replaced by what `f` makes of it, in order;
/// borrowed when it holds none.
pub fn replace<'t>(text: &'t str, mut f: impl FnMut(Volatile) -> String) -> Cow<'t, str> {
    if !text.is_ascii() {
        return VOLATILE.replace_all(text, |c: &regex::Captures| {
            let found = if let Some(uid) = c.name("uid") {
                Volatile::Uid(uid.as_str())
            } else if c.name("ts").is_some() {
                Volatile::Timestamp
            } else if let (Some(key), Some(rv)) = (c.name("rvkey"), c.name("rv")) {
                Volatile::ResourceVersion {
                    key: key.as_str(),
                    rv: rv.as_str(),
                }
            } else if c.name("ptr").is_some() {
                Volatile::Pointer
            } else {
                Volatile::TokenVolume
            };
            f(found)
        });
    }
    let bytes = text.as_bytes();
    let mut out = String::new();
    let (mut copied, mut at) = (0, 0);
    while at < bytes.len() {
        let Some((end, found)) = at_ascii(text, at) else {
            at += 1;
            continue;
        };
        out.push_str(&text[copied..at]);
        out.push_str(&f(found));
        (copied, at) = (end, end);
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The volatile value starting at byte `at` of ASCII `text`, and where it
/// ends: the alternatives of [`VOLATILE`] in its order, each as the regex
/// matches it there (on ASCII, `\d` is `[0-9]`, `\s` is `[\t\n\x0B\x0C\r ]`
/// and a word character `[0-9A-Za-z_]`).
fn at_ascii(text: &str, at: usize) -> Option<(usize, Volatile<'_>)> {
    let b = text.as_bytes();
    let hex = |i: usize| {
        b.get(i)
            .is_some_and(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
    };
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let is = |i: usize, c: u8| b.get(i) == Some(&c);
    let run = |from: usize, f: &dyn Fn(usize) -> bool| (from..).find(|&i| !f(i)).unwrap_or(from);
    let shape = |from: usize, pattern: &[u8], class: &dyn Fn(usize) -> bool| {
        (pattern.iter().enumerate()).all(|(k, p)| match p {
            b'#' => class(from + k),
            c => is(from + k, *c),
        })
    };
    match b[at] {
        b'0'..=b'9' | b'a'..=b'f' => {
            if shape(at, b"########-####-####-####-############", &hex) {
                return Some((at + 36, Volatile::Uid(&text[at..at + 36])));
            }
            if !shape(at, b"####-##-##T##:##:##", &digit) {
                return None;
            }
            let mut end = at + 19;
            if is(end, b'.') && digit(end + 1) {
                end = run(end + 1, &digit);
            }
            if is(end, b'Z') {
                Some((end + 1, Volatile::Timestamp))
            } else if (is(end, b'+') || is(end, b'-')) && shape(end + 1, b"##:##", &digit) {
                Some((end + 6, Volatile::Timestamp))
            } else {
                None
            }
        }
        b'r' if text[at..].starts_with("resourceVersion") => {
            let space = |i: usize| b.get(i).is_some_and(|c| matches!(c, b'\t'..=b'\r' | b' '));
            let backslash = |i: usize| is(i, b'\\');
            let quote = run(at + "resourceVersion".len(), &backslash);
            if !is(quote, b'"') {
                return None;
            }
            let colon = run(quote + 1, &space);
            if !is(colon, b':') {
                return None;
            }
            let quote = run(run(colon + 1, &space), &backslash);
            if !is(quote, b'"') || !digit(quote + 1) {
                return None;
            }
            let end = run(quote + 1, &digit);
            let (key, rv) = (&text[at..=quote], &text[quote + 1..end]);
            Some((end, Volatile::ResourceVersion { key, rv }))
        }
        b'k' if text[at..].starts_with("kube-api-access-") => {
            let suffix = |i: usize| {
                b.get(i)
                    .is_some_and(|c| matches!(c, b'a'..=b'z' | b'0'..=b'9'))
            };
            let end = at + "kube-api-access-".len() + 5;
            let word = |i: usize| {
                b.get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            };
            (shape(end - 5, b"#####", &suffix) && !word(end))
                .then_some((end, Volatile::TokenVolume))
        }
        b')' if text[at..].starts_with(")(0x") && hex(at + 4) => {
            let end = run(at + 4, &hex);
            is(end, b')').then_some((end + 1, Volatile::Pointer))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Each kind, with what it captured, as a distinct marker.
    fn marked(text: &str) -> String {
        replace(text, |v| format!("<{v:?}>")).into_owned()
    }

    /// What the regex alone makes of `text`.
    fn by_regex(text: &str) -> String {
        // A non-ASCII character that no pattern holds (not a word character,
        // a digit or a space) sends the text to the regex; it is taken out again.
        let marked = marked(&format!("{text}\u{2603}"));
        marked.strip_suffix('\u{2603}').unwrap().to_owned()
    }

    #[test]
    fn finds_each_kind() {
        let text = concat!(
            "uid 5f1c2a9e-6c1d-4b3b-9d1e-3a2b1c0d9e8f at 2026-11-24T10:00:00.5+02:00 ",
            r#"{\"resourceVersion\":\"42\"} kube-api-access-ab1c2 (*int64)(0xc0000a1b28)"#,
        );
        let expected = concat!(
            r#"uid <Uid("5f1c2a9e-6c1d-4b3b-9d1e-3a2b1c0d9e8f")> at <Timestamp> "#,
            r#"{\"<ResourceVersion { key: "resourceVersion\\\":\\\"", rv: "42" }>\"} <TokenVolume> (*int64<Pointer>"#,
        );
        assert_eq!(marked(text), expected);
        assert_eq!(by_regex(text), expected);
        assert!(matches!(
            replace("nothing here", |_| unreachable!()),
            Cow::Borrowed(_)
        ));
    }

    /// Texts made of the pieces of every pattern, and of what ends each early.
    fn text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "resourceVersion",
            "\\",
            "\"",
            ":",
            " ",
            "\t",
            "\u{b}",
            "\u{c}",
            "\r",
            "\n",
            "\u{1c}",
            "0",
            "1",
            "9",
            "12",
            "2026",
            "-",
            "T",
            "Z",
            "+",
            ".",
            "kube-api-access-",
            "ab1c2",
            "x",
            "_",
            "A",
            ")(0x",
            ")",
            "(",
            "a",
            "f",
            "g",
            "0a1b2c3d",
            "-4e5f",
            "-9abc",
            "5f1c2a9e-6c1d-4b3b-9d1e-3a2b1c0d9e8f",
            "2026-11-24T10:00:00",
            ".123",
            "+02:00",
            "5F1C2A9E-6C1D-4B3B-9D1E-3A2B1C0D9E8F",
        ]);
        let piece = prop_oneof![pieces.prop_map(str::to_owned), embedded_rv()];
        prop::collection::vec(piece, 0..14).prop_map(|p| p.concat())
    }

    /// An embedded resourceVersion, whole or broken off anywhere.
    fn embedded_rv() -> impl Strategy<Value = String> {
        let space = || {
            prop::collection::vec(
                prop::sample::select(vec![" ", "\t", "\u{b}", "\u{c}", "\r", "\n", "\u{1c}", "x"]),
                0..3,
            )
        };
        let slashes = || prop::collection::vec(Just("\\"), 0..3);
        (
            slashes(),
            space(),
            space(),
            slashes(),
            prop::sample::select(vec!["", "7", "42"]),
            0..8usize,
        )
            .prop_map(|(s1, w1, w2, s2, digits, cut)| {
                let whole = format!(
                    "resourceVersion{}\"{}:{}{}\"{digits}",
                    s1.concat(),
                    w1.concat(),
                    w2.concat(),
                    s2.concat()
                );
                let parts: Vec<&str> = whole.split_inclusive(['"', ':']).collect();
                parts[..parts.len().min(cut)].concat()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]
        /// On ASCII text the scan finds what the regex finds.
        #[test]
        fn scans_ascii_as_the_regex_matches(text in text()) {
            prop_assert_eq!(marked(&text), by_regex(&text));
        }
    }
}
