//! Request/response correlation (pure): ids are allocated here, and a reply is matched
//! to the request that is waiting for it, whichever stream it arrives on.

use crate::error::Error;
use crate::policy::{PollConfig, PollPolicy};
use crate::sync::take_id;

/// Waiting requests by id, each with a handle of its own (what stops it); a reply is kept
/// for its request when it arrives.
pub struct Pending<T, H> {
    next_id: u32,
    /// Two short lists searched by id, not a `Map` (one more copy of the map's code), of
    /// id-and-value pairs: in the transport the same element type as the client's lists,
    /// so their push, removal and drop code is shared (one list of triples had its own).
    handles: Vec<(u32, H)>,
    replies: Vec<(u32, T)>,
}

impl<T, H> Default for Pending<T, H> {
    fn default() -> Self {
        Pending {
            next_id: 1,
            handles: Vec::new(),
            replies: Vec::new(),
        }
    }
}

/// Where the entry `id` is in `list` (ids are unique; an id beyond `u32` is none of ours).
fn find<V>(list: &[(u32, V)], id: u64) -> Option<usize> {
    list.iter().position(|x| u64::from(x.0) == id)
}

impl<T, H> Pending<T, H> {
    /// Allocate a fresh id and open its slot, holding `handle`.
    pub fn register(&mut self, handle: H) -> u64 {
        let id = self.next_id;
        // Wraps after 2^32 requests: an id is reused only if that old request still waits.
        self.next_id = id.wrapping_add(1);
        self.handles.push((id, handle));
        u64::from(id)
    }

    /// Deliver a response for `id`. Returns false when nobody waits for it (unknown id,
    /// or a duplicate response: the first one wins).
    pub fn fulfil(&mut self, id: u64, value: T) -> bool {
        let waits = find(&self.handles, id).is_some() && !self.is_ready(id);
        if waits {
            // `id` is one of the handles' (a `u32`).
            self.replies.push((id as u32, value));
        }
        waits
    }

    /// Whether the response for `id` has arrived.
    pub fn is_ready(&self, id: u64) -> bool {
        find(&self.replies, id).is_some()
    }

    /// Close the slot of `id`, returning its response if it arrived.
    pub fn take(&mut self, id: u64) -> Option<T> {
        // An id beyond `u32` is none of ours.
        let id = u32::try_from(id).ok()?;
        take_id(&mut self.handles, id);
        take_id(&mut self.replies, id)
    }

    /// The handles of every request waiting.
    pub fn handles(&self) -> impl Iterator<Item = &H> {
        self.handles.iter().map(|(_, h)| h)
    }

    /// Number of requests waiting.
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// Whether no request waits.
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }
}

/// Read a JSON-RPC id as one of ours: a non-negative integer, or a string of digits
/// (some servers stringify ids).
#[inline(always)]
pub fn parse_id(number: Option<f64>, text: Option<&str>) -> Option<u64> {
    if let Some(n) = number {
        return (n >= 0.0 && n.fract() == 0.0 && n < 9_007_199_254_740_992.0).then_some(n as u64);
    }
    // As `str::parse::<u64>` reads it (an optional `+`, then digits, no overflow), by
    // hand: core's integer parser was linked for this one use.
    let digits = match text?.as_bytes() {
        [b'+', rest @ ..] => rest,
        all => all,
    };
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        // Overflow checked by a compare: u64's checked_mul is a 128-bit multiply on wasm32.
        if d.is_ascii_digit() && n <= u64::MAX / 10 {
            (n * 10).checked_add(u64::from(d - b'0'))
        } else {
            None
        }
    })
}

/// The transport's backoff (the default intervals, with jitter seeded by `seed`), giving
/// up after `max_retries` failures in a row: a request's retries, and the GET stream's
/// reconnections. One copy of the policy's constructor for both.
#[inline(never)]
pub fn backoff(max_retries: u32, seed: u64) -> PollPolicy {
    PollPolicy::new(
        PollConfig {
            max_retries,
            ..PollConfig::default()
        },
        seed,
    )
}

/// What a request does after a try (see [`Tries::after`]).
#[derive(Debug)]
pub enum Next<T> {
    /// Send it again after this many ms: the server refused it, or its connection was lost.
    Wait(u32),
    /// Start a new session (the server lost this one), then send it again.
    Renew,
    /// The server refused the request's token (401, or 403): sign in (`true`: the first
    /// refusal, which a refresh may answer), then send it again; the error is the
    /// outcome if signing in cannot help.
    SignIn(Error, bool),
    /// The request's outcome.
    Done(Result<T, Error>),
}

/// The decisions of one request across its tries (pure: the caller sends, sleeps and
/// renews). Retries use the one backoff ([`PollPolicy`], with jitter), wait at least the
/// server's `Retry-After` (up to the policy's ceiling), and stop after `max_retries`; a
/// lost session is renewed once; a refused token leads to a sign-in twice at most (a
/// server that keeps refusing ends with its refusal).
pub struct Tries {
    /// Send again after a refusal (429, 503).
    refused: bool,
    /// Send again after a lost connection or a timeout (status 0).
    lost: bool,
    max_retries: u32,
    backoff: Option<PollPolicy>,
    renewed: bool,
    /// Sign in after a refused token (with authorization), and how many times it did.
    sign_in: bool,
    denied: u32,
}

impl Tries {
    /// Tries that send again after a refusal (`refused`), after a lost connection
    /// (`lost`: the request is safe to repeat), at most `max_retries` times; and sign in
    /// after a refused token when `sign_in` (the client has authorization).
    pub fn new(refused: bool, lost: bool, max_retries: u32, sign_in: bool) -> Self {
        Tries {
            refused,
            lost,
            max_retries,
            backoff: None,
            renewed: false,
            sign_in,
            denied: 0,
        }
    }

    /// The next step after a try that ended with `out`, at `now_ms` (seeds the jitter).
    pub fn after<T>(&mut self, out: Result<T, Error>, now_ms: u64) -> Next<T> {
        let e = match out {
            Ok(v) => return Next::Done(Ok(v)),
            Err(e) => e,
        };
        // What the error allows (read by reference: the error is moved once, at the end).
        let (again, refused_token) = match &e {
            Error::Transport { status, .. } => (
                match status {
                    429 | 503 => self.refused,
                    0 => self.lost,
                    _ => false,
                },
                matches!(status, 401 | 403) && self.sign_in && self.denied < 2,
            ),
            Error::SessionGone if !std::mem::replace(&mut self.renewed, true) => {
                return Next::Renew
            }
            // The new session was lost too.
            Error::SessionGone => {
                return Next::Done(Err(
                    Error::transport(404, "the session is gone".into()).with_tries(2)
                ))
            }
            _ => (false, false),
        };
        if again {
            let max_retries = self.max_retries;
            let backoff = self
                .backoff
                .get_or_insert_with(|| backoff(max_retries, now_ms));
            return match backoff.after_failure(e.retry_after_ms()) {
                Ok(delay) => Next::Wait(delay),
                Err(g) => Next::Done(Err(e.with_tries(g.tries))),
            };
        }
        if refused_token {
            self.denied += 1;
            return Next::SignIn(e, self.denied == 1);
        }
        Next::Done(Err(e))
    }
}
