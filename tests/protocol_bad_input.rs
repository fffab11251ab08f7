#![cfg(not(target_arch = "wasm32"))]
//! Bad input gives errors, never panics: wrong types, missing required members, unknown
//! statuses (the error names the value), truncated JSON, and a seeded fuzz-style loop
//! that mutates the specification's examples and decodes them into every type.

use std::fs;
use std::panic;

use mcp_tasks_wasm::protocol::{
    CallToolOrTaskResult, CallToolRequest, CallToolResult, CancelTaskRequest, ClientCapabilities,
    ContentBlock, CreateTaskResult, ElicitRequestParams, ElicitResult, GetTaskPayloadRequest,
    GetTaskRequest, GetTaskResult, InitializeResult, JsonRpcErrorResponse, JsonRpcMessage,
    JsonRpcNotification, JsonRpcResultResponse, ListTasksRequest, ListTasksResult, ListToolsResult,
    LoggingMessageNotificationParams, MessageKind, Meta, ProgressNotificationParams,
    RelatedTaskMetadata, RequestId, ResourceContents, ServerCapabilities, ServerNotification, Task,
    TaskMetadata, TaskStatus, TaskStatusNotification, TaskSupport, Tool,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/spec/2025-11-25/examples"
);

fn task_json() -> Value {
    json!({
        "taskId": "t1",
        "status": "working",
        "createdAt": "2025-11-25T10:30:00Z",
        "lastUpdatedAt": "2025-11-25T10:40:00Z",
        "ttl": 60000,
        "pollInterval": 5000
    })
}

