//! Content blocks (text, image, audio, resource link, embedded resource) and
//! [`CallToolResult`].

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::lifecycle::Icon;
use super::meta::{self, Meta};

/// Who a piece of content is meant for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The user.
    User,
    /// The model.
    Assistant,
}

/// Hints about how a piece of content is used or shown.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotations {
    /// Who the content is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Vec<Role>>,
    /// Importance from 0 (optional) to 1 (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<f64>,
    /// When the content last changed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// Text content (`"type": "text"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextContent {
    /// The text.
    pub text: String,
    /// Display hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// The block's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// An image (`"type": "image"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageContent {
    /// The image bytes, base64.
    pub data: String,
    /// The MIME type, e.g. `image/png`.
    pub mime_type: String,
    /// Display hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// The block's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// Audio (`"type": "audio"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioContent {
    /// The audio bytes, base64.
    pub data: String,
    /// The MIME type, e.g. `audio/wav`.
    pub mime_type: String,
    /// Display hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// The block's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// A link to a resource (`"type": "resource_link"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceLink {
    /// The resource's URI.
    pub uri: String,
    /// The resource's programmatic name.
    pub name: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the resource is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The MIME type, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Display hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// The size in bytes, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Icons to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icons: Option<Vec<Icon>>,
    /// The block's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The text of a resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextResourceContents {
    /// The resource's URI.
    pub uri: String,
    /// The MIME type, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The text.
    pub text: String,
    /// The contents' `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The binary contents of a resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobResourceContents {
    /// The resource's URI.
    pub uri: String,
    /// The MIME type, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The bytes, base64.
    pub blob: String,
    /// The contents' `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The contents of an embedded resource: text or binary, told apart by the `text` or
/// `blob` member (`text` wins if both are present; neither is a decode error).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "RawResourceContents")]
pub enum ResourceContents {
    /// Has `text`.
    Text(TextResourceContents),
    /// Has `blob`.
    Blob(BlobResourceContents),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawResourceContents {
    uri: String,
    mime_type: Option<String>,
    text: Option<String>,
    blob: Option<String>,
    #[serde(rename = "_meta")]
    meta: Option<Meta>,
}

impl TryFrom<RawResourceContents> for ResourceContents {
    type Error = &'static str;

    fn try_from(r: RawResourceContents) -> Result<Self, Self::Error> {
        match (r.text, r.blob) {
            (Some(text), _) => Ok(ResourceContents::Text(TextResourceContents {
                uri: r.uri,
                mime_type: r.mime_type,
                text,
                meta: r.meta,
            })),
            (None, Some(blob)) => Ok(ResourceContents::Blob(BlobResourceContents {
                uri: r.uri,
                mime_type: r.mime_type,
                blob,
                meta: r.meta,
            })),
            (None, None) => Err("resource contents have neither `text` nor `blob`"),
        }
    }
}

impl Serialize for ResourceContents {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ResourceContents::Text(c) => c.serialize(serializer),
            ResourceContents::Blob(c) => c.serialize(serializer),
        }
    }
}

/// A resource embedded in a result (`"type": "resource"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmbeddedResource {
    /// The contents.
    pub resource: ResourceContents,
    /// Display hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// The block's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// One block of content, told apart by its `type` member.
///
/// A block with a `type` this revision does not define is kept whole in
/// [`Other`](ContentBlock::Other) (so a newer server does not break a whole result); a
/// block without a string `type`, or a known type with missing or wrong members, is a
/// decode error.
#[derive(Clone, Debug, PartialEq)]
pub enum ContentBlock {
    /// `"type": "text"`.
    Text(TextContent),
    /// `"type": "image"`.
    Image(ImageContent),
    /// `"type": "audio"`.
    Audio(AudioContent),
    /// `"type": "resource_link"`.
    ResourceLink(ResourceLink),
    /// `"type": "resource"`.
    Resource(EmbeddedResource),
    /// Any other `type`: the block as it came, `type` included.
    Other(Map<String, Value>),
}

