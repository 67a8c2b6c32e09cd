/**
 * The console session. The access token lives in memory only (never in storage); the refresh
 * token is an HttpOnly cookie, so a reload gets a new access token by refreshing. Refreshes are
 * single-flight within the tab and, through lib/authSync, across the tabs of the browser.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import * as authApi from '@/api/auth'
import type { LoginInput, TokenResponse, User } from '@/api/auth'
import { api, ApiError, type ApiClient, type UnauthorizedContext } from '@/api/client'
import { changePassword as changePasswordApi } from '@/api/me'
import {
  browserLocks,
  openBrowserChannel,
  REFRESH_LOCK_NAME,
  type AuthChannel,
  type AuthMessage,
  type LockManagerLike,
  type TokenSet,
} from '@/lib/authSync'

/** A token another tab announced is reused by a tab that waited for the lock if it is this fresh. */
export const SHARED_TOKEN_MAX_AGE_MS = 10_000

/** 401 codes after which the session cannot be saved by refreshing. */
const SESSION_END_CODES = new Set(['SESSION_REVOKED', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'UNAUTHORIZED'])

export type AuthStatus = 'unknown' | 'authenticated' | 'anonymous'
/** Why the tab is signed out: it logged out (here or in another tab), or the server ended the session. */
export type SignOutReason = 'logout' | 'session_ended'

/** What the store talks to; tests swap in fakes with setAuthEnvironment. */
export interface AuthEnvironment {
  client: ApiClient
  locks: LockManagerLike | null
  openChannel: () => AuthChannel | null
  now: () => number
}

let override: Partial<AuthEnvironment> | null = null

/** Replaces parts of the environment for stores created afterwards; null restores the browser's. */
export function setAuthEnvironment(env: Partial<AuthEnvironment> | null): void {
  override = env
}

function environment(): AuthEnvironment {
  return {
    client: override?.client ?? api,
    locks: override && 'locks' in override ? (override.locks ?? null) : browserLocks(),
    openChannel: override?.openChannel ?? openBrowserChannel,
    now: override?.now ?? Date.now,
  }
}

function toTokenSet(res: TokenResponse): TokenSet {
  return { accessToken: res.access_token, expiresAt: res.expires_at, user: res.user }
}

