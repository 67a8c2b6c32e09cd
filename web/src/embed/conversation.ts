/**
 * What the conversation tab shows, read from the hub: GET
 * /api/v1/accounts/{accountID}/chatwoot/conversations/{conversationID}. The hub reads the
 * conversation from Chatwoot itself and answers an agent only for a conversation in one of the
 * agent's own Chatwoot inboxes (recorded at SSO; administrators see all), else 404.
 */

export interface HubConversation {
  accountId: string
  chatwootAccountId: number
  conversationId: number
  inboxId: number
  status: string
  contact: { id: number | null; name: string; phoneNumber: string }
  /** The inbox's name from the hub's mirror ('' when the hub has not synced it). */
  inboxName: string
  /** The hub number serving this inbox, or null when none does. */
  number: ServingNumber | null
}

export interface ServingNumber {
  id: string
  name: string
  displayName: string
  phoneNumber: string
  profileName: string
  status: string
  disconnectReason: string
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function positiveInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null
}

function text(v: unknown, max = 200): string {
  return typeof v === 'string' ? v.slice(0, max) : ''
}

/** The path of the hub's conversation endpoint. */
export function conversationPath(accountId: string, conversationId: number): string {
  return `api/v1/accounts/${encodeURIComponent(accountId)}/chatwoot/conversations/${conversationId}`
}

/**
 * Reads the hub's answer, or null when it is malformed or is not about what was asked (another
 * hub account, Chatwoot account or conversation): the tab then shows nothing of it.
 */
export function readHubConversation(
  data: unknown,
  expected: { accountId: string; chatwootAccountId: number; conversationId: number },
): HubConversation | null {
  if (!isRecord(data)) return null
  const chatwootAccountId = positiveInt(data.chatwoot_account_id)
  const conversationId = positiveInt(data.conversation_id)
  const inboxId = positiveInt(data.inbox_id)
  if (data.account_id !== expected.accountId || chatwootAccountId !== expected.chatwootAccountId) return null
  if (conversationId !== expected.conversationId || inboxId === null) return null
  const contact = isRecord(data.contact) ? data.contact : {}
  const inbox = isRecord(data.inbox) ? data.inbox : {}
  const n = isRecord(inbox.number) ? inbox.number : null
  const number: ServingNumber | null =
    n && typeof n.id === 'string' && n.id
      ? {
          id: text(n.id, 64),
          name: text(n.name, 64),
          displayName: text(n.display_name, 120),
          phoneNumber: text(n.phone_number, 40),
          profileName: text(n.profile_name, 120),
          status: text(n.status, 32),
          disconnectReason: text(n.disconnect_reason, 32),
        }
      : null
  return {
    accountId: expected.accountId,
    chatwootAccountId,
    conversationId,
    inboxId,
    status: text(data.status, 32),
    contact: { id: positiveInt(contact.id), name: text(contact.name), phoneNumber: text(contact.phone_number, 40) },
    inboxName: text(inbox.inbox_name, 120),
    number,
  }
}
