import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Me } from '@/api/me'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, user, type HubRoutes } from '@/testing/fakeHub'
import { anonymousRoutes, mountApp, sessionRoutes } from '@/testing/mountApp'
import { useAuthStore } from './stores/auth'

const empty = () => json({ data: [], pagination: { has_more: false, next_cursor: null } })

/** The sidebar entries of an admin's Chatwoot, inbox, provider, number, webhook and plan pages. */
const CATALOG_NAV = ['nav-chatwoot', 'nav-inboxes', 'nav-providers', 'nav-numbers', 'nav-gateway', 'nav-webhook-events', 'nav-plan']

/** Every account list the pages load answers empty. */
function listRoutes(...accountIds: string[]): HubRoutes {
  return Object.fromEntries(
    accountIds.flatMap((id) => [
      [`GET /api/v1/accounts/${id}`, () => json({ id, name: `Account ${id}`, status: 'active', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' })],
      [`GET /api/v1/accounts/${id}/users`, empty],
      [`GET /api/v1/accounts/${id}/api-keys`, empty],
      [`GET /api/v1/accounts/${id}/audit-logs`, empty],
    ]),
  )
}

function nav(wrapper: Awaited<ReturnType<typeof mountApp>>['wrapper']): string[] {
  return wrapper.findAll('[data-testid^="nav-"]').map((w) => w.attributes('data-testid') ?? '')
}

let unmount: (() => void) | undefined

async function open(path: string, who: Me | null, extra: HubRoutes = {}) {
  const routes = { ...(who ? sessionRoutes(who) : anonymousRoutes()), ...listRoutes('A', 'B'), ...extra }
  const mounted = await mountApp(path, routes)
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('permissions: sidebar and route guard', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('shows an admin every account screen', async () => {
    const { wrapper, router } = await open('/accounts/A/users', me(user(), [membership('A', 'admin')]))
    expect(router.currentRoute.value.fullPath).toBe('/accounts/A/users')
    expect(nav(wrapper)).toEqual([
      'nav-status',
      'nav-account',
      'nav-kanban',
      'nav-chat',
      'nav-users',
      'nav-api-keys',
      'nav-audit',
      ...CATALOG_NAV,
      'nav-data',
      'nav-sessions',
      'nav-profile',
    ])
    expect(wrapper.find('[data-testid="users-table"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="invite-submit"]').exists()).toBe(true)
  })

  it('shows a supervisor users (read only) and the audit log, not API keys', async () => {
    const { wrapper } = await open('/accounts/A/users', me(user(), [membership('A', 'supervisor')]))
    expect(nav(wrapper)).toEqual(['nav-status', 'nav-account', 'nav-kanban', 'nav-chat', 'nav-users', 'nav-audit', 'nav-inboxes', 'nav-plan', 'nav-sessions', 'nav-profile'])
    expect(wrapper.find('[data-testid="invite-submit"]').exists()).toBe(false)
  })

  it('never shows an agent the admin screens', async () => {
    const { wrapper, router } = await open('/accounts/A', me(user(), [membership('A', 'agent')]))
    expect(nav(wrapper)).toEqual(['nav-status', 'nav-account', 'nav-kanban', 'nav-chat', 'nav-inboxes', 'nav-plan', 'nav-sessions', 'nav-profile'])

    for (const path of [
      '/accounts/A/users',
      '/accounts/A/api-keys',
      '/accounts/A/audit-log',
      '/accounts/A/chatwoot',
      '/accounts/A/providers',
      '/accounts/A/numbers',
      '/accounts/A/webhook-events',
    ]) {
      await router.push(path)
      await flushPromises()
      // Told so, not silently redirected.
      expect(router.currentRoute.value.name).toBe('not-allowed')
      expect(router.currentRoute.value.query).toMatchObject({ reason: 'permission', account: 'A', from: path })
      expect(wrapper.get('[data-testid="not-allowed"]').attributes('data-reason')).toBe('permission')
      expect(wrapper.get('[data-testid="not-allowed-message"]').text()).toBe('Your role in this account does not include this page.')
    }
    expect(wrapper.find('[data-testid="users-table"]').exists()).toBe(false)
    await wrapper.get('[data-testid="not-allowed-back"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/accounts/A')
  })

  it('hides the pages of a feature that is off, and a deep link says it is off', async () => {
    const flags = { kanban: false, internal_chat: true, gateway: false, hub_admin: true }
    const { wrapper, router } = await open('/accounts/A', me(user(), [membership('A', 'admin')]), {
      'GET /api/v1/features': () => json({ account_id: 'A', features: flags }),
    })
    await flushPromises()
    const shown = nav(wrapper)
    for (const hidden of ['nav-kanban', 'nav-providers', 'nav-numbers', 'nav-gateway']) expect(shown).not.toContain(hidden)
    expect(shown).toContain('nav-chat')
    for (const [path, feature] of [
      ['/accounts/A/boards', 'kanban'],
      ['/accounts/A/numbers', 'gateway'],
      ['/accounts/A/gateway', 'gateway'],
    ] as const) {
      await router.push(path)
      await flushPromises()
      expect(router.currentRoute.value.name).toBe('not-allowed')
      expect(router.currentRoute.value.query).toMatchObject({ reason: 'feature', feature, account: 'A', from: path })
    }
    expect(wrapper.get('[data-testid="not-allowed-message"]').text()).toBe('WhatsApp gateway is turned off for this account.')
  })

  it('sends the caller home from an account it does not belong to', async () => {
    const { router } = await open('/accounts/B/users', me(user(), [membership('A', 'admin')]))
    expect(router.currentRoute.value.fullPath).toBe('/accounts/A/users')
  })

  it('gives an invitation no access until it is accepted', async () => {
    const { wrapper, router } = await open(
      '/accounts/B',
      me(user(), [membership('A', 'agent'), membership('B', 'admin', { status: 'invited' })]),
    )
    expect(router.currentRoute.value.fullPath).toBe('/accounts/A')
    expect(wrapper.get('[data-testid="invitation-banner"]').text()).toContain('Account B')
  })

  it('lets a super admin open any account with every screen', async () => {
    const { wrapper, router } = await open('/accounts/B/api-keys', me(user({ super_admin: true }), []))
    expect(router.currentRoute.value.fullPath).toBe('/accounts/B/api-keys')
    expect(nav(wrapper)).toEqual([
      'nav-status',
      'nav-accounts',
      'nav-plans',
      'nav-hub-usage',
      'nav-jobs',
      'nav-account',
      'nav-kanban',
      'nav-chat',
      'nav-users',
      'nav-api-keys',
      'nav-audit',
      ...CATALOG_NAV,
      'nav-data',
      'nav-sessions',
      'nav-profile',
    ])
  })

  it('keeps the hub-wide pages (plans, hub usage) to super admins', async () => {
    const { router, wrapper } = await open('/plans', me(user(), [membership('A', 'admin')]))
    expect(router.currentRoute.value.name).toBe('not-allowed')
    expect(router.currentRoute.value.query).toMatchObject({ reason: 'permission', from: '/plans' })
    await router.push('/usage')
    await flushPromises()
    expect(router.currentRoute.value.query).toMatchObject({ reason: 'permission', from: '/usage' })
    expect(wrapper.get('[data-testid="not-allowed-back"]').attributes('href')).toBe('/')
  })

  it('opens the hub-wide pages for a super admin', async () => {
    const { wrapper, router } = await open('/plans', me(user({ super_admin: true }), []), {
      'GET /api/v1/plans': () => json({ data: [] }),
      'GET /api/v1/usage': () => json({ data: [] }),
    })
    expect(router.currentRoute.value.fullPath).toBe('/plans')
    expect(wrapper.find('[data-testid="plans-list"]').exists()).toBe(true)
    await router.push('/usage')
    await flushPromises()
    expect(wrapper.find('[data-testid="hub-usage-table"]').exists()).toBe(true)
  })

  it('sends an anonymous caller to the login page and back after logging in', async () => {
    const who = me(user(), [membership('A', 'admin')])
    const { wrapper, router } = await open('/accounts/A/audit-log', null, {
      'POST /api/v1/auth/login': () => json({ access_token: 'tok-9', expires_at: '2999-01-01T00:00:00Z', user: who.user }),
      'GET /api/v1/me': () => json(who),
    })
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.redirect).toBe('/accounts/A/audit-log')
    expect(wrapper.find('[data-testid="login-message"]').exists()).toBe(false)

    await wrapper.get('[data-testid="login-email"]').setValue('ana@example.com')
    await wrapper.get('[data-testid="login-password"]').setValue('correct horse battery')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/accounts/A/audit-log')
    expect(wrapper.find('[data-testid="audit-table"]').exists()).toBe(true)
  })

  it.each([
    ['an admin', me(user(), [membership('A', 'admin')]), '/accounts/A/users'],
    ['an agent', me(user(), [membership('A', 'agent')]), '/accounts/A'],
    ['a super admin without accounts', me(user({ super_admin: true }), []), '/accounts'],
    ['a user without accounts', me(user(), []), '/'],
  ])('lands %s on its home after login', async (_, who, home) => {
    const { wrapper, router } = await open('/login', null, {
      'POST /api/v1/auth/login': () => json({ access_token: 'tok-9', expires_at: '2999-01-01T00:00:00Z', user: who.user }),
      'GET /api/v1/me': () => json(who),
      'GET /api/v1/accounts': empty,
    })
    await wrapper.get('[data-testid="login-email"]').setValue('ana@example.com')
    await wrapper.get('[data-testid="login-password"]').setValue('correct horse battery')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe(home)
  })

  it('lands on the login page with a message when the session is revoked mid-use', async () => {
    let revoked = false
    const { wrapper, router } = await open('/accounts/A/api-keys', me(user(), [membership('A', 'admin')]), {
      'GET /api/v1/accounts/A/api-keys': () => (revoked ? envelope(401, 'SESSION_REVOKED', 'this session has ended; log in again') : empty()),
      'GET /api/v1/accounts/A/users': () => (revoked ? envelope(401, 'SESSION_REVOKED', 'this session has ended; log in again') : empty()),
    })
    expect(wrapper.find('[data-testid="api-keys-table"]').exists()).toBe(true)
    revoked = true
    await wrapper.get('[data-testid="nav-users"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query).toMatchObject({ reason: 'session_ended', redirect: '/accounts/A/users' })
    expect(wrapper.get('[data-testid="login-message"]').text()).toBe('Your session has ended. Log in again to continue.')
  })
})
