//! Streamable HTTP, the transport: one MCP session, its handshake, requests and their
//! replies (JSON or SSE), the optional GET stream, server-to-client requests, and
//! `close()`. It knows nothing of tasks: every inbound notification and request (other
//! than `ping`) goes to one [`Router`], which the client installs.

pub mod rpc;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal};

use crate::cell::RefCell;
use crate::error::{quote_body, Error, BODY_QUOTE_LIMIT};
use crate::io::json::{self, get, get_f64, get_str, is_object, Json};
use crate::io::oauth::{self, OAuth as Auth};
use crate::io::{self, Abort, AbortListener, FetchFailure, HeaderList, Http, HttpResponse};
use crate::sync::{Gate, Latch, Permit, SingleFlight, Ticket};
use crate::wire::headers;
use crate::wire::v2025_11_25::{method, PROTOCOL_VERSION};
use crate::wire::v2026_07_28 as v2026;
use rpc::{parse_id, Next, Pending, Tries};

/// How many times one request's SSE stream is resumed (GET with `Last-Event-ID`) before
/// its reply counts as lost.
const MAX_STREAM_RESUMES: u32 = 8;

/// Default cap on a response body (JSON) or on one SSE event, in bytes.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The answer to a server-to-client request: a result, or a JSON-RPC error (code, message).
pub type Answer = Pin<Box<dyn Future<Output = Result<JsValue, (f64, String)>>>>;

/// A run shared by everyone who needs it (a session renewal, a sign-in or refresh),
/// boxed: a request keeps a pointer to it across its `await`, not the run itself. Its
/// value, always `undefined`, is not read: a run shares the type of the first
/// `tools/list`'s (`Result<JsValue, Error>`), so one copy of the single-flight code
/// serves all three.
pub type Run<'a> = Pin<Box<dyn Future<Output = Result<JsValue, Error>> + 'a>>;

/// Where inbound messages go: the client's one router (tasks, elicitation, the user's
/// `onNotification`).
pub trait Router {
    /// A notification (the whole message).
    fn notification(&self, method: &str, msg: &JsValue);
    /// A server-to-client request other than `ping`: its answer, which the transport
    /// posts, or `None` for a method this client does not serve.
    fn request(&self, method: &str, params: JsValue) -> Option<Answer>;
    /// The GET stream opened (`true`) or ended (`false`).
    fn stream(&self, _up: bool) {}
}

/// Client options, already read from the JS options object.
pub struct ClientOptions {
    /// Extra headers on every request (e.g. `Authorization`). Never logged.
    pub headers: Vec<(String, String)>,
    /// `clientInfo` sent in `initialize`.
    pub client_info: JsValue,
    /// Per-request timeout in ms.
    pub request_timeout_ms: Option<f64>,
    /// A replacement `fetch`.
    pub fetch: Option<Function>,
    /// Open the GET stream after the handshake.
    pub listen: bool,
    /// `(params, { relatedTaskId }) => ElicitResult | Promise<ElicitResult>`: declared
    /// as the elicitation capability; the [`Router`] calls it.
    pub on_elicitation: Option<Function>,
    /// Send a `tools/call` again when its connection failed (a reset, a timeout): the
    /// tool may then run twice. Off by default.
    pub retry_unsafe_requests: bool,
    /// Tries after the first for a request the server refused (429, 503) or whose
    /// connection failed (default 3; the task machine's own requests excepted).
    pub max_request_retries: u32,
    /// Fill the fields an accepted form left out with the schema's defaults (SEP-1034).
    pub elicitation_defaults: bool,
    /// Called with every notification message (by the [`Router`]).
    pub on_notification: Option<Function>,
    /// Cap on a JSON body (bytes) or an SSE event (its pending line and fields, characters).
    pub max_response_bytes: usize,
    /// How many `tasks/result` requests the client's handles may hold open at once.
    pub max_held_results: u32,
    /// How many requests may be on the wire at once; the rest wait their turn (first
    /// come, first served). Requests without a timeout (`Ctl::no_timeout`: a plain
    /// `tools/call`, `tasks/result`), which may stay open as long as a tool runs, take no
    /// slot, so they cannot starve the others (but see `Ctl::queued`).
    pub max_concurrent_requests: u32,
    /// Which protocol generation to speak (`Auto`: probe, then fall back).
    pub version: VersionChoice,
    /// 2026-07-28: how many times one call may ask for input (MRTR) before it fails.
    pub max_input_rounds: u32,
    /// Sign in to a protected server on its 401 (OAuth 2.1 as MCP defines it): the `auth`
    /// option of `connect()` as given (it has an `authorize` function), read by the OAuth
    /// client in `src/io/host.js`.
    pub auth: Option<JsValue>,
    /// Reattach to this existing session instead of starting one (to resume its tasks
    /// after a page reload). `initialize` is skipped, so the server's info and
    /// capabilities stay unknown; if the server says the session is gone, a new one is
    /// started as usual.
    pub session_id: Option<String>,
}

#[derive(Default)]
struct State {
    session_id: Option<String>,
    protocol_version: Option<String>,
    init_result: JsValue,
    /// Requests waiting for their replies, each with its abort (`close()` aborts them).
    pending: Pending<JsValue, AbortController>,
    listen_gen: u32,
    listen_abort: Option<AbortController>,
    listen_wake: Option<Latch<bool>>,
    /// The last renewal failed: the next request tries again before sending.
    needs_init: bool,
    /// The server speaks 2026-07-28: stateless requests with the modern envelope.
    modern: bool,
    /// The HTTP status of the latest response (read by the era probe).
    last_status: u16,
}

/// Which protocol generation a client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum VersionChoice {
    /// Probe with a modern `server/discover`; fall back to `initialize` (2025-11-25).
    #[default]
    Auto,
    /// 2025-11-25 only: `initialize`, sessions.
    Legacy,
    /// 2026-07-28 only: stateless requests.
    Modern,
}

/// One session with an MCP endpoint; every request future holds an `Rc` of it.
pub struct Session {
    /// The MCP endpoint.
    pub url: String,
    http: Http,
    /// The options the client was made with.
    pub opts: ClientOptions,
    st: RefCell<State>,
    /// Slots for requests in flight ([`ClientOptions::max_concurrent_requests`]).
    gate: Gate,
    /// A session renewal under way, shared by every request that needs it.
    renewing: SingleFlight<Result<JsValue, Error>>,
    router: RefCell<Option<Rc<dyn Router>>>,
    /// Authorization, with the `auth` option.
    auth: Option<Auth>,
    /// Aborted by `close()`, the one record that the client is closed: it also wakes the
    /// requests waiting to be sent again (they then reject), each through a listener of
    /// its own, removed when its wait ends.
    closing: AbortController,
}

