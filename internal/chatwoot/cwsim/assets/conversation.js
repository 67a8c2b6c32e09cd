// Conversation pages of the simulated dashboard, including Dashboard App
// tabs. Frames follow Chatwoot 4.15's DashboardApp/Frame.vue: mounted the
// first time their tab opens, keyed by conversation (switching conversation
// recreates them), id dashboard-app--frame-{position}-{index}, only id and
// src attributes, and appContext posted as a JSON string to '*' on load and
// on the 'chatwoot-dashboard-app:fetch-info' request while visible.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

export const comment = (text) => document.createComment(text);

// The SPA copies the cookie's auth headers onto every request (APIHelper.js).
function authHeaders() {
  const raw = document.cookie.split('; ').find((c) => c.startsWith('cw_d_session_info='));
  if (!raw) return {};
  const value = raw.slice('cw_d_session_info='.length).replace(/(%[\dA-F]{2})+/gi, decodeURIComponent);
  const session = JSON.parse(value);
  const out = {};
  for (const k of ['access-token', 'token-type', 'client', 'expiry', 'uid']) if (session[k]) out[k] = session[k];
  return out;
}

export function apiGet(path) {
  return fetch(path, { headers: Object.assign({ Accept: 'application/json' }, authHeaders()) }).then((r) => {
    if (!r.ok) throw new Error(path + ': ' + r.status);
    return r.json();
  });
}

function apiPost(path, body) {
  return fetch(path, {
    method: 'POST',
    headers: Object.assign({ Accept: 'application/json', 'Content-Type': 'application/json' }, authHeaders()),
    body: JSON.stringify(body),
  }).then((r) => {
    if (!r.ok) return r.text().then((t) => { throw new Error(r.status + ' ' + t); });
    return r.json();
  });
}

// How often the demo page refreshes statuses and new messages. Chatwoot
// pushes these over ActionCable; polling keeps the simulator small.
const POLL_MS = 1000;

let cleanup = [];
export function teardownPage() {
  cleanup.forEach((fn) => fn());
  cleanup = [];
}

export function renderConversationsPage({ boot, base, navigate, toolbar }) {
  const list = h('ul', { class: 'flex flex-col m-0 list-none', 'data-cwsim-conversations': '' });
  const box = h('div', { class: 'flex flex-col flex-1 min-w-0' });
  const section = h('section', { class: 'flex w-full h-full min-w-0' },
    h('div', { class: 'flex flex-col w-[340px] border-r border-n-weak' }, toolbar(), list), box);
  const acct = '/api/v1/accounts/' + boot.account.id;
  const listed = new Set();
  const refreshList = () => apiGet(acct + '/conversations?status=all&assignee_type=all').then((res) => {
    for (const c of res.data.payload.slice().reverse()) {
      if (listed.has(c.id)) continue;
      listed.add(c.id);
      const sender = (c.meta && c.meta.sender) || {};
      const a = h('a', { href: base + '/conversations/' + c.id, 'data-conversation-id': String(c.id), class: 'block px-4 py-2' },
        '#' + c.id + ' ' + (sender.name || ''));
      a.addEventListener('click', (e) => { e.preventDefault(); navigate(base + '/conversations/' + c.id); });
      list.prepend(h('li', {}, a));
    }
  }).catch(() => {});
  refreshList();
  const listTimer = setInterval(refreshList, 3 * POLL_MS);
  cleanup.push(() => clearInterval(listTimer));
  const match = location.pathname.match(/\/conversations\/(\d+)$/);
  if (!match) {
    box.append(h('div', { class: 'p-8 text-n-slate-11' }, 'Please select a conversation from left pane'));
    return section;
  }
  const id = match[1];
  Promise.all([apiGet(acct + '/conversations/' + id), apiGet(acct + '/conversations/' + id + '/messages')])
    .then(([conversation, messages]) => {
      const senderId = conversation.meta && conversation.meta.sender && conversation.meta.sender.id;
      const contact = senderId ? apiGet(acct + '/contacts/' + senderId).then((r) => r.payload) : Promise.resolve({});
      return contact.then((c) => {
        // Vuex currentChat: the conversation with the loaded messages.
        const chat = Object.assign({}, conversation, { messages: messages.payload });
        box.append(conversationBox(boot, chat, c, acct + '/conversations/' + id));
      });
    })
    .catch((err) => box.append(h('div', { class: 'p-8', 'data-cwsim-error': '' }, String(err))));
  return section;
}

