//! What the explorer has tried so far: cases per field family and patch
//! type, by the reference target's outcome (2xx, 4xx, 5xx, no answer), and
//! how many differed. It steers the generator toward the least tried
//! family and patch type, and prints as the run's closing table.

use std::collections::BTreeMap;
use std::fmt::Write;

use rand::Rng;
use rand::rngs::StdRng;

use crate::explore::family::{Family, PATCH_TYPES};

/// Counts of one family, or one family and patch type.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub cases: usize,
    pub ok: usize,
    pub client_error: usize,
    pub server_error: usize,
    pub no_answer: usize,
    pub differing: usize,
}

/// The counts kept over a whole exploration.
#[derive(Debug, Default)]
pub struct Coverage {
    by_family: BTreeMap<Family, Counts>,
    by_pair: BTreeMap<(Family, &'static str), usize>,
    by_type: BTreeMap<&'static str, Counts>,
}

impl Coverage {
    /// Records one case: the reference's status (`None`: no answer) and
    /// whether the two targets differed.
    pub fn record(
        &mut self,
        family: Family,
        patch_type: &'static str,
        status: Option<u16>,
        differs: bool,
    ) {
        *self.by_pair.entry((family, patch_type)).or_default() += 1;
        for counts in [
            self.by_family.entry(family).or_default(),
            self.by_type.entry(patch_type).or_default(),
        ] {
            counts.cases += 1;
            match status {
                Some(200..=299) => counts.ok += 1,
                Some(400..=499) => counts.client_error += 1,
                Some(_) => counts.server_error += 1,
                None => counts.no_answer += 1,
            }
            counts.differing += usize::from(differs);
        }
    }

    /// The family and patch type of the next case: each weighted by how
    /// little it has been tried, so every part of the grammar is reached
    /// early and none starves.
    pub fn steer(&self, rng: &mut StdRng) -> (Family, &'static str) {
        let family = pick(rng, &Family::ALL, |f| {
            self.by_family.get(f).map_or(0, |c| c.cases)
        });
        let patch_type = pick(rng, &PATCH_TYPES, |t| {
            self.by_pair.get(&(family, *t)).copied().unwrap_or(0)
        });
        (family, patch_type)
    }

    /// The closing table: per family and per patch type.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<22} {:>6} {:>6} {:>6} {:>6} {:>9} {:>9}",
            "coverage", "cases", "2xx", "4xx", "5xx", "no answer", "differing"
        );
        let families = self.by_family.iter().map(|(f, c)| (f.name(), c));
        let types = self.by_type.iter().map(|(t, c)| (*t, c));
        for (name, c) in families.chain(types) {
            let _ = writeln!(
                out,
                "{name:<22} {:>6} {:>6} {:>6} {:>6} {:>9} {:>9}",
                c.cases, c.ok, c.client_error, c.server_error, c.no_answer, c.differing
            );
        }
        out
    }
}

/// One of `items`, with weight `1 / (1 + tried)`.
fn pick<T: Copy>(rng: &mut StdRng, items: &[T], tried: impl Fn(&T) -> usize) -> T {
    let weights: Vec<f64> = items
        .iter()
        .map(|i| 1.0 / (1.0 + tried(i) as f64))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut x = rng.random_range(0.0..total);
    for (item, w) in items.iter().zip(&weights) {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[items.len() - 1]
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn steering_favours_what_was_tried_least() {
        let mut cov = Coverage::default();
        for _ in 0..200 {
            cov.record(Family::Labels, "merge", Some(200), false);
        }
        let mut rng = StdRng::seed_from_u64(3);
        let labels = (0..500)
            .filter(|_| cov.steer(&mut rng).0 == Family::Labels)
            .count();
        assert!(labels < 5, "labels drawn {labels} of 500 times");
    }

    #[test]
    fn counts_by_outcome() {
        let mut cov = Coverage::default();
        cov.record(Family::Image, "json", Some(422), true);
        cov.record(Family::Image, "apply", Some(200), false);
        cov.record(Family::Image, "apply", None, false);
        let c = &cov.by_family[&Family::Image];
        assert_eq!(
            (c.cases, c.ok, c.client_error, c.no_answer, c.differing),
            (3, 1, 1, 1, 1)
        );
        assert!(cov.render().contains("image"));
    }
}
