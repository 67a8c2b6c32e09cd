/**
 * The dashboard script (internal/embed/assets/dashboard-script.js) in a simulated Chatwoot 4.15
 * page (happy-dom): which requests it makes, what it adds to the sidebar, and whom it answers.
 */
import { Window } from 'happy-dom'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { loadDashboardScript } from './testing/dashboardScript'

const HUB = 'https://hub.example.com'
const CW = 'https://chat.example.com'
const script = loadDashboardScript(HUB)

describe('pure helpers', () => {
  it('finds the account in dashboard paths only', () => {
    expect(script.accountFromPath('/app/accounts/12/dashboard')).toBe(12)
    expect(script.accountFromPath('/app/accounts/3/conversations/9')).toBe(3)
    expect(script.accountFromPath('/app/accounts/3/onboarding')).toBeNull()
    expect(script.accountFromPath('/app/accounts/3/suspended')).toBeNull()
    expect(script.accountFromPath('/app/accounts/3/suspended-list')).toBe(3)
    expect(script.accountFromPath('/app/login')).toBeNull()
    expect(script.accountFromPath('/app/accounts/x/dashboard')).toBeNull()
    expect(script.accountFromPath('/app/accounts/99999999999999999999/dashboard')).toBeNull()
  })

  it('derives the hub origin, and refuses a URL that was not baked in', () => {
    expect(script.originOf('https://hub.example.com/hub')).toBe(HUB)
    expect(script.originOf('__WHATPRO_HUB_URL__')).toBe('')
    expect(script.originOf('javascript:alert(1)')).toBe('')
    expect(loadDashboardScript('https://chat.example.com/hub').HUB_URL).toBe('https://chat.example.com/hub')
  })

  it('accepts hellos with a proper nonce only', () => {
    expect(script.isHello({ type: 'whatpro:hello', nonce: 'abcdefghijklmnop1234' })).toBe(true)
    expect(script.isHello({ type: 'whatpro:hello', nonce: 'short' })).toBe(false)
    expect(script.isHello({ type: 'whatpro:hello', nonce: 42 })).toBe(false)
    expect(script.isHello({ type: 'whatpro:hello' })).toBe(false)
    expect(script.isHello(JSON.stringify({ type: 'whatpro:hello', nonce: 'abcdefghijklmnop1234' }))).toBe(false)
    expect(script.isHello(null)).toBe(false)
  })

  it('navigates only to an integer conversation of the same account', () => {
    expect(script.navigatePath({ type: 'whatpro:navigate', conversation_id: 42 }, 3)).toBe('/app/accounts/3/conversations/42')
    for (const id of ['42', 4.2, -1, 0, '../../settings', NaN, 2 ** 60, null]) {
      expect(script.navigatePath({ type: 'whatpro:navigate', conversation_id: id }, 3)).toBeNull()
    }
    expect(script.navigatePath({ type: 'whatpro:navigate', conversation_id: 42 }, null)).toBeNull()
  })

  it('strips Chatwoot state classes from the donor', () => {
    const donor = 'flex items-center gap-2 px-1.5 py-1 rounded-lg h-8 min-w-0 text-n-slate-12 bg-n-alpha-2 font-medium router-link-active router-link-exact-active'
    expect(script.headerClasses(donor, false)).toBe('flex items-center gap-2 px-1.5 py-1 rounded-lg h-8 min-w-0 text-n-slate-11 hover:bg-n-alpha-2')
    expect(script.headerClasses(donor, true)).toBe('flex items-center gap-2 px-1.5 py-1 rounded-lg h-8 min-w-0 text-n-slate-12 bg-n-alpha-2 font-medium')
  })

  it('labels in the Chatwoot locale', () => {
    expect(script.labelsFor('pt_BR').internal_chat).toBe('Chat interno')
    expect(script.labelsFor('xx').internal_chat).toBe('Internal chat')
  })
})

// ---- a Chatwoot 4.15 page -------------------------------------------------------------------

const HEADER_ACTIVE = 'flex items-center gap-2 px-1.5 py-1 rounded-lg h-8 min-w-0 text-n-slate-12 bg-n-alpha-2 font-medium router-link-active router-link-exact-active'

