//! Wire adapters: one module per protocol generation, behind the [`Wire`] trait the task
//! engine talks to. Everything a generation decides lives in its module: method names,
//! params, `_meta` keys, how a task, a result and an error are decoded, which error codes
//! mean "gone", how input reaches the person, and what the task machine may rely on
//! ([`Caps`]).
//!
//! Today: [`v2025_11_25`] (experimental tasks in the core protocol). The 2026-07-28 tasks
//! extension fits the same trait: results inline in `tasks/get` (`Caps::result_request`
//! false), no held request, `tasks/cancel` answered by an empty ack.
//!
//! Decoders are written over [`Json`], so the same code reads a JS value in the wasm
//! build and a `serde_json::Value` in the native tests that feed it the spec's examples.

pub mod headers;
pub mod v2025_11_25;
pub mod v2026_07_28;

use wasm_bindgen::JsValue;

pub use crate::io::json::Json;

use crate::error::Error;
use crate::io::json::{get, get_f64, get_str, is_object};
use crate::protocol::TaskSupport;
use crate::task::machine::{Caps, Failure, Reply, Request};
use crate::task::model::{TaskInfo, TaskStatus};

/// What a `tools/call` answered.
pub enum Called {
    /// A task was created: its snapshot, its raw object, and the text for the model the
    /// server may send with it.
    Task {
        /// The normalized snapshot.
        info: TaskInfo,
        /// The raw task object.
        raw: JsValue,
        /// `model-immediate-response`, if any.
        immediate: Option<String>,
    },
    /// The tool ran as a plain call: its result.
    Result(JsValue),
}

/// Messages from the server that the task engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbound {
    /// A task's status changed (params: the task).
    Status,
    /// Progress of a call or a task.
    Progress,
    /// A notification stream accepted these tasks (params: the acknowledgement).
    ListenAck,
    /// Something else.
    Other,
}

/// One protocol generation, as the task engine needs it.
pub trait Wire {
    /// What the task machine may rely on.
    fn caps(&self) -> Caps;
    /// Decode the reply to one of the machine's requests.
    fn decode_reply(&self, req: Request, v: JsValue) -> Result<Reply<JsValue, Error>, Error>;
    /// Decode a task snapshot that arrived on its own (a status notification's params,
    /// a cancel's reply).
    fn decode_snapshot(&self, v: &JsValue) -> Result<Reply<JsValue, Error>, Error>;
    /// What an incoming notification is.
    fn inbound(&self, method: &str) -> Inbound;
}

/// The params of a page of a listing (`tools/list`, `tasks/list`) from `cursor` (none:
/// the first page): one copy for the client's listings and the task sweep's.
pub fn cursor_params(cursor: Option<String>) -> JsValue {
    crate::obj!(("cursor", cursor.map(JsValue::from).unwrap_or_default())).into()
}

/// What a tool allows, in both generations (`execution.taskSupport`; absent or unknown:
/// forbidden): one function, not a method of each adapter.
pub fn task_support(tool: &JsValue) -> TaskSupport {
    match get_str(&get(tool, "execution"), "taskSupport").as_deref() {
        Some("required") => TaskSupport::Required,
        Some("optional") => TaskSupport::Optional,
        _ => TaskSupport::Forbidden,
    }
}

/// The JSON-RPC code of an unknown (or expired) task: invalid params, the same in both
/// generations (each adapter's `TASK_NOT_FOUND`).
const TASK_NOT_FOUND: f64 = v2025_11_25::TASK_NOT_FOUND;
const _: () = assert!(TASK_NOT_FOUND == v2026_07_28::TASK_NOT_FOUND);

/// What a failed request means for a task (both generations): aborted, gone (the server
/// does not know the task), transient (network, timeout, 408, 425, 429, 5xx, a cut
/// reply) or fatal.
pub fn classify(e: &Error) -> Failure {
    match e {
        Error::Aborted(_) => Failure::Aborted,
        Error::Rpc { code, .. } if *code == TASK_NOT_FOUND => Failure::Gone,
        e if e.is_transient() => Failure::Transient {
            retry_after_ms: e.retry_after_ms(),
        },
        _ => Failure::Fatal,
    }
}

/// `e` as [`Error::TaskNotFound`] when it says the server does not know `task_id`.
pub fn not_found(task_id: &str, e: Error) -> Error {
    if classify(&e) == Failure::Gone {
        Error::TaskNotFound {
            task_id: task_id.into(),
            error: Box::new(e),
        }
    } else {
        e
    }
}

/// The params of a request about one task: `{ taskId }` (both generations).
pub fn task_id_params(task_id: &str) -> JsValue {
    crate::obj!(("taskId", task_id.into())).into()
}

/// Method and params of one of the machine's requests, in both generations: `tasks/get`,
/// or 2025-11-25's `tasks/result` (2026-07-28's [`Caps`] never ask for a result request:
/// its results come inline in `tasks/get`).
pub fn task_request(req: Request, task_id: &str) -> (&'static str, JsValue) {
    use v2025_11_25::method;
    let m = match req {
        Request::Get => method::TASKS_GET,
        Request::HeldResult | Request::Result => method::TASKS_RESULT,
    };
    (m, task_id_params(task_id))
}

