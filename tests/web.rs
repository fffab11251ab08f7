//! Browser tests: real headless Chromium, real `fetch`, against the real reference MCP
//! server (official TypeScript SDK) that `make test-wasm` starts. Its URLs arrive at
//! compile time in MCP_TEST_SERVER (SSE replies) and MCP_TEST_SERVER_JSON (JSON replies).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use js_sys::{Array, Function};
use mcp_tasks_wasm::client::registry::HandleOptions;
use mcp_tasks_wasm::client::Client;
use mcp_tasks_wasm::error::Error;
use mcp_tasks_wasm::io::json::{get, get_f64, get_str, parse, put};
use mcp_tasks_wasm::io::{await_promise, sleep, spawn, Abort, HeaderList, Http};
use mcp_tasks_wasm::protocol::TaskStatus;
use mcp_tasks_wasm::transport::{ClientOptions, Ctl};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn sse_url() -> String {
    match option_env!("MCP_TEST_SERVER") {
        Some(url) => url.to_string(),
        None => panic!("MCP_TEST_SERVER is not set: run the browser tests with `make test-wasm`"),
    }
}

fn json_url() -> String {
    match option_env!("MCP_TEST_SERVER_JSON") {
        Some(url) => url.to_string(),
        None => {
            panic!("MCP_TEST_SERVER_JSON is not set: run the browser tests with `make test-wasm`")
        }
    }
}

fn both() -> [String; 2] {
    [sse_url(), json_url()]
}

fn options() -> ClientOptions {
    ClientOptions {
        headers: Vec::new(),
        client_info: mcp_tasks_wasm::obj!(("name", "web-tests".into()), ("version", "1".into()))
            .into(),
        request_timeout_ms: Some(30_000.0),
        fetch: None,
        listen: true,
        on_elicitation: None,
        elicitation_defaults: true,
        retry_unsafe_requests: false,
        max_request_retries: 3,
        version: mcp_tasks_wasm::transport::VersionChoice::Auto,
        max_input_rounds: 8,
        on_notification: None,
        max_response_bytes: 16 * 1024 * 1024,
        max_held_results: 2,
        max_concurrent_requests: 16,
        session_id: None,
        auth: None,
    }
}

async fn connect(url: &str) -> Client {
    Client::connect(url.to_string(), options())
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e:?}"))
}

fn args(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        put(&o, k, v.clone());
    }
    o.into()
}

fn fast() -> HandleOptions {
    HandleOptions::default()
}

/// The first text block of a CallToolResult.
fn text_of(result: &JsValue) -> String {
    let content = Array::from(&get(result, "content"));
    get_str(&content.get(0), "text").unwrap_or_default()
}

/// GET/POST on the server's admin API.
async fn admin(url: &str, path: &str, post: bool) -> JsValue {
    let base = url.trim_end_matches("/mcp");
    let http = Http::new(None).ok().unwrap();
    let method = if post { "POST" } else { "GET" };
    let mut r = http
        .send(
            method,
            &format!("{base}{path}"),
            &HeaderList::default(),
            None,
            &Abort::new(None).signal(),
        )
        .await
        .ok()
        .expect("admin request failed");
    assert_eq!(r.status(), 200, "admin {path}");
    let text = r
        .text(1 << 24, true)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .expect("admin body");
    parse(&text).unwrap()
}

/// Requests of one method that one session made, as the server counted them.
async fn count(url: &str, session: &str, method: &str) -> f64 {
    let s = admin(url, &format!("/admin/stats?session={session}"), false).await;
    let by = get(&get(&s, "requests"), "byMethod");
    let by = if by.is_undefined() {
        get(&s, "byMethod")
    } else {
        by
    };
    get_f64(&by, method).unwrap_or(0.0)
}

/// Wait (polling with a deadline, not a fixed sleep) until `f` holds.
async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if f().await {
            return;
        }
        sleep(50.0).await;
    }
    panic!("timed out waiting for: {what}");
}

/// A pending promise and the `resolve` and `reject` that settle it.
fn deferred() -> (js_sys::Promise, Function, Function) {
    let mut out = None;
    let p = js_sys::Promise::new(&mut |resolve, reject| out = Some((resolve, reject)));
    let (resolve, reject) = out.unwrap();
    (p, resolve, reject)
}

fn settle_with(f: &Function, v: &str) {
    f.call1(&JsValue::UNDEFINED, &v.into()).unwrap();
}

#[wasm_bindgen_test]
async fn await_promise_gives_each_waiter_its_own_outcome() {
    let (p1, resolve1, _) = deferred();
    let (p2, _, reject2) = deferred();
    let (p3, resolve3, _) = deferred();
    let (f1, f2, f3) = (await_promise(&p1), await_promise(&p2), await_promise(&p3));
    // Settled in another order than awaited.
    settle_with(&resolve3, "three");
    settle_with(&reject2, "two");
    settle_with(&resolve1, "one");
    assert_eq!(f3.await.unwrap().as_string().as_deref(), Some("three"));
    assert_eq!(f1.await.unwrap().as_string().as_deref(), Some("one"));
    assert_eq!(f2.await.unwrap_err().as_string().as_deref(), Some("two"));
    // A plain value is its own outcome; a thenable is followed.
    assert_eq!(await_promise(&5.into()).await.unwrap().as_f64(), Some(5.0));
    let then = Function::new_with_args("resolve", "resolve(7)");
    let thenable = mcp_tasks_wasm::obj!(("then", then.into()));
    assert_eq!(await_promise(&thenable).await.unwrap().as_f64(), Some(7.0));
}

