//! Incremental Server-Sent Events parser (pure Rust).
//!
//! Implements the event-stream interpretation of the WHATWG HTML standard
//! (§9.2.6) over byte chunks as they come from a `fetch` body: a chunk may end
//! anywhere, inside a UTF-8 sequence or between the CR and LF of one line end.
//! Lines are decoded lossily (invalid UTF-8 becomes U+FFFD) once complete.
//!
//! One parser may read several streams in turn (a stream and its reconnections):
//! [`SseParser::finish`] ends a stream and keeps the last event id and the
//! `retry` value for the next one.
//!
//! MCP servers open resumable streams with a *priming* event, `id: N` and
//! `data: ` (one empty data line). Per the standard that event IS dispatched,
//! with empty `data`: callers should skip events whose data is empty.

use std::fmt;

/// Default cap on the bytes buffered for one event: 16 MiB.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event` field, or `"message"` when absent or empty.
    pub event: String,
    /// The `data` lines joined with `"\n"` (no trailing newline).
    pub data: String,
    /// The `id` field of this event, if it had one (empty means "reset").
    pub id: Option<String>,
}

/// Why a stream was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SseError {
    /// A line or an event's data went beyond the cap given at construction.
    TooLarge {
        /// The cap in bytes.
        limit: usize,
    },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::TooLarge { limit } => {
                write!(f, "SSE event larger than {limit} bytes")
            }
        }
    }
}

impl std::error::Error for SseError {}

/// How a line's bytes become text: appended to the string, decoded as UTF-8 with each
/// invalid sequence as U+FFFD ([`crate::text::push_lossy`] natively; in the wasm, the
/// host's `TextDecoder`).
pub type Decode = fn(&mut String, &[u8]);

/// An incremental SSE parser: feed it byte chunks, get complete events back.
#[derive(Debug)]
pub struct SseParser {
    max: usize,
    decode: Decode,
    /// Bytes of the current, unterminated line.
    line: Vec<u8>,
    /// The previous chunk ended with CR: a leading LF in the next one belongs to it.
    pending_cr: bool,
    /// No line of the current stream completed yet (BOM check pending).
    at_start: bool,
    data: String,
    event: String,
    /// The event being built has an id field (its value is `id_buffer`).
    has_id: bool,
    /// The standard's "last event ID buffer".
    id_buffer: String,
    /// The stream's "last event ID string", set at each dispatch.
    last_event_id: String,
    retry: Option<u32>,
    /// Set when the cap was hit: the stream is abandoned.
    failed: bool,
}

/// `dst = src`, keeping `dst`'s allocation: `clear` and `push_str`, not `clone_from`,
/// which linked a second copy of the string-growing chain (`spec_extend`, `reserve`,
/// `grow_amortized`, `finish_grow`) for these two calls.
fn set(dst: &mut String, src: &str) {
    dst.clear();
    dst.push_str(src);
}

/// A parser fed text, not bytes (the wasm's: the host decodes each chunk with a streaming
/// `TextDecoder`, so no line is decoded on its own). Only `&str` goes in: each piece the
/// parser decodes is then cut from that text at ASCII bytes (a line break, the field's
/// colon and space) or at a chunk's end, after a whole BOM, or joins such pieces, so it
/// is valid UTF-8, and is appended as it is (core's UTF-8 validation is not linked).
#[derive(Debug)]
pub struct SseTextParser(SseParser);

impl SseTextParser {
    /// A parser that buffers at most `max` bytes (see [`SseParser::with_max_event_bytes`]).
    pub fn new(max: usize) -> Self {
        SseTextParser(SseParser::with_decoder(max, push_valid))
    }

    /// [`SseParser::push_each`] for a chunk of text.
    pub fn push_each(&mut self, chunk: &str, on: &mut dyn FnMut(SseEvent)) -> Result<(), SseError> {
        self.0.push_each(chunk.as_bytes(), on)
    }

    /// [`SseParser::finish`].
    pub fn finish(&mut self) -> Result<(), SseError> {
        self.0.finish()
    }
}

/// Read access only: a `&mut SseParser` could be fed bytes.
impl std::ops::Deref for SseTextParser {
    type Target = SseParser;
    fn deref(&self) -> &SseParser {
        &self.0
    }
}

/// The decoder of an [`SseTextParser`]: its pieces are valid UTF-8 (see there).
fn push_valid(out: &mut String, bytes: &[u8]) {
    // SAFETY: only an `SseTextParser`'s parser calls this, with pieces of its `&str`
    // chunks cut at ASCII bytes or chunk ends (see `SseTextParser`).
    out.push_str(unsafe { std::str::from_utf8_unchecked(bytes) });
}

