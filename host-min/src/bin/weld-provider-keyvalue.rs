//! `weld-provider-keyvalue`: host-min's `keyvalue` provider as a wasmCloud 0.x
//! provider executable (host data on stdin; see
//! `host_min::lattice::standalone`).

fn main() -> std::process::ExitCode {
    host_min::lattice::standalone::main_for("keyvalue")
}
