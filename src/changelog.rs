//! What the recorded snapshots say changed between two Kubernetes minors: the cases
//! that apply on one minor and not the other (their `kubernetes:` range), and the
//! cases whose snapshot for the older minor differs from the newer one's, grouped by
//! the changes themselves, so that one behaviour shown by many cases is one entry.
//!
//! `docs/versions.md` is the hand-written change log of Pod PATCH behaviour; this
//! derives the same facts from what the real servers answered, with the override
//! rules the runner compares by (`snapshot::serving`), so the log can be checked and
//! a user can read what an upgrade changes. It reads snapshots and sends nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::case::Case;
use crate::changes::{self, Change};
use crate::snapshot::{self, SnapshotError};
use crate::version::KubeVersion;

/// How much of a long string's common start and end a change line keeps.
const CONTEXT: usize = 30;

/// The differences between two minors.
#[derive(Debug, Default, PartialEq)]
pub struct Step {
    /// Changes with the cases that show them, most cases first.
    pub changed: Vec<Group>,
    /// Cases that apply on the newer minor only.
    pub appeared: Vec<String>,
    /// Cases that apply on the older minor only.
    pub gone: Vec<String>,
}

/// One set of changes and the cases whose answers show exactly it.
#[derive(Debug, PartialEq)]
pub struct Group {
    /// One line per changed path: `path: before → after`.
    pub changes: Vec<String>,
    pub cases: Vec<String>,
}

impl Step {
    /// How many cases answer differently.
    pub fn changed_cases(&self) -> usize {
        self.changed.iter().map(|g| g.cases.len()).sum()
    }
}

/// Compares the snapshots serving `older` with those serving `newer`, for `cases`.
pub fn step(
    snapshots_dir: &Path,
    cases: &[Case],
    older: KubeVersion,
    newer: KubeVersion,
) -> Result<Step, SnapshotError> {
    let mut out = Step::default();
    let mut groups: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for case in cases {
        let applies = |v| case.file.kubernetes.as_ref().is_none_or(|r| r.matches(v));
        match (applies(older), applies(newer)) {
            (true, true) => {}
            (false, true) => {
                out.appeared.push(case.id.clone());
                continue;
            }
            (true, false) => {
                out.gone.push(case.id.clone());
                continue;
            }
            (false, false) => continue,
        }
        let (a, b) = (
            snapshot::serving(snapshots_dir, &case.id, older),
            snapshot::serving(snapshots_dir, &case.id, newer),
        );
        if a == b {
            continue;
        }
        let (Some(a), Some(b)) = (snapshot::stored_value(&a)?, snapshot::stored_value(&b)?) else {
            continue;
        };
        let lines = change_lines(&changes::between(&a, &b));
        if !lines.is_empty() {
            groups.entry(lines).or_default().push(case.id.clone());
        }
    }
    out.changed = groups
        .into_iter()
        .map(|(changes, cases)| Group { changes, cases })
        .collect();
    out.changed.sort_by(|x, y| {
        y.cases
            .len()
            .cmp(&x.cases.len())
            .then(x.cases.cmp(&y.cases))
    });
    Ok(out)
}

/// The changes as lines that identify them whichever case shows them: list
/// indices generalised, a long string cut to what changed in it, one change seen
/// in several places of one answer (the body and the stored pod) once.
fn change_lines(changes: &[Change]) -> Vec<String> {
    let mut lines = Vec::new();
    for c in changes {
        let path = step_generic(&changes::general_path(&c.path));
        if let (Some(Value::Array(a)), Some(Value::Array(b))) = (&c.before, &c.after) {
            // Items gained or lost (a cause reported once instead of twice) read
            // as those items, not as two long lists cut at the same place.
            lines.extend(only_in(a, b).map(|item| format!("{path}: - {}", item_text(item))));
            lines.extend(only_in(b, a).map(|item| format!("{path}: + {}", item_text(item))));
            continue;
        }
        let (before, after) = narrowed(c.before.as_ref(), c.after.as_ref());
        lines.push(format!("{path}: {before} → {after}"));
    }
    let mut seen = std::collections::HashSet::new();
    lines.retain(|l| seen.insert(l.clone()));
    lines
}

