//! JSON pointer reference tokens (RFC 6901) as evanphx/json-patch reads
//! them (`decodePatchKey` in patch.go) and as Go error paths print them.
//! Text only: resolving a pointer against a document is the patch code's job.

/// A JSON pointer reference token for `key` (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer reference token decoded: `~1` then `~0`, in that
/// order (RFC 6901, and evanphx/json-patch's `decodePatchKey`).
pub fn unescape_pointer(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
