//! The session's lifecycle: `initialize` and its capabilities, `notifications/initialized`,
//! `ping`, and the empty result.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::jsonrpc::{JsonRpcNotification, JsonRpcRequest, McpNotification, McpRequest};
use super::meta::Meta;
use super::methods;

/// The protocol revision this SDK speaks, sent in `initialize` and in the
/// `MCP-Protocol-Version` header.
pub const LATEST_PROTOCOL_VERSION: &str = "2025-11-25";

/// A capability flag: present (as an object, normally `{}`) when supported. Its members
/// are reserved and kept as they came.
pub type CapabilityFlag = Map<String, Value>;

/// An icon an implementation, tool or resource may be shown with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Icon {
    /// An `http(s):` or `data:` URI of the image (beware of SVG: it may hold script).
    pub src: String,
    /// The MIME type, when the source's is missing or generic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Sizes such as `"48x48"` or `"any"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizes: Option<Vec<String>>,
    /// `"light"` or `"dark"`: the background the icon is made for (kept as a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
}

/// Name and version of an MCP client or server (`clientInfo`, `serverInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Implementation {
    /// The programmatic name.
    pub name: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The version.
    pub version: String,
    /// What the implementation does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
    /// Icons to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icons: Option<Vec<Icon>>,
}

impl Implementation {
    /// An implementation with just a name and a version.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Implementation {
            name: name.into(),
            title: None,
            version: version.into(),
            description: None,
            website_url: None,
            icons: None,
        }
    }
}

/// A `{ listChanged? }` capability (server `prompts` and `tools`, client `roots`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListChangedCapability {
    /// Whether list-changed notifications are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
}

/// The server's `resources` capability.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourcesCapability {
    /// Whether `resources/subscribe` is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe: Option<bool>,
    /// Whether list-changed notifications are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
}

/// The server's `tasks.requests.tools` capability.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolsTaskCapability {
    /// Present when `tools/call` may carry `task`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<CapabilityFlag>,
}

/// The server's `tasks.requests`: which requests may be task-augmented.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerTaskRequests {
    /// Tool requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<ToolsTaskCapability>,
}

/// The server's `tasks` capability.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerTasksCapability {
    /// Present when `tasks/list` is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<CapabilityFlag>,
    /// Present when `tasks/cancel` is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<CapabilityFlag>,
    /// Which requests may be task-augmented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ServerTaskRequests>,
}

/// What a server supports. Unknown capabilities are kept in `extra`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerCapabilities {
    /// Non-standard capabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experimental: Option<Map<String, Value>>,
    /// Present when the server sends log messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<CapabilityFlag>,
    /// Present when the server offers argument completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completions: Option<CapabilityFlag>,
    /// Present when the server offers prompts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<ListChangedCapability>,
    /// Present when the server offers resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesCapability>,
    /// Present when the server offers tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<ListChangedCapability>,
    /// Present when the server supports task-augmented requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<ServerTasksCapability>,
    /// Capabilities this type does not know, kept so they round-trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ServerCapabilities {
    /// Whether `tools/call` may carry `task` (`tasks.requests.tools.call` is present).
    /// Without it a client must not send `task`.
    pub fn supports_task_tool_calls(&self) -> bool {
        self.tasks
            .as_ref()
            .and_then(|t| t.requests.as_ref())
            .and_then(|r| r.tools.as_ref())
            .is_some_and(|t| t.call.is_some())
    }

    /// Whether `tasks/list` is supported (`tasks.list` is present).
    pub fn supports_task_list(&self) -> bool {
        self.tasks.as_ref().is_some_and(|t| t.list.is_some())
    }

    /// Whether `tasks/cancel` is supported (`tasks.cancel` is present).
    pub fn supports_task_cancel(&self) -> bool {
        self.tasks.as_ref().is_some_and(|t| t.cancel.is_some())
    }
}

/// The client's `sampling` capability.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SamplingCapability {
    /// Present when `includeContext` is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<CapabilityFlag>,
    /// Present when tool use in sampling is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<CapabilityFlag>,
}

