//! JSON pointer reference tokens (RFC 6901) as evanphx/json-patch reads
//! them (`decodePatchKey` in patch.go) and as Go error paths print them.
//! Text only: resolving a pointer against a document is the patch code's job.

/// A JSON pointer reference token for `key` (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    let mut token = String::with_capacity(key.len());
    push_escaped(&mut token, key);
    token
}

/// Appends the reference token for `key` to `pointer`: code that walks a
/// document keeps one pointer buffer instead of a string per value.
pub fn push_escaped(pointer: &mut String, key: &str) {
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
    token.replace("~1", "/").replace("~0", "~")
}
