//! Task handles: follow one task from creation to its end with the least traffic and the
//! shortest delay the server allows, and settle exactly once.
//!
//! All handles of a client share one timer: the [`Registry`] keeps a [`Schedule`] of
//! when each handle polls next and arms a single `setTimeout` for the earliest entry.
//! A `notifications/tasks/status` for a task updates it at once and restarts its period.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal};

use super::error::Error;
use super::event::{Latch, Queue};
use super::json::{self, get, get_str, is_object, object};
use super::session::{call_user, Ctl, Inner};
use super::tracker::{Change, Snapshot, Tracker};
use crate::hash::HashMap;
use crate::io::{self, AbortListener, Timer};
use crate::policy::{deadline_ms, PollConfig, PollPolicy, Schedule};
use crate::protocol::{TaskStatus, TaskSupport};

/// `_meta` key naming the task a message belongs to.
pub const RELATED_TASK_KEY: &str = "io.modelcontextprotocol/related-task";

/// `_meta` key of the text a server may send for the model while the task runs.
pub const IMMEDIATE_RESPONSE_KEY: &str = "io.modelcontextprotocol/model-immediate-response";

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
}

/// The handles of one client and their shared timer.
#[derive(Default)]
pub struct Registry {
    handles: HashMap<u32, Rc<Handle>>,
    by_task: HashMap<String, u32>,
    schedule: Schedule<u32>,
    timer: Option<(f64, Timer)>,
    next_key: u32,
    seed: u64,
    /// `tasks/result` requests held open now, and handles waiting for a slot.
    held: u32,
    waiting: Vec<u32>,
}

impl Registry {
    /// Handles still being followed.
    pub fn active(&self) -> usize {
        self.handles.len()
    }

    /// Whether a timer is armed.
    pub fn timer_armed(&self) -> bool {
        self.timer.is_some()
    }
}

/// What a settled task gives: the result, or the error `result()` rejects with.
pub type Outcome = Result<JsValue, Error>;

struct HState {
    tracker: Tracker<TaskState>,
    snapshot: JsValue,
    policy: PollPolicy,
    deadline: Option<f64>,
    listeners: Vec<(u32, Function)>,
    progress_listeners: Vec<(u32, Function)>,
    next_listener: u32,
    queues: Vec<Queue<JsValue>>,
    inflight: Option<AbortController>,
    held: Option<AbortController>,
    finishing: bool,
    prefetched: Option<Outcome>,
    progress: JsValue,
    /// This handle's entry for its progress token in `Registry::by_task`, if any.
    progress_key: Option<String>,
    wake: Option<Latch<()>>,
    abort_listener: Option<AbortListener>,
    cancel_on_abort: bool,
    polls: u32,
}

/// One followed task.
pub struct Handle {
    key: u32,
    /// The task id.
    pub task_id: String,
    /// Text for the model sent with the `CreateTaskResult`, if any.
    pub immediate_response: Option<String>,
    client: Rc<Inner>,
    st: RefCell<HState>,
    outcome: Latch<Outcome>,
}

/// The fields of a server's Task this client reads: `protocol::Task` without its `extra`
/// map (the raw object is kept as the snapshot; see [`Snapshot`] for why).
struct TaskState {
    task_id: String,
    status: TaskStatus,
    status_message: Option<String>,
    created_at: String,
    last_updated_at: String,
    ttl: Option<u64>,
    poll_interval: Option<u64>,
}

impl Snapshot for TaskState {
    fn task_id(&self) -> &str {
        &self.task_id
    }
    fn status(&self) -> TaskStatus {
        self.status
    }
    fn status_message(&self) -> Option<&str> {
        self.status_message.as_deref()
    }
    fn last_updated_at(&self) -> &str {
        &self.last_updated_at
    }
}

