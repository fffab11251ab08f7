//! The crate's own executor and promise future, in place of wasm-bindgen-futures'
//! `spawn_local` and `JsFuture`: one JS helper (`whenSettled` in host.js) and one shared
//! closure serve every await, every task run and every timer's and abort listener's
//! callback ([`Armed`]), where `JsFuture` makes two closures per promise and the executor
//! has a closure type, a `VecDeque` and a `queueMicrotask` feature check of its own.
//!
//! `settle(p, tag, cb)` (`whenSettled`) calls `cb(tag, value)` when `p` fulfils and
//! `cb(tag + 1, reason)` when it rejects. A tag is a raw pointer, whose two low bits are
//! free (it is 4-aligned): a woken [`Task`]'s with bit 1 set (`settle(undefined, tag,
//! cb)` runs it in a microtask: the host's microtask queue is the run queue), an
//! awaited promise's [`Slot`]'s, or with both bits set an [`Armed`] callback's (a timer
//! calls `cb(tag)`, an abort listener too). wasm-bindgen-futures is only a dev-dependency
//! (the wasm tests' `spawn_local`).

use std::cell::Cell;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

#[wasm_bindgen(module = "/src/io/host.js")]
extern "C" {
    #[wasm_bindgen(js_name = whenSettled)]
    fn settle(p: &JsValue, tag: u32, cb: &JsValue);
    /// `cb(tag)` when `signal` aborts; the listener (to remove it).
    #[wasm_bindgen(js_name = onAbort)]
    fn on_abort(signal: &AbortSignal, tag: u32, cb: &JsValue) -> JsValue;
}

// The host's `setTimeout` (global in pages, workers and Node; Node's ids are objects):
// `cb(tag)` after `ms` milliseconds; the timer's id.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timer(cb: &JsValue, ms: u32, tag: u32) -> JsValue;
}

thread_local! {
    /// The one callback the host calls (see [`on_settle`]): a `Fn`, which wasm-bindgen
    /// lets the host call again while a call runs (a timer's callback that aborts a
    /// controller runs that signal's listeners at once). Lives as long as the module:
    /// kept as its JS value, not as a `Closure`, so that no path drops a closure (and the
    /// glue needs no import for that).
    static CALLBACK: JsValue = Closure::<dyn Fn(u32, JsValue)>::new(on_settle).into_js_value();
}

/// Hand `p` to `settle` with `tag`.
fn settle_with(p: &JsValue, tag: u32) {
    CALLBACK.with(|cb| settle(p, tag, cb));
}

/// What the host calls: a woken task's run, an awaited promise's outcome, or a timer's
/// or an abort listener's callback.
fn on_settle(tag: u32, v: JsValue) {
    let p = (tag & !3) as usize;
    match tag & 3 {
        // SAFETY: a tag with both low bits set is an [`Armed`] callback's, which is
        // alive: its owner stops the host from calling (clears the timer, removes the
        // listener) before it goes. Taken out of its cell first, so that the callback
        // may drop its owner.
        3 => unsafe { fire(p as *const Once) },
        // SAFETY: a tag with bit 1 set is, less that bit, the count `enqueue` gave away
        // (`undefined` fulfils: the tag comes back as it was given, once).
        2 => unsafe { Rc::from_raw(p as *const Task) }.run(),
        // SAFETY: any other tag, less its low bit, is a slot pointer of `await_promise`,
        // and `settle` calls back exactly once for it (a promise calls exactly one of its
        // two reactions, once).
        ok => unsafe { Slot::deliver(p as *const Slot, ok == 0, v) },
    }
}

/// A callback called at most once.
type Once = Cell<Option<Box<dyn FnOnce()>>>;

/// Call an [`Armed`] callback, unless it ran already.
///
/// # Safety
/// `p` is an `Armed` callback's, and its owner is alive.
unsafe fn fire(p: *const Once) {
    if let Some(f) = unsafe { &*p }.take() {
        f()
    }
}

/// A timer's or an abort listener's callback, which the host calls by its tag (see
/// [`on_settle`]) through the executor's one closure: no closure of its own. Its owner
/// ([`super::Timer`], [`super::AbortListener`]) keeps it, and stops the host from calling
/// before it goes.
pub struct Armed {
    _f: Box<Once>,
}

impl Armed {
    /// The callback, and the pointer its tag is made of (`| 3`).
    #[inline(always)]
    fn new(f: Box<dyn FnOnce()>) -> (Armed, *const Once) {
        let cell = Box::new(Cell::new(Some(f)));
        let p: *const Once = &*cell;
        (Armed { _f: cell }, p)
    }