function asideHTML(width = 200): string {
  return `<aside class="bg-n-background flex flex-col text-sm pb-px fixed top-0 h-full z-40" style="width: ${width}px;">
  <section class="grid mt-1 mb-4 gap-2"><div class="flex gap-2 items-center min-w-0 px-2">
    <div class="relative space-y-2 flex-grow -mx-1 min-w-0"><button id="sidebar-account-switcher" data-account-id="1">Acme</button></div></div>
    <div class="flex gap-2 px-2"><a href="/app/accounts/1/search">Search…</a><button type="button"></button></div></section>
  <nav class="grid overflow-y-scroll flex-grow gap-2 pb-5 no-scrollbar min-w-0 px-2"><ul class="flex flex-col gap-1 m-0 list-none min-w-0">${
    width < 160
      ? `<li class="grid gap-1 text-sm cursor-pointer select-none min-w-0"><div class="relative"><a type="button" title="My Inbox" href="/app/accounts/1/inbox-view" class="flex items-center justify-center size-10 rounded-lg text-n-slate-12 bg-n-alpha-2"><span class="i-lucide-inbox size-4"></span></a></div></li>`
      : `<li class="grid gap-1 text-sm cursor-pointer select-none min-w-0"><a href="/app/accounts/1/inbox-view" role="button" draggable="false" title="My Inbox" aria-current="page" class="${HEADER_ACTIVE}"><div class="relative flex items-center gap-2"><span class="i-lucide-inbox size-4"></span><!--v-if--></div><div class="flex items-center gap-1.5 flex-grow justify-between min-w-0 flex-1"><span class="truncate font-medium text-sm">My Inbox</span></div><!--v-if--></a></li><!--v-if--><li class="grid gap-1 text-sm cursor-pointer select-none min-w-0"><div role="button" draggable="false" title="Conversations" class="flex items-center gap-2 px-1.5 py-1 rounded-lg h-8 min-w-0 text-n-slate-11 hover:bg-n-alpha-2"><div class="relative flex items-center gap-2"><span class="i-lucide-message-circle size-4"></span></div><div class="flex items-center gap-1.5 flex-grow justify-between min-w-0 flex-1"><span class="truncate text-body-main">Conversations</span></div></div></li>`
  }</ul></nav>
  <section class="flex relative flex-col"></section></aside>`
}

interface Page {
  win: Window
  doc: Window['document']
  calls: { url: string; init: RequestInit }[]
  warn: ReturnType<typeof vi.fn>
}

const pages: Window[] = []
afterEach(async () => {
  for (const w of pages.splice(0)) await w.happyDOM.close()
})

function jsCookie(value: string): string {
  return encodeURIComponent(value).replace(/%(2[346BF]|3[AC-F]|40|5[BDE]|60|7[BCD])/g, decodeURIComponent)
}

