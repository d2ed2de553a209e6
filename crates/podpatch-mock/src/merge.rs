//! The patch and merge machinery: strategic merge (`strategicpatch`),
//! server-side apply and managed fields (`structured-merge-diff`), on JSON
//! values typed by [`crate::schema`]. It knows nothing of HTTP or storage.

pub(crate) mod apply;
pub(crate) mod evanphx_marshal;
pub(crate) mod fieldpath;
pub(crate) mod json_patch;
pub(crate) mod merge_patch;
pub(crate) mod patched;
pub(crate) mod strategic;
