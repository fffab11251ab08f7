//! Tasks: [`Task`], its [`TaskStatus`] state machine, and the `tasks/*` requests and
//! results of revision 2025-11-25.
//!
//! This is the 2025-11-25 wire mapping; a later revision (where tasks became the
//! `io.modelcontextprotocol/tasks` extension) would get a module of its own beside it.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::jsonrpc::{JsonRpcNotification, JsonRpcRequest, McpNotification, McpRequest};
use super::meta::{self, Meta};
use super::methods;
use super::CallToolResult;

/// The status of a task. On the wire: `"working"`, `"input_required"`, `"completed"`,
/// `"failed"`, `"cancelled"`.
///
/// `completed`, `failed` and `cancelled` are terminal: a terminal status never changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    /// The request is being processed.
    Working,
    /// The task waits for input (an elicitation or sampling request it has queued).
    InputRequired,
    /// Done; the result is available through `tasks/result`.
    Completed,
    /// The request did not succeed (for a tool call this includes a result with
    /// `isError: true`); `tasks/result` gives the stored result or error.
    Failed,
    /// Cancelled before it finished.
    Cancelled,
}

impl TaskStatus {
    /// All five statuses, in the order of the specification.
    pub const ALL: [TaskStatus; 5] = [
        TaskStatus::Working,
        TaskStatus::InputRequired,
        TaskStatus::Completed,
        TaskStatus::Failed,
        TaskStatus::Cancelled,
    ];

    /// The wire spelling, e.g. `"input_required"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Working => "working",
            TaskStatus::InputRequired => "input_required",
            TaskStatus::Completed => "completed",
            TaskStatus::Failed => "failed",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// `completed`, `failed` or `cancelled`: the task is over and will not change again.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }

    /// `working` or `input_required`: the task is not over yet.
    pub const fn is_running(self) -> bool {
        !self.is_terminal()
    }

    /// The status a wire name stands for, if any (as [`FromStr`] reads it, without
    /// an error that owns a copy of the name: a caller with its own message needs none).
    pub fn from_name(s: &str) -> Option<TaskStatus> {
        Some(match s {
            "working" => TaskStatus::Working,
            "input_required" => TaskStatus::InputRequired,
            "completed" => TaskStatus::Completed,
            "failed" => TaskStatus::Failed,
            "cancelled" => TaskStatus::Cancelled,
            _ => return None,
        })
    }

    /// Whether a task may go from `self` to `to`.
    ///
    /// `working` → `input_required` | `completed` | `failed` | `cancelled`;
    /// `input_required` → `working` | `completed` | `failed` | `cancelled`;
    /// a terminal status goes nowhere. Staying in the same status (`from == to`) is
    /// allowed for every status: it is "no change" (a poll that saw nothing new), not a
    /// move.
    pub const fn can_transition_to(self, to: TaskStatus) -> bool {
        if self as u8 == to as u8 {
            return true;
        }
        !self.is_terminal()
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown task status string; it names the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseTaskStatusError {
    /// The string that is not a status.
    pub value: String,
}

impl fmt::Display for ParseTaskStatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A hostile peer may send a huge value: name it, but not all of it.
        const MAX: usize = 64;
        let shown = match self.value.char_indices().nth(MAX) {
            Some((cut, _)) => format!("{}...", &self.value[..cut]),
            None => self.value.clone(),
        };
        write!(
            f,
            "unknown task status {shown:?} (expected working, input_required, completed, failed or cancelled)"
        )
    }
}

impl std::error::Error for ParseTaskStatusError {}

impl FromStr for TaskStatus {
    type Err = ParseTaskStatusError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaskStatus::from_name(s).ok_or_else(|| ParseTaskStatusError {
            value: s.to_owned(),
        })
    }
}

