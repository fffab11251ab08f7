// The small JSON Schema check and form helpers (www/js/schema.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate, defaultArgs, describeProp, enumOptions } from '../../www/js/schema.js';

const sleep = {
  type: 'object',
  properties: { ms: { type: 'integer', minimum: 0, default: 50 }, text: { type: 'string', maxLength: 5 } },
  required: ['ms'],
  additionalProperties: false,
};

test('what the e2e form shows: wrong types, bounds, required, unknown properties', () => {
  assert.deepEqual(validate(sleep, { ms: 'slow', text: 3 }, 'arguments'), [
    'arguments.ms must be an integer, not a string.',
    'arguments.text must be a string, not an integer.',
  ]);
  assert.deepEqual(validate(sleep, { ms: -1 }, 'arguments'), ['arguments.ms must be at least 0.']);
  assert.deepEqual(validate(sleep, {}, 'arguments'), ['arguments is missing “ms”, which is required.']);
  assert.deepEqual(validate(sleep, { ms: 1, x: 1 }, 'arguments'), ['arguments has an unknown property “x”.']);
  assert.deepEqual(validate(sleep, { ms: 1, text: '😀😀😀😀😀😀' }, 'arguments'), ['arguments.text must have at most 5 characters.'], 'characters, not UTF-16 units');
  assert.deepEqual(validate(sleep, { ms: 1, text: 'ok' }), []);
  assert.deepEqual(validate(sleep, [], 'arguments'), ['arguments must be an object, not an array.']);
});

test('enum, const, pattern, items, anyOf, allOf', () => {
  assert.deepEqual(validate({ enum: ['a', 'b'] }, 'c'), ['value must be one of "a", "b".']);
  assert.deepEqual(validate({ const: 3 }, 4), ['value must be 3.']);
  assert.deepEqual(validate({ type: 'string', pattern: '^a' }, 'ba'), ['value does not match the pattern ^a.']);
  assert.deepEqual(validate({ type: 'string', pattern: '(' }, 'x'), [], 'an unreadable pattern is left to the server');
  assert.deepEqual(validate({ type: 'array', items: { type: 'number' }, maxItems: 1 }, [1, 'x']), ['value must have at most 1 items.', 'value[1] must be a number, not a string.']);
  assert.deepEqual(validate({ anyOf: [{ type: 'string' }, { type: 'null' }] }, 1), ['value does not match any of the allowed forms.']);
  assert.deepEqual(validate({ allOf: [{ minimum: 2 }, { maximum: 0 }] }, 1), ['value must be at least 2.', 'value must be at most 0.']);
  assert.deepEqual(validate(null, 1), []);
});

test('defaultArgs, describeProp and enumOptions', () => {
  assert.deepEqual(defaultArgs(sleep), { ms: 50 });
  assert.deepEqual(defaultArgs(undefined), {});
  assert.equal(describeProp('ms', { type: 'integer', default: 50, description: 'How long' }, true), 'ms (integer, required, default 50) — How long');
  assert.equal(describeProp('k', { type: ['string', 'null'], enum: ['a'] }, false), 'k (string or null, one of "a")');
  assert.deepEqual(enumOptions({ enum: ['a', 'b'], enumNames: ['A'] }), [['a', 'A'], ['b', 'b']]);
  assert.deepEqual(enumOptions({ oneOf: [{ const: 'x', title: 'Ex' }, { const: 'y' }] }), [['x', 'Ex'], ['y', 'y']]);
  assert.equal(enumOptions({ oneOf: [{ type: 'string' }] }), null);
  assert.equal(enumOptions({ type: 'string' }), null);
});
