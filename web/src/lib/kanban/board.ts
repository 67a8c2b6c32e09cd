/**
 * The board as the page holds it, and the pure rules that change it: columns of cards in the
 * hub's order (position, then id), loaded a page at a time; per-column totals; where a card may be
 * shown (a column shows the cards it has loaded, and a card that sorts past them waits for the
 * next page); which version of a card wins (the highest the page has seen: snapshots, events and
 * answers arrive in any order, and the same event may come twice); and the placement a drop
 * means to the API (before or after a neighbour).
 */
import type { Card, CardFilters, ColumnPagination, Stage, Totals } from '@/api/kanban'
import { dueState, weightedCents } from './format'

export interface Column {
  stage: Stage
  cards: Card[]
  hasMore: boolean
  cursor: string | null
  count: number
  valueCents: number
}

export interface BoardModel {
  stages: Stage[]
  columns: Record<string, Column>
  /** The newest version of every card seen (null: deleted), whatever column it is in. */
  latest: Map<string, Card | null>
}

export interface ViewContext {
  filters: CardFilters
  /** The signed-in user, for assignee=me. */
  userId: string | null
  now: number
}

export function compareCards(a: Pick<Card, 'position' | 'id'>, b: Pick<Card, 'position' | 'id'>): number {
  if (a.position !== b.position) return a.position < b.position ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

export function sortStages(stages: Stage[]): Stage[] {
  return [...stages].sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1))
}

export function emptyModel(): BoardModel {
  return { stages: [], columns: {}, latest: new Map() }
}

function newColumn(stage: Stage): Column {
  return { stage, cards: [], hasMore: false, cursor: null, count: 0, valueCents: 0 }
}

/** The weighted value of a column, as the hub computes it. */
export function columnWeighted(col: Column): number {
  return weightedCents(col.valueCents, col.stage.win_probability)
}

export function isStale(card: Card, stage: Stage | undefined, now: number): boolean {
  if (!stage || stage.kind !== 'open' || stage.stale_after_hours === null) return false
  const entered = Date.parse(card.stage_entered_at)
  return Number.isFinite(entered) && entered < now - stage.stale_after_hours * 3_600_000
}

/**
 * Whether a card belongs to the filtered set, as far as the page can tell: the text search also
 * matches notes on the server, which the page does not hold, so a live card the search would find
 * only by a note is shown once the board reloads.
 */
export function matchesFilters(card: Card, stage: Stage | undefined, view: ViewContext): boolean {
  const f = view.filters
  if (f.assignee) {
    const who = f.assignee === 'me' ? view.userId : f.assignee
    if (!who || !card.assignee_ids.includes(who)) return false
  }
  if (f.label && !card.labels.includes(f.label)) return false
  if (f.priority && card.priority !== f.priority) return false
  if (f.value_min !== undefined && card.value_cents < f.value_min) return false
  if (f.value_max !== undefined && card.value_cents > f.value_max) return false
  if (f.due) {
    const state = dueState(card.due_at, new Date(view.now))
    if (f.due === 'none' && card.due_at !== null) return false
    if (f.due === 'overdue' && !(state === 'overdue' && card.status === 'open')) return false
    if (f.due === 'today' && state !== 'today') return false
    if (f.due === 'week' && state !== 'today' && state !== 'soon') return false
  }
  if (f.stale !== undefined && isStale(card, stage, view.now) !== f.stale) return false
  if (f.q?.trim()) {
    const q = f.q.trim().toLowerCase()
    const hay = [card.title, card.contact?.name ?? '', card.contact?.phone ?? ''].join('\n').toLowerCase()
    if (!hay.includes(q)) return false
  }
  return true
}

/** Where a card is shown, if it is. */
export function locate(model: BoardModel, cardId: string): { column: Column; index: number } | null {
  for (const column of Object.values(model.columns)) {
    const index = column.cards.findIndex((c) => c.id === cardId)
    if (index >= 0) return { column, index }
  }
  return null
}

/** A column shows a card when it has loaded every card before it. */
function withinLoaded(column: Column, card: Card): boolean {
  if (!column.hasMore) return true
  const last = column.cards.at(-1)
  return last !== undefined && compareCards(card, last) <= 0
}

function insertSorted(column: Column, card: Card): void {
  const i = column.cards.findIndex((c) => compareCards(card, c) < 0)
  if (i < 0) column.cards.push(card)
  else column.cards.splice(i, 0, card)
}

function removeShown(model: BoardModel, cardId: string): Card | null {
  const at = locate(model, cardId)
  if (!at) return null
  return at.column.cards.splice(at.index, 1)[0] ?? null
}