fn decode_err<T: DeserializeOwned>(json: &Value) -> String {
    match serde_json::from_str::<T>(&json.to_string()) {
        Ok(_) => panic!("{} accepted {json}", std::any::type_name::<T>()),
        Err(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------- targeted cases

#[test]
fn an_unknown_status_is_an_error_that_names_the_value() {
    let mut t = task_json();
    t["status"] = json!("canceled");
    let err = decode_err::<Task>(&t);
    assert!(err.contains("canceled"), "{err}");
    let err = decode_err::<GetTaskResult>(&t);
    assert!(err.contains("canceled"), "{err}");
    let msg = json!({"jsonrpc": "2.0", "id": 1, "result": {"task": t}});
    let err = decode_err::<JsonRpcResultResponse<CreateTaskResult>>(&msg);
    assert!(err.contains("canceled"), "{err}");
    let err = decode_err::<JsonRpcResultResponse<CallToolOrTaskResult>>(&msg);
    assert!(err.contains("canceled"), "{err}");
    for wrong_case in ["Working", "WORKING", "input-required", "inputRequired", ""] {
        let err = serde_json::from_value::<TaskStatus>(json!(wrong_case)).unwrap_err();
        assert!(
            err.to_string().contains(&format!("{wrong_case:?}")),
            "{err}"
        );
    }
}

#[test]
fn a_status_of_the_wrong_type_is_an_error() {
    for bad in [
        json!(1),
        json!(null),
        json!(["working"]),
        json!({"working": null}),
        json!(true),
    ] {
        let mut t = task_json();
        t["status"] = bad;
        decode_err::<Task>(&t);
    }
}

#[test]
fn a_task_with_a_missing_required_member_is_an_error_naming_it() {
    for key in ["taskId", "status", "createdAt", "lastUpdatedAt"] {
        let mut t = task_json();
        t.as_object_mut().unwrap().remove(key);
        let err = decode_err::<Task>(&t);
        assert!(err.contains(key), "{key}: {err}");
    }
}

#[test]
fn task_members_of_the_wrong_type_are_errors() {
    let cases = [
        ("taskId", json!(42)),
        ("createdAt", json!(null)),
        ("lastUpdatedAt", json!({})),
        ("statusMessage", json!(7)),
        ("ttl", json!("60000")),
        ("ttl", json!(-1)),
        ("ttl", json!(1.5)),
        ("pollInterval", json!("fast")),
        ("pollInterval", json!(-5)),
    ];
    for (key, value) in cases {
        let mut t = task_json();
        t[key] = value;
        decode_err::<Task>(&t);
        decode_err::<GetTaskResult>(&t);
    }
    decode_err::<Task>(&json!([]));
    decode_err::<Task>(&json!("task"));
    decode_err::<Task>(&json!(null));
}

#[test]
fn ttl_missing_or_null_reads_as_unlimited() {
    let mut t = task_json();
    t["ttl"] = Value::Null;
    assert_eq!(serde_json::from_value::<Task>(t.clone()).unwrap().ttl, None);
    t.as_object_mut().unwrap().remove("ttl");
    let task: Task = serde_json::from_value(t).unwrap();
    assert_eq!(task.ttl, None);
    assert_eq!(serde_json::to_value(&task).unwrap()["ttl"], Value::Null);
}

#[test]
fn truncated_json_is_an_error_for_every_example_and_every_cut() {
    for (name, text) in examples() {
        let text = text.trim_end();
        for cut in 0..text.len() {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let part = &text[..cut];
            assert!(
                serde_json::from_str::<Value>(part).is_err(),
                "{name} cut at {cut} is complete JSON"
            );
            for (type_name, _, rejects) in DECODERS {
                assert!(
                    rejects(part.as_bytes()),
                    "{name} cut at {cut} decoded as {type_name}"
                );
            }
        }
    }
}

#[test]
fn json_rpc_messages_that_break_the_envelope_are_errors() {
    let bad = [
        json!({"jsonrpc": "1.0", "id": 1, "method": "ping"}),
        json!({"id": 1, "method": "ping"}),
        json!({"jsonrpc": 2.0, "id": 1, "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": null, "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": true, "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": 1.5, "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": [1], "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": 18446744073709551615u64, "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": 1, "method": 5}),
        json!({"jsonrpc": "2.0", "id": 1, "method": "x", "result": {}}),
        json!({"jsonrpc": "2.0", "id": 1, "result": {}, "error": {"code": 1, "message": "m"}}),
        json!({"jsonrpc": "2.0", "result": {}}),
        json!({"jsonrpc": "2.0", "id": null, "result": {}}),
        json!({"jsonrpc": "2.0", "id": 1}),
        json!({"jsonrpc": "2.0", "id": 1, "error": {"code": "x", "message": "m"}}),
        json!({"jsonrpc": "2.0", "id": 1, "error": {"message": "m"}}),
        json!({"jsonrpc": "2.0", "id": 1, "error": "boom"}),
        json!([{"jsonrpc": "2.0", "id": 1, "method": "ping"}]),
        json!("ping"),
        json!(null),
    ];
    for m in bad {
        decode_err::<JsonRpcMessage>(&m);
    }
}

#[test]
fn lenient_envelope_cases_decode() {
    let ok = |v: Value, kind: MessageKind| {
        let m: JsonRpcMessage =
            serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!(m.kind(), kind, "{v}");
        m
    };
    let m = ok(
        json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error"}}),
        MessageKind::Error,
    );
    assert_eq!(m.id(), None);
    ok(
        json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "x", "data": [1]}}),
        MessageKind::Error,
    );
    let m = ok(
        json!({"jsonrpc": "2.0", "id": 2.0, "method": "ping"}),
        MessageKind::Request,
    );
    assert_eq!(m.id(), Some(&RequestId::Number(2)));
    let m = ok(
        json!({"jsonrpc": "2.0", "id": "abc", "result": {}, "extra": 1}),
        MessageKind::Response,
    );
    assert_eq!(m.id(), Some(&RequestId::String("abc".into())));
    ok(
        json!({"jsonrpc": "2.0", "id": -7, "method": "ping", "params": null}),
        MessageKind::Request,
    );
    ok(
        json!({"jsonrpc": "2.0", "method": "notifications/progress"}),
        MessageKind::Notification,
    );
}

