import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CreatedApiKey } from '@/api/apiKeys'
import { routeFetch } from '@/testing/fakeFetch'
import { setupPlugins } from '@/testing/mountApp'
import ApiKeySecretDialog from './ApiKeySecretDialog.vue'

const KEY: CreatedApiKey = {
  id: 'k1',
  key: 'wp_live_abc123.s3cr3t-value',
  prefix: 'abc123',
  name: 'CRM sync',
  scopes: ['users:read'],
  expires_at: null,
}

function mountDialog() {
  const { plugins } = setupPlugins(routeFetch({}).fetch, 'en')
  return mount(ApiKeySecretDialog, { props: { apiKey: KEY }, global: { plugins }, attachTo: document.body })
}

describe('ApiKeySecretDialog', () => {
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('shows the secret once with a warning that it will not be shown again', () => {
    const wrapper = mountDialog()
    expect((wrapper.get('[data-testid="api-key-secret"]').element as HTMLInputElement).value).toBe(KEY.key)
    expect(wrapper.get('[data-testid="api-key-secret"]').attributes('readonly')).toBeDefined()
    expect(wrapper.get('[data-testid="api-key-secret-warning"]').text()).toContain('will not be shown again')
    expect(wrapper.get('[role="dialog"]').attributes('aria-modal')).toBe('true')
    wrapper.unmount()
  })

  it('copies the secret to the clipboard', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined)
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const wrapper = mountDialog()
    await wrapper.get('[data-testid="api-key-copy"]').trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith(KEY.key)
    expect(wrapper.get('[data-testid="api-key-copy"]').text()).toBe('Copied')
    wrapper.unmount()
  })

  it('selects the secret for a manual copy when the clipboard is refused', async () => {
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText: vi.fn().mockRejectedValue(new DOMException('no', 'NotAllowedError')) } })
    const wrapper = mountDialog()
    const input = wrapper.get('[data-testid="api-key-secret"]').element as HTMLInputElement
    const select = vi.spyOn(input, 'select')
    await wrapper.get('[data-testid="api-key-copy"]').trigger('click')
    await flushPromises()
    expect(select).toHaveBeenCalled()
    expect(wrapper.text()).toContain('press Ctrl+C')
    wrapper.unmount()
  })

  it('closes only on the explicit button, not on Escape', async () => {
    const wrapper = mountDialog()
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    expect(wrapper.emitted('close')).toBeUndefined()
    await wrapper.get('[data-testid="api-key-secret-close"]').trigger('click')
    expect(wrapper.emitted('close')).toHaveLength(1)
    wrapper.unmount()
  })
})
