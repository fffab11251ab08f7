#![cfg(not(target_arch = "wasm32"))]
//! A bounded, seeded fuzz run (a fixed number of iterations, a few seconds in debug) of
//! what a server controls: the SSE parser and the message decoders. It starts from the
//! JSON examples of the specification's tasks page (`shared/spec/2025-11-25/examples`)
//! and from SSE streams built out of them, and mutates them: byte flips, inserted and
//! deleted bytes, truncation, splices between inputs, number and string swaps, deep
//! nesting, invalid UTF-8, CR/LF games and lines far larger than the parser's cap.
//!
//! What must hold:
//! - nothing panics;
//! - a value that decodes encodes again, and that encoding decodes to the same value;
//! - the SSE parser gives the same events (and the same cap failure) however the stream
//!   is split into chunks, one byte at a time included;
//! - with a cap, the parser never holds more than its cap of pending line and event (data,
//!   event name, id): the heap it keeps between two chunks stays within `RETAINED_FACTOR`
//!   times the cap (a counting allocator measures it), and a line of megabytes against a
//!   cap of a few bytes fails with `TooLarge` instead of being buffered.
//!
//! The seed is fixed (override with `FUZZ_SEED`; `FUZZ_ITERATIONS` scales the run). The
//! same targets, unbounded, are in `fuzz/` for `cargo fuzz` (nightly).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Debug;
use std::fs;
use std::path::Path;
use std::time::Instant;

use mcp_tasks_wasm::protocol::{
    CallToolOrTaskResult, CallToolResult, CreateTaskResult, ElicitRequest, ElicitResult,
    GetTaskResult, InitializeResult, JsonRpcErrorResponse, JsonRpcMessage, ListTasksResult,
    ListToolsResult, ServerCapabilities, ServerNotification, Task, TaskStatusNotification,
};
use mcp_tasks_wasm::sse::{SseError, SseEvent, SseParser};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// A counting allocator: bytes live on this thread (each test runs on its own thread).
// ---------------------------------------------------------------------------------------

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn add_live(n: isize) {
    let _ = LIVE.try_with(|c| c.set(c.get() + n));
}

fn live() -> isize {
    LIVE.with(|c| c.get())
}

// SAFETY: every call is forwarded to `System` unchanged; only a thread-local counter is
// updated on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            add_live(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            add_live(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        add_live(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            add_live(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

// ---------------------------------------------------------------------------------------
// Seeded randomness and mutations.
// ---------------------------------------------------------------------------------------

/// splitmix64: tiny, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x2025_1125)
}

/// `base` iterations, scaled by `FUZZ_ITERATIONS` / 1000 when set.
fn iterations(base: usize) -> usize {
    match std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
    {
        Some(n) => base * n / 1000,
        None => base,
    }
}

/// Bytes worth inserting: JSON structure, line ends, invalid UTF-8, NUL.
const INTERESTING: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"\\",
    b":",
    b",",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xed\xa0\x80",
    b"\0",
    b"\\u0000",
    b"\\ud800",
    b"\\uDFFF",
    b"null",
    b"true",
    b"-0",
    b"1e400",
    b"-1",
    b"18446744073709551616",
    b"9007199254740993",
    b"0.5",
    b"\"\"",
    b"data: ",
    b"id: ",
    b"event: ",
    b"retry: ",
    b": ",
    b"\xef\xbb\xbf",
];

