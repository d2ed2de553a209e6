//! A port of Go's `encoding/json` syntax checker (`scanner.go`,
//! `checkValid`), so that undecodable bodies get the exact texts
//! kube-apiserver returns (`invalid character 'o' in literal null (expecting
//! 'u')`, `unexpected end of JSON input`, `invalid character '[' exceeded max
//! depth` past `maxNestingDepth`), together with the duplicate object keys
//! the strict decoder of sigs.k8s.io/json reports (`duplicate field
//! "<path>"`). It reads bytes only: it builds no values and must not type
//! them.

use std::borrow::Cow;
use std::collections::HashSet;

/// Go's `maxNestingDepth` (encoding/json/scanner.go).
const MAX_DEPTH: usize = 10_000;

/// What [`check`] found: the duplicate keys' paths, or Go's `SyntaxError`
/// text. A request's body is checked once and the result handed on.
pub type Syntax = Result<Vec<String>, String>;

/// Checks `data` as one JSON document. `Err` holds Go's `SyntaxError` text.
/// `Ok` lists the paths of duplicate object keys. Iterative, so hostile
/// nesting cannot exhaust the stack.
pub fn check(data: &[u8]) -> Syntax {
    let mut p = Parser {
        data,
        pos: 0,
        duplicates: Vec::new(),
        keys: Vec::new(),
    };
    p.document()?;
    Ok(p.duplicates)
}

/// Go's `quoteChar`.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            let ch = char::from(c);
            let quoted = crate::golang::format::go_quote(&ch.to_string());
            format!("'{}'", &quoted[1..quoted.len() - 1])
        }
    }
}

const EOF: &str = "unexpected end of JSON input";

/// An open container while scanning. Paths are not kept per level (that
/// would cost the square of the nesting depth): an object learns its own
/// path only when it first holds a duplicate key.
enum Frame<'a> {
    Object {
        /// Where its keys start in the parser's `keys`, while few.
        start: usize,
        /// Its keys once many, hashed so that wide objects stay linear.
        many: Option<HashSet<Cow<'a, str>>>,
        /// The key whose value is being read.
        current: Cow<'a, str>,
        /// This object's own path, once a duplicate asked for it.
        path: Option<String>,
    },
    Array {
        /// The index of the element being read.
        index: usize,
    },
}

/// Past this many keys an object's keys are hashed; below, comparing them
/// one by one is cheaper (most objects hold a few).
const FEW_KEYS: usize = 16;

impl<'a> Frame<'a> {
    fn object(start: usize) -> Self {
        Frame::Object {
            start,
            many: None,
            current: Cow::Borrowed(""),
            path: None,
        }
    }
}

/// Adds `key` to the innermost object's keys (the tail of `keys` from
/// `start`, or `many`); false when the object already held it. The open
/// objects' keys share one list, so an object costs no allocation of its own.
fn insert_key<'a>(
    keys: &mut Vec<Cow<'a, str>>,
    start: usize,
    many: &mut Option<HashSet<Cow<'a, str>>>,
    key: Cow<'a, str>,
) -> bool {
    if let Some(many) = many {
        return many.insert(key);
    }
    if keys[start..].contains(&key) {
        return false;
    }
    keys.push(key);
    if keys.len() - start > FEW_KEYS {
        *many = Some(keys.drain(start..).collect());
    }
    true
}

