/**
 * How an embed page obtains and keeps its instance token.
 *
 * - relay (framed by Chatwoot on another origin): post a hello with a fresh nonce to the exact
 *   parent origin; accept the dashboard script's whatpro:token only from that origin, from
 *   window.parent, with that nonce; ask again before the token expires.
 * - same-origin (the hub under a path of Chatwoot's domain): read cw_d_session_info and exchange
 *   it at /api/v1/auth/chatwoot directly, no relay.
 * - sign-in popup (no dashboard script answered): open the hub's login in a popup, which hands a
 *   token back with postMessage from the hub's own origin.
 *
 * Every token is checked with GET /api/v1/instance-tokens/validate before the page uses it, and
 * lives only in this closure: never in localStorage, sessionStorage or cookies. The session is the
 * auth provider of the page's ApiClient (the console's client, with credentials omitted), so the
 * console's API modules and stores work here unchanged: requests carry the current token, and a
 * TOKEN_EXPIRED answer asks for a new token (relay: a new hello; same-origin: the cookie again)
 * and retries once. The validation
 * also names the Chatwoot account linked to the token's hub account: that, not anything the
 * relay, the popup or the parent's URL says, is the account a Chatwoot appContext must name.
 */
import { reactive } from 'vue'
import { ApiError, type ApiClient, type AuthProvider, type QueryValue } from '@/api/client'
import { parseSessionCookie } from './cookie'
import {
  CLOSE,
  FETCH_INFO,
  NAVIGATE,
  chooseParentOrigin,
  embedLocale,
  helloMessage,
  newNonce,
  readThemeMessage,
  readTokenMessage,
  type Theme,
  type TokenGrant,
} from './handshake'

export type AuthState = 'pending' | 'ok' | 'denied'
export type SessionMode = 'relay' | 'same-origin' | 'standalone'
export type DenyReason = 'no-parent-origin' | 'timeout' | 'invalid-token' | 'expired' | 'no-session' | 'sign-in-failed'

export interface SessionState {
  auth: AuthState
  mode: SessionMode
  reason: DenyReason | null
  /** The hub account the token is for. */
  accountId: string | null
  /**
   * The Chatwoot account linked to the token's hub account, as the hub's validation answered
   * (null when the account has no Chatwoot link). Never taken from the relay or a URL.
   */
  chatwootAccountId: number | null
  scopes: string[]
  userId: string | null
  /**
   * Whether the token signs in a hub login (the Chatwoot identity was linked to one), as the
   * hub's validation answered; false offers to link, null until known.
   */
  identityLinked?: boolean | null
  theme: Theme
  locale: 'pt-BR' | 'en'
  showSignIn: boolean
  popupBlocked: boolean
  parentOrigin: string | null
}

export interface SessionEnv {
  win: Window
  /** The page's client; start() installs the session as its auth provider. */
  api: ApiClient
  /** Allowed parent origins, from <meta name="whatpro-frame-origins">. */
  frameOrigins: string[]
  /** ?account= of the page, when it names one. */
  requestedAccount: string | null
  /** The hub's login page in popup mode. */
  loginURL: string
  giveUpAfterMs?: number
  signInAfterMs?: number
  helloEveryMs?: number
  /** How long a request that met TOKEN_EXPIRED waits for a renewed token before giving up. */
  renewWaitMs?: number
  now?: () => number
}

interface ValidateAnswer {
  valid?: boolean
  account_id?: string
  /** The linked Chatwoot account, when the hub account has a link. */
  chatwoot_account_id?: number
  user_id?: string
  /** The token signs in a hub login rather than a Chatwoot identity only. */
  identity_linked?: boolean
  scopes?: string[]
  expires_at?: string
}

interface SSOAnswer {
  token?: string
  expires_at?: string
  account_id?: string
}

export type ParentListener = (event: MessageEvent) => void

export interface EmbedSession {
  readonly state: SessionState
  start(): void
  stop(): void
  /** An API call with the instance token; a 401 marks the session denied. */
  request<T>(method: string, path: string, opts?: { body?: unknown; query?: Record<string, QueryValue> }): Promise<T>
  /** Supplies the instance token to an ApiClient (start() installs it on env.api). */
  readonly authProvider: AuthProvider
  /** Asks for a new token now; resolves true once one is validated, false when none came in time. */
  renew(): Promise<boolean>
  /** Opens the hub's login in a popup (from a click). */
  openSignIn(): void
  /** Messages from window.parent on the allowed parent origin that are not part of the handshake. */
  onParentMessage(fn: ParentListener): () => void
  /** Asks Chatwoot to send the Dashboard App context again (to the exact parent origin). */
  askForAppContext(): void
  /**
   * Asks the dashboard script to open a conversation of the linked Chatwoot account in Chatwoot
   * (whatpro:navigate, to the exact parent origin); false when the page is not framed by it.
   */
  openConversation(conversationId: number): boolean
}

