/** Test data for the Kanban: a board with open, won and lost stages, cards, and a fake realtime. */
import type { Board, Card, CardPage, Stage } from '@/api/kanban'
import type { RealtimeEvent, TopicHandlers } from '@/lib/realtime'
import type { RealtimeLike } from '@/stores/board'

export const ACCOUNT = 'acct_1'
export const BOARD = 'board_1'

export function stage(id: string, overrides: Partial<Stage> = {}): Stage {
  return {
    id,
    board_id: BOARD,
    name: id.toUpperCase(),
    color: '#3b82f6',
    position: 1024,
    kind: 'open',
    stale_after_hours: null,
    win_probability: 50,
    wip_limit: null,
    required_fields: [],
    ...overrides,
  }
}

export const STAGES: Stage[] = [
  stage('new', { name: 'Novo', position: 1024, win_probability: 10 }),
  stage('deal', { name: 'Negociação', position: 2048, win_probability: 50 }),
  stage('won', { name: 'Ganho', position: 3072, kind: 'won', win_probability: 100 }),
  stage('lost', { name: 'Perdido', position: 4096, kind: 'lost', win_probability: 0 }),
]

export function boardAnswer(seq = 10, overrides: Partial<Board> = {}): Board {
  return {
    id: BOARD,
    name: 'Funil',
    description: '',
    is_default: true,
    currency: 'BRL',
    visibility: 'all',
    visible_user_ids: [],
    visible_team_ids: [],
    entry_rule: { all_inboxes: true, inbox_ids: [] },
    stage_attribute: '',
    custom_fields: [],
    version: 1,
    stages: STAGES,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    seq,
    ...overrides,
  }
}

export function card(id: string, stageId: string, position: number, overrides: Partial<Card> = {}): Card {
  return {
    id,
    board_id: BOARD,
    stage_id: stageId,
    status: stageId === 'won' ? 'won' : stageId === 'lost' ? 'lost' : 'open',
    title: `Deal ${id}`,
    value_cents: 10000,
    currency: 'BRL',
    priority: 'none',
    due_at: null,
    labels: [],
    assignee_ids: [],
    contact: null,
    conversation_id: null,
    inbox_id: null,
    conversation_status: '',
    custom_fields: {},
    position,
    version: 1,
    stage_entered_at: '2026-01-01T00:00:00Z',
    closed_reason: '',
    closed_at: null,
    last_activity_at: null,
    last_message_preview: '',
    origin: 'manual',
    created_by: 'u1',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    stale: false,
    ...overrides,
  }
}

/** A card list answer with totals computed from the cards given (or those passed in totals). */
export function cardPage(cards: Card[], opts: { seq?: number; more?: Record<string, string>; totals?: CardPage['totals'] } = {}): CardPage {
  const totals: CardPage['totals'] = {}
  for (const s of STAGES) totals[s.id] = { count: 0, value_cents: 0, weighted_value_cents: 0 }
  for (const c of cards) {
    const t = totals[c.stage_id]!
    t.count++
    t.value_cents += c.value_cents
  }
  const columns: CardPage['columns'] = {}
  for (const s of STAGES) columns[s.id] = opts.more?.[s.id] ? { has_more: true, next_cursor: opts.more[s.id] } : { has_more: false }
  return { data: cards, pagination: { has_more: Boolean(opts.more) }, columns, totals: opts.totals ?? totals, seq: opts.seq ?? 10 }
}

/** A realtime client whose events the test plays. */
export function fakeRealtime() {
  const subs: { topic: string; lastSeq: number | null; handlers: TopicHandlers; closed: boolean }[] = []
  const client: RealtimeLike = {
    subscribe(topic, lastSeq, handlers) {
      const sub = { topic, lastSeq, handlers, closed: false }
      subs.push(sub)
      return {
        close: () => {
          sub.closed = true
        },
      }
    },
  }
  let seq = 100
  return {
    client,
    subs,
    /** Plays an event on the last live subscription. */
    emit(event: string, data: unknown, at?: number): RealtimeEvent {
      const sub = subs.filter((s) => !s.closed).at(-1)
      if (!sub) throw new Error('no live subscription')
      const ev = { seq: at ?? ++seq, event, account_id: ACCOUNT, topic: sub.topic, data }
      sub.handlers.onEvent(ev)
      return ev
    },
    resync: () => subs.filter((s) => !s.closed).at(-1)!.handlers.onResync(),
  }
}
