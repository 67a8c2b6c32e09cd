/** Scales for the usage chart: a rounded top value with even ticks, and the bars of a series. */

export interface Scale {
  /** The value at the top of the chart (≥ the largest value, a multiple of step). */
  max: number
  step: number
  /** 0, step, 2·step … max. */
  ticks: number[]
}

/**
 * A top value and about `count` ticks on 1, 2 or 5 times a power of ten, never below 1 (the
 * series are counts): 7 → 0 2 4 6 8, 123 → 0 50 100 150, 0 → 0 1.
 */
export function niceScale(largest: number, count = 4): Scale {
  if (!Number.isFinite(largest) || largest <= 0) return { max: 1, step: 1, ticks: [0, 1] }
  const raw = largest / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const normalized = raw / magnitude
  const factor = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10
  const step = Math.max(1, factor * magnitude)
  const max = Math.ceil(largest / step) * step
  const ticks: number[] = []
  for (let v = 0; v <= max + step / 2; v += step) ticks.push(v)
  return { max, step, ticks }
}

export interface ChartBox {
  width: number
  height: number
  /** Room left of the plot for the axis labels, and below it for the days. */
  left: number
  bottom: number
  top: number
  right: number
}

export interface ChartBar {
  day: string
  value: number
  x: number
  y: number
  width: number
  height: number
}

export interface ChartTick {
  value: number
  y: number
}

export interface ChartLayout {
  scale: Scale
  bars: ChartBar[]
  ticks: ChartTick[]
  /** The plot's edges inside the box. */
  plot: { x0: number; x1: number; y0: number; y1: number }
}

/** Bars for a daily series in the box: the day with the top value reaches the top tick. */
export function layoutBars(series: { day: string; value: number }[], box: ChartBox): ChartLayout {
  const scale = niceScale(Math.max(0, ...series.map((p) => p.value)))
  const x0 = box.left
  const x1 = box.width - box.right
  const y0 = box.height - box.bottom
  const y1 = box.top
  const plotHeight = y0 - y1
  const slot = series.length > 0 ? (x1 - x0) / series.length : 0
  const barWidth = Math.max(1, slot * 0.7)
  const yOf = (value: number) => y0 - (Math.max(0, value) / scale.max) * plotHeight
  const bars = series.map((p, i) => {
    const y = yOf(p.value)
    return { day: p.day, value: p.value, x: x0 + i * slot + (slot - barWidth) / 2, y, width: barWidth, height: y0 - y }
  })
  return { scale, bars, ticks: scale.ticks.map((value) => ({ value, y: yOf(value) })), plot: { x0, x1, y0, y1 } }
}
