//! The MCP client as users see it, in Rust: a session (the transport), the task registry
//! over the wire adapter ([`registry`]), the tool list, and the router that takes every
//! inbound message to where it belongs. The JS layer (`js`) only converts values and
//! calls these typed methods.

pub mod registry;

use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use crate::cell::RefCell;
use crate::elicit_defaults::missing_defaults;
use crate::error::Error;
use crate::io::json::{self, get, get_str, is_object, Json};
use crate::io::{self, call_async, call_user};
use crate::protocol::TaskSupport;
use crate::sync::SingleFlight;
use crate::task::machine::Reply;
use crate::transport::{Answer, ClientOptions, Ctl, Router, Session};
use crate::wire::headers;
use crate::wire::v2025_11_25::{method, V2025};
use crate::wire::v2026_07_28::{self as v2026, V2026};
use crate::wire::{Called, Inbound, Wire};
use registry::{Handle, HandleOptions, Outcome, Registry};

/// The wire generations this client speaks.
static V2025_WIRE: V2025 = V2025;
static V2026_WIRE: V2026 = V2026;

/// The listed tool `name` in `tools` (each tool object as listed, by name: its task
/// support and, in 2026-07-28, its `inputSchema`'s mirrored parameters are read from it
/// when a call needs them). The object's keys are the names behind a prefix, so that no
/// name is one of `Object.prototype`'s (`__proto__`, `toString`): a plain JS object, no
/// map or list code of its own in the wasm.
fn tool(tools: &JsValue, name: &str) -> JsValue {
    get(tools, &tool_key(name))
}

/// The key of the tool `name` in the listed tools (see [`tool`]).
fn tool_key(name: &str) -> String {
    crate::cat!("t:", name)
}

/// A request under way that owns what it needs (what the plain calls return).
pub type Pending = Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>;

/// Prefix of the id of a handle that stands for a plain (not task) tool call.
pub const LOCAL_TASK_PREFIX: &str = "local-";

struct Inner {
    session: Rc<Session>,
    tasks: Rc<Registry>,
    /// The listed tools, once listed.
    /// (`undefined` until then; see [`tool`]).
    tools: RefCell<JsValue>,
    /// The first `tools/list`, shared by every call that needs it.
    tools_loading: SingleFlight<Result<JsValue, Error>>,
}

/// A connected MCP client (cheap to clone).
#[derive(Clone)]
pub struct Client(Rc<Inner>);

/// The one router of inbound messages: status and progress to the task registry,
/// elicitation to the user's handler, every notification to `onNotification`. It reaches
/// the session through the registry: once the client (and so the registry) is gone, no
/// message reaches the user's callbacks.
struct Inbox {
    tasks: Weak<Registry>,
}

/// What the user's callbacks learn beside a message of `tasks`' session:
/// `{ relatedTaskId }`.
fn context(tasks: &Registry, params: &JsValue) -> JsValue {
    let related = tasks.related_task_id(params);
    crate::obj!((
        "relatedTaskId",
        related.map(JsValue::from).unwrap_or(JsValue::NULL),
    ))
    .into()
}

impl Router for Inbox {
    fn notification(&self, m: &str, msg: &JsValue) {
        let params = get(msg, "params");
        let Some(tasks) = self.tasks.upgrade() else {
            return;
        };
        match tasks.wire().inbound(m) {
            Inbound::Status => tasks.on_status(&params),
            Inbound::Progress => tasks.on_progress(&params),
            Inbound::ListenAck => tasks.on_listen_ack(&params),
            Inbound::Other => {}
        }
        if let Some(cb) = &tasks.session().opts.on_notification {
            call_user(cb, msg, &context(&tasks, &params), "onNotification");
        }
    }

    fn stream(&self, up: bool) {
        if let Some(tasks) = self.tasks.upgrade() {
            tasks.on_stream(up);
        }
    }

    fn request(&self, m: &str, params: JsValue) -> Option<Answer> {
        // The elicitation future itself; the transport answers any other method.
        let t = self
            .tasks
            .upgrade()
            .filter(|_| m == method::ELICITATION_CREATE)?;
        let ctx = context(&t, &params);
        Some(Box::pin(elicit(t.session(), params, ctx)))
    }
}

