/**
 * Reads Chatwoot's session cookie, cw_d_session_info, for same-origin mode (the hub served under a
 * path of Chatwoot's own domain, where this page can read Chatwoot's cookies).
 *
 * Chatwoot's SPA writes it with js-cookie as JSON.stringify(every response header of
 * /auth/sign_in), keys lower-case (app/javascript/dashboard/store/utils/api.js). Other writers may
 * quote the value, CGI-escape it or change the case of the keys, so the parser is tolerant: it
 * never throws and answers null when it finds no usable session.
 *
 * The dashboard script (internal/embed/assets/dashboard-script.js) has a plain-JS twin of this
 * parser; cookie.test.ts runs both against the same cases.
 */

export const SESSION_COOKIE = 'cw_d_session_info'

export interface ChatwootSession {
  accessToken: string
  client: string
  uid: string
}

/** Percent-decodes like js-cookie's reader: runs of %XX are decoded, broken runs kept as they are. */
function decodeCookieValue(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run)
      } catch {
        return run
      }
    })
  }
}

function parseJSONObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text)
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null
  } catch {
    return null
  }
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== ''
}

function sessionFromObject(obj: Record<string, unknown>, nowMs: number): ChatwootSession | null {
  const fields: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj)) {
    const key = k.toLowerCase().replace(/_/g, '-')
    if (!(key in fields)) fields[key] = v
  }
  const accessToken = fields['access-token']
  const { client, uid, expiry } = fields
  if (!nonEmpty(accessToken) || !nonEmpty(client) || !nonEmpty(uid)) return null
  if (accessToken.length + client.length + uid.length > 600) return null
  const expirySeconds = Number(expiry)
  if (expiry !== undefined && expiry !== null && expiry !== '' && Number.isFinite(expirySeconds) && expirySeconds * 1000 <= nowMs) {
    return null // the devise token has expired
  }
  return { accessToken, client, uid }
}

function sessionFromValue(value: string, nowMs: number): ChatwootSession | null {
  let raw = value
  if (raw.length > 16384) return null
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) raw = raw.slice(1, -1)
  const once = decodeCookieValue(raw)
  // Twice-encoded values, and CGI escaping ('+' for a space) as a last resort: js-cookie writes a
  // literal '+', which must stay a '+' when the plain reading works.
  const candidates = [raw, once, decodeCookieValue(once), decodeCookieValue(raw.replace(/\+/g, ' '))]
  for (const candidate of candidates) {
    const obj = parseJSONObject(candidate)
    if (obj) return sessionFromObject(obj, nowMs)
  }
  return null
}

/** The Chatwoot session in a cookie header string (document.cookie), or null. */
export function parseSessionCookie(cookieHeader: unknown, nowMs: number = Date.now()): ChatwootSession | null {
  if (typeof cookieHeader !== 'string' || cookieHeader === '') return null
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue
    const session = sessionFromValue(part.slice(eq + 1).trim(), nowMs)
    if (session) return session
  }
  return null
}
