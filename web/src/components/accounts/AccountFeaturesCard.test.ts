import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { json, routeFetch } from '@/testing/fakeFetch'
import { setupPlugins } from '@/testing/mountApp'
import AccountFeaturesCard from './AccountFeaturesCard.vue'

describe('AccountFeaturesCard', () => {
  it('says why the flags could not be read and reads them again on retry', async () => {
    let calls = 0
    const { fetch } = routeFetch({
      '/api/v1/features?account_id=acc-1': () => {
        calls++
        return calls === 1
          ? json({ error: { code: 'INTERNAL', message: 'the database is down' } }, 500)
          : json({ account_id: 'acc-1', features: { kanban: true, internal_chat: false } })
      },
    })
    const { plugins } = setupPlugins(fetch, 'en')
    const w = mount(AccountFeaturesCard, { props: { accountId: 'acc-1' }, global: { plugins } })
    await flushPromises()
    expect(w.get('[data-testid="error-state"]').text()).toContain('the database is down')
    expect(w.find('[data-testid="account-feature-kanban"]').exists()).toBe(false)
    await w.get('[data-testid="error-retry"]').trigger('click')
    await flushPromises()
    expect(calls).toBe(2)
    expect(w.find('[data-testid="error-state"]').exists()).toBe(false)
    expect((w.get('[data-testid="account-feature-kanban"]').element as HTMLInputElement).checked).toBe(true)
    expect((w.get('[data-testid="account-feature-internal_chat"]').element as HTMLInputElement).checked).toBe(false)
  })
})
