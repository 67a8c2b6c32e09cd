import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountUser } from '@/api/users'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, noContent, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

const LAST_ADMIN = 'an account needs at least one admin'
let unmount: (() => void) | undefined

function row(id: string, email: string, role: string): AccountUser {
  return { id, email, name: email.split('@')[0] ?? '', role, status: 'active', created_at: '2026-01-01T00:00:00Z' }
}

async function openUsers() {
  const users: AccountUser[] = [row('u1', 'ana@example.com', 'admin'), row('u2', 'bia@example.com', 'agent')]
  const mounted = await mountApp('/accounts/A/users', {
    ...sessionRoutes(me(user(), [membership('A', 'admin')])),
    'GET /api/v1/accounts/A/users': () => json({ data: users, pagination: { has_more: false } }),
    'POST /api/v1/accounts/A/users': (req) => {
      const body = req.body as { email: string; name: string; role: string }
      if (body.email === 'taken@example.com') {
        users.push({ ...row('u3', body.email, body.role), status: 'invited' })
        return json({ id: 'u3', email: body.email, name: body.name, role: body.role, status: 'invited' }, 201)
      }
      return envelope(400, 'VALIDATION_ERROR', 'invalid input', {
        details: [{ field: 'password', message: 'passwords need at least 10 characters, must not be your email and must not be a common password' }],
      })
    },
    'PATCH /api/v1/accounts/A/users/u1': () => envelope(409, 'CONFLICT', LAST_ADMIN),
    'PATCH /api/v1/accounts/A/users/u2': (req) => json({ ...row('u2', 'bia@example.com', (req.body as { role: string }).role) }),
    'DELETE /api/v1/accounts/A/users/u1': () => envelope(409, 'CONFLICT', LAST_ADMIN),
    'DELETE /api/v1/accounts/A/users/u2': () => noContent(),
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('UsersPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('lists the users with a role select per row', async () => {
    const { wrapper } = await openUsers()
    expect(wrapper.find('[data-testid="users-table"]').exists()).toBe(true)
    const ana = wrapper.get('[data-testid="user-row-ana@example.com"]')
    expect((ana.get('[data-testid="user-role"]').element as HTMLSelectElement).value).toBe('admin')
  })

  it('changes a role', async () => {
    const { wrapper, hub } = await openUsers()
    await wrapper.get('[data-testid="user-row-bia@example.com"] [data-testid="user-role"]').setValue('supervisor')
    await flushPromises()
    expect(hub.calls('PATCH /api/v1/accounts/A/users/u2')[0]?.body).toEqual({ role: 'supervisor' })
    expect((wrapper.get('[data-testid="user-row-bia@example.com"] [data-testid="user-role"]').element as HTMLSelectElement).value).toBe('supervisor')
  })

  it('shows the conflict and puts the role back when the last admin would be demoted', async () => {
    const { wrapper } = await openUsers()
    await wrapper.get('[data-testid="user-row-ana@example.com"] [data-testid="user-role"]').setValue('agent')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toContain(LAST_ADMIN)
    expect((wrapper.get('[data-testid="user-row-ana@example.com"] [data-testid="user-role"]').element as HTMLSelectElement).value).toBe('admin')
  })

  it('removes a user after confirmation, and explains a refused removal', async () => {
    const { wrapper, hub } = await openUsers()
    await wrapper.get('[data-testid="user-row-bia@example.com"] [data-testid="user-remove"]').trigger('click')
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click')
    await flushPromises()
    expect(hub.calls('DELETE /api/v1/accounts/A/users/u2')).toHaveLength(1)
    expect(wrapper.find('[data-testid="user-row-bia@example.com"]').exists()).toBe(false)

    await wrapper.get('[data-testid="user-row-ana@example.com"] [data-testid="user-remove"]').trigger('click')
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain(LAST_ADMIN)
    expect(wrapper.find('[data-testid="user-row-ana@example.com"]').exists()).toBe(true)
  })

  it('invites an existing hub user and reports the password rule for a new one', async () => {
    const { wrapper, hub } = await openUsers()
    await wrapper.get('[data-testid="invite-email"]').setValue('new@example.com')
    await wrapper.get('[data-testid="invite-name"]').setValue('New')
    await wrapper.get('[data-testid="invite-password"]').setValue('short')
    await wrapper.get('[data-testid="invite-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="invite-form"]').text()).toContain('passwords need at least 10 characters')

    await wrapper.get('[data-testid="invite-email"]').setValue('taken@example.com')
    await wrapper.get('[data-testid="invite-role"]').setValue('supervisor')
    await wrapper.get('[data-testid="invite-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/users').at(-1)?.body).toMatchObject({ email: 'taken@example.com', name: 'New', role: 'supervisor' })
    expect(wrapper.get('[data-testid="invite-done"]').text()).toContain('was invited')
    expect(wrapper.find('[data-testid="user-row-taken@example.com"]').exists()).toBe(true)
  })
})