#[wasm_bindgen_test]
async fn a_promise_future_dropped_before_its_promise_settles_is_harmless() {
    let (p, resolve, _) = deferred();
    let (q, _, reject) = deferred();
    {
        // Polled once (a waker registered), then dropped while the promises are pending.
        let (mut f, mut g) = (await_promise(&p), await_promise(&q));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(std::pin::Pin::new(&mut f).poll(&mut cx).is_pending());
        assert!(std::pin::Pin::new(&mut g).poll(&mut cx).is_pending());
    }
    settle_with(&resolve, "late");
    settle_with(&reject, "late");
    sleep(0.0).await;
    // Still routing outcomes afterwards.
    let (p, resolve, _) = deferred();
    let f = await_promise(&p);
    settle_with(&resolve, "next");
    assert_eq!(f.await.unwrap().as_string().as_deref(), Some("next"));
}

#[wasm_bindgen_test]
async fn spawned_tasks_run_later_in_order_and_a_self_wake_polls_again() {
    let log: Rc<RefCell<Vec<u32>>> = Rc::default();
    for i in 0..3 {
        let log = log.clone();
        spawn(Box::pin(async move {
            log.borrow_mut().push(i);
            let v = await_promise(&i.into()).await.unwrap().as_f64().unwrap() as u32;
            log.borrow_mut().push(10 + v);
        }));
    }
    // A future that wakes itself while it is polled, then is done.
    let again = log.clone();
    let mut first = true;
    spawn(Box::pin(std::future::poll_fn(move |cx| {
        again.borrow_mut().push(if first { 20 } else { 21 });
        if std::mem::replace(&mut first, false) {
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        std::task::Poll::Ready(())
    })));
    assert!(
        log.borrow().is_empty(),
        "a spawned future is never polled inside spawn"
    );
    sleep(0.0).await;
    assert_eq!(*log.borrow(), [0, 1, 2, 20, 21, 10, 11, 12]);
}

#[wasm_bindgen_test]
async fn an_initialize_post_reaches_the_reference_server() {
    let http = Http::new(None).ok().unwrap();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;
    let mut headers = HeaderList::default();
    headers.set("Content-Type", "application/json");
    headers.set("Accept", "application/json, text/event-stream");
    let mut r = http
        .send(
            "POST",
            &json_url(),
            &headers,
            Some(body),
            &Abort::new(None).signal(),
        )
        .await
        .ok()
        .expect("fetch");
    assert_eq!(r.status(), 200);
    assert!(
        r.header("mcp-session-id").is_some(),
        "CORS exposes Mcp-Session-Id"
    );
    let text = r
        .text(1 << 20, true)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .unwrap();
    let msg = parse(&text).unwrap();
    let info = get(&get(&msg, "result"), "serverInfo");
    assert_eq!(
        get_str(&info, "name").as_deref(),
        Some("mcp-tasks-reference")
    );
}

#[wasm_bindgen_test]
async fn connect_reads_server_info_capabilities_and_session() {
    for url in both() {
        let c = connect(&url).await;
        let init = c.init_result();
        assert_eq!(
            get_str(&get(&init, "serverInfo"), "name").as_deref(),
            Some("mcp-tasks-reference")
        );
        assert_eq!(c.protocol_version().as_deref(), Some("2025-11-25"));
        assert!(c.supports_task_calls(), "{url}: tasks.requests.tools.call");
        assert!(c.session_id().is_some());
        c.close().await;
    }
}

#[wasm_bindgen_test]
async fn list_tools_reports_each_tools_task_support() {
    let c = connect(&sse_url()).await;
    let tools = js_sys::Array::from(&c.list_all_tools().await.unwrap());
    let mut names: Vec<String> = tools.iter().filter_map(|t| get_str(&t, "name")).collect();
    names.sort();
    for t in [
        "ask",
        "crash",
        "echo",
        "fail",
        "forever",
        "must_task",
        "progress",
        "sleep",
    ] {
        assert!(names.iter().any(|n| n == t), "tool {t} listed");
    }
    use mcp_tasks_wasm::protocol::TaskSupport as Support;
    assert_eq!(c.task_support("must_task"), Support::Required);
    assert_eq!(c.task_support("sleep"), Support::Optional);
    assert_eq!(c.task_support("echo"), Support::Forbidden);
    c.close().await;
}

#[wasm_bindgen_test]
async fn echo_is_a_plain_call_in_both_reply_modes() {
    for url in both() {
        let c = connect(&url).await;
        let h = c
            .call_as_task("echo", args(&[("text", "hi".into())]), fast())
            .await
            .unwrap();
        let r = h.wait().await.expect("echo result");
        assert!(text_of(&r).contains("hi"), "{url}: {}", text_of(&r));
        assert_eq!(
            count(&url, &c.session_id().unwrap(), "tasks/get").await,
            0.0
        );
        c.close().await;
    }
}

#[wasm_bindgen_test]
async fn a_required_tool_runs_as_a_task_through_a_plain_call() {
    for url in both() {
        let c = connect(&url).await;
        let h = c
            .call_as_task("must_task", args(&[]), fast())
            .await
            .unwrap();
        assert!(!h.task_id.starts_with("local-"), "a real task was created");
        let r = h.wait().await.expect("must_task result");
        assert_eq!(text_of(&r), "must_task done");
        c.close().await;
    }
}

#[wasm_bindgen_test]
async fn a_sleep_task_completes_with_its_result() {
    for url in both() {
        let c = connect(&url).await;
        let h = c
            .call_as_task(
                "sleep",
                args(&[
                    ("ms", 300.into()),
                    ("text", "slept".into()),
                    ("pollInterval", 100.into()),
                ]),
                fast(),
            )
            .await
            .unwrap();
        assert_eq!(h.status(), TaskStatus::Working);
        let r = h.wait().await.expect("sleep result");
        assert_eq!(text_of(&r), "slept");
        assert_eq!(h.status(), TaskStatus::Completed);
        c.close().await;
    }
}

#[wasm_bindgen_test]
async fn a_failed_task_rejects_with_its_stored_result() {
    let c = connect(&sse_url()).await;
    let h = c
        .call_as_task("fail", args(&[("message", "boom".into())]), fast())
        .await
        .unwrap();
    match h.wait().await {
        Err(Error::TaskFailed {
            task,
            result,
            error,
        }) => {
            assert_eq!(get_str(&task, "status").as_deref(), Some("failed"));
            assert_eq!(get(&result, "isError").as_bool(), Some(true));
            assert_eq!(text_of(&result), "boom");
            assert!(error.is_none());
        }
        other => panic!("expected TaskFailed, got {other:?}"),
    }
    c.close().await;
}

#[wasm_bindgen_test]
async fn a_crashing_task_rejects_with_its_json_rpc_error() {
    let c = connect(&sse_url()).await;
    let h = c
        .call_as_task("crash", args(&[("message", "kaput".into())]), fast())
        .await
        .unwrap();
    match h.wait().await {
        Err(Error::TaskFailed { error: Some(e), .. }) => match *e {
            Error::Rpc { message, .. } => assert!(message.contains("kaput"), "{message}"),
            other => panic!("expected an Rpc error inside, got {other:?}"),
        },
        // A server may also end the task `completed` and store the error.
        Err(Error::Rpc { message, .. }) => assert!(message.contains("kaput"), "{message}"),
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
    c.close().await;
}

#[wasm_bindgen_test]
async fn cancel_ends_a_forever_task_as_cancelled() {
    let c = connect(&sse_url()).await;
    let h = c.call_as_task("forever", args(&[]), fast()).await.unwrap();
    let task = h.cancel().await.expect("tasks/cancel");
    assert_eq!(get_str(&task, "status").as_deref(), Some("cancelled"));
    match h.wait().await {
        Err(Error::TaskCancelled { task }) => {
            assert_eq!(get_str(&task, "taskId"), Some(h.task_id.clone()))
        }
        other => panic!("expected TaskCancelled, got {other:?}"),
    }
    c.close().await;
}

async fn abort_case(cancel_on_abort: bool) {
    let url = sse_url();
    let c = connect(&url).await;
    let ctl = web_sys::AbortController::new().unwrap();
    let opts = HandleOptions {
        signal: Some(ctl.signal()),
        cancel_on_abort,
        ..fast()
    };
    let h = c.call_as_task("forever", args(&[]), opts).await.unwrap();
    ctl.abort();
    match h.wait().await {
        Err(Error::Aborted(_)) => {}
        other => panic!("expected an abort, got {other:?}"),
    }
    let id = h.task_id.clone();
    if cancel_on_abort {
        let c2 = c.clone();
        eventually("the server cancelled the task", || {
            let (c, id) = (c2.clone(), id.clone());
            async move {
                let t = c
                    .request(
                        "tasks/get",
                        mcp_tasks_wasm::obj!(("taskId", id.into())).into(),
                        Ctl::default(),
                    )
                    .await
                    .unwrap();
                get_str(&t, "status").as_deref() == Some("cancelled")
            }
        })
        .await;
    } else {
        let t = c
            .request(
                "tasks/get",
                mcp_tasks_wasm::obj!(("taskId", id.clone().into())).into(),
                Ctl::default(),
            )
            .await
            .unwrap();
        assert_eq!(get_str(&t, "status").as_deref(), Some("working"));
        assert_eq!(
            count(&url, &c.session_id().unwrap(), "tasks/cancel").await,
            0.0,
            "no tasks/cancel without cancelOnAbort"
        );
        c.request(
            "tasks/cancel",
            mcp_tasks_wasm::obj!(("taskId", id.into())).into(),
            Ctl::default(),
        )
        .await
        .unwrap();
    }
    c.close().await;
}

#[wasm_bindgen_test]
async fn abort_stops_local_polling_and_leaves_the_task_running() {
    abort_case(false).await;
}

#[wasm_bindgen_test]
async fn abort_with_cancel_on_abort_also_cancels_on_the_server() {
    abort_case(true).await;
}

#[wasm_bindgen_test]
async fn ask_is_answered_through_on_elicitation() {
    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let seen2 = seen.clone();
    let handler = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
        move |params: JsValue, ctx: JsValue| {
            seen2.borrow_mut().push(format!(
                "{}|{}",
                get_str(&params, "message").unwrap_or_default(),
                get_str(&ctx, "relatedTaskId").unwrap_or_default()
            ));
            let content = mcp_tasks_wasm::obj!(("name", "Ada".into()));
            mcp_tasks_wasm::obj!(("action", "accept".into()), ("content", content.into())).into()
        },
    );
    let mut o = options();
    o.on_elicitation = Some(handler.as_ref().unchecked_ref::<Function>().clone());
    let c = Client::connect(sse_url(), o).await.unwrap();
    let h = c.call_as_task("ask", args(&[]), fast()).await.unwrap();
    let r = h.wait().await.expect("ask result");
    assert!(text_of(&r).contains("Ada"), "{}", text_of(&r));
    let seen = seen.borrow().clone();
    assert_eq!(seen.len(), 1, "one elicitation");
    assert!(
        seen[0].ends_with(&format!("|{}", h.task_id)),
        "related task id: {}",
        seen[0]
    );
    c.close().await;
}

#[wasm_bindgen_test]
async fn progress_changes_are_seen_as_status_updates() {
    let c = connect(&sse_url()).await;
    let h = c
        .call_as_task(
            "progress",
            args(&[("steps", 4.into()), ("ms", 150.into())]),
            fast(),
        )
        .await
        .unwrap();
    // The status listeners (`onStatus`, and `updates()` built on it by the glue).
    let seen: Rc<RefCell<Vec<JsValue>>> = Rc::default();
    let seen2 = seen.clone();
    let cb =
        Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(move |t: JsValue, _: JsValue| {
            seen2.borrow_mut().push(t);
            JsValue::UNDEFINED
        });
    h.subscribe(cb.as_ref().unchecked_ref::<Function>().clone(), false);
    h.wait().await.expect("progress result");
    let seen = seen.borrow().clone();
    let messages: Vec<String> = seen
        .iter()
        .filter_map(|t| get_str(t, "statusMessage"))
        .collect();
    assert_eq!(
        seen.last().and_then(|t| get_str(t, "status")).as_deref(),
        Some("completed"),
        "the terminal snapshot is the last one seen"
    );
    assert!(
        messages.len() >= 2,
        "statusMessage changes seen: {messages:?}"
    );
    c.close().await;
}

#[wasm_bindgen_test]
async fn fifty_concurrent_handles_all_settle() {
    let c = connect(&sse_url()).await;
    let mut hs = Vec::new();
    for i in 0..50 {
        let a = args(&[
            ("ms", (50 + (i * 7) % 200).into()),
            ("text", format!("t{i}").into()),
            ("pollInterval", 200.into()),
        ]);
        hs.push(c.call_as_task("sleep", a, fast()).await.unwrap());
    }
    for (i, h) in hs.iter().enumerate() {
        let r = h.wait().await.expect("settled");
        assert_eq!(text_of(&r), format!("t{i}"));
    }
    assert_eq!(c.active_tasks(), 0);
    assert!(!c.timer_armed(), "no timer left once all settled");
    c.close().await;
}

#[wasm_bindgen_test]
async fn after_dispose_no_request_of_the_handle_reaches_the_server() {
    let url = sse_url();
    let mut o = options();
    o.listen = false;
    let c = Client::connect(url.clone(), o).await.unwrap();
    let h = c
        .call_as_task(
            "forever",
            args(&[]),
            HandleOptions {
                poll: mcp_tasks_wasm::policy::PollConfig {
                    min_interval_ms: 20,
                    default_interval_ms: 50,
                    max_interval_ms: 50,
                    ..Default::default()
                },
                ..fast()
            },
        )
        .await
        .unwrap();
    let sid = c.session_id().unwrap();
    let h2 = h.clone();
    eventually("a few polls", || {
        let h = h2.clone();
        async move { h.polls() >= 2 }
    })
    .await;
    h.dispose();
    assert!(matches!(h.wait().await, Err(Error::Aborted(_))));
    let before = count(&url, &sid, "tasks/get").await;
    // This must never change: wait ten poll periods and look again.
    sleep(500.0).await;
    assert_eq!(count(&url, &sid, "tasks/get").await, before);
    assert!(!c.timer_armed());
    c.request(
        "tasks/cancel",
        mcp_tasks_wasm::obj!(("taskId", h.task_id.clone().into())).into(),
        Ctl::default(),
    )
    .await
    .unwrap();
    c.close().await;
}

#[wasm_bindgen_test]
async fn a_lost_session_is_renewed_once_and_the_call_retried() {
    for url in both() {
        let c = connect(&url).await;
        let old = c.session_id().unwrap();
        admin(&url, &format!("/admin/drop-session?session={old}"), true).await;
        let h = c
            .call_as_task("echo", args(&[("text", "again".into())]), fast())
            .await
            .expect("the call succeeds on a new session");
        assert!(text_of(&h.wait().await.unwrap()).contains("again"));
        let new = c.session_id().unwrap();
        assert_ne!(old, new, "{url}: a new session");
        c.close().await;
    }
}

#[wasm_bindgen_test]
async fn close_ends_the_session_with_delete() {
    let url = sse_url();
    let c = connect(&url).await;
    let sid = c.session_id().unwrap();
    c.close().await;
    let s = admin(&url, &format!("/admin/stats?session={sid}"), false).await;
    let by_http = {
        let r = get(&s, "requests");
        let r = if r.is_undefined() { s.clone() } else { r };
        get(&r, "byHttpMethod")
    };
    assert_eq!(
        get_f64(&by_http, "DELETE"),
        Some(1.0),
        "one DELETE for the session"
    );
    match c
        .request("tools/list", mcp_tasks_wasm::obj!().into(), Ctl::default())
        .await
    {
        Err(Error::Aborted(_)) => {}
        other => panic!("a closed client refuses requests, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn custom_headers_reach_fetch_and_pass_cors() {
    let sent: Rc<RefCell<Vec<String>>> = Rc::default();
    let sent2 = sent.clone();
    let real: Function = get(&js_sys::global(), "fetch").unchecked_into();
    let spy = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
        move |url: JsValue, init: JsValue| {
            let headers: web_sys::Headers = get(&init, "headers").unchecked_into();
            if let Ok(Some(v)) = headers.get("x-test-header") {
                sent2.borrow_mut().push(v);
            }
            real.call2(&JsValue::UNDEFINED, &url, &init).unwrap()
        },
    );
    let mut o = options();
    o.headers = vec![("X-Test-Header".into(), "on-every-request".into())];
    o.fetch = Some(spy.as_ref().unchecked_ref::<Function>().clone());
    o.listen = false;
    let c = Client::connect(sse_url(), o).await.unwrap();
    c.list_tools(None).await.unwrap();
    c.close().await;
    let sent = sent.borrow();
    assert!(
        sent.len() >= 3,
        "initialize, initialized, tools/list, DELETE: {sent:?}"
    );
    assert!(sent.iter().all(|v| v == "on-every-request"));
}

#[wasm_bindgen_test]
async fn an_unknown_task_is_an_mcp_error() {
    let c = connect(&sse_url()).await;
    match c
        .request(
            "tasks/get",
            mcp_tasks_wasm::obj!(("taskId", "no-such-task".into())).into(),
            Ctl::default(),
        )
        .await
    {
        Err(Error::Rpc { code, .. }) => assert_eq!(code, -32602.0),
        other => panic!("expected -32602, got {other:?}"),
    }
    c.close().await;
}

#[wasm_bindgen_test]
async fn a_server_that_is_down_is_a_transport_error() {
    // Port 9 on loopback: nothing listens there.
    match Client::connect("http://127.0.0.1:9/mcp".into(), options()).await {
        Err(Error::Transport { status: 0, .. }) => {}
        Err(other) => panic!("expected a network TransportError, got {other:?}"),
        Ok(_) => panic!("connected to nothing"),
    }
}

#[wasm_bindgen_test]
async fn a_fresh_client_on_the_same_session_resumes_a_task_by_id() {
    let url = sse_url();
    let first = connect(&url).await;
    let h = first
        .call_as_task(
            "sleep",
            args(&[
                ("ms", 600.into()),
                ("text", "resumed".into()),
                ("pollInterval", 100.into()),
            ]),
            fast(),
        )
        .await
        .unwrap();
    let (task_id, sid) = (h.task_id.clone(), first.session_id().unwrap());
    // The page goes away: its handle stops, the session stays (no close, no DELETE).
    h.dispose();
    let mut o = options();
    o.session_id = Some(sid.clone());
    let second = Client::connect(url.clone(), o).await.unwrap();
    assert_eq!(second.session_id(), Some(sid));
    let again = second.resume(&task_id, fast()).await.unwrap();
    assert_eq!(again.task_id, task_id);
    let r = again.wait().await.expect("the resumed task completes");
    assert_eq!(text_of(&r), "resumed");
    second.close().await;
}

#[wasm_bindgen_test]
async fn held_results_are_capped_and_waiting_tasks_get_a_slot() {
    // Three tasks wait for input with one slot: each elicitation still gets answered.
    let answered: Rc<RefCell<u32>> = Rc::default();
    let a2 = answered.clone();
    let handler =
        Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(move |_p: JsValue, _c: JsValue| {
            *a2.borrow_mut() += 1;
            let content = mcp_tasks_wasm::obj!(("name", "Lin".into()));
            mcp_tasks_wasm::obj!(("action", "accept".into()), ("content", content.into())).into()
        });
    let mut o = options();
    o.on_elicitation = Some(handler.as_ref().unchecked_ref::<Function>().clone());
    o.max_held_results = 1;
    let c = Client::connect(sse_url(), o).await.unwrap();
    let mut hs = Vec::new();
    for _ in 0..3 {
        hs.push(c.call_as_task("ask", args(&[]), fast()).await.unwrap());
    }
    for h in &hs {
        let r = h.wait().await.expect("ask result");
        assert!(text_of(&r).contains("Lin"));
    }
    assert_eq!(*answered.borrow(), 3);
    c.close().await;
}

#[wasm_bindgen_test]
async fn a_task_gone_after_its_ttl_rejects_with_task_expired() {
    let c = connect(&sse_url()).await;
    let opts = HandleOptions {
        ttl_ms: Some(300.0),
        poll: mcp_tasks_wasm::policy::PollConfig {
            min_interval_ms: 50,
            default_interval_ms: 200,
            max_interval_ms: 200,
            ..Default::default()
        },
        ..fast()
    };
    let h = c.call_as_task("forever", args(&[]), opts).await.unwrap();
    match h.wait().await {
        Err(Error::TaskExpired { task_id, .. }) => assert_eq!(task_id, h.task_id),
        other => panic!("expected TaskExpired, got {other:?}"),
    }
    c.close().await;
}

/// A `fetch` that counts the JSON-RPC requests (POSTs with a method and an id) whose
/// `fetch()` has not resolved yet: `(now, most at once)`.
fn counting_fetch(pending: Rc<RefCell<(u32, u32)>>) -> Function {
    let real: Function = get(&js_sys::global(), "fetch").unchecked_into();
    let spy = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
        move |url: JsValue, init: JsValue| {
            let p = real.call2(&JsValue::UNDEFINED, &url, &init).unwrap();
            let body = get_str(&init, "body").unwrap_or_default();
            if body.contains("\"method\"") && body.contains("\"id\"") {
                {
                    let mut c = pending.borrow_mut();
                    c.0 += 1;
                    c.1 = c.1.max(c.0);
                }
                let p2 = pending.clone();
                let done = Closure::once_into_js(move || p2.borrow_mut().0 -= 1);
                // then(done, done): exactly one of them runs.
                let then: Function = get(&p, "then").unchecked_into();
                let _ = then.call2(&p, &done, &done);
            }
            p
        },
    );
    spy.into_js_value().unchecked_into()
}

#[wasm_bindgen_test]
async fn requests_past_the_cap_wait_their_turn_and_every_task_settles() {
    let pending: Rc<RefCell<(u32, u32)>> = Rc::default();
    let mut o = options();
    o.listen = false;
    o.max_concurrent_requests = 3;
    o.fetch = Some(counting_fetch(pending.clone()));
    let c = Client::connect(sse_url(), o).await.unwrap();
    let done: Rc<RefCell<Vec<String>>> = Rc::default();
    for i in 0..24 {
        let (c, done) = (c.clone(), done.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let a = args(&[("ms", 20.into()), ("text", format!("t{i}").into())]);
            let h = c.call_as_task("sleep", a, fast()).await.unwrap();
            let r = h.wait().await.expect("settled");
            done.borrow_mut().push(text_of(&r));
        });
    }
    eventually("all 24 tasks settled", || {
        let n = done.borrow().len();
        async move { n == 24 }
    })
    .await;
    let mut texts = done.borrow().clone();
    texts.sort();
    let mut want: Vec<String> = (0..24).map(|i| format!("t{i}")).collect();
    want.sort();
    assert_eq!(texts, want, "every task's own result");
    let (now, most) = *pending.borrow();
    assert_eq!(now, 0);
    // Never more than the cap; and the burst did run in parallel (the first slots are
    // taken in one go, before any reply can arrive, unless the machine stalls mid-way).
    assert!(
        (2..=3).contains(&most),
        "24 tasks started at once: at most 3 requests pending, got {most}"
    );
    assert_eq!(c.free_request_slots(), 3, "every slot given back");
    c.close().await;
}