/// How a request behaves.
#[derive(Clone, Copy)]
pub struct Ctl<'a> {
    /// Abort the request when this signal aborts.
    pub signal: Option<&'a AbortSignal>,
    /// Do not apply `requestTimeoutMs` (for `tasks/result`, which may block for long).
    pub no_timeout: bool,
    /// This request's own timeout, in ms (wins over both of the above).
    pub timeout_ms: Option<f64>,
    /// Send it again after a refusal or a lost connection (see `should_retry`). Off for
    /// the task machine's requests: it owns their retries.
    pub retry: bool,
    /// More headers (2026-07-28: a tool's mirrored `Mcp-Param-*` parameters).
    pub headers: &'a [(String, String)],
    /// Take a request slot even without a timeout (2026-07-28 `callToolAsTask`: the
    /// call is expected to become a task at once, and thousands started together must
    /// wait their turn, not all go out).
    pub queued: bool,
}

impl Default for Ctl<'_> {
    fn default() -> Self {
        Ctl {
            signal: None,
            no_timeout: false,
            timeout_ms: None,
            retry: true,
            headers: &[],
            queued: false,
        }
    }
}

impl Session {
    /// A session not yet started (see [`Session::start`]).
    pub fn new(url: String, mut opts: ClientOptions) -> Result<Rc<Session>, Error> {
        let http = Http::new(opts.fetch.take()).map_err(Error::network)?;
        let auth = opts.auth.take().map(|a| Auth::new(&a, &url, http.fetch()));
        let gate = Gate::new(opts.max_concurrent_requests as usize);
        Ok(Rc::new(Session {
            gate,
            url,
            http,
            auth,
            opts,
            renewing: SingleFlight::default(),
            router: RefCell::new(None),
            st: RefCell::default(),
            closing: io::abort_controller(),
        }))
    }

    /// Where inbound messages go from now on.
    pub fn set_router(&self, router: Rc<dyn Router>) {
        *crate::cell::write(&self.router) = Some(router);
    }

    #[inline(always)]
    fn router(&self) -> Option<Rc<dyn Router>> {
        crate::cell::read(&self.router).clone()
    }

