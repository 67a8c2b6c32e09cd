import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiClient, ApiError } from '@/api/client'
import { fetchMe } from '@/api/me'
import { REFRESH_LOCK_NAME, type AuthChannel, type LockManagerLike } from '@/lib/authSync'
import { json } from '@/testing/fakeFetch'
import { envelope, fakeHub, FakeBroadcastBus, FakeLocks, me, noContent, tick, tokenBody, user, type HubRoutes } from '@/testing/fakeHub'
import { setAuthEnvironment, SHARED_TOKEN_MAX_AGE_MS, useAuthStore } from './auth'

/**
 * A hub whose refresh endpoint rotates a cookie the way the server does: every refresh token
 * works once, and presenting a used one revokes the session. `jar` is the browser's cookie,
 * shared by every tab; it is read when the request leaves and replaced when the answer arrives.
 */
function rotatingHub(extra: HubRoutes = {}, delayMs = 5) {
  const state = { jar: 'r0' as string | null, used: new Set<string>(), minted: 0, revoked: false }
  const hub = fakeHub({
    'POST /api/v1/auth/refresh': async () => {
      const presented = state.jar
      await tick(delayMs)
      if (!presented) return noContent() // the hub's answer when no refresh cookie came
      if (state.used.has(presented) || state.revoked) {
        state.revoked = true
        return envelope(401, 'SESSION_REVOKED', 'this refresh token was already used; the session has been ended')
      }
      state.used.add(presented)
      state.minted++
      state.jar = `r${state.minted}`
      return json(tokenBody(`access-${state.minted}`))
    },
    'POST /api/v1/auth/login': () => {
      state.jar = 'r0'
      state.used.clear()
      state.revoked = false
      return json(tokenBody('access-login'))
    },
    'POST /api/v1/auth/logout': () => noContent(),
    ...extra,
  })
  return { ...hub, state }
}

interface TabOptions {
  locks?: LockManagerLike | null
  bus?: FakeBroadcastBus | null
  now?: () => number
}

const opened: { dispose(): void }[] = []

/** A browser tab: its own Pinia, API client and channel endpoint over the shared fetch. */
function openTab(fetch: typeof globalThis.fetch, options: TabOptions = {}) {
  const client = new ApiClient({ fetch })
  let channel: AuthChannel | null = null
  setAuthEnvironment({
    client,
    locks: options.locks ?? null,
    openChannel: () => (channel = options.bus ? options.bus.open() : null),
    ...(options.now ? { now: options.now } : {}),
  })
  const pinia = createPinia()
  setActivePinia(pinia)
  const auth = useAuthStore(pinia)
  opened.push(auth)
  return { auth, client, channel: () => channel }
}

