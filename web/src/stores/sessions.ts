/** The caller's console sessions. */
import { defineStore } from 'pinia'
import { listSessions, revokeSession, type Session } from '@/api/sessions'
import { usePagedList } from '@/lib/pagedList'

export const useSessionsStore = defineStore('sessions', () => {
  const list = usePagedList<Session>(() => listSessions())

  async function revoke(sessionId: string): Promise<void> {
    await revokeSession(sessionId)
    list.setItems(list.items.value.filter((s) => s.id !== sessionId))
  }

  return {
    sessions: list.items,
    loading: list.loading,
    error: list.error,
    load: list.load,
    revoke,
  }
})