function chatwootPage(opts: {
  path?: string
  cookie?: boolean
  linked?: boolean
  role?: string
  features?: Record<string, boolean> | 'error'
  width?: number
  ttlMs?: number
  unreachable?: boolean
  /** The chat's answers (rooms, totals); without them the chat endpoints answer 404. */
  chat?: { rooms: unknown[]; unread: () => { unread_count: number; mention_count: number } }
  beforeStart?: (win: Window) => void
} = {}): Page {
  const win = new Window({ url: CW + (opts.path ?? '/app/accounts/1/dashboard'), width: 1280, height: 800, settings: { disableIframePageLoading: true } })
  pages.push(win)
  const doc = win.document
  doc.body.className = 'text-slate-600'
  doc.body.innerHTML = `<div id="app" data-v-app><div id="app" dir="ltr" class="flex flex-col w-full h-screen min-h-0 bg-n-background"><div class="flex flex-grow overflow-hidden text-n-slate-12">${asideHTML(opts.width)}<main class="flex flex-1 h-full w-full min-h-0 px-0 overflow-hidden bg-n-surface-1"><!--v-if--></main></div></div></div>`
  if (opts.cookie !== false) {
    const headers = { 'access-token': 'cw-token', client: 'cw-client', uid: 'agent@example.com', expiry: String(Math.floor(Date.now() / 1000) + 86400), 'token-type': 'Bearer' }
    doc.cookie = `cw_d_session_info=${jsCookie(JSON.stringify(headers))}; path=/`
  }
  const calls: Page['calls'] = []
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, init })
    const json = (body: unknown, status = 200) => new win.Response(JSON.stringify(body), { status })
    if (opts.unreachable) throw new TypeError('Failed to fetch') // what a CORS refusal looks like to a script
    if (url.startsWith(`${HUB}/embed/context?`)) return json(opts.linked === false ? { linked: false, hub_origin: HUB } : { linked: true, account_id: 'acct_1', hub_origin: HUB })
    if (url === `${HUB}/api/v1/auth/chatwoot`) {
      const n = calls.filter((c) => c.url === `${HUB}/api/v1/auth/chatwoot`).length
      return json({ token: `wpi_test${n > 1 ? n : ''}`, expires_at: new Date(Date.now() + (opts.ttlMs ?? 30 * 60_000)).toISOString(), scopes: [], account_id: 'acct_1', user: { id: 'u1', name: 'A', role: opts.role ?? 'agent' } })
    }
    if (url === `${HUB}/api/v1/features?account_id=acct_1`) {
      if (opts.features === 'error') return json({ error: { code: 'INTERNAL' } }, 500)
      return json({ account_id: 'acct_1', features: opts.features ?? { kanban: true, internal_chat: true, gateway: true, hub_admin: false } })
    }
    if (opts.chat) {
      if (url === `${HUB}/api/v1/accounts/acct_1/chat/rooms`) return json({ data: opts.chat.rooms, seq: 10 })
      if (url === `${HUB}/api/v1/accounts/acct_1/chat/unread`) return json({ ...opts.chat.unread(), rooms: [], seq: 10 })
      if (url === `${HUB}/api/v1/accounts/acct_1/chat/people`) return json({ data: [{ id: 'u2', name: 'Bia' }] })
      if (url === `${HUB}/api/v1/realtime/tickets`) return json({ ticket: 'tk1' })
    }
    return json({ error: { code: 'NOT_FOUND' } }, 404)
  })
  Object.defineProperty(win, 'fetch', { value: fetch, configurable: true, writable: true })
  const warn = vi.fn()
  Object.defineProperty(win, 'console', { value: { warn, log: vi.fn(), info: vi.fn(), error: vi.fn() }, configurable: true, writable: true })
  ;(win as unknown as { chatwootConfig: unknown }).chatwootConfig = { selectedLocale: 'en' }
  opts.beforeStart?.(win)
  script.start(win)
  return { win, doc, calls, warn }
}

const menu = (p: Page, feature: string) => p.doc.querySelector(`[data-testid="whatpro-menu-${feature}"]`)
/**
 * Waits for the script's next pass over the sidebar, which must come after everything it queued
 * before this call: a stray entry planted in the sidebar wakes its observer, and the pass it then
 * schedules removes the entry (no menu is shown in the cases that use this). Tests proving that
 * something did not happen wait for this instead of pausing.
 */
async function nextPass(p: Page) {
  const probe = p.doc.createElement('li')
  probe.setAttribute('data-whatpro-entry', 'probe')
  p.doc.querySelector('aside nav ul')!.appendChild(probe)
  await vi.waitFor(() => expect(probe.isConnected).toBe(false))
}

