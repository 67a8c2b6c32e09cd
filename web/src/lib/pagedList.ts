/**
 * State for a cursor-paged list ({"data":[…],"pagination":{"has_more","next_cursor"}}): the
 * first page replaces the rows, "load more" appends the next. A load started for older
 * arguments (another account, other filters) is dropped when it answers late.
 */
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError, type Page, type PageParams } from '@/api/client'

export const PAGE_SIZE = 50

export interface PagedList<T> {
  items: ShallowRef<T[]>
  hasMore: Ref<boolean>
  loading: Ref<boolean>
  /** A first page arrived (so an empty list is really empty, not "not loaded yet"). */
  loaded: Ref<boolean>
  error: ShallowRef<ApiError | null>
  /** Loads the first page. */
  load(): Promise<void>
  /** Appends the next page, if any. */
  loadMore(): Promise<void>
  /** Replaces the rows in place (after an update or a removal). */
  setItems(items: T[]): void
  reset(): void
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  return new ApiError({
    status: 0,
    code: 'UNKNOWN',
    message: err instanceof Error ? err.message : String(err),
    cause: err,
  })
}

export function usePagedList<T>(fetchPage: (params: PageParams) => Promise<Page<T>>, pageSize = PAGE_SIZE): PagedList<T> {
  const items = shallowRef<T[]>([])
  const hasMore = ref(false)
  const loading = ref(false)
  const loaded = ref(false)
  const error = shallowRef<ApiError | null>(null)
  let cursor: string | null = null
  let generation = 0

  async function fetchInto(append: boolean): Promise<void> {
    const current = ++generation
    loading.value = true
    error.value = null
    try {
      const page = await fetchPage({ limit: pageSize, cursor: append ? cursor : null })
      if (current !== generation) return
      items.value = append ? [...items.value, ...page.data] : page.data
      cursor = page.pagination?.next_cursor ?? null
      hasMore.value = Boolean(page.pagination?.has_more && cursor)
      loaded.value = true
    } catch (err) {
      if (current !== generation) return
      error.value = toApiError(err)
      if (!append) {
        items.value = []
        hasMore.value = false
      }
    } finally {
      if (current === generation) loading.value = false
    }
  }

  return {
    items,
    hasMore,
    loading,
    loaded,
    error,
    load: () => fetchInto(false),
    loadMore: () => (hasMore.value && !loading.value ? fetchInto(true) : Promise.resolve()),
    setItems(next) {
      items.value = next
    },
    reset() {
      generation++
      items.value = []
      hasMore.value = false
      loading.value = false
      loaded.value = false
      error.value = null
      cursor = null
    },
  }
}
