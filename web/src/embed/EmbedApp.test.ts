import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { reactive, shallowReactive } from 'vue'
import type { AppContextState } from './appContext'
import EmbedApp from './EmbedApp.vue'
import { createEmbedI18n } from './i18n'
import { AppContextKey, SessionKey } from './keys'
import type { EmbedSession, SessionState } from './session'

const mounted: { unmount(): void }[] = []
afterEach(() => {
  mounted.splice(0).forEach((w) => w.unmount())
})

function open(identityLinked: boolean | null) {
  const state = reactive<SessionState>({
    auth: 'ok',
    mode: 'relay',
    reason: null,
    accountId: 'acct_1',
    chatwootAccountId: 7,
    scopes: [],
    userId: 'user_1',
    identityLinked,
    theme: 'light',
    locale: 'en',
    showSignIn: false,
    popupBlocked: false,
    parentOrigin: 'https://chat.example.com',
  })
  const session = {
    state,
    start: () => {},
    stop: () => {},
    request: vi.fn(() => Promise.resolve({ account_id: 'acct_1', features: { gateway: true } })),
    openSignIn: () => {},
    onParentMessage: () => () => {},
    askForAppContext: vi.fn(),
  } as unknown as EmbedSession
  const wrapper = mount(EmbedApp, {
    props: { route: { kind: 'conversation' } },
    global: {
      plugins: [createEmbedI18n('en')],
      provide: { [SessionKey as symbol]: session, [AppContextKey as symbol]: shallowReactive<AppContextState>({ latest: null, received: 0 }) },
    },
  })
  mounted.push(wrapper)
  return wrapper
}

describe('the offer to link a hub login', () => {
  it('shows while the Chatwoot identity has no hub login, as the hub answers', async () => {
    const w = open(false)
    await flushPromises()
    expect(w.find('[data-testid="embed-link-identity"]').exists()).toBe(true)
  })

  it('is gone once the hub says the identity is linked, and while it is unknown', async () => {
    for (const linked of [true, null]) {
      const w = open(linked)
      await flushPromises()
      expect(w.find('[data-testid="embed-link-identity"]').exists()).toBe(false)
    }
  })
})
