import { describe, expect, it } from 'vitest'
import { activeFilterCount, filtersFromQuery, filtersToQuery, queryFromSearch, sameFilters, withFilters } from './filters'

describe('filters ↔ URL', () => {
  it('reads every filter the API knows, with its own names', () => {
    const f = filtersFromQuery({
      assignee: 'me', label: 'vip', priority: 'high', due: 'week', value_min: '10000', value_max: '500000', q: ' Maria ', stale: 'true', card: 'c1',
    })
    expect(f).toEqual({ assignee: 'me', label: 'vip', priority: 'high', due: 'week', value_min: 10000, value_max: 500000, q: 'Maria', stale: true })
  })

  it('drops what the API would refuse, so a hand-edited URL never breaks the board', () => {
    expect(
      filtersFromQuery({ priority: 'critical', due: 'tomorrow', value_min: '-5', value_max: '1.5', stale: 'yes', label: 'a"b', assignee: 'x'.repeat(65), q: '   ' }),
    ).toEqual({})
    expect(filtersFromQuery({ value_min: '9'.repeat(16) })).toEqual({})
  })

  it('takes the first of repeated parameters (vue-router gives arrays)', () => {
    expect(filtersFromQuery({ label: ['a', 'b'], stale: [null, 'true'] })).toEqual({ label: 'a' })
  })

  it('writes only what is set, and reads back what it wrote', () => {
    const f = { assignee: 'u1', value_min: 0, stale: false, q: 'João' }
    const q = filtersToQuery(f)
    expect(q).toEqual({ assignee: 'u1', value_min: '0', q: 'João', stale: 'false' })
    expect(filtersFromQuery(q)).toEqual(f)
    expect(filtersToQuery({ q: '  ' })).toEqual({})
  })

  it('replaces the filters of a query and keeps its other parameters', () => {
    expect(withFilters({ card: 'c9', label: 'old', board: 'b1' }, { priority: 'low' })).toEqual({ card: 'c9', board: 'b1', priority: 'low' })
  })

  it('compares and counts filters by what they mean', () => {
    expect(sameFilters({ q: 'a ' }, { q: 'a' })).toBe(true)
    expect(sameFilters({ stale: false }, {})).toBe(false)
    expect(activeFilterCount({ q: 'x', assignee: 'me', label: '' })).toBe(2)
  })

  it('reads a search string', () => {
    expect(filtersFromQuery(queryFromSearch('?account=a1&q=caf%C3%A9&due=overdue'))).toEqual({ q: 'café', due: 'overdue' })
  })
})