/// Where a spawned request's outcome lands once it settles.
type Outcome = Rc<RefCell<Option<Result<JsValue, Error>>>>;

/// Start `tools/call` with `params` in the background, abortable through the controller.
fn spawn_call(c: &Client, params: JsValue) -> (web_sys::AbortController, Outcome) {
    let stop = web_sys::AbortController::new().unwrap();
    let out: Outcome = Rc::default();
    let (c, o, sig) = (c.clone(), out.clone(), stop.signal());
    wasm_bindgen_futures::spawn_local(async move {
        let ctl = Ctl {
            signal: Some(&sig),
            ..Ctl::default()
        };
        *o.borrow_mut() = Some(c.request("tools/call", params, ctl).await);
    });
    (stop, out)
}

#[wasm_bindgen_test]
async fn a_request_aborted_while_waiting_for_a_slot_rejects_at_once_and_frees_nothing() {
    let mut o = options();
    o.listen = false;
    o.max_concurrent_requests = 1;
    let c = Client::connect(sse_url(), o).await.unwrap();
    let call = |name: &str| args(&[("name", name.into()), ("arguments", args(&[]))]);
    // A plain call of `forever` holds the only slot until its own signal aborts.
    let (stop_a, a_out) = spawn_call(&c, call("forever"));
    eventually("the first request holds the slot", || {
        let free = c.free_request_slots();
        async move { free == 0 }
    })
    .await;
    // B waits for the slot; its abort must not wait for A.
    let (stop_b, b_out) = spawn_call(&c, call("echo"));
    sleep(0.0).await;
    assert!(b_out.borrow().is_none(), "B waits behind A");
    stop_b.abort();
    eventually("B rejected", || {
        let done = b_out.borrow().is_some();
        async move { done }
    })
    .await;
    assert!(
        matches!(b_out.borrow().as_ref(), Some(Err(Error::Aborted(_)))),
        "B is an abort"
    );
    assert!(a_out.borrow().is_none(), "A still holds the slot");
    assert_eq!(c.free_request_slots(), 0);
    // Once A ends, the slot comes back and a new request goes through.
    stop_a.abort();
    eventually("A aborted", || {
        let done = a_out.borrow().is_some();
        async move { done }
    })
    .await;
    assert_eq!(c.free_request_slots(), 1);
    let r = c.request("tools/call", call("echo"), Ctl::default()).await;
    assert!(r.is_ok(), "the freed slot serves the next request");
    c.close().await;
}

