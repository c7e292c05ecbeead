//! `weld-provider-blobstore-s3`: the `blobstore-s3` provider as a wasmCloud
//! 0.x provider executable (host data on stdin; see
//! `weld_rpc::provider::standalone`).

// The same allocator as the host: a provider process allocates per
// invocation (decode, verify, reply) and glibc's malloc showed in profiles.
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    weld_rpc::provider::standalone::main_for(
        "blobstore-s3",
        std::sync::Arc::new(weld_provider_blobstore_s3::S3BlobstoreProvider::build),
    )
}
