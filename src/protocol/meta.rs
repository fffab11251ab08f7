//! The `_meta` object and the reserved keys this SDK reads and writes in it.
//!
//! `_meta` stays an opaque JSON object ([`Meta`]); the helpers here read or write the
//! few keys the tasks extension defines, and leave every other key untouched.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A `_meta` object: free-form keys, kept as they came so they round-trip.
pub type Meta = Map<String, Value>;

/// `_meta` key whose value is a [`RelatedTaskMetadata`] (`{ "taskId": ... }`): ties a
/// message (a `tasks/result` payload, an `elicitation/create` request, ...) to a task.
pub const RELATED_TASK: &str = "io.modelcontextprotocol/related-task";

/// `_meta` key of a [`CreateTaskResult`](super::CreateTaskResult): a string the host
/// may hand to the model at once, while the task keeps running.
pub const MODEL_IMMEDIATE_RESPONSE: &str = "io.modelcontextprotocol/model-immediate-response";

/// `_meta` key of request params that asks for `notifications/progress` with this token.
pub const PROGRESS_TOKEN: &str = "progressToken";

/// The task id under [`RELATED_TASK`], if present and well formed (an object with a
/// string `taskId`); anything else gives `None`.
pub fn related_task_id(meta: &Meta) -> Option<&str> {
    meta.get(RELATED_TASK)?.get("taskId")?.as_str()
}

/// The [`RELATED_TASK`] entry as a typed value, if present and well formed.
pub fn related_task(meta: &Meta) -> Option<RelatedTaskMetadata> {
    related_task_id(meta).map(|id| RelatedTaskMetadata {
        task_id: id.to_owned(),
    })
}

/// Sets the [`RELATED_TASK`] entry of `meta` to `{ "taskId": task_id }`, replacing any
/// earlier one.
pub fn set_related_task(meta: &mut Meta, task_id: &str) {
    let mut inner = Map::new();
    inner.insert("taskId".to_owned(), Value::String(task_id.to_owned()));
    meta.insert(RELATED_TASK.to_owned(), Value::Object(inner));
}

/// A new `_meta` object holding only the [`RELATED_TASK`] entry for `task_id`.
pub fn related_task_meta(task_id: &str) -> Meta {
    let mut meta = Meta::new();
    set_related_task(&mut meta, task_id);
    meta
}

/// The string under [`MODEL_IMMEDIATE_RESPONSE`], if present and a string.
pub fn model_immediate_response(meta: &Meta) -> Option<&str> {
    meta.get(MODEL_IMMEDIATE_RESPONSE)?.as_str()
}

/// The `progressToken` of request params' `_meta`, if present and a string or integer.
pub fn progress_token(meta: &Meta) -> Option<super::ProgressToken> {
    match meta.get(PROGRESS_TOKEN)? {
        Value::String(s) => Some(super::ProgressToken::String(s.clone())),
        Value::Number(n) => n.as_i64().map(super::ProgressToken::Number),
        _ => None,
    }
}

/// The value under `_meta["io.modelcontextprotocol/related-task"]`: ties a message to
/// a task. See [`related_task`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedTaskMetadata {
    /// The id of the task.
    pub task_id: String,
}
