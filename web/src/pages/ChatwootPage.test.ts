import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatwootLink } from '@/api/chatwoot'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, user, type HubRoutes } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

const TOKEN = 'cw-admin-token-8c1f'
const SCRIPT = 'https://hub.example.com/embed/dashboard-script.js'
let unmount: (() => void) | undefined

const unlinked: ChatwootLink = {
  linked: false,
  allowed_origins: [],
  webhook_secret_set: false,
  url_token_enabled: false,
  webhook_installed: false,
  dashboard_app_installed: false,
  dashboard_script_url: SCRIPT,
}

function linked(overrides: Partial<ChatwootLink> = {}): ChatwootLink {
  return {
    linked: true,
    id: 'l1',
    base_url: 'https://chat.example.com',
    chatwoot_account_id: 1,
    allowed_origins: ['https://chat.example.com'],
    status: 'ok',
    last_error: '',
    chatwoot_version: '4.12.0',
    webhook_url: 'https://hub.example.com/webhooks/chatwoot/l1',
    webhook_secret_set: false,
    url_token_enabled: false,
    webhook_installed: false,
    dashboard_app_installed: false,
    dashboard_script_url: SCRIPT,
    last_checked_at: '2026-03-01T10:00:00Z',
    ...overrides,
  }
}

async function openChatwoot(initial: ChatwootLink, extra: HubRoutes = {}) {
  let link = initial
  const mounted = await mountApp('/accounts/A/chatwoot', {
    ...sessionRoutes(me(user(), [membership('A', 'admin')])),
    'GET /api/v1/accounts/A/chatwoot': () => json(link),
    'PUT /api/v1/accounts/A/chatwoot': (req) => {
      const body = req.body as { base_url: string; chatwoot_account_id: number }
      link = linked({ base_url: body.base_url, chatwoot_account_id: body.chatwoot_account_id, allowed_origins: [body.base_url] })
      return json(link)
    },
    'POST /api/v1/accounts/A/chatwoot/test': () => json((link = { ...link, status: 'needs_attention', last_error: 'Chatwoot refused the token (401)' })),
    'POST /api/v1/accounts/A/chatwoot/install': () => json((link = { ...link, webhook_installed: true, dashboard_app_installed: true })),
    'PUT /api/v1/accounts/A/chatwoot/webhook-secret': () => json((link = { ...link, webhook_secret_set: true })),
    'DELETE /api/v1/accounts/A/chatwoot': () => json({ linked: false, removed_in_chatwoot: { webhook: 'removed', dashboard_app: 'failed: Chatwoot answered 500' } }),
    ...extra,
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('ChatwootPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('links the account, sending the token once and never showing it', async () => {
    const { wrapper, hub } = await openChatwoot(unlinked)
    expect(wrapper.get('[data-testid="chatwoot-page"]').attributes('data-linked')).toBe('false')
    expect(wrapper.get('[data-testid="chatwoot-token"]').attributes('type')).toBe('password')
    await wrapper.get('[data-testid="chatwoot-base-url"]').setValue('https://chat.example.com')
    await wrapper.get('[data-testid="chatwoot-account-id"]').setValue('1')
    await wrapper.get('[data-testid="chatwoot-token"]').setValue(TOKEN)
    await wrapper.get('[data-testid="chatwoot-extra-origins"]').setValue('https://chat2.example.com\n')
    await wrapper.get('[data-testid="chatwoot-form"]').trigger('submit')
    await flushPromises()

    expect(hub.calls('PUT /api/v1/accounts/A/chatwoot')[0]?.body).toEqual({
      base_url: 'https://chat.example.com',
      chatwoot_account_id: 1,
      api_access_token: TOKEN,
      extra_origins: ['https://chat2.example.com'],
    })
    expect(wrapper.get('[data-testid="chatwoot-page"]').attributes('data-linked')).toBe('true')
    expect(wrapper.get('[data-testid="chatwoot-status"]').attributes('data-status')).toBe('ok')
    expect((wrapper.get('[data-testid="chatwoot-token"]').element as HTMLInputElement).value).toBe('')
    expect(document.body.innerHTML).not.toContain(TOKEN)
  })

  it('shows the webhook URL and the DASHBOARD_SCRIPTS snippet to copy', async () => {
    const { wrapper } = await openChatwoot(linked())
    expect((wrapper.get('[data-testid="chatwoot-webhook-url"]').element as HTMLInputElement).value).toBe('https://hub.example.com/webhooks/chatwoot/l1')
    expect((wrapper.get('[data-testid="chatwoot-dashboard-snippet"]').element as HTMLTextAreaElement).value).toBe(`<script src="${SCRIPT}"></script>`)
    expect(wrapper.find('[data-testid="chatwoot-webhook-url-copy"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="chatwoot-dashboard-snippet-copy"]').exists()).toBe(true)
  })

  it('installs the webhook and Dashboard App in one click, and stores a pasted secret', async () => {
    const { wrapper, hub } = await openChatwoot(linked())
    expect(wrapper.get('[data-testid="chatwoot-webhook-installed"]').attributes('data-installed')).toBe('false')
    await wrapper.get('[data-testid="chatwoot-install"]').trigger('click')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/chatwoot/install')).toHaveLength(1)
    expect(wrapper.get('[data-testid="chatwoot-webhook-installed"]').attributes('data-installed')).toBe('true')
    expect(wrapper.get('[data-testid="chatwoot-dashboard-app-installed"]').attributes('data-installed')).toBe('true')

    await wrapper.get('[data-testid="chatwoot-webhook-secret"]').setValue('whsec-0123456789')
    await wrapper.get('[data-testid="chatwoot-webhook-secret-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('PUT /api/v1/accounts/A/chatwoot/webhook-secret')[0]?.body).toEqual({ secret: 'whsec-0123456789' })
    expect(wrapper.get('[data-testid="chatwoot-secret-set"]').attributes('data-set')).toBe('true')
    expect(document.body.innerHTML).not.toContain('whsec-0123456789')
  })

  it('warns that Chatwoot 4.14 and later need the private-network opt-in, and only then', async () => {
    const old = await openChatwoot(linked({ chatwoot_version: '4.13.0' }))
    expect(old.wrapper.find('[data-testid="chatwoot-private-network-warning"]').exists()).toBe(false)
    old.wrapper.unmount()
    const { wrapper } = await openChatwoot(linked({ chatwoot_version: '4.14.1' }))
    const warning = wrapper.get('[data-testid="chatwoot-private-network-warning"]').text()
    expect(warning).toContain('SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true')
    expect(warning).toContain('WEBHOOK_PRIVATE_NETWORK_ALLOWED_TYPES')
    expect(warning).toContain('4.14.1')
  })

  it('shows when memberships were last synced, and why the last sync failed', async () => {
    const never = await openChatwoot(linked())
    expect(never.wrapper.get('[data-testid="chatwoot-members-synced"]').text()).toBe('—')
    expect(never.wrapper.find('[data-testid="chatwoot-members-sync-error"]').exists()).toBe(false)
    never.wrapper.unmount()
    const { wrapper } = await openChatwoot(linked({ members_synced_at: '2026-12-03T10:00:00Z',
      members_sync_error: "the link's access token is not an administrator's of Chatwoot account 1" }))
    expect(wrapper.get('[data-testid="chatwoot-members-synced"]').text()).not.toBe('—')
    const error = wrapper.get('[data-testid="chatwoot-members-sync-error"]').text()
    expect(error).toContain('kept the ones it had')
    expect(error).toContain('not an administrator')
  })

  it('says clearly when the connection needs attention', async () => {
    // The page re-checks the link against Chatwoot when it opens: the first check finds it fine.
    let checks = 0
    let current = linked()
    const { wrapper, hub } = await openChatwoot(current, {
      'GET /api/v1/accounts/A/chatwoot': () => json(current),
      'POST /api/v1/accounts/A/chatwoot/test': () =>
        json((current = ++checks === 1 ? current : { ...current, status: 'needs_attention', last_error: 'Chatwoot refused the token (401)' })),
    })
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/chatwoot/test')).toHaveLength(1)
    expect(wrapper.find('[data-testid="chatwoot-needs-attention"]').exists()).toBe(false)
    await wrapper.get('[data-testid="chatwoot-test"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="chatwoot-needs-attention"]').text()).toContain('The Chatwoot connection needs attention')
    expect(wrapper.get('[data-testid="chatwoot-last-error"]').text()).toBe('Chatwoot refused the token (401)')
    expect(wrapper.get('[data-testid="chatwoot-status"]').attributes('data-status')).toBe('needs_attention')
  })

  it('re-checks the install badges against Chatwoot when it opens', async () => {
    const { wrapper, hub } = await openChatwoot(linked({ webhook_installed: true, dashboard_app_installed: true }), {
      'POST /api/v1/accounts/A/chatwoot/test': () => json(linked({ webhook_installed: false, dashboard_app_installed: true })),
    })
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/chatwoot/test')).toHaveLength(1)
    expect(wrapper.find('[data-testid="chatwoot-tested"]').exists()).toBe(false) // silent, not the Test button's banner
    expect(wrapper.get('[data-testid="chatwoot-webhook-installed"]').attributes('data-installed')).toBe('false')
    expect(wrapper.get('[data-testid="chatwoot-dashboard-app-installed"]').attributes('data-installed')).toBe('true')
  })

  it('unlinks after confirmation and shows what was removed in Chatwoot', async () => {
    const { wrapper, hub } = await openChatwoot(linked({ webhook_installed: true, dashboard_app_installed: true }))
    await wrapper.get('[data-testid="chatwoot-unlink"]').trigger('click')
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain('https://chat.example.com')
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click')
    await flushPromises()
    expect(hub.calls('DELETE /api/v1/accounts/A/chatwoot')).toHaveLength(1)
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="chatwoot-unlinked-webhook"]').text()).toBe('Removed')
    expect(wrapper.get('[data-testid="chatwoot-unlinked-dashboard-app"]').text()).toBe('Could not be removed: Chatwoot answered 500')
    expect(wrapper.get('[data-testid="chatwoot-page"]').attributes('data-linked')).toBe('false')
    expect(wrapper.find('[data-testid="chatwoot-form"]').exists()).toBe(true)
  })

  it('shows field errors from the hub', async () => {
    const { wrapper } = await openChatwoot(unlinked, {
      'PUT /api/v1/accounts/A/chatwoot': () =>
        envelope(400, 'VALIDATION_ERROR', 'invalid input', { details: [{ field: 'base_url', message: 'must start with http:// or https://' }] }),
    })
    await wrapper.get('[data-testid="chatwoot-base-url"]').setValue('ftp://x')
    await wrapper.get('[data-testid="chatwoot-account-id"]').setValue('1')
    await wrapper.get('[data-testid="chatwoot-token"]').setValue(TOKEN)
    await wrapper.get('[data-testid="chatwoot-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('must start with http:// or https://')
    expect((wrapper.get('[data-testid="chatwoot-token"]').element as HTMLInputElement).value).toBe('')
  })
})
