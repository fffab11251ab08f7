//! The followed tasks of one client: each [`Handle`] wraps a pure task [`Machine`] and
//! carries out its effects over the transport and the wire adapter; the registry keeps
//! one timer schedule for all of them, the held-result lane, and routes status and
//! progress notifications to their handles.
//!
//! This is the only place where a task meets I/O; every decision is the machine's.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal};

use crate::cell::RefCell;
use crate::error::Error;
use crate::io::json::{self, get, get_str, is_object, Json};
use crate::io::{self, call_user, AbortListener, Timer};
use crate::map::Map;
use crate::policy::{PollConfig, PollPolicy, Schedule};
use crate::sync::{remove_at, take_id, Gate, Latch, Permit, Ticket};
use crate::task::machine::{Effect, Event, Failure, Machine, ReqId, Request};
use crate::task::model::{Outcome as End, Stop, TaskInfo, TaskStatus};
use crate::transport::Session;
use crate::wire::{v2025_11_25, v2026_07_28, Wire};

/// Options of one task handle.
#[derive(Clone, Default)]
pub struct HandleOptions {
    /// `task.ttl` to request, in ms.
    pub ttl_ms: Option<f64>,
    /// Abort local polling (and reject `result()` with an `AbortError`).
    pub signal: Option<AbortSignal>,
    /// Intervals, clamps and the retry budget.
    pub poll: PollConfig,
    /// Also send `tasks/cancel` when `signal` aborts.
    pub cancel_on_abort: bool,
    /// Called with every new Task snapshot, starting with the first.
    pub on_status: Option<Function>,
    /// Timeout of the `tools/call` request itself, in ms (a plain call has none by
    /// default: a long tool may take its time).
    pub call_timeout_ms: Option<f64>,
}

/// What a settled task gives: the result, or the error `result()` rejects with.
pub type Outcome = Result<JsValue, Error>;

/// Polls started per timer tick: each `fetch()` costs the main thread about a
/// millisecond, so thousands of due handles are spread over several short tasks.
const POLLS_PER_TICK: usize = 24;

#[derive(Default)]
struct RegState {
    /// The handles, by key (keys only grow: a handle is pushed last). All of tasks on the
    /// server: a plain call's handle settles, and leaves, as it is made. A plain vector
    /// searched by each handle's own key: a `Map<u32, Rc<Handle>>` would compile one more
    /// copy of the map's code.
    handles: Vec<Rc<Handle>>,
    /// Task ids (and `progress:<token>` keys) to handle keys.
    by_task: Map<String, u32>,
    schedule: Schedule<u32>,
    timer: Option<(f64, Timer)>,
    /// Status notifications of tasks not followed (yet): one may arrive before the
    /// `tools/call` reply that creates the task's handle. The latest few, by task id
    /// (their params, each found by its `taskId`: a list of JS values, a type the crate
    /// has anyway).
    early: Vec<JsValue>,
    /// The notification stream of the followed tasks (2026-07-28 `subscriptions/listen`):
    /// its abort, the ids it was opened with, its number, the batching timer, whether the
    /// server has none, and the drops in a row.
    listen: Option<AbortController>,
    listen_ids: Vec<String>,
    listen_timer: Option<Timer>,
    /// The next `tasks/list` sweep round's timer.
    sweep_timer: Option<Timer>,
}

impl RegState {
    /// Where the handle `key` is (or would go) in `handles`.
    fn find(&self, key: u32) -> Result<usize, usize> {
        self.handles.binary_search_by_key(&key, |h| h.key)
    }

    /// Where the early status of `task_id` is in `early`, if there is one.
    fn early_of(&self, task_id: &str) -> Option<usize> {
        (self.early.iter()).position(|p| get_str(p, "taskId").is_some_and(|id| id == task_id))
    }

    /// The handle `key`.
    fn get(&self, key: u32) -> Option<&Rc<Handle>> {
        self.handles.get(self.find(key).ok()?)
    }
}

/// New tasks within this many ms share one (re)opened notification stream.
const LISTEN_BATCH_MS: f64 = 50.0;
/// A notification stream that keeps dropping is given up after this many tries (polling
/// goes on).
const LISTEN_MAX_DROPS: u32 = 5;

/// How many early status notifications are kept (a flood of unknown ids only evicts).
const EARLY: usize = 32;

/// The handles of one client.
pub struct Registry {
    session: Rc<Session>,
    wire: Cell<&'static dyn Wire>,
    st: RefCell<RegState>,
    /// Plain flags and counters, in Cells beside the RefCell (no borrow to read or set
    /// them), all zero at first.
    flags: Counters,
    /// The held-result lane: browsers allow about six connections per origin, so held
    /// requests are capped (`maxHeldResults`) and polls never queue behind them.
    held: Gate,
}

/// Add one to the counter `c`: its new value (one copy of the code for every counter).
#[inline(never)]
fn bump(c: &Cell<u32>) -> u32 {
    let n = c.get() + 1;
    c.set(n);
    n
}

/// The registry's plain flags and counters.
#[derive(Default)]
struct Counters {
    /// The numbers handed out, the listen stream's number, drops in a row and
    /// whether the server has none.
    next_key: Cell<u32>,
    listen_gen: Cell<u32>,
    listen_off: Cell<bool>,
    listen_drops: Cell<u32>,
    /// 2025-11-25: the session's GET stream is open, and a status notification came
    /// while it was (the server pushes statuses: its tasks' polling slows down).
    stream_up: Cell<bool>,
    stream_proven: Cell<bool>,
    /// A `tasks/list` sweep is running; the server has no listing this client can use.
    sweeping: Cell<bool>,
    sweep_off: Cell<bool>,
    /// A listing took more pages than this many followed tasks allow: sweep again only
    /// with more tasks.
    sweep_wait: Cell<usize>,
    /// The number of the latest sweep round (see [`Handle::swept`]), its page budget,
    /// the pages it has read, and the sweep's failures in a row.
    sweep_round: Cell<u32>,
    sweep_budget: Cell<usize>,
    sweep_pages: Cell<u32>,
    sweep_failures: Cell<u32>,
}

