import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { json, routeFetch } from '@/testing/fakeFetch'
import { setupPlugins } from '@/testing/mountApp'
import { useAuditStore } from './audit'

const user = (id: string, name: string, email: string) => ({ id, name, email, role: 'agent', status: 'active', created_at: '2026-01-01T00:00:00Z' })
const auditPage = json({ data: [{ id: 'aud-1', action: 'user.invited', actor_type: 'user', actor_id: 'usr-1' }], pagination: { has_more: false } })

describe('audit store people', () => {
  it('reads every page of the account’s members into names by id', async () => {
    const { fetch, calls } = routeFetch({
      '/api/v1/accounts/acc-1/audit-logs?limit=50': auditPage,
      '/api/v1/accounts/acc-1/audit-logs?limit=50&action=user.*': auditPage,
      '/api/v1/accounts/acc-1/users?limit=200': json({ data: [user('usr-1', 'Ana', 'ana@example.com')], pagination: { has_more: true, next_cursor: 'c2' } }),
      '/api/v1/accounts/acc-1/users?limit=200&cursor=c2': json({ data: [user('usr-2', '', 'bia@example.com')], pagination: { has_more: false } }),
    })
    setupPlugins(fetch)
    const store = useAuditStore()
    await store.load('acc-1', {})
    await vi.waitFor(() => expect(store.people.size).toBe(2))
    expect(store.people.get('usr-1')).toEqual({ name: 'Ana', email: 'ana@example.com' })
    expect(store.people.get('usr-2')).toEqual({ name: '', email: 'bia@example.com' })
    expect(store.entries).toHaveLength(1)
    // A new filter on the same account reads the members no second time.
    const before = calls.filter((c) => c.url.includes('/users')).length
    await store.load('acc-1', { action: 'user.*' })
    expect(calls.filter((c) => c.url.includes('/users')).length).toBe(before)
  })

  it('still shows the log (with ids) when the members cannot be read', async () => {
    const { fetch, calls } = routeFetch({
      '/api/v1/accounts/acc-1/audit-logs?limit=50': auditPage,
      '/api/v1/accounts/acc-1/audit-logs?limit=50&action=user.*': auditPage,
      '/api/v1/accounts/acc-1/users?limit=200': json({ error: { code: 'FORBIDDEN', message: 'no' } }, 403),
    })
    setupPlugins(fetch)
    const store = useAuditStore()
    await store.load('acc-1', {})
    await vi.waitFor(() => expect(calls.some((c) => c.url.includes('/users'))).toBe(true))
    await flushPromises()
    expect(store.entries).toHaveLength(1)
    expect(store.error).toBeNull()
    expect(store.people.size).toBe(0)
  })

  it('reads every API key, revoked ones included, into names by id; a viewer who may not list keys gets none', async () => {
    const key = (id: string, name: string, revoked: string | null) => ({ id, name, prefix: 'p', scopes: [], created_by: 'usr-1', created_at: '2026-01-01T00:00:00Z', last_used_at: null, expires_at: null, revoked_at: revoked })
    const { fetch } = routeFetch({
      '/api/v1/accounts/acc-1/audit-logs?limit=50': auditPage,
      '/api/v1/accounts/acc-1/users?limit=200': json({ data: [], pagination: { has_more: false } }),
      '/api/v1/accounts/acc-1/api-keys?limit=200': json({ data: [key('k1', 'ERP', null)], pagination: { has_more: true, next_cursor: 'c2' } }),
      '/api/v1/accounts/acc-1/api-keys?limit=200&cursor=c2': json({ data: [key('k2', 'Old', '2026-02-01T00:00:00Z')], pagination: { has_more: false } }),
      '/api/v1/accounts/acc-2/audit-logs?limit=50': auditPage,
      '/api/v1/accounts/acc-2/users?limit=200': json({ data: [], pagination: { has_more: false } }),
      '/api/v1/accounts/acc-2/api-keys?limit=200': json({ error: { code: 'FORBIDDEN', message: 'no' } }, 403),
    })
    setupPlugins(fetch)
    const store = useAuditStore()
    await store.load('acc-1', {})
    await vi.waitFor(() => expect(store.keys?.size).toBe(2))
    expect(store.keys?.get('k1')).toEqual({ name: 'ERP', revoked: false })
    expect(store.keys?.get('k2')).toEqual({ name: 'Old', revoked: true })

    await store.load('acc-2', {})
    await flushPromises()
    expect(store.keys).toBeNull()
    expect(store.entries).toHaveLength(1)
    expect(store.error).toBeNull()
  })
})
