/**
 * The embed pages' side of the handshake with Chatwoot, as pure functions (session.ts wires them).
 *
 * - The server lists the Chatwoot origins that may frame this page in
 *   <meta name="whatpro-frame-origins" content="https://a https://b"> (the same origins as the
 *   page's CSP frame-ancestors). The page never trusts an origin it reads from its own URL.
 * - The page posts {type:"whatpro:hello", nonce} to window.parent with the exact parent origin as
 *   targetOrigin, and accepts {type:"whatpro:token", nonce, token, expires_at, account_id} only
 *   from that origin, from window.parent, with the same nonce.
 * - Chatwoot's Dashboard App context arrives as a JSON string (posted with '*' by Chatwoot) and
 *   is only a hint: it is accepted from an allowed origin and for the linked account only.
 */

export const FRAME_ORIGINS_META = 'whatpro-frame-origins'

export const HELLO = 'whatpro:hello'
export const TOKEN = 'whatpro:token'
export const CLOSE = 'whatpro:close'
export const THEME = 'whatpro:theme'
/** Asks the dashboard script to open a conversation in Chatwoot: {type, conversation_id}. */
export const NAVIGATE = 'whatpro:navigate'
/** What a Dashboard App posts to ask Chatwoot for the context again. */
export const FETCH_INFO = 'chatwoot-dashboard-app:fetch-info'

const NONCE_RE = /^[A-Za-z0-9_-]{16,128}$/

export type Theme = 'light' | 'dark'

