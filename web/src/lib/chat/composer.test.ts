import { describe, expect, it } from 'vitest'
import { activeQuery, insertMention, mentionIds, suggest } from './composer'
import { heightsOf, visibleWindow } from './virtual'

const people = [{ id: 'a', name: 'Ana Souza' }, { id: 'j', name: 'João Lima' }, { id: 'me', name: 'Eu Mesmo' }]

describe('composer mentions', () => {
  it('finds the mention being typed', () => {
    expect(activeQuery('oi @jo', 6)).toEqual({ start: 3, query: 'jo' })
    expect(activeQuery('oi @joão li', 11)).toEqual({ start: 3, query: 'joão li' })
    expect(activeQuery('mail@x', 6)).toBeNull()
    expect(activeQuery('oi @ x', 6)).toBeNull()
    expect(activeQuery('sem arroba', 10)).toBeNull()
  })

  it('suggests by any word, accents ignored, never oneself', () => {
    expect(suggest(people, 'joa', 'me').map((p) => p.id)).toEqual(['j'])
    expect(suggest(people, 'sou', 'me').map((p) => p.id)).toEqual(['a'])
    expect(suggest(people, '', 'me').map((p) => p.id)).toEqual(['a', 'j'])
  })

  it('writes the name and sends the ids still in the text', () => {
    const q = activeQuery('oi @an', 6)!
    const out = insertMention('oi @an', q, 6, people[0]!)
    expect(out).toEqual({ text: 'oi @Ana Souza ', caret: 14 })
    expect(mentionIds(`${out.text}e @joao lima`, people)).toEqual(['a', 'j'])
    expect(mentionIds('apagou a menção', [people[0]!])).toEqual([])
  })
})

describe('virtual window', () => {
  it('renders only what is near the viewport', () => {
    const hs = heightsOf(Array.from({ length: 1000 }, (_, i) => `k${i}`), new Map([['k0', 100]]), 50)
    const w = visibleWindow(hs, 25_000, 500, 100)
    expect(w.start).toBeGreaterThan(400)
    expect(w.end - w.start).toBeLessThan(20)
    expect(w.top + (w.end - w.start) * 50 + w.bottom).toBe(w.total)
    expect(visibleWindow(hs, 0, 500, 0).start).toBe(0)
    expect(visibleWindow([], 0, 500).end).toBe(0)
  })
})
