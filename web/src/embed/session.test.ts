import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiClient } from '@/api/client'
import { watchAppContext } from './appContext'
import { createEmbedSession, type SessionEnv } from './session'

const HUB = 'https://hub.example.com'
const CW = 'https://chat.example.com'
const EVIL = 'https://evil.example'
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0)
const EXPIRES = new Date(NOW + 30 * 60_000).toISOString()

type Listener = (event: unknown) => void

/** A window framed by a parent on `parentOrigin`, with just what the session touches. */
function fakeWindow(opts: { parentOrigin?: string | null; referrer?: string; ancestors?: string[]; cookie?: string; parentPath?: string } = {}) {
  const listeners = new Map<string, Set<Listener>>()
  const parentOrigin = opts.parentOrigin === undefined ? CW : opts.parentOrigin
  const parentLocation = { origin: parentOrigin ?? HUB, pathname: opts.parentPath ?? '/app/accounts/7/conversations/1' }
  const parent = {
    postMessage: vi.fn(),
    get location() {
      if (parentOrigin !== HUB) throw new DOMException('Blocked a frame with origin', 'SecurityError')
      return parentLocation
    },
    get document() {
      if (parentOrigin !== HUB) throw new DOMException('Blocked a frame with origin', 'SecurityError')
      return { body: { classList: { contains: (c: string) => c === 'dark' } } }
    },
    chatwootConfig: { selectedLocale: 'pt_BR' },
  }
  const popup = { close: vi.fn() }
  const win: Record<string, unknown> = {
    location: { origin: HUB, search: '', ancestorOrigins: opts.ancestors ? { length: opts.ancestors.length, item: (i: number) => opts.ancestors?.[i] ?? null } : undefined },
    document: { referrer: opts.referrer ?? '', cookie: opts.cookie ?? '' },
    navigator: { language: 'en-US' },
    addEventListener: (type: string, fn: Listener) => {
      if (!listeners.has(type)) listeners.set(type, new Set())
      listeners.get(type)?.add(fn)
    },
    removeEventListener: (type: string, fn: Listener) => listeners.get(type)?.delete(fn),
    open: vi.fn(() => popup),
  }
  win.parent = parentOrigin === null ? win : parent
  const emit = (type: string, event: unknown) => listeners.get(type)?.forEach((fn) => fn(event))
  return {
    win: win as unknown as Window,
    parent,
    popup,
    message: (data: unknown, origin: string, source: unknown = parent) => emit('message', { data, origin, source }),
    key: (key: string) => emit('keydown', { key }),
  }
}

interface FetchCall {
  url: string
  init: RequestInit
}

const validAnswer = { valid: true, account_id: 'acct_1', chatwoot_account_id: 7, user_id: 'user_1', scopes: ['chat:read'], expires_at: EXPIRES }

function fakeHub(validate: (token: string) => Record<string, unknown> | null = (token) => (token.startsWith('wpi_good') ? validAnswer : null)) {
  const calls: FetchCall[] = []
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, init })
    if (url === '/api/v1/instance-tokens/validate') {
      const token = String((init.headers as Record<string, string>).Authorization ?? '').replace('Bearer ', '')
      const body = validate(token)
      return new Response(JSON.stringify(body ?? { valid: false, error: { code: 'TOKEN_INVALID' } }), { status: body ? 200 : 401 })
    }
    if (url === '/api/v1/auth/chatwoot') {
      return new Response(JSON.stringify({ token: 'wpi_good_sso', expires_at: EXPIRES, account_id: 'acct_1', chatwoot_account_id: 7 }), { status: 200 })
    }
    return new Response('{}', { status: 404 })
  })
  return { calls, api: new ApiClient({ base: '/', fetch: fetch as unknown as typeof globalThis.fetch, credentials: 'omit', cache: 'no-store' }) }
}

function session(w: ReturnType<typeof fakeWindow>, hub = fakeHub(), env: Partial<SessionEnv> = {}) {
  const s = createEmbedSession({
    win: w.win,
    api: hub.api,
    frameOrigins: [CW],
    requestedAccount: 'acct_1',
    loginURL: '/login?popup=1',
    now: () => Date.now(),
    ...env,
  })
  return s
}

function lastHello(w: ReturnType<typeof fakeWindow>): { nonce: string; target: string } {
  const call = w.parent.postMessage.mock.calls.at(-1)
  expect(call?.[0]).toMatchObject({ type: 'whatpro:hello' })
  return { nonce: (call?.[0] as { nonce: string }).nonce, target: call?.[1] as string }
}

