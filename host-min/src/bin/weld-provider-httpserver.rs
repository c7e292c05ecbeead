//! `weld-provider-httpserver`: host-min's `httpserver` provider as a wasmCloud 0.x
//! provider executable (host data on stdin; see
//! `host_min::lattice::standalone`).

fn main() -> std::process::ExitCode {
    host_min::lattice::standalone::main_for("httpserver")
}
