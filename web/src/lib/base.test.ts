import { describe, expect, it } from 'vitest'
import { normalizeBase, readBase } from './base'

describe('normalizeBase', () => {
  it.each([
    ['/', '/'],
    ['/hub/', '/hub/'],
    ['/hub', '/hub/'],
    ['  /a/b  ', '/a/b/'],
    ['', '/'],
    [null, '/'],
    ['hub/', '/'],
    ['//evil.example/', '/'],
    ['https://evil.example/', '/'],
    ['/hub?x=1', '/'],
  ])('%j → %j', (raw, want) => {
    expect(normalizeBase(raw)).toBe(want)
  })
})

describe('readBase', () => {
  function doc(head: string): Document {
    return new DOMParser().parseFromString(`<!doctype html><html><head>${head}</head><body></body></html>`, 'text/html')
  }

  it('reads the meta the server rewrote', () => {
    expect(readBase(doc('<meta name="whatpro-base" content="/hub/">'))).toBe('/hub/')
  })

  it('defaults to / without the meta', () => {
    expect(readBase(doc(''))).toBe('/')
  })
})
