//! JSON texts decoded into values as deep as Go decodes them. Go's
//! `encoding/json` (and sigs.k8s.io/json) accepts nesting up to
//! `maxNestingDepth`, 10000 levels; serde_json stops at 128 unless its
//! recursion limit is lifted, and then recurses once per level. So the limit
//! is lifted only where the stack can hold that recursion
//! ([`crate::golang::stack::is_deep`]) and the text nests no deeper than Go
//! allows; anywhere else serde_json's own limit stays, and a deep text fails
//! to decode rather than overflow a stack. It decodes; syntax errors' Go
//! texts are [`crate::golang::json_scanner`]'s.

use serde::de::DeserializeOwned;

/// Go's `maxNestingDepth`.
const MAX_DEPTH: usize = 10_000;

/// How deep serde decodes on any thread: past this a text needs a deep
/// stack ([`crate::golang::stack::on_deep_stack`]) to decode as Go does.
const SHALLOW: usize = 100;

/// Whether `data` (JSON, or YAML in flow style) nests past [`SHALLOW`].
pub fn nests_deep(data: &[u8]) -> bool {
    depth(data) > SHALLOW
}

/// Decodes `data` as one JSON document (trailing whitespace only).
pub fn from_slice<T: DeserializeOwned>(data: &[u8]) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(data);
    if depth(data) <= MAX_DEPTH && crate::golang::stack::is_deep() {
        de.disable_recursion_limit();
    }
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// [`from_slice`] of a text.
pub fn from_str<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    from_slice(text.as_bytes())
}

/// The deepest nesting of arrays and objects in `data`, brackets inside
/// strings aside; one pass, no allocation.
fn depth(data: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut strings = OutsideStrings::default();
    for &b in data {
        if !strings.outside(b) {
            continue;
        }
        match b {
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Which bytes of a JSON text lie outside its strings, told one byte at a
/// time, for scans that look at structure or numbers only.
#[derive(Debug, Default)]
pub(crate) struct OutsideStrings {
    in_string: bool,
    escaped: bool,
}

impl OutsideStrings {
    /// Whether `b`, the text's next byte, lies outside strings (a string's
    /// quotes are part of it).
    pub(crate) fn outside(&mut self, b: u8) -> bool {
        if self.in_string {
            match b {
                _ if self.escaped => self.escaped = false,
                b'\\' => self.escaped = true,
                b'"' => self.in_string = false,
                _ => {}
            }
            return false;
        }
        self.in_string = b == b'"';
        !self.in_string
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use serde_json::Value;

    use super::*;
    use crate::golang::stack::on_deep_stack;

    fn nested(levels: usize) -> String {
        format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[rstest]
    #[case::flat("[1, {\"a\": [2]}]", 3)]
    #[case::brackets_in_strings("[\"[[[\\\"{{\", {\"]\": 1}]", 2)]
    #[case::unclosed("[[[", 3)]
    fn depth_counts_only_structure(#[case] text: &str, #[case] want: usize) {
        assert_eq!(depth(text.as_bytes()), want);
    }

    #[tokio::test]
    async fn go_depths_decode_on_a_deep_stack() {
        let decoded = on_deep_stack(|| from_str::<Value>(&nested(MAX_DEPTH)).is_ok()).await;
        assert_eq!(decoded, Some(true));
    }

    #[tokio::test]
    async fn past_go_depth_serde_limit_stays() {
        let past = on_deep_stack(|| from_str::<Value>(&nested(MAX_DEPTH + 1)).is_err()).await;
        assert_eq!(past, Some(true));
    }

    #[test]
    fn elsewhere_serde_limit_stays() {
        assert!(from_str::<Value>(&nested(100)).is_ok());
        let err = from_str::<Value>(&nested(200)).expect_err("too deep here");
        assert!(err.to_string().contains("recursion limit"), "{err}");
    }
}
