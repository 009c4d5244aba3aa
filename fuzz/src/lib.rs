//! What the fuzz targets share: a bound on every single allocation.
//!
//! libFuzzer's `-malloc_limit_mb` needs a sanitizer's malloc hooks, and the targets run without
//! one (see the Makefile), so each target installs [`BoundedAllocator`] instead: an allocation
//! larger than [`MAX_ALLOCATION_BYTES`] aborts, which libFuzzer reports as a crash and saves
//! the input. `-rss_limit_mb` still bounds the process as a whole.

use std::alloc::{GlobalAlloc, Layout, System};

/// The largest allocation a target may make. The largest legitimate ones are a dense site
/// sketch's registers (48 KiB) and the input itself (libFuzzer's `-max_len`).
pub const MAX_ALLOCATION_BYTES: usize = 64 << 20;

/// The system allocator, aborting on any allocation over [`MAX_ALLOCATION_BYTES`].
pub struct BoundedAllocator;

fn check(size: usize) {
    if size > MAX_ALLOCATION_BYTES {
        // Not a panic: unwinding would allocate inside the allocator.
        std::process::abort();
    }
}

// SAFETY: every call is passed on unchanged to the system allocator, after a size check that
// either returns or aborts.
unsafe impl GlobalAlloc for BoundedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}
