//! The only place with `#[wasm_bindgen]` exports: it reads JS options, converts values,
//! and maps [`Error`] to JS `Error` subclasses. It holds no logic of its own.

mod types;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::client::registry::{Handle, HandleOptions};
use crate::client::{Client, Pending};
use crate::error::Error;
use crate::io;
use crate::io::json::{self, get, get_f64, get_str, is_object, Json};
use crate::policy::PollConfig;
use crate::transport::{ClientOptions, VersionChoice};

#[wasm_bindgen(module = "/src/js/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(class: u32, message: &str, props: JsValue) -> JsValue;
    fn pending() -> Promise;
    fn settle(p: &Promise, ok: bool, value: JsValue);
    /// `v.signal` when it is an `AbortSignal`.
    #[wasm_bindgen(js_name = signalOf)]
    fn signal_of(v: &JsValue) -> Option<AbortSignal>;
    /// A new `McpClient` (`kind` 0) or `TaskHandle` (1) JS object for the Rust value at
    /// `ptr` (an `Rc::into_raw`), which it owns from then on ([`op`]'s free); or (2) the
    /// handle's `result()` Promise, the handle's value freed (no JS object made).
    fn wrap(kind: u32, ptr: u32) -> JsValue;
}

/// The JS error classes, by their place in glue.js's `classes` list (the class crosses
/// as a number, not as its name; the glue gives each its `code`, but for a JSON-RPC
/// error's own).
#[derive(Clone, Copy)]
#[allow(clippy::enum_variant_names)] // named as the classes
enum Class {
    McpError,
    TaskNotFoundError,
    TransportError,
    ProtocolError,
    TaskFailedError,
    TaskCancelledError,
    TaskExpiredError,
    AuthError,
    /// An abort: a `DOMException` named `AbortError`, as `fetch` rejects with.
    AbortError,
}

/// Turn an internal error into what JS callers catch: its class, its message (the log
/// line, but for a JSON-RPC error's own) and its properties, put on one object as the
/// variant gives them.
fn to_js(e: &Error) -> JsValue {
    let o = js_sys::Object::new();
    let put = |k: &str, v: JsValue| json::put(&o, k, v);
    // A task the server does not know: the JSON-RPC error it sent (`wire::not_found`
    // wraps no other), its message and props, with the task's id (put last).
    let (e, not_found) = match e {
        Error::TaskNotFound { task_id, error } => (&**error, Some(task_id)),
        e => (e, None),
    };
    // Only a transport's or a protocol error's `retryable` is put (below).
    let retryable = e.is_transient();
    // A JSON-RPC error's own message, else the log line.
    let mut message = match e {
        Error::Rpc { message, .. } => message.clone(),
        _ => e.describe(),
    };
    let kind = match e {
        Error::Rpc { code, data, .. } => {
            put("code", (*code).into());
            put("data", data.clone());
            Class::McpError
        }
        Error::Transport {
            status,
            body,
            tries,
            ..
        } => {
            put("status", (*status).into());
            put("body", body.as_str().into());
            put("tries", (*tries).into());
            put("retryable", retryable.into());
            Class::TransportError
        }
        Error::Protocol(detail) => {
            put("detail", detail.as_str().into());
            put("retryable", retryable.into());
            Class::ProtocolError
        }
        Error::TaskFailed { task, .. } | Error::TaskCancelled { task } => {
            put("taskId", get(task, "taskId"));
            put("task", task.clone());
            // Failed: its stored result or its JSON-RPC error too.
            if let Error::TaskFailed { result, error, .. } = e {
                put("result", result.clone());
                if let Some(e) = error {
                    message.push_str(": ");
                    message.push_str(&e.describe());
                }
                put("error", error.as_deref().map(to_js).unwrap_or_default());
                Class::TaskFailedError
            } else {
                Class::TaskCancelledError
            }
        }
        Error::TaskExpired { task_id, task } => {
            put("taskId", task_id.as_str().into());
            put("task", task.clone());
            Class::TaskExpiredError
        }
        Error::Auth { reason, .. } => {
            put("reason", reason.as_str().into());
            Class::AuthError
        }
        Error::Aborted(_) => Class::AbortError,
        // Not inside another (taken apart above).
        Error::TaskNotFound { .. } => Class::TaskNotFoundError,
        Error::SessionGone => {
            put("status", 404.into());
            Class::TransportError
        }
    };
    let kind = match not_found {
        Some(id) => {
            put("taskId", id.into());
            Class::TaskNotFoundError
        }
        None => kind,
    };
    make_error(kind as u32, &message, o.into())
}

/// A Promise of a future. Only the boxing is generic: one instantiation of the executor
/// glue serves every export (each generic copy of it costs wasm bytes).
fn promise<F: Future<Output = Result<JsValue, Error>> + 'static>(f: F) -> Promise {
    boxed_promise(Box::pin(f))
}

