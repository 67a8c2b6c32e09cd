import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Inbox } from '@/api/inboxes'
import type { WhatsAppNumber } from '@/api/numbers'
import { useAuthStore } from '@/stores/auth'
import { STATUS_POLL_MS } from '@/stores/numbers'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, user, type HubRoutes } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

const QR = 'data:image/png;base64,iVBORw0KGgo='
let unmount: (() => void) | undefined

function number(overrides: Partial<WhatsAppNumber> = {}): WhatsAppNumber {
  return {
    id: 'n1',
    account_id: 'A',
    provider_id: 'p1',
    name: 'sales',
    phone_number_id: '',
    phone_number: '',
    display_name: '',
    profile_name: '',
    status: 'disconnected',
    disconnect_reason: '',
    qr_pending: false,
    inbox_id: null,
    inbox_state: '',
    last_error: '',
    status_changed_at: '2026-03-01T00:00:00Z',
    created_at: '2026-03-01T00:00:00Z',
    updated_at: '2026-03-01T00:00:00Z',
    ...overrides,
  }
}

const managedInbox: Inbox = {
  id: 'ib9',
  chatwoot_inbox_id: 9,
  name: 'WhatsApp sales',
  channel_type: 'Channel::Api',
  webhook_url: 'https://hub.example.com/webhooks/chatwoot/inboxes/ib9',
  avatar_url: '',
  managed: true,
  state: 'active',
  provider_instance_id: 'n1',
  first_seen_at: '2026-03-01T00:00:00Z',
  last_seen_at: '2026-03-01T00:00:00Z',
  removed_at: null,
}

