#![no_main]
//! The SSE parser on arbitrary bytes, split into arbitrary chunks, under a cap picked by
//! the input. It never panics; how the stream is split never changes the events, the last
//! event id, the retry value or the cap failure; no dispatched event's data exceeds the cap.
//!
//! Input layout: byte 0 picks the cap (low 3 bits) and how many of the next bytes are
//! chunk lengths (high 5 bits); the rest is the stream.

use libfuzzer_sys::fuzz_target;
use mcp_tasks_wasm::sse::{SseError, SseEvent, SseParser};

const CAPS: [usize; 8] = [1, 7, 64, 256, 1024, 4096, 65536, 16 << 20];

type Outcome = (Vec<SseEvent>, Option<SseError>, Option<String>, Option<u32>);

fn run(stream: &[u8], cap: usize, cuts: &[usize]) -> Outcome {
    let mut p = SseParser::with_max_event_bytes(cap);
    let mut events = Vec::new();
    let mut start = 0;
    for &c in cuts.iter().chain(std::iter::once(&stream.len())) {
        match p.push(&stream[start..c]) {
            Ok(evs) => events.extend(evs),
            Err(e) => {
                let _ = p.finish();
                let id = p.last_event_id().map(str::to_owned);
                return (events, Some(e), id, p.retry_ms());
            }
        }
        start = c;
    }
    let err = p.finish().err();
    let id = p.last_event_id().map(str::to_owned);
    (events, err, id, p.retry_ms())
}

fuzz_target!(|input: &[u8]| {
    let Some((&ctl, rest)) = input.split_first() else {
        return;
    };
    let cap = CAPS[usize::from(ctl & 7)];
    let n = usize::from(ctl >> 3).min(rest.len());
    let (lens, stream) = rest.split_at(n);
    let mut cuts = Vec::new();
    let mut at = 0;
    for &l in lens {
        at += usize::from(l) + 1;
        if at >= stream.len() {
            break;
        }
        cuts.push(at);
    }
    let whole = run(stream, cap, &[]);
    let pieces = run(stream, cap, &cuts);
    assert_eq!(
        whole, pieces,
        "chunking changed the outcome (cap {cap}, cuts {cuts:?})"
    );
    if stream.len() <= 512 {
        let bytes: Vec<usize> = (1..stream.len()).collect();
        assert_eq!(
            whole,
            run(stream, cap, &bytes),
            "byte-by-byte feeding changed the outcome"
        );
    }
    for ev in &whole.0 {
        assert!(
            ev.data.len() <= cap,
            "an event of {} bytes passed a cap of {cap}",
            ev.data.len()
        );
    }
});
