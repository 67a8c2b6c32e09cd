// Simulated Chatwoot 4.15 dashboard. Not Chatwoot's code: it reproduces the
// DOM, timing and navigation a DASHBOARD_SCRIPTS snippet meets (see
// shared/research/chatwoot-dashboard-dom.md): #app is empty until
// window.onload, the sidebar is aside > section + nav > ul > li* + section,
// routes change through history.replaceState + pushState, and Vue-like
// re-renders keep or destroy foreign nodes the way Vue does.
import { h, comment, apiGet, renderConversationsPage, teardownPage } from './conversation.js';

const boot = window.__cwsimBoot;
const base = '/app/accounts/' + boot.account.id;
const native = new WeakSet(); // nodes "Vue" owns; others are foreign
const ui = { collapsed: false, expanded: null, aside: null, ul: null, end: null, items: [], switcherOpen: false };

const menu = () => [
  { name: 'Inbox', label: 'My Inbox', icon: 'i-lucide-inbox', to: base + '/inbox-view' },
  { name: 'Conversations', label: 'Conversations', icon: 'i-lucide-message-circle', children: [
    { label: 'All Conversations', icon: 'i-lucide-inbox', to: base + '/dashboard', also: /\/conversations\/\d+$/ },
    { label: 'Mentions', icon: 'i-lucide-at-sign', to: base + '/mentions/conversations' },
    { label: 'Unattended', icon: 'i-lucide-mail-warning', to: base + '/unattended/conversations' },
  ] },
  { name: 'Captain', hidden: true },
  { name: 'Contacts', label: 'Contacts', icon: 'i-lucide-contact', children: [
    { label: 'All Contacts', icon: 'i-lucide-contact', to: base + '/contacts' },
    { label: 'Active', icon: 'i-lucide-activity', to: base + '/contacts/active' },
  ] },
  { name: 'Reports', label: 'Reports', icon: 'i-lucide-chart-spline', hidden: boot.user.role !== 'administrator',
    children: [{ label: 'Overview', icon: 'i-lucide-chart-line', to: base + '/reports/overview' }] },
  { name: 'Settings', label: 'Settings', icon: 'i-lucide-bolt', children: [
    { label: 'Account Settings', icon: 'i-lucide-briefcase', to: base + '/settings/general' },
    { label: 'Dashboard Apps', icon: 'i-lucide-app-window', to: base + '/settings/integrations/dashboard_apps' },
  ] },
];

const isActive = (leaf) => location.pathname === leaf.to || (leaf.also && leaf.also.test(location.pathname));
const own = (node) => { native.add(node); return node; };

// ---- router (vue-router's html5 history: replaceState, then pushState) ----
export function navigate(url) {
  if (url === location.pathname + location.search) return; // same route: no history call
  history.replaceState(Object.assign({}, history.state, { scroll: { left: 0, top: 0 } }), '', location.href);
  history.pushState({ back: location.pathname, current: url, forward: null }, '', url);
  onRoute();
}
window.addEventListener('popstate', onRoute);

function onRoute() {
  patchSidebar();
  renderMain();
}

// ---- sidebar ----
const HEADER = 'flex items-center gap-2 px-1.5 py-1 rounded-lg h-8 min-w-0';
const LEAF = 'flex h-8 items-center gap-2 px-2 py-1 rounded-lg ltr:hover:bg-gradient-to-r rtl:hover:bg-gradient-to-l ' +
  'from-transparent via-n-slate-3/70 to-n-slate-3/70 group min-w-0';

function headerInner(item) {
  return [
    h('div', { class: 'relative flex items-center gap-2' }, h('span', { class: item.icon + ' size-4' }), comment('v-if')),
    h('div', { class: 'flex items-center gap-1.5 flex-grow justify-between min-w-0 flex-1' },
      h('span', { class: 'truncate text-body-main' }, item.label)),
  ];
}