fn decode_task(v: &JsValue) -> Result<TaskState, Error> {
    // By hand over the JS object: serde here would cost kilobytes of wasm for a few
    // fields. The raw object is kept as the user's snapshot, unknown members included.
    if !is_object(v) {
        return Err(Error::Protocol(
            "the server sent a Task that is not an object".into(),
        ));
    }
    let text = |k: &str| {
        get_str(v, k)
            .ok_or_else(|| Error::Protocol(format!("the server sent a Task without a string {k}")))
    };
    let optional = |k: &str| -> Result<Option<JsValue>, Error> {
        let x = get(v, k);
        Ok((!x.is_undefined() && !x.is_null()).then_some(x))
    };
    let number = |k: &str| -> Result<Option<u64>, Error> {
        match optional(k)? {
            None => Ok(None),
            Some(x) => match x.as_f64().filter(|n| *n >= 0.0 && n.is_finite()) {
                Some(n) => Ok(Some(n as u64)),
                None => Err(Error::Protocol(format!(
                    "the server sent a Task whose {k} is not a non-negative number"
                ))),
            },
        }
    };
    let status = text("status")?;
    let status = status.parse::<TaskStatus>().map_err(|_| {
        Error::Protocol(format!(
            "the server sent an unknown task status \"{}\"",
            super::error::quote_body(&status, 64)
        ))
    })?;
    let status_message = match optional("statusMessage")? {
        None => None,
        Some(m) => Some(m.as_string().ok_or_else(|| {
            Error::Protocol("the server sent a Task whose statusMessage is not a string".into())
        })?),
    };
    Ok(TaskState {
        task_id: text("taskId")?,
        created_at: text("createdAt")?,
        status,
        status_message,
        last_updated_at: text("lastUpdatedAt")?,
        ttl: number("ttl")?,
        poll_interval: number("pollInterval")?,
    })
}

/// Start following `task` (a `Task` object from the server).
pub fn follow(
    client: &Rc<Inner>,
    task_js: &JsValue,
    immediate_response: Option<String>,
    opts: HandleOptions,
    prefetched: Option<Outcome>,
) -> Result<Rc<Handle>, Error> {
    let task = decode_task(task_js)?;
    let (key, seed) = {
        let mut reg = client.registry_mut();
        reg.next_key += 1;
        reg.seed = reg.seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        (reg.next_key, reg.seed ^ io::now_ms() as u64)
    };
    let deadline = deadline_ms(&task.created_at, task.ttl);
    let (status, poll_interval) = (task.status, task.poll_interval);
    let mut listeners = Vec::new();
    if let Some(cb) = opts.on_status.clone() {
        listeners.push((0, cb));
    }
    let h = Rc::new(Handle {
        key,
        task_id: task.task_id.clone(),
        immediate_response,
        client: client.clone(),
        st: RefCell::new(HState {
            tracker: Tracker::new(task),
            snapshot: json::shallow_copy(task_js),
            policy: PollPolicy::new(opts.poll.normalized(), seed),
            deadline,
            listeners,
            progress_listeners: Vec::new(),
            next_listener: 1,
            queues: Vec::new(),
            inflight: None,
            held: None,
            finishing: false,
            prefetched,
            progress: JsValue::UNDEFINED,
            progress_key: None,
            wake: None,
            abort_listener: None,
            cancel_on_abort: opts.cancel_on_abort,
            polls: 0,
        }),
        outcome: Latch::new(),
    });
    {
        let mut reg = client.registry_mut();
        reg.handles.insert(key, h.clone());
        reg.by_task.insert(h.task_id.clone(), key);
    }
    if let Some(signal) = opts.signal {
        let weak = Rc::downgrade(&h);
        let listener = AbortListener::new(signal, move || {
            if let Some(h) = weak.upgrade() {
                h.aborted_by_signal();
            }
        });
        h.state_mut().abort_listener = listener;
    }
    h.notify(&json::shallow_copy(task_js));
    h.after_update(status, poll_interval);
    Ok(h)
}

