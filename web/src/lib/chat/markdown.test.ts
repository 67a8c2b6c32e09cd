import { describe, expect, it } from 'vitest'
import { markMentions, parse, plainText, safeURL, type Inline } from './markdown'

const inl = (src: string): Inline[] => parse(src)[0]?.inlines ?? []

describe('chat markdown', () => {
  it('reads emphasis, code and links', () => {
    expect(inl('**oi** _tudo_ ~~bem~~ `x`')).toEqual([
      { kind: 'bold', children: [{ kind: 'text', text: 'oi' }] },
      { kind: 'text', text: ' ' },
      { kind: 'italic', children: [{ kind: 'text', text: 'tudo' }] },
      { kind: 'text', text: ' ' },
      { kind: 'strike', children: [{ kind: 'text', text: 'bem' }] },
      { kind: 'text', text: ' ' },
      { kind: 'code', text: 'x' },
    ])
    expect(inl('[site](https://a.example/x) e https://b.example/y.')).toEqual([
      { kind: 'link', url: 'https://a.example/x', children: [{ kind: 'text', text: 'site' }] },
      { kind: 'text', text: ' e ' },
      { kind: 'url', text: 'https://b.example/y', url: 'https://b.example/y' },
      { kind: 'text', text: '.' },
    ])
  })

  it('never links unsafe schemes and leaves unclosed markup as text', () => {
    expect(inl('[x](javascript:alert(1))')).toEqual([{ kind: 'text', text: '[x](javascript:alert(1))' }])
    expect(safeURL('data:text/html,hi')).toBe(false)
    expect(safeURL('mailto:a@b.c')).toBe(true)
    expect(inl('**aberto e `solto')).toEqual([{ kind: 'text', text: '**aberto e `solto' }])
    expect(inl('snake_case_name')).toEqual([{ kind: 'text', text: 'snake_case_name' }])
  })

  it('reads blocks by line', () => {
    const b = parse('> citação\n- item\n1. um\n```go\nx := 1\n```\nfim')
    expect(b.map((x) => x.kind)).toEqual(['quote', 'item', 'item', 'code_block', 'paragraph'])
    expect(b[3]).toEqual({ kind: 'code_block', lang: 'go', code: 'x := 1' })
    expect(parse('```\nsem fim').map((x) => x.kind)).toEqual(['paragraph', 'paragraph'])
  })

  it('marks mentions by full or first name outside code, accents and case ignored', () => {
    const people = [{ id: 'u1', name: 'Ana Souza' }, { id: 'u2', name: 'João' }]
    const b = markMentions(parse('oi @ana souza e @joao, `@Ana` @room'), people, true)
    const kinds = b[0]!.inlines!.map((i) => (i.kind === 'mention' ? `@${i.userId}` : i.kind))
    expect(kinds).toEqual(['text', '@u1', 'text', '@u2', 'text', 'code', 'text', '@@room'])
    expect(markMentions(parse('email@ana.com'), people, false)[0]!.inlines).toEqual([{ kind: 'text', text: 'email@ana.com' }])
  })

  it('makes previews without markup', () => {
    expect(plainText('**oi** [site](https://x.example)\n> q')).toBe('oi site q')
    expect(plainText('a'.repeat(200), 10)).toHaveLength(10)
  })

  // The parser reads what anyone types: random and hostile input never throws, stays linear,
  // and never yields a link to anything but http, https or mailto.
  it('survives random input', () => {
    const alphabet = ['*', '_', '~', '`', '[', ']', '(', ')', 'h', 'https://', 'javascript:', '\n', '> ', '- ', '```', '@', 'a', ' ', 'é', '😀', '\r']
    let seed = 42
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    const links: string[] = []
    const walk = (l: Inline[] | undefined) =>
      l?.forEach((i) => {
        if (i.url !== undefined) links.push(i.url)
        walk(i.children)
      })
    for (let n = 0; n < 2000; n++) {
      let s = ''
      const len = Math.floor(rand() * 60)
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)]
      const blocks = markMentions(parse(s), [{ id: 'x', name: 'a' }], true)
      blocks.forEach((b) => walk(b.inlines))
      expect(typeof plainText(s)).toBe('string')
    }
    for (const u of links) expect(safeURL(u)).toBe(true)
    const long = '*_'.repeat(20000)
    const started = performance.now()
    parse(long)
    expect(performance.now() - started).toBeLessThan(5000)
  })
})