    /// The session state, shared.
    fn state(&self) -> crate::cell::Ref<'_, State> {
        crate::cell::read(&self.st)
    }

    /// The session state, exclusive.
    fn state_mut(&self) -> crate::cell::RefMut<'_, State> {
        crate::cell::write(&self.st)
    }

    /// The `initialize` result (server info, capabilities, instructions).
    pub fn init_result(&self) -> JsValue {
        self.state().init_result.clone()
    }

    /// The session id the server gave, if any.
    pub fn session_id(&self) -> Option<String> {
        self.state().session_id.clone()
    }

    /// The negotiated protocol version.
    pub fn protocol_version(&self) -> Option<String> {
        self.state().protocol_version.clone()
    }

    /// Request slots free right now (see `max_concurrent_requests`).
    pub fn free_request_slots(&self) -> usize {
        self.gate.free()
    }

    /// Whether the response to request `id` has arrived.
    fn answered(&self, id: u64) -> bool {
        self.state().pending.is_ready(id)
    }

    /// Hand `msg` to the request `id` waiting for it (the first response wins).
    fn fulfil(&self, id: u64, msg: JsValue) {
        self.state_mut().pending.fulfil(id, msg);
    }

    /// Whether `close()` was called.
    #[inline(never)]
    pub fn is_closed(&self) -> bool {
        self.closing.signal().aborted()
    }

    /// Whether the server speaks 2026-07-28.
    #[inline(never)]
    pub fn is_modern(&self) -> bool {
        self.state().modern
    }

    /// Start. By default, tell the era by a modern `server/discover` (the spec's Backward
    /// Compatibility rules, in [`v2026::verdict`]) and go on in it; pinned to the modern
    /// era, only a -32022 is tried once more (the server may list this version after
    /// all). A legacy server (or one pinned to 2025-11-25): `initialize`,
    /// `notifications/initialized`, then the GET stream; or, with
    /// [`ClientOptions::session_id`], reattach to that session. The handshake's own
    /// future (see `Session::initialize`): its value, `undefined`, is not read.
    pub fn start(self: &Rc<Self>) -> impl Future<Output = Result<JsValue, Error>> {
        self.clone().initialize(true)
    }

    /// A modern answer to `server/discover`: keep what the server said (as `initialize`
    /// would have).
    fn discovered(&self, result: JsValue) {
        // serverInfo in _meta (the spec), or at the top level (as some servers send it).
        let meta_info = get(&get(&result, "_meta"), v2026::META_SERVER_INFO);
        let info = if is_object(&meta_info) {
            meta_info
        } else {
            get(&result, "serverInfo")
        };
        let init = crate::obj!(
            ("protocolVersion", v2026::PROTOCOL_VERSION.into()),
            ("capabilities", get(&result, "capabilities")),
            ("serverInfo", info),
            ("instructions", get(&result, "instructions")),
            ("discover", result),
        );
        self.state_mut().init_result = init.into();
    }

    /// What a failed probe says about the era.
    fn probe_of(&self, e: &Error) -> v2026::Probe {
        let status = self.state().last_status;
        match e {
            Error::Rpc { code, data, .. } => v2026::Probe::Rpc {
                status,
                code: *code,
                supported: data.strings("supported"),
            },
            // A network error (CORS refusing the modern headers among them) or a timeout:
            // legacy; a server that does not answer at all then fails initialize too.
            Error::Transport { status: 0, .. } => v2026::Probe::Network,
            Error::Transport { status, .. } => v2026::Probe::Http(*status),
            _ => v2026::Probe::Http(200),
        }
    }

    /// A request's params with the modern envelope: `_meta` gains the protocol version,
    /// the client's capabilities and its info (other `_meta` keys are kept).
    fn envelope(&self, params: &JsValue) -> JsValue {
        let out = copy_object(params);
        let meta = copy_object(&get(&out, "_meta"));
        // The tasks extension on every request (capabilities are per request, and the
        // task lifecycle spans tools/call, tasks/get, tasks/update, tasks/cancel); the
        // elicitation form only with a handler to answer it.
        let elicitation = if self.opts.on_elicitation.is_some() {
            crate::obj!(("form", crate::obj!().into())).into()
        } else {
            JsValue::UNDEFINED
        };
        let caps = crate::obj!(
            (
                "extensions",
                crate::obj!((v2026::TASKS_EXTENSION, crate::obj!().into())).into(),
            ),
            ("elicitation", elicitation),
        );
        let ours = crate::obj!(
            (v2026::META_PROTOCOL_VERSION, v2026::PROTOCOL_VERSION.into()),
            (v2026::META_CLIENT_CAPABILITIES, caps.into()),
            (v2026::META_CLIENT_INFO, self.opts.client_info.clone()),
        );
        js_sys::Object::assign(&meta, &ours);
        js_sys::Object::assign(&out, &crate::obj!(("_meta", meta.into()))).into()
    }

    /// The headers of a modern request: the version, the method, the name it is about,
    /// and the caller's (mirrored tool parameters).
    fn modern_headers(&self, m: &str, params: &JsValue, extra: &[(String, String)]) -> HeaderList {
        let mut h = self.headers(None, false);
        h.set(v2026::header::METHOD, m);
        if let Some(name) = v2026::name_param(m).and_then(|k| get_str(params, k)) {
            h.set(v2026::header::NAME, &headers::encode_name_value(&name));
        }
        for (k, v) in extra {
            h.set(k, v);
        }
        h
    }

    /// The handshake: `initialize`, `notifications/initialized`, then the GET stream. Its
    /// outcome is kept (`needs_init`: the next request renews first) and, as a shared
    /// run's ([`Run`]), its value is `undefined`: a renewal is this future itself, boxed,
    /// not one around it. The first one (`first`, [`Session::start`]) may probe the era
    /// with `server/discover` first, or reattach: one future and one `request` await for
    /// the probe and `initialize`, not a start future around a handshake future.
    async fn initialize(self: Rc<Self>, first: bool) -> Result<JsValue, Error> {
        let pinned = self.opts.version == VersionChoice::Modern;
        let mut probing = first
            && (pinned
                || (self.opts.version == VersionChoice::Auto && self.opts.session_id.is_none()));
        if first && !probing {
            if let Some(sid) = self.opts.session_id.clone() {
                let gen = {
                    let mut st = self.state_mut();
                    st.session_id = Some(sid);
                    st.protocol_version = Some(PROTOCOL_VERSION.into());
                    st.listen_gen
                };
                self.start_listening(gen);
                return Ok(JsValue::UNDEFINED);
            }
        }
        let mut retried = false;
        loop {
            // The synchronous steps are plain functions: the future keeps only its awaits.
            // One `server/discover`, sent the modern way; not sent again after a refusal
            // or a lost connection: that is the probe. Or `initialize`.
            let (m, params, ctl) = if probing {
                let mut st = self.state_mut();
                st.modern = true;
                st.protocol_version = Some(v2026::PROTOCOL_VERSION.into());
                let probe = Ctl {
                    retry: false,
                    ..Ctl::default()
                };
                (v2026::method::DISCOVER, crate::obj!().into(), probe)
            } else {
                (method::INITIALIZE, self.init_params(), Ctl::default())
            };
            let out = self.request(m, params, ctl).await;
            if probing {
                let err = match out {
                    Ok(result) => {
                        self.discovered(result);
                        return Ok(JsValue::UNDEFINED);
                    }
                    Err(err) => err,
                };
                let verdict = match &err {
                    _ if !pinned => v2026::verdict(&self.probe_of(&err), retried),
                    Error::Rpc { code, .. } if !retried && *code == v2026::UNSUPPORTED_VERSION => {
                        v2026::Verdict::Retry
                    }
                    _ => v2026::Verdict::Fail,
                };
                match verdict {
                    v2026::Verdict::Modern => return Ok(JsValue::UNDEFINED),
                    v2026::Verdict::Retry => retried = true,
                    v2026::Verdict::Legacy => {
                        self.state_mut().modern = false;
                        probing = false;
                    }
                    v2026::Verdict::Fail => return Err(err),
                }
                continue;
            }
            let done = match out.and_then(|result| self.initialized(result)) {
                Ok(gen) => self.notify_initialized().await.map(|()| gen),
                Err(e) => Err(e),
            };
            {
                let mut st = self.state_mut();
                st.needs_init = done.is_err() && !self.is_closed();
            }
            self.start_listening(done?);
            return Ok(JsValue::UNDEFINED);
        }
    }

    /// POST `notifications/initialized`, now (the message is not kept while it is under
    /// way).
    #[inline(always)]
    fn notify_initialized(&self) -> Posting {
        let note = crate::obj!(
            ("jsonrpc", "2.0".into()),
            ("method", method::INITIALIZED.into()),
        );
        self.post_message(Some(&note.into()))
    }

    /// A new handshake begins (the session and its GET stream are let go): its params.
    fn init_params(&self) -> JsValue {
        {
            let mut st = self.state_mut();
            st.session_id = None;
            st.protocol_version = None;
            st.listen_gen += 1;
        }
        self.stop_listening();
        let caps = crate::obj!((
            "elicitation",
            if self.opts.on_elicitation.is_some() {
                crate::obj!().into()
            } else {
                JsValue::UNDEFINED
            },
        ));
        crate::obj!(
            ("protocolVersion", PROTOCOL_VERSION.into()),
            ("capabilities", caps.into()),
            ("clientInfo", self.opts.client_info.clone()),
        )
        .into()
    }

    /// Keep what `initialize` answered; the GET stream's generation to start.
    fn initialized(&self, result: JsValue) -> Result<u32, Error> {
        let version = get_str(&result, "protocolVersion")
            .ok_or_else(|| Error::protocol("initialize result has no protocolVersion"))?;
        if !is_object(&get(&result, "capabilities")) {
            return Err(Error::protocol(
                "initialize result has no capabilities object",
            ));
        }
        let mut st = self.state_mut();
        st.protocol_version = Some(version);
        st.init_result = result;
        Ok(st.listen_gen)
    }

    /// Stop the GET stream: abort its request, and wake it from its wait between two
    /// connections (it then sees that it is no longer wanted).
    fn stop_listening(&self) {
        let (abort, wake) = {
            let mut st = self.state_mut();
            (st.listen_abort.take(), st.listen_wake.take())
        };
        if let Some(a) = abort {
            a.abort();
        }
        if let Some(w) = wake {
            w.set(true);
        }
    }

    fn start_listening(self: &Rc<Self>, gen: u32) {
        if self.opts.listen {
            io::spawn(Box::pin(Listen(
                self.clone().follow(None, None, None, None, gen),
            )));
        }
    }

    /// Send a request and wait for its result. A 404 on a request that carried a session
    /// id starts a new session once and retries; a second 404 is an error.
    pub async fn request(
        self: &Rc<Self>,
        method: &str,
        params: JsValue,
        ctl: Ctl<'_>,
    ) -> Result<JsValue, Error> {
        io::pace::breathe().await;
        // The handshake is what the others wait for: no slot, no renewal check.
        let handshake = method == method::INITIALIZE;
        // A lost connection loses the request: it is sent again if safe to repeat
        // (anything but `tools/call`, unless the caller said `retryUnsafeRequests`: a tool
        // may have run; 2026-07-28 re-issues it, a MUST), and not when the caller bounds
        // it with a timeout of its own (it may have run). The task machine's requests
        // (`retry` off) own their retries.
        let lost = ctl.retry
            && ctl.timeout_ms.is_none()
            && (method != method::TOOLS_CALL
                || self.opts.retry_unsafe_requests
                || self.is_modern());
        let mut tries = Tries::new(
            ctl.retry,
            lost,
            self.opts.max_request_retries,
            self.auth.is_some(),
        );
        // A session renewal to wait for before the next try (see `renew`: one under way,
        // one to retry after a failure, or one for the session that was lost).
        let mut renewal: Option<Run<'_>> = None;
        // A sign-in to wait for (after a refusal), whose failure ends the request; else
        // the stored token to read or refresh (see `auth_ready`), whose failure does not.
        let mut sign_in: Option<js_sys::Promise> = None;
        // Every way out is a `break` of this loop, never a `return`: the future's locals
        // are dropped at one exit, not at each (G -86).
        loop {
            if let Some(renewal) = renewal.take() {
                if let Err(e) = renewal.await {
                    break Err(e);
                }
            }
            let signing_in = sign_in.is_some();
            if let Some(flow) = sign_in.take().or_else(|| self.auth_ready()) {
                match io::await_promise(&flow).await {
                    Err(e) if signing_in => break Err(oauth::failure(&e)),
                    _ => {}
                }
            }
            // A slot first. Then, holding it, nothing is awaited until the request has read
            // its session id: a renewal that started while it waited for the slot must not
            // see it go out without one.
            let permit = if handshake {
                None
            } else {
                let Some(permit) = self.slot(!ctl.no_timeout || ctl.queued, ctl.signal).await
                else {
                    break Err(self.why_aborted(&ctl));
                };
                permit
            };
            // While the session is being renewed, or after a renewal failed, no request
            // may go out without a session id: wait for (or retry) the renewal first,
            // without holding a slot.
            if !handshake && (self.renewing.running().is_some() || self.state().needs_init) {
                drop(permit);
                renewal = self.renew(None);
                continue;
            }
            // The session id this try goes with (and, if the server lost it, the one to
            // renew): read with the slot held, and nothing is awaited until it is sent.
            let session = self.session_id();
            let token = self.auth.as_ref().map_or(0, |a| a.generation());
            // One try: POST it, read its reply (a JSON body, or an SSE stream, resumed as
            // the server asks), and say what it amounts to. (A block, not a function of
            // its own: a nested future is a state machine and drop glue of its own.)
            let out: Result<JsValue, Error> = 'once: {
                let params = &params;
                let abort = Abort::new(self.timeout(&ctl));
                // The slot is held (`initialize` goes without one: it is what the others
                // wait for).
                let id = {
                    if self.is_closed() {
                        break 'once Err(self.why_aborted(&ctl));
                    }
                    self.state_mut().pending.register(abort.controller())
                };
                // The caller's abort aborts the try (until its end).
                let _link = ctl
                    .signal
                    .and_then(|s| AbortListener::boxed(s.clone(), io::aborter(abort.controller())));
                let signal = abort.signal();
                // The request goes out here; its params, headers and body are not kept
                // while it is under way.
                let sending = self.post(method, params, &ctl, session.as_deref(), id, &signal);
                // The exchange: POST the request and read until the response for `id`
                // arrived. (A block too: one state machine less, ~400 bytes of gzip.)
                let out: Result<(), Error> = 'exchange: {
                    // Unsent: its id is let go below, with every other try's.
                    let sending = match sending {
                        Ok(s) => s,
                        Err(e) => break 'exchange Err(e),
                    };
                    let mut resp = match sending.await {
                        Ok(r) => r,
                        Err(f) => break 'exchange Err(fetch_error(f)),
                    };
                    let status = resp.status();
                    self.state_mut().last_status = status;
                    if let Some(a) = self
                        .auth
                        .as_ref()
                        .filter(|_| status == 401 || status == 403)
                    {
                        a.challenged(resp.header("www-authenticate").as_deref());
                    }
                    if status == 404 && session.is_some() {
                        break 'exchange Err(Error::SessionGone);
                    }
                    let ok = (200..300).contains(&status);
                    if ok && handshake {
                        if let Some(sid) = resp.header("mcp-session-id") {
                            if sid.is_empty() || !sid.bytes().all(|b| matches!(b, 0x21..=0x7e)) {
                                break 'exchange Err(Error::protocol(
                                    "the Mcp-Session-Id header is not visible ASCII",
                                ));
                            }
                            self.state_mut().session_id = Some(sid);
                        }
                    }
                    // The type is not kept across the reads.
                    let (sse, json_body) = {
                        let ctype = resp.header("content-type").unwrap_or_default();
                        let sse = is_type(&ctype, "text/event-stream");
                        let json_body = is_type(&ctype, "application/json");
                        if ok && !sse && !json_body {
                            break 'exchange Err(Error::Protocol(if status == 202 {
                                crate::cat!(
                                    "the server answered ",
                                    method,
                                    " with 202 and no reply"
                                )
                            } else {
                                crate::cat!(
                                    "unexpected Content-Type \"",
                                    quote_body(&ctype, 80),
                                    "\" in the reply to ",
                                    method
                                )
                            }));
                        }
                        (ok && sse, json_body)
                    };
                    if sse {
                        break 'exchange self
                            .clone()
                            .follow(Some(resp), Some(id), session.as_deref(), Some(&signal), 0)
                            .await;
                    }
                    // One read of the body: the reply, or what the error quotes.
                    let limit = if ok {
                        self.opts.max_response_bytes
                    } else {
                        64 * 1024
                    };
                    let body = resp.text(limit, ok).await;
                    if ok {
                        break 'exchange match body {
                            Ok(v) if v.is_undefined() => Err(self.too_large(status)),
                            Ok(v) => match v.as_string() {
                                Some(text) => self.dispatch_text(&text),
                                None => Err(Error::protocol("the reply is not valid UTF-8")),
                            },
                            Err(e) => Err(fetch_error(io::failure(e))),
                        };
                    }
                    let err = self.http_error(&resp, status, body);
                    if (400..500).contains(&status) && json_body && (handshake || self.is_modern())
                    {
                        // A modern server answers errors (-32020, -32021, -32022, -32601) with
                        // a 4xx and a JSON-RPC body, `initialize` too (a modern-only server
                        // refuses it with -32022 and its `supported` versions): the reply to
                        // this request.
                        if let Error::Transport { body, .. } = &err {
                            self.refusal(id, body);
                            if self.answered(id) {
                                break 'exchange Ok(());
                            }
                        }
                    }
                    Err(err)
                };
                // A reply that arrived counts even if the stream broke afterwards.
                let reply = self.state_mut().pending.take(id);
                if let Some(msg) = reply {
                    break 'once self.reply(&msg);
                }
                match out {
                    Err(Error::Aborted(_)) => Err(self.why_aborted(&ctl)),
                    Err(e) => Err(e),
                    Ok(()) => Err(Error::network(crate::cat!(
                        "the connection closed before the reply to ",
                        method,
                        " arrived"
                    ))),
                }
            };
            drop(permit);
            match tries.after(out, io::now_ms() as u64) {
                Next::Wait(delay) => {
                    let closing = self.closing.signal();
                    io::sleep_or_wake(f64::from(delay), Latch::new(), [ctl.signal, Some(&closing)])
                        .await;
                    if ctl.signal.is_some_and(|s| s.aborted()) || self.is_closed() {
                        break Err(self.why_aborted(&ctl));
                    }
                }
                Next::Renew => renewal = self.renew(session),
                // After a 401 (or a 403 `insufficient_scope`): a sign-in (a refresh first,
                // a step-up with the union of scopes), then the request sent again.
                Next::SignIn(err, first) => {
                    let (Some(a), Error::Transport { status, .. }) = (&self.auth, &err) else {
                        break Err(err);
                    };
                    let Some(flow) = a.denied(*status, token, first) else {
                        break Err(err);
                    };
                    sign_in = Some(flow);
                }
                Next::Done(out) => break out,
            }
        }
    }

    /// POST request `id` (its envelope: the modern one, or the session's headers), now;
    /// or the error that it cannot be written as JSON ([`Session::send_json`]'s). A plain
    /// function: the request's state machine keeps none of what it builds.
    fn post(
        &self,
        method: &str,
        params: &JsValue,
        ctl: &Ctl<'_>,
        session: Option<&str>,
        id: u64,
        signal: &AbortSignal,
    ) -> Result<io::Sending, Error> {
        let (params, headers) = if self.is_modern() {
            let params = self.envelope(params);
            let headers = self.modern_headers(method, &params, ctl.headers);
            (params, headers)
        } else {
            (params.clone(), self.headers(session, false))
        };
        let envelope = crate::obj!(
            ("jsonrpc", "2.0".into()),
            ("id", (id as f64).into()),
            ("method", method.into()),
            ("params", params),
        );
        self.send_json(&envelope.into(), &headers, signal)
    }

    /// POST `msg` as JSON with `headers`, now (the body is not kept while it is under
    /// way), or the error that it cannot be written as JSON. A request's and a message's.
    fn send_json(
        &self,
        msg: &JsValue,
        headers: &HeaderList,
        signal: &AbortSignal,
    ) -> Result<io::Sending, Error> {
        match json::stringify(msg) {
            Some(body) => Ok(self
                .http
                .send("POST", &self.url, headers, Some(&body), signal)),
            None => Err(Error::protocol("a message cannot be written as JSON")),
        }
    }

    /// Start a new session once for everyone: concurrent callers share one renewal, and
    /// one whose session was already replaced (`None`) just retries.
    ///
    /// (initialize goes through request(), which may come here: the box ends the
    /// recursion of their types.)
    #[inline(always)]
    fn renew(self: &Rc<Self>, lost: Option<String>) -> Option<Run<'_>> {
        if self.renewing.running().is_none() && lost.is_some() && self.session_id() != lost {
            return None;
        }
        let work: Run<'static> = Box::pin(self.clone().initialize(false));
        Some(Box::pin(self.renewing.run(given(work))))
    }

    /// Remove the values of the caller's headers (tokens, keys) from text quoted from a
    /// server, which may echo the request back.
    ///
    /// Done by the host's `String.prototype.replaceAll`, which gives what `str::replace`
    /// would (plain substrings; `"[redacted]"` holds no `$` pattern) without linking core's
    /// substring searcher and its slicing panic messages (about 5 KB of wasm).
    fn redact(&self, text: String) -> String {
        let mut out: Option<js_sys::JsString> = None;
        let tokens = self.auth.as_ref().map(|a| a.secrets());
        for value in self.opts.headers.iter().map(|(_, v)| v).chain(&tokens) {
            // The value whole, then each of its parts between ASCII whitespace.
            let mut parts = value.split_ascii_whitespace();
            let mut secret = Some(value.as_str());
            while let Some(s) = secret {
                if s.len() >= 6 {
                    let t = out.get_or_insert_with(|| text.as_str().into());
                    *t = t.replace_all(s, "[redacted]");
                }
                secret = parts.next();
            }
        }
        // `as_string`, the crate's one way to read a JS string (`String::from` is another).
        out.map_or(text, |t| t.as_string().unwrap_or_default())
    }

    /// [`Session::redact`] for a JSON value from a server (a JSON-RPC error's `data`): the
    /// value itself when it holds no header value, else a redacted copy.
    fn redact_value(&self, v: JsValue) -> JsValue {
        if (self.opts.headers.is_empty() && self.auth.is_none()) || v.is_undefined() {
            return v;
        }
        // A value that cannot be written out (nested too deep, a cycle) cannot be checked
        // either: it is dropped, never passed on unchecked.
        let Some(text) = json::stringify(&v) else {
            return "[removed: not checkable for secrets]".into();
        };
        let clean = self.redact(text.clone());
        if clean == text {
            return v;
        }
        json::parse(&clean).unwrap_or_else(|| clean.into())
    }

    /// Wait for a request slot, if the request `take`s one (requests without a timeout
    /// take none, see [`Ctl::queued`]): a permit, or the ticket that was handed one (the
    /// registry's held-result lane's type; either gives the slot back when dropped).
    /// `None`: its `signal` aborted, or the client closed, while it waited.
    async fn slot(
        &self,
        take: bool,
        signal: Option<&AbortSignal>,
    ) -> Option<Option<Result<Permit, Ticket>>> {
        if !take {
            return Some(None);
        }
        let entered = self.gate.enter();
        if let Err(ticket) = &entered {
            // An abort gives up the place.
            let _stop = io::stop_on(signal, ticket.latch(), false);
            if !ticket.latch().wait().await {
                return None;
            }
        }
        Some(Some(entered))
    }

    /// A request's timeout, in ms: its own, else none for one without
    /// (`Ctl::no_timeout`), else `requestTimeoutMs`.
    #[inline(always)]
    fn timeout(&self, ctl: &Ctl<'_>) -> Option<f64> {
        match ctl.timeout_ms {
            Some(ms) => Some(ms),
            None if ctl.no_timeout => None,
            None => self.opts.request_timeout_ms,
        }
    }

    /// What an aborted request amounts to: the caller's abort, `close()`, or its timeout.
    fn why_aborted(&self, ctl: &Ctl<'_>) -> Error {
        if ctl.signal.is_some_and(|s| s.aborted()) {
            Error::aborted("The operation was aborted.")
        } else if self.is_closed() {
            Error::aborted("the client is closed")
        } else {
            Error::network(crate::cat!(
                "the request timed out after ",
                self.timeout(ctl).unwrap_or_default() as u64,
                " ms"
            ))
        }
    }

    /// A JSON-RPC response as a result or an error (its message and data redacted).
    fn reply(&self, msg: &JsValue) -> Result<JsValue, Error> {
        let err = get(msg, "error");
        if is_object(&err) {
            let Some(code) = get_f64(&err, "code") else {
                return Err(Error::protocol("an error response has no numeric code"));
            };
            return Err(Error::Rpc {
                code,
                message: self.redact(get_str(&err, "message").unwrap_or_default()),
                data: self.redact_value(get(&err, "data")),
            });
        }
        let result = get(msg, "result");
        if is_object(&result) {
            Ok(result)
        } else {
            Err(Error::protocol("a response has no result object or error"))
        }
    }

    fn too_large(&self, status: u16) -> Error {
        Error::transport(
            status,
            crate::cat!(
                "the reply is larger than the limit of ",
                self.opts.max_response_bytes as u64,
                " bytes"
            ),
        )
    }

    /// The error a response with `status` amounts to, quoting its `body` (redacted).
    fn http_error(
        &self,
        resp: &HttpResponse,
        status: u16,
        body: Result<JsValue, JsValue>,
    ) -> Error {
        // The body's text ([`HttpResponse::text`]); not one that was too large or broke.
        let body = match body.ok().and_then(|b| b.as_string()) {
            Some(b) => quote_body(&self.redact(b), BODY_QUOTE_LIMIT),
            None => String::new(),
        };
        status_error(resp, status, body)
    }

    /// One chunk of an SSE stream, as the host parsed it ([`HttpResponse::events`]): the
    /// data of each message event it completed, dispatched (`null`: the stream went past
    /// the cap); with `until`, whether the response to that request id has arrived (a bad
    /// event then fails the request, and the rest of the chunk is not read).
    fn events(self: &Rc<Self>, datas: JsValue, until: Option<u64>) -> Result<bool, Error> {
        if datas.is_null() {
            return Err(self.too_large(200));
        }
        for d in datas.unchecked_ref::<js_sys::Array>().iter() {
            if let Err(e) = self.dispatch_text(&d.as_string().unwrap_or_default()) {
                if until.is_some() {
                    return Err(e);
                }
                io::warn(&crate::cat!(
                    "mcp-tasks-wasm: ignored a bad event: ",
                    e.describe()
                ));
            }
        }
        Ok(until.is_some_and(|id| self.answered(id)))
    }

    /// The JSON-RPC message in the body of a request's 4xx (`id`): its reply, or others.
    fn refusal(self: &Rc<Self>, id: u64, body: &str) {
        if let Some(msg) = json::parse(body) {
            // An error about the request as a whole may carry a null id.
            let id_v = get(&msg, "id");
            if is_object(&get(&msg, "error")) && (id_v.is_null() || id_v.is_undefined()) {
                self.fulfil(id, msg);
            } else {
                self.dispatch(msg);
            }
        }
    }

    fn dispatch_text(self: &Rc<Self>, text: &str) -> Result<(), Error> {
        // Not the host's parse message: it quotes the body, cut where a secret could be
        // half shown. The body is redacted whole, then cut.
        let msg = json::parse(text).ok_or_else(|| {
            Error::Protocol(crate::cat!(
                "the server sent invalid JSON: ",
                quote_body(&self.redact(text.to_string()), 120)
            ))
        })?;
        if js_sys::Array::is_array(&msg) {
            // The array itself (it is one, just parsed, seen by nobody else), not an
            // `Array.from` copy: no import of its own.
            for m in msg.unchecked_ref::<js_sys::Array>().iter() {
                self.dispatch(m);
            }
        } else {
            self.dispatch(msg);
        }
        Ok(())
    }

    /// Route one incoming message: a response to its waiting request, a server request
    /// to its answerer, a notification to the task machinery and the user.
    fn dispatch(self: &Rc<Self>, msg: JsValue) {
        if !is_object(&msg) {
            io::warn("mcp-tasks-wasm: ignored a non-object message");
            return;
        }
        let id = get(&msg, "id");
        match get_str(&msg, "method") {
            Some(method) if !id.is_undefined() && !id.is_null() => {
                io::spawn(Box::pin(self.clone().answer(
                    method,
                    id,
                    get(&msg, "params"),
                )));
            }
            Some(method) => {
                // 2026-07-28: a server tears down a `subscriptions/listen` stream with
                // `notifications/cancelled` naming it (and for nothing else): the request
                // ends as if answered, and its stream is let go. (In 2025-11-25 a server
                // cancels its own requests with it: those ids are not ours.)
                if method == "notifications/cancelled" && self.is_modern() {
                    let id = get(&get(&msg, "params"), "requestId");
                    if let Some(id) = our_id(&id) {
                        let ended = crate::obj!(("result", crate::obj!().into()));
                        self.fulfil(id, ended.into());
                    }
                }
                self.notified(&method, &msg)
            }
            None => {
                if let Some(id) = our_id(&id) {
                    self.fulfil(id, msg);
                }
            }
        }
    }

    fn notified(self: &Rc<Self>, method: &str, msg: &JsValue) {
        if let Some(r) = self.router() {
            r.notification(method, msg);
        }
    }

    /// Tell the router that the GET stream opened (`true`) or ended.
    fn stream_up(&self, up: bool) {
        if let Some(r) = self.router() {
            r.stream(up);
        }
    }

    /// Answer a server-to-client request; the server is never left waiting.
    async fn answer(self: Rc<Self>, method: String, id: JsValue, params: JsValue) {
        let ping = method == method::PING;
        // The params are not kept across the awaits (the router takes them, if any).
        let answering = match self.router() {
            Some(r) if !ping => r.request(&method, params),
            _ => {
                drop(params);
                None
            }
        };
        let reply: Result<JsValue, (f64, String)> = match answering {
            Some(answer) => answer.await,
            None if ping => Ok(crate::obj!().into()),
            None => Err((-32601.0, crate::cat!("method not found: ", &method))),
        };
        let answer = response(id, reply);
        // Answers take request slots like every request: a flood of server requests
        // (20,000 pings) is answered a few at a time, never all at once (none is sent
        // once the client is closed).
        let Some(_permit) = self.slot(true, None).await else {
            return;
        };
        if let Err(e) = self.post_message(Some(&answer)).await {
            io::warn(&crate::cat!(
                "mcp-tasks-wasm: could not answer ",
                method,
                ": ",
                e.describe()
            ));
        }
    }

    /// POST a notification or a response (the server answers 202): the request goes out
    /// now, and its outcome is the returned future's. Not an `async fn`: what it does
    /// before it awaits is plain code (see [`Posting`]).
    ///
    /// Without `msg`, DELETE the session ([`Session::close`]), within `requestTimeoutMs`
    /// or else 10 s.
    fn post_message(&self, msg: Option<&JsValue>) -> Posting {
        let timeout = self.opts.request_timeout_ms;
        let abort = Abort::new(match msg {
            Some(_) => timeout,
            None => Some(timeout.unwrap_or(10_000.0)),
        });
        let signal = abort.signal();
        // The body and the headers are not kept while the message is under way.
        let headers = self.headers(self.state().session_id.as_deref(), false);
        let sending = match msg {
            Some(m) => self.send_json(m, &headers, &signal),
            None => Ok(self.http.send("DELETE", &self.url, &headers, None, &signal)),
        };
        Posting {
            sending,
            _abort: abort,
        }
    }

    fn headers(&self, session: Option<&str>, get_stream: bool) -> HeaderList {
        let mut h = HeaderList::default();
        for (k, v) in &self.opts.headers {
            h.set(k, v);
        }
        // The token goes to the protected resource only: this session's URL.
        if let Some(v) = self.auth.as_ref().and_then(|a| a.header()) {
            h.set("Authorization", &v);
        }
        let accept = if get_stream {
            "text/event-stream"
        } else {
            h.set("Content-Type", "application/json");
            "application/json, text/event-stream"
        };
        h.set("Accept", accept);
        if let Some(s) = session {
            h.set("Mcp-Session-Id", s);
        }
        // Read in place (setting a header calls no code of ours).
        if let Some(v) = &self.state().protocol_version {
            h.set("MCP-Protocol-Version", v);
        }
        h
    }

    /// Read an SSE stream, dispatching every message, and open it again (a GET with
    /// `Last-Event-ID`; the host's parse keeps it and the server's `retry`) as it ends. One
    /// routine for both kinds of stream:
    ///
    /// - A request's (`until`: its id; `resp`: the POST's response; its `session` and
    ///   `signal`): it stops as soon as the response to `until` has arrived (a bad event
    ///   then fails the request). SSE polling (2025-11-25): a server may end a request's
    ///   stream after an event id and before the reply; it is resumed after the stream's
    ///   `retry` (a floor, a MUST; without one, a second), where the reply arrives, at
    ///   most MAX_STREAM_RESUMES times. A stream that ended without an event id has
    ///   nothing to resume (the caller reports the missing reply).
    /// - The session's GET stream (`until` None, generation `gen`): a 405 turns it off; a
    ///   drop reconnects, never before the server's `retry`, and later with each drop in
    ///   a row (the one backoff, with jitter): a stream that stays up for a second counts
    ///   as healthy again. A drop or a bad stream just means: reconnect.
    async fn follow(
        self: Rc<Self>,
        mut resp: Option<HttpResponse>,
        until: Option<u64>,
        session: Option<&str>,
        signal: Option<&AbortSignal>,
        gen: u32,
    ) -> Result<(), Error> {
        // The SSE state the stream shares with its reconnections (the host's parse keeps
        // the last event id and the server's `retry` in it; see [`HttpResponse::events`]).
        let sse = JsValue::from(js_sys::Object::new());
        let mut backoff = rpc::backoff(u32::MAX, io::now_ms() as u64);
        let mut resumes = 0;
        // Every way out is a `break` of this loop, never a `return` (see `request`).
        'follow: loop {
            if resp.is_none() {
                // The GET stream reconnects with a token that is not about to expire.
                if until.is_none() {
                    if let Some(ready) = self.auth_ready() {
                        let _ = io::await_promise(&ready).await;
                    }
                }
                // The GET, sent now (with `Last-Event-ID` to resume): only the request is
                // kept, not its headers (the GET stream's controller is in the state:
                // `stop_listening` aborts it).
                let sending = {
                    let (own, sig) = match signal {
                        Some(s) => (None, s.clone()),
                        None => {
                            let mut st = self.state_mut();
                            if self.is_closed() || st.listen_gen != gen {
                                break 'follow Ok(());
                            }
                            let c = io::abort_controller();
                            let s = c.signal();
                            st.listen_abort = Some(c);
                            (st.session_id.clone(), s)
                        }
                    };
                    let mut headers = self.headers(own.as_deref().or(session), true);
                    if let Some(id) = last_event_id(&sse) {
                        headers.set("Last-Event-ID", &id);
                    }
                    self.http.send("GET", &self.url, &headers, None, &sig)
                };
                // The response when it is an SSE stream, else the error it amounts to.
                let opened: Result<HttpResponse, Error> = 'open: {
                    let mut r = match sending.await {
                        Ok(r) => r,
                        Err(f) => break 'open Err(fetch_error(f)),
                    };
                    let status = r.status();
                    // The type is not kept across the read.
                    if status == 200
                        && is_type(
                            &r.header("content-type").unwrap_or_default(),
                            "text/event-stream",
                        )
                    {
                        break 'open Ok(r);
                    }
                    let body = r.text(64 * 1024, false).await;
                    Err(self.http_error(&r, status, body))
                };
                match opened {
                    Ok(r) => resp = Some(r),
                    Err(e) if until.is_some() => break Err(e),
                    // No GET stream here (or the session is gone: a renewal restarts it).
                    Err(Error::Transport {
                        status: 401 | 403 | 404 | 405,
                        ..
                    })
                    | Err(Error::Aborted(_)) => break Ok(()),
                    Err(_) => {}
                }
            }
            // Read in place: the response is not moved out of `resp` (one response in
            // the future's state, not two).
            if let Some(r) = &mut resp {
                let opened = io::now_ms();
                if until.is_none() {
                    self.stream_up(true);
                }
                // A new connection starts a fresh parse (the host's is per response): a
                // line or an event that the previous one (of which this is the
                // resumption) left half received is dropped; only the last event id and
                // `retry` carry over.
                let read = loop {
                    let step = match r.events(&sse, self.opts.max_response_bytes).await {
                        // Events, or `undefined` at the end.
                        Ok(c) if c.is_undefined() => Ok(true),
                        Ok(c) => self.events(c, until),
                        Err(e) => Err(fetch_error(io::failure(e))),
                    };
                    if !matches!(step, Ok(false)) {
                        break step;
                    }
                };
                // Let go of the stream (cancelled, if it is still open).
                resp = None;
                if until.is_none() {
                    self.stream_up(false);
                }
                match until {
                    Some(id) => {
                        if let Err(e) = read {
                            break Err(e);
                        }
                        if last_event_id(&sse).is_none()
                            || self.answered(id)
                            || resumes == MAX_STREAM_RESUMES
                        {
                            break Ok(());
                        }
                        resumes += 1;
                    }
                    None => {
                        if io::now_ms() - opened >= 1000.0 {
                            backoff.after_success(None);
                        }
                    }
                }
            }
            let wake = Latch::new();
            let delay = if until.is_some() {
                retry_ms(&sse).unwrap_or(1000)
            } else {
                let mut st = self.state_mut();
                if self.is_closed() || st.listen_gen != gen {
                    break Ok(());
                }
                st.listen_wake = Some(wake.clone());
                // The server's retry is a floor (a MUST); the backoff only ever adds to it.
                backoff
                    .after_failure(None)
                    .unwrap_or(u32::MAX)
                    .max(retry_ms(&sse).unwrap_or(0))
            };
            io::sleep_or_wake(f64::from(delay), wake, [signal, None]).await;
            if signal.is_some_and(|s| s.aborted()) {
                break Err(Error::aborted("aborted"));
            }
        }
    }

    /// Close: abort what is in flight, stop the GET stream, and end the session with
    /// DELETE, whose future this returns (not an `async fn`: what it does before it
    /// awaits is plain code, and a state machine around one send costs wasm).
    pub fn close(self: &Rc<Self>) -> Closing {
        let (session, aborts) = {
            if self.is_closed() {
                return Closing(None);
            }
            self.closing.abort();
            let st = self.state();
            // Pushed one by one: a `collect` compiles a collecting loop of its own.
            let mut aborts = Vec::new();
            for h in st.pending.handles() {
                aborts.push(h.clone());
            }
            (st.session_id.is_some(), aborts)
        };
        // By reference, both: a consuming loop has an `IntoIter` of its own.
        for a in &aborts {
            a.abort();
        }
        self.gate.close();
        self.stop_listening();
        Closing(session.then(|| self.post_message(None)))
    }

    /// Forget the tokens (with the `auth` option; else nothing to do).
    pub fn sign_out(&self) {
        if let Some(a) = &self.auth {
            a.sign_out();
        }
    }

    /// Before a request (and before it takes a slot and reads the session id): the
    /// stored token to read, or to refresh when due (see [`Auth::ready`]).
    fn auth_ready(&self) -> Option<js_sys::Promise> {
        self.auth.as_ref().and_then(Auth::ready)
    }
}

