/**
 * One realtime connection per account for the whole page (the Kanban now, the internal chat
 * next), and its state for the UI: every feature subscribes its topics on the same socket.
 */
import { defineStore } from 'pinia'
import { reactive } from 'vue'
import { api } from '@/api/client'
import { createHubRealtime } from '@/lib/hubRealtime'
import type { ConnectionState, RealtimeClient } from '@/lib/realtime'

type Factory = (accountId: string) => RealtimeClient

let factory: Factory = (accountId) => createHubRealtime(api, accountId)

/** Tests replace how clients are made; null restores the hub's. */
export function setRealtimeFactory(fn: Factory | null): void {
  factory = fn ?? ((accountId) => createHubRealtime(api, accountId))
}

export const useRealtimeStore = defineStore('realtime', () => {
  const clients = new Map<string, RealtimeClient>()
  /** The connection state per account. */
  const states = reactive<Record<string, ConnectionState>>({})

  function client(accountId: string): RealtimeClient {
    let c = clients.get(accountId)
    if (!c) {
      c = factory(accountId)
      clients.set(accountId, c)
      states[accountId] = c.state
      c.onState((s) => {
        states[accountId] = s
      })
    }
    return c
  }

  function stateOf(accountId: string | null | undefined): ConnectionState {
    return (accountId && states[accountId]) || 'idle'
  }

  function reconnect(accountId: string): void {
    clients.get(accountId)?.reconnectNow()
  }

  /** Closes every connection (sign-out). */
  function stopAll(): void {
    for (const c of clients.values()) c.stop()
    clients.clear()
    for (const k of Object.keys(states)) delete states[k]
  }

  return { states, client, stateOf, reconnect, stopAll }
})