    /// `f` after `ms` milliseconds (a call of the host's `setTimeout`); the timer's id.
    pub fn timer(ms: u32, f: Box<dyn FnOnce()>) -> (Armed, JsValue) {
        let (armed, p) = Armed::new(f);
        (
            armed,
            CALLBACK.with(|cb| set_timer(cb, ms, p as usize as u32 | 3)),
        )
    }

    /// `f` when `signal` aborts; the listener, to remove.
    pub fn on_abort(signal: &AbortSignal, f: Box<dyn FnOnce()>) -> (Armed, JsValue) {
        let (armed, p) = Armed::new(f);
        (
            armed,
            CALLBACK.with(|cb| on_abort(signal, p as usize as u32 | 3, cb)),
        )
    }
}

/// A spawned future and whether a run of it is scheduled.
struct Task {
    future: Cell<Option<Pin<Box<dyn Future<Output = ()>>>>>,
    queued: Cell<bool>,
}

/// Run `f` on the host's microtask queue (first polled in a later microtask, never
/// inside this call). Boxed on purpose: one copy of the executor serves every caller.
pub fn spawn(f: Pin<Box<dyn Future<Output = ()>>>) {
    enqueue(Rc::new(Task {
        future: Cell::new(Some(f)),
        queued: Cell::new(true),
    }));
}

/// Run `t` in a microtask (the count it holds goes with it, see [`on_settle`]).
fn enqueue(t: Rc<Task>) {
    settle_with(&JsValue::UNDEFINED, Rc::into_raw(t) as usize as u32 | 2);
}

impl Task {
    fn run(self: &Rc<Self>) {
        // A wake during the poll queues the task again.
        self.queued.set(false);
        // SAFETY: the waker borrows `self` for the poll (a clone takes a count of its own).
        let waker = ManuallyDrop::new(unsafe {
            Waker::from_raw(RawWaker::new(Rc::as_ptr(self).cast(), &VTABLE))
        });
        // Out of its cell for the poll; put back while pending (a finished one is
        // dropped now, not when its last waker goes).
        if let Some(mut f) = self.future.take() {
            if f.as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
            {
                self.future.set(Some(f));
            }
        }
    }

    fn wake(self: Rc<Self>) {
        if !self.queued.replace(true) {
            enqueue(self);
        }
    }
}

// A waker is an `Rc<Task>` count: the standard `Rc` waker (`std::task::Wake` wants `Arc`).
static VTABLE: RawWakerVTable = RawWakerVTable::new(
    |p| {
        // SAFETY (all four): `p` is an `Rc<Task>` pointer with a count of its own.
        unsafe { Rc::increment_strong_count(p as *const Task) };
        RawWaker::new(p, &VTABLE)
    },
    |p| unsafe { Rc::from_raw(p as *const Task) }.wake(),
    |p| {
        unsafe { Rc::increment_strong_count(p as *const Task) };
        unsafe { Rc::from_raw(p as *const Task) }.wake()
    },
    |p| unsafe { Rc::decrement_strong_count(p as *const Task) },
);

/// An awaited promise's outcome, and the waker of whoever waits for it.
#[derive(Default)]
struct Slot {
    result: Cell<Option<Result<JsValue, JsValue>>>,
    waker: Cell<Option<Waker>>,
}

/// The value a promise fulfils with (`Ok`) or the reason it rejects with (`Err`); see
/// [`await_promise`].
#[must_use = "a promise future does nothing unless awaited"]
pub struct PromiseFuture(Rc<Slot>);

/// Wait for `p` to settle. `p` may be any value: a non-promise is its own value, and a
/// thenable is followed, as by `Promise.resolve`. Dropping the future before `p` settles is
/// fine (its outcome is dropped then); either way `p` counts as handled (no unhandled
/// rejection is reported for it).
pub fn await_promise(p: &JsValue) -> PromiseFuture {
    let (future, slot) = Slot::new();
    settle_with(p, slot as usize as u32);
    future
}

impl Slot {
    /// A future and the raw count of its slot that the JS side holds until the promise
    /// settles (see [`Slot::deliver`]).
    fn new() -> (PromiseFuture, *const Slot) {
        let slot = Rc::new(Slot::default());
        let raw = Rc::into_raw(slot.clone());
        (PromiseFuture(slot), raw)
    }

