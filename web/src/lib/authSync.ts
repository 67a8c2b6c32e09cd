/**
 * What the tabs of one browser share about the console session.
 *
 * The refresh token is a cookie all tabs send, and the server ends the whole session when a
 * refresh token is presented a second time. So refreshing is single-flight across tabs: a tab
 * refreshes while holding the Web Lock "whatpro-refresh", and announces the new access token on
 * the BroadcastChannel "whatpro-auth"; a tab that waited for the lock first looks for a token
 * announced while it waited and reuses it. Logins, logouts and ended sessions are announced too.
 *
 * Both APIs are optional: without Web Locks a tab only de-duplicates its own refreshes, without
 * BroadcastChannel it shares nothing.
 */
import type { User } from '@/api/auth'

export const REFRESH_LOCK_NAME = 'whatpro-refresh'
export const AUTH_CHANNEL_NAME = 'whatpro-auth'

/** The part of navigator.locks used here. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}

/** An access token and the user it was minted for. */
export interface TokenSet {
  accessToken: string
  /** RFC 3339. */
  expiresAt: string
  user: User
}

export type AuthMessage =
  /** A tab logged in or refreshed; `at` is Date.now() of the sender. */
  | { type: 'token'; token: TokenSet; at: number }
  /** A tab logged out: every tab goes to the login page. */
  | { type: 'logout' }
  /** The server ended the session: every tab goes to the login page and says so. */
  | { type: 'ended' }

export interface AuthChannel {
  post(message: AuthMessage): void
  /** Calls listener with every message other tabs post; returns the unsubscribe function. */
  subscribe(listener: (message: AuthMessage) => void): () => void
  close(): void
}

export function isAuthMessage(value: unknown): value is AuthMessage {
  if (typeof value !== 'object' || value === null) return false
  const message = value as Record<string, unknown>
  if (message.type === 'logout' || message.type === 'ended') return true
  if (message.type !== 'token' || typeof message.at !== 'number') return false
  const token = message.token as Record<string, unknown> | null | undefined
  return (
    typeof token === 'object' &&
    token !== null &&
    typeof token.accessToken === 'string' &&
    typeof token.expiresAt === 'string' &&
    typeof token.user === 'object' &&
    token.user !== null
  )
}

/** navigator.locks, or null where the browser lacks it (or the page is not a secure context). */
export function browserLocks(): LockManagerLike | null {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks
  if (!locks || typeof locks.request !== 'function') return null
  return {
    request: <T>(name: string, callback: () => Promise<T>) => locks.request(name, () => callback()) as Promise<T>,
  }
}

/** A BroadcastChannel("whatpro-auth") endpoint, or null where BroadcastChannel is missing. */
export function openBrowserChannel(): AuthChannel | null {
  if (typeof BroadcastChannel !== 'function') return null
  let channel: BroadcastChannel
  try {
    channel = new BroadcastChannel(AUTH_CHANNEL_NAME)
  } catch {
    return null
  }
  return {
    post(message) {
      try {
        channel.postMessage(message)
      } catch {
        // A closed channel: nothing left to tell.
      }
    },
    subscribe(listener) {
      const onMessage = (event: MessageEvent) => {
        if (isAuthMessage(event.data)) listener(event.data)
      }
      channel.addEventListener('message', onMessage)
      return () => channel.removeEventListener('message', onMessage)
    },
    close() {
      channel.close()
    },
  }
}