impl ContentBlock {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        ContentBlock::Text(TextContent {
            text: text.into(),
            annotations: None,
            meta: None,
        })
    }

    /// The `type` member: `"text"`, `"image"`, ... (for `Other`, its own `type`).
    pub fn type_name(&self) -> &str {
        match self {
            ContentBlock::Text(_) => "text",
            ContentBlock::Image(_) => "image",
            ContentBlock::Audio(_) => "audio",
            ContentBlock::ResourceLink(_) => "resource_link",
            ContentBlock::Resource(_) => "resource",
            ContentBlock::Other(m) => m.get("type").and_then(Value::as_str).unwrap_or(""),
        }
    }

    /// The text of a text block.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ContentBlock::Text(t) => Some(&t.text),
            _ => None,
        }
    }
}

/// Serializes `inner` with a leading `"type": ty` member.
#[derive(Serialize)]
struct TypeTagged<'a, T> {
    #[serde(rename = "type")]
    ty: &'static str,
    #[serde(flatten)]
    inner: &'a T,
}

impl Serialize for ContentBlock {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fn tagged<S: Serializer, T: Serialize>(
            s: S,
            ty: &'static str,
            inner: &T,
        ) -> Result<S::Ok, S::Error> {
            TypeTagged { ty, inner }.serialize(s)
        }
        match self {
            ContentBlock::Text(c) => tagged(serializer, "text", c),
            ContentBlock::Image(c) => tagged(serializer, "image", c),
            ContentBlock::Audio(c) => tagged(serializer, "audio", c),
            ContentBlock::ResourceLink(c) => tagged(serializer, "resource_link", c),
            ContentBlock::Resource(c) => tagged(serializer, "resource", c),
            ContentBlock::Other(m) => m.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ContentBlock {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Clone, Copy)]
        enum Kind {
            Text,
            Image,
            Audio,
            ResourceLink,
            Resource,
            Other,
        }
        let map = Map::<String, Value>::deserialize(deserializer)?;
        let kind = match map.get("type") {
            Some(Value::String(s)) => match s.as_str() {
                "text" => Kind::Text,
                "image" => Kind::Image,
                "audio" => Kind::Audio,
                "resource_link" => Kind::ResourceLink,
                "resource" => Kind::Resource,
                _ => Kind::Other,
            },
            _ => return Err(de::Error::custom("content block without a string `type`")),
        };
        if let Kind::Other = kind {
            return Ok(ContentBlock::Other(map));
        }
        // The map moves into a `Value` (no copy) and is read once more as the block.
        let value = Value::Object(map);
        let block = match kind {
            Kind::Text => Deserialize::deserialize(value).map(ContentBlock::Text),
            Kind::Image => Deserialize::deserialize(value).map(ContentBlock::Image),
            Kind::Audio => Deserialize::deserialize(value).map(ContentBlock::Audio),
            Kind::ResourceLink => Deserialize::deserialize(value).map(ContentBlock::ResourceLink),
            Kind::Resource | Kind::Other => {
                Deserialize::deserialize(value).map(ContentBlock::Resource)
            }
        };
        block.map_err(de::Error::custom)
    }
}

/// The result of a tool call (and of `tasks/result` for a tool-call task).
///
/// `content` is required by the schema but read as empty when missing (some servers
/// answer `tasks/result` of a cancelled task with an empty result).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToolResult {
    /// The unstructured result.
    #[serde(default)]
    pub content: Vec<ContentBlock>,
    /// The structured result (a JSON object per the schema), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// `Some(true)` when the tool reports a failure; absent means success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// The result's `_meta` (for `tasks/result`: the related-task entry).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Members this type does not know, kept so they round-trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CallToolResult {
    /// A successful result with these blocks.
    pub fn new(content: Vec<ContentBlock>) -> Self {
        CallToolResult {
            content,
            ..CallToolResult::default()
        }
    }

    /// Whether the tool reported a failure (`isError: true`).
    pub fn is_error(&self) -> bool {
        self.is_error == Some(true)
    }

    /// The task id under `_meta["io.modelcontextprotocol/related-task"]`, if any.
    pub fn related_task_id(&self) -> Option<&str> {
        self.meta.as_ref().and_then(meta::related_task_id)
    }
}
