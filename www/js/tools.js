// The server card (name, version, protocol, session, task capabilities) and the tool
// cards: one form per tool, generated from its input schema.

import { h, setText } from './dom.js';
import { ui } from './ui.js';
import { state, features } from './store.js';
import { defaultArgs, describeProp } from './schema.js';
import { toolTaskSupport, startsTask, capabilityLines } from './era.js';
import { startFromForm, MAX_COPIES } from './start.js';

export function renderServerInfo() {
  const info = state.serverInfo;
  ui.serverInfo.hidden = false;
  setText(ui.infoName, info ? (info.title ? `${info.title} (${info.name})` : info.name ?? '?') : 'unknown');
  setText(ui.infoVersion, info?.version ?? 'unknown');
  setText(ui.infoProtocol, state.protocolVersion ?? 'unknown');
  setText(ui.infoSession, state.sessionId ?? 'none');
  ui.infoCaps.replaceChildren(...capabilityLines(features()).map(([label, yes, note]) =>
    h('li', { class: yes ? 'yes' : 'no' }, h('span', { 'aria-hidden': 'true', text: yes ? '✓ ' : '✗ ' }),
      `${label}: ${yes ? 'yes' : 'no'}${note ? ` (${note})` : ''}`)));
}

export async function loadTools() {
  const tools = await state.client.listAllTools();
  state.tools = tools;
  renderTools(tools);
}

export function clearTools() {
  ui.toolList.replaceChildren();
  ui.toolsEmpty.hidden = false;
}

/** Draw the tool cards (again: what a card starts depends on the era). */
export function renderTools(tools = state.tools) {
  const open = new Set([...ui.toolList.querySelectorAll('details[open]')].map((d) => d.dataset.tool));
  ui.toolsEmpty.hidden = tools.length > 0;
  if (!tools.length) setText(ui.toolsEmpty, 'This server offers no tools.');
  const f = features();
  ui.toolList.replaceChildren(...tools.map((tool, i) => toolCard(tool, i, open.has(tool.name), f)));
}

const SUPPORT_TEXT = {
  forbidden: ['no task', 'execution.taskSupport: forbidden'],
  optional: ['task optional', 'execution.taskSupport: optional'],
  required: ['task required', 'execution.taskSupport: required'],
  server: ['server decides', 'Offered as a task (2026-07-28): the server decides whether the call runs as one'],
};

function toolCard(tool, i, open, f) {
  const support = toolTaskSupport(tool, f);
  const asTask = startsTask(support, f);
  const base = `tool-${i}`;
  const schema = tool.inputSchema ?? { type: 'object' };
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const props = Object.entries(schema.properties ?? {});

  const textarea = h('textarea', {
    id: `${base}-args`, rows: Math.min(8, Math.max(3, props.length + 2)), spellcheck: 'false',
    'aria-describedby': `${base}-hint ${base}-errors`, class: 'mono',
  });
  textarea.value = JSON.stringify(defaultArgs(schema), null, 2);
  const errors = h('ul', { id: `${base}-errors`, class: 'field-error', hidden: true });
  const copies = h('input', { id: `${base}-copies`, type: 'number', min: '1', max: String(MAX_COPIES), step: '1', value: '1', class: 'copies' });
  const output = h('output', { class: 'start-status', for: `${base}-args`, 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary', text: asTask ? 'Start task' : 'Call tool' });

  const form = h('form', { class: 'tool-form', novalidate: true },
    h('label', { for: `${base}-args`, text: 'Arguments (JSON)' }),
    textarea,
    h('div', { id: `${base}-hint`, class: 'hint' },
      props.length
        ? h('ul', { class: 'props' }, props.map(([k, p]) => h('li', { text: describeProp(k, p, required.has(k)) })))
        : 'No arguments.'),
    errors,
    h('div', { class: 'start-row' },
      h('label', { for: `${base}-copies`, text: 'Copies' }), copies, submit),
    output,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    startFromForm(tool, { textarea, errors, copies, output, submit });
  });

  const [badge, title] = SUPPORT_TEXT[support];
  return h('details', { class: 'tool', dataset: { tool: tool.name }, open },
    h('summary', {},
      h('span', { class: 'tool-name', text: tool.title ? `${tool.title} (${tool.name})` : tool.name }),
      ' ',
      h('span', { class: `badge ts-${support}`, title, text: badge })),
    tool.description ? h('p', { class: 'tool-desc', text: tool.description }) : null,
    form);
}
