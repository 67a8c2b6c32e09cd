import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { api } from '@/api/client'
import { createAppI18n } from '@/i18n'
import { json } from '@/testing/fakeFetch'
import { envelope, fakeHub, type HubRoutes } from '@/testing/fakeHub'
import { ACCOUNT, BOARD, STAGES, boardAnswer } from '@/testing/kanbanFixtures'
import BoardSettings from './BoardSettings.vue'

const acct = `/api/v1/accounts/${ACCOUNT}`

function setup(routes: HubRoutes = {}, locale: 'en' | 'pt-BR' = 'en') {
  const hub = fakeHub({
    [`GET ${acct}/inboxes`]: () => json({ data: [], pagination: {} }),
    [`GET ${acct}/chatwoot/teams`]: () => json({ data: [{ id: 3, name: 'suporte' }, { id: 7, name: 'vendas sp' }], pagination: {}, known: true }),
    [`PATCH ${acct}/boards/${BOARD}`]: (req) => json({ ...boardAnswer(), ...(req.body as object) }),
    ...routes,
  })
  api.configure({ base: '/', fetch: hub.fetch })
  const wrapper = mount(BoardSettings, {
    props: {
      accountId: ACCOUNT,
      board: boardAnswer(10, { visibility: 'selected', visible_team_ids: [3, 99] }),
      stages: STAGES,
      members: [{ id: 'u1', name: 'Ana Souza', email: 'ana@acme.test' }],
      counts: {},
    },
    global: { plugins: [createAppI18n(locale)] },
    attachTo: document.body,
  })
  mounted.push(wrapper)
  return { hub, wrapper }
}

const mounted: { unmount(): void }[] = []
afterEach(() => mounted.splice(0).forEach((w) => w.unmount()))

describe('BoardSettings teams', () => {
  it('lets an admin pick Chatwoot teams by name and saves their ids (dropping teams gone from Chatwoot)', async () => {
    const { hub, wrapper } = setup()
    await flushPromises()
    const teams = wrapper.get('[data-testid="kanban-settings-teams"]')
    expect(teams.text()).toContain('vendas sp')
    const boxes = teams.findAll('input[type="checkbox"]')
    expect((boxes[0]!.element as HTMLInputElement).checked).toBe(true)
    await boxes[1]!.setValue(true)
    await wrapper.get('[data-testid="kanban-settings-board"]').trigger('submit')
    await flushPromises()
    const [patch] = hub.calls(`PATCH ${acct}/boards/${BOARD}`)
    expect((patch!.body as { visible_team_ids: number[] }).visible_team_ids).toEqual([3, 7])
  })

  it('says so when the teams cannot be loaded, in pt-BR', async () => {
    const { wrapper } = setup({ [`GET ${acct}/chatwoot/teams`]: () => envelope(502, 'UPSTREAM') }, 'pt-BR')
    await flushPromises()
    expect(wrapper.text()).toContain('Não foi possível carregar os times do Chatwoot.')
  })

  it('shows the field error for unknown teams', async () => {
    const { wrapper } = setup({
      [`PATCH ${acct}/boards/${BOARD}`]: () =>
        envelope(400, 'VALIDATION_ERROR', 'the request has invalid fields', {
          details: [{ field: 'visible_team_ids', message: 'not teams of the linked Chatwoot account: 9' }],
        }),
    })
    await flushPromises()
    await wrapper.get('[data-testid="kanban-settings-board"]').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('not teams of the linked Chatwoot account: 9')
  })
})
