//! Polling policy (pure Rust): when to poll next.
//!
//! Intervals and their clamps, exponential backoff with full jitter,
//! `Retry-After`, RFC 3339 timestamps and task deadlines, and one timer
//! [`Schedule`] shared by many task handles. Nothing here reads a clock: every
//! time is an `f64` of milliseconds passed in, so tests drive a fake clock.

use std::fmt;

/// The largest delay `setTimeout` accepts (2^31 - 1 ms); longer ones fire at once.
pub const MAX_TIMEOUT_MS: u32 = 2_147_483_647;

/// Turns a delay in ms into one `setTimeout` accepts: NaN and negatives give 0,
/// anything above [`MAX_TIMEOUT_MS`] (infinity included) gives the maximum, and
/// fractions round up so a timer never fires before its due time.
pub fn clamp_timeout(ms: f64) -> u32 {
    // `as` saturates: NaN and negatives to 0, the too long to u32::MAX.
    (ms.ceil() as u32).min(MAX_TIMEOUT_MS)
}

/// The knobs of a [`PollPolicy`]; all times in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollConfig {
    /// Period when the server suggests none (default 1000).
    pub default_interval_ms: u32,
    /// Floor of every delay, the server's and the backoff's (default 100).
    pub min_interval_ms: u32,
    /// Ceiling of the poll period and of the backoff (default 30000);
    /// only a server's `Retry-After` may exceed it.
    pub max_interval_ms: u32,
    /// Retries allowed after consecutive transient failures (default 8): the
    /// failure after that many retries gives up (see [`PollPolicy::after_failure`]).
    pub max_retries: u32,
    /// Backoff cap for the first retry, doubled for each further one (default 250).
    pub backoff_base_ms: u32,
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig {
            default_interval_ms: 1000,
            min_interval_ms: 100,
            max_interval_ms: 30_000,
            max_retries: 8,
            backoff_base_ms: 250,
        }
    }
}

impl PollConfig {
    /// A consistent copy: every time clamped to [`MAX_TIMEOUT_MS`], the floor
    /// and the backoff base at least 1 ms, the ceiling raised to the floor when
    /// below it (the floor wins), and the default period clamped to
    /// `[min, max]`. `max_retries` is kept as is.
    pub fn normalized(self) -> Self {
        let c = |v: u32| v.min(MAX_TIMEOUT_MS);
        let min = c(self.min_interval_ms).max(1);
        let max = c(self.max_interval_ms).max(min);
        PollConfig {
            // max(min).min(max) rather than clamp: the same here (min <= max), without
            // clamp's min > max panic, whose message formats u64s with Debug.
            default_interval_ms: self.default_interval_ms.max(min).min(max),
            min_interval_ms: min,
            max_interval_ms: max,
            max_retries: self.max_retries,
            backoff_base_ms: c(self.backoff_base_ms).max(1),
        }
    }
}

/// A small deterministic PRNG (splitmix64) for jitter; the same seed gives the
/// same sequence.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator started from `seed` (any value, zero included).
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// The poll was given up after too many transient failures in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GiveUp {
    /// How many attempts were made, all failed (`max_retries + 1`).
    pub tries: u32,
}

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gave up after {} failed tries", self.tries)
    }
}

impl std::error::Error for GiveUp {}

/// Decides the delay before the next `tasks/get` of one task.
#[derive(Debug, Clone)]
pub struct PollPolicy {
    config: PollConfig,
    rng: Rng,
    failures: u32,
}

impl PollPolicy {
    /// A policy over `config` (normalized) with jitter seeded by `seed`. Not inlined: the
    /// registry and the transport's backoff each had a copy.
    #[inline(never)]
    pub fn new(config: PollConfig, seed: u64) -> Self {
        PollPolicy {
            config: config.normalized(),
            rng: Rng::new(seed),
            failures: 0,
        }
    }

    /// The normalized configuration in use.
    pub fn config(&self) -> &PollConfig {
        &self.config
    }