describe('auth store', () => {
  beforeEach(() => {
    localStorage.clear()
    sessionStorage.clear()
  })
  afterEach(() => {
    opened.splice(0).forEach((auth) => auth.dispose())
  })

  describe('page load', () => {
    it('turns the refresh cookie into an access token', async () => {
      const hub = rotatingHub()
      const { auth } = openTab(hub.fetch)
      expect(auth.status).toBe('unknown')
      await auth.init()
      expect(auth.status).toBe('authenticated')
      expect(auth.accessToken).toBe('access-1')
      expect(auth.user?.email).toBe('ana@example.com')
      expect(hub.calls('POST /api/v1/auth/refresh')).toHaveLength(1)
    })

    it('is anonymous, without a message, when there is no session', async () => {
      const hub = rotatingHub()
      hub.state.jar = null
      const bus = new FakeBroadcastBus()
      const { auth } = openTab(hub.fetch, { bus })
      await auth.init()
      expect(auth.status).toBe('anonymous')
      expect(auth.signOutReason).toBeNull()
      expect(bus.posted).toEqual([])
    })

    it('says the session ended when the page loads with the cookie of a revoked session', async () => {
      const hub = rotatingHub()
      hub.state.revoked = true
      const { auth } = openTab(hub.fetch)
      await auth.init()
      expect(auth.status).toBe('anonymous')
      expect(auth.signOutReason).toBe('session_ended')
    })

    it('keeps the access token out of web storage', async () => {
      const hub = rotatingHub()
      const { auth } = openTab(hub.fetch)
      await auth.login({ email: 'ana@example.com', password: 'correct horse battery' })
      expect(auth.accessToken).toBe('access-login')
      const stored = [localStorage, sessionStorage].flatMap((s) =>
        Array.from({ length: s.length }, (_, i) => s.getItem(s.key(i) ?? '') ?? ''),
      )
      expect(stored.join(' ')).not.toContain('access-login')
    })
  })

  describe('single-flight refresh', () => {
    it('shares one request between concurrent refreshes in a tab (no Web Locks, no channel)', async () => {
      const hub = rotatingHub()
      const { auth } = openTab(hub.fetch, { locks: null, bus: null })
      const results = await Promise.all([auth.refresh(), auth.refresh(), auth.refresh()])
      expect(results).toEqual([true, true, true])
      expect(hub.calls('POST /api/v1/auth/refresh')).toHaveLength(1)
      expect(auth.accessToken).toBe('access-1')
    })

    it('lets one tab refresh while the other waits on the lock and reuses the broadcast token', async () => {
      const hub = rotatingHub()
      const locks = new FakeLocks()
      const bus = new FakeBroadcastBus()
      const a = openTab(hub.fetch, { locks, bus })
      const b = openTab(hub.fetch, { locks, bus })

      const [okA, okB] = await Promise.all([a.auth.init(), b.auth.init()]).then(() => [a.auth.status, b.auth.status])
      expect([okA, okB]).toEqual(['authenticated', 'authenticated'])
      // One refresh for both tabs: the cookie was presented once, the session survives.
      expect(hub.calls('POST /api/v1/auth/refresh')).toHaveLength(1)
      expect(hub.state.revoked).toBe(false)
      expect(a.auth.accessToken).toBe('access-1')
      expect(b.auth.accessToken).toBe('access-1')
      expect(locks.granted).toEqual([REFRESH_LOCK_NAME, REFRESH_LOCK_NAME])
    })

    it('would get the session revoked without the lock (the race the lock prevents)', async () => {
      const hub = rotatingHub()
      const a = openTab(hub.fetch, { locks: null })
      const b = openTab(hub.fetch, { locks: null })
      await Promise.all([a.auth.refresh(), b.auth.refresh()])
      expect(hub.calls('POST /api/v1/auth/refresh')).toHaveLength(2)
      expect(hub.state.revoked).toBe(true)
    })

    it('serializes refreshes across tabs even when the broadcast is missing', async () => {
      const hub = rotatingHub()
      const locks = new FakeLocks()
      // No channel: the second tab cannot reuse, but it refreshes after the first answer, with
      // the rotated cookie, so nothing is reused.
      const a = openTab(hub.fetch, { locks, bus: null })
      const b = openTab(hub.fetch, { locks, bus: null })
      await Promise.all([a.auth.refresh(), b.auth.refresh()])
      expect(hub.calls('POST /api/v1/auth/refresh')).toHaveLength(2)
      expect(hub.state.revoked).toBe(false)
      expect([a.auth.accessToken, b.auth.accessToken].sort()).toEqual(['access-1', 'access-2'])
    })

    async function waitWithLockHeld(sentAt: (now: number) => number) {
      const hub = rotatingHub()
      const locks = new FakeLocks()
      const bus = new FakeBroadcastBus()
      let now = 1_000_000
      const tab = openTab(hub.fetch, { locks, bus, now: () => now })
      const otherTab = bus.open()
      await tab.auth.refresh() // access-1

      // Another tab holds the lock while refreshing…
      let release!: () => void
      const held = locks.request(REFRESH_LOCK_NAME, () => new Promise<void>((resolve) => (release = resolve)))
      const waiting = tab.auth.refresh()
      await tick()
      // …and announces what it got before letting go.
      now += 2_000
      otherTab.post({
        type: 'token',
        token: { accessToken: 'access-other', expiresAt: '2999-01-01T00:00:00Z', user: user() },
        at: sentAt(now),
      })
      await tick()
      release()
      await held
      await waiting
      return { hub, tab }
    }

    it('reuses a token another tab broadcast while this one waited', async () => {
      const { hub, tab } = await waitWithLockHeld((now) => now - 1_000)
      expect(hub.calls('POST /api/v1/auth/refresh')).toHaveLength(1) // only the first one
      expect(tab.auth.accessToken).toBe('access-other')
    })

    it('refreshes itself when the broadcast token is older than the reuse window', async () => {
      const { hub, tab } = await waitWithLockHeld((now) => now - SHARED_TOKEN_MAX_AGE_MS - 1)
      expect(hub.calls('POST /api/v1/auth/refresh')).toHaveLength(2)
      expect(tab.auth.accessToken).toBe('access-2')
    })

    it('refreshes without the lock when the lock manager fails', async () => {
      const hub = rotatingHub()
      const broken: LockManagerLike = { request: () => Promise.reject(new DOMException('denied', 'SecurityError')) }
      const { auth } = openTab(hub.fetch, { locks: broken })
      await expect(auth.refresh()).resolves.toBe(true)
      expect(auth.accessToken).toBe('access-1')
    })
  })

  describe('401 handling on API calls', () => {
    it('refreshes on TOKEN_EXPIRED and retries once with the new token', async () => {
      const hub = rotatingHub({
        'GET /api/v1/me': (req) =>
          req.token === 'access-1' ? json(me(user(), [])) : envelope(401, 'TOKEN_EXPIRED', 'the access token has expired'),
      })
      const { auth, client } = openTab(hub.fetch)
      await auth.login({ email: 'ana@example.com', password: 'pw' })

      const [first, second] = await Promise.all([fetchMe(client), fetchMe(client)])
      expect(first.user.email).toBe('ana@example.com')
      expect(second.user.email).toBe('ana@example.com')
      // Both calls expired, one refresh served them.
      expect(hub.calls('POST /api/v1/auth/refresh')).toHaveLength(1)
      expect(hub.calls('GET /api/v1/me').map((r) => r.token)).toEqual(['access-login', 'access-login', 'access-1', 'access-1'])
      expect(auth.status).toBe('authenticated')
    })

    it('ends the session in every tab on SESSION_REVOKED', async () => {
      const hub = rotatingHub({ 'GET /api/v1/me': () => envelope(401, 'SESSION_REVOKED', 'this session has ended; log in again') })
      const bus = new FakeBroadcastBus()
      const a = openTab(hub.fetch, { bus })
      const b = openTab(hub.fetch, { bus })
      await a.auth.login({ email: 'ana@example.com', password: 'pw' })
      await tick()
      expect(b.auth.accessToken).toBe('access-login') // the login reached the other tab

      const err = await fetchMe(a.client).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ApiError)
      expect((err as ApiError).code).toBe('SESSION_REVOKED')
      expect(a.auth.status).toBe('anonymous')
      expect(a.auth.signOutReason).toBe('session_ended')
      expect(a.auth.accessToken).toBeNull()
      expect(hub.calls('POST /api/v1/auth/refresh')).toHaveLength(0)

      await tick()
      expect(b.auth.status).toBe('anonymous')
      expect(b.auth.signOutReason).toBe('session_ended')
    })

    it.each(['TOKEN_INVALID', 'UNAUTHORIZED'])('ends the session on %s without refreshing', async (code) => {
      const hub = rotatingHub({ 'GET /api/v1/me': () => envelope(401, code) })
      const { auth, client } = openTab(hub.fetch)
      await auth.login({ email: 'ana@example.com', password: 'pw' })
      await expect(fetchMe(client)).rejects.toMatchObject({ code })
      expect(auth.signOutReason).toBe('session_ended')
      expect(hub.calls('POST /api/v1/auth/refresh')).toHaveLength(0)
    })

    it('ends the session when the refresh after TOKEN_EXPIRED is refused', async () => {
      const hub = rotatingHub({ 'GET /api/v1/me': () => envelope(401, 'TOKEN_EXPIRED') })
      const { auth, client } = openTab(hub.fetch)
      await auth.login({ email: 'ana@example.com', password: 'pw' })
      hub.state.revoked = true
      await expect(fetchMe(client)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' })
      expect(auth.status).toBe('anonymous')
      expect(auth.signOutReason).toBe('session_ended')
    })

    it('keeps the session when the hub is unreachable during a refresh', async () => {
      const hub = rotatingHub({
        'GET /api/v1/me': () => envelope(401, 'TOKEN_EXPIRED'),
        'POST /api/v1/auth/refresh': () => envelope(503, 'UNAVAILABLE', 'database unavailable'),
      })
      const { auth, client } = openTab(hub.fetch)
      await auth.login({ email: 'ana@example.com', password: 'pw' })
      await expect(fetchMe(client)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' })
      expect(auth.status).toBe('authenticated')
      expect(auth.refreshError?.code).toBe('UNAVAILABLE')
    })
  })

  describe('login and logout across tabs', () => {
    it('logs every tab out', async () => {
      const hub = rotatingHub()
      const bus = new FakeBroadcastBus()
      const a = openTab(hub.fetch, { bus })
      const b = openTab(hub.fetch, { bus })
      await a.auth.login({ email: 'ana@example.com', password: 'pw' })
      await tick()
      await a.auth.logout()
      expect(hub.calls('POST /api/v1/auth/logout')[0]?.token).toBe('access-login')
      expect(a.auth.status).toBe('anonymous')
      expect(a.auth.signOutReason).toBe('logout')
      await tick()
      expect(b.auth.status).toBe('anonymous')
      expect(b.auth.signOutReason).toBe('logout')
    })

    it('signs out locally even when the logout request fails', async () => {
      const hub = rotatingHub({ 'POST /api/v1/auth/logout': () => envelope(500, 'INTERNAL') })
      const { auth } = openTab(hub.fetch)
      await auth.login({ email: 'ana@example.com', password: 'pw' })
      await auth.logout()
      expect(auth.status).toBe('anonymous')
    })

    it('passes login errors to the caller and stays anonymous', async () => {
      const hub = rotatingHub({
        'POST /api/v1/auth/login': () => envelope(401, 'UNAUTHORIZED', 'the email or the password is wrong'),
      })
      const { auth } = openTab(hub.fetch)
      await expect(auth.login({ email: 'ana@example.com', password: 'nope' })).rejects.toMatchObject({
        status: 401,
        message: 'the email or the password is wrong',
      })
      expect(auth.isAuthenticated).toBe(false)
      expect(hub.requests[0]?.token).toBeNull()
    })
  })
})
