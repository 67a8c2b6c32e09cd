/**
 * The WhatsApp providers of the account being viewed. Credentials go to the hub and are
 * forgotten at once: nothing here keeps them.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import {
  createProvider,
  deleteProvider,
  listProviders,
  testProvider,
  updateProvider,
  type CreateProviderInput,
  type Provider,
  type ProviderTestResult,
  type UpdateProviderInput,
} from '@/api/providers'
import { usePagedList } from '@/lib/pagedList'

export const useProvidersStore = defineStore('providers', () => {
  const accountId = ref<string | null>(null)
  const list = usePagedList<Provider>((params) => listProviders(accountId.value ?? '', params), 200)
  /** The last test of each provider, by id. */
  const tests = shallowRef<Record<string, ProviderTestResult>>({})

  function load(id: string): Promise<void> {
    if (id !== accountId.value) {
      list.reset()
      tests.value = {}
    }
    accountId.value = id
    return list.load()
  }

  function requireAccount(): string {
    if (!accountId.value) throw new Error('providers store: no account loaded')
    return accountId.value
  }

  function replace(provider: Provider): void {
    const rows = list.items.value
    list.setItems(rows.some((p) => p.id === provider.id) ? rows.map((p) => (p.id === provider.id ? provider : p)) : [...rows, provider])
  }

  async function create(input: CreateProviderInput): Promise<Provider> {
    const provider = await createProvider(requireAccount(), input)
    replace(provider)
    return provider
  }

  async function update(providerId: string, input: UpdateProviderInput): Promise<Provider> {
    const provider = await updateProvider(requireAccount(), providerId, input)
    replace(provider)
    return provider
  }

  async function remove(providerId: string): Promise<void> {
    await deleteProvider(requireAccount(), providerId)
    list.setItems(list.items.value.filter((p) => p.id !== providerId))
    const { [providerId]: _gone, ...rest } = tests.value
    tests.value = rest
  }

  /** Runs the check; the hub records the health, and the row shows it. */
  async function test(providerId: string): Promise<ProviderTestResult> {
    const result = await testProvider(requireAccount(), providerId)
    tests.value = { ...tests.value, [providerId]: result }
    const checkedAt = new Date().toISOString()
    list.setItems(
      list.items.value.map((p) =>
        p.id === providerId ? { ...p, health_status: result.status, health_details: result.details, last_checked_at: checkedAt } : p,
      ),
    )
    return result
  }

  return {
    accountId,
    providers: list.items,
    hasMore: list.hasMore,
    loading: list.loading,
    loaded: list.loaded,
    error: list.error,
    tests,
    load,
    loadMore: list.loadMore,
    create,
    update,
    remove,
    test,
  }
})
