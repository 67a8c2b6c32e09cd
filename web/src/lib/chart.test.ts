import { describe, expect, it } from 'vitest'
import { layoutBars, niceScale, type ChartBox } from './chart'

describe('niceScale', () => {
  it.each([
    [0, 1, [0, 1]],
    [1, 1, [0, 1]],
    [4, 4, [0, 1, 2, 3, 4]],
    [7, 8, [0, 2, 4, 6, 8]],
    [10, 10, [0, 5, 10]],
    [123, 150, [0, 50, 100, 150]],
    [999, 1000, [0, 500, 1000]],
    [40_000, 40_000, [0, 10_000, 20_000, 30_000, 40_000]],
    [40_001, 60_000, [0, 20_000, 40_000, 60_000]],
  ])('rounds %d up to %d with even ticks', (largest, max, ticks) => {
    const scale = niceScale(largest)
    expect(scale.max).toBe(max)
    expect(scale.ticks).toEqual(ticks)
    expect(scale.max).toBeGreaterThanOrEqual(largest)
  })

  it('never steps below 1 (the series are counts)', () => {
    expect(niceScale(2).step).toBe(1)
    expect(niceScale(3).ticks.every(Number.isInteger)).toBe(true)
  })

  it('treats a negative or missing maximum as an empty chart', () => {
    expect(niceScale(-5)).toEqual({ max: 1, step: 1, ticks: [0, 1] })
    expect(niceScale(Number.NaN)).toEqual({ max: 1, step: 1, ticks: [0, 1] })
  })
})

describe('layoutBars', () => {
  const box: ChartBox = { width: 400, height: 200, left: 40, right: 0, top: 0, bottom: 20 }
  const plotHeight = 180

  it('scales bars to the top tick: the rounded maximum reaches the top, half of it half way', () => {
    const layout = layoutBars(
      [
        { day: '2026-03-01', value: 0 },
        { day: '2026-03-02', value: 50 },
        { day: '2026-03-03', value: 100 },
        { day: '2026-03-04', value: 25 },
      ],
      box,
    )
    expect(layout.scale.max).toBe(100)
    expect(layout.bars.map((b) => b.height)).toEqual([0, plotHeight / 2, plotHeight, plotHeight / 4])
    // Every bar stands on the baseline.
    for (const bar of layout.bars) expect(bar.y + bar.height).toBe(180)
    expect(layout.ticks[0]).toEqual({ value: 0, y: 180 })
    expect(layout.ticks.at(-1)).toEqual({ value: 100, y: 0 })
  })

  it('leaves headroom when the maximum is not round', () => {
    const layout = layoutBars([{ day: 'd1', value: 7 }], box)
    expect(layout.scale.max).toBe(8)
    expect(layout.bars[0]!.height).toBeCloseTo((7 / 8) * plotHeight)
  })

  it('spreads the days across the plot, left to right, without overlapping', () => {
    const series = Array.from({ length: 30 }, (_, i) => ({ day: `d${i}`, value: i }))
    const { bars, plot } = layoutBars(series, box)
    expect(bars).toHaveLength(30)
    expect(bars[0]!.x).toBeGreaterThanOrEqual(plot.x0)
    expect(bars.at(-1)!.x + bars.at(-1)!.width).toBeLessThanOrEqual(plot.x1)
    for (let i = 1; i < bars.length; i++) expect(bars[i]!.x).toBeGreaterThan(bars[i - 1]!.x + bars[i - 1]!.width)
  })

  it('draws an all-zero series flat on a 0–1 scale', () => {
    const layout = layoutBars([{ day: 'd1', value: 0 }, { day: 'd2', value: 0 }], box)
    expect(layout.scale.ticks).toEqual([0, 1])
    expect(layout.bars.every((b) => b.height === 0)).toBe(true)
  })
})
