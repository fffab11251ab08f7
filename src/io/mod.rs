//! The only place that touches the JavaScript host: `fetch`, timers, the clock and the
//! global scope. Everything is taken from `globalThis`, never from `window`, so the same
//! build runs in pages, Web Workers and Node >= 20.
//!
//! The seam is small on purpose: [`Http`] sends one request and gives back a
//! [`HttpResponse`] whose body is read chunk by chunk; [`Timer`] is a cancel-on-drop
//! `setTimeout`; [`now_ms`] is the wall clock; [`spawn`] runs a future and
//! [`await_promise`] waits for a JS promise (the crate's own executor and promise
//! future, in `exec.rs`, rather than wasm-bindgen-futures').

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal, Headers, Response};

use crate::sync::{Latch, LatchWait};

use exec::Armed;
pub use exec::{await_promise, spawn, PromiseFuture};

mod exec;
pub mod json;
pub mod oauth;
pub mod pace;

/// The global `fetch`, as host.js reads it: a function import, not the `globalThis`
/// static (a lazily made thread-local, `LazyCell::really_init`, for this one use). Not
/// `js_sys::global()`, which tries `self`, `window`, `globalThis` and `global` in turn.
#[wasm_bindgen(module = "/src/io/host.js")]
extern "C" {
    #[wasm_bindgen(js_name = globalFetch)]
    fn global_fetch() -> JsValue;
    /// See [`Http::send`].
    #[wasm_bindgen(js_name = send)]
    fn fetch_manual(
        fetch: &Function,
        url: &str,
        method: &str,
        headers: &Headers,
        body: Option<&str>,
        signal: &AbortSignal,
    ) -> Promise;
    #[wasm_bindgen(js_name = nextEvents)]
    fn next_events(response: &Response, state: &JsValue, max: f64) -> Promise;
    #[wasm_bindgen(js_name = readText)]
    fn read_text(response: &Response, limit: f64, fatal: bool) -> Promise;
    /// See [`HttpResponse::header`]: the value, or `null` (a JS value, read by the
    /// crate's one string reader, not a string import of its own).
    #[wasm_bindgen(js_name = header)]
    fn response_header(response: &Response, name: &str) -> JsValue;
    /// See [`HttpResponse::cancel`].
    #[wasm_bindgen(js_name = cancelBody)]
    fn cancel_body(response: &Response);
    /// See [`HeaderList`].
    #[wasm_bindgen(js_name = newHeaders)]
    fn new_headers() -> Headers;
    #[wasm_bindgen(js_name = setHeader)]
    fn set_header(headers: &Headers, name: &str, value: &str);
    /// A fresh `AbortController`, made by the host: `AbortController::new` is a `catch`
    /// import, whose error no supported runtime gives.
    #[wasm_bindgen(js_name = newAbortController)]
    pub fn abort_controller() -> AbortController;
    /// See [`AbortListener`] (its adding is `exec.rs`'s): a plain import, not web-sys's
    /// `catch` one, and the event's name is the host's.
    #[wasm_bindgen(js_name = offAbort)]
    fn off_abort(signal: &AbortSignal, listener: &JsValue);
}

// The host's timers (global in pages, workers and Node; Node's ids are objects); setting
// one is `exec.rs`'s.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

#[wasm_bindgen(module = "/src/js/glue.js")]
extern "C" {
    /// Call a user callback, `cb(a, b)`, with no Rust borrow held; what it throws is
    /// reported on the console (`what` names the callback), not raised.
    #[wasm_bindgen(js_name = callUser)]
    pub fn call_user(cb: &Function, a: &JsValue, b: &JsValue, what: &str);
    /// `f(a, b)`, or a Promise rejected with what it threw.
    #[wasm_bindgen(js_name = callAsync)]
    fn call_or_reject(f: &Function, a: &JsValue, b: &JsValue) -> JsValue;
    /// The time now in RFC 3339, as `Date.prototype.toISOString` writes it.
    #[wasm_bindgen(js_name = nowIso)]
    pub fn now_iso() -> JsValue;
    /// `v.length`, an array's or a byte array's (js-sys has an import for each).
    #[wasm_bindgen(js_name = len)]
    pub fn len(v: &JsValue) -> u32;
}