function buildItem(item) {
  if (item.hidden) return { node: own(comment('v-if')), item };
  const li = own(h('li', { class: 'grid gap-1 text-sm cursor-pointer select-none min-w-0' }));
  const ref = { node: li, item, leaves: [] };
  if (ui.collapsed) {
    const tag = item.to ? 'a' : 'button';
    const btn = h(tag, { type: 'button', title: item.label, href: item.to || null }, h('span', { class: item.icon + ' size-4' }));
    btn.addEventListener('click', (e) => { e.preventDefault(); navigate(item.to || item.children[0].to); });
    li.append(h('div', { class: 'relative' }, btn));
    ref.header = btn;
    return ref;
  }
  if (item.to) {
    ref.header = h('a', { href: item.to, role: 'button', draggable: 'false', title: item.label }, ...headerInner(item), comment('v-if'));
    ref.header.addEventListener('click', (e) => { e.preventDefault(); e.stopPropagation(); navigate(item.to); });
    li.append(ref.header);
    return ref;
  }
  ref.chevron = h('span', { class: 'i-lucide-chevron-up size-3' });
  ref.header = h('div', { role: 'button', draggable: 'false', title: item.label }, ...headerInner(item), ref.chevron);
  ref.header.addEventListener('click', (e) => {
    e.stopPropagation(); // native headers use @click.stop
    const hasActive = item.children.some(isActive);
    const wasExpanded = ui.expanded === item.name;
    ui.expanded = wasExpanded ? null : item.name;
    if (!hasActive && !wasExpanded) navigate(item.children[0].to);
    else patchSidebar();
  });
  ref.list = h('ul', { class: 'grid m-0 list-none min-w-0' }, document.createTextNode(''));
  for (const leaf of item.children) {
    const a = h('a', { href: leaf.to, title: leaf.label },
      h('span', { class: 'size-4 grid place-content-center rounded-full' }, h('span', { class: leaf.icon + ' size-4 inline-block' })),
      h('div', { class: 'flex-1 truncate min-w-0 text-sm' }, leaf.label),
      h('span', { class: 'hidden' }));
    a.addEventListener('click', (e) => { e.preventDefault(); navigate(leaf.to); });
    ref.list.append(h('li', { class: 'py-0.5 ps-2 ms-3 relative text-n-slate-11 min-w-0 child-item' }, a));
    ref.leaves.push({ a, leaf });
  }
  ref.list.append(document.createTextNode(''));
  li.append(ref.header, ref.list);
  return ref;
}