/// [`Session::close`]'s DELETE under way, with its timeout, if the session had an id: a
/// `Posting` whose outcome is let go.
pub struct Closing(Option<Posting>);

impl Future for Closing {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        match &mut self.0 {
            Some(posting) => Pin::new(posting).poll(cx).map(drop),
            None => std::task::Poll::Ready(()),
        }
    }
}

/// A message's POST ([`Session::post_message`]) or the session's DELETE under way, with
/// its timeout (or the error that kept it from going out): a plain future, not an `async
/// fn`'s state machine and drop glue. The response's body is not read: it is cancelled
/// as the response is dropped.
struct Posting {
    sending: Result<io::Sending, Error>,
    _abort: Abort,
}

impl Future for Posting {
    type Output = Result<(), Error>;
    fn poll(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.get_mut();
        let resp = match &mut this.sending {
            // A future is not polled after it is ready: the error is taken out once.
            Err(e) => return std::task::Poll::Ready(Err(std::mem::replace(e, Error::SessionGone))),
            Ok(sending) => match Pin::new(sending).poll(cx) {
                std::task::Poll::Pending => return std::task::Poll::Pending,
                std::task::Poll::Ready(r) => r,
            },
        };
        std::task::Poll::Ready(match resp {
            Ok(resp) => {
                let status = resp.status();
                if (200..300).contains(&status) {
                    Ok(())
                } else {
                    // The body is not read: the error quotes none.
                    Err(status_error(&resp, status, String::new()))
                }
            }
            Err(f) => Err(fetch_error(f)),
        })
    }
}

