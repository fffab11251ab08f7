//! The task state machine of one handle, sans I/O: events in ([`Event`]), effects out
//! ([`Effect`]). It decides every request, timer, retry and settlement of a followed
//! task; the driver (`task::registry` in the wasm build, a script in the tests) only
//! carries the effects out and feeds back what happened.
//!
//! Invariants (checked by the randomized test in `tests/task_machine.rs`):
//! - it settles exactly once ([`Effect::Settle`]), and afterwards emits nothing but the
//!   release of what it still held;
//! - it settles with what the server reported (a result, a failure, a cancel), unless
//!   stopped locally or out of retries;
//! - once the server's task is terminal it keeps asking until it has the outcome or the
//!   retry budget is spent: no transient failure at any point leaves it waiting forever;
//! - when it settles, every request it sent is answered or stopped, and its timer is
//!   disarmed.
//!
//! All retries go through one [`PollPolicy`]; the machine has no clock of its own: every
//! event comes with `now` (ms, any epoch that the task's `createdAt` shares).

use super::model::{Change, Outcome, Stop, TaskInfo, TaskStatus, Tracker};
use crate::policy::{deadline_ms, PollPolicy};
use std::num::NonZeroU32;

/// A request of the machine, numbered so that a late reply is recognised (from 1).
pub type ReqId = u32;

/// A request in flight, if any: its id, never 0 (an `Option` of 4 bytes, `None` for 0).
type Sent = Option<NonZeroU32>;

/// What a request asks the server; the wire adapter turns it into its generation's
/// method and params.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Poll the task's status (`tasks/get`).
    Get,
    /// Hold a result request open while the task waits for input: the server delivers
    /// input requests on it and answers it when the task ends (2025-11-25 `tasks/result`).
    HeldResult,
    /// Fetch the stored result of a terminal task (2025-11-25 `tasks/result`).
    Result,
}

/// What the machine needs to know of a wire generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// A terminal task's result needs a request of its own ([`Request::Result`]);
    /// otherwise it comes inline with the task.
    pub result_request: bool,
    /// While `input_required`, hold a [`Request::HeldResult`] open: input arrives on it.
    pub input_on_held_result: bool,
}

/// How a failed request failed, as the wire adapter classifies the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Retrying later may succeed (network, timeout, 429, 5xx, a cut reply).
    Transient {
        /// The server's `Retry-After`, in ms.
        retry_after_ms: Option<u64>,
    },
    /// The server does not know the task (gone, or never existed).
    Gone,
    /// Retrying will not help.
    Fatal,
    /// Stopped by this side (the machine's [`Effect::Abort`], or the client closing).
    Aborted,
}

/// What a reply said.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply<P, E> {
    /// A task snapshot; `terminal` carries an inline outcome (2026-07-28: the `result`
    /// of a completed task, the `error` of a failed one).
    Task {
        /// The normalized snapshot.
        info: TaskInfo,
        /// The raw task object, handed to listeners.
        raw: P,
        /// The inline result (`Ok`) or error (`Err`) of a terminal task.
        terminal: Option<Result<P, E>>,
    },
    /// A tool result (the answer to [`Request::Result`] or [`Request::HeldResult`]).
    Result(P),
}

/// Something that happened to the task or the handle.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<P, E> {
    /// A snapshot arrived outside of the machine's requests (a status notification, the
    /// reply to a `cancel()`).
    Snapshot(Reply<P, E>),
    /// The reply to one of the machine's requests.
    Replied(ReqId, Reply<P, E>),
    /// One of the machine's requests failed.
    Failed(ReqId, E, Failure),
    /// The machine's timer fired.
    Timer,
    /// A held-result slot was granted (after [`Effect::WantHeldSlot`]).
    HeldSlot,
    /// Stop following: the caller's signal, `dispose()` or `close()`.
    Stop(Stop),
    /// Give up with this error (the task asked for a kind of input the client cannot
    /// give); the driver cancels the task on the server.
    Fail(E),
    /// Whether the server's status notifications for this task flow (2026-07-28: a
    /// `subscriptions/listen` stream accepted it; 2025-11-25: they arrive on the open GET
    /// stream). While they do, polling is only a fallback and slows to the policy's
    /// longest period (never past the task's TTL); when they stop (the stream dropped),
    /// the server's period comes back at once. Detection does not wait on polls then.
    Push(bool),
    /// The server acknowledged a cancel request (2026-07-28: an empty, eventual ack). The
    /// machine follows on; if the task has not ended within [`CANCEL_GRACE_MS`], it
    /// settles as cancelled at its next poll.
    CancelSent,
}

