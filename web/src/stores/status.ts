/** Hub status shown on the Status page, refreshed on an interval while the page is open. */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { ApiError } from '@/api/client'
import { fetchReadiness, fetchVersion, type Readiness, type VersionInfo } from '@/api/status'

export const STATUS_REFRESH_MS = 10_000

export type OverallStatus = 'ok' | 'unavailable' | 'unreachable' | 'loading'

function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  return new ApiError({
    status: 0,
    code: 'UNKNOWN',
    message: err instanceof Error ? err.message : String(err),
    cause: err,
  })
}

export const useStatusStore = defineStore('status', () => {
  const readiness = shallowRef<Readiness | null>(null)
  const version = shallowRef<VersionInfo | null>(null)
  const readinessError = shallowRef<ApiError | null>(null)
  const versionError = shallowRef<ApiError | null>(null)
  const loading = ref(false)
  const lastUpdated = ref<Date | null>(null)

  const overall = computed<OverallStatus>(() => {
    if (readinessError.value) return 'unreachable'
    if (!readiness.value) return 'loading'
    return readiness.value.status === 'ok' ? 'ok' : 'unavailable'
  })

  const checks = computed(() => Object.entries(readiness.value?.checks ?? {}))

  let inFlight: Promise<void> | null = null

  function refresh(): Promise<void> {
    // Overlapping refreshes (a slow hub, a manual click during polling) share one request.
    inFlight ??= load().finally(() => {
      inFlight = null
    })
    return inFlight
  }

  async function load(): Promise<void> {
    loading.value = true
    const [ready, ver] = await Promise.allSettled([fetchReadiness(), fetchVersion()])
    if (ready.status === 'fulfilled') {
      readiness.value = ready.value
      readinessError.value = null
    } else {
      // Stale checks would read as current: an unreachable hub shows none.
      readiness.value = null
      readinessError.value = asApiError(ready.reason)
    }
    if (ver.status === 'fulfilled') {
      version.value = ver.value
      versionError.value = null
    } else {
      versionError.value = asApiError(ver.reason)
    }
    lastUpdated.value = new Date()
    loading.value = false
  }

  let timer: ReturnType<typeof setTimeout> | null = null
  // Bumped on every start and stop, so a refresh that finishes after a stop (or after a
  // stop and a new start) does not schedule a second loop.
  let generation = 0
  let polling = false

  /** Refreshes now and then every intervalMs, counted from the end of each refresh. */
  function startPolling(intervalMs = STATUS_REFRESH_MS): void {
    if (polling) return
    polling = true
    const current = ++generation
    const tick = async () => {
      await refresh()
      if (current === generation) timer = setTimeout(tick, intervalMs)
    }
    void tick()
  }

  function stopPolling(): void {
    polling = false
    generation++
    if (timer !== null) clearTimeout(timer)
    timer = null
  }

  return {
    readiness,
    version,
    readinessError,
    versionError,
    loading,
    lastUpdated,
    overall,
    checks,
    refresh,
    startPolling,
    stopPolling,
  }
})