#[test]
fn the_reply_to_tools_call_is_told_apart_by_the_task_member() {
    let task =
        serde_json::from_value::<CallToolOrTaskResult>(json!({"task": task_json()})).unwrap();
    assert!(task.task().is_some());
    let plain = serde_json::from_value::<CallToolOrTaskResult>(json!({"content": []})).unwrap();
    assert!(plain.result().is_some());
    // Lenient: an empty result (a Python server's `tasks/result` of a cancelled task).
    let empty = serde_json::from_value::<CallToolOrTaskResult>(json!({})).unwrap();
    assert_eq!(empty.result().unwrap().content.len(), 0);
    // With `task`, the result must be a valid CreateTaskResult.
    for bad in [
        json!({"task": null}),
        json!({"task": 5}),
        json!({"task": {}}),
        json!({"task": {"taskId": "t"}, "content": []}),
    ] {
        decode_err::<CallToolOrTaskResult>(&bad);
    }
    decode_err::<CallToolOrTaskResult>(&json!({"content": "text"}));
    decode_err::<CallToolOrTaskResult>(&json!([]));
}

#[test]
fn content_blocks_reject_bad_shapes_and_keep_unknown_types() {
    for bad in [
        json!({"text": "no type"}),
        json!({"type": 3, "text": "x"}),
        json!({"type": "text"}),
        json!({"type": "text", "text": 5}),
        json!({"type": "image", "mimeType": "image/png"}),
        json!({"type": "audio", "data": "x"}),
        json!({"type": "resource_link", "uri": "u"}),
        json!({"type": "resource", "resource": {"uri": "u"}}),
        json!({"type": "resource", "resource": {"text": "t"}}),
        json!({"type": "text", "text": "x", "annotations": {"audience": ["robot"]}}),
        json!("text"),
    ] {
        decode_err::<ContentBlock>(&bad);
    }
    let other = json!({"type": "tool_use", "id": "u1", "name": "n", "input": {}});
    let block: ContentBlock = serde_json::from_value(other.clone()).unwrap();
    assert!(matches!(block, ContentBlock::Other(_)));
    assert_eq!(block.type_name(), "tool_use");
    assert_eq!(serde_json::to_value(&block).unwrap(), other);
    let both = json!({"uri": "u", "text": "t", "blob": "b"});
    assert!(matches!(
        serde_json::from_value::<ResourceContents>(both).unwrap(),
        ResourceContents::Text(_)
    ));
}

#[test]
fn tools_with_bad_task_support_or_schema_are_errors() {
    let tool = |execution: Value| json!({"name": "t", "inputSchema": {"type": "object"}, "execution": execution});
    let t: Tool = serde_json::from_value(tool(json!({}))).unwrap();
    assert_eq!(t.task_support(), TaskSupport::Forbidden);
    let t: Tool = serde_json::from_value(tool(json!({"taskSupport": "required"}))).unwrap();
    assert_eq!(t.task_support(), TaskSupport::Required);
    let err = decode_err::<Tool>(&tool(json!({"taskSupport": "sometimes"})));
    assert!(err.contains("sometimes"), "{err}");
    decode_err::<Tool>(&tool(json!({"taskSupport": 1})));
    decode_err::<Tool>(&json!({"name": "t"}));
    decode_err::<Tool>(&json!({"name": "t", "inputSchema": "object"}));
    decode_err::<ListToolsResult>(&json!({"tools": {}}));
    decode_err::<ListToolsResult>(&json!({"nextCursor": "c"}));
}

#[test]
fn elicitation_params_need_the_members_of_their_mode() {
    for bad in [
        json!({"message": "m"}),
        json!({"mode": "form", "message": "m"}),
        json!({"mode": "url", "message": "m", "url": "https://x"}),
        json!({"mode": "url", "message": "m", "elicitationId": "e"}),
        json!({"mode": "form", "requestedSchema": {}}),
        json!({"mode": 1, "message": "m", "requestedSchema": {}}),
    ] {
        decode_err::<ElicitRequestParams>(&bad);
    }
    let err = decode_err::<ElicitRequestParams>(&json!({"mode": "telepathy", "message": "m"}));
    assert!(err.contains("telepathy"), "{err}");
    decode_err::<ElicitResult>(&json!({"action": "maybe"}));
    decode_err::<ElicitResult>(&json!({}));
}

