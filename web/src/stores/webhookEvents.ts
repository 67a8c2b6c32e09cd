/** The stored webhook events of the account being viewed, with their filters, and replays. */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { listWebhookEvents, replayWebhookEvent, type WebhookEvent, type WebhookEventFilters } from '@/api/webhookEvents'
import { usePagedList } from '@/lib/pagedList'

export const useWebhookEventsStore = defineStore('webhookEvents', () => {
  const accountId = ref<string | null>(null)
  const filters = shallowRef<WebhookEventFilters>({})
  const list = usePagedList<WebhookEvent>((params) => listWebhookEvents(accountId.value ?? '', filters.value, params))

  function load(id: string, nextFilters: WebhookEventFilters = filters.value): Promise<void> {
    if (id !== accountId.value) list.reset()
    accountId.value = id
    filters.value = { ...nextFilters }
    return list.load()
  }

  /** Queues the event again; its row reads "received" until the list is reloaded. */
  async function replay(eventId: string): Promise<void> {
    if (!accountId.value) throw new Error('webhookEvents store: no account loaded')
    const answer = await replayWebhookEvent(accountId.value, eventId)
    const now = new Date().toISOString()
    list.setItems(list.items.value.map((e) => (e.id === eventId ? { ...e, status: answer.status || 'received', updated_at: now } : e)))
  }

  return {
    accountId,
    filters,
    events: list.items,
    hasMore: list.hasMore,
    loading: list.loading,
    error: list.error,
    load,
    loadMore: list.loadMore,
    replay,
  }
})
