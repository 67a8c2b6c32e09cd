import { describe, expect, it } from 'vitest'
import {
  chooseParentOrigin,
  embedLocale,
  isNonce,
  newNonce,
  normalizeOrigin,
  parseAppContext,
  parseFrameOrigins,
  readThemeMessage,
  readTokenMessage,
} from './handshake'
import { embedRoute, requestedAccount } from './route'

const CW = 'https://chat.example.com'
const CW2 = 'https://support.example.org'

describe('the allowed parent origins', () => {
  it('reads the meta content the server writes', () => {
    expect(parseFrameOrigins(`${CW} ${CW2}`)).toEqual([CW, CW2])
    expect(parseFrameOrigins(`  ${CW}\n${CW}  `)).toEqual([CW])
    expect(parseFrameOrigins('')).toEqual([])
    expect(parseFrameOrigins(null)).toEqual([])
  })

  it('keeps only real origins', () => {
    expect(parseFrameOrigins(`* null 'none' javascript:alert(1) ${CW}/app https://u:p@x.example ftp://x.example ${CW}`)).toEqual([CW])
    expect(normalizeOrigin('HTTPS://Chat.Example.com')).toBe(CW)
    expect(normalizeOrigin(`${CW}/`)).toBe(CW)
    expect(normalizeOrigin('http://localhost:3000')).toBe('http://localhost:3000')
    expect(normalizeOrigin(`${CW}?x=1`)).toBeNull()
    expect(normalizeOrigin(`${CW}#x`)).toBeNull()
  })
})

describe('choosing the exact parent origin for the hello', () => {
  it('uses the only allowed origin', () => {
    expect(chooseParentOrigin([CW], '', null)).toBe(CW)
  })

  it('picks among several by the referrer', () => {
    expect(chooseParentOrigin([CW, CW2], `${CW2}/`, null)).toBe(CW2)
    expect(chooseParentOrigin([CW, CW2], 'https://evil.example/', null)).toBeNull()
    expect(chooseParentOrigin([CW, CW2], '', null)).toBeNull()
  })

  it('believes location.ancestorOrigins over the referrer', () => {
    expect(chooseParentOrigin([CW, CW2], `${CW}/`, [CW2])).toBe(CW2)
    expect(chooseParentOrigin([CW], `${CW}/`, ['https://evil.example'])).toBeNull()
  })

  it('never answers an origin that is not allowed', () => {
    expect(chooseParentOrigin([], `${CW}/`, [CW])).toBeNull()
  })
})

describe('nonces', () => {
  it('are 128 random bits in base64url', () => {
    const a = newNonce()
    expect(isNonce(a)).toBe(true)
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(newNonce()).not.toBe(a)
    expect(newNonce(() => new Uint8Array(16).fill(255))).toBe('_____________________w')
  })

  it('refuses short or odd values', () => {
    for (const v of ['', 'short', 'x'.repeat(129), 'has space in it!!!!', 12345678901234567, null]) expect(isNonce(v)).toBe(false)
  })
})

describe('whatpro:token messages', () => {
  const nonce = 'n0nce-n0nce-n0nce-n0nce'
  const good = {
    type: 'whatpro:token',
    nonce,
    token: 'wpi_abc',
    expires_at: '2026-06-01T12:30:00Z',
    account_id: 'acct_1',
    chatwoot_account_id: 7,
    theme: 'dark',
    locale: 'pt_BR',
  }

  it('are read with the matching nonce', () => {
    expect(readTokenMessage(good, nonce)).toEqual({
      token: 'wpi_abc',
      expiresAt: Date.parse('2026-06-01T12:30:00Z'),
      expiresAtText: '2026-06-01T12:30:00Z',
      accountId: 'acct_1',
      chatwootAccountId: 7,
      theme: 'dark',
      locale: 'pt_BR',
    })
  })

  it('are ignored with a wrong or missing nonce', () => {
    expect(readTokenMessage({ ...good, nonce: 'another-nonce-another' }, nonce)).toBeNull()
    expect(readTokenMessage({ ...good, nonce: undefined }, nonce)).toBeNull()
    expect(readTokenMessage({ ...good, nonce: [nonce] }, nonce)).toBeNull()
  })

  it('need no nonce only when the caller says so (the sign-in popup)', () => {
    expect(readTokenMessage({ ...good, nonce: undefined }, null)?.token).toBe('wpi_abc')
  })

  it('are ignored when malformed', () => {
    for (const bad of [
      null,
      'whatpro:token',
      JSON.stringify(good),
      [good],
      { ...good, type: 'whatpro:hello' },
      { ...good, token: '' },
      { ...good, token: 42 },
      { ...good, token: 'x'.repeat(600) },
      { ...good, expires_at: 'soon' },
      { ...good, account_id: '' },
      { ...good, account_id: 3 },
    ]) {
      expect(readTokenMessage(bad, nonce)).toBeNull()
    }
  })

  it('drop optional fields that are not what they should be', () => {
    const g = readTokenMessage({ ...good, chatwoot_account_id: '7', theme: 'purple', locale: 42 }, nonce)
    expect(g).toMatchObject({ chatwootAccountId: null, theme: null, locale: null })
  })

  it('theme messages', () => {
    expect(readThemeMessage({ type: 'whatpro:theme', theme: 'dark' })).toBe('dark')
    expect(readThemeMessage({ type: 'whatpro:theme', theme: 'blue' })).toBeNull()
    expect(readThemeMessage('dark')).toBeNull()
  })
})