#[test]
fn other_required_members_are_enforced() {
    decode_err::<ListTasksResult>(&json!({"nextCursor": "c"}));
    decode_err::<ListTasksResult>(&json!({"tasks": [{"taskId": "t"}]}));
    decode_err::<CreateTaskResult>(&json!({"_meta": {}}));
    decode_err::<InitializeResult>(&json!({"protocolVersion": "2025-11-25", "capabilities": {}}));
    decode_err::<InitializeResult>(
        &json!({"protocolVersion": "2025-11-25", "capabilities": {}, "serverInfo": {"name": "s"}}),
    );
    decode_err::<ServerCapabilities>(&json!({"tasks": {"requests": {"tools": {"call": true}}}}));
    decode_err::<ProgressNotificationParams>(&json!({"progress": 1}));
    decode_err::<ProgressNotificationParams>(&json!({"progressToken": 1}));
    decode_err::<LoggingMessageNotificationParams>(&json!({"level": "info"}));
    decode_err::<LoggingMessageNotificationParams>(&json!({"level": "loud", "data": 1}));
    decode_err::<TaskMetadata>(&json!({"ttl": "1h"}));
    decode_err::<RelatedTaskMetadata>(&json!({}));
    decode_err::<GetTaskRequest>(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tasks/get", "params": {}}),
    );
    decode_err::<GetTaskRequest>(
        &json!({"jsonrpc": "2.0", "method": "tasks/get", "params": {"taskId": "t"}}),
    );
    decode_err::<JsonRpcErrorResponse>(&json!({"jsonrpc": "2.0", "id": 1}));
}

#[test]
fn server_notifications_are_typed_by_method_and_bad_params_are_errors() {
    let n: JsonRpcNotification = serde_json::from_value(json!({
        "jsonrpc": "2.0", "method": "notifications/tasks/status", "params": task_json()
    }))
    .unwrap();
    assert!(matches!(
        ServerNotification::from_notification(n).unwrap(),
        ServerNotification::TaskStatus(_)
    ));
    let n: JsonRpcNotification = serde_json::from_value(json!({
        "jsonrpc": "2.0", "method": "notifications/tasks/status", "params": {"status": "nope"}
    }))
    .unwrap();
    assert!(ServerNotification::from_notification(n).is_err());
    let n: JsonRpcNotification = serde_json::from_value(json!({
        "jsonrpc": "2.0", "method": "notifications/progress"
    }))
    .unwrap();
    assert!(ServerNotification::from_notification(n).is_err());
    let n: JsonRpcNotification = serde_json::from_value(json!({
        "jsonrpc": "2.0", "method": "notifications/resources/updated", "params": {"uri": "u"}
    }))
    .unwrap();
    assert!(matches!(
        ServerNotification::from_notification(n).unwrap(),
        ServerNotification::Other(_)
    ));
}