describe('the sidebar entries', () => {
  it('appear for the enabled features only, copied from a native entry without its state', async () => {
    const p = chatwootPage()
    await vi.waitFor(() => expect(menu(p, 'internal_chat')).not.toBeNull())
    expect(menu(p, 'kanban')).not.toBeNull()
    expect(menu(p, 'hub_admin')).toBeNull()
    const ul = p.doc.querySelector('aside nav ul')!
    expect([...ul.children].slice(-2).map((li) => li.getAttribute('data-whatpro-entry'))).toEqual(['kanban', 'internal_chat'])
    const link = menu(p, 'kanban')!
    expect(link.getAttribute('href')).toBe(`${HUB}/embed/app/kanban?account=acct_1`)
    expect(link.className).toBe('flex items-center gap-2 px-1.5 py-1 rounded-lg h-8 min-w-0 text-n-slate-11 hover:bg-n-alpha-2')
    expect(link.hasAttribute('aria-current')).toBe(false)
    expect(link.closest('li')!.className).toBe('grid gap-1 text-sm cursor-pointer select-none min-w-0')
    expect(link.textContent).toBe('Kanban')
    expect(link.querySelector('svg')).not.toBeNull()
    expect(p.warn).not.toHaveBeenCalled()
  })

  it('asks the hub in order, sending the session only after the account is known to be linked', async () => {
    const p = chatwootPage()
    await vi.waitFor(() => expect(menu(p, 'kanban')).not.toBeNull())
    expect(p.calls.slice(0, 3).map((c) => c.url)).toEqual([
      `${HUB}/embed/context?chatwoot_account_id=1`,
      `${HUB}/api/v1/auth/chatwoot`,
      `${HUB}/api/v1/features?account_id=acct_1`,
    ])
    for (const c of p.calls) expect(c.init.credentials).toBe('omit')
    expect(JSON.parse(String(p.calls[1]!.init.body))).toEqual({ access_token: 'cw-token', client: 'cw-client', uid: 'agent@example.com', chatwoot_account_id: 1 })
    expect((p.calls[0]!.init.headers as Record<string, string>).Authorization).toBeUndefined()
    expect((p.calls[2]!.init.headers as Record<string, string>).Authorization).toBe('Bearer wpi_test')
    // Nothing was stored.
    expect(p.win.localStorage.length).toBe(0)
    expect(p.win.sessionStorage.length).toBe(0)
  })

  it('shows Hub admin to admins', async () => {
    const p = chatwootPage({ role: 'admin', features: { kanban: true, internal_chat: false, hub_admin: true } })
    await vi.waitFor(() => expect(menu(p, 'hub_admin')).not.toBeNull())
    expect(menu(p, 'internal_chat')).toBeNull()
    expect(menu(p, 'hub_admin')!.textContent).toBe('Hub admin')
  })

  it('never shows Hub admin to an agent, whatever the features say', async () => {
    const p = chatwootPage({ role: 'agent', features: { kanban: true, hub_admin: true } })
    await vi.waitFor(() => expect(menu(p, 'kanban')).not.toBeNull())
    expect(menu(p, 'hub_admin')).toBeNull()
  })

  it.each([
    ['the account is not linked', { linked: false }, 1],
    ['there is no Chatwoot session', { cookie: false }, 1],
    ['the features request fails', { features: 'error' as const }, 3],
    ['the hub cannot be reached (or refuses CORS)', { unreachable: true }, 1],
  ])('are not added when %s, with exactly one console line', async (_name, opts, requests) => {
    const p = chatwootPage(opts)
    await vi.waitFor(() => expect(p.warn).toHaveBeenCalled())
    await nextPass(p)
    expect(p.doc.querySelector('[data-whatpro-entry]')).toBeNull()
    expect(p.warn).toHaveBeenCalledTimes(1)
    expect(String(p.warn.mock.calls[0]![0])).toMatch(/^\[whatpro\] /)
    expect(p.calls).toHaveLength(requests)
    if ('linked' in opts) expect(p.calls.some((c) => String(c.init.body ?? '').includes('cw-token'))).toBe(false)
  })

  it('exchanges the session again before the token expires, and hands out the new token', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const p = chatwootPage({ ttlMs: 3 * 60_000 })
      await vi.waitFor(() => expect(menu(p, 'kanban')).not.toBeNull())
      const exchanges = () => p.calls.filter((c) => c.url === `${HUB}/api/v1/auth/chatwoot`)
      expect(exchanges()).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(59_000)
      expect(exchanges()).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(2_000)
      expect(exchanges()).toHaveLength(2)
      expect(JSON.parse(String(exchanges()[1]!.init.body))).toMatchObject({ access_token: 'cw-token', chatwoot_account_id: 1 })

      const app = p.doc.createElement('iframe')
      app.setAttribute('src', `${HUB}/embed/conversation`)
      p.doc.body.appendChild(app)
      const appWin = { postMessage: vi.fn() }
      Object.defineProperty(app, 'contentWindow', { value: appWin })
      p.win.dispatchEvent(new p.win.MessageEvent('message', { data: { type: 'whatpro:hello', nonce: 'abcdefghijklmnopqrstuv' }, origin: HUB, source: appWin as never }))
      await vi.waitFor(() => expect(appWin.postMessage).toHaveBeenCalledWith(expect.objectContaining({ token: 'wpi_test2' }), HUB))
      expect(p.warn).not.toHaveBeenCalled()
    } finally {
      vi.useRealTimers()
    }
  })

  it('does nothing outside an account (the login page)', async () => {
    const p = chatwootPage({ path: '/app/login' })
    await nextPass(p)
    expect(p.calls).toHaveLength(0)
    expect(p.warn).not.toHaveBeenCalled()
  })

  it('survive Vue re-rendering the list and recreating the aside', async () => {
    const p = chatwootPage()
    await vi.waitFor(() => expect(menu(p, 'internal_chat')).not.toBeNull())
    // Vue patches its keyed fragment before its end anchor: a new native item lands before ours.
    const ul = p.doc.querySelector('aside nav ul')!
    const first = ul.querySelector('[data-whatpro-entry]')!
    const fresh = p.doc.createElement('li')
    fresh.textContent = 'Contacts'
    ul.insertBefore(fresh, first)
    await vi.waitFor(() => expect([...ul.children].slice(-2).map((li) => li.getAttribute('data-whatpro-entry'))).toEqual(['kanban', 'internal_chat']))

    // The App root re-renders: a brand-new aside.
    const aside = p.doc.querySelector('aside')!
    const tmp = p.doc.createElement('div')
    tmp.innerHTML = asideHTML()
    aside.replaceWith(tmp.firstElementChild!)
    await vi.waitFor(() => expect(menu(p, 'kanban')).not.toBeNull())
    expect(p.doc.querySelectorAll('[data-whatpro-entry]')).toHaveLength(2)
  })

  it('take the collapsed form when the sidebar is narrow', async () => {
    const p = chatwootPage()
    await vi.waitFor(() => expect(menu(p, 'kanban')).not.toBeNull())
    const aside = p.doc.querySelector('aside')!
    const tmp = p.doc.createElement('div')
    tmp.innerHTML = asideHTML(56)
    aside.replaceWith(tmp.firstElementChild!)
    await vi.waitFor(() => expect(p.doc.querySelector('[data-whatpro-entry="kanban"]')?.getAttribute('data-whatpro-form')).toBe('collapsed'))
    const link = menu(p, 'kanban')!
    expect(link.className).toBe('flex items-center justify-center size-10 rounded-lg text-n-slate-11 hover:bg-n-alpha-2')
    expect(link.getAttribute('title')).toBe('Kanban')
    expect(link.textContent).toBe('')
  })
})