/// Byte sequences that are not UTF-8.
const BAD_UTF8: &[&[u8]] = &[b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"];
/// What a line end may become.
const LINE_ENDS: &[&[u8]] = &[b"\r\n", b"\r", b"\n", b""];
/// The three line ends of SSE.
const NEWLINES: &[&[u8]] = &[b"\n", b"\r\n", b"\r"];

/// Values to swap in for a JSON value.
const VALUES: &[&str] = &[
    "null",
    "true",
    "0",
    "-1",
    "1.5",
    "1e308",
    "-0",
    "18446744073709551615",
    "18446744073709551616",
    "\"\"",
    "\"working\"",
    "\"completed\"",
    "\"failed\"",
    "\"cancelled\"",
    "\"input_required\"",
    "\"canceled\"",
    "\"\\ud800\"",
    "[]",
    "{}",
    "{\"task\":{}}",
    "[[[[[[[[]]]]]]]]",
    "\"2025-11-25T10:30:00Z\"",
    "\"not a date\"",
];

fn mutate(rng: &mut Rng, input: &[u8], pool: &[Vec<u8>]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = b.len();
        match rng.below(12) {
            // Flip bits of a few bytes.
            0 if len > 0 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(len);
                    b[i] ^= 1 << rng.below(8);
                }
            }
            // Overwrite a byte with any value.
            1 if len > 0 => {
                let i = rng.below(len);
                b[i] = rng.next() as u8;
            }
            // Insert an interesting token.
            2 => {
                let i = rng.below(len + 1);
                let t = rng.pick(INTERESTING);
                b.splice(i..i, t.iter().copied());
            }
            // Delete a range.
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                b.drain(i..i + n);
            }
            // Truncate.
            4 if len > 0 => b.truncate(rng.below(len)),
            // Splice in a piece of another input.
            5 => {
                let other = rng.pick(pool);
                if !other.is_empty() {
                    let s = rng.below(other.len());
                    let n = 1 + rng.below((other.len() - s).min(256));
                    let i = rng.below(len + 1);
                    b.splice(i..i, other[s..s + n].iter().copied());
                }
            }
            // Duplicate a range.
            6 if len > 0 => {
                let s = rng.below(len);
                let n = 1 + rng.below((len - s).min(128));
                let piece = b[s..s + n].to_vec();
                let i = rng.below(len + 1);
                b.splice(i..i, piece);
            }
            // Swap a JSON value (after a colon) for another one.
            7 => {
                let colons: Vec<usize> = b
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c == b':')
                    .map(|(i, _)| i)
                    .collect();
                if !colons.is_empty() {
                    let at = *rng.pick(&colons) + 1;
                    let end = b[at..]
                        .iter()
                        .position(|&c| c == b',' || c == b'}' || c == b']')
                        .map_or(b.len(), |p| at + p);
                    let v = rng.pick(VALUES).as_bytes();
                    b.splice(at..end, v.iter().copied());
                }
            }
            // Nest deeply (past serde_json's recursion limit at times).
            8 => {
                let depth = [3, 64, 127, 129, 2000][rng.below(5)];
                let mut n = Vec::with_capacity(b.len() + 2 * depth);
                n.extend(std::iter::repeat_n(b'[', depth));
                n.extend_from_slice(&b);
                n.extend(std::iter::repeat_n(b']', depth));
                b = n;
            }
            // A long string or number.
            9 => {
                let i = rng.below(len + 1);
                let n = [100, 4096, 70_000][rng.below(3)];
                let fill = if rng.chance(50) { b'7' } else { b'a' };
                b.splice(i..i, std::iter::repeat_n(fill, n));
            }
            // Invalid UTF-8 inside a string.
            10 => {
                let quotes: Vec<usize> = b
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c == b'"')
                    .map(|(i, _)| i + 1)
                    .collect();
                if !quotes.is_empty() {
                    let i = *rng.pick(&quotes);
                    let bad = *rng.pick(BAD_UTF8);
                    b.splice(i..i, bad.iter().copied());
                }
            }
            // Swap line ends.
            _ => {
                let from = *rng.pick(b"\n\r");
                let to = *rng.pick(LINE_ENDS);
                let mut n = Vec::with_capacity(b.len());
                for &c in &b {
                    if c == from && rng.chance(50) {
                        n.extend_from_slice(to);
                    } else {
                        n.push(c);
                    }
                }
                b = n;
            }
        }
    }
    b
}

// ---------------------------------------------------------------------------------------
// Seeds: the spec examples, their parts, and SSE streams made of them.
// ---------------------------------------------------------------------------------------

fn examples() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/2025-11-25/examples");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "the spec examples are there");
    files
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).expect("read example");
            let v = serde_json::from_str(&text).expect("an example is JSON");
            (p.file_name().unwrap().to_string_lossy().into_owned(), v)
        })
        .collect()
}

/// Every object inside `v` (itself included).
fn objects(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            out.push(v.clone());
            for x in m.values() {
                objects(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| objects(x, out)),
        _ => {}
    }
}

/// JSON seeds: each example as written and minified, and each object inside it.
fn json_seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (name, v) in examples() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/spec/2025-11-25/examples")
            .join(&name);
        out.push(fs::read(file).expect("read example"));
        let mut objs = Vec::new();
        objects(&v, &mut objs);
        for o in objs {
            out.push(serde_json::to_vec(&o).expect("encode"));
        }
    }
    out
}