function count(model: BoardModel, card: Card, sign: 1 | -1): void {
  const column = model.columns[card.stage_id]
  if (!column) return
  column.count = Math.max(0, column.count + sign)
  column.valueCents = Math.max(0, column.valueCents + sign * card.value_cents)
}

/** Shows card in its column (or nowhere, when it does not match or sorts past the loaded cards). */
function show(model: BoardModel, card: Card, view: ViewContext): void {
  removeShown(model, card.id)
  const column = model.columns[card.stage_id]
  if (!column || !matchesFilters(card, column.stage, view) || !withinLoaded(column, card)) return
  insertSorted(column, card)
}

/**
 * Whether a card the hub sent is newer than one the page holds: a higher version, or the same
 * version changed later (last activity and preview move without a new version).
 */
export function isNewer(card: Card, than: Card): boolean {
  if (card.version !== than.version) return card.version > than.version
  return Date.parse(card.updated_at) > Date.parse(than.updated_at)
}

/** The newest of a card the model knows and one that arrived. */
function newer(model: BoardModel, card: Card): Card | null {
  const known = model.latest.get(card.id)
  if (known === null) return null // deleted
  if (known && isNewer(known, card)) return known
  return card
}

/** Builds the columns from a snapshot (the board's stages and the first page of every column). */
export function fromSnapshot(
  model: BoardModel,
  stages: Stage[],
  cards: Card[],
  columns: Record<string, ColumnPagination> | undefined,
  totals: Record<string, Totals>,
  view: ViewContext,
): void {
  model.stages = sortStages(stages)
  model.columns = {}
  for (const stage of model.stages) {
    const col = newColumn(stage)
    const pg = columns?.[stage.id]
    col.hasMore = pg?.has_more === true && Boolean(pg.next_cursor)
    col.cursor = col.hasMore ? (pg?.next_cursor ?? null) : null
    col.count = totals[stage.id]?.count ?? 0
    col.valueCents = totals[stage.id]?.value_cents ?? 0
    model.columns[stage.id] = col
  }
  // The page's own cards first, in the snapshot's order, so the loaded range is the snapshot's.
  for (const card of [...cards].sort(compareCards)) {
    const col = model.columns[card.stage_id]
    if (col && !col.cards.some((c) => c.id === card.id)) col.cards.push(card)
  }
  // Then what the page knows to be newer than the snapshot.
  for (const card of cards) {
    const best = newer(model, card)
    if (best === null) removeShown(model, card.id)
    else if (best !== card) show(model, best, view)
    else model.latest.set(card.id, card)
  }
}

/** Appends a column's next page; cards the page knows to be elsewhere now are left out. */
export function appendPage(model: BoardModel, stageId: string, cards: Card[], pagination: ColumnPagination, view: ViewContext): void {
  const column = model.columns[stageId]
  if (!column) return
  column.hasMore = pagination.has_more === true && Boolean(pagination.next_cursor)
  column.cursor = column.hasMore ? (pagination.next_cursor ?? null) : null
  for (const card of cards) {
    const best = newer(model, card)
    if (best === null) continue
    if (best === card) model.latest.set(card.id, card)
    if (best.stage_id !== stageId) continue
    if (column.cards.some((c) => c.id === best.id)) {
      show(model, best, view)
      continue
    }
    if (matchesFilters(best, column.stage, view)) insertSorted(column, best)
  }
}

/** Replaces a column's loaded cards (after the hub renumbered it). */
export function replaceColumn(model: BoardModel, stageId: string, cards: Card[], pagination: ColumnPagination, totals: Totals | undefined, view: ViewContext): void {
  const column = model.columns[stageId]
  if (!column) return
  column.cards = []
  if (totals) {
    column.count = totals.count
    column.valueCents = totals.value_cents
  }
  appendPage(model, stageId, cards, pagination, view)
}

/** Why a card arrived: it decides how a card the page never saw moves the totals. */
export type CardCause = 'created' | 'moved' | 'updated'

/**
 * Applies a card the hub sent (an event, a move's answer, a 409's current card). Returns false
 * when the page already has that card or a newer one: the same event may arrive twice, and a
 * snapshot may already hold it. Totals follow what the page can tell (a card it never saw was
 * counted by the hub in the stage it left); the store checks them against the hub after events.
 */