struct HState {
    machine: Machine<JsValue, Error>,
    /// Status and progress listeners, by id: a progress listener's id is odd (one list,
    /// one copy of its code).
    listeners: Vec<(u32, JsValue)>,
    /// The requests in flight and their aborts (`AbortController`s): the listeners' list
    /// type, one copy of its code for both.
    inflight: Vec<(ReqId, JsValue)>,
    /// Where the handle stands with the held-result lane: out (`None`), a slot held
    /// (`Ok`), or a place in the queue (`Err`), which holds the slot once its latch says
    /// it was handed over (dropping it gives the slot back, or the place up).
    lane: Option<Result<Permit, Ticket>>,
    progress: JsValue,
    /// Input request keys already put to the person (never twice), and the answers of a
    /// `tasks/update` that failed, sent again with the next ones.
    asked: Vec<String>,
    answers: Option<JsValue>,
    abort_listener: Option<AbortListener>,
}

/// What follows the answer of a request in the background ([`background`]), in plain
/// code: one plain future type awaits every such request.
pub(super) enum Then {
    /// A request of a handle's machine: its answer goes back to the machine.
    Replied(Rc<Handle>, ReqId, Request),
    /// A page of a `tasks/list` sweep ([`Registry::want_sweep`]).
    Sweep(Rc<Registry>),
    /// The notification stream number `.1` ([`Registry::open_listen`]).
    Listen(Rc<Registry>, u32),
    /// A `tasks/cancel` in the background: a failure is only logged.
    Cancel,
    /// The person was asked for a task's input ([`super::ask_inputs`]): the answers
    /// then go in a `tasks/update`.
    Asked(Rc<Handle>),
    /// A `tasks/update` with these answers.
    Update(Rc<Handle>, JsValue),
    /// A handle's `cancel()`: the answer applied, then given back.
    Cancelled(Rc<Handle>),
    /// A page of `tools/list` ([`super::Client::paged`]): the tools so far, the cursors
    /// so far, and whether every page is wanted.
    Pages(super::Client, js_sys::Array, Vec<String>, bool),
}

impl Then {
    /// What follows the answer `r`: the next request to await (`Ok`), or the outcome
    /// (`Err`).
    fn run(&mut self, r: Outcome) -> Result<super::Pending, Outcome> {
        match self {
            Then::Pages(me, tools, seen, all) => return me.paged(r, tools, seen, *all),
            Then::Cancelled(h) => {
                // 2025-11-25: the cancelled task itself; 2026-07-28: an empty ack, the end
                // comes later (or the grace runs out).
                if let Ok(v) = &r {
                    if h.apply(v).is_err() {
                        h.step(Event::CancelSent);
                    }
                }
                return Err(r);
            }
            Then::Replied(h, id, req) => h.replied(*id, *req, r),
            Then::Asked(h) => h.asked_inputs(r),
            Then::Sweep(me) => me.sweep_paged(r),
            Then::Listen(me, gen) => me.listen_ended(*gen, &r),
            Then::Cancel => {
                if let Err(e) = r {
                    super::warn_err("tasks/cancel failed: ", e);
                }
            }
            Then::Update(h, answers) => {
                // Only outstanding keys go in an update: answers are kept (to send again)
                // only while an update's outcome is unknown.
                let failed = r.is_err();
                h.state_mut().answers = failed.then(|| std::mem::take(answers));
                if let Err(e) = r {
                    h.resend.set(true);
                    super::warn_err("tasks/update failed: ", e);
                }
            }
        }
        Err(Ok(JsValue::UNDEFINED))
    }
}

/// A request, then what follows each answer ([`Then`]): the next request, or the
/// outcome. One plain future for the requests of several steps (a listing's pages, a
/// cancel and its snapshot) and the background ones.
pub(super) struct Chain(super::Pending, Then);

impl Future for Chain {
    type Output = Outcome;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        loop {
            let Poll::Ready(r) = self.0.as_mut().poll(cx) else {
                return Poll::Pending;
            };
            match self.1.run(r) {
                Ok(next) => self.0 = next,
                Err(v) => return Poll::Ready(v),
            }
        }
    }
}

/// `now`, then `then` on each answer (see [`Chain`]).
pub(super) fn chain(now: super::Pending, then: Then) -> super::Pending {
    Box::pin(Chain(now, then))
}

/// A [`Chain`] in the background (its outcome dropped).
struct Background(Chain);

impl Future for Background {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(drop)
    }
}

/// Send `sent` in the background; `then` follows its answer.
pub(super) fn background(sent: super::Pending, then: Then) {
    io::spawn(Box::pin(Background(Chain(sent, then))));
}

/// One followed task.
pub struct Handle {
    key: u32,
    /// The task id.
    pub task_id: String,
    /// Text for the model sent with the `CreateTaskResult`, if any.
    pub immediate_response: Option<String>,
    /// The server ran the call as a plain call: this handle stands for its result, and
    /// its task id is the SDK's own (`local-…`), unknown to the server.
    pub local: bool,
    /// This handle's entry for its progress token in `by_task`, if any.
    progress_key: Option<String>,
    /// The last sweep round whose listing had this task (0: none).
    swept: Cell<u32>,
    /// The last `tasks/update` failed: send the answers again with the next snapshot.
    resend: Cell<bool>,
    reg: Rc<Registry>,
    st: RefCell<HState>,
    outcome: Latch<Outcome>,
}

