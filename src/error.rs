//! The one internal error type. The JS layer turns each variant into a JS `Error`
//! subclass with a stable `name` and `code`.

use wasm_bindgen::JsValue;

/// Everything a client call or a task can fail with.
#[derive(Clone, Debug)]
pub enum Error {
    /// The server answered with a JSON-RPC error.
    Rpc {
        /// JSON-RPC error code.
        code: f64,
        /// Error message from the server.
        message: String,
        /// The error's `data`, or `undefined`.
        data: JsValue,
    },
    /// HTTP failed: a non-2xx status, a network error (`status` 0), a timeout, or a body
    /// larger than the limit.
    Transport {
        /// HTTP status, 0 when no response was received.
        status: u16,
        /// What went wrong, in words.
        message: String,
        /// The response body text, capped.
        body: String,
        /// How many attempts were made (1 unless retried by a task's poller).
        tries: u32,
        /// `Retry-After` from the response, in ms.
        retry_after_ms: Option<u64>,
    },
    /// The server sent something that breaks the protocol.
    Protocol(String),
    /// The task ended `failed`; carries the task and its stored result or error.
    TaskFailed {
        /// The final Task object.
        task: JsValue,
        /// The stored `CallToolResult` (`undefined` when the server sent an error).
        result: JsValue,
        /// The JSON-RPC error `tasks/result` answered, if any.
        error: Option<Box<Error>>,
    },
    /// The task ended `cancelled`.
    TaskCancelled {
        /// The final Task object.
        task: JsValue,
    },
    /// The task is gone after its ttl ran out.
    TaskExpired {
        /// The task id.
        task_id: String,
        /// The last Task snapshot seen.
        task: JsValue,
    },
    /// The server does not know the task (never issued, or gone for another reason than
    /// its ttl): a JSON-RPC error the wire adapter reads as "gone".
    TaskNotFound {
        /// The task id.
        task_id: String,
        /// The server's JSON-RPC error (its code, message and data).
        error: Box<Error>,
    },
    /// Authorization failed (`AuthError` in JS): a stable `reason` (`resource_mismatch`,
    /// `refresh_failed`, ...) and what the person must do, in words. Never holds a token,
    /// a code or the PKCE verifier.
    Auth {
        /// Why, stable (see the README's list).
        reason: String,
        /// What happened and what to do.
        message: String,
    },
    /// Aborted locally (an AbortSignal, `dispose()` or `close()`).
    Aborted(String),
    /// Internal: the server said the session is gone (HTTP 404 with a session id).
    SessionGone,
}

/// Errors are at most this long when they quote a response body.
pub const BODY_QUOTE_LIMIT: usize = 1024;

impl Error {
    /// A protocol error with a fixed message: one shared copy of the allocation, not
    /// one inlined at each call site.
    #[inline(never)]
    pub fn protocol(message: &'static str) -> Error {
        Error::Protocol(message.into())
    }

    /// An abort with a fixed message (shared like [`Error::protocol`]).
    #[inline(never)]
    pub fn aborted(message: &'static str) -> Error {
        Error::Aborted(message.into())
    }

    /// A transport error without a status.
    pub fn network(message: String) -> Error {
        Error::transport(0, message)
    }

    /// A transport error with `status` (0: no response), after one try, quoting no body.
    #[inline(never)]
    pub fn transport(status: u16, message: String) -> Error {
        Error::Transport {
            status,
            message,
            body: String::new(),
            tries: 1,
            retry_after_ms: None,
        }
    }

    /// Whether retrying later may succeed: network errors, timeouts, 408, 429 and 5xx,
    /// and malformed replies (a proxy may have cut them).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport { status, .. } => {
                matches!(*status, 0 | 408 | 425 | 429 | 500..=599)
            }
            Error::Protocol(_) => true,
            _ => false,
        }
    }

    /// The same error, saying that `tries` attempts were made (the retry budget is spent).
    pub fn with_tries(mut self, tries: u32) -> Error {
        // Changed in place: a rebuilt variant moves every field.
        let message = match &mut self {
            Error::Transport {
                message, tries: t, ..
            } => {
                *t = tries;
                message
            }
            Error::Protocol(m) => m,
            _ => return self,
        };
        // Appended in place, without a joined temporary.
        message.push_str(" (gave up after ");
        crate::text::Piece::put(&tries, message);
        message.push_str(" tries)");
        self
    }

    /// `Retry-After` of a transport error.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            Error::Transport { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        }
    }

    /// A one-line description for logs (no float or Debug formatting: both are costly
    /// in wasm code size).
    pub fn describe(&self) -> String {
        match self {
            Error::Rpc { code, message, .. } => {
                let mut line = message.clone();
                line.push_str(" (JSON-RPC ");
                crate::text::Piece::put(&(*code as i64), &mut line);
                line.push(')');
                line
            }
            Error::Transport { message, .. }
            | Error::Protocol(message)
            | Error::Auth { message, .. }
            | Error::Aborted(message) => message.clone(),
            Error::TaskFailed { .. } => "the task failed".into(),
            Error::TaskCancelled { .. } => "the task was cancelled".into(),
            Error::TaskExpired { task_id, .. } => {
                crate::cat!("task ", task_id, " expired")
            }
            Error::TaskNotFound { error, .. } => error.describe(),
            Error::SessionGone => "the session is gone".into(),
        }
    }
}

/// Cut `text` to at most `limit` bytes at a char boundary, marking the cut.
pub fn quote_body(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    // Unchecked: `end` is a char boundary (found above), and `get` or indexing check it
    // again (`str::get`'s own instance, and indexing's panic formats chars with Debug).
    // SAFETY: `end <= text.len()` and `text.is_char_boundary(end)`.
    let mut quoted = unsafe { text.get_unchecked(..end) }.to_string();
    // A `&str`: `String::push` links a UTF-8 encoder for a `char`.
    #[allow(clippy::single_char_add_str)]
    quoted.push_str("…");
    quoted
}