export function applyCard(model: BoardModel, card: Card, view: ViewContext, cause: CardCause = 'updated', previousStageId?: string): boolean {
  const known = model.latest.get(card.id)
  if (known === null) return false
  if (known && !isNewer(card, known)) return false
  const shown = locate(model, card.id)?.column.cards.find((c) => c.id === card.id)
  const before = shown ?? known
  const matchesNow = matchesFilters(card, model.columns[card.stage_id]?.stage, view)
  if (before) {
    if (matchesFilters(before, model.columns[before.stage_id]?.stage, view)) count(model, before, -1)
    if (matchesNow) count(model, card, 1)
  } else if (cause === 'created') {
    if (matchesNow) count(model, card, 1)
  } else if (cause === 'moved' && previousStageId !== undefined && previousStageId !== card.stage_id) {
    const was = { ...card, stage_id: previousStageId }
    if (matchesFilters(was, model.columns[previousStageId]?.stage, view)) count(model, was, -1)
    if (matchesNow) count(model, card, 1)
  }
  model.latest.set(card.id, card)
  show(model, card, view)
  return true
}

/** A card the hub deleted. */
export function removeCard(model: BoardModel, cardId: string, view: ViewContext): boolean {
  if (model.latest.get(cardId) === null) return false
  const shown = removeShown(model, cardId)
  const known = shown ?? model.latest.get(cardId)
  if (known && matchesFilters(known, model.columns[known.stage_id]?.stage, view)) count(model, known, -1)
  model.latest.set(cardId, null)
  return true
}

/**
 * Shows a card where the page expects it to be before the hub answers (an optimistic move or
 * edit), without taking it for a version the hub sent. Returns what to restore on failure.
 */
export function applyLocal(model: BoardModel, next: Card, view: ViewContext): Card | null {
  const at = locate(model, next.id)
  const prev = at ? at.column.cards[at.index] ?? null : null
  if (prev && matchesFilters(prev, at?.column.stage, view)) count(model, prev, -1)
  if (matchesFilters(next, model.columns[next.stage_id]?.stage, view)) count(model, next, 1)
  removeShown(model, next.id)
  const column = model.columns[next.stage_id]
  // An optimistic placement is always shown: the person just put it there.
  if (column) insertSorted(column, next)
  return prev
}

/** Undoes applyLocal, unless a newer version of the card arrived meanwhile. */
export function revertLocal(model: BoardModel, optimistic: Card, prev: Card, view: ViewContext): boolean {
  const at = locate(model, optimistic.id)
  const shown = at?.column.cards[at.index]
  // Compared by value: the model may hold a reactive proxy of the optimistic copy.
  const same = shown && shown.version === optimistic.version && shown.stage_id === optimistic.stage_id && shown.position === optimistic.position
  if (!same) return false // the hub's own version replaced it: keep that
  if (matchesFilters(optimistic, at?.column.stage, view)) count(model, optimistic, -1)
  if (matchesFilters(prev, model.columns[prev.stage_id]?.stage, view)) count(model, prev, 1)
  removeShown(model, optimistic.id)
  const column = model.columns[prev.stage_id]
  if (column) insertSorted(column, prev)
  return true
}

/** The cards of a column other than the one being moved. */
export function others(column: Column, cardId: string): Card[] {
  return column.cards.filter((c) => c.id !== cardId)
}

/**
 * What dropping a card at index (among the column's other cards) means to the API: before the
 * card that will follow it, else after the one before it, else the end.
 */
export function placementAt(column: Column, cardId: string, index: number): { before_id?: string; after_id?: string } {
  const rest = others(column, cardId)
  const i = Math.max(0, Math.min(index, rest.length))
  const next = rest[i]
  if (next) return { before_id: next.id }
  const prev = rest[i - 1]
  if (prev && column.hasMore) return { after_id: prev.id }
  return {}
}

/** A position between the new neighbours, for the optimistic copy (the hub decides the real one). */
export function provisionalPosition(column: Column, cardId: string, index: number): number {
  const rest = others(column, cardId)
  const i = Math.max(0, Math.min(index, rest.length))
  const before = rest[i - 1]?.position
  const after = rest[i]?.position
  if (before !== undefined && after !== undefined) return before + (after - before) / 2
  if (after !== undefined) return after - 1024
  if (before !== undefined) return before + 1024
  return 1024
}

/** The index a card has among the other cards of its column (for "did it move at all"). */
export function indexAmongOthers(column: Column, card: Card): number {
  return others(column, card.id).filter((c) => compareCards(c, card) < 0).length
}

/** Stage list changes from events. */
export function upsertStage(model: BoardModel, stage: Stage): void {
  const i = model.stages.findIndex((s) => s.id === stage.id)
  if (i >= 0) model.stages[i] = stage
  else model.stages.push(stage)
  model.stages = sortStages(model.stages)
  const col = model.columns[stage.id]
  if (col) col.stage = stage
  else model.columns[stage.id] = newColumn(stage)
}

export function removeStage(model: BoardModel, stageId: string): void {
  model.stages = model.stages.filter((s) => s.id !== stageId)
  delete model.columns[stageId]
}
