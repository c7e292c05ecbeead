//! The `weld` command line; all of it lives in [`weld_codegen::cli`].

use std::io::Write;
use std::process::ExitCode;

/// `weld gen` allocates and frees a great many small values (syn trees,
/// handlebars contexts, JSON views); glibc's malloc spent about a fifth of
/// a run's instructions on them. mimalloc's thread-local free lists are
/// much cheaper for that pattern. Only the binary installs it; the library
/// leaves the choice to its users. mimalloc 2 rather than 3: version 3
/// reserves a 1 GiB arena marked for transparent huge pages at start-up and
/// zeroes a 2 MiB page on first use, which cost a short `weld gen` about
/// 1 ms (7.4 ms against 8.4 ms median, interleaved runs; glibc 8.3 ms).
#[global_allocator]
static ALLOC: weld_codegen::alloc::MiMalloc = weld_codegen::alloc::MiMalloc;

fn main() -> ExitCode {
    no_transparent_huge_pages();
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

/// Opts this process out of transparent huge pages. Where the kernel has
/// them on for every mapping (`enabled = always`), each thread's mimalloc
/// segment got a 2 MiB page on first touch: five per `weld gen`, 10 MiB
/// zeroed for a run whose heap peaks at 1.4 MB. Worse, finding free huge
/// pages is slow when memory is fragmented (just after a `rustfmt` run, say):
/// interleaved with wasmCloud's generator, `weld gen` keyvalue took a mean
/// 6.8 ms (p90 9.5, p99 18) with huge pages and 4.4 ms (p90 4.7, p99 6.0)
/// without. Small pages cost a few hundred more faults, about 0.3 ms of the
/// median on an idle machine; the steady tail is worth it.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of this process;
    // on kernels without it the call fails with EINVAL, which is harmless.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
