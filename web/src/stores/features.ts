/**
 * The feature flags of the accounts the console looks at (GET /api/v1/features?account_id=),
 * for the sidebar and the route guard: a page whose feature is off is not offered, and a deep
 * link to it says the feature is off. The hub enforces the flags on every route; until an
 * account's flags are known (or when they cannot be read) nothing is hidden here.
 */
import { defineStore } from 'pinia'
import { shallowRef, watch } from 'vue'
import { fetchFeatures } from '@/api/features'
import { useAuthStore } from './auth'

export const useFeaturesStore = defineStore('features', () => {
  const auth = useAuthStore()
  const byAccount = shallowRef<Record<string, Record<string, boolean>>>({})
  const loading = new Map<string, Promise<void>>()

  function set(accountId: string, features: Record<string, boolean>): void {
    byAccount.value = { ...byAccount.value, [accountId]: { ...features } }
  }

  /** Loads the account's flags once (again after forget); a failure leaves them unknown. */
  function ensure(accountId: string): Promise<void> {
    if (byAccount.value[accountId]) return Promise.resolve()
    let pending = loading.get(accountId)
    if (!pending) {
      pending = fetchFeatures(accountId)
        .then((answer) => set(accountId, answer.features ?? {}))
        .catch(() => undefined)
        .finally(() => loading.delete(accountId))
      loading.set(accountId, pending)
    }
    return pending
  }

  /** False only when the account's flags are known and this one is off. */
  function allows(accountId: string, feature: string | undefined): boolean {
    if (!feature) return true
    const flags = byAccount.value[accountId]
    return !flags || flags[feature] === true
  }

  /** Drops what is known of the account (its plan changed): the next ensure reads it again. */
  function forget(accountId: string): void {
    const rest = { ...byAccount.value }
    delete rest[accountId]
    byAccount.value = rest
  }

  function reset(): void {
    byAccount.value = {}
    loading.clear()
  }

  watch(
    () => [auth.status, auth.user?.id] as const,
    ([status, userId], [, previousUserId]) => {
      if (status !== 'authenticated' || (previousUserId && userId !== previousUserId)) reset()
    },
  )

  return { byAccount, ensure, allows, set, forget, reset }
})
