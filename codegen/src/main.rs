//! The `weld` command line; all of it lives in [`weld_codegen::cli`].

use std::io::Write;
use std::process::ExitCode;

/// `weld gen` allocates and frees a great many small values (syn trees,
/// handlebars contexts, JSON views); glibc's malloc spent about a fifth of
/// a run's instructions on them. mimalloc's thread-local free lists are
/// much cheaper for that pattern. Only the binary uses it; the library
/// leaves the choice to its users. mimalloc 2 rather than 3: version 3
/// reserves a 1 GiB arena marked for transparent huge pages at start-up and
/// zeroes a 2 MiB page on first use, which cost a short `weld gen` about
/// 1 ms (7.4 ms against 8.4 ms median, interleaved runs; glibc 8.3 ms).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let code = weld_codegen::cli::main();
    if code == ExitCode::SUCCESS {
        // Everything is written (files are closed, stderr is unbuffered);
        // flush stdout and end without the exit handlers: they only give
        // memory back (mimalloc returns its pages one madvise at a time),
        // which a process that is ending need not do. About 0.3 ms of a
        // 5 ms `weld gen`.
        if std::io::stdout().flush().is_ok() {
            // SAFETY: `_exit` ends the process; nothing runs after it.
            unsafe { libc::_exit(0) }
        }
    }
    code
}
