//! MCP 2026-07-28, the stateless generation: no `initialize` and no session; every request
//! carries the protocol version, the client's capabilities and its info in `_meta`, and the
//! headers `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name`; `server/discover` tells
//! what the server is; results carry a `resultType`, and a `tools/call` may answer
//! `input_required` (multi round-trip requests, MRTR) before its result. Every wire
//! constant of this generation is defined here once, with the era probe's verdict (pure).
//!
//! Tasks in this generation are the extension `io.modelcontextprotocol/tasks`, declared on
//! every request: the server alone decides whether a `tools/call` becomes a task (a flat
//! `CreateTaskResult`), `tasks/get` returns the task with its result or error inline, and
//! input requests arrive in it, answered by `tasks/update`. There is no `tasks/result`,
//! no `tasks/list`, and `tasks/cancel` answers an empty, eventual acknowledgement.

use wasm_bindgen::JsValue;

use super::{decode_task, Called, Inbound, Json, TaskFields, Wire};
use crate::error::Error;
use crate::io::json::{get, get_str, is_object};
use crate::task::machine::{Caps, Reply, Request};

/// The protocol revision.
pub const PROTOCOL_VERSION: &str = "2026-07-28";

/// `_meta` key of the protocol version (every request).
pub const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key of the client's capabilities (every request).
pub const META_CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
/// `_meta` key of the client's info (every request).
pub const META_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
/// The tasks extension's identifier (client and server capabilities `extensions`).
pub const TASKS_EXTENSION: &str = "io.modelcontextprotocol/tasks";

/// `_meta` key of the server's info in a `DiscoverResult`.
pub const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// JSON-RPC error: the headers do not match the body.
pub const HEADER_MISMATCH: f64 = -32020.0;
/// JSON-RPC error: a capability the server requires was not declared.
pub const MISSING_CAPABILITY: f64 = -32021.0;
/// JSON-RPC error: the protocol version is not supported (`data.supported`).
pub const UNSUPPORTED_VERSION: f64 = -32022.0;
/// JSON-RPC error: method not found.
pub const METHOD_NOT_FOUND: f64 = -32601.0;
/// JSON-RPC error: unknown task (invalid params).
pub const TASK_NOT_FOUND: f64 = -32602.0;

/// Method names.
pub mod method {
    /// What the server is: versions, capabilities, info.
    pub const DISCOVER: &str = "server/discover";
    /// List the tools.
    pub const TOOLS_LIST: &str = "tools/list";
    /// Call a tool.
    pub const TOOLS_CALL: &str = "tools/call";
    /// A task, with its result inline when it is done (tasks extension).
    pub const TASKS_GET: &str = "tasks/get";
    /// Cancel a task (tasks extension).
    pub const TASKS_CANCEL: &str = "tasks/cancel";
    /// Answer a task's input requests (tasks extension).
    pub const TASKS_UPDATE: &str = "tasks/update";
    /// A long-lived stream of the notifications its filter names.
    pub const SUBSCRIPTIONS_LISTEN: &str = "subscriptions/listen";
    /// A followed task changed (the whole task, result inline).
    pub const TASKS_NOTIFICATION: &str = "notifications/tasks";
    /// The first message on a listen stream: which of the asked `taskIds` it carries.
    pub const LISTEN_ACK: &str = "notifications/subscriptions/acknowledged";
    /// Ask the person for input (an MRTR input request).
    pub const ELICITATION_CREATE: &str = "elicitation/create";
}

/// Headers of this generation.
pub mod header {
    /// The protocol version (equal to the `_meta` one).
    pub const PROTOCOL_VERSION: &str = "MCP-Protocol-Version";
    /// The JSON-RPC method.
    pub const METHOD: &str = "Mcp-Method";
    /// The tool name, resource URI, prompt name or task id the request is about.
    pub const NAME: &str = "Mcp-Name";
    /// Prefix of a mirrored tool parameter.
    pub const PARAM_PREFIX: &str = "Mcp-Param-";
}

/// `resultType` values.
pub mod result_type {
    /// The final result (also what a missing `resultType` means).
    pub const COMPLETE: &str = "complete";
    /// MRTR: the server needs input first.
    pub const INPUT_REQUIRED: &str = "input_required";
    /// Tasks extension: a task was created.
    pub const TASK: &str = "task";
}

/// Task fields in this generation (tasks extension).
pub const FIELDS: TaskFields = TaskFields {
    ttl: "ttlMs",
    poll_interval: "pollIntervalMs",
    inline: true,
};

/// The parameter a request's `Mcp-Name` header mirrors, by method.
pub fn name_param(m: &str) -> Option<&'static str> {
    match m {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" => Some("uri"),
        "tasks/get" | "tasks/update" | "tasks/cancel" => Some("taskId"),
        _ => None,
    }
}

/// The `inputRequests` map of an `input_required` result or task (MRTR and the tasks
/// extension share its shape).
pub fn input_requests(v: &JsValue) -> JsValue {
    get(v, "inputRequests")
}

