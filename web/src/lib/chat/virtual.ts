/**
 * Virtual scrolling of the message list: only the messages near the viewport are rendered, the
 * rest stand in as two spacers. Heights are measured as messages render and estimated before.
 */

export interface Window {
  start: number
  /** Exclusive. */
  end: number
  /** Height of the spacer above and below the rendered items. */
  top: number
  bottom: number
  total: number
}

/**
 * The items to render for a scroll position: every item that intersects the viewport, plus
 * overscan pixels on each side.
 */
export function visibleWindow(heights: number[], scrollTop: number, viewport: number, overscan = 600): Window {
  const n = heights.length
  let total = 0
  for (const h of heights) total += h
  const from = Math.max(0, scrollTop - overscan)
  const to = scrollTop + viewport + overscan
  let start = 0
  let y = 0
  while (start < n && y + heights[start]! <= from) {
    y += heights[start]!
    start++
  }
  const top = y
  let end = start
  while (end < n && y < to) {
    y += heights[end]!
    end++
  }
  return { start, end, top, bottom: total - y, total }
}

/** The heights of items by key, with an estimate for those not measured yet. */
export function heightsOf(keys: string[], measured: Map<string, number>, estimate = 64): number[] {
  return keys.map((k) => measured.get(k) ?? estimate)
}