/// The GET stream's task: messages not tied to a request (task status notifications),
/// read by [`Session::follow`], whose outcome is let go. A plain future around it: an
/// `async` wrapper would be a state machine and drop glue of its own.
struct Listen<F>(F);

impl<F: Future<Output = Result<(), Error>>> Future for Listen<F> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        // SAFETY: the field is pinned with the wrapper (never moved out of it).
        unsafe { self.map_unchecked_mut(|l| &mut l.0) }
            .poll(cx)
            .map(drop)
    }
}

/// The work of a shared run ([`SingleFlight::run`]), made already: every run of the
/// crate then has one closure type, and `run` one copy in the wasm (a closure per
/// caller would be one copy each). An unused one is dropped unpolled.
pub fn given<'a>(work: Run<'a>) -> impl FnOnce() -> Run<'a> {
    move || work
}

/// A shallow copy of `v` when it is a plain object, else a new empty object.
#[inline(always)]
fn copy_object(v: &JsValue) -> js_sys::Object {
    let o = js_sys::Object::new();
    if is_object(v) {
        js_sys::Object::assign(&o, v.unchecked_ref());
    }
    o
}

/// The JSON-RPC response to the server's request `id`: its result, or its error.
fn response(id: JsValue, reply: Result<JsValue, (f64, String)>) -> JsValue {
    let outcome = match reply {
        Ok(r) => ("result", r),
        Err((code, message)) => (
            "error",
            crate::obj!(("code", code.into()), ("message", message.into())).into(),
        ),
    };
    crate::obj!(("jsonrpc", "2.0".into()), ("id", id), outcome).into()
}

