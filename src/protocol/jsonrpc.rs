//! The JSON-RPC 2.0 envelope: requests, notifications, result and error responses, and
//! [`JsonRpcMessage`], which decodes any incoming message and says which kind it is.
//!
//! The envelopes are generic over their params/result so the same type serves a typed
//! message ([`JsonRpcRequest<CallToolParams>`](super::CallToolParams)) and an opaque one
//! (the default, [`serde_json::Value`]). Typed params implement [`McpRequest`] or
//! [`McpNotification`], which tie them to their method name.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// The value of every message's `jsonrpc` member.
pub const JSONRPC_VERSION: &str = "2.0";

/// Invalid JSON was received.
pub const PARSE_ERROR: i64 = -32700;
/// The JSON sent is not a valid request object. Also used by servers for "this tool
/// must be called as a task".
pub const INVALID_REQUEST: i64 = -32600;
/// The method does not exist or is not available.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Invalid method parameters: unknown or expired task id, bad cursor, cancelling a
/// terminal task.
pub const INVALID_PARAMS: i64 = -32602;
/// Internal JSON-RPC error.
pub const INTERNAL_ERROR: i64 = -32603;
/// MCP: the request needs a URL-mode elicitation to be completed first.
pub const URL_ELICITATION_REQUIRED: i64 = -32042;

/// Typed request params: the method they belong to and the result they expect.
pub trait McpRequest: Serialize {
    /// The JSON-RPC method name, e.g. `"tasks/get"`.
    const METHOD: &'static str;
    /// The type of the `result` of a successful response.
    type Result: DeserializeOwned;
}

/// Typed notification params: the method they belong to.
pub trait McpNotification: Serialize {
    /// The JSON-RPC method name, e.g. `"notifications/progress"`.
    const METHOD: &'static str;
}

/// The `jsonrpc: "2.0"` member. It has one value: decoding anything else is an error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct JsonRpcVersion;

impl Serialize for JsonRpcVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(JSONRPC_VERSION)
    }
}

impl<'de> Deserialize<'de> for JsonRpcVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = JsonRpcVersion;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the string \"2.0\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<JsonRpcVersion, E> {
                if v == JSONRPC_VERSION {
                    Ok(JsonRpcVersion)
                } else {
                    Err(E::invalid_value(Unexpected::Str(v), &self))
                }
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// A request id: a string or an integer, written back as the same type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestId {
    /// An integer id (`"id": 7`).
    Number(i64),
    /// A string id (`"id": "abc"`).
    String(String),
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::String(s) => f.write_str(s),
        }
    }
}

impl From<i64> for RequestId {
    fn from(n: i64) -> Self {
        RequestId::Number(n)
    }
}

