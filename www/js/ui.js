// The page's fixed elements, and the messages around them: the banner, the connection
// state line, the screen-reader announcer.

import { $, setText } from './dom.js';

export const ui = {
  connState: $('conn-state'),
  banner: $('banner'),
  bannerText: $('banner-text'),
  bannerRetry: $('banner-retry'),
  bannerStop: $('banner-stop'),
  bannerClose: $('banner-close'),
  connectForm: $('connect-form'),
  url: $('server-url'),
  urlError: $('server-url-error'),
  urlHint: $('server-url-hint'),
  token: $('token'),
  connectBtn: $('connect-btn'),
  disconnectBtn: $('disconnect-btn'),
  signOutBtn: $('signout-btn'),
  serverInfo: $('server-info'),
  infoName: $('info-name'),
  infoVersion: $('info-version'),
  infoProtocol: $('info-protocol'),
  infoSession: $('info-session'),
  infoCaps: $('info-caps'),
  inputs: $('inputs'),
  elicitations: $('elicitations'),
  toolsEmpty: $('tools-empty'),
  toolList: $('tool-list'),
  summary: $('task-summary'),
  clearFinished: $('clear-finished'),
  taskRows: $('task-rows'),
  overview: $('overview'),
  statusCounts: $('status-counts'),
  statusChart: $('status-chart'),
  pager: $('pager'),
  pageNewer: $('page-newer'),
  pageOlder: $('page-older'),
  pageInfo: $('page-info'),
  detail: $('detail'),
  detailH: $('detail-h'),
  detailMeta: $('detail-meta'),
  detailBody: $('detail-body'),
  detailRaw: $('detail-raw'),
  detailClose: $('detail-close'),
  serverTasksH: $('server-tasks-h'),
  refreshTasks: $('refresh-tasks'),
  serverTasksNote: $('server-tasks-note'),
  serverTaskRows: $('server-task-rows'),
  moreTasks: $('more-tasks'),
  announcer: $('announcer'),
};

/** Tell screen-reader users about something that happened away from their focus. */
export function announce(text) {
  ui.announcer.textContent = '';
  // A new text node in a fresh task, so the same message twice is read twice.
  setTimeout(() => { ui.announcer.textContent = text; }, 50);
}

export function showBanner(text, { retry = false, stop = false, kind = 'error' } = {}) {
  setText(ui.bannerText, text);
  ui.banner.dataset.kind = kind;
  ui.bannerRetry.hidden = !retry;
  ui.bannerStop.hidden = !stop;
  ui.banner.hidden = false;
}

export function hideBanner() {
  ui.banner.hidden = true;
}

export function setConnState(kind, text) {
  ui.connState.dataset.state = kind;
  setText(ui.connState, text);
}
