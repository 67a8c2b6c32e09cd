/**
 * The deal Kanban: {base}api/v1/accounts/{accountID}/boards… (boards with their stages, cards with
 * filters and per-column totals, moves guarded by versions, won/lost, notes, history, messages to
 * the customer, CSV export) and …/deals?contact_id= (a contact's deals on every board).
 */
import { api, type ApiClient, type Page, type PageParams, type QueryValue } from './client'

export type StageKind = 'open' | 'won' | 'lost'
export type Priority = 'none' | 'low' | 'medium' | 'high' | 'urgent'
export const PRIORITIES: Priority[] = ['none', 'low', 'medium', 'high', 'urgent']

export interface Stage {
  id: string
  board_id: string
  name: string
  color: string
  position: number
  kind: StageKind
  stale_after_hours: number | null
  win_probability: number
  wip_limit: number | null
  required_fields: string[]
}

export interface EntryRule {
  all_inboxes: boolean
  inbox_ids: number[]
}

export interface CustomField {
  key: string
  label: string
  type: 'text' | 'number' | 'date' | 'boolean' | 'select'
  options?: string[]
}

export interface Board {
  id: string
  name: string
  description: string
  is_default: boolean
  currency: string
  visibility: 'all' | 'selected'
  visible_user_ids: string[]
  /** Chatwoot team ids whose members see a "selected" board. */
  visible_team_ids: number[]
  entry_rule: EntryRule
  stage_attribute: string
  custom_fields: CustomField[]
  version: number
  stages?: Stage[]
  created_at: string
  updated_at: string
  /** The account's event sequence read before the board: subscribe from it. */
  seq?: number
}

export interface Contact {
  id: number
  name: string
  phone: string
}

export interface Card {
  id: string
  board_id: string
  stage_id: string
  status: StageKind
  title: string
  value_cents: number
  currency: string
  priority: Priority
  due_at: string | null
  labels: string[]
  assignee_ids: string[]
  contact: Contact | null
  conversation_id: number | null
  inbox_id: number | null
  conversation_status: string
  custom_fields: Record<string, unknown>
  position: number
  version: number
  stage_entered_at: string
  closed_reason: string
  closed_at: string | null
  last_activity_at: string | null
  last_message_preview: string
  origin: string
  created_by: string
  created_at: string
  updated_at: string
  stale: boolean
}

export interface Totals {
  count: number
  value_cents: number
  weighted_value_cents: number
}

export interface ColumnPagination {
  has_more: boolean
  next_cursor?: string | null
}

/** A card list: one column's page, or the first page of every column; totals of every column. */
export interface CardPage {
  data: Card[]
  pagination: ColumnPagination
  columns?: Record<string, ColumnPagination>
  totals: Record<string, Totals>
  seq: number
}

/** The filters of a card list, as the API names them (all optional). */
export interface CardFilters {
  assignee?: string
  label?: string
  priority?: Priority
  due?: 'overdue' | 'today' | 'week' | 'none'
  value_min?: number
  value_max?: number
  q?: string
  stale?: boolean
}

export interface Note {
  id: string
  card_id: string
  author_id: string
  body: string
  created_at: string
  updated_at: string
}

export interface HistoryEntry {
  id: string
  card_id: string
  action: string
  actor_type: string
  actor_id: string
  data: Record<string, unknown> | null
  created_at: string
}

/** Where a moved card goes: before or after a neighbour, or (neither) the end of the column. */
export interface MoveInput {
  stage_id: string
  before_id?: string
  after_id?: string
  version: number
  reason?: string
}

export interface CardInput {
  stage_id?: string
  title?: string
  value_cents?: number
  currency?: string
  priority?: Priority
  due_at?: string | null
  labels?: string[]
  assignee_ids?: string[]
  contact_id?: number
  conversation_id?: number
  custom_fields?: Record<string, unknown>
  version?: number
  before_id?: string
  after_id?: string
}

export interface BoardInput {
  name?: string
  description?: string
  currency?: string
  visibility?: 'all' | 'selected'
  visible_user_ids?: string[]
  visible_team_ids?: number[]
  entry_rule?: EntryRule
  stage_attribute?: string
  custom_fields?: CustomField[]
  version?: number
}