/// A path with a scenario's step name replaced by `*` (`steps[*].read.body…` →
/// `steps[*].*.body…`), so one change reads the same in every step that shows it.
fn step_generic(path: &str) -> String {
    match path
        .strip_prefix("steps[*].")
        .and_then(|rest| rest.split_once('.'))
    {
        Some((_step, rest)) => format!("steps[*].*.{rest}"),
        None => path.to_owned(),
    }
}

/// The items of `a` that `b` lacks, counting repeats (`[x, x]` against `[x]` is one
/// `x`).
fn only_in<'a>(a: &'a [Value], b: &'a [Value]) -> impl Iterator<Item = &'a Value> {
    let mut unmatched: Vec<&Value> = b.iter().collect();
    a.iter().filter(
        move |item| match unmatched.iter().position(|other| other == item) {
            Some(i) => {
                unmatched.swap_remove(i);
                false
            }
            None => true,
        },
    )
}

/// A list item as JSON, long enough to hold a cause's field and message.
fn item_text(item: &Value) -> String {
    changes::cut(item.to_string(), 240)
}

/// Two values as they read in a change line: two strings cut down to what differs
/// between them, with `CONTEXT` characters around it, so that a changed word inside
/// a long message reads (and groups) as that change.
fn narrowed(before: Option<&Value>, after: Option<&Value>) -> (String, String) {
    let (Some(Value::String(a)), Some(Value::String(b))) = (before, after) else {
        return (changes::short(before), changes::short(after));
    };
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let end = a[start..]
        .iter()
        .rev()
        .zip(b[start..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let cut = |s: &[char]| {
        let from = start.saturating_sub(CONTEXT);
        let to = s.len() - end.saturating_sub(CONTEXT);
        let mut text: String = s[from..to].iter().collect();
        if from > 0 {
            text.insert(0, '…');
        }
        if to < s.len() {
            text.push('…');
        }
        format!("{text:?}")
    };
    (cut(&a), cut(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_long_message_is_cut_to_what_changed() {
        let old = json!(format!("{}immutable{}", "x".repeat(50), "y".repeat(50)));
        let new = json!(format!("{}forbidden!{}", "x".repeat(50), "y".repeat(50)));
        let (a, b) = narrowed(Some(&old), Some(&new));
        assert_eq!(
            a,
            format!("\"…{}immutable{}…\"", "x".repeat(30), "y".repeat(30))
        );
        assert_eq!(
            b,
            format!("\"…{}forbidden!{}…\"", "x".repeat(30), "y".repeat(30))
        );
    }

    #[test]
    fn short_strings_and_other_values_read_whole() {
        assert_eq!(
            narrowed(Some(&json!("a")), Some(&json!("b"))),
            ("\"a\"".into(), "\"b\"".into())
        );
        assert_eq!(
            narrowed(Some(&json!(1)), None),
            ("1".into(), "absent".into())
        );
    }

    #[test]
    fn a_list_reads_as_the_items_it_gained_or_lost() {
        let lines = change_lines(&changes::between(
            &json!({"causes": [{"m": "x"}, {"m": "x"}, {"m": "y"}]}),
            &json!({"causes": [{"m": "x"}, {"m": "z"}]}),
        ));
        assert_eq!(
            lines,
            vec![
                r#"causes: - {"m":"x"}"#.to_owned(),
                r#"causes: - {"m":"y"}"#.to_owned(),
                r#"causes: + {"m":"z"}"#.to_owned(),
            ]
        );
    }

    #[test]
    fn one_change_in_two_steps_is_one_line() {
        let lines = change_lines(&changes::between(
            &json!({"steps": [{"read": {"x": 1}}, {"write": {"x": 1}}]}),
            &json!({"steps": [{"read": {"x": 2}}, {"write": {"x": 2}}]}),
        ));
        assert_eq!(lines, vec!["steps[*].*.x: 1 → 2".to_owned()]);
    }

    #[test]
    fn one_change_in_two_places_of_an_answer_is_one_line() {
        let lines = change_lines(&changes::between(
            &json!({"a": [{"x": 1}, {"x": 1}]}),
            &json!({"a": [{"x": 2}, {"x": 2}]}),
        ));
        assert_eq!(lines, vec!["a[*].x: 1 → 2".to_owned()]);
    }
}
