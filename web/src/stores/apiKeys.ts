/** The API keys of the account being viewed, and the secret of the one just created. */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { createApiKey, listApiKeys, revokeApiKey, type ApiKey, type CreateApiKeyInput, type CreatedApiKey } from '@/api/apiKeys'
import { usePagedList } from '@/lib/pagedList'

export const useApiKeysStore = defineStore('apiKeys', () => {
  const accountId = ref<string | null>(null)
  const list = usePagedList<ApiKey>((params) => listApiKeys(accountId.value ?? '', params))
  /** Held only until the copy-once dialog closes. */
  const created = shallowRef<CreatedApiKey | null>(null)

  function load(id: string): Promise<void> {
    if (id !== accountId.value) list.reset()
    accountId.value = id
    return list.load()
  }

  function requireAccount(): string {
    if (!accountId.value) throw new Error('apiKeys store: no account loaded')
    return accountId.value
  }

  async function create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const key = await createApiKey(requireAccount(), input)
    created.value = key
    await list.load()
    return key
  }

  /** Forgets the secret: it is never shown again. */
  function dismissSecret(): void {
    created.value = null
  }

  async function revoke(keyId: string): Promise<void> {
    await revokeApiKey(requireAccount(), keyId)
    const now = new Date().toISOString()
    list.setItems(list.items.value.map((k) => (k.id === keyId ? { ...k, revoked_at: k.revoked_at ?? now } : k)))
  }

  return {
    accountId,
    keys: list.items,
    hasMore: list.hasMore,
    loading: list.loading,
    error: list.error,
    created,
    load,
    loadMore: list.loadMore,
    create,
    dismissSecret,
    revoke,
  }
})
