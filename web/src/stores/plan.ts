/** The plan of the account being viewed: its limits with their use, and daily usage (last 30 days). */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { ApiError } from '@/api/client'
import { fetchEntitlements, type Entitlements } from '@/api/plans'
import { fetchUsage, type AccountUsage } from '@/api/usage'
import { toApiError } from '@/lib/pagedList'

export const USAGE_DAYS = 30

/** YYYY-MM-DD in UTC, as the hub counts days. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10)
}

/** The last `days` days, today included. */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const from = new Date(now.getTime() - (days - 1) * 86_400_000)
  return { from: utcDay(from), to: utcDay(now) }
}

export const usePlanStore = defineStore('plan', () => {
  const accountId = ref<string | null>(null)
  const entitlements = shallowRef<Entitlements | null>(null)
  const usage = shallowRef<AccountUsage | null>(null)
  const loadingEntitlements = ref(false)
  const loadingUsage = ref(false)
  const entitlementsError = shallowRef<ApiError | null>(null)
  const usageError = shallowRef<ApiError | null>(null)

  async function loadEntitlements(id: string): Promise<void> {
    if (id !== accountId.value) entitlements.value = null
    accountId.value = id
    loadingEntitlements.value = true
    entitlementsError.value = null
    try {
      const value = await fetchEntitlements(id)
      if (id === accountId.value) entitlements.value = value
    } catch (err) {
      if (id === accountId.value) entitlementsError.value = toApiError(err)
    } finally {
      if (id === accountId.value) loadingEntitlements.value = false
    }
  }

  async function loadUsage(id: string, days = USAGE_DAYS): Promise<void> {
    if (id !== accountId.value) usage.value = null
    accountId.value = id
    loadingUsage.value = true
    usageError.value = null
    try {
      const value = await fetchUsage(id, lastDays(days))
      if (id === accountId.value) usage.value = value
    } catch (err) {
      if (id === accountId.value) usageError.value = toApiError(err)
    } finally {
      if (id === accountId.value) loadingUsage.value = false
    }
  }

  return {
    accountId,
    entitlements,
    usage,
    loadingEntitlements,
    loadingUsage,
    entitlementsError,
    usageError,
    loadEntitlements,
    loadUsage,
  }
})
