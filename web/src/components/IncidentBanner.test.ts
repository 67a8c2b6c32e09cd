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

  it('says when the monthly message limit is used or near, with the figures and a link to the plan', async () => {
    const limits = {
      ...routes('admin'),
      [INCIDENTS]: () =>
        json({
          data: [
            incident({ id: 'i3', kind: 'messages_over_limit', subject_id: '2026-03', subject_name: '2026-03', detail: '1000/1000' }),
            incident({ id: 'i4', kind: 'messages_near_limit', subject_id: '2026-03', subject_name: '2026-03', detail: '800/1000' }),
          ],
        }),
    }
    for (const [locale, over, near] of [
      ['en', "The plan's limit of 1000 messages a month is used (1000 in 2026-03)", '800 of the plan\'s 1000 messages a month'],
      ['pt-BR', 'O limite do plano de 1000 mensagens por mês foi atingido (1000 em 2026-03)', 'Já foram usadas 800 das 1000 mensagens'],
    ] as const) {
      const { wrapper } = await mountApp('/accounts/A', limits, locale)
      const rows = wrapper.get('[data-testid="incident-banner"]').findAll('[data-kind]')
      expect(rows[0]!.text()).toContain(over)
      expect(rows[1]!.text()).toContain(near)
      expect(rows[0]!.get('a').attributes('href')).toContain('/accounts/A/plan')
      wrapper.unmount()
    }
  })

  it('asks nothing for an agent and shows nothing', async () => {
    const { wrapper, hub } = await mountApp('/accounts/A', routes('agent'))
    expect(wrapper.find('[data-testid="incident-banner"]').exists()).toBe(false)
    expect(hub.calls(INCIDENTS)).toHaveLength(0)
    wrapper.unmount()
  })
})