    /// Delay before the next poll after a successful response whose task
    /// carried `server_poll_interval` (`None`: the default period), clamped to
    /// `[min, max]`. Resets the failure count.
    pub fn after_success(&mut self, server_poll_interval: Option<u64>) -> u32 {
        self.failures = 0;
        self.period(server_poll_interval)
    }

    /// The period [`after_success`](Self::after_success) gives, without touching the
    /// failure count.
    pub fn period(&self, server_poll_interval: Option<u64>) -> u32 {
        let c = &self.config;
        let v = server_poll_interval.unwrap_or(u64::from(c.default_interval_ms));
        // Not `clamp` (see `normalized`): the config is normalized, so min <= max.
        v.max(u64::from(c.min_interval_ms))
            .min(u64::from(c.max_interval_ms)) as u32
    }

    /// Delay before retrying after a transient failure (network error, 5xx,
    /// 429, timeout).
    ///
    /// For the n-th failure in a row the cap is
    /// `min(max_interval, backoff_base * 2^(n-1))` and the delay is uniform in
    /// `[min_interval, max(min_interval, cap)]` (full jitter above the floor).
    /// A `retry_after_ms` raises the delay to at least that much, up to `max_interval`:
    /// a server that asks for longer (a `Retry-After` of days) is asked again after
    /// `max_interval`, within the retry budget, rather than leaving the task waiting.
    ///
    /// Once `max_retries` retries have failed too, that is on failure number
    /// `max_retries + 1`, and on every failure after it, returns
    /// `Err(GiveUp { tries })` with the number of failed attempts.
    pub fn after_failure(&mut self, retry_after_ms: Option<u64>) -> Result<u32, GiveUp> {
        self.failures = self.failures.saturating_add(1);
        let c = &self.config;
        if self.failures > c.max_retries {
            return Err(GiveUp {
                tries: self.failures,
            });
        }
        let shift = (self.failures - 1).min(32);
        let cap = (u64::from(c.backoff_base_ms) << shift).min(u64::from(c.max_interval_ms)) as u32;
        let lo = c.min_interval_ms;
        let hi = cap.max(lo);
        let span = f64::from(hi - lo) + 1.0;
        let mut delay = (lo + (self.rng.next_f64() * span) as u32).min(hi);
        if let Some(ra) = retry_after_ms {
            delay = delay.max(ra.min(u64::from(c.max_interval_ms)) as u32);
        }
        Ok(delay)
    }

