/**
 * The inbox mirror of the account being viewed, and its sync: started here, then polled every
 * second for live progress until it is done or failed, when the list is loaded again.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { ApiError } from '@/api/client'
import { fetchInboxSync, listInboxes, startInboxSync, type Inbox, type InboxFilters, type InboxSync } from '@/api/inboxes'
import { toApiError, usePagedList } from '@/lib/pagedList'
import { createPoller, type Poller } from '@/lib/poller'

export const SYNC_POLL_MS = 1000

const FINISHED = new Set(['done', 'failed'])

export const useInboxesStore = defineStore('inboxes', () => {
  const accountId = ref<string | null>(null)
  const filters = shallowRef<InboxFilters>({})
  const list = usePagedList<Inbox>((params) => listInboxes(accountId.value ?? '', filters.value, params))

  /** The sync started from this page (its latest state), or null. */
  const sync = shallowRef<InboxSync | null>(null)
  const syncError = shallowRef<ApiError | null>(null)
  const starting = ref(false)
  const syncing = computed(() => starting.value || (sync.value !== null && !FINISHED.has(sync.value.status)))

  let poller: Poller | null = null

  function stopPolling(): void {
    poller?.stop()
    poller = null
  }

  function load(id: string, nextFilters: InboxFilters = filters.value): Promise<void> {
    if (id !== accountId.value) {
      list.reset()
      stopPolling()
      sync.value = null
      syncError.value = null
    }
    accountId.value = id
    filters.value = { ...nextFilters }
    return list.load()
  }

  function watchSync(id: string, syncId: string): void {
    stopPolling()
    const current = createPoller(async () => {
      try {
        const state = await fetchInboxSync(id, syncId)
        if (poller !== current) return true
        sync.value = state
        syncError.value = null
        if (!FINISHED.has(state.status)) return false
        await list.load()
        return true
      } catch (err) {
        if (poller !== current) return true
        const apiError = toApiError(err)
        syncError.value = apiError
        // A network blip or a busy hub is retried; a refusal (4xx) ends the watch.
        return apiError.status >= 400 && apiError.status < 500
      }
    }, SYNC_POLL_MS)
    poller = current
    current.start()
  }

  /** POST …/inboxes/sync (202 {sync_id}), then the progress every second. */
  async function startSync(): Promise<void> {
    const id = accountId.value
    if (!id) throw new Error('inboxes store: no account loaded')
    starting.value = true
    syncError.value = null
    try {
      const { sync_id: syncId } = await startInboxSync(id)
      if (id !== accountId.value) return
      sync.value = { id: syncId, status: 'queued', total: 0, created: 0, updated: 0, removed: 0, error: '' }
      watchSync(id, syncId)
    } catch (err) {
      syncError.value = toApiError(err)
    } finally {
      starting.value = false
    }
  }

  return {
    accountId,
    filters,
    inboxes: list.items,
    hasMore: list.hasMore,
    loading: list.loading,
    error: list.error,
    sync,
    syncError,
    syncing,
    load,
    loadMore: list.loadMore,
    startSync,
    stopPolling,
  }
})
