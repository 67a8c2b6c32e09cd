/**
 * A long operation shows that it runs (the button busy and disabled, a sentence saying what the
 * hub is doing) and ends with its result or its error.
 */
import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, user, type HubRoutes } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

const page = () => json({ data: [], pagination: { has_more: false } })
let unmount: (() => void) | undefined

/** A response held until release() is called. */
function held() {
  let release: (r: Response) => void = () => undefined
  const answer = new Promise<Response>((resolve) => (release = resolve))
  return { answer, release: (r: Response) => release(r) }
}

async function open(path: string, routes: HubRoutes) {
  const mounted = await mountApp(path, { ...sessionRoutes(me(user(), [membership('A', 'admin')])), ...routes })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('long operations', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('a new provider says its credentials are being checked, then that it was added', async () => {
    const probe = held()
    const { wrapper } = await open('/accounts/A/providers', {
      'GET /api/v1/accounts/A/providers': page,
      'POST /api/v1/accounts/A/providers': () => probe.answer,
    })
    await wrapper.get('[data-testid="provider-name"]').setValue('Evo')
    await wrapper.get('[data-testid="provider-base-url"]').setValue('https://evo.example.com')
    await wrapper.get('[data-testid="provider-api-key"]').setValue('evo-key-123')
    await wrapper.get('[data-testid="provider-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="provider-checking"]').text()).toBe('Checking the credentials with the provider…')
    const button = wrapper.get('[data-testid="provider-create"]')
    expect(button.attributes('aria-busy')).toBe('true')
    expect(button.attributes('disabled')).toBeDefined()

    probe.release(
      json(
        { id: 'p1', account_id: 'A', name: 'Evo', type: 'evolution', base_url: 'https://evo.example.com', webhook_url: '', health_status: 'healthy', health_details: '', last_checked_at: null, created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z' },
        201,
      ),
    )
    await flushPromises()
    expect(wrapper.find('[data-testid="provider-checking"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="provider-created"]').text()).toContain('Evo')
  })

  it('a Chatwoot link says the token is being checked, then shows the refusal', async () => {
    const check = held()
    const { wrapper } = await open('/accounts/A/chatwoot', {
      'GET /api/v1/accounts/A/chatwoot': () => json({ linked: false, allowed_origins: [], webhook_secret_set: false, url_token_enabled: false, webhook_installed: false, dashboard_app_installed: false }),
      'PUT /api/v1/accounts/A/chatwoot': () => check.answer,
    })
    await wrapper.get('#chatwoot-base-url').setValue('https://chat.example.com')
    await wrapper.get('#chatwoot-account-id').setValue('3')
    await wrapper.get('#chatwoot-token').setValue('cw-token-123')
    await wrapper.get('[data-testid="chatwoot-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="chatwoot-checking"]').text()).toBe('Checking the access token with Chatwoot…')
    expect(wrapper.get('[data-testid="chatwoot-save"]').attributes('aria-busy')).toBe('true')

    check.release(envelope(502, 'UPSTREAM_ERROR', 'chatwoot answered 401'))
    await flushPromises()
    expect(wrapper.find('[data-testid="chatwoot-checking"]').exists()).toBe(false)
    expect(wrapper.find('[role="alert"]').exists()).toBe(true)
  })

  it('a bulk replay of dead letters spins while it runs and says how many went back', async () => {
    const replay = held()
    let dead = [{ id: 'w1', instance_id: 'n1', lane: 'in:n1:1', kind: 'inbound', attempts: 12, last_error: 'HTTP 422', payload: {}, created_at: '2026-03-01T00:00:00Z', died_at: '2026-03-01T00:05:00Z' }]
    const { wrapper } = await open('/accounts/A/gateway', {
      'GET /api/v1/accounts/A/gateway/numbers': () => json({ data: [] }),
      'GET /api/v1/accounts/A/gateway/dead-letters': () => json({ data: dead, pagination: { has_more: false } }),
      'GET /api/v1/accounts/A/provider-instances': page,
      'POST /api/v1/accounts/A/gateway/dead-letters/replay': () => replay.answer,
    })
    await wrapper.get('[data-testid="gateway-replay-all"]').trigger('click')
    await flushPromises()
    const all = wrapper.get('[data-testid="gateway-replay-all"]')
    expect(all.attributes('aria-busy')).toBe('true')
    expect(wrapper.get('[data-testid="gateway-replay-w1"]').attributes('disabled')).toBeDefined()

    dead = []
    replay.release(json({ replayed: 3 }))
    await flushPromises()
    expect(wrapper.get('[data-testid="gateway-replayed"]').text()).toBe('3 dead letters went back to the queue.')
    expect(wrapper.find('[data-testid="empty-state"][data-empty="gateway-dead"]').exists()).toBe(true)
  })

  it('a refused replay keeps the list and says why', async () => {
    const { wrapper } = await open('/accounts/A/gateway', {
      'GET /api/v1/accounts/A/gateway/numbers': () => json({ data: [] }),
      'GET /api/v1/accounts/A/gateway/dead-letters': () =>
        json({ data: [{ id: 'w1', instance_id: 'n1', lane: 'l', kind: 'inbound', attempts: 1, last_error: 'x', payload: {}, created_at: '2026-03-01T00:00:00Z', died_at: '2026-03-01T00:05:00Z' }], pagination: { has_more: false } }),
      'GET /api/v1/accounts/A/provider-instances': page,
      'POST /api/v1/accounts/A/gateway/dead-letters/w1/replay': () => envelope(409, 'CONFLICT', 'already replayed'),
    })
    await wrapper.get('[data-testid="gateway-replay-w1"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="gateway-replayed"]').exists()).toBe(false)
    expect(wrapper.find('[role="alert"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="error-state"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-testid="gateway-dead-row"]')).toHaveLength(1)
  })
})
