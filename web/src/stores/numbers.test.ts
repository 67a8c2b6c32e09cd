import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { NumberConnection, WhatsAppNumber } from '@/api/numbers'
import { json } from '@/testing/fakeFetch'
import { envelope, fakeHub } from '@/testing/fakeHub'
import { setupPlugins } from '@/testing/mountApp'
import { STATUS_POLL_MS, useNumbersStore } from './numbers'

const QR = 'data:image/png;base64,iVBORw0KGgo='

function number(overrides: Partial<WhatsAppNumber> = {}): WhatsAppNumber {
  return {
    id: 'n1',
    account_id: 'A',
    provider_id: 'p1',
    name: 'sales',
    phone_number_id: '',
    phone_number: '',
    display_name: '',
    status: 'disconnected',
    inbox_id: null,
    last_error: '',
    status_changed_at: '2026-03-01T00:00:00Z',
    created_at: '2026-03-01T00:00:00Z',
    updated_at: '2026-03-01T00:00:00Z',
    ...overrides,
  }
}

function hubWithStatuses(statuses: NumberConnection[]) {
  let polls = 0
  let connected = false
  const hub = fakeHub({
    'GET /api/v1/accounts/A/provider-instances': () =>
      json({ data: [number(connected ? { status: 'connected', phone_number: '5511999990000' } : {})], pagination: { has_more: false } }),
    'POST /api/v1/accounts/A/provider-instances/n1/connect': () => json({ status: 'qr_required', qr_code: QR, pairing_code: 'ABCD-1234' }),
    'GET /api/v1/accounts/A/provider-instances/n1/status': () => {
      const state = statuses[Math.min(polls++, statuses.length - 1)]!
      connected = state.status === 'connected'
      return json(state)
    },
  })
  setupPlugins(hub.fetch)
  return hub
}

describe('numbers store: connecting', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }))
  afterEach(() => vi.useRealTimers())

  it('holds the QR code, polls the status every 2 s and stops once connected, dropping the code', async () => {
    const hub = hubWithStatuses([{ status: 'connecting' }, { status: 'connecting' }, { status: 'connected' }])
    const store = useNumbersStore()
    await store.load('A')
    await store.connect('n1')
    expect(store.connecting?.connection).toMatchObject({ status: 'qr_required', qr_code: QR, pairing_code: 'ABCD-1234' })
    expect(store.numbers[0]?.status).toBe('qr_required')

    // The connect answer is the first state: nothing is asked before an interval passes.
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS - 1)
    expect(hub.calls('GET /api/v1/accounts/A/provider-instances/n1/status')).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(hub.calls('GET /api/v1/accounts/A/provider-instances/n1/status')).toHaveLength(1)
    // A status without a code keeps the code being shown.
    expect(store.connecting?.connection).toMatchObject({ status: 'connecting', qr_code: QR })
    expect(store.connected).toBe(false)

    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS * 2)
    expect(store.connected).toBe(true)
    expect(store.connecting?.connection.qr_code).toBeUndefined()
    expect(store.numbers[0]).toMatchObject({ status: 'connected', phone_number: '5511999990000' })

    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS * 10)
    expect(hub.calls('GET /api/v1/accounts/A/provider-instances/n1/status')).toHaveLength(3)
  })

  it('shows a fresh QR code when the status brings one', async () => {
    hubWithStatuses([{ status: 'qr_required', qr_code: 'data:image/png;base64,NEW=' }])
    const store = useNumbersStore()
    await store.load('A')
    await store.connect('n1')
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS)
    expect(store.connecting?.connection.qr_code).toBe('data:image/png;base64,NEW=')
  })

  it('stops polling when the dialog closes', async () => {
    const hub = hubWithStatuses([{ status: 'connecting' }])
    const store = useNumbersStore()
    await store.load('A')
    await store.connect('n1')
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS)
    store.closeConnect()
    expect(store.connecting).toBeNull()
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS * 10)
    expect(hub.calls('GET /api/v1/accounts/A/provider-instances/n1/status')).toHaveLength(1)
  })

  it('keeps a failed connect on the number instead of throwing', async () => {
    const hub = fakeHub({
      'GET /api/v1/accounts/A/provider-instances': () => json({ data: [number()], pagination: { has_more: false } }),
      'POST /api/v1/accounts/A/provider-instances/n1/connect': () => envelope(502, 'UPSTREAM_ERROR', 'the provider failed: the provider refused the credentials'),
    })
    setupPlugins(hub.fetch)
    const store = useNumbersStore()
    await store.load('A')
    await store.connect('n1')
    expect(store.connecting?.error?.message).toBe('the provider failed: the provider refused the credentials')
    expect(store.numbers[0]).toMatchObject({ status: 'error' })
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS * 5)
    expect(hub.calls('GET /api/v1/accounts/A/provider-instances/n1/status')).toHaveLength(0)
  })
})
