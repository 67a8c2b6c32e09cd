/** The Chatwoot link of the account being viewed, and what the last unlink removed in Chatwoot. */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import {
  fetchChatwootLink,
  installInChatwoot,
  saveChatwootLink,
  setChatwootWebhookSecret,
  testChatwootLink,
  unlinkChatwoot,
  type ChatwootLink,
  type ChatwootLinkInput,
  type ChatwootUnlinked,
} from '@/api/chatwoot'
import type { ApiError } from '@/api/client'
import { toApiError } from '@/lib/pagedList'

export const useChatwootStore = defineStore('chatwoot', () => {
  const accountId = ref<string | null>(null)
  const link = shallowRef<ChatwootLink | null>(null)
  const loading = ref(false)
  const error = shallowRef<ApiError | null>(null)
  /** The answer of the last unlink, until the link is loaded or saved again. */
  const unlinked = shallowRef<ChatwootUnlinked | null>(null)

  async function load(id: string): Promise<void> {
    if (id !== accountId.value) {
      link.value = null
      unlinked.value = null
    }
    accountId.value = id
    loading.value = true
    error.value = null
    try {
      const loaded = await fetchChatwootLink(id)
      if (id === accountId.value) link.value = loaded
    } catch (err) {
      if (id === accountId.value) error.value = toApiError(err)
    } finally {
      if (id === accountId.value) loading.value = false
    }
  }

  function requireAccount(): string {
    if (!accountId.value) throw new Error('chatwoot store: no account loaded')
    return accountId.value
  }

  async function apply(call: Promise<ChatwootLink>): Promise<ChatwootLink> {
    const id = accountId.value
    const next = await call
    if (id === accountId.value) {
      link.value = next
      unlinked.value = null
    }
    return next
  }

  const save = (input: ChatwootLinkInput) => apply(saveChatwootLink(requireAccount(), input))
  const test = () => apply(testChatwootLink(requireAccount()))
  const install = () => apply(installInChatwoot(requireAccount()))
  const setWebhookSecret = (secret: string) => apply(setChatwootWebhookSecret(requireAccount(), secret))

  async function unlink(): Promise<ChatwootUnlinked> {
    const id = requireAccount()
    const answer = await unlinkChatwoot(id)
    if (id === accountId.value) {
      unlinked.value = answer
      // What an unlinked account looks like, with the script URL kept for the snippet.
      link.value = {
        linked: false,
        allowed_origins: [],
        webhook_secret_set: false,
        url_token_enabled: false,
        webhook_installed: false,
        dashboard_app_installed: false,
        dashboard_script_url: link.value?.dashboard_script_url ?? '',
      }
    }
    return answer
  }

  return { accountId, link, loading, error, unlinked, load, save, test, install, setWebhookSecret, unlink }
})