/// Ask the person through `onElicitation` (`ctx`: `{ relatedTaskId }`): its answer, with
/// the form's defaults (SEP-1034), or the JSON-RPC error to send back. The handler is
/// called now (its caller polls the future at once).
fn elicit(session: &Session, params: JsValue, ctx: JsValue) -> Elicit {
    let asked = (session.opts.on_elicitation.as_ref()).map(|h| call_async(h, &params, &ctx));
    Elicit {
        defaults: session.opts.elicitation_defaults,
        params,
        asked,
    }
}

/// The future of [`elicit`]: a plain one (no async block's state machine).
struct Elicit {
    /// `applyElicitationDefaults`, read when asked (the session itself is not kept).
    defaults: bool,
    params: JsValue,
    /// The handler's answer, if there is a handler.
    asked: Option<io::PromiseFuture>,
}

impl Future for Elicit {
    type Output = Result<JsValue, (f64, String)>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = &mut *self;
        let Some(asked) = &mut me.asked else {
            return Poll::Ready(Err((-32601.0, "no onElicitation handler".into())));
        };
        let Poll::Ready(answer) = Pin::new(asked).poll(cx) else {
            return Poll::Pending;
        };
        Poll::Ready(elicited(me.defaults, &me.params, answer))
    }
}

/// What `onElicitation` answered (`params`: what it was asked), as [`elicit`] gives it:
/// plain code, outside its future.
fn elicited(
    defaults: bool,
    params: &JsValue,
    answer: Result<JsValue, JsValue>,
) -> Result<JsValue, (f64, String)> {
    match answer {
        Ok(v) if is_object(&v) => {
            if defaults {
                fill_defaults(params, &v);
            }
            Ok(v)
        }
        Ok(_) => Err((-32603.0, "onElicitation returned no object".into())),
        Err(e) => Err((-32603.0, json::error_message(&e))),
    }
}

/// Why input cannot be given: the server asked for a kind this client did not declare
/// (it declares elicitation only with an `onElicitation` handler).
const UNDECLARED_INPUT: &str =
    "the server asked for undeclared input (elicitation needs onElicitation)";

/// 2026-07-28: put the input requests `keys` of `requests` (an `input_required` result's,
/// or a task's `inputRequests`) to the person through `onElicitation`, one after the
/// other (`related`: the task they belong to, or null), and add each answer to `answers`
/// under its key: `answers` in the end. The one loop of MRTR and of tasks. It stops at a request that is not
/// an elicitation, the only kind this client declares, and only with a handler
/// (`Ok(null)`: the answers are an object otherwise), or whose handler failed (a
/// protocol error with the handler's message). An outcome like a request's: a task's
/// questions are awaited by the registry's one request chain (no future of their own).
fn ask_inputs(
    session: &Rc<Session>,
    requests: &JsValue,
    keys: Vec<String>,
    related: JsValue,
    answers: JsValue,
) -> Ask {
    Ask {
        session: session.clone(),
        requests: requests.clone(),
        keys,
        next: 0,
        related,
        answers,
        asking: None,
    }
}

/// The future of [`ask_inputs`]: a plain one (no async fn's state machine).
pub(crate) struct Ask {
    session: Rc<Session>,
    requests: JsValue,
    keys: Vec<String>,
    /// The next key to ask for.
    next: usize,
    related: JsValue,
    answers: JsValue,
    /// The question under way (its key's is the one before `next`).
    asking: Option<Elicit>,
}

impl Future for Ask {
    type Output = Outcome;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = &mut *self;
        loop {
            if let Some(asked) = &mut me.asking {
                let Poll::Ready(answer) = Pin::new(asked).poll(cx) else {
                    return Poll::Pending;
                };
                match answer {
                    Ok(v) => json::put(&me.answers, &me.keys[me.next - 1], v),
                    Err((_, m)) => return Poll::Ready(Err(Error::Protocol(m))),
                }
                me.asking = None;
            }
            let Some(key) = me.keys.get(me.next) else {
                return Poll::Ready(Ok(std::mem::take(&mut me.answers)));
            };
            me.next += 1;
            let req = get(&me.requests, key);
            if !v2026::is_elicitation(&req) || me.session.opts.on_elicitation.is_none() {
                return Poll::Ready(Ok(JsValue::NULL));
            }
            let ctx = crate::obj!(("relatedTaskId", me.related.clone()));
            let asked = elicit(&me.session, get(&req, "params"), ctx.into());
            me.asking = Some(asked);
        }
    }
}

