//! The selectors of list and delete-collection, with the error texts the
//! handlers answer as 400 BadRequest: `labelSelector` as
//! `k8s.io/apimachinery/pkg/labels` parses it (lexer, recursive descent
//! parser, `NewRequirement`'s checks) and `fieldSelector` as `pkg/fields`
//! parses it, with the pod field labels `core/v1` supports.

use serde_json::{Map, Value, json};

use crate::golang::json_pointer::Lookup;
use crate::validation::field::FieldError;
use crate::validation::objectmeta::{label_value, qualified_name};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Error,
    End,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

/// `string2token`.
fn keyword(s: &str) -> Option<Token> {
    Some(match s {
        ")" => Token::ClosedPar,
        "," => Token::Comma,
        "!" => Token::DoesNotExist,
        "==" => Token::DoubleEquals,
        "=" => Token::Equals,
        ">" => Token::GreaterThan,
        "in" => Token::In,
        "<" => Token::LessThan,
        "!=" => Token::NotEquals,
        "notin" => Token::NotIn,
        "(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

/// The lexer's tokens up to and including `End`.
fn scan(s: &str) -> Vec<(Token, String)> {
    let bytes = s.as_bytes();
    let mut pos = 0;
    let mut out = Vec::new();
    loop {
        while pos < bytes.len() && is_whitespace(bytes[pos]) {
            pos += 1;
        }
        if pos >= bytes.len() {
            out.push((Token::End, String::new()));
            return out;
        }
        let start = pos;
        if is_special(bytes[pos]) {
            // scanSpecialSymbol: the longest run that is still an operator.
            let mut last: Option<(Token, usize)> = None;
            while pos < bytes.len() && is_special(bytes[pos]) {
                pos += 1;
                match keyword(&s[start..pos]) {
                    Some(t) => last = Some((t, pos)),
                    None if last.is_some() => {
                        pos -= 1;
                        break;
                    }
                    None => {}
                }
            }
            match last {
                Some((t, end)) => {
                    pos = end;
                    out.push((t, s[start..end].to_string()));
                }
                None => out.push((
                    Token::Error,
                    format!("error expected: keyword found '{}'", &s[start..pos]),
                )),
            }
        } else {
            while pos < bytes.len() && !is_special(bytes[pos]) && !is_whitespace(bytes[pos]) {
                pos += 1;
            }
            let lit = String::from_utf8_lossy(&bytes[start..pos]).into_owned();
            out.push((keyword(&lit).unwrap_or(Token::Identifier), lit));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Exists,
    DoesNotExist,
    Equals,
    NotEquals,
    In,
    NotIn,
    GreaterThan,
    LessThan,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

/// A parsed selector: every requirement must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector(Vec<Requirement>);

struct Parser {
    items: Vec<(Token, String)>,
    position: usize,
}

/// In the values context `in` and `notin` are identifiers.
fn as_value(t: Token) -> Token {
    match t {
        Token::In | Token::NotIn => Token::Identifier,
        t => t,
    }
}

impl Parser {
    fn lookahead(&self) -> (Token, String) {
        let (t, l) = &self.items[self.position];
        (as_value(*t), l.clone())
    }

    fn consume(&mut self, values: bool) -> (Token, String) {
        let (t, l) = self.items[self.position].clone();
        self.position += 1;
        (if values { as_value(t) } else { t }, l)
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut reqs = Vec::new();
        loop {
            let (t, lit) = self.lookahead();
            match t {
                Token::Identifier | Token::DoesNotExist => {
                    let r = self
                        .requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    reqs.push(r);
                    let (t, l) = self.consume(true);
                    match t {
                        Token::End => return Ok(reqs),
                        Token::Comma => {
                            let (t2, l2) = self.lookahead();
                            if t2 != Token::Identifier && t2 != Token::DoesNotExist {
                                return Err(format!(
                                    "found '{l2}', expected: identifier after ','"
                                ));
                            }
                        }
                        _ => return Err(format!("found '{l}', expected: ',' or 'end of string'")),
                    }
                }
                Token::End => return Ok(reqs),
                _ => {
                    return Err(format!(
                        "found '{lit}', expected: !, identifier, or 'end of string'"
                    ));
                }
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let (mut t, mut lit) = self.consume(true);
        let mut op = None;
        if t == Token::DoesNotExist {
            op = Some(Op::DoesNotExist);
            (t, lit) = self.consume(true);
        }
        if t != Token::Identifier {
            return Err(format!("found '{lit}', expected: identifier"));
        }
        let key_errs = qualified_name(&lit);
        if !key_errs.is_empty() {
            return Err(FieldError::invalid("<nil>", json!(lit), key_errs.join("; ")).message());
        }
        let key = lit;
        if matches!(self.lookahead().0, Token::End | Token::Comma) {
            let op = op.unwrap_or(Op::Exists);
            return Ok(Requirement {
                key,
                op,
                values: Vec::new(),
            });
        }
        if op == Some(Op::DoesNotExist) {
            return new_requirement(key, Op::DoesNotExist, Vec::new());
        }
        let (t, lit) = self.consume(false);
        let op = match t {
            Token::In => Op::In,
            Token::Equals | Token::DoubleEquals => Op::Equals,
            Token::GreaterThan => Op::GreaterThan,
            Token::LessThan => Op::LessThan,
            Token::NotIn => Op::NotIn,
            Token::NotEquals => Op::NotEquals,
            _ => {
                return Err(format!(
                    "found '{lit}', expected: in, notin, =, ==, !=, gt, lt"
                ));
            }
        };
        let values = match op {
            Op::In | Op::NotIn => self.values()?,
            _ => self.exact_value()?,
        };
        new_requirement(key, op, values)
    }

    fn values(&mut self) -> Result<Vec<String>, String> {
        let (t, lit) = self.consume(true);
        if t != Token::OpenPar {
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (t, lit) = self.lookahead();
        match t {
            Token::Identifier | Token::Comma => {
                let s = self.identifiers()?;
                if self.consume(true).0 != Token::ClosedPar {
                    return Err(format!("found '{lit}', expected: ')'"));
                }
                Ok(s)
            }
            Token::ClosedPar => {
                self.consume(true);
                Ok(vec![String::new()])
            }
            _ => Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
    }

    fn identifiers(&mut self) -> Result<Vec<String>, String> {
        let mut s: Vec<String> = Vec::new();
        let insert = |s: &mut Vec<String>, v: String| {
            if !s.contains(&v) {
                s.push(v);
            }
        };
        loop {
            let (t, lit) = self.consume(true);
            match t {
                Token::Identifier => {
                    insert(&mut s, lit);
                    let (t2, l2) = self.lookahead();
                    match t2 {
                        Token::Comma => {}
                        Token::ClosedPar => return Ok(s),
                        _ => return Err(format!("found '{l2}', expected: ',' or ')'")),
                    }
                }
                Token::Comma => {
                    if s.is_empty() {
                        insert(&mut s, String::new());
                    }
                    let t2 = self.lookahead().0;
                    if t2 == Token::ClosedPar {
                        insert(&mut s, String::new());
                        return Ok(s);
                    }
                    if t2 == Token::Comma {
                        insert(&mut s, String::new());
                    }
                }
                _ => return Err(format!("found '{lit}', expected: ',', or identifier")),
            }
        }
    }

    fn exact_value(&mut self) -> Result<Vec<String>, String> {
        if matches!(self.lookahead().0, Token::End | Token::Comma) {
            return Ok(vec![String::new()]);
        }
        let (t, lit) = self.consume(true);
        if t == Token::Identifier {
            return Ok(vec![lit]);
        }
        Err(format!("found '{lit}', expected: identifier"))
    }
}

/// `NewRequirement`'s checks (values sorted, as a `sets.String` lists them),
/// aggregated like `ToAggregate`.
fn new_requirement(key: String, op: Op, mut values: Vec<String>) -> Result<Requirement, String> {
    values.sort();
    let mut errs = Vec::new();
    if matches!(op, Op::GreaterThan | Op::LessThan) {
        for (i, v) in values.iter().enumerate() {
            if v.parse::<i64>().is_err() {
                errs.push(FieldError::invalid(
                    format!("values[{i}]"),
                    json!(v),
                    "for 'Gt', 'Lt' operators, the value must be an integer",
                ));
            }
        }
    }
    for (i, v) in values.iter().enumerate() {
        let msgs = label_value(v);
        if !msgs.is_empty() {
            errs.push(FieldError::invalid(
                format!("values[{i}][{key}]"),
                json!(v),
                msgs.join("; "),
            ));
        }
    }
    match errs.as_slice() {
        [] => Ok(Requirement { key, op, values }),
        [one] => Err(one.message()),
        many => {
            let texts: Vec<String> = many.iter().map(FieldError::message).collect();
            Err(format!("[{}]", texts.join(", ")))
        }
    }
}

impl Selector {
    /// `labels.Parse`; the error is the text the list handlers answer with.
    pub fn parse(s: &str) -> Result<Selector, String> {
        let mut parser = Parser {
            items: scan(s),
            position: 0,
        };
        parser.parse().map(Selector)
    }

    /// Whether `labels` (a pod's `metadata.labels`) satisfy every requirement.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        self.0.iter().all(|r| {
            let value = labels.and_then(|l| l.get(&r.key)).and_then(Value::as_str);
            let number = |v: &str| v.parse::<i64>().ok();
            match r.op {
                Op::Exists => value.is_some(),
                Op::DoesNotExist => value.is_none(),
                Op::Equals | Op::In => value.is_some_and(|v| r.values.iter().any(|x| x == v)),
                Op::NotEquals | Op::NotIn => value.is_none_or(|v| !r.values.iter().any(|x| x == v)),
                Op::GreaterThan | Op::LessThan => {
                    let (Some(have), Some(want)) = (
                        value.and_then(number),
                        r.values.first().and_then(|v| number(v)),
                    ) else {
                        return false;
                    };
                    if r.op == Op::GreaterThan {
                        have > want
                    } else {
                        have < want
                    }
                }
            }
        })
    }
}

/// A parsed `fieldSelector`: `field=value`, `field==value`, `field!=value`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

/// The pod fields `core/v1` registers for field selectors.
const POD_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.podIPs",
    "status.nominatedNodeName",
];

/// `fields.UnescapeValue`.
fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('\\' | ',' | '=')) => out.push(e),
                Some(e) => {
                    return Err(format!(
                        "invalid field selector: invalid escape sequence: \\{e}"
                    ));
                }
                None => return Err("invalid field selector: invalid escape sequence: \\".into()),
            },
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector: unescaped character in value: {}",
                    c as u32
                ));
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

impl FieldSelector {
    /// `fields.ParseSelector`, then the pod field-label conversion.
    pub fn parse(selector: &str) -> Result<FieldSelector, String> {
        let mut terms: Vec<&str> = Vec::new();
        let (mut start, mut escaped) = (0, false);
        for (i, c) in selector.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                ',' => {
                    terms.push(&selector[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        if !selector.is_empty() {
            terms.push(&selector[start..]);
        }
        terms.sort_unstable();
        let mut items = Vec::new();
        for term in terms.into_iter().filter(|t| !t.is_empty()) {
            let split = (0..term.len())
                .filter(|i| term.is_char_boundary(*i))
                .find_map(|i| {
                    ["!=", "==", "="]
                        .into_iter()
                        .find(|op| term[i..].starts_with(op))
                        .map(|op| (&term[..i], op, &term[i + op.len()..]))
                });
            let Some((field, op, value)) = split else {
                return Err(format!(
                    "invalid selector: '{selector}'; can't understand '{term}'"
                ));
            };
            items.push((field.to_string(), op == "!=", unescape(value)?));
        }
        for (field, _, _) in items.iter_mut() {
            if field == "spec.host" {
                *field = "spec.nodeName".into();
            }
            if !POD_FIELDS.contains(&field.as_str()) {
                return Err(format!("field label not supported: {field}"));
            }
        }
        Ok(FieldSelector(items))
    }

    /// Whether a pod satisfies every term (`pod.PodToSelectableFields`).
    pub fn matches(&self, pod: &Value) -> bool {
        self.0.iter().all(|(field, negated, want)| {
            let at = |p: &str| pod.at(p).and_then(Value::as_str).unwrap_or("").to_string();
            let have = match field.as_str() {
                "spec.hostNetwork" => pod
                    .at("/spec/hostNetwork")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                    .to_string(),
                "status.podIPs" => at("/status/podIP"),
                f => at(&format!("/{}", f.replace('.', "/"))),
            };
            (have == *want) != *negated
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{FieldSelector, Selector};
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case(
        "a b",
        "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"
    )]
    #[case("a,", "found '', expected: identifier after ','")]
    #[case("!", "unable to parse requirement: found '', expected: identifier")]
    #[case("=a", "found '=', expected: !, identifier, or 'end of string'")]
    #[case(
        "a in (x",
        "unable to parse requirement: found '', expected: ',' or ')'"
    )]
    #[case("a in x", "unable to parse requirement: found 'x' expected: '('")]
    #[case(
        "a=(b)",
        "unable to parse requirement: found '(', expected: identifier"
    )]
    #[case(
        "a in (",
        "unable to parse requirement: found '', expected: ',', ')' or identifier"
    )]
    #[case(
        "x>y",
        "unable to parse requirement: values[0]: Invalid value: \"y\": for 'Gt', 'Lt' operators, the value must be an integer"
    )]
    fn go_texts(#[case] selector: &str, #[case] message: &str) {
        assert_eq!(Selector::parse(selector).unwrap_err(), message);
    }

    #[test]
    fn matching() {
        let labels = json!({"app": "web", "n": "5"});
        let labels = labels.as_object();
        let ok = |s: &str| Selector::parse(s).unwrap().matches(labels);
        assert!(ok(""));
        assert!(ok("app=web,n>3,!missing"));
        assert!(ok("app in (web, db),tier notin (x)"));
        assert!(!ok("app!=web"));
        assert!(!ok("n<5"));
        assert!(!ok("a in ()"));
    }

    #[rstest]
    #[case("foo=bar", "field label not supported: foo")]
    #[case("a", "invalid selector: 'a'; can't understand 'a'")]
    #[case(
        "metadata.name=a,,b",
        "invalid selector: 'metadata.name=a,,b'; can't understand 'b'"
    )]
    #[case("=x", "field label not supported: ")]
    #[case(
        "metadata.name=a=b",
        "invalid field selector: unescaped character in value: 61"
    )]
    fn field_texts(#[case] selector: &str, #[case] message: &str) {
        assert_eq!(FieldSelector::parse(selector).unwrap_err(), message);
    }
}
