//! Tiny single-threaded wait primitives (std only), one of each: a [`Latch`] that is set
//! once and wakes every waiter, a [`Gate`] that caps requests in flight (one instance per
//! lane), and a [`SingleFlight`] that shares one run of a piece of work. They let a
//! future wait for an event without a timer of its own.

use std::cell::{Cell, OnceCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::cell::RefCell;

/// A latch's value, once set, and its waiters: the value in a `OnceCell` (no borrow
/// flag of its own), the waiters in a `RefCell` whose code is not generic, so that every
/// latch type shares it.
struct LatchState<T> {
    value: OnceCell<T>,
    wakers: RefCell<Wakers>,
}

/// A latch's waiters. Not generic, so one copy of this code serves every latch type.
#[derive(Default)]
struct Wakers(Vec<Waker>);

impl Wakers {
    /// Wake them all, and forget them (the value was just set).
    #[inline(never)]
    fn wake_all(cell: &RefCell<Wakers>) {
        let wakers = std::mem::take(&mut *crate::cell::write(cell));
        // By reference (the list is dropped after): no `IntoIter` of wakers in the wasm.
        for w in &wakers.0 {
            w.wake_by_ref();
        }
    }

    /// Add the waiter polled with `cx`, or update its waker at `slot` (a re-poll).
    #[inline(never)]
    fn register(cell: &RefCell<Wakers>, slot: &mut Option<usize>, cx: &Context<'_>) {
        let mut w = crate::cell::write(cell);
        let waker = cx.waker().clone();
        match slot.and_then(|i| w.0.get_mut(i)) {
            Some(old) => *old = waker,
            None => {
                *slot = Some(w.0.len());
                w.0.push(waker);
            }
        }
    }
}

/// A value that is set at most once; every clone sees it, and every waiter wakes.
pub struct Latch<T: Clone>(Rc<LatchState<T>>);

impl<T: Clone> Clone for Latch<T> {
    fn clone(&self) -> Self {
        Latch(self.0.clone())
    }
}

impl<T: Clone> Default for Latch<T> {
    fn default() -> Self {
        Latch(Rc::new(LatchState {
            value: OnceCell::new(),
            wakers: RefCell::default(),
        }))
    }
}

impl<T: Clone> Latch<T> {
    /// An unset latch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the value; only the first call counts. Returns whether this call set it.
    pub fn set(&self, value: T) -> bool {
        if self.0.value.set(value).is_err() {
            return false;
        }
        Wakers::wake_all(&self.0.wakers);
        true
    }

    /// The value, if set.
    pub fn get(&self) -> Option<T> {
        self.0.value.get().cloned()
    }

    /// Whether `other` is this latch (or a clone of it).
    pub fn is(&self, other: &Latch<T>) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// Whether the value is set.
    pub fn is_set(&self) -> bool {
        self.0.value.get().is_some()
    }

    /// Wait for the value.
    pub fn wait(&self) -> LatchWait<T> {
        self.clone().into_wait()
    }

    /// Wait for the value with this latch itself (no clone and drop of it, where the
    /// caller keeps no other use of it).
    pub fn into_wait(self) -> LatchWait<T> {
        LatchWait {
            latch: self,
            slot: None,
        }
    }
}

/// Future returned by [`Latch::wait`].
pub struct LatchWait<T: Clone> {
    latch: Latch<T>,
    /// Where this waiter's waker sits in the latch's list, once registered: a re-poll
    /// updates it in place (thousands of waiters must not scan each other).
    slot: Option<usize>,
}

impl<T: Clone> LatchWait<T> {
    /// The latch waited on.
    pub fn latch(&self) -> &Latch<T> {
        &self.latch
    }
}

impl<T: Clone> Future for LatchWait<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.get_mut();
        if let Some(v) = this.latch.0.value.get() {
            return Poll::Ready(v.clone());
        }
        Wakers::register(&this.latch.0.wakers, &mut this.slot, cx);
        Poll::Pending
    }
}

struct GateState {
    /// A `Cell`: counted without a borrow.
    free: Cell<usize>,
    /// Oldest first. A `Vec`, not a `VecDeque`: taking the first moves the others (some
    /// tens of ms in all for 10,000 waiters), and no `VecDeque` code of its own in the wasm.
    waiting: RefCell<Vec<Latch<bool>>>,
}

/// A counting semaphore for requests in flight. A waiter's latch is set to `true` when a
/// slot is handed to it, or to `false` by whoever gives up the wait (an abort): a slot is
/// never handed to a latch that is already set, so giving up cannot lose one.
#[derive(Clone)]
pub struct Gate(Rc<GateState>);

/// One slot of a [`Gate`], given back when dropped.
#[must_use = "dropping a Permit frees its slot"]
pub struct Permit(Gate);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// A place in a [`Gate`]'s queue: [`Ticket::latch`] is set to `true` with a slot, or to
/// `false` by the caller to give up. A ticket that received a slot holds it: dropping it
/// gives the slot back.
pub struct Ticket {
    gate: Gate,
    latch: Latch<bool>,
}

impl Ticket {
    /// The latch to wait on, or to set to `false` to give up.
    pub fn latch(&self) -> &Latch<bool> {
        &self.latch
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        // Give up the place; if a slot had already been handed over, pass it on.
        if !self.latch.set(false) && self.latch.get() == Some(true) {
            self.gate.release();
        }
    }
}

impl Gate {
    /// A gate with `slots` slots (at least one).
    pub fn new(slots: usize) -> Gate {
        Gate(Rc::new(GateState {
            free: Cell::new(slots.max(1)),
            waiting: RefCell::default(),
        }))
    }

