/**
 * The chat's light markdown, read the way the hub reads it (internal/chat/markdown): fenced code
 * blocks, quotes and list items by line; bold (**), italic (* or _), strike (~~), inline code (`),
 * links [text](https://…) and bare https:// links inside a line. Anything unclosed is text and
 * parsing never fails. The result is a tree the message component renders as elements: nothing
 * is ever turned into HTML, and only http, https and mailto links exist.
 */

export type BlockKind = 'paragraph' | 'quote' | 'item' | 'code_block'
export type InlineKind = 'text' | 'bold' | 'italic' | 'strike' | 'code' | 'link' | 'url' | 'mention'

export interface Inline {
  kind: InlineKind
  text?: string
  url?: string
  /** A mention: the person's id. */
  userId?: string
  children?: Inline[]
}

export interface Block {
  kind: BlockKind
  lang?: string
  code?: string
  inlines?: Inline[]
}

const MAX_DEPTH = 4
const MAX_CLOSERS = 64
const MAX_LINK_TEXT = 500
const MAX_LINK_URL = 2000

export function parse(src: string): Block[] {
  const out: Block[] = []
  const lines = src.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
  for (let i = 0; i < lines.length; i++) {
    const body = lines[i] ?? ''
    const fence = openFence(body)
    if (fence !== null) {
      let j = i + 1
      const code: string[] = []
      for (; j < lines.length; j++) {
        if ((lines[j] ?? '').trim() === '```') break
        code.push(lines[j] ?? '')
      }
      if (j < lines.length) {
        out.push({ kind: 'code_block', lang: fence, code: code.join('\n') })
        i = j
        continue
      }
    }
    const [kind, skip] = lineKind(body)
    out.push({ kind, inlines: parseInline(body.slice(skip), 0) })
  }
  return out
}

/** The language of an opening fence ("" without one), or null when the line opens none. */
function openFence(s: string): string | null {
  const t = s.trim()
  if (!t.startsWith('```')) return null
  const lang = t.slice(3).trim()
  if (lang.includes('`') || /\s/.test(lang)) return null
  return lang
}

function lineKind(s: string): [BlockKind, number] {
  if (s.startsWith('> ')) return ['quote', 2]
  if (s === '>') return ['quote', 1]
  if (s.startsWith('- ') || s.startsWith('* ')) return ['item', 2]
  const m = /^[0-9]{1,4}\. /.exec(s)
  if (m) return ['item', 0] // the number stays: it is what the reader sees
  return ['paragraph', 0]
}

const PAIRS: [string, InlineKind][] = [
  ['**', 'bold'],
  ['~~', 'strike'],
  ['*', 'italic'],
  ['_', 'italic'],
]

const WORD = /[\p{L}\p{N}_]/u

function isWord(ch: string | undefined): boolean {
  return ch !== undefined && WORD.test(ch)
}

function charBefore(s: string, i: number): string | undefined {
  if (i <= 0) return undefined
  const code = s.charCodeAt(i - 1)
  if (code >= 0xdc00 && code <= 0xdfff && i >= 2) return s.slice(i - 2, i)
  return s[i - 1]
}

function charAt(s: string, i: number): string | undefined {
  if (i >= s.length) return undefined
  const cp = s.codePointAt(i)
  return cp === undefined ? undefined : String.fromCodePoint(cp)
}

function wordStart(s: string, i: number): boolean {
  return i === 0 || !isWord(charBefore(s, i))
}

function wordEnd(s: string, i: number): boolean {
  return i >= s.length || !isWord(charAt(s, i))
}

function parseInline(s: string, depth: number): Inline[] {
  const out: Inline[] = []
  let text = ''
  const flush = () => {
    if (text) out.push({ kind: 'text', text })
    text = ''
  }
  let noTick = false
  const noClose = new Set<string>()
  for (let i = 0; i < s.length; ) {
    const c = s[i]
    if (c === '`' && !noTick) {
      const j = s.indexOf('`', i + 1)
      if (j < 0) noTick = true
      if (j > i + 1) {
        flush()
        out.push({ kind: 'code', text: s.slice(i + 1, j) })
        i = j + 1
        continue
      }
    } else if (c === '[') {
      const l = link(s.slice(i), depth)
      if (l) {
        flush()
        out.push(l.inline)
        i += l.length
        continue
      }
    } else if (c === 'h' && wordStart(s, i)) {
      const n = bareURL(s.slice(i))
      if (n > 0) {
        flush()
        const u = s.slice(i, i + n)
        out.push({ kind: 'url', text: u, url: u })
        i += n
        continue
      }
    } else if (depth < MAX_DEPTH && (c === '*' || c === '_' || c === '~')) {
      const e = emphasis(s, i, depth, noClose)
      if (e) {
        flush()
        out.push(e.inline)
        i += e.length
        continue
      }
    }
    const ch = charAt(s, i) ?? ''
    text += ch
    i += ch.length || 1
  }
  flush()
  return out
}