impl TryFrom<&str> for TaskStatus {
    type Error = ParseTaskStatusError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl Serialize for TaskStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TaskStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = TaskStatus;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a task status string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TaskStatus, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// A task: the state of one task-augmented request, as the server reports it.
///
/// Unknown members are kept in [`extra`](Task::extra) and written back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The id the server gave the task; opaque.
    pub task_id: String,
    /// The current status.
    pub status: TaskStatus,
    /// Free text from the server about the status (display it as text, never as HTML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// When the task was created (RFC 3339 / ISO 8601).
    pub created_at: String,
    /// When the task last changed (RFC 3339 / ISO 8601).
    pub last_updated_at: String,
    /// How long the server keeps the task after creation, in ms; `None` is unlimited.
    /// Read from `null` or a missing member (some servers leave it out); always written,
    /// as `null` when `None`, because the schema requires the member.
    #[serde(default)]
    pub ttl: Option<u64>,
    /// The polling period the server suggests, in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<u64>,
    /// Members this type does not know, kept so they round-trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Task {
    /// A new `working` task whose `createdAt` and `lastUpdatedAt` are both `created_at`,
    /// with an unlimited ttl, no poll interval and no status message.
    pub fn with_timestamps(task_id: impl Into<String>, created_at: impl Into<String>) -> Self {
        let created_at = created_at.into();
        Task {
            task_id: task_id.into(),
            status: TaskStatus::Working,
            status_message: None,
            last_updated_at: created_at.clone(),
            created_at,
            ttl: None,
            poll_interval: None,
            extra: Map::new(),
        }
    }

    /// Whether the status is terminal (see [`TaskStatus::is_terminal`]).
    pub const fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }

    /// Whether the status is `working` or `input_required`.
    pub const fn is_running(&self) -> bool {
        self.status.is_running()
    }
}

/// The `task` member of task-augmented request params: asks the receiver to run the
/// request as a task.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskMetadata {
    /// How long to keep the task after creation, in ms; omitted when `None` (the
    /// server decides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
}

/// The reply to a task-augmented request: the new task, nested under `task`.
///
/// `_meta` may carry `io.modelcontextprotocol/model-immediate-response`
/// (see [`model_immediate_response`](CreateTaskResult::model_immediate_response)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateTaskResult {
    /// The task just created.
    pub task: Task,
    /// The result's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Members this type does not know, kept so they round-trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CreateTaskResult {
    /// A result for `task`, without `_meta`.
    pub fn new(task: Task) -> Self {
        CreateTaskResult {
            task,
            meta: None,
            extra: Map::new(),
        }
    }

    /// The `io.modelcontextprotocol/model-immediate-response` string of `_meta`, if any.
    pub fn model_immediate_response(&self) -> Option<&str> {
        self.meta.as_ref().and_then(meta::model_immediate_response)
    }
}

/// A task whose members sit flat at the top level, beside an optional `_meta`: the
/// result of `tasks/get` and `tasks/cancel` and the params of
/// `notifications/tasks/status` (schema: `Result & Task`, `NotificationParams & Task`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskWithMeta {
    /// The task (its unknown members are in [`Task::extra`]).
    #[serde(flatten)]
    pub task: Task,
    /// The `_meta` member.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl TaskWithMeta {
    /// `task` without `_meta`.
    pub fn new(task: Task) -> Self {
        TaskWithMeta { task, meta: None }
    }

    /// The task, dropping `_meta`.
    pub fn into_task(self) -> Task {
        self.task
    }
}

impl From<Task> for TaskWithMeta {
    fn from(task: Task) -> Self {
        TaskWithMeta::new(task)
    }
}

impl From<TaskWithMeta> for Task {
    fn from(t: TaskWithMeta) -> Self {
        t.task
    }
}

/// The result of `tasks/get`: the task's members, flat.
pub type GetTaskResult = TaskWithMeta;
/// The result of `tasks/cancel`: the task (normally already `cancelled`), flat.
pub type CancelTaskResult = TaskWithMeta;
/// The params of `notifications/tasks/status`: the task's members, flat.
pub type TaskStatusNotificationParams = TaskWithMeta;

/// The result of `tasks/result` for a task made by `tools/call`: exactly what the call
/// would have returned, with `_meta["io.modelcontextprotocol/related-task"]` set.
pub type GetTaskPayloadResult = CallToolResult;

/// Params of `tasks/get`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetTaskParams {
    /// The task to look up.
    pub task_id: String,
}