describe("Chatwoot's appContext", () => {
  // The shape Frame.vue posts: JSON.stringify({event, data:{conversation, contact, currentAgent}}).
  const context = {
    event: 'appContext',
    data: {
      conversation: { id: 42, account_id: 1, inbox_id: 3, meta: { sender: { id: 9, name: 'Maria' } }, messages: [] },
      contact: { id: 9, name: 'Maria Silva', email: 'maria@example.com' },
      currentAgent: { id: 2, name: 'Bruno', email: 'bruno@example.com' },
    },
  }

  it('is read from the JSON string Chatwoot posts', () => {
    expect(parseAppContext(JSON.stringify(context))).toEqual({
      accountId: 1,
      conversationId: 42,
      inboxId: 3,
      contactId: 9,
      contactName: 'Maria Silva',
      agentId: 2,
      theme: null,
    })
  })

  it('takes the theme Chatwoot adds after 4.15', () => {
    const withTheme = { ...context, data: { ...context.data, theme: 'dark' } }
    expect(parseAppContext(JSON.stringify(withTheme))?.theme).toBe('dark')
  })

  it('falls back to the conversation sender for the contact', () => {
    const noContact = { ...context, data: { ...context.data, contact: null } }
    expect(parseAppContext(JSON.stringify(noContact))).toMatchObject({ contactId: 9, contactName: 'Maria' })
  })

  it('ignores everything else', () => {
    for (const bad of [
      context, // an object, not Chatwoot's string
      'chatwoot-dashboard-app:fetch-info',
      '{not json',
      JSON.stringify({ event: 'other', data: context.data }),
      JSON.stringify({ event: 'appContext', data: { conversation: { id: 42 } } }),
      JSON.stringify({ event: 'appContext', data: { conversation: { id: '42', account_id: 1 } } }),
      JSON.stringify({ event: 'appContext', data: { conversation: { id: 42, account_id: -1 } } }),
      JSON.stringify({ event: 'appContext', data: { conversation: { id: 1.5, account_id: 1 } } }),
      JSON.stringify({ event: 'appContext', data: null }),
      JSON.stringify([1]),
      undefined,
    ]) {
      expect(parseAppContext(bad)).toBeNull()
    }
  })

  it('keeps names as plain, bounded text', () => {
    const long = { ...context, data: { ...context.data, contact: { id: 9, name: '<img src=x onerror=alert(1)>'.repeat(20) } } }
    const hint = parseAppContext(JSON.stringify(long))
    expect(hint?.contactName.length).toBe(200)
  })
})

describe('routes and query', () => {
  it('maps paths under the mount path', () => {
    expect(embedRoute('/embed/conversation', '/')).toEqual({ kind: 'conversation' })
    expect(embedRoute('/hub/embed/conversation', '/hub/')).toEqual({ kind: 'conversation' })
    expect(embedRoute('/embed/app/hub_admin', '/')).toEqual({ kind: 'hub_admin' })
    expect(embedRoute('/embed/app/kanban/', '/')).toEqual({ kind: 'kanban' })
    expect(embedRoute('/embed/app/internal_chat', '/')).toEqual({ kind: 'internal_chat' })
    expect(embedRoute('/embed/app/gateway', '/')).toEqual({ kind: 'hub_admin', section: 'numbers' })
    expect(embedRoute('/embed/app/unknown', '/')).toEqual({ kind: 'not_found' })
    expect(embedRoute('/embed/app/../admin', '/')).toEqual({ kind: 'not_found' })
  })

  it('reads ?account=', () => {
    expect(requestedAccount('?account=01J9ZK')).toBe('01J9ZK')
    expect(requestedAccount('')).toBeNull()
    expect(requestedAccount('?account=a/b')).toBeNull()
  })

  it('maps Chatwoot locales', () => {
    expect(embedLocale('pt_BR')).toBe('pt-BR')
    expect(embedLocale('pt')).toBe('pt-BR')
    expect(embedLocale('en')).toBe('en')
    expect(embedLocale('fr')).toBe('en')
    expect(embedLocale(undefined)).toBe('en')
  })
})
