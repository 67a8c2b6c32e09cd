import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { limitReached, usageRatio } from './limits'

describe('limitReached', () => {
  it('reads the limit and its use from a LIMIT_EXCEEDED answer', () => {
    const error = new ApiError({
      status: 422,
      code: 'LIMIT_EXCEEDED',
      message: 'the plan allows 2 for max_provider_instances and 2 are used',
      details: [{ field: 'max_provider_instances', message: 'limit reached', limit: 2, used: 2 }],
    })
    expect(limitReached(error)).toEqual({ name: 'max_provider_instances', limit: 2, used: 2 })
  })

  it('ignores other errors and answers without numbers', () => {
    expect(limitReached(null)).toBeNull()
    expect(limitReached(new ApiError({ status: 409, code: 'CONFLICT', message: 'taken' }))).toBeNull()
    expect(limitReached(new ApiError({ status: 422, code: 'LIMIT_EXCEEDED', message: 'x', details: [{ field: 'a', message: 'b' }] }))).toBeNull()
  })
})

describe('usageRatio', () => {
  it('is the used share of the limit, capped at 1, and 0 when unlimited', () => {
    expect(usageRatio(1, 4)).toBe(0.25)
    expect(usageRatio(9, 4)).toBe(1)
    expect(usageRatio(100, null)).toBe(0)
    expect(usageRatio(0, 0)).toBe(0)
    expect(usageRatio(1, 0)).toBe(1)
  })
})
