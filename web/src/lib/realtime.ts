/**
 * The client side of the hub's realtime protocol (docs/api.md, "Realtime"), free of any domain:
 * the Kanban subscribes to "board:<id>" and the internal chat to its rooms through the same client.
 *
 * - Connecting mints a single-use ticket with the page's current credentials (the caller's
 *   mintTicket, through the API client and its auth provider), then opens
 *   GET api/v1/realtime?ticket=… as a WebSocket.
 * - Each topic is subscribed with the last sequence it applied (`last_seq`); the server replays
 *   what was missed, then answers `subscribed` with the sequence it now covers. Events of a topic
 *   reach its handler once each, in sequence order: a sequence at or below the topic's last is a
 *   replayed duplicate and is dropped. Sequences are per account, so a topic sees gaps: normal.
 * - `resync` (the last sequence is older than the server keeps) asks the topic's owner to reload
 *   its snapshot, which says which sequence it covers; the topic is then subscribed from there.
 * - A closed or silent socket (no message, not even the server's ping, for idleTimeoutMs) is
 *   reopened with exponential backoff and jitter, and every topic resumes from its own last
 *   sequence. Going offline closes it at once; coming back online reconnects at once.
 * - A ticket refused for good (401, 403, 404: the session ended, the permission or the feature
 *   is gone) stops the client in state "failed".
 */

export type ConnectionState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline' | 'failed'

/** One event as the server sends it. */
export interface RealtimeEvent<T = unknown> {
  seq: number
  event: string
  account_id: string
  topic: string
  data: T
}

/** A refusal the server sends for a topic (or for the connection, without topic). */
export interface RealtimeError {
  code: string
  message: string
  topic?: string
}

export interface TopicHandlers {
  /** Each event once, in sequence order. */
  onEvent(event: RealtimeEvent): void
  /**
   * The server can no longer replay from the topic's last sequence: reload the snapshot and
   * resolve the sequence it covers (the topic resumes from there). A rejection closes the socket
   * and the next connection tries again.
   */
  onResync(): Promise<number>
  /** The subscription is live and covers every event up to seq. */
  onLive?(seq: number): void
  /** The server refused the topic (not found, forbidden, feature disabled). */
  onError?(error: RealtimeError): void
  /** An ephemeral event of the topic (typing, presence): never stored, never replayed. */
  onEphemeral?(event: { event: string; data: unknown }): void
}

export interface Subscription {
  readonly topic: string
  /** The last sequence applied (or covered), or null before any. */
  readonly lastSeq: number | null
  readonly live: boolean
  close(): void
}

/** The part of the browser's WebSocket the client uses. */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
  onerror: ((ev: unknown) => void) | null
}

/** Online/offline as the browser reports it. */
export interface Connectivity {
  isOnline(): boolean
  /** Calls onChange(online) on every change; returns the unsubscribe function. */
  subscribe(onChange: (online: boolean) => void): () => void
}

export interface RealtimeOptions {
  /** POST api/v1/realtime/tickets with the page's credentials; resolves the ticket. */
  mintTicket(): Promise<string>
  /** The WebSocket URL for a ticket. */
  socketURL(ticket: string): string
  createSocket?: (url: string) => SocketLike
  connectivity?: Connectivity | null
  /** First reconnect delay (500 ms), doubled per failed attempt up to maxDelayMs (30 s). */
  initialDelayMs?: number
  maxDelayMs?: number
  /** Fraction of a delay taken off at random (0.3), so clients do not reconnect in step. */
  jitter?: number
  random?: () => number
  /** A socket that says nothing this long is dead (75 s: the server pings every 30 s). */
  idleTimeoutMs?: number
  /** Whether a mintTicket failure is final; default: an HTTP status of 401, 403 or 404. */
  isFatal?(error: unknown): boolean
}

const OPEN = 1
/** Close code the client uses for a socket it gives up on (the application range is 4000–4999). */
const CLIENT_CLOSE = 4900

interface TopicState {
  topic: string
  handlers: TopicHandlers
  lastSeq: number | null
  live: boolean
  /** A resync reload is running: events and subscribes wait for its sequence. */
  resyncing: boolean
  refused: boolean
  closed: boolean
}

function defaultFatal(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status
  return status === 401 || status === 403 || status === 404
}

