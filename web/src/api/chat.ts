/**
 * The internal team chat: {base}api/v1/accounts/{accountID}/chat/… (rooms and their members, read
 * markers and the viewer's settings, messages with cursor paging, reactions, pins, attachments,
 * conversation cards, the unread badge, presence and the people directory). docs/api.md,
 * "Internal chat", is the contract.
 */
import { api, type ApiClient } from './client'

export type RoomType = 'public' | 'private' | 'group_dm' | 'dm'

export interface ChatMessage {
  id: string
  room_id: string
  seq: number
  kind: 'text' | 'system'
  author_id: string
  content: string
  echo_id: string | null
  reply_to_id: string | null
  reply_to?: { id: string; author_id: string; excerpt: string; deleted: boolean } | null
  mentions: string[]
  mentions_room: boolean
  reactions: { emoji: string; count: number; user_ids: string[] }[]
  attachments: ChatAttachment[]
  conversation: { referenced: boolean; card_url: string } | null
  system?: { action: string; user_ids?: string[]; by?: string } | null
  pinned_at: string | null
  pinned_by: string | null
  edited_at: string | null
  deleted_at: string | null
  created_at: string
  updated_at: string
}

export interface ChatAttachment {
  id: string
  room_id: string
  message_id: string | null
  uploader_id: string
  filename: string
  content_type: string
  size: number
  sha256: string
  image: boolean
  url: string
  created_at: string
}

export interface ChatRoom {
  id: string
  type: RoomType
  name: string
  topic: string
  member_ids: string[]
  created_by: string
  last_seq: number
  last_message_at: string | null
  archived_at: string | null
  created_at: string
  updated_at: string
  member: boolean
  role?: string
  unread_count: number
  mention_count: number
  last_read_seq: number
  muted: boolean
  muted_until: string | null
  hidden: boolean
  last_message?: ChatMessage | null
}

export interface RoomList {
  data: ChatRoom[]
  seq: number
}

export interface MessagePage {
  data: ChatMessage[]
  has_more_before: boolean
  has_more_after: boolean
  seq: number
}

export interface ReadState {
  room_id: string
  user_id: string
  last_read_seq: number
  unread_count: number
  mention_count: number
}

export interface UnreadAnswer {
  unread_count: number
  mention_count: number
  rooms: { room_id: string; unread_count: number; mention_count: number; muted: boolean }[]
  seq: number
}

export interface Person {
  id: string
  name: string
}

export interface Presence {
  user_id: string
  status: 'online' | 'away' | 'offline'
  expires_at: string
}

export interface SearchPage {
  data: ChatMessage[]
  pagination: { next_cursor?: string | null; has_more?: boolean }
}

export interface ConversationCard {
  conversation_id: number
  inbox_id: number
  status: string
  contact: { id: number | null; name: string; phone_number: string }
  last_message: { content: string; message_type: string | number; created_at: string | number } | null
}

export interface SendInput {
  content: string
  echo_id: string
  reply_to_id?: string
  mention_ids?: string[]
  attachment_ids?: string[]
  conversation_id?: number
}

const enc = encodeURIComponent

export class ChatApi {
  constructor(
    readonly accountId: string,
    private readonly client: ApiClient = api,
  ) {}

  private path(rest: string): string {
    return `api/v1/accounts/${enc(this.accountId)}/chat${rest}`
  }

  private room(roomId: string, rest = ''): string {
    return this.path(`/rooms/${enc(roomId)}${rest}`)
  }

  rooms(query: { public?: boolean } = {}): Promise<RoomList> {
    return this.client.get<RoomList>(this.path('/rooms'), { query: query.public ? { public: true } : undefined })
  }

  getRoom(roomId: string): Promise<ChatRoom> {
    return this.client.get<ChatRoom>(this.room(roomId))
  }

  createRoom(input: { type: RoomType; name?: string; topic?: string; member_ids: string[] }): Promise<ChatRoom> {
    return this.client.post<ChatRoom>(this.path('/rooms'), input)
  }

