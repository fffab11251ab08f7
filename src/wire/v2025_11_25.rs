//! MCP 2025-11-25 and its experimental tasks: `tools/call` with a `task` param answered by
//! a nested `CreateTaskResult`, `tasks/get` polls, a blocking `tasks/result` that also
//! carries input requests (`elicitation/create` tagged with the related task) while the
//! task is `input_required`, `tasks/cancel` answered with the task, and
//! `notifications/tasks/status` on the session's GET stream. Every wire constant of this
//! generation is defined here once.

use wasm_bindgen::JsValue;

use super::{decode_task, Called, Inbound, Json, TaskFields, Wire};
use crate::error::Error;
use crate::io::json::{get, get_str, is_object};
use crate::task::machine::{Caps, Reply, Request};

/// The protocol revision.
pub const PROTOCOL_VERSION: &str = "2025-11-25";

/// `_meta` key naming the task a message belongs to.
pub const RELATED_TASK_KEY: &str = "io.modelcontextprotocol/related-task";

/// `_meta` key of the text a server may send for the model while the task runs.
pub const IMMEDIATE_RESPONSE_KEY: &str = "io.modelcontextprotocol/model-immediate-response";

/// JSON-RPC error code for an unknown (or expired) task: invalid params.
pub const TASK_NOT_FOUND: f64 = -32602.0;

/// Method names.
pub mod method {
    /// The handshake request.
    pub const INITIALIZE: &str = "initialize";
    /// The handshake's closing notification.
    pub const INITIALIZED: &str = "notifications/initialized";
    /// Liveness check, either way.
    pub const PING: &str = "ping";
    /// List the tools.
    pub const TOOLS_LIST: &str = "tools/list";
    /// Call a tool.
    pub const TOOLS_CALL: &str = "tools/call";
    /// A task's status.
    pub const TASKS_GET: &str = "tasks/get";
    /// A task's result (blocks until the task ends).
    pub const TASKS_RESULT: &str = "tasks/result";
    /// List the session's tasks.
    pub const TASKS_LIST: &str = "tasks/list";
    /// Cancel a task.
    pub const TASKS_CANCEL: &str = "tasks/cancel";
    /// A task's status changed.
    pub const TASK_STATUS: &str = "notifications/tasks/status";
    /// Progress of a request.
    pub const PROGRESS: &str = "notifications/progress";
    /// Ask the person for input.
    pub const ELICITATION_CREATE: &str = "elicitation/create";
}

/// Task fields in this generation.
pub const FIELDS: TaskFields = TaskFields {
    ttl: "ttl",
    poll_interval: "pollInterval",
    inline: false,
};

/// The 2025-11-25 adapter.
pub struct V2025;

impl Wire for V2025 {
    fn caps(&self) -> Caps {
        Caps {
            result_request: true,
            input_on_held_result: true,
        }
    }

    fn decode_reply(&self, req: Request, v: JsValue) -> Result<Reply<JsValue, Error>, Error> {
        match req {
            Request::Get => self.decode_snapshot(&v),
            Request::HeldResult | Request::Result => Ok(Reply::Result(v)),
        }
    }

    fn decode_snapshot(&self, v: &JsValue) -> Result<Reply<JsValue, Error>, Error> {
        super::snapshot(v, &FIELDS, false)
    }

    fn inbound(&self, m: &str) -> Inbound {
        match m {
            method::TASK_STATUS => Inbound::Status,
            method::PROGRESS => Inbound::Progress,
            _ => Inbound::Other,
        }
    }
}

/// The task a message belongs to (`_meta` related-task), if it says (2026-07-28 has no
/// such tag: a free function the client calls only in this generation).
pub fn related_task_id(params: &JsValue) -> Option<String> {
    // `get` reads `undefined` through anything that is not an object.
    get(&get(params, "_meta"), RELATED_TASK_KEY).text("taskId")
}

/// Method and params of one page of the server's task listing (`tasks/list`), when the
/// server offers one (per its capabilities `caps`); `None` otherwise (2026-07-28 has no
/// listing).
pub fn list_request(caps: &JsValue, cursor: Option<String>) -> Option<(&'static str, JsValue)> {
    if !is_object(&get(&get(caps, "tasks"), "list")) {
        return None;
    }
    Some((method::TASKS_LIST, super::cursor_params(cursor)))
}

/// Whether the server runs tool calls as tasks, from its capabilities
/// (`tasks.requests.tools.call`; `undefined` when unknown: assumed yes).
pub fn task_calls_supported(caps: &JsValue) -> bool {
    if caps.is_undefined() {
        return true;
    }
    is_object(&get(
        &get(&get(&get(caps, "tasks"), "requests"), "tools"),
        "call",
    ))
}

/// The params of a `tools/call` (2026-07-28's are the same without `task`: the server
/// decides); `task`: ask for a task (with this ttl, in ms). A free function, not a
/// method of each adapter: the client knows its generation.
pub fn call_params(
    name: &str,
    args: JsValue,
    task: Option<Option<f64>>,
    progress_token: &str,
) -> JsValue {
    let task_param = match task {
        Some(ttl) => crate::obj!(("ttl", ttl.map(JsValue::from).unwrap_or_default())).into(),
        None => JsValue::UNDEFINED,
    };
    let args = super::or_empty(args);
    crate::obj!(
        ("name", name.into()),
        ("arguments", args),
        ("task", task_param),
        (
            "_meta",
            crate::obj!(("progressToken", progress_token.into())).into(),
        ),
    )
    .into()
}

/// Decode a tool call's reply: a `CreateTaskResult`'s task, or the plain result.
pub fn decode_call(v: JsValue) -> Result<Called, Error> {
    let task = get(&v, "task");
    if !is_object(&task) {
        return Ok(Called::Result(v));
    }
    decode_task(&task, &FIELDS).map(|info| Called::Task {
        info,
        immediate: get_str(&get(&v, "_meta"), IMMEDIATE_RESPONSE_KEY),
        raw: task,
    })
}