export const useAuthStore = defineStore('auth', () => {
  const env = environment()

  const accessToken = ref<string | null>(null)
  const expiresAt = ref<string | null>(null)
  const user = shallowRef<User | null>(null)
  const status = ref<AuthStatus>('unknown')
  const signOutReason = ref<SignOutReason | null>(null)
  /** The last refresh failure that was not a 401 (hub unreachable…). */
  const refreshError = shallowRef<ApiError | null>(null)

  const isAuthenticated = computed(() => status.value === 'authenticated')

  /** The newest token announced on the channel (or obtained here), with its time. */
  let shared: { token: TokenSet; at: number } | null = null

  function adopt(token: TokenSet): void {
    accessToken.value = token.accessToken
    expiresAt.value = token.expiresAt
    user.value = token.user
    status.value = 'authenticated'
    signOutReason.value = null
    refreshError.value = null
  }

  function clear(reason: SignOutReason | null): void {
    accessToken.value = null
    expiresAt.value = null
    user.value = null
    status.value = 'anonymous'
    signOutReason.value = reason
  }

  function announce(token: TokenSet): void {
    const at = env.now()
    shared = { token, at }
    channel?.post({ type: 'token', token, at })
  }

  function isExpired(token: TokenSet): boolean {
    const expiry = Date.parse(token.expiresAt)
    return Number.isNaN(expiry) || expiry <= env.now()
  }

  function onMessage(message: AuthMessage): void {
    switch (message.type) {
      case 'token':
        shared = { token: message.token, at: message.at }
        if (!isExpired(message.token)) adopt(message.token)
        break
      case 'logout':
        if (status.value !== 'anonymous') clear('logout')
        break
      case 'ended':
        if (status.value !== 'anonymous') clear('session_ended')
        break
    }
  }

  const channel = env.openChannel()
  const unsubscribe = channel?.subscribe(onMessage)

  /** The server ended the session: sign out here and in every other tab. */
  function endSession(): void {
    if (status.value === 'anonymous') return
    clear('session_ended')
    channel?.post({ type: 'ended' })
  }

  let inFlight: Promise<boolean> | null = null

  /**
   * Gets a new access token from the refresh cookie. Concurrent calls in this tab share one
   * request; other tabs wait on the lock and reuse the token this one announces. Resolves false
   * when there is no session (a 401 ends a session this tab had) or the hub could not answer.
   */
  function refresh(): Promise<boolean> {
    inFlight ??= lockedRefresh(accessToken.value).finally(() => {
      inFlight = null
    })
    return inFlight
  }

  async function lockedRefresh(had: string | null): Promise<boolean> {
    let started = false
    const attempt = () => {
      started = true
      return refreshOnce(had)
    }
    if (!env.locks) return attempt()
    try {
      return await env.locks.request(REFRESH_LOCK_NAME, attempt)
    } catch (err) {
      // The lock itself failed (a browser quirk); refresh unlocked rather than not at all.
      if (started) throw err
      return attempt()
    }
  }

  async function refreshOnce(had: string | null): Promise<boolean> {
    // Another tab refreshed while this one waited for the lock: its token is for the same
    // session, and refreshing again would only rotate the cookie once more.
    const recent = shared
    if (
      recent &&
      recent.token.accessToken !== had &&
      env.now() - recent.at <= SHARED_TOKEN_MAX_AGE_MS &&
      !isExpired(recent.token)
    ) {
      adopt(recent.token)
      return true
    }
    try {
      const res = await authApi.refresh(env.client)
      if (res === null) {
        // No refresh cookie: signed out, as a 401 without a session this tab had would say.
        if (had !== null && status.value === 'authenticated') endSession()
        else if (status.value !== 'authenticated') clear(signOutReason.value)
        return false
      }
      const token = toTokenSet(res)
      adopt(token)
      announce(token)
      return true
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        // No cookie (never logged in) is not news; losing a session this tab had is, and so
        // is a page that loads with the cookie of a session ended elsewhere.
        if (had !== null && status.value === 'authenticated') endSession()
        else if (status.value !== 'authenticated') clear(err.code === 'SESSION_REVOKED' ? 'session_ended' : signOutReason.value)
        return false
      }
      refreshError.value = err instanceof ApiError ? err : null
      if (status.value === 'unknown') status.value = 'anonymous'
      return false
    }
  }

  let initialized: Promise<void> | null = null

  /** On page load: a session cookie, if any, becomes an access token. Runs once. */
  function init(): Promise<void> {
    initialized ??= (async () => {
      if (status.value === 'unknown') await refresh()
      if (status.value === 'unknown') status.value = 'anonymous'
    })()
    return initialized
  }

  /** Logs in; errors (wrong password, second factor needed, rate limit) reach the caller. */
  async function login(input: LoginInput): Promise<User> {
    const token = toTokenSet(await authApi.login(input, env.client))
    adopt(token)
    announce(token)
    return token.user
  }

  /** Ends the session on the server (best effort) and signs out every tab. */
  async function logout(): Promise<void> {
    const token = accessToken.value
    try {
      if (token) await authApi.logout(token, env.client)
    } catch {
      // Signed out here regardless; the server ends an unused session on its own.
    }
    clear('logout')
    channel?.post({ type: 'logout' })
  }

  async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await changePasswordApi({ current_password: currentPassword, new_password: newPassword }, env.client)
  }

  /** Requests wait for a refresh in progress, so they carry the new token. */
  async function getToken(): Promise<string | null> {
    if (inFlight) await inFlight
    return accessToken.value
  }

  /**
   * The client's 401 hook: TOKEN_EXPIRED refreshes and retries once; a session the server
   * ended (SESSION_REVOKED, TOKEN_INVALID, UNAUTHORIZED) signs every tab out.
   */
  async function handleUnauthorized(error: ApiError, context: UnauthorizedContext): Promise<boolean> {
    const stale = context.token !== null && accessToken.value !== null && context.token !== accessToken.value
    if (context.retried) {
      if (!stale && context.token !== null) endSession()
      return false
    }
    if (stale) return true // another refresh replaced the token meanwhile: retry with the new one
    if (error.code === 'TOKEN_EXPIRED') return context.token !== null && refresh()
    if (SESSION_END_CODES.has(error.code) && context.token !== null) endSession()
    return false
  }

  env.client.setAuthProvider({ getToken, onUnauthorized: handleUnauthorized })

  /** Stops listening to other tabs (tests, hot reload). */
  function dispose(): void {
    unsubscribe?.()
    channel?.close()
    env.client.setAuthProvider(null)
  }

  return {
    accessToken,
    expiresAt,
    user,
    status,
    signOutReason,
    refreshError,
    isAuthenticated,
    init,
    login,
    logout,
    refresh,
    changePassword,
    getToken,
    handleUnauthorized,
    endSession,
    dispose,
  }
})
