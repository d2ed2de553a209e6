//! What normalising looks for in a text before anything else: the literals
//! without which a key or value is left as it is, found in one pass (most hold
//! none), and which kinds a text holds, so it is worked on only for those.
//!
//! Pure: built from the run's namespace and names, asked about texts.

use aho_corasick::{AhoCorasick, AhoCorasickKind};

/// The tail of this message is a diff whose layout differs across versions.
pub const UPDATE_FORBIDDEN: &str = "pod updates may not change fields other than";

/// What `Needles::found` saw in a text, one bit per kind of literal.
pub type Found = u8;
pub const CUT: Found = 1;
pub const DASH: Found = 2;
pub const VOLATILE_KEY: Found = 4;
pub const NAMESPACE_OR_NAME: Found = 8;
const EVERYTHING: Found = Found::MAX;

/// Every literal without which `normalize`'s text pass leaves a string as it is
/// (the cut diff's message, what each volatile pattern holds, the namespace
/// and the names, or a part every name holds), found in one pass: most keys
/// and values hold none of them, and a text that holds some is only worked on
/// for those. A run builds them once, as a DFA (fast to search, slow to build:
/// built for each case it cost more than all its searches), from its namespace
/// and run id, which every name it makes holds.
#[derive(Debug, Clone)]
pub struct Needles {
    /// `None` only if it could not be built, and then every text is looked at.
    automaton: Option<AhoCorasick>,
    /// What each pattern says when found, by pattern id.
    kinds: Vec<Found>,
    namespace: Option<String>,
    /// A name holding one of these (or the namespace) is covered.
    parts: Vec<String>,
    /// One byte of each pattern, its rarest in snapshot text ([`RARITY`]): a
    /// text holding none of them holds no pattern and is not searched (nine in
    /// ten keys and values; the search cost about 400 instructions a text).
    signs: [bool; 256],
}

/// The printable ASCII bytes from the rarest to the commonest in the keys and
/// values of the shipped snapshots; a byte not listed counts as rarer still.
const RARITY: &[u8] = br##"!#$%<>X^|&@YW?Z_~+=QJ;'5H`*()9\zK3746BUR8D,0qLOI2j{} G"AENCFTVw1M[]Sx/-bkvPg.hy:fupdlmcrinsotae"##;

/// Where `b` stands in [`RARITY`].
fn rarity(b: u8) -> usize {
    RARITY.iter().position(|&r| r == b).map_or(0, |at| at + 1)
}

impl Needles {
    /// The needles of a run in `namespace` whose names each hold the namespace
    /// or one of `parts`.
    pub fn for_run(namespace: Option<&str>, parts: &[&str]) -> Needles {
        Needles::new(namespace, parts, AhoCorasickKind::DFA)
    }

    /// The needles of one normalisation, whose names are `parts`: an NFA, as
    /// a DFA costs more to build for one case than all its searches.
    pub fn for_case(namespace: Option<&str>, parts: &[&str]) -> Needles {
        Needles::new(namespace, parts, AhoCorasickKind::NoncontiguousNFA)
    }

    fn new(namespace: Option<&str>, parts: &[&str], kind: AhoCorasickKind) -> Needles {
        let namespace = namespace.filter(|n| !n.is_empty());
        let parts: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
        // What `VOLATILE`'s patterns hold: a uid or a timestamp a `-`, the
        // others a literal.
        let fixed = [
            (UPDATE_FORBIDDEN, CUT),
            ("-", DASH),
            ("resourceVersion", VOLATILE_KEY),
            ("kube-api-access-", VOLATILE_KEY),
            (")(0x", VOLATILE_KEY),
        ];
        let named = namespace
            .iter()
            .chain(&parts)
            .map(|n| (*n, NAMESPACE_OR_NAME));
        let (patterns, kinds): (Vec<&str>, Vec<Found>) = fixed.into_iter().chain(named).unzip();
        let mut signs = [false; 256];
        for pattern in &patterns {
            if let Some(rarest) = pattern.bytes().min_by_key(|b| rarity(*b)) {
                signs[usize::from(rarest)] = true;
            }
        }
        Needles {
            signs,
            automaton: AhoCorasick::builder().kind(Some(kind)).build(patterns).ok(),
            kinds,
            namespace: namespace.map(str::to_owned),
            parts: parts.into_iter().map(str::to_owned).collect(),
        }
    }

