import { describe, expect, it } from 'vitest'
import type { ChatMessage, ChatRoom } from '@/api/chat'
import { applyRoomEvent, isMuted, roomTitle, shouldNotify, sortRooms, totals } from './rooms'

function room(id: string, over: Partial<ChatRoom> = {}): ChatRoom {
  return {
    id, type: 'public', name: id, topic: '', member_ids: ['me', 'bia'], created_by: 'me', last_seq: 0, last_message_at: null,
    archived_at: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', member: true, unread_count: 0,
    mention_count: 0, last_read_seq: 0, muted: false, muted_until: null, hidden: false, last_message: null, ...over,
  }
}
function msg(seq: number, over: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `m${seq}`, room_id: 'r1', seq, kind: 'text', author_id: 'bia', content: 'oi', echo_id: null, reply_to_id: null, mentions: [],
    mentions_room: false, reactions: [], attachments: [], conversation: null, pinned_at: null, pinned_by: null, edited_at: null,
    deleted_at: null, created_at: `2026-01-02T00:00:0${seq % 10}Z`, updated_at: '2026-01-02T00:00:00Z', ...over,
  }
}
const ev = (event: string, data: unknown) => ({ seq: 1, event, account_id: 'a', topic: 'chat', data })

describe('chat rooms', () => {
  it('counts messages by others, mentions, and reads on own messages', () => {
    const rooms = new Map([['r1', room('r1')]])
    applyRoomEvent(rooms, ev('chat.message.created', { room_id: 'r1', message: msg(1) }), 'me')
    applyRoomEvent(rooms, ev('chat.message.created', { room_id: 'r1', message: msg(2, { mentions: ['me'] }) }), 'me')
    applyRoomEvent(rooms, ev('chat.message.created', { room_id: 'r1', message: msg(3, { kind: 'system' }) }), 'me')
    expect([rooms.get('r1')!.unread_count, rooms.get('r1')!.mention_count]).toEqual([2, 1])
    applyRoomEvent(rooms, ev('chat.message.created', { room_id: 'r1', message: msg(4, { author_id: 'me' }) }), 'me')
    expect([rooms.get('r1')!.unread_count, rooms.get('r1')!.mention_count, rooms.get('r1')!.last_read_seq]).toEqual([0, 0, 4])
    applyRoomEvent(rooms, ev('chat.room.read', { room_id: 'r1', user_id: 'me', last_read_seq: 4, unread_count: 3, mention_count: 2 }), 'me')
    expect(totals(rooms.values())).toEqual({ unread: 3, mentions: 2 })
  })

  it('leaves muted and archived rooms out of the badge', () => {
    const now = Date.parse('2026-06-01T00:00:00Z')
    const list = [
      room('a', { unread_count: 2 }),
      room('b', { unread_count: 5, muted: true }),
      room('c', { unread_count: 7, muted: true, muted_until: '2026-01-01T00:00:00Z' }),
      room('d', { unread_count: 9, archived_at: '2026-01-01T00:00:00Z' }),
    ]
    expect(totals(list, now)).toEqual({ unread: 9, mentions: 0 })
    expect(isMuted(list[2]!, now)).toBe(false)
  })

  it('follows joins, leaves and settings', () => {
    const rooms = new Map<string, ChatRoom>()
    const shared = { ...room('r2'), member_ids: ['bia', 'me'] }
    expect(applyRoomEvent(rooms, ev('chat.room.member_added', { room_id: 'r2', user_ids: ['me'], room: shared }), 'me')).toBe('changed')
    expect(rooms.get('r2')?.member).toBe(true)
    applyRoomEvent(rooms, ev('chat.room.settings', { room_id: 'r2', user_id: 'me', muted: true, muted_until: null, hidden: false }), 'me')
    expect(rooms.get('r2')?.muted).toBe(true)
    expect(applyRoomEvent(rooms, ev('chat.room.member_removed', { room_id: 'r2', user_ids: ['me'], room: shared }), 'me')).toBe('left')
    expect(rooms.has('r2')).toBe(false)
  })

  it('names DMs by their people and sorts by activity', () => {
    const people = new Map([['bia', { id: 'bia', name: 'Bia' }], ['caio', { id: 'caio', name: 'Caio' }]])
    expect(roomTitle(room('x', { type: 'dm', member_ids: ['me', 'bia'] }), 'me', people)).toBe('Bia')
    expect(roomTitle(room('x', { type: 'group_dm', member_ids: ['me', 'bia', 'caio'] }), 'me', people)).toBe('Bia, Caio')
    const sorted = sortRooms([room('old'), room('new', { last_message_at: '2026-03-01T00:00:00Z' })])
    expect(sorted.map((r) => r.id)).toEqual(['new', 'old'])
  })

  it('notifies for DMs and mentions, never for muted rooms or own messages', () => {
    const dm = room('d', { type: 'dm' })
    expect(shouldNotify(msg(1), dm, 'me')).toBe(true)
    expect(shouldNotify(msg(1), room('p'), 'me')).toBe(false)
    expect(shouldNotify(msg(1, { mentions: ['me'] }), room('p'), 'me')).toBe(true)
    expect(shouldNotify(msg(1, { mentions_room: true }), room('p'), 'me')).toBe(true)
    expect(shouldNotify(msg(1, { mentions: ['me'] }), room('p', { muted: true }), 'me')).toBe(false)
    expect(shouldNotify(msg(1, { author_id: 'me' }), dm, 'me')).toBe(false)
    expect(shouldNotify(msg(1, { kind: 'system' }), dm, 'me')).toBe(false)
  })
})
