/**
 * A polling loop: runs `tick` now and then every `intervalMs`, counted from the end of each run,
 * until `tick` answers true (or throws) or the loop is stopped. Starting again stops the previous loop; a run
 * that finishes after a stop schedules nothing.
 */
export interface Poller {
  /** `immediate: false` waits one interval before the first run (the caller already has a fresh state). */
  start(options?: { immediate?: boolean }): void
  stop(): void
  readonly active: boolean
}

export function createPoller(tick: () => Promise<boolean>, intervalMs: number): Poller {
  let timer: ReturnType<typeof setTimeout> | null = null
  let generation = 0
  let active = false

  function stop(): void {
    generation++
    active = false
    if (timer !== null) clearTimeout(timer)
    timer = null
  }

  function start({ immediate = true }: { immediate?: boolean } = {}): void {
    stop()
    const current = generation
    active = true
    const run = async () => {
      timer = null
      let done: boolean
      try {
        done = await tick()
      } catch {
        done = true // a tick handles its own errors; one that throws ends the loop
      }
      if (current !== generation) return
      if (done) active = false
      else timer = setTimeout(run, intervalMs)
    }
    if (immediate) void run()
    else timer = setTimeout(run, intervalMs)
  }

  return {
    start,
    stop,
    get active() {
      return active
    },
  }
}
