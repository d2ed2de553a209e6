//! Makes `cargo test` notice new or removed case files: the data-driven tests are
//! generated from `cases/` at compile time (rstest `#[files]`).

fn main() {
    println!("cargo:rerun-if-changed=cases");
    println!("cargo:rerun-if-changed=tests/data");
}