/// The path of the key just read into `innermost` (`spec.containers[0].name`,
/// the strict decoder's form), the containers of `outer` leading to it.
fn duplicate_path(outer: &[Frame<'_>], innermost: &mut Frame<'_>) -> String {
    let Frame::Object { current, path, .. } = innermost else {
        return String::new();
    };
    let own = path.get_or_insert_with(|| {
        let mut at = String::new();
        for frame in outer {
            match frame {
                Frame::Object { current, .. } => join_key(&mut at, current),
                Frame::Array { index } => at.push_str(&format!("[{index}]")),
            }
        }
        at
    });
    let mut full = own.clone();
    join_key(&mut full, current);
    full
}

/// Appends `key` to the dotted path `at`.
fn join_key(at: &mut String, key: &str) {
    if !at.is_empty() {
        at.push('.');
    }
    at.push_str(key);
}

/// Where the first byte that may end a string or be wrong in it (a quote, a
/// backslash, a control character) is in `bytes`. Strings run to megabytes
/// (the size-limit cases): `memchr` finds the quote or backslash and the
/// smallest byte before it tells whether a control character came first,
/// each a vectorised pass where a test per byte was not.
fn special_at(bytes: &[u8]) -> Option<usize> {
    let end = memchr::memchr2(b'"', b'\\', bytes);
    let plain = &bytes[..end.unwrap_or(bytes.len())];
    if plain.iter().min().is_some_and(|&b| b < 0x20) {
        return plain.iter().position(|&b| b < 0x20);
    }
    end
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    duplicates: Vec<String>,
    /// The keys of the open objects that hold few (see `insert_key`).
    keys: Vec<Cow<'a, str>>,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn next_or_eof(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or_else(|| EOF.to_string())?;
        self.pos += 1;
        Ok(c)
    }

    fn document(&mut self) -> Result<(), String> {
        enum Next {
            Value,
            Key,
            AfterValue,
        }
        let mut stack: Vec<Frame<'a>> = Vec::new();
        let mut next = Next::Value;
        loop {
            self.skip_ws();
            next = match next {
                Next::Value => {
                    let c = self.next_or_eof()?;
                    match c {
                        b'{' | b'[' => {
                            if stack.len() >= MAX_DEPTH {
                                return Err(format!(
                                    "invalid character {} exceeded max depth",
                                    quote_char(c)
                                ));
                            }
                            self.skip_ws();
                            let close = if c == b'{' { b'}' } else { b']' };
                            if self.peek() == Some(close) {
                                self.pos += 1;
                                Next::AfterValue
                            } else if c == b'{' {
                                stack.push(Frame::object(self.keys.len()));
                                Next::Key
                            } else {
                                stack.push(Frame::Array { index: 0 });
                                Next::Value
                            }
                        }
                        b'"' => {
                            self.string()?;
                            Next::AfterValue
                        }
                        b'-' | b'0'..=b'9' => {
                            self.number(c)?;
                            Next::AfterValue
                        }
                        b't' => {
                            self.literal(b"true")?;
                            Next::AfterValue
                        }
                        b'f' => {
                            self.literal(b"false")?;
                            Next::AfterValue
                        }
                        b'n' => {
                            self.literal(b"null")?;
                            Next::AfterValue
                        }
                        other => {
                            return Err(format!(
                                "invalid character {} looking for beginning of value",
                                quote_char(other)
                            ));
                        }
                    }
                }
                Next::Key => {
                    let c = self.next_or_eof()?;
                    if c != b'"' {
                        return Err(format!(
                            "invalid character {} looking for beginning of object key string",
                            quote_char(c)
                        ));
                    }
                    let key = self.key()?;
                    let Some((innermost, outer)) = stack.split_last_mut() else {
                        return Err(EOF.to_string());
                    };
                    let Frame::Object {
                        start,
                        many,
                        current,
                        ..
                    } = &mut *innermost
                    else {
                        return Err(EOF.to_string());
                    };
                    *current = key.clone();
                    let fresh = insert_key(&mut self.keys, *start, many, key);
                    if !fresh {
                        self.duplicates.push(duplicate_path(outer, innermost));
                    }
                    self.skip_ws();
                    let c = self.next_or_eof()?;
                    if c != b':' {
                        return Err(format!(
                            "invalid character {} after object key",
                            quote_char(c)
                        ));
                    }
                    Next::Value
                }
                Next::AfterValue => match stack.last_mut() {
                    None => {
                        if let Some(&c) = self.data.get(self.pos) {
                            return Err(format!(
                                "invalid character {} after top-level value",
                                quote_char(c)
                            ));
                        }
                        return Ok(());
                    }
                    Some(Frame::Object { start, .. }) => match self.next_or_eof()? {
                        b',' => Next::Key,
                        b'}' => {
                            self.keys.truncate(*start);
                            stack.pop();
                            Next::AfterValue
                        }
                        other => {
                            return Err(format!(
                                "invalid character {} after object key:value pair",
                                quote_char(other)
                            ));
                        }
                    },
                    Some(Frame::Array { index }) => match self.next_or_eof()? {
                        b',' => {
                            *index += 1;
                            Next::Value
                        }
                        b']' => {
                            stack.pop();
                            Next::AfterValue
                        }
                        other => {
                            return Err(format!(
                                "invalid character {} after array element",
                                quote_char(other)
                            ));
                        }
                    },
                },
            };
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), String> {
        let name = String::from_utf8_lossy(word).into_owned();
        for &expected in &word[1..] {
            let c = self.next_or_eof()?;
            if c != expected {
                return Err(format!(
                    "invalid character {} in literal {name} (expecting {})",
                    quote_char(c),
                    quote_char(expected)
                ));
            }
        }
        Ok(())
    }

    fn number(&mut self, first: u8) -> Result<(), String> {
        let mut c = first;
        if c == b'-' {
            c = self.next_or_eof()?;
            if !c.is_ascii_digit() {
                return Err(format!(
                    "invalid character {} in numeric literal",
                    quote_char(c)
                ));
            }
        }
        if c != b'0' {
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let d = self.next_or_eof()?;
            if !d.is_ascii_digit() {
                return Err(format!(
                    "invalid character {} after decimal point in numeric literal",
                    quote_char(d)
                ));
            }
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            let mut d = self.next_or_eof()?;
            if d == b'+' || d == b'-' {
                d = self.next_or_eof()?;
            }
            if !d.is_ascii_digit() {
                return Err(format!(
                    "invalid character {} in exponent of numeric literal",
                    quote_char(d)
                ));
            }
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        Ok(())
    }

    /// Scans an object key after its opening quote; returns its text, as
    /// borrowed from the body when it holds no escape.
    fn key(&mut self) -> Result<Cow<'a, str>, String> {
        let start = self.pos;
        let escaped = self.string()?;
        let raw = &self.data[start..self.pos - 1];
        if !escaped && let Ok(text) = std::str::from_utf8(raw) {
            return Ok(Cow::Borrowed(text));
        }
        let text = serde_json::from_slice::<String>(&self.data[start - 1..self.pos])
            .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned());
        Ok(Cow::Owned(text))
    }

    /// Scans a string after its opening quote; true when it held an escape.
    fn string(&mut self) -> Result<bool, String> {
        let mut escaped = false;
        loop {
            self.pos = special_at(&self.data[self.pos..]).map_or(self.data.len(), |n| self.pos + n);
            let c = self.next_or_eof()?;
            match c {
                b'"' => return Ok(escaped),
                b'\\' => {
                    escaped = true;
                    let e = self.next_or_eof()?;
                    match e {
                        b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {}
                        b'u' => {
                            for _ in 0..4 {
                                let h = self.next_or_eof()?;
                                if !h.is_ascii_hexdigit() {
                                    return Err(format!(
                                        "invalid character {} in \\u hexadecimal character escape",
                                        quote_char(h)
                                    ));
                                }
                            }
                        }
                        other => {
                            return Err(format!(
                                "invalid character {} in string escape code",
                                quote_char(other)
                            ));
                        }
                    }
                }
                c if c < 0x20 => {
                    return Err(format!(
                        "invalid character {} in string literal",
                        quote_char(c)
                    ));
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("not json", "invalid character 'o' in literal null (expecting 'u')")]
    #[case("", "unexpected end of JSON input")]
    #[case("{", "unexpected end of JSON input")]
    #[case("{\"a\" 1}", "invalid character '1' after object key")]
    #[case(
        "{\"a\":1 \"b\"}",
        "invalid character '\"' after object key:value pair"
    )]
    #[case("[1 2]", "invalid character '2' after array element")]
    #[case(
        "{a:1}",
        "invalid character 'a' looking for beginning of object key string"
    )]
    #[case("xyz", "invalid character 'x' looking for beginning of value")]
    #[case("{} x", "invalid character 'x' after top-level value")]
    #[case("[tru]", "invalid character ']' in literal true (expecting 'e')")]
    #[case("1.x", "invalid character 'x' after decimal point in numeric literal")]
    #[case("\"a\tb\"", "invalid character '\\t' in string literal")]
    #[case("'x'", "invalid character '\\'' looking for beginning of value")]
    fn syntax_errors(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(check(input.as_bytes()), Err(expected.to_string()));
    }

    #[test]
    fn duplicates_found() {
        assert_eq!(
            check(br#"{"spec":{"a":1,"a":2},"x":[{"k":1,"k":2}]}"#),
            Ok(vec!["spec.a".to_string(), "x[0].k".to_string()])
        );
    }

    #[rstest]
    #[case(&format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)), Ok(Vec::new()))]
    #[case(&"[".repeat(10_000), Err(EOF.to_string()))]
    #[case(&"[".repeat(10_001), Err("invalid character '[' exceeded max depth".to_string()))]
    #[case(&format!("{}1{}", r#"{"a":"#.repeat(10_001), "}".repeat(10_001)), Err("invalid character '{' exceeded max depth".to_string()))]
    fn nesting_is_limited_as_go_limits_it(
        #[case] body: &str,
        #[case] want: Result<Vec<String>, String>,
    ) {
        assert_eq!(check(body.as_bytes()), want);
    }

    #[test]
    fn duplicates_deep_inside_are_found() {
        let body = r#"{"a":[{"b":{"a":[{"b":{"k":1,"k":2}}]}}]}"#;
        assert_eq!(
            check(body.as_bytes()),
            Ok(vec!["a[0].b.a[0].b.k".to_string()])
        );
    }

    #[test]
    fn linear_in_the_body() {
        use std::time::{Duration, Instant};
        // 1 MiB bodies (3 MiB is the server's limit; debug builds are
        // slow): nested to the limit then wide, past the limit, wide, and
        // with duplicate keys deep down (each reported with its whole path,
        // as Go does).
        let wide: String = (0..100_000).map(|i| format!(r#""k{i}":1,"#)).collect();
        let bodies = [
            format!("{}{}", "[".repeat(9_999), "1,".repeat(500_000)),
            "[".repeat(1 << 20),
            format!("{{{wide}\"z\":1}}"),
            format!("{}{}", r#"{"a":"#.repeat(9_000), r#"{"b":1,"b":1}"#),
        ];
        for body in &bodies {
            let start = Instant::now();
            let _ = check(body.as_bytes());
            let took = start.elapsed();
            assert!(
                took < Duration::from_secs(2),
                "{} bytes: {took:?}",
                body.len()
            );
        }
    }
}