impl From<String> for RequestId {
    fn from(s: String) -> Self {
        RequestId::String(s)
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        RequestId::String(s.to_owned())
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RequestId::Number(n) => serializer.serialize_i64(*n),
            RequestId::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RequestId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an integer that fits in 64 bits")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RequestId, E> {
                Ok(RequestId::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestId, E> {
                i64::try_from(v)
                    .map(RequestId::Number)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RequestId, E> {
                // `1.0` is an integer written by a JavaScript peer; `1.5` is not an id.
                if v.fract() == 0.0 && v >= i64::MIN as f64 && v < i64::MAX as f64 {
                    Ok(RequestId::Number(v as i64))
                } else {
                    Err(E::invalid_value(Unexpected::Float(v), &self))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestId, E> {
                Ok(RequestId::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<RequestId, E> {
                Ok(RequestId::String(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A request: expects a response with the same `id`.
///
/// Decoding a typed request (`P` other than `Value`) checks the params' shape, not that
/// `method` is `P::METHOD`: route by [`JsonRpcMessage::method`] first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JsonRpcRequest<P = Value> {
    /// Always `"2.0"`.
    pub jsonrpc: JsonRpcVersion,
    /// The id the response will carry.
    pub id: RequestId,
    /// The method name.
    pub method: String,
    /// The params; omitted from the JSON when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<P>,
}

impl<P: McpRequest> JsonRpcRequest<P> {
    /// A request for `params`, with the method name they belong to.
    pub fn new(id: impl Into<RequestId>, params: P) -> Self {
        JsonRpcRequest {
            jsonrpc: JsonRpcVersion,
            id: id.into(),
            method: P::METHOD.to_owned(),
            params: Some(params),
        }
    }
}

impl<P> JsonRpcRequest<P> {
    /// A request with an explicit method name and optional params.
    pub fn with_method(
        id: impl Into<RequestId>,
        method: impl Into<String>,
        params: Option<P>,
    ) -> Self {
        JsonRpcRequest {
            jsonrpc: JsonRpcVersion,
            id: id.into(),
            method: method.into(),
            params,
        }
    }
}

impl JsonRpcRequest<Value> {
    /// Decodes the opaque params into `P`; absent params decode as an empty object.
    pub fn parse_params<P: DeserializeOwned>(&self) -> Result<P, serde_json::Error> {
        parse_params(self.params.as_ref())
    }
}

/// A notification: like a request, but without an `id` and never answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JsonRpcNotification<P = Value> {
    /// Always `"2.0"`.
    pub jsonrpc: JsonRpcVersion,
    /// The method name.
    pub method: String,
    /// The params; omitted from the JSON when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<P>,
}

impl<P: McpNotification> JsonRpcNotification<P> {
    /// A notification for `params`, with the method name they belong to.
    pub fn new(params: P) -> Self {
        JsonRpcNotification {
            jsonrpc: JsonRpcVersion,
            method: P::METHOD.to_owned(),
            params: Some(params),
        }
    }
}

impl<P> JsonRpcNotification<P> {
    /// A notification with an explicit method name and optional params.
    pub fn with_method(method: impl Into<String>, params: Option<P>) -> Self {
        JsonRpcNotification {
            jsonrpc: JsonRpcVersion,
            method: method.into(),
            params,
        }
    }
}

impl JsonRpcNotification<Value> {
    /// Decodes the opaque params into `P`; absent params decode as an empty object.
    pub fn parse_params<P: DeserializeOwned>(&self) -> Result<P, serde_json::Error> {
        parse_params(self.params.as_ref())
    }
}

fn parse_params<P: DeserializeOwned>(params: Option<&Value>) -> Result<P, serde_json::Error> {
    match params {
        Some(v) => P::deserialize(v),
        None => P::deserialize(&Value::Object(serde_json::Map::new())),
    }
}

/// A successful response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JsonRpcResultResponse<R = Value> {
    /// Always `"2.0"`.
    pub jsonrpc: JsonRpcVersion,
    /// The id of the request this answers.
    pub id: RequestId,
    /// The result.
    pub result: R,
}

impl<R> JsonRpcResultResponse<R> {
    /// A response to request `id`.
    pub fn new(id: impl Into<RequestId>, result: R) -> Self {
        JsonRpcResultResponse {
            jsonrpc: JsonRpcVersion,
            id: id.into(),
            result,
        }
    }
}

impl JsonRpcResultResponse<Value> {
    /// Decodes the opaque result into `R`.
    pub fn parse_result<R: DeserializeOwned>(&self) -> Result<R, serde_json::Error> {
        R::deserialize(&self.result)
    }
}

/// The `error` member of an error response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JsonRpcError {
    /// The error code, e.g. [`INVALID_PARAMS`].
    pub code: i64,
    /// A short description.
    pub message: String,
    /// Extra information defined by the sender; omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl JsonRpcError {
    /// An error with this code and message and no data.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        JsonRpcError {
            code,
            message: message.into(),
            data: None,
        }
    }
}

impl fmt::Display for JsonRpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (JSON-RPC error {})", self.message, self.code)
    }
}

impl std::error::Error for JsonRpcError {}

/// An error response. `id` is `None` when the peer could not tell which request failed
/// (it came as `null` or was left out); it is then left out when written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JsonRpcErrorResponse {
    /// Always `"2.0"`.
    pub jsonrpc: JsonRpcVersion,
    /// The id of the request this answers, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<RequestId>,
    /// What went wrong.
    pub error: JsonRpcError,
}

impl JsonRpcErrorResponse {
    /// An error response to request `id` (or to an unknown request, with `None`).
    pub fn new(id: Option<RequestId>, error: JsonRpcError) -> Self {
        JsonRpcErrorResponse {
            jsonrpc: JsonRpcVersion,
            id,
            error,
        }
    }
}

/// Which of the four kinds a [`JsonRpcMessage`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// Has `method` and `id`.
    Request,
    /// Has `method`, no `id`.
    Notification,
    /// Has `result` and `id`.
    Response,
    /// Has `error`.
    Error,
}

/// Any JSON-RPC message, with opaque params and result.
///
/// Decoding classifies by the members present: `method` with an `id` is a request,
/// `method` without one a notification, `result` a response, `error` an error response.
/// A message that mixes them (`method` with `result`, `result` with `error`), a request
/// or result with a `null` id, a `jsonrpc` other than `"2.0"` or a batch (array) is a
/// decode error. Unknown top-level members are ignored.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonRpcMessage {
    /// A request.
    Request(JsonRpcRequest),
    /// A notification.
    Notification(JsonRpcNotification),
    /// A successful response.
    Response(JsonRpcResultResponse),
    /// An error response.
    Error(JsonRpcErrorResponse),
}

