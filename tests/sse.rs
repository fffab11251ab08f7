#![cfg(not(target_arch = "wasm32"))]
//! The SSE parser on split, CRLF, multi-line, `retry`, comment and garbage input.

use mcp_tasks_wasm::sse::{SseError, SseEvent, SseParser, DEFAULT_MAX_EVENT_BYTES};

fn ev(event: &str, data: &str, id: Option<&str>) -> SseEvent {
    SseEvent {
        event: event.into(),
        data: data.into(),
        id: id.map(Into::into),
    }
}

/// Parses `input` in one chunk and finishes the stream.
fn parse(input: &[u8]) -> Vec<SseEvent> {
    let mut p = SseParser::new();
    let out = p.push(input).unwrap();
    p.finish().unwrap();
    out
}

/// Parses `input` split at every given position.
fn parse_split(input: &[u8], cuts: &[usize]) -> (Vec<SseEvent>, SseParser) {
    let mut p = SseParser::new();
    let mut out = Vec::new();
    let mut start = 0;
    for &c in cuts.iter().chain(std::iter::once(&input.len())) {
        out.extend(p.push(&input[start..c]).unwrap());
        start = c;
    }
    (out, p)
}

const STREAM: &[u8] = "\u{feff}: hello\r\n\
id: 1\r\nretry: 1500\r\ndata: \r\n\r\n\
event: message\nid: 2\ndata: {\"a\":\"é😀\"}\n\n\
data: line one\rdata: line two\r\revent: custom\r\ndata:x\r\n\r\n\
id: 3\n\n\
data: tail without blank line\n"
    .as_bytes();

fn stream_events() -> Vec<SseEvent> {
    vec![
        ev("message", "", Some("1")),
        ev("message", "{\"a\":\"é😀\"}", Some("2")),
        ev("message", "line one\nline two", None),
        ev("custom", "x", None),
    ]
}

#[test]
fn whole_stream_gives_the_expected_events() {
    let (out, mut p) = parse_split(STREAM, &[]);
    assert_eq!(out, stream_events());
    assert_eq!(p.last_event_id(), Some("3"));
    assert_eq!(p.retry_ms(), Some(1500));
    assert!(p.has_pending());
    p.finish().unwrap();
    assert!(!p.has_pending());
}

#[test]
fn every_single_split_point_gives_the_same_events() {
    for cut in 0..=STREAM.len() {
        let (out, p) = parse_split(STREAM, &[cut]);
        assert_eq!(out, stream_events(), "cut at {cut}");
        assert_eq!(p.last_event_id(), Some("3"), "cut at {cut}");
        assert_eq!(p.retry_ms(), Some(1500));
    }
}

#[test]
fn every_pair_of_split_points_gives_the_same_events() {
    for a in 0..=STREAM.len() {
        for b in a..=STREAM.len() {
            let (out, _) = parse_split(STREAM, &[a, b]);
            assert_eq!(out, stream_events(), "cuts at {a}, {b}");
        }
    }
}

#[test]
fn byte_by_byte_feeding_gives_the_same_events() {
    let cuts: Vec<usize> = (1..STREAM.len()).collect();
    let (out, p) = parse_split(STREAM, &cuts);
    assert_eq!(out, stream_events());
    assert_eq!(p.last_event_id(), Some("3"));
}

#[test]
fn empty_chunks_change_nothing() {
    let mut p = SseParser::new();
    let mut out = Vec::new();
    for &b in STREAM {
        out.extend(p.push(&[]).unwrap());
        out.extend(p.push(&[b]).unwrap());
    }
    assert_eq!(out, stream_events());
}

#[test]
fn lf_crlf_and_cr_line_ends_are_equivalent() {
    for nl in ["\n", "\r\n", "\r"] {
        let s = format!("event: e{nl}data: a{nl}data: b{nl}{nl}data: c{nl}{nl}");
        assert_eq!(
            parse(s.as_bytes()),
            vec![ev("e", "a\nb", None), ev("message", "c", None)],
            "line end {nl:?}"
        );
    }
}

#[test]
fn cr_at_chunk_end_then_lf_is_one_line_end() {
    let mut p = SseParser::new();
    assert!(p.push(b"data: a\r").unwrap().is_empty());
    // If the LF counted as a second line end, it would be a blank line and dispatch.
    assert!(p.push(b"\n").unwrap().is_empty());
    assert!(p.push(b"data: b\r").unwrap().is_empty());
    assert_eq!(p.push(b"\r").unwrap(), vec![ev("message", "a\nb", None)]);
}

