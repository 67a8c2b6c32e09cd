/** Reading a 422 LIMIT_EXCEEDED: which plan limit was reached, how high it is and how much is used. */
import type { ApiError } from '@/api/client'

export interface LimitReached {
  name: string
  limit: number
  used: number
}

export function limitReached(error: ApiError | null): LimitReached | null {
  if (error?.code !== 'LIMIT_EXCEEDED') return null
  const detail = error.details.find((d) => typeof d.limit === 'number')
  if (!detail || detail.limit === undefined) return null
  return { name: detail.field, limit: detail.limit, used: detail.used ?? detail.limit }
}

/** How full a limit is, 0 to 1 (0 for an unlimited one). */
export function usageRatio(used: number, limit: number | null): number {
  if (limit === null) return 0
  if (limit <= 0) return used > 0 ? 1 : 0
  return Math.min(1, Math.max(0, used / limit))
}
