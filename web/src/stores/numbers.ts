/**
 * The WhatsApp numbers of the account being viewed, and the one being connected. Connecting is
 * asynchronous: "Connect" answers at once (202, pending), then the number's QR state is polled every
 * 2 s; the QR code shows when the provider sends it, and polling stops once the number is connected
 * or the attempt ended (QR limit, refusal, error), which the dialog then explains.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { ApiError } from '@/api/client'
import { fetchInboxSync, listInboxes, startInboxSync, type Inbox } from '@/api/inboxes'
import {
  connectNumber,
  createNumber,
  createNumberInbox,
  deleteNumber,
  fetchNumberQR,
  listNumbers,
  logoutNumber,
  type CreateNumberInput,
  type NumberConnection,
  type NumberInboxInput,
  type WhatsAppNumber,
} from '@/api/numbers'
import { toApiError, usePagedList } from '@/lib/pagedList'
import { createPoller, type Poller } from '@/lib/poller'

export const STATUS_POLL_MS = 2000
export const INBOX_CHECK_POLL_MS = 500

export interface Connecting {
  numberId: string
  connection: NumberConnection
  error: ApiError | null
}

export const useNumbersStore = defineStore('numbers', () => {
  const accountId = ref<string | null>(null)
  const list = usePagedList<WhatsAppNumber>((params) => listNumbers(accountId.value ?? '', params), 200)
  /** Inboxes of the mirror by hub id (for the inbox column and adopting one). */
  const inboxes = shallowRef<Inbox[]>([])
  const connecting = shallowRef<Connecting | null>(null)
  const connected = computed(() => connecting.value?.connection.status === 'connected')

  let poller: Poller | null = null

  function stopPolling(): void {
    poller?.stop()
    poller = null
  }

  function load(id: string): Promise<void> {
    if (id !== accountId.value) {
      list.reset()
      inboxes.value = []
      closeConnect()
    }
    accountId.value = id
    return list.load()
  }

  /** The mirror's inboxes, for callers that may read them (inboxes:read). */
  async function loadInboxes(): Promise<void> {
    const id = requireAccount()
    const page = await listInboxes(id, {}, { limit: 200 })
    if (id === accountId.value) inboxes.value = page.data
  }

  function requireAccount(): string {
    if (!accountId.value) throw new Error('numbers store: no account loaded')
    return accountId.value
  }

  function patch(numberId: string, change: Partial<WhatsAppNumber>): void {
    list.setItems(list.items.value.map((n) => (n.id === numberId ? { ...n, ...change } : n)))
  }

  /** 201; a LIMIT_EXCEEDED (422) reaches the caller, which shows the plan's limit. */
  async function create(input: CreateNumberInput): Promise<WhatsAppNumber> {
    const number = await createNumber(requireAccount(), input)
    list.setItems([...list.items.value, number])
    return number
  }

  async function remove(numberId: string): Promise<void> {
    await deleteNumber(requireAccount(), numberId)
    if (connecting.value?.numberId === numberId) closeConnect()
    list.setItems(list.items.value.filter((n) => n.id !== numberId))
  }

  function fromConnection(c: NumberConnection): Partial<WhatsAppNumber> {
    const change: Partial<WhatsAppNumber> = { status: c.status }
    if (c.phone_number) change.phone_number = c.phone_number
    if (c.profile_name) change.profile_name = c.profile_name
    if (c.disconnect_reason !== undefined) change.disconnect_reason = c.disconnect_reason
    else if (c.status === 'connected' || c.pending) change.disconnect_reason = ''
    change.last_error = c.details && (c.status === 'error' || c.disconnect_reason) ? c.details : ''
    return change
  }

  /**
   * Starts connecting; Evolution answers a QR code, then the status is polled until connected.
   * A failure is kept in `connecting.error` (the dialog shows it) rather than thrown.
   */
  async function connect(numberId: string): Promise<void> {
    const id = requireAccount()
    stopPolling()
    connecting.value = { numberId, connection: { status: 'connecting' }, error: null }
    try {
      const connection = await connectNumber(id, numberId)
      if (connecting.value?.numberId !== numberId) return
      connecting.value = { numberId, connection, error: null }
      patch(numberId, fromConnection(connection))
      if (connection.status === 'connected') void list.load()
      else watchStatus(id, numberId)
    } catch (err) {
      if (connecting.value?.numberId !== numberId) return
      connecting.value = { numberId, connection: { status: 'error' }, error: toApiError(err) }
      // The hub recorded the failure on the number.
      patch(numberId, { status: 'error', last_error: toApiError(err).message })
    }
  }

  /** An attempt is over once connected, or when it ended without a QR to wait for. */
  function settled(c: NumberConnection): boolean {
    return c.status === 'connected' || c.status === 'error' || (c.status === 'disconnected' && !c.pending)
  }

  function watchStatus(id: string, numberId: string): void {
    const current = createPoller(async () => {
      try {
        const state = await fetchNumberQR(id, numberId)
        if (poller !== current) return true
        // The hub's QR state is the whole truth: a QR that went away (scanned, expired) goes away here too.
        const connection: NumberConnection =
          state.status === 'connected'
            ? { status: 'connected', phone_number: state.phone_number, profile_name: state.profile_name }
            : { ...state, qr_code: state.qr_code || undefined, pairing_code: state.pairing_code || undefined }
        connecting.value = { numberId, connection, error: null }
        patch(numberId, fromConnection(state))
        if (!settled(state)) return false
        if (state.status !== 'connected') return true
        // The phone's number and name arrive with the provider's events: read the rows again.
        await list.load()
        return true
      } catch (err) {
        if (poller !== current) return true
        const apiError = toApiError(err)
        if (connecting.value) connecting.value = { ...connecting.value, error: apiError }
        return apiError.status >= 400 && apiError.status < 500
      }
    }, STATUS_POLL_MS)
    poller = current
    // The answer to connect is the first state: the first poll comes one interval later.
    current.start({ immediate: false })
  }

  /** Disconnects the number (logout) without deleting it. */
  async function logout(numberId: string): Promise<void> {
    const number = await logoutNumber(requireAccount(), numberId)
    if (connecting.value?.numberId === numberId) closeConnect()
    patch(numberId, number)
  }

  /** Stops watching the number being connected (the dialog closed, the page left). */
  function closeConnect(): void {
    stopPolling()
    connecting.value = null
  }

  /**
   * Asks the hub to compare its inboxes with Chatwoot now (an inbox sync, inboxes:write), then
   * reads the numbers again: an inbox deleted in Chatwoot shows as removed. Resolves when done;
   * a sync that fails or does not finish leaves the rows as they were.
   */
  async function recheckInboxes(): Promise<void> {
    const id = requireAccount()
    const { sync_id: syncId } = await startInboxSync(id)
    for (let i = 0; i < 60; i++) {
      await new Promise((resolve) => setTimeout(resolve, INBOX_CHECK_POLL_MS))
      if (id !== accountId.value) return
      const state = await fetchInboxSync(id, syncId)
      if (state.status === 'failed') return
      if (state.status === 'done') break
    }
    if (id !== accountId.value) return
    await Promise.all([list.load(), loadInboxes().catch(() => undefined)])
  }

  /** 201 (new) or 200 (it had one); the row points at the inbox. */
  async function createInbox(numberId: string, input: NumberInboxInput = {}): Promise<Inbox> {
    const inbox = await createNumberInbox(requireAccount(), numberId, input)
    inboxes.value = [...inboxes.value.filter((i) => i.id !== inbox.id), inbox]
    patch(numberId, { inbox_id: inbox.id, inbox_state: 'active' })
    return inbox
  }

  return {
    accountId,
    numbers: list.items,
    hasMore: list.hasMore,
    loading: list.loading,
    error: list.error,
    inboxes,
    connecting,
    connected,
    load,
    loadMore: list.loadMore,
    loadInboxes,
    create,
    remove,
    connect,
    logout,
    closeConnect,
    createInbox,
    recheckInboxes,
  }
})
