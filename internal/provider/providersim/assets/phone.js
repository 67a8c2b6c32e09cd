// The phone page of the Evolution simulator: every customer of one
// instance, as their phones see the chats. It polls the simulator, lets a
// customer write (POST /_sim/instances/{name}/messages), and plays the
// phone's receipts: a message the business sent is delivered as soon as the
// phone is online (this page is open) and read when its chat is open.
// The chat list shows the last message's ticks, as WhatsApp's does; the
// back arrow closes the chat (its new messages are then delivered, not
// read, until it opens again).
const instance = document.body.dataset.instance;
const api = '/_sim/instances/' + encodeURIComponent(instance);
const $ = (sel) => document.querySelector(sel);
const h = (tag, attrs, ...kids) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) el.setAttribute(k, v);
  for (const k of kids.flat()) if (k !== null && k !== undefined) el.append(typeof k === 'string' ? document.createTextNode(k) : k);
  return el;
};
const post = (path, body) => fetch(api + path, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
}).then((r) => r.json().then((b) => { if (!r.ok) throw new Error(b.error || r.status); return b; }));

const RANK = { PENDING: 0, SERVER_ACK: 1, DELIVERY_ACK: 2, READ: 3, PLAYED: 4 };
const TICKS = { PENDING: '🕓', SERVER_ACK: '✓', DELIVERY_ACK: '✓✓', READ: '✓✓', PLAYED: '✓✓' };
let open = null;     // the jid of the open chat
let state = null;    // the last /chats answer
const names = new Map(); // number → the profile name typed for a new chat
const acked = new Map(); // id → the highest status this page has sent

function ack(m, status) {
  if (RANK[m.status] >= RANK[status] || (acked.get(m.id) || 0) >= RANK[status]) return;
  acked.set(m.id, RANK[status]);
  post('/acks', { id: m.id, status }).catch(() => acked.delete(m.id));
}

function label(m) {
  if (m.deleted) return m.from_me ? 'Você apagou esta mensagem' : 'Esta mensagem foi apagada';
  if (m.text) return m.text;
  return m.type ? '[' + m.type + ']' : '';
}

// statusOf is a message's ticks: the phone's receipts for the business's
// messages, the business having read it for the customer's.
const statusOf = (m) => (m.from_me ? m.status : (m.read_by_business ? 'READ' : 'DELIVERY_ACK'));

function ticksOf(m) {
  const status = statusOf(m);
  return h('span', { class: 'ticks' + (RANK[status] >= 3 ? ' read' : ''), 'data-ticks': status }, TICKS[status] || '');
}

function renderChats() {
  const list = $('[data-phone-chats]');
  list.replaceChildren(...state.chats.map((c) => {
    const last = c.messages[c.messages.length - 1];
    const preview = last ? [last.deleted ? null : ticksOf(last), label(last)] : [];
    const b = h('button', { type: 'button', 'data-chat': c.jid, 'aria-current': String(c.jid === open),
      'data-last-message': last ? last.id : null }, h('strong', {}, c.name || c.jid), h('small', {}, preview));
    b.addEventListener('click', () => { open = c.jid; render(); });
    return h('li', {}, b);
  }));
}

function renderChat() {
  const chat = state.chats.find((c) => c.jid === open);
  $('[data-phone-chat]').hidden = !open;
  $('[data-phone-empty]').hidden = !!open;
  if (!open) return;
  $('[data-phone-chat-name]').textContent = chat ? chat.name || chat.jid : open;
  const typing = chat && chat.presence;
  $('[data-phone-presence]').textContent = typing === 'composing' ? 'digitando…' : typing === 'recording' ? 'gravando áudio…' : '';
  const msgs = chat ? chat.messages : [];
  $('[data-phone-messages]').replaceChildren(...msgs.map((m) => {
    return h('li', { class: 'msg' + (m.from_me ? ' from-business' : '') + (m.deleted ? ' deleted' : ''), 'data-message': m.id, 'data-status': statusOf(m) },
      h('span', { class: 'text' }, label(m)), m.edited ? h('span', { class: 'meta' }, 'editada') : null,
      h('span', { class: 'meta' }, new Date(m.at).toLocaleTimeString(), ' ', ticksOf(m)),
      m.emoji ? h('span', { class: 'emoji' }, m.emoji) : null);
  }));
}

function render() {
  if (!state) return; // the first /chats answer renders
  $('[data-phone-owner]').textContent = state.profile_name || instance;
  $('[data-phone-state]').textContent = state.state;
  renderChats();
  renderChat();
}

function receipts() {
  for (const c of state.chats) {
    for (const m of c.messages) {
      if (!m.from_me || m.deleted) continue;
      ack(m, c.jid === open ? 'READ' : 'DELIVERY_ACK');
    }
  }
}

function refresh() {
  return fetch(api + '/chats').then((r) => r.json()).then((s) => { state = s; render(); receipts(); }).catch(() => {});
}

$('[data-phone-new]').addEventListener('submit', (e) => {
  e.preventDefault();
  const n = e.target.number.value.replace(/\D/g, '');
  if (n.length < 8) return;
  const known = state && state.chats.find((c) => c.jid.startsWith(n) || c.number === n);
  const name = e.target.name.value.trim();
  if (name) names.set(n, name);
  open = known ? known.jid : n;
  e.target.number.value = '';
  e.target.name.value = '';
  render();
});

$('[data-phone-back]').addEventListener('click', () => { open = null; render(); });

$('[data-phone-compose]').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = e.target.text.value.trim();
  if (!text || !open) return;
  const chat = state && state.chats.find((c) => c.jid === open);
  const body = { text, from: chat ? chat.from : open, push_name: chat ? chat.name : names.get(open) };
  if (chat && chat.lid) body.lid = chat.lid;
  post('/messages', body).then((m) => { e.target.text.value = ''; open = m.key.remoteJid; refresh(); })
    .catch((err) => { e.target.text.placeholder = String(err.message); });
});

refresh();
setInterval(refresh, 1000);
