//! The 409 `FieldManagerConflict` of a refused apply, with the messages of
//! `managedfields/internal/conflict.go` (`NewConflictError`): one cause per
//! conflicting field and manager, in set iteration order. It decides no
//! conflicts itself (see `server_side`).

use crate::api::status::{Details, Status};
use crate::merge::apply::managed_fields::Entry;
use crate::merge::fieldpath::{self, Elem};

pub(super) fn conflict_error(entries: &[Entry], conflicts: &[(usize, Vec<Elem>)]) -> Status {
    let causes = conflicts
        .iter()
        .map(|(i, path)| {
            (
                "FieldManagerConflict".to_string(),
                format!("conflict with {}", entries[*i].printed()),
                fieldpath::render_path(path),
            )
        })
        .collect();
    let message = if let [(i, path)] = conflicts {
        format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            entries[*i].printed(),
            fieldpath::render_path(path)
        )
    } else {
        let mut managers: Vec<String> = conflicts
            .iter()
            .map(|(i, _)| entries[*i].printed())
            .collect();
        managers.sort();
        managers.dedup();
        let mut lines = Vec::new();
        for m in &managers {
            lines.push(format!("conflicts with {m}:"));
            for (i, path) in conflicts {
                if &entries[*i].printed() == m {
                    lines.push(format!("- {}", fieldpath::render_path(path)));
                }
            }
        }
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    Status {
        code: 409,
        reason: Some("Conflict"),
        message,
        details: Some(Box::new(Details {
            causes,
            ..Details::default()
        })),
    }
}
