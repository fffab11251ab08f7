//! Keep the main thread responsive when thousands of futures wake together (5000 calls
//! waiting for one `tools/list`, say): each runs in the same macrotask otherwise, as one
//! long task. [`breathe`] lets a future go on while the current macrotask is young and
//! parks it until the next one (a zero-delay timer) once the slice is used up.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::io;
use crate::sync::{Latch, LatchWait};

/// Milliseconds of work per macrotask before the rest wait for the next one.
const SLICE_MS: f64 = 5.0;

struct Slice {
    /// When the current slice began (its first `breathe`).
    start: f64,
    /// Set when the next macrotask starts (a zero-delay timer), then forgotten.
    next: Option<Latch<bool>>,
    /// That timer (kept until the next slice's replaces it: dropping it would clear it).
    timer: Option<io::Timer>,
}

thread_local! {
    static SLICE: RefCell<Slice> = const {
        RefCell::new(Slice {
            start: 0.0,
            next: None,
            timer: None,
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
                let next = match &s.next {
                    Some(latch) => latch.clone(),
                    None => {
                        // First call in a new macrotask: the slice starts now, and ends
                        // with the next macrotask.
                        s.start = now;
                        let latch = Latch::new();
                        let set = latch.clone();
                        s.timer = Some(io::Timer::once(0.0, move || {
                            SLICE.with(|s| crate::cell::write(s).next = None);
                            set.set(true);
                        }));
                        s.next = Some(latch.clone());
                        latch
                    }
                };
                (now - s.start > SLICE_MS).then(|| next.wait())
            });
            if this.0.is_none() {
                return Poll::Ready(());
            }
        }
    }
}
