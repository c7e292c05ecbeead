//! The `weld` command line; all of it lives in [`weld_codegen::cli`].

/// `weld gen` allocates and frees a great many small values (syn trees,
/// handlebars contexts, JSON views); glibc's malloc spent about a fifth of
/// a run's instructions on them. mimalloc's thread-local free lists are
/// much cheaper for that pattern. Only the binary uses it; the library
/// leaves the choice to its users.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    weld_codegen::cli::main()
}
