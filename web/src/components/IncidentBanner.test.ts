import { describe, expect, it } from 'vitest'
import type { Incident } from '@/api/incidents'
import { json } from '@/testing/fakeFetch'
import { me, membership, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

function incident(overrides: Partial<Incident>): Incident {
  return {
    id: 'i1',
    account_id: 'A',
    kind: 'number_down',
    subject_id: 'n1',
    subject_name: 'Loja Norte',
    detail: 'logged_out',
    opened_at: '2026-03-01T00:00:00Z',
    notified_at: '2026-03-01T00:00:00Z',
    ...overrides,
  }
}

const INCIDENTS = 'GET /api/v1/accounts/A/incidents'

function routes(role: string) {
  return {
    ...sessionRoutes(me(user(), [membership('A', role)])),
    'GET /api/v1/accounts/A': () => json({ id: 'A', name: 'Acme', status: 'active', role }),
    [INCIDENTS]: () => json({ data: [incident({}), incident({ id: 'i2', kind: 'dead_letters', subject_id: 'gateway', detail: '3' })] }),
  }
}

describe('incident banner', () => {
  it('shows an admin each open incident with a link to where it is fixed, in Portuguese too', async () => {
    const { wrapper } = await mountApp('/accounts/A', routes('admin'), 'pt-BR')
    const banner = wrapper.get('[data-testid="incident-banner"]')
    const rows = banner.findAll('[data-kind]')
    expect(rows.map((r) => r.attributes('data-kind'))).toEqual(['number_down', 'dead_letters'])
    expect(rows[0]!.text()).toContain('O número Loja Norte foi desconectado do WhatsApp')
    expect(rows[1]!.text()).toContain('3 mensagem(ns)')
    expect(rows[0]!.get('a').attributes('href')).toContain('/accounts/A/numbers')
    expect(rows[1]!.get('a').attributes('href')).toContain('/accounts/A/gateway')
    wrapper.unmount()
  })

  it('asks nothing for an agent and shows nothing', async () => {
    const { wrapper, hub } = await mountApp('/accounts/A', routes('agent'))
    expect(wrapper.find('[data-testid="incident-banner"]').exists()).toBe(false)
    expect(hub.calls(INCIDENTS)).toHaveLength(0)
    wrapper.unmount()
  })
})
