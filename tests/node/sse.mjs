// The SSE parse of the I/O seam, `nextEvents` (src/io/host.js), under node --test: no
// browser, no server. Each stream is a `Response` over a `ReadableStream` whose chunks are
// exact byte arrays, so where a chunk ends (inside a character, between a CR and its LF,
// inside a BOM) is the test's choice.
//
// What nextEvents gives for each chunk: the data of the `message` events it completes
// (empty data skipped: MCP's priming event), `undefined` at the body's end, `null` once
// the half-read line and event exceed `max` characters. The state a stream shares with its
// reconnections is `s`: the last event id `s.l` and the retry in ms `s.r`; a reconnection
// is a new Response with the same `s`.
//
// The first part is the old Rust parser's tests (tests/sse.rs before 07859db), each one
// that still applies (not: the default cap of 16 MiB and the error's text, which are the
// caller's now; `has_pending`, which has no counterpart; the text parser against the byte
// parser, which the split tests cover). The second is the SSE half of the old
// tests/fuzz_bounded.rs, a seeded property run (fixed seed, FUZZ_SEED to change it,
// FUZZ_ITERATIONS / 1000 to scale it; a few seconds), which also holds each stream to a
// plain reading of the standard (`reference`). The cap is checked at each line, before it
// is kept (as the old parser did), so how a stream is cut does not change the outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { nextEvents } from '../../src/io/host.js';

const utf8 = new TextEncoder();

/** Bytes: a string as UTF-8, or an array of byte values as they are. */
const bytes = (x) => (typeof x == 'string' ? utf8.encode(x) : Uint8Array.from(x));

/** Several pieces (strings or byte arrays) as one byte array. */
function concat(...parts) {
  const bs = parts.map(bytes);
  const out = new Uint8Array(bs.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bs) out.set(b, at), (at += b.length);
  return out;
}

/** A response whose body gives exactly these chunks, then ends. */
const body = (chunks) => new Response(new ReadableStream({
  start(c) {
    for (const k of chunks) c.enqueue(bytes(k));
    c.close();
  },
}));

/** `input` (bytes) cut at each of `cuts` (ascending offsets) into chunks. */
function split(input, cuts) {
  const out = [];
  let start = 0;
  for (const c of [...cuts, input.length]) out.push(input.subarray(start, c)), (start = c);
  return out;
}

/** A cap no test stream reaches. */
const NO_CAP = 2 ** 53;

/**
 * Reads `resp` to its end, or to the first `null`: the events, how it ended ('end' or
 * 'cap') and the shared state after it.
 */
async function drain(resp, s = {}, max = NO_CAP) {
  const events = [];
  for (;;) {
    const got = await nextEvents(resp, s, max);
    if (got === undefined) return { events, end: 'end', l: s.l, r: s.r };
    if (got === null) return { events, end: 'cap', l: s.l, r: s.r };
    assert.ok(Array.isArray(got), `an array, undefined or null, not ${got}`);
    events.push(...got);
  }
}

/** The events of `chunks` (strings or bytes) read as one stream. */
const parse = async (...chunks) => (await drain(body(chunks))).events;

/** What each call gives, one call per chunk, then the call at the end. */
async function perCall(chunks, s = {}, max = NO_CAP) {
  const resp = body(chunks);
  const out = [];
  for (let i = 0; i <= chunks.length; i++) out.push(await nextEvents(resp, s, max));
  return out;
}

// -----------------------------------------------------------------------------------------
// The old parser's tests.
// -----------------------------------------------------------------------------------------

const STREAM = bytes(
  '\ufeff: hello\r\n'
  + 'id: 1\r\nretry: 1500\r\ndata: \r\n\r\n'
  + 'event: message\nid: 2\ndata: {"a":"é😀"}\n\n'
  + 'data: line one\rdata: line two\r\revent: custom\r\ndata:x\r\n\r\n'
  + 'id: 3\n\n'
  + 'data: tail without blank line\n',
);
/** STREAM's message events: the priming one (empty data) and `custom` are not given. */
const STREAM_EVENTS = ['{"a":"é😀"}', 'line one\nline two'];
const STREAM_OUTCOME = { events: STREAM_EVENTS, end: 'end', l: '3', r: 1500 };

test('a whole stream gives its message events, the last id and retry; the unfinished tail is dropped at the end', async () => {
  assert.deepEqual(await drain(body([STREAM])), STREAM_OUTCOME);
});