    /// Whether these needles serve a normalisation in `namespace` hiding `names`.
    pub fn cover(&self, namespace: Option<&str>, names: &[(&str, &str)]) -> bool {
        self.namespace.as_deref() == namespace
            && names.iter().all(|(name, _)| {
                (namespace.iter().copied())
                    .chain(self.parts.iter().map(String::as_str))
                    .any(|part| name.contains(part))
            })
    }

    /// What `text` holds.
    pub fn found(&self, text: &str) -> Found {
        let Some(automaton) = &self.automaton else {
            return EVERYTHING;
        };
        if !text.bytes().any(|b| self.signs[usize::from(b)]) {
            return 0;
        }
        automaton
            .find_overlapping_iter(text)
            .fold(0, |found, m| found | self.kinds[m.pattern().as_usize()])
    }
}

/// Whether `text` may hold a uid (`-hhhh-`: two `-` five bytes apart) or a
/// timestamp (`dddd-dd-dd`: three apart), the volatile patterns that name no
/// literal; most text with a `-` (`default-scheduler`) holds neither.
pub fn may_hold_uid_or_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    (bytes.iter().enumerate())
        .filter(|(_, b)| **b == b'-')
        .any(|(i, _)| bytes.get(i + 3) == Some(&b'-') || bytes.get(i + 5) == Some(&b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runs_needles_cover_names_holding_its_parts() {
        let run = Needles::for_run(Some("podpatch-abc12"), &["abc12"]);
        let names = [("web-abc12", "[pod]"), ("abc12", "[run]")];
        assert!(run.cover(Some("podpatch-abc12"), &names));
        assert!(!run.cover(Some("default"), &names));
        assert!(!run.cover(Some("podpatch-abc12"), &[("elsewhere", "[pod]")]));
        assert_eq!(run.found("spec"), 0);
        assert_eq!(run.found("web-abc12"), DASH | NAMESPACE_OR_NAME);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, failure_persistence: None, ..Default::default() })]
        /// A text passed over for holding no pattern's rarest byte holds none.
        #[test]
        fn passes_over_only_text_without_needles(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "podpatch-q7x2m9", "q7x2m9", "web-q7x2m9", "resourceVersion", "kube-api-access-",
                    ")(0x", UPDATE_FORBIDDEN, "-", "q", "7", "x", " ", "V", ")", "(", "abc", "é",
                ]),
                0..6,
            )
        ) {
            let text = pieces.concat();
            let run = Needles::for_run(Some("podpatch-q7x2m9"), &["q7x2m9"]);
            let automaton = run.automaton.as_ref().unwrap();
            let searched = automaton
                .find_overlapping_iter(&text)
                .fold(0, |found, m| found | run.kinds[m.pattern().as_usize()]);
            proptest::prop_assert_eq!(run.found(&text), searched);
        }
    }

    #[test]
    fn only_text_that_may_hold_a_uid_or_a_time_is_searched() {
        assert!(may_hold_uid_or_time("5f1c2a9e-6c1d-4b3b-9d1e-3a2b1c0d9e8f"));
        assert!(may_hold_uid_or_time("at 2026-11-24T10:00:00Z"));
        assert!(!may_hold_uid_or_time("default-scheduler"));
        assert!(!may_hold_uid_or_time("node.kubernetes.io/not-ready"));
        assert!(!may_hold_uid_or_time("a-b"));
    }
}