/// Run `tools/call` for `name` as a task (when the server and the tool allow it) and
/// follow it. A server or tool without task support answers with the plain result: the
/// handle is then already completed with it.
pub async fn call_as_task(
    client: &Rc<Inner>,
    name: &str,
    args: JsValue,
    opts: HandleOptions,
) -> Result<Rc<Handle>, Error> {
    // Before and after the shared `tools/list`: thousands of calls started at once
    // wake together twice.
    super::pace::breathe().await;
    let support = client.task_support(name).await?;
    super::pace::breathe().await;
    let as_task = client.supports_task_calls() && support != TaskSupport::Forbidden;
    let token = {
        let mut reg = client.registry_mut();
        reg.next_key += 1;
        format!("mcp-tasks-wasm-{}", reg.next_key)
    };
    let task_param = if as_task {
        object(&[("ttl", opts.ttl_ms.map(JsValue::from).unwrap_or_default())]).into()
    } else {
        JsValue::UNDEFINED
    };
    let params = object(&[
        ("name", name.into()),
        (
            "arguments",
            if args.is_undefined() {
                object(&[]).into()
            } else {
                args
            },
        ),
        ("task", task_param),
        (
            "_meta",
            object(&[("progressToken", token.clone().into())]).into(),
        ),
    ]);
    let ctl = Ctl {
        signal: opts.signal.as_ref(),
        no_timeout: !as_task,
    };
    let result = client.request("tools/call", params.into(), ctl).await?;
    let task = get(&result, "task");
    if is_object(&task) {
        let immediate = get_str(&get(&result, "_meta"), IMMEDIATE_RESPONSE_KEY);
        let h = follow(client, &task, immediate, opts, None)?;
        let progress_key = format!("progress:{token}");
        client
            .registry_mut()
            .by_task
            .insert(progress_key.clone(), h.key);
        h.state_mut().progress_key = Some(progress_key);
        return Ok(h);
    }
    // The server ran it as a plain call: a handle that is already completed.
    let now = js_sys::Date::new_0().to_iso_string();
    let local = object(&[
        ("taskId", format!("local-{token}").into()),
        ("status", "completed".into()),
        ("createdAt", now.clone().into()),
        ("lastUpdatedAt", now.into()),
        ("ttl", JsValue::NULL),
    ]);
    follow(client, &local.into(), None, opts, Some(Ok(result)))
}

/// Resume following a task by id (for example after a page reload): one `tasks/get`, then
/// the same loop as any handle.
pub async fn resume(
    client: &Rc<Inner>,
    task_id: &str,
    opts: HandleOptions,
) -> Result<Rc<Handle>, Error> {
    let key = client.registry().by_task.get(task_id).copied();
    if let Some(h) = key.and_then(|k| client.registry().handles.get(&k).cloned()) {
        return Ok(h);
    }
    let params = object(&[("taskId", task_id.into())]);
    let task = client
        .request("tasks/get", params.into(), Ctl::default())
        .await?;
    follow(client, &task, None, opts, None)
}

/// A `notifications/tasks/status` arrived.
pub fn on_status_notification(client: &Rc<Inner>, params: &JsValue) {
    let Some(h) = get_str(params, "taskId").and_then(|id| handle_of(client, &id)) else {
        return;
    };
    match decode_task(params) {
        Ok(task) => h.update(task, params),
        Err(e) => io::warn(&format!(
            "mcp-tasks-wasm: ignored a status notification: {}",
            e.describe()
        )),
    }
}

/// A `notifications/progress` arrived; it belongs to a task through its progress token.
pub fn on_progress(client: &Rc<Inner>, params: &JsValue) {
    // By the progress token this client sent (always a string, "mcp-tasks-wasm-N", so a
    // numeric token is never ours: it is not formatted, which keeps f64 Display, about
    // 5 KB of wasm, out of the build); a resumed handle never sent one, so fall back to
    // the related task the server tags task progress with.
    let token = get_str(params, "progressToken");
    let by_token = token.and_then(|t| handle_of(client, &format!("progress:{t}")));
    let h = by_token.or_else(|| {
        get_str(&get(&get(params, "_meta"), RELATED_TASK_KEY), "taskId")
            .and_then(|id| handle_of(client, &id))
    });
    let Some(h) = h else {
        return;
    };
    let listeners = {
        let mut st = h.state_mut();
        st.progress = json::shallow_copy(params);
        st.progress_listeners.clone()
    };
    for (_, cb) in listeners {
        call_user(&cb, params, &JsValue::UNDEFINED, "onProgress");
    }
}

fn handle_of(client: &Rc<Inner>, key: &str) -> Option<Rc<Handle>> {
    let reg = client.registry();
    reg.by_task
        .get(key)
        .and_then(|k| reg.handles.get(k))
        .cloned()
}

