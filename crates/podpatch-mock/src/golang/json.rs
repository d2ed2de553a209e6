//! Go's view of request body texts, before any typing: a port of
//! `encoding/json`'s syntax checker (`scanner.go`), so that undecodable
//! bodies get the exact texts kube-apiserver returns (`invalid character
//! 'o' in literal null (expecting 'u')`, `unexpected end of JSON input`,
//! …); duplicate object keys as the strict decoder reports them
//! (`duplicate field "<path>"`); YAML read as sigs.k8s.io/yaml and go-yaml
//! read it (numbers, errors, duplicate keys); the number texts Go keeps as
//! sent; and JSON-pointer tokens.
//!
//! It reads texts; typing the values is [`crate::golang::unmarshal`]'s job.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_json::value::RawValue;

/// Number literals by JSON pointer, where Go keeps the sender's text.
pub type Literals = BTreeMap<String, String>;

/// A JSON pointer reference token for `key` (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer reference token decoded: `~1` then `~0`, in that
/// order (RFC 6901, and evanphx/json-patch's `decodePatchKey`).
pub fn unescape_pointer(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Go's name for the JSON kind of a value in decode errors.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where a member sits in its JSON container.
pub enum Step {
    Key(String),
    Index(usize),
}

impl Step {
    /// The member's JSON-pointer reference token.
    pub fn token(&self) -> String {
        match self {
            Step::Key(key) => escape_pointer(key),
            Step::Index(i) => i.to_string(),
        }
    }
}

/// The members of the raw JSON object or array `text`, left undecoded as
/// Go's `json.RawMessage`s are (of duplicate keys the last wins, as in a Go
/// map); none for a scalar or invalid text.
pub fn raw_members(text: &str) -> Vec<(Step, Box<RawValue>)> {
    if let Ok(map) = serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(text) {
        map.into_iter().map(|(k, v)| (Step::Key(k), v)).collect()
    } else if let Ok(items) = serde_json::from_str::<Vec<Box<RawValue>>>(text) {
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Step::Index(i), v))
            .collect()
    } else {
        Vec::new()
    }
}

/// Collects, under `pointer`, the number literals of the JSON text `raw`
/// that serde_json would print differently (`1E2`, `1.50`, `-0`, integers
/// past 64 bits). evanphx/json-patch keeps values it never decodes as
/// `json.RawMessage`, so Go prints these as sent, in the patched document
/// and in `cannot unmarshal number …` errors.
pub fn number_literals(raw: &str, pointer: &str, out: &mut Literals) {
    let text = raw.trim();
    if text.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
        let printed = serde_json::from_str::<Value>(text).map(|v| v.to_string());
        if printed.ok().as_deref() != Some(text) {
            out.insert(pointer.to_string(), text.to_string());
        }
        return;
    }
    for (step, member) in raw_members(text) {
        number_literals(member.get(), &format!("{pointer}/{}", step.token()), out);
    }
}

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

/// Go's `json.Compact` with HTML escaping, as `json.Marshal` writes a
/// `json.RawMessage`: insignificant whitespace dropped, `<`, `>`, `&`,
/// U+2028 and U+2029 escaped, everything else (key order, duplicate keys,
/// the sender's own escapes) kept. `raw` must be valid JSON.
pub fn compact(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in raw.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            _ if !in_string && c.is_ascii_whitespace() => {}
            _ => out.push(c),
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
    }
    out
}

/// Parses YAML to JSON; when that fails, a syntax error found by a plain
/// YAML parse wins (go-yaml reports syntax before conversion problems, where
/// serde may first trip over a non-string key). Duplicate keys are allowed,
/// the last one winning, as in go-yaml's non-strict mode.
pub fn parse_yaml(text: &str) -> Result<serde_json::Value, serde_yaml_ng::Error> {
    // Values follow go-yaml v2's YAML 1.1 resolution; on failure the plain
    // serde path below reproduces the error texts.
    if let Ok(mut value) = crate::golang::yaml_decode::from_str(text) {
        whole_floats_as_integers(&mut value);
        return Ok(value);
    }
    match serde_yaml_ng::from_str::<serde_json::Value>(text) {
        Ok(mut value) => {
            whole_floats_as_integers(&mut value);
            Ok(value)
        }
        Err(conversion) => match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) {
            Err(syntax) => Err(syntax),
            Ok(_) => Err(conversion),
        },
    }
}

