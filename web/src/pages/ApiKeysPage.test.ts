import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ApiKey } from '@/api/apiKeys'
import { API_KEY_SCOPES } from '@/lib/permissions'
import { useApiKeysStore } from '@/stores/apiKeys'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { me, membership, noContent, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

const SECRET = 'wp_live_k2pfx.very-secret'
let unmount: (() => void) | undefined

function keyRow(id: string, name: string, extra: Partial<ApiKey> = {}): ApiKey {
  return {
    id,
    account_id: 'A',
    name,
    prefix: `${id}pfx`,
    scopes: ['users:read'],
    created_by: 'u1',
    created_at: '2026-01-01T00:00:00Z',
    last_used_at: null,
    expires_at: null,
    revoked_at: null,
    ...extra,
  }
}

async function openKeys(role: string, superAdmin = false, permissions?: string[], member = true) {
  const keys: ApiKey[] = [keyRow('k1', 'Old key')]
  let joined = member
  const who = () => me(user({ super_admin: superAdmin }), joined ? [membership('A', role, permissions ? { permissions } : {})] : [])
  const mounted = await mountApp('/accounts/A/api-keys', {
    ...sessionRoutes(who()),
    'GET /api/v1/me': () => json(who()),
    'POST /api/v1/accounts/A/join': () => {
      joined = true
      return json({ id: 'u1', email: 'ana@example.com', name: 'Ana', role: 'admin', status: 'active' }, 201)
    },
    'GET /api/v1/accounts/A/api-keys': () => json({ data: keys, pagination: { has_more: false } }),
    'POST /api/v1/accounts/A/api-keys': (req) => {
      const body = req.body as { name: string; scopes: string[] }
      keys.push(keyRow('k2', body.name, { scopes: body.scopes }))
      return json({ id: 'k2', key: SECRET, prefix: 'k2pfx', name: body.name, scopes: body.scopes, expires_at: null }, 201)
    },
    'DELETE /api/v1/accounts/A/api-keys/k1': () => noContent(),
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('ApiKeysPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('creates a key and shows its secret once', async () => {
    const { wrapper, hub } = await openKeys('admin')
    expect(wrapper.findAll('[data-testid="api-key-row"]')).toHaveLength(1)

    await wrapper.get('[data-testid="api-key-name"]').setValue('CRM sync')
    await wrapper.get('[data-testid="api-key-scope-users:read"]').setValue(true)
    await wrapper.get('[data-testid="api-key-scope-audit:read"]').setValue(true)
    await wrapper.get('[data-testid="api-key-form"]').trigger('submit')
    await flushPromises()

    expect(hub.calls('POST /api/v1/accounts/A/api-keys')[0]?.body).toEqual({ name: 'CRM sync', scopes: ['users:read', 'audit:read'] })
    expect((wrapper.get('[data-testid="api-key-secret"]').element as HTMLInputElement).value).toBe(SECRET)
    expect(wrapper.findAll('[data-testid="api-key-row"]')).toHaveLength(2)
    // The list never carries the secret.
    expect(wrapper.get('[data-testid="api-keys-table"]').text()).not.toContain('very-secret')

    await wrapper.get('[data-testid="api-key-secret-close"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="api-key-secret"]').exists()).toBe(false)
    expect(useApiKeysStore().created).toBeNull()
    expect(document.body.innerHTML).not.toContain('very-secret')
  })

  it('asks for a scope before creating', async () => {
    const { wrapper, hub } = await openKeys('admin')
    await wrapper.get('[data-testid="api-key-name"]').setValue('No scopes')
    await wrapper.get('[data-testid="api-key-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/api-keys')).toHaveLength(0)
    expect(wrapper.text()).toContain('Choose at least one scope.')
  })

  it('offers only the scopes the caller holds in the account', async () => {
    const scopesShown = (w: Awaited<ReturnType<typeof openKeys>>['wrapper']) =>
      w.findAll('[data-testid^="api-key-scope-"]').map((c) => (c.attributes('data-testid') ?? '').replace('api-key-scope-', ''))
    const limited = await openKeys('admin', false, ['account:read', 'keys:read', 'keys:write', 'users:read', 'platform:manage'])
    expect(scopesShown(limited.wrapper)).toEqual(['account:read', 'users:read', 'keys:read', 'keys:write'])
    unmount?.()
    useAuthStore().dispose()
    const root = await openKeys('agent', true)
    expect(scopesShown(root.wrapper)).toEqual([...API_KEY_SCOPES])
  })

  it('lets a super admin who is not a member join the account before creating keys', async () => {
    const { wrapper, hub } = await openKeys('admin', true, undefined, false)
    expect(wrapper.find('[data-testid="api-key-form"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-testid="api-key-row"]')).toHaveLength(1)
    await wrapper.get('[data-testid="join-account-submit"]').trigger('click')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/join')).toHaveLength(1)
    expect(wrapper.find('[data-testid="join-account"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="api-key-form"]').exists()).toBe(true)
  })

  it('revokes a key after confirmation', async () => {
    const { wrapper, hub } = await openKeys('admin')
    await wrapper.get('[data-testid="api-key-revoke"]').trigger('click')
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain('Old key')
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click')
    await flushPromises()
    expect(hub.calls('DELETE /api/v1/accounts/A/api-keys/k1')).toHaveLength(1)
    expect(wrapper.get('[data-testid="api-key-row"]').attributes('data-revoked')).toBe('true')
    expect(wrapper.find('[data-testid="api-key-revoke"]').exists()).toBe(false)
  })
})