/// How long a cancelled task may go on before the handle settles as cancelled locally.
pub const CANCEL_GRACE_MS: f64 = 30_000.0;

/// What the driver must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect<P, E> {
    /// Send this request; answer with [`Event::Replied`] or [`Event::Failed`] and its id.
    Send(ReqId, Request),
    /// Abort this request (its late answer, if any, is ignored).
    Abort(ReqId),
    /// Arm the machine's one timer at this time (replacing an earlier one), or disarm
    /// it (`None`).
    Arm(Option<f64>),
    /// Ask for a held-result slot ([`Event::HeldSlot`] when granted).
    WantHeldSlot,
    /// Give back the held-result slot, or stop waiting for one.
    ReleaseHeldSlot,
    /// The snapshot changed: tell the listeners ([`Machine::raw`]).
    Changed,
    /// A snapshot was refused (a server fault worth a warning).
    Refused(&'static str),
    /// Also cancel the task on the server (fire and forget): the caller asked for it
    /// when its signal aborted.
    CancelRemote,
    /// The task waits for input that arrived in its snapshot (2026-07-28 `inputRequests`,
    /// where `caps.input_on_held_result` is false): ask for the new keys and answer.
    /// Emitted with every such snapshot; the driver remembers which keys it asked for.
    Input(P),
    /// The end: resolve or reject `result()` with this. Emitted exactly once, last.
    Settle(Outcome<P, E>),
}

/// What the one timer is for (and which request was answered: `Held` is never armed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wake {
    Poll,
    Fetch,
    Held,
}

/// One followed task.
#[derive(Debug, Clone)]
pub struct Machine<P, E> {
    caps: Caps,
    tracker: Tracker,
    raw: P,
    policy: PollPolicy,
    next_id: ReqId,
    /// The `tasks/get` in flight.
    poll: Sent,
    /// The held result request in flight.
    held: Sent,
    /// A held-result slot was asked for and not granted yet.
    held_wanted: bool,
    /// The final result request in flight (a `tasks/result`, or a `tasks/get` for an
    /// inline result that did not come).
    fetch: Sent,
    /// The outcome data learnt before the terminal status (a held result, an inline
    /// result, a permanent error of the result request).
    result: Option<Result<P, E>>,
    timer: Option<(f64, Wake)>,
    cancel_remote: bool,
    /// When a cancel acknowledged by the server stops being waited for.
    cancel_deadline: Option<f64>,
    settled: bool,
    polls: u32,
    /// Status notifications flow ([`Event::Push`]).
    pushed: bool,
}

impl<P: Clone, E: Clone> Machine<P, E> {
    /// Start following `info` (as the server created it, `raw` its object) at `now`.
    /// `terminal`: an outcome already known (a plain tool result). The returned effects
    /// start it: the first notification of listeners, and the first poll or settlement.
    pub fn start(
        caps: Caps,
        policy: PollPolicy,
        info: TaskInfo,
        raw: P,
        terminal: Option<Result<P, E>>,
        cancel_on_stop: bool,
        now: f64,
    ) -> (Self, Vec<Effect<P, E>>) {
        let mut m = Machine {
            caps,
            tracker: Tracker::new(info),
            raw,
            policy,
            next_id: 0,
            poll: None,
            held: None,
            held_wanted: false,
            fetch: None,
            result: terminal,
            timer: None,
            cancel_remote: cancel_on_stop,
            cancel_deadline: None,
            settled: false,
            polls: 0,
            pushed: false,
        };
        let mut fx = vec![Effect::Changed];
        m.restart(now, &mut fx);
        (m, fx)
    }

    /// The latest snapshot.
    pub fn info(&self) -> &TaskInfo {
        self.tracker.task()
    }

    /// The latest raw task object.
    pub fn raw(&self) -> &P {
        &self.raw
    }

    /// The latest status.
    pub fn status(&self) -> TaskStatus {
        self.tracker.status()
    }

    /// Whether it has settled.
    pub fn is_settled(&self) -> bool {
        self.settled
    }

    /// How many polls it has sent.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// Whether a request of the machine is in flight or its timer is armed (false once
    /// settled: the last invariant).
    pub fn is_busy(&self) -> bool {
        self.poll.is_some() || self.held.is_some() || self.fetch.is_some() || self.timer.is_some()
    }

