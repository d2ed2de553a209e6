//! What the non-apply patch mechanics share (evanphx/json-patch and
//! `handlers/patch.go`'s decoding): the patched but untyped document they
//! return, their duplicate-key findings and Go's text for a number beyond
//! float64 (`encoding/json`'s `convertNumber`), and how a patch's shown
//! document is left for later. It applies no patch itself.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::api::status::Status;
use crate::golang::json_number::Literals;

/// A patched document before typing.
#[derive(Debug)]
pub struct Patched<'a> {
    /// The patched JSON.
    pub value: Value,
    /// Strict-decoding findings on the patch body itself, already prefixed.
    pub strict: Vec<String>,
    /// How the 422 "patch" error renders the bad value (Go prints the whole
    /// patched JSON for json/merge patches and the patch map for SMP); for
    /// apply, the configuration's `namespace/name` its 500 names.
    pub shown: Shown<'a>,
    /// Numbers of the patched document still in the sender's text.
    pub literals: Literals,
}

/// The text of [`Patched::shown`], or how to make it.
pub enum Shown<'a> {
    /// The text itself.
    Text(String),
    /// Made when an error shows it: a JSON or merge patch's document as
    /// evanphx/json-patch marshals it is about three times the body's size
    /// (9 MB for a 3 MiB body), and most patches are not refused with it.
    /// Made by applying the patch again to the same stored pod, which gives
    /// the same document.
    Later(Later<'a>),
}

/// How a [`Shown::Later`] text is made.
pub type Later<'a> = Box<dyn Fn() -> String + 'a>;

impl<'a> Shown<'a> {
    /// `later` if there is one, else the text `now` makes.
    pub fn later_or(later: Option<Later<'a>>, now: impl FnOnce() -> String) -> Shown<'a> {
        match later {
            Some(later) => Shown::Later(later),
            None => Shown::Text(now()),
        }
    }

    /// The text (made now if it was left for later).
    pub fn text(&self) -> String {
        match self {
            Shown::Text(text) => text.clone(),
            Shown::Later(make) => make(),
        }
    }
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Text(text) => f.debug_tuple("Text").field(text).finish(),
            Shown::Later(_) => f.write_str("Later"),
        }
    }
}

/// Applies a patch with `apply`, its shown document left for later: made,
/// when an error shows it, by `apply` run again on the same stored pod
/// without a `Later`, which renders it.
pub fn with_shown_later<'b>(
    current: &Arc<Value>,
    apply: impl Fn(&Value, Option<Later<'b>>) -> Result<Patched<'b>, Status> + Copy + 'b,
) -> Result<Patched<'b>, Status> {
    let again = Arc::clone(current);
    let later = move || {
        apply(&again, None)
            .map(|patched| patched.shown.text())
            .unwrap_or_default()
    };
    apply(current, Some(Box::new(later)))
}

/// Strict-decoding findings for duplicate keys, each with `prefix`.
pub fn duplicates(dups: Vec<String>, prefix: &str) -> Vec<String> {
    dups.into_iter()
        .map(|d| format!("{prefix}duplicate field \"{d}\""))
        .collect()
}

/// Go's text for a body serde cannot hold: a number beyond float64 fails
/// in `encoding/json`'s `convertNumber` as an `UnmarshalTypeError` naming
/// the literal (`number 1e400`) and `context` (`value`, or the struct field
/// being decoded); other errors keep serde's text.
pub fn go_decode_error(body: &[u8], e: &serde_json::Error, context: &str) -> String {
    let message = e.to_string();
    if !message.starts_with("number out of range") {
        return message;
    }
    // serde reports the number's last byte (1-based line and column).
    let line_start: usize = body
        .split(|b| *b == b'\n')
        .take(e.line().saturating_sub(1))
        .map(|line| line.len() + 1)
        .sum();
    let end = (line_start + e.column()).min(body.len());
    let start = body[..end]
        .iter()
        .rposition(|b| !b"0123456789eE+-.".contains(b))
        .map_or(0, |i| i + 1);
    match std::str::from_utf8(&body[start..end]) {
        Ok(literal) if !literal.is_empty() => {
            format!("json: cannot unmarshal number {literal} into Go {context} of type float64")
        }
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::map_value(b"{\"a\":1e400}".as_slice(), "value", "json: cannot unmarshal number 1e400 into Go value of type float64")]
    #[case::second_line(b"{\n \"a\": -2E+999}".as_slice(), "value", "json: cannot unmarshal number -2E+999 into Go value of type float64")]
    #[case::patch_op(b"[{\"value\":1e400}]".as_slice(), "struct field jsonPatchOp.value", "json: cannot unmarshal number 1e400 into Go struct field jsonPatchOp.value of type float64")]
    fn number_beyond_float64(#[case] body: &[u8], #[case] context: &str, #[case] expected: &str) {
        let err = serde_json::from_slice::<Value>(body).expect_err("out of range");
        assert_eq!(go_decode_error(body, &err, context), expected);
    }
}
