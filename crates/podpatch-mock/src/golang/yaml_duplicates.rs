//! Duplicate mapping keys as go-yaml v2's strict decoding reports them
//! (`line 5: key "name" already set in map`, decode.go's `d.mapping`),
//! which kube-apiserver turns into strict-field-validation errors or
//! warnings: a line scanner for block mappings, a flow (JSON) scanner for
//! bodies written as JSON, and [`crate::golang::yaml_decode`]'s parser for
//! flow mappings. It must not decode values.

use std::collections::HashSet;

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
    let mut stack: Vec<(usize, HashSet<String>)> = Vec::new();
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
            stack.push((indent, HashSet::new()));
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
                keys.insert(key);
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
    let mut stack: Vec<Option<HashSet<String>>> = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '{' => stack.push(Some(HashSet::new())),
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
                        keys.insert(key);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_duplicates() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a1\n  name: a1\nspec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n    image: y\n";
        assert_eq!(
            yaml_duplicate_keys(text),
            vec!["line 5: key \"name\" already set in map"]
        );
    }
}