#[wasm_bindgen]
extern "C" {
    /// Log a warning on the host console.
    #[wasm_bindgen(js_namespace = console)]
    pub fn warn(message: &str);
}

/// Milliseconds since the Unix epoch, from `Date.now()`.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A `setTimeout` that is cleared when dropped. Build timed behaviour on this.
#[must_use = "dropping a Timer cancels it"]
pub struct Timer {
    id: JsValue,
    _f: Armed,
}

impl Timer {
    /// Call `f` once after `ms` milliseconds (clamped to what `setTimeout` accepts).
    #[inline(always)]
    pub fn once(ms: f64, f: impl FnOnce() + 'static) -> Timer {
        Timer::boxed(ms, Box::new(f))
    }

    /// The one instantiation for every caller: `f` boxed.
    pub fn boxed(ms: f64, f: Box<dyn FnOnce()>) -> Timer {
        let (f, id) = Armed::timer(crate::policy::clamp_timeout(ms), f);
        Timer { id, _f: f }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// The one sleep: `ms` milliseconds; dropping the future clears the timeout. (The
/// future of [`sleep_or_wake`] itself, not one around it.)
pub fn sleep(ms: f64) -> Sleep {
    sleep_or_wake(ms, Latch::new(), [None, None])
}

/// Sleep `ms` milliseconds, or until someone sets `wake` (a fresh latch per sleep) or
/// one of `signals` aborts (a caller's; the client's `close()`: one sleep for both, not
/// a listener of the caller's own beside it, G -26), whichever comes first. A wake latch
/// is a `Latch<bool>` set to `true`, the type of a gate's latch, so the crate compiles
/// one copy of the latch code for both (its value is not read).
pub fn sleep_or_wake(ms: f64, wake: Latch<bool>, signals: [Option<&AbortSignal>; 2]) -> Sleep {
    Sleep {
        _timer: Timer::boxed(ms, setter(&wake, true)),
        _stop: [
            stop_on(signals[0], &wake, true),
            stop_on(signals[1], &wake, true),
        ],
        wait: wake.into_wait(),
    }
}

/// Set `latch` to `value` when `signal` (if any) aborts, until the listener is dropped.
#[inline(never)]
pub fn stop_on(
    signal: Option<&AbortSignal>,
    latch: &Latch<bool>,
    value: bool,
) -> Option<AbortListener> {
    signal.and_then(|s| AbortListener::boxed(s.clone(), setter(latch, value)))
}

/// A sleep ([`sleep_or_wake`]): a plain future, not an `async fn`'s state machine. Dropping
/// it clears the timeout and removes the abort listeners.
#[must_use = "a sleep does nothing unless awaited"]
pub struct Sleep {
    _timer: Timer,
    _stop: [Option<AbortListener>; 2],
    wait: LatchWait<bool>,
}

impl Future for Sleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.get_mut().wait).poll(cx).map(drop)
    }
}

/// A callback that sets `latch` to `value`: the one closure type of every such callback
/// (a timer's, an abort listener's), not one each.
#[inline(always)]
pub fn setter(latch: &Latch<bool>, value: bool) -> Box<dyn FnOnce()> {
    let latch = latch.clone();
    Box::new(move || {
        latch.set(value);
    })
}

/// A callback that aborts `c` (a timeout's, a caller's signal's): one closure type for both.
#[inline(always)]
pub fn aborter(c: AbortController) -> Box<dyn FnOnce()> {
    Box::new(move || c.abort())
}

/// Whether `v` is an abort (a `DOMException` or error named `AbortError`).
#[inline(always)]
pub fn is_abort_error(v: &JsValue) -> bool {
    json::get_str(v, "name").is_some_and(|n| n == "AbortError" || n == "TimeoutError")
}