export interface StageInput {
  name?: string
  color?: string
  kind?: StageKind
  stale_after_hours?: number | null
  win_probability?: number
  wip_limit?: number | null
  required_fields?: string[]
}

/** Who may be assigned: the account's active members. */
export interface Member {
  id: string
  name: string
  email: string
}

function accountPath(accountId: string, rest = ''): string {
  return `api/v1/accounts/${encodeURIComponent(accountId)}${rest}`
}

export function boardPath(accountId: string, boardId: string, rest = ''): string {
  return accountPath(accountId, `/boards/${encodeURIComponent(boardId)}${rest}`)
}

function cardPath(accountId: string, boardId: string, cardId: string, rest = ''): string {
  return boardPath(accountId, boardId, `/cards/${encodeURIComponent(cardId)}${rest}`)
}

/** The query of a card list: filters (empty ones left out), the caller's time zone for due dates. */
export function filterQuery(filters: CardFilters, timeZone = localTimeZone()): Record<string, QueryValue> {
  return {
    assignee: filters.assignee || undefined,
    label: filters.label || undefined,
    priority: filters.priority || undefined,
    due: filters.due || undefined,
    value_min: filters.value_min,
    value_max: filters.value_max,
    q: filters.q?.trim() || undefined,
    stale: filters.stale,
    tz: filters.due && timeZone ? timeZone : undefined,
  }
}

function localTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined
  } catch {
    return undefined
  }
}

export function listBoards(accountId: string, client: ApiClient = api): Promise<Page<Board> & { seq: number }> {
  return client.get(accountPath(accountId, '/boards'))
}

export function fetchBoard(accountId: string, boardId: string, client: ApiClient = api): Promise<Board> {
  return client.get(boardPath(accountId, boardId))
}

export function createBoard(accountId: string, input: BoardInput & { name: string }, client: ApiClient = api): Promise<Board> {
  return client.post(accountPath(accountId, '/boards'), input)
}

export function updateBoard(accountId: string, boardId: string, input: BoardInput, client: ApiClient = api): Promise<Board> {
  return client.patch(boardPath(accountId, boardId), input)
}

export function deleteBoard(accountId: string, boardId: string, client: ApiClient = api): Promise<void> {
  return client.delete(boardPath(accountId, boardId))
}

export function createStage(accountId: string, boardId: string, input: StageInput & { name: string }, client: ApiClient = api): Promise<Stage> {
  return client.post(boardPath(accountId, boardId, '/stages'), input)
}

export function updateStage(accountId: string, boardId: string, stageId: string, input: StageInput, client: ApiClient = api): Promise<Stage> {
  return client.patch(boardPath(accountId, boardId, `/stages/${encodeURIComponent(stageId)}`), input)
}

/** A stage with cards needs a target stage for them. */
export function deleteStage(accountId: string, boardId: string, stageId: string, targetStageId?: string, client: ApiClient = api): Promise<void> {
  return client.delete(boardPath(accountId, boardId, `/stages/${encodeURIComponent(stageId)}`), {
    query: { target_stage_id: targetStageId || undefined },
  })
}

export function reorderStages(accountId: string, boardId: string, stageIds: string[], client: ApiClient = api): Promise<{ data: Stage[] }> {
  return client.post(boardPath(accountId, boardId, '/stages/reorder'), { stage_ids: stageIds })
}

/** The first page of every column (stageId unset) or one column's next page. */
export function listCards(
  accountId: string,
  boardId: string,
  filters: CardFilters,
  params: PageParams & { stageId?: string } = {},
  client: ApiClient = api,
): Promise<CardPage> {
  return client.get(boardPath(accountId, boardId, '/cards'), {
    query: { ...filterQuery(filters), stage_id: params.stageId, cursor: params.cursor ?? undefined, limit: params.limit },
  })
}

export function fetchCard(accountId: string, boardId: string, cardId: string, client: ApiClient = api): Promise<Card> {
  return client.get(cardPath(accountId, boardId, cardId))
}

