/** The audit log of the account being viewed, with the filters applied to it. */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { listAuditLogs, type AuditEntry, type AuditFilters } from '@/api/audit'
import { usePagedList } from '@/lib/pagedList'

export const useAuditStore = defineStore('audit', () => {
  const accountId = ref<string | null>(null)
  const filters = shallowRef<AuditFilters>({})
  const list = usePagedList<AuditEntry>((params) => listAuditLogs(accountId.value ?? '', filters.value, params))

  function load(id: string, nextFilters: AuditFilters = filters.value): Promise<void> {
    if (id !== accountId.value) list.reset()
    accountId.value = id
    filters.value = { ...nextFilters }
    return list.load()
  }

  return {
    accountId,
    filters,
    entries: list.items,
    hasMore: list.hasMore,
    loading: list.loading,
    error: list.error,
    load,
    loadMore: list.loadMore,
  }
})