/// `future_to_promise`, written out over [`io::spawn`], whose one instantiation serves
/// every export: glue.js makes the Promise (`pending()`, which keeps its `resolve` and
/// `reject` in a WeakMap) and the spawned [`Settle`] settles it (`settle(promise, ok,
/// value)`), so no Rust closure is lent to a Promise executor (that shim was about 120
/// bytes of gzip). Both in glue.js, not in a snippet of their own: with a seventh module
/// file a test runner's page could stall loading them (see the commit that removed the
/// `deferred()` snippet).
fn boxed_promise(f: Pending) -> Promise {
    let p = pending();
    io::spawn(Box::pin(Settle { f, p: p.clone() }));
    p
}

/// The task of [`boxed_promise`]: a plain future (no async block's state machine) that
/// settles `p` with `f`'s outcome.
struct Settle {
    f: Pending,
    p: Promise,
}

impl Future for Settle {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Poll::Ready(out) = self.f.as_mut().poll(cx) else {
            return Poll::Pending;
        };
        let (ok, v) = match out {
            Ok(v) => (true, v),
            Err(e) => (false, to_js(&e)),
        };
        settle(&self.p, ok, v);
        Poll::Ready(())
    }
}

fn opt_f64(v: &JsValue, key: &str) -> Option<f64> {
    get_f64(v, key).filter(|n| n.is_finite() && *n >= 0.0)
}

/// A count or a time in ms, or `default` when absent or not a non-negative number.
fn opt_u32(v: &JsValue, key: &str, default: u32) -> u32 {
    opt_f64(v, key).map_or(default, |n| n as u32)
}

/// A flag, or `default` when absent or not a boolean.
fn opt_bool(v: &JsValue, key: &str, default: bool) -> bool {
    get(v, key).as_bool().unwrap_or(default)
}

fn opt_fn(v: &JsValue, key: &str) -> Option<Function> {
    get(v, key).dyn_into::<Function>().ok()
}

fn read_headers(v: &JsValue) -> Vec<(String, String)> {
    let h = get(v, "headers");
    let mut out = Vec::new();
    // By reference: consuming the list would link IntoIter<String> for this one use.
    for name in &h.keys() {
        if let Some(value) = get_str(&h, name) {
            out.push((name.clone(), value));
        }
    }
    out
}

fn read_client_options(v: &JsValue) -> ClientOptions {
    let info = get(v, "clientInfo");
    let client_info = if is_object(&info) {
        info
    } else {
        crate::obj!(
            ("name", "mcp-tasks-wasm".into()),
            ("version", env!("CARGO_PKG_VERSION").into()),
        )
        .into()
    };
    ClientOptions {
        headers: read_headers(v),
        client_info,
        request_timeout_ms: Some(opt_f64(v, "requestTimeoutMs").unwrap_or(60_000.0))
            .filter(|t| *t > 0.0),
        fetch: opt_fn(v, "fetch"),
        listen: opt_bool(v, "listen", true),
        on_elicitation: opt_fn(v, "onElicitation"),
        retry_unsafe_requests: opt_bool(v, "retryUnsafeRequests", false),
        max_request_retries: opt_u32(v, "maxRequestRetries", 3),
        elicitation_defaults: opt_bool(v, "applyElicitationDefaults", true),
        on_notification: opt_fn(v, "onNotification"),
        max_response_bytes: opt_f64(v, "maxResponseBytes")
            .map(|n| n as usize)
            .unwrap_or(crate::transport::DEFAULT_MAX_RESPONSE_BYTES),
        max_held_results: opt_u32(v, "maxHeldResults", 2),
        max_concurrent_requests: opt_u32(v, "maxConcurrentRequests", 16),
        session_id: get_str(v, "sessionId").filter(|s| !s.is_empty()),
        version: match get_str(v, "protocolVersion").as_deref() {
            Some("2025-11-25") => VersionChoice::Legacy,
            Some("2026-07-28") => VersionChoice::Modern,
            _ => VersionChoice::Auto,
        },
        max_input_rounds: opt_u32(v, "maxInputRounds", 8),
        // Authorization with an `authorize` function (read in src/io/host.js).
        auth: Some(get(v, "auth")).filter(|a| opt_fn(a, "authorize").is_some()),
    }
}

