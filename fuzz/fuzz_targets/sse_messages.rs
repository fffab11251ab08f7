#![no_main]
//! What the client does with a reply stream: SSE events, each event's data as a JSON-RPC
//! message, a result as a task or a tool result, a notification by its method. Nothing
//! may panic.

use libfuzzer_sys::fuzz_target;
use mcp_tasks_wasm::protocol::{CallToolOrTaskResult, JsonRpcMessage, ServerNotification, Task};
use mcp_tasks_wasm::sse::SseParser;

fuzz_target!(|bytes: &[u8]| {
    let mut parser = SseParser::with_max_event_bytes(1 << 20);
    let Ok(events) = parser.push(bytes) else {
        return;
    };
    let _ = parser.finish();
    for ev in events {
        let Ok(msg) = serde_json::from_str::<JsonRpcMessage>(&ev.data) else {
            continue;
        };
        match msg {
            JsonRpcMessage::Response(r) => {
                let _ = serde_json::from_value::<CallToolOrTaskResult>(r.result.clone());
                let _ = serde_json::from_value::<Task>(r.result);
            }
            JsonRpcMessage::Notification(n) => {
                let _ = ServerNotification::from_notification(n);
            }
            _ => {}
        }
    }
});
