//! The SDK's own task model, independent of any wire generation: what a task is
//! ([`TaskInfo`]), how it may move ([`Tracker`]), and how it ends ([`Outcome`]).
//!
//! Pure: no wasm, no JSON. Each wire adapter decodes its generation's task object into a
//! [`TaskInfo`] (the normalized fields) and keeps the raw object beside it for users who
//! need members this model does not name.

pub use crate::protocol::TaskStatus;

/// The normalized fields of a task snapshot, whatever the generation: `ttl` and
/// `pollInterval` (2025-11-25) and `ttlMs` and `pollIntervalMs` (2026-07-28) both land in
/// the `_ms` fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskInfo {
    /// The task id (opaque, byte-exact).
    pub task_id: String,
    /// The status.
    pub status: TaskStatus,
    /// The server's words about the status, if any.
    pub status_message: Option<String>,
    /// When the task was created (RFC 3339).
    pub created_at: String,
    /// When the task last changed (RFC 3339).
    pub last_updated_at: String,
    /// How long the server keeps the task after creation, in ms (`None`: unlimited).
    pub ttl_ms: Option<u64>,
    /// The period the server suggests between polls, in ms.
    pub poll_interval_ms: Option<u64>,
}

/// How a followed task ended: what `result()` resolves or rejects with. `P` is the
/// generation's payload (a raw JSON value), `E` the SDK's error type.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<P, E> {
    /// `completed`, with the tool's result (a tool result with `isError: true` too).
    Completed(P),
    /// `failed`: the stored tool result (2025-11-25) or the JSON-RPC error that stands
    /// for it (either generation).
    Failed {
        /// The stored result, if the server gave one.
        result: Option<P>,
        /// The JSON-RPC error, if the server gave one instead.
        error: Option<E>,
    },
    /// `cancelled`.
    Cancelled,
    /// The server forgot the task after its ttl ran out.
    Expired,
    /// Following the task failed: a permanent error, or the retry budget is spent
    /// (`tries`: how many attempts were made then).
    Error {
        /// The last error.
        error: E,
        /// Attempts made when the budget was spent, if that is why.
        tries: Option<u32>,
    },
    /// Stopped locally before the task ended.
    Aborted(Stop),
}

/// Why a handle stopped following before its task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The caller's `AbortSignal` aborted.
    Signal,
    /// `dispose()`.
    Disposed,
    /// The client was closed.
    Closed,
}

/// What applying a snapshot did.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// Nothing a user would see changed.
    Same,
    /// The status, its message or the update time moved: tell the listeners.
    Updated,
    /// The snapshot was refused: another task's id, or a move the spec forbids (for
    /// example out of a terminal status). The tracked task is unchanged.
    Refused(&'static str),
}

/// The latest known state of one task, moved only as the spec allows.
#[derive(Debug, Clone)]
pub struct Tracker {
    task: TaskInfo,
}

impl Tracker {
    /// Start from the task the server created.
    pub fn new(task: TaskInfo) -> Tracker {
        Tracker { task }
    }

    /// The latest snapshot.
    pub fn task(&self) -> &TaskInfo {
        &self.task
    }

    /// The latest status.
    pub fn status(&self) -> TaskStatus {
        self.task.status
    }

    /// Apply a newer snapshot (from a poll, a notification or a cancel reply).
    pub fn apply(&mut self, next: TaskInfo) -> Change {
        if next.task_id != self.task.task_id {
            return Change::Refused("snapshot of another task");
        }
        let (from, to) = (self.task.status, next.status);
        if from != to && !from.can_transition_to(to) {
            return Change::Refused(if from.is_terminal() {
                "a terminal status never changes"
            } else {
                "move not allowed by the spec"
            });
        }
        let news = from != to
            || next.status_message != self.task.status_message
            || next.last_updated_at != self.task.last_updated_at;
        self.task = next;
        if news {
            Change::Updated
        } else {
            Change::Same
        }
    }
}