fn read_handle_options(v: &JsValue) -> HandleOptions {
    let d = PollConfig::default();
    let poll = PollConfig {
        default_interval_ms: opt_u32(v, "pollIntervalMs", d.default_interval_ms),
        min_interval_ms: opt_u32(v, "minPollIntervalMs", d.min_interval_ms),
        max_interval_ms: opt_u32(v, "maxPollIntervalMs", d.max_interval_ms),
        max_retries: opt_u32(v, "maxRetries", d.max_retries),
        ..d
    };
    HandleOptions {
        ttl_ms: opt_f64(v, "ttlMs"),
        signal: signal_of(v),
        poll,
        cancel_on_abort: opt_bool(v, "cancelOnAbort", false),
        on_status: opt_fn(v, "onStatus"),
        call_timeout_ms: opt_f64(v, "timeoutMs").filter(|t| *t > 0.0),
    }
}

/// A method's future as a plain one (no async block's state machine) around the client's
/// future `.0` (inside it, not in a box of its own), whose value `.1` makes the JS value
/// the method's Promise gives: `McpClient.connect`'s client as the JS class, a followed
/// task's handle or final result ([`follow`]).
struct Giving<F, G>(F, G);

impl<T, F: Future<Output = Result<T, Error>>, G: Fn(T) -> JsValue> Future for Giving<F, G> {
    type Output = Result<JsValue, Error>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: the future is pinned with the wrapper (never moved out of it); the
        // function is not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        unsafe { Pin::new_unchecked(&mut this.0) }
            .poll(cx)
            .map(|r| r.map(&this.1))
    }
}

/// `close()`'s future as a method's: a plain one (no async block's state machine) around
/// [`Client::close`]'s, fulfilled with `undefined`.
struct Closed(crate::transport::Closing);

impl Future for Closed {
    type Output = Result<JsValue, Error>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|()| Ok(JsValue::UNDEFINED))
    }
}

/// The one export of the classes `McpClient` and `TaskHandle` (defined in the package's
/// glue by tools/finish-pkg.mjs, not by wasm-bindgen: its class machinery, a borrow flag,
/// two exports to free and its messages, cost more than this): the getters and methods
/// of the declarations' `McpClient` and `TaskHandle` interfaces (types.rs) by their place
/// there, the latter past [`HANDLE`], with `p` the object's value (`Rc::into_raw`, 0 once
/// freed); an op past the members frees it (`free()` and the finalizer), and
/// `McpClient.connect` and `TaskHandle.resume` follow (`McpClient` ops 17 and 18). The
/// arguments are borrowed for the call: an owned one costs the export's shim a drop on
/// each of its paths; what a future keeps is cloned.
#[wasm_bindgen(skip_typescript, js_name = "_op")]
pub fn op(p: u32, op: u32, a: &JsValue, b: &JsValue, c: &JsValue) -> JsValue {
    if op == 18 {
        // `McpClient.connect(url, options)` (the glue passes `String(url)`).
        let c = match Client::new(a.as_string().unwrap_or_default(), read_client_options(b)) {
            Ok(c) => c,
            Err(e) => return boxed_promise(crate::client::ready(Err(e))).into(),
        };
        return promise(Giving(c.start(), move |_| {
            c.started();
            wrap(0, Rc::into_raw(Rc::new(McpClient { c: c.clone() })) as u32)
        }))
        .into();
    }
    if p == 0 {
        wasm_bindgen::throw_str("the object was freed");
    }
    // SAFETY: `p` is the `Rc::into_raw` of the class's value, which the JS object owns
    // until it is freed (once: the glue zeroes it first). A strong count is held for the
    // call, so that a callback freeing the object meanwhile leaves it alive until the end.
    unsafe {
        match op {
            HANDLE_FREE => drop(Rc::from_raw(p as *const Handle)),
            HANDLE.. => return handle_op(&held::<Handle>(p), op - HANDLE, a),
            16 => drop(Rc::from_raw(p as *const McpClient)),
            _ => return held::<McpClient>(p).op(op, a, b, c),
        }
    }
    JsValue::UNDEFINED
}

/// Where `TaskHandle`'s ops start in [`op`]'s numbering, and its free.
const HANDLE: u32 = 32;
const HANDLE_FREE: u32 = HANDLE + 13;

/// The value at `p` (see [`op`]), with a strong count of its own.
unsafe fn held<T>(p: u32) -> Rc<T> {
    let p = p as *const T;
    Rc::increment_strong_count(p);
    Rc::from_raw(p)
}

/// An MCP client connected to one server over Streamable HTTP.
struct McpClient {
    c: Client,
}