/// Calls `f` on every number inside `value`.
fn each_number(value: &mut Value, f: &impl Fn(&mut serde_json::Number)) {
    match value {
        Value::Number(n) => f(n),
        Value::Array(items) => items.iter_mut().for_each(|v| each_number(v, f)),
        Value::Object(map) => map.values_mut().for_each(|v| each_number(v, f)),
        _ => {}
    }
}

/// Numbers as apimachinery's JSON decoding leaves them in an `interface{}`:
/// an `int64` when the text parses as one, else a `float64`, so integers
/// past `int64` (which go-yaml reads as `uint64`) turn into floats.
pub fn int64_or_float(value: &mut Value) {
    each_number(value, &|n| {
        if n.as_i64().is_none()
            && n.is_u64()
            && let Some(f) = n.as_f64().and_then(serde_json::Number::from_f64)
        {
            *n = f;
        }
    });
}

/// `yaml.YAMLToJSON` writes go-yaml's `float64`s with `json.Marshal`, which
/// prints a whole number without a fraction (`1000.0` becomes `1000`), so
/// the JSON decoder later sees an integer.
fn whole_floats_as_integers(value: &mut Value) {
    each_number(value, &|n| {
        // Within ±2^63 a whole f64 converts to i64 exactly.
        if let Some(f) = n.as_f64().filter(|_| n.is_f64())
            && f.fract() == 0.0
            && f.abs() < 9_223_372_036_854_775_808.0
        {
            *n = serde_json::Number::from(f as i64);
        }
    });
}

/// The first YAML document of `text`: go-yaml's `Unmarshal` reads one
/// document and ignores the rest of the stream.
pub fn first_document(text: &str) -> &str {
    let mut content = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let marker = |m: &str| {
            bare == m
                || bare
                    .strip_prefix(m)
                    .is_some_and(|r| r.starts_with([' ', '\t']))
        };
        if (marker("---") && content) || marker("...") {
            return &text[..offset];
        }
        let trimmed = bare.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') && !trimmed.starts_with('%') {
            content = true;
        }
        offset += line.len();
    }
    text
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

/// Duplicate keys in the mappings of a YAML document, as go-yaml reports
/// them (`line 5: key "name" already set in map`), in line order.
pub fn yaml_duplicate_keys(text: &str) -> Vec<String> {
    let mut found = block_duplicate_keys(text);
    // Flow mappings, read by the parser, slot in by line; a flow mapping
    // spread over lines can look like a block one to the scanner too.
    found.extend(crate::golang::yaml_decode::flow_duplicate_keys(text));
    found.sort_by_key(|(line, _)| *line);
    found.dedup();
    found.into_iter().map(|(_, message)| message).collect()
}

/// The block mappings' duplicates with their lines. A line scanner: flow
/// collections are not inspected, block scalars are skipped.
fn block_duplicate_keys(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut stack: Vec<(usize, Vec<String>)> = Vec::new();
    let mut skip_deeper_than: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut indent = line.len() - trimmed.len();
        if let Some(limit) = skip_deeper_than {
            if indent > limit {
                continue;
            }
            skip_deeper_than = None;
        }
        let mut rest = trimmed;
        let mut new_map = false;
        while let Some(after) = rest.strip_prefix("- ") {
            indent += 2;
            rest = after.trim_start_matches(' ');
            new_map = true;
        }
        let Some((key, value)) = yaml_key(rest) else {
            continue;
        };
        while stack
            .last()
            .is_some_and(|(i, _)| *i > indent || (new_map && *i >= indent))
        {
            stack.pop();
        }
        if stack.last().is_none_or(|(i, _)| *i != indent) {
            stack.push((indent, Vec::new()));
        }
        if let Some((_, keys)) = stack.last_mut() {
            if keys.contains(&key) {
                found.push((
                    n + 1,
                    format!(
                        "line {}: key {} already set in map",
                        n + 1,
                        crate::golang::format::go_quote(&key)
                    ),
                ));
            } else {
                keys.push(key);
            }
        }
        let value = value.trim();
        if value.starts_with('|') || value.starts_with('>') {
            skip_deeper_than = Some(indent);
        }
    }
    found
}