/// Whether one input request asks for an elicitation (the only kind this client declares).
pub fn is_elicitation(request: &JsValue) -> bool {
    matches!(
        get_str(request, "method").as_deref(),
        Some(method::ELICITATION_CREATE)
    )
}

/// What a result's `resultType` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `complete`, or no `resultType` (an older server).
    Complete,
    /// `input_required` (MRTR).
    InputRequired,
    /// `task` (tasks extension).
    Task,
}

/// Read a result's `resultType`; an unknown value is an invalid response.
pub fn result_kind<J: Json>(result: &J) -> Result<Kind, Error> {
    // No `resultType` reads as `complete`.
    let Some(t) = result.field("resultType") else {
        return Ok(Kind::Complete);
    };
    Ok(match t.string().as_deref() {
        Some(result_type::COMPLETE) => Kind::Complete,
        Some(result_type::INPUT_REQUIRED) => Kind::InputRequired,
        Some(result_type::TASK) => Kind::Task,
        _ => return Err(Error::protocol("the server sent an unknown resultType")),
    })
}

/// How the era probe (`server/discover` sent the modern way) ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// A result: a `DiscoverResult`.
    Result,
    /// A JSON-RPC error in the body, with the HTTP status it came with and, for -32022,
    /// the versions the server lists in `data.supported`.
    Rpc {
        /// HTTP status.
        status: u16,
        /// JSON-RPC error code.
        code: f64,
        /// `data.supported` (-32022).
        supported: Vec<String>,
    },
    /// An HTTP status without a JSON-RPC error body.
    Http(u16),
    /// No response: a network error, or CORS refusing the modern headers.
    Network,
    /// No response in time.
    Timeout,
}

/// What the probe means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A modern server: go on with 2026-07-28.
    Modern,
    /// Probe once more (-32022 listing 2026-07-28: the suite expects a retry).
    Retry,
    /// A legacy server: `initialize` (2025-11-25).
    Legacy,
    /// Neither can be told: `connect()` fails (server errors, timeouts, 401/403).
    Fail,
}

/// The era verdict of a probe (the spec's Backward Compatibility rules): a recognized
/// modern error (-32020, -32021, -32022, or -32601 with 404) means modern; a 400, 404 or
/// 405 without one (or another 4xx, or a redirect, which is never followed), a JSON-RPC error with HTTP 200 (a stateless legacy server's unknown
/// method), or a network error (CORS refusing the modern headers) means legacy; 401/403
/// say nothing about the era, and 5xx or a timeout cannot be read: fail. `retried`: this
/// was already the second probe.
pub fn verdict(p: &Probe, retried: bool) -> Verdict {
    match p {
        Probe::Result => Verdict::Modern,
        Probe::Rpc {
            code, supported, ..
        } if *code == UNSUPPORTED_VERSION => {
            // One pass over the list for both versions.
            let (mut modern, mut legacy) = (false, false);
            for v in supported {
                modern |= v == PROTOCOL_VERSION;
                legacy |= v == super::v2025_11_25::PROTOCOL_VERSION;
            }
            if modern {
                if retried {
                    Verdict::Fail
                } else {
                    Verdict::Retry
                }
            } else if legacy {
                Verdict::Legacy
            } else {
                Verdict::Fail
            }
        }
        Probe::Rpc { status: 200, .. } => Verdict::Legacy,
        Probe::Rpc { code, .. } if *code == HEADER_MISMATCH || *code == MISSING_CAPABILITY => {
            Verdict::Modern
        }
        Probe::Rpc {
            status: 404, code, ..
        } if *code == METHOD_NOT_FOUND => Verdict::Modern,
        Probe::Rpc { status, .. } | Probe::Http(status) => match status {
            401 | 403 | 408 | 429 => Verdict::Fail,
            // A redirect is never followed: not a modern answer; initialize meets it too
            // if the server redirects everything.
            300..=499 => Verdict::Legacy,
            _ => Verdict::Fail,
        },
        Probe::Network => Verdict::Legacy,
        Probe::Timeout => Verdict::Fail,
    }
}

/// The 2026-07-28 adapter.
pub struct V2026;

impl Wire for V2026 {
    fn caps(&self) -> Caps {
        Caps {
            result_request: false,
            input_on_held_result: false,
        }
    }

    fn decode_reply(&self, _req: Request, v: JsValue) -> Result<Reply<JsValue, Error>, Error> {
        super::snapshot(&v, &FIELDS, true)
    }

    fn decode_snapshot(&self, v: &JsValue) -> Result<Reply<JsValue, Error>, Error> {
        super::snapshot(v, &FIELDS, false)
    }

    fn inbound(&self, m: &str) -> Inbound {
        match m {
            method::TASKS_NOTIFICATION => Inbound::Status,
            method::LISTEN_ACK => Inbound::ListenAck,
            _ => Inbound::Other,
        }
    }
}