test('every single split point gives the same events and state', async () => {
  for (let cut = 0; cut <= STREAM.length; cut++) {
    assert.deepEqual(await drain(body(split(STREAM, [cut]))), STREAM_OUTCOME, `cut at ${cut}`);
  }
});

test('every pair of split points gives the same events and state', async () => {
  for (let a = 0; a <= STREAM.length; a++) {
    for (let b = a; b <= STREAM.length; b++) {
      assert.deepEqual(await drain(body(split(STREAM, [a, b]))), STREAM_OUTCOME, `cuts at ${a}, ${b}`);
    }
  }
});

test('byte-by-byte feeding gives the same events and state', async () => {
  const cuts = Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1);
  assert.deepEqual(await drain(body(split(STREAM, cuts))), STREAM_OUTCOME);
});

test('empty chunks change nothing', async () => {
  const chunks = [];
  for (const b of STREAM) chunks.push([], [b]);
  chunks.push([]);
  assert.deepEqual(await drain(body(chunks)), STREAM_OUTCOME);
});

test('LF, CRLF and CR line ends are equivalent', async () => {
  for (const nl of ['\n', '\r\n', '\r']) {
    const s = `data: a${nl}data: b${nl}${nl}event: e${nl}data: x${nl}${nl}data: c${nl}${nl}`;
    assert.deepEqual(await parse(s), ['a\nb', 'c'], `line end ${JSON.stringify(nl)}`);
  }
});

test('a CR at the end of a chunk and an LF at the start of the next are one line end', async () => {
  // Were the LF a second line end, it would be a blank line and dispatch "a" alone.
  assert.deepEqual(await perCall(['data: a\r', '\n', 'data: b\r', '\r']), [[], [], [], ['a\nb'], undefined]);
});

test('a CR at the end of a chunk then another byte starts a new line', async () => {
  assert.deepEqual(await perCall(['data: a\r', '\rdata: b\r', '\r\n']), [[], ['a'], ['b'], undefined]);
});

test('multi-line data is joined with newlines', async () => {
  assert.deepEqual(await parse('data: {\ndata:   "a": 1\ndata\ndata: }\n\n'), ['{\n  "a": 1\n\n}']);
});

test('only one leading space is removed', async () => {
  assert.deepEqual(await parse('data:  two\n\ndata:none\n\n'), [' two', 'none']);
});

test('data of only empty lines is not empty: two empty data lines give one newline', async () => {
  assert.deepEqual(await parse('data\ndata\n\n'), ['\n']);
});

test('the last event id is kept across events', async () => {
  const s = {};
  assert.deepEqual(await perCall(['id: 7\ndata: a\n\n'], s), [['a'], undefined]);
  assert.equal(s.l, '7');
  // A new response with the same state: a reconnection, whose events carry no id.
  assert.deepEqual(await perCall(['data: b\n\n'], s), [['b'], undefined]);
  assert.equal(s.l, '7');
  const t = {};
  await drain(body(['id: 7\ndata: a\n\ndata: b\n\n']), t);
  assert.equal(t.l, '7');
});

test('an empty id resets the last event id', async () => {
  const s = {};
  const resp = body(['id: 7\ndata: a\n\n', 'id\ndata: b\n\n']);
  assert.deepEqual(await nextEvents(resp, s, NO_CAP), ['a']);
  assert.equal(s.l, '7');
  assert.deepEqual(await nextEvents(resp, s, NO_CAP), ['b']);
  assert.equal(s.l, '');
});

test('an id with NUL is ignored', async () => {
  const out = await drain(body(['id: 1\n\nid: a\0b\ndata: x\n\n']));
  assert.deepEqual(out.events, ['x']);
  assert.equal(out.l, '1');
});

test('the last event id changes only at dispatch', async () => {
  const s = {};
  const resp = body(['id: 1\n\nid: 2\ndata: x\n', '\n']);
  assert.deepEqual(await nextEvents(resp, s, NO_CAP), []);
  assert.equal(s.l, '1');
  assert.deepEqual(await nextEvents(resp, s, NO_CAP), ['x']);
  assert.equal(s.l, '2');
});

test('no id before the first dispatch: s.l stays unset', async () => {
  const s = {};
  assert.deepEqual(await perCall(['id: 1\ndata: x\n'], s), [[], undefined]);
  assert.equal(s.l, undefined);
});

