import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPoller } from './poller'

describe('createPoller', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }))
  afterEach(() => vi.useRealTimers())

  it('runs now, then every interval after each run, until the tick answers true', async () => {
    let runs = 0
    const poller = createPoller(async () => ++runs >= 3, 1000)
    poller.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(runs).toBe(1)
    await vi.advanceTimersByTimeAsync(999)
    expect(runs).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(runs).toBe(2)
    await vi.advanceTimersByTimeAsync(1000)
    expect(runs).toBe(3)
    expect(poller.active).toBe(false)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(runs).toBe(3)
  })

  it('waits one interval first when asked to', async () => {
    let runs = 0
    createPoller(async () => (++runs, false), 500).start({ immediate: false })
    await vi.advanceTimersByTimeAsync(499)
    expect(runs).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(runs).toBe(1)
  })

  it('schedules nothing after a stop, even when a run was in flight', async () => {
    let release: (() => void) | undefined
    let runs = 0
    const poller = createPoller(() => {
      runs++
      return new Promise<boolean>((resolve) => (release = () => resolve(false)))
    }, 100)
    poller.start()
    await vi.advanceTimersByTimeAsync(0)
    poller.stop()
    release?.()
    await vi.advanceTimersByTimeAsync(1000)
    expect(runs).toBe(1)
    expect(poller.active).toBe(false)
  })

  it('ends the loop when a tick throws', async () => {
    let runs = 0
    const poller = createPoller(async () => {
      runs++
      throw new Error('boom')
    }, 100)
    poller.start()
    await vi.advanceTimersByTimeAsync(1000)
    expect(runs).toBe(1)
    expect(poller.active).toBe(false)
  })
})