impl McpRequest for GetTaskParams {
    const METHOD: &'static str = methods::TASKS_GET;
    type Result = GetTaskResult;
}

/// Params of `tasks/result` (which blocks until the task is terminal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetTaskPayloadParams {
    /// The task whose result to fetch.
    pub task_id: String,
}

impl McpRequest for GetTaskPayloadParams {
    const METHOD: &'static str = methods::TASKS_RESULT;
    type Result = GetTaskPayloadResult;
}

/// Params of `tasks/cancel`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelTaskParams {
    /// The task to cancel.
    pub task_id: String,
}

impl McpRequest for CancelTaskParams {
    const METHOD: &'static str = methods::TASKS_CANCEL;
    type Result = CancelTaskResult;
}

/// Params of `tasks/list`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListTasksParams {
    /// The opaque `nextCursor` of the previous page; `None` for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The request's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl McpRequest for ListTasksParams {
    const METHOD: &'static str = methods::TASKS_LIST;
    type Result = ListTasksResult;
}

/// The result of `tasks/list`: one page of tasks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTasksResult {
    /// The tasks of this page.
    pub tasks: Vec<Task>,
    /// The opaque cursor of the next page; `None` on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// The result's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Members this type does not know, kept so they round-trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl McpNotification for TaskWithMeta {
    const METHOD: &'static str = methods::NOTIFICATION_TASKS_STATUS;
}

/// A `tasks/get` request.
pub type GetTaskRequest = JsonRpcRequest<GetTaskParams>;
/// A `tasks/result` request.
pub type GetTaskPayloadRequest = JsonRpcRequest<GetTaskPayloadParams>;
/// A `tasks/cancel` request.
pub type CancelTaskRequest = JsonRpcRequest<CancelTaskParams>;
/// A `tasks/list` request.
pub type ListTasksRequest = JsonRpcRequest<ListTasksParams>;
/// A `notifications/tasks/status` notification.
pub type TaskStatusNotification = JsonRpcNotification<TaskStatusNotificationParams>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_the_specification_table() {
        use TaskStatus::*;
        let allowed = [
            (Working, InputRequired),
            (Working, Completed),
            (Working, Failed),
            (Working, Cancelled),
            (InputRequired, Working),
            (InputRequired, Completed),
            (InputRequired, Failed),
            (InputRequired, Cancelled),
        ];
        for from in TaskStatus::ALL {
            for to in TaskStatus::ALL {
                let expected = from == to || allowed.contains(&(from, to));
                assert_eq!(from.can_transition_to(to), expected, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn terminal_statuses_never_move() {
        for from in [
            TaskStatus::Completed,
            TaskStatus::Failed,
            TaskStatus::Cancelled,
        ] {
            assert!(from.is_terminal() && !from.is_running());
            for to in TaskStatus::ALL {
                assert_eq!(from.can_transition_to(to), from == to);
            }
        }
        assert!(TaskStatus::Working.is_running());
        assert!(TaskStatus::InputRequired.is_running());
    }

    #[test]
    fn status_strings_round_trip_and_unknown_names_the_value() {
        for s in TaskStatus::ALL {
            assert_eq!(s.as_str().parse::<TaskStatus>(), Ok(s));
            assert_eq!(TaskStatus::try_from(s.as_str()), Ok(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        let err = "canceled".parse::<TaskStatus>().unwrap_err();
        assert_eq!(err.value, "canceled");
        assert!(err.to_string().contains("\"canceled\""), "{err}");
        let long = "x".repeat(10_000);
        assert!(long.parse::<TaskStatus>().unwrap_err().to_string().len() < 200);
    }

    #[test]
    fn with_timestamps_builds_a_fresh_working_task() {
        let t = Task::with_timestamps("t1", "2025-11-25T10:30:00Z");
        assert_eq!(t.task_id, "t1");
        assert_eq!(t.status, TaskStatus::Working);
        assert_eq!(t.created_at, t.last_updated_at);
        assert_eq!(t.ttl, None);
        assert_eq!(t.poll_interval, None);
        assert!(t.is_running() && !t.is_terminal());
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["ttl"], Value::Null);
        assert!(json.get("pollInterval").is_none());
    }
}