/// Send `m` over `session` as a plain request, or with `signal` to abort it: then it is
/// not sent again after a refusal or a lost connection (the task machine owns the
/// retries of its requests). One future type (and one state machine in the wasm) for
/// every request of the client and its handles that is just a request.
fn request(
    session: &Rc<Session>,
    m: &'static str,
    params: JsValue,
    no_timeout: bool,
    signal: Option<AbortSignal>,
) -> Pending {
    let session = session.clone();
    Box::pin(async move {
        let ctl = Ctl {
            signal: signal.as_ref(),
            no_timeout,
            retry: signal.is_none(),
            ..Ctl::default()
        };
        session.request(m, params, ctl).await
    })
}

/// A future that is ready with `r` at once (an outcome known before any request).
#[inline(never)]
pub fn ready(r: Result<JsValue, Error>) -> Pending {
    Box::pin(std::future::ready(r))
}

/// Warn on the console that `what` went wrong, and why (`e`), after the SDK's name: one
/// copy of the description's and the joining code for every such warning.
#[inline(never)]
fn warn_err(what: &str, e: Error) {
    io::warn(&crate::cat!("mcp-tasks-wasm: ", what, &e.describe()));
}

/// SEP-1034: an accepted form answer gets the schema's default for each field it left
/// out (see [`crate::elicit_defaults`]).
fn fill_defaults(params: &JsValue, answer: &JsValue) {
    let form = get_str(params, "mode").is_none_or(|m| m == "form");
    if !form || !matches!(get_str(answer, "action").as_deref(), Some("accept")) {
        return;
    }
    let content = get(answer, "content");
    let given = is_object(&content);
    // The defaults go straight into the content: the answer's own, or a new one that
    // the answer gets only when a default was added.
    let target = if given {
        content.clone()
    } else {
        crate::obj!().into()
    };
    let mut added = false;
    let content = given.then_some(&content);
    missing_defaults(&get(params, "requestedSchema"), content, |k, v| {
        json::put(&target, k, v);
        added = true;
    });
    if added && !given {
        json::put(answer, "content", target);
    }
}

/// The cursor of the page after `page` of a `tools/list` (`seen`: the cursors so far). A
/// server that hands out a cursor it gave before would loop for ever: that is a protocol
/// error at once, as a listing past 1000 pages. Plain code, outside `tool_pages`' future.
fn next_cursor(page: &JsValue, seen: &mut Vec<String>) -> Result<Option<String>, Error> {
    let Some(c) = get_str(page, "nextCursor").filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if seen.contains(&c) {
        return Err(Error::protocol("tools/list repeated a nextCursor"));
    }
    seen.push(c.clone());
    if seen.len() == 1000 {
        return Err(Error::protocol("tools/list did not end after 1000 pages"));
    }
    Ok(Some(c))
}

impl Client {
    /// Connect: [`Client::new`], [`Client::start`], then [`Client::started`].
    pub async fn connect(url: String, opts: ClientOptions) -> Result<Client, Error> {
        let c = Client::new(url, opts)?;
        c.start().await?;
        c.started();
        Ok(c)
    }

    /// A client of `url` whose session is not started yet ([`Client::start`]). Not in
    /// the start's future: plain code costs less wasm outside a state machine.
    pub fn new(url: String, opts: ClientOptions) -> Result<Client, Error> {
        let session = Session::new(url, opts)?;
        let tasks = Registry::new(session.clone(), &V2025_WIRE);
        session.set_router(Rc::new(Inbox {
            tasks: Rc::downgrade(&tasks),
        }));
        Ok(Client(Rc::new(Inner {
            session,
            tasks,
            tools: RefCell::new(JsValue::UNDEFINED),
            tools_loading: SingleFlight::default(),
        })))
    }

    /// The session's handshake (or reattach), then the GET stream; once it is done,
    /// [`Client::started`].
    pub fn start(&self) -> impl Future<Output = Result<JsValue, Error>> {
        self.0.session.start()
    }