const token = (nonce: string, extra: Record<string, unknown> = {}) => ({
  type: 'whatpro:token',
  nonce,
  token: 'wpi_good_1',
  expires_at: EXPIRES,
  account_id: 'acct_1',
  chatwoot_account_id: 7,
  ...extra,
})

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(NOW)
})
afterEach(() => {
  vi.useRealTimers()
})

describe('the relay handshake', () => {
  it('says hello to the exact parent origin and accepts the answer with its nonce', async () => {
    const w = fakeWindow({ referrer: `${CW}/` })
    const hub = fakeHub()
    const s = session(w, hub)
    s.start()
    const hello = lastHello(w)
    expect(hello.target).toBe(CW)
    expect(w.parent.postMessage.mock.calls.every((c) => c[1] !== '*')).toBe(true)

    w.message(token(hello.nonce), CW)
    await vi.advanceTimersByTimeAsync(0)
    expect(s.state.auth).toBe('ok')
    expect(s.state.accountId).toBe('acct_1')
    expect(s.state.chatwootAccountId).toBe(7)
    expect(hub.calls.map((c) => c.url)).toEqual(['/api/v1/instance-tokens/validate'])
    expect(hub.calls[0]?.init.credentials).toBe('omit')
    // In memory only.
    expect(window.localStorage.length).toBe(0)
    expect(window.sessionStorage.length).toBe(0)
    expect(document.cookie).toBe('')
    s.stop()
  })

  it('ignores a token with a wrong nonce, from a wrong origin or from another window', async () => {
    const w = fakeWindow()
    const hub = fakeHub()
    const s = session(w, hub)
    s.start()
    const { nonce } = lastHello(w)

    w.message(token('wrong-nonce-wrong-nonce'), CW)
    w.message(token(nonce), EVIL)
    w.message(token(nonce), CW, { postMessage: vi.fn() }) // a sibling frame on Chatwoot's origin
    w.message(token(nonce), CW, null)
    w.message(JSON.stringify(token(nonce)), CW)
    await vi.advanceTimersByTimeAsync(0)
    expect(hub.calls).toHaveLength(0)
    expect(s.state.auth).toBe('pending')

    await vi.advanceTimersByTimeAsync(5000)
    expect(s.state.auth).toBe('denied')
    expect(s.state.reason).toBe('timeout')
    expect(s.state.showSignIn).toBe(true)
    s.stop()
  })

  it('does not use a token the hub does not validate, or one for another account', async () => {
    const w = fakeWindow()
    const hub = fakeHub()
    const s = session(w, hub)
    s.start()
    const { nonce } = lastHello(w)
    w.message(token(nonce, { token: 'wpi_forged' }), CW)
    w.message(token(nonce, { account_id: 'acct_2', token: 'wpi_good_other' }), CW)
    await vi.advanceTimersByTimeAsync(0)
    expect(s.state.auth).toBe('pending')
    expect(hub.calls.map((c) => c.url)).toEqual(['/api/v1/instance-tokens/validate'])
    s.stop()
  })

  it("takes the linked Chatwoot account from the hub's validation, not from the relay", async () => {
    const w = fakeWindow()
    const s = session(w)
    s.start()
    w.message(token(lastHello(w).nonce, { chatwoot_account_id: 9 }), CW)
    await vi.advanceTimersByTimeAsync(0)
    expect(s.state.auth).toBe('ok')
    expect(s.state.chatwootAccountId).toBe(7)
    s.stop()

    // A hub account without a Chatwoot link: no linked account, whatever the relay says.
    const w2 = fakeWindow()
    const unlinked: Record<string, unknown> = { ...validAnswer }
    delete unlinked.chatwoot_account_id
    const s2 = session(w2, fakeHub((t) => (t.startsWith('wpi_good') ? unlinked : null)))
    s2.start()
    w2.message(token(lastHello(w2).nonce), CW)
    await vi.advanceTimersByTimeAsync(0)
    expect(s2.state.auth).toBe('ok')
    expect(s2.state.chatwootAccountId).toBeNull()
    s2.stop()
  })

  it('gives up at once when no allowed origin can be the parent', () => {
    const w = fakeWindow({ parentOrigin: EVIL, ancestors: [EVIL] })
    const s = session(w)
    s.start()
    expect(w.parent.postMessage).not.toHaveBeenCalled()
    expect(s.state.auth).toBe('denied')
    expect(s.state.reason).toBe('no-parent-origin')
    s.stop()
  })

  it('chooses among several origins by ancestorOrigins, else the referrer', () => {
    const w = fakeWindow({ parentOrigin: 'https://b.example', ancestors: ['https://b.example'], referrer: `${CW}/` })
    const s = session(w, fakeHub(), { frameOrigins: [CW, 'https://b.example'] })
    s.start()
    expect(lastHello(w).target).toBe('https://b.example')
    s.stop()
  })

  it('asks again with a new nonce before the token expires, and drops it when it expires', async () => {
    const w = fakeWindow()
    const s = session(w)
    s.start()
    const first = lastHello(w).nonce
    w.message(token(first), CW)
    await vi.advanceTimersByTimeAsync(0)
    expect(s.state.auth).toBe('ok')
    w.parent.postMessage.mockClear()

    await vi.advanceTimersByTimeAsync(29 * 60_000)
    const second = lastHello(w).nonce
    expect(second).not.toBe(first)
    w.message(token(first, { token: 'wpi_good_replayed' }), CW) // the old nonce buys nothing
    await vi.advanceTimersByTimeAsync(61_000)
    expect(s.state.auth).toBe('denied')
    expect(s.state.reason).toBe('expired')
    s.stop()
  })

  it('sends whatpro:close to the exact parent origin on Escape', () => {
    const w = fakeWindow()
    const s = session(w)
    s.start()
    w.key('Escape')
    expect(w.parent.postMessage).toHaveBeenLastCalledWith({ type: 'whatpro:close' }, CW)
    s.stop()
  })
})

