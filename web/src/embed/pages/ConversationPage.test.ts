import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { reactive, shallowReactive } from 'vue'
import { ApiError } from '@/api/client'
import type { AppContextState } from '../appContext'
import { parseAppContext } from '../handshake'
import { createEmbedI18n } from '../i18n'
import { AppContextKey, SessionKey } from '../keys'
import type { EmbedSession, SessionState } from '../session'
import ConversationPage from './ConversationPage.vue'

/** A signed-in session whose requests go to `answer` (per path), and Chatwoot's context. */
function setup(opts: { linked?: number | null; answer?: (path: string) => Promise<unknown> } = {}) {
  const state = reactive<SessionState>({
    auth: 'ok',
    mode: 'relay',
    reason: null,
    accountId: 'acct_1',
    chatwootAccountId: opts.linked === undefined ? 7 : opts.linked,
    scopes: ['inboxes:read'],
    userId: 'user_1',
    theme: 'light',
    locale: 'en',
    showSignIn: false,
    popupBlocked: false,
    parentOrigin: 'https://chat.example.com',
  })
  const request = vi.fn((_method: string, path: string) => (opts.answer ?? (() => Promise.resolve(hubAnswer())))(path))
  const session = {
    state,
    start: () => {},
    stop: () => {},
    request,
    openSignIn: () => {},
    onParentMessage: () => () => {},
    askForAppContext: vi.fn(),
  } as unknown as EmbedSession
  const context = shallowReactive<AppContextState>({ latest: null, received: 0 })
  const wrapper = mount(ConversationPage, {
    global: { plugins: [createEmbedI18n('en')], provide: { [SessionKey as symbol]: session, [AppContextKey as symbol]: context } },
  })
  mounted.push(wrapper)
  const post = async (conversation: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    context.latest = parseAppContext(
      JSON.stringify({ event: 'appContext', data: { conversation, contact: { id: 5, name: 'Name from Chatwoot' }, currentAgent: { id: 3 }, ...extra } }),
    )
    context.received++
    await flushPromises()
  }
  return { wrapper, session, state, request, post }
}

const mounted: { unmount(): void }[] = []
afterEach(() => {
  mounted.splice(0).forEach((w) => w.unmount())
})

function hubAnswer(extra: Record<string, unknown> = {}) {
  return {
    account_id: 'acct_1',
    chatwoot_account_id: 7,
    conversation_id: 42,
    inbox_id: 3,
    status: 'open',
    contact: { id: 5, name: 'Maria Cliente', phone_number: '+5511999990000' },
    inbox: { inbox_name: 'WhatsApp Vendas', number: { id: 'num_1', name: 'vendas', display_name: '', phone_number: '', profile_name: '', status: 'connected', disconnect_reason: '' } },
    ...extra,
  }
}

const tid = (id: string) => `[data-testid="${id}"]`

