//! JSON pointer reference tokens (RFC 6901) as evanphx/json-patch reads
//! them (`decodePatchKey` in patch.go) and as Go error paths print them,
//! and the plain lookup of a value by pointer ([`Lookup`]). Resolving a
//! patch's pointers, with evanphx's rules, is the patch code's job.

use std::borrow::Cow;

use serde_json::Value;

/// `serde_json::Value::pointer` without its cost: it unescapes every
/// token with two allocating `replace` calls, and the mock reads values by
/// pointer on every request (a few hundred instructions a token); here a
/// token is unescaped only when it holds a `~`.
pub trait Lookup {
    /// The value at `pointer` (`""` is the value itself), as
    /// `Value::pointer` finds it.
    fn at(&self, pointer: &str) -> Option<&Value>;

    /// [`Lookup::at`] for changing it, as `Value::pointer_mut` finds it.
    fn at_mut(&mut self, pointer: &str) -> Option<&mut Value>;
}

impl Lookup for Value {
    fn at(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        tokens(pointer)?.try_fold(self, |target, token| match target {
            Value::Object(map) => map.get(token.as_ref()),
            Value::Array(items) => list_index(&token).and_then(|i| items.get(i)),
            _ => None,
        })
    }

    fn at_mut(&mut self, pointer: &str) -> Option<&mut Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        tokens(pointer)?.try_fold(self, |target, token| match target {
            Value::Object(map) => map.get_mut(token.as_ref()),
            Value::Array(items) => list_index(&token).and_then(|i| items.get_mut(i)),
            _ => None,
        })
    }
}

/// The reference tokens of a non-empty pointer, unescaped (`None` when it
/// does not start with `/`). Found by byte scans: the tokens are short,
/// where `str::split` and `str::contains` with a char pattern cost more to
/// set up than they scan.
fn tokens(pointer: &str) -> Option<impl Iterator<Item = Cow<'_, str>>> {
    let mut rest = Some(pointer.strip_prefix('/')?);
    Some(std::iter::from_fn(move || {
        let current = rest?;
        let (token, next) = match current.bytes().position(|b| b == b'/') {
            Some(at) => (&current[..at], Some(&current[at + 1..])),
            None => (current, None),
        };
        rest = next;
        Some(if token.bytes().any(|b| b == b'~') {
            Cow::Owned(unescape_pointer(token))
        } else {
            Cow::Borrowed(token)
        })
    }))
}

/// An array index token as `Value::pointer` reads it: digits without a
/// sign or a leading zero.
fn list_index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

/// A JSON pointer reference token for `key` (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    let mut token = String::with_capacity(key.len());
    push_escaped(&mut token, key);
    token
}

/// Appends the reference token for `key` to `pointer`: code that walks a
/// document keeps one pointer buffer instead of a string per value.
pub fn push_escaped(pointer: &mut String, key: &str) {
    if !key.bytes().any(|b| b == b'~' || b == b'/') {
        pointer.push_str(key);
        return;
    }
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// A JSON pointer reference token decoded: `~1` then `~0`, in that
/// order (RFC 6901, and evanphx/json-patch's `decodePatchKey`).
pub fn unescape_pointer(token: &str) -> String {
    // Most tokens hold no escape: two allocating replaces for nothing.
    if !token.as_bytes().contains(&b'~') {
        return token.to_owned();
    }
    token.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The lookup finds what `Value::pointer` finds, escapes and indices
    /// included.
    #[rstest::rstest]
    #[case("")]
    #[case("/a")]
    #[case("/a/b~1c")]
    #[case("/a/d~0e")]
    #[case("/list/1")]
    #[case("/list/01")]
    #[case("/list/+1")]
    #[case("/list/x")]
    #[case("/a/missing")]
    #[case("/a/b~1c/deeper")]
    #[case("a")]
    #[case("/")]
    #[case("//")]
    #[case("/a/")]
    fn finds_what_serde_finds(#[case] pointer: &str) {
        let doc = json!({"a": {"b/c": 1, "d~e": 2}, "list": [3, 4], "": 5});
        assert_eq!(doc.at(pointer), doc.pointer(pointer));
        let mut mine = doc.clone();
        let mut serde = doc.clone();
        assert_eq!(mine.at_mut(pointer), serde.pointer_mut(pointer));
    }
}
