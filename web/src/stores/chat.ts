/**
 * The internal chat of one account, in the console and in the embedded panel alike: the people
 * directory, the viewer's rooms and their counts (the badge), the open room's messages, and the
 * `chat` realtime topic that keeps them current. A reconnect resumes from the last event applied
 * (edits and deletes replayed in order, applied by message id); a resync reads the room list and
 * the open room again. Sends are optimistic: the copy waits with its echo_id until the hub's
 * message replaces it, from the answer or the event, whichever comes first.
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import { ApiError } from '@/api/client'
import { ChatApi, type ChatAttachment, type ChatMessage, type ChatRoom, type Person, type RoomType } from '@/api/chat'
import { plainText } from '@/lib/chat/markdown'
import { ownStatus, parsePresence, presenceAt, type PresenceEntry, type PresenceStatus } from '@/lib/chat/presence'
import { applyRoomEvent, roomTitle, shouldNotify, sortRooms, totals as countTotals } from '@/lib/chat/rooms'
import {
  addPending,
  appendPage,
  emptyTimeline,
  items as timelineItems,
  newEchoId,
  prependPage,
  prune,
  removePending,
  setPage,
  setPendingState,
  upsert,
} from '@/lib/chat/timeline'
import { toApiError } from '@/lib/pagedList'
import type { RealtimeEvent, TopicHandlers } from '@/lib/realtime'

export const PAGE = 50
/** A typing indicator lapses this long after its last renewal. */
export const TYPING_TTL_MS = 6000
/** How long a presence holds until the hub says otherwise (the hub's ttl_seconds replaces it). */
export const PRESENCE_TTL_MS = 75_000
/** The most results one search reads at a time. */
export const SEARCH_PAGE = 20

export interface ChatRealtime {
  subscribe(topic: string, lastSeq: number | null, handlers: TopicHandlers): { close(): void }
  publish?(topic: string, event: string, data: unknown): boolean
}

/** Shows a browser notification; the page decides whether it may. */
export type Notifier = (n: { title: string; body: string; roomId: string; tag: string }) => void

export interface StartOptions {
  accountId: string
  userId: string
  realtime: ChatRealtime | null
  /** Null: this page does not notify (inside Chatwoot the dashboard script does). */
  notify?: Notifier | null
  /** Whether the page is being looked at (notifications for the open room only when it is not). */
  visible?: () => boolean
}

export type ChatStatus = 'idle' | 'loading' | 'ready' | 'disabled' | 'error'

export interface SendExtras {
  replyToId?: string
  mentionIds?: string[]
  attachments?: ChatAttachment[]
  conversationId?: number
}

