import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { AuditEntry } from '@/api/audit'
import { createAppI18n } from '@/i18n'
import type { AuditKey, AuditPerson } from '@/lib/auditNames'
import type { Locale } from '@/stores/ui'
import AuditLogRow from './AuditLogRow.vue'

function entry(over: Partial<AuditEntry>): AuditEntry {
  return {
    id: 'aud-1', seq: 1, account_id: 'acc-1', actor_type: 'user', actor_id: 'usr-ana', action: 'user.invited',
    resource_type: 'user', resource_id: 'usr-bia', ip: '', user_agent: '', request_id: '', before: null, after: null,
    created_at: '2026-01-02T03:04:05Z', ...over,
  }
}

const people: ReadonlyMap<string, AuditPerson> = new Map([
  ['usr-ana', { name: 'Ana Souza', email: 'ana@example.com' }],
  ['usr-bia', { name: '', email: 'bia@example.com' }],
])

const keys: ReadonlyMap<string, AuditKey> = new Map([
  ['key-live', { name: 'ERP sync', revoked: false }],
  ['key-old', { name: 'Old integration', revoked: true }],
])

function row(e: AuditEntry, locale: Locale = 'en', withPeople = people, withKeys: ReadonlyMap<string, AuditKey> | null = null) {
  // The row is a pair of <tr>; a table body is where it lives.
  const w = mount(
    {
      components: { AuditLogRow },
      template: '<table><tbody><AuditLogRow :entry="e" :expanded="false" :columns="6" :people="p" :keys="k" /></tbody></table>',
      data: () => ({ e, p: withPeople, k: withKeys }),
    },
    { global: { plugins: [createAppI18n(locale)] } },
  )
  return {
    mark: w.find('[data-testid="audit-actor-mark"]'),
    action: w.get('[data-testid="audit-action"]'),
    actorType: w.get('[data-testid="audit-actor-type"]').text(),
    actor: w.get('[data-testid="audit-actor"]'),
    resourceType: w.get('[data-testid="audit-resource-type"]').text(),
    resource: w.get('[data-testid="audit-resource"]'),
  }
}

describe('AuditLogRow names', () => {
  it('labels the action and names the people, with the code and ids on hover (en)', () => {
    const r = row(entry({}))
    expect(r.action.text()).toBe('Person invited')
    expect(r.action.attributes('title')).toBe('user.invited')
    expect(r.actorType).toBe('User')
    expect(r.actor.text()).toBe('Ana Souza')
    expect(r.actor.attributes('title')).toBe('usr-ana')
    expect(r.resourceType).toBe('Person')
    // No name: the e-mail.
    expect(r.resource.text()).toBe('bia@example.com')
    expect(r.resource.attributes('title')).toBe('usr-bia')
  })

  it('labels in pt-BR', () => {
    const r = row(entry({ action: 'account.joined' }), 'pt-BR')
    expect(r.action.text()).toBe('Entrada na conta')
    expect(r.action.attributes('title')).toBe('account.joined')
    expect(r.actorType).toBe('Usuário')
    expect(r.resourceType).toBe('Pessoa')
  })

  it('falls back to the code for an action it does not know, never to English in pt-BR', () => {
    for (const locale of ['en', 'pt-BR'] as const) {
      const r = row(entry({ action: 'widget.frobbed', resource_type: 'widget', resource_id: 'wid-1' }), locale)
      expect(r.action.text()).toBe('widget.frobbed')
      expect(r.resourceType).toBe('widget')
      expect(r.resource.text()).toBe('wid-1')
    }
  })

  it('shows the ids when the people are not known', () => {
    const r = row(entry({}), 'en', new Map())
    expect(r.actor.text()).toBe('usr-ana')
    expect(r.resource.text()).toBe('usr-bia')
  })

  it('names other resources from the entry’s metadata, else by id, with the id on hover', () => {
    const named = row(entry({ actor_type: 'api_key', actor_id: 'key-1', action: 'kanban.board.created', resource_type: 'kanban_board', resource_id: 'brd-1', after: { name: 'Vendas' } }), 'pt-BR')
    expect(named.action.text()).toBe('Quadro criado')
    expect(named.actorType).toBe('Chave de API')
    expect(named.actor.text()).toBe('key-1')
    expect(named.resourceType).toBe('Quadro')
    expect(named.resource.text()).toBe('Vendas')
    expect(named.resource.attributes('title')).toBe('brd-1')

    const deleted = row(entry({ action: 'provider.deleted', resource_type: 'provider', resource_id: 'prv-1', before: { name: 'Evolution' } }))
    expect(deleted.resourceType).toBe('Provider')
    expect(deleted.resource.text()).toBe('Evolution')

    const bare = row(entry({ action: 'provider_instance.logged_out', resource_type: 'provider_instance', resource_id: 'ins-9' }))
    expect(bare.action.text()).toBe('Number disconnected')
    expect(bare.resourceType).toBe('Number')
    expect(bare.resource.text()).toBe('ins-9')
  })

  it('names an API key actor by the key, marks a revoked or unlisted key, and keeps its id on hover', () => {
    const live = row(entry({ actor_type: 'api_key', actor_id: 'key-live' }), 'en', people, keys)
    expect(live.actorType).toBe('API key')
    expect(live.actor.text()).toBe('ERP sync')
    expect(live.actor.attributes('title')).toBe('key-live')
    expect(live.mark.exists()).toBe(false)

    const revoked = row(entry({ actor_type: 'api_key', actor_id: 'key-old' }), 'pt-BR', people, keys)
    expect(revoked.actor.text()).toBe('Old integration')
    expect(revoked.mark.text()).toBe('Chave revogada')

    const gone = row(entry({ actor_type: 'api_key', actor_id: 'key-gone' }), 'en', people, keys)
    expect(gone.actor.text()).toBe('key-gone')
    expect(gone.actor.attributes('title')).toBe('key-gone')
    expect(gone.mark.text()).toBe('Deleted key')

    // A viewer who may not list keys (null) sees the id, unmarked: "deleted" would not be true.
    const unknown = row(entry({ actor_type: 'api_key', actor_id: 'key-live' }), 'en', people, null)
    expect(unknown.actor.text()).toBe('key-live')
    expect(unknown.mark.exists()).toBe(false)

    // The key as the resource of its own create or revoke.
    const resource = row(entry({ action: 'api_key.revoked', resource_type: 'api_key', resource_id: 'key-old' }), 'en', people, keys)
    expect(resource.resource.text()).toBe('Old integration')
  })

  it('names an instance-token actor (a Chatwoot user in an embedded page) as the person', () => {
    const r = row(entry({ actor_type: 'instance_token', actor_id: 'usr-ana' }))
    expect(r.actorType).toBe('Instance token')
    expect(r.actor.text()).toBe('Ana Souza')
    expect(r.actor.attributes('title')).toBe('usr-ana')
  })

  it('a user id is never named from metadata', () => {
    const r = row(entry({ resource_id: 'usr-zed', after: { name: 'Typed by someone' } }), 'en', new Map())
    expect(r.resource.text()).toBe('usr-zed')
  })
})
