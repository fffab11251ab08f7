// The result / error panel of one row: the tool's content blocks as text (images as
// data: URLs of known types), or the error, or why nothing more is known.

import { h, setText } from './dom.js';
import { ui } from './ui.js';
import { state } from './store.js';
import { shortId } from './format.js';
import { displayStatus, statusText } from './status.js';
import { describeError as describe } from './errors.js';

const describeError = (error) => describe(error, state.url);

let detailOpener = null;
let detailFor = null;

/** Open the panel for `row`; focus returns to `opener` when it closes. */
export async function showDetail(row, opener) {
  detailOpener = opener;
  detailFor = row.taskId;
  const status = displayStatus(row);
  setText(ui.detailH, `${status === 'failed' ? 'Error' : status === 'completed' ? 'Result' : 'Details'} of ${row.tool} · task ${shortId(row.taskId)}`);
  const meta = [`Task ${row.taskId}`, `status: ${statusText(status)[1]}`];
  if (row.task?.createdAt) meta.push(`created ${row.task.createdAt}`);
  if (row.task?.lastUpdatedAt) meta.push(`updated ${row.task.lastUpdatedAt}`);
  setText(ui.detailMeta, meta.join(' · '));
  ui.detail.hidden = false;
  ui.detailH.focus();

  let outcome = row.outcome;
  if ((status === 'completed' || status === 'failed') && (!outcome || outcome.restored)) {
    // Restored after a reload: fetch the stored result again.
    ui.detailBody.replaceChildren(h('p', { class: 'muted', text: 'Fetching the stored result…' }));
    ui.detailRaw.textContent = '';
    try {
      const result = await state.client.getTaskResult(row.taskId);
      outcome = status === 'failed' ? { kind: 'failed', stored: { result } } : { kind: 'result', result };
    } catch (error) {
      if (error?.name === 'TaskFailedError') outcome = { kind: 'failed', error }; // 2026-07-28: the error is inline
      else if (status === 'failed' && (error?.name === 'McpError' || error?.name === 'TaskNotFoundError')) outcome = { kind: 'failed', stored: { error } };
      else outcome = { kind: 'fetch-error', error };
    }
    if (detailFor !== row.taskId) return;
  }
  renderDetail(row, outcome, status);
}

function renderDetail(row, outcome, status) {
  const body = [];
  let raw = row.task ?? null;
  if (outcome?.kind === 'result') {
    body.push(...renderContent(outcome.result));
    raw = outcome.result;
  } else if (outcome?.kind === 'failed') {
    const err = outcome.error ?? outcome.stored;
    if (err?.result) {
      body.push(h('p', { class: 'error-lead', text: 'The task failed. The tool reported:' }), ...renderContent(err.result));
      raw = err.result;
    } else if (err?.error) {
      body.push(h('p', { class: 'error-lead', text: `The task failed with error ${err.error.code}:` }), h('pre', { class: 'text', text: err.error.message }));
      raw = { code: err.error.code, message: err.error.message, data: err.error.data };
    } else {
      body.push(h('p', { text: 'The task failed.' }));
    }
  } else if (outcome?.kind === 'fetch-error') {
    body.push(h('p', { class: 'error-lead', text: `Could not fetch the stored result: ${describeError(outcome.error).text}` }));
  } else if (status === 'cancelled') {
    body.push(h('p', { text: 'The task was cancelled; a cancelled task has no result.' }));
  } else if (status === 'lost') {
    body.push(h('p', { text: row.note || 'The server no longer knows this task.' }));
  } else if (status === 'expired') {
    body.push(h('p', { text: 'The task expired: the server no longer keeps it or its result.' }));
  } else if (outcome?.error) {
    body.push(h('p', { class: 'error-lead', text: describeError(outcome.error).text }));
  } else {
    body.push(h('p', { text: row.summary || row.note || 'Nothing more is known.' }));
  }
  if (row.task?.statusMessage) body.unshift(h('p', { class: 'muted' }, 'Status message: ', h('q', { text: row.task.statusMessage })));
  ui.detailBody.replaceChildren(...body);
  try {
    ui.detailRaw.textContent = JSON.stringify(raw, null, 2) ?? '';
  } catch {
    ui.detailRaw.textContent = '';
  }
}

const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp|bmp|avif)$/;

/** A CallToolResult's content blocks as DOM nodes (text only, images as data: URLs). */
function renderContent(result) {
  const out = [];
  for (const block of Array.isArray(result?.content) ? result.content : []) {
    switch (block?.type) {
      case 'text':
        out.push(h('pre', { class: 'text', text: String(block.text ?? '') }));
        break;
      case 'image':
        if (IMAGE_TYPES.test(block.mimeType ?? '') && /^[A-Za-z0-9+/=\s]*$/.test(block.data ?? '')) {
          out.push(h('img', { class: 'result-image', alt: `Image from the tool (${block.mimeType})`, src: `data:${block.mimeType};base64,${block.data}` }));
        } else {
          out.push(h('p', { class: 'muted', text: `An image of type ${block.mimeType ?? 'unknown'} (not shown).` }));
        }
        break;
      case 'audio':
        out.push(h('p', { class: 'muted', text: `Audio (${block.mimeType ?? 'unknown type'}), ${Math.floor(String(block.data ?? '').length * 3 / 4)} bytes (not played here).` }));
        break;
      case 'resource_link':
        out.push(h('p', {}, 'Link to a resource: ', h('code', { text: String(block.uri ?? '') }), block.name ? ` (${block.name})` : ''));
        break;
      case 'resource': {
        const r = block.resource ?? {};
        out.push(h('p', {}, 'Embedded resource ', h('code', { text: String(r.uri ?? '') })));
        if (typeof r.text === 'string') out.push(h('pre', { class: 'text', text: r.text }));
        else if (typeof r.blob === 'string') out.push(h('p', { class: 'muted', text: `${Math.floor(r.blob.length * 3 / 4)} bytes of binary data.` }));
        break;
      }
      default:
        out.push(h('pre', { class: 'text', text: JSON.stringify(block, null, 2) ?? '' }));
    }
  }
  if (result?.structuredContent !== undefined) {
    out.push(h('h3', { text: 'Structured content' }), h('pre', { class: 'text', text: JSON.stringify(result.structuredContent, null, 2) }));
  }
  if (!out.length) out.push(h('p', { class: 'muted', text: 'The result has no content.' }));
  return out;
}

ui.detailClose.addEventListener('click', () => {
  ui.detail.hidden = true;
  detailFor = null;
  if (detailOpener?.isConnected) detailOpener.focus();
});

ui.detail.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') ui.detailClose.click();
});