describe('the sign-in popup', () => {
  it('accepts a token only from the popup it opened, on the hub origin', async () => {
    const w = fakeWindow({ parentOrigin: EVIL, ancestors: [EVIL] })
    const s = session(w)
    s.start()
    expect(s.state.showSignIn).toBe(true)
    s.openSignIn()
    expect(w.win.open).toHaveBeenCalledWith(`/login?popup=1&locale=${s.state.locale}`, 'whatpro-sign-in', expect.any(String))

    const grant = { type: 'whatpro:token', token: 'wpi_good_popup', expires_at: EXPIRES, account_id: 'acct_1' }
    w.message(grant, EVIL, w.popup)
    w.message(grant, HUB, { postMessage: vi.fn() })
    await vi.advanceTimersByTimeAsync(0)
    expect(s.state.auth).toBe('denied')

    w.message(grant, HUB, w.popup)
    await vi.advanceTimersByTimeAsync(0)
    expect(s.state.auth).toBe('ok')
    expect(s.state.chatwootAccountId).toBe(7) // from the hub: the popup names none
    expect(w.popup.close).toHaveBeenCalled()
    s.stop()
  })

  it('says so when the browser blocks it', () => {
    const w = fakeWindow()
    ;(w.win.open as ReturnType<typeof vi.fn>).mockReturnValue(null)
    const s = session(w)
    s.openSignIn()
    expect(s.state.popupBlocked).toBe(true)
  })
})

describe('same-origin mode', () => {
  it("reads Chatwoot's cookie and signs in directly", async () => {
    const cookie = 'cw_d_session_info=' + encodeURIComponent(JSON.stringify({ 'access-token': 'at', client: 'cl', uid: 'a@b.c' }))
    const w = fakeWindow({ parentOrigin: HUB, cookie, parentPath: '/app/accounts/7/dashboard' })
    const hub = fakeHub()
    const s = session(w, hub)
    s.start()
    expect(s.state.mode).toBe('same-origin')
    await vi.advanceTimersByTimeAsync(0)
    expect(w.parent.postMessage).not.toHaveBeenCalled()
    const sso = hub.calls.find((c) => c.url === '/api/v1/auth/chatwoot')
    expect(JSON.parse(String(sso?.init.body))).toEqual({ access_token: 'at', client: 'cl', uid: 'a@b.c', chatwoot_account_id: 7 })
    expect(s.state.auth).toBe('ok')
    expect(s.state.chatwootAccountId).toBe(7)
    expect(s.state.theme).toBe('dark')
    expect(s.state.locale).toBe('pt-BR')
    s.stop()
  })

  it('is denied without a session', async () => {
    const w = fakeWindow({ parentOrigin: HUB, cookie: '' })
    const s = session(w)
    s.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(s.state.auth).toBe('denied')
    expect(s.state.reason).toBe('no-session')
    s.stop()
  })
})