test('the id of an undispatched event does not survive a reconnection', async () => {
  const s = {};
  assert.deepEqual(await drain(body(['id: 1\n\nid: 2\ndata: x\n']), s), { events: [], end: 'end', l: '1', r: undefined });
  // The reconnection: a priming event without id, then an event without id.
  assert.deepEqual(await perCall(['\n', 'data: y\n\n'], s), [[], ['y'], undefined]);
  assert.equal(s.l, '1');
});

test('a valid retry is kept and an invalid one ignored', async () => {
  const s = {};
  const resp = body([
    'retry: 3000\n',
    ...['retry: 12a\n', 'retry: -5\n', 'retry: 1.5\n', 'retry:\n', 'retry\n', 'retry:  7\n', 'retry: +7\n', 'retry: ٣\n'],
    'retry:0\n',
    'retry: 99999999999999999999\n',
  ]);
  assert.equal(s.r, undefined);
  await nextEvents(resp, s, NO_CAP);
  assert.equal(s.r, 3000);
  for (let i = 0; i < 8; i++) {
    await nextEvents(resp, s, NO_CAP);
    assert.equal(s.r, 3000, `bad retry ${i}`);
  }
  await nextEvents(resp, s, NO_CAP);
  assert.equal(s.r, 0);
  await nextEvents(resp, s, NO_CAP);
  assert.equal(s.r, 4294967295, 'saturated at u32::MAX ms');
});

test('retry carries over to a reconnection', async () => {
  const s = {};
  await drain(body(['retry: 250\n\n']), s);
  assert.deepEqual(await drain(body(['data: a\n\n']), s), { events: ['a'], end: 'end', l: '', r: 250 });
});

test('retry alone dispatches nothing', async () => {
  assert.deepEqual(await parse('retry: 10\n\n'), []);
});

test('comments and unknown fields are ignored', async () => {
  assert.deepEqual(await parse(': ping\n:\nfoo: bar\nDATA: no\ndata : no\ndata: yes\n\n'), ['yes']);
  assert.deepEqual(await parse(': keep-alive\n\n: again\n\n'), []);
});

test('events other than message are skipped; an explicit message event is given', async () => {
  assert.deepEqual(
    await parse('event: e\ndata: no\n\nevent: Message\ndata: no\n\nevent: message\ndata: yes\n\nevent:  message\ndata: no\n\n'),
    ['yes'],
  );
});

test('a skipped event still sets the last event id', async () => {
  const out = await drain(body(['id: 5\nevent: other\ndata: x\n\n']));
  assert.deepEqual(out.events, []);
  assert.equal(out.l, '5');
});

test('an empty event name means message', async () => {
  assert.deepEqual(await parse('event:\ndata: a\n\n'), ['a']);
});

test('the event type does not leak into the next event', async () => {
  assert.deepEqual(await parse('event: a\ndata: 1\n\ndata: 2\n\nevent: b\n\ndata: 3\n\n'), ['2', '3']);
});

test('a priming event without data is not given but sets the id and retry', async () => {
  const s = {};
  const resp = body(['id: prime-1\nretry: 500\n\n', 'data: x\n\n']);
  assert.deepEqual(await nextEvents(resp, s, NO_CAP), []);
  assert.deepEqual(s, { l: 'prime-1', r: 500 });
  assert.deepEqual(await nextEvents(resp, s, NO_CAP), ['x']);
  assert.equal(s.l, 'prime-1');
});

test("MCP's priming event (one empty data line) is skipped and sets the id", async () => {
  // What the official TypeScript server sends.
  const s = {};
  assert.deepEqual(await perCall(['id: s1_0\nretry: 1000\ndata: \n\n'], s), [[], undefined]);
  assert.deepEqual(s, { l: 's1_0', r: 1000 });
});

test('a BOM at the stream start is dropped, even split across chunks', async () => {
  const s = concat([0xef, 0xbb, 0xbf], 'data: a\n\n');
  for (let cut = 0; cut <= s.length; cut++) {
    assert.deepEqual(await parse(...split(s, [cut])), ['a'], `cut ${cut}`);
  }
  assert.deepEqual(await parse([0xef], [0xbb], [0xbf], 'data: a\n\n'), ['a'], 'byte by byte');
  // Only one, and only at the start.
  assert.deepEqual(await parse(concat([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], 'data: a\n\n')), []);
  assert.deepEqual(await parse(concat('data: a\n\n', [0xef, 0xbb, 0xbf], 'data: b\n\n')), ['a']);
  assert.deepEqual(await parse(concat('data: ', [0xef, 0xbb, 0xbf], '\n\n')), ['\ufeff']);
});

