//! Wire types of MCP revision 2025-11-25 (experimental tasks). Pure serde: nothing here
//! knows about wasm-bindgen, js-sys or web-sys.
//!
//! One file per area: [`jsonrpc`] (the envelope and [`JsonRpcMessage`]), [`task`]
//! (tasks and `tasks/*`), [`tools`] (`tools/list`, `tools/call`), [`content`] (content
//! blocks, [`CallToolResult`]), [`lifecycle`] (`initialize`, capabilities, `ping`),
//! [`notifications`], [`elicitation`], [`meta`] (the `_meta` keys) and [`methods`]
//! (method names). The main types are re-exported here.
//!
//! Conventions: camelCase on the wire; `Option` members are left out when `None`
//! (except `Task::ttl`, written as `null`); results and tasks keep unknown members in an
//! `extra` map so they round-trip; `_meta` is an opaque [`Meta`] object. Decoding never
//! panics: anything malformed is a `serde_json::Error`. No enum here is
//! `#[serde(untagged)]` (costly in wasm code size): unions are told apart by hand.
#![deny(missing_docs)]

pub mod content;
pub mod elicitation;
pub mod jsonrpc;
pub mod lifecycle;
pub mod meta;
pub mod methods;
pub mod notifications;
pub mod task;
pub mod tools;

pub use content::{
    Annotations, AudioContent, BlobResourceContents, CallToolResult, ContentBlock,
    EmbeddedResource, ImageContent, ResourceContents, ResourceLink, Role, TextContent,
    TextResourceContents,
};
pub use elicitation::{
    ElicitAction, ElicitRequest, ElicitRequestFormParams, ElicitRequestParams,
    ElicitRequestUrlParams, ElicitResult,
};
pub use jsonrpc::{
    JsonRpcError, JsonRpcErrorResponse, JsonRpcMessage, JsonRpcNotification, JsonRpcRequest,
    JsonRpcResultResponse, JsonRpcVersion, McpNotification, McpRequest, MessageKind, RequestId,
    INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, JSONRPC_VERSION, METHOD_NOT_FOUND,
    PARSE_ERROR, URL_ELICITATION_REQUIRED,
};
pub use lifecycle::{
    CapabilityFlag, ClientCapabilities, ClientTaskRequests, ClientTasksCapability,
    ElicitationCapability, ElicitationTaskCapability, EmptyResult, Icon, Implementation,
    InitializeParams, InitializeRequest, InitializeResult, InitializedNotification,
    InitializedParams, ListChangedCapability, PingParams, PingRequest, ResourcesCapability,
    SamplingCapability, SamplingTaskCapability, ServerCapabilities, ServerTaskRequests,
    ServerTasksCapability, ToolsTaskCapability, LATEST_PROTOCOL_VERSION,
};
pub use meta::{Meta, RelatedTaskMetadata, MODEL_IMMEDIATE_RESPONSE, RELATED_TASK};
pub use notifications::{
    CancelledNotification, CancelledNotificationParams, LoggingLevel, LoggingMessageNotification,
    LoggingMessageNotificationParams, ProgressNotification, ProgressNotificationParams,
    ProgressToken, ServerNotification,
};
pub use task::{
    CancelTaskParams, CancelTaskRequest, CancelTaskResult, CreateTaskResult, GetTaskParams,
    GetTaskPayloadParams, GetTaskPayloadRequest, GetTaskPayloadResult, GetTaskRequest,
    GetTaskResult, ListTasksParams, ListTasksRequest, ListTasksResult, ParseTaskStatusError, Task,
    TaskMetadata, TaskStatus, TaskStatusNotification, TaskStatusNotificationParams, TaskWithMeta,
};
pub use tools::{
    CallToolOrTaskResult, CallToolParams, CallToolRequest, ListToolsParams, ListToolsRequest,
    ListToolsResult, TaskSupport, Tool, ToolAnnotations, ToolExecution,
};
