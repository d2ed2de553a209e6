//! Fields the cluster's admission changes on every write of a pod, and who: what
//! `policed` sets aside as the policy's doing. It holds the record only; the
//! preflight and the namespace's LimitRanges fill it.

/// Fields the namespace's admission changes on every write of a pod, whatever
/// the request: a LimitRange's resources, or what a mutating webhook does on
/// UPDATE (seen by the preflight's no-op patch). A case whose answer differs
/// from upstream only there is the policy's doing, and the cause names who.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Managed {
    pub paths: Vec<String>,
    /// Who, where known (`LimitRanger`, `mutating webhook NAME`).
    pub by: Vec<String>,
    /// Strings admission wrote there: an error's message may quote them.
    pub written: Vec<String>,
}

impl Managed {
    /// Adds what admission changed on a no-op update (`paths`, by `by`,
    /// writing `values`).
    pub fn add_update(&mut self, paths: &[String], by: &[String], values: &[String]) {
        self.paths.extend(written_on_update(paths));
        self.by.extend(by.iter().cloned());
        self.written.extend(values.iter().cloned());
        self.paths.sort();
        self.paths.dedup();
        self.by.dedup();
    }

    /// Who manages them: the webhooks named, or the namespace's admission.
    pub fn who(&self) -> String {
        match self.by.is_empty() {
            true => "the namespace's admission".into(),
            false => self.by.join(", "),
        }
    }
}

/// What an update that admission changes at `paths` changes besides: it is a
/// write even where the request alone is a no-op (a new resourceVersion, a
/// stored pod that moved), and a change under `spec` moves the generation.
fn written_on_update(paths: &[String]) -> Vec<String> {
    let mut out = paths.to_vec();
    if !paths.is_empty() {
        out.extend(["metadata.resourceVersion".into(), "stored".into()]);
    }
    if paths.iter().any(|p| p.starts_with("spec.")) {
        out.push("metadata.generation".into());
    }
    out
}
