//! A global allocator that counts the allocations of the current thread,
//! so that a measurement is not disturbed by other threads (test threads,
//! a runtime's workers).
//!
//! A binary opts in with
//! `#[global_allocator] static ALLOCATOR: Counting = Counting;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    // `const` and without a destructor: reading it never allocates, which
    // an allocator requires.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// Wraps [`System`] and counts every `alloc`, `alloc_zeroed` and
/// `realloc` (a reallocation may move the block, so it costs like one).
#[derive(Debug, Clone, Copy)]
pub struct Counting;

fn count() {
    // `try_with` cannot fail for a const thread-local without destructor,
    // and ignoring an error keeps the allocator infallible regardless.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: `ptr` and `layout` come from this allocator, which
        // allocates with `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Runs `f` and returns how many allocations it made on this thread.
///
/// Meaningful only in a binary whose global allocator is [`Counting`].
pub fn allocations_in<R>(f: impl FnOnce() -> R) -> (u64, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    let after = ALLOCATIONS.with(Cell::get);
    (after - before, result)
}
