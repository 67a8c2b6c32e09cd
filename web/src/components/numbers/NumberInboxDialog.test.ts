import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { Inbox } from '@/api/inboxes'
import type { WhatsAppNumber } from '@/api/numbers'
import { useNumbersStore } from '@/stores/numbers'
import type { Locale } from '@/stores/ui'
import { json } from '@/testing/fakeFetch'
import { envelope, fakeHub } from '@/testing/fakeHub'
import { setupPlugins } from '@/testing/mountApp'
import NumberInboxDialog from './NumberInboxDialog.vue'

const suporte: WhatsAppNumber = {
  id: 'n2', account_id: 'A', provider_id: 'p1', name: 'suporte', phone_number_id: '', phone_number: '', display_name: '',
  profile_name: '', status: 'connected', disconnect_reason: '', qr_pending: false, inbox_id: null, inbox_state: '', last_error: '',
  status_changed_at: '2026-03-01T00:00:00Z', created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z',
}

// Synced from Chatwoot, free as far as this page knows: another tab gave it to "vendas" meanwhile.
const vendasInbox: Inbox = {
  id: 'ib9', chatwoot_inbox_id: 9, name: 'WhatsApp Vendas', channel_type: 'Channel::Api', webhook_url: '', avatar_url: '', managed: false,
  state: 'active', provider_instance_id: null, first_seen_at: '2026-03-01T00:00:00Z', last_seen_at: '2026-03-01T00:00:00Z', removed_at: null,
}

const mounted: { unmount(): void }[] = []
afterEach(() => {
  mounted.splice(0).forEach((w) => w.unmount())
})

/** The dialog for "suporte", adopting Chatwoot inbox 9, which the hub answers is taken (as internal/provider does). */
async function adoptTaken(locale: Locale) {
  const hub = fakeHub({
    'GET /api/v1/accounts/A/provider-instances': () => json({ data: [suporte], pagination: { has_more: false } }),
    'POST /api/v1/accounts/A/provider-instances/n2/inbox': () =>
      envelope(409, 'CONFLICT', 'another number already serves that Chatwoot inbox', {
        details: [{ field: 'adopt_chatwoot_inbox_id', code: 'taken', message: 'is served by another number', params: { chatwoot_inbox_id: 9, number: 'vendas' } }],
      }),
  })
  const { plugins } = setupPlugins(hub.fetch, locale)
  await useNumbersStore().load('A')
  const wrapper = mount(NumberInboxDialog, { props: { number: suporte, inboxes: [vendasInbox] }, global: { plugins }, attachTo: document.body })
  mounted.push(wrapper)
  await wrapper.get('[data-testid="number-inbox-adopt"]').setValue('9')
  await wrapper.get('#number-inbox-form').trigger('submit')
  await flushPromises()
  return { wrapper, hub }
}

describe('adopting an inbox another number serves', () => {
  it('shows the translated field error (pt-BR), not the server’s English, and stays open', async () => {
    const { wrapper, hub } = await adoptTaken('pt-BR')
    expect(hub.calls('POST /api/v1/accounts/A/provider-instances/n2/inbox')[0]?.body).toEqual({ adopt_chatwoot_inbox_id: 9 })
    const error = wrapper.get('#number-inbox-adopt-error')
    expect(error.text()).toBe('A caixa de entrada 9 do Chatwoot já está em uso por outro número desta conta. Escolha outra caixa ou crie uma nova.')
    expect(wrapper.text()).not.toContain('served by another number')
    expect(wrapper.emitted('close')).toBeUndefined()
  })

  it('in English too', async () => {
    const { wrapper } = await adoptTaken('en')
    expect(wrapper.get('#number-inbox-adopt-error').text()).toBe(
      'Chatwoot inbox 9 is already in use by another number of this account. Choose another inbox, or create a new one.',
    )
  })
})
