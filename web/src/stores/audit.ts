/** The audit log of the account being viewed, with the filters applied to it, and the account's people by id. */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { listAuditLogs, type AuditEntry, type AuditFilters } from '@/api/audit'
import { listUsers } from '@/api/users'
import type { AuditPerson } from '@/lib/auditNames'
import { usePagedList } from '@/lib/pagedList'

export const useAuditStore = defineStore('audit', () => {
  const accountId = ref<string | null>(null)
  const filters = shallowRef<AuditFilters>({})
  const list = usePagedList<AuditEntry>((params) => listAuditLogs(accountId.value ?? '', filters.value, params))
  const people = shallowRef<ReadonlyMap<string, AuditPerson>>(new Map())

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

  function load(id: string, nextFilters: AuditFilters = filters.value): Promise<void> {
    if (id !== accountId.value) {
      list.reset()
      people.value = new Map()
      accountId.value = id
      void loadPeople(id)
    }
    filters.value = { ...nextFilters }
    return list.load()
  }

  return {
    accountId,
    filters,
    people,
    entries: list.items,
    hasMore: list.hasMore,
    loading: list.loading,
    error: list.error,
    load,
    loadMore: list.loadMore,
  }
})
