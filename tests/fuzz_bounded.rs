#![cfg(not(target_arch = "wasm32"))]
//! A bounded, seeded fuzz run (a fixed number of iterations, a few seconds in debug) of
//! the message decoders, on what a server controls. It starts from the JSON examples of the
//! specification's tasks page (`shared/spec/2025-11-25/examples`) and mutates them: byte
//! flips, inserted and deleted bytes, truncation, splices between inputs, number and string
//! swaps, deep nesting, invalid UTF-8 and line-end games.
//!
//! What must hold:
//! - nothing panics;
//! - a value that decodes encodes again, and that encoding decodes to the same value.
//!
//! The seed is fixed (override with `FUZZ_SEED`; `FUZZ_ITERATIONS` scales the run). The
//! same target, unbounded, is in `fuzz/` for `cargo fuzz` (nightly). The SSE parser is the
//! host's (`nextEvents` in `src/io/host.js`): its seeded property run is in
//! `tests/node/sse.mjs`.

use std::fmt::Debug;
use std::fs;
use std::path::Path;
use std::time::Instant;

use mcp_tasks_wasm::protocol::{
    CallToolOrTaskResult, CallToolResult, CreateTaskResult, ElicitRequest, ElicitResult,
    GetTaskResult, InitializeResult, JsonRpcErrorResponse, JsonRpcMessage, ListTasksResult,
    ListToolsResult, ServerCapabilities, ServerNotification, Task, TaskStatusNotification,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

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

/// Bytes worth inserting: JSON structure, line ends, invalid UTF-8, NUL (and the SSE field
/// names of the SSE run this file had, kept so that a seed still gives the same inputs).
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
// Seeds: the spec examples and their parts.
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