describe('the panel and the handshake', () => {
  const NONCE = 'abcdefghijklmnopqrstuv'

  async function openKanban() {
    const p = chatwootPage()
    await vi.waitFor(() => expect(menu(p, 'kanban')).not.toBeNull())
    menu(p, 'kanban')!.dispatchEvent(new p.win.MouseEvent('click', { bubbles: true, cancelable: true, button: 0 }))
    const iframe = p.doc.querySelector('[data-testid="whatpro-panel"]')!
    expect(iframe).not.toBeNull()
    const frameWin = { postMessage: vi.fn() }
    Object.defineProperty(iframe, 'contentWindow', { value: frameWin, configurable: true })
    return { p, iframe, frameWin }
  }

  const message = (p: Page, data: unknown, origin: string, source: unknown) =>
    p.win.dispatchEvent(new p.win.MessageEvent('message', { data, origin, source: source as never }))

  it('opens the hub page over the main area, focused and closable with Escape', async () => {
    const { p, iframe } = await openKanban()
    expect(iframe.getAttribute('src')).toBe(`${HUB}/embed/app/kanban?account=acct_1`)
    expect(iframe.getAttribute('allow')).toBe('clipboard-write')
    const host = iframe.closest('[data-whatpro-panel-host]') as unknown as { style: { position: string }; parentElement: unknown }
    expect(host.style.position).toBe('fixed')
    expect(host.parentElement).toBe(p.doc.body)
    expect(p.doc.activeElement?.getAttribute('data-testid')).toBe('whatpro-panel-close')
    expect(menu(p, 'kanban')!.getAttribute('aria-current')).toBe('page')

    p.doc.dispatchEvent(new p.win.KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    expect(p.doc.querySelector('[data-testid="whatpro-panel"]')).toBeNull()
    expect(p.doc.activeElement).toBe(menu(p, 'kanban'))
    expect(menu(p, 'kanban')!.hasAttribute('aria-current')).toBe(false)
  })

  it('answers a hello from its own panel with the token, to the hub origin only', async () => {
    const { p, frameWin } = await openKanban()
    message(p, { type: 'whatpro:hello', nonce: NONCE }, HUB, frameWin)
    await vi.waitFor(() => expect(frameWin.postMessage).toHaveBeenCalledTimes(1))
    const [msg, target] = frameWin.postMessage.mock.calls[0]!
    expect(target).toBe(HUB)
    expect(msg).toMatchObject({ type: 'whatpro:token', nonce: NONCE, token: 'wpi_test', account_id: 'acct_1', chatwoot_account_id: 1, theme: 'light', locale: 'en' })
  })

  it('answers nobody else', async () => {
    const { p, frameWin } = await openKanban()
    const stranger = p.doc.createElement('iframe')
    stranger.setAttribute('src', 'https://evil.example/frame')
    p.doc.body.appendChild(stranger)
    const strangerWin = { postMessage: vi.fn() }
    Object.defineProperty(stranger, 'contentWindow', { value: strangerWin })

    message(p, { type: 'whatpro:hello', nonce: NONCE }, 'https://evil.example', strangerWin) // a third-origin frame
    message(p, { type: 'whatpro:hello', nonce: NONCE }, HUB, strangerWin) // lying about its origin is impossible, but still
    message(p, { type: 'whatpro:hello', nonce: NONCE }, 'https://evil.example', frameWin) // our frame navigated away
    message(p, { type: 'whatpro:hello', nonce: NONCE }, HUB, { postMessage: vi.fn() }) // a window we did not create
    message(p, { type: 'whatpro:hello', nonce: NONCE }, HUB, null)
    message(p, { type: 'whatpro:hello', nonce: 'short' }, HUB, frameWin)
    message(p, JSON.stringify({ type: 'whatpro:hello', nonce: NONCE }), HUB, frameWin)
    // A genuine hello after them is answered; none of them was, before it.
    const later = 'later-nonce-0123456789abcdef'
    message(p, { type: 'whatpro:hello', nonce: later }, HUB, frameWin)
    await vi.waitFor(() => expect(frameWin.postMessage).toHaveBeenCalled())
    expect(frameWin.postMessage).toHaveBeenCalledTimes(1)
    expect(frameWin.postMessage.mock.calls[0]![0]).toMatchObject({ type: 'whatpro:token', nonce: later })
    expect(strangerWin.postMessage).not.toHaveBeenCalled()
  })

  it("answers Chatwoot's Dashboard App frame when its URL is on the hub", async () => {
    const p = chatwootPage()
    await vi.waitFor(() => expect(menu(p, 'kanban')).not.toBeNull())
    const app = p.doc.createElement('iframe')
    app.id = 'dashboard-app--frame-0-0'
    app.setAttribute('src', `${HUB}/embed/conversation`)
    p.doc.body.appendChild(app)
    const appWin = { postMessage: vi.fn() }
    Object.defineProperty(app, 'contentWindow', { value: appWin })
    message(p, { type: 'whatpro:hello', nonce: NONCE }, HUB, appWin)
    await vi.waitFor(() => expect(appWin.postMessage).toHaveBeenCalledWith(expect.objectContaining({ type: 'whatpro:token', nonce: NONCE }), HUB))
  })

  it('does not answer when the account is not linked', async () => {
    const p = chatwootPage({ linked: false })
    await vi.waitFor(() => expect(p.warn).toHaveBeenCalled())
    const app = p.doc.createElement('iframe')
    app.setAttribute('src', `${HUB}/embed/conversation`)
    p.doc.body.appendChild(app)
    const appWin = { postMessage: vi.fn() }
    Object.defineProperty(app, 'contentWindow', { value: appWin })
    message(p, { type: 'whatpro:hello', nonce: NONCE }, HUB, appWin)
    await nextPass(p)
    expect(appWin.postMessage).not.toHaveBeenCalled()
  })

  it('navigates Chatwoot to a conversation of the same account, and closes on route changes', async () => {
    const { p, frameWin } = await openKanban()
    const popstate = vi.fn()
    p.win.addEventListener('popstate', popstate)
    message(p, { type: 'whatpro:navigate', conversation_id: '7/../../settings' }, HUB, frameWin)
    message(p, { type: 'whatpro:navigate', conversation_id: 7 }, 'https://evil.example', frameWin)
    expect(p.win.location.pathname).toBe('/app/accounts/1/dashboard')
    message(p, { type: 'whatpro:navigate', conversation_id: 7 }, HUB, frameWin)
    expect(p.win.location.pathname).toBe('/app/accounts/1/conversations/7')
    expect(popstate).toHaveBeenCalled()
    expect(p.doc.querySelector('[data-testid="whatpro-panel"]')).toBeNull()
  })

  it('closes the panel for a conversation that is already open under it', async () => {
    const { p } = await openKanban()
    p.win.history.pushState(null, '', '/app/accounts/1/conversations/7')
    menu(p, 'kanban')!.dispatchEvent(new p.win.MouseEvent('click', { bubbles: true, cancelable: true, button: 0 }))
    const again = p.doc.querySelector('[data-testid="whatpro-panel"]')!
    const win = { postMessage: vi.fn() }
    Object.defineProperty(again, 'contentWindow', { value: win })
    message(p, { type: 'whatpro:navigate', conversation_id: 7 }, HUB, win)
    expect(p.win.location.pathname).toBe('/app/accounts/1/conversations/7')
    expect(p.doc.querySelector('[data-testid="whatpro-panel"]')).toBeNull()
  })

  it("tells its frames when Chatwoot's theme changes", async () => {
    const { p, frameWin } = await openKanban()
    p.doc.body.classList.add('dark')
    await vi.waitFor(() => expect(frameWin.postMessage).toHaveBeenCalledWith({ type: 'whatpro:theme', theme: 'dark' }, HUB))
    p.doc.body.classList.add('other-class')
    // Back to light: that change is told, and nothing came between.
    p.doc.body.classList.remove('dark')
    await vi.waitFor(() => expect(frameWin.postMessage).toHaveBeenCalledTimes(2))
    expect(frameWin.postMessage.mock.calls[1]).toEqual([{ type: 'whatpro:theme', theme: 'light' }, HUB])
  })

  it('closes when its page asks (Escape inside the frame)', async () => {
    const { p, frameWin } = await openKanban()
    message(p, { type: 'whatpro:close' }, HUB, frameWin)
    expect(p.doc.querySelector('[data-testid="whatpro-panel"]')).toBeNull()
    expect(p.doc.activeElement).toBe(menu(p, 'kanban'))
  })
})

class FakeSocket {
  static last: FakeSocket | null = null
  readyState = 0
  sent: unknown[] = []
  onopen: (() => void) | null = null
  onmessage: ((ev: { data: string }) => void) | null = null
  onclose: (() => void) | null = null
  onerror: (() => void) | null = null
  constructor(readonly url: string) {
    FakeSocket.last = this
    setTimeout(() => {
      this.readyState = 1
      this.onopen?.()
    }, 0)
  }
  send(data: string) {
    this.sent.push(JSON.parse(data))
  }
  close() {
    this.readyState = 3
  }
  event(seq: number, event: string, data: unknown) {
    this.onmessage?.({ data: JSON.stringify({ type: 'event', seq, event, account_id: 'acct_1', topic: 'chat', data }) })
  }
}

describe('the chat badge and notifications', () => {
  it('decides what notifies: DMs and mentions, never muted rooms or one’s own', () => {
    const now = Date.parse('2026-06-01T00:00:00Z')
    const m = { kind: 'text', author_id: 'u2', mentions: [], mentions_room: false, deleted_at: null }
    expect(script.chatNotifies(m, { type: 'dm' }, 'u1', now)).toBe(true)
    expect(script.chatNotifies(m, { type: 'public' }, 'u1', now)).toBe(false)
    expect(script.chatNotifies({ ...m, mentions: ['u1'] }, { type: 'public' }, 'u1', now)).toBe(true)
    expect(script.chatNotifies({ ...m, mentions_room: true }, { type: 'private' }, 'u1', now)).toBe(true)
    expect(script.chatNotifies(m, { type: 'dm', muted: true, muted_until: null }, 'u1', now)).toBe(false)
    expect(script.chatNotifies(m, { type: 'dm', muted: true, muted_until: '2026-01-01T00:00:00Z' }, 'u1', now)).toBe(true)
    expect(script.chatNotifies({ ...m, author_id: 'u1' }, { type: 'dm' }, 'u1', now)).toBe(false)
    expect(script.chatNotifies({ ...m, kind: 'system' }, { type: 'dm' }, 'u1', now)).toBe(false)
    expect(script.badgeText(3, 0)).toBe('3')
    expect(script.badgeText(3, 2)).toBe('@2')
    expect(script.badgeText(150, 0)).toBe('99+')
    expect(script.badgeText(0, 0)).toBe('')
  })

  it('shows the total on the chat entry, live, and notifies a DM but not a muted room', async () => {
    let totals = { unread_count: 2, mention_count: 0 }
    const shown: { title: string; body: string }[] = []
    class FakeNotification {
      static permission = 'granted'
      onclick: (() => void) | null = null
      constructor(title: string, o: { body: string }) {
        shown.push({ title, body: o.body })
      }
      close() {}
    }
    const p = chatwootPage({
      chat: {
        rooms: [
          { id: 'dm1', type: 'dm', name: '', member_ids: ['u1', 'u2'], muted: false, muted_until: null, archived_at: null },
          { id: 'quiet', type: 'dm', name: '', member_ids: ['u1', 'u2', 'u3'], muted: true, muted_until: null, archived_at: null },
        ],
        unread: () => totals,
      },
      beforeStart: (win) => {
        Object.defineProperty(win, 'WebSocket', { value: FakeSocket, configurable: true, writable: true })
        Object.defineProperty(win, 'Notification', { value: FakeNotification, configurable: true, writable: true })
      },
    })
    const badge = () => p.doc.querySelector('[data-testid="whatpro-chat-badge"]')
    await vi.waitFor(() => expect(badge()?.textContent).toBe('2'))
    await vi.waitFor(() => expect(FakeSocket.last?.sent).toEqual([{ type: 'subscribe', topics: ['chat'], last_seq: 10 }]))
    expect(FakeSocket.last!.url).toBe('wss://hub.example.com/api/v1/realtime?ticket=tk1')

    totals = { unread_count: 3, mention_count: 1 }
    const msg = (id: string, room: string) => ({ id, room_id: room, kind: 'text', author_id: 'u2', content: '**oi** tudo bem?', mentions: [], mentions_room: false, deleted_at: null })
    FakeSocket.last!.event(11, 'chat.message.created', { room_id: 'dm1', message: msg('m1', 'dm1') })
    FakeSocket.last!.event(12, 'chat.message.created', { room_id: 'quiet', message: msg('m2', 'quiet') })
    FakeSocket.last!.event(11, 'chat.message.created', { room_id: 'dm1', message: msg('m1', 'dm1') }) // replayed: once
    await vi.waitFor(() => expect(badge()?.textContent).toBe('@1'))
    expect(shown).toEqual([{ title: 'Bia', body: 'oi tudo bem?' }])
    // Muted in another tab: nothing more from that room either.
    FakeSocket.last!.event(13, 'chat.room.settings', { room_id: 'dm1', user_id: 'u1', muted: true, muted_until: null, hidden: false })
    FakeSocket.last!.event(14, 'chat.message.created', { room_id: 'dm1', message: msg('m3', 'dm1') })
    // The other room unmuted, its next message shows: it is the only one after the first.
    FakeSocket.last!.event(15, 'chat.room.settings', { room_id: 'quiet', user_id: 'u1', muted: false, muted_until: null, hidden: false })
    FakeSocket.last!.event(16, 'chat.message.created', { room_id: 'quiet', message: { ...msg('m4', 'quiet'), content: 'segunda' } })
    await vi.waitFor(() => expect(shown).toHaveLength(2))
    expect(shown[1]).toMatchObject({ body: 'segunda' })
    expect(p.warn).not.toHaveBeenCalled()
  })
})