  join(roomId: string): Promise<ChatRoom> {
    return this.client.post<ChatRoom>(this.room(roomId, '/join'))
  }

  settings(roomId: string, input: { muted?: boolean; muted_until?: string | null; hidden?: boolean }): Promise<unknown> {
    return this.client.patch(this.room(roomId, '/settings'), input)
  }

  messages(roomId: string, cursor: { before?: string; after?: string; around?: string } = {}, limit = 50): Promise<MessagePage> {
    return this.client.get<MessagePage>(this.room(roomId, '/messages'), { query: { ...cursor, limit } })
  }

  send(roomId: string, input: SendInput): Promise<ChatMessage> {
    return this.client.post<ChatMessage>(this.room(roomId, '/messages'), input)
  }

  edit(roomId: string, messageId: string, input: { content: string; mention_ids?: string[] }): Promise<ChatMessage> {
    return this.client.patch<ChatMessage>(this.room(roomId, `/messages/${enc(messageId)}`), input)
  }

  remove(roomId: string, messageId: string): Promise<unknown> {
    return this.client.delete(this.room(roomId, `/messages/${enc(messageId)}`))
  }

  react(roomId: string, messageId: string, emoji: string): Promise<ChatMessage> {
    return this.client.post<ChatMessage>(this.room(roomId, `/messages/${enc(messageId)}/reactions`), { emoji })
  }

  unreact(roomId: string, messageId: string, emoji: string): Promise<ChatMessage> {
    return this.client.delete<ChatMessage>(this.room(roomId, `/messages/${enc(messageId)}/reactions/${enc(emoji)}`))
  }

  read(roomId: string, messageId?: string): Promise<ReadState> {
    return this.client.post<ReadState>(this.room(roomId, '/read'), messageId ? { message_id: messageId } : undefined)
  }

  unread(): Promise<UnreadAnswer> {
    return this.client.get<UnreadAnswer>(this.path('/unread'))
  }

  people(): Promise<{ data: Person[] }> {
    return this.client.get<{ data: Person[] }>(this.path('/people'))
  }

  presence(): Promise<{ data: Presence[]; ttl_seconds: number }> {
    return this.client.get<{ data: Presence[]; ttl_seconds: number }>(this.path('/presence'))
  }

  pin(roomId: string, messageId: string): Promise<ChatMessage> {
    return this.client.post<ChatMessage>(this.room(roomId, `/messages/${enc(messageId)}/pin`))
  }

  unpin(roomId: string, messageId: string): Promise<ChatMessage> {
    return this.client.delete<ChatMessage>(this.room(roomId, `/messages/${enc(messageId)}/pin`))
  }

  pins(roomId: string): Promise<{ data: ChatMessage[] }> {
    return this.client.get<{ data: ChatMessage[] }>(this.room(roomId, '/pins'))
  }

  /** Messages of the viewer's rooms with every word of q (as word prefixes), newest first. */
  search(q: string, opts: { roomId?: string; cursor?: string; limit?: number } = {}): Promise<SearchPage> {
    return this.client.get<SearchPage>(this.path('/search'), {
      query: { q, ...(opts.roomId ? { room_id: opts.roomId } : {}), ...(opts.cursor ? { cursor: opts.cursor } : {}), limit: opts.limit ?? 20 },
    })
  }

  upload(roomId: string, file: File): Promise<ChatAttachment> {
    const form = new FormData()
    form.append('file', file, file.name)
    return this.client.post<ChatAttachment>(this.room(roomId, '/attachments'), form, { timeoutMs: 120_000 })
  }

  /** The bytes of an attachment, with the page's credentials (never a bare URL). */
  download(url: string): Promise<Blob> {
    return this.client.download(url.replace(/^\/+/, ''))
  }

  /** GET a message's conversation card (its card_url, relative to the hub). */
  card(cardURL: string): Promise<ConversationCard> {
    return this.client.get<ConversationCard>(cardURL.replace(/^\/+/, ''))
  }
}