impl Registry {
    /// The registry of a client over `session`, speaking `wire`.
    pub fn new(session: Rc<Session>, wire: &'static dyn Wire) -> Rc<Registry> {
        let held = Gate::new(session.opts.max_held_results as usize);
        Rc::new(Registry {
            session,
            wire: Cell::new(wire),
            st: RefCell::new(RegState::default()),
            flags: Counters::default(),
            held,
        })
    }

    fn state(&self) -> crate::cell::Ref<'_, RegState> {
        crate::cell::read(&self.st)
    }

    fn state_mut(&self) -> crate::cell::RefMut<'_, RegState> {
        crate::cell::write(&self.st)
    }

    /// Speak `wire` from now on (the era the connection settled on).
    pub fn set_wire(&self, wire: &'static dyn Wire) {
        self.wire.set(wire);
    }

    /// The wire generation in use.
    pub fn wire(&self) -> &'static dyn Wire {
        self.wire.get()
    }

    /// Handles still being followed.
    pub fn active(&self) -> usize {
        self.state().handles.len()
    }

    /// Whether the shared timer is armed.
    pub fn timer_armed(&self) -> bool {
        self.state().timer.is_some()
    }

    /// The session the tasks ride on.
    pub fn session(&self) -> &Rc<Session> {
        &self.session
    }

    /// The handle following `task_id`, if any.
    pub fn handle(&self, task_id: &str) -> Option<Rc<Handle>> {
        let st = self.state();
        st.by_task.get(task_id).and_then(|k| st.get(*k)).cloned()
    }

    /// A fresh number (handle keys, progress tokens).
    pub fn next_key(&self) -> u32 {
        bump(&self.flags.next_key)
    }

    /// 2025-11-25: statuses are pushed on the open GET stream (one has arrived on it).
    fn stream_pushes(&self) -> bool {
        self.flags.stream_up.get() && self.flags.stream_proven.get()
    }

    /// Start following a task (`info`, its raw object `raw`); `terminal`: its outcome if
    /// already known (a plain tool result), `progress_token`: the token its call sent.
    pub fn follow(
        self: &Rc<Self>,
        info: TaskInfo,
        raw: JsValue,
        immediate_response: Option<String>,
        opts: HandleOptions,
        terminal: Option<Result<JsValue, Error>>,
        progress_token: Option<String>,
    ) -> Rc<Handle> {
        let key = self.next_key();
        let now = io::now_ms();
        // The policy's jitter: a seed of its own for each handle.
        let seed = u64::from(key).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ now as u64;
        let task_id = info.task_id.clone();
        let local = terminal.is_some();
        let (machine, fx) = Machine::start(
            self.wire().caps(),
            PollPolicy::new(opts.poll, seed),
            info,
            json::shallow_copy(&raw),
            terminal,
            opts.cancel_on_abort,
            now,
        );
        let progress_key = progress_token.map(|t| crate::cat!("progress:", t));
        let h = Rc::new(Handle {
            key,
            task_id,
            immediate_response,
            local,
            progress_key,
            swept: Cell::new(0),
            resend: Cell::new(false),
            reg: self.clone(),
            st: RefCell::new(HState {
                machine,
                listeners: Vec::new(),
                inflight: Vec::new(),
                lane: None,
                progress: JsValue::UNDEFINED,
                asked: Vec::new(),
                answers: None,
                abort_listener: None,
            }),
            outcome: Latch::new(),
        });
        if let Some(cb) = opts.on_status {
            h.state_mut().listeners.push((0, cb.into()));
        }
        let early = {
            let mut st = self.state_mut();
            // The newest key (none is taken between its number and here): last is its
            // place.
            debug_assert!(st.handles.last().is_none_or(|l| l.key < key));
            st.handles.push(h.clone());
            h.index(&mut st, true);
            st.early_of(&h.task_id).map(|i| remove_at(&mut st.early, i))
        };
        if let Some(signal) = opts.signal {
            let weak = Rc::downgrade(&h);
            let listener = AbortListener::new(signal, move || {
                if let Some(h) = weak.upgrade() {
                    h.step(Event::Stop(Stop::Signal));
                }
            });
            h.state_mut().abort_listener = listener;
        }
        h.run(fx);
        if !local {
            self.want_listen();
            // Statuses pushed, or a sweep running (which lists this task from its next
            // round on, or hands it back to its own polling): polling is the fallback.
            if self.stream_pushes() || self.flags.sweeping.get() {
                h.step(Event::Push(true));
            }
            self.want_sweep();
        }
        // A status that arrived before this handle existed.
        if let Some(params) = early {
            self.on_status(&params);
        }
        h
    }

    /// A task status notification arrived (params: the task).
    pub fn on_status(&self, params: &JsValue) {
        let Some(id) = get_str(params, "taskId") else {
            return;
        };
        // A status notification while the GET stream is open: this server pushes
        // statuses, so every task of the session gets them (2025-11-25; a listen stream
        // says which in its acknowledgement instead).
        let up = self.flags.stream_up.get();
        let first = up && !self.flags.stream_proven.get();
        if first {
            self.flags.stream_proven.set(true);
            self.step_all(|| Event::Push(true), None);
        }
        let Some(h) = self.handle(&id) else {
            let mut st = self.state_mut();
            // The latest one per task id; the oldest goes when the list is full.
            match st.early_of(&id) {
                Some(i) => drop(remove_at(&mut st.early, i)),
                None if st.early.len() == EARLY => drop(remove_at(&mut st.early, 0)),
                None => {}
            }
            st.early.push(params.clone());
            return;
        };
        if let Err(e) = h.apply(params) {
            super::warn_err("ignored a status notification: ", e);
        }
    }

    /// A listen stream's acknowledgement: the tasks it accepted get their notifications
    /// pushed, so their polling slows down (until the stream ends).
    pub fn on_listen_ack(&self, params: &JsValue) {
        let notifications = get(params, "notifications");
        if !js_sys::Array::is_array(&get(&notifications, "taskIds")) {
            return;
        }
        let accepted = notifications.strings("taskIds");
        self.push(&accepted, true);
        // Asked for and not accepted (unknown to the server, or refused): polled.
        // (Servers answer in the order asked: walk both lists; look further only when not.)
        let mut refused = Vec::new();
        let mut next = 0;
        for id in &self.state().listen_ids {
            if accepted.get(next) == Some(id) {
                next += 1;
            } else if !accepted.contains(id) {
                refused.push(id.clone());
            }
        }
        self.push(&refused, false);
    }

    /// The 2025-11-25 GET stream opened or ended; when it ends, polling speeds back up.
    pub fn on_stream(&self, up: bool) {
        self.flags.stream_up.set(up);
        self.flags.stream_proven.set(false);
        if !up {
            self.step_all(|| Event::Push(false), None);
        }
    }

    /// Feed every followed task the same event, made afresh for each (cloning an `Event`
    /// would compile the clone of every variant, replies and errors included); no borrow
    /// is held while each one steps. `Some(round)`: every task but those the sweep round
    /// `round` listed.
    fn step_all(&self, ev: fn() -> Event<JsValue, Error>, but_swept: Option<u32>) {
        for h in &self.followed() {
            if Some(h.swept.get()) != but_swept {
                h.step(ev());
            }
        }
    }

    /// The handles followed now (a copy: no borrow is held while they step).
    fn followed(&self) -> Vec<Rc<Handle>> {
        let mut all = Vec::new();
        for h in &self.state().handles {
            all.push(h.clone());
        }
        all
    }

    /// Start sweeping `tasks/list` when it may pay (2025-11-25 servers that list tasks,
    /// enough tasks followed, statuses not pushed already).
    fn want_sweep(self: &Rc<Self>) {
        let start = {
            let st = self.state();
            !self.flags.sweeping.get()
                && !self.flags.sweep_off.get()
                && crate::policy::sweep_page_budget(st.handles.len()) > 0
                && st.handles.len() >= self.flags.sweep_wait.get()
                && !self.session.is_modern()
                && v2025_11_25::list_request(&self.server_caps(), None).is_some()
        };
        if start {
            self.flags.sweeping.set(true);
            // The tasks already followed are in the first round too (or handed back to
            // their own polling after it).
            self.step_all(|| Event::Push(true), None);
            self.flags.sweep_failures.set(0);
            self.sweep_later();
        }
    }

    // One request per period for many tasks: each period, the pages of `tasks/list` give
    // the status of every followed task they list (those then poll only as a fallback, as
    // with pushed statuses); tasks not listed poll as before. Stops when too few tasks are
    // left, when statuses are pushed anyway, when the listing takes more pages than the
    // policy allows, or when the server refuses it. Plain code between the timer and the
    // pages' requests: no state machine of its own.

    /// The next sweep round, a period from now: the shortest period a followed task's
    /// server asks for (1 s when none does).
    fn sweep_later(self: &Rc<Self>) {
        let mut st = self.state_mut();
        let mut period: Option<u64> = None;
        for h in &st.handles {
            if let Some(p) = h.state().machine.info().poll_interval_ms {
                period = Some(period.map_or(p, |m| m.min(p)));
            }
        }
        let period = period.unwrap_or(1000).clamp(100, 60_000);
        st.sweep_timer = Some(self.timer(period as f64, Registry::sweep_tick));
    }

    /// A sweep round starts (its timer fired).
    fn sweep_tick(self: &Rc<Self>) {
        let budget = if self.stream_pushes() {
            0
        } else {
            crate::policy::sweep_page_budget(self.state().handles.len())
        };
        if budget == 0 {
            return self.sweep_end(false, 0);
        }
        // A number no round has had, this sweep's or an earlier one's.
        bump(&self.flags.sweep_round);
        self.flags.sweep_budget.set(budget);
        self.flags.sweep_pages.set(0);
        self.sweep_page(None);
    }

    /// Ask for the round's next page, from `cursor`.
    fn sweep_page(self: &Rc<Self>, cursor: Option<String>) {
        let pages = bump(&self.flags.sweep_pages) as usize;
        // Only 2025-11-25 sweeps (see `want_sweep`).
        let Some((m, params)) = v2025_11_25::list_request(&self.server_caps(), cursor) else {
            // A failed round: every task polls on its own until the next one.
            self.step_all(|| Event::Push(false), None);
            return self.sweep_later();
        };
        // Against the tasks followed now: handles keep coming while a long listing is read
        // (the server may list tasks whose calls this client has not seen answered yet).
        let budget = crate::policy::sweep_page_budget(self.state().handles.len())
            .max(self.flags.sweep_budget.get());
        if pages > budget {
            // Too long a listing for this many tasks: again once the tasks followed would
            // pay for the pages read so far.
            return self.sweep_end(false, 4 * pages);
        }
        let sent = super::request(&self.session, m, params, false, None);
        background(sent, Then::Sweep(self.clone()));
    }

    /// A page of the sweep came, or its request failed.
    fn sweep_paged(self: &Rc<Self>, r: Result<JsValue, Error>) {
        let round = self.flags.sweep_round.get();
        match r {
            // Applied page by page: a page is a short task on the main thread, a thousand
            // snapshots at once a long one.
            Ok(page) => match self.swept(&page, round) {
                Some(cursor) => return self.sweep_page(Some(cursor)),
                None => {
                    self.flags.sweep_failures.set(0);
                    // A task the complete round did not list (another session's, or
                    // started since) goes back to its own polling. (Only tasks of the
                    // server are followed: a plain call's handle settles as it is made.)
                    self.step_all(|| Event::Push(false), Some(round));
                }
            },
            Err(e) => {
                // A refusal ends sweeping; a transient failure ends this round (three in a
                // row end sweeping too).
                let failures = bump(&self.flags.sweep_failures);
                if failures >= 3 || !matches!(crate::wire::classify(&e), Failure::Transient { .. })
                {
                    super::warn_err("tasks/list sweeps stopped: ", e);
                    return self.sweep_end(true, 0);
                }
                self.step_all(|| Event::Push(false), None);
            }
        }
        self.sweep_later();
    }

    /// The sweep ends (`off`: for good; `wait`: again only with this many tasks).
    fn sweep_end(&self, off: bool, wait: usize) {
        // Ended because statuses are pushed now: they stay trusted; else the listed tasks
        // go back to their own polling.
        if !self.stream_pushes() {
            self.step_all(|| Event::Push(false), None);
        }
        self.flags.sweeping.set(false);
        if off {
            self.flags.sweep_off.set(true);
        }
        self.flags.sweep_wait.set(wait);
    }

    /// The server's capabilities (`undefined` when unknown, on a reattached session).
    pub(super) fn server_caps(&self) -> JsValue {
        get(&self.session.init_result(), "capabilities")
    }

    /// Apply one page of a sweep: each followed task it lists gets its snapshot (and
    /// counts as pushed) and is marked with the sweep's `round`. The next page's cursor,
    /// if any.
    fn swept(&self, page: &JsValue, round: u32) -> Option<String> {
        let tasks = get(page, "tasks");
        if js_sys::Array::is_array(&tasks) {
            for t in tasks.unchecked_ref::<js_sys::Array>().iter() {
                if let Some(h) = get_str(&t, "taskId").and_then(|id| self.handle(&id)) {
                    h.swept.set(round);
                    h.step(Event::Push(true));
                    let _ = h.apply(&t);
                }
            }
        }
        get_str(page, "nextCursor")
    }

    /// The tasks `ids` get notifications pushed (`on`: a listen stream accepted them), or
    /// no longer do.
    fn push(&self, ids: &[String], on: bool) {
        for id in ids {
            if let Some(h) = self.handle(id) {
                h.step(Event::Push(on));
            }
        }
    }

    /// The task a message of this session belongs to, if it says (2025-11-25's
    /// related-task `_meta`; 2026-07-28 has none).
    pub fn related_task_id(&self, params: &JsValue) -> Option<String> {
        if self.session().is_modern() {
            return None;
        }
        v2025_11_25::related_task_id(params)
    }

    /// A progress notification arrived; it belongs to a task through the progress
    /// token its call sent, or the related task the server tags it with.
    pub fn on_progress(&self, params: &JsValue) {
        // The token this client sent is always a string ("mcp-tasks-wasm-N"), so a
        // numeric token is never ours (and is not formatted: that keeps f64 Display,
        // about 5 KB of wasm, out of the build).
        let token = get_str(params, "progressToken");
        let h = token
            .and_then(|t| self.handle(&crate::cat!("progress:", t)))
            .or_else(|| self.related_task_id(params).and_then(|id| self.handle(&id)));
        if let Some(h) = h {
            h.tell(Some(params));
        }
    }

    /// Follow the followed tasks' notifications on one stream, where the generation has
    /// one: (re)opened a moment after tasks are added (one request for a burst), closed
    /// when none is left, given up when the server has none (polling covers it all).
    fn want_listen(self: &Rc<Self>) {
        if self.flags.listen_off.get() {
            return;
        }
        let mut st = self.state_mut();
        if st.listen_timer.is_some() || !self.session.is_modern() {
            return;
        }
        // Reopening an open stream costs the server and the client the whole id list
        // (and the server's current state of each task): with many tasks followed,
        // newcomers are gathered longer (a ms per followed task, 2 s at most), polled at
        // their server period meanwhile.
        let wait = if st.listen.is_some() {
            LISTEN_BATCH_MS + (st.handles.len() as f64).min(2000.0)
        } else {
            LISTEN_BATCH_MS
        };
        st.listen_timer = Some(self.timer(wait, Registry::open_listen));
    }

    /// Call `f` on this registry in `ms` milliseconds, if it is still there: one closure
    /// type for the registry's two timers (each costs wasm of its own).
    fn timer(self: &Rc<Self>, ms: f64, f: fn(&Rc<Registry>)) -> Timer {
        let weak = Rc::downgrade(self);
        Timer::once(ms, move || {
            if let Some(r) = weak.upgrade() {
                f(&r);
            }
        })
    }

    fn open_listen(self: &Rc<Self>) {
        let (ids, old) = {
            let mut st = self.state_mut();
            st.listen_timer = None;
            // Both lists follow the handles' order: the open stream covers every task
            // when their ids are a subsequence of its list.
            let mut open = st.listen_ids.iter();
            if st.listen.is_some() && st.handles.iter().all(|h| open.any(|o| *o == h.task_id)) {
                return;
            }
            let mut ids = Vec::new();
            for h in &st.handles {
                ids.push(h.task_id.clone());
            }
            (ids, st.listen.take())
        };
        // The old stream's tasks stay pushed until the new one's acknowledgement says
        // which it carries (unpushing them all would move every one's poll twice).
        if let Some(a) = old {
            a.abort();
        }
        let ctl = {
            let mut st = self.state_mut();
            st.listen_ids = ids;
            // No task left: no stream (and an empty list).
            if st.listen_ids.is_empty() {
                return;
            }
            let ctl = io::abort_controller();
            st.listen = Some(ctl.clone());
            ctl
        };
        // Only 2026-07-28 has a stream to open (see `want_listen`).
        let (m, params) = v2026_07_28::listen_request(&self.state().listen_ids);
        let gen = bump(&self.flags.listen_gen);
        let sent = super::request(&self.session, m, params, true, Some(ctl.signal()));
        background(sent, Then::Listen(self.clone(), gen));
    }

    /// The listen stream `gen` ended with `r` (nothing to do when it was replaced or
    /// closed): the tasks it carried are polled again, and after a drop (not too many in
    /// a row) a new one opens a while later, on the listen timer (sync: no sleep in the
    /// stream's future).
    fn listen_ended(self: &Rc<Self>, gen: u32, r: &Result<JsValue, Error>) {
        if self.flags.listen_gen.get() != gen {
            return;
        }
        let was = {
            let mut st = self.state_mut();
            st.listen = None;
            let again = match r {
                Err(Error::Aborted(_)) => false,
                // No listen here (unknown method, refused filter): polling it is.
                Err(Error::Rpc { .. })
                | Err(Error::Transport {
                    status: 400..=499, ..
                }) => {
                    self.flags.listen_off.set(true);
                    false
                }
                // The server ended it, or it dropped: again, a while later.
                _ => {
                    let drops = bump(&self.flags.listen_drops);
                    let off = drops > LISTEN_MAX_DROPS;
                    self.flags.listen_off.set(off);
                    !off
                }
            };
            if again && st.listen_timer.is_none() {
                let wait = 1000.0 * f64::from(self.flags.listen_drops.get()) + LISTEN_BATCH_MS;
                st.listen_timer = Some(self.timer(wait, Registry::open_listen));
            }
            std::mem::take(&mut st.listen_ids)
        };
        self.push(&was, false);
    }

    /// Close the notification stream when no followed task is left.
    fn maybe_close_listen(&self) {
        let mut st = self.state_mut();
        if st.listen.is_some() && st.handles.is_empty() {
            bump(&self.flags.listen_gen);
            st.listen_ids = Vec::new();
            st.listen_timer = None;
            if let Some(a) = st.listen.take() {
                a.abort();
            }
        }
    }

    /// `close()`: every handle stops and rejects with an `AbortError`.
    pub fn close_all(&self) {
        self.step_all(|| Event::Stop(Stop::Closed), None);
        self.held.close();
    }

    fn schedule(self: &Rc<Self>, key: u32, due: Option<f64>) {
        let mut st = self.state_mut();
        match due {
            Some(d) if st.find(key).is_ok() => st.schedule.insert(key, d),
            _ => {
                st.schedule.remove(key);
            }
        }
        self.rearm(&mut st);
    }

    fn rearm(self: &Rc<Self>, st: &mut RegState) {
        let Some(next) = st.schedule.next_due() else {
            st.timer = None;
            return;
        };
        if st.timer.as_ref().is_some_and(|(due, _)| *due <= next) {
            return;
        }
        st.timer = Some((next, self.timer(next - io::now_ms(), Registry::fire)));
    }

    fn fire(self: &Rc<Self>) {
        let keys = {
            let mut st = self.state_mut();
            st.timer = None;
            // The others due stay first in line: the timer fires again at once.
            let keys = st.schedule.pop_due(io::now_ms() + 1.0, POLLS_PER_TICK);
            self.rearm(&mut st);
            keys
        };
        for k in &keys {
            // Looked up as each comes (no borrow held while one steps).
            let h = self.state().get(*k).cloned();
            if let Some(h) = h {
                h.step(Event::Timer);
            }
        }
    }
}

