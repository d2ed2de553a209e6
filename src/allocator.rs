//! How the process's memory allocator is set up before any thread starts: with
//! glibc, at most `ARENAS` malloc arenas.
//!
//! glibc gives a thread that allocates while another holds an arena an arena of
//! its own, up to eight per core, and keeps the memory freed in each for reuse
//! there: the whole suite, its runner and embedded mock spread over the
//! runtime's workers and blocking threads, peaked at 132 MB with a live heap far
//! smaller; with two arenas, 77 MB (1,000 cases: 155 and 97 MB; `bench/scale`).
//! It changes nothing else and is a no-op on other C libraries.

/// The most malloc arenas the process uses.
pub const ARENAS: i32 = 2;

/// Caps glibc's malloc arenas at `ARENAS`; call it first in `main`, before any
/// thread starts. Whether the allocator took the setting (false off glibc).
pub fn cap_arenas() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets an allocator parameter; called before other
        // threads exist, it races with no allocation.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, ARENAS) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_takes_the_cap() {
        assert!(super::cap_arenas());
    }
}
