//! The `weld` command line; all of it lives in [`weld_codegen::cli`].

use libmimalloc_sys as mi;
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
static ALLOC: MiMalloc = MiMalloc;

/// mimalloc as the global allocator, taking its plain entry points when the
/// layout allows. The `mimalloc` crate's allocator calls the `_aligned`
/// variants for every layout, whose alignment checks were 4% of the
/// instructions of a `weld gen` run. Plain `mi_malloc` aligns blocks to
/// `MI_MAX_ALIGN_SIZE` (16 on 64-bit targets, where it rounds small sizes
/// to two words), except blocks of 8 bytes or less, which it aligns to 8;
/// so an alignment of at most 16 that is at most the size needs no more
/// (the same test std's `System` allocator makes for glibc). The test below
/// checks that for every size class.
struct MiMalloc;

/// The alignment plain `mi_malloc` guarantees on 64-bit targets.
const PLAIN_ALIGN: usize = 16;

fn plain(layout: std::alloc::Layout) -> bool {
    layout.align() <= PLAIN_ALIGN && layout.align() <= layout.size()
}

// SAFETY: every block comes from mimalloc and goes back to `mi_free`
// (which takes blocks of either entry point); the `_aligned` variants get
// every layout the plain ones cannot serve.
unsafe impl std::alloc::GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if plain(layout) {
            mi::mi_malloc(layout.size()).cast()
        } else {
            mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if plain(layout) {
            mi::mi_zalloc(layout.size()).cast()
        } else {
            mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        mi::mi_free(ptr.cast())
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        // The new layout has the old alignment and `new_size`.
        if layout.align() <= PLAIN_ALIGN && layout.align() <= new_size {
            mi::mi_realloc(ptr.cast(), new_size).cast()
        } else {
            mi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{GlobalAlloc, Layout};

    /// Every size up to 8 KiB and some large ones, at every alignment up to
    /// 4 KiB: blocks are aligned, writable, zeroed by `alloc_zeroed`, and
    /// keep their bytes through `realloc` to a larger and a smaller size.
    #[test]
    fn blocks_are_aligned_and_keep_their_bytes() {
        let a = MiMalloc;
        let sizes = (1..=8192).chain([65_536, 1 << 20, (4 << 20) + 3]);
        for size in sizes {
            for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0, "zeroed {size}/{align}");
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|b| *b == 0));
                    a.dealloc(z, layout);

                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "alloc {size}/{align}");
                    for i in 0..size {
                        *p.add(i) = i as u8;
                    }
                    let keep =
                        |p: *mut u8, n: usize| (0..n).all(|i| unsafe { *p.add(i) } == i as u8);
                    let grown = a.realloc(p, layout, size * 2 + 1);
                    assert_eq!(grown as usize % align, 0, "grow {size}/{align}");
                    assert!(keep(grown, size));
                    let grown_layout = Layout::from_size_align(size * 2 + 1, align).unwrap();
                    let shrunk = a.realloc(grown, grown_layout, size.div_ceil(2));
                    assert_eq!(shrunk as usize % align, 0, "shrink {size}/{align}");
                    assert!(keep(shrunk, size.div_ceil(2)));
                    a.dealloc(
                        shrunk,
                        Layout::from_size_align(size.div_ceil(2), align).unwrap(),
                    );
                }
            }
        }
    }
}
