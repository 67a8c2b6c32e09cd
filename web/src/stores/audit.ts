/**
 * The audit log of the account being viewed, with the filters applied to it, and the account's people and API keys by
 * id (so actors and resources read as names).
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { listApiKeys } from '@/api/apiKeys'
import { listAuditLogs, type AuditEntry, type AuditFilters } from '@/api/audit'
import { listUsers } from '@/api/users'
import type { AuditKey, AuditPerson } from '@/lib/auditNames'
import { usePagedList } from '@/lib/pagedList'

export const useAuditStore = defineStore('audit', () => {
  const accountId = ref<string | null>(null)
  const filters = shallowRef<AuditFilters>({})
  const list = usePagedList<AuditEntry>((params) => listAuditLogs(accountId.value ?? '', filters.value, params))
  const people = shallowRef<ReadonlyMap<string, AuditPerson>>(new Map())
  /** null until listed, and when the viewer may not list keys: then a key that is not found is not "deleted". */
  const keys = shallowRef<ReadonlyMap<string, AuditKey> | null>(null)

  /**
   * Every member of the account, page by page, so user ids read as names. A failure (a role that may read the log
   * but not the members) leaves the ids as they are: the log itself still loads.
   */
  async function loadPeople(id: string): Promise<void> {
    const found = new Map<string, AuditPerson>()
    let cursor: string | null | undefined
    try {
      do {
        const page = await listUsers(id, { limit: 200, cursor })
        for (const u of page.data) found.set(u.id, { name: u.name, email: u.email })
        cursor = page.pagination?.has_more ? page.pagination.next_cursor : null
      } while (cursor)
    } catch {
      // Names are a convenience on top of the ids; the rows show the ids.
    }
    if (accountId.value === id) people.value = found
  }

  /** Every API key of the account, revoked ones included (a key is never deleted, only revoked). */
  async function loadKeys(id: string): Promise<void> {
    const found = new Map<string, AuditKey>()
    let cursor: string | null | undefined
    try {
      do {
        const page = await listApiKeys(id, { limit: 200, cursor })
        for (const k of page.data) found.set(k.id, { name: k.name, revoked: k.revoked_at !== null })
        cursor = page.pagination?.has_more ? page.pagination.next_cursor : null
      } while (cursor)
    } catch {
      // A role that reads the log but not the keys (a supervisor) sees the keys' ids.
      return
    }
    if (accountId.value === id) keys.value = found
  }

  function load(id: string, nextFilters: AuditFilters = filters.value): Promise<void> {
    if (id !== accountId.value) {
      list.reset()
      people.value = new Map()
      keys.value = null
      accountId.value = id
      void loadPeople(id)
      void loadKeys(id)
    }
    filters.value = { ...nextFilters }
    return list.load()
  }

  return {
    accountId,
    filters,
    people,
    keys,
    entries: list.items,
    hasMore: list.hasMore,
    loading: list.loading,
    error: list.error,
    load,
    loadMore: list.loadMore,
  }
})
