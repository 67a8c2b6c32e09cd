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

function hubWithStatuses(statuses: NumberConnection[]) {
  let polls = 0
  let connected = false
  const hub = fakeHub({
    'GET /api/v1/accounts/A/provider-instances': () =>
      json({
        data: [number(connected ? { status: 'connected', phone_number: '+5511999990000', profile_name: 'Loja' } : {})],
        pagination: { has_more: false },
      }),
    'POST /api/v1/accounts/A/provider-instances/n1/connect': () => json({ status: 'connecting', pending: true }, 202),
    'GET /api/v1/accounts/A/provider-instances/n1/qr': () => {
      const state = statuses[Math.min(polls++, statuses.length - 1)]!
      connected = state.status === 'connected'
      return json(state)
    },
  })
  setupPlugins(hub.fetch)
  return hub
}

const QR_CALLS = 'GET /api/v1/accounts/A/provider-instances/n1/qr'

describe('numbers store: connecting', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }))
  afterEach(() => vi.useRealTimers())

  it('answers at once, shows the QR code when it arrives and stops polling once connected, dropping the code', async () => {
    const hub = hubWithStatuses([
      { status: 'connecting', pending: true },
      { status: 'qr_required', qr_code: QR, pairing_code: 'ABCD-1234' },
      { status: 'qr_required', qr_code: QR, pairing_code: 'ABCD-1234' },
      { status: 'connected', phone_number: '+5511999990000', profile_name: 'Loja' },
    ])
    const store = useNumbersStore()
    await store.load('A')
    await store.connect('n1')
    expect(store.connecting?.connection).toMatchObject({ status: 'connecting', pending: true })
    expect(store.connecting?.connection.qr_code).toBeUndefined()

    // The connect answer is the first state: nothing is asked before an interval passes.
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS - 1)
    expect(hub.calls(QR_CALLS)).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(hub.calls(QR_CALLS)).toHaveLength(1)
    expect(store.connecting?.connection.qr_code).toBeUndefined()
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS)
    expect(store.connecting?.connection).toMatchObject({ status: 'qr_required', qr_code: QR, pairing_code: 'ABCD-1234' })
    expect(store.numbers[0]?.status).toBe('qr_required')
    expect(store.connected).toBe(false)

    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS * 2)
    expect(store.connected).toBe(true)
    expect(store.connecting?.connection.qr_code).toBeUndefined()
    expect(store.connecting?.connection).toMatchObject({ phone_number: '+5511999990000', profile_name: 'Loja' })
    expect(store.numbers[0]).toMatchObject({ status: 'connected', phone_number: '+5511999990000', profile_name: 'Loja' })

    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS * 10)
    expect(hub.calls(QR_CALLS)).toHaveLength(4)
  })

  it('ends the attempt at the QR limit, with the reason, and stops polling', async () => {
    const hub = hubWithStatuses([
      { status: 'qr_required', qr_code: QR },
      { status: 'disconnected', disconnect_reason: 'qr_limit', details: 'no QR code was scanned' },
    ])
    const store = useNumbersStore()
    await store.load('A')
    await store.connect('n1')
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS * 2)
    expect(store.connecting?.connection).toMatchObject({ status: 'disconnected', disconnect_reason: 'qr_limit' })
    expect(store.connecting?.connection.qr_code).toBeUndefined()
    expect(store.numbers[0]).toMatchObject({ status: 'disconnected', disconnect_reason: 'qr_limit' })
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS * 10)
    expect(hub.calls(QR_CALLS)).toHaveLength(2)
  })

  it('stops polling when the dialog closes', async () => {
    const hub = hubWithStatuses([{ status: 'connecting', pending: true }])
    const store = useNumbersStore()
    await store.load('A')
    await store.connect('n1')
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS)
    store.closeConnect()
    expect(store.connecting).toBeNull()
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS * 10)
    expect(hub.calls(QR_CALLS)).toHaveLength(1)
  })

  it('disconnects a number without deleting it', async () => {
    const hub = fakeHub({
      'GET /api/v1/accounts/A/provider-instances': () => json({ data: [number({ status: 'connected' })], pagination: { has_more: false } }),
      'POST /api/v1/accounts/A/provider-instances/n1/logout': () => json(number({ status: 'disconnected', disconnect_reason: 'hub_logout' })),
    })
    setupPlugins(hub.fetch)
    const store = useNumbersStore()
    await store.load('A')
    await store.logout('n1')
    expect(hub.calls('POST /api/v1/accounts/A/provider-instances/n1/logout')).toHaveLength(1)
    expect(store.numbers).toHaveLength(1)
    expect(store.numbers[0]).toMatchObject({ status: 'disconnected', disconnect_reason: 'hub_logout' })
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
    expect(hub.calls(QR_CALLS)).toHaveLength(0)
  })
})
