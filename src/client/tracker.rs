//! The task state machine of one handle (pure): which snapshots are news, which moves are
//! allowed, and the rule that a task settles exactly once.

use crate::protocol::{Task, TaskStatus};

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

/// What the tracker reads of a task snapshot: a [`Task`], or any lighter type with the
/// same fields (the wasm client uses one without `Task::extra`, whose map of JSON values
/// would cost about 1.3 KB of wasm just to be dropped).
pub trait Snapshot {
    /// The task id.
    fn task_id(&self) -> &str;
    /// The status.
    fn status(&self) -> TaskStatus;
    /// The status message, if any.
    fn status_message(&self) -> Option<&str>;
    /// When the task last changed.
    fn last_updated_at(&self) -> &str;
}

impl Snapshot for Task {
    fn task_id(&self) -> &str {
        &self.task_id
    }
    fn status(&self) -> TaskStatus {
        self.status
    }
    fn status_message(&self) -> Option<&str> {
        self.status_message.as_deref()
    }
    fn last_updated_at(&self) -> &str {
        &self.last_updated_at
    }
}

/// The latest known state of one task.
#[derive(Debug, Clone)]
pub struct Tracker<T = Task> {
    task: T,
    settled: bool,
}

impl<T: Snapshot> Tracker<T> {
    /// Start from the task the server created.
    pub fn new(task: T) -> Tracker<T> {
        Tracker {
            task,
            settled: false,
        }
    }

    /// The latest snapshot.
    pub fn task(&self) -> &T {
        &self.task
    }

    /// The latest status.
    pub fn status(&self) -> TaskStatus {
        self.task.status()
    }

    /// Apply a newer snapshot (from `tasks/get`, a status notification or `tasks/cancel`).
    pub fn apply(&mut self, next: T) -> Change {
        if next.task_id() != self.task.task_id() {
            return Change::Refused("snapshot of another task");
        }
        let (from, to) = (self.task.status(), next.status());
        if from != to && !from.can_transition_to(to) {
            return Change::Refused(if from.is_terminal() {
                "a terminal status never changes"
            } else {
                "move not allowed by the spec"
            });
        }
        let news = from != to
            || next.status_message() != self.task.status_message()
            || next.last_updated_at() != self.task.last_updated_at();
        self.task = next;
        if news {
            Change::Updated
        } else {
            Change::Same
        }
    }

    /// Mark the task settled. Returns true the first time only: the caller resolves or
    /// rejects the result exactly when this says so.
    pub fn settle(&mut self) -> bool {
        !std::mem::replace(&mut self.settled, true)
    }

    /// Whether the task has been settled.
    pub fn is_settled(&self) -> bool {
        self.settled
    }
}
