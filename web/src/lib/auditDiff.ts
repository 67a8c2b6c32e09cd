/**
 * What an audit entry changed: the fields whose value differs between its before and after
 * states (top-level keys of JSON objects), in key order. An entry with only one side lists that
 * side's fields as added or removed.
 */
export interface AuditChange {
  field: string
  before: string
  after: string
  kind: 'added' | 'removed' | 'changed'
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function show(v: unknown): string {
  if (v === undefined) return ''
  return typeof v === 'string' ? v : JSON.stringify(v)
}

export function auditChanges(before: unknown, after: unknown): AuditChange[] {
  const b = isRecord(before) ? before : {}
  const a = isRecord(after) ? after : {}
  if (!isRecord(before) && !isRecord(after)) return []
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()
  const out: AuditChange[] = []
  for (const field of keys) {
    const had = field in b
    const has = field in a
    if (had && has && JSON.stringify(b[field]) === JSON.stringify(a[field])) continue
    out.push({ field, before: show(b[field]), after: show(a[field]), kind: had && has ? 'changed' : has ? 'added' : 'removed' })
  }
  return out
}