test('a reconnection may start with a BOM', async () => {
  const s = {};
  assert.deepEqual((await drain(body(['data: a\n\n']), s)).events, ['a']);
  assert.deepEqual((await drain(body([[0xef, 0xbb], concat([0xbf], 'data: b\n\n')]), s)).events, ['b']);
});

test('an unterminated event is dropped at the end and does not leak into the reconnection', async () => {
  const s = {};
  assert.deepEqual(await perCall(['data: a\n'], s), [[], undefined]);
  assert.deepEqual(await perCall(['data: b\n\n'], s), [['b'], undefined]);

  const t = {};
  assert.deepEqual(await perCall(['data: a\n\ndata: unterminated line'], t), [['a'], undefined]);
  assert.deepEqual(await perCall(['\n'], t), [[], undefined]);
});

test('the end of the body is undefined, and stays so', async () => {
  const resp = body([]);
  assert.equal(await nextEvents(resp, {}, NO_CAP), undefined);
  assert.equal(await nextEvents(resp, {}, NO_CAP), undefined);
  assert.equal(await nextEvents(new Response(null), {}, NO_CAP), undefined, 'no body');
});

test('invalid UTF-8 becomes U+FFFD', async () => {
  assert.deepEqual(await parse(concat('data: a', [0xff], 'b', [0xc3], '\n\n')), ['a\ufffdb\ufffd']);
  // A bad byte in a field name makes it another field: the event is a message.
  assert.deepEqual(await parse(concat('ev', [0xff], 'ent: x\ndata: 1\n\n')), ['1']);
  // A sequence cut by a line end, across chunks.
  assert.deepEqual(await parse(concat('data: a', [0xe2, 0x82]), '\n\n'), ['a\ufffd']);
  assert.deepEqual(await parse(concat('data: a', [0xe2]), [0x82], '\n\n'), ['a\ufffd']);
});

test('a multibyte character split across chunks decodes', async () => {
  const s = bytes('data: ñ€😀\n\n');
  for (let cut = 0; cut <= s.length; cut++) {
    assert.deepEqual(await parse(...split(s, [cut])), ['ñ€😀'], `cut ${cut}`);
  }
  const cuts = Array.from({ length: s.length - 1 }, (_, i) => i + 1);
  assert.deepEqual(await parse(...split(s, cuts)), ['ñ€😀']);
});

test('a CR, then a character cut between chunks, then an LF: two line ends', async () => {
  // The CR and the LF are not adjacent (the bad byte is between them).
  assert.deepEqual(await parse(concat('data: a\r', [0xc3]), '\n', '\n'), ['a']);
  // The second line is U+FFFD, an unknown field: the event goes on.
  assert.deepEqual(await perCall([concat('data: a\r', [0xc3]), '\n', 'data: b\n\n']), [[], [], ['a\nb'], undefined]);
});

test('a line longer than the cap gives null even unterminated, and stays null; a reconnection starts afresh', async () => {
  const s = {};
  const resp = body(['x'.repeat(40), 'x'.repeat(40), '\n\ndata: a\n\n']);
  assert.deepEqual(await nextEvents(resp, s, 64), []);
  assert.equal(await nextEvents(resp, s, 64), null);
  assert.equal(await nextEvents(resp, s, 64), null, 'the rest is not parsed');
  assert.equal(await nextEvents(resp, s, 64), null, 'the end too');
  assert.deepEqual(await drain(body(['data: a\n\n']), s, 64), { events: ['a'], end: 'end', l: '', r: undefined });
});

test('a long terminated line in one chunk gives null', async () => {
  // The old parser failed here (tests/sse.rs, a_long_terminated_line_in_one_chunk_fails):
  // the event's data is twice the cap. nextEvents checks the cap only at a chunk's end, so
  // an event completed inside one chunk passes whatever its size.
  const got = await perCall(['data: ' + 'y'.repeat(32) + '\n\n'], {}, 16);
  assert.deepEqual(got, [null, null]);
});

test('data growing past the cap over many lines gives null', async () => {
  const resp = body(Array(100).fill('data: 0123456789\n'));
  let calls = 0, got;
  while (Array.isArray((got = await nextEvents(resp, {}, 100)))) assert.deepEqual(got, []), calls++;
  assert.equal(got, null);
  assert.ok(calls < 10, `null after ${calls} chunks`);
});

test('events within the cap pass, chunk after chunk', async () => {
  const out = await drain(body(Array(1000).fill('data: 0123456789\n\n')), {}, 32);
  assert.equal(out.end, 'end');
  assert.equal(out.events.length, 1000);
  assert.ok(out.events.every((e) => e == '0123456789'));
});