function browserConnectivity(): Connectivity | null {
  if (typeof window === 'undefined' || typeof navigator === 'undefined') return null
  return {
    isOnline: () => navigator.onLine !== false,
    subscribe(onChange) {
      const on = () => onChange(true)
      const off = () => onChange(false)
      window.addEventListener('online', on)
      window.addEventListener('offline', off)
      return () => {
        window.removeEventListener('online', on)
        window.removeEventListener('offline', off)
      }
    },
  }
}

export class RealtimeClient {
  private readonly opts: Required<Omit<RealtimeOptions, 'connectivity' | 'createSocket'>> & {
    createSocket: (url: string) => SocketLike
    connectivity: Connectivity | null
  }
  private readonly topics = new Map<string, TopicState>()
  private readonly listeners = new Set<(state: ConnectionState) => void>()
  private socket: SocketLike | null = null
  private current: ConnectionState = 'idle'
  private attempt = 0
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private idleTimer: ReturnType<typeof setTimeout> | null = null
  /** Bumped whenever a connection attempt is abandoned, so late answers are ignored. */
  private generation = 0
  private started = false
  private stopConnectivity: (() => void) | null = null
  private lastErrorValue: unknown = null

  constructor(options: RealtimeOptions) {
    this.opts = {
      mintTicket: options.mintTicket,
      socketURL: options.socketURL,
      createSocket: options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
      connectivity: options.connectivity === undefined ? browserConnectivity() : options.connectivity,
      initialDelayMs: options.initialDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      jitter: options.jitter ?? 0.3,
      random: options.random ?? Math.random,
      idleTimeoutMs: options.idleTimeoutMs ?? 75_000,
      isFatal: options.isFatal ?? defaultFatal,
    }
  }

  get state(): ConnectionState {
    return this.current
  }

  /** Why the last connection attempt failed, when it did. */
  get lastError(): unknown {
    return this.lastErrorValue
  }

  /** Calls fn with every state change; returns the unsubscribe function. */
  onState(fn: (state: ConnectionState) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /**
   * Follows a topic from lastSeq (the sequence the caller's snapshot covers; null for "from
   * now"). Connects on the first subscription.
   */
  subscribe(topic: string, lastSeq: number | null, handlers: TopicHandlers): Subscription {
    const previous = this.topics.get(topic)
    if (previous) previous.closed = true // replaced: its handlers hear nothing more
    const st: TopicState = { topic, handlers, lastSeq, live: false, resyncing: false, refused: false, closed: false }
    this.topics.set(topic, st)
    if (!this.started) this.start()
    else if (this.isOpen()) this.sendSubscribe(st)
    const client = this
    return {
      topic,
      get lastSeq() {
        return st.lastSeq
      },
      get live() {
        return st.live
      },
      close() {
        if (client.topics.get(topic) === st) client.unsubscribe(topic)
      },
    }
  }

  /** Opens the connection now (a retry waiting for its delay goes at once). */
  reconnectNow(): void {
    if (this.current === 'failed') this.started = false
    if (!this.started) {
      this.start()
      return
    }
    if (this.isOpen()) return
    this.clearRetry()
    this.attempt = 0
    this.connect()
  }

  /**
   * Sends an ephemeral event on a topic (typing, presence) when the socket is open; dropped
   * otherwise, as ephemeral events may be.
   */
  publish(topic: string, event: string, data: unknown): boolean {
    if (!this.isOpen() || !this.topics.get(topic)?.live) return false
    this.send({ type: 'publish', topic, event, data })
    return true
  }

  /** Closes the connection and forgets every topic. */
  stop(): void {
    this.started = false
    this.generation++
    this.clearRetry()
    this.clearIdle()
    this.stopConnectivity?.()
    this.stopConnectivity = null
    for (const st of this.topics.values()) st.closed = true
    this.topics.clear()
    this.dropSocket()
    this.setState('idle')
  }

  // ---- connection ----------------------------------------------------------------------------

  private start(): void {
    this.started = true
    this.stopConnectivity ??= this.opts.connectivity?.subscribe((online) => this.onConnectivity(online)) ?? null
    if (this.opts.connectivity && !this.opts.connectivity.isOnline()) {
      this.setState('offline')
      return
    }
    this.attempt = 0
    this.connect()
  }

  private isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN
  }

