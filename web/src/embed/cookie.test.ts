import { describe, expect, it } from 'vitest'
import { parseSessionCookie } from './cookie'
import { loadDashboardScript } from './testing/dashboardScript'

const script = loadDashboardScript()
const NOW = Date.UTC(2026, 5, 1)
const FUTURE = String(Math.floor(NOW / 1000) + 60 * 86400)
const PAST = String(Math.floor(NOW / 1000) - 60)

// js-cookie 3's write converter, as Chatwoot's SPA (and the simulator's login page) use it.
function jsCookie(value: string): string {
  return encodeURIComponent(value).replace(/%(2[346BF]|3[AC-F]|40|5[BDE]|60|7[BCD])/g, decodeURIComponent)
}

// Every response header of /auth/sign_in, lower-case, as axios hands them to setAuthCredentials.
const headers = {
  'access-token': 'tok+en/with=chars',
  'cache-control': 'max-age=0, private, must-revalidate',
  client: 'cl1ent-Id_9',
  'content-type': 'application/json; charset=utf-8',
  expiry: FUTURE,
  'token-type': 'Bearer',
  uid: 'agent@example.com',
}
const want = { accessToken: 'tok+en/with=chars', client: 'cl1ent-Id_9', uid: 'agent@example.com' }

const parsers = [
  ['cookie.ts', (c: unknown) => parseSessionCookie(c, NOW)],
  ['dashboard-script.js', (c: unknown) => script.parseSessionCookie(c, NOW)],
] as const

const valid: [string, string][] = [
  ['js-cookie encoding of every header', `cw_d_session_info=${jsCookie(JSON.stringify(headers))}`],
  ['among other cookies', `a=1; cw_d_session_info=${jsCookie(JSON.stringify(headers))}; _chatwoot_session=x`],
  // A raw value cannot hold ';' (it would end the cookie), so only the auth keys.
  ['raw JSON', `cw_d_session_info=${JSON.stringify({ 'access-token': want.accessToken, client: want.client, uid: want.uid, expiry: FUTURE })}`],
  ['quoted value', `cw_d_session_info="${jsCookie(JSON.stringify(headers))}"`],
  ['fully percent-encoded', `cw_d_session_info=${encodeURIComponent(JSON.stringify(headers))}`],
  ['encoded twice', `cw_d_session_info=${encodeURIComponent(encodeURIComponent(JSON.stringify(headers)))}`],
  ['CGI escaping (+ for spaces)', `cw_d_session_info=${encodeURIComponent(JSON.stringify({ ...headers, 'access-token': 'tok/en' })).replace(/%20/g, '+')}`],
  ['upper-case keys', `cw_d_session_info=${jsCookie(JSON.stringify({ 'Access-Token': want.accessToken, Client: want.client, UID: want.uid }))}`],
  ['snake_case keys', `cw_d_session_info=${jsCookie(JSON.stringify({ access_token: want.accessToken, client: want.client, uid: want.uid }))}`],
  ['only the five MFA keys', `cw_d_session_info=${jsCookie(JSON.stringify({ 'access-token': want.accessToken, 'token-type': 'Bearer', client: want.client, expiry: FUTURE, uid: want.uid }))}`],
  ['a numeric expiry', `cw_d_session_info=${jsCookie(JSON.stringify({ ...headers, expiry: Number(FUTURE) }))}`],
  ['a broken copy first, then a good one', `cw_d_session_info=%E0%A4%A; cw_d_session_info=${jsCookie(JSON.stringify(headers))}`],
  ['spaces around', `  cw_d_session_info =  ${jsCookie(JSON.stringify(headers))}  `],
]

const invalid: [string, unknown][] = [
  ['no cookie', ''],
  ['not a string', undefined],
  ['another cookie only', 'cw_d_session=abc; x_cw_d_session_info=' + jsCookie(JSON.stringify(headers))],
  ['no value', 'cw_d_session_info='],
  ['not JSON', 'cw_d_session_info=hello'],
  ['a JSON array', `cw_d_session_info=${jsCookie('[1,2,3]')}`],
  ['JSON null', 'cw_d_session_info=null'],
  ['broken percent escapes', 'cw_d_session_info=%7B%22access-token%22%3A%E0%A4%A'],
  ['no access-token', `cw_d_session_info=${jsCookie(JSON.stringify({ client: 'c', uid: 'u' }))}`],
  ['no client', `cw_d_session_info=${jsCookie(JSON.stringify({ 'access-token': 't', uid: 'u' }))}`],
  ['no uid', `cw_d_session_info=${jsCookie(JSON.stringify({ 'access-token': 't', client: 'c' }))}`],
  ['empty fields', `cw_d_session_info=${jsCookie(JSON.stringify({ 'access-token': ' ', client: 'c', uid: 'u' }))}`],
  ['fields that are not strings', `cw_d_session_info=${jsCookie(JSON.stringify({ 'access-token': 1, client: {}, uid: [] }))}`],
  ['an expired devise token', `cw_d_session_info=${jsCookie(JSON.stringify({ ...headers, expiry: PAST }))}`],
  ['absurdly long fields', `cw_d_session_info=${jsCookie(JSON.stringify({ 'access-token': 'x'.repeat(700), client: 'c', uid: 'u' }))}`],
  ['an oversized value', `cw_d_session_info=${'%20'.repeat(7000)}`],
]

describe.each(parsers)('the cw_d_session_info parser in %s', (_name, parse) => {
  it.each(valid)('reads %s', (_case, cookie) => {
    expect(parse(cookie)).toEqual(
      _case.startsWith('CGI') ? { ...want, accessToken: 'tok/en' } : want,
    )
  })

  it.each(invalid)('answers null for %s', (_case, cookie) => {
    expect(parse(cookie)).toBeNull()
  })

  it('keeps a literal + written by js-cookie', () => {
    const cookie = `cw_d_session_info=${jsCookie(JSON.stringify({ 'access-token': 'a+b', client: 'c d', uid: 'u' }))}`
    expect(parse(cookie)).toEqual({ accessToken: 'a+b', client: 'c d', uid: 'u' })
  })
})

describe('both parsers', () => {
  // A cheap fuzz: random cookie strings built from the characters that matter never throw, and
  // the page's parser and the dashboard script's agree on every one.
  it('never throw and always agree', () => {
    let seed = 42
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const alphabet = ['%', '2', '2B', 'E0', '7B', '7D', '"', '{', '}', ':', ',', ';', '=', '+', ' ', 'a', 'cw_d_session_info',
      'access-token', 'client', 'uid', 'expiry', '\\', 'null', '[', ']', '1']
    const seeds = [jsCookie(JSON.stringify(headers)), JSON.stringify(headers)]
    for (let i = 0; i < 3000; i++) {
      let s = i % 3 === 0 ? `cw_d_session_info=${seeds[i % 2]}` : ''
      const len = rand(40)
      for (let j = 0; j < len; j++) {
        const piece = alphabet[rand(alphabet.length)]
        const at = rand(s.length + 1)
        s = rand(4) === 0 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + piece + s.slice(at)
      }
      let a: unknown
      let b: unknown
      expect(() => (a = parseSessionCookie(s, NOW))).not.toThrow()
      expect(() => (b = script.parseSessionCookie(s, NOW))).not.toThrow()
      expect(b).toEqual(a)
    }
  })
})
