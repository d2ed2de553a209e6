//! The process's memory allocator: mimalloc, for the runner and the embedded
//! mock alike (every binary and test that links this library), set to give
//! freed memory back within milliseconds.
//!
//! Both allocate and free many small values per request (JSON trees, strings,
//! maps): with glibc's malloc that was about 30 % of a whole run's CPU and of
//! the mock's PATCH path, and its per-thread arenas kept freed memory, so the
//! process's peak RSS was far above its live heap. mimalloc's thread-local
//! free lists make allocation cheaper; by default it also keeps freed pages
//! for a while and commits its arenas eagerly, and an eagerly committed arena
//! is advised as transparent huge pages (2 MiB faulted in where 4 KiB was
//! touched), which doubled the whole suite's peak RSS. [`return_freed_memory`]
//! turns eager commits off and has freed pages given back after
//! [`PURGE_DELAY_MS`]: given back at once, a page freed by one request and
//! needed by the next was given back and faulted in again in between (a
//! quarter of a run's page faults and about 6 % of its CPU; 3 ms kept a
//! 1,000-case run's peak RSS within 4 MB of giving back at once). It must run
//! before the first allocation reserves mimalloc's first arena (1 GiB): the
//! Rust runtime allocates before `main`, so on Linux it runs as an ELF
//! constructor; called from `main` it was too late (the
//! first arena, where nearly everything lives, kept its huge pages: 98 MB
//! instead of 80 at 1,000 cases). Environment variables (`MIMALLOC_PURGE_DELAY`
//! and the like) still override these defaults. Figures in the README's
//! Performance section (`bench/scale`, `bench/patch-rate`). It holds no other
//! setting.

use std::ffi::{c_int, c_long};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The bundled mimalloc's (libmimalloc-sys 0.1.49, v3) `mi_option_e` values,
// which that crate's bindings do not name.
/// `mi_option_arena_eager_commit`.
const ARENA_EAGER_COMMIT: c_int = 4;
/// `mi_option_purge_delay`, in milliseconds.
const PURGE_DELAY: c_int = 15;

/// How long freed pages are kept before they are given back to the system.
const PURGE_DELAY_MS: c_long = 3;

unsafe extern "C" {
    fn mi_option_set_default(option: c_int, value: c_long);
}

/// Runs [`return_freed_memory`] while the dynamic loader runs constructors,
/// before the Rust runtime's first allocation (`.init_array` entries with a
/// priority run before those without, the runtime's own included).
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array.00090")]
static BEFORE_FIRST_ALLOCATION: extern "C" fn() = {
    extern "C" fn constructor() {
        return_freed_memory();
    }
    constructor
};

/// Has mimalloc purge freed pages after [`PURGE_DELAY_MS`] and commit arenas
/// only as they are used, unless the environment says otherwise. On Linux
/// this already ran before `main`; elsewhere call it first in `main`, before
/// any thread starts (calling it again changes nothing).
pub fn return_freed_memory() {
    // SAFETY: mi_option_set_default only stores an option's default value
    // (one static array, no allocation, so it is sound before mimalloc is
    // initialised); both options exist in the bundled version and take these
    // values.
    unsafe {
        mi_option_set_default(PURGE_DELAY, PURGE_DELAY_MS);
        mi_option_set_default(ARENA_EAGER_COMMIT, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" {
        fn mi_option_get(option: c_int) -> c_long;
    }

    #[test]
    fn freed_pages_are_kept_briefly_and_arenas_committed_lazily() {
        return_freed_memory();
        // SAFETY: mi_option_get reads one option's value; both options exist
        // in the bundled version.
        let (delay, eager) = unsafe {
            (
                mi_option_get(PURGE_DELAY),
                mi_option_get(ARENA_EAGER_COMMIT),
            )
        };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(delay, PURGE_DELAY_MS);
        }
        if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
            assert_eq!(eager, 0);
        }
    }
}
