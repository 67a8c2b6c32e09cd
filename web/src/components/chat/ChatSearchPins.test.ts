import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { ChatMessage, ChatRoom } from '@/api/chat'
import { createAppI18n } from '@/i18n'
import ChatPinnedList from './ChatPinnedList.vue'
import ChatRoomList from './ChatRoomList.vue'
import ChatSearch from './ChatSearch.vue'

function room(id: string, over: Partial<ChatRoom> = {}): ChatRoom {
  return {
    id, type: 'dm', name: '', topic: '', member_ids: ['me', 'bia'], created_by: 'me', last_seq: 2, last_message_at: null, archived_at: null,
    created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', member: true, role: 'owner', unread_count: 0, mention_count: 0,
    last_read_seq: 2, muted: false, muted_until: null, hidden: false, last_message: null, ...over,
  }
}
function msg(id: string, over: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id, room_id: 'r1', seq: 1, kind: 'text', author_id: 'bia', content: `**texto** ${id}`, echo_id: null, reply_to_id: null, mentions: [],
    mentions_room: false, reactions: [], attachments: [], conversation: null, pinned_at: '2026-01-03T00:00:00Z', pinned_by: 'me', edited_at: null,
    deleted_at: null, created_at: '2026-01-02T10:00:00Z', updated_at: '2026-01-02T10:00:00Z', ...over,
  }
}
const names: Record<string, string> = { me: 'Eu', bia: 'Bia Lima' }
const nameOf = (id: string) => names[id] ?? '?'

describe('ChatSearch', () => {
  function mountSearch(props: Partial<InstanceType<typeof ChatSearch>['$props']> = {}, locale: 'en' | 'pt-BR' = 'en') {
    return mount(ChatSearch, {
      props: {
        q: '', results: [], status: 'idle', hasMore: false, error: '', rooms: new Map([['r1', room('r1')], ['r2', room('r2', { type: 'public', name: 'Vendas' })]]),
        title: (r: ChatRoom) => r.name || 'Bia Lima', nameOf, ...props,
      },
      global: { plugins: [createAppI18n(locale)] },
    })
  }

  it('asks for the words typed, and clears with Escape', async () => {
    const w = mountSearch()
    await w.get('[data-testid="chat-search-input"]').setValue('  pedido 123 ')
    await w.get('[data-testid="chat-search"]').trigger('submit')
    expect(w.emitted('search')).toEqual([['pedido 123']])
    await w.get('[data-testid="chat-search-input"]').trigger('keydown', { key: 'Escape' })
    expect(w.emitted('clear')).toHaveLength(1)
    expect((w.get('[data-testid="chat-search-input"]').element as HTMLInputElement).value).toBe('')
  })

  it('lists results with their room and author, opens one at its message, and pages on', async () => {
    const w = mountSearch({ q: 'texto', status: 'ready', hasMore: true, results: [msg('m5', { room_id: 'r2' }), msg('m3')] })
    const rows = w.findAll('[data-testid="chat-search-result"]')
    expect(rows.map((r) => r.text())).toEqual([expect.stringContaining('Bia Lima in Vendas'), expect.stringContaining('Bia Lima in Bia Lima')])
    expect(w.findAll('[data-testid="chat-search-result-text"]').map((r) => r.text())).toEqual(['texto m5', 'texto m3'])
    await rows[0]!.trigger('click')
    expect(w.emitted('open')).toEqual([['r2', 'm5']])
    await w.get('[data-testid="chat-search-more"]').trigger('click')
    expect(w.emitted('more')).toHaveLength(1)
  })

  it('says when nothing matched, in pt-BR too', () => {
    expect(mountSearch({ q: 'nada', status: 'ready' }).get('[data-testid="chat-search-empty"]').text()).toBe('No message found with these words.')
    expect(mountSearch({ q: 'nada', status: 'ready' }, 'pt-BR').get('[data-testid="chat-search-empty"]').text()).toBe('Nenhuma mensagem com estas palavras.')
  })
})

describe('ChatPinnedList', () => {
  const mountPins = (props: Partial<InstanceType<typeof ChatPinnedList>['$props']> = {}) =>
    mount(ChatPinnedList, { props: { pins: [], status: 'ready', limit: 50, nameOf, canUnpin: true, ...props }, global: { plugins: [createAppI18n('en')] } })

  it('lists the pins with who pinned them; a pin jumps to its message, unpin and Escape act', async () => {
    const w = mountPins({ pins: [msg('m2'), msg('m1', { pinned_by: 'bia' })] })
    expect(w.findAll('[data-testid="chat-pin-text"]').map((p) => p.text())).toEqual(['texto m2', 'texto m1'])
    expect(w.text()).toContain('pinned by Eu')
    expect(w.text()).toContain('pinned by Bia Lima')
    await w.findAll('[data-testid="chat-pin"]')[1]!.trigger('click')
    expect(w.emitted('jump')).toEqual([['m1']])
    await w.findAll('[data-testid="chat-pin-unpin"]')[0]!.trigger('click')
    expect((w.emitted('unpin')![0] as ChatMessage[])[0]!.id).toBe('m2')
    await w.get('[data-testid="chat-pins"]').trigger('keydown', { key: 'Escape' })
    expect(w.emitted('close')).toHaveLength(1)
  })

  it('says when nothing is pinned, offers no unpin to readers, and names the limit when reached', () => {
    expect(mountPins().get('[data-testid="chat-pins-empty"]').text()).toBe('Nothing is pinned in this room yet.')
    expect(mountPins({ pins: [msg('m1')], canUnpin: false }).find('[data-testid="chat-pin-unpin"]').exists()).toBe(false)
    const full = mountPins({ pins: [msg('m1'), msg('m2')], limit: 2 })
    expect(full.text()).toContain('A room keeps at most 2 pinned messages.')
  })
})

describe('ChatRoomList presence', () => {
  it('shows the other person of a DM as online, away or offline; rooms have no dot', () => {
    const status: Record<string, 'online' | 'away' | 'offline'> = { bia: 'online', caio: 'away' }
    const w = mount(ChatRoomList, {
      props: {
        rooms: [room('r1'), room('r3', { member_ids: ['caio', 'me'] }), room('r4', { member_ids: ['me', 'dani'] }), room('r2', { type: 'public', name: 'Vendas' })],
        openId: null, title: (r: ChatRoom) => r.name || r.id, nameOf, me: 'me', presenceOf: (id: string) => status[id] ?? 'offline',
      },
      global: { plugins: [createAppI18n('pt-BR')] },
    })
    const dot = (id: string) => w.find(`[data-room-id="${id}"] [data-testid="chat-presence"]`)
    expect(dot('r1').attributes('data-status')).toBe('online')
    expect(dot('r1').attributes('aria-label')).toBe('On-line')
    expect(dot('r3').attributes('data-status')).toBe('away')
    expect(dot('r3').attributes('aria-label')).toBe('Ausente')
    expect(dot('r4').attributes('data-status')).toBe('offline')
    expect(dot('r2').exists()).toBe(false)
  })
})