  private async connect(): Promise<void> {
    const gen = ++this.generation
    this.dropSocket()
    this.setState(this.attempt === 0 && this.current !== 'reconnecting' ? 'connecting' : 'reconnecting')
    let ticket: string
    try {
      ticket = await this.opts.mintTicket()
    } catch (err) {
      if (gen !== this.generation) return
      this.lastErrorValue = err
      if (this.opts.isFatal(err)) {
        this.started = false
        this.stopConnectivity?.()
        this.stopConnectivity = null
        this.setState('failed')
        return
      }
      this.scheduleRetry()
      return
    }
    if (gen !== this.generation) return
    let socket: SocketLike
    try {
      socket = this.opts.createSocket(this.opts.socketURL(ticket))
    } catch (err) {
      this.lastErrorValue = err
      this.scheduleRetry()
      return
    }
    this.socket = socket
    socket.onopen = () => {
      if (gen !== this.generation) return
      this.touch()
      for (const st of this.topics.values()) {
        st.live = false
        if (!st.resyncing && !st.refused) this.sendSubscribe(st)
      }
      this.updateLiveState()
    }
    socket.onmessage = (ev) => {
      if (gen !== this.generation) return
      this.touch()
      this.onMessage(ev.data)
    }
    socket.onerror = () => {
      // A close event follows; it decides what happens next.
    }
    socket.onclose = (ev) => {
      if (gen !== this.generation) return
      this.socket = null
      this.clearIdle()
      for (const st of this.topics.values()) st.live = false
      this.lastErrorValue = { code: ev.code, reason: ev.reason }
      if (!this.started) return
      if (this.opts.connectivity && !this.opts.connectivity.isOnline()) {
        this.setState('offline')
        return
      }
      this.scheduleRetry()
    }
  }

