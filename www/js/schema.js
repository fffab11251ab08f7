// JSON Schema, as far as a form needs it: a small check (type, required, properties, enum,
// const, bounds, items) that says what is wrong in plain words, the starting arguments,
// property hints and enum options. Pure; tested by tests/www/schema.test.mjs.

/** The starting arguments: each property's default. */
export function defaultArgs(schema) {
  const out = {};
  for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
    if (prop && typeof prop === 'object' && 'default' in prop) out[key] = prop.default;
  }
  return out;
}

/** One line of the form's hint: `ms (integer, required, default 50) — How long`. */
export function describeProp(key, prop, required) {
  const parts = [];
  const type = Array.isArray(prop?.type) ? prop.type.join(' or ') : prop?.type;
  if (type) parts.push(type);
  if (required) parts.push('required');
  if (prop && 'default' in prop) parts.push(`default ${JSON.stringify(prop.default)}`);
  if (Array.isArray(prop?.enum)) parts.push(`one of ${prop.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  const desc = typeof prop?.description === 'string' ? ` — ${prop.description}` : '';
  return `${key} (${parts.join(', ')})${desc}`;
}

/** [value, label] pairs of an enum (enum + enumNames, or oneOf/anyOf of const + title). */
export function enumOptions(prop) {
  if (Array.isArray(prop?.enum)) {
    const names = Array.isArray(prop.enumNames) ? prop.enumNames : [];
    return prop.enum.map((v, i) => [String(v), String(names[i] ?? v)]);
  }
  const list = Array.isArray(prop?.oneOf) ? prop.oneOf : Array.isArray(prop?.anyOf) ? prop.anyOf : null;
  if (list && list.every((o) => o && 'const' in o)) return list.map((o) => [String(o.const), String(o.title ?? o.const)]);
  return null;
}

function kindOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function hasType(type, value) {
  switch (type) {
    case 'object': return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'null': return value === null;
    default: return true;
  }
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Problems of `value` against `schema`, in plain words; [] when it fits. */
export function validate(schema, value, path = 'value') {
  if (!schema || typeof schema !== 'object') return [];
  const problems = [];
  const types = Array.isArray(schema.type) ? schema.type : typeof schema.type === 'string' ? [schema.type] : null;
  if (types && !types.some((t) => hasType(t, value))) {
    return [`${path} must be ${types.map((t) => (t === 'integer' ? 'an integer' : t === 'object' || t === 'array' ? `an ${t}` : `a ${t}`)).join(' or ')}, not ${kindOf(value)}.`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => sameJson(e, value))) {
    problems.push(`${path} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}.`);
  }
  if ('const' in schema && !sameJson(schema.const, value)) problems.push(`${path} must be ${JSON.stringify(schema.const)}.`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${path} must be at least ${schema.minimum}.`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${path} must be at most ${schema.maximum}.`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) problems.push(`${path} must be more than ${schema.exclusiveMinimum}.`);
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) problems.push(`${path} must be less than ${schema.exclusiveMaximum}.`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) problems.push(`${path} must have at least ${schema.minLength} characters.`);
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) problems.push(`${path} must have at most ${schema.maxLength} characters.`);
    if (typeof schema.pattern === 'string') {
      try {
        if (!new RegExp(schema.pattern, 'u').test(value)) problems.push(`${path} does not match the pattern ${schema.pattern}.`);
      } catch { /* a pattern this browser cannot read: the server checks it */ }
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`${path} must have at least ${schema.minItems} items.`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) problems.push(`${path} must have at most ${schema.maxItems} items.`);
    if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
      value.forEach((item, i) => problems.push(...validate(schema.items, item, `${path}[${i}]`)));
    }
  }
  if (hasType('object', value)) {
    const props = schema.properties && typeof schema.properties === 'object' ? schema.properties : {};
    for (const key of Array.isArray(schema.required) ? schema.required : []) {
      if (!(key in value)) problems.push(`${path} is missing “${key}”, which is required.`);
    }
    for (const [key, item] of Object.entries(value)) {
      if (key in props) problems.push(...validate(props[key], item, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path} has an unknown property “${key}”.`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        problems.push(...validate(schema.additionalProperties, item, `${path}.${key}`));
      }
    }
  }
  if (Array.isArray(schema.anyOf) && schema.anyOf.length && !schema.anyOf.some((s) => validate(s, value, path).length === 0)) {
    problems.push(`${path} does not match any of the allowed forms.`);
  }
  if (Array.isArray(schema.allOf)) for (const s of schema.allOf) problems.push(...validate(s, value, path));
  return problems;
}