    /// Store a promise's outcome and wake its waiter, if any.
    ///
    /// # Safety
    /// `raw` is from [`Slot::new`], and each is handed here once: this takes its count
    /// back.
    unsafe fn deliver(raw: *const Slot, ok: bool, v: JsValue) {
        let slot = unsafe { Rc::from_raw(raw) };
        slot.result.set(Some(if ok { Ok(v) } else { Err(v) }));
        if let Some(w) = slot.waker.take() {
            w.wake();
        }
    }
}

impl Future for PromiseFuture {
    type Output = Result<JsValue, JsValue>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0.result.take() {
            Some(r) => Poll::Ready(r),
            None => {
                self.0.waker.set(Some(cx.waker().clone()));
                Poll::Pending
            }
        }
    }
}

impl Drop for PromiseFuture {
    /// Forget the waker: a promise that settles later must not keep its task alive.
    fn drop(&mut self) {
        self.0.waker.set(None);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    use super::*;

    /// A waker that counts its wakes.
    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn poll(f: &mut PromiseFuture, waker: &Waker) -> Poll<Result<JsValue, JsValue>> {
        Pin::new(f).poll(&mut Context::from_waker(waker))
    }

    // JS values natively: only the reserved constants, unread (reading one, even
    // comparing, is a JS call); the outcomes differ in `Ok` and `Err` instead.

    #[test]
    fn each_outcome_reaches_its_own_waiter_and_wakes_it_once() {
        let (a_count, b_count) = (
            Arc::new(Count(AtomicUsize::new(0))),
            Arc::new(Count(AtomicUsize::new(0))),
        );
        let (a_waker, b_waker) = (Waker::from(a_count.clone()), Waker::from(b_count.clone()));
        let ((mut a, a_raw), (mut b, b_raw)) = (Slot::new(), Slot::new());
        assert!(poll(&mut a, &a_waker).is_pending());
        assert!(poll(&mut b, &b_waker).is_pending());
        // Settled in the other order, one fulfilled, one rejected.
        unsafe { Slot::deliver(b_raw, false, JsValue::FALSE) };
        assert_eq!(
            (
                a_count.0.load(Ordering::Relaxed),
                b_count.0.load(Ordering::Relaxed)
            ),
            (0, 1)
        );
        unsafe { Slot::deliver(a_raw, true, JsValue::TRUE) };
        assert_eq!(a_count.0.load(Ordering::Relaxed), 1);
        assert!(matches!(poll(&mut a, &a_waker), Poll::Ready(Ok(_))));
        assert!(matches!(poll(&mut b, &b_waker), Poll::Ready(Err(_))));
    }

    #[test]
    fn an_armed_callback_runs_once_and_may_drop_its_owner() {
        let owner = Rc::new(Cell::new(None::<Armed>));
        let (runs, held) = (Rc::new(Cell::new(0)), owner.clone());
        let count = runs.clone();
        let (armed, p) = Armed::new(Box::new(move || {
            count.set(count.get() + 1);
            drop(held.take()); // the callback drops its own owner
        }));
        assert_eq!(p as usize & 3, 0, "the tag's two low bits are free");
        owner.set(Some(armed));
        unsafe { fire(p) };
        assert_eq!(runs.get(), 1);
        assert!(
            owner.take().is_none(),
            "the owner was dropped by the callback"
        );
        // Called again while its owner lives: nothing (a callback runs at most once).
        let count = runs.clone();
        let (armed, p) = Armed::new(Box::new(move || count.set(count.get() + 1)));
        unsafe { fire(p) };
        unsafe { fire(p) };
        assert_eq!(runs.get(), 2);
        drop(armed);
    }

    #[test]
    fn an_outcome_that_came_before_the_first_poll_is_ready_at_once() {
        let (mut f, raw) = Slot::new();
        unsafe { Slot::deliver(raw, true, JsValue::NULL) };
        let waker = Waker::from(Arc::new(Count(AtomicUsize::new(0))));
        assert!(matches!(poll(&mut f, &waker), Poll::Ready(Ok(_))));
    }

    #[test]
    fn a_dropped_future_whose_promise_settles_later_wakes_nobody_and_frees_its_slot() {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let (mut f, raw) = Slot::new();
        assert!(poll(&mut f, &waker).is_pending());
        let slot = Rc::downgrade(&f.0);
        drop(f);
        // The JS side's count keeps the slot until the promise settles; the waker is gone.
        assert!(slot.upgrade().is_some());
        assert_eq!(Arc::strong_count(&count), 2, "the slot let go of the waker");
        unsafe { Slot::deliver(raw, false, JsValue::UNDEFINED) };
        assert_eq!(count.0.load(Ordering::Relaxed), 0, "this must never wake");
        assert!(slot.upgrade().is_none(), "the slot is freed once settled");
    }
}
