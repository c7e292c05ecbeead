//! `weld-provider-httpserver`: the `httpserver` provider as a wasmCloud 0.x
//! provider executable (host data on stdin; see
//! `weld_rpc::provider::standalone`).

// The same allocator as the host: a provider process allocates per
// invocation (decode, verify, reply) and glibc's malloc showed in profiles.
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    weld_rpc::provider::standalone::main_for(
        "httpserver",
        std::sync::Arc::new(weld_provider_httpserver::HttpServerProvider::build),
    )
}
