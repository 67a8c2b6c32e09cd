import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { json, routeFetch } from '@/testing/fakeFetch'
import { setupPlugins } from '@/testing/mountApp'
import StatusPage from './StatusPage.vue'

const VERSION = { version: 'v0.1.0', commit: 'abc1234', go: 'go1.26.8' }

async function mountStatus(fetch: typeof globalThis.fetch, locale: 'en' | 'pt-BR' = 'en') {
  const { plugins } = setupPlugins(fetch, locale)
  const wrapper = mount(StatusPage, { global: { plugins } })
  await flushPromises()
  return wrapper
}

describe('StatusPage', () => {
  let unmount: (() => void) | undefined
  afterEach(() => {
    unmount?.()
    vi.useRealTimers()
  })

  it('shows a ready hub with its checks and version', async () => {
    const { fetch, calls } = routeFetch({
      '/readyz': json({
        status: 'ok',
        checks: { database: 'ok', migrations: 'ok', jobs: 'ok' },
        version: 'v0.1.0',
      }),
      '/api/v1/version': json(VERSION),
    })
    const wrapper = await mountStatus(fetch)
    unmount = () => wrapper.unmount()

    expect(calls.map((c) => c.url).sort()).toEqual(['/api/v1/version', '/readyz'])
    const overall = wrapper.get('[data-testid="status-overall"]')
    expect(overall.attributes('data-status')).toBe('ok')
    expect(overall.text()).toContain('Operational')
    for (const name of ['database', 'migrations', 'jobs']) {
      expect(wrapper.get(`[data-testid="status-check-${name}"]`).attributes('data-status')).toBe('ok')
    }
    expect(wrapper.get('[data-testid="status-check-database"]').text()).toContain('Database')
    const version = wrapper.get('[data-testid="hub-version"]')
    expect(version.text()).toContain('v0.1.0')
    expect(version.text()).toContain('abc1234')
    expect(version.text()).toContain('go1.26.8')
  })

  it('shows an unavailable hub (503) and the failing check with its reason', async () => {
    const { fetch } = routeFetch({
      '/readyz': json(
        {
          status: 'unavailable',
          checks: { database: 'error: connection refused', migrations: 'ok', jobs: 'ok' },
          version: 'v0.1.0',
        },
        503,
      ),
      '/api/v1/version': json(VERSION),
    })
    const wrapper = await mountStatus(fetch, 'pt-BR')
    unmount = () => wrapper.unmount()

    const overall = wrapper.get('[data-testid="status-overall"]')
    expect(overall.attributes('data-status')).toBe('unavailable')
    expect(overall.text()).toContain('Indisponível')
    const database = wrapper.get('[data-testid="status-check-database"]')
    expect(database.attributes('data-status')).toBe('error')
    expect(database.text()).toContain('Banco de dados')
    expect(database.text()).toContain('Erro')
    expect(database.text()).toContain('connection refused')
    expect(wrapper.get('[data-testid="status-check-migrations"]').attributes('data-status')).toBe('ok')
  })

  it('shows an unreachable hub and the request id of the failure', async () => {
    const { fetch } = routeFetch({
      '/readyz': new Response('upstream down', { status: 502, headers: { 'X-Request-Id': 'req-9' } }),
      '/api/v1/version': json({ error: { code: 'INTERNAL', message: 'boom', request_id: 'req-10' } }, 500),
    })
    const wrapper = await mountStatus(fetch)
    unmount = () => wrapper.unmount()

    const overall = wrapper.get('[data-testid="status-overall"]')
    expect(overall.attributes('data-status')).toBe('unreachable')
    expect(overall.text()).toContain('req-9')
    expect(wrapper.find('[data-testid^="status-check-"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="hub-version"]').text()).toContain('Version unavailable.')
    expect(wrapper.get('[data-testid="hub-version"]').text()).toContain('req-10')
  })

  it('refreshes every 10 seconds while mounted and stops when left', async () => {
    vi.useFakeTimers()
    let ready = true
    const { fetch, calls } = routeFetch({
      '/readyz': () =>
        ready
          ? json({ status: 'ok', checks: { database: 'ok' } })
          : json({ status: 'unavailable', checks: { database: 'error: gone' } }, 503),
      '/api/v1/version': json(VERSION),
    })
    const wrapper = await mountStatus(fetch)
    const readyzCalls = () => calls.filter((c) => c.url === '/readyz').length
    expect(readyzCalls()).toBe(1)

    ready = false
    await vi.advanceTimersByTimeAsync(9_000)
    expect(readyzCalls()).toBe(1)
    await vi.advanceTimersByTimeAsync(1_000)
    await flushPromises()
    expect(readyzCalls()).toBe(2)
    expect(wrapper.get('[data-testid="status-overall"]').attributes('data-status')).toBe('unavailable')

    wrapper.unmount()
    await vi.advanceTimersByTimeAsync(30_000)
    expect(readyzCalls()).toBe(2)
  })
})
