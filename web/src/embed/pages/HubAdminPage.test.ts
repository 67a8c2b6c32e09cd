import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { reactive } from 'vue'
import { api } from '@/api/client'
import { json } from '@/testing/fakeFetch'
import { fakeHub } from '@/testing/fakeHub'
import { createEmbedI18n } from '../i18n'
import { SessionKey } from '../keys'
import { embedRoute } from '../route'
import type { EmbedSession, SessionState } from '../session'
import HubAdminPage from './HubAdminPage.vue'

const mounted: { unmount(): void }[] = []
afterEach(() => {
  mounted.splice(0).forEach((w) => w.unmount())
})

const tid = (id: string) => `[data-testid="${id}"]`

/** The panel as an admin of acct_1 opened it, with the gateway feature on or off. */
function open(gateway: boolean) {
  const state = reactive<SessionState>({
    auth: 'ok',
    mode: 'relay',
    reason: null,
    accountId: 'acct_1',
    chatwootAccountId: 7,
    scopes: ['providers:read'],
    userId: 'user_1',
    identityLinked: true,
    theme: 'light',
    locale: 'en',
    showSignIn: false,
    popupBlocked: false,
    parentOrigin: 'https://chat.example.com',
  })
  const request = vi.fn((_method: string, path: string) =>
    Promise.resolve(path === 'api/v1/features' ? { account_id: 'acct_1', features: { gateway } } : { linked: false }),
  )
  const session = { state, request } as unknown as EmbedSession
  const hub = fakeHub({
    'GET /api/v1/accounts/acct_1/provider-instances': () =>
      json({
        data: [{ id: 'n1', name: 'vendas', display_name: '', phone_number: '+5511987654321', profile_name: 'Acme', status: 'connected', disconnect_reason: '', inbox_id: null }],
        pagination: { has_more: false },
      }),
  })
  api.configure({ base: '/', fetch: hub.fetch })
  const route = embedRoute('/embed/app/gateway', '/')
  const wrapper = mount(HubAdminPage, {
    props: route.kind === 'hub_admin' ? { section: route.section } : {},
    attachTo: document.body,
    global: { plugins: [createPinia(), createEmbedI18n('en')], provide: { [SessionKey as symbol]: session } },
  })
  mounted.push(wrapper)
  return { wrapper, hub }
}

describe('the Hub admin panel opened as the gateway page', () => {
  it('opens at the numbers, with their state', async () => {
    // jsdom has no scrolling: the panel's call is recorded instead.
    const scroll = vi.fn()
    const had = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollIntoView')
    Object.defineProperty(Element.prototype, 'scrollIntoView', { configurable: true, value: scroll })
    try {
      const { wrapper } = open(true)
      await flushPromises()
      await vi.waitFor(() => expect(wrapper.findAll(tid('hub-admin-number'))).toHaveLength(1))
      const section = wrapper.get(tid('hub-admin-numbers-section'))
      expect(section.attributes('data-focused')).toBe('true')
      expect(scroll).toHaveBeenCalled()
      expect(scroll.mock.contexts[0]).toBe(section.element)
      expect(wrapper.get(tid('hub-admin-number')).attributes('data-status')).toBe('connected')
    } finally {
      if (had) Object.defineProperty(Element.prototype, 'scrollIntoView', had)
      else delete (Element.prototype as { scrollIntoView?: unknown }).scrollIntoView
    }
  })

  it('says the gateway is off, and asks for no number, when its feature is off', async () => {
    const { wrapper, hub } = open(false)
    await flushPromises()
    expect(wrapper.get(tid('hub-admin-gateway-off')).text()).toBe('The WhatsApp gateway is not enabled for this account. Ask your WhatPro administrator.')
    expect(wrapper.find(tid('hub-admin-numbers-section')).exists()).toBe(false)
    expect(hub.calls('GET /api/v1/accounts/acct_1/provider-instances')).toHaveLength(0)
  })
})
