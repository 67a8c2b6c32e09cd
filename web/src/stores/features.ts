/**
 * The feature flags of the accounts the console looks at (GET /api/v1/features?account_id=),
 * for the sidebar and the route guard: a page whose feature is off is not offered, and a deep
 * link to it says the feature is off. The hub enforces the flags on every route. While an
 * account's flags are being read the sidebar offers none of its gated pages (an entry that
 * appears and then vanishes would tell an untruth); when they cannot be read nothing is hidden.
 */
import { defineStore } from 'pinia'
import { shallowRef, watch } from 'vue'
import { fetchFeatures } from '@/api/features'
import { useAuthStore } from './auth'

export const useFeaturesStore = defineStore('features', () => {
  const auth = useAuthStore()
  const byAccount = shallowRef<Record<string, Record<string, boolean>>>({})
  const loading = new Map<string, Promise<void>>()
  /** Accounts whose flags were asked for and answered, or could not be read. */
  const settled = shallowRef<Record<string, true>>({})
  /** The latest read of each account: an older read that answers later (a first load overtaken
   * by a plan change's refresh, or one begun before a sign-out) is dropped. */
  const latest = new Map<string, number>()
  let reads = 0

  function set(accountId: string, features: Record<string, boolean>): void {
    byAccount.value = { ...byAccount.value, [accountId]: { ...features } }
  }

  /** Reads the account's flags into the store (again, as refresh, when its plan changed), keeping
   * what is known until they answer; a failure leaves it as it was. */
  function read(accountId: string): Promise<void> {
    const ticket = ++reads
    latest.set(accountId, ticket)
    return fetchFeatures(accountId)
      .then((answer) => {
        if (latest.get(accountId) === ticket) set(accountId, answer.features ?? {})
      })
      .catch(() => undefined)
  }

  /** Loads the account's flags once; a failure leaves them unknown. */
  function ensure(accountId: string): Promise<void> {
    if (byAccount.value[accountId]) return Promise.resolve()
    let pending = loading.get(accountId)
    if (!pending) {
      pending = read(accountId).finally(() => {
        loading.delete(accountId)
        settled.value = { ...settled.value, [accountId]: true }
      })
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

  /** What the sidebar offers: a gated page only once the account's flags have been read (or failed to be). */
  function offers(accountId: string, feature: string | undefined): boolean {
    if (!feature) return true
    if (!byAccount.value[accountId] && !settled.value[accountId]) return false
    return allows(accountId, feature)
  }

  function reset(): void {
    byAccount.value = {}
    settled.value = {}
    loading.clear()
    latest.clear()
  }

  watch(
    () => [auth.status, auth.user?.id] as const,
    ([status, userId], [, previousUserId]) => {
      if (status !== 'authenticated' || (previousUserId && userId !== previousUserId)) reset()
    },
  )

  return { byAccount, ensure, allows, offers, set, refresh: read, reset }
})
