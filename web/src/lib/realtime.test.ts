import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RealtimeClient, type Connectivity, type RealtimeEvent, type RealtimeOptions, type SocketLike, type TopicHandlers } from './realtime'

/** A WebSocket the test drives: it records what the client sends and plays the server. */
class FakeSocket implements SocketLike {
  readyState = 0
  sent: Record<string, unknown>[] = []
  closedWith: number | null = null
  onopen: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  onclose: ((ev: { code: number; reason: string }) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  constructor(readonly url: string) {}

  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>)
  }
  close(code = 1000) {
    this.closedWith = code
    this.readyState = 3
  }
  open() {
    this.readyState = 1
    this.onopen?.({})
  }
  receive(message: unknown) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) })
  }
  /** The server or the network ends the connection. */
  drop(code = 1006) {
    this.readyState = 3
    this.onclose?.({ code, reason: '' })
  }
  subscribes() {
    return this.sent.filter((m) => m.type === 'subscribe')
  }
}

function fakeConnectivity(online = true) {
  let state = online
  const listeners = new Set<(online: boolean) => void>()
  const c: Connectivity = {
    isOnline: () => state,
    subscribe(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
  }
  return {
    connectivity: c,
    set(next: boolean) {
      state = next
      listeners.forEach((fn) => fn(next))
    },
  }
}

function setup(options: Partial<RealtimeOptions> = {}) {
  const sockets: FakeSocket[] = []
  let tickets = 0
  const mintTicket = vi.fn(async () => `wpt_${++tickets}`)
  const net = fakeConnectivity()
  const client = new RealtimeClient({
    mintTicket,
    socketURL: (t) => `ws://hub.test/api/v1/realtime?ticket=${t}`,
    createSocket: (url) => {
      const s = new FakeSocket(url)
      sockets.push(s)
      return s
    },
    connectivity: net.connectivity,
    random: () => 0, // no jitter: delays are exact
    ...options,
  })
  const states: string[] = []
  client.onState((s) => states.push(s))
  return { client, sockets, mintTicket, net, states, last: () => sockets.at(-1)! }
}

function recorder(resync: () => Promise<number> = () => Promise.resolve(0)) {
  const events: RealtimeEvent[] = []
  const live: number[] = []
  const handlers: TopicHandlers = {
    onEvent: (e) => events.push(e),
    onResync: vi.fn(resync),
    onLive: (seq) => live.push(seq),
    onError: vi.fn(),
  }
  return { handlers, events, live, seqs: () => events.map((e) => e.seq) }
}

const event = (seq: number, topic = 'board:b1', name = 'card.moved') => ({ type: 'event', seq, event: name, account_id: 'a1', topic, data: { n: seq } })

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('connecting and subscribing', () => {
  it('mints a ticket, opens the socket with it and subscribes from the snapshot sequence', async () => {
    const { client, sockets, mintTicket, states, last } = setup()
    const rec = recorder()
    const sub = client.subscribe('board:b1', 41, rec.handlers)
    await vi.advanceTimersByTimeAsync(0)
    expect(mintTicket).toHaveBeenCalledOnce()
    expect(sockets).toHaveLength(1)
    expect(last().url).toBe('ws://hub.test/api/v1/realtime?ticket=wpt_1')
    last().open()
    expect(last().subscribes()).toEqual([{ type: 'subscribe', topics: ['board:b1'], last_seq: 41 }])
    expect(client.state).toBe('connecting')

    last().receive({ type: 'subscribed', topics: ['board:b1'], seq: 45 })
    expect(client.state).toBe('live')
    expect(sub.live).toBe(true)
    expect(sub.lastSeq).toBe(45)
    expect(rec.live).toEqual([45])
    expect(states).toEqual(['connecting', 'live'])
    client.stop()
  })

  it('subscribes without last_seq when the caller has none, and a later topic on the open socket', async () => {
    const { client, last } = setup()
    client.subscribe('board:b1', null, recorder().handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().open()
    client.subscribe('board:b2', 7, recorder().handlers)
    expect(last().subscribes()).toEqual([
      { type: 'subscribe', topics: ['board:b1'] },
      { type: 'subscribe', topics: ['board:b2'], last_seq: 7 },
    ])
    client.stop()
  })

  it('unsubscribes, and closes the socket with the last topic', async () => {
    const { client, last } = setup()
    const a = client.subscribe('board:b1', 1, recorder().handlers)
    const b = client.subscribe('board:b2', 1, recorder().handlers)
    await vi.advanceTimersByTimeAsync(0)
    const socket = last()
    socket.open()
    a.close()
    expect(socket.sent.at(-1)).toEqual({ type: 'unsubscribe', topics: ['board:b1'] })
    expect(socket.closedWith).toBeNull()
    b.close()
    expect(socket.closedWith).not.toBeNull()
    expect(client.state).toBe('idle')
  })
})

describe('ordering', () => {
  it('applies each event once, in sequence order, dropping replayed duplicates', async () => {
    const { client, last } = setup()
    const rec = recorder()
    client.subscribe('board:b1', 10, rec.handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().open()
    // Replay after 10, then live; the server may send an event the snapshot already had.
    for (const seq of [9, 10, 11, 13, 13, 12, 17]) last().receive(event(seq))
    last().receive({ type: 'subscribed', topics: ['board:b1'], seq: 17 })
    last().receive(event(17))
    last().receive(event(18))
    expect(rec.seqs()).toEqual([11, 13, 17, 18])
    expect(rec.events[0]).toMatchObject({ event: 'card.moved', topic: 'board:b1', account_id: 'a1', data: { n: 11 } })
    client.stop()
  })

  it('keeps topics apart: each has its own last sequence', async () => {
    const { client, last } = setup()
    const a = recorder()
    const b = recorder()
    client.subscribe('board:a', 5, a.handlers)
    client.subscribe('board:b', 20, b.handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().open()
    last().receive(event(21, 'board:b'))
    last().receive(event(6, 'board:a')) // older than b's, newer than a's: a needs it
    last().receive(event(22, 'board:c')) // not subscribed
    expect(a.seqs()).toEqual([6])
    expect(b.seqs()).toEqual([21])
    client.stop()
  })

  it('ignores what is not a well-formed event', async () => {
    const { client, last } = setup()
    const rec = recorder()
    client.subscribe('board:b1', null, rec.handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().open()
    last().receive('not json')
    last().receive('[1,2]')
    last().receive({ type: 'event', seq: '3', event: 'x.y', topic: 'board:b1' })
    last().receive({ type: 'event', seq: 3.5, event: 'x.y', topic: 'board:b1' })
    last().receive({ type: 'ping' })
    last().receive(event(4))
    expect(rec.seqs()).toEqual([4])
    client.stop()
  })
})

describe('resume and resync', () => {
  it('reconnects after a drop and resumes every topic from its last applied sequence', async () => {
    const { client, sockets, last, mintTicket } = setup()
    const rec = recorder()
    client.subscribe('board:b1', 3, rec.handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().open()
    last().receive({ type: 'subscribed', topics: ['board:b1'], seq: 3 })
    last().receive(event(4))
    last().receive(event(6))
    last().drop()
    expect(client.state).toBe('reconnecting')

    await vi.advanceTimersByTimeAsync(500)
    expect(mintTicket).toHaveBeenCalledTimes(2) // a ticket is single use
    expect(sockets).toHaveLength(2)
    last().open()
    expect(last().subscribes()).toEqual([{ type: 'subscribe', topics: ['board:b1'], last_seq: 6 }])
    // The server replays what came while the socket was down; 6 again is dropped.
    for (const seq of [6, 7, 8]) last().receive(event(seq))
    last().receive({ type: 'subscribed', topics: ['board:b1'], seq: 8 })
    expect(rec.seqs()).toEqual([4, 6, 7, 8])
    expect(client.state).toBe('live')
    client.stop()
  })

  it('reloads on resync and subscribes again from the sequence of the new snapshot', async () => {
    const { client, last } = setup()
    let finish!: (seq: number) => void
    const rec = recorder(() => new Promise<number>((resolve) => (finish = resolve)))
    client.subscribe('board:b1', 2, rec.handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().open()
    last().receive({ type: 'resync', topics: ['board:b1'] })
    expect(rec.handlers.onResync).toHaveBeenCalledOnce()
    // Events while the snapshot reloads are not the snapshot's business: dropped.
    last().receive(event(90))
    finish(100)
    await vi.advanceTimersByTimeAsync(0)
    expect(last().subscribes()).toEqual([
      { type: 'subscribe', topics: ['board:b1'], last_seq: 2 },
      { type: 'subscribe', topics: ['board:b1'], last_seq: 100 },
    ])
    last().receive({ type: 'subscribed', topics: ['board:b1'], seq: 101 })
    last().receive(event(101))
    last().receive(event(102))
    expect(rec.seqs()).toEqual([102])
    expect(client.state).toBe('live')
    client.stop()
  })

  it('tries the resync again on a new connection when the reload fails', async () => {
    const { client, sockets, last } = setup()
    let calls = 0
    const rec = recorder(() => (++calls === 1 ? Promise.reject(new Error('offline')) : Promise.resolve(50)))
    client.subscribe('board:b1', 2, rec.handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().open()
    last().receive({ type: 'resync', topics: ['board:b1'] })
    await vi.advanceTimersByTimeAsync(0)
    expect(sockets[0]?.closedWith).not.toBeNull()
    await vi.advanceTimersByTimeAsync(500)
    last().open()
    expect(last().subscribes()).toEqual([{ type: 'subscribe', topics: ['board:b1'], last_seq: 2 }])
    last().receive({ type: 'resync', topics: ['board:b1'] })
    await vi.advanceTimersByTimeAsync(0)
    expect(last().subscribes().at(-1)).toEqual({ type: 'subscribe', topics: ['board:b1'], last_seq: 50 })
    client.stop()
  })

  it('hands a refused topic to its owner and does not wait for it', async () => {
    const { client, last } = setup()
    const refused = recorder()
    const fine = recorder()
    client.subscribe('board:gone', 1, refused.handlers)
    client.subscribe('board:b1', 1, fine.handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().open()
    last().receive({ type: 'error', topic: 'board:gone', code: 'NOT_FOUND', message: 'not found' })
    last().receive({ type: 'subscribed', topics: ['board:b1'], seq: 1 })
    expect(refused.handlers.onError).toHaveBeenCalledWith({ code: 'NOT_FOUND', message: 'not found', topic: 'board:gone' })
    expect(client.state).toBe('live')
    client.stop()
  })
})

describe('topics the server ends', () => {
  it('tells the owner when a topic loses its permission, and ignores the answer to its own unsubscribe', async () => {
    const { client, last } = setup()
    const rec = recorder()
    client.subscribe('board:b1', 1, rec.handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().open()
    last().receive({ type: 'subscribed', topics: ['board:b1'], seq: 1 })
    last().receive({ type: 'unsubscribed', topics: ['board:b1'] })
    expect(rec.handlers.onError).not.toHaveBeenCalled()
    last().receive({ type: 'unsubscribed', topics: ['board:b1'], code: 'NOT_FOUND', message: 'the board is hidden' })
    expect(rec.handlers.onError).toHaveBeenCalledWith({ code: 'NOT_FOUND', message: 'the board is hidden', topic: 'board:b1' })
    client.stop()
  })
})

describe('reconnect backoff', () => {
  it('doubles the delay per failed attempt up to the maximum, with jitter taken off', async () => {
    const { client, sockets, mintTicket } = setup({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5, random: () => 0.5 })
    client.subscribe('board:b1', 1, recorder().handlers)
    await vi.advanceTimersByTimeAsync(0)
    // Each socket fails before it opens: 100, 200, 400, 800, 1000, 1000 ms, each × 0.75.
    const delays: number[] = []
    for (let i = 0; i < 6; i++) {
      sockets.at(-1)!.drop()
      const before = sockets.length
      let waited = 0
      while (sockets.length === before) {
        await vi.advanceTimersByTimeAsync(1)
        waited++
      }
      delays.push(waited)
    }
    expect(delays).toEqual([75, 150, 300, 600, 750, 750])
    expect(mintTicket).toHaveBeenCalledTimes(7)
    client.stop()
  })

  it('starts again from the first delay once a connection went live', async () => {
    const { client, sockets, last } = setup({ initialDelayMs: 100 })
    client.subscribe('board:b1', 1, recorder().handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().drop()
    await vi.advanceTimersByTimeAsync(100)
    last().drop()
    await vi.advanceTimersByTimeAsync(200)
    last().open()
    last().receive({ type: 'subscribed', topics: ['board:b1'], seq: 1 })
    last().drop()
    await vi.advanceTimersByTimeAsync(99)
    expect(sockets).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(1)
    expect(sockets).toHaveLength(4)
    client.stop()
  })

  it('retries a ticket the hub could not mint, and stops for good on a refusal', async () => {
    let answer: () => Promise<string> = () => Promise.reject(Object.assign(new Error('network'), { status: 0 }))
    const mint = vi.fn(() => answer())
    const { client, sockets } = setup({ mintTicket: mint })
    client.subscribe('board:b1', 1, recorder().handlers)
    await vi.advanceTimersByTimeAsync(0)
    expect(client.state).toBe('reconnecting')
    answer = () => Promise.reject(Object.assign(new Error('ended'), { status: 401 }))
    await vi.advanceTimersByTimeAsync(500)
    expect(client.state).toBe('failed')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(sockets).toHaveLength(0)
    expect(mint).toHaveBeenCalledTimes(2)
    client.stop()
  })

  it('treats a silent socket as dead', async () => {
    const { client, sockets, last } = setup({ idleTimeoutMs: 1000 })
    client.subscribe('board:b1', 1, recorder().handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().open()
    await vi.advanceTimersByTimeAsync(900)
    last().receive({ type: 'ping' })
    await vi.advanceTimersByTimeAsync(900)
    expect(sockets).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(100)
    expect(sockets[0]?.closedWith).not.toBeNull()
    expect(client.state).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(500)
    expect(sockets).toHaveLength(2)
    client.stop()
  })

  it('closes at once when the browser goes offline and reconnects as soon as it is back', async () => {
    const { client, sockets, last, net } = setup()
    const rec = recorder()
    client.subscribe('board:b1', 1, rec.handlers)
    await vi.advanceTimersByTimeAsync(0)
    last().open()
    last().receive({ type: 'subscribed', topics: ['board:b1'], seq: 1 })
    last().receive(event(2))
    net.set(false)
    expect(client.state).toBe('offline')
    expect(sockets[0]?.closedWith).not.toBeNull()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(sockets).toHaveLength(1) // no retries while offline
    net.set(true)
    await vi.advanceTimersByTimeAsync(0)
    expect(sockets).toHaveLength(2)
    last().open()
    expect(last().subscribes()).toEqual([{ type: 'subscribe', topics: ['board:b1'], last_seq: 2 }])
    client.stop()
  })

  it('waits for the network when it starts offline', async () => {
    const { client, sockets, net } = setup()
    net.set(false)
    client.subscribe('board:b1', 1, recorder().handlers)
    await vi.advanceTimersByTimeAsync(5000)
    expect(client.state).toBe('offline')
    expect(sockets).toHaveLength(0)
    net.set(true)
    await vi.advanceTimersByTimeAsync(0)
    expect(sockets).toHaveLength(1)
    client.stop()
  })
})