  private scheduleRetry(): void {
    this.clearRetry()
    if (!this.started) return
    const base = Math.min(this.opts.maxDelayMs, this.opts.initialDelayMs * 2 ** this.attempt)
    const delay = Math.round(base * (1 - this.opts.jitter * this.opts.random()))
    this.attempt++
    this.setState('reconnecting')
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      void this.connect()
    }, delay)
  }

  private onConnectivity(online: boolean): void {
    if (!this.started) return
    if (!online) {
      this.generation++
      this.clearRetry()
      this.clearIdle()
      this.dropSocket()
      for (const st of this.topics.values()) st.live = false
      this.setState('offline')
      return
    }
    if (this.isOpen()) return
    this.clearRetry()
    this.attempt = 0
    void this.connect()
  }

  private dropSocket(): void {
    const s = this.socket
    this.socket = null
    if (!s) return
    s.onopen = s.onmessage = s.onerror = s.onclose = null
    try {
      s.close(CLIENT_CLOSE, 'client closed')
    } catch {
      // already closed
    }
  }

  /** The server's pings and every message prove the socket alive; silence kills it. */
  private touch(): void {
    this.clearIdle()
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      const s = this.socket
      if (!s) return
      this.socket = null
      s.onopen = s.onmessage = s.onerror = s.onclose = null
      try {
        s.close(CLIENT_CLOSE, 'no message from the server')
      } catch {
        // already closed
      }
      for (const st of this.topics.values()) st.live = false
      this.scheduleRetry()
    }, this.opts.idleTimeoutMs)
  }

  private clearIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    this.retryTimer = null
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return
    this.current = state
    for (const fn of [...this.listeners]) fn(state)
  }

  private updateLiveState(): void {
    if (!this.isOpen()) return
    const waiting = [...this.topics.values()].some((st) => !st.live && !st.refused)
    if (!waiting) {
      this.attempt = 0
      this.setState('live')
    } else if (this.current !== 'reconnecting') {
      this.setState('connecting')
    }
  }

  private send(message: unknown): void {
    if (!this.isOpen()) return
    try {
      this.socket?.send(JSON.stringify(message))
    } catch {
      // The close event follows.
    }
  }

  private sendSubscribe(st: TopicState): void {
    const msg: { type: 'subscribe'; topics: string[]; last_seq?: number } = { type: 'subscribe', topics: [st.topic] }
    if (st.lastSeq !== null) msg.last_seq = st.lastSeq
    this.send(msg)
  }

  private unsubscribe(topic: string): void {
    const st = this.topics.get(topic)
    if (!st) return
    st.closed = true
    this.topics.delete(topic)
    this.send({ type: 'unsubscribe', topics: [topic] })
    if (this.topics.size === 0) this.stop()
    else this.updateLiveState()
  }

  // ---- messages ------------------------------------------------------------------------------

  private onMessage(raw: unknown): void {
    if (typeof raw !== 'string') return
    let msg: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(raw)
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return
      msg = parsed as Record<string, unknown>
    } catch {
      return
    }
    switch (msg.type) {
      case 'event':
        this.onEvent(msg)
        break
      case 'subscribed':
        this.onSubscribed(msg)
        break
      case 'resync':
        this.onResyncMessage(msg)
        break
      case 'error':
        this.onError(msg)
        break
      case 'ephemeral': {
        const st = typeof msg.topic === 'string' ? this.topics.get(msg.topic) : undefined
        if (st && !st.closed && typeof msg.event === 'string') st.handlers.onEphemeral?.({ event: msg.event, data: msg.data })
        break
      }
      case 'unsubscribed':
        // Without a code it answers our own unsubscribe; with one, the server ended the topic
        // (its permission is gone): the owner hears it like a refusal.
        if (typeof msg.code === 'string') {
          for (const st of this.topicsOf(msg)) this.onError({ type: 'error', topic: st.topic, code: msg.code, message: msg.message })
        }
        break
      default:
        // ping, pong, ephemeral events of other features: proof of life only
        break
    }
  }

  private topicsOf(msg: Record<string, unknown>): TopicState[] {
    const names = Array.isArray(msg.topics) ? msg.topics : []
    const out: TopicState[] = []
    for (const name of names) {
      const st = typeof name === 'string' ? this.topics.get(name) : undefined
      if (st) out.push(st)
    }
    return out
  }

  private onEvent(msg: Record<string, unknown>): void {
    const { seq, topic } = msg
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || typeof topic !== 'string' || typeof msg.event !== 'string') return
    const st = this.topics.get(topic)
    if (!st || st.resyncing || st.closed) return
    if (st.lastSeq !== null && seq <= st.lastSeq) return // replayed twice, or already in the snapshot
    st.lastSeq = seq
    st.handlers.onEvent({ seq, topic, event: msg.event, account_id: String(msg.account_id ?? ''), data: msg.data })
  }

  private onSubscribed(msg: Record<string, unknown>): void {
    const seq = typeof msg.seq === 'number' && Number.isSafeInteger(msg.seq) ? msg.seq : null
    for (const st of this.topicsOf(msg)) {
      if (st.resyncing) continue
      if (seq !== null && (st.lastSeq === null || seq > st.lastSeq)) st.lastSeq = seq
      st.live = true
      st.refused = false
      st.handlers.onLive?.(st.lastSeq ?? 0)
    }
    this.updateLiveState()
  }

  private onResyncMessage(msg: Record<string, unknown>): void {
    for (const st of this.topicsOf(msg)) {
      if (st.resyncing) continue
      st.resyncing = true
      st.live = false
      const gen = this.generation
      st.handlers.onResync().then(
        (seq) => {
          if (st.closed) return
          st.resyncing = false
          st.lastSeq = Number.isSafeInteger(seq) ? seq : null
          if (gen === this.generation && this.isOpen()) this.sendSubscribe(st)
        },
        () => {
          if (st.closed) return
          st.resyncing = false
          // Try again on a new connection, after the backoff.
          if (gen === this.generation && this.socket) {
            this.dropSocket()
            this.scheduleRetry()
          }
        },
      )
    }
    this.updateLiveState()
  }

  private onError(msg: Record<string, unknown>): void {
    const error: RealtimeError = {
      code: typeof msg.code === 'string' ? msg.code : 'ERROR',
      message: typeof msg.message === 'string' ? msg.message : '',
    }
    if (typeof msg.topic === 'string' && msg.topic !== '') {
      const st = this.topics.get(msg.topic)
      if (!st) return
      st.refused = true
      st.live = false
      st.handlers.onError?.({ ...error, topic: msg.topic })
      this.updateLiveState()
      return
    }
    // A failure of the connection itself (an internal error during a subscribe): start over.
    if (error.code === 'INTERNAL' && this.socket) {
      this.dropSocket()
      this.scheduleRetry()
    }
  }
}