    /// The session started: the era the negotiation settled on decides the wire adapter.
    pub fn started(&self) {
        let wire: &'static dyn Wire = if self.0.session.is_modern() {
            &V2026_WIRE
        } else {
            &V2025_WIRE
        };
        self.0.tasks.set_wire(wire);
    }

    /// The transport session.
    pub fn session(&self) -> &Rc<Session> {
        &self.0.session
    }

    /// The `initialize` result (server info, capabilities, instructions).
    pub fn init_result(&self) -> JsValue {
        self.0.session.init_result()
    }

    /// The session id the server gave, if any.
    pub fn session_id(&self) -> Option<String> {
        self.0.session.session_id()
    }

    /// The negotiated protocol version.
    pub fn protocol_version(&self) -> Option<String> {
        self.0.session.protocol_version()
    }

    /// Whether the server runs tool calls as tasks (assumed when its capabilities are
    /// unknown, on a reattached session; always in 2026-07-28, where the client offers
    /// the tasks extension on every request and the server decides).
    pub fn supports_task_calls(&self) -> bool {
        self.0.session.is_modern()
            || crate::wire::v2025_11_25::task_calls_supported(&self.0.tasks.server_caps())
    }

    /// Request slots free right now (`maxConcurrentRequests`).
    pub fn free_request_slots(&self) -> usize {
        self.0.session.free_request_slots()
    }

    /// Task handles still followed.
    pub fn active_tasks(&self) -> usize {
        self.0.tasks.active()
    }

    /// Whether the tasks' shared timer is armed.
    pub fn timer_armed(&self) -> bool {
        self.0.tasks.timer_armed()
    }

    /// Send any request and wait for its result.
    pub async fn request(&self, m: &str, params: JsValue, ctl: Ctl<'_>) -> Result<JsValue, Error> {
        self.0.session.request(m, params, ctl).await
    }

    /// Close: stop every task handle (their `result()` rejects with an `AbortError`) at
    /// once, and return the session's close (abort what is in flight, end the session).
    /// Not an `async fn`: a wrapper future around the session's costs wasm for nothing.
    pub fn close(&self) -> crate::transport::Closing {
        self.0.tasks.close_all();
        self.0.session.close()
    }

    /// One page of `tools/list`; remembers each tool. Also each page
    /// [`Client::list_all_tools`] reads (one future type for both).
    pub fn list_tools(&self, cursor: Option<String>) -> Pending {
        self.tool_pages(cursor, false)
    }

    /// One page of the listing `m` (`tools/list`, `tasks/list`), from `cursor`.
    fn page(&self, m: &'static str, cursor: Option<String>) -> Pending {
        self.send(m, crate::wire::cursor_params(cursor), false)
    }

    /// Remember each listed tool (in 2026-07-28, leaving out one with invalid
    /// `x-mcp-header` annotations), and add the tools the caller gets to `listed`; the page as the caller
    /// gets it (in 2026-07-28, with `listed` as its tools when some are left out). Not
    /// inlined in `tool_pages`' future: plain code costs less wasm outside a state machine.
    #[inline(never)]
    fn keep_tools(&self, result: JsValue, listed: &js_sys::Array) -> Result<JsValue, Error> {
        let tools = get(&result, "tools");
        if !js_sys::Array::is_array(&tools) {
            return Err(Error::protocol("tools/list gave no tools array"));
        }
        let modern = self.0.session.is_modern();
        let mut kept = 0;
        let mut known = crate::cell::write(&self.0.tools);
        if known.is_undefined() {
            *known = crate::obj!().into();
        }
        for t in tools.unchecked_ref::<js_sys::Array>().iter() {
            if let Some(name) = get_str(&t, "name") {
                // 2026-07-28: a tool whose x-mcp-header annotations break the spec's rules
                // is left out (a MUST); the others are kept for calls.
                if modern && headers::param_headers(&get(&t, "inputSchema"), None).is_err() {
                    continue;
                }
                json::put(&known, &tool_key(&name), t.clone());
                kept += 1;
            } else if modern {
                continue;
            }
            listed.push(&t);
        }
        if modern && kept != io::len(&tools) {
            let copy = json::shallow_copy(&result);
            json::put(&copy, "tools", listed.clone().into());
            return Ok(copy);
        }
        Ok(result)
    }

    /// Every page of `tools/list`, as one array. A server that hands out a cursor it gave
    /// before would loop for ever: that is a protocol error at once. A `Pending` like the
    /// plain requests: the three callers (the export, the first listing, the refresh on
    /// a stale schema) share one state machine, and its shared result the clone code of
    /// a handle's outcome.
    pub fn list_all_tools(&self) -> Pending {
        self.tool_pages(None, true)
    }

    /// `tools/list` from `cursor`: that page (`all` false), or every page from there as
    /// one array. One future type for both.
    fn tool_pages(&self, cursor: Option<String>, all: bool) -> Pending {
        let then = registry::Then::Pages(self.clone(), js_sys::Array::new(), Vec::new(), all);
        registry::chain(self.page(method::TOOLS_LIST, cursor), then)
    }

    /// A page of `tools/list` came (`r`), its tools added to `tools` (the first page's
    /// only, when not `all`): the next page's request, or the outcome (an error, the
    /// page when not `all`, every tool once every page is in).
    fn paged(
        &self,
        r: Outcome,
        tools: &js_sys::Array,
        seen: &mut Vec<String>,
        all: bool,
    ) -> Result<Pending, Outcome> {
        let page = r.and_then(|v| self.keep_tools(v, tools));
        if !all || page.is_err() {
            return Err(page);
        }
        match next_cursor(&page.unwrap_or_default(), seen) {
            Ok(Some(c)) => Ok(self.page(method::TOOLS_LIST, Some(c))),
            Ok(None) => Err(Ok(tools.clone().into())),
            Err(e) => Err(Err(e)),
        }
    }

    /// What `name` allows, once the tools are listed (`call_as_task` lists them first;
    /// so do `list_tools` and `list_all_tools`). An unknown tool reads as `Forbidden`
    /// (the server will say it does not exist).
    pub fn task_support(&self, name: &str) -> TaskSupport {
        let t = tool(&crate::cell::read(&self.0.tools), name);
        crate::wire::task_support(&t)
    }

    /// Run `tools/call` for `name` as a task (when the server and the tool allow it) and
    /// follow it. A server or tool without task support answers with the plain result:
    /// the handle is then already completed with it.
    pub fn call_as_task(
        &self,
        name: &str,
        args: JsValue,
        opts: HandleOptions,
    ) -> impl Future<Output = Result<Rc<Handle>, Error>> {
        self.follow(name, Some(args), opts)
    }

    /// Resume following a task by id (for example after a page reload): one `tasks/get`,
    /// then the same machine as any handle.
    pub fn resume(
        &self,
        task_id: &str,
        opts: HandleOptions,
    ) -> impl Future<Output = Result<Rc<Handle>, Error>> {
        self.follow(task_id, None, opts)
    }

    /// [`Client::call_as_task`] (`args`: the call's arguments) and [`Client::resume`]
    /// (`args` is `None`: `name` is the task id) in one future type: the JS layer's one
    /// wrapper serves both.
    /// Not an `async fn`: the future owns the client and the name (it borrows nothing), so
    /// the JS layer awaits it without a future of its own around it.
    pub fn follow(
        &self,
        name: &str,
        args: Option<JsValue>,
        opts: HandleOptions,
    ) -> impl Future<Output = Result<Rc<Handle>, Error>> {
        let (me, name) = (self.clone(), name.to_string());
        async move {
            let name = name.as_str();
            let Some(args) = args else {
                // A resume: the handle already following the task, or one `tasks/get`.
                if let Some(h) = me.0.tasks.handle(name) {
                    return Ok(h);
                }
                let v = me.get_task(name).await;
                return me.follow_got(name, v, opts, None);
            };
            // Before the shared `tools/list`: thousands of calls started at once wake
            // together (after it, the request breathes first thing too).
            io::pace::breathe().await;
            // The tools are listed once, if not known yet: many calls started at once share
            // one listing (awaited here, not in a helper: each nested future costs wasm).
            if crate::cell::read(&me.0.tools).is_undefined() {
                me.0.tools_loading
                    .run(crate::transport::given(me.list_all_tools()))
                    .await?;
            }
            let support = me.task_support(name);
            // 2026-07-28: the client always offers the tasks extension and the server decides;
            // 2025-11-25: a task is asked for when the server and the tool allow it.
            let modern = me.0.session.is_modern();
            let as_task = modern || (me.supports_task_calls() && support != TaskSupport::Forbidden);
            let token = crate::cat!("mcp-tasks-wasm-", me.0.tasks.next_key());
            // 2026-07-28's params have no `task`: the server decides.
            let task = (as_task && !modern).then_some(opts.ttl_ms);
            let params = crate::wire::v2025_11_25::call_params(name, args, task, &token);
            let ctl = Ctl {
                // 2026-07-28 with cancelOnAbort: the call is not cut when the signal aborts, so
                // that the task it may create is known, and cancelled, as soon as its id comes.
                signal: if modern && opts.cancel_on_abort {
                    None
                } else {
                    opts.signal.as_ref()
                },
                // A plain call may take as long as the tool runs (in 2026-07-28 the server
                // decides whether a call becomes a task, so a call may be plain there).
                no_timeout: !as_task || modern,
                // ... yet it waits for a slot: it should become a task at once, and 5000 calls
                // started together must not all be on the wire (a browser fails past its
                // pending-fetch limit). A server that runs it as a long plain call holds one
                // slot meanwhile.
                queued: modern,
                timeout_ms: opts.call_timeout_ms,
                ..Ctl::default()
            };
            // The request, as the era wants it: 2026-07-28 mirrors the tool's `x-mcp-header`
            // parameters in headers, answers `input_required` (MRTR) through `onElicitation`
            // and retries with the answers and the byte-exact `requestState`, and refreshes
            // the tool list once on -32020 (a stale schema). 2025-11-25 goes through the same
            // loop once: no mirrored parameters (none are sent in it), and its first answer is
            // the result. Inline, as the listing above: a nested future costs wasm.
            let mut refreshed = false;
            let mut state_only: Option<String> = None;
            let rounds = me.0.session.opts.max_input_rounds;
            let mut round = 0;
            // The params of the next round: the call's, then (after `input_required`) a
            // copy of them with the answers and the `requestState`.
            let mut p = params.clone();
            let result = loop {
                // 2026-07-28 only: the transport sends no `Mcp-Param-*` in 2025-11-25, so its
                // tools' schemas are not walked.
                let extra = if modern {
                    let schema = get(&tool(&crate::cell::read(&me.0.tools), name), "inputSchema");
                    headers::param_headers(&schema, Some(&get(&params, "arguments")))
                        .unwrap_or_default()
                } else {
                    Vec::new()
                };
                let ctl = Ctl {
                    headers: &extra,
                    ..ctl
                };
                let result = match me
                    .0
                    .session
                    .request(method::TOOLS_CALL, p.clone(), ctl)
                    .await
                {
                    Err(Error::Rpc { code, .. })
                        if modern && code == v2026::HEADER_MISMATCH && !refreshed =>
                    {
                        refreshed = true;
                        me.list_all_tools().await?;
                        continue;
                    }
                    r => r?,
                };
                if !modern || v2026::result_kind(&result)? != v2026::Kind::InputRequired {
                    break result;
                }
                round += 1;
                if round > rounds {
                    return Err(Error::Protocol(crate::cat!(
                        "more than ",
                        rounds,
                        " input rounds (maxInputRounds)"
                    )));
                }
                // `undefined` when there is none (`put` leaves an `undefined` value out).
                let state = result.field("requestState").unwrap_or_default();
                let requests = v2026::input_requests(&result);
                p = json::shallow_copy(&params);
                if is_object(&requests) {
                    state_only = None;
                    let keys = Json::keys(&requests);
                    let answers = crate::obj!().into();
                    let answers =
                        ask_inputs(&me.0.session, &requests, keys, JsValue::NULL, answers).await?;
                    if answers.is_null() {
                        return Err(Error::protocol(UNDECLARED_INPUT));
                    }
                    json::put(&p, "inputResponses", answers);
                } else {
                    // requestState only: retry at once; the same one again is no progress.
                    let s = state.as_string();
                    if s.is_none() || s == state_only {
                        return Err(Error::protocol("input_required with no new input or state"));
                    }
                    state_only = s;
                }
                json::put(&p, "requestState", state);
            };
            me.follow_call(result, opts, token)
        }
    }

    /// The handle of a `tools/call` that answered `result` (decoded by the session's
    /// generation): the task followed, or (a plain result) a handle that is already
    /// completed. Not in `call_as_task`'s future:
    /// plain code costs less wasm outside a state machine.
    fn follow_call(
        &self,
        result: JsValue,
        opts: HandleOptions,
        token: String,
    ) -> Result<Rc<Handle>, Error> {
        let called = if self.0.session.is_modern() {
            v2026::decode_call(result)
        } else {
            crate::wire::v2025_11_25::decode_call(result)
        };
        Ok(match called? {
            Called::Task { info, .. } if opts.signal.as_ref().is_some_and(|s| s.aborted()) => {
                // Aborted before the id was known: cancel the task now that it is.
                let sent = self.cancel_task(&info.task_id);
                registry::background(sent, registry::Then::Cancel);
                return Err(Error::aborted("The operation was aborted."));
            }
            Called::Task {
                info,
                raw,
                immediate,
            } => self
                .0
                .tasks
                .follow(info, raw, immediate, opts, None, Some(token)),
            Called::Result(result) => {
                // The server ran it as a plain call: a handle that is already completed,
                // its task made here (decoded as any other: one path from a raw task to
                // a handle).
                let iso = io::now_iso();
                let task_id = crate::cat!(LOCAL_TASK_PREFIX, &token);
                let raw = crate::obj!(
                    ("taskId", task_id.as_str().into()),
                    ("status", "completed".into()),
                    ("createdAt", iso.clone()),
                    ("lastUpdatedAt", iso),
                    ("ttl", JsValue::NULL),
                );
                return self.follow_got(&task_id, Ok(raw.into()), opts, Some(Ok(result)));
            }
        })
    }

    /// Follow the task `tasks/get` answered with `v` (a task the server does not know:
    /// the same TaskNotFoundError a handle gets); `terminal`: its outcome, when known (a
    /// plain call's result).
    fn follow_got(
        &self,
        task_id: &str,
        v: Result<JsValue, Error>,
        opts: HandleOptions,
        terminal: Option<Outcome>,
    ) -> Result<Rc<Handle>, Error> {
        let v = v.map_err(|e| crate::wire::not_found(task_id, e))?;
        let Reply::Task { info, raw, .. } = self.0.tasks.wire().decode_snapshot(&v)? else {
            return Err(Error::protocol("tasks/get did not answer a task"));
        };
        Ok(self.0.tasks.follow(info, raw, None, opts, terminal, None))
    }

    /// Send `m` as a plain request (see [`request`]).
    fn send(&self, m: &'static str, params: JsValue, no_timeout: bool) -> Pending {
        request(&self.0.session, m, params, no_timeout, None)
    }

    /// The task as the server has it now (`tasks/get`).
    pub fn get_task(&self, task_id: &str) -> Pending {
        self.send(
            method::TASKS_GET,
            crate::wire::task_id_params(task_id),
            false,
        )
    }

    /// What the task's call returned, in 2025-11-25 (`tasks/result`: waits while the task
    /// runs). `None` in 2026-07-28, which has no `tasks/result`: there the task is followed
    /// until its inline result comes ([`Client::resume`], then the handle's `wait`), as the
    /// JS layer does in the future `callTool` shares.
    pub fn get_task_result(&self, task_id: &str) -> Option<Pending> {
        if self.0.session.is_modern() {
            return None;
        }
        let params = crate::wire::task_id_params(task_id);
        Some(self.send(method::TASKS_RESULT, params, true))
    }

    /// One page of the server's tasks (`tasks/list`; 2025-11-25 only).
    pub fn list_tasks(&self, cursor: Option<String>) -> Pending {
        if self.0.session.is_modern() {
            return ready(Err(Error::protocol("2026-07-28 has no tasks/list")));
        }
        self.page(method::TASKS_LIST, cursor)
    }

    /// Cancel a task by id (`tasks/cancel`); a handle following it hears of it.
    pub fn cancel_task(&self, task_id: &str) -> Pending {
        match self.0.tasks.handle(task_id) {
            Some(h) => h.cancel(),
            None => {
                let (m, params) = crate::wire::cancel_request(task_id);
                self.send(m, params, false)
            }
        }
    }
}