describe('appContext', () => {
  const ctx = JSON.stringify({ event: 'appContext', data: { conversation: { id: 5, account_id: 7, inbox_id: 2 }, contact: { name: 'Ana' } } })

  it('is kept only from the parent on the allowed origin', () => {
    const w = fakeWindow()
    const s = session(w)
    const c = watchAppContext(s)
    s.start()
    w.message(ctx, EVIL)
    w.message(ctx, CW, { postMessage: vi.fn() })
    expect(c.latest).toBeNull()
    w.message(ctx, CW)
    expect(c.latest).toMatchObject({ conversationId: 5, accountId: 7, inboxId: 2, contactName: 'Ana' })
    s.askForAppContext()
    expect(w.parent.postMessage).toHaveBeenLastCalledWith('chatwoot-dashboard-app:fetch-info', CW)
    s.stop()
  })
})

describe('the auth provider of the shared client', () => {
  /** A hub whose boards route answers by the token the request carries. */
  function boardsHub(answer: (token: string) => Response) {
    const calls: FetchCall[] = []
    const fetch = vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init })
      const bearer = String((init.headers as Record<string, string>).Authorization ?? '').replace('Bearer ', '')
      if (url === '/api/v1/instance-tokens/validate') {
        return new Response(JSON.stringify(bearer.startsWith('wpi_good') ? validAnswer : { error: { code: 'TOKEN_INVALID' } }), {
          status: bearer.startsWith('wpi_good') ? 200 : 401,
        })
      }
      return answer(bearer)
    })
    const api = new ApiClient({ base: '/', fetch: fetch as unknown as typeof globalThis.fetch, credentials: 'omit' })
    return { calls, api }
  }

  async function signedIn(hub: ReturnType<typeof boardsHub>) {
    const w = fakeWindow()
    const s = session(w, { calls: hub.calls, api: hub.api })
    s.start()
    w.message(token(lastHello(w).nonce), CW)
    await vi.advanceTimersByTimeAsync(0)
    expect(s.state.auth).toBe('ok')
    return { w, s }
  }

  it('sends the instance token on every call of the client, without cookies', async () => {
    const hub = boardsHub(() => new Response('{"data":[]}', { status: 200 }))
    const { s } = await signedIn(hub)
    await hub.api.get('api/v1/accounts/acct_1/boards')
    const call = hub.calls.at(-1)
    expect((call?.init.headers as Record<string, string>).Authorization).toBe('Bearer wpi_good_1')
    expect(call?.init.credentials).toBe('omit')
    s.stop()
  })

  it('renews an expired token through the relay and retries the call once', async () => {
    const hub = boardsHub((bearer) =>
      bearer === 'wpi_good_2'
        ? new Response('{"data":["ok"]}', { status: 200 })
        : new Response(JSON.stringify({ error: { code: 'TOKEN_EXPIRED', message: 'expired' } }), { status: 401 }),
    )
    const { w, s } = await signedIn(hub)
    const pending = hub.api.get<{ data: string[] }>('api/v1/accounts/acct_1/boards')
    await vi.advanceTimersByTimeAsync(0)
    // The page asked the dashboard script for a new token, with a new nonce.
    const hello = lastHello(w)
    w.message(token(hello.nonce, { token: 'wpi_good_2' }), CW)
    await vi.advanceTimersByTimeAsync(0)
    await expect(pending).resolves.toEqual({ data: ['ok'] })
    expect(s.state.auth).toBe('ok')
    s.stop()
  })

  it('gives up when no new token comes, and on a token the hub refuses', async () => {
    const hub = boardsHub(() => new Response(JSON.stringify({ error: { code: 'TOKEN_EXPIRED', message: 'expired' } }), { status: 401 }))
    const { s } = await signedIn(hub)
    const pending = hub.api.get('api/v1/accounts/acct_1/boards').catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(await pending).toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' })
    expect(s.state.auth).toBe('denied')
    expect(s.state.reason).toBe('invalid-token')
    s.stop()

    const revoked = boardsHub(() => new Response(JSON.stringify({ error: { code: 'TOKEN_REVOKED', message: 'revoked' } }), { status: 401 }))
    const second = await signedIn(revoked)
    await expect(revoked.api.get('api/v1/accounts/acct_1/boards')).rejects.toMatchObject({ code: 'TOKEN_REVOKED' })
    expect(second.s.state.auth).toBe('denied')
    second.s.stop()
  })
})