    /// Feed one event at `now`; returns what to do, in order.
    pub fn handle(&mut self, now: f64, ev: Event<P, E>) -> Vec<Effect<P, E>> {
        let mut fx = Vec::new();
        if self.settled {
            // Only a grant that crossed the settlement needs an answer: give it back.
            if matches!(ev, Event::HeldSlot) {
                fx.push(Effect::ReleaseHeldSlot);
            }
            return fx;
        }
        match ev {
            Event::Snapshot(reply) => self.on_reply(now, None, reply, &mut fx),
            Event::Replied(id, reply) => self.on_reply(now, Some(id), reply, &mut fx),
            Event::Failed(id, e, class) => self.on_failure(now, id, e, class, &mut fx),
            Event::Timer => self.on_timer(now, &mut fx),
            Event::HeldSlot => {
                self.held_wanted = false;
                if self.wants_held() {
                    self.held = self.send(Request::HeldResult, &mut fx);
                } else {
                    fx.push(Effect::ReleaseHeldSlot);
                }
            }
            Event::Stop(why) => {
                if why == Stop::Signal && self.cancel_remote {
                    fx.push(Effect::CancelRemote);
                }
                self.settle(Outcome::Aborted(why), &mut fx);
            }
            Event::Push(on) => self.on_push(now, on, &mut fx),
            Event::CancelSent => {
                if self.cancel_deadline.is_none() {
                    self.cancel_deadline = Some(now + CANCEL_GRACE_MS);
                }
            }
            Event::Fail(e) => self.give_up(e, None, &mut fx),
        }
        fx
    }

    /// After news (resets the retry count): go on, with the next poll one period from
    /// now: the server's, or while notifications flow the policy's longest, but not past
    /// the TTL.
    fn restart(&mut self, now: f64, fx: &mut Vec<Effect<P, E>>) {
        self.policy.after_success(self.info().poll_interval_ms);
        let d = self.period(now);
        self.advance(now, Some(d), fx);
    }

    fn period(&self, now: f64) -> u32 {
        let d = self.policy.period(self.info().poll_interval_ms);
        if !self.pushed {
            return d;
        }
        let slow = d.max(self.policy.config().max_interval_ms);
        match self.deadline() {
            Some(end) if now + f64::from(slow) > end => d.max((end - now).max(0.0) as u32),
            _ => slow,
        }
    }

    /// Notifications started or stopped flowing: move an armed poll (not a retry's) to
    /// the new period, from now.
    fn on_push(&mut self, now: f64, on: bool, fx: &mut Vec<Effect<P, E>>) {
        if self.pushed == on {
            return;
        }
        self.pushed = on;
        if self.policy.failures() > 0 {
            return;
        }
        if let Some((due, Wake::Poll)) = self.timer {
            let next = now + f64::from(self.period(now));
            if (on && next > due) || (!on && next < due) {
                self.arm(next, Wake::Poll, fx);
            }
        }
    }

    fn send(&mut self, req: Request, fx: &mut Vec<Effect<P, E>>) -> Sent {
        self.next_id += 1;
        fx.push(Effect::Send(self.next_id, req));
        NonZeroU32::new(self.next_id)
    }

    fn arm(&mut self, due: f64, wake: Wake, fx: &mut Vec<Effect<P, E>>) {
        self.timer = Some((due, wake));
        fx.push(Effect::Arm(Some(due)));
    }

    fn disarm(&mut self, fx: &mut Vec<Effect<P, E>>) {
        if self.timer.take().is_some() {
            fx.push(Effect::Arm(None));
        }
    }

    fn wants_held(&self) -> bool {
        self.caps.input_on_held_result
            && self.status() == TaskStatus::InputRequired
            && self.held.is_none()
            && self.result.is_none()
    }

