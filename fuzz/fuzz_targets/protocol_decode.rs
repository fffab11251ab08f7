#![no_main]
//! The message decoders on arbitrary bytes: nothing panics, and whatever decodes encodes
//! again into JSON that decodes to the same value. A message that decodes goes on as a
//! Rust user's code would take it: a notification by its method, and the result or params
//! it carries through the result decoders (as `decode_all` does in
//! `tests/fuzz_bounded.rs`).

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use mcp_tasks_wasm::protocol::{
    CallToolOrTaskResult, CallToolResult, CreateTaskResult, ElicitRequest, ElicitResult,
    GetTaskResult, InitializeResult, JsonRpcErrorResponse, JsonRpcMessage, ListTasksResult,
    ListToolsResult, ServerCapabilities, ServerNotification, Task, TaskStatusNotification,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

fn roundtrip<T: DeserializeOwned + Serialize + PartialEq + Debug>(bytes: &[u8]) -> Option<T> {
    let v: T = serde_json::from_slice(bytes).ok()?;
    let text = serde_json::to_vec(&v).expect("a decoded value encodes");
    let again: T = serde_json::from_slice(&text).expect("its own encoding decodes");
    assert_eq!(again, v, "a round trip changed the value");
    Some(v)
}

fn decodes<T: DeserializeOwned>(bytes: &[u8]) {
    let _ = serde_json::from_slice::<T>(bytes);
}

/// The decoders of results and parts of them.
fn decode_results(bytes: &[u8]) {
    roundtrip::<Task>(bytes);
    roundtrip::<CallToolOrTaskResult>(bytes);
    roundtrip::<CreateTaskResult>(bytes);
    roundtrip::<GetTaskResult>(bytes);
    roundtrip::<ListTasksResult>(bytes);
    decodes::<CallToolResult>(bytes);
    decodes::<InitializeResult>(bytes);
    decodes::<ServerCapabilities>(bytes);
    decodes::<ListToolsResult>(bytes);
    decodes::<ElicitResult>(bytes);
}

fuzz_target!(|bytes: &[u8]| {
    if let Some(msg) = roundtrip::<JsonRpcMessage>(bytes) {
        let _ = (msg.kind(), msg.id(), msg.method());
        if let JsonRpcMessage::Notification(n) = &msg {
            let _ = ServerNotification::from_notification(n.clone());
        }
        let inner = match msg {
            JsonRpcMessage::Response(r) => Some(r.result),
            JsonRpcMessage::Request(r) => r.params,
            JsonRpcMessage::Notification(r) => r.params,
            JsonRpcMessage::Error(e) => e.error.data,
        };
        if let Some(v) = inner {
            decode_results(&serde_json::to_vec(&v).expect("a Value encodes"));
        }
    }
    decodes::<JsonRpcErrorResponse>(bytes);
    decodes::<TaskStatusNotification>(bytes);
    decodes::<ElicitRequest>(bytes);
    decode_results(bytes);
});
