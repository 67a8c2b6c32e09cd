/**
 * The board being viewed, in the console and in the embedded Kanban panel alike: its stages and
 * columns (the first page of each with every column's totals in one request, then more per column
 * on scroll), the filters, live updates from the board's realtime topic, optimistic moves rolled
 * back when the hub refuses them (a 409 shows the hub's current card), and the edits of the drawer.
 *
 * Live events wait while a drag is in progress (hold/release), so a card never jumps from under
 * the pointer or the keyboard; totals are checked against the hub shortly after events, because
 * a page can only estimate them for cards it has not loaded.
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import { ApiError } from '@/api/client'
import * as kanban from '@/api/kanban'
import type { Board, Card, CardFilters, CardInput, Stage } from '@/api/kanban'
import {
  applyCard,
  applyLocal,
  appendPage,
  emptyModel,
  fromSnapshot,
  indexAmongOthers,
  locate,
  placementAt,
  provisionalPosition,
  removeCard,
  removeStage,
  replaceColumn,
  revertLocal,
  upsertStage,
  type BoardModel,
  type ViewContext,
} from '@/lib/kanban/board'
import { toApiError } from '@/lib/pagedList'
import type { RealtimeEvent, TopicHandlers } from '@/lib/realtime'

export const COLUMN_PAGE = 30
/** Totals are checked against the hub this long after the last event… */
export const TOTALS_SETTLE_MS = 1200
/** …and at least this often while events keep coming. */
export const TOTALS_MAX_WAIT_MS = 5000

/** What the store needs of the realtime client (lib/realtime's RealtimeClient). */
export interface RealtimeLike {
  subscribe(topic: string, lastSeq: number | null, handlers: TopicHandlers): { close(): void }
}

export type BoardStatus = 'idle' | 'loading' | 'ready' | 'error'

/** The outcome of a move, for what the page says. */
export type MoveOutcome =
  | { ok: true; card: Card }
  | { ok: false; kind: 'conflict'; card: Card | null }
  | { ok: false; kind: 'error'; error: ApiError }

/** A card the hub changed under the person's move, shown with what it is now. */
export interface ConflictNotice {
  cardId: string
  title: string
  stageName: string
  at: number
}

export interface OpenOptions {
  accountId: string
  boardId: string
  filters: CardFilters
  userId: string | null
  realtime: RealtimeLike | null
}

interface CardEvent {
  card?: Card
  from_stage_id?: string
  card_id?: string
  stage_id?: string
  board_id?: string
  note?: unknown
}

