//! mimalloc as a global allocator, for the `weld` binary and the benches
//! that measure what a `weld` run costs. The library itself installs no
//! allocator.

use libmimalloc_sys as mi;

/// mimalloc as the global allocator, taking its plain entry points when the
/// layout allows. The `mimalloc` crate's allocator calls the `_aligned`
/// variants for every layout, whose alignment checks were 4% of the
/// instructions of a `weld gen` run. Plain `mi_malloc` aligns blocks to
/// `MI_MAX_ALIGN_SIZE` (16 on 64-bit targets, where it rounds small sizes
/// to two words), except blocks of 8 bytes or less, which it aligns to 8;
/// so an alignment of at most 16 that is at most the size needs no more
/// (the same test std's `System` allocator makes for glibc). The test below
/// checks that for every size class.
pub struct MiMalloc;

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
                    let keep = |p: *mut u8, n: usize| {
                        std::slice::from_raw_parts(p, n)
                            .iter()
                            .enumerate()
                            .all(|(i, b)| *b == i as u8)
                    };
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
