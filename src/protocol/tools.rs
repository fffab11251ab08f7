//! Tools: [`Tool`] with its `execution.taskSupport`, `tools/list`, `tools/call` and the
//! reply of a (possibly) task-augmented call, [`CallToolOrTaskResult`].

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::content::CallToolResult;
use super::jsonrpc::{JsonRpcRequest, McpRequest};
use super::lifecycle::Icon;
use super::meta::Meta;
use super::methods;
use super::task::{CreateTaskResult, Task, TaskMetadata};

/// Whether a tool may, or must, be called as a task (`execution.taskSupport`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskSupport {
    /// Never send `task` (the default when absent).
    #[default]
    Forbidden,
    /// `task` may be sent (if the server has the capability).
    Optional,
    /// `task` must be sent.
    Required,
}

impl TaskSupport {
    /// The wire spelling: `"forbidden"`, `"optional"` or `"required"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskSupport::Forbidden => "forbidden",
            TaskSupport::Optional => "optional",
            TaskSupport::Required => "required",
        }
    }
}

/// A tool's `execution` member.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolExecution {
    /// Task support; `None` means [`TaskSupport::Forbidden`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_support: Option<TaskSupport>,
}

/// Hints about a tool's behaviour (never trust them from an untrusted server).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolAnnotations {
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The tool does not modify its environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    /// The tool may destroy things.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    /// Repeating a call with the same arguments has no further effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    /// The tool talks to an open world of external entities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

/// A tool the server offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    /// The name to call it by.
    pub name: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the tool does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON Schema of the arguments (an object schema); opaque.
    pub input_schema: Map<String, Value>,
    /// The JSON Schema of `structuredContent`, if declared; opaque.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Map<String, Value>>,
    /// Execution properties: task support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<ToolExecution>,
    /// Behaviour hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<ToolAnnotations>,
    /// Icons to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icons: Option<Vec<Icon>>,
    /// The tool's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Members this type does not know, kept so they round-trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Tool {
    /// `execution.taskSupport`, or [`TaskSupport::Forbidden`] when absent.
    pub fn task_support(&self) -> TaskSupport {
        self.execution
            .as_ref()
            .and_then(|e| e.task_support)
            .unwrap_or_default()
    }
}

/// Params of `tools/list`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListToolsParams {
    /// The opaque `nextCursor` of the previous page; `None` for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The request's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl McpRequest for ListToolsParams {
    const METHOD: &'static str = methods::TOOLS_LIST;
    type Result = ListToolsResult;
}

/// The result of `tools/list`: one page of tools.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListToolsResult {
    /// The tools of this page.
    pub tools: Vec<Tool>,
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

/// Params of `tools/call`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallToolParams {
    /// The tool's name.
    pub name: String,
    /// The arguments; opaque.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Map<String, Value>>,
    /// Present to run the call as a task (only if the server has
    /// `tasks.requests.tools.call` and the tool's task support is not `forbidden`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// The request's `_meta` (e.g. a `progressToken`).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl CallToolParams {
    /// A call of `name` without arguments, not as a task.
    pub fn new(name: impl Into<String>) -> Self {
        CallToolParams {
            name: name.into(),
            arguments: None,
            task: None,
            meta: None,
        }
    }

    /// The same call with these arguments.
    pub fn with_arguments(mut self, arguments: Map<String, Value>) -> Self {
        self.arguments = Some(arguments);
        self
    }

    /// The same call as a task, asking the server to keep it `ttl` ms (`None`: the
    /// server decides).
    pub fn as_task(mut self, ttl: Option<u64>) -> Self {
        self.task = Some(TaskMetadata { ttl });
        self
    }
}

impl McpRequest for CallToolParams {
    const METHOD: &'static str = methods::TOOLS_CALL;
    type Result = CallToolOrTaskResult;
}

/// The reply to `tools/call`: a [`CreateTaskResult`] when the server made a task, or a
/// plain [`CallToolResult`] (a server without the task capability ignores `task`).
///
/// Told apart by the presence of the `task` member: with it the result must decode as
/// a `CreateTaskResult`, without it as a `CallToolResult`.
#[derive(Clone, Debug, PartialEq)]
pub enum CallToolOrTaskResult {
    /// The server created a task.
    Task(CreateTaskResult),
    /// The server ran the call and answered at once.
    Result(CallToolResult),
}

impl CallToolOrTaskResult {
    /// The task, if the server made one.
    pub fn task(&self) -> Option<&Task> {
        match self {
            CallToolOrTaskResult::Task(t) => Some(&t.task),
            CallToolOrTaskResult::Result(_) => None,
        }
    }

    /// The immediate result, if the server answered without a task.
    pub fn result(&self) -> Option<&CallToolResult> {
        match self {
            CallToolOrTaskResult::Task(_) => None,
            CallToolOrTaskResult::Result(r) => Some(r),
        }
    }
}

impl Serialize for CallToolOrTaskResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            CallToolOrTaskResult::Task(t) => t.serialize(serializer),
            CallToolOrTaskResult::Result(r) => r.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for CallToolOrTaskResult {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        let is_task = map.contains_key("task");
        // The map moves into a `Value` (no copy) and is read once more as the result.
        let value = Value::Object(map);
        if is_task {
            CreateTaskResult::deserialize(value).map(CallToolOrTaskResult::Task)
        } else {
            CallToolResult::deserialize(value).map(CallToolOrTaskResult::Result)
        }
        .map_err(de::Error::custom)
    }
}

/// A `tools/list` request.
pub type ListToolsRequest = JsonRpcRequest<ListToolsParams>;
/// A `tools/call` request.
pub type CallToolRequest = JsonRpcRequest<CallToolParams>;