    fn on_reply(
        &mut self,
        now: f64,
        id: Option<ReqId>,
        reply: Reply<P, E>,
        fx: &mut Vec<Effect<P, E>>,
    ) {
        // Which request this answers (`None`: a snapshot outside the machine's requests);
        // a reply to nothing in flight is late, and ignored.
        let wake = match id {
            Some(id) => match self.answered(id, fx) {
                Some(w) => Some(w),
                None => return,
            },
            None => None,
        };
        let was_poll = wake == Some(Wake::Poll);
        let was_fetch = wake == Some(Wake::Fetch);
        match reply {
            Reply::Result(p) => {
                self.policy.after_success(None);
                self.got_result(now, Ok(p), fx);
            }
            Reply::Task {
                info,
                raw,
                terminal,
            } => {
                let input = (!self.caps.input_on_held_result
                    && info.status == TaskStatus::InputRequired)
                    .then(|| raw.clone());
                match self.tracker.apply(info) {
                    // A poll answer that was on its way when a terminal status arrived
                    // is expected, not a server fault.
                    Change::Refused(_) if self.status().is_terminal() => {
                        self.advance(now, None, fx);
                        return;
                    }
                    Change::Refused(why) => {
                        fx.push(Effect::Refused(why));
                        if was_poll || was_fetch {
                            // Answered, but with nothing usable: the next period asks again.
                            self.restart(now, fx);
                        }
                        return;
                    }
                    Change::Updated => {
                        self.raw = raw;
                        fx.push(Effect::Changed);
                    }
                    Change::Same => {
                        // While statuses are pushed (a sweep's listing, a stream), a
                        // snapshot with nothing new leaves the slow fallback poll where
                        // it is: no timer churn for thousands of unchanged tasks.
                        if id.is_none()
                            && input.is_none()
                            && self.pushed
                            && self.timer.is_some_and(|t| t.1 == Wake::Poll)
                        {
                            return;
                        }
                    }
                }
                if let Some(p) = input {
                    fx.push(Effect::Input(p));
                }
                if let Some(t) = terminal {
                    if self.status().is_terminal() {
                        self.result = Some(t);
                    }
                }
                // A snapshot restarts the period: the next poll comes one server period
                // after the latest news.
                if !self.status().is_terminal() && self.poll.is_none() {
                    self.disarm(fx);
                }
                self.restart(now, fx);
            }
        }
    }

    /// The outcome data is in (a result, or the permanent error of a result request):
    /// settle with it once the task is terminal; before that (a held request answered),
    /// learn the final status now instead of at the next period.
    fn got_result(&mut self, now: f64, r: Result<P, E>, fx: &mut Vec<Effect<P, E>>) {
        self.result = Some(r);
        if self.status().is_terminal() {
            self.advance(now, None, fx);
        } else {
            self.disarm(fx);
            self.advance(now, Some(0), fx);
        }
    }

    fn on_failure(
        &mut self,
        now: f64,
        id: ReqId,
        e: E,
        class: Failure,
        fx: &mut Vec<Effect<P, E>>,
    ) {
        // Which request failed (a late failure of one no longer in flight is ignored).
        let Some(wake) = self.answered(id, fx) else {
            return;
        };
        match class {
            Failure::Aborted => self.advance(now, None, fx),
            // The held request only speeds things up: polling carries on, and a terminal
            // task fetches its result with a request of its own.
            Failure::Transient { .. } if wake == Wake::Held => self.advance(now, None, fx),
            Failure::Transient { retry_after_ms } => self.retry(now, wake, e, retry_after_ms, fx),
            Failure::Gone if self.past_deadline(now) => self.settle(Outcome::Expired, fx),
            Failure::Gone | Failure::Fatal if wake == Wake::Poll => self.give_up(e, None, fx),
            // A result request's permanent error is the outcome (a fetch is only in
            // flight once the task is terminal).
            Failure::Gone | Failure::Fatal => self.got_result(now, Err(e), fx),
        }
    }

    /// The request `id` was answered (or failed): which one it was, now no longer in
    /// flight (the held one gives its slot back); `None` when none in flight has this id.
    fn answered(&mut self, id: ReqId, fx: &mut Vec<Effect<P, E>>) -> Option<Wake> {
        let is = |sent: Sent| sent.is_some_and(|s| s.get() == id);
        if is(self.poll) {
            self.poll = None;
            Some(Wake::Poll)
        } else if is(self.held) {
            self.held = None;
            fx.push(Effect::ReleaseHeldSlot);
            Some(Wake::Held)
        } else if is(self.fetch) {
            self.fetch = None;
            Some(Wake::Fetch)
        } else {
            None
        }
    }

    /// Back off before asking again, or settle once the budget is spent.
    fn retry(
        &mut self,
        now: f64,
        wake: Wake,
        e: E,
        retry_after_ms: Option<u64>,
        fx: &mut Vec<Effect<P, E>>,
    ) {
        match self.policy.after_failure(retry_after_ms) {
            Ok(d) => self.arm(now + f64::from(d), wake, fx),
            Err(g) => self.give_up(e, Some(g.tries), fx),
        }
    }

