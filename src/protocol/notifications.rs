//! Notifications: progress, log messages, cancellation and task status, and
//! [`ServerNotification`], which types an incoming notification by its method.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::jsonrpc::{JsonRpcNotification, McpNotification, RequestId};
use super::meta::Meta;
use super::methods;
use super::task::TaskStatusNotificationParams;

/// A progress token: a string or an integer, like a request id (and written back as
/// the same type).
pub type ProgressToken = RequestId;

/// Params of `notifications/progress`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressNotificationParams {
    /// The token given in the request's `_meta.progressToken`.
    pub progress_token: ProgressToken,
    /// Progress so far; grows with every notification.
    pub progress: f64,
    /// The total, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// A description of the progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The notification's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl McpNotification for ProgressNotificationParams {
    const METHOD: &'static str = methods::NOTIFICATION_PROGRESS;
}

/// The severity of a log message (syslog levels, RFC 5424).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoggingLevel {
    /// `debug`.
    Debug,
    /// `info`.
    Info,
    /// `notice`.
    Notice,
    /// `warning`.
    Warning,
    /// `error`.
    Error,
    /// `critical`.
    Critical,
    /// `alert`.
    Alert,
    /// `emergency`.
    Emergency,
}

/// Params of `notifications/message`: a log message from the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoggingMessageNotificationParams {
    /// The severity.
    pub level: LoggingLevel,
    /// The logger's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logger: Option<String>,
    /// The message: any JSON value.
    pub data: Value,
    /// The notification's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl McpNotification for LoggingMessageNotificationParams {
    const METHOD: &'static str = methods::NOTIFICATION_MESSAGE;
}

/// Params of `notifications/cancelled`: cancels a request (never a task).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelledNotificationParams {
    /// The id of the request to cancel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The notification's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl McpNotification for CancelledNotificationParams {
    const METHOD: &'static str = methods::NOTIFICATION_CANCELLED;
}

/// A `notifications/progress` notification.
pub type ProgressNotification = JsonRpcNotification<ProgressNotificationParams>;
/// A `notifications/message` notification.
pub type LoggingMessageNotification = JsonRpcNotification<LoggingMessageNotificationParams>;
/// A `notifications/cancelled` notification.
pub type CancelledNotification = JsonRpcNotification<CancelledNotificationParams>;

/// A notification from the server, typed by its method.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerNotification {
    /// `notifications/progress`.
    Progress(ProgressNotificationParams),
    /// `notifications/message`.
    Message(LoggingMessageNotificationParams),
    /// `notifications/tasks/status`.
    TaskStatus(TaskStatusNotificationParams),
    /// `notifications/cancelled`.
    Cancelled(CancelledNotificationParams),
    /// Any other method, with its opaque params.
    Other(JsonRpcNotification),
}

impl ServerNotification {
    /// Types `notification` by its method; known methods with params that do not
    /// decode are an error.
    pub fn from_notification(notification: JsonRpcNotification) -> Result<Self, serde_json::Error> {
        Ok(match notification.method.as_str() {
            methods::NOTIFICATION_PROGRESS => {
                ServerNotification::Progress(notification.parse_params()?)
            }
            methods::NOTIFICATION_MESSAGE => {
                ServerNotification::Message(notification.parse_params()?)
            }
            methods::NOTIFICATION_TASKS_STATUS => {
                ServerNotification::TaskStatus(notification.parse_params()?)
            }
            methods::NOTIFICATION_CANCELLED => {
                ServerNotification::Cancelled(notification.parse_params()?)
            }
            _ => ServerNotification::Other(notification),
        })
    }
}