    /// A slot now, or a place in the queue (first come, first served).
    pub fn enter(&self) -> Result<Permit, Ticket> {
        let free = self.0.free.get();
        let mut waiting = crate::cell::write(&self.0.waiting);
        if free > 0 && waiting.is_empty() {
            self.0.free.set(free - 1);
            return Ok(Permit(self.clone()));
        }
        let latch = Latch::new();
        waiting.push(latch.clone());
        Err(Ticket {
            gate: self.clone(),
            latch,
        })
    }

    /// Free slots right now.
    pub fn free(&self) -> usize {
        self.0.free.get()
    }

    /// How many wait for a slot (including places given up but not yet skipped).
    pub fn queued(&self) -> usize {
        crate::cell::read(&self.0.waiting).len()
    }

    /// Turn every waiter away (their latches are set to `false`); later callers still
    /// get slots as they free up.
    pub fn close(&self) {
        let waiting = std::mem::take(&mut *crate::cell::write(&self.0.waiting));
        for latch in &waiting {
            latch.set(false);
        }
    }

    fn release(&self) {
        loop {
            let next = {
                let mut w = crate::cell::write(&self.0.waiting);
                (!w.is_empty()).then(|| remove_at(&mut w, 0))
            };
            match next {
                // A waiter that gave up already holds `false`: skip it.
                Some(latch) => {
                    if latch.set(true) {
                        return;
                    }
                }
                None => {
                    self.0.free.set(self.0.free.get() + 1);
                    return;
                }
            }
        }
    }
}

/// One run of a piece of work shared by everyone who asks for it while it runs (a
/// session renewal, the first `tools/list`): the first caller runs it, the others wait
/// for its result.
pub struct SingleFlight<T: Clone>(Cell<Option<Latch<T>>>);

impl<T: Clone> Default for SingleFlight<T> {
    fn default() -> Self {
        SingleFlight(Cell::new(None))
    }
}

impl<T: Clone> SingleFlight<T> {
    /// Whether a run is under way.
    pub fn running(&self) -> Option<Latch<T>> {
        // A `Cell`, not a `RefCell`: no borrow flag for this one field.
        let l = self.0.take();
        self.0.set(l.clone());
        l
    }

    /// Join the run under way, or start one with `work`: a plain future ([`Flight`]), not
    /// an `async fn` (a state machine and drop glue). The crate's runs share one work type
    /// (`transport::given`'s [`Run`](crate::transport::Run)), so this is compiled once.
    pub fn run<F: Future<Output = T>>(&self, work: impl FnOnce() -> F) -> Flight<'_, T, F> {
        let (lead, latch) = match self.running() {
            Some(l) => (None, l),
            None => {
                let latch = Latch::new();
                self.0.set(Some(latch.clone()));
                (Some((work(), self)), latch)
            }
        };
        // The latch moved into its wait, not cloned for it (and dropped).
        Flight {
            lead,
            wait: latch.into_wait(),
        }
    }
}

/// Future returned by [`SingleFlight::run`]: the leader runs the work and sets the latch
/// with its result, then waits on it as the joiners do (a set latch is ready at once).
#[must_use = "a shared run does nothing unless awaited"]
pub struct Flight<'a, T: Clone, F> {
    /// The leader's work, and the run it ends; `None` for a joiner, or once done.
    lead: Option<(F, &'a SingleFlight<T>)>,
    wait: LatchWait<T>,
}

impl<T: Clone, F: Future<Output = T>> Future for Flight<'_, T, F> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: the work is pinned with the flight: never moved out of it, only dropped
        // in place (no `Drop` impl here to move it either).
        let this = unsafe { self.get_unchecked_mut() };
        if let Some((work, owner)) = &mut this.lead {
            let Poll::Ready(v) = unsafe { Pin::new_unchecked(work) }.poll(cx) else {
                return Poll::Pending;
            };
            owner.0.set(None);
            this.wait.latch.set(v);
            this.lead = None;
        }
        Pin::new(&mut this.wait).poll(cx)
    }
}

/// Take the entry `id` out of a list of `(id, value)` pairs (ids are unique: the one
/// entry, if still there; no `retain` code of its own): its value. The registry's
/// listeners and requests in flight, and the transport's waiting requests.
pub fn take_id<V>(list: &mut Vec<(u32, V)>, id: u32) -> Option<V> {
    let i = list.iter().position(|x| x.0 == id)?;
    Some(remove_at(list, i).1)
}

/// `v.remove(i)` for `i < v.len()` (checked). The check and the moving are done by bytes,
/// in one function for every element type (`take_at`): `Vec::remove` is two functions
/// per type (it calls `Vec::try_remove`, not inlined here), and a generic body one per type.
pub fn remove_at<T>(v: &mut Vec<T>, i: usize) -> T {
    let len = v.len();
    let mut out = std::mem::MaybeUninit::<T>::uninit();
    // SAFETY: `take_at` checks that `i` is in bounds; the element is copied out once, the
    // rest move down over it, and the length drops by one, so it is owned only by the
    // caller.
    unsafe {
        take_at(
            v.as_mut_ptr().cast(),
            i,
            len,
            std::mem::size_of::<T>(),
            out.as_mut_ptr().cast(),
        );
        v.set_len(len - 1);
        out.assume_init()
    }
}

/// Copy element `i` of the `len` elements of `size` bytes at `base` to `out`, and move the
/// elements after it down over it; panics unless `i < len`.
///
/// # Safety
/// `base` valid for `len` elements, `out` for one.
#[inline(never)]
unsafe fn take_at(base: *mut u8, i: usize, len: usize, size: usize, out: *mut u8) {
    assert!(i < len);
    let p = base.add(i * size);
    std::ptr::copy_nonoverlapping(p, out, size);
    std::ptr::copy(p.add(size), p, (len - i - 1) * size);
}