/// The client's `elicitation` capability. An empty object means form mode only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ElicitationCapability {
    /// Present when form-mode elicitation is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<CapabilityFlag>,
    /// Present when URL-mode elicitation is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<CapabilityFlag>,
}

/// The client's `tasks.requests.sampling` capability.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SamplingTaskCapability {
    /// Present when `sampling/createMessage` may carry `task`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_message: Option<CapabilityFlag>,
}

/// The client's `tasks.requests.elicitation` capability.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ElicitationTaskCapability {
    /// Present when `elicitation/create` may carry `task`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<CapabilityFlag>,
}

/// The client's `tasks.requests`: which server requests it can run as tasks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientTaskRequests {
    /// Sampling requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<SamplingTaskCapability>,
    /// Elicitation requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation: Option<ElicitationTaskCapability>,
}

/// The client's `tasks` capability: only for tasks the client itself would host.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientTasksCapability {
    /// Present when the client answers `tasks/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<CapabilityFlag>,
    /// Present when the client answers `tasks/cancel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<CapabilityFlag>,
    /// Which server requests may be task-augmented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ClientTaskRequests>,
}

/// What a client supports. Unknown capabilities are kept in `extra`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientCapabilities {
    /// Non-standard capabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experimental: Option<Map<String, Value>>,
    /// Present when the client offers roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roots: Option<ListChangedCapability>,
    /// Present when the client offers sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<SamplingCapability>,
    /// Present when the client answers `elicitation/create`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation: Option<ElicitationCapability>,
    /// Present when the client hosts tasks itself (a pure requestor leaves it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<ClientTasksCapability>,
    /// Capabilities this type does not know, kept so they round-trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ClientCapabilities {
    /// Declares form-mode elicitation support (`elicitation: { form: {} }`).
    pub fn with_form_elicitation(mut self) -> Self {
        self.elicitation
            .get_or_insert_with(ElicitationCapability::default)
            .form = Some(CapabilityFlag::new());
        self
    }
}

/// Params of `initialize`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeParams {
    /// The latest revision the client supports, normally [`LATEST_PROTOCOL_VERSION`].
    pub protocol_version: String,
    /// What the client supports.
    pub capabilities: ClientCapabilities,
    /// Who the client is.
    pub client_info: Implementation,
    /// The request's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl InitializeParams {
    /// Params for [`LATEST_PROTOCOL_VERSION`].
    pub fn new(capabilities: ClientCapabilities, client_info: Implementation) -> Self {
        InitializeParams {
            protocol_version: LATEST_PROTOCOL_VERSION.to_owned(),
            capabilities,
            client_info,
            meta: None,
        }
    }
}

impl McpRequest for InitializeParams {
    const METHOD: &'static str = methods::INITIALIZE;
    type Result = InitializeResult;
}

/// The result of `initialize`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeResult {
    /// The revision the server chose (the client must disconnect if it cannot speak it).
    pub protocol_version: String,
    /// What the server supports.
    pub capabilities: ServerCapabilities,
    /// Who the server is.
    pub server_info: Implementation,
    /// How to use the server (a hint for the model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// The result's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Members this type does not know, kept so they round-trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Params of `notifications/initialized` (only an optional `_meta`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InitializedParams {
    /// The notification's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl McpNotification for InitializedParams {
    const METHOD: &'static str = methods::NOTIFICATION_INITIALIZED;
}

/// Params of `ping` (only an optional `_meta`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PingParams {
    /// The request's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl McpRequest for PingParams {
    const METHOD: &'static str = methods::PING;
    type Result = EmptyResult;
}

/// A result without data (the answer to `ping`); whatever it holds is kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EmptyResult {
    /// The result's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Members this type does not know, kept so they round-trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An `initialize` request.
pub type InitializeRequest = JsonRpcRequest<InitializeParams>;
/// A `notifications/initialized` notification.
pub type InitializedNotification = JsonRpcNotification<InitializedParams>;
/// A `ping` request.
pub type PingRequest = JsonRpcRequest<PingParams>;