impl Handle {
    fn state(&self) -> crate::cell::Ref<'_, HState> {
        crate::cell::read(&self.st)
    }

    fn state_mut(&self) -> crate::cell::RefMut<'_, HState> {
        crate::cell::write(&self.st)
    }

    /// Feed the machine the task snapshot `v` (a notification's, a listing's, a cancel's
    /// answer), if it is one.
    fn apply(self: &Rc<Self>, v: &JsValue) -> Result<(), Error> {
        let reply = self.reg.wire().decode_snapshot(v)?;
        self.step(Event::Snapshot(reply));
        Ok(())
    }

    /// Feed the machine one event and carry out what it says.
    fn step(self: &Rc<Self>, ev: Event<JsValue, Error>) {
        let fx = self.state_mut().machine.handle(io::now_ms(), ev);
        self.run(fx);
    }

    /// Carry out the machine's effects, in order; no borrow is held while a user
    /// callback runs.
    fn run(self: &Rc<Self>, mut fx: Vec<Effect<JsValue, Error>>) {
        let reg = &self.reg;
        // Taken from the front one by one (a handful at most): a `for` over the vector
        // would compile the drop of its `IntoIter` (47 bytes of gzip).
        while !fx.is_empty() {
            match remove_at(&mut fx, 0) {
                Effect::Send(id, req) => self.send(id, req),
                Effect::Abort(id) => {
                    if let Some(c) = self.answered(id) {
                        c.abort();
                    }
                }
                Effect::Arm(due) => reg.schedule(self.key, due),
                Effect::WantHeldSlot => self.want_held_slot(),
                Effect::ReleaseHeldSlot => self.state_mut().lane = None,
                Effect::Changed => self.tell(None),
                Effect::Refused(why) => io::warn(&crate::cat!(
                    "mcp-tasks-wasm: ignored a snapshot of task ",
                    &self.task_id,
                    ": ",
                    why
                )),
                Effect::CancelRemote => self.cancel_later(),
                Effect::Input(raw) => self.answer_input(raw),
                Effect::Settle(end) => self.settle(end),
            }
        }
    }

    /// The request `id` is no longer in flight: its abort, if it was.
    fn answered(&self, id: ReqId) -> Option<AbortController> {
        take_id(&mut self.state_mut().inflight, id).map(JsCast::unchecked_into)
    }

    /// Send one of the machine's requests; its answer comes back as an event.
    #[inline(never)]
    fn send(self: &Rc<Self>, id: ReqId, req: Request) {
        let ctl = io::abort_controller();
        self.state_mut().inflight.push((id, ctl.clone().into()));
        let (method, params) = crate::wire::task_request(req, &self.task_id);
        // A held request stays open as long as the task waits for input.
        let held = req == Request::HeldResult;
        let sent = super::request(&self.reg.session, method, params, held, Some(ctl.signal()));
        background(sent, Then::Replied(self.clone(), id, req));
    }

    /// The answer `r` to the machine's request `id` came: a reply or a failure, as an
    /// event.
    fn replied(self: &Rc<Self>, id: ReqId, req: Request, r: Result<JsValue, Error>) {
        self.answered(id);
        let wire = self.reg.wire();
        let ev = match r.and_then(|v| wire.decode_reply(req, v)) {
            Ok(reply) => Event::Replied(id, reply),
            Err(e) => {
                let class = crate::wire::classify(&e);
                Event::Failed(id, e, class)
            }
        };
        self.step(ev);
    }

    /// 2026-07-28: the task's snapshot carries `inputRequests`. Each key not asked
    /// before goes to `onElicitation` (context: this task); the answers go back in one
    /// `tasks/update`, with the earlier answers (servers ignore keys already answered). A
    /// kind of input the client did not declare fails the handle and cancels the task.
    #[inline(never)]
    fn answer_input(self: &Rc<Self>, raw: JsValue) {
        let requests = v2026_07_28::input_requests(&raw);
        if !is_object(&requests) {
            return;
        }
        let (new, answers) = {
            let mut st = self.state_mut();
            let mut new = Vec::new();
            // By reference (the keys are dropped after): no `IntoIter<String>` here.
            for k in &Json::keys(&requests) {
                if !st.asked.contains(k) {
                    st.asked.push(k.clone());
                    new.push(k.clone());
                }
            }
            let resend = self.resend.take();
            if new.is_empty() && !resend {
                return;
            }
            // The answers kept from a failed update go again with the new ones.
            (
                new,
                st.answers.clone().unwrap_or_else(|| crate::obj!().into()),
            )
        };
        let related = self.task_id.as_str().into();
        let ask = super::ask_inputs(&self.reg.session, &requests, new, related, answers);
        background(Box::pin(ask), Then::Asked(self.clone()));
    }

    /// The person was asked for input (`r`: the answers, see [`super::ask_inputs`]): send
    /// them in a `tasks/update`, or fail the handle and cancel the task (a kind of input
    /// this client did not declare).
    fn asked_inputs(self: &Rc<Self>, r: Outcome) {
        let answers = match r {
            Ok(a) if a.is_null() => {
                self.step(Event::Fail(Error::protocol(super::UNDECLARED_INPUT)));
                return self.cancel_later();
            }
            Ok(a) => a,
            Err(e) => return super::warn_err("onElicitation failed: ", e),
        };
        if self.is_done() {
            return;
        }
        // Inline input (here) comes only in 2026-07-28 (its Caps).
        let (m, params) = v2026_07_28::update_request(&self.task_id, answers.clone());
        let sent = super::request(&self.reg.session, m, params, false, None);
        background(sent, Then::Update(self.clone(), answers));
    }

    /// Take a place in the held-result lane; the machine hears of the slot on a later
    /// microtask (after this batch of effects), at once or when one frees up.
    fn want_held_slot(self: &Rc<Self>) {
        let entered = self.reg.held.enter();
        let wait = entered.as_ref().err().map(|t| t.latch().wait());
        self.state_mut().lane = Some(entered);
        io::spawn(Box::pin(HeldWait(self.clone(), wait)));
    }

    /// Whether the handle still waits in the held-result lane on the place `latch`
    /// stands for (not given up meanwhile, and not for a newer place).
    fn waits_on(&self, latch: &crate::sync::Latch<bool>) -> bool {
        matches!(&self.state().lane, Some(Err(t)) if t.latch().is(latch))
    }

    /// The latest Task snapshot (a fresh copy each call).
    pub fn snapshot(&self) -> JsValue {
        json::shallow_copy(self.state().machine.raw())
    }

    /// The latest status.
    pub fn status(&self) -> TaskStatus {
        self.state().machine.status()
    }

    /// Whether the handle has settled (result known, or stopped).
    pub fn is_done(&self) -> bool {
        self.outcome.is_set()
    }

    /// The latest `notifications/progress` params, or `undefined`.
    pub fn progress(&self) -> JsValue {
        self.state().progress.clone()
    }

    /// How many polls this handle has sent.
    pub fn polls(&self) -> u32 {
        self.state().machine.polls()
    }

    /// The session this handle's task lives in.
    pub fn session(&self) -> &Rc<Session> {
        &self.reg.session
    }

    /// Wait for the outcome. Every caller shares the one loop.
    pub fn wait(&self) -> crate::sync::LatchWait<Outcome> {
        self.outcome.wait()
    }

    /// Subscribe to status snapshots (or progress); returns the id for
    /// [`Handle::unsubscribe`].
    pub fn subscribe(&self, cb: Function, progress: bool) -> u32 {
        // A fresh number of the registry's (never 0, the `onStatus` option's id).
        let id = self.reg.next_key() << 1 | u32::from(progress);
        self.state_mut().listeners.push((id, cb.into()));
        id
    }

    /// Remove a subscription.
    pub fn unsubscribe(&self, id: u32) {
        take_id(&mut self.state_mut().listeners, id);
    }

    /// Tell the listeners of one kind: with `Some(params)`, the progress listeners (and
    /// `progress()`) of a progress notification; with `None`, the status listeners of the
    /// new snapshot, each its own copy.
    fn tell(&self, progress: Option<&JsValue>) {
        let (value, listeners) = {
            let mut st = self.state_mut();
            let value = match progress {
                Some(params) => {
                    st.progress = json::shallow_copy(params);
                    params.clone()
                }
                None => st.machine.raw().clone(),
            };
            // The listeners of this kind as they are now (a `Vec<JsValue>`, a type the
            // crate has anyway: no clone of the listener list's own).
            let kind = u32::from(progress.is_some());
            let mut listeners: Vec<JsValue> = Vec::new();
            for (i, cb) in &st.listeners {
                if i & 1 == kind {
                    listeners.push(cb.clone());
                }
            }
            (value, listeners)
        };
        for cb in &listeners {
            let (arg, name) = match progress {
                Some(_) => (value.clone(), "onProgress"),
                None => (json::shallow_copy(&value), "onStatus"),
            };
            call_user(cb.unchecked_ref(), &arg, &JsValue::UNDEFINED, name);
        }
    }

    /// Send `tasks/cancel` in the background (after an abort, or a kind of input this
    /// client cannot answer); a failure is only logged. The same request as
    /// [`Handle::cancel`] (one future type): the machine has settled by then, so the
    /// answer it is fed changes nothing.
    fn cancel_later(self: &Rc<Self>) {
        background(self.cancel(), Then::Cancel);
    }

    /// Cancel the task on the server: resolves with what the server answered (the
    /// cancelled Task in 2025-11-25); `result()` then rejects with `TaskCancelledError`
    /// once the task is cancelled.
    pub fn cancel(self: &Rc<Self>) -> super::Pending {
        let (method, params) = crate::wire::cancel_request(&self.task_id);
        let sent = super::request(&self.reg.session, method, params, false, None);
        chain(sent, Then::Cancelled(self.clone()))
    }

    /// Stop every timer and request of this handle; an unsettled `result()` rejects with
    /// an `AbortError`.
    pub fn dispose(self: &Rc<Self>) {
        self.step(Event::Stop(Stop::Disposed));
        // A new empty list (not `clear`: no `clear` code of its own).
        self.state_mut().listeners = Vec::new();
    }

    /// Put this handle's entries in `by_task` (`add`: a task id or token already
    /// followed goes to this newest handle), or take them out (only while they are
    /// still this handle's): the task id's, then the progress token's, if any.
    fn index(&self, st: &mut RegState, add: bool) {
        let (mut name, mut next) = (Some(&self.task_id), self.progress_key.as_ref());
        while let Some(n) = name {
            if add {
                if let Some(k) = st.by_task.try_insert(n.clone(), self.key) {
                    *k = self.key;
                }
            } else {
                st.by_task.remove(n, &self.key);
            }
            name = next.take();
        }
    }

    /// The machine settled: turn its outcome into what `result()` gives, forget the
    /// handle, wake every waiter (`updates()` ends with `result()`).
    #[inline(never)]
    fn settle(self: &Rc<Self>, end: End<JsValue, Error>) {
        let task = self.snapshot();
        let outcome = match end {
            End::Completed(result) => Ok(result),
            // A failed task's stored result, or the JSON-RPC error that stands for it (the
            // machine gives one or the other); any other error is why it failed.
            End::Failed {
                result: None,
                error: Some(e),
            } if !matches!(e, Error::Rpc { .. }) => Err(e),
            End::Failed { result, error } => Err(Error::TaskFailed {
                task,
                result: result.unwrap_or_default(),
                error: error.map(Box::new),
            }),
            End::Cancelled => Err(Error::TaskCancelled { task }),
            End::Expired => Err(Error::TaskExpired {
                task_id: self.task_id.clone(),
                task,
            }),
            End::Error {
                error,
                tries: Some(n),
            } => Err(error.with_tries(n)),
            // The server may not know the task (before its ttl ran out).
            End::Error { error, .. } => Err(crate::wire::not_found(&self.task_id, error)),
            End::Aborted(why) => Err(Error::aborted(match why {
                Stop::Signal => "The operation was aborted.",
                Stop::Disposed => "the task handle was disposed",
                Stop::Closed => "the client is closed",
            })),
        };
        {
            let mut st = self.state_mut();
            st.abort_listener = None;
            st.lane = None;
        }
        {
            // Its timer is off the schedule already: the machine disarms it before it
            // settles.
            let mut rst = self.reg.state_mut();
            if let Ok(i) = rst.find(self.key) {
                remove_at(&mut rst.handles, i);
            }
            // Only this handle's own entries: no scan over every handle per settle.
            self.index(&mut rst, false);
        }
        self.reg.maybe_close_listen();
        self.outcome.set(outcome);
    }
}

/// A held-result slot for the handle `.0`: granted when the latch `.1` says so (`None`:
/// granted already); the machine hears of it then, if the handle still waits on that
/// place (a grant is heard once). A plain future.
struct HeldWait(Rc<Handle>, Option<crate::sync::LatchWait<bool>>);

impl Future for HeldWait {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let me = &mut *self;
        if let Some(w) = &mut me.1 {
            let Poll::Ready(granted) = Pin::new(&mut *w).poll(cx) else {
                return Poll::Pending;
            };
            if !granted || !me.0.waits_on(w.latch()) {
                return Poll::Ready(());
            }
        }
        me.0.step(Event::HeldSlot);
        Poll::Ready(())
    }
}
