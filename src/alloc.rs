//! The wasm build's global allocator: power-of-two size classes with one free list each,
//! over `memory.grow`. It replaces the standard dlmalloc, which costs about 8 KB of wasm;
//! this is well under 1 KB.
//!
//! - A request of `size` bytes aligned to `align` gets a block of the class
//!   `max(size, align, 8)` rounded up to a power of two (2^3 ..= 2^30 bytes). A block of
//!   2^k bytes is aligned to 2^k (to 64 KiB at most: a request for more alignment fails).
//! - `dealloc` pushes the block on its class's free list (Rust passes the layout, so no
//!   header is needed); `alloc` pops from it first: O(1) both ways.
//! - An empty list is served by splitting a block of the smallest larger class that has
//!   one (halves go to the lists below), and only then by growing the memory: the new
//!   pages' rest, after the block, is cut into blocks of the classes it fits, never lost.
//!   Blocks are never merged back: a steady workload reuses its own blocks, which is what
//!   the leak check measures.
//! - `realloc` keeps the block when the class does not change, else allocates, copies and
//!   frees (a `Vec` doubling its capacity moves to the next class each time).
//! - Large requests (over [`LARGE`] bytes: a big reply) are not rounded to a power of two:
//!   they take whole pages from a list of free page spans (best fit), and a freed span
//!   merges with its free neighbours, so a 12 MB reply after a 6 MB one reuses the same
//!   memory instead of growing it (a power-of-two block, once split, never came back).
//!
//! Only the `#[global_allocator]` registration is wasm-specific (and behind the
//! `global-allocator` feature, which the npm build turns on); [`Heap`] takes its
//! memory from a closure, so the native unit tests below run it over a test arena.

use std::alloc::Layout;

/// The smallest class: 2^3 = 8 bytes (room for the free-list link).
const MIN_SHIFT: u32 = 3;
/// The largest class: 2^30 bytes (1 GiB); larger requests fail.
const MAX_SHIFT: u32 = 30;
/// A wasm page.
const PAGE: usize = 65536;
/// Requests above this many bytes get whole pages from the span list.
const LARGE: usize = 256 * 1024;
/// How many free spans are kept; a span freed when the list is full is left unused
/// (memory is then lost, never corrupted).
const SPANS: usize = 64;

/// The class (log2 of the block size) that serves `layout`, or `None` if it is too large
/// or asks for more alignment than a page (blocks are aligned to 64 KiB at most).
fn class_of(size: usize, align: usize) -> Option<u32> {
    let n = size.max(align).max(1 << MIN_SHIFT);
    if n > 1 << MAX_SHIFT || align > PAGE {
        return None;
    }
    Some(n.next_power_of_two().trailing_zeros())
}

/// The size of the block that serves `size` bytes aligned to `align`: its class's power of
/// two, or whole pages above [`LARGE`] (at least 5 pages, more than any class up to
/// there); `None` when [`class_of`] has none.
fn block_size(size: usize, align: usize) -> Option<usize> {
    let k = class_of(size, align)?;
    Some(if size > LARGE {
        size.div_ceil(PAGE) * PAGE
    } else {
        1 << k
    })
}

/// Cut `[lo, hi)` (both multiples of 8) into blocks each aligned to its own size, largest
/// first, and hand each one (address, class) to `put`.
fn tile(mut lo: usize, hi: usize, mut put: impl FnMut(usize, u32)) {
    while lo < hi {
        let fits = usize::BITS - 1 - (hi - lo).leading_zeros();
        let k = lo.trailing_zeros().min(fits).min(MAX_SHIFT);
        if k >= MIN_SHIFT {
            put(lo, k);
        }
        lo += 1 << k;
    }
}

/// Free lists and free page spans. Addresses are plain `usize`; 0 means
/// "none" (the heap never starts at address 0: the data and the stack come first).
pub struct Heap {
    /// `free[k]`: the first free block of 2^k bytes; each free block holds the next one's
    /// address in its first word.
    free: [usize; MAX_SHIFT as usize + 1],
    /// Free page spans `(start, pages)` for large requests, in no order, never adjacent
    /// (neighbours are merged); the first `spans_len` are in use.
    spans: [(usize, usize); SPANS],
    spans_len: usize,
}

impl Heap {
    /// An empty heap.
    pub const fn new() -> Heap {
        Heap {
            free: [0; MAX_SHIFT as usize + 1],
            spans: [(0, 0); SPANS],
            spans_len: 0,
        }
    }