// Delivery ticks as the dashboard shows them for an API inbox: the status
// the hub reports with PATCH …/messages/{id}.
const TICKS = { sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

function messageItem(m) {
  const li = h('li', { 'data-message-id': String(m.id), 'data-message-type': String(m.message_type) });
  fillMessage(li, m);
  return li;
}

function fillMessage(li, m) {
  const error = (m.content_attributes && m.content_attributes.external_error) || '';
  li.setAttribute('data-message-status', m.status);
  li.className = 'cwsim-message cwsim-type-' + m.message_type + (m.private ? ' cwsim-private' : '');
  const who = m.sender ? m.sender.name || m.sender.available_name || '' : '';
  const files = (m.attachments || []).map((a) =>
    h('a', { class: 'cwsim-attachment', href: a.data_url, target: '_blank', rel: 'noopener' }, a.file_type + ' ' + (a.extension || '')));
  const parts = [h('span', { class: 'cwsim-sender' }, who), h('span', { class: 'cwsim-content' }, m.content || '')].concat(files);
  if (m.message_type !== 0 && m.message_type !== 2) {
    parts.push(h('span', { class: 'cwsim-status cwsim-status-' + m.status, title: error || m.status, 'data-status': m.status },
      TICKS[m.status] || ''));
    if (error) parts.push(h('span', { class: 'cwsim-error', 'data-external-error': '' }, error));
  }
  li.replaceChildren(...parts);
}

// The reply box: a real agent message through the API, so the API inbox
// callback fires exactly as it does when an agent answers in Chatwoot.
function replyBox(path, onSent) {
  const text = h('textarea', { name: 'content', rows: '2', placeholder: 'Shift + enter for new line', 'data-cwsim-reply-input': '' });
  const note = h('input', { type: 'checkbox', name: 'private' });
  const error = h('p', { class: 'cwsim-error', role: 'alert', hidden: '' });
  const form = h('form', { class: 'reply-box', 'data-cwsim-reply': '' }, text,
    h('div', { class: 'flex items-center gap-2' }, h('label', {}, note, ' Private note'),
      h('button', { type: 'submit', 'data-cwsim-reply-send': '' }, 'Send')), error);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const content = text.value.trim();
    if (!content) return;
    error.hidden = true;
    apiPost(path + '/messages', { content, message_type: 'outgoing', private: note.checked })
      .then((m) => { text.value = ''; onSent(m); })
      .catch((err) => { error.textContent = String(err.message); error.hidden = false; });
  });
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  return form;
}

function conversationBox(boot, chat, contact, path) {
  const apps = boot.dashboardApps;
  const wrap = h('div', { class: 'conversation-details-wrap flex flex-col min-w-0 w-full bg-n-surface-1 relative' });
  wrap.append(h('div', { class: 'flex items-center justify-between px-4 py-2 border-b border-n-weak', 'data-cwsim-conversation-header': '' },
    h('span', { class: 'text-n-slate-12' }, contact.name || ''), h('span', {}, chat.status)));
  const panel = h('ul', { class: 'conversation-panel' }, ...chat.messages.map(messageItem));
  const byId = new Map([...panel.children].map((li) => [li.getAttribute('data-message-id'), li]));
  const upsert = (m) => {
    const li = byId.get(String(m.id));
    if (li) { fillMessage(li, m); return; }
    const item = messageItem(m);
    byId.set(String(m.id), item);
    panel.append(item);
  };
  const refresh = () => apiGet(path + '/messages').then((res) => res.payload.forEach(upsert)).catch(() => {});
  const timer = setInterval(refresh, POLL_MS);
  cleanup.push(() => clearInterval(timer));
  const messages = h('div', { class: 'flex flex-col h-full min-h-0 m-0' }, panel, replyBox(path, upsert));
  if (!apps.length) {
    wrap.append(messages);
    return wrap;
  }
  const context = {
    conversation: chat,
    contact,
    currentAgent: { id: boot.user.id, name: boot.user.name, email: boot.user.email },
  };
  const tabs = [h('a', { href: '#' }, 'Messages')].concat(apps.map((a) => h('a', { href: '#' }, a.title)));
  const strip = h('div', { class: 'flex border-b border-n-weak' }, h('ul', { class: 'flex gap-4 m-0 list-none px-4' }, ...tabs.map((t) => h('li', {}, t))));
  const frames = apps.map((app, position) => ({ app, position, placeholder: comment('v-if'), container: null }));
  wrap.append(strip, messages, ...frames.map((f) => f.placeholder));
  let active = 0;
  const select = (index) => {
    active = index;
    tabs.forEach((t, i) => { t.className = i === index ? 'text-n-blue-11 after:bg-n-brand' : 'text-n-slate-11'; });
    messages.style.display = index === 0 ? '' : 'none';
    if (!messages.getAttribute('style')) messages.removeAttribute('style');
    frames.forEach((f, i) => {
      if (i + 1 === index && !f.container) mountFrame(f, context, () => active === f.position + 1);
      if (f.container) f.container.style.display = i + 1 === index ? '' : 'none';
    });
  };
  tabs.forEach((t, i) => t.addEventListener('click', (e) => { e.preventDefault(); select(i); }));
  select(0);
  return wrap;
}

function mountFrame(f, context, isVisible) {
  const scope = 'data-v-5d1c9e2a'; // <style scoped> hash, volatile in Chatwoot
  f.container = h('div', { class: 'dashboard-app--container', [scope]: '' });
  const post = (index) => {
    const frame = document.getElementById('dashboard-app--frame-' + f.position + '-' + index);
    if (!frame || !frame.contentWindow) return;
    frame.contentWindow.postMessage(JSON.stringify({ event: 'appContext', data: context }), '*');
  };
  (f.app.content || []).forEach((item, index) => {
    if (item.type !== 'frame') return;
    const loading = h('div', { class: 'flex items-center justify-center p-8 dashboard-app_loading-container' }, 'Loading...');
    const iframe = h('iframe', { id: 'dashboard-app--frame-' + f.position + '-' + index, src: item.url });
    iframe.setAttribute(scope, '');
    iframe.addEventListener('load', () => { loading.remove(); post(index); });
    f.container.append(h('div', { class: 'dashboard-app--list', [scope]: '' }, loading, iframe));
  });
  // 4.15 answers fetch-info from every visible app, always for frame 0, and
  // checks neither event.origin nor event.source.
  const onMessage = (e) => {
    if (e.data === 'chatwoot-dashboard-app:fetch-info' && isVisible()) post(0);
  };
  window.addEventListener('message', onMessage);
  cleanup.push(() => window.removeEventListener('message', onMessage));
  f.placeholder.replaceWith(f.container);
}
