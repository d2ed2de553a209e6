//! The process's memory allocator: mimalloc, for the runner and the embedded
//! mock alike (every binary and test that links this library), set to give
//! freed memory back at once.
//!
//! Both allocate and free many small values per request (JSON trees, strings,
//! maps): with glibc's malloc that was about 30 % of a whole run's CPU and of
//! the mock's PATCH path, and its per-thread arenas kept freed memory, so the
//! process's peak RSS was far above its live heap. mimalloc's thread-local
//! free lists make allocation cheaper; by default it also keeps freed pages
//! for 10 ms and commits its arenas eagerly, which doubled the whole suite's
//! peak RSS, so [`return_freed_memory`] turns both off. Figures in the
//! README's Performance section (`bench/scale`, `bench/patch-rate`). It holds
//! no other setting.

use std::ffi::{c_int, c_long};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The bundled mimalloc's (libmimalloc-sys 0.1.49, v3) `mi_option_e` values,
// which that crate's bindings do not name.
/// `mi_option_arena_eager_commit`.
const ARENA_EAGER_COMMIT: c_int = 4;
/// `mi_option_purge_delay`, in milliseconds.
const PURGE_DELAY: c_int = 15;

unsafe extern "C" {
    fn mi_option_set(option: c_int, value: c_long);
}

/// Has mimalloc purge freed pages at once and commit arenas only as they are
/// used; call it first in `main`, before any thread starts.
pub fn return_freed_memory() {
    // SAFETY: mi_option_set only stores an option's value; both options exist
    // in the bundled version and take these values.
    unsafe {
        mi_option_set(PURGE_DELAY, 0);
        mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
}