/// SSE streams built from the examples: one event per example, in the shapes servers
/// use (priming event, ids, `event: message`, retry, comments, multi-line data, CRLF).
fn sse_seeds(json: &[Vec<u8>], rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (k, chunk) in json.chunks(4).enumerate() {
        let mut s = Vec::new();
        if k % 3 == 0 {
            s.extend_from_slice(b"id: 0\ndata: \n\n"); // priming event
        }
        if k % 4 == 1 {
            s.extend_from_slice(b"\xef\xbb\xbf: a BOM and a comment\nretry: 1500\n\n");
        }
        for (i, j) in chunk.iter().enumerate() {
            let nl = *rng.pick(NEWLINES);
            if i % 2 == 0 {
                s.extend_from_slice(format!("id: {k}-{i}").as_bytes());
                s.extend_from_slice(nl);
                s.extend_from_slice(b"event: message");
                s.extend_from_slice(nl);
            }
            // Pretty JSON goes out as several data lines.
            for line in j.split(|&c| c == b'\n') {
                s.extend_from_slice(b"data: ");
                s.extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
                s.extend_from_slice(nl);
            }
            s.extend_from_slice(nl);
        }
        out.push(s);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------------------

/// Decode as `T`; if that works, encode and decode again: the same value must come back.
fn roundtrip<T>(what: &str, bytes: &[u8]) -> bool
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let Ok(v) = serde_json::from_slice::<T>(bytes) else {
        return false;
    };
    let text = serde_json::to_vec(&v)
        .unwrap_or_else(|e| panic!("{what}: a decoded value does not encode: {e}: {v:?}"));
    let again: T = serde_json::from_slice(&text).unwrap_or_else(|e| {
        panic!(
            "{what}: its own encoding does not decode: {e}\ninput: {}\nencoding: {}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&text)
        )
    });
    assert_eq!(
        again,
        v,
        "{what}: changed in a round trip; input: {}",
        String::from_utf8_lossy(bytes)
    );
    true
}

fn decodes<T: DeserializeOwned>(bytes: &[u8]) -> bool {
    serde_json::from_slice::<T>(bytes).is_ok()
}

/// Every decoder on `bytes`; returns how many accepted it.
fn decode_all(bytes: &[u8]) -> usize {
    let mut n = 0;
    if roundtrip::<JsonRpcMessage>("JsonRpcMessage", bytes) {
        n += 1;
        // What the client does next: the result or params, as the type they should be.
        let msg: JsonRpcMessage = serde_json::from_slice(bytes).expect("decoded above");
        let _ = (msg.kind(), msg.id(), msg.method());
        if let JsonRpcMessage::Notification(note) = &msg {
            n += usize::from(ServerNotification::from_notification(note.clone()).is_ok());
        }
        let inner = match &msg {
            JsonRpcMessage::Response(r) => Some(r.result.clone()),
            JsonRpcMessage::Request(r) => r.params.clone(),
            JsonRpcMessage::Notification(r) => r.params.clone(),
            JsonRpcMessage::Error(e) => e.error.data.clone(),
        };
        if let Some(v) = inner {
            let b = serde_json::to_vec(&v).expect("a Value encodes");
            n += decode_results(&b);
        }
    }
    n += usize::from(decodes::<JsonRpcErrorResponse>(bytes));
    n += usize::from(decodes::<TaskStatusNotification>(bytes));
    n += usize::from(decodes::<ElicitRequest>(bytes));
    n + decode_results(bytes)
}

/// The decoders of results and parts of them.
fn decode_results(bytes: &[u8]) -> usize {
    let mut n = 0;
    n += usize::from(roundtrip::<Task>("Task", bytes));
    n += usize::from(roundtrip::<CallToolOrTaskResult>(
        "CallToolOrTaskResult",
        bytes,
    ));
    n += usize::from(roundtrip::<CreateTaskResult>("CreateTaskResult", bytes));
    n += usize::from(roundtrip::<GetTaskResult>("GetTaskResult", bytes));
    n += usize::from(roundtrip::<ListTasksResult>("ListTasksResult", bytes));
    n += usize::from(decodes::<CallToolResult>(bytes));
    n += usize::from(decodes::<InitializeResult>(bytes));
    n += usize::from(decodes::<ServerCapabilities>(bytes));
    n += usize::from(decodes::<ListToolsResult>(bytes));
    n += usize::from(decodes::<ElicitResult>(bytes));
    n
}

/// Events (and the cap failure, if any) from feeding `stream` in the given pieces.
fn parse_pieces(stream: &[u8], cap: usize, cuts: &[usize]) -> (Vec<SseEvent>, Option<SseError>) {
    let mut p = SseParser::with_max_event_bytes(cap);
    let mut out = Vec::new();
    let mut start = 0;
    for &c in cuts.iter().chain(std::iter::once(&stream.len())) {
        match p.push(&stream[start..c]) {
            Ok(evs) => out.extend(evs),
            Err(e) => return (out, Some(e)),
        }
        start = c;
    }
    let end = p.finish().err();
    (out, end)
}

/// Random cut points for `len` bytes.
fn cuts(rng: &mut Rng, len: usize) -> Vec<usize> {
    if len == 0 {
        return Vec::new();
    }
    let mut c: Vec<usize> = (0..rng.below(12)).map(|_| rng.below(len + 1)).collect();
    c.sort_unstable();
    c
}

/// How much the parser may keep between chunks, relative to its cap: the current line
/// and the pending event (data, event name, id) are capped together, growth by doubling
/// may take up to twice that, and the previous event's id (at most the cap) is kept for
/// `Last-Event-ID`.
const RETAINED_FACTOR: isize = 3;
/// Fixed slack on top (allocator rounding; it dominates for tiny caps).
const RETAINED_SLACK: isize = 1024;

/// Feed `stream` in pieces and measure what the parser keeps on the heap after each one.
/// Returns the largest figure.
fn retained_peak(stream: &[u8], cap: usize, cuts: &[usize]) -> isize {
    let base = live();
    let mut p = SseParser::with_max_event_bytes(cap);
    let mut peak = live() - base;
    let mut start = 0;
    for &c in cuts.iter().chain(std::iter::once(&stream.len())) {
        let r = p.push(&stream[start..c]);
        let failed = r.is_err();
        drop(r);
        peak = peak.max(live() - base);
        if failed {
            break;
        }
        start = c;
    }
    let _ = p.finish();
    peak = peak.max(live() - base);
    drop(p);
    peak
}

#[test]
fn spec_examples_decode_before_mutation() {
    let seeds = json_seeds();
    let accepted = seeds.iter().filter(|s| decode_all(s) > 0).count();
    // Every example file is some message or result; many of their parts are too.
    assert!(
        accepted >= 20,
        "only {accepted} of {} seeds decode",
        seeds.len()
    );
}

#[test]
fn decoders_survive_mutated_spec_examples() {
    let mut rng = Rng(seed());
    let seeds = json_seeds();
    let n = iterations(15_000);
    let t0 = Instant::now();
    let mut accepted = 0usize;
    let mut last: Vec<u8> = Vec::new();
    for i in 0..n {
        // Mutate a seed, or stack more mutations on the previous input if it still decoded.
        let base = if i % 3 == 0 || last.is_empty() || last.len() > 256 * 1024 {
            rng.pick(&seeds).clone()
        } else {
            std::mem::take(&mut last)
        };
        let input = mutate(&mut rng, &base, &seeds);
        if decode_all(&input) > 0 {
            accepted += 1;
            last = input;
        }
    }
    println!(
        "decoders: {n} mutated inputs from {} seeds (seed {:#x}) in {:.1} s, {accepted} still decoded as something",
        seeds.len(),
        seed(),
        t0.elapsed().as_secs_f64()
    );
}

#[test]
fn sse_parser_survives_mutated_streams_and_keeps_within_its_cap() {
    let mut rng = Rng(seed() ^ 0x55E);
    let json = json_seeds();
    let streams = sse_seeds(&json, &mut rng);
    let caps = [8usize, 64, 256, 1024, 4096, 1 << 20];
    let n = iterations(6000);
    let t0 = Instant::now();
    let (mut events, mut too_large, mut decoded) = (0usize, 0usize, 0usize);
    let mut worst: (f64, usize) = (0.0, 0);
    for _ in 0..n {
        let base = rng.pick(&streams).clone();
        let stream = if rng.chance(85) {
            mutate(&mut rng, &base, &streams)
        } else {
            base
        };
        let cap = *rng.pick(&caps);
        // The same stream in one piece, in random pieces, and byte by byte (short ones).
        let whole = parse_pieces(&stream, cap, &[]);
        let split = cuts(&mut rng, stream.len());
        let pieces = parse_pieces(&stream, cap, &split);
        assert_eq!(
            pieces,
            whole,
            "chunking changed the events (cap {cap}, cuts {split:?}): {:?}",
            String::from_utf8_lossy(&stream)
        );
        if stream.len() <= 2048 {
            let all: Vec<usize> = (1..stream.len()).collect();
            assert_eq!(
                parse_pieces(&stream, cap, &all),
                whole,
                "byte-by-byte feeding changed the events"
            );
        }
        if cap <= 4096 {
            let peak = retained_peak(&stream, cap, &split);
            let bound = RETAINED_FACTOR * cap as isize + RETAINED_SLACK;
            assert!(
                peak <= bound,
                "the parser kept {peak} bytes with a cap of {cap}: {:?}",
                String::from_utf8_lossy(&stream)
            );
            let ratio = peak as f64 / cap as f64;
            if ratio > worst.0 {
                worst = (ratio, cap);
            }
        }
        too_large += usize::from(whole.1.is_some());
        events += whole.0.len();
        for ev in &whole.0 {
            if decode_all(ev.data.as_bytes()) > 0 {
                decoded += 1;
            }
        }
    }
    println!(
        "sse: {n} streams from {} seeds (seed {:#x}) in {:.1} s: {events} events ({decoded} decoded as messages), {too_large} over the cap; most kept: {:.1} x the cap (cap {})",
        streams.len(),
        seed(),
        t0.elapsed().as_secs_f64(),
        worst.0,
        worst.1
    );
}

#[test]
fn huge_lines_against_a_small_cap_fail_instead_of_buffering() {
    let mut rng = Rng(seed() ^ 0xB16);
    for &cap in &[1usize, 16, 1024, 64 * 1024] {
        for shape in 0..4 {
            // A line of 8 MiB (data, an unknown field, an id, a comment) in random chunks.
            let prefix: &[u8] = [&b"data: "[..], b"x-field: ", b"id: ", b": "][shape];
            let mut stream = prefix.to_vec();
            stream.extend(std::iter::repeat_n(b'z', 8 << 20));
            stream.extend_from_slice(b"\n\n");
            let mut split = Vec::new();
            let mut at = 0;
            while at < stream.len() {
                at += 1 + rng.below(256 * 1024);
                split.push(at.min(stream.len()));
            }
            split.pop();
            let peak = retained_peak(&stream, cap, &split);
            let bound = RETAINED_FACTOR * cap as isize + RETAINED_SLACK;
            assert!(
                peak <= bound,
                "kept {peak} bytes of a huge line with a cap of {cap} (shape {shape})"
            );
            let (evs, err) = parse_pieces(&stream, cap, &split);
            assert!(evs.is_empty());
            assert_eq!(
                err,
                Some(SseError::TooLarge { limit: cap }),
                "shape {shape}, cap {cap}"
            );
        }
    }
}

#[test]
fn event_names_and_ids_count_against_the_cap() {
    // A pending event whose `event` and `id` fields are as long as the cap allows, in
    // ASCII and in invalid UTF-8 (each bad byte decodes to U+FFFD, 3 bytes).
    let mut worst = 0.0f64;
    for &cap in &[64usize, 1024, 4096, 64 * 1024] {
        for (fill, len) in [
            (b'e', cap - 8),
            (0xff, cap - 8),
            (b'e', cap / 3 - 8),
            (0xff, cap / 9),
        ] {
            let value = vec![fill; len];
            let mut stream = Vec::new();
            for field in [&b"event: "[..], b"id: "] {
                stream.extend_from_slice(field);
                stream.extend_from_slice(&value);
                stream.push(b'\n');
            }
            // No blank line: the event stays pending, with all its fields held.
            let peak = retained_peak(&stream, cap, &[]);
            let bound = RETAINED_FACTOR * cap as isize + RETAINED_SLACK;
            worst = worst.max(peak as f64 / cap as f64);
            assert!(
                peak <= bound,
                "kept {peak} bytes ({:.1} x the cap of {cap}) for one pending event",
                peak as f64 / cap as f64
            );
        }
    }
    println!("pending event with long fields: kept at most {worst:.1} x the cap");
}
