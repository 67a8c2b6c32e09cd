import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Provider } from '@/api/providers'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, noContent, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

const API_KEY = 'evo-global-key-7f3a9c'
const ACCESS_TOKEN = 'EAAG-cloud-token-55'
const APP_SECRET = 'meta-app-secret-91'
let unmount: (() => void) | undefined

function provider(overrides: Partial<Provider> = {}): Provider {
  return {
    id: 'p1',
    account_id: 'A',
    name: 'Evo',
    type: 'evolution',
    base_url: 'https://evo.example.com',
    webhook_url: 'https://hub.example.com/webhooks/providers/p1?token=t',
    health_status: 'unknown',
    health_details: '',
    last_checked_at: null,
    created_at: '2026-03-01T00:00:00Z',
    updated_at: '2026-03-01T00:00:00Z',
    ...overrides,
  }
}

async function openProviders(initial: Provider[] = []) {
  const rows = [...initial]
  const mounted = await mountApp('/accounts/A/providers', {
    ...sessionRoutes(me(user(), [membership('A', 'admin')])),
    'GET /api/v1/accounts/A/providers': () => json({ data: rows, pagination: { has_more: false } }),
    'POST /api/v1/accounts/A/providers': (req) => {
      const body = req.body as { type: string; name: string; base_url: string; credentials: { api_key?: string } }
      if (body.credentials.api_key === 'wrong-key') return envelope(422, 'UNPROCESSABLE', 'the provider refused the credentials')
      if (body.base_url === 'https://nowhere.example.com')
        return envelope(502, 'UPSTREAM_ERROR', 'the provider could not be reached or answered unexpectedly: dial tcp: connection refused')
      const created = provider({
        id: `p${rows.length + 1}`,
        name: body.name,
        type: body.type,
        base_url: body.base_url,
        ...(body.type === 'cloud_api' ? { verify_token: 'wpv_verify_abc' } : {}),
      })
      rows.push(created)
      return json(created, 201)
    },
    'PATCH /api/v1/accounts/A/providers/p1': (req) => json({ ...rows[0], ...(req.body as object) }),
    'POST /api/v1/accounts/A/providers/p1/test': () => json({ status: 'healthy', latency_ms: 42, details: 'Evolution 2.3.0' }),
    'DELETE /api/v1/accounts/A/providers/p1': () => envelope(409, 'CONFLICT', 'the provider still has 1 number(s); delete them first'),
    'DELETE /api/v1/accounts/A/providers/p2': () => noContent(),
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('ProvidersPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('sends write-only credentials once and never renders them back', async () => {
    const { wrapper, hub } = await openProviders()
    const key = wrapper.get('[data-testid="provider-api-key"]')
    expect(key.attributes('type')).toBe('password')
    expect(key.attributes('autocomplete')).toBe('new-password')
    await wrapper.get('[data-testid="provider-name"]').setValue('Evo')
    await wrapper.get('[data-testid="provider-base-url"]').setValue('https://evo.example.com')
    await key.setValue(API_KEY)
    await wrapper.get('[data-testid="provider-form"]').trigger('submit')
    await flushPromises()

    expect(hub.calls('POST /api/v1/accounts/A/providers')[0]?.body).toEqual({
      type: 'evolution',
      name: 'Evo',
      base_url: 'https://evo.example.com',
      credentials: { api_key: API_KEY },
    })
    expect(wrapper.findAll('[data-testid="provider-row"]')).toHaveLength(1)
    expect((wrapper.get('[data-testid="provider-api-key"]').element as HTMLInputElement).value).toBe('')
    expect(document.body.innerHTML).not.toContain(API_KEY)

    // Editing starts with empty credential fields and keeps the stored ones unless replaced.
    await wrapper.get('[data-testid="provider-edit"]').trigger('click')
    const editKey = wrapper.get('[data-testid="provider-edit-api-key"]')
    expect((editKey.element as HTMLInputElement).value).toBe('')
    expect(editKey.attributes('type')).toBe('password')
    await wrapper.get('[data-testid="provider-edit-name"]').setValue('Evo 2')
    await wrapper.get('#provider-edit-form').trigger('submit')
    await flushPromises()
    expect(hub.calls('PATCH /api/v1/accounts/A/providers/p1')[0]?.body).toEqual({ name: 'Evo 2' })
    expect(wrapper.find('[data-testid="provider-edit-dialog"]').exists()).toBe(false)
  })

  it('asks the Cloud API for its token and app secret, and shows the verify token for Meta', async () => {
    const { wrapper, hub } = await openProviders()
    await wrapper.get('[data-testid="provider-type"]').setValue('cloud_api')
    expect(wrapper.find('[data-testid="provider-api-key"]').exists()).toBe(false)
    await wrapper.get('[data-testid="provider-name"]').setValue('Meta')
    await wrapper.get('[data-testid="provider-base-url"]').setValue('https://graph.facebook.com')
    await wrapper.get('[data-testid="provider-access-token"]').setValue(ACCESS_TOKEN)
    await wrapper.get('[data-testid="provider-app-secret"]').setValue(APP_SECRET)
    await wrapper.get('[data-testid="provider-form"]').trigger('submit')
    await flushPromises()

    expect(hub.calls('POST /api/v1/accounts/A/providers')[0]?.body).toMatchObject({
      type: 'cloud_api',
      credentials: { access_token: ACCESS_TOKEN, app_secret: APP_SECRET },
    })
    expect((wrapper.get('[data-testid="provider-verify-token"]').element as HTMLInputElement).value).toBe('wpv_verify_abc')
    expect(document.body.innerHTML).not.toContain(ACCESS_TOKEN)
    expect(document.body.innerHTML).not.toContain(APP_SECRET)
  })

  it('tests a provider and shows its health and latency', async () => {
    const { wrapper } = await openProviders([provider()])
    expect(wrapper.get('[data-testid="provider-health"]').attributes('data-health')).toBe('unknown')
    await wrapper.get('[data-testid="provider-test"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="provider-health"]').attributes('data-health')).toBe('healthy')
    expect(wrapper.get('[data-testid="provider-test-result"]').text()).toContain('42 ms')
    expect(wrapper.get('[data-testid="provider-health-details"]').text()).toContain('Evolution 2.3.0')
  })

  it('saves a provider only once its server accepted the credentials, and says why not in words', async () => {
    const { wrapper, hub } = await openProviders()
    await wrapper.get('[data-testid="provider-name"]').setValue('Evo')
    await wrapper.get('[data-testid="provider-base-url"]').setValue('https://evo.example.com')
    await wrapper.get('[data-testid="provider-api-key"]').setValue('wrong-key')
    await wrapper.get('[data-testid="provider-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="provider-error"]').text()).toBe('The provider refused these credentials. Nothing was saved.')
    expect(wrapper.findAll('[data-testid="provider-row"]')).toHaveLength(0)

    await wrapper.get('[data-testid="provider-base-url"]').setValue('https://nowhere.example.com')
    await wrapper.get('[data-testid="provider-api-key"]').setValue('right-key')
    await wrapper.get('[data-testid="provider-form"]').trigger('submit')
    await flushPromises()
    const notice = wrapper.get('[data-testid="provider-error"]').text()
    expect(notice).toBe('The server did not answer as this provider. Check the URL; nothing was saved.')
    expect(notice).not.toContain('dial tcp')
    expect(hub.calls('POST /api/v1/accounts/A/providers')).toHaveLength(2)
  })

  it('shows why a provider with numbers cannot be deleted', async () => {
    const { wrapper, hub } = await openProviders([provider()])
    await wrapper.get('[data-testid="provider-delete"]').trigger('click')
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click')
    await flushPromises()
    expect(hub.calls('DELETE /api/v1/accounts/A/providers/p1')).toHaveLength(1)
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain('the provider still has 1 number(s); delete them first')
    expect(wrapper.findAll('[data-testid="provider-row"]')).toHaveLength(1)
  })

  it('is read-only without providers:write', async () => {
    const who = me(user(), [membership('A', 'agent', { permissions: ['account:read', 'providers:read'] })])
    const mounted = await mountApp('/accounts/A/providers', {
      ...sessionRoutes(who),
      'GET /api/v1/accounts/A/providers': () => json({ data: [provider()], pagination: { has_more: false } }),
    })
    unmount = () => mounted.wrapper.unmount()
    expect(mounted.wrapper.find('[data-testid="provider-form"]').exists()).toBe(false)
    expect(mounted.wrapper.find('[data-testid="provider-test"]').exists()).toBe(false)
    expect(mounted.wrapper.findAll('[data-testid="provider-row"]')).toHaveLength(1)
  })
})