// applyState rewrites className wholesale, as Vue does when a class binding changes.
function applyState(ref) {
  const { item } = ref;
  if (!ref.header) return;
  const active = item.to ? isActive(item) : false;
  const childActive = item.children ? item.children.some(isActive) : false;
  if (ui.collapsed) {
    ref.header.className = 'flex items-center justify-center size-10 rounded-lg ' +
      (active || childActive ? 'text-n-slate-12 bg-n-alpha-2' : 'text-n-slate-11 hover:bg-n-alpha-2');
    return;
  }
  let state = 'text-n-slate-11 hover:bg-n-alpha-2';
  if (active) state = 'text-n-slate-12 bg-n-alpha-2 font-medium';
  else if (childActive) state = 'text-n-slate-12 font-medium';
  ref.header.className = HEADER + ' ' + state;
  const label = ref.header.querySelector('.truncate');
  if (label) label.className = 'truncate ' + (active ? 'font-medium text-sm' : 'text-body-main');
  if (item.to) {
    ref.header.classList.toggle('router-link-active', active);
    ref.header.classList.toggle('router-link-exact-active', active);
    if (active) ref.header.setAttribute('aria-current', 'page'); else ref.header.removeAttribute('aria-current');
  }
  if (ref.list) {
    const open = ui.expanded === item.name || childActive;
    ref.list.style.display = open ? '' : 'none';
    if (!ref.list.getAttribute('style')) ref.list.removeAttribute('style');
    ref.chevron.style.display = ui.expanded === item.name ? '' : 'none';
    for (const { a, leaf } of ref.leaves) {
      const on = isActive(leaf);
      a.className = LEAF + (on ? ' text-n-slate-12 bg-n-alpha-2 active router-link-active router-link-exact-active' : '');
      if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
  }
}

function patchSidebar() {
  ui.items.forEach(applyState);
  if (!ui.aside) return;
  const wide = window.innerWidth >= 768;
  if (wide) ui.aside.style.width = (ui.collapsed ? 56 : 200) + 'px'; else ui.aside.removeAttribute('style');
}

// rerenderSidebar mimics a menu recompute with new keys: Vue removes the
// nodes it owns and inserts new ones before its end anchor; foreign nodes
// (appended after the anchor, or anywhere) stay where they are.
export function rerenderSidebar() {
  if (!ui.ul) return;
  for (const ref of ui.items) if (native.has(ref.node)) ref.node.remove();
  ui.items = menu().map(buildItem);
  for (const ref of ui.items) ui.ul.insertBefore(ref.node, ui.end);
  patchSidebar();
}

function buildAside() {
  const aside = h('aside', { class: 'bg-n-background flex flex-col text-sm pb-px fixed top-0 ltr:left-0 rtl:right-0 h-full z-40 ' +
    'w-[200px] md:w-auto md:relative md:flex-shrink-0 md:ltr:translate-x-0 md:rtl:translate-x-0 ltr:border-r rtl:border-l border-n-weak ' +
    'transition-transform duration-200 ease-out md:transition-[width]' });
  const switcher = ui.collapsed
    ? h('button', { type: 'button', class: 'grid place-content-center size-8 rounded-lg', title: boot.account.name }, h('span', { class: 'i-lucide-chevrons-up-down size-4' }))
    : h('div', { class: 'relative space-y-2 flex-grow -mx-1 min-w-0' },
      h('button', { id: 'sidebar-account-switcher', 'data-account-id': String(boot.account.id), 'aria-haspopup': 'listbox',
        'aria-controls': 'account-options', type: 'button', class: 'flex items-center gap-2 px-2 py-1 rounded-lg min-w-0 w-full' },
      h('span', { class: 'text-sm font-medium leading-5 text-n-slate-12 truncate' }, boot.account.name),
      h('span', { class: 'i-lucide-chevron-down size-4' })));
  if (!ui.collapsed) switcher.firstChild.addEventListener('click', () => toggleSwitcher(switcher));
  const header = h('section', { class: ui.collapsed ? 'grid mt-3 mb-6 gap-4' : 'grid mt-1 mb-4 gap-2' },
    h('div', { class: 'flex gap-2 items-center min-w-0 px-2' },
      h('div', { class: 'grid flex-shrink-0 place-content-center size-6' }, h('span', { class: 'i-woot-logo size-4' })),
      h('div', { class: 'flex-shrink-0 w-px h-3 bg-n-strong' }), switcher),
    h('div', { class: 'flex gap-2 px-2' },
      h('a', { href: base + '/search', class: 'flex gap-2 items-center px-2 py-1 w-full h-7 rounded-lg outline outline-1 outline-n-weak bg-n-button-color' },
        h('span', { class: 'i-lucide-search size-4' }), ui.collapsed ? null : h('span', {}, 'Search...')),
      h('button', { type: 'button', class: 'grid place-content-center size-7 rounded-lg' }, h('span', { class: 'i-lucide-pen-line size-4' }))));
  header.querySelector('a').addEventListener('click', (e) => { e.preventDefault(); navigate(base + '/search'); });
  ui.end = document.createTextNode('');
  ui.ul = h('ul', { class: 'flex flex-col gap-1 m-0 list-none min-w-0' + (ui.collapsed ? ' items-center' : '') }, document.createTextNode(''));
  ui.items = menu().map(buildItem);
  for (const ref of ui.items) ui.ul.append(ref.node);
  ui.ul.append(ui.end);
  const nav = h('nav', { class: 'grid overflow-y-scroll flex-grow gap-2 pb-5 no-scrollbar min-w-0 ' + (ui.collapsed ? 'px-1' : 'px-2') }, ui.ul);
  const footer = h('section', { class: 'flex relative flex-col flex-shrink-0 gap-1 justify-between items-center' },
    h('div', { class: 'pointer-events-none absolute inset-x-0 -top-[1.938rem] h-8 bg-gradient-to-t from-n-background to-transparent' }),
    h('div', { class: 'px-1 py-1.5 flex-shrink-0 flex w-full z-50 gap-2 items-center border-t border-n-weak justify-between' },
      h('div', { class: 'relative space-y-2 min-w-0 w-full' },
        h('button', { type: 'button', class: 'flex gap-2 items-center p-1 text-left rounded-lg cursor-pointer hover:bg-n-alpha-1 w-full' },
          h('span', { class: 'avatar size-8 rounded-full bg-n-alpha-2' }),
          ui.collapsed ? null : h('div', { class: 'min-w-0' },
            h('div', { class: 'text-sm font-medium leading-5 truncate text-n-slate-12' }, boot.user.name),
            h('div', { class: 'text-xs truncate text-n-slate-11' }, boot.user.email))))));
  const handle = h('div', { class: 'hidden md:block absolute top-0 h-full w-1 cursor-col-resize z-40 ltr:right-0 rtl:left-0 group' },
    h('div', { class: 'absolute top-0 h-full w-px bg-transparent group-hover:bg-n-brand' }));
  handle.addEventListener('dblclick', () => setCollapsed(!ui.collapsed));
  aside.append(header, nav, footer, handle);
  ui.aside = aside;
  patchSidebar();
  return aside;
}

function toggleSwitcher(container) {
  ui.switcherOpen = !ui.switcherOpen;
  const old = container.querySelector('#account-options');
  if (old) old.remove();
  if (!ui.switcherOpen) return;
  const list = h('ul', { id: 'account-options', role: 'listbox', class: 'absolute z-50 bg-n-alpha-3 rounded-xl p-1' });
  for (const acc of boot.accounts) {
    const item = h('li', { role: 'option', 'data-account-id': String(acc.id), class: 'px-2 py-1 rounded-lg cursor-pointer' }, acc.name);
    // Switching account is a full page load in Chatwoot (window.location.href).
    item.addEventListener('click', () => { window.location.href = '/app/accounts/' + acc.id + '/dashboard'; });
    list.append(item);
  }
  container.append(list);
}

// recreateSidebar replaces the whole <aside>, as the App root's
// LoadingState swap does: every foreign node inside it is lost.
export function recreateSidebar() {
  if (ui.aside) ui.aside.replaceWith(buildAside());
}

export function setCollapsed(collapsed) {
  ui.collapsed = collapsed;
  recreateSidebar();
}

// ---- theme: "dark" on <body>, color-scheme on <html> (themeHelper.js) ----
export function setTheme(scheme) {
  localStorage.setItem('color_scheme', scheme);
  applyTheme();
}
function applyTheme() {
  const scheme = localStorage.getItem('color_scheme') || 'auto';
  const dark = scheme === 'dark' || (scheme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.body.classList.toggle('dark', dark);
  document.documentElement.style.setProperty('color-scheme', dark ? 'dark' : 'light');
}
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', applyTheme);

// ---- main area ----
let main = null;
let page = null;

function toolbar() {
  const bar = h('div', { 'data-cwsim-toolbar': '', class: 'flex gap-2 px-4 py-2 border-b border-n-weak text-xs' });
  const actions = {
    theme: () => setTheme(document.body.classList.contains('dark') ? 'light' : 'dark'),
    rerender: rerenderSidebar,
    recreate: recreateSidebar,
    collapse: () => setCollapsed(!ui.collapsed),
  };
  for (const [name, fn] of Object.entries(actions)) {
    const b = h('button', { type: 'button', 'data-cwsim-action': name, class: 'px-2 py-1 rounded-lg outline outline-1 outline-n-weak' }, name);
    b.addEventListener('click', fn);
    bar.append(b);
  }
  return bar;
}

function simplePage(title, body) {
  return h('section', { class: 'flex flex-col w-full h-full min-w-0' }, toolbar(),
    h('div', { class: 'p-4' }, h('h1', { class: 'text-n-slate-12 text-xl' }, title), body || null));
}

function contactsPage() {
  // ContactsListLayout has its own <main>: only "aside + main" is the layout's.
  const list = h('ul', { class: 'grid gap-1 m-0 list-none', 'data-cwsim-contacts': '' });
  apiGet('/api/v1/accounts/' + boot.account.id + '/contacts').then((res) => {
    for (const c of res.payload || []) list.append(h('li', { 'data-contact-id': String(c.id) }, c.name || c.email || c.phone_number || ''));
  }).catch(() => {});
  return h('section', { class: 'flex w-full h-full min-w-0' },
    h('main', { class: 'flex flex-col w-full h-full min-w-0 bg-n-surface-1' }, toolbar(),
      h('div', { class: 'p-4' }, h('h1', { class: 'text-n-slate-12 text-xl' }, 'Contacts'), list)));
}

function renderMain() {
  teardownPage();
  const path = location.pathname.slice(base.length);
  let next;
  if (path === '/dashboard' || /conversations/.test(path) || path.startsWith('/inbox/')) {
    next = renderConversationsPage({ boot, base, navigate, toolbar });
  } else if (path.startsWith('/contacts')) {
    next = contactsPage();
  } else if (path.startsWith('/inbox-view')) {
    next = simplePage('My Inbox');
  } else if (path.startsWith('/settings/integrations/dashboard_apps')) {
    next = simplePage('Dashboard Apps', h('ul', {}, ...boot.dashboardApps.map((a) => h('li', {}, a.title))));
  } else {
    next = simplePage(path.split('/').filter(Boolean).join(' / ') || 'Dashboard');
  }
  if (page) page.replaceWith(next); else main.insertBefore(next, main.lastChild);
  page = next;
}

function mount() {
  const container = document.getElementById('app');
  container.innerHTML = ''; // Vue clears the mount container
  container.setAttribute('data-v-app', '');
  main = h('main', { class: 'flex flex-1 h-full w-full min-h-0 px-0 overflow-hidden bg-n-surface-1' }, comment('v-if'), h('ninja-keys', {}));
  const dashboard = h('div', { class: 'flex flex-grow overflow-hidden text-n-slate-12' }, buildAside(), main);
  const root = h('div', { id: 'app', dir: 'ltr', class: 'flex flex-col w-full h-screen min-h-0 bg-n-background' }, dashboard);
  container.append(root);
  applyTheme();
  renderMain();
  window.addEventListener('resize', patchSidebar);
}

window.__cwsim = { navigate, rerenderSidebar, recreateSidebar, setCollapsed, setTheme };

// Chatwoot's entrypoint assigns window.onload (it does not add a listener),
// so a dashboard script that assigned window.onload earlier is overridden.
window.onload = () => mount();