/// The `fetch` function to use: the caller's, or `globalThis.fetch`.
#[derive(Clone)]
pub struct Http {
    fetch: Function,
}

/// The headers of one request, written into a JS `Headers` as they are added (a later
/// value replaces an earlier one of the same name, in any case). The first name or value
/// `Headers` refused is kept by the host: [`Http::send`] fails with it.
pub struct HeaderList(Headers);

impl Default for HeaderList {
    fn default() -> HeaderList {
        // Made by the host: `Headers::new` is a `catch` import, with a panic for the
        // error no runtime gives.
        HeaderList(new_headers())
    }
}

impl HeaderList {
    /// Set `name` to `value`.
    pub fn set(&mut self, name: &str, value: &str) {
        set_header(&self.0, name, value);
    }
}

/// What a request failed with before any HTTP status was seen.
pub enum FetchFailure {
    /// The request's signal was aborted (locally, or by the request timeout).
    Aborted,
    /// A network error: `fetch` rejected with this value.
    Network(JsValue),
    /// The server answered with a redirect (its status; 0 where the runtime hides it, as
    /// browsers do). Redirects are never followed: the client's headers (a token, the
    /// session id) must not reach another origin.
    Redirect(u16),
}

impl Http {
    /// Use `custom` when it is a function, else the global `fetch`.
    #[inline(always)]
    pub fn new(custom: Option<Function>) -> Result<Http, String> {
        let fetch = match custom {
            Some(f) => f,
            None => global_fetch()
                .dyn_into::<Function>()
                .map_err(|_| "no global fetch: pass options.fetch")?,
        };
        Ok(Http { fetch })
    }

    /// The `fetch` it uses (the OAuth client sends its requests with it too).
    pub fn fetch(&self) -> &Function {
        &self.fetch
    }

    /// Send one request. `body` is JSON text; `signal` aborts it. The request goes out
    /// now (the headers and the body are not held while it is under way); await the
    /// answer.
    #[inline(always)]
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: &HeaderList,
        body: Option<&str>,
        signal: &AbortSignal,
    ) -> Sending {
        // host.js's `send`: a Response (the one object), a redirect's status, or a string
        // saying that the replacement `fetch` gave no Response.
        let sent = await_promise(&fetch_manual(
            &self.fetch,
            url,
            method,
            &headers.0,
            body,
            signal,
        ));
        Sending { sent }
    }
}

/// A request under way ([`Http::send`]): a future of its response. A plain future, not
/// an `async fn`'s: no state machine and drop glue of its own.
#[must_use = "a request's answer is read by awaiting it"]
pub struct Sending {
    /// The host's promise.
    sent: PromiseFuture,
}

impl Future for Sending {
    type Output = Result<HttpResponse, FetchFailure>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let out = match Pin::new(&mut this.sent).poll(cx) {
            Poll::Ready(out) => out,
            Poll::Pending => return Poll::Pending,
        };
        Poll::Ready(match out {
            Ok(r) if r.is_object() => Ok(HttpResponse {
                inner: r.unchecked_into(),
            }),
            Ok(r) => match r.as_f64() {
                Some(status) => Err(FetchFailure::Redirect(status as u16)),
                None => Err(FetchFailure::Network(r)),
            },
            // host.js's `send` rejects as an `AbortError` once the signal aborted.
            Err(e) => Err(failure(e)),
        })
    }
}

/// A response whose body is read incrementally.
pub struct HttpResponse {
    /// The host keeps its body's reader (made at the first read: host.js's `readerOf`).
    inner: Response,
}