function isFramed(win: Window): boolean {
  try {
    return win.parent !== win
  } catch {
    return true
  }
}

function parentIsSameOrigin(win: Window): boolean {
  try {
    return win.parent !== win && win.parent.location.origin === win.location.origin
  } catch {
    return false
  }
}

/** The hub's chatwoot_account_id, when it is a positive integer. */
function linkedChatwootAccount(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null
}

function ancestorOrigins(win: Window): string[] | null {
  const list = (win.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins
  if (!list) return null
  const out: string[] = []
  for (let i = 0; i < list.length; i++) {
    const item = list.item(i)
    if (item) out.push(item)
  }
  return out
}

export function createEmbedSession(env: SessionEnv): EmbedSession {
  const { win, api } = env
  const now = env.now ?? (() => Date.now())
  const giveUpAfterMs = env.giveUpAfterMs ?? 5000
  const signInAfterMs = env.signInAfterMs ?? 4000
  const helloEveryMs = env.helloEveryMs ?? 1000
  const renewWaitMs = env.renewWaitMs ?? 10_000

  // The instance token: this closure is the only place it lives.
  let token: string | null = null
  let expiresAt = 0
  let nonce: string | null = null
  let popup: Window | null = null
  let validating = 0
  let timedOut = false
  let timers: ReturnType<typeof setTimeout>[] = []
  let renewTimer: ReturnType<typeof setTimeout> | undefined
  let expiryTimer: ReturnType<typeof setTimeout> | undefined
  let helloTimer: ReturnType<typeof setInterval> | undefined
  let parentThemeObserver: MutationObserver | null = null
  const parentListeners = new Set<ParentListener>()
  /** Calls waiting for the next validated token (renew()). */
  let tokenWaiters: ((ok: boolean) => void)[] = []

  function settleWaiters(ok: boolean): void {
    const waiting = tokenWaiters
    tokenWaiters = []
    waiting.forEach((fn) => fn(ok))
  }

  const mode: SessionMode = parentIsSameOrigin(win) ? 'same-origin' : isFramed(win) ? 'relay' : 'standalone'
  const state = reactive<SessionState>({
    auth: 'pending',
    mode,
    reason: null,
    accountId: null,
    chatwootAccountId: null,
    scopes: [],
    userId: null,
    identityLinked: null,
    theme: 'light',
    locale: embedLocale(win.navigator?.language),
    showSignIn: false,
    popupBlocked: false,
    parentOrigin: null,
  })

  function deny(reason: DenyReason): void {
    if (state.auth === 'ok' && reason !== 'expired' && reason !== 'invalid-token') return
    token = null
    state.auth = 'denied'
    state.reason = reason
    state.showSignIn = true
    stopHello()
    settleWaiters(false)
  }

  function stopHello(): void {
    if (helloTimer !== undefined) clearInterval(helloTimer)
    helloTimer = undefined
  }

  function postToParent(message: unknown): void {
    if (!state.parentOrigin) return
    try {
      win.parent.postMessage(message, state.parentOrigin)
    } catch {
      // the parent went away
    }
  }

  /** Posts a hello with a new nonce, repeated until a token arrives or the page gives up. */
  function sayHello(): void {
    if (!state.parentOrigin) return
    nonce = newNonce()
    stopHello()
    const message = helloMessage(nonce)
    postToParent(message)
    let sent = 1
    helloTimer = setInterval(() => {
      if (sent * helloEveryMs >= giveUpAfterMs) {
        stopHello()
        return
      }
      sent++
      postToParent(message)
    }, helloEveryMs)
  }

  async function accept(grant: TokenGrant): Promise<void> {
    if (env.requestedAccount !== null && grant.accountId !== env.requestedAccount) return
    validating++
    let answer: ValidateAnswer
    try {
      // The token being checked is not the session's yet: it is sent explicitly, not by the provider.
      answer = await api.get<ValidateAnswer>('api/v1/instance-tokens/validate', {
        auth: false,
        headers: { Authorization: `Bearer ${grant.token}` },
      })
    } catch (err) {
      validating--
      if (err instanceof ApiError && err.status === 401 && state.auth !== 'ok' && timedOut) deny('invalid-token')
      return
    }
    validating--
    if (answer?.valid !== true || answer.account_id !== grant.accountId) return
    token = grant.token
    const validatedExpiry = Date.parse(answer.expires_at ?? '')
    expiresAt = Number.isFinite(validatedExpiry) ? Math.min(validatedExpiry, grant.expiresAt) : grant.expiresAt
    state.accountId = grant.accountId
    state.chatwootAccountId = linkedChatwootAccount(answer.chatwoot_account_id)
    state.scopes = Array.isArray(answer.scopes) ? answer.scopes.filter((s): s is string => typeof s === 'string') : []
    state.userId = typeof answer.user_id === 'string' ? answer.user_id : null
    state.identityLinked = typeof answer.identity_linked === 'boolean' ? answer.identity_linked : null
    if (grant.theme) state.theme = grant.theme
    if (grant.locale) state.locale = embedLocale(grant.locale)
    state.auth = 'ok'
    state.reason = null
    state.showSignIn = false
    nonce = null // each nonce buys one token
    stopHello()
    scheduleRenewal()
    settleWaiters(true)
  }

  function scheduleRenewal(): void {
    clearTimeout(renewTimer)
    clearTimeout(expiryTimer)
    const left = expiresAt - now()
    const held = token
    expiryTimer = setTimeout(() => {
      if (token === held) deny('expired')
    }, Math.max(0, left))
    if (state.mode === 'standalone' || popup) return // a popup token cannot be renewed without the user
    renewTimer = setTimeout(() => {
      if (state.mode === 'same-origin') void signInFromCookie()
      else sayHello()
    }, Math.max(5000, left - 60_000))
  }

  /** The Chatwoot account in the parent's URL: only what same-origin sign-in asks the hub for. */
  function parentAccount(): number | null {
    try {
      const m = /^\/app\/accounts\/(\d+)(?:\/|$)/.exec(win.parent.location.pathname)
      const id = m ? Number(m[1]) : NaN
      return Number.isSafeInteger(id) && id > 0 ? id : null
    } catch {
      return null
    }
  }

  function parentTheme(): Theme {
    try {
      return win.parent.document.body.classList.contains('dark') ? 'dark' : 'light'
    } catch {
      return 'light'
    }
  }

  function parentLocale(): string | null {
    try {
      const cfg = (win.parent as Window & { chatwootConfig?: { selectedLocale?: unknown } }).chatwootConfig
      return typeof cfg?.selectedLocale === 'string' ? cfg.selectedLocale : null
    } catch {
      return null
    }
  }

  /** Same-origin mode: exchange Chatwoot's session cookie directly. */
  async function signInFromCookie(): Promise<void> {
    const chatwootAccount = parentAccount()
    const session = parseSessionCookie(win.document.cookie, now())
    if (chatwootAccount === null || session === null) {
      if (state.auth !== 'ok') deny('no-session')
      return
    }
    let res: SSOAnswer
    try {
      res = await api.post<SSOAnswer>(
        'api/v1/auth/chatwoot',
        { access_token: session.accessToken, client: session.client, uid: session.uid, chatwoot_account_id: chatwootAccount },
        { auth: false },
      )
    } catch {
      if (state.auth !== 'ok') deny('sign-in-failed')
      return
    }
    const grant = readTokenMessage(
      { type: 'whatpro:token', token: res.token, expires_at: res.expires_at, account_id: res.account_id, theme: parentTheme(), locale: parentLocale() },
      null,
    )
    if (!grant) {
      if (state.auth !== 'ok') deny('sign-in-failed')
      return
    }
    await accept(grant)
    if (state.auth !== 'ok') deny('sign-in-failed')
  }

  function onMessage(event: MessageEvent): void {
    // The sign-in popup: a page of the hub itself, in the window this page opened.
    if (popup && event.source === popup && event.origin === win.location.origin) {
      const grant = readTokenMessage(event.data, null)
      if (grant) {
        void accept(grant).then(() => {
          if (state.auth === 'ok') {
            try {
              popup?.close()
            } catch {
              // already closed
            }
            popup = null
          }
        })
      }
      return
    }
    if (!isFramed(win) || event.source !== win.parent) return
    if (!state.parentOrigin || event.origin !== state.parentOrigin) return
    if (nonce !== null) {
      const grant = readTokenMessage(event.data, nonce)
      if (grant) {
        void accept(grant)
        return
      }
    }
    const theme = readThemeMessage(event.data)
    if (theme) {
      state.theme = theme
      return
    }
    for (const fn of parentListeners) fn(event)
  }

  function onKeydown(event: KeyboardEvent): void {
    if ((event.key === 'Escape' || event.key === 'Esc') && state.mode === 'relay') postToParent({ type: CLOSE })
  }

  function later(fn: () => void, ms: number): void {
    timers.push(setTimeout(fn, ms))
  }

  /** Asks for a new token the way this mode can, and waits for it (or gives up). */
  function renew(): Promise<boolean> {
    if (state.mode === 'standalone' || popup) return Promise.resolve(false)
    const waiting = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        tokenWaiters = tokenWaiters.filter((fn) => fn !== done)
        resolve(false)
      }, renewWaitMs)
      const done = (ok: boolean) => {
        clearTimeout(timer)
        resolve(ok)
      }
      tokenWaiters.push(done)
    })
    if (state.mode === 'same-origin') void signInFromCookie()
    else sayHello()
    return waiting
  }

  const authProvider: AuthProvider = {
    getToken: () => token,
    async onUnauthorized(error, context) {
      if (context.retried) {
        if (context.token !== null && context.token === token) deny('invalid-token')
        return false
      }
      // Renewed while the request was out: retry with the new token.
      if (token !== null && context.token !== token) return true
      if (error.code === 'TOKEN_EXPIRED' && context.token !== null && (await renew())) return true
      if (context.token !== null) deny('invalid-token')
      return false
    },
  }

  return {
    state,
    authProvider,
    renew,

    start() {
      api.setAuthProvider(authProvider)
      win.addEventListener('message', onMessage)
      win.addEventListener('keydown', onKeydown)
      later(() => {
        if (state.auth !== 'ok') state.showSignIn = true
      }, signInAfterMs)
      later(() => {
        timedOut = true
        if (state.auth === 'pending' && validating === 0) deny('timeout')
      }, giveUpAfterMs)
      if (mode === 'same-origin') {
        state.parentOrigin = win.location.origin
        state.theme = parentTheme()
        try {
          const body = win.parent.document.body
          parentThemeObserver = new MutationObserver(() => {
            state.theme = parentTheme()
          })
          parentThemeObserver.observe(body, { attributes: true, attributeFilter: ['class'] })
        } catch {
          parentThemeObserver = null
        }
        void signInFromCookie()
        return
      }
      if (mode === 'standalone') {
        state.showSignIn = true
        return
      }
      state.parentOrigin = chooseParentOrigin(env.frameOrigins, win.document.referrer, ancestorOrigins(win))
      if (!state.parentOrigin) {
        deny('no-parent-origin')
        return
      }
      sayHello()
    },

    stop() {
      win.removeEventListener('message', onMessage)
      win.removeEventListener('keydown', onKeydown)
      timers.forEach(clearTimeout)
      timers = []
      clearTimeout(renewTimer)
      clearTimeout(expiryTimer)
      stopHello()
      parentThemeObserver?.disconnect()
      token = null
      settleWaiters(false)
      api.setAuthProvider(null)
    },

    request<T>(method: string, path: string, opts: { body?: unknown; query?: Record<string, QueryValue> } = {}): Promise<T> {
      if (!token) return Promise.reject(new ApiError({ status: 401, code: 'NO_TOKEN', message: 'Not signed in.' }))
      return api.request<T>(path, { method, body: opts.body, query: opts.query })
    },

    openSignIn() {
      // The popup speaks the language of the Chatwoot page that opened it (one of the hub's locales).
      const sep = env.loginURL.includes('?') ? '&' : '?'
      const url = `${env.loginURL}${sep}locale=${encodeURIComponent(state.locale)}`
      const opened = win.open(url, 'whatpro-sign-in', 'popup,width=480,height=640')
      state.popupBlocked = !opened
      if (opened) popup = opened
    },

    onParentMessage(fn) {
      parentListeners.add(fn)
      return () => parentListeners.delete(fn)
    },

    askForAppContext() {
      postToParent(FETCH_INFO)
    },

    openConversation(conversationId) {
      if (state.mode === 'standalone' || !state.parentOrigin || !Number.isSafeInteger(conversationId) || conversationId <= 0) return false
      postToParent({ type: NAVIGATE, conversation_id: conversationId })
      return true
    },
  }
}
