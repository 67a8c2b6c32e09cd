import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, noContent, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

let unmount: (() => void) | undefined

async function openData(scheduled = false) {
  const deletion = { account_id: 'A', requested_by: 'u1', requested_at: '2026-01-01T00:00:00Z', purge_after: '2026-01-31T00:00:00Z' }
  let pending = scheduled
  const mounted = await mountApp('/accounts/A/data', {
    ...sessionRoutes(me(user(), [membership('A', 'admin')])),
    'GET /api/v1/accounts/A/deletion': () => (pending ? json(deletion) : envelope(404, 'NOT_FOUND', 'no deletion is scheduled for this account')),
    'POST /api/v1/accounts/A/deletion': () => {
      pending = true
      return json(deletion, 202)
    },
    'DELETE /api/v1/accounts/A/deletion': () => {
      pending = false
      return noContent()
    },
    'GET /api/v1/accounts/A/export': () => json({ format: 'whatpro-account-export/1', account_id: 'A', sections: { users: [] } }),
    'POST /api/v1/accounts/A/contacts/42/erasure': () => json({ subject: 'contact:42', domains: { kanban: 3 }, audit: { rows: 1, kept: 0 } }),
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('AccountDataPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
    URL.createObjectURL = vi.fn(() => 'blob:x')
    URL.revokeObjectURL = vi.fn()
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('downloads the export and says how much arrived', async () => {
    const { wrapper, hub } = await openData()
    await wrapper.get('[data-testid="export-start"]').trigger('click')
    await flushPromises()
    expect(hub.calls('GET /api/v1/accounts/A/export')).toHaveLength(1)
    expect(wrapper.get('[data-testid="export-done"]').text()).toContain('KiB')
  })

  it('erases a contact by its Chatwoot id', async () => {
    const { wrapper, hub } = await openData()
    expect(wrapper.get('[data-testid="erase-submit"]').attributes('disabled')).toBeDefined()
    await wrapper.get('[data-testid="erase-contact-id"]').setValue('42')
    await wrapper.get('[data-testid="erase-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/contacts/42/erasure')).toHaveLength(1)
    expect(wrapper.get('[data-testid="erase-done"]').text()).toContain('3')
  })

  it('schedules the deletion only with the typed name, and cancels it', async () => {
    const { wrapper, hub } = await openData()
    await flushPromises()
    await wrapper.get('[data-testid="deletion-confirm"]').setValue('wrong')
    expect(wrapper.get('[data-testid="deletion-submit"]').attributes('disabled')).toBeDefined()
    await wrapper.get('[data-testid="deletion-confirm"]').setValue('Account A')
    await wrapper.get('[data-testid="deletion-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/deletion')[0]?.body).toEqual({ confirm_name: 'Account A' })
    expect(wrapper.get('[data-testid="deletion-scheduled"]').text()).toContain('2026')
    await wrapper.get('[data-testid="deletion-cancel"]').trigger('click')
    await flushPromises()
    expect(hub.calls('DELETE /api/v1/accounts/A/deletion')).toHaveLength(1)
    expect(wrapper.find('[data-testid="deletion-form"]').exists()).toBe(true)
  })
})