#[test]
fn cr_at_chunk_end_then_other_byte_starts_a_new_line() {
    let mut p = SseParser::new();
    assert!(p.push(b"data: a\r").unwrap().is_empty());
    assert_eq!(
        p.push(b"\rdata: b\r").unwrap(),
        vec![ev("message", "a", None)]
    );
    assert_eq!(p.push(b"\r\n").unwrap(), vec![ev("message", "b", None)]);
}

#[test]
fn multi_line_data_is_joined_with_newlines() {
    assert_eq!(
        parse(b"data: {\ndata:   \"a\": 1\ndata\ndata: }\n\n"),
        vec![ev("message", "{\n  \"a\": 1\n\n}", None)]
    );
}

#[test]
fn only_one_leading_space_is_removed() {
    assert_eq!(
        parse(b"data:  two\n\ndata:none\n\n"),
        vec![ev("message", " two", None), ev("message", "none", None)]
    );
}

#[test]
fn id_is_reported_and_kept_across_events() {
    let mut p = SseParser::new();
    let out = p.push(b"id: 7\ndata: a\n\ndata: b\n\n").unwrap();
    assert_eq!(
        out,
        vec![ev("message", "a", Some("7")), ev("message", "b", None)]
    );
    assert_eq!(p.last_event_id(), Some("7"));
}

#[test]
fn empty_id_resets_the_last_event_id() {
    let mut p = SseParser::new();
    p.push(b"id: 7\ndata: a\n\n").unwrap();
    let out = p.push(b"id\ndata: b\n\n").unwrap();
    assert_eq!(out, vec![ev("message", "b", Some(""))]);
    assert_eq!(p.last_event_id(), None);
}

#[test]
fn id_with_nul_is_ignored() {
    let mut p = SseParser::new();
    let out = p.push(b"id: 1\n\nid: a\0b\ndata: x\n\n").unwrap();
    assert_eq!(out, vec![ev("message", "x", None)]);
    assert_eq!(p.last_event_id(), Some("1"));
}

#[test]
fn last_event_id_changes_only_at_dispatch() {
    let mut p = SseParser::new();
    p.push(b"id: 1\n\nid: 2\ndata: x\n").unwrap();
    assert_eq!(p.last_event_id(), Some("1"));
    p.push(b"\n").unwrap();
    assert_eq!(p.last_event_id(), Some("2"));
}

#[test]
fn id_of_a_discarded_event_does_not_survive_finish() {
    let mut p = SseParser::new();
    p.push(b"id: 1\n\nid: 2\ndata: x\n").unwrap();
    p.finish().unwrap();
    // Next stream (a reconnection): a priming event without id.
    assert!(p.push(b"\n").unwrap().is_empty());
    assert_eq!(p.last_event_id(), Some("1"));
}

#[test]
fn valid_retry_is_kept_and_invalid_ignored() {
    let mut p = SseParser::new();
    p.push(b"retry: 3000\n").unwrap();
    assert_eq!(p.retry_ms(), Some(3000));
    for bad in [
        "retry: 12a\n",
        "retry: -5\n",
        "retry: 1.5\n",
        "retry:\n",
        "retry\n",
        "retry:  7\n",
    ] {
        p.push(bad.as_bytes()).unwrap();
        assert_eq!(p.retry_ms(), Some(3000), "{bad:?}");
    }
    p.push(b"retry:0\n").unwrap();
    assert_eq!(p.retry_ms(), Some(0));
    p.push(b"retry: 99999999999999999999\n").unwrap();
    assert_eq!(p.retry_ms(), Some(u32::MAX));
    assert_eq!(SseParser::new().retry_ms(), None);
}

#[test]
fn retry_alone_dispatches_nothing() {
    assert!(parse(b"retry: 10\n\n").is_empty());
}

#[test]
fn comments_and_unknown_fields_are_ignored() {
    assert_eq!(
        parse(b": ping\n:\nfoo: bar\nDATA: no\ndata : no\nevent: e\ndata: yes\n\n"),
        vec![ev("e", "yes", None)]
    );
    assert!(parse(b": keep-alive\n\n: again\n\n").is_empty());
}

#[test]
fn empty_event_name_means_message() {
    assert_eq!(
        parse(b"event:\ndata: a\n\n"),
        vec![ev("message", "a", None)]
    );
}

#[test]
fn event_type_does_not_leak_into_the_next_event() {
    assert_eq!(
        parse(b"event: a\ndata: 1\n\ndata: 2\n\nevent: b\n\ndata: 3\n\n"),
        vec![
            ev("a", "1", None),
            ev("message", "2", None),
            ev("message", "3", None)
        ]
    );
}

