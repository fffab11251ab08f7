//! A dependent crate with its own `#[global_allocator]`: with mcp-tasks-wasm's allocator
//! forced on it, this would not link ("the #[global_allocator] ... conflicts").

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The app's own allocator: the system one, counting allocations.
pub struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static APP_ALLOCATOR: Counting = Counting;

/// Uses the SDK's pure core (its polling policy), so that the crate is linked in.
pub fn clamped_delay(ms: f64) -> u32 {
    let _ = ALLOCATIONS.load(Ordering::Relaxed);
    mcp_tasks_wasm::policy::clamp_timeout(ms)
}
