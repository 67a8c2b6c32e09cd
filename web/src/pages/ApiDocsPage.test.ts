import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OpenAPIDocument } from '@/api/openapi'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { me, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

let unmount: (() => void) | undefined

const doc: OpenAPIDocument = {
  openapi: '3.1.0',
  info: { title: 'WhatPro Hub API', version: '1.2.3' },
  tags: [{ name: 'Kanban' }, { name: 'Operations' }],
  components: {
    schemas: {
      KanbanCard: { type: 'object', properties: { id: { type: 'string' }, value_cents: { type: 'integer' } }, required: ['id'] },
    },
  },
  paths: {
    '/healthz': { get: { summary: 'Liveness', tags: ['Operations'], security: [], responses: { '200': { description: 'OK' } } } },
    '/api/v1/accounts/{accountID}/boards/{boardID}/cards': {
      post: {
        summary: 'Create a card',
        tags: ['Kanban'],
        'x-feature': 'kanban',
        security: [{ session: ['kanban:write'] }, { apiKey: ['kanban:write'] }],
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { title: { type: ['string', 'null'] } } } } } },
        responses: { '201': { description: 'Created', content: { 'application/json': { schema: { $ref: '#/components/schemas/KanbanCard' } } } } },
      },
    },
  },
}

async function openDocs() {
  const mounted = await mountApp('/api-docs', {
    ...sessionRoutes(me(user(), [])),
    'GET /api/v1/openapi.json': () => json(doc),
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('ApiDocsPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('lists every operation by tag with its scope, and opens its bodies', async () => {
    const { wrapper } = await openDocs()
    await flushPromises()
    const ops = wrapper.findAll('[data-testid="api-operation"]')
    expect(ops.map((o) => o.attributes('data-key'))).toEqual(['POST /api/v1/accounts/{accountID}/boards/{boardID}/cards', 'GET /healthz'])
    expect(wrapper.get('[data-testid="api-docs-count"]').text()).toContain('2')
    await ops[0]!.get('button').trigger('click')
    const details = wrapper.get('[data-testid="api-operation-details"]')
    expect(details.text()).toContain('kanban:write')
    expect(details.text()).toContain('kanban')
    const fields = details.findAll('[data-testid="schema-field"]').map((f) => f.text())
    expect(fields.some((f) => f.includes('title') && f.includes('string | null'))).toBe(true)
    expect(fields.some((f) => f.includes('value_cents') && f.includes('integer'))).toBe(true)
  })

  it('says what to do when the search matches nothing', async () => {
    const { wrapper } = await openDocs()
    await flushPromises()
    await wrapper.get('[data-testid="api-docs-search"]').setValue('nothing-like-this')
    expect(wrapper.find('[data-testid="api-operation"]').exists()).toBe(false)
    const empty = wrapper.get('[data-testid="api-docs-empty"]')
    expect(empty.text()).toContain('nothing-like-this')
    await empty.get('button').trigger('click')
    expect(wrapper.findAll('[data-testid="api-operation"]')).toHaveLength(2)
  })
})
