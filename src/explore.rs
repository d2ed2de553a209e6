//! Generated differential testing (`podpatch explore`): the grammar cases
//! are drawn from (`family`, `values`, `pod`, `edits`, `bodies`, put
//! together by `generate`), what has been tried (`coverage`), how a case
//! that shows a difference is made smaller (`shrink`), and what a found
//! difference is and the case file written for it (`finding`). The
//! orchestration is `command::explore`.

pub mod bodies;
pub mod coverage;
pub mod edits;
pub mod family;
pub mod finding;
pub mod generate;
pub mod pod;
pub mod shrink;
pub mod values;