    fn on_timer(&mut self, now: f64, fx: &mut Vec<Effect<P, E>>) {
        let Some((_, wake)) = self.timer.take() else {
            return;
        };
        match wake {
            Wake::Poll if self.status().is_terminal() => self.advance(now, None, fx),
            // Cancelled on request, and the server never said the task ended.
            Wake::Poll if self.cancel_deadline.is_some_and(|d| now >= d) => {
                self.settle(Outcome::Cancelled, fx)
            }
            Wake::Poll => {
                if self.poll.is_none() {
                    self.polls += 1;
                    self.poll = self.send(Request::Get, fx);
                }
            }
            Wake::Fetch | Wake::Held => self.fetch_result(fx),
        }
    }

    fn fetch_result(&mut self, fx: &mut Vec<Effect<P, E>>) {
        if self.fetch.is_none() {
            let req = if self.caps.result_request {
                Request::Result
            } else {
                Request::Get
            };
            self.fetch = self.send(req, fx);
        }
    }

    /// When the server forgets the task (`None`: never, or `createdAt` unreadable), from
    /// the latest snapshot (read when needed: no copy of it to keep in step).
    fn deadline(&self) -> Option<f64> {
        deadline_ms(&self.info().created_at, self.info().ttl_ms)
    }

    fn past_deadline(&self, now: f64) -> bool {
        self.deadline().is_some_and(|d| now >= d)
    }

    /// Decide what comes next from the state alone; idempotent. `poll_in`: arm the next
    /// poll this many ms from now if nothing is under way (`None`: keep what is armed).
    fn advance(&mut self, now: f64, poll_in: Option<u32>, fx: &mut Vec<Effect<P, E>>) {
        match self.status() {
            TaskStatus::Cancelled => self.settle(Outcome::Cancelled, fx),
            TaskStatus::Completed | TaskStatus::Failed => {
                // Polling is over: a poll on its way has nothing left to tell.
                abort(self.poll.take(), fx);
                if self.timer.is_some_and(|t| t.1 == Wake::Poll) {
                    self.disarm(fx);
                }
                let failed = self.status() == TaskStatus::Failed;
                let outcome = match self.result.take() {
                    Some(Ok(p)) if failed => Outcome::Failed {
                        result: Some(p),
                        error: None,
                    },
                    Some(Ok(p)) => Outcome::Completed(p),
                    Some(Err(e)) if failed => Outcome::Failed {
                        result: None,
                        error: Some(e),
                    },
                    Some(Err(e)) => Outcome::Error {
                        error: e,
                        tries: None,
                    },
                    // The held request will answer with the result; if it fails, this
                    // runs again and fetches it.
                    None if self.held.is_some() => return,
                    // A retry of the fetch is armed.
                    None if self.timer.is_some() => return,
                    None => return self.fetch_result(fx),
                };
                self.settle(outcome, fx);
            }
            TaskStatus::Working | TaskStatus::InputRequired => {
                if self.wants_held() && !self.held_wanted {
                    self.held_wanted = true;
                    fx.push(Effect::WantHeldSlot);
                }
                if let Some(d) = poll_in {
                    if self.poll.is_none() && self.timer.is_none() {
                        self.arm(now + f64::from(d), Wake::Poll, fx);
                    }
                }
            }
        }
    }

    /// Settle with the error `error` ([`Outcome::Error`]; `tries`: when the retry budget
    /// is spent): one copy of the outcome's making for its four callers.
    #[inline(never)]
    fn give_up(&mut self, error: E, tries: Option<u32>, fx: &mut Vec<Effect<P, E>>) {
        self.settle(Outcome::Error { error, tries }, fx);
    }

    /// Settle exactly once: stop every request and the timer, give back the slot.
    fn settle(&mut self, outcome: Outcome<P, E>, fx: &mut Vec<Effect<P, E>>) {
        if self.settled {
            return;
        }
        self.settled = true;
        abort(self.poll.take(), fx);
        abort(self.fetch.take(), fx);
        if abort(self.held.take(), fx) | std::mem::take(&mut self.held_wanted) {
            fx.push(Effect::ReleaseHeldSlot);
        }
        self.disarm(fx);
        self.result = None;
        fx.push(Effect::Settle(outcome));
    }
}

/// Abort the request `sent`, if one was in flight (whether one was).
fn abort<P, E>(sent: Sent, fx: &mut Vec<Effect<P, E>>) -> bool {
    let Some(id) = sent else {
        return false;
    };
    fx.push(Effect::Abort(id.get()));
    true
}