test('events completed before the cap are still given, then null', async () => {
  const s = {};
  const resp = body(['data: ok\n\ndata: ' + 'z'.repeat(64), '\n\n']);
  assert.deepEqual(await nextEvents(resp, s, 16), ['ok']);
  assert.equal(await nextEvents(resp, s, 16), null);
  // Likewise when the cap is hit at the body's last chunk: null at the end.
  const r2 = body(['data: ok\n\nid: ' + 'z'.repeat(64)]);
  assert.deepEqual(await nextEvents(r2, s, 16), ['ok']);
  assert.equal(await nextEvents(r2, s, 16), null);
});

test('the event name and the id count against the cap', async () => {
  for (const cap of [64, 1024]) {
    const long = 'e'.repeat(cap - 8);
    // Each alone fits; the pending event with both does not.
    assert.deepEqual((await drain(body([`event: ${long}\n`]), {}, cap)).end, 'end', `event name, cap ${cap}`);
    assert.deepEqual((await drain(body([`id: ${long}\n`]), {}, cap)).end, 'end', `id, cap ${cap}`);
    assert.deepEqual((await drain(body([`event: ${long}\n`, `id: ${long}\n`]), {}, cap)).end, 'cap', `both, cap ${cap}`);
    assert.deepEqual((await drain(body([`event: ${'e'.repeat(cap + 1)}\n`]), {}, cap)).end, 'cap', `event name over, cap ${cap}`);
    assert.deepEqual((await drain(body([`id: ${'e'.repeat(cap + 1)}\n`]), {}, cap)).end, 'cap', `id over, cap ${cap}`);
    // Invalid bytes count as what they decode to: one U+FFFD each.
    const bad = concat('event: ', new Uint8Array(cap + 1).fill(0xff), '\n');
    assert.deepEqual((await drain(body([bad]), {}, cap)).end, 'cap', `bad bytes, cap ${cap}`);
  }
});

test('a dispatched id stays held: it counts against the cap of the next events', async () => {
  // The id buffer is kept for Last-Event-ID, so the next event has less room.
  const out = await drain(body([`id: ${'i'.repeat(40)}\n\n`, 'data: 0123456789012345678901234\n']), {}, 64);
  assert.equal(out.end, 'cap');
  assert.deepEqual(out.events, []);
});

test('the last id and retry set before the cap are kept in the shared state', async () => {
  const s = {};
  assert.deepEqual(await drain(body(['id: 9\nretry: 70\n\n', 'data: ' + 'q'.repeat(100)]), s, 32), {
    events: [], end: 'cap', l: '9', r: 70,
  });
});

// -----------------------------------------------------------------------------------------
// The seeded property run (the SSE half of the old tests/fuzz_bounded.rs).
// -----------------------------------------------------------------------------------------

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : 0x20251125 >>> 0;
/** `base` iterations, scaled by FUZZ_ITERATIONS / 1000 when set. */
const iterations = (base) => (process.env.FUZZ_ITERATIONS ? Math.floor((base * Number(process.env.FUZZ_ITERATIONS)) / 1000) : base);

/** mulberry32: tiny, seedable, good enough to pick mutations. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n) => Math.floor(next() * n);
  return { below, chance: (pct) => next() * 100 < pct, pick: (xs) => xs[below(xs.length)] };
}

/** Bytes worth inserting: SSE fields and line ends, JSON structure, invalid UTF-8, NUL, BOM. */
const INTERESTING = [
  'data', 'data:', 'data: ', 'id: ', 'id:', 'event: ', 'event: message', 'event:', 'retry: ', 'retry: 10',
  ':', ': ', ' ', '\r', '\n', '\r\n', '\n\n', '\r\r', '{', '}', '"', '0', '42', '99999999999999999999',
  [0xef, 0xbb, 0xbf], [0xff], [0xfe], [0xc3], [0xa9], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xf0, 0x9f, 0x98, 0x80],
  [0xed, 0xa0, 0x80], [0], 'a\0b',
].map(bytes);
const BAD_UTF8 = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]].map(bytes);
const LINE_ENDS = ['\r\n', '\r', '\n', ''].map(bytes);
const NEWLINES = ['\n', '\r\n', '\r'];

function splice(b, at, del, ins) {
  const out = new Uint8Array(b.length - del + ins.length);
  out.set(b.subarray(0, at));
  out.set(ins, at);
  out.set(b.subarray(at + del), at + ins.length);
  return out;
}