export const useChatStore = defineStore('chat', () => {
  const accountId = ref<string | null>(null)
  const userId = ref<string | null>(null)
  const status = ref<ChatStatus>('idle')
  const error = shallowRef<ApiError | null>(null)
  const people = reactive(new Map<string, Person>())
  const rooms = reactive(new Map<string, ChatRoom>())
  const openRoomId = ref<string | null>(null)
  const timeline = reactive(emptyTimeline())
  const roomStatus = ref<'idle' | 'loading' | 'ready' | 'error' | 'gone'>('idle')
  const loadingOlder = ref(false)
  const loadingNewer = ref(false)
  const liveError = ref<string | null>(null)
  /** Who is typing, per room: user id → until (ms). */
  const typing = reactive(new Map<string, Map<string, number>>())
  /** Each person's presence (user id → status and until when it holds, on this page's clock). */
  const presence = reactive(new Map<string, PresenceEntry>())
  /** The open room's pinned messages, newest pin first. */
  const pins = ref<ChatMessage[]>([])
  const pinsStatus = ref<'idle' | 'loading' | 'ready' | 'error'>('idle')
  /** The search across the viewer's rooms: its words, results (newest first) and state. */
  const search = reactive({
    q: '',
    results: [] as ChatMessage[],
    cursor: '' as string,
    hasMore: false,
    status: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
  })
  /** Message ids the page should bring into view (a jump to a reply), bumped per jump. */
  const focus = ref<{ id: string; n: number } | null>(null)

  let chatApi: ChatApi | null = null
  let realtime: ChatRealtime | null = null
  let subscription: { close(): void } | null = null
  let notifier: Notifier | null = null
  let visible: () => boolean = () => typeof document === 'undefined' || document.visibilityState === 'visible'
  let generation = 0
  let roomGeneration = 0
  let searchGeneration = 0
  let presenceTTL = PRESENCE_TTL_MS
  let heartbeat: ReturnType<typeof setInterval> | null = null
  let announced: PresenceStatus | null = null

  const sortedRooms = computed(() => sortRooms([...rooms.values()]).filter((r) => !r.hidden || r.id === openRoomId.value || r.unread_count > 0))
  const totals = computed(() => countTotals(rooms.values()))
  const openRoom = computed(() => (openRoomId.value ? (rooms.get(openRoomId.value) ?? null) : null))
  const shown = computed(() => timelineItems(timeline))
  const peopleList = computed(() => [...people.values()].sort((a, b) => a.name.localeCompare(b.name)))

  function api(): ChatApi {
    if (!chatApi) throw new Error('chat store: not started')
    return chatApi
  }

  function title(room: ChatRoom): string {
    return roomTitle(room, userId.value ?? '', people)
  }

  function nameOf(id: string): string {
    return people.get(id)?.name ?? '?'
  }

  // ---- start, snapshot, resync ----------------------------------------------------------------

  async function loadRooms(gen: number): Promise<number | null> {
    const [list, dir] = await Promise.all([api().rooms(), api().people()])
    if (gen !== generation) return null
    people.clear()
    for (const p of dir.data) people.set(p.id, p)
    rooms.clear()
    for (const r of list.data) rooms.set(r.id, r)
    return list.seq
  }

  /** Starts (or restarts for another account) the chat: rooms first, then the topic from their seq. */
  async function start(options: StartOptions): Promise<void> {
    if (accountId.value === options.accountId && userId.value === options.userId && status.value !== 'idle' && status.value !== 'error') return
    stop()
    const gen = ++generation
    accountId.value = options.accountId
    userId.value = options.userId
    chatApi = new ChatApi(options.accountId)
    realtime = options.realtime
    notifier = options.notify ?? null
    if (options.visible) visible = options.visible
    status.value = 'loading'
    try {
      const seq = await loadRooms(gen)
      if (seq === null) return
      status.value = 'ready'
      subscribe(seq)
      void loadPresence(gen)
    } catch (err) {
      if (gen !== generation) return
      const e = toApiError(err)
      error.value = e
      status.value = e.status === 403 ? 'disabled' : 'error'
    }
  }

  function subscribe(seq: number): void {
    if (!realtime) return
    const gen = generation
    subscription = realtime.subscribe('chat', seq, {
      onEvent: (ev) => {
        if (gen === generation) applyEvent(ev)
      },
      onResync: () => resync(gen),
      onLive: () => {
        liveError.value = null
        if (gen === generation) {
          announced = null
          announce()
        }
      },
      onError: (e) => {
        if (gen === generation) liveError.value = e.code
      },
      onEphemeral: (ev) => {
        if (gen === generation) applyEphemeral(ev)
      },
    })
  }

  /** The hub can no longer replay what was missed: the rooms and the open room are read again. */
  async function resync(gen: number): Promise<number> {
    if (gen !== generation) throw new Error('chat closed')
    const seq = await loadRooms(gen)
    if (seq === null) throw new Error('chat closed')
    if (openRoomId.value) {
      const page = await api().messages(openRoomId.value, {}, PAGE)
      if (gen !== generation) throw new Error('chat closed')
      setPage(timeline, page)
      void loadPins(openRoomId.value, roomGeneration)
      return Math.min(seq, page.seq)
    }
    return seq
  }

  function stop(): void {
    if (announced && announced !== 'offline') realtime?.publish?.('chat', 'chat.presence', { status: 'offline' })
    stopPresence()
    generation++
    roomGeneration++
    searchGeneration++
    subscription?.close()
    subscription = null
    realtime = null
    chatApi = null
    accountId.value = null
    userId.value = null
    status.value = 'idle'
    error.value = null
    liveError.value = null
    people.clear()
    rooms.clear()
    typing.clear()
    presence.clear()
    clearSearch()
    closeRoom()
  }

  // ---- live events ----------------------------------------------------------------------------

  function applyEvent(ev: RealtimeEvent): void {
    const me = userId.value ?? ''
    const data = (ev.data ?? {}) as { room_id?: string; message?: ChatMessage; through_seq?: number }
    const roomBefore = data.room_id ? rooms.get(data.room_id) : undefined
    const notifyRoom = roomBefore ? { ...roomBefore } : undefined
    const outcome = applyRoomEvent(rooms, ev, me)
    if (outcome === 'unknown' && data.room_id) void fetchRoom(data.room_id)
    if (outcome === 'left' && data.room_id === openRoomId.value) roomStatus.value = 'gone'
    const roomId = data.room_id
    if (roomId && roomId === openRoomId.value) {
      if (data.message && ev.event.startsWith('chat.message.')) {
        upsert(timeline, data.message)
        trackPin(data.message)
        if (ev.event === 'chat.message.created') clearTyping(roomId, data.message.author_id)
      }
      if (ev.event === 'chat.room.pruned' && data.through_seq !== undefined) prune(timeline, data.through_seq)
    }
    if (ev.event === 'chat.message.created' && data.message && notifier) {
      const m = data.message
      const looking = roomId === openRoomId.value && visible()
      if (!looking && shouldNotify(m, notifyRoom ?? rooms.get(m.room_id), me)) {
        const room = rooms.get(m.room_id)
        const where = room ? title(room) : ''
        const who = nameOf(m.author_id)
        notifier({
          title: room && room.type !== 'dm' ? `${who} · ${where}` : who,
          body: plainText(m.content) || (m.attachments.length ? m.attachments.map((a) => a.filename).join(', ') : ''),
          roomId: m.room_id,
          tag: `whatpro-chat-${m.id}`,
        })
      }
    }
  }

  async function fetchRoom(roomId: string): Promise<void> {
    const gen = generation
    try {
      const room = await api().getRoom(roomId)
      if (gen === generation && room.member) rooms.set(room.id, room)
    } catch {
      // Not visible (any more): nothing to show.
    }
  }

  function applyEphemeral(ev: { event: string; data: unknown }): void {
    if (ev.event === 'chat.presence') {
      const p = parsePresence(ev.data, presenceTTL)
      if (p && p.userId !== userId.value) presence.set(p.userId, p.entry)
      return
    }
    if (ev.event !== 'chat.typing') return
    const d = (ev.data ?? {}) as { room_id?: string; user_id?: string; typing?: boolean }
    if (!d.room_id || !d.user_id || d.user_id === userId.value) return
    let m = typing.get(d.room_id)
    if (!m) {
      m = new Map()
      typing.set(d.room_id, m)
    }
    if (d.typing) m.set(d.user_id, Date.now() + TYPING_TTL_MS)
    else m.delete(d.user_id)
  }

  function clearTyping(roomId: string, who: string): void {
    typing.get(roomId)?.delete(who)
  }

  /** Who is typing in a room now. */
  function typingIn(roomId: string, now = Date.now()): string[] {
    const m = typing.get(roomId)
    if (!m) return []
    return [...m.entries()].filter(([, until]) => until > now).map(([id]) => id)
  }

  let lastTyping = 0
  /** Tells the room the viewer is typing (at most every 3 s) or stopped. */
  function setTyping(on: boolean): void {
    const roomId = openRoomId.value
    if (!roomId || !realtime?.publish) return
    const now = Date.now()
    if (on && now - lastTyping < 3000) return
    lastTyping = on ? now : 0
    realtime.publish('chat', 'chat.typing', { room_id: roomId, typing: on })
  }

  // ---- presence -------------------------------------------------------------------------------

  async function loadPresence(gen: number): Promise<void> {
    try {
      const answer = await api().presence()
      if (gen !== generation) return
      if (answer.ttl_seconds > 0) presenceTTL = answer.ttl_seconds * 1000
      for (const row of answer.data) {
        const p = parsePresence(row, presenceTTL)
        if (p && p.userId !== userId.value && !presence.has(p.userId)) presence.set(p.userId, p.entry)
      }
    } catch {
      // Presence is a nicety: the events that follow still show who comes and goes.
    }
    if (gen !== generation) return
    startPresence()
  }

  function onVisibility(): void {
    announce()
  }

  function onPageHide(): void {
    if (announced && announced !== 'offline' && realtime?.publish?.('chat', 'chat.presence', { status: 'offline' })) announced = 'offline'
  }

  function onPageShow(): void {
    announce(true)
  }

  function startPresence(): void {
    stopPresence()
    // Renewed well inside the hub's window, so one lost heartbeat does not show as a lapse.
    heartbeat = setInterval(() => announce(true), Math.max(1000, presenceTTL / 3))
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibility)
    if (typeof window !== 'undefined') {
      window.addEventListener('pagehide', onPageHide)
      window.addEventListener('pageshow', onPageShow)
    }
    announce()
  }

  function stopPresence(): void {
    if (heartbeat) clearInterval(heartbeat)
    heartbeat = null
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisibility)
    if (typeof window !== 'undefined') {
      window.removeEventListener('pagehide', onPageHide)
      window.removeEventListener('pageshow', onPageShow)
    }
    announced = null
  }

  /** Tells the account the viewer's status when it changed, or renews it (a heartbeat). */
  function announce(renew = false): void {
    if (!realtime?.publish || status.value !== 'ready') return
    const st = ownStatus(typeof document === 'undefined' ? undefined : document.visibilityState)
    if (!renew && st === announced) return
    if (realtime.publish('chat', 'chat.presence', { status: st })) announced = st
  }

  /** A person's status now (the viewer is as the page announces). */
  function presenceOf(id: string, now = Date.now()): PresenceStatus {
    if (id === userId.value) return announced ?? 'offline'
    return presenceAt(presence, id, now)
  }

  // ---- pins -----------------------------------------------------------------------------------

  async function loadPins(roomId: string, gen: number): Promise<void> {
    pinsStatus.value = 'loading'
    try {
      const answer = await api().pins(roomId)
      if (gen !== roomGeneration) return
      pins.value = answer.data
      pinsStatus.value = 'ready'
    } catch {
      if (gen === roomGeneration) pinsStatus.value = 'error'
    }
  }

  /** Keeps the pinned list in step with a message as it now is (pinned, unpinned, edited, deleted). */
  function trackPin(m: ChatMessage): void {
    if (m.room_id !== openRoomId.value) return
    const i = pins.value.findIndex((p) => p.id === m.id)
    if (m.pinned_at && !m.deleted_at) {
      if (i >= 0) pins.value.splice(i, 1, m)
      else pins.value = [m, ...pins.value].sort((a, b) => (b.pinned_at ?? '').localeCompare(a.pinned_at ?? ''))
    } else if (i >= 0) {
      pins.value.splice(i, 1)
    }
  }

  async function togglePin(m: ChatMessage): Promise<void> {
    const answer = m.pinned_at ? await api().unpin(m.room_id, m.id) : await api().pin(m.room_id, m.id)
    if (answer.room_id === openRoomId.value) upsert(timeline, answer)
    trackPin(answer)
  }

  // ---- search ---------------------------------------------------------------------------------

  /** Searches the viewer's rooms for q (a new search replaces the one before). */
  async function runSearch(q: string): Promise<void> {
    const gen = ++searchGeneration
    search.q = q
    search.results = []
    search.cursor = ''
    search.hasMore = false
    if (q.trim() === '') {
      search.status = 'idle'
      return
    }
    await searchPage(gen)
  }

  /** Reads the next page of results. */
  async function searchMore(): Promise<void> {
    if (!search.hasMore || search.status === 'loading') return
    await searchPage(searchGeneration)
  }

  async function searchPage(gen: number): Promise<void> {
    search.status = 'loading'
    try {
      const page = await api().search(search.q, { cursor: search.cursor || undefined, limit: SEARCH_PAGE })
      if (gen !== searchGeneration) return
      const seen = new Set(search.results.map((m) => m.id))
      search.results = [...search.results, ...page.data.filter((m) => !seen.has(m.id))]
      search.cursor = page.pagination.next_cursor ?? ''
      search.hasMore = Boolean(page.pagination.has_more && search.cursor)
      search.status = 'ready'
    } catch (err) {
      if (gen !== searchGeneration) return
      error.value = toApiError(err)
      search.status = 'error'
    }
  }

  function clearSearch(): void {
    searchGeneration++
    Object.assign(search, { q: '', results: [], cursor: '', hasMore: false, status: 'idle' })
  }

  // ---- the open room --------------------------------------------------------------------------

  function closeRoom(): void {
    roomGeneration++
    openRoomId.value = null
    roomStatus.value = 'idle'
    pins.value = []
    pinsStatus.value = 'idle'
    Object.assign(timeline, emptyTimeline())
  }

  /** Opens a room on its newest messages, or around one of them. */
  async function openRoomById(roomId: string, around?: string): Promise<void> {
    const gen = ++roomGeneration
    const other = openRoomId.value !== roomId
    if (other) {
      Object.assign(timeline, emptyTimeline())
      pins.value = []
    }
    openRoomId.value = roomId
    roomStatus.value = 'loading'
    if (other || pinsStatus.value !== 'ready') void loadPins(roomId, gen)
    try {
      if (!rooms.has(roomId)) {
        const room = await api().getRoom(roomId)
        if (gen !== roomGeneration) return
        rooms.set(room.id, room)
      }
      const page = await api().messages(roomId, around ? { around } : {}, PAGE)
      if (gen !== roomGeneration) return
      const pending = timeline.pending
      setPage(timeline, page)
      timeline.pending = pending.filter((p) => p.message.room_id === roomId)
      roomStatus.value = 'ready'
      if (around) focus.value = { id: around, n: (focus.value?.n ?? 0) + 1 }
    } catch (err) {
      if (gen !== roomGeneration) return
      error.value = toApiError(err)
      roomStatus.value = error.value.status === 404 ? 'gone' : 'error'
    }
  }

  /** Brings a message into view, reading the page around it when it is not loaded. */
  async function jumpTo(messageId: string): Promise<void> {
    if (timeline.messages.some((m) => m.id === messageId)) {
      focus.value = { id: messageId, n: (focus.value?.n ?? 0) + 1 }
      return
    }
    if (openRoomId.value) await openRoomById(openRoomId.value, messageId)
  }

  async function loadOlder(): Promise<number> {
    const roomId = openRoomId.value
    const first = timeline.messages[0]
    if (!roomId || !first || !timeline.hasMoreBefore || loadingOlder.value) return 0
    const gen = roomGeneration
    loadingOlder.value = true
    try {
      const page = await api().messages(roomId, { before: first.id }, PAGE)
      if (gen !== roomGeneration) return 0
      const before = timeline.messages.length
      prependPage(timeline, page)
      return timeline.messages.length - before
    } catch {
      return 0
    } finally {
      if (gen === roomGeneration) loadingOlder.value = false
    }
  }

  async function loadNewer(): Promise<void> {
    const roomId = openRoomId.value
    const last = timeline.messages[timeline.messages.length - 1]
    if (!roomId || !last || !timeline.hasMoreAfter || loadingNewer.value) return
    const gen = roomGeneration
    loadingNewer.value = true
    try {
      const page = await api().messages(roomId, { after: last.id }, PAGE)
      if (gen === roomGeneration) appendPage(timeline, page)
    } catch {
      // The next scroll tries again.
    } finally {
      if (gen === roomGeneration) loadingNewer.value = false
    }
  }

  let reading: Promise<void> | null = null
  /** Marks the open room read (the newest message is on screen and the page is looked at). */
  async function markRead(): Promise<void> {
    const room = openRoom.value
    if (!room || reading || timeline.hasMoreAfter) return
    const last = timeline.messages[timeline.messages.length - 1]
    if (room.unread_count === 0 && room.mention_count === 0 && (!last || last.seq <= room.last_read_seq)) return
    reading = (async () => {
      try {
        const st = await api().read(room.id)
        const r = rooms.get(st.room_id)
        if (r && st.last_read_seq >= r.last_read_seq) {
          r.last_read_seq = st.last_read_seq
          r.unread_count = st.unread_count
          r.mention_count = st.mention_count
        }
      } catch {
        // The next look tries again.
      } finally {
        reading = null
      }
    })()
    await reading
  }

  // ---- writing --------------------------------------------------------------------------------

  function optimistic(roomId: string, echoId: string, content: string, extras: SendExtras): ChatMessage {
    const now = new Date().toISOString()
    const replied = extras.replyToId ? timeline.messages.find((m) => m.id === extras.replyToId) : undefined
    return {
      id: `echo:${echoId}`,
      room_id: roomId,
      seq: Number.MAX_SAFE_INTEGER,
      kind: 'text',
      author_id: userId.value ?? '',
      content,
      echo_id: echoId,
      reply_to_id: extras.replyToId ?? null,
      reply_to: replied ? { id: replied.id, author_id: replied.author_id, excerpt: plainText(replied.content, 80), deleted: replied.deleted_at !== null } : null,
      mentions: extras.mentionIds ?? [],
      mentions_room: false,
      reactions: [],
      attachments: extras.attachments ?? [],
      conversation: extras.conversationId ? { referenced: true, card_url: '' } : null,
      pinned_at: null,
      pinned_by: null,
      edited_at: null,
      deleted_at: null,
      created_at: now,
      updated_at: now,
    }
  }

  const sends = new Map<string, { roomId: string; content: string; extras: SendExtras }>()

  /** Sends a message to the open room; its copy shows at once. */
  async function send(content: string, extras: SendExtras = {}): Promise<void> {
    const roomId = openRoomId.value
    if (!roomId) return
    const echoId = newEchoId()
    sends.set(echoId, { roomId, content, extras })
    addPending(timeline, { echoId, message: optimistic(roomId, echoId, content, extras), state: 'sending' })
    await deliver(echoId)
  }

  async function deliver(echoId: string): Promise<void> {
    const s = sends.get(echoId)
    if (!s) return
    const { roomId, content, extras } = s
    const gen = generation
    try {
      const m = await api().send(roomId, {
        content,
        echo_id: echoId,
        ...(extras.replyToId ? { reply_to_id: extras.replyToId } : {}),
        ...(extras.mentionIds?.length ? { mention_ids: extras.mentionIds } : {}),
        ...(extras.attachments?.length ? { attachment_ids: extras.attachments.map((a) => a.id) } : {}),
        ...(extras.conversationId ? { conversation_id: extras.conversationId } : {}),
      })
      sends.delete(echoId)
      if (gen !== generation) return
      if (m.room_id === openRoomId.value) upsert(timeline, m)
      else removePending(timeline, echoId)
      const r = rooms.get(m.room_id)
      if (r) {
        r.unread_count = 0
        r.mention_count = 0
        r.last_read_seq = Math.max(r.last_read_seq, m.seq)
        if (m.seq >= r.last_seq) {
          r.last_seq = m.seq
          r.last_message = m
          r.last_message_at = m.created_at
        }
      }
    } catch (err) {
      if (gen !== generation) return
      const e = toApiError(err)
      // A refusal that a retry cannot fix drops the copy; anything else waits for a retry.
      if (e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
        removePending(timeline, echoId)
        sends.delete(echoId)
        error.value = e
        throw e
      }
      setPendingState(timeline, echoId, 'failed')
    }
  }

  /** Sends a failed copy again with the same echo id (the hub answers the first if it arrived). */
  async function retry(echoId: string): Promise<void> {
    setPendingState(timeline, echoId, 'sending')
    await deliver(echoId)
  }

  function discard(echoId: string): void {
    removePending(timeline, echoId)
    sends.delete(echoId)
  }

  async function edit(m: ChatMessage, content: string, mentionIds?: string[]): Promise<void> {
    const answer = await api().edit(m.room_id, m.id, { content, ...(mentionIds ? { mention_ids: mentionIds } : {}) })
    if (answer.room_id === openRoomId.value) upsert(timeline, answer)
  }

  async function remove(m: ChatMessage): Promise<void> {
    await api().remove(m.room_id, m.id)
  }

  async function toggleReaction(m: ChatMessage, emoji: string): Promise<void> {
    const mine = m.reactions.some((r) => r.emoji === emoji && r.user_ids.includes(userId.value ?? ''))
    const answer = mine ? await api().unreact(m.room_id, m.id, emoji) : await api().react(m.room_id, m.id, emoji)
    if (answer && answer.room_id === openRoomId.value) upsert(timeline, answer)
  }

  async function upload(file: File): Promise<ChatAttachment> {
    const roomId = openRoomId.value
    if (!roomId) throw new Error('no room open')
    return api().upload(roomId, file)
  }

  /** Opens (creating when needed) the DM with these people; answers its id. */
  async function startDM(memberIds: string[]): Promise<string> {
    const others = memberIds.filter((id) => id !== userId.value)
    const type: RoomType = others.length > 1 ? 'group_dm' : 'dm'
    const room = await api().createRoom({ type, member_ids: others.length ? others : [userId.value ?? ''] })
    if (!rooms.has(room.id)) rooms.set(room.id, room)
    return room.id
  }

  async function createRoom(input: { type: 'public' | 'private'; name: string; topic?: string; member_ids: string[] }): Promise<string> {
    const room = await api().createRoom(input)
    if (!rooms.has(room.id)) rooms.set(room.id, room)
    return room.id
  }

  async function joinRoom(roomId: string): Promise<void> {
    const room = await api().join(roomId)
    rooms.set(room.id, room)
  }

  async function setMuted(roomId: string, muted: boolean): Promise<void> {
    await api().settings(roomId, { muted })
    const r = rooms.get(roomId)
    if (r) {
      r.muted = muted
      r.muted_until = null
    }
  }

  return {
    accountId,
    userId,
    status,
    error,
    people,
    peopleList,
    rooms,
    sortedRooms,
    totals,
    openRoomId,
    openRoom,
    timeline,
    shown,
    roomStatus,
    loadingOlder,
    loadingNewer,
    liveError,
    focus,
    start,
    stop,
    title,
    nameOf,
    openRoomById,
    closeRoom,
    jumpTo,
    loadOlder,
    loadNewer,
    markRead,
    send,
    retry,
    discard,
    edit,
    remove,
    toggleReaction,
    upload,
    startDM,
    createRoom,
    joinRoom,
    setMuted,
    typingIn,
    setTyping,
    presence,
    presenceOf,
    pins,
    pinsStatus,
    togglePin,
    search,
    runSearch,
    searchMore,
    clearSearch,
    chatApi: () => chatApi,
    applyEvent,
  }
})
