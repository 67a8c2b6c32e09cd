import { describe, expect, it } from 'vitest'
import { auditChanges } from './auditDiff'

describe('auditChanges', () => {
  it('lists only the fields that changed, in key order', () => {
    expect(auditChanges({ name: 'Ana', role: 'agent', email: 'a@x' }, { name: 'Ana', role: 'admin', email: 'a@x' })).toEqual([
      { field: 'role', before: 'agent', after: 'admin', kind: 'changed' },
    ])
  })
  it('tells added and removed fields apart', () => {
    expect(auditChanges(null, { inbox_id: 'i1' })).toEqual([{ field: 'inbox_id', before: '', after: 'i1', kind: 'added' }])
    expect(auditChanges({ limits: { max_inboxes: 2 } }, {})).toEqual([{ field: 'limits', before: '{"max_inboxes":2}', after: '', kind: 'removed' }])
  })
  it('has nothing to say without an object on either side', () => {
    expect(auditChanges(null, null)).toEqual([])
    expect(auditChanges('x', [1])).toEqual([])
  })
})