    /// Pages for a large request: the smallest free span that fits (its rest stays
    /// free), else new memory.
    fn alloc_pages(&mut self, pages: usize, grow: impl FnOnce(usize) -> Option<usize>) -> usize {
        match self.take_span(pages) {
            Some(start) => start,
            None => grow(pages).unwrap_or(0),
        }
    }

    /// The start of `pages` pages cut from the smallest free span that fits.
    fn take_span(&mut self, pages: usize) -> Option<usize> {
        // A plain loop, not `filter().min_by_key()`: 59 bytes less wasm.
        let mut best = None;
        for i in 0..self.spans_len {
            let n = self.spans[i].1;
            if n >= pages && best.is_none_or(|b: usize| n < self.spans[b].1) {
                best = Some(i);
            }
        }
        if let Some(i) = best {
            let (start, n) = self.spans[i];
            if n == pages {
                self.remove_span(i);
            } else {
                self.spans[i] = (start + pages * PAGE, n - pages);
            }
            return Some(start);
        }
        None
    }

    /// Drop span `i` (the last one takes its place).
    fn remove_span(&mut self, i: usize) {
        self.spans_len -= 1;
        self.spans[i] = self.spans[self.spans_len];
    }

    /// Give back the pages of a large block, merged with free neighbours: each one it
    /// touches is taken out and grows it, which also makes room for it in a full list.
    fn free_pages(&mut self, mut start: usize, mut pages: usize) {
        let mut i = 0;
        while i < self.spans_len {
            let (s, n) = self.spans[i];
            if s + n * PAGE == start || start + pages * PAGE == s {
                start = start.min(s);
                pages += n;
                self.remove_span(i);
            } else {
                i += 1;
            }
        }
        if self.spans_len < SPANS {
            self.spans[self.spans_len] = (start, pages);
            self.spans_len += 1;
        }
    }

    /// # Safety
    /// `block` is a free block of class `k` that nothing else uses.
    unsafe fn push(&mut self, block: usize, k: u32) {
        *(block as *mut usize) = self.free[k as usize];
        self.free[k as usize] = block;
    }

    /// Free `[lo, hi)` as the blocks [`tile`] cuts (one copy for both callers).
    ///
    /// # Safety
    /// The range is memory this heap owns that nothing uses.
    #[inline(never)]
    unsafe fn free_range(&mut self, lo: usize, hi: usize) {
        tile(lo, hi, |b, c| self.push(b, c));
    }

    /// # Safety
    /// The heap's lists only hold blocks it owns (true when every block came from `alloc`).
    unsafe fn pop(&mut self, k: u32) -> usize {
        let block = self.free[k as usize];
        if block != 0 {
            self.free[k as usize] = *(block as *const usize);
        }
        block
    }

    /// A block for `layout`, or null. `grow(pages)` must give the address of `pages` new
    /// 64 KiB pages (page-aligned), or `None`.
    ///
    /// # Safety
    /// Every address `grow` returns must be writable memory owned by this heap alone.
    pub unsafe fn alloc(
        &mut self,
        layout: Layout,
        grow: impl FnOnce(usize) -> Option<usize>,
    ) -> *mut u8 {
        match class_of(layout.size(), layout.align()) {
            Some(_) if layout.size() > LARGE => {
                self.alloc_pages(layout.size().div_ceil(PAGE), grow) as *mut u8
            }
            Some(k) => self.alloc_class(k, grow) as *mut u8,
            None => std::ptr::null_mut(),
        }
    }

    unsafe fn alloc_class(&mut self, k: u32, grow: impl FnOnce(usize) -> Option<usize>) -> usize {
        // The class's list, else the smallest larger free block, split: its first 2^k
        // bytes are the block, the rest goes to the lists below as one block of each class
        // from k up.
        let mut j = k;
        while j < MAX_SHIFT && self.free[j as usize] == 0 {
            j += 1;
        }
        if self.free[j as usize] != 0 {
            let block = self.pop(j);
            for c in k..j {
                self.push(block + (1 << c), c);
            }
            return block;
        }
        // New memory (never a free span: small blocks there would cut it up for good, and
        // the next large reply could no longer reuse it); the rest of its pages goes to
        // the free lists.
        let size = 1usize << k;
        let pages = size.div_ceil(PAGE);
        let Some(base) = grow(pages) else {
            return 0;
        };
        self.free_range(base + size, base + pages * PAGE);
        base
    }