impl HttpResponse {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.inner.status()
    }

    /// A response header, if present.
    pub fn header(&self, name: &str) -> Option<String> {
        response_header(&self.inner, name).as_string()
    }

    /// The next chunk of an SSE body, parsed by the host (`nextEvents` in host.js: the
    /// WHATWG event-stream interpretation over the text of its streaming `TextDecoder`):
    /// an array of the data of each message event the chunk completed (empty ones
    /// skipped), `null` once more than `max` characters of line and event are pending,
    /// `undefined` at the body's end; a rejection means the stream broke (or was aborted,
    /// see [`failure`]). `state` is the object a stream shares with its reconnections: the
    /// last event id (`l`) and the server's `retry` in ms (`r`). The host's promise
    /// itself, not a future around it.
    pub fn events(&mut self, state: &JsValue, max: usize) -> PromiseFuture {
        await_promise(&next_events(&self.inner, state, max as f64))
    }

    /// Read the whole body as text, decoded by the host (`TextDecoder`; core's UTF-8
    /// validation and a read loop of our own are not linked for it): the text (empty
    /// without a body), each invalid UTF-8 sequence read as U+FFFD, or with `strict` `null`
    /// when the body is not UTF-8; `undefined` past `limit` bytes (the host cancels the
    /// stream); a rejection if it broke (see [`failure`]). The host's promise itself, not
    /// a future around it.
    pub fn text(&mut self, limit: usize, strict: bool) -> PromiseFuture {
        await_promise(&read_text(&self.inner, limit as f64, strict))
    }

    /// Stop reading: cancel the body stream so the connection is released (by the host:
    /// through the reader, else the body unless it is locked; a failure is ignored).
    /// Idempotent.
    pub fn cancel(&mut self) {
        cancel_body(&self.inner);
    }
}

/// What a broken body stream amounts to.
pub fn failure(e: JsValue) -> FetchFailure {
    if is_abort_error(&e) {
        FetchFailure::Aborted
    } else {
        FetchFailure::Network(e)
    }
}

impl Drop for HttpResponse {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// An `AbortController` that aborts itself after `timeout_ms` (if any) and when dropped
/// holds no timer.
pub struct Abort {
    controller: AbortController,
    _timer: Option<Timer>,
}

impl Abort {
    /// A controller; with `timeout_ms`, it aborts itself after that many milliseconds.
    pub fn new(timeout_ms: Option<f64>) -> Abort {
        let controller = abort_controller();
        let timer = timeout_ms.map(|ms| Timer::boxed(ms, aborter(controller.clone())));
        Abort {
            controller,
            _timer: timer,
        }
    }

    /// The signal to hand to `fetch`.
    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// The controller itself (to abort from elsewhere).
    pub fn controller(&self) -> AbortController {
        self.controller.clone()
    }

    /// Abort now.
    pub fn abort(&self) {
        self.controller.abort();
    }
}

/// Call `f` when `signal` aborts (at once if it already has). The returned guard removes
/// the listener when dropped.
pub struct AbortListener {
    signal: AbortSignal,
    listener: JsValue,
    _f: Armed,
}

impl AbortListener {
    /// Listen for `abort` on `signal`.
    pub fn new(signal: AbortSignal, f: impl FnOnce() + 'static) -> Option<AbortListener> {
        AbortListener::boxed(signal, Box::new(f))
    }

    /// One instantiation of the closure glue for every caller (see [`Timer::once`]).
    pub fn boxed(signal: AbortSignal, f: Box<dyn FnOnce()>) -> Option<AbortListener> {
        if signal.aborted() {
            f();
            return None;
        }
        let (f, listener) = Armed::on_abort(&signal, f);
        Some(AbortListener {
            signal,
            listener,
            _f: f,
        })
    }
}

impl Drop for AbortListener {
    fn drop(&mut self) {
        off_abort(&self.signal, &self.listener);
    }
}

/// Call a user function that may return a Promise, and wait for its value (what it
/// throws is the outcome).
#[inline(always)]
pub fn call_async(f: &Function, a: &JsValue, b: &JsValue) -> PromiseFuture {
    await_promise(&call_or_reject(f, a, b))
}
