//! A port of Go `encoding/json`'s syntax checker (`scanner.go`), so that
//! undecodable bodies get the exact texts kube-apiserver returns (`invalid
//! character 'o' in literal null (expecting 'u')`, `unexpected end of JSON
//! input`, …), plus detection of duplicate object keys, which the strict
//! decoder reports as `duplicate field "<path>"`.
//!
//! It only checks syntax; parsing into values is serde_json's job once the
//! text is known to be valid.

/// Checks `data` as one JSON document. `Err` holds Go's `SyntaxError` text.
pub fn check(data: &[u8]) -> Result<Vec<String>, String> {
    let mut p = Parser {
        data,
        pos: 0,
        duplicates: Vec::new(),
    };
    p.skip_ws();
    p.value("")?;
    p.skip_ws();
    if let Some(&c) = p.data.get(p.pos) {
        return Err(format!(
            "invalid character {} after top-level value",
            quote_char(c)
        ));
    }
    Ok(p.duplicates)
}

/// Rewrites a libyaml error as serde_yaml_ng prints it (`<problem> at line
/// L column C, while parsing …`) the way go-yaml does (`yaml: line N:
/// <problem>`): go-yaml reports the 0-based line of a parser error's mark,
/// and the 1-based line for scanner errors.
pub fn yaml_error(serde_message: &str) -> String {
    let (problem, rest) = match serde_message.split_once(" at line ") {
        Some((p, r)) => (p, r),
        None => return format!("yaml: {serde_message}"),
    };
    let line: usize = rest
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let line = if rest.contains("while scanning") {
        line
    } else {
        line.saturating_sub(1)
    };
    if line == 0 {
        format!("yaml: {problem}")
    } else {
        format!("yaml: line {line}: {problem}")
    }
}

/// Go's `quoteChar`.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            let ch = char::from(c);
            let quoted = super::field::go_quote(&ch.to_string());
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

    fn value(&mut self, path: &str) -> Result<(), String> {
        let c = self.next_or_eof()?;
        match c {
            b'{' => self.object(path),
            b'[' => self.array(path),
            b'"' => self.string().map(|_| ()),
            b'-' | b'0'..=b'9' => self.number(c),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            other => Err(format!(
                "invalid character {} looking for beginning of value",
                quote_char(other)
            )),
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

    fn object(&mut self, path: &str) -> Result<(), String> {
        let mut keys: Vec<String> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            let c = self.next_or_eof()?;
            if c != b'"' {
                return Err(format!(
                    "invalid character {} looking for beginning of object key string",
                    quote_char(c)
                ));
            }
            let key = self.string()?;
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
            self.skip_ws();
            self.value(&child)?;
            self.skip_ws();
            match self.next_or_eof()? {
                b',' => continue,
                b'}' => return Ok(()),
                other => {
                    return Err(format!(
                        "invalid character {} after object key:value pair",
                        quote_char(other)
                    ));
                }
            }
        }
    }

    fn array(&mut self, path: &str) -> Result<(), String> {
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut i = 0;
        loop {
            self.skip_ws();
            self.value(&format!("{path}[{i}]"))?;
            i += 1;
            self.skip_ws();
            match self.next_or_eof()? {
                b',' => continue,
                b']' => return Ok(()),
                other => {
                    return Err(format!(
                        "invalid character {} after array element",
                        quote_char(other)
                    ));
                }
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
    fn yaml_errors_read_like_go_yaml() {
        assert_eq!(
            yaml_error(
                "did not find expected node content at line 2 column 1, while parsing a flow node"
            ),
            "yaml: line 1: did not find expected node content"
        );
    }

    #[test]
    fn duplicates_found() {
        assert_eq!(
            check(br#"{"spec":{"a":1,"a":2},"x":[{"k":1,"k":2}]}"#),
            Ok(vec!["spec.a".to_string(), "x[0].k".to_string()])
        );
    }
}