impl Default for SseParser {
    fn default() -> Self {
        Self::new()
    }
}

impl SseParser {
    /// A parser with the default cap ([`DEFAULT_MAX_EVENT_BYTES`]).
    pub fn new() -> Self {
        Self::with_max_event_bytes(DEFAULT_MAX_EVENT_BYTES)
    }

    /// A parser that buffers at most `max` bytes of unterminated line plus
    /// event data; beyond that [`SseParser::push`] fails with [`SseError::TooLarge`].
    pub fn with_max_event_bytes(max: usize) -> Self {
        Self::with_decoder(max, crate::text::push_lossy)
    }

    /// [`SseParser::with_max_event_bytes`], decoding lines with `decode`.
    pub fn with_decoder(max: usize, decode: Decode) -> Self {
        SseParser {
            max,
            decode,
            line: Vec::new(),
            pending_cr: false,
            at_start: true,
            data: String::new(),
            event: String::new(),
            has_id: false,
            id_buffer: String::new(),
            last_event_id: String::new(),
            retry: None,
            failed: false,
        }
    }

    /// Feeds a chunk, split at any byte, and returns the events it completed.
    ///
    /// When the cap is hit the rest of the stream is abandoned and its buffers
    /// freed. Events completed earlier in the same chunk are still returned
    /// (`Ok`); the error then comes from the next `push` or from `finish`.
    /// Every call after the error fails until [`SseParser::finish`].
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, SseError> {
        let mut out = Vec::new();
        self.push_each(chunk, &mut |e| out.push(e))?;
        Ok(out)
    }

    /// [`SseParser::push`], handing each event to `on` as it completes (no vector of
    /// events); `Err` as `push` fails: only when no event was handed over.
    pub fn push_each(
        &mut self,
        chunk: &[u8],
        on: &mut dyn FnMut(SseEvent),
    ) -> Result<(), SseError> {
        if self.failed {
            return Err(self.error());
        }
        // Whether an event was handed to `on` (then the cap's error waits for the next
        // call).
        let mut out = false;
        let mut i = 0;
        if self.pending_cr && !chunk.is_empty() {
            self.pending_cr = false;
            if chunk[0] == b'\n' {
                i = 1;
            }
        }
        while i < chunk.len() {
            let rest = &chunk[i..];
            let end = rest.iter().position(|&b| b == b'\n' || b == b'\r');
            // The line so far (terminated or not) within the cap.
            if self.held() + end.unwrap_or(rest.len()) > self.max {
                return self.fail(out);
            }
            let Some(p) = end else {
                self.line.extend_from_slice(rest);
                break;
            };
            if self.line.is_empty() {
                out |= self.process_line(&rest[..p], on);
            } else {
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(&rest[..p]);
                out |= self.process_line(&line, on);
                // Keep the allocation for the next line, unless it was a big one.
                if line.capacity() <= 1 << 16 {
                    line.clear();
                    self.line = line;
                }
            }
            if self.held() > self.max {
                return self.fail(out);
            }
            i += p + 1;
            if rest[p] == b'\r' {
                match chunk.get(i) {
                    Some(b'\n') => i += 1,
                    Some(_) => {}
                    None => self.pending_cr = true,
                }
            }
        }
        Ok(())
    }

    /// Ends the current stream. A pending unterminated line or event is
    /// discarded, as the standard says (see [`SseParser::has_pending`] to learn
    /// whether there was one). Returns `Err(TooLarge)` if the stream was
    /// abandoned at the cap. Either way the parser is then ready for a new
    /// stream (a reconnection): [`SseParser::last_event_id`] and
    /// [`SseParser::retry_ms`] are kept.
    pub fn finish(&mut self) -> Result<(), SseError> {
        let failed = std::mem::replace(&mut self.failed, false);
        self.reset_stream();
        if failed {
            Err(self.error())
        } else {
            Ok(())
        }
    }

    /// Whether part of an event is buffered: an unterminated line, or fields
    /// read since the last blank line. True before [`SseParser::finish`] means
    /// the stream was cut mid-event.
    pub fn has_pending(&self) -> bool {
        !self.line.is_empty() || !self.data.is_empty() || !self.event.is_empty() || self.has_id
    }