impl McpClient {
    /// `McpClient`'s getters and methods by their place in its interface (see [`op`]),
    /// then `TaskHandle.resume(client, tokenOrTaskId, options)` (17).
    fn op(&self, op: u32, a: &JsValue, b: &JsValue, c: &JsValue) -> JsValue {
        let cl = &self.c;
        // A task id, a tool name or a cursor (`None` when absent or not a string).
        let text = a.as_string();
        let id = text.as_deref().unwrap_or_default();
        // The plain requests give their future, made into a Promise in one place; the
        // rest follow a task (`follow`): `callTool` (the final result) and
        // `callToolAsTask` (the handle), a 2026-07-28 `getTaskResult` (the task followed
        // until its result) and `TaskHandle.resume` (the handle).
        let sent = match op {
            0 => return get(&cl.init_result(), "serverInfo"),
            1 => return get(&cl.init_result(), "capabilities"),
            2 => return get_str(&cl.init_result(), "instructions").into(),
            3 => return cl.protocol_version().into(),
            4 => return cl.session_id().into(),
            5 => return (cl.active_tasks() as u32).into(),
            6 | 7 => return follow(cl, id, Some(b.clone()), c, op == 6).into(),
            8 => cl.list_tools(text),
            9 => cl.list_all_tools(),
            10 => cl.get_task(id),
            11 => match cl.get_task_result(id) {
                Some(sent) => sent,
                None => return follow(cl, id, None, &JsValue::UNDEFINED, true).into(),
            },
            12 => cl.list_tasks(text),
            13 => cl.cancel_task(id),
            14 => Box::pin(Closed(cl.close())),
            15 => {
                cl.session().sign_out();
                crate::client::ready(Ok(JsValue::UNDEFINED))
            }
            // `TaskHandle.resume(client, tokenOrTaskId, options)`: the op past the
            // interface's members (see types.rs and tools/finish-pkg.mjs), whose glue
            // reads a resume token's task id, or gives why it cannot (`c`).
            _ => match c.as_string() {
                Some(why) => crate::client::ready(Err(Error::Protocol(why))),
                None => return follow(cl, id, None, b, false).into(),
            },
        };
        boxed_promise(sent).into()
    }
}

/// `callTool` (`wait`: the final result), `callToolAsTask` (the handle) and
/// `TaskHandle.resume` (`args` is `None`: reattach to the task `name`) in one future
/// ([`Client::follow`]: one `Giving` serves all three), with the handle's `options`.
/// The final result is the handle's own `result()` Promise, which the call's Promise
/// adopts: the glue's `wrap(2, ptr)` (tools/finish-pkg.mjs) takes it (op 40) and frees
/// the handle (op 45), as JS code with no object made, and as no wasm code of its own.
fn follow(
    cl: &Client,
    name: &str,
    args: Option<JsValue>,
    options: &JsValue,
    wait: bool,
) -> Promise {
    let opts = read_handle_options(options);
    promise(Giving(cl.follow(name, args, opts), move |h| {
        wrap(1 + wait as u32, Rc::into_raw(h) as u32)
    }))
}

/// What `TaskHandle.serialize()`'s resume token (made by the glue, tools/finish-pkg.mjs)
/// takes from the handle's session: its `url`, `protocolVersion` and `sessionId`.
fn session_of(h: &Handle) -> JsValue {
    let c = h.session();
    crate::obj!(
        ("url", c.url.as_str().into()),
        (
            "protocolVersion",
            c.protocol_version()
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL),
        ),
        (
            "sessionId",
            c.session_id().map(JsValue::from).unwrap_or(JsValue::NULL),
        ),
    )
    .into()
}

/// The JS class `TaskHandle` (a running task: follow it, await it, cancel it), whose
/// object holds the handle's own `Rc::into_raw` (see [`op`]): the readonly properties
/// and the methods of its interface in the declarations (types.rs), by their place
/// there: `taskId`, `isLocal`, `status`, `task`, `isDone`, `immediateResponse`,
/// `progress`, `polls`, then `result`, `cancel`, `onStatus`, `onProgress`, `dispose`
/// (`updates` and `serialize` are the glue's own, over `onStatus` and `result`, and over
/// `taskId`, `task` and [`session_of`]). One export for all, as `McpClient::op`.
fn handle_op(h: &Rc<Handle>, op: u32, a: &JsValue) -> JsValue {
    match op {
        0 => h.task_id.as_str().into(),
        1 => h.local.into(),
        2 => h.status().as_str().into(),
        3 => h.snapshot(),
        4 => h.is_done().into(),
        5 => h.immediate_response.as_deref().into(),
        6 => h.progress(),
        7 => h.polls().into(),
        // Memoized by the glue (tools/finish-pkg.mjs): every call returns the same
        // Promise.
        8 => promise(h.wait()).into(),
        9 => boxed_promise(h.cancel()).into(),
        // The subscription's id, which the glue's unsubscribe function passes to op 14
        // (past `free`).
        10 | 11 => h.subscribe(a.clone().unchecked_into(), op == 11).into(),
        // Past `free`: an unsubscribe, then the session's part of a resume token.
        14 => {
            h.unsubscribe(a.as_f64().unwrap_or_default() as u32);
            JsValue::UNDEFINED
        }
        15 => session_of(h),
        _ => {
            h.dispose();
            JsValue::UNDEFINED
        }
    }
}
