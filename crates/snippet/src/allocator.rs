//! A small allocator for the snippet: power-of-two size classes with a free list each, carved
//! from memory the module grows page by page. The standard one (dlmalloc) is several kilobytes;
//! the snippet allocates a few strings per event, all short-lived or small, so wasting up to
//! half of a block is cheaper than the code that would avoid it.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;

/// Blocks are 16 bytes (`2^MIN_SHIFT`) to 1 MiB (`2^(MIN_SHIFT + CLASSES - 1)`).
const MIN_SHIFT: usize = 4;
const CLASSES: usize = 17;
const PAGE: usize = 65_536;

pub struct Allocator(UnsafeCell<State>);

struct State {
    /// The first free block of each class; a free block holds the address of the next.
    free: [*mut u8; CLASSES],
    /// The unused memory between `next` and `end`.
    next: usize,
    end: usize,
}

// SAFETY: WebAssembly without threads: one allocation at a time.
unsafe impl Sync for Allocator {}

impl Allocator {
    pub const fn new() -> Allocator {
        Allocator(UnsafeCell::new(State { free: [null_mut(); CLASSES], next: 0, end: 0 }))
    }
}

/// The size class of a layout, or `None` when it is larger than the largest class.
fn class(layout: Layout) -> Option<usize> {
    let size = layout.size().max(layout.align()).max(1 << MIN_SHIFT);
    let class = size.next_power_of_two().trailing_zeros() as usize - MIN_SHIFT;
    (class < CLASSES).then_some(class)
}

unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class(layout) else { return null_mut() };
        // SAFETY: see `Sync`; no other reference to the state exists during this call.
        let state = unsafe { &mut *self.0.get() };
        let head = state.free[class];
        if !head.is_null() {
            // SAFETY: a free block starts with the address of the next free block.
            state.free[class] = unsafe { *(head as *mut *mut u8) };
            return head;
        }
        // Every block is aligned to its own size (a power of two), so any layout fits.
        let size = 1usize << (class + MIN_SHIFT);
        let start = (state.next + size - 1) & !(size - 1);
        if start + size > state.end {
            let pages = size.div_ceil(PAGE) + 1;
            let old = core::arch::wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return null_mut();
            }
            if old * PAGE != state.end {
                state.next = old * PAGE;
            }
            state.end = (old + pages) * PAGE;
            // SAFETY: the same call again, with memory to carve from now.
            return unsafe { self.alloc(layout) };
        }
        state.next = start + size;
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(class) = class(layout) {
            // SAFETY: see `Sync`; `ptr` is a block of this class that nobody uses any more.
            let state = unsafe { &mut *self.0.get() };
            unsafe { *(ptr as *mut *mut u8) = state.free[class] };
            state.free[class] = ptr;
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees a valid layout of the same alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class(layout) == class(new_layout) {
            return ptr;
        }
        // SAFETY: as for `alloc` and `dealloc`; the blocks do not overlap.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}
