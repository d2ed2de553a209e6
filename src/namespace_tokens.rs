//! Where a run's namespace stands as a namespace in text: the namespace may be
//! a common word (`--namespace default`), so it is replaced only as a whole
//! token in the places Kubernetes writes a namespace, never inside
//! `default-scheduler`.
//!
//! Pure: text in, text out.

/// Placeholder for the run's namespace.
pub const NAMESPACE: &str = "[namespace]";

/// Characters a namespace name (a DNS label) is made of; anything else ends it.
fn in_name(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')
}

/// `text` with `namespace` replaced where it stands as a namespace, or `None`
/// when it stands as none: a whole token (not part of `default-scheduler`) in one
/// of the places Kubernetes writes a namespace into text.
pub fn namespace_tokens(text: &str, namespace: &str, names: &[(&str, &str)]) -> Option<String> {
    let mut out: Option<String> = None;
    let mut copied = 0;
    for (start, _) in text.match_indices(namespace) {
        let end = start + namespace.len();
        let (before, after) = (&text[..start], &text[end..]);
        let whole = !before.ends_with(in_name) && !after.starts_with(in_name);
        if !whole || start < copied || !names_a_namespace(before, after, names) {
            continue;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[copied..start]);
        o.push_str(NAMESPACE);
        copied = end;
    }
    let mut o = out?;
    o.push_str(&text[copied..]);
    Some(o)
}

/// Whether a token between `before` and `after` is a namespace: `namespace "x"`
/// and `namespaces "x"` (messages), `/namespaces/x` (paths), `"namespace":"x"`
/// (objects quoted in messages, with any escaping) and `x/name` (keys), where
/// `name` is one of the run's `names`.
fn names_a_namespace(before: &str, after: &str, names: &[(&str, &str)]) -> bool {
    let quoted = before.trim_end_matches('"');
    let quoted = quoted
        .strip_suffix(' ')
        .or_else(|| quoted.strip_suffix('='))
        .unwrap_or(quoted);
    if quoted.ends_with("namespace") || quoted.ends_with("namespaces") {
        return true;
    }
    if before.ends_with("namespaces/") {
        return true;
    }
    let field = before.trim_end_matches('\\');
    if let Some(field) = field.strip_suffix('"') {
        let field = field.trim_end_matches('\\').trim_end();
        if let Some(field) = field.strip_suffix(':') {
            let field = field
                .trim_end()
                .trim_end_matches('"')
                .trim_end_matches('\\');
            if field.ends_with("namespace") {
                return true;
            }
        }
    }
    let key_start = before.is_empty() || before.ends_with([' ', '"', '\'', '(', '\n']);
    key_start
        && after
            .strip_prefix('/')
            .is_some_and(|rest| names.iter().any(|(n, _)| rest.starts_with(n)))
}
