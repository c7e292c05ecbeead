//! `weld-provider-keyvalue`: host-min's `keyvalue` provider as a wasmCloud 0.x
//! provider executable (host data on stdin; see
//! `host_min::lattice::standalone`).

// The same allocator as the host: a provider process allocates per
// invocation (decode, verify, reply) and glibc's malloc showed in profiles.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    host_min::lattice::standalone::main_for("keyvalue")
}