/// Method and params that cancel a task: `tasks/cancel` `{ taskId }`, the same in both
/// generations.
pub fn cancel_request(task_id: &str) -> (&'static str, JsValue) {
    (v2025_11_25::method::TASKS_CANCEL, task_id_params(task_id))
}

/// Tool arguments as sent: `{}` when the caller gave none (`undefined` or `null`).
pub fn or_empty(args: JsValue) -> JsValue {
    if args.is_undefined() || args.is_null() {
        crate::obj!().into()
    } else {
        args
    }
}

/// Field names of a task object in one generation.
pub struct TaskFields {
    /// The ttl member (`ttl` or `ttlMs`).
    pub ttl: &'static str,
    /// The poll interval member (`pollInterval` or `pollIntervalMs`).
    pub poll_interval: &'static str,
    /// Whether a finished task carries its result or error inline (2026-07-28).
    pub inline: bool,
}

/// A task as it came, as a reply (both generations: one copy). With `fields.inline`
/// (2026-07-28), a finished task's result or error is its outcome; `asked`: the reply
/// to a `tasks/get`, which must then carry a finished task's result.
pub fn snapshot(
    v: &JsValue,
    fields: &TaskFields,
    asked: bool,
) -> Result<Reply<JsValue, Error>, Error> {
    // The decoder's error passed on as it is (a map, not a `?`: no error moved).
    decode_task(v, fields).and_then(|info| {
        // On the status itself, not its name: string compares for what a match tells.
        let terminal = match info.status {
            _ if !fields.inline => None,
            TaskStatus::Completed => {
                let result = get(v, "result");
                if is_object(&result) {
                    Some(Ok(result))
                } else if asked {
                    // Asked and not given: a transient fault, retried within the budget.
                    return Err(Error::protocol(
                        "tasks/get gave a completed task without its result",
                    ));
                } else {
                    // A notification may leave it out: the machine asks tasks/get for it.
                    None
                }
            }
            TaskStatus::Failed => {
                let e = get(v, "error");
                Some(Err(Error::Rpc {
                    code: get_f64(&e, "code").unwrap_or(-32603.0),
                    message: get_str(&e, "message").unwrap_or_default(),
                    data: get(&e, "data"),
                }))
            }
            _ => None,
        };
        Ok(Reply::Task {
            info,
            raw: v.clone(),
            terminal,
        })
    })
}

/// One message for every bad field of a Task: `"the server's Task <k><what>"`,
/// as the decoder's answer (built in its return slot: no error moved through a `Result`).
#[inline(never)]
fn bad_task(k: &str, what: &str) -> Result<TaskInfo, Error> {
    Err(Error::Protocol(crate::cat!("the server's Task ", k, what)))
}

/// What a missing or malformed string field of a Task is.
const NOT_TEXT: &str = " is missing or not a valid string";

/// The Task's optional non-negative number `k`: `Some(None)` when absent, `None` when bad.
#[inline(never)]
fn task_number<J: Json>(v: &J, k: &str) -> Option<Option<u64>> {
    match v.field(k) {
        None => Some(None),
        Some(x) => x
            .number()
            .filter(|n| *n >= 0.0 && n.is_finite())
            .map(|n| Some(n as u64)),
    }
}

/// Decode the normalized fields of a task object; unknown members are left to the raw
/// object. Never panics, whatever `v` is.
pub fn decode_task<J: Json>(v: &J, fields: &TaskFields) -> Result<TaskInfo, Error> {
    // By hand over the value: serde here would cost kilobytes of wasm for a few fields.
    // Fields read as `Option`s, the error built only on the way out: a `Result` per
    // field moved its 48-byte error on every step.
    if !v.is_object() {
        return Err(Error::protocol("the server's Task is not an object"));
    }
    let Some(status) = v.text("status") else {
        return bad_task("status", NOT_TEXT);
    };
    let Some(status) = TaskStatus::from_name(&status) else {
        return Err(Error::Protocol(crate::cat!(
            "the server sent an unknown task status \"",
            crate::error::quote_body(&status, 64),
            "\""
        )));
    };
    let m = v.field("statusMessage");
    let status_message = m.as_ref().and_then(Json::string);
    if m.is_some() && status_message.is_none() {
        return bad_task("statusMessage", " is not a string");
    }
    let Some(task_id) = v.text("taskId") else {
        return bad_task("taskId", NOT_TEXT);
    };
    let Some(created_at) = v.text("createdAt") else {
        return bad_task("createdAt", NOT_TEXT);
    };
    let Some(last_updated_at) = v.text("lastUpdatedAt") else {
        return bad_task("lastUpdatedAt", NOT_TEXT);
    };
    let Some(ttl_ms) = task_number(v, fields.ttl) else {
        return bad_task(fields.ttl, " is not a non-negative number");
    };
    let Some(poll_interval_ms) = task_number(v, fields.poll_interval) else {
        return bad_task(fields.poll_interval, " is not a non-negative number");
    };
    Ok(TaskInfo {
        task_id,
        created_at,
        status,
        status_message,
        last_updated_at,
        ttl_ms,
        poll_interval_ms,
    })
}