/// Method and params of a stream of these tasks' notifications
/// (`subscriptions/listen`; 2025-11-25 has none: its notifications come on the
/// session's GET stream).
pub fn listen_request(task_ids: &[String]) -> (&'static str, JsValue) {
    let ids = js_sys::Array::new();
    for id in task_ids {
        ids.push(&id.into());
    }
    let filter = crate::obj!(("taskIds", ids.into()));
    let params = crate::obj!(("notifications", filter.into()));
    (method::SUBSCRIPTIONS_LISTEN, params.into())
}

/// Method and params that answer a task's input requests (`tasks/update`; in 2025-11-25
/// input arrives and is answered on a held request).
pub fn update_request(task_id: &str, responses: JsValue) -> (&'static str, JsValue) {
    let params = crate::obj!(("taskId", task_id.into()), ("inputResponses", responses));
    (method::TASKS_UPDATE, params.into())
}

/// Decode a tool call's final reply (after the MRTR loop): a flat `CreateTaskResult`
/// (the task's own fields at the top level), or the plain result.
pub fn decode_call(v: JsValue) -> Result<Called, Error> {
    result_kind(&v).and_then(|kind| match kind {
        Kind::Complete => Ok(Called::Result(v)),
        Kind::Task => decode_task(&v, &FIELDS).map(|info| Called::Task {
            info,
            raw: v,
            immediate: None,
        }),
        // The MRTR loop answers input_required before this.
        Kind::InputRequired => Err(Error::protocol("input_required after the input rounds")),
    })
}

/// Whether `v` is a `DiscoverResult` (an object with `supportedVersions`).
pub fn is_discover_result(v: &JsValue) -> bool {
    is_object(v) && js_sys::Array::is_array(&get(v, "supportedVersions"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rpc(status: u16, code: f64, supported: &[&str]) -> Probe {
        Probe::Rpc {
            status,
            code,
            supported: supported.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_probe_verdicts_follow_the_backward_compatibility_rules() {
        use Verdict::*;
        assert_eq!(verdict(&Probe::Result, false), Modern);
        assert_eq!(verdict(&rpc(400, HEADER_MISMATCH, &[]), false), Modern);
        assert_eq!(verdict(&rpc(400, MISSING_CAPABILITY, &[]), false), Modern);
        assert_eq!(verdict(&rpc(404, METHOD_NOT_FOUND, &[]), false), Modern);
        // -32022 listing this version: retry once (even though it was just sent), then fail.
        let v = rpc(400, UNSUPPORTED_VERSION, &["2026-07-28", "2025-11-25"]);
        assert_eq!(verdict(&v, false), Retry);
        assert_eq!(verdict(&v, true), Fail);
        // Only legacy versions: initialize.
        assert_eq!(
            verdict(&rpc(400, UNSUPPORTED_VERSION, &["2025-11-25"]), false),
            Legacy
        );
        assert_eq!(
            verdict(&rpc(400, UNSUPPORTED_VERSION, &["1999-01-01"]), false),
            Fail
        );
        // A stateless legacy server answers an unknown method with HTTP 200.
        assert_eq!(verdict(&rpc(200, METHOD_NOT_FOUND, &[]), false), Legacy);
        assert_eq!(verdict(&rpc(200, -32000.0, &[]), false), Legacy);
        // 4xx without a modern error body: legacy.
        assert_eq!(verdict(&rpc(400, -32000.0, &[]), false), Legacy);
        for s in [400, 404, 405, 300, 307] {
            assert_eq!(verdict(&Probe::Http(s), false), Legacy, "{s}");
        }
        // Nothing about the era: fail.
        for s in [401, 403, 408, 429, 500, 502, 503] {
            assert_eq!(verdict(&Probe::Http(s), false), Fail, "{s}");
        }
        assert_eq!(verdict(&Probe::Network, false), Legacy);
        assert_eq!(verdict(&Probe::Timeout, false), Fail);
    }

    #[test]
    fn result_types() {
        use serde_json::json;
        assert_eq!(result_kind(&json!({})).unwrap(), Kind::Complete);
        assert_eq!(
            result_kind(&json!({"resultType": "complete"})).unwrap(),
            Kind::Complete
        );
        assert_eq!(
            result_kind(&json!({"resultType": "input_required"})).unwrap(),
            Kind::InputRequired
        );
        assert_eq!(
            result_kind(&json!({"resultType": "task"})).unwrap(),
            Kind::Task
        );
        assert!(result_kind(&json!({"resultType": "later"})).is_err());
        assert!(result_kind(&json!({"resultType": 3})).is_err());
        assert_eq!(
            result_kind(&json!({"resultType": null})).unwrap(),
            Kind::Complete
        );
    }

    #[test]
    fn mcp_name_by_method() {
        assert_eq!(name_param("tools/call"), Some("name"));
        assert_eq!(name_param("tasks/get"), Some("taskId"));
        assert_eq!(name_param("resources/read"), Some("uri"));
        assert_eq!(name_param("tools/list"), None);
    }
}
