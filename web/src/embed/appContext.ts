/**
 * Keeps the latest Chatwoot Dashboard App context (appContext) that reached the page through the
 * session's checks (window.parent, on the allowed parent origin). It subscribes as soon as the
 * page starts, because Chatwoot posts the context on the iframe's load event, which can come
 * before the page has its token.
 */
import { shallowReactive } from 'vue'
import { parseAppContext, type AppContextHint } from './handshake'
import type { EmbedSession } from './session'

export interface AppContextState {
  latest: AppContextHint | null
  received: number
}

export function watchAppContext(session: EmbedSession): AppContextState {
  const state = shallowReactive<AppContextState>({ latest: null, received: 0 })
  session.onParentMessage((event) => {
    const hint = parseAppContext(event.data)
    if (!hint) return
    state.latest = hint
    state.received++
  })
  return state
}
