import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { json, routeFetch } from '@/testing/fakeFetch'
import { setupPlugins } from '@/testing/mountApp'
import { useFeaturesStore } from './features'

describe('features store', () => {
  it('offers no gated page while the flags are read, then only the pages whose feature is on', async () => {
    let answer: ((r: Response) => void) | undefined
    const { fetch } = routeFetch({
      '/api/v1/features?account_id=acc-1': () => new Promise<Response>((resolve) => (answer = resolve)),
    })
    setupPlugins(fetch)
    const flags = useFeaturesStore()
    const pending = flags.ensure('acc-1')
    expect(flags.offers('acc-1', 'kanban')).toBe(false)
    expect(flags.offers('acc-1', undefined)).toBe(true)
    await vi.waitFor(() => expect(answer).toBeDefined())
    answer!(json({ account_id: 'acc-1', features: { kanban: false, internal_chat: true } }))
    await pending
    expect(flags.offers('acc-1', 'kanban')).toBe(false)
    expect(flags.offers('acc-1', 'internal_chat')).toBe(true)
  })

  it('hides nothing when the flags cannot be read (the hub still enforces them)', async () => {
    const { fetch } = routeFetch({ '/api/v1/features?account_id=acc-1': json({ error: { code: 'INTERNAL', message: 'x' } }, 500) })
    setupPlugins(fetch)
    const flags = useFeaturesStore()
    await flags.ensure('acc-1')
    await flushPromises()
    expect(flags.offers('acc-1', 'kanban')).toBe(true)
  })

  it('keeps what it knows while a plan change is read again', async () => {
    let second: ((r: Response) => void) | undefined
    let calls = 0
    const { fetch } = routeFetch({
      '/api/v1/features?account_id=acc-1': () => {
        calls++
        if (calls === 1) return json({ features: { kanban: true } })
        return new Promise<Response>((resolve) => (second = resolve))
      },
    })
    setupPlugins(fetch)
    const flags = useFeaturesStore()
    await flags.ensure('acc-1')
    const refreshing = flags.refresh('acc-1')
    expect(flags.offers('acc-1', 'kanban')).toBe(true)
    await vi.waitFor(() => expect(second).toBeDefined())
    second!(json({ features: { kanban: false } }))
    await refreshing
    expect(flags.offers('acc-1', 'kanban')).toBe(false)
  })
  it('keeps the newer answer when a first load answers after a plan change was read', async () => {
    const answers: ((r: Response) => void)[] = []
    const { fetch } = routeFetch({
      '/api/v1/features?account_id=acc-1': () => new Promise<Response>((resolve) => answers.push(resolve)),
    })
    setupPlugins(fetch)
    const flags = useFeaturesStore()
    const first = flags.ensure('acc-1')
    await vi.waitFor(() => expect(answers).toHaveLength(1))
    const second = flags.refresh('acc-1')
    await vi.waitFor(() => expect(answers).toHaveLength(2))
    answers[1]!(json({ account_id: 'acc-1', features: { kanban: true } }))
    await second
    answers[0]!(json({ account_id: 'acc-1', features: { kanban: false } }))
    await first
    expect(flags.allows('acc-1', 'kanban')).toBe(true)
  })
})