#[test]
fn priming_event_without_data_is_not_dispatched_but_sets_the_id() {
    let mut p = SseParser::new();
    assert!(p.push(b"id: prime-1\nretry: 500\n\n").unwrap().is_empty());
    assert_eq!(p.last_event_id(), Some("prime-1"));
    assert_eq!(p.retry_ms(), Some(500));
    // The id belonged to that event only.
    assert_eq!(
        p.push(b"data: x\n\n").unwrap(),
        vec![ev("message", "x", None)]
    );
}

#[test]
fn mcp_priming_event_with_empty_data_line_is_dispatched_with_empty_data() {
    // What the official TypeScript server sends.
    let mut p = SseParser::new();
    let out = p.push(b"id: s1_0\nretry: 1000\ndata: \n\n").unwrap();
    assert_eq!(out, vec![ev("message", "", Some("s1_0"))]);
    assert_eq!(p.last_event_id(), Some("s1_0"));
}

#[test]
fn bom_at_stream_start_is_stripped_even_when_split() {
    let s = b"\xEF\xBB\xBFdata: a\n\n";
    for cut in 0..=s.len() {
        assert_eq!(
            parse_split(s, &[cut]).0,
            vec![ev("message", "a", None)],
            "cut {cut}"
        );
    }
    // Only one, and only at the start.
    assert!(parse(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\n").is_empty());
    assert_eq!(
        parse(b"data: a\n\n\xEF\xBB\xBFdata: b\n\n"),
        vec![ev("message", "a", None)]
    );
    assert_eq!(
        parse(b"data: \xEF\xBB\xBF\n\n"),
        vec![ev("message", "\u{feff}", None)]
    );
}

#[test]
fn a_new_stream_after_finish_may_start_with_a_bom() {
    let mut p = SseParser::new();
    p.push(b"data: a\n\n").unwrap();
    p.finish().unwrap();
    assert_eq!(
        p.push(b"\xEF\xBB\xBFdata: b\n\n").unwrap(),
        vec![ev("message", "b", None)]
    );
}

#[test]
fn unterminated_event_is_discarded_at_finish() {
    let mut p = SseParser::new();
    assert!(p.push(b"data: a\n").unwrap().is_empty());
    assert!(p.has_pending());
    assert_eq!(p.finish(), Ok(()));
    assert!(!p.has_pending());
    // And does not leak into the next stream.
    assert_eq!(
        p.push(b"data: b\n\n").unwrap(),
        vec![ev("message", "b", None)]
    );

    let mut p = SseParser::new();
    p.push(b"data: a\n\ndata: unterminated line").unwrap();
    assert!(p.has_pending());
    p.finish().unwrap();
    assert!(p.push(b"\n").unwrap().is_empty());
}

#[test]
fn complete_stream_has_nothing_pending() {
    let mut p = SseParser::new();
    p.push(b"data: a\n\n").unwrap();
    assert!(!p.has_pending());
}

#[test]
fn invalid_utf8_becomes_replacement_chars() {
    assert_eq!(
        parse(b"data: a\xFFb\xC3\n\n"),
        vec![ev("message", "a\u{FFFD}b\u{FFFD}", None)]
    );
    assert_eq!(
        parse(b"ev\xFFent: x\ndata: 1\n\n"),
        vec![ev("message", "1", None)]
    );
}

#[test]
fn multibyte_char_split_across_chunks_decodes() {
    let s = "data: ñ€😀\n\n".as_bytes();
    for cut in 0..=s.len() {
        assert_eq!(
            parse_split(s, &[cut]).0,
            vec![ev("message", "ñ€😀", None)],
            "cut {cut}"
        );
    }
    let cuts: Vec<usize> = (1..s.len()).collect();
    assert_eq!(parse_split(s, &cuts).0, vec![ev("message", "ñ€😀", None)]);
}

#[test]
fn default_cap_is_16_mib() {
    assert_eq!(DEFAULT_MAX_EVENT_BYTES, 16 * 1024 * 1024);
}

#[test]
fn a_line_longer_than_the_cap_fails_even_unterminated() {
    let mut p = SseParser::with_max_event_bytes(64);
    assert!(p.push(&[b'x'; 40]).unwrap().is_empty());
    assert_eq!(p.push(&[b'x'; 40]), Err(SseError::TooLarge { limit: 64 }));
    // The stream stays failed until finish.
    assert_eq!(
        p.push(b"\n\ndata: a\n\n"),
        Err(SseError::TooLarge { limit: 64 })
    );
    assert_eq!(p.finish(), Err(SseError::TooLarge { limit: 64 }));
    assert!(!p.has_pending());
    // Ready for a new stream.
    assert_eq!(
        p.push(b"data: a\n\n").unwrap(),
        vec![ev("message", "a", None)]
    );
    assert_eq!(p.finish(), Ok(()));
}

#[test]
fn a_long_terminated_line_in_one_chunk_fails() {
    let mut p = SseParser::with_max_event_bytes(16);
    let mut s = b"data: ".to_vec();
    s.extend_from_slice(&[b'y'; 32]);
    s.extend_from_slice(b"\n\n");
    assert_eq!(p.push(&s), Err(SseError::TooLarge { limit: 16 }));
}

#[test]
fn data_growing_past_the_cap_over_many_lines_fails() {
    let mut p = SseParser::with_max_event_bytes(100);
    let mut failed = false;
    for _ in 0..100 {
        match p.push(b"data: 0123456789\n") {
            Ok(out) => assert!(out.is_empty()),
            Err(e) => {
                assert_eq!(e, SseError::TooLarge { limit: 100 });
                failed = true;
                break;
            }
        }
    }
    assert!(failed);
}

#[test]
fn events_within_the_cap_pass_and_memory_stays_bounded() {
    let mut p = SseParser::with_max_event_bytes(32);
    for _ in 0..1000 {
        assert_eq!(
            p.push(b"data: 0123456789\n\n").unwrap(),
            vec![ev("message", "0123456789", None)]
        );
    }
}

#[test]
fn events_completed_before_the_cap_are_still_returned() {
    let mut p = SseParser::with_max_event_bytes(16);
    let mut s = b"data: ok\n\ndata: ".to_vec();
    s.extend_from_slice(&[b'z'; 64]);
    assert_eq!(p.push(&s).unwrap(), vec![ev("message", "ok", None)]);
    assert_eq!(p.push(b"\n\n"), Err(SseError::TooLarge { limit: 16 }));
}

#[test]
fn error_displays_the_limit() {
    let e = SseError::TooLarge { limit: 10 };
    assert!(e.to_string().contains("10"));
    let _: &dyn std::error::Error = &e;
}

/// xorshift64: a fixed, dependency-free source of garbage.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_garbage_never_panics_and_splitting_never_matters() {
    // Fragments that often form fields, plus stray bytes of every kind.
    const PIECES: &[&[u8]] = &[
        b"data",
        b"data:",
        b"data: ",
        b"id: ",
        b"event:",
        b"retry: ",
        b":",
        b" ",
        b"\r",
        b"\n",
        b"\r\n",
        b"\n\n",
        b"x",
        b"0",
        b"42",
        b"\xEF\xBB\xBF",
        b"\xFF",
        b"\xC3",
        b"\xA9",
        b"\0",
        b"\xF0\x9F\x98\x80",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let (mut events, mut failures) = (0, 0);
    for _ in 0..3000 {
        let len = (rng.next() % 80) as usize;
        let mut input = Vec::new();
        for _ in 0..len {
            let r = rng.next();
            if r % 8 == 0 {
                input.push((r >> 8) as u8);
            } else {
                input.extend_from_slice(PIECES[(r >> 8) as usize % PIECES.len()]);
            }
        }
        let max = if rng.next() % 3 == 0 { 32 } else { 4096 };

        let mut whole = SseParser::with_max_event_bytes(max);
        let expected = whole.push(&input);
        let whole_finish = whole.finish();

        // The same input in random chunks.
        let mut p = SseParser::with_max_event_bytes(max);
        let mut got = Vec::new();
        let mut err = None;
        let mut i = 0;
        while i < input.len() {
            let n = 1 + (rng.next() % 9) as usize;
            let end = (i + n).min(input.len());
            match p.push(&input[i..end]) {
                Ok(out) => got.extend(out),
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
            i = end;
        }
        let split_finish = p.finish();
        events += got.len();
        if max == 4096 {
            assert_eq!(expected, Ok(got), "input {input:?}");
            assert_eq!(whole_finish, Ok(()));
            assert_eq!(split_finish, Ok(()));
            assert_eq!(whole.last_event_id(), p.last_event_id());
            assert_eq!(whole.retry_ms(), p.retry_ms());
        } else {
            let failed = expected.is_err() || whole_finish.is_err();
            assert_eq!(
                failed,
                err.is_some() || split_finish.is_err(),
                "input {input:?}"
            );
            failures += usize::from(failed);
        }
    }
    // The garbage did exercise both paths.
    assert!(
        events > 100 && failures > 10,
        "{events} events, {failures} failures"
    );
}
