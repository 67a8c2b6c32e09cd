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

  /** Ends every session but this browser's, one by one (the hub revokes each at once). */
  async function revokeOthers(): Promise<void> {
    for (const s of list.items.value.filter((x) => !x.current)) await revoke(s.id)
  }

  return {
    sessions: list.items,
    loading: list.loading,
    error: list.error,
    load: list.load,
    revoke,
    revokeOthers,
  }
})