function emphasis(s: string, i: number, depth: number, noClose: Set<string>): { inline: Inline; length: number } | null {
  for (const [d, kind] of PAIRS) {
    if (!s.startsWith(d, i)) continue
    const start = i + d.length
    if (noClose.has(d) || start >= s.length || s[start] === ' ' || (d === '_' && !wordStart(s, i))) return null
    for (let k = start + 1, tries = 0; k + d.length <= s.length && tries < MAX_CLOSERS; tries++) {
      const end = s.indexOf(d, k)
      if (end < 0) {
        if (tries === 0) noClose.add(d)
        break
      }
      const after = end + d.length
      if (s[end - 1] !== ' ' && (d !== '*' || after >= s.length || s[after] !== '*') && (d !== '_' || wordEnd(s, after))) {
        return { inline: { kind, children: parseInline(s.slice(start, end), depth + 1) }, length: after - i }
      }
      k = end + d.length
    }
    return null
  }
  return null
}

function link(s: string, depth: number): { inline: Inline; length: number } | null {
  const j = s.slice(0, MAX_LINK_TEXT + 2).indexOf('](')
  if (j < 1 || /[[\]]/.test(s.slice(1, j))) return null
  const k = s.slice(j + 2, j + 2 + MAX_LINK_URL).indexOf(')')
  if (k < 1) return null
  const u = s.slice(j + 2, j + 2 + k)
  if (!safeURL(u)) return null
  const label = s.slice(1, j)
  const children = depth < MAX_DEPTH ? parseInline(label, depth + 1) : [{ kind: 'text' as const, text: label }]
  return { inline: { kind: 'link', url: u, children }, length: j + 3 + k }
}

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\s\u0000-\u001f\u007f-\u009f<>"]/

/** The schemes a link may open; never javascript: or data:. */
export function safeURL(u: string): boolean {
  if (UNSAFE.test(u)) return false
  const l = u.toLowerCase()
  return ((l.startsWith('https://') || l.startsWith('http://')) && u.length > 'https://'.length) || (l.startsWith('mailto:') && u.length > 'mailto:'.length)
}

function bareURL(s: string): number {
  if (!s.startsWith('https://') && !s.startsWith('http://')) return 0
  // eslint-disable-next-line no-control-regex
  let n = s.search(/[\s<>"\u0000-\u001f\u007f-\u009f]/)
  if (n < 0) n = s.length
  while (n > 0 && ".,;:!?)]'".includes(s[n - 1] ?? '')) n--
  if (n <= 'https://'.length || !safeURL(s.slice(0, n))) return 0
  return n
}

// ---- mentions -----------------------------------------------------------------------------------

/** Lower case without accents, as the hub compares names. */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/**
 * Marks "@Name" in the text spans (never in code or links) of the people a message mentions: the
 * full name first, else the first name. "@room" is marked when the message mentions the room.
 */
export function markMentions(blocks: Block[], people: { id: string; name: string }[], room: boolean): Block[] {
  const names = people
    .flatMap((p) => {
      const full = p.name.trim()
      const first = full.split(/\s+/)[0] ?? ''
      return first && first !== full ? [{ id: p.id, key: fold(full) }, { id: p.id, key: fold(first) }] : full ? [{ id: p.id, key: fold(full) }] : []
    })
    .sort((a, b) => b.key.length - a.key.length)
  if (names.length === 0 && !room) return blocks
  const mark = (inlines: Inline[] | undefined): Inline[] | undefined =>
    inlines?.flatMap((inl) => {
      if (inl.kind === 'text') return splitMentions(inl.text ?? '', names, room)
      if (inl.kind === 'bold' || inl.kind === 'italic' || inl.kind === 'strike') return [{ ...inl, children: mark(inl.children) }]
      return [inl]
    })
  return blocks.map((b) => (b.inlines ? { ...b, inlines: mark(b.inlines) } : b))
}

function splitMentions(text: string, names: { id: string; key: string }[], room: boolean): Inline[] {
  const out: Inline[] = []
  let plain = ''
  const folded = fold(text)
  // Folding can change lengths (rare ligatures): then the text stays as it is.
  if (folded.length !== text.length) return [{ kind: 'text', text }]
  for (let i = 0; i < text.length; ) {
    if (text[i] === '@' && wordStart(text, i)) {
      const rest = folded.slice(i + 1)
      let hit: { id: string; len: number } | null = null
      if (room && rest.startsWith('room') && wordEnd(text, i + 5)) hit = { id: '@room', len: 4 }
      for (const n of hit ? [] : names) {
        if (rest.startsWith(n.key) && wordEnd(text, i + 1 + n.key.length)) {
          hit = { id: n.id, len: n.key.length }
          break
        }
      }
      if (hit) {
        if (plain) out.push({ kind: 'text', text: plain })
        plain = ''
        out.push({ kind: 'mention', userId: hit.id, text: text.slice(i, i + 1 + hit.len) })
        i += 1 + hit.len
        continue
      }
    }
    plain += text[i]
    i++
  }
  if (plain) out.push({ kind: 'text', text: plain })
  return out
}

/** The text of a message without its markup, for previews and notifications. */
export function plainText(src: string, max = 140): string {
  const walk = (inl: Inline[] | undefined): string => (inl ?? []).map((i) => (i.children ? walk(i.children) : (i.text ?? ''))).join('')
  const text = parse(src)
    .map((b) => (b.kind === 'code_block' ? (b.code ?? '') : walk(b.inlines)))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim()
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