/** One to four mutations of `input` (bytes), some taking pieces of the `pool`'s inputs. */
function mutate(r, input, pool) {
  let b = input;
  for (let k = 1 + r.below(4); k > 0; k--) {
    const len = b.length;
    switch (r.below(10)) {
      case 0: // flip bits of a few bytes
        if (len) {
          b = b.slice();
          for (let n = 1 + r.below(8); n > 0; n--) b[r.below(len)] ^= 1 << r.below(8);
        }
        break;
      case 1: // overwrite a byte with any value
        if (len) (b = b.slice())[r.below(len)] = r.below(256);
        break;
      case 2: // insert an interesting token
        b = splice(b, r.below(len + 1), 0, r.pick(INTERESTING));
        break;
      case 3: // delete a range
        if (len) {
          const i = r.below(len);
          b = splice(b, i, 1 + r.below(Math.min(len - i, 64)), new Uint8Array(0));
        }
        break;
      case 4: // truncate
        if (len) b = b.subarray(0, r.below(len));
        break;
      case 5: { // splice in a piece of another input
        const o = r.pick(pool);
        if (o.length) {
          const s = r.below(o.length);
          b = splice(b, r.below(len + 1), 0, o.subarray(s, s + 1 + r.below(Math.min(o.length - s, 256))));
        }
        break;
      }
      case 6: // duplicate a range
        if (len) {
          const s = r.below(len);
          b = splice(b, r.below(len + 1), 0, b.slice(s, s + 1 + r.below(Math.min(len - s, 128))));
        }
        break;
      case 7: { // a long run (a long line, often)
        const n = r.pick([100, 4096, 70000]);
        b = splice(b, r.below(len + 1), 0, new Uint8Array(n).fill(r.chance(50) ? 0x37 : 0x61));
        break;
      }
      case 8: // invalid UTF-8 anywhere
        b = splice(b, r.below(len + 1), 0, r.pick(BAD_UTF8));
        break;
      default: { // swap line ends
        const from = r.pick([0x0a, 0x0d]), to = r.pick(LINE_ENDS), out = [];
        for (const c of b) {
          if (c == from && r.chance(50)) out.push(...to);
          else out.push(c);
        }
        b = Uint8Array.from(out);
      }
    }
  }
  return b;
}

/** The specification's JSON examples (each minified and as written), or none. */
function jsonExamples() {
  const dir = new URL('../../../shared/spec/2025-11-25/examples/', import.meta.url);
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
      .map((f) => readFileSync(new URL(f, dir), 'utf8'));
  } catch {
    return [];
  }
}

/**
 * SSE streams carrying JSON (the spec's examples when present, and synthetic messages):
 * four messages per stream, in the shapes servers use (priming event, ids, `event:
 * message`, retry, comments, a BOM, pretty JSON as several data lines, each line end).
 */
function sseSeeds(r) {
  const json = [
    ...jsonExamples(),
    '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"héllo 😀"}]}}',
    '{"jsonrpc":"2.0","method":"notifications/tasks/status","params":{\n  "taskId": "t-1",\n  "status": "working"\n}}',
    '{"jsonrpc":"2.0","id":"a","error":{"code":-32602,"message":"bad\\nline"}}',
    '[{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}]',
  ];
  const out = [];
  for (let k = 0; k * 4 < json.length; k++) {
    let s = '';
    if (k % 3 == 0) s += 'id: 0\ndata: \n\n';
    if (k % 4 == 1) s += '\ufeff: a BOM and a comment\nretry: 1500\n\n';
    json.slice(k * 4, k * 4 + 4).forEach((j, i) => {
      const nl = r.pick(NEWLINES);
      if (i % 2 == 0) s += `id: ${k}-${i}${nl}event: message${nl}`;
      for (const line of j.split('\n')) s += `data: ${line.replace(/\r$/, '')}${nl}`;
      s += nl;
    });
    out.push(bytes(s));
  }
  return { streams: out, examples: json.length - 4 };
}

/** Random cut points (ascending) for `len` bytes. */
function randomCuts(r, len) {
  if (!len) return [];
  return Array.from({ length: r.below(12) }, () => r.below(len + 1)).sort((a, b) => a - b);
}

const everyByte = (len) => Array.from({ length: Math.max(len - 1, 0) }, (_, i) => i + 1);

