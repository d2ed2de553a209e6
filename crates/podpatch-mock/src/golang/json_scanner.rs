//! A port of Go's `encoding/json` syntax checker (`scanner.go`,
//! `checkValid`), so that undecodable bodies get the exact texts
//! kube-apiserver returns (`invalid character 'o' in literal null (expecting
//! 'u')`, `unexpected end of JSON input`, `invalid character '[' exceeded max
//! depth` past `maxNestingDepth`), together with the duplicate object keys
//! the strict decoder of sigs.k8s.io/json reports (`duplicate field
//! "<path>"`). It reads bytes only: it builds no values and must not type
//! them.

/// Go's `maxNestingDepth`.
const MAX_DEPTH: usize = 10_000;

/// Checks `data` as one JSON document. `Err` holds Go's `SyntaxError` text.
/// `Ok` lists the paths of duplicate object keys. Iterative, so hostile
/// nesting cannot exhaust the stack.
pub fn check(data: &[u8]) -> Result<Vec<String>, String> {
    let mut p = Parser {
        data,
        pos: 0,
        duplicates: Vec::new(),
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

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    duplicates: Vec<String>,
}

impl Parser<'_> {
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
        enum Frame {
            Object { keys: Vec<String>, path: String },
            Array { index: usize, path: String },
        }
        enum Next {
            Value(String),
            Key,
            AfterValue,
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut next = Next::Value(String::new());
        loop {
            self.skip_ws();
            next = match next {
                Next::Value(path) => {
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
                                stack.push(Frame::Object {
                                    keys: Vec::new(),
                                    path,
                                });
                                Next::Key
                            } else {
                                let child = format!("{path}[0]");
                                stack.push(Frame::Array { index: 0, path });
                                Next::Value(child)
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
                    let key = self.string()?;
                    let Some(Frame::Object { keys, path }) = stack.last_mut() else {
                        return Err(EOF.to_string());
                    };
                    let child = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    if keys.contains(&key) {
                        self.duplicates.push(child.clone());
                    } else {
                        keys.push(key);
                    }
                    self.skip_ws();
                    let c = self.next_or_eof()?;
                    if c != b':' {
                        return Err(format!(
                            "invalid character {} after object key",
                            quote_char(c)
                        ));
                    }
                    Next::Value(child)
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
                    Some(Frame::Object { .. }) => match self.next_or_eof()? {
                        b',' => Next::Key,
                        b'}' => {
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
                    Some(Frame::Array { index, path }) => match self.next_or_eof()? {
                        b',' => {
                            *index += 1;
                            Next::Value(format!("{path}[{index}]"))
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

    /// Scans a string after its opening quote; returns its raw contents.
    fn string(&mut self) -> Result<String, String> {
        let start = self.pos;
        loop {
            let c = self.next_or_eof()?;
            match c {
                b'"' => {
                    let raw = &self.data[start..self.pos - 1];
                    let text = serde_json::from_slice::<String>(&self.data[start - 1..self.pos])
                        .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned());
                    return Ok(text);
                }
                b'\\' => {
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
}
