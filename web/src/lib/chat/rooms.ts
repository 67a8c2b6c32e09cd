/**
 * The viewer's rooms and their counts, kept from the room list and the `chat` topic's events the
 * way docs/api.md ("Counts and the badge") says: a text message by someone else adds one unread
 * (and one mention when it names the viewer or the room); the viewer's own message reads the room;
 * every other change of the counts arrives as chat.room.read with the exact numbers.
 */
import type { ChatMessage, ChatRoom, Person } from '@/api/chat'
import type { RealtimeEvent } from '@/lib/realtime'

export interface Totals {
  unread: number
  mentions: number
}

/** Whether the viewer's mute holds at now (a muted_until in the past does not). */
export function isMuted(room: Pick<ChatRoom, 'muted' | 'muted_until'>, now = Date.now()): boolean {
  return room.muted && (room.muted_until === null || Date.parse(room.muted_until) > now)
}

/** Latest activity first. */
export function sortRooms(rooms: ChatRoom[]): ChatRoom[] {
  const at = (r: ChatRoom) => Date.parse(r.last_message_at ?? r.created_at) || 0
  return [...rooms].sort((a, b) => at(b) - at(a) || a.id.localeCompare(b.id))
}

/** The badge: unread and mentions of the rooms that are neither muted nor archived. */
export function totals(rooms: Iterable<ChatRoom>, now = Date.now()): Totals {
  let unread = 0
  let mentions = 0
  for (const r of rooms) {
    if (r.archived_at || isMuted(r, now)) continue
    unread += r.unread_count
    mentions += r.mention_count
  }
  return { unread, mentions }
}

/** Whether a message mentions the viewer (by id or through @room). */
export function mentionsMe(m: ChatMessage, me: string): boolean {
  return m.mentions_room || m.mentions.includes(me)
}

/** The name a room is shown with: DMs by their people, other rooms by name. */
export function roomTitle(room: ChatRoom, me: string, people: Map<string, Person>, unknown = '?'): string {
  if (room.type !== 'dm' && room.type !== 'group_dm') return room.name
  const others = room.member_ids.filter((id) => id !== me)
  const ids = others.length ? others : [me]
  return ids.map((id) => people.get(id)?.name || unknown).join(', ')
}

type Shared = Omit<ChatRoom, 'member' | 'role' | 'unread_count' | 'mention_count' | 'last_read_seq' | 'muted' | 'muted_until' | 'hidden' | 'last_message'>

function joined(shared: Shared): ChatRoom {
  return { ...shared, member: true, unread_count: 0, mention_count: 0, last_read_seq: 0, muted: false, muted_until: null, hidden: false, last_message: null }
}

interface RoomEventData {
  room_id?: string
  room?: Shared
  message?: ChatMessage
  user_ids?: string[]
  user_id?: string
  last_read_seq?: number
  unread_count?: number
  mention_count?: number
  muted?: boolean
  muted_until?: string | null
  hidden?: boolean
  through_seq?: number
}

/**
 * Applies one event of the `chat` topic to the rooms (by id). Answers what happened to the room,
 * so the caller can follow up (a room the viewer joined without its details, a room left).
 */
export function applyRoomEvent(rooms: Map<string, ChatRoom>, ev: RealtimeEvent, me: string): 'changed' | 'left' | 'unknown' | 'none' {
  const d = (ev.data ?? {}) as RoomEventData
  const id = d.room_id
  if (!id) return 'none'
  const room = rooms.get(id)
  switch (ev.event) {
    case 'chat.message.created': {
      const m = d.message
      if (!m) return 'none'
      if (!room) return 'unknown'
      if (m.seq > room.last_seq) {
        room.last_seq = m.seq
        room.last_message_at = m.created_at
        room.last_message = m
      }
      room.hidden = false
      if (m.author_id === me) {
        room.unread_count = 0
        room.mention_count = 0
        room.last_read_seq = Math.max(room.last_read_seq, m.seq)
      } else if (m.kind === 'text' && m.seq > room.last_read_seq) {
        room.unread_count++
        if (mentionsMe(m, me)) room.mention_count++
      }
      return 'changed'
    }
    case 'chat.message.updated':
    case 'chat.message.deleted':
      if (room && d.message && room.last_message?.id === d.message.id) room.last_message = d.message
      return room ? 'changed' : 'none'
    case 'chat.room.created':
    case 'chat.room.updated':
    case 'chat.room.archived':
    case 'chat.room.unarchived':
      if (!d.room) return 'none'
      if (room) Object.assign(room, d.room)
      else if (ev.event === 'chat.room.created' && d.room.member_ids.includes(me)) rooms.set(id, joined(d.room))
      else return 'unknown'
      return 'changed'
    case 'chat.room.member_added':
      if (room && d.room) Object.assign(room, d.room)
      else if (d.room && d.user_ids?.includes(me)) rooms.set(id, joined(d.room))
      else if (!room) return 'unknown'
      return 'changed'
    case 'chat.room.member_removed':
      if (d.user_ids?.includes(me)) {
        rooms.delete(id)
        return 'left'
      }
      if (room && d.room) Object.assign(room, d.room)
      return room ? 'changed' : 'none'
    case 'chat.room.read':
      if (!room || d.user_id !== me) return 'none'
      room.last_read_seq = d.last_read_seq ?? room.last_read_seq
      room.unread_count = d.unread_count ?? 0
      room.mention_count = d.mention_count ?? 0
      return 'changed'
    case 'chat.room.settings':
      if (!room || d.user_id !== me) return 'none'
      room.muted = d.muted ?? false
      room.muted_until = d.muted_until ?? null
      room.hidden = d.hidden ?? false
      return 'changed'
    case 'chat.room.pruned':
      if (room && room.last_message && d.through_seq !== undefined && room.last_message.seq <= d.through_seq) room.last_message = null
      return room ? 'changed' : 'none'
  }
  return 'none'
}

/**
 * Whether a new message deserves a browser notification: a text message by someone else, in a
 * room that is not muted, that is a DM (1:1 or group) or mentions the viewer.
 */
export function shouldNotify(m: ChatMessage, room: ChatRoom | undefined, me: string, now = Date.now()): boolean {
  if (!room || m.kind !== 'text' || m.author_id === me || m.deleted_at) return false
  if (isMuted(room, now) || room.archived_at) return false
  return room.type === 'dm' || room.type === 'group_dm' || mentionsMe(m, me)
}