    /// Give back a block.
    ///
    /// # Safety
    /// `ptr` came from this heap's `alloc` (or `realloc`) with this `layout`.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        match class_of(layout.size(), layout.align()) {
            Some(_) if layout.size() > LARGE => {
                self.free_pages(ptr as usize, layout.size().div_ceil(PAGE))
            }
            Some(k) => self.push(ptr as usize, k),
            None => {}
        }
    }

    /// Resize a block: the same block while it still fits (the same class, or as many
    /// pages), else a copy.
    ///
    /// # Safety
    /// As for [`Heap::dealloc`]; `new_size` is not zero and, rounded up to the alignment,
    /// at most `isize::MAX` (as `GlobalAlloc::realloc` asks).
    pub unsafe fn realloc(
        &mut self,
        ptr: *mut u8,
        layout: Layout,
        new_size: usize,
        grow: impl FnOnce(usize) -> Option<usize>,
    ) -> *mut u8 {
        let Some(new) = block_size(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        if block_size(layout.size(), layout.align()) == Some(new) {
            return ptr;
        }
        let moved = self.alloc(
            Layout::from_size_align_unchecked(new_size, layout.align()),
            grow,
        );
        if !moved.is_null() {
            std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        moved
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

/// The registered allocator (wasm without threads only, with the `global-allocator`
/// feature: the npm build's, never forced on a Rust app that depends on the crate).
#[cfg(all(
    target_arch = "wasm32",
    not(target_feature = "atomics"),
    feature = "global-allocator"
))]
mod global {
    use super::{Heap, PAGE};
    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::UnsafeCell;

    struct Global(UnsafeCell<Heap>);

    // SAFETY: wasm32 without the `atomics` feature has one thread, and no allocator method
    // calls back into the allocator, so there is never more than one `&mut Heap`.
    unsafe impl Sync for Global {}

    #[global_allocator]
    static HEAP: Global = Global(UnsafeCell::new(Heap::new()));

    fn grow(pages: usize) -> Option<usize> {
        let before = core::arch::wasm32::memory_grow::<0>(pages);
        (before != usize::MAX).then(|| before * PAGE)
    }

    // SAFETY: the heap only hands out memory `memory.grow` gave it (fresh pages nobody
    // else uses); the free-list rules are documented on `Heap`.
    unsafe impl GlobalAlloc for Global {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            (*self.0.get()).alloc(layout, grow)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            (*self.0.get()).dealloc(ptr, layout)
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            (*self.0.get()).realloc(ptr, layout, new_size, grow)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(class_of(0, 1), Some(3));
        assert_eq!(class_of(1, 1), Some(3));
        assert_eq!(class_of(8, 8), Some(3));
        assert_eq!(class_of(9, 1), Some(4));
        assert_eq!(class_of(24, 8), Some(5));
        assert_eq!(class_of(4, 16), Some(4));
        assert_eq!(class_of(65536, 1), Some(16));
        assert_eq!(class_of(65537, 1), Some(17));
        assert_eq!(class_of(16 << 20, 1), Some(24));
        assert_eq!(class_of(1 << 30, 1), Some(30));
        assert_eq!(class_of((1 << 30) + 1, 1), None);
        assert_eq!(class_of(usize::MAX, 1), None);
        assert_eq!(class_of(8, PAGE), Some(16));
        assert_eq!(class_of(8, 2 * PAGE), None);
    }

    #[test]
    fn tiles_are_aligned_and_cover_the_gap() {
        for (lo, hi) in [
            (8, 8),
            (8, 16),
            (24, 4096),
            (65536 + 8, 3 * 65536),
            (40, 48),
        ] {
            let mut at = lo;
            tile(lo, hi, |b, k| {
                assert_eq!(b, at, "contiguous");
                assert_eq!(b % (1 << k), 0, "aligned to its size");
                at += 1 << k;
            });
            assert_eq!(at, hi.max(lo));
        }
    }

    /// A test arena of 64 KiB pages handed out in order, like `memory.grow`.
    struct Arena {
        mem: *mut u8,
        pages: usize,
        used: usize,
        grows: usize,
    }

    impl Arena {
        fn new(pages: usize) -> Arena {
            let layout = Layout::from_size_align(pages * PAGE, PAGE).unwrap();
            // SAFETY: a non-zero size.
            let mem = unsafe { std::alloc::alloc_zeroed(layout) };
            assert!(!mem.is_null());
            Arena {
                mem,
                pages,
                used: 0,
                grows: 0,
            }
        }