/// `close()`: every handle of the client stops and rejects with an `AbortError`.
pub fn close_all(client: &Rc<Inner>) {
    let handles: Vec<_> = {
        let mut reg = client.registry_mut();
        reg.timer = None;
        reg.schedule.clear();
        reg.handles.drain().map(|(_, h)| h).collect()
    };
    for h in handles {
        h.settle(Err(Error::Aborted("the client is closed".into())));
    }
}

fn schedule(client: &Rc<Inner>, key: u32, due: f64) {
    let mut reg = client.registry_mut();
    if !reg.handles.contains_key(&key) {
        return;
    }
    reg.schedule.insert(key, due);
    rearm(client, &mut reg);
}

fn rearm(client: &Rc<Inner>, reg: &mut Registry) {
    let Some(next) = reg.schedule.next_due() else {
        reg.timer = None;
        return;
    };
    if reg.timer.as_ref().is_some_and(|(due, _)| *due <= next) {
        return;
    }
    let weak: Weak<Inner> = Rc::downgrade(client);
    let timer = Timer::once(next - io::now_ms(), move || {
        if let Some(c) = weak.upgrade() {
            fire(&c);
        }
    });
    reg.timer = Some((next, timer));
}

/// Polls started per timer tick: each `fetch()` costs the main thread about a
/// millisecond, so thousands of due handles are spread over several short tasks.
const POLLS_PER_TICK: usize = 24;

fn fire(client: &Rc<Inner>) {
    let due: Vec<Rc<Handle>> = {
        let mut reg = client.registry_mut();
        reg.timer = None;
        let now = io::now_ms();
        let mut keys = reg.schedule.pop_due(now + 1.0);
        if keys.len() > POLLS_PER_TICK {
            for k in keys.split_off(POLLS_PER_TICK) {
                reg.schedule.insert(k, now);
            }
        }
        let hs = keys
            .iter()
            .filter_map(|k| reg.handles.get(k).cloned())
            .collect();
        rearm(client, &mut reg);
        hs
    };
    for h in due {
        io::spawn(Box::pin(async move { h.poll().await }));
    }
}

