//! The `weld` command line.
fn main() {}