impl JsonRpcMessage {
    /// Which kind of message this is.
    pub fn kind(&self) -> MessageKind {
        match self {
            JsonRpcMessage::Request(_) => MessageKind::Request,
            JsonRpcMessage::Notification(_) => MessageKind::Notification,
            JsonRpcMessage::Response(_) => MessageKind::Response,
            JsonRpcMessage::Error(_) => MessageKind::Error,
        }
    }

    /// The id: a request's own, or the one a response answers (`None` for
    /// notifications and for error responses without an id).
    pub fn id(&self) -> Option<&RequestId> {
        match self {
            JsonRpcMessage::Request(r) => Some(&r.id),
            JsonRpcMessage::Response(r) => Some(&r.id),
            JsonRpcMessage::Error(e) => e.id.as_ref(),
            JsonRpcMessage::Notification(_) => None,
        }
    }

    /// The method name of a request or notification.
    pub fn method(&self) -> Option<&str> {
        match self {
            JsonRpcMessage::Request(r) => Some(&r.method),
            JsonRpcMessage::Notification(n) => Some(&n.method),
            _ => None,
        }
    }
}

impl From<JsonRpcRequest> for JsonRpcMessage {
    fn from(m: JsonRpcRequest) -> Self {
        JsonRpcMessage::Request(m)
    }
}

impl From<JsonRpcNotification> for JsonRpcMessage {
    fn from(m: JsonRpcNotification) -> Self {
        JsonRpcMessage::Notification(m)
    }
}

impl From<JsonRpcResultResponse> for JsonRpcMessage {
    fn from(m: JsonRpcResultResponse) -> Self {
        JsonRpcMessage::Response(m)
    }
}

impl From<JsonRpcErrorResponse> for JsonRpcMessage {
    fn from(m: JsonRpcErrorResponse) -> Self {
        JsonRpcMessage::Error(m)
    }
}

impl Serialize for JsonRpcMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JsonRpcMessage::Request(m) => m.serialize(serializer),
            JsonRpcMessage::Notification(m) => m.serialize(serializer),
            JsonRpcMessage::Response(m) => m.serialize(serializer),
            JsonRpcMessage::Error(m) => m.serialize(serializer),
        }
    }
}

/// Decodes a member that may be present with a `null` value: present → `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Every member any message kind may have; one pass, then classified by hand.
#[derive(Deserialize)]
struct RawMessage {
    jsonrpc: JsonRpcVersion,
    /// `None`: absent; `Some(None)`: `null`.
    #[serde(default, deserialize_with = "present")]
    id: Option<Option<RequestId>>,
    method: Option<String>,
    params: Option<Value>,
    /// `None`: absent; `Some(Value::Null)`: `null`.
    #[serde(default, deserialize_with = "present")]
    result: Option<Value>,
    error: Option<JsonRpcError>,
}

impl<'de> Deserialize<'de> for JsonRpcMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawMessage::deserialize(deserializer)?;
        let jsonrpc = raw.jsonrpc;
        if let Some(method) = raw.method {
            if raw.result.is_some() || raw.error.is_some() {
                return Err(de::Error::custom(
                    "JSON-RPC message has both `method` and `result`/`error`",
                ));
            }
            return match raw.id {
                None => Ok(JsonRpcMessage::Notification(JsonRpcNotification {
                    jsonrpc,
                    method,
                    params: raw.params,
                })),
                Some(Some(id)) => Ok(JsonRpcMessage::Request(JsonRpcRequest {
                    jsonrpc,
                    id,
                    method,
                    params: raw.params,
                })),
                Some(None) => Err(de::Error::custom("JSON-RPC request with a null `id`")),
            };
        }
        match (raw.result, raw.error) {
            (Some(_), Some(_)) => Err(de::Error::custom(
                "JSON-RPC response has both `result` and `error`",
            )),
            (None, Some(error)) => Ok(JsonRpcMessage::Error(JsonRpcErrorResponse {
                jsonrpc,
                id: raw.id.flatten(),
                error,
            })),
            (Some(result), None) => match raw.id.flatten() {
                Some(id) => Ok(JsonRpcMessage::Response(JsonRpcResultResponse {
                    jsonrpc,
                    id,
                    result,
                })),
                None => Err(de::Error::custom("JSON-RPC result without an `id`")),
            },
            (None, None) => Err(de::Error::custom(
                "not a JSON-RPC message: no `method`, `result` or `error`",
            )),
        }
    }
}