#[wasm_bindgen(inline_js = r#"
// A fetch that breaks the first held tasks/result stream right after it delivered the
// elicitation/create, and only once the GET stream has told the client that the task
// completed: the result never arrives on that stream, and nothing else is touched.
export function heldResultBreakingFetch() {
  const real = globalThis.fetch.bind(globalThis);
  const state = { broken: 0, results: 0, completedSeen: false, getOpen: false };
  let completed;
  const done = new Promise((r) => (completed = r));
  const dec = new TextDecoder();
  const enc = new TextEncoder();
  const f = async (input, init) => {
    const method = (init && init.method) || 'GET';
    const body = init && typeof init.body === 'string' ? init.body : '';
    const resp = await real(input, init);
    if (method === 'GET' && resp.body) {
      state.getOpen = resp.status === 200;
      const reader = resp.body.getReader();
      let text = '';
      const stream = new ReadableStream({
        async pull(c) {
          const { value, done: end } = await reader.read();
          if (end) return c.close();
          text += dec.decode(value, { stream: true });
          if (text.includes('notifications/tasks/status') && text.includes('"status":"completed"')) {
            state.completedSeen = true;
            completed();
          }
          c.enqueue(value);
        },
        cancel(r) { return reader.cancel(r).catch(() => {}); },
      });
      return new Response(stream, { status: resp.status, headers: resp.headers });
    }
    if (body.includes('"method":"tasks/result"')) state.results++;
    if (state.broken === 0 && body.includes('"method":"tasks/result"') && resp.body) {
      state.broken = 1;
      const reader = resp.body.getReader();
      let text = '';
      let passed = false;
      const stream = new ReadableStream({
        async pull(c) {
          if (passed) {
            await done;
            state.broken = 2;
            return c.error(new TypeError('network error (injected by the test)'));
          }
          const { value, done: end } = await reader.read();
          if (end) return c.close();
          text += dec.decode(value, { stream: true });
          const i = text.indexOf('elicitation/create');
          const stop = i < 0 ? -1 : text.indexOf('\n\n', i);
          if (stop >= 0) {
            passed = true;
            c.enqueue(enc.encode(text.slice(0, stop + 2)));
            reader.cancel().catch(() => {});
          }
        },
        cancel(r) { return reader.cancel(r).catch(() => {}); },
      });
      return new Response(stream, { status: resp.status, headers: resp.headers });
    }
    return resp;
  };
  return { fetch: f, state };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = heldResultBreakingFetch)]
    fn held_result_breaking_fetch() -> JsValue;
}