/**
 * What WHATWG HTML §9.2.6 says `stream` (bytes, read to its end, uncapped) gives, read the
 * plain way: the whole body decoded at once, one leading BOM dropped, split into lines,
 * the unterminated last line dropped, each line interpreted as the standard says. The
 * oracle that nextEvents is held to: chunking aside, the two must agree.
 */
function reference(stream) {
  let text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(stream);
  if (text[0] == '\ufeff') text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  lines.pop();
  const events = [];
  let data = '', type = '', id = '', l, r;
  for (const line of lines) {
    if (line == '') {
      l = id;
      if (data.endsWith('\n')) data = data.slice(0, -1);
      // The standard dispatches empty data too; MCP's priming event is skipped.
      if (data != '' && (type || 'message') == 'message') events.push(data);
      data = type = '';
      continue;
    }
    if (line[0] == ':') continue;
    const c = line.indexOf(':');
    const field = c < 0 ? line : line.slice(0, c);
    let value = c < 0 ? '' : line.slice(c + 1);
    if (value[0] == ' ') value = value.slice(1);
    if (field == 'event') type = value;
    else if (field == 'data') data += value + '\n';
    else if (field == 'id' && !value.includes('\0')) id = value;
    else if (field == 'retry' && /^[0-9]+$/.test(value)) r = Math.min(Number(value), 4294967295);
  }
  return { events, end: 'end', l, r };
}

test('the reference reading gives the old stream\'s outcome', () => {
  assert.deepEqual(reference(STREAM), STREAM_OUTCOME);
});

/** The outcome of reading `stream` cut at `cuts` under `max`; a throw fails the test. */
const run = (stream, cuts, max) => drain(body(split(stream, cuts)), {}, max);

const show = (b) => JSON.stringify(Buffer.from(b).toString('latin1'));

test(`mutated streams give what the standard says, the same however cut into chunks (seed ${SEED}, FUZZ_SEED to change)`, async (t) => {
  const r = rng(SEED);
  const { streams, examples } = sseSeeds(r);
  const n = iterations(800);
  const t0 = performance.now();
  let events = 0, bytesRead = 0, byByte = 0;
  for (let i = 0; i < n; i++) {
    const base = r.pick(streams);
    const stream = r.chance(85) ? mutate(r, base, streams) : base;
    bytesRead += stream.length;
    const whole = await run(stream, [], NO_CAP);
    assert.deepEqual(whole, reference(stream), `not what the standard says for ${show(stream)}`);
    const cuts = randomCuts(r, stream.length);
    assert.deepEqual(await run(stream, cuts, NO_CAP), whole, `cuts ${cuts} changed the outcome of ${show(stream)}`);
    // Byte by byte (a call per byte: the slow part) for one stream in four.
    if (i % 4 == 0 && stream.length <= 2048) {
      assert.deepEqual(await run(stream, everyByte(stream.length), NO_CAP), whole, `byte by byte changed the outcome of ${show(stream)}`);
      byByte++;
    }
    events += whole.events.length;
  }
  t.diagnostic(`${n} streams from ${streams.length} seeds (${examples} spec examples), seed ${SEED}, ${bytesRead} bytes, ${byByte} byte by byte, ${events} events, ${Math.round(performance.now() - t0)} ms`);
  assert.ok(events > n, `the streams gave events (${events})`);
});

test(`under a cap, mutated streams never throw, give a prefix of the uncapped events, and byte by byte pass no event over the cap (seed ${SEED})`, async (t) => {
  const r = rng(SEED ^ 0x55e);
  const { streams } = sseSeeds(r);
  const caps = [1, 8, 64, 256, 1024, 4096];
  const n = iterations(500);
  let capped = 0;
  for (let i = 0; i < n; i++) {
    const stream = mutate(r, r.pick(streams), streams);
    const max = r.pick(caps);
    const free = await run(stream, [], NO_CAP);
    // Whole, in random chunks, and (one stream in four) byte by byte.
    const check = async (cuts) => {
      const got = await run(stream, cuts, max);
      const what = `cap ${max}, ${cuts.length} cuts ${cuts.length > 12 ? '' : cuts}: ${show(stream)}`;
      assert.deepEqual(got.events, free.events.slice(0, got.events.length), `not a prefix (${what})`);
      if (got.end == 'end') assert.deepEqual(got, free, `no cap hit, yet another outcome (${what})`);
      capped += got.end == 'cap';
      return got;
    };
    await check([]);
    await check(randomCuts(r, stream.length));
    if (i % 4 == 0 && stream.length <= 2048) {
      for (const e of (await check(everyByte(stream.length))).events) {
        assert.ok(e.length < max, `an event of ${e.length} characters passed a cap of ${max} byte by byte: ${show(stream)}`);
      }
    }
  }
  t.diagnostic(`${n} streams, ${capped} readings stopped at the cap`);
  assert.ok(capped > n / 4, `the caps were hit (${capped})`);
});

