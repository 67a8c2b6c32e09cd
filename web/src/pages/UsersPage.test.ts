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
  const waiting = { ...row('u9', 'wait@example.com', 'agent'), status: 'invited' }
  const mounted = await mountApp('/accounts/A/users', {
    ...sessionRoutes(me(user(), [membership('A', 'admin')])),
    'GET /api/v1/accounts/A/users': () => json({ data: [...users, waiting], pagination: { has_more: false } }),
    'POST /api/v1/accounts/A/users': (req) => {
      const body = req.body as { email: string; name: string; role: string }
      if (body.email === 'bad') return envelope(400, 'VALIDATION_ERROR', 'invalid input', { details: [{ field: 'email', message: 'must be an email address' }] })
      users.push({ ...row(`u${users.length + 1}`, body.email, body.role), status: 'invited' })
      const link = body.email === 'mailed@example.com' ? {} : { invitation_url: 'http://hub.test/invitation#token=wpa_once' }
      return json({ id: `u${users.length}`, email: body.email, name: body.name, role: body.role, status: 'invited',
        invitation_mailed: !('invitation_url' in link), ...link }, 201)
    },
    'POST /api/v1/accounts/A/users/u9/invitation': () =>
      json({ id: 'u9', email: 'wait@example.com', name: 'Wait', role: 'agent', status: 'invited', invitation_mailed: false,
        invitation_url: 'http://hub.test/invitation#token=wpa_again' }),
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

  it('invites without a password and shows the hand-over link once', async () => {
    const { wrapper, hub } = await openUsers()
    expect(wrapper.find('[data-testid="invite-password"]').exists()).toBe(false)
    await wrapper.get('[data-testid="invite-email"]').setValue('bad')
    await wrapper.get('[data-testid="invite-name"]').setValue('New')
    await wrapper.get('[data-testid="invite-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="invite-form"]').text()).toContain('must be an email address')

    await wrapper.get('[data-testid="invite-email"]').setValue('new@example.com')
    await wrapper.get('[data-testid="invite-role"]').setValue('supervisor')
    await wrapper.get('[data-testid="invite-form"]').trigger('submit')
    await flushPromises()
    const body = hub.calls('POST /api/v1/accounts/A/users').at(-1)?.body
    expect(body).toEqual({ email: 'new@example.com', name: 'New', role: 'supervisor' })
    expect(wrapper.get('[data-testid="invite-done"]').text()).toContain('hand them this link')
    expect((wrapper.get('input[data-testid="invite-link"]').element as HTMLInputElement).value).toBe('http://hub.test/invitation#token=wpa_once')
    expect(wrapper.find('[data-testid="user-row-new@example.com"]').exists()).toBe(true)
    // The list never carries links.
    expect(wrapper.get('[data-testid="users-table"]').text()).not.toContain('wpa_once')
  })

  it('says an invitation was mailed, and gives an invited member a new link', async () => {
    const { wrapper } = await openUsers()
    await wrapper.get('[data-testid="invite-email"]').setValue('mailed@example.com')
    await wrapper.get('[data-testid="invite-name"]').setValue('Mailed')
    await wrapper.get('[data-testid="invite-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="invite-done"]').text()).toContain('An invitation was sent to mailed@example.com')
    expect(wrapper.find('[data-testid="invite-link"]').exists()).toBe(false)

    await wrapper.get('[data-testid="user-row-wait@example.com"] [data-testid="user-reinvite"]').trigger('click')
    await flushPromises()
    expect((wrapper.get('input[data-testid="reinvite-link"]').element as HTMLInputElement).value).toBe('http://hub.test/invitation#token=wpa_again')
    expect(wrapper.find('[data-testid="user-row-bia@example.com"] [data-testid="user-reinvite"]').exists()).toBe(false)
  })
})