/// Issue 13's hang: the held `tasks/result` stream breaks (a network error) after it
/// delivered the elicitation and after the GET stream said the task completed. The
/// result must still arrive (through a fresh `tasks/result`), not hang.
#[wasm_bindgen_test]
async fn a_held_result_broken_after_completion_still_settles_with_the_result() {
    let rig = held_result_breaking_fetch();
    let state = get(&rig, "state");
    let handler =
        Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(|_: JsValue, _: JsValue| {
            let content = mcp_tasks_wasm::obj!(("name", "Grace".into()));
            mcp_tasks_wasm::obj!(("action", "accept".into()), ("content", content.into())).into()
        });
    let mut o = options();
    o.fetch = Some(get(&rig, "fetch").unchecked_into());
    o.on_elicitation = Some(handler.as_ref().unchecked_ref::<Function>().clone());
    let c = Client::connect(sse_url(), o).await.unwrap();
    // The server pushes statuses only on an open GET stream (the other tests share the
    // browser's six connections to this origin, so it may take a moment to open).
    for _ in 0..600 {
        if get(&state, "getOpen").as_bool() == Some(true) {
            break;
        }
        sleep(100.0).await;
    }
    assert_eq!(
        get(&state, "getOpen").as_bool(),
        Some(true),
        "the GET stream opened"
    );
    // Polls pushed out of the test's life: the status comes from the GET stream only.
    let mut opts = fast();
    opts.poll.min_interval_ms = 600_000;
    opts.poll.max_interval_ms = 600_000;
    let h = c.call_as_task("ask", args(&[]), opts).await.unwrap();
    // Race the result against 120 s, so a hang fails the test instead of stalling it
    // (generous: the other tests share the browser's six connections to this origin).
    let outcome: Rc<RefCell<Option<Result<JsValue, Error>>>> = Rc::default();
    let (o2, h2) = (outcome.clone(), h.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let r = h2.wait().await;
        *o2.borrow_mut() = Some(r);
    });
    for _ in 0..1200 {
        if outcome.borrow().is_some() {
            break;
        }
        sleep(100.0).await;
    }
    assert_eq!(
        get_f64(&state, "broken"),
        Some(2.0),
        "the held stream was broken after the completion was seen: {:?} {:?}",
        js_sys::JSON::stringify(&state),
        h.status()
    );
    assert_eq!(get(&state, "completedSeen").as_bool(), Some(true));
    assert_eq!(h.status(), TaskStatus::Completed);
    let r = outcome
        .borrow_mut()
        .take()
        .expect("result() settles within 120 s")
        .expect("with the tool's result");
    assert!(text_of(&r).contains("Grace"), "{}", text_of(&r));
    assert_eq!(
        h.polls(),
        0,
        "no tasks/get: completion came from the GET stream"
    );
    c.close().await;
}