    /// Transient failures in a row so far (0 after a success).
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// Followed tasks from which a `tasks/list` sweep may replace their own polls.
pub const SWEEP_MIN_TASKS: usize = 8;

/// The most `tasks/list` pages one sweep may read for `followed` tasks: it must cost at
/// most a quarter of the polls it replaces (one `tasks/get` per task per period), or
/// polling each task is as cheap and the sweep stops. `0`: too few tasks to sweep.
pub fn sweep_page_budget(followed: usize) -> usize {
    if followed < SWEEP_MIN_TASKS {
        0
    } else {
        followed / 4
    }
}

/// Parses a `Retry-After` header value, delta-seconds or an IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), into ms from `now_epoch_ms` (0 for a
/// date in the past). `None` when unparseable; the obsolete RFC 850 and
/// asctime date forms are not accepted.
pub fn parse_retry_after(value: &str, now_epoch_ms: f64) -> Option<u64> {
    // ASCII whitespace: a header value's can only be spaces and tabs (fetch strips
    // them already).
    let v = value.as_bytes().trim_ascii();
    if let Some(secs) = crate::text::digits(v) {
        // `as` saturates: a delay past u64 is u64::MAX ms.
        return Some((secs * 1000.0) as u64);
    }
    let at = parse_imf_fixdate(v)?;
    // `as` saturates: a date in the past (or a NaN clock) gives 0.
    Some((at - now_epoch_ms).ceil() as u64)
}

/// Parses an RFC 3339 timestamp (`2025-11-25T10:30:00Z`, optional fractional
/// seconds, `Z` or a `+hh:mm`/`-hh:mm` offset; `t`, `z` and a space for `T`
/// accepted) into ms since the Unix epoch. `None` if invalid.
pub fn parse_rfc3339_ms(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut ms = date_ms(b.get(..19)?, b"0000-11-22_33:44:55", [0; 6])?;
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        let mut scale = 100.0;
        while i < b.len() && b[i].is_ascii_digit() {
            ms += f64::from(b[i] - b'0') * scale;
            scale /= 10.0;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => {}
        [sign @ (b'+' | b'-'), off @ ..] => {
            // The offset as a time on the epoch's first day.
            let off = date_ms(off, b"33:44", [1970, 1, 1, 0, 0, 0])?;
            ms += if *sign == b'+' { -off } else { off };
        }
        _ => return None,
    }
    Some(ms)
}

/// The task's deadline in epoch ms, `created_at + ttl_ms`; `None` when the ttl
/// is `None` (unlimited) or `created_at` is not RFC 3339.
pub fn deadline_ms(created_at: &str, ttl_ms: Option<u64>) -> Option<f64> {
    let ttl = ttl_ms?;
    Some(parse_rfc3339_ms(created_at)? + ttl as f64)
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` to epoch ms (the day name is not checked).
fn parse_imf_fixdate(b: &[u8]) -> Option<f64> {
    const MONTHS: &[u8; 36] = b"JanFebMarAprMayJunJulAugSepOctNovDec";
    // The month's number: its name's place in MONTHS (a loop, not `chunks().position()`:
    // a `Chunks` iterator was linked for this one use).
    let name = b.get(8..11)?;
    let mut month = 1;
    while MONTHS.get(month * 3 - 3..month * 3)? != name {
        month += 1;
    }
    date_ms(
        b,
        b"aaa, 22 aaa 0000 33:44:55 GMT",
        [0, month as u32, 0, 0, 0, 0],
    )
}

/// The UTC calendar time `b` writes in the shape `t` to epoch ms (one reader for both
/// date forms and the RFC 3339 offset). `t` byte for byte: `0` to `5` stand for a digit of
/// the year, month, day, hour, minute and second (`0000-11-22`), `a` for a letter,
/// `_` for `T`, `t` or a space; any other byte for itself. `f`: those fields before
/// reading (for the ones `t` does not write). Every field is range-checked (second 60, a
/// leap second, is allowed and counts as the next minute's first).
fn date_ms(b: &[u8], t: &[u8], mut f: [u32; 6]) -> Option<f64> {
    if b.len() != t.len() {
        return None;
    }
    // Indexed, not `zip`: a byte-slice `Zip` is linked for this one use.
    for i in 0..b.len() {
        let c = b[i];
        let field = match t[i] {
            p @ b'0'..=b'5' => usize::from(p - b'0'),
            b'a' if c.is_ascii_alphabetic() => continue,
            b'_' if matches!(c, b'T' | b't' | b' ') => continue,
            p if p == c && p != b'_' => continue,
            _ => return None,
        };
        if !c.is_ascii_digit() {
            return None;
        }
        f[field] = f[field] * 10 + u32::from(c - b'0');
    }
    let [y, mo, d, h, mi, s] = f;
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    // Days in the month: February's 28 or 29, else 30 or 31 by the month's parity,
    // which flips from August on (a formula, not a match: no tables in the wasm).
    let dim = if mo == 2 {
        28 + u32::from(leap)
    } else {
        30 | ((mo ^ mo >> 3) & 1)
    };
    if !(1..=12).contains(&mo) || d == 0 || d > dim || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    // Days since 1970-01-01 (H. Hinnant's days_from_civil): years start in March (the
    // leap day last), shifted by 400 years (one era: the calendar repeats) so that year
    // 0's January, year -1 once shifted, stays positive and every division is a plain
    // unsigned one; a year's 365 days, its leap days (y / 4 - y / 100 + y / 400), the
    // months' days before it since March, and 865,565 for 1970-01-01. In 32-bit integers
    // (years up to 9999: days fit), the seconds in f64 (exact).
    let (y, m) = if mo > 2 {
        (y + 400, mo - 3)
    } else {
        (y + 399, mo + 9)
    };
    let days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d - 1;
    let secs = (f64::from(days) - 865_565.0) * 86_400.0 + f64::from(h * 3600 + mi * 60 + s);
    Some(secs * 1000.0)
}

/// Maps a due time to a `u64` with the same order (NaN counts as 0, -0 as 0).
fn due_key(due: f64) -> u64 {
    let due = if due.is_nan() { 0.0 } else { due + 0.0 };
    let b = due.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

fn due_from_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// One timer schedule shared by many handles: entries `key -> due time`, so
/// that the I/O layer keeps a single `setTimeout` for the earliest one.
/// One vector of `(due, key)` kept sorted, earliest first: an insert or a removal
/// looks for the key's entry and moves the entries after it (microseconds for a few
/// thousand, next to the millisecond each poll it schedules costs), in a fraction of
/// the wasm code of a heap beside a map.
#[derive(Debug, Clone)]
pub struct Schedule<K> {
    /// `(due_key(due), key)`, sorted: the earliest first, equal times in key order.
    items: Vec<(u64, K)>,
}

impl<K: Copy + Ord> Default for Schedule<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Copy + Ord> Schedule<K> {
    /// An empty schedule.
    pub fn new() -> Self {
        Schedule { items: Vec::new() }
    }

    /// Schedules `key` at `due_ms` (epoch or any clock, ms), replacing its
    /// earlier entry if any. A NaN due time counts as 0 (due at once).
    pub fn insert(&mut self, key: K, due_ms: f64) {
        self.remove(key);
        let e = (due_key(due_ms), key);
        // Its place, looked for from the end (a new due time is mostly the latest): a
        // linear walk, as `remove`'s, not a second bisection in the wasm. The key is
        // unique, so no entry equals `e`.
        let mut i = self.items.len();
        while i > 0 && self.items[i - 1] > e {
            i -= 1;
        }
        self.items.insert(i, e);
    }

    /// Removes the entry for `key`; whether there was one.
    pub fn remove(&mut self, key: K) -> bool {
        let i = self.items.iter().position(|x| x.1 == key);
        i.map(|i| crate::sync::remove_at(&mut self.items, i))
            .is_some()
    }

    /// The earliest due time, if any entry.
    pub fn next_due(&self) -> Option<f64> {
        self.items.first().map(|x| due_from_key(x.0))
    }

    /// The `setTimeout` delay until the earliest entry is due, seen at
    /// `now_ms` ([`clamp_timeout`] applied), if any entry.
    pub fn next_delay(&self, now_ms: f64) -> Option<u32> {
        self.next_due().map(|due| clamp_timeout(due - now_ms))
    }

    /// The due time of `key`, if scheduled.
    pub fn due(&self, key: K) -> Option<f64> {
        self.items
            .iter()
            .find(|x| x.1 == key)
            .map(|x| due_from_key(x.0))
    }

    /// Removes and returns the entries due at or before `now_ms`, earliest first
    /// (equal times in key order), at most `max` of them (the others stay, due). A NaN
    /// `now_ms` pops nothing.
    pub fn pop_due(&mut self, now_ms: f64, max: usize) -> Vec<K> {
        let limit = due_key(now_ms);
        // A loop of `remove(0)` (the `Vec::remove` that `remove` uses anyway), not
        // `drain(..n).map(..).collect()`: that linked a `Drain` and a collecting loop for
        // this one place. `max` is small (a tick's polls).
        let mut due = Vec::new();
        while due.len() < max
            && !now_ms.is_nan()
            && self.items.first().is_some_and(|x| x.0 <= limit)
        {
            due.push(crate::sync::remove_at(&mut self.items, 0).1);
        }
        due
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether `key` is scheduled.
    pub fn contains(&self, key: K) -> bool {
        self.items.iter().any(|x| x.1 == key)
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.items.clear();
    }
}
