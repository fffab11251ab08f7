//! JSON-RPC method names of revision 2025-11-25 that this SDK sends or handles.

/// `initialize`: the first request of a session.
pub const INITIALIZE: &str = "initialize";
/// `notifications/initialized`: sent by the client once `initialize` succeeded.
pub const NOTIFICATION_INITIALIZED: &str = "notifications/initialized";
/// `ping`: either side checks the other is alive.
pub const PING: &str = "ping";

/// `tools/list`: one page of the server's tools.
pub const TOOLS_LIST: &str = "tools/list";
/// `tools/call`: call a tool, optionally as a task.
pub const TOOLS_CALL: &str = "tools/call";
/// `notifications/tools/list_changed`: the server's tool list changed.
pub const NOTIFICATION_TOOLS_LIST_CHANGED: &str = "notifications/tools/list_changed";

/// `tasks/get`: the current state of a task.
pub const TASKS_GET: &str = "tasks/get";
/// `tasks/result`: the result of a task (blocks until it is terminal).
pub const TASKS_RESULT: &str = "tasks/result";
/// `tasks/list`: one page of tasks.
pub const TASKS_LIST: &str = "tasks/list";
/// `tasks/cancel`: cancel a task.
pub const TASKS_CANCEL: &str = "tasks/cancel";
/// `notifications/tasks/status`: a task's status changed (optional; never rely on it).
pub const NOTIFICATION_TASKS_STATUS: &str = "notifications/tasks/status";

/// `elicitation/create`: the server asks the user for input.
pub const ELICITATION_CREATE: &str = "elicitation/create";
/// `notifications/elicitation/complete`: an out-of-band (URL) elicitation finished.
pub const NOTIFICATION_ELICITATION_COMPLETE: &str = "notifications/elicitation/complete";
/// `sampling/createMessage`: the server asks the client's model for a message.
pub const SAMPLING_CREATE_MESSAGE: &str = "sampling/createMessage";

/// `notifications/progress`: progress of a request that carried a progress token.
pub const NOTIFICATION_PROGRESS: &str = "notifications/progress";
/// `notifications/message`: a log message from the server.
pub const NOTIFICATION_MESSAGE: &str = "notifications/message";
/// `notifications/cancelled`: cancels a request (never a task: use `tasks/cancel`).
pub const NOTIFICATION_CANCELLED: &str = "notifications/cancelled";