/** A serialised origin ("https://chat.example.com"), or null for anything else. */
export function normalizeOrigin(value: string): string | null {
  const v = value.trim()
  if (v === '' || v === 'null') return null
  let url: URL
  try {
    url = new URL(v)
  } catch {
    return null
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
  // An origin has no path, query, fragment or credentials: refuse values that carried any.
  const bare = v.endsWith('/') ? v.slice(0, -1) : v
  if (url.origin.toLowerCase() !== bare.toLowerCase()) return null
  return url.origin
}

/** The allowed parent origins in the meta tag's content (space separated). */
export function parseFrameOrigins(content: string | null | undefined): string[] {
  const out: string[] = []
  for (const part of (content ?? '').split(/\s+/)) {
    const origin = part ? normalizeOrigin(part) : null
    if (origin && !out.includes(origin)) out.push(origin)
  }
  return out
}

export function readFrameOrigins(doc: Document = document): string[] {
  const meta = doc.querySelector<HTMLMetaElement>(`meta[name="${FRAME_ORIGINS_META}"]`)
  return parseFrameOrigins(meta?.content)
}

/** The origin of a URL (document.referrer), or null. */
export function originOfURL(url: string | null | undefined): string | null {
  if (!url) return null
  try {
    const u = new URL(url)
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null
  } catch {
    return null
  }
}

/**
 * The exact origin to post the hello to, or null when no allowed origin fits (the page then
 * gives up: data-auth="denied").
 *
 * location.ancestorOrigins (Chromium, Safari) names the real parent, so when it is there it
 * decides. Otherwise the referrer's origin picks among several allowed origins; a single allowed
 * origin is used as it is (postMessage delivers nothing if the parent is not on it).
 */
export function chooseParentOrigin(allowed: readonly string[], referrer: string | null, ancestorOrigins?: readonly string[] | null): string | null {
  if (allowed.length === 0) return null
  const ancestor = ancestorOrigins && ancestorOrigins.length > 0 ? ancestorOrigins[0] : undefined
  if (ancestor !== undefined) return allowed.includes(ancestor) ? ancestor : null
  const fromReferrer = originOfURL(referrer)
  if (fromReferrer && allowed.includes(fromReferrer)) return fromReferrer
  if (allowed.length === 1) return allowed[0] ?? null
  return null
}

/** 128 random bits, base64url. */
export function newNonce(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(16))
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export function isNonce(value: unknown): value is string {
  return typeof value === 'string' && NONCE_RE.test(value)
}

export function helloMessage(nonce: string): { type: typeof HELLO; nonce: string } {
  return { type: HELLO, nonce }
}

/** What a whatpro:token message carries once checked. */
export interface TokenGrant {
  token: string
  expiresAt: number
  expiresAtText: string
  accountId: string
  /** What the sender said; the session relies on the hub's validation for the linked account. */
  chatwootAccountId: number | null
  theme: Theme | null
  locale: string | null
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Reads a whatpro:token message. With expectedNonce, the message's nonce must be exactly it
 * (relay); with null, no nonce is required (the sign-in popup, checked by its source instead).
 */
export function readTokenMessage(data: unknown, expectedNonce: string | null): TokenGrant | null {
  if (!isRecord(data) || data.type !== TOKEN) return null
  if (expectedNonce !== null && (!isNonce(data.nonce) || data.nonce !== expectedNonce)) return null
  const { token, expires_at: expiresAtText, account_id: accountId } = data
  if (typeof token !== 'string' || token === '' || token.length > 512) return null
  if (typeof expiresAtText !== 'string') return null
  const expiresAt = Date.parse(expiresAtText)
  if (!Number.isFinite(expiresAt)) return null
  if (typeof accountId !== 'string' || accountId === '' || accountId.length > 64) return null
  const cw = data.chatwoot_account_id
  return {
    token,
    expiresAt,
    expiresAtText,
    accountId,
    chatwootAccountId: typeof cw === 'number' && Number.isSafeInteger(cw) && cw > 0 ? cw : null,
    theme: data.theme === 'dark' || data.theme === 'light' ? data.theme : null,
    locale: typeof data.locale === 'string' && data.locale.length <= 16 ? data.locale : null,
  }
}

/** Reads a whatpro:theme message from the dashboard script. */
export function readThemeMessage(data: unknown): Theme | null {
  if (!isRecord(data) || data.type !== THEME) return null
  return data.theme === 'dark' || data.theme === 'light' ? data.theme : null
}

/**
 * The hint a Chatwoot appContext gives: ids and names as Chatwoot sent them, nothing else. The
 * conversation tab uses the account id to check the linked account and the conversation id to
 * ask the hub; what it shows comes from the hub, never from these fields.
 */
export interface AppContextHint {
  accountId: number
  conversationId: number
  inboxId: number | null
  contactId: number | null
  contactName: string
  agentId: number | null
  theme: Theme | null
}

function positiveInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null
}

function shortText(v: unknown, max = 200): string {
  return typeof v === 'string' ? v.slice(0, max) : ''
}

/**
 * Parses Chatwoot's Dashboard App message: a JSON string {event:"appContext", data:{conversation,
 * contact, currentAgent[, theme]}} (Frame.vue). Anything else, including objects and other
 * strings such as the fetch-info request, gives null.
 */
export function parseAppContext(raw: unknown): AppContextHint | null {
  if (typeof raw !== 'string' || raw.length > 2_000_000) return null
  let msg: unknown
  try {
    msg = JSON.parse(raw)
  } catch {
    return null
  }
  if (!isRecord(msg) || msg.event !== 'appContext' || !isRecord(msg.data)) return null
  const { conversation, contact, currentAgent, theme } = msg.data
  if (!isRecord(conversation)) return null
  const accountId = positiveInt(conversation.account_id)
  const conversationId = positiveInt(conversation.id)
  if (accountId === null || conversationId === null) return null
  const c = isRecord(contact) ? contact : {}
  const meta = isRecord(conversation.meta) ? conversation.meta : {}
  const sender = isRecord(meta.sender) ? meta.sender : {}
  return {
    accountId,
    conversationId,
    inboxId: positiveInt(conversation.inbox_id),
    contactId: positiveInt(c.id) ?? positiveInt(sender.id),
    contactName: shortText(c.name) || shortText(sender.name),
    agentId: isRecord(currentAgent) ? positiveInt(currentAgent.id) : null,
    theme: theme === 'dark' || theme === 'light' ? theme : null,
  }
}

/** 'pt_BR', 'pt-BR', 'pt' → 'pt-BR'; anything else → 'en'. */
export function embedLocale(value: string | null | undefined): 'pt-BR' | 'en' {
  return (value ?? '').toLowerCase().startsWith('pt') ? 'pt-BR' : 'en'
}