    /// The stream's last event id (set when an event carrying an `id` is
    /// dispatched, kept across events); `None` when unset or reset to empty.
    /// Send it as `Last-Event-ID` when reconnecting.
    pub fn last_event_id(&self) -> Option<&str> {
        if self.last_event_id.is_empty() {
            None
        } else {
            Some(&self.last_event_id)
        }
    }

    /// The latest valid `retry:` value in ms (saturated at `u32::MAX`).
    pub fn retry_ms(&self) -> Option<u32> {
        self.retry
    }

    fn error(&self) -> SseError {
        SseError::TooLarge { limit: self.max }
    }

    /// Abandon the stream at the cap; the error now unless an event was handed over
    /// (`out`).
    fn fail(&mut self, out: bool) -> Result<(), SseError> {
        self.failed = true;
        self.reset_stream();
        if out {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn reset_stream(&mut self) {
        self.line = Vec::new();
        self.data = String::new();
        self.event = String::new();
        self.has_id = false;
        self.pending_cr = false;
        self.at_start = true;
        // An id read in an event that was never dispatched does not count.
        set(&mut self.id_buffer, &self.last_event_id);
    }

    /// Bytes held for the pending event: the unterminated line, the data, the event
    /// name and the id (all count against the cap, so no field can grow without bound).
    fn held(&self) -> usize {
        self.line.len() + self.data.len() + self.event.len() + self.id_buffer.len()
    }

    /// One line; whether it dispatched an event (to `on`).
    fn process_line(&mut self, raw: &[u8], on: &mut dyn FnMut(SseEvent)) -> bool {
        let mut raw = raw;
        if self.at_start {
            self.at_start = false;
            if let [0xEF, 0xBB, 0xBF, rest @ ..] = raw {
                raw = rest;
            }
        }
        if raw.is_empty() {
            return self.dispatch(on);
        }
        if raw[0] == b':' {
            return false;
        }
        let (name, value) = match raw.iter().position(|&b| b == b':') {
            Some(c) => {
                let v = &raw[c + 1..];
                (&raw[..c], if let [b' ', rest @ ..] = v { rest } else { v })
            }
            None => (raw, &b""[..]),
        };
        // One call of the decoder for the three text fields.
        let decode = self.decode;
        let (field, data) = match name {
            b"data" => (&mut self.data, true),
            b"event" => {
                self.event.clear();
                (&mut self.event, false)
            }
            b"id" if value.iter().all(|&b| b != 0) => {
                self.id_buffer.clear();
                self.has_id = true;
                (&mut self.id_buffer, false)
            }
            // Digits only (saturated): anything else leaves `retry` as it was.
            b"retry" => {
                if let Some(n) = crate::text::digits(value) {
                    // `as` saturates: a longer wait is `u32::MAX` ms.
                    self.retry = Some(n as u32);
                }
                return false;
            }
            _ => return false,
        };
        decode(field, value);
        if data {
            // A `&str`, not a `char`: `String::push` links a UTF-8 encoder for this
            // one use.
            #[allow(clippy::single_char_add_str)]
            field.push_str("\n");
        }
        false
    }

    fn dispatch(&mut self, on: &mut dyn FnMut(SseEvent)) -> bool {
        set(&mut self.last_event_id, &self.id_buffer);
        let has_id = std::mem::replace(&mut self.has_id, false);
        let mut event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return false;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the trailing "\n" every data line adds
        if event.is_empty() {
            event.push_str("message");
        }
        let id = has_id.then(|| self.id_buffer.clone());
        on(SseEvent { event, data, id });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_parser_reads_text_chunks_as_the_byte_parser_reads_their_bytes() {
        let stream = "\u{feff}id: é1\r\ndata: héllo\r\n\r\nevent: x\ndata: ∑\ndata: 😀\n\n";
        for cut in [1, 2, 3, 5, 7, 11] {
            let mut text = SseTextParser::new(DEFAULT_MAX_EVENT_BYTES);
            let mut bytes = SseParser::new();
            let (mut got, mut want) = (Vec::new(), Vec::new());
            let mut rest = stream;
            while !rest.is_empty() {
                let mut n = cut.min(rest.len());
                while !rest.is_char_boundary(n) {
                    n += 1;
                }
                let (piece, tail) = rest.split_at(n);
                text.push_each(piece, &mut |e| got.push(e)).unwrap();
                bytes
                    .push_each(piece.as_bytes(), &mut |e| want.push(e))
                    .unwrap();
                rest = tail;
            }
            assert_eq!(got.len(), 2);
            assert_eq!(got, want);
            assert_eq!(text.last_event_id(), Some("é1"));
        }
    }
}