// ---------------------------------------------------------------------------------------
// MCP 2026-07-28: negotiation, the stateless envelope, MRTR, mirrored parameters.

fn modern_url() -> String {
    match option_env!("MCP_TEST_MODERN") {
        Some(url) => url.to_string(),
        None => panic!("MCP_TEST_MODERN is not set: run the browser tests with `make test-wasm`"),
    }
}

fn modern_only_url() -> String {
    match option_env!("MCP_TEST_MODERN_ONLY") {
        Some(url) => url.to_string(),
        None => {
            panic!("MCP_TEST_MODERN_ONLY is not set: run the browser tests with `make test-wasm`")
        }
    }
}

#[wasm_bindgen(inline_js = r#"
// A fetch that records what each request sent: method, headers (lower-case names), body.
export function recordingFetch() {
  const real = globalThis.fetch.bind(globalThis);
  const sent = [];
  const f = (input, init) => {
    const headers = {};
    new Headers(init?.headers ?? {}).forEach((v, k) => { headers[k] = v; });
    let body = null;
    try { body = init?.body ? JSON.parse(init.body) : null; } catch { body = init.body; }
    sent.push({ method: init?.method ?? 'GET', headers, body });
    return real(input, init);
  };
  return { fetch: f, sent };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = recordingFetch)]
    fn recording_fetch() -> JsValue;
}

