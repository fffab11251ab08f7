//! `elicitation/create`: the server asks the user for input (form or URL mode), and the
//! client's [`ElicitResult`]. A task in `input_required` delivers such a request with
//! the related-task `_meta`.

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::jsonrpc::{JsonRpcRequest, McpRequest};
use super::meta::{self, Meta};
use super::methods;
use super::task::TaskMetadata;

/// Form mode: ask for a few primitive values described by a restricted JSON Schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitRequestFormParams {
    /// What to ask the user (plain text).
    pub message: String,
    /// A flat object schema of primitive properties; opaque.
    pub requested_schema: Map<String, Value>,
    /// Present when the server asks the client to answer as a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// The request's `_meta` (e.g. the related-task entry).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// URL mode: send the user to a URL (out of band) and report back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitRequestUrlParams {
    /// Why the user should go there (plain text).
    pub message: String,
    /// The server's id of this elicitation; opaque.
    pub elicitation_id: String,
    /// Where to send the user.
    pub url: String,
    /// Present when the server asks the client to answer as a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// The request's `_meta` (e.g. the related-task entry).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// Params of `elicitation/create`, told apart by `mode`: absent or `"form"` is form
/// mode, `"url"` URL mode, anything else a decode error naming the mode.
///
/// Form mode is written without `mode` (its default).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "RawElicitParams")]
pub enum ElicitRequestParams {
    /// Form mode.
    Form(ElicitRequestFormParams),
    /// URL mode.
    Url(ElicitRequestUrlParams),
}

impl ElicitRequestParams {
    /// The message to show the user.
    pub fn message(&self) -> &str {
        match self {
            ElicitRequestParams::Form(p) => &p.message,
            ElicitRequestParams::Url(p) => &p.message,
        }
    }

    /// The request's `_meta`.
    pub fn meta(&self) -> Option<&Meta> {
        match self {
            ElicitRequestParams::Form(p) => p.meta.as_ref(),
            ElicitRequestParams::Url(p) => p.meta.as_ref(),
        }
    }

    /// The id of the task this request belongs to (`_meta` related-task entry), if any.
    pub fn related_task_id(&self) -> Option<&str> {
        self.meta().and_then(meta::related_task_id)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawElicitParams {
    mode: Option<String>,
    message: String,
    requested_schema: Option<Map<String, Value>>,
    elicitation_id: Option<String>,
    url: Option<String>,
    task: Option<TaskMetadata>,
    #[serde(rename = "_meta")]
    meta: Option<Meta>,
}

impl TryFrom<RawElicitParams> for ElicitRequestParams {
    type Error = String;

    fn try_from(r: RawElicitParams) -> Result<Self, String> {
        match r.mode.as_deref() {
            None | Some("form") => Ok(ElicitRequestParams::Form(ElicitRequestFormParams {
                message: r.message,
                requested_schema: r
                    .requested_schema
                    .ok_or("form-mode elicitation without `requestedSchema`")?,
                task: r.task,
                meta: r.meta,
            })),
            Some("url") => Ok(ElicitRequestParams::Url(ElicitRequestUrlParams {
                message: r.message,
                elicitation_id: r
                    .elicitation_id
                    .ok_or("URL-mode elicitation without `elicitationId`")?,
                url: r.url.ok_or("URL-mode elicitation without `url`")?,
                task: r.task,
                meta: r.meta,
            })),
            Some(other) => {
                let shown: String = other.chars().take(64).collect();
                Err(format!("unknown elicitation mode {shown:?}"))
            }
        }
    }
}

#[derive(Serialize)]
struct UrlMode<'a> {
    mode: &'static str,
    #[serde(flatten)]
    inner: &'a ElicitRequestUrlParams,
}

impl Serialize for ElicitRequestParams {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ElicitRequestParams::Form(p) => p.serialize(serializer),
            ElicitRequestParams::Url(inner) => UrlMode { mode: "url", inner }.serialize(serializer),
        }
    }
}

impl McpRequest for ElicitRequestParams {
    const METHOD: &'static str = methods::ELICITATION_CREATE;
    type Result = ElicitResult;
}

/// What the user did with an elicitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElicitAction {
    /// Submitted the form or confirmed.
    Accept,
    /// Explicitly declined.
    Decline,
    /// Dismissed without choosing.
    Cancel,
}

/// The client's answer to `elicitation/create`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ElicitResult {
    /// What the user did.
    pub action: ElicitAction,
    /// The submitted values (form mode, `accept` only): strings, numbers, booleans or
    /// arrays of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Map<String, Value>>,
    /// The result's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Members this type does not know, kept so they round-trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ElicitResult {
    fn with(action: ElicitAction, content: Option<Map<String, Value>>) -> Self {
        ElicitResult {
            action,
            content,
            meta: None,
            extra: Map::new(),
        }
    }

    /// `accept` with the submitted values (`None` for URL mode).
    pub fn accept(content: Option<Map<String, Value>>) -> Self {
        Self::with(ElicitAction::Accept, content)
    }

    /// `decline`.
    pub fn decline() -> Self {
        Self::with(ElicitAction::Decline, None)
    }

    /// `cancel`.
    pub fn cancel() -> Self {
        Self::with(ElicitAction::Cancel, None)
    }
}

/// An `elicitation/create` request.
pub type ElicitRequest = JsonRpcRequest<ElicitRequestParams>;
