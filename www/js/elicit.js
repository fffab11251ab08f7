// Elicitation: the server asks the person for input (a form generated from the requested
// schema, or a URL to open). Tied to a task when the SDK names one (`relatedTaskId`).

import { h } from './dom.js';
import { ui, announce } from './ui.js';
import { rows } from './store.js';
import { markDirty } from './table.js';
import { shortId, safeHttpUrl } from './format.js';
import { enumOptions, validate } from './schema.js';

let elicitCount = 0;

/** The client's `onElicitation`: show the form, resolve with the person's answer. */
export function onElicitation(params, context) {
  return new Promise((resolve) => {
    const form = elicitationForm(params, context, (answer) => {
      form.remove();
      ui.inputs.hidden = ui.elicitations.children.length === 0;
      if (context?.relatedTaskId) {
        const row = rows.get(context.relatedTaskId);
        if (row) { row.asking = false; markDirty(row); }
      }
      announce(answer.action === 'accept' ? 'Answer sent.' : `Question ${answer.action === 'decline' ? 'declined' : 'cancelled'}.`);
      resolve(answer);
    });
    ui.elicitations.append(form);
    ui.inputs.hidden = false;
    const row = context?.relatedTaskId ? rows.get(context.relatedTaskId) : undefined;
    if (row) {
      row.asking = true;
      markDirty(row);
    }
    announce(`The server asks: ${params?.message ?? 'a question'}`);
    if (document.activeElement === document.body || document.activeElement === null) {
      form.querySelector('input, select, textarea, button')?.focus();
    }
  });
}

function elicitationForm(params, context, done) {
  const n = ++elicitCount;
  const base = `elicit-${n}`;
  const taskId = context?.relatedTaskId ?? null;
  const row = taskId ? rows.get(taskId) : undefined;
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'elicit', novalidate: true, dataset: { taskId: taskId ?? '' }, 'aria-labelledby': `${base}-msg` });
  form.append(
    h('p', { id: `${base}-msg`, class: 'elicit-msg', text: String(params?.message ?? 'The server asks for input.') }),
    h('p', { class: 'muted', text: taskId ? `For task ${shortId(taskId)}${row ? ` (${row.tool})` : ''}.` : 'Not tied to a task.' }),
  );

  let collect = () => ({});
  if (params?.mode === 'url') {
    const href = safeHttpUrl(params.url);
    form.append(h('p', {}, 'The server asks you to open: ',
      href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer', text: href }) : h('code', { text: String(params.url ?? '') })));
  } else {
    const schema = params?.requestedSchema ?? { type: 'object', properties: {} };
    collect = buildFields(form, schema, base);
  }
  form.append(error, h('div', { class: 'buttons' },
    h('button', { type: 'submit', class: 'primary', text: params?.mode === 'url' ? 'Done' : 'Send' }),
    h('button', { type: 'button', dataset: { act: 'decline' }, text: 'Decline' }),
    h('button', { type: 'button', dataset: { act: 'cancel' }, text: 'Cancel' })));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (params?.mode === 'url') return done({ action: 'accept' });
    const { content, problems } = collect();
    if (problems.length) {
      error.textContent = problems.join(' ');
      error.hidden = false;
      return;
    }
    done({ action: 'accept', content });
  });
  form.addEventListener('click', (event) => {
    const act = event.target.closest('button[data-act]')?.dataset.act;
    if (act === 'decline' || act === 'cancel') done({ action: act });
  });
  return form;
}

/** Add one control per property; returns a function reading { content, problems }. */
function buildFields(form, schema, base) {
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const readers = [];
  Object.entries(schema.properties ?? {}).forEach(([key, prop], i) => {
    const id = `${base}-f${i}`;
    const title = typeof prop?.title === 'string' && prop.title ? prop.title : key;
    const isRequired = required.has(key);
    const hintId = `${id}-hint`;
    const hint = typeof prop?.description === 'string' ? h('p', { id: hintId, class: 'hint', text: prop.description }) : null;
    const labelText = [title, isRequired ? h('span', { class: 'req', text: ' (required)' }) : null];
    const options = enumOptions(prop);
    const field = h('div', { class: 'field' });
    let read;
    if (prop?.type === 'boolean') {
      const box = h('input', { type: 'checkbox', id, 'aria-describedby': hint ? hintId : undefined });
      box.checked = prop.default === true;
      field.append(h('div', { class: 'check' }, box, h('label', { for: id }, ...labelText)), hint);
      read = () => box.checked;
    } else if (prop?.type === 'array') {
      const items = enumOptions(prop.items ?? {}) ?? [];
      const boxes = items.map(([value, label], j) => {
        const box = h('input', { type: 'checkbox', id: `${id}-${j}`, value });
        box.checked = Array.isArray(prop.default) && prop.default.includes(value);
        return [box, h('div', { class: 'check' }, box, h('label', { for: `${id}-${j}`, text: label }))];
      });
      field.append(h('fieldset', { 'aria-describedby': hint ? hintId : undefined }, h('legend', {}, ...labelText), ...boxes.map((b) => b[1])), hint);
      read = () => boxes.filter(([box]) => box.checked).map(([box]) => box.value);
    } else if (options) {
      const select = h('select', { id, required: isRequired, 'aria-describedby': hint ? hintId : undefined },
        h('option', { value: '', text: isRequired ? 'Choose…' : '(none)' }),
        ...options.map(([value, label]) => h('option', { value, text: label })));
      if (typeof prop.default === 'string') select.value = prop.default;
      field.append(h('label', { for: id }, ...labelText), select, hint);
      read = () => (select.value === '' ? undefined : select.value);
    } else if (prop?.type === 'number' || prop?.type === 'integer') {
      const input = h('input', {
        id, type: 'number', required: isRequired, step: prop.type === 'integer' ? '1' : 'any',
        min: prop.minimum, max: prop.maximum, 'aria-describedby': hint ? hintId : undefined,
      });
      if (typeof prop.default === 'number') input.value = String(prop.default);
      field.append(h('label', { for: id }, ...labelText), input, hint);
      read = () => (input.value === '' ? undefined : Number(input.value));
    } else {
      const type = { email: 'email', uri: 'url', date: 'date', 'date-time': 'datetime-local' }[prop?.format] ?? 'text';
      const input = h('input', {
        id, type, required: isRequired, minlength: prop?.minLength, maxlength: prop?.maxLength,
        autocomplete: 'off', 'aria-describedby': hint ? hintId : undefined,
      });
      if (typeof prop?.default === 'string') input.value = prop.default;
      field.append(h('label', { for: id }, ...labelText), input, hint);
      read = () => (input.value === '' ? undefined : input.value);
    }
    form.append(field);
    readers.push([key, title, read, field]);
  });
  return () => {
    const content = {};
    const problems = [];
    for (const [key, title, read, field] of readers) {
      const value = read();
      if (value !== undefined && !(Array.isArray(value) && value.length === 0 && !required.has(key))) content[key] = value;
      const control = field.querySelector('input, select');
      if (value === undefined && required.has(key)) {
        problems.push(`Please fill in “${title}”.`);
        control?.setAttribute('aria-invalid', 'true');
      } else {
        control?.removeAttribute('aria-invalid');
      }
    }
    if (!problems.length) {
      for (const p of validate(schema, content, 'answer')) problems.push(p);
    }
    return { content, problems };
  };
}

