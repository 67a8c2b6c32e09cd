/**
 * Loading, empty and error are three different states on every console list: loading shows a
 * skeleton (not the empty sentence), empty says what to do next (with the action when the
 * caller may take it, or who can), and a failure shows the error with a retry that loads again.
 */
import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Me } from '@/api/me'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, user, type HubHandler, type HubRoutes } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

const page = () => json({ data: [], pagination: { has_more: false } })
const zero = { available: 0, scheduled: 0, pending: 0, running: 0, retryable: 0, discarded: 0, cancelled: 0, completed: 0 }
const admin = me(user(), [membership('A', 'admin')])
const superAdmin = me(user({ super_admin: true }), [])
/** A member who may read providers and numbers but not change them (a custom role). */
const reader = me(user(), [membership('A', 'agent', { permissions: ['account:read', 'providers:read', 'chatwoot:read', 'inboxes:read'] })])

interface Case {
  name: string
  path: string
  who: Me
  /** "METHOD /path" whose answer decides the state. */
  list: string
  /** Its answer when there is nothing. */
  empty?: HubHandler
  /** The other routes the page reads, answering "nothing". */
  routes?: HubRoutes
  /** data-empty of the empty state, with the next-step text and the action's test id. */
  emptyOf?: string
  hint?: string
  action?: string
  /** Calls answered "nothing" before the state's answer (the router guard's own read). */
  warm?: number
}