export const useBoardStore = defineStore('board', () => {
  const accountId = ref<string | null>(null)
  const boardId = ref<string | null>(null)
  const board = shallowRef<Board | null>(null)
  const model = reactive<BoardModel>(emptyModel())
  const filters = shallowRef<CardFilters>({})
  const userId = ref<string | null>(null)
  const status = ref<BoardStatus>('idle')
  const error = shallowRef<ApiError | null>(null)
  /** The hub deleted the board (or hid it from the caller) while it was open. */
  const gone = ref(false)
  /** Cards reloading after a filter change (the columns stay, dimmed). */
  const refreshing = ref(false)
  const loadingMore = reactive<Record<string, boolean>>({})
  const pageErrors = reactive<Record<string, ApiError | null>>({})
  const conflict = shallowRef<ConflictNotice | null>(null)
  /** The last realtime refusal of the board's topic (the board then works without live updates). */
  const liveError = ref<string | null>(null)
  /** Bumped for every note event of a card: the drawer reloads its notes. */
  const cardActivity = reactive<Record<string, number>>({})
  /** Moves sent and not answered yet, by card. */
  const pending = reactive<Record<string, number>>({})
  /** Live events waiting for a drag to end. */
  const held = ref(0)

  let realtime: RealtimeLike | null = null
  let subscription: { close(): void } | null = null
  let generation = 0
  let holds = 0
  let queued: RealtimeEvent[] = []
  let settleTimer: ReturnType<typeof setTimeout> | null = null
  let firstUnsettled = 0

  const stages = computed<Stage[]>(() => model.stages)
  const columns = computed(() => model.stages.map((s) => model.columns[s.id]).filter((c) => c !== undefined))
  const currency = computed(() => board.value?.currency ?? 'BRL')

  function view(): ViewContext {
    return { filters: filters.value, userId: userId.value, now: Date.now() }
  }

  function ids(): { a: string; b: string } {
    if (!accountId.value || !boardId.value) throw new Error('board store: no board open')
    return { a: accountId.value, b: boardId.value }
  }

  // ---- loading ---------------------------------------------------------------------------------

  /** Reads the board and the first page of every column; resolves the sequence both cover. */
  async function loadSnapshot(gen: number): Promise<number | null> {
    const { a, b } = ids()
    const [boardAnswer, page] = await Promise.all([kanban.fetchBoard(a, b), kanban.listCards(a, b, filters.value, { limit: COLUMN_PAGE })])
    if (gen !== generation) return null
    board.value = boardAnswer
    fromSnapshot(model, boardAnswer.stages ?? [], page.data, page.columns, page.totals, view())
    return Math.min(boardAnswer.seq ?? page.seq, page.seq)
  }

  /** Opens a board: snapshot first, then its realtime topic from the snapshot's sequence. */
  async function open(options: OpenOptions): Promise<void> {
    close()
    const gen = ++generation
    accountId.value = options.accountId
    boardId.value = options.boardId
    filters.value = { ...options.filters }
    userId.value = options.userId
    realtime = options.realtime
    status.value = 'loading'
    try {
      const seq = await loadSnapshot(gen)
      if (seq === null) return
      status.value = 'ready'
      subscribe(seq)
    } catch (err) {
      if (gen !== generation) return
      error.value = toApiError(err)
      status.value = 'error'
    }
  }

  function subscribe(seq: number): void {
    if (!realtime || !boardId.value) return
    const gen = generation
    subscription = realtime.subscribe(`board:${boardId.value}`, seq, {
      onEvent: (ev) => {
        if (gen !== generation) return
        if (holds > 0) {
          queued.push(ev)
          held.value = queued.length
        } else applyEvent(ev)
      },
      onResync: () => resync(gen),
      onLive: () => {
        liveError.value = null
      },
      onError: (e) => {
        if (gen !== generation) return
        liveError.value = e.code
        if (e.code === 'NOT_FOUND') gone.value = true
      },
    })
  }

  /** The hub can no longer replay what this page missed: everything is read again. */
  async function resync(gen: number): Promise<number> {
    if (gen !== generation) throw new Error('board closed')
    model.latest.clear()
    queued = []
    held.value = 0
    const seq = await loadSnapshot(gen)
    if (seq === null) throw new Error('board closed')
    return seq
  }

  let filterGeneration = 0

  /** New filters: the cards are read again; the board and its subscription stay. */
  async function setFilters(next: CardFilters): Promise<void> {
    const { a, b } = ids()
    filters.value = { ...next }
    const gen = generation
    const asked = ++filterGeneration
    refreshing.value = true
    try {
      const page = await kanban.listCards(a, b, filters.value, { limit: COLUMN_PAGE })
      if (gen !== generation || asked !== filterGeneration) return
      fromSnapshot(model, model.stages, page.data, page.columns, page.totals, view())
      error.value = null
    } catch (err) {
      if (gen !== generation || asked !== filterGeneration) return
      error.value = toApiError(err)
    } finally {
      if (gen === generation && asked === filterGeneration) refreshing.value = false
    }
  }

  /** The next page of a column (infinite scroll). */
  async function loadMore(stageId: string): Promise<void> {
    const col = model.columns[stageId]
    if (!col || !col.hasMore || !col.cursor || loadingMore[stageId]) return
    const { a, b } = ids()
    const gen = generation
    const cursor = col.cursor
    loadingMore[stageId] = true
    pageErrors[stageId] = null
    try {
      const page = await kanban.listCards(a, b, filters.value, { stageId, cursor, limit: COLUMN_PAGE })
      if (gen !== generation || model.columns[stageId]?.cursor !== cursor) return
      appendPage(model, stageId, page.data, page.pagination, view())
    } catch (err) {
      if (gen === generation) pageErrors[stageId] = toApiError(err)
    } finally {
      if (gen === generation) loadingMore[stageId] = false
    }
  }

  /** A column the hub renumbered: its loaded range is read again. */
  async function reloadColumn(stageId: string): Promise<void> {
    const col = model.columns[stageId]
    if (!col) return
    const { a, b } = ids()
    const gen = generation
    const limit = Math.min(200, Math.max(COLUMN_PAGE, col.cards.length))
    try {
      const page = await kanban.listCards(a, b, filters.value, { stageId, limit })
      if (gen !== generation) return
      replaceColumn(model, stageId, page.data, page.pagination, page.totals[stageId], view())
    } catch {
      // The cards stay where they were; the next event or reload corrects them.
    }
  }

  // ---- live events -----------------------------------------------------------------------------

  function applyEvent(ev: RealtimeEvent): void {
    const data = (ev.data ?? {}) as CardEvent
    const v = view()
    switch (ev.event) {
      case 'card.created':
      case 'card.updated':
      case 'card.moved':
        if (data.card && data.card.board_id === boardId.value) {
          const cause = ev.event === 'card.created' ? 'created' : ev.event === 'card.moved' ? 'moved' : 'updated'
          applyCard(model, data.card, v, cause, data.from_stage_id)
          cardActivity[data.card.id] = (cardActivity[data.card.id] ?? 0) + 1
        }
        settleTotals()
        break
      case 'card.deleted':
        if (data.card_id) {
          removeCard(model, data.card_id, v)
          cardActivity[data.card_id] = (cardActivity[data.card_id] ?? 0) + 1
        }
        settleTotals()
        break
      case 'note.created':
      case 'note.updated':
      case 'note.deleted':
        if (data.card_id) cardActivity[data.card_id] = (cardActivity[data.card_id] ?? 0) + 1
        break
      case 'stage.created':
      case 'stage.updated': {
        const stage = ev.data as Stage
        if (stage?.id && stage.board_id === boardId.value) {
          const before = model.columns[stage.id]?.stage
          upsertStage(model, stage)
          // A new kind changes the status of every card in the stage: read the board again.
          if (before && before.kind !== stage.kind) void refreshAll()
        }
        break
      }
      case 'stage.deleted':
        if (data.stage_id) removeStage(model, data.stage_id)
        break
      case 'stage.reordered': {
        const list = (ev.data as { stages?: Stage[] }).stages ?? []
        for (const s of list) upsertStage(model, s)
        break
      }
      case 'stage.rebalanced':
        if (data.stage_id) void reloadColumn(data.stage_id)
        break
      case 'board.updated': {
        const next = ev.data as Board
        if (next?.id === boardId.value && board.value && next.version >= board.value.version) {
          board.value = { ...board.value, ...next, stages: board.value.stages }
        }
        break
      }
      case 'board.deleted':
        if (data.board_id === boardId.value) gone.value = true
        break
    }
  }

  async function refreshAll(): Promise<void> {
    const gen = generation
    try {
      await loadSnapshot(gen)
    } catch {
      // Kept as it was; the next event or a reload corrects it.
    }
  }

  /** Checks every column's totals against the hub once events settle. */
  function settleTotals(): void {
    const now = Date.now()
    if (settleTimer === null) firstUnsettled = now
    else clearTimeout(settleTimer)
    const wait = Math.max(0, Math.min(TOTALS_SETTLE_MS, firstUnsettled + TOTALS_MAX_WAIT_MS - now))
    settleTimer = setTimeout(() => {
      settleTimer = null
      void reconcileTotals()
    }, wait)
  }

  async function reconcileTotals(): Promise<void> {
    if (!accountId.value || !boardId.value || holds > 0 || Object.keys(pending).length > 0) {
      if (accountId.value) settleTotals()
      return
    }
    const { a, b } = ids()
    const gen = generation
    const asked = filters.value
    try {
      const page = await kanban.listCards(a, b, asked, { limit: 1 })
      if (gen !== generation || asked !== filters.value || holds > 0 || Object.keys(pending).length > 0) return
      for (const [stageId, t] of Object.entries(page.totals)) {
        const col = model.columns[stageId]
        if (!col) continue
        col.count = t.count
        col.valueCents = t.value_cents
      }
    } catch {
      // The estimate stays until the next event.
    }
  }

  /**
   * Holds live events while a drag is in progress. The drop sends its move (with the version the
   * person saw) before the held events apply: a card someone else moved meanwhile answers 409 and
   * shows where it is now, instead of being moved over silently.
   */
  function hold(): void {
    holds++
  }

  function release(): void {
    holds = Math.max(0, holds - 1)
    if (holds > 0) return
    const events = queued
    queued = []
    held.value = 0
    for (const ev of events) applyEvent(ev)
  }

  // ---- moves -----------------------------------------------------------------------------------

  function cardById(id: string): Card | null {
    const at = locate(model, id)
    return at ? (at.column.cards[at.index] ?? null) : (model.latest.get(id) ?? null)
  }

  function stageName(id: string): string {
    return model.columns[id]?.stage.name ?? ''
  }

  function showConflict(card: Card): void {
    conflict.value = { cardId: card.id, title: card.title, stageName: stageName(card.stage_id), at: Date.now() }
  }

  function dismissConflict(): void {
    conflict.value = null
  }

  /** Whether dropping at (stageId, index) would change anything. */
  function isNoop(cardId: string, stageId: string, index: number): boolean {
    const card = cardById(cardId)
    const col = model.columns[stageId]
    if (!card || !col) return true
    return card.stage_id === stageId && indexAmongOthers(col, card) === index
  }

  /**
   * Moves a card to index among the other cards of a stage: shown there at once, sent with the
   * version the page holds; a refusal puts it back (a 409 shows the hub's current card instead).
   */
  async function move(cardId: string, stageId: string, index: number, reason?: string): Promise<MoveOutcome> {
    const card = cardById(cardId)
    const col = model.columns[stageId]
    if (!card || !col) return { ok: false, kind: 'error', error: new ApiError({ status: 0, code: 'NOT_FOUND', message: 'no such card' }) }
    const { a, b } = ids()
    const placement = placementAt(col, cardId, index)
    const optimistic: Card = {
      ...card,
      stage_id: stageId,
      position: provisionalPosition(col, cardId, index),
      status: col.stage.kind,
      stage_entered_at: card.stage_id === stageId ? card.stage_entered_at : new Date().toISOString(),
    }
    const input: kanban.MoveInput = { stage_id: stageId, version: card.version, ...placement }
    if (reason) input.reason = reason
    return send(card, optimistic, () => kanban.moveCard(a, b, cardId, input))
  }

  /** Won or lost from the drop zones: the end of the board's first stage of that kind. */
  async function close_(cardId: string, kind: 'won' | 'lost', reason = ''): Promise<MoveOutcome> {
    const card = cardById(cardId)
    const target = model.stages.find((s) => s.kind === kind)
    if (!card || !target) return { ok: false, kind: 'error', error: new ApiError({ status: 0, code: 'NOT_FOUND', message: `no ${kind} stage` }) }
    const col = model.columns[target.id]!
    const { a, b } = ids()
    const optimistic: Card = {
      ...card,
      stage_id: target.id,
      status: kind,
      position: provisionalPosition(col, cardId, col.cards.length),
      stage_entered_at: new Date().toISOString(),
      closed_reason: reason,
    }
    return send(card, optimistic, () =>
      kind === 'won' ? kanban.markWon(a, b, cardId, card.version) : kanban.markLost(a, b, cardId, card.version, reason),
    )
  }

  async function send(card: Card, optimistic: Card, call: () => Promise<Card>): Promise<MoveOutcome> {
    const gen = generation
    const v = view()
    const prev = applyLocal(model, optimistic, v) ?? card
    pending[card.id] = (pending[card.id] ?? 0) + 1
    try {
      const answer = await call()
      // When the event of this very move came first, the page shows the hub's card already.
      if (gen === generation) applyCard(model, answer, view(), 'moved', card.stage_id)
      return { ok: true, card: answer }
    } catch (err) {
      const apiError = toApiError(err)
      if (gen !== generation) return { ok: false, kind: 'error', error: apiError }
      if (apiError.status === 409) {
        const current = (apiError.body as { card?: Card } | null)?.card ?? null
        revertLocal(model, optimistic, prev, view())
        if (current) {
          applyCard(model, current, view(), 'updated')
          showConflict(current)
        }
        return { ok: false, kind: 'conflict', card: current }
      }
      revertLocal(model, optimistic, prev, view())
      return { ok: false, kind: 'error', error: apiError }
    } finally {
      if (gen === generation) {
        const left = (pending[card.id] ?? 1) - 1
        if (left <= 0) delete pending[card.id]
        else pending[card.id] = left
        settleTotals()
      }
    }
  }

  /** Moves several cards to the end of a stage, all or none. */
  async function bulkMove(cardIds: string[], stageId: string, reason?: string): Promise<Card[]> {
    const { a, b } = ids()
    const answer = await kanban.bulkMove(a, b, { card_ids: cardIds, stage_id: stageId, ...(reason ? { reason } : {}) })
    for (const card of answer.data) applyCard(model, card, view(), 'moved')
    settleTotals()
    return answer.data
  }

  // ---- cards -----------------------------------------------------------------------------------

  async function createCard(input: CardInput & { title: string }): Promise<Card> {
    const { a, b } = ids()
    const card = await kanban.createCard(a, b, input)
    applyCard(model, card, view(), 'created')
    settleTotals()
    return card
  }

  /** An edit from the drawer, with the version the drawer read (409: the current card). */
  async function updateCard(cardId: string, input: CardInput): Promise<Card> {
    const { a, b } = ids()
    try {
      const card = await kanban.updateCard(a, b, cardId, input)
      applyCard(model, card, view(), 'updated')
      settleTotals()
      return card
    } catch (err) {
      const apiError = toApiError(err)
      const current = apiError.status === 409 ? (apiError.body as { card?: Card } | null)?.card : undefined
      if (current) applyCard(model, current, view(), 'updated')
      throw apiError
    }
  }

  async function deleteCard(cardId: string): Promise<void> {
    const { a, b } = ids()
    await kanban.deleteCard(a, b, cardId)
    removeCard(model, cardId, view())
    settleTotals()
  }

  /** A card for the drawer: the one shown, else read from the hub (a deep link). */
  async function fetchCard(cardId: string): Promise<Card> {
    const { a, b } = ids()
    const card = await kanban.fetchCard(a, b, cardId)
    applyCard(model, card, view(), 'updated')
    return cardById(cardId) ?? card
  }

  function close(): void {
    generation++
    subscription?.close()
    subscription = null
    realtime = null
    if (settleTimer !== null) clearTimeout(settleTimer)
    settleTimer = null
    holds = 0
    queued = []
    held.value = 0
    accountId.value = null
    boardId.value = null
    board.value = null
    Object.assign(model, emptyModel())
    status.value = 'idle'
    error.value = null
    gone.value = false
    refreshing.value = false
    conflict.value = null
    liveError.value = null
    for (const k of Object.keys(loadingMore)) delete loadingMore[k]
    for (const k of Object.keys(pageErrors)) delete pageErrors[k]
    for (const k of Object.keys(cardActivity)) delete cardActivity[k]
    for (const k of Object.keys(pending)) delete pending[k]
  }

  return {
    accountId,
    boardId,
    board,
    model,
    stages,
    columns,
    currency,
    filters,
    userId,
    status,
    error,
    gone,
    refreshing,
    loadingMore,
    pageErrors,
    conflict,
    liveError,
    cardActivity,
    pending,
    held,
    open,
    close,
    setFilters,
    loadMore,
    reloadColumn,
    applyEvent,
    hold,
    release,
    isNoop,
    move,
    markWon: (cardId: string) => close_(cardId, 'won'),
    markLost: (cardId: string, reason: string) => close_(cardId, 'lost', reason),
    bulkMove,
    createCard,
    updateCard,
    deleteCard,
    fetchCard,
    cardById,
    dismissConflict,
    reconcileTotals,
  }
})
