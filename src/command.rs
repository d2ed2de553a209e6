//! The subcommands of the `podpatch` binary, one module each: they combine the
//! library's stages and print what the user sees. The binary only parses the
//! command line and calls the one the user named.

pub mod cases;
pub mod cleanup;
pub mod diff;
pub mod docs;
pub mod error;
pub mod explore;
pub mod mock;
pub mod output;
pub mod pair;
pub mod preflight;
pub mod run;
pub mod signal;

pub use error::CommandError;