test(`under a cap, how a stream is cut does not change the outcome (seed ${SEED})`, async () => {
  // The old parser's property (tests/fuzz_bounded.rs, fuzz/ sse_parser): the same events,
  // last id and cap failure whatever the chunks. nextEvents checks the cap at each chunk's
  // end only, so an event over the cap that one chunk completes passes, and so do the
  // events after it, where the same bytes in smaller chunks give null. The smallest case:
  // 'data: 0123456789abcdef0123456789\n\n' under a cap of 16 gives that event whole, null
  // byte by byte.
  const r = rng(SEED ^ 0xc47);
  const { streams } = sseSeeds(r);
  for (let i = 0; i < iterations(300); i++) {
    const stream = mutate(r, r.pick(streams), streams);
    const max = r.pick([8, 64, 256, 1024]);
    const whole = await run(stream, [], max);
    const cuts = i % 4 == 0 && stream.length <= 2048 ? everyByte(stream.length) : randomCuts(r, stream.length);
    assert.deepEqual(await run(stream, cuts, max), whole, `cap ${max}, ${cuts.length} cuts: ${show(stream)}`);
  }
});

test('random garbage never throws, reads as the standard says, and splitting never matters (uncapped)', async () => {
  // The old parser's garbage test: fragments that often form fields, stray bytes of every kind.
  const PIECES = ['data', 'data:', 'data: ', 'id: ', 'event:', 'retry: ', ':', ' ', '\r', '\n', '\r\n', '\n\n', 'x', '0', '42',
    [0xef, 0xbb, 0xbf], [0xff], [0xc3], [0xa9], [0], [0xf0, 0x9f, 0x98, 0x80]].map(bytes);
  const r = rng(SEED ^ 0x6a7);
  let events = 0;
  for (let i = 0; i < iterations(1500); i++) {
    const parts = [];
    for (let k = r.below(80); k > 0; k--) parts.push(r.chance(12) ? [r.below(256)] : r.pick(PIECES));
    const input = concat(...parts);
    const whole = await run(input, [], NO_CAP);
    assert.deepEqual(whole, reference(input), `not what the standard says for ${show(input)}`);
    const cuts = [];
    for (let at = 1 + r.below(9); at < input.length; at += 1 + r.below(9)) cuts.push(at);
    assert.deepEqual(await run(input, cuts, NO_CAP), whole, show(input));
    events += whole.events.length;
  }
  assert.ok(events > 100, `${events} events`);
});

/**
 * A body of one huge line (`prefix`, then `size` bytes of 'z', then a blank line), made
 * chunk by chunk as it is pulled; `pulled()` is how many bytes it has made so far.
 */
function hugeLine(prefix, size, r) {
  let made = 0, sent = false;
  const stream = new ReadableStream({
    pull(c) {
      if (!sent) return (sent = true), c.enqueue(bytes(prefix));
      if (made >= size) return c.enqueue(bytes('\n\n')), c.close();
      const n = Math.min(1 + r.below(256 * 1024), size - made);
      made += n;
      c.enqueue(new Uint8Array(n).fill(0x7a));
    },
  }, { highWaterMark: 0 });
  return { resp: new Response(stream), pulled: () => made };
}

test('a huge line against a small cap gives null instead of being buffered', async () => {
  const r = rng(SEED ^ 0xb16);
  const size = 8 << 20;
  for (const cap of [1, 16, 1024, 64 * 1024]) {
    for (const prefix of ['data: ', 'x-field: ', 'id: ', ': ', 'event: ']) {
      const { resp, pulled } = hugeLine(prefix, size, r);
      const s = {};
      let got;
      while (Array.isArray((got = await nextEvents(resp, s, cap)))) assert.deepEqual(got, []);
      assert.equal(got, null, `${prefix} cap ${cap}`);
      // It stopped within a chunk or so of the cap: the 8 MiB were not read.
      assert.ok(pulled() <= cap + 2 * 256 * 1024, `${prefix} cap ${cap}: read ${pulled()} bytes before null`);
      assert.deepEqual(s, {}, 'nothing dispatched');
    }
  }
});