fn recorded(rig: &JsValue) -> Vec<JsValue> {
    Array::from(&get(rig, "sent")).iter().collect()
}

fn with_rig(rig: &JsValue) -> ClientOptions {
    let mut o = options();
    o.fetch = Some(get(rig, "fetch").unchecked_into());
    o
}

#[wasm_bindgen_test]
async fn auto_picks_2026_on_a_dual_server_and_2025_on_a_legacy_one() {
    for (url, want) in [
        (modern_url(), "2026-07-28"),
        (modern_only_url(), "2026-07-28"),
        (sse_url(), "2025-11-25"),
        (json_url(), "2025-11-25"),
    ] {
        let c = connect(&url).await;
        assert_eq!(c.protocol_version().as_deref(), Some(want), "{url}");
        let r = c
            .call_as_task("echo", args(&[("text", "era".into())]), fast())
            .await
            .unwrap_or_else(|e| panic!("{url}: {e:?}"));
        let r = r.wait().await.expect("echo");
        assert!(text_of(&r).contains("era"), "{url}: {}", text_of(&r));
        c.close().await;
    }
}

#[wasm_bindgen_test]
async fn a_pinned_2025_client_talks_to_the_dual_server_statelessly() {
    let mut o = options();
    o.version = mcp_tasks_wasm::transport::VersionChoice::Legacy;
    let c = Client::connect(modern_url(), o)
        .await
        .expect("legacy initialize");
    assert_eq!(c.protocol_version().as_deref(), Some("2025-11-25"));
    assert_eq!(
        c.session_id(),
        None,
        "the 2.x server answers initialize without a session"
    );
    let tools = js_sys::Array::from(&c.list_all_tools().await.unwrap());
    assert!(tools.length() > 0);
    c.close().await;
}

#[wasm_bindgen_test]
async fn modern_requests_carry_the_envelope_and_headers_and_nothing_of_a_session() {
    let rig = recording_fetch();
    let c = Client::connect(modern_url(), with_rig(&rig)).await.unwrap();
    let h = c
        .call_as_task("echo", args(&[("text", "hi".into())]), fast())
        .await
        .unwrap();
    h.wait().await.expect("echo");
    c.close().await;
    let sent = recorded(&rig);
    assert!(sent.len() >= 3, "discover, tools/list, tools/call");
    let mut saw_call = false;
    for s in &sent {
        let method = get_str(s, "method").unwrap_or_default();
        assert_eq!(method, "POST", "no GET stream, no DELETE in 2026-07-28");
        let headers = get(s, "headers");
        let body = get(s, "body");
        let rpc = get_str(&body, "method").unwrap_or_default();
        assert_eq!(
            get_str(&headers, "mcp-protocol-version").as_deref(),
            Some("2026-07-28")
        );
        assert_eq!(
            get_str(&headers, "mcp-method").as_deref(),
            Some(rpc.as_str())
        );
        assert!(get(&headers, "mcp-session-id").is_undefined());
        let meta = get(&get(&body, "params"), "_meta");
        assert_eq!(
            get_str(&meta, "io.modelcontextprotocol/protocolVersion").as_deref(),
            Some("2026-07-28"),
            "{rpc}"
        );
        assert!(get(&meta, "io.modelcontextprotocol/clientCapabilities").is_object());
        assert_eq!(
            get_str(&get(&meta, "io.modelcontextprotocol/clientInfo"), "name").as_deref(),
            Some("web-tests")
        );
        if rpc == "tools/call" {
            saw_call = true;
            assert_eq!(get_str(&headers, "mcp-name").as_deref(), Some("echo"));
        }
    }
    assert!(saw_call);
    assert_eq!(
        get_str(&get(&sent[0], "body"), "method").as_deref(),
        Some("server/discover")
    );
}