        fn grow(&mut self) -> impl FnOnce(usize) -> Option<usize> + '_ {
            move |n| {
                if self.used + n > self.pages {
                    return None;
                }
                let at = self.mem as usize + self.used * PAGE;
                self.used += n;
                self.grows += 1;
                Some(at)
            }
        }
    }

    impl Drop for Arena {
        fn drop(&mut self) {
            let layout = Layout::from_size_align(self.pages * PAGE, PAGE).unwrap();
            // SAFETY: allocated in `new` with this layout.
            unsafe { std::alloc::dealloc(self.mem, layout) };
        }
    }

    fn lay(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn blocks_are_aligned_distinct_and_reused() {
        let mut arena = Arena::new(256);
        let mut heap = Heap::new();
        let mut live: Vec<(usize, Layout)> = Vec::new();
        for i in 0..2000usize {
            let l = lay(1 + (i * 37) % 3000, [1, 2, 4, 8, 16][i % 5]);
            let p = unsafe { heap.alloc(l, arena.grow()) } as usize;
            assert_ne!(p, 0);
            assert_eq!(p % l.align(), 0);
            // Fill it, to catch overlaps below.
            unsafe { std::ptr::write_bytes(p as *mut u8, (i % 251) as u8, l.size()) };
            live.push((p, l));
        }
        for (i, (p, l)) in live.iter().enumerate() {
            let bytes = unsafe { std::slice::from_raw_parts(*p as *const u8, l.size()) };
            assert!(
                bytes.iter().all(|b| *b == (i % 251) as u8),
                "block {i} overwritten"
            );
        }
        let used = arena.used;
        // Free everything and do it again: no new memory.
        for (p, l) in live.drain(..) {
            unsafe { heap.dealloc(p as *mut u8, l) };
        }
        for round in 0..5 {
            for i in 0..2000usize {
                let l = lay(1 + (i * 37) % 3000, [1, 2, 4, 8, 16][i % 5]);
                let p = unsafe { heap.alloc(l, arena.grow()) };
                live.push((p as usize, l));
            }
            for (p, l) in live.drain(..) {
                unsafe { heap.dealloc(p as *mut u8, l) };
            }
            assert_eq!(arena.used, used, "round {round} took new memory");
        }
    }

    #[test]
    fn same_block_returned_after_free() {
        let mut arena = Arena::new(4);
        let mut heap = Heap::new();
        let a = unsafe { heap.alloc(lay(100, 8), arena.grow()) };
        unsafe { heap.dealloc(a, lay(100, 8)) };
        let b = unsafe { heap.alloc(lay(120, 4), arena.grow()) };
        assert_eq!(a, b);
    }

    #[test]
    fn realloc_keeps_contents_and_moves_across_classes() {
        let mut arena = Arena::new(64);
        let mut heap = Heap::new();
        let mut l = lay(5, 1);
        let mut p = unsafe { heap.alloc(l, arena.grow()) };
        unsafe { std::ptr::copy_nonoverlapping(b"hello".as_ptr(), p, 5) };
        // Same class (8 bytes): the same block.
        let q = unsafe { heap.realloc(p, l, 8, arena.grow()) };
        assert_eq!(p, q);
        l = lay(8, 1);
        // Grow like a Vec, up to 1 MiB.
        let mut size = 8;
        while size < 1 << 20 {
            size *= 2;
            p = unsafe { heap.realloc(p, l, size, arena.grow()) };
            assert!(!p.is_null());
            l = lay(size, 1);
            let head = unsafe { std::slice::from_raw_parts(p, 5) };
            assert_eq!(head, b"hello");
        }
        // Shrink back: a copy into a small block, contents kept.
        p = unsafe { heap.realloc(p, l, 5, arena.grow()) };
        assert_eq!(unsafe { std::slice::from_raw_parts(p, 5) }, b"hello");
    }

    /// A big reply, then replies of other large sizes, then many small ones: freed
    /// spans merge back, so the memory stays at the first peak (it grew without bound
    /// when power-of-two blocks were split and never merged).
    #[test]
    fn large_replies_of_changing_sizes_reuse_the_same_pages() {
        let mut arena = Arena::new(1024);
        let mut heap = Heap::new();
        let mb = 1 << 20;
        let big = |h: &mut Heap, a: &mut Arena, n: usize| {
            let p = unsafe { h.alloc(lay(n, 1), a.grow()) };
            assert!(!p.is_null());
            unsafe { std::ptr::write_bytes(p, 1, n) };
            unsafe { h.dealloc(p, lay(n, 1)) };
        };
        big(&mut heap, &mut arena, 12 * mb);
        let peak = arena.used;
        for n in [
            12 * mb,
            6 * mb,
            12 * mb,
            3 * mb,
            9 * mb,
            12 * mb,
            300 * 1024,
            12 * mb,
        ] {
            big(&mut heap, &mut arena, n);
            assert_eq!(
                arena.used, peak,
                "a {n}-byte reply after the first grew the memory"
            );
        }
        // Two at once: the second needs new pages, and both come back as one span.
        let a = unsafe { heap.alloc(lay(6 * mb, 1), arena.grow()) };
        let b = unsafe { heap.alloc(lay(8 * mb, 1), arena.grow()) };
        assert!(!a.is_null() && !b.is_null() && a != b);
        unsafe { heap.dealloc(a, lay(6 * mb, 1)) };
        unsafe { heap.dealloc(b, lay(8 * mb, 1)) };
        let two = arena.used;
        big(&mut heap, &mut arena, 14 * mb);
        assert!(
            arena.used <= two + (8 * mb) / PAGE,
            "merged spans serve a larger reply"
        );
        // A Vec growing past LARGE moves into pages and keeps its contents.
        let mut l = lay(200 * 1024, 1);
        let mut p = unsafe { heap.alloc(l, arena.grow()) };
        unsafe { std::ptr::write_bytes(p, 9, l.size()) };
        for size in [400 * 1024, 900 * 1024, 100 * 1024] {
            p = unsafe { heap.realloc(p, l, size, arena.grow()) };
            assert!(!p.is_null());
            let keep = l.size().min(size);
            assert!(unsafe { std::slice::from_raw_parts(p, keep) }
                .iter()
                .all(|b| *b == 9));
            unsafe { std::ptr::write_bytes(p, 9, size) };
            l = lay(size, 1);
        }
    }

    #[test]
    fn spans_merge_with_both_neighbours_and_a_full_list_loses_no_safety() {
        let mut heap = Heap::new();
        let p = |n: usize| n * PAGE;
        heap.free_pages(p(10), 2);
        heap.free_pages(p(14), 2);
        heap.free_pages(p(12), 2);
        assert_eq!(heap.spans_len, 1);
        assert_eq!(heap.spans[0], (p(10), 6));
        assert_eq!(heap.alloc_pages(6, |_| None), p(10));
        assert_eq!(heap.spans_len, 0);
        for i in 0..(SPANS + 10) {
            heap.free_pages(p(100 + 3 * i), 1);
        }
        assert_eq!(heap.spans_len, SPANS);
        assert_eq!(
            heap.alloc_pages(2, |_| Some(p(900))),
            p(900),
            "no span of 2: new pages"
        );
    }

    #[test]
    fn large_blocks_and_splitting() {
        let mut arena = Arena::new(40);
        let mut heap = Heap::new();
        // 1 MiB: 16 pages, page-aligned.
        let big = unsafe { heap.alloc(lay(1 << 20, 1), arena.grow()) };
        assert!(!big.is_null());
        assert_eq!((big as usize - arena.mem as usize) % PAGE, 0);
        unsafe { std::ptr::write_bytes(big, 7, 1 << 20) };
        unsafe { heap.dealloc(big, lay(1 << 20, 1)) };
        // Small requests take pages of their own (a run of one page here), never the
        // freed big block: it stays whole for the next large request.
        let mut blocks = Vec::new();
        for _ in 0..1000 {
            let p = unsafe { heap.alloc(lay(64, 8), arena.grow()) };
            assert!(!p.is_null());
            assert!(
                !(big..big.wrapping_add(1 << 20)).contains(&p),
                "small block inside the span"
            );
            blocks.push(p);
        }
        blocks.sort();
        blocks.dedup();
        assert_eq!(blocks.len(), 1000);
        let used = arena.used;
        let again = unsafe { heap.alloc(lay(1 << 20, 1), arena.grow()) };
        assert_eq!(again, big, "the freed span serves the next large request");
        assert_eq!(arena.used, used);
        // Out of memory: null, not a crash.
        let huge = unsafe { heap.alloc(lay(64 << 20, 1), arena.grow()) };
        assert!(huge.is_null());
        assert!(unsafe { heap.alloc(lay(usize::MAX / 2, 1), arena.grow()) }.is_null());
    }
}