#[test]
fn deeply_nested_input_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let nested = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{{\"content\":[],\"structuredContent\":{}{}}}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    // Types that keep the value hit serde_json's recursion limit (an error); types that
    // skip it may accept the document. Neither may overflow the stack.
    assert!(serde_json::from_str::<JsonRpcMessage>(&nested).is_err());
    assert!(serde_json::from_str::<JsonRpcResultResponse<CallToolResult>>(&nested).is_err());
    for (name, check, _) in DECODERS {
        check(nested.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

// ---------------------------------------------------------------- fuzz-style loop

/// Decodes `bytes` as `T`. An error is fine; a success must encode, and encoding then
/// decoding again must be stable (same JSON).
fn check<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Result<(), String> {
    let Ok(value) = serde_json::from_slice::<T>(bytes) else {
        return Ok(());
    };
    let once =
        serde_json::to_string(&value).map_err(|e| format!("decoded but cannot encode: {e}"))?;
    let again: T = serde_json::from_str(&once)
        .map_err(|e| format!("own output {once} does not decode: {e}"))?;
    let twice = serde_json::to_string(&again).map_err(|e| format!("cannot encode again: {e}"))?;
    let (a, b): (Value, Value) = (
        serde_json::from_str(&once).unwrap(),
        serde_json::from_str(&twice).unwrap(),
    );
    if a != b {
        return Err(format!("not stable: {once} then {twice}"));
    }
    Ok(())
}

/// A type's name, its [`check`], and whether it rejects some input.
type Decoder = (
    &'static str,
    fn(&[u8]) -> Result<(), String>,
    fn(&[u8]) -> bool,
);

fn rejects<T: DeserializeOwned>(bytes: &[u8]) -> bool {
    serde_json::from_slice::<T>(bytes).is_err()
}

macro_rules! decoders {
    ($($name:literal => $t:ty),* $(,)?) => {
        &[$(($name, check::<$t>, rejects::<$t>)),*]
    };
}

const DECODERS: &[Decoder] = decoders![
    "JsonRpcMessage" => JsonRpcMessage,
    "CallToolRequest" => CallToolRequest,
    "GetTaskRequest" => GetTaskRequest,
    "GetTaskPayloadRequest" => GetTaskPayloadRequest,
    "ListTasksRequest" => ListTasksRequest,
    "CancelTaskRequest" => CancelTaskRequest,
    "TaskStatusNotification" => TaskStatusNotification,
    "Response<CreateTaskResult>" => JsonRpcResultResponse<CreateTaskResult>,
    "Response<GetTaskResult>" => JsonRpcResultResponse<GetTaskResult>,
    "Response<ListTasksResult>" => JsonRpcResultResponse<ListTasksResult>,
    "Response<CallToolResult>" => JsonRpcResultResponse<CallToolResult>,
    "Response<CallToolOrTaskResult>" => JsonRpcResultResponse<CallToolOrTaskResult>,
    "JsonRpcErrorResponse" => JsonRpcErrorResponse,
    "Task" => Task,
    "GetTaskResult" => GetTaskResult,
    "CreateTaskResult" => CreateTaskResult,
    "CallToolOrTaskResult" => CallToolOrTaskResult,
    "CallToolResult" => CallToolResult,
    "ListTasksResult" => ListTasksResult,
    "TaskMetadata" => TaskMetadata,
    "RelatedTaskMetadata" => RelatedTaskMetadata,
    "TaskStatus" => TaskStatus,
    "ServerCapabilities" => ServerCapabilities,
    "ClientCapabilities" => ClientCapabilities,
    "InitializeResult" => InitializeResult,
    "ContentBlock" => ContentBlock,
    "Tool" => Tool,
    "ListToolsResult" => ListToolsResult,
    "ElicitRequestParams" => ElicitRequestParams,
    "ElicitResult" => ElicitResult,
    "ProgressNotificationParams" => ProgressNotificationParams,
    "LoggingMessageNotificationParams" => LoggingMessageNotificationParams,
    "Meta" => Meta,
    "RequestId" => RequestId,
];

/// A tiny xorshift64* generator: the loop is the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn examples() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(EXAMPLES)
        .unwrap_or_else(|e| panic!("{EXAMPLES}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty());
    out
}

/// Values of every JSON type, including ones the types care about.
fn value_pool() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(1e300),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(""),
        json!("x"),
        json!("2.0"),
        json!("working"),
        json!("input_required"),
        json!("cancelled"),
        json!("canceled"),
        json!("text"),
        json!("url"),
        json!("resource"),
        json!("\u{0}\u{ffff}é"),
        json!("x".repeat(300)),
        json!([]),
        json!([1, "a", null]),
        json!({}),
        json!({"taskId": "t"}),
        json!({"type": "text", "text": "t"}),
        task_json(),
    ]
}

const KEYS: &[&str] = &[
    "task",
    "method",
    "id",
    "result",
    "error",
    "params",
    "_meta",
    "type",
    "ttl",
    "status",
    "taskId",
    "content",
    "mode",
    "jsonrpc",
    "tasks",
    "nextCursor",
    "isError",
    "text",
    "resource",
];

/// Replaces, removes or adds one member somewhere in `v`.
fn mutate_value(v: &mut Value, rng: &mut XorShift, pool: &[Value]) {
    // Walk down a random path, stopping at random.
    let mut node = v;
    loop {
        let go_deeper = rng.below(3) != 0;
        let child_count = match node {
            Value::Object(m) => m.len(),
            Value::Array(a) => a.len(),
            _ => 0,
        };
        if !go_deeper || child_count == 0 {
            break;
        }
        let i = rng.below(child_count);
        node = match node {
            Value::Object(m) => m.values_mut().nth(i).unwrap(),
            Value::Array(a) => &mut a[i],
            _ => unreachable!(),
        };
    }
    match (rng.below(3), &mut *node) {
        (0, Value::Object(m)) if !m.is_empty() => {
            let key = m.keys().nth(rng.below(m.len())).unwrap().clone();
            m.remove(&key);
        }
        (1, Value::Object(m)) => {
            m.insert((*rng.pick(KEYS)).to_owned(), rng.pick(pool).clone());
        }
        _ => *node = rng.pick(pool).clone(),
    }
}

const TOKENS: &[&[u8]] = &[
    b"null",
    b"\"x\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"-1",
    b"1e999",
    b"\"input_required\"",
    b"\"\\ud800\"",
    b"\"task\":",
    b"0.0",
    b"\xff",
];

/// Damages the text: truncates, flips, deletes, duplicates or inserts bytes.
fn mutate_bytes(bytes: &mut Vec<u8>, rng: &mut XorShift) {
    if bytes.is_empty() {
        bytes.extend_from_slice(rng.pick::<&[u8]>(TOKENS));
        return;
    }
    let at = rng.below(bytes.len());
    match rng.below(5) {
        0 => bytes.truncate(at),
        1 => bytes[at] = (rng.next() & 0xff) as u8,
        2 => {
            let end = (at + 1 + rng.below(8)).min(bytes.len());
            bytes.drain(at..end);
        }
        3 => {
            let end = (at + 1 + rng.below(16)).min(bytes.len());
            let chunk = bytes[at..end].to_vec();
            bytes.splice(at..at, chunk);
        }
        _ => {
            let token: &[u8] = rng.pick::<&[u8]>(TOKENS);
            bytes.splice(at..at, token.iter().copied());
        }
    }
}

/// Decodes `bytes` with every decoder, turning a panic into a failure that shows the
/// input.
fn decode_everything(bytes: &[u8]) {
    for (name, check, _) in DECODERS {
        let outcome = panic::catch_unwind(|| check(bytes));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(problem)) => panic!(
                "{name}: {problem}\ninput: {}",
                String::from_utf8_lossy(bytes)
            ),
            Err(_) => panic!(
                "{name} panicked on input: {}",
                String::from_utf8_lossy(bytes)
            ),
        }
    }
}

#[test]
fn seeded_mutations_of_the_examples_never_panic_and_decode_stably() {
    let examples = examples();
    let pool = value_pool();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    // Unmutated examples and their interesting parts first.
    for (_, text) in &examples {
        decode_everything(text.as_bytes());
    }
    for _ in 0..3000 {
        let (_, text) = rng.pick(&examples);
        let mut doc: Value = serde_json::from_str(text).unwrap();
        if rng.below(2) == 0 {
            for _ in 0..=rng.below(3) {
                mutate_value(&mut doc, &mut rng, &pool);
            }
        }
        let mut bytes = serde_json::to_vec(&doc).unwrap();
        if rng.below(2) == 0 {
            for _ in 0..=rng.below(3) {
                mutate_bytes(&mut bytes, &mut rng);
            }
        }
        decode_everything(&bytes);
        // Also feed the inner objects (a result, params, a task) to every type.
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
            for pointer in [
                "/result",
                "/params",
                "/result/task",
                "/capabilities",
                "/result/tasks/0",
                "/result/content/0",
            ] {
                if let Some(inner) = v.pointer(pointer) {
                    decode_everything(&serde_json::to_vec(inner).unwrap());
                }
            }
        }
    }
}