describe('the conversation tab', () => {
  it('waits for Chatwoot and asks it for the context', async () => {
    const { wrapper, session, request } = setup()
    await flushPromises()
    expect(wrapper.get(tid('conversation-tab')).attributes('data-state')).toBe('waiting')
    expect(wrapper.find(tid('conversation-waiting')).exists()).toBe(true)
    expect(session.askForAppContext).toHaveBeenCalledTimes(1)
    expect(request).not.toHaveBeenCalled()
  })

  it("asks the hub for the conversation and shows the hub's answer, never appContext's names", async () => {
    const { wrapper, request, post } = setup()
    await post({ id: 42, account_id: 7, inbox_id: 99, meta: { sender: { id: 5, name: 'Sender from Chatwoot' } } })
    expect(request).toHaveBeenCalledTimes(1)
    expect(request).toHaveBeenCalledWith('GET', 'api/v1/accounts/acct_1/chatwoot/conversations/42')
    expect(wrapper.get(tid('conversation-tab')).attributes('data-state')).toBe('ok')
    expect(wrapper.get(tid('conversation-contact-name')).text()).toBe('Maria Cliente')
    expect(wrapper.get(tid('conversation-contact-phone')).text()).toBe('+5511999990000')
    expect(wrapper.get(tid('conversation-status')).text()).toBe('Open')
    expect(wrapper.get(tid('conversation-status')).attributes('data-status')).toBe('open')
    expect(wrapper.get(tid('conversation-id')).text()).toBe('42')
    expect(wrapper.get(tid('conversation-inbox')).attributes('data-inbox-id')).toBe('3') // the hub's, not appContext's 99
    expect(wrapper.get(tid('conversation-inbox')).text()).toBe('WhatsApp Vendas')
    expect(wrapper.get(tid('conversation-number')).attributes('data-number-id')).toBe('num_1')
    expect(wrapper.get(tid('conversation-number')).text()).toContain('vendas')
    expect(wrapper.text()).not.toContain('from Chatwoot')
  })

  it('shows a clear state when the hub does not let this user see the conversation (404)', async () => {
    const { wrapper, post } = setup({ answer: () => Promise.reject(new ApiError({ status: 404, code: 'NOT_FOUND', message: 'not found' })) })
    await post({ id: 43, account_id: 7, inbox_id: 4 })
    expect(wrapper.get(tid('conversation-tab')).attributes('data-state')).toBe('not-visible')
    expect(wrapper.find(tid('conversation-not-visible')).exists()).toBe(true)
    expect(wrapper.find(tid('conversation-view')).exists()).toBe(false)
    expect(wrapper.text()).not.toContain('from Chatwoot')
    expect(wrapper.text()).not.toContain('43')
  })

  it("refuses a context for another Chatwoot account without calling the hub, and drops what it showed", async () => {
    const { wrapper, request, post } = setup()
    await post({ id: 42, account_id: 7 })
    expect(wrapper.get(tid('conversation-contact-name')).text()).toBe('Maria Cliente')
    request.mockClear()

    await post({ id: 777, account_id: 2, inbox_id: 9 })
    expect(request).not.toHaveBeenCalled()
    expect(wrapper.get(tid('conversation-tab')).attributes('data-state')).toBe('refused')
    expect(wrapper.find(tid('conversation-refused')).exists()).toBe(true)
    expect(wrapper.find(tid('conversation-id')).exists()).toBe(false)
    expect(wrapper.text()).not.toMatch(/777|Maria Cliente|from Chatwoot/)
  })

  it('shows nothing when the hub names no linked Chatwoot account', async () => {
    const { wrapper, request, post } = setup({ linked: null })
    await post({ id: 42, account_id: 7 })
    expect(request).not.toHaveBeenCalled()
    expect(wrapper.get(tid('conversation-tab')).attributes('data-state')).toBe('unverified')
  })

  it('shows nothing of an answer about another conversation or account', async () => {
    for (const extra of [{ conversation_id: 41 }, { chatwoot_account_id: 8 }, { account_id: 'acct_2' }, { inbox_id: null }]) {
      const { wrapper, post } = setup({ answer: () => Promise.resolve(hubAnswer(extra)) })
      await post({ id: 42, account_id: 7 })
      expect(wrapper.get(tid('conversation-tab')).attributes('data-state')).toBe('error')
      expect(wrapper.text()).not.toContain('Maria Cliente')
    }
  })

  it('says when the hub fails', async () => {
    const { wrapper, post } = setup({ answer: () => Promise.reject(new ApiError({ status: 502, code: 'UPSTREAM_ERROR', message: 'Chatwoot did not answer' })) })
    await post({ id: 42, account_id: 7 })
    expect(wrapper.get(tid('conversation-error')).text()).toContain('Chatwoot did not answer')
  })

  it('follows the conversation Chatwoot opens and drops a late answer for the previous one', async () => {
    const pending = new Map<string, (v: unknown) => void>()
    const { wrapper, post } = setup({ answer: (path) => new Promise((resolve) => pending.set(path, resolve)) })
    await post({ id: 42, account_id: 7 })
    expect(wrapper.find(tid('conversation-loading')).exists()).toBe(true)
    await post({ id: 50, account_id: 7 })
    pending.get('api/v1/accounts/acct_1/chatwoot/conversations/50')?.(
      hubAnswer({ conversation_id: 50, contact: { id: 6, name: 'João Novo', phone_number: '' } }),
    )
    await flushPromises()
    pending.get('api/v1/accounts/acct_1/chatwoot/conversations/42')?.(hubAnswer())
    await flushPromises()
    expect(wrapper.get(tid('conversation-id')).text()).toBe('50')
    expect(wrapper.get(tid('conversation-contact-name')).text()).toBe('João Novo')
    expect(wrapper.get(tid('conversation-contact-phone')).text()).toBe('—')
  })

  it("follows Chatwoot's theme from the context", async () => {
    const { state, post } = setup()
    await post({ id: 42, account_id: 7 }, { theme: 'dark' })
    expect(state.theme).toBe('dark')
  })
})
