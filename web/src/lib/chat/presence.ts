/**
 * Presence as the chat shows it: each person's last announced status and until when it holds
 * (a heartbeat renews it; a status that lapsed is offline), and the viewer's own status from the
 * page (away while the page is hidden).
 */
export type PresenceStatus = 'online' | 'away' | 'offline'

export interface PresenceEntry {
  status: PresenceStatus
  /** Milliseconds since the epoch. */
  until: number
}

/** A person's status at now: offline when never announced or lapsed. */
export function presenceAt(map: ReadonlyMap<string, PresenceEntry>, userId: string, now = Date.now()): PresenceStatus {
  const p = map.get(userId)
  if (!p || p.until <= now) return 'offline'
  return p.status
}

/**
 * Reads one presence payload (the list's rows and chat.presence events alike); null when
 * malformed. What arrives is current, so it holds for ttl from its arrival on this page's clock
 * (the hub's clock may differ from the browser's); the hub announces a lapse as offline.
 */
export function parsePresence(data: unknown, ttlMs: number, now = Date.now()): { userId: string; entry: PresenceEntry } | null {
  const d = (data ?? {}) as { user_id?: unknown; status?: unknown }
  if (typeof d.user_id !== 'string' || (d.status !== 'online' && d.status !== 'away' && d.status !== 'offline')) return null
  return { userId: d.user_id, entry: { status: d.status, until: d.status === 'offline' ? 0 : now + ttlMs } }
}

/** The viewer's own status from the page. */
export function ownStatus(visibility: DocumentVisibilityState | undefined): PresenceStatus {
  return visibility === 'hidden' ? 'away' : 'online'
}
