import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Job, JobSummary } from '@/api/jobs'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { envelope, me, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

let unmount: (() => void) | undefined

const zero = { available: 0, scheduled: 0, pending: 0, running: 0, retryable: 0, discarded: 0, cancelled: 0, completed: 0 }
const summary: JobSummary = {
  data: [
    { kind: 'intake.process', counts: { ...zero, available: 3, retryable: 1, completed: 40 }, depth: 4 },
    { kind: 'inbox.sync', counts: { ...zero, discarded: 2 }, depth: 0 },
  ],
  totals: { ...zero, available: 3, retryable: 1, discarded: 2, completed: 40 },
}
const dead = (id: number): Job => ({
  id,
  kind: 'inbox.sync',
  state: 'discarded',
  attempt: 25,
  max_attempts: 25,
  account_id: 'acc-1',
  last_error: 'chatwoot answered 401',
  created_at: '2026-01-01T00:00:00Z',
  scheduled_at: '2026-01-01T00:00:00Z',
  attempted_at: '2026-01-01T01:00:00Z',
  finalized_at: '2026-01-01T01:00:00Z',
})

async function openJobs(empty = false) {
  const mounted = await mountApp('/jobs', {
    ...sessionRoutes(me(user({ super_admin: true }), [])),
    'GET /api/v1/job-kinds': () => json(empty ? { data: [], totals: zero } : summary),
    'GET /api/v1/jobs': () => json({ data: [dead(7), dead(8)], pagination: { has_more: false } }),
    'POST /api/v1/jobs/7/retry': () => json({ ...dead(7), state: 'available' }),
    'POST /api/v1/jobs/8/discard': () => envelope(409, 'CONFLICT', 'the job completed; there is nothing to discard'),
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('JobsPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('shows depth and dead jobs per kind, lists them, and retries one', async () => {
    const { wrapper, hub } = await openJobs()
    await flushPromises()
    const kinds = wrapper.findAll('[data-testid="job-kind"]')
    expect(kinds.map((k) => k.attributes('data-kind'))).toEqual(['intake.process', 'inbox.sync'])
    expect(kinds[0]!.get('[data-testid="job-depth"]').text()).toBe('4')
    await kinds[1]!.get('[data-testid="job-count-discarded"]').trigger('click')
    await flushPromises()
    expect(hub.calls('GET /api/v1/jobs')[0]?.query.get('state')).toBe('discarded')
    expect(hub.calls('GET /api/v1/jobs')[0]?.query.get('kind')).toBe('inbox.sync')
    const rows = wrapper.findAll('[data-testid="job-row"]')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.get('[data-testid="job-error"]').text()).toBe('chatwoot answered 401')
    await rows[0]!.get('[data-testid="job-retry"]').trigger('click')
    await flushPromises()
    expect(hub.calls('POST /api/v1/jobs/7/retry')).toHaveLength(1)
    expect(wrapper.findAll('[data-testid="job-row"]').map((r) => r.attributes('data-job-id'))).toEqual(['8'])
    await wrapper.get('[data-testid="job-discard"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="jobs-list"]').text()).toContain('nothing to discard')
    expect(wrapper.findAll('[data-testid="job-row"]')).toHaveLength(1)
  })

  it('says when jobs will appear on a fresh hub', async () => {
    const { wrapper } = await openJobs(true)
    await flushPromises()
    expect(wrapper.get('[data-testid="jobs-kinds"]').text()).toContain('link a Chatwoot account')
  })
})