async function openNumbers(extra: HubRoutes = {}, first: Partial<WhatsAppNumber> = {}) {
  let row = number(first)
  let polls = 0
  const mounted = await mountApp('/accounts/A/numbers', {
    ...sessionRoutes(me(user(), [membership('A', 'admin')])),
    'GET /api/v1/accounts/A/providers': () =>
      json({
        data: [
          { id: 'p1', name: 'Evo', type: 'evolution', base_url: 'https://evo.example.com', webhook_url: '', health_status: 'healthy', health_details: '', last_checked_at: null },
          { id: 'p2', name: 'Meta', type: 'cloud_api', base_url: 'https://graph.facebook.com', webhook_url: '', health_status: 'healthy', health_details: '', last_checked_at: null },
        ],
        pagination: { has_more: false },
      }),
    'GET /api/v1/accounts/A/provider-instances': () => json({ data: [row], pagination: { has_more: false } }),
    'GET /api/v1/accounts/A/inboxes': () => json({ data: [], pagination: { has_more: false } }),
    'POST /api/v1/accounts/A/provider-instances': () =>
      envelope(422, 'LIMIT_EXCEEDED', 'the plan allows 1 for max_provider_instances and 1 are used', {
        details: [{ field: 'max_provider_instances', message: 'limit reached', limit: 1, used: 1 }],
      }),
    'POST /api/v1/accounts/A/provider-instances/n1/connect': () => json({ status: 'connecting', pending: true }, 202),
    'GET /api/v1/accounts/A/provider-instances/n1/qr': () => {
      polls++
      if (polls < 2) return json({ status: 'qr_required', qr_code: QR, pairing_code: 'WZYX-9876' })
      if (polls < 3) return json({ status: 'qr_required', qr_code: QR, pairing_code: 'WZYX-9876' })
      row = number({ status: 'connected', phone_number: '+5511988887777', profile_name: 'Acme Vendas' })
      return json({ status: 'connected', phone_number: '+5511988887777', profile_name: 'Acme Vendas' })
    },
    'POST /api/v1/accounts/A/provider-instances/n1/logout': () => {
      row = number({ ...row, status: 'disconnected', disconnect_reason: 'hub_logout' })
      return json(row)
    },
    'POST /api/v1/accounts/A/provider-instances/n1/inbox': () => {
      row = { ...row, inbox_id: managedInbox.id }
      return json(managedInbox, 201)
    },
    ...extra,
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('NumbersPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    vi.useRealTimers()
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('tells a failed provider list apart from an account with no provider', async () => {
    const failed = await openNumbers({ 'GET /api/v1/accounts/A/providers': () => envelope(503, 'UNAVAILABLE', 'database unavailable') })
    expect(failed.wrapper.find('[data-testid="numbers-no-providers"]').exists()).toBe(false)
    expect(failed.wrapper.find('[data-testid="numbers-providers-loading"]').exists()).toBe(false)
    expect(failed.wrapper.find('[role="alert"]').exists()).toBe(true)
    failed.wrapper.unmount()
    unmount = undefined
    useAuthStore().dispose()

    const none = await openNumbers({ 'GET /api/v1/accounts/A/providers': () => json({ data: [], pagination: { has_more: false } }) })
    expect(none.wrapper.find('[data-testid="numbers-no-providers"]').exists()).toBe(true)
  })

  it('shows the plan limit and its use when a number would exceed it', async () => {
    const { wrapper, hub } = await openNumbers()
    await wrapper.get('[data-testid="number-name"]').setValue('support')
    await wrapper.get('[data-testid="number-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/provider-instances')[0]?.body).toEqual({ provider_id: 'p1', name: 'support' })
    const notice = wrapper.get('[data-testid="limit-exceeded"]')
    expect(notice.attributes()).toMatchObject({ 'data-limit': '1', 'data-used': '1' })
    expect(notice.text()).toContain('The plan allows 1 for WhatsApp numbers, and 1 are in use.')
  })

  it('asks for the phone number id on a Cloud API provider', async () => {
    const { wrapper, hub } = await openNumbers()
    expect(wrapper.find('[data-testid="number-phone-number-id"]').exists()).toBe(false)
    await wrapper.get('[data-testid="number-provider"]').setValue('p2')
    await wrapper.get('[data-testid="number-name"]').setValue('meta-1')
    await wrapper.get('[data-testid="number-phone-number-id"]').setValue('109876543210')
    await wrapper.get('[data-testid="number-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/provider-instances')[0]?.body).toEqual({ provider_id: 'p2', name: 'meta-1', phone_number_id: '109876543210' })
  })

  it('shows the QR code and pairing code when they arrive, then hides them once the phone connected', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { wrapper, hub } = await openNumbers()
    await wrapper.get('[data-testid="number-connect"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="qr-code"]').exists()).toBe(false)
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS)
    await flushPromises()
    const qr = wrapper.get('[data-testid="qr-code"]')
    expect(qr.attributes('src')).toBe(QR)
    expect(wrapper.get('[data-testid="pairing-code"]').text()).toBe('WZYX-9876')
    expect(wrapper.get('[data-testid="number-row"]').attributes('data-status')).toBe('qr_required')

    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS)
    await flushPromises()
    expect(wrapper.find('[data-testid="qr-code"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="number-connected"]').exists()).toBe(false)

    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS)
    await flushPromises()
    expect(wrapper.find('[data-testid="qr-code"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="number-connected"]').text()).toContain('Connected')
    expect(wrapper.get('[data-testid="number-row"]').attributes('data-status')).toBe('connected')
    expect(wrapper.get('[data-testid="number-phone"]').text()).toBe('Acme Vendas · +5511988887777')
    expect(wrapper.get('[data-testid="number-connected-as"]').text()).toBe('Acme Vendas · +5511988887777')
    expect(wrapper.find('[data-testid="number-connect"]').exists()).toBe(false)

    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS * 5)
    expect(hub.calls('GET /api/v1/accounts/A/provider-instances/n1/qr')).toHaveLength(3)
    await wrapper.get('[data-testid="number-connect-close"]').trigger('click')
    expect(wrapper.find('[data-testid="number-connect-dialog"]').exists()).toBe(false)
  })

  it("creates the number's Chatwoot inbox", async () => {
    const { wrapper, hub } = await openNumbers()
    await wrapper.get('[data-testid="number-create-inbox"]').trigger('click')
    await wrapper.get('[data-testid="number-inbox-name"]').setValue('WhatsApp sales')
    await wrapper.get('#number-inbox-form').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/provider-instances/n1/inbox')[0]?.body).toEqual({ name: 'WhatsApp sales' })
    expect(wrapper.find('[data-testid="number-inbox-dialog"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="number-inbox"]').text()).toBe('WhatsApp sales')
    expect(wrapper.find('[data-testid="number-create-inbox"]').exists()).toBe(false)
  })

  it('shows a plan limit on the inbox too', async () => {
    const { wrapper } = await openNumbers({
      'POST /api/v1/accounts/A/provider-instances/n1/inbox': () =>
        envelope(422, 'LIMIT_EXCEEDED', 'the plan allows 3 for max_inboxes and 3 are used', {
          details: [{ field: 'max_inboxes', message: 'limit reached', limit: 3, used: 3 }],
        }),
    })
    await wrapper.get('[data-testid="number-create-inbox"]').trigger('click')
    await wrapper.get('#number-inbox-form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="number-inbox-dialog"] [data-testid="limit-exceeded"]').text()).toContain('The plan allows 3 for Inboxes, and 3 are in use.')
  })

  it('warns admins of a number that dropped, with the reason, until it is back', async () => {
    const { wrapper } = await openNumbers({}, { status: 'disconnected', disconnect_reason: 'logged_out', last_error: 'code 401' })
    const banner = wrapper.get('[data-testid="numbers-dropped-banner"]')
    expect(banner.text()).toContain('Numbers not connected: 1')
    expect(wrapper.get('[data-testid="numbers-dropped-item"]').text()).toBe('sales: The WhatsApp session was logged out on the phone or by WhatsApp.')
    expect(wrapper.get('[data-testid="number-reason"]').attributes('data-reason')).toBe('logged_out')
  })

  it('disconnects a connected number without deleting it, and raises no alarm for it', async () => {
    const { wrapper, hub } = await openNumbers({}, { status: 'connected', phone_number: '+5511988887777' })
    expect(wrapper.find('[data-testid="numbers-dropped-banner"]').exists()).toBe(false)
    await wrapper.get('[data-testid="number-logout"]').trigger('click')
    await flushPromises()
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/provider-instances/n1/logout')).toHaveLength(1)
    expect(wrapper.get('[data-testid="number-row"]').attributes('data-status')).toBe('disconnected')
    expect(wrapper.get('[data-testid="number-reason"]').text()).toBe('Disconnected from the hub.')
    expect(wrapper.find('[data-testid="numbers-dropped-banner"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="number-logout"]').exists()).toBe(false)
  })
  it("edits the number's gateway settings: empty pacing fields are the hub's defaults, refused values are shown by field", async () => {
    const settings = {
      instance_id: 'n1',
      groups: 'contact',
      send_gap_ms: null,
      send_per_minute: 20,
      send_typing: null,
      defaults: { send_gap_ms: 1500, send_per_minute: 30, send_typing: true },
      effective: { send_gap_ms: 1500, send_per_minute: 20, send_typing: true },
      updated_at: null,
    }
    let refuse = true
    const { wrapper, hub } = await openNumbers({
      'GET /api/v1/accounts/A/gateway/numbers/n1/settings': () => json(settings),
      'PUT /api/v1/accounts/A/gateway/numbers/n1/settings': () =>
        refuse
          ? envelope(400, 'VALIDATION_ERROR', 'the request has invalid fields', {
              details: [{ field: 'send_gap_ms', code: 'out_of_range', params: { min: 0, max: 30000 }, message: 'must be a whole number of milliseconds from 0 to 30000' }],
            })
          : json({ ...settings, send_gap_ms: 800, send_per_minute: null, send_typing: false, groups: 'ignore' }),
    })
    await wrapper.get('[data-testid="number-settings"]').trigger('click')
    await flushPromises()
    const gap = wrapper.get<HTMLInputElement>('[data-testid="number-settings-gap"]')
    expect(gap.element.value).toBe('')
    expect(gap.attributes('placeholder')).toBe('Hub default (1500)')
    expect(wrapper.get<HTMLInputElement>('[data-testid="number-settings-rate"]').element.value).toBe('20')

    await gap.setValue('fast')
    await wrapper.get('#number-settings-form').trigger('submit')
    await flushPromises()
    expect(hub.calls('PUT /api/v1/accounts/A/gateway/numbers/n1/settings')).toHaveLength(0)
    expect(wrapper.get('[data-testid="number-settings-dialog"]').text()).toContain('Enter a whole number, or leave it empty for the default.')

    await gap.setValue('40000')
    await wrapper.get('#number-settings-form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="number-settings-dialog"]').text()).toContain('Enter milliseconds from 0 to 30000.')

    refuse = false
    await gap.setValue('800')
    await wrapper.get('[data-testid="number-settings-rate"]').setValue('')
    await wrapper.get('[data-testid="number-settings-typing"]').setValue('off')
    await wrapper.get('[data-testid="number-settings-groups"]').setValue('ignore')
    await wrapper.get('#number-settings-form').trigger('submit')
    await flushPromises()
    expect(hub.calls('PUT /api/v1/accounts/A/gateway/numbers/n1/settings').at(-1)?.body).toEqual({
      groups: 'ignore',
      send_gap_ms: 800,
      send_per_minute: null,
      send_typing: false,
    })
    expect(wrapper.find('[data-testid="number-settings-dialog"]').exists()).toBe(false)
  })
})