/// go-yaml's duplicate-key errors for a body written as JSON (flow style),
/// each on the line of the repeated key.
pub fn json_duplicate_keys(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    // One entry per open container: the keys seen, for objects.
    let mut stack: Vec<Option<Vec<String>>> = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '{' => stack.push(Some(Vec::new())),
            '[' => stack.push(None),
            '}' | ']' => {
                stack.pop();
            }
            '"' => {
                let start_line = line;
                let mut raw = String::from("\"");
                while let Some(c) = chars.next() {
                    raw.push(c);
                    match c {
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                raw.push(escaped);
                            }
                        }
                        '"' => break,
                        '\n' => line += 1,
                        _ => {}
                    }
                }
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    if chars.next() == Some('\n') {
                        line += 1;
                    }
                }
                if chars.peek() == Some(&':')
                    && let Some(Some(keys)) = stack.last_mut()
                {
                    let key: String = serde_json::from_str(&raw).unwrap_or_default();
                    if keys.contains(&key) {
                        found.push(format!(
                            "line {start_line}: key {} already set in map",
                            crate::golang::format::go_quote(&key)
                        ));
                    } else {
                        keys.push(key);
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The key of a `key: value` (or `key:`) line, unquoted.
fn yaml_key(rest: &str) -> Option<(String, &str)> {
    if rest.starts_with(['{', '[', '#', '&', '*', '!', '|', '>']) {
        return None;
    }
    if let Some(stripped) = rest.strip_prefix('"') {
        let end = stripped.find('"')?;
        let after = stripped[end + 1..].strip_prefix(':')?;
        return Some((stripped[..end].to_string(), after));
    }
    if let Some(stripped) = rest.strip_prefix('\'') {
        let end = stripped.find('\'')?;
        let after = stripped[end + 1..].strip_prefix(':')?;
        return Some((stripped[..end].to_string(), after));
    }
    let colon = rest
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| rest[i + 1..].is_empty() || rest[i + 1..].starts_with(' '))?;
    Some((rest[..colon].trim_end().to_string(), &rest[colon + 1..]))
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

    #[test]
    fn number_literals_keep_only_texts_serde_would_change() {
        let mut out = Literals::new();
        let body =
            r#"{"a/b":{"x":1E2,"y":1.5,"z":[-0,7,1.50]},"n":99999999999999999999,"n":3,"s":"1e2"}"#;
        number_literals(body, "", &mut out);
        let expected: Literals = [
            ("/a~1b/x", "1E2"),
            ("/a~1b/z/0", "-0"),
            ("/a~1b/z/2", "1.50"),
        ]
        .into_iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
        assert_eq!(out, expected);
    }

    #[rstest]
    #[case("a: 1000.0", serde_json::json!({"a": 1000}))]
    #[case("a: 1.5e3", serde_json::json!({"a": 1500}))]
    #[case("a: [0.5, 2.0]", serde_json::json!({"a": [0.5, 2]}))]
    #[case("a: 1e21", serde_json::json!({"a": 1e21}))]
    fn yaml_whole_floats_become_integers(#[case] yaml: &str, #[case] want: serde_json::Value) {
        assert_eq!(parse_yaml(yaml).expect("parses"), want);
    }

    #[rstest]
    #[case(serde_json::json!(30.5), serde_json::json!(30.5))]
    #[case(serde_json::json!(9007199254740993_i64), serde_json::json!(9007199254740993_i64))]
    #[case(serde_json::json!(9223372036854775808_u64), serde_json::json!(9223372036854775808.0))]
    fn integers_past_int64_become_floats(
        #[case] mut value: serde_json::Value,
        #[case] want: serde_json::Value,
    ) {
        int64_or_float(&mut value);
        assert_eq!(value, want);
    }

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
    fn yaml_duplicates() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a1\n  name: a1\nspec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n    image: y\n";
        assert_eq!(
            yaml_duplicate_keys(text),
            vec!["line 5: key \"name\" already set in map"]
        );
    }

    #[test]
    fn duplicates_found() {
        assert_eq!(
            check(br#"{"spec":{"a":1,"a":2},"x":[{"k":1,"k":2}]}"#),
            Ok(vec!["spec.a".to_string(), "x[0].k".to_string()])
        );
    }

    #[test]
    fn compact_keeps_order_and_escapes_like_go() {
        assert_eq!(
            compact("{ \"b\" : [1, 2],\n \"a\": \"x <y> \\u00e9 \\\" z\" }"),
            r#"{"b":[1,2],"a":"x \u003cy\u003e \u00e9 \" z"}"#
        );
    }
}
