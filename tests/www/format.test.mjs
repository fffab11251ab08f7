// Text for people (www/js/format.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shortId, argsSummary, formatElapsed, oneLine, firstText, failureText, safeHttpUrl, parseServerUrl } from '../../www/js/format.js';

test('shortId keeps ids up to 12 characters and cuts longer ones to 8 and an ellipsis', () => {
  assert.equal(shortId('abc'), 'abc');
  assert.equal(shortId('123456789012'), '123456789012');
  assert.equal(shortId('c872f85d-7dfc-4d98'), 'c872f85d…');
});

test('argsSummary: JSON text, empty for {} or undefined, cut at 80 (cell) and 500 (title)', () => {
  assert.deepEqual(argsSummary({ ms: 5 }), { short: '{"ms":5}', full: '{"ms":5}' });
  assert.deepEqual(argsSummary({}), { short: '', full: '' });
  assert.deepEqual(argsSummary(undefined), { short: '', full: '' });
  const big = argsSummary({ text: 'x'.repeat(1000) });
  assert.equal(big.short.length, 80);
  assert.ok(big.short.endsWith('…'));
  assert.equal(big.full.length, 500);
  const cyclic = {};
  cyclic.self = cyclic;
  assert.deepEqual(argsSummary(cyclic), { short: '', full: '' }, 'not JSON: nothing, no throw');
});

test('formatElapsed: seconds with a tenth, then minutes, then hours', () => {
  assert.equal(formatElapsed(4200), '4.2 s');
  assert.equal(formatElapsed(-5), '0.0 s');
  assert.equal(formatElapsed(NaN), '0.0 s');
  assert.equal(formatElapsed(187_000), '3 min 07 s');
  assert.equal(formatElapsed(2 * 3_600_000 + 5 * 60_000), '2 h 05 min');
});

test('oneLine folds whitespace and cuts with an ellipsis', () => {
  assert.equal(oneLine('  a\n\tb  c '), 'a b c');
  assert.equal(oneLine('abcdef', 4), 'abc…');
});

test('firstText and failureText find the words of a result or a failure', () => {
  const result = { content: [{ type: 'image', data: '' }, { type: 'text', text: 'hello' }] };
  assert.equal(firstText(result), 'hello');
  assert.equal(firstText({ content: 'nope' }), '');
  assert.equal(firstText(undefined), '');
  assert.equal(failureText({ result: { content: [{ type: 'text', text: 'disk on fire' }] } }), 'disk on fire');
  assert.equal(failureText({ error: { code: -32603, message: 'boom' } }), 'boom (code -32603)');
  assert.equal(failureText({ message: 'plain' }), 'plain');
  assert.equal(failureText({}), 'The task failed.');
});

test('safeHttpUrl lets http(s) through and nothing else', () => {
  assert.equal(safeHttpUrl('https://example.com/a b'), 'https://example.com/a%20b');
  assert.equal(safeHttpUrl('javascript:alert(1)'), null);
  assert.equal(safeHttpUrl('data:text/html,x'), null);
  assert.equal(safeHttpUrl('not a url'), null);
});

test('parseServerUrl resolves, drops the hash, and explains what is wrong', () => {
  const base = 'http://127.0.0.1:8787/www/';
  assert.equal(parseServerUrl(' http://127.0.0.1:9/mcp#x ', base), 'http://127.0.0.1:9/mcp');
  assert.equal(parseServerUrl('/mcp', base), 'http://127.0.0.1:8787/mcp');
  assert.throws(() => parseServerUrl('   ', base), /Enter the server URL/);
  assert.throws(() => parseServerUrl('http://[oops]/mcp', base), /is not a valid URL/);
  assert.throws(() => parseServerUrl('ftp://h/mcp', base), /must start with http:\/\/ or https:\/\/ \(got ftp:\)/);
});