export function createCard(accountId: string, boardId: string, input: CardInput & { title: string }, client: ApiClient = api): Promise<Card> {
  return client.post(boardPath(accountId, boardId, '/cards'), input)
}

/** 409 with the current card (error body `card`) when `version` is stale. */
export function updateCard(accountId: string, boardId: string, cardId: string, input: CardInput, client: ApiClient = api): Promise<Card> {
  return client.patch(cardPath(accountId, boardId, cardId), input)
}

export function deleteCard(accountId: string, boardId: string, cardId: string, client: ApiClient = api): Promise<void> {
  return client.delete(cardPath(accountId, boardId, cardId))
}

/** 200 with the moved card, or 409 with the current card when the version is stale. */
export function moveCard(accountId: string, boardId: string, cardId: string, input: MoveInput, client: ApiClient = api): Promise<Card> {
  return client.post(cardPath(accountId, boardId, cardId, '/move'), input)
}

export function markWon(accountId: string, boardId: string, cardId: string, version: number, client: ApiClient = api): Promise<Card> {
  return client.post(cardPath(accountId, boardId, cardId, '/won'), { version })
}

export function markLost(accountId: string, boardId: string, cardId: string, version: number, reason: string, client: ApiClient = api): Promise<Card> {
  return client.post(cardPath(accountId, boardId, cardId, '/lost'), { version, reason })
}

/** Up to 200 cards to the end of a stage, all or none. */
export function bulkMove(
  accountId: string,
  boardId: string,
  input: { card_ids: string[]; stage_id: string; reason?: string },
  client: ApiClient = api,
): Promise<{ data: Card[] }> {
  return client.post(boardPath(accountId, boardId, '/cards/bulk-move'), input)
}

export function cardHistory(accountId: string, boardId: string, cardId: string, params: PageParams = {}, client: ApiClient = api): Promise<Page<HistoryEntry>> {
  return client.get(cardPath(accountId, boardId, cardId, '/history'), { query: { limit: params.limit, cursor: params.cursor ?? undefined } })
}

export function listNotes(accountId: string, boardId: string, cardId: string, params: PageParams = {}, client: ApiClient = api): Promise<Page<Note>> {
  return client.get(cardPath(accountId, boardId, cardId, '/notes'), { query: { limit: params.limit, cursor: params.cursor ?? undefined } })
}

export function createNote(accountId: string, boardId: string, cardId: string, body: string, client: ApiClient = api): Promise<Note> {
  return client.post(cardPath(accountId, boardId, cardId, '/notes'), { body })
}

export function updateNote(accountId: string, boardId: string, cardId: string, noteId: string, body: string, client: ApiClient = api): Promise<Note> {
  return client.patch(cardPath(accountId, boardId, cardId, `/notes/${encodeURIComponent(noteId)}`), { body })
}

export function deleteNote(accountId: string, boardId: string, cardId: string, noteId: string, client: ApiClient = api): Promise<void> {
  return client.delete(cardPath(accountId, boardId, cardId, `/notes/${encodeURIComponent(noteId)}`))
}

/** Posted to the card's conversation through Chatwoot (the gateway delivers it). */
export function sendMessage(
  accountId: string,
  boardId: string,
  cardId: string,
  content: string,
  client: ApiClient = api,
): Promise<{ message_id: number; conversation_id: number; content: string }> {
  return client.post(cardPath(accountId, boardId, cardId, '/messages'), { content })
}

/** A contact's deals on every board the caller sees. */
export function contactDeals(accountId: string, contactId: number, client: ApiClient = api): Promise<Page<Card>> {
  return client.get(accountPath(accountId, '/deals'), { query: { contact_id: contactId } })
}

export function listMembers(accountId: string, client: ApiClient = api): Promise<Page<Member>> {
  return client.get(accountPath(accountId, '/kanban/members'))
}

/** The CSV export of the filtered set, as a Blob (the request carries the page's credentials). */
export async function exportCSV(accountId: string, boardId: string, filters: CardFilters, client: ApiClient = api): Promise<Blob> {
  return client.download(boardPath(accountId, boardId, '/export.csv'), { query: filterQuery(filters) })
}