/// Whether a `Content-Type` value is of media type `t` (lower case), in any case as media
/// types are (compared in place: no lower-cased copy).
fn is_type(ctype: &str, t: &str) -> bool {
    ctype
        .as_bytes()
        .get(..t.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(t.as_bytes()))
}

/// A JSON-RPC id as one of ours (see [`parse_id`]).
fn our_id(id: &JsValue) -> Option<u64> {
    parse_id(id.as_f64(), id.as_string().as_deref())
}

/// The error a response with `status` amounts to, quoting `body` (already redacted and
/// cut).
#[inline(never)]
fn status_error(resp: &HttpResponse, status: u16, body: String) -> Error {
    let retry_after_ms = resp
        .header("retry-after")
        .and_then(|v| crate::policy::parse_retry_after(&v, io::now_ms()));
    Error::Transport {
        status,
        message: crate::cat!("HTTP ", u32::from(status), " from the server"),
        body,
        tries: 1,
        retry_after_ms,
    }
}

fn fetch_error(f: FetchFailure) -> Error {
    match f {
        FetchFailure::Aborted => Error::aborted("aborted"),
        FetchFailure::Network(e) => Error::network(crate::cat!(
            "network error: ",
            quote_body(&json::error_message(&e), 200)
        )),
        // A browser hides the redirect's status: 300 stands for "some 3xx" (never a
        // network error, which would be retried).
        FetchFailure::Redirect(status) => {
            let n = u32::from(status);
            let code: &dyn crate::text::Piece = if status == 0 { &"3xx" } else { &n };
            Error::transport(
                status.max(300),
                crate::text::join(&[
                    &"a redirect (HTTP ",
                    code,
                    &") is not followed; use the final URL",
                ]),
            )
        }
    }
}

/// The stream's last event id, as the host's SSE parse keeps it in the stream's state
/// `sse` (`l`; see [`HttpResponse::events`]); `None` when unset or empty.
fn last_event_id(sse: &JsValue) -> Option<String> {
    get_str(sse, "l").filter(|s| !s.is_empty())
}

/// The server's latest valid `retry` in ms, in the stream's SSE state `sse` (`r`).
fn retry_ms(sse: &JsValue) -> Option<u32> {
    get_f64(sse, "r").map(|r| r as u32)
}