#[wasm_bindgen_test]
async fn a_mirrored_parameter_is_sent_as_a_header_in_base64_when_it_must() {
    let c = connect(&modern_url()).await;
    for (value, header) in [
        ("us-west1", "us-west1"),
        ("Hello, 世界", "=?base64?SGVsbG8sIOS4lueVjA==?="),
    ] {
        let h = c
            .call_as_task("region", args(&[("region", value.into())]), fast())
            .await
            .unwrap();
        let r = h.wait().await.expect("region");
        assert_eq!(
            text_of(&r),
            header,
            "what the server received for {value:?}"
        );
    }
    c.close().await;
}

#[wasm_bindgen_test]
async fn mrtr_asks_through_on_elicitation_and_fails_clearly_without_it() {
    let handler =
        Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(|_: JsValue, _: JsValue| {
            let content = mcp_tasks_wasm::obj!(("name", "Ada".into()));
            mcp_tasks_wasm::obj!(("action", "accept".into()), ("content", content.into())).into()
        });
    let mut o = options();
    o.on_elicitation = Some(handler.as_ref().unchecked_ref::<Function>().clone());
    let c = Client::connect(modern_url(), o).await.unwrap();
    let h = c.call_as_task("mrtr", args(&[]), fast()).await.unwrap();
    let r = h.wait().await.expect("mrtr");
    assert!(text_of(&r).contains("Hello, Ada!"), "{}", text_of(&r));
    c.close().await;
    let c = connect(&modern_url()).await;
    // Without onElicitation the client declares no elicitation capability: the server
    // refuses with -32021 naming it (the official SDK checks), or, if it asks anyway, the
    // client refuses clearly.
    match c.call_as_task("mrtr", args(&[]), fast()).await {
        Err(Error::Protocol(m)) => assert!(m.contains("onElicitation"), "{m}"),
        Err(Error::Rpc { code, data, .. }) => {
            assert_eq!(code, -32021.0);
            assert!(get(&get(&data, "requiredCapabilities"), "elicitation").is_object());
        }
        Err(other) => panic!("expected a clear error, got {other:?}"),
        Ok(_) => panic!("mrtr answered without a handler"),
    }
    c.close().await;
}

// The 2026-07-28 tasks extension in the browser.

#[wasm_bindgen_test]
async fn a_modern_task_is_followed_to_its_inline_result_and_input_goes_through_tasks_update() {
    let asked: Rc<RefCell<Vec<String>>> = Rc::default();
    let asked2 = asked.clone();
    let handler =
        Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(move |_: JsValue, ctx: JsValue| {
            asked2
                .borrow_mut()
                .push(get_str(&ctx, "relatedTaskId").unwrap_or_default());
            let content = mcp_tasks_wasm::obj!(("name", "Lin".into()));
            mcp_tasks_wasm::obj!(("action", "accept".into()), ("content", content.into())).into()
        });
    let rig = recording_fetch();
    let mut o = with_rig(&rig);
    o.on_elicitation = Some(handler.as_ref().unchecked_ref::<Function>().clone());
    let c = Client::connect(modern_url(), o).await.unwrap();
    assert_eq!(c.protocol_version().as_deref(), Some("2026-07-28"));
    let sleep_h = c
        .call_as_task("sleep", args(&[("ms", 300.into())]), fast())
        .await
        .unwrap();
    assert!(!sleep_h.local, "a real task");
    let r = sleep_h.wait().await.expect("sleep result");
    assert!(!text_of(&r).is_empty());
    assert_eq!(sleep_h.status(), TaskStatus::Completed);
    let ask = c.call_as_task("ask", args(&[]), fast()).await.unwrap();
    let r = ask.wait().await.expect("ask result");
    assert!(text_of(&r).contains("Hello, Lin!"), "{}", text_of(&r));
    assert_eq!(
        asked.borrow().clone(),
        vec![ask.task_id.clone()],
        "asked once, for this task"
    );
    c.close().await;
    let methods: Vec<String> = recorded(&rig)
        .iter()
        .filter_map(|s| get_str(&get(s, "body"), "method"))
        .collect();
    assert!(methods.iter().any(|m| m == "tasks/update"), "{methods:?}");
    assert!(!methods
        .iter()
        .any(|m| m == "tasks/result" || m == "tasks/list"));
    for s in recorded(&rig) {
        let body = get(&s, "body");
        let caps = get(
            &get(&get(&body, "params"), "_meta"),
            "io.modelcontextprotocol/clientCapabilities",
        );
        assert!(
            get(&get(&caps, "extensions"), "io.modelcontextprotocol/tasks").is_object(),
            "the tasks extension declared on {:?}",
            get_str(&body, "method")
        );
        if get_str(&body, "method").is_some_and(|m| m.starts_with("tasks/")) {
            let task = get_str(&get(&body, "params"), "taskId");
            assert_eq!(
                get_str(&get(&s, "headers"), "mcp-name"),
                task,
                "Mcp-Name is the task id"
            );
        }
    }
}