impl Handle {
    /// The handle's state, shared.
    fn state(&self) -> std::cell::Ref<'_, HState> {
        crate::cell::read(&self.st)
    }

    /// The handle's state, exclusive.
    fn state_mut(&self) -> std::cell::RefMut<'_, HState> {
        crate::cell::write(&self.st)
    }

    /// The latest Task snapshot (a fresh copy each call).
    pub fn snapshot(&self) -> JsValue {
        json::shallow_copy(&self.state().snapshot)
    }

    /// The latest status.
    pub fn status(&self) -> TaskStatus {
        self.state().tracker.status()
    }

    /// Whether the handle has settled (result known, or stopped).
    pub fn is_done(&self) -> bool {
        self.outcome.is_set()
    }

    /// The latest `notifications/progress` params, or `undefined`.
    pub fn progress(&self) -> JsValue {
        self.state().progress.clone()
    }

    /// How many `tasks/get` requests this handle has sent.
    pub fn polls(&self) -> u32 {
        self.state().polls
    }

    /// The client this handle belongs to.
    pub fn client(&self) -> &Rc<Inner> {
        &self.client
    }

    /// Wait for the outcome. Every caller shares the one loop.
    pub async fn wait(&self) -> Outcome {
        self.outcome.wait().await
    }

    /// Subscribe to status snapshots; returns the id for [`Handle::unsubscribe`].
    pub fn subscribe(&self, cb: Function, progress: bool) -> u32 {
        let mut st = self.state_mut();
        let id = st.next_listener;
        st.next_listener += 1;
        if progress {
            st.progress_listeners.push((id, cb));
        } else {
            st.listeners.push((id, cb));
        }
        id
    }

    /// Remove a subscription.
    pub fn unsubscribe(&self, id: u32) {
        let mut st = self.state_mut();
        st.listeners.retain(|(i, _)| *i != id);
        st.progress_listeners.retain(|(i, _)| *i != id);
    }

    /// A queue of snapshots: the current one, then each change; it ends after the
    /// terminal one.
    pub fn updates(&self) -> Queue<JsValue> {
        let q = Queue::default();
        let mut st = self.state_mut();
        q.push(json::shallow_copy(&st.snapshot));
        if st.tracker.status().is_terminal() || self.outcome.is_set() {
            q.close();
        } else {
            st.queues.push(q.clone());
        }
        q
    }

    fn notify(&self, snapshot: &JsValue) {
        let (listeners, queues) = {
            let st = self.state();
            (st.listeners.clone(), st.queues.clone())
        };
        for q in &queues {
            q.push(json::shallow_copy(snapshot));
        }
        for (_, cb) in listeners {
            call_user(
                &cb,
                &json::shallow_copy(snapshot),
                &JsValue::UNDEFINED,
                "onStatus",
            );
        }
    }

    /// Apply a snapshot from a notification or a poll.
    fn update(self: &Rc<Self>, task: TaskState, raw: &JsValue) {
        if self.is_done() {
            return;
        }
        // The tracker takes the snapshot itself; what comes next needs only these two.
        let (status, poll_interval) = (task.status, task.poll_interval);
        let change = self.state_mut().tracker.apply(task);
        match change {
            // A poll answer that was on its way when the terminal status arrived is
            // expected, not a server fault: drop it quietly.
            Change::Refused(_) if self.status().is_terminal() => return,
            Change::Refused(why) => {
                io::warn(&format!(
                    "mcp-tasks-wasm: ignored a snapshot of task {}: {why}",
                    self.task_id
                ));
                return;
            }
            Change::Updated => {
                let snap = json::shallow_copy(raw);
                self.state_mut().snapshot = snap.clone();
                self.notify(&snap);
            }
            Change::Same => {}
        }
        self.after_update(status, poll_interval);
    }

    /// Decide what comes next after the task is known to be in `status`, with the
    /// server's suggested `poll_interval`.
    fn after_update(self: &Rc<Self>, status: TaskStatus, poll_interval: Option<u64>) {
        match status {
            TaskStatus::Completed | TaskStatus::Failed => self.finish(),
            TaskStatus::Cancelled => {
                let task = self.snapshot();
                self.settle(Err(Error::TaskCancelled { task }));
            }
            TaskStatus::InputRequired | TaskStatus::Working => {
                if status == TaskStatus::InputRequired {
                    self.hold_result();
                }
                // The first poll comes one server period after creation; later ones
                // one period after the latest response (clamped by the options).
                let delay = self.state_mut().policy.after_success(poll_interval);
                schedule(&self.client, self.key, io::now_ms() + f64::from(delay));
            }
        }
    }

    /// Send `method` with `{ taskId }` for this task, abortable through `abort`.
    async fn call(
        &self,
        method: &str,
        abort: Option<&AbortController>,
        no_timeout: bool,
    ) -> Result<JsValue, Error> {
        let params = object(&[("taskId", self.task_id.as_str().into())]);
        let signal = abort.map(|a| a.signal());
        let ctl = Ctl {
            signal: signal.as_ref(),
            no_timeout,
        };
        self.client.request(method, params.into(), ctl).await
    }

    /// One `tasks/get`.
    async fn poll(self: Rc<Self>) {
        if self.is_done() {
            return;
        }
        let Ok(ctl) = AbortController::new() else {
            return;
        };
        {
            let mut st = self.state_mut();
            st.inflight = Some(ctl.clone());
            st.polls += 1;
        }
        let r = self.call("tasks/get", Some(&ctl), false).await;
        self.state_mut().inflight = None;
        if self.is_done() {
            return;
        }
        match r.and_then(|v| decode_task(&v).map(|t| (t, v))) {
            Ok((task, raw)) => {
                if task.task_id != self.task_id {
                    self.poll_failed(Error::Protocol(
                        "tasks/get answered with another task".into(),
                    ));
                } else {
                    self.update(task, &raw)
                }
            }
            Err(e) => self.poll_failed(e),
        }
    }

    fn poll_failed(self: &Rc<Self>, e: Error) {
        match e {
            Error::Aborted(_) => {}
            Error::Rpc { code, .. } if code == -32602.0 && self.past_deadline() => {
                let task = self.snapshot();
                self.settle(Err(Error::TaskExpired {
                    task_id: self.task_id.clone(),
                    task,
                }));
            }
            e if e.is_transient() => match self.backoff(e) {
                Ok(d) => schedule(&self.client, self.key, io::now_ms() + f64::from(d)),
                Err(e) => self.settle(Err(e)),
            },
            e => self.settle(Err(e)),
        }
    }

    /// The delay before retrying after the transient error `e`, or, once the retry
    /// budget is spent, the error to settle with (saying how many tries were made).
    fn backoff(&self, e: Error) -> Result<u32, Error> {
        let next = self.state_mut().policy.after_failure(e.retry_after_ms());
        next.map_err(|g| with_tries(e, g.tries))
    }

    fn past_deadline(&self) -> bool {
        self.state().deadline.is_some_and(|d| io::now_ms() >= d)
    }

    /// Hold a `tasks/result` open: the server delivers input requests (elicitation) on
    /// it, and answers it with the final result as soon as the task ends.
    fn hold_result(self: &Rc<Self>) {
        let ctl = {
            let mut st = self.state_mut();
            if st.held.is_some() || st.finishing || st.prefetched.is_some() {
                return;
            }
            // Browsers allow about six connections per origin: held requests are capped
            // (maxHeldResults) so that polls never queue behind them.
            let mut reg = self.client.registry_mut();
            if reg.held >= self.client.opts.max_held_results.max(1) {
                if !reg.waiting.contains(&self.key) {
                    reg.waiting.push(self.key);
                }
                return;
            }
            let Ok(ctl) = AbortController::new() else {
                return;
            };
            reg.held += 1;
            st.held = Some(ctl.clone());
            ctl
        };
        let me = self.clone();
        io::spawn(Box::pin(async move {
            let r = me.call("tasks/result", Some(&ctl), true).await;
            me.state_mut().held = None;
            release_hold(&me.client);
            if me.is_done() {
                return;
            }
            match r {
                Err(e) if e.is_transient() || matches!(e, Error::Aborted(_)) => {}
                r => {
                    me.state_mut().prefetched = Some(r);
                    if me.status().is_terminal() {
                        me.finish();
                    } else {
                        // The result is in: learn the final status now.
                        schedule(&me.client, me.key, io::now_ms());
                    }
                }
            }
        }));
    }

    /// The task is terminal (completed or failed): fetch its stored result and settle.
    fn finish(self: &Rc<Self>) {
        {
            let mut st = self.state_mut();
            if st.finishing || self.outcome.is_set() {
                return;
            }
            if st.held.is_some() && st.prefetched.is_none() {
                // The held tasks/result is about to answer; it calls finish again.
                return;
            }
            st.finishing = true;
            // A tasks/get still on its way has nothing left to tell.
            if let Some(poll) = st.inflight.take() {
                poll.abort();
            }
        }
        self.client.registry_mut().schedule.remove(self.key);
        let me = self.clone();
        io::spawn(Box::pin(async move {
            let prefetched = me.state_mut().prefetched.take();
            let r = match prefetched {
                Some(r) => r,
                None => me.fetch_result().await,
            };
            let task = me.snapshot();
            let failed = me.status() == TaskStatus::Failed;
            let outcome = match r {
                Ok(result) if failed => Err(Error::TaskFailed {
                    task,
                    result,
                    error: None,
                }),
                Ok(result) => Ok(result),
                Err(e @ Error::Rpc { .. }) if failed => Err(Error::TaskFailed {
                    task,
                    result: JsValue::UNDEFINED,
                    error: Some(Box::new(e)),
                }),
                Err(e) => Err(e),
            };
            me.settle(outcome);
        }));
    }

    async fn fetch_result(self: &Rc<Self>) -> Outcome {
        loop {
            let Ok(ctl) = AbortController::new() else {
                return Err(Error::Aborted("no AbortController".into()));
            };
            self.state_mut().inflight = Some(ctl.clone());
            let r = self.call("tasks/result", Some(&ctl), false).await;
            self.state_mut().inflight = None;
            match r {
                Err(e) if e.is_transient() && !self.is_done() => {
                    let d = self.backoff(e)?;
                    if !self.sleep(f64::from(d)).await {
                        return Err(Error::Aborted("stopped".into()));
                    }
                }
                r => return r,
            }
        }
    }

    /// Sleep `ms`; false when the handle was stopped meanwhile.
    async fn sleep(&self, ms: f64) -> bool {
        let wake = Latch::new();
        self.state_mut().wake = Some(wake.clone());
        let w = wake.clone();
        let _timer = Timer::once(ms, move || {
            w.set(());
        });
        wake.wait().await;
        !self.is_done()
    }

    /// `tasks/cancel`: resolves with the cancelled Task; `result()` then rejects with
    /// `TaskCancelledError`.
    pub async fn cancel(self: &Rc<Self>) -> Result<JsValue, Error> {
        let v = self.call("tasks/cancel", None, false).await?;
        if let Ok(task) = decode_task(&v) {
            self.update(task, &v);
        }
        Ok(v)
    }

    fn aborted_by_signal(self: &Rc<Self>) {
        if self.is_done() {
            return;
        }
        let cancel = self.state().cancel_on_abort;
        self.settle(Err(Error::Aborted("The operation was aborted.".into())));
        if cancel {
            let me = self.clone();
            io::spawn(Box::pin(async move {
                if let Err(e) = me.call("tasks/cancel", None, false).await {
                    io::warn(&format!(
                        "mcp-tasks-wasm: tasks/cancel after abort failed: {}",
                        e.describe()
                    ));
                }
            }));
        }
    }

    /// Stop every timer and request of this handle; an unsettled `result()` rejects with
    /// an `AbortError`.
    pub fn dispose(self: &Rc<Self>) {
        self.settle(Err(Error::Aborted("the task handle was disposed".into())));
        let mut st = self.state_mut();
        st.listeners.clear();
        st.progress_listeners.clear();
    }

    /// Settle exactly once: stop polling, release every request and timer, end the
    /// update queues, wake every waiter.
    fn settle(self: &Rc<Self>, outcome: Outcome) {
        let (inflight, held, wake, queues, progress_key) = {
            let mut st = self.state_mut();
            if !st.tracker.settle() {
                return;
            }
            st.abort_listener = None;
            (
                st.inflight.take(),
                st.held.take(),
                st.wake.take(),
                std::mem::take(&mut st.queues),
                st.progress_key.take(),
            )
        };
        {
            let mut reg = self.client.registry_mut();
            reg.schedule.remove(self.key);
            reg.handles.remove(&self.key);
            // Only this handle's own entries: no scan over every handle per settle.
            for name in std::iter::once(&self.task_id).chain(progress_key.as_ref()) {
                if reg.by_task.get(name) == Some(&self.key) {
                    reg.by_task.remove(name);
                }
            }
            reg.waiting.retain(|k| *k != self.key);
            rearm(&self.client, &mut reg);
        }
        for c in inflight.into_iter().chain(held) {
            c.abort();
        }
        self.outcome.set(outcome);
        if let Some(w) = wake {
            w.set(());
        }
        for q in queues {
            q.close();
        }
    }
}

/// A held `tasks/result` ended: hand its slot to the next handle waiting for input.
fn release_hold(client: &Rc<Inner>) {
    let next = {
        let mut reg = client.registry_mut();
        reg.held = reg.held.saturating_sub(1);
        let mut next = None;
        while !reg.waiting.is_empty() {
            let key = reg.waiting.remove(0);
            if let Some(h) = reg.handles.get(&key) {
                next = Some(h.clone());
                break;
            }
        }
        next
    };
    if let Some(h) = next {
        if h.status() == TaskStatus::InputRequired {
            h.hold_result();
        }
    }
}

fn with_tries(e: Error, tries: u32) -> Error {
    match e {
        Error::Transport {
            status,
            message,
            body,
            retry_after_ms,
            ..
        } => Error::Transport {
            status,
            message: format!("{message} (gave up after {tries} tries)"),
            body,
            tries,
            retry_after_ms,
        },
        Error::Protocol(m) => Error::Protocol(format!("{m} (gave up after {tries} tries)")),
        e => e,
    }
}