const cases: Case[] = [
  {
    name: 'numbers (admin, with a provider)',
    path: '/accounts/A/numbers',
    who: admin,
    list: 'GET /api/v1/accounts/A/provider-instances',
    routes: {
      'GET /api/v1/accounts/A/providers': () => json({ data: [{ id: 'p1', name: 'Evo', type: 'evolution', base_url: 'https://evo.example.com', webhook_url: '', health_status: 'healthy', health_details: '', last_checked_at: null }], pagination: { has_more: false } }),
      'GET /api/v1/accounts/A/inboxes': page,
    },
    emptyOf: 'numbers',
    hint: 'then connect it and scan its QR code',
    action: 'numbers-empty-add',
  },
  {
    name: 'numbers (admin, no provider)',
    path: '/accounts/A/numbers',
    who: admin,
    list: 'GET /api/v1/accounts/A/provider-instances',
    routes: { 'GET /api/v1/accounts/A/providers': page, 'GET /api/v1/accounts/A/inboxes': page },
    emptyOf: 'numbers',
    hint: 'Numbers connect through a provider',
    action: 'numbers-empty-providers',
  },
  {
    name: 'numbers (may only read)',
    path: '/accounts/A/numbers',
    who: reader,
    list: 'GET /api/v1/accounts/A/provider-instances',
    routes: { 'GET /api/v1/accounts/A/providers': page, 'GET /api/v1/accounts/A/inboxes': page },
    emptyOf: 'numbers',
    hint: 'An admin of this account connects the WhatsApp numbers.',
  },
  {
    name: 'providers (admin)',
    path: '/accounts/A/providers',
    who: admin,
    list: 'GET /api/v1/accounts/A/providers',
    emptyOf: 'providers',
    hint: 'the hub checks its credentials before saving it',
    action: 'providers-empty-add',
  },
  {
    name: 'providers (may only read)',
    path: '/accounts/A/providers',
    who: reader,
    list: 'GET /api/v1/accounts/A/providers',
    emptyOf: 'providers',
    hint: 'An admin of this account adds the providers.',
  },
  { name: 'users', path: '/accounts/A/users', who: admin, list: 'GET /api/v1/accounts/A/users', emptyOf: 'users', hint: 'Invite the people of your team', action: 'users-empty-invite' },
  {
    name: 'API keys',
    path: '/accounts/A/api-keys',
    who: admin,
    list: 'GET /api/v1/accounts/A/api-keys',
    emptyOf: 'api-keys',
    hint: 'call the hub’s API from your own systems',
    action: 'api-keys-empty-create',
  },
  {
    name: 'inboxes (not linked to Chatwoot)',
    path: '/accounts/A/inboxes',
    who: admin,
    list: 'GET /api/v1/accounts/A/inboxes',
    routes: { 'GET /api/v1/accounts/A/chatwoot': () => json({ linked: false }) },
    emptyOf: 'inboxes',
    hint: 'link this account to Chatwoot first',
    action: 'inboxes-empty-link',
  },
  {
    name: 'inboxes (linked)',
    path: '/accounts/A/inboxes',
    who: admin,
    list: 'GET /api/v1/accounts/A/inboxes',
    routes: { 'GET /api/v1/accounts/A/chatwoot': () => json({ linked: true }) },
    emptyOf: 'inboxes',
    hint: 'Sync to read them from the linked Chatwoot account.',
    action: 'inboxes-empty-sync',
  },
  {
    name: 'webhook events',
    path: '/accounts/A/webhook-events',
    who: admin,
    list: 'GET /api/v1/accounts/A/webhook-events',
    emptyOf: 'webhook-events',
    hint: 'Webhooks arrive once Chatwoot is linked',
    action: 'webhook-events-empty-chatwoot',
  },
  {
    name: 'gateway',
    path: '/accounts/A/gateway',
    who: admin,
    list: 'GET /api/v1/accounts/A/gateway/numbers',
    routes: { 'GET /api/v1/accounts/A/gateway/dead-letters': page, 'GET /api/v1/accounts/A/provider-instances': page },
    emptyOf: 'gateway-numbers',
    hint: 'once a number is connected',
    action: 'gateway-empty-numbers',
  },
  {
    name: 'accounts (super admin)',
    path: '/accounts',
    who: superAdmin,
    list: 'GET /api/v1/accounts',
    warm: 1,
    emptyOf: 'accounts',
    hint: 'Create the first one',
    action: 'accounts-empty-create',
  },
  {
    name: 'plans',
    path: '/plans',
    who: superAdmin,
    list: 'GET /api/v1/plans',
    emptyOf: 'plans',
    hint: 'choose it on an account’s page',
    action: 'plans-empty-create',
  },
  {
    name: 'jobs',
    path: '/jobs',
    who: superAdmin,
    list: 'GET /api/v1/job-kinds',
    empty: () => json({ data: [], totals: zero }),
    emptyOf: 'jobs',
    hint: 'link a Chatwoot account, sync its inboxes or connect a number',
  },
  {
    name: 'hub usage',
    path: '/usage',
    who: superAdmin,
    list: 'GET /api/v1/usage',
    empty: () => json({ data: [], from: '2026-03-01', to: '2026-03-30' }),
    emptyOf: 'hub-usage',
    hint: 'Usage is counted once the accounts link Chatwoot',
    action: 'hub-usage-empty-accounts',
  },
  {
    name: 'Chatwoot (not linked, may only read)',
    path: '/accounts/A/chatwoot',
    who: reader,
    list: 'GET /api/v1/accounts/A/chatwoot',
    empty: () => json({ linked: false, allowed_origins: [], webhook_secret_set: false, url_token_enabled: false, webhook_installed: false, dashboard_app_installed: false }),
    emptyOf: 'chatwoot',
    hint: 'An admin of this account links it to Chatwoot here.',
  },
  {
    name: 'chat',
    path: '/accounts/A/chat',
    who: me(user(), [membership('A', 'agent')]),
    list: 'GET /api/v1/accounts/A/chat/rooms',
    empty: () => json({ data: [], seq: 0 }),
    routes: { 'GET /api/v1/accounts/A/chat/people': () => json({ data: [] }) },
    emptyOf: 'chat-rooms',
    hint: 'No conversations yet',
    action: 'chat-rooms-empty-start',
  },
  // Pages that are never empty (an account has its plan, its overview, the caller's session, the
  // audit of its creation) still load with a skeleton and fail with a retry.
  {
    name: 'account overview',
    path: '/accounts/A',
    who: admin,
    list: 'GET /api/v1/accounts/A',
    empty: () => json({ id: 'A', name: 'Acme', status: 'active', created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z' }),
  },
  {
    name: 'plan and usage',
    path: '/accounts/A/plan',
    who: me(user(), [membership('A', 'agent')]),
    list: 'GET /api/v1/accounts/A/entitlements',
    empty: () => json({ plan: { id: 'free', name: 'Free' }, limits: [], features: {} }),
  },
  { name: 'sessions', path: '/sessions', who: admin, list: 'GET /api/v1/sessions' },
  { name: 'audit log', path: '/accounts/A/audit-log', who: admin, list: 'GET /api/v1/accounts/A/audit-logs', routes: { 'GET /api/v1/accounts/A/users': page } },
]

let unmount: (() => void) | undefined

async function open(c: Case, answer: HubHandler) {
  let calls = 0
  const list: HubHandler = (req) => (++calls <= (c.warm ?? 0) ? (c.empty ?? page)(req) : answer(req))
  const mounted = await mountApp(c.path, { ...sessionRoutes(c.who), ...c.routes, [c.list]: list })
  unmount = () => mounted.wrapper.unmount()
  await flushPromises()
  return mounted
}

describe('console list states', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  describe.each(cases)('$name', (c) => {
    const empty = c.empty ?? page

    it('shows a skeleton while loading, neither the empty sentence nor an error', async () => {
      const { wrapper } = await open(c, () => new Promise<Response>(() => undefined))
      expect(wrapper.find('[data-skeleton]').exists()).toBe(true)
      expect(wrapper.find('[data-testid="empty-state"]').exists()).toBe(false)
      expect(wrapper.find('[data-testid="error-state"]').exists()).toBe(false)
    })

    if (c.emptyOf) {
      it('says what to do next when there is nothing', async () => {
        const { wrapper } = await open(c, empty)
        const state = wrapper.get(`[data-testid="empty-state"][data-empty="${c.emptyOf}"]`)
        expect(state.text()).toContain(c.hint)
        if (c.action) expect(state.find(`[data-testid="${c.action}"]`).exists()).toBe(true)
        else expect(state.find('button, a').exists()).toBe(false)
        expect(wrapper.find('[data-skeleton]').exists()).toBe(false)
        expect(wrapper.find('[data-testid="error-state"]').exists()).toBe(false)
      })
    }

    it('shows a failure with a retry, not an empty list, and loads again on retry', async () => {
      let failing = true
      const { wrapper, hub } = await open(c, (req) => (failing ? envelope(500, 'INTERNAL', 'internal error') : empty(req)))
      const failed = wrapper.get('[data-testid="error-state"]')
      expect(failed.find('[role="alert"]').exists()).toBe(true)
      expect(wrapper.find('[data-testid="empty-state"]').exists()).toBe(false)
      expect(wrapper.find('[data-skeleton]').exists()).toBe(false)
      const before = hub.calls(c.list).length
      failing = false
      await failed.get('[data-testid="error-retry"]').trigger('click')
      await flushPromises()
      expect(hub.calls(c.list).length).toBeGreaterThan(before)
      expect(wrapper.find('[data-testid="error-state"]').exists()).toBe(false)
      if (c.emptyOf) expect(wrapper.find(`[data-testid="empty-state"][data-empty="${c.emptyOf}"]`).exists()).toBe(true)
    })
  })
})
