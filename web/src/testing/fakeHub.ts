/**
 * Test helpers: a fake hub answering "METHOD /path" routes (query string ignored for matching),
 * with handlers that see the request; and fakes for Web Locks and BroadcastChannel so several
 * auth stores in one test behave like tabs of one browser.
 */
import { vi } from 'vitest'
import type { User } from '@/api/auth'
import type { Me, Membership } from '@/api/me'
import type { AuthChannel, AuthMessage, LockManagerLike } from '@/lib/authSync'
import { json } from './fakeFetch'

export interface HubRequest {
  method: string
  url: string
  path: string
  query: URLSearchParams
  headers: Record<string, string>
  body: unknown
  token: string | null
}

export type HubHandler = (req: HubRequest) => Response | Promise<Response>
export type HubRoutes = Record<string, HubHandler | Response>

export function envelope(status: number, code: string, message = code, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return json({ error: { code, message, ...extra } }, status, headers)
}

export function noContent(): Response {
  return new Response(null, { status: 204 })
}

export function fakeHub(routes: HubRoutes) {
  const requests: HubRequest[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input)
    const parsed = new URL(url, 'http://hub.test')
    const headers = { ...((init.headers ?? {}) as Record<string, string>) }
    const auth = headers.Authorization ?? ''
    const req: HubRequest = {
      method: (init.method ?? 'GET').toUpperCase(),
      url,
      path: parsed.pathname,
      query: parsed.searchParams,
      headers,
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      token: auth.startsWith('Bearer ') ? auth.slice(7) : null,
    }
    requests.push(req)
    const route = routes[`${req.method} ${req.path}`]
    if (!route) return envelope(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`)
    return typeof route === 'function' ? route(req) : route.clone()
  })
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    requests,
    /** Requests to one "METHOD /path". */
    calls: (key: string) => requests.filter((r) => `${r.method} ${r.path}` === key),
  }
}

export function user(overrides: Partial<User> = {}): User {
  return {
    id: 'u1',
    email: 'ana@example.com',
    name: 'Ana',
    locale: 'en',
    active: true,
    super_admin: false,
    totp_enabled: false,
    created_at: '2026-01-01T00:00:00Z',
    ...overrides,
  }
}

export function tokenBody(token: string, u: User = user(), expiresAt = '2999-01-01T00:00:00Z') {
  return { access_token: token, expires_at: expiresAt, user: u }
}

const ADMIN = [
  'account:read', 'account:write', 'users:read', 'users:write', 'keys:read', 'keys:write', 'audit:read', 'usage:read',
  'inboxes:read', 'inboxes:write', 'kanban:read', 'kanban:write', 'chat:read', 'chat:write', 'chatwoot:read',
  'chatwoot:write', 'webhooks:read', 'webhooks:write', 'providers:read', 'providers:write', 'hub:admin',
]
const SUPERVISOR = ['account:read', 'inboxes:read', 'kanban:read', 'kanban:write', 'chat:read', 'chat:write', 'users:read', 'usage:read', 'audit:read']
const AGENT = ['account:read', 'inboxes:read', 'kanban:read', 'kanban:write', 'chat:read', 'chat:write']

export const ROLE_PERMISSIONS: Record<string, string[]> = { admin: ADMIN, supervisor: SUPERVISOR, agent: AGENT }

export function membership(accountId: string, role: string, overrides: Partial<Membership> = {}): Membership {
  const status = overrides.status ?? 'active'
  return {
    account_id: accountId,
    account_name: `Account ${accountId}`,
    role,
    status,
    permissions: status === 'active' ? (ROLE_PERMISSIONS[role] ?? []) : [],
    ...overrides,
  }
}

export function me(u: User, memberships: Membership[]): Me {
  return { user: u, memberships }
}

/** navigator.locks with exclusive locks granted in request order. */
export class FakeLocks implements LockManagerLike {
  private tails = new Map<string, Promise<unknown>>()
  readonly granted: string[] = []

  request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve()
    const run = previous.then(() => {
      this.granted.push(name)
      return callback()
    })
    this.tails.set(name, run.catch(() => undefined))
    return run
  }
}

/** One BroadcastChannel name shared by several "tabs": a message reaches every other endpoint. */
export class FakeBroadcastBus {
  private endpoints = new Set<{ listeners: Set<(m: AuthMessage) => void> }>()
  readonly posted: AuthMessage[] = []

  open = (): AuthChannel => {
    const endpoint = { listeners: new Set<(m: AuthMessage) => void>() }
    this.endpoints.add(endpoint)
    return {
      post: (message) => {
        this.posted.push(message)
        const copy = structuredClone(message)
        for (const other of this.endpoints) {
          if (other === endpoint) continue
          // Delivered asynchronously, as BroadcastChannel does.
          queueMicrotask(() => other.listeners.forEach((fn) => fn(copy)))
        }
      },
      subscribe: (listener) => {
        endpoint.listeners.add(listener)
        return () => endpoint.listeners.delete(listener)
      },
      close: () => {
        this.endpoints.delete(endpoint)
      },
    }
  }
}

/** Resolves after pending promise callbacks and timers of 0 ms. */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
