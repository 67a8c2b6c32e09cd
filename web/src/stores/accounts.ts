/**
 * Who the caller is in which account: GET /me (memberships with their permissions), the
 * account list for super admins, the account the console is looking at, and the route each
 * caller lands on after login.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { RouteLocationRaw } from 'vue-router'
import { createAccount as createAccountApi, joinAccount, listAccounts, type Account } from '@/api/accounts'
import { acceptInvitation, declineInvitation, fetchMe, type Me } from '@/api/me'
import { activeMemberships, hasAccess, permissionsIn, SUPER_ADMIN_PERMISSIONS } from '@/lib/permissions'
import { useAuthStore } from './auth'

export interface AccountOption {
  id: string
  name: string
}

export const useAccountsStore = defineStore('accounts', () => {
  const auth = useAuthStore()

  const me = shallowRef<Me | null>(null)
  /** All accounts for a super admin; the caller's own otherwise (loaded by the accounts page). */
  const accounts = shallowRef<Account[]>([])
  /** The account of the current route, or the last one visited. */
  const currentAccountId = ref<string | null>(null)

  const isSuperAdmin = computed(() => me.value?.user.super_admin === true)
  /** The session must set up two-factor authentication before anything else works. */
  const mfaPending = computed(() => me.value?.mfa_pending === true)
  const memberships = computed(() => activeMemberships(me.value))
  const invitations = computed(() => me.value?.memberships.filter((m) => m.status === 'invited') ?? [])

  /** What the account switcher offers: the caller's accounts, and every account for a super admin. */
  const options = computed<AccountOption[]>(() => {
    const byId = new Map<string, AccountOption>()
    for (const m of memberships.value) byId.set(m.account_id, { id: m.account_id, name: m.account_name })
    if (isSuperAdmin.value) for (const a of accounts.value) if (!byId.has(a.id)) byId.set(a.id, { id: a.id, name: a.name })
    return [...byId.values()]
  })

  /** The account the sidebar's account entries point at. */
  const activeAccountId = computed<string | null>(() => {
    const id = currentAccountId.value
    if (id && hasAccess(me.value, id)) return id
    return memberships.value[0]?.account_id ?? null
  })

  function permissionsFor(accountId: string | null | undefined): readonly string[] {
    return accountId ? permissionsIn(me.value, accountId) : []
  }

  function can(accountId: string | null | undefined, permission: string): boolean {
    return permissionsFor(accountId).includes(permission)
  }

  /** Permissions outside any account (hub-wide pages): super admins hold them all. */
  function canGlobally(permission: string): boolean {
    return isSuperAdmin.value && SUPER_ADMIN_PERMISSIONS.includes(permission)
  }

  function canOpen(accountId: string): boolean {
    return hasAccess(me.value, accountId)
  }

  let loadingMe: Promise<Me> | null = null

  async function loadMe(): Promise<Me> {
    loadingMe ??= fetchMe()
      .then(async (value) => {
        me.value = value
        if (value.user.super_admin && !value.mfa_pending) await loadAccounts().catch(() => undefined)
        return value
      })
      .finally(() => {
        loadingMe = null
      })
    return loadingMe
  }

  /** /me once per session; later calls reuse it. */
  function ensureMe(): Promise<Me> {
    return me.value ? Promise.resolve(me.value) : loadMe()
  }

  async function loadAccounts(): Promise<Account[]> {
    const page = await listAccounts({ limit: 200 })
    accounts.value = page.data
    return page.data
  }

  async function createAccount(name: string): Promise<Account> {
    const account = await createAccountApi({ name })
    accounts.value = [...accounts.value, account]
    return account
  }

  async function answerInvitation(accountId: string, accept: boolean): Promise<void> {
    await (accept ? acceptInvitation(accountId) : declineInvitation(accountId))
    await loadMe()
  }

  function isMember(accountId: string | null | undefined): boolean {
    return Boolean(accountId) && memberships.value.some((m) => m.account_id === accountId)
  }

  /**
   * A super admin joins an account as its admin in one request (some actions, such as
   * creating API keys, need a membership); it takes a seat of the account's plan.
   */
  async function joinAsAdmin(accountId: string): Promise<void> {
    await joinAccount(accountId)
    await loadMe()
  }

  /**
   * Where the caller starts: the users of its first account when it may see them, else that
   * account's overview; a super admin without accounts gets the account list; anyone else
   * the status page.
   */
  function homeLocation(): RouteLocationRaw {
    if (mfaPending.value) return { name: 'profile' }
    const first = memberships.value[0]
    if (first) {
      const params = { accountId: first.account_id }
      return first.permissions.includes('users:read') || isSuperAdmin.value
        ? { name: 'users', params }
        : { name: 'account', params }
    }
    if (isSuperAdmin.value) return { name: 'accounts' }
    return { name: 'status' }
  }

  function reset(): void {
    me.value = null
    accounts.value = []
    currentAccountId.value = null
    loadingMe = null
  }

  // A signed-out tab forgets who it was; another user logging in starts from scratch.
  watch(
    () => [auth.status, auth.user?.id] as const,
    ([status, userId], [, previousUserId]) => {
      if (status !== 'authenticated' || (previousUserId && userId !== previousUserId)) reset()
    },
  )

  return {
    me,
    accounts,
    currentAccountId,
    isSuperAdmin,
    mfaPending,
    memberships,
    invitations,
    options,
    activeAccountId,
    permissionsFor,
    can,
    canGlobally,
    canOpen,
    isMember,
    joinAsAdmin,
    loadMe,
    ensureMe,
    loadAccounts,
    createAccount,
    answerInvitation,
    homeLocation,
    reset,
  }
})
