// DOM helpers. Text from the server reaches the DOM only through these (textContent,
// Text nodes, setAttribute), never as HTML.

export const $ = (id) => document.getElementById(id);

/** Create an element. Children that are strings become Text nodes (never parsed as HTML). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child);
  }
  return node;
}

/** Write text only when it changed (cheap re-renders). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** Set a boolean property (`hidden`, `disabled`) only when it changes. */
export function setFlag(node, name, on) {
  if (node[name] !== on) node[name] = on;
}
