//! Keep the main thread responsive when thousands of futures wake together (5000 calls
//! waiting for one `tools/list`, say): each runs in the same macrotask otherwise, as one
//! long task. [`breathe`] lets a future go on while the current macrotask is young and
//! parks it until the next one (a zero-delay timer) once the slice is used up.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::cell::RefCell;
use crate::io;
use crate::sync::{Latch, LatchWait};

/// Milliseconds of work per macrotask before the rest wait for the next one.
const SLICE_MS: f64 = 5.0;

struct Slice {
    /// When the current slice began (its first `breathe`).
    start: f64,
    /// Set when the next macrotask starts (by a zero-delay timer), with that timer (kept
    /// until the next slice's replaces it: dropping it would clear it). A set latch: the
    /// slice is over, the next `breathe` starts one.
    next: Option<(Latch<bool>, io::Timer)>,
}

thread_local! {
    static SLICE: RefCell<Slice> = const {
        RefCell::new(Slice {
            start: 0.0,
            next: None,
        })
    };
}

/// Go on now, or in a later macrotask if this one has already worked for `SLICE_MS`.
pub fn breathe() -> Breathe {
    Breathe(None)
}

/// The future of [`breathe`]: a plain one (no state machine), waiting for the next
/// macrotask while the slice is used up.
#[must_use = "breathing does nothing unless awaited"]
pub struct Breathe(Option<LatchWait<bool>>);

impl Future for Breathe {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            if let Some(wait) = &mut this.0 {
                if Pin::new(wait).poll(cx).is_pending() {
                    return Poll::Pending;
                }
            }
            this.0 = SLICE.with(|s| {
                let mut s = crate::cell::write(s);
                let now = io::now_ms();
                let latch = match &s.next {
                    Some((latch, _)) if !latch.is_set() => latch.clone(),
                    _ => {
                        // First call in a new macrotask: the slice starts now, and ends
                        // with the next macrotask (the shared setter: no closure type of
                        // its own).
                        s.start = now;
                        let latch = Latch::new();
                        let timer = io::Timer::boxed(0.0, io::setter(&latch, true));
                        s.next = Some((latch.clone(), timer));
                        latch
                    }
                };
                (now - s.start > SLICE_MS).then(|| latch.into_wait())
            });
            if this.0.is_none() {
                return Poll::Ready(());
            }
        }
    }
}
